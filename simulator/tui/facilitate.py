"""The facilitator's console: every team on one crowd, decisions per team, a shared clock, injects, the hot wash."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from simulator.engine import Decision
from simulator.errors import BackfireError
from simulator.facilitation import Facilitation
from simulator.tui.screens import DecisionScreen
from simulator.tui.widgets import ComparisonChart


class InjectScreen(ModalScreen[tuple[str, str, str | None] | None]):
    """Fire a scenario inject now, or write a custom one, to every team or one."""

    BINDINGS = [Binding("escape", "dismiss_none", "Back")]

    def __init__(self, facilitation: Facilitation) -> None:
        super().__init__()
        self.f = facilitation

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Inject an event", id="dialog-title")
            yield Label("To whom?", classes="metric-title")
            yield OptionList(Option("Every team", id="*"), *[Option(t, id=t) for t in self.f.teams], id="inject-team")
            yield Label("A scenario event now…", classes="metric-title")
            yield OptionList(*[Option(i.label, id=i.id) for i in self.f.scenario.injects], id="inject-scenario")
            yield Label("…or write your own (a reporter's call, a leaked memo) and press Enter:", classes="metric-title")
            yield Input(placeholder="e.g. Reuters calls: is the Q&A still on?", id="inject-text")

    def _team(self) -> str | None:
        ol = self.query_one("#inject-team", OptionList)
        chosen = ol.get_option_at_index(ol.highlighted).id if ol.highlighted is not None else "*"
        return None if chosen == "*" else chosen

    def on_mount(self) -> None:
        self.query_one("#inject-team", OptionList).highlighted = 0

    @on(OptionList.OptionSelected, "#inject-scenario")
    def _scenario(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(("scenario", event.option.id, self._team()))

    @on(Input.Submitted)
    def _custom(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(("custom", event.value.strip(), self._team()))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class FacilitateScreen(Screen):
    """Teams, their decisions for this turn, the side-by-side board, the clock."""

    BINDINGS = [
        Binding("space", "advance", "Advance clock"),
        Binding("t", "next_team", "Next team"),
        Binding("w", "decide('wait')", "Wait"),
        Binding("a", "decide('answer')", "Answer"),
        Binding("p", "decide('pause')", "Pause"),
        Binding("c", "decide('cancel')", "Cancel"),
        Binding("i", "inject", "Inject"),
        Binding("r", "toggle_realtime", "Realtime"),
        Binding("h", "hot_wash", "Hot wash"),
        Binding("question_mark", "app.help", "Help"),
        Binding("q", "app.quit", "Quit"),
    ]

    @dataclass
    class ClockAdvanced(Message):
        """Every team's turn was played."""

        turn: int

    class SessionOver(Message):
        """The last turn was played for every team."""

    def __init__(self, facilitation: Facilitation, realtime: float | None = None) -> None:
        super().__init__()
        self.f = facilitation
        self.team_index = 0
        self.busy = False
        self.realtime = realtime or 20.0
        self.running = False
        self._timer = None
        self.log_lines: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="fac-clock")
        yield DataTable(id="board", cursor_type="row", zebra_stripes=True)
        yield Static(id="fac-team")
        yield Static(id="fac-log")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#board", DataTable)
        table.add_columns("team", "decision this turn", "posts", "hostile so far", "% negative", "replies to last post", "reputation Δ", "state")
        self.busy = True
        self.query_one("#fac-log", Static).update("Building the crowd every team will face…")
        self._start()

    @work(thread=True, exclusive=True, group="engine")
    def _start(self) -> None:
        self.f.start()
        self.post_message(self.ClockAdvanced(self.f.turn))

    @property
    def team(self) -> str:
        """The team whose decision is being entered."""
        return self.f.teams[self.team_index]

    def refresh_view(self) -> None:
        """Render the facilitation's state."""
        s = next(iter(self.f.sessions.values()))
        state = "RUNNING (realtime every %gs)" % self.realtime if self.running else "PAUSED (space advances)"
        self.query_one("#fac-clock", Static).update(Text.assemble((f" {self.f.scenario.campaign.hashtag} ", "bold reverse"), f"  {s.clock_text()}  turn {min(self.f.turn + 1, s.turns)}/{s.turns}  ", (state, "bold")))
        table = self.query_one("#board", DataTable)
        table.clear()
        for row in self.f.board():
            marker = "▶ " if row.team == self.team else "  "
            table.add_row(marker + row.team, row.pending, f"{row.volume:,}", f"{row.hostile_total:,}", f"{row.share_negative:.0%}", f"{row.replies_to_latest:,}", f"{row.stance_change:+.3f}", "CANCELLED" if row.cancelled else "live")
        self.query_one("#fac-team", Static).update(Text.assemble("Entering decisions for ", (self.team, "bold"), " — w wait · a answer · p pause · c cancel · t next team · i inject · space advance · h hot wash"))
        self.query_one("#fac-log", Static).update("\n".join(self.log_lines[-6:]))

    def action_next_team(self) -> None:
        self.team_index = (self.team_index + 1) % len(self.f.teams)
        self.refresh_view()

    def action_decide(self, move: str) -> None:
        if self.busy or self.f.over:
            return
        session = self.f.sessions[self.team]
        if move == "wait":
            self._set(Decision("wait"))
            return
        if move in ("cancel", "pause") and session.cancelled:
            self.notify(f"{self.team} already cancelled.", severity="warning")
            return
        self.app.push_screen(DecisionScreen(session, move, None, None, choose_kind=True), self._set)

    def _set(self, decision: Decision | None) -> None:
        if decision is None:
            return
        try:
            self.f.set_decision(self.team, decision)
        except BackfireError as exc:
            self.notify(str(exc), severity="error")
            return
        self.log_lines.append(f"{self.team}: {decision}")
        self.refresh_view()

    def action_inject(self) -> None:
        if not self.f.over:
            self.app.push_screen(InjectScreen(self.f), self._inject)

    def _inject(self, choice) -> None:
        if choice is None:
            return
        kind, value, team = choice
        if kind == "scenario":
            self.f.fire_inject(value, team)
            label = next(i.label for i in self.f.scenario.injects if i.id == value)
        else:
            self.f.custom_inject(value, team)
            label = value
        self.log_lines.append(f"INJECT to {team or 'every team'}: {label}")
        self.refresh_view()

    def action_toggle_realtime(self) -> None:
        self.running = not self.running
        if self.running:
            self._timer = self.set_interval(self.realtime, self.action_advance)
        elif self._timer is not None:
            self._timer.stop()
        self.refresh_view()

    def action_advance(self) -> None:
        if self.busy or self.f.over:
            return
        self.busy = True
        self._advance()

    @work(thread=True, exclusive=True, group="engine")
    def _advance(self) -> None:
        self.f.advance()
        self.post_message(self.ClockAdvanced(self.f.turn))

    @on(ClockAdvanced)
    def _advanced(self, message: ClockAdvanced) -> None:
        self.busy = False
        self.refresh_view()
        if self.f.over:
            self.post_message(self.SessionOver())

    def action_hot_wash(self) -> None:
        if self.busy:
            return
        self.busy = True
        self._finish()

    @work(thread=True, exclusive=True, group="engine")
    def _finish(self) -> None:
        self.f.finish()
        self.post_message(self.ClockAdvanced(self.f.turn))


