"""The briefing: your role, the record, the campaign, your moves, the sources; the crowd builds meanwhile."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, Label, Markdown, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from simulator.engine import Decision
from simulator.errors import BackfireError
from simulator.formatting import fmt_minutes
from simulator.game.seat import Seat
from simulator.game.view import GameView
from simulator.scenario.schema import ScheduledEvent
from simulator.tui.screens.base import WorkingScreen
from simulator.tui.widgets import Header


class BriefingScreen(WorkingScreen):
    """Your role, the brand's context, the campaign, your moves, the sources. A key starts the clock."""

    BINDINGS = [
        Binding("s", "start", "Start the clock"),
        Binding("e", "write_opening", "Write your own opening"),
        Binding("question_mark", "app.help", "Help"),
        Binding("q", "app.quit", "Quit"),
    ]

    class ClockStarted(Message):
        """The player started the game."""

    def __init__(self, session: GameView) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="briefing"):
            yield Markdown(briefing_markdown(self.session), id="briefing-text")
            with Vertical(id="briefing-side"):
                yield Label("How will you open?", classes="metric-title")
                yield OptionList(
                    *[
                        Option(
                            Text.assemble(
                                (o.label, "bold"), ("  (real)" if o.real else "", "yellow"), "\n", (o.preview, "dim")
                            ),
                            id=o.id,
                        )
                        for o in self.session.options("open")
                    ],
                    id="openings",
                )
                yield Static("Or press [b]e[/b] to write your own opening.", id="own-opening")
                yield Label("Building the crowd…", id="crowd-status")
                yield ProgressBar(id="crowd-progress", show_eta=False)
                yield Static(self.start_hint(), id="start-hint")
        yield Footer()

    def start_hint(self) -> str:
        """What pressing s does, under the openings."""
        seat = self.session
        if isinstance(seat, Seat):  # a team's seat in a workshop
            return (
                f"You are [b]{seat.team}[/b] ({seat.code}) · seed {seat.seed} · "
                f"{seat.size:,} personas\nYour opening goes out when the facilitator starts the clock. "
                "Press [b]s[/b] for your team's screen."
            )
        return f"Seed {self.session.seed} · {self.session.size:,} personas · press [b]s[/b] to start"

    def on_mount(self) -> None:
        ol = self.query_one("#openings", OptionList)
        ids = [o.id for o in self.session.options("open")]
        ol.highlighted = ids.index(self.session.opening)
        self.build_crowd()

    @work(thread=True, exclusive=True, group="crowd", exit_on_error=False)
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
        audience = self.session.build_crowd()  # built by now: returns the crowd
        if audience is None:  # a team's seat: the facilitator's machine builds the one crowd every team faces
            self.query_one("#crowd-status", Label).update(
                f"The facilitator's machine builds the crowd: {self.session.size:,} personas"
            )
            return
        self.query_one("#crowd-status", Label).update(
            f"Crowd ready: {audience.size:,} personas, {audience.graph.edges:,} follows"
        )

    def _choose(self, opening: str, text: str | None = None) -> bool:
        """Choose the opening; False (and a notice) when it cannot change any more (a team's clock has started)."""
        try:
            self.session.choose_opening(opening, text)
        except BackfireError as exc:
            self.notify(str(exc), severity="warning")
            return False
        return True

    @on(OptionList.OptionHighlighted, "#openings")
    def _opening(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id == self.session.opening and self.session.opening_text is None:
            return
        if self.session.started:
            return  # a team that rejoins after the clock started: its opening is fixed
        if self.session.opening_text is not None:  # a listed opening replaces your own
            self.query_one("#own-opening", Static).update("Or press [b]e[/b] to write your own opening.")
        self._choose(event.option.id or "")

    @on(OptionList.OptionSelected, "#openings")
    def _opening_selected(self, event: OptionList.OptionSelected) -> None:
        if self.session.started or self._choose(event.option.id or ""):
            self.action_start()

    def action_write_opening(self) -> None:
        """Write the opening post yourself (the listed openings are there to start from)."""
        from simulator.tui.screens.decision import DecisionScreen

        self.app.push_screen(DecisionScreen(self.session, "open", write=True), self._wrote)

    def _wrote(self, decision: Decision | None) -> None:
        if decision is None:
            return
        own = self.query_one("#own-opening", Static)
        if decision.text is None:
            if not self._choose(decision.option or ""):
                return
            ids = [o.id for o in self.session.options("open")]
            self.query_one("#openings", OptionList).highlighted = ids.index(self.session.opening)
            own.update("Or press [b]e[/b] to write your own opening.")
            return
        if not self._choose("", decision.text):
            return
        choice = self.session.read(decision)
        own.update(
            Text.assemble(
                ("Your own opening: ", "bold"),
                decision.text,
                "\n",
                (choice.summary(), "italic dim"),
                "\n",
                ("Press s to start with it, or pick a listed opening to drop it.", "dim"),
            )
        )

    def action_start(self) -> None:
        self.post_message(self.ClockStarted())


def _event_words(event: ScheduledEvent) -> str:
    """'Host, 1 h long, starting 3 h after the opening post.'"""
    when = (
        "starting with the opening post"
        if event.starts_at <= 0
        else f"starting {fmt_minutes(event.starts_at)} after the opening post"
    )
    return f"{event.host}, {fmt_minutes(event.length)} long, {when}."


def briefing_markdown(session: GameView) -> str:
    """The briefing as Markdown."""
    sc = session.scenario
    lines = [
        f"# {sc.title}",
        "",
        f"**Your role.** {sc.brand.role}",
        "",
        sc.summary,
        "",
        f"## {sc.brand.name}: the record",
        "",
    ]
    for c in sc.brand.context:
        amount = f", **{c.amount}**" if c.amount else ""  # "July 2013, $410 million: … was fined …"
        lines.append(f"- *{c.when}*{amount}: {c.text} ({sc.source(c.source).title})")
    lines += [
        "",
        "## The campaign",
        "",
        f"**Goal.** {sc.campaign.goal}",
        "",
        f"**Event.** {_event_words(sc.campaign.event)}",
        "",
    ]
    lines += [
        f"## Your moves (each turn is {sc.clock.turn_words})",
        "",
        "- **w** wait · **a** answer the highlighted post (pick a tone) · **p** pause · "
        f"**c** {sc.actions.cancel_move[0].lower() + sc.actions.cancel_move[1:]} (pick a message)",
        f"- or write any post yourself, up to {sc.language.max_chars} characters: the game reads it as the crowd "
        "would and says why before it goes out",
        "",
    ]
    lines += ["## Sources", ""]
    for s in sc.sources:
        by = ", ".join(x for x in (s.author, s.publisher) if x)
        lines.append(f"- {s.title}" + (f" — {by}" if by else "") + (f" ({s.date})" if s.date else ""))
    return "\n".join(lines)


class TeamBriefingScreen(BriefingScreen):
    """A team's briefing in a workshop: the same page; s goes to the team's screen (the facilitator starts the clock)."""

    BINDINGS = [Binding("s", "start", "Your team's screen")]
