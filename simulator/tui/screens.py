"""The app's screens: picker, briefing, play, decision dialog, debrief, help."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Label, Markdown, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from simulator.engine import Decision
from simulator.errors import BackfireError
from simulator.output import fmt_bound, fmt_minutes, fmt_value
from simulator.session import Session
from simulator.tui.widgets import ClockBar, ComparisonChart, FeedView, MetricsPanel


# ---------------------------------------------------------------------------------------------- picker
class PickerScreen(Screen):
    """Choose a scenario."""

    BINDINGS = [Binding("enter", "choose", "Start"), Binding("q", "app.quit", "Quit")]

    @dataclass
    class ScenarioChosen(Message):
        """The player picked a scenario."""

        scenario_id: str

    def __init__(self, listings: list) -> None:
        super().__init__()
        self.listings = listings

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("Choose a case to play", id="picker-title")
        options = []
        for l in self.listings:
            sc = l.loaded.scenario
            text = Text()
            text.append(sc.title, style="bold")
            text.append(f"\n{sc.brand.name} · {sc.date} · {sc.campaign.hashtag}\n", style="dim")
            text.append(sc.campaign.premise)
            options.append(Option(text, id=sc.id))
        yield OptionList(*options, id="scenarios")
        yield Footer()

    def action_choose(self) -> None:
        ol = self.query_one(OptionList)
        if ol.highlighted is not None:
            self.post_message(self.ScenarioChosen(ol.get_option_at_index(ol.highlighted).id))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.post_message(self.ScenarioChosen(event.option.id))


# ---------------------------------------------------------------------------------------------- briefing
class BriefingScreen(Screen):
    """Your role, the brand's context, the campaign, your moves, the sources. A key starts the clock."""

    BINDINGS = [Binding("s", "start", "Start the clock"), Binding("question_mark", "app.help", "Help"), Binding("q", "app.quit", "Quit")]

    class ClockStarted(Message):
        """The player started the game."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        sc = self.session.scenario
        yield Header()
        with Horizontal(id="briefing"):
            yield Markdown(briefing_markdown(self.session), id="briefing-text")
            with Vertical(id="briefing-side"):
                yield Label("How will you open?", classes="metric-title")
                yield OptionList(
                    *[Option(Text.assemble((o.label, "bold"), ("  (real)" if o.real else "", "yellow"), "\n", (o.preview, "dim")), id=o.id) for o in self.session.options("open")],
                    id="openings",
                )
                yield Label("Building the crowd…", id="crowd-status")
                yield ProgressBar(id="crowd-progress", show_eta=False)
                yield Static(f"Seed {self.session.seed} · {self.session.size:,} personas · press [b]s[/b] to start", id="start-hint")
        yield Footer()

    def on_mount(self) -> None:
        ol = self.query_one("#openings", OptionList)
        ids = [o.id for o in self.session.options("open")]
        ol.highlighted = ids.index(self.session.opening)
        self.build_crowd()

    @work(thread=True, exclusive=True, group="crowd")
    def build_crowd(self) -> None:
        def progress(label: str, done: float, total: float) -> None:
            self.app.call_from_thread(self._progress, done, total)

        self.session.build_crowd(progress)
        self.app.call_from_thread(self._ready)

    def _progress(self, done: float, total: float) -> None:
        self.query_one("#crowd-progress", ProgressBar).update(total=total, progress=done)

    def _ready(self) -> None:
        bar = self.query_one("#crowd-progress", ProgressBar)
        bar.update(total=1, progress=1)
        self.query_one("#crowd-status", Label).update(f"Crowd ready: {self.session.audience.size:,} personas, {self.session.audience.graph.edges:,} follows")

    @on(OptionList.OptionHighlighted, "#openings")
    def _opening(self, event: OptionList.OptionHighlighted) -> None:
        self.session.choose_opening(event.option.id)

    @on(OptionList.OptionSelected, "#openings")
    def _opening_selected(self, event: OptionList.OptionSelected) -> None:
        self.session.choose_opening(event.option.id)
        self.action_start()

    def action_start(self) -> None:
        self.post_message(self.ClockStarted())


def _event_words(event) -> str:
    """'Host, 1 h long, starting 3 h after the opening post.'"""
    when = "starting with the opening post" if event.starts_at <= 0 else f"starting {fmt_minutes(event.starts_at)} after the opening post"
    return f"{event.host}, {fmt_minutes(event.length)} long, {when}."


def briefing_markdown(session: Session) -> str:
    """The briefing as Markdown."""
    sc = session.scenario
    lines = [f"# {sc.title}", "", f"**Your role.** {sc.brand.role}", "", sc.summary, "", f"## {sc.brand.name}: the record", ""]
    for c in sc.brand.context:
        amount = f" **{c.amount}**" if c.amount else ""
        lines.append(f"- *{c.when}*:{amount} {c.text} ({sc.source(c.source).title})")
    lines += ["", "## The campaign", "", f"**Goal.** {sc.campaign.goal}", "", f"**Event.** {_event_words(sc.campaign.event)}", ""]
    lines += [f"## Your moves (each turn is {sc.clock.turn_words})", "", "- **w** wait · **a** answer the highlighted post (pick a tone) · **p** pause · **c** cancel (pick a message)", ""]
    lines += ["## Sources", ""]
    for s in sc.sources:
        by = ", ".join(x for x in (s.author, s.publisher) if x)
        lines.append(f"- {s.title}" + (f" — {by}" if by else "") + (f" ({s.date})" if s.date else ""))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- decision dialog
class DecisionScreen(ModalScreen[Decision | None]):
    """Pick an option under a move; shows what it will post."""

    BINDINGS = [Binding("escape", "dismiss_none", "Back"), Binding("enter", "confirm", "Post it")]

    def __init__(self, session: Session, move: str, question: str | None = None, target: str | None = None, choose_kind: bool = False) -> None:
        super().__init__()
        self.session, self.move, self.question, self.target = session, move, question, target
        # With no post to answer (the facilitator's console), the player picks which posts to answer.
        self.choose_kind = choose_kind and move == "answer"

    def compose(self) -> ComposeResult:
        titles = {"answer": "Answer — pick a tone", "pause": "Pause — how long?", "cancel": "Cancel the campaign — with which message?"}
        with Vertical(id="dialog"):
            yield Label(titles[self.move], id="dialog-title")
            if self.question:
                yield Static(Text.assemble(("Answering: ", "bold"), self.question), id="dialog-question")
            if self.choose_kind:
                yield Label("Which posts? (Tab moves to the tone)", classes="metric-title")
                kinds = sorted(self.session.scenario.kinds, key=lambda k: k.tone == "supportive")
                yield OptionList(*[Option(k.label, id=k.id) for k in kinds], id="dialog-kinds")
            yield OptionList(*[Option(Text.assemble((o.label, "bold"), ("  (real wording)" if o.real else "", "yellow")), id=o.id) for o in self.session.options(self.move)], id="dialog-options")
            yield Label("What it will post:", classes="metric-title")
            yield Static(id="preview")
            yield Label("Enter posts it · Esc goes back", id="dialog-hint")

    def on_mount(self) -> None:
        ol = self.query_one("#dialog-options", OptionList)
        ol.highlighted = 0
        if self.choose_kind:
            kinds = self.query_one("#dialog-kinds", OptionList)
            kinds.highlighted = 0
            self.target = kinds.get_option_at_index(0).id
            kinds.focus()
        else:
            ol.focus()
        self._update_preview(ol.get_option_at_index(0).id)

    def _decision(self, option: str) -> Decision:
        return Decision(self.move, option, self.target if self.move == "answer" else None)

    @on(OptionList.OptionHighlighted, "#dialog-kinds")
    def _kind(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.target = event.option.id
        tones = self.query_one("#dialog-options", OptionList)
        if tones.highlighted is not None:
            self._update_preview(tones.get_option_at_index(tones.highlighted).id)

    @on(OptionList.OptionSelected, "#dialog-kinds")
    def _kind_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.target = event.option.id
        self.query_one("#dialog-options", OptionList).focus()

    def _update_preview(self, option: str) -> None:
        question = self.question
        if question is None and self.choose_kind and self.target:
            label = next((k.label for k in self.session.scenario.kinds if k.id == self.target), self.target)
            question = f"[{label} posts]"
        self.query_one("#preview", Static).update(self.session.preview(self._decision(option), question))

    @on(OptionList.OptionHighlighted, "#dialog-options")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._update_preview(event.option.id)

    @on(OptionList.OptionSelected, "#dialog-options")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._decision(event.option.id))

    def action_confirm(self) -> None:
        if self.choose_kind and self.focused is not None and self.focused.id == "dialog-kinds":
            self.query_one("#dialog-options", OptionList).focus()
            return
        ol = self.query_one("#dialog-options", OptionList)
        if ol.highlighted is not None:
            self.dismiss(self._decision(ol.get_option_at_index(ol.highlighted).id))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


# ---------------------------------------------------------------------------------------------- play
class PlayScreen(Screen):
    """The live game: feed, metrics, clock, moves."""

    BINDINGS = [
        Binding("w", "decide('wait')", "Wait a turn"),
        Binding("space", "decide('wait')", "Wait", show=False),
        Binding("a", "decide('answer')", "Answer"),
        Binding("p", "decide('pause')", "Pause"),
        Binding("c", "decide('cancel')", "Cancel"),
        Binding("f", "fast_forward", "To the end"),
        Binding("question_mark", "app.help", "Help"),
        Binding("q", "app.quit", "Quit"),
    ]

    @dataclass
    class DecisionChosen(Message):
        """The player chose a move for this turn."""

        decision: Decision

    @dataclass
    class TurnAdvanced(Message):
        """A turn finished computing."""

        turn: int
        metrics: dict

    class GameOver(Message):
        """The last turn was played."""

    def __init__(self, session: Session, realtime: float | None = None) -> None:
        super().__init__()
        self.session = session
        self.realtime = realtime
        self.busy = False
        tones = {k.id: k.tone for k in session.scenario.kinds}
        self._tones = tones
        self._labels = {s.id: s.label for s in session.scenario.audience.segments}
        self._start = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield ClockBar(id="clock")
        with Horizontal(id="play"):
            yield FeedView(self._tones, id="feed")
            yield MetricsPanel(id="metrics")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.session.start()
        sim = self.session.game.sim
        self._start = dict(zip(sim.audience.segment_ids, self.session.game.metrics.stance0_by_segment.tolist()))
        self.refresh_view()
        self.query_one(FeedView).focus()
        if self.realtime:
            self.set_interval(self.realtime, self._tick)

    def _tick(self) -> None:
        # Realtime: an untaken decision is `wait`.
        if not self.busy and not self.session.over and self.app.screen is self:
            self.post_message(self.DecisionChosen(Decision("wait")))

    def status_text(self) -> str:
        """The campaign's state for the clock bar."""
        if self.session.cancelled:
            return "CANCELLED"
        if self.session.paused_until > self.session.turn:
            return f"PAUSED until turn {self.session.paused_until + 1}"
        return "LIVE"

    def refresh_view(self) -> None:
        """Render the session's state."""
        s = self.session
        self.query_one(ClockBar).set_clock(s.clock_text(), s.scenario.campaign.hashtag, self.status_text(), min(s.turn, s.turns - 1), s.turns)
        self.query_one(FeedView).set_items(s.feed(40))
        self.query_one(MetricsPanel).set_metrics(s.metrics(), self._labels, self._start, s.scenario.clock.turn_words)
        hint = "Computing the turn…" if self.busy else f"Highlight a post with ↑/↓, then a to answer it · w waits {s.scenario.clock.turn_words}"
        self.query_one("#status", Static).update(hint)

    def action_decide(self, move: str) -> None:
        if self.busy or self.session.over:
            return
        if move == "wait":
            self.post_message(self.DecisionChosen(Decision("wait")))
            return
        if move in ("cancel", "pause") and self.session.cancelled:
            self.notify("The campaign is already cancelled: you can still answer or wait.", severity="warning")
            return
        question, target, choose_kind = None, None, False
        if move == "answer":
            item = self.query_one(FeedView).selected()
            if item is not None and item.poster >= 0:
                question, target = item.text, item.id
            else:  # your own post or an event is highlighted: pick which posts to answer
                choose_kind = True
        self.app.push_screen(DecisionScreen(self.session, move, question, target, choose_kind), self._chosen)

    def _chosen(self, decision: Decision | None) -> None:
        if decision is not None:
            self.post_message(self.DecisionChosen(decision))

    @on(DecisionChosen)
    def _play(self, message: DecisionChosen) -> None:
        if self.busy:
            return
        self.busy = True
        self.query_one("#status", Static).update("Computing the turn…")
        self.advance(message.decision)

    @work(thread=True, exclusive=True, group="engine")
    def advance(self, decision: Decision) -> None:
        """Play one turn in a worker thread; report back with a message."""
        try:
            metrics = self.session.play(decision)
        except BackfireError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            self.app.call_from_thread(self._unbusy)
            return
        self.post_message(self.TurnAdvanced(metrics["turn"], metrics))

    def _unbusy(self) -> None:
        self.busy = False

    @on(TurnAdvanced)
    def _advanced(self, message: TurnAdvanced) -> None:
        self.busy = False
        for inject in message.metrics["injects"]:
            label = next((i.label for i in self.session.scenario.injects if i.id == inject), inject)
            self.notify(label, title="Event", timeout=6)
        self.refresh_view()
        if self.session.over:
            self.post_message(self.GameOver())

    def action_fast_forward(self) -> None:
        if self.busy or self.session.over:
            return
        self.busy = True
        self.finish()

    @work(thread=True, exclusive=True, group="engine")
    def finish(self) -> None:
        """Wait out the remaining turns."""
        self.session.finish_with_waits()
        self.post_message(self.TurnAdvanced(self.session.turn - 1, self.session.latest()))


