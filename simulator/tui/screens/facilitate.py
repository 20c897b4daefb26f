"""The facilitator's console: every team on one crowd, decisions per team, a shared clock, injects."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from simulator.engine import Decision
from simulator.errors import BackfireError
from simulator.formatting import fmt_signed
from simulator.game.facilitation import Facilitation
from simulator.tui.screens.base import WorkingScreen
from simulator.tui.screens.decision import DecisionScreen
from simulator.tui.screens.inject import InjectScreen
from simulator.tui.widgets import Header


class FacilitateScreen(WorkingScreen):
    """Teams, their decisions for this turn, the side-by-side board, the clock."""

    BINDINGS = [
        Binding("space", "advance", "Start / advance clock"),
        Binding("o", "opening", "Opening"),
        Binding("t", "next_team", "Next team"),
        Binding("w", "decide('wait')", "Wait"),
        Binding("a", "decide('answer')", "Answer"),
        Binding("p", "decide('pause')", "Pause"),
        Binding("c", "decide('cancel')", "Cancel"),
        Binding("i", "inject", "Inject"),
        Binding("n", "note", "Note"),
        Binding("r", "toggle_realtime", "Realtime"),
        Binding("g", "toggle_all_decided", "Go when all decided"),
        Binding("h", "hot_wash", "Hot wash"),
        Binding("question_mark", "app.help", "Help"),
        Binding("q", "quit_session", "Quit"),
    ]

    @dataclass
    class ClockAdvanced(Message):
        """Every team's turn was played."""

        turn: int

    class SessionOver(Message):
        """The last turn was played for every team."""

    def __init__(
        self,
        facilitation: Facilitation,
        realtime: float | None = None,
        serve_url: str | None = None,
        db: str | None = None,
    ) -> None:
        super().__init__()
        self.f = facilitation
        self.serve_url = serve_url
        self.db = db
        self.team_index = 0
        self.busy = False
        self.realtime = realtime or 20.0
        self.running = False
        self._timer: Any = None
        self.log_lines: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="fac-clock")
        yield Static(id="fac-join")
        yield DataTable(id="board", cursor_type="row", zebra_stripes=True)
        yield Static(id="fac-team")
        yield Static(id="fac-log")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#board", DataTable)
        table.add_columns(
            "team",
            "join code",
            "move this turn",
            "posts",
            "hostile so far",
            "% negative",
            "replies to last post",
            "reputation Δ",
            "state",
        )
        self.busy = True
        self.query_one("#fac-log", Static).update("Building the crowd every team will face…")
        self._prepare()
        if self.f.store is not None:
            self.set_interval(0.5, self.poll)

    def poll(self) -> None:
        """Read the teams' moves from their screens; in all-decided mode, advance once every team has one."""
        if self.busy:
            return
        try:
            changes = self.f.sync()
        except BackfireError as exc:
            self.notify(str(exc), title="Cannot read the teams' moves", severity="error")
            return
        if changes:
            self.log_lines.extend(changes)
            self.refresh_view()
        if self.f.clock == "all-decided" and self.f.started and not self.f.over and self.f.all_decided:
            self.log_lines.append("Every team has decided: the clock advances.")
            self.action_advance()

    @work(thread=True, exclusive=True, group="engine", exit_on_error=False)
    def _prepare(self) -> None:
        self.f.build_crowd()
        self.post_message(self.ClockAdvanced(self.f.turn))

    @work(thread=True, exclusive=True, group="engine", exit_on_error=False)
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
        if not self.f.started:
            state = "NOT STARTED: teams choose openings on their screens (or o here) · space starts the clock"
        elif self.f.over:
            state = "OVER"
        elif self.running:
            left = f", next in {max(0, int(self.f.deadline - time.time()))}s" if self.f.deadline else ""
            state = f"RUNNING (realtime every {self.realtime:g}s{left})"
        elif self.f.clock == "all-decided":
            state = "ADVANCES WHEN ALL HAVE DECIDED (g stops it, space advances now)"
        else:
            state = "PAUSED (space advances)"
        self.query_one("#fac-clock", Static).update(
            Text.assemble(
                (f" {self.f.scenario.campaign.hashtag} ", "bold reverse"),
                f"  {s.clock_text()}  turn {min(self.f.turn + 1, s.turns)}/{s.turns}  ",
                (state, "bold"),
            )
        )
        if self.f.codes:
            db = f" --db {self.db}" if self.db else ""
            where = f" · or open {self.serve_url} and type the code" if self.serve_url else ""
            self.query_one("#fac-join", Static).update(
                Text.assemble(("Teams join: ", "bold"), f"backfire join CODE{db}{where}")
            )
        table = self.query_one("#board", DataTable)
        table.clear()
        for row in self.f.board():
            marker = "▶ " if row.team == self.team else "  "
            if not self.f.started:
                move = row.pending
            elif row.decided is None:
                move = "deciding…" if self.f.codes else row.pending
            else:
                move = row.pending + (" (you)" if row.decided == "facilitator" else "")
            table.add_row(
                marker + row.team,
                row.code or "—",
                _short(move),
                f"{row.volume:,}",
                f"{row.hostile_total:,}",
                f"{row.share_negative:.0%}",
                f"{row.replies_to_latest:,}",
                fmt_signed(row.stance_change, 3),
                "CANCELLED" if row.cancelled else "live",
            )
        keys = (
            " — o opening · t next team · space starts the clock (every opening goes out)"
            if not self.f.started
            else " — w wait · a answer · p pause · c cancel · t next team · i inject · n note · space advance · h hot wash"
        )
        self.query_one("#fac-team", Static).update(
            Text.assemble(
                "Entering decisions for " if self.f.started else "Choosing the opening for ", (self.team, "bold"), keys
            )
        )
        self.query_one("#fac-log", Static).update("\n".join(self.log_lines[-6:]))

    def action_next_team(self) -> None:
        self.team_index = (self.team_index + 1) % len(self.f.teams)
        self.refresh_view()

    def action_opening(self) -> None:
        """Choose the highlighted team's opening (an option or the team's own words) before the clock starts."""
        if self.busy:
            return
        if self.f.started:
            self.notify("The clock has started: the openings are posted.", severity="warning")
            return
        self.app.push_screen(DecisionScreen(self.f.sessions[self.team], "open"), self._opened)

    def _opened(self, decision: Decision | None) -> None:
        if decision is None:
            return
        team = self.team
        try:
            self.f.choose_opening(team, decision.option or "", decision.text)
        except BackfireError as exc:
            self.notify(str(exc), severity="error")
            return
        self.log_lines.append(f"{team} opens with {self.f.opening_of(team)}")
        self.refresh_view()

    def action_decide(self, move: str) -> None:
        if self.busy or self.f.over:
            return
        if not self.f.started:
            self.notify("Start the clock first (space); before it, o sets each team's opening.", severity="warning")
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
        if not self.f.started:
            self.notify("Start the clock first (space).", severity="warning")
            return
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

    def action_note(self) -> None:
        """An evaluator's note on a team at this turn (for the hot wash and the report)."""
        from simulator.tui.screens.note import NoteScreen

        if not self.f.started:
            self.notify("Start the clock first (space).", severity="warning")
            return
        s = next(iter(self.f.sessions.values()))
        self.app.push_screen(NoteScreen(self.f.teams, self.team, s.clock_text()), self._note)

    def _note(self, choice: tuple[str, str] | None) -> None:
        if choice is None:
            return
        team, text = choice
        try:
            self.f.add_note(team, text)
        except BackfireError as exc:
            self.notify(str(exc), severity="error")
            return
        self.log_lines.append(f"NOTE on {team}: {text}")
        self.refresh_view()

    def action_toggle_realtime(self) -> None:
        self.running = not self.running
        if self.running:
            self._timer = self.set_interval(self.realtime, self.action_advance)
            self.f.set_clock("realtime", self.realtime)  # team screens count down to the next turn
        else:
            if self._timer is not None:
                self._timer.stop()
            self.f.set_clock("manual")
        self.refresh_view()

    def action_toggle_all_decided(self) -> None:
        """Advance as soon as every team has a move for this turn (or stop doing so)."""
        if self.running and self._timer is not None:
            self._timer.stop()
            self.running = False
        self.f.set_clock("manual" if self.f.clock == "all-decided" else "all-decided")
        self.refresh_view()

    def action_advance(self) -> None:
        if self.busy or self.f.over:
            return
        self.busy = True
        if not self.f.started:
            self.log_lines.append("Clock started: every team's opening is posted.")
            self._start()
        else:
            self._advance()

    @work(thread=True, exclusive=True, group="engine", exit_on_error=False)
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
        """Ask first: the hot wash plays every team's remaining turns as waits."""
        from simulator.tui.screens.confirm import ConfirmScreen

        if self.busy:
            return
        if not self.f.started:
            self.notify("Start the clock first (space).", severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if yes and not self.busy:
                self.busy = True
                self._finish()

        left = self.f.sessions[self.f.teams[0]].turns - self.f.turn
        self.app.push_screen(
            ConfirmScreen(
                "Go to the hot wash?",
                f"Every team waits out its {left} remaining turns, then the hot wash opens. This cannot be undone.",
                yes="Hot wash",
                no="Keep playing",
            ),
            answered,
        )

    def worker_failed(self) -> None:
        """A worker failed (the app has said so): the facilitator can act again."""
        self.busy = False

    def action_quit_session(self) -> None:
        """Ask first; on leaving, say where each team's game is saved."""
        from simulator.tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.exit(message=self.f.saved_note)

        self.app.push_screen(
            ConfirmScreen("Quit the session?", self.f.saved_note, yes="Quit", no="Keep going"), answered
        )

    @work(thread=True, exclusive=True, group="engine", exit_on_error=False)
    def _finish(self) -> None:
        self.f.finish()
        self.post_message(self.ClockAdvanced(self.f.turn))


MOVE_WIDTH = 24  # the board's "move this turn": a written post is cut (the log and the hot wash have it whole)


def _short(move: str) -> str:
    """A move as the board shows it: at most MOVE_WIDTH characters (a table's columns never narrow again)."""
    return move if len(move) <= MOVE_WIDTH else move[: MOVE_WIDTH - 1].rstrip() + "…"