class HotWashScreen(Screen):
    """Every team against history and against each other, with the lessons."""

    BINDINGS = [Binding("e", "export", "Export report"), Binding("question_mark", "app.help", "Help"), Binding("q", "app.quit", "Quit")]

    def __init__(self, facilitation: Facilitation) -> None:
        super().__init__()
        self.f = facilitation

    def compose(self) -> ComposeResult:
        rows = self.f.hot_wash()
        self.rows = rows
        history = next(iter(self.f.sessions.values())).history_run()
        yield Header()
        with VerticalScroll(id="debrief"):
            yield Static(Text("Hot wash: every team on the same crowd, against history and each other", style="bold"), id="verdict")
            table = DataTable(id="hotwash-table", cursor_type="none", zebra_stripes=True)
            table.add_columns("rank", "team", "score", "history", "hostile posts", "replies to last post", "reputation Δ", "decisions")
            for r in rows:
                d = {x["metric"]: x for x in r["dimensions"]}
                table.add_row(str(r["rank"]), r["team"], f"{r['score']:.1f}", f"{r['history']:.1f}", f"{int(d['hostile_total']['you']):,}", f"{int(d['replies_to_last_brand_post']['you']):,}", f"{d['stance_change']['you']:+.3f}", r["script"])
            yield table
            for r in rows:
                s = self.f.sessions[r["team"]]
                yield Label(f"{r['team']}: hostile posts per turn against history", classes="metric-title")
                yield ComparisonChart([t["hostile"] for t in s.metrics()], [t["hostile"] for t in history.turns], "hostile posts in a turn")
            lines = []
            for r in rows:
                report = self.f.sessions[r["team"]].debrief()
                lines.append(f"## {r['team']}")
                for rev in report.reviews:
                    if rev.lessons:
                        lines.append(f"**{rev.decision}**" + (" — the sources disagree" if rev.disagreement else ""))
                        lines += [f"- {l.stance}: {l.cited} — *{l.source_title}*" for l in rev.lessons[:3]]
                lines.append("")
            yield Markdown("\n".join(lines), id="lessons")
        yield Footer()

    def action_export(self) -> None:
        self.app.export_report(next(iter(self.f.sessions.values())).game_id)