# ---------------------------------------------------------------------------------------------- debrief
class DebriefScreen(Screen):
    """Score by dimension, you vs history over time, lessons, what really happened."""

    BINDINGS = [
        Binding("e", "export", "Export report"),
        Binding("r", "replay(False)", "Play again, same crowd"),
        Binding("n", "replay(True)", "New crowd"),
        Binding("question_mark", "app.help", "Help"),
        Binding("q", "app.quit", "Quit"),
    ]

    @dataclass
    class ReplayRequested(Message):
        """The player wants another game."""

        new_crowd: bool

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        s = self.session
        score = s.score()
        self.score = score
        history = s.history_run()
        yield Header()
        with VerticalScroll(id="debrief"):
            verdict = "better than" if score.total > score.history_total else "worse than" if score.total < score.history_total else "level with"
            yield Static(Text.assemble(("Your score ", "bold"), (f"{score.total:.1f}", "bold reverse"), f"  vs history {score.history_total:.1f}: {verdict} what really happened, on the same crowd (seed {s.seed}, {s.size:,} personas)."), id="verdict")
            table = DataTable(id="score-table", cursor_type="none", zebra_stripes=True)
            table.add_columns("dimension", "you", "history", "your score", "history's")
            for d in score.dimensions:
                fmt = (lambda v: f"{v:+.3f}") if d.metric == "stance_change" else (lambda v: f"{v:.0%}") if "share" in d.metric else (lambda v: f"{int(v):,}")
                table.add_row(d.label, fmt(d.you), fmt(d.history), f"{d.you_score:.0f}", f"{d.history_score:.0f}")
            yield table
            yield Label(f"Hostile posts per turn, over the {s.scenario.clock.horizon_hours:g} hours", classes="metric-title")
            yield ComparisonChart([t["hostile"] for t in s.metrics()], [t["hostile"] for t in history.turns], "hostile posts in a turn", id="hostile-chart")
            yield Label("Replies to the brand per turn", classes="metric-title")
            yield ComparisonChart([t["replies"] for t in s.metrics()], [t["replies"] for t in history.turns], "replies in a turn", id="replies-chart")
            yield Markdown(debrief_markdown(s), id="lessons")
        yield Footer()

    def action_replay(self, new_crowd: bool) -> None:
        self.post_message(self.ReplayRequested(new_crowd))

    def action_export(self) -> None:
        self.app.export_report(self.session.game_id)


def debrief_markdown(session: Session) -> str:
    """Lessons per decision and what really happened, as Markdown."""
    report = session.debrief()
    lines = ["## What the sources say about your decisions", ""]
    for r in report.reviews:
        when = r.when_text()
        lines.append(f"### {r.decision}{when}" + (" — the sources disagree" if r.disagreement else ""))
        if not r.lessons:
            lines.append("No source speaks to this move directly.")
        for l in r.lessons:
            lines.append(f"- **{l.stance}**: {l.cited} — *{l.source_title}*")
        lines.append("")
    lines += ["## What really happened", ""]
    for w in report.what_happened:
        lines.append(f"- **{w['when']}**: {w['text']} (*{w['source_title']}*)")
    f = report.history_figures
    if f and f["targets"]:
        lines += ["", "On this crowd, the real decisions gave:", ""]
        lines += [f"- {t['label']}: **{fmt_value(t['value'])}** (documented {fmt_bound(t['min'], t['max'])})" for t in f["targets"]]
        if f["note"]:
            lines += ["", f"*{f['note']}*"]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- help
class HelpScreen(ModalScreen[None]):
    """Keys and how the game works."""

    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(HELP)

    def action_dismiss(self) -> None:
        self.dismiss(None)


HELP = """\
# Backfire — help

Every turn is a stretch of a hashtag storm (15 minutes in most cases; the briefing
says) on a synthetic crowd. Choose a move,
and the crowd reacts. At the end your run is scored against what the brand really
did, **on the same crowd**, and the debrief quotes what the sources say.

| key | move |
|---|---|
| `w` or space | wait one turn |
| `a` | answer the highlighted post (then pick a tone) |
| `p` | pause: go quiet for a while |
| `c` | cancel the campaign (then pick a message) |
| `↑` `↓` | move through the feed |
| `f` | wait out the remaining turns |
| `ctrl+p` | command palette: every action by name |
| `?` | this help · `q` quit |

Real tweets quoted by the sources are marked **REAL TWEET** with their source.
Events (press stories, alerts) are marked **⚑ EVENT**. Press `Esc` to close.
"""
