"""A team's own screen in a workshop: its feed, charts and clock, read from the store; its moves sent to the facilitator."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from simulator.errors import BackfireError
from simulator.game.seat import Seat
from simulator.tui.screens.play import FEED_BINDINGS, MOVE_BINDINGS, GameScreen
from simulator.tui.widgets import FeedView

POLL_SECONDS = 0.5  # how often a team's screen reads the session from the store
HEARTBEAT_SECONDS = 5.0  # how often it tells the store it is open (the board shows who is connected)


class TeamScreen(GameScreen):
    """A team's feed, charts and clock; its move for the open turn goes to the facilitator, whose clock plays it."""

    BINDINGS = [
        *MOVE_BINDINGS,
        *FEED_BINDINGS,
        Binding("question_mark", "app.help", "Help"),
        Binding("q", "quit_game", "Leave"),
    ]

    session: Seat

    def __init__(self, seat: Seat) -> None:
        super().__init__(seat)
        self._turns_seen = len(seat.metrics())
        self._over_said = False
        self._problem: str | None = None

    def on_mount(self) -> None:
        self._start = self.session.start_stance_by_segment
        self.refresh_view()
        self.query_one(FeedView).focus()
        self.set_interval(POLL_SECONDS, self.poll)
        self.set_interval(HEARTBEAT_SECONDS, self.heartbeat)

    def heartbeat(self) -> None:
        """Tell the store this team's screen is open."""
        with suppress(BackfireError):  # the next poll says what is wrong
            self.session.store.seen(self.session.code)

    def poll(self) -> None:
        """Read the session from the store; redraw when it changed, else just the countdown."""
        try:
            changed = self.session.refresh()
        except BackfireError as exc:  # the database is busy or gone: say so once, keep the screen
            if str(exc) != self._problem:
                self._problem = str(exc)
                self.notify(str(exc), title="Cannot read the session", severity="error", timeout=15)
            return
        self._problem = None
        if not changed:
            self.query_one("#status", Static).update(self.hint())
            return
        metrics = self.session.metrics()
        for m in metrics[self._turns_seen :]:
            for inject in m.get("injects", []):
                label = next((i.label for i in self.session.scenario.injects if i.id == inject), inject)
                self.notify(label, title="Event", timeout=6)
        self._turns_seen = len(metrics)
        if not self._start:
            self._start = self.session.start_stance_by_segment
        self.refresh_view()
        if self.session.over and not self._over_said:
            self._over_said = True
            self.notify("The session is over: the hot wash is on the facilitator's screen.", title="Over", timeout=30)

    def status_text(self) -> str:
        state = self.session.state
        if state == "briefing":
            return "WAITING FOR THE CLOCK"
        if state == "away":
            return "FACILITATOR AWAY"
        if self.session.over:
            return "OVER"
        return super().status_text()

    def hint(self) -> str:
        seat = self.session
        if seat.state == "briefing":
            return f"{seat.team}: the facilitator starts the clock soon; your opening goes out then."
        if seat.state == "away":
            return f"{seat.team}: the facilitator has left the session; it resumes where it stopped (nothing is lost)."
        if seat.over:
            game = f" (backfire report {seat.game_id})" if seat.game_id is not None else ""
            return f"{seat.team}: the session is over. The hot wash and the report{game} are the facilitator's."
        left = seat.seconds_left
        clock = f" · {int(left)} s left" if left is not None else ""
        pending = seat.pending
        if pending is not None:
            by = "set by the facilitator" if seat.pending_by == "facilitator" else "sent"
            return f"{seat.team} · your move for {seat.clock_text()}: {pending} ({by}); change it until the clock moves{clock}"
        if self.replies_only:
            return f"{seat.team} · your posts and the crowd's replies to them · r shows every post again{clock}"
        if self.just_posted():
            return f"{seat.team} · the crowd is answering your post: r shows the replies · w waits{clock}"
        return f"{seat.team} · deciding: highlight a post, a answers it · w waits · p pauses · c cancels{clock}"

    def before_first_turn(self) -> str | None:
        if self.session.state == "briefing":
            return "The clock has not started: your opening goes out when the facilitator starts it."
        return "No turns played yet: choose your move; the facilitator's clock plays it."

    def can_decide(self) -> bool:
        seat = self.session
        if seat.state == "briefing":
            self.notify("The facilitator has not started the clock yet.", severity="warning")
            return False
        if seat.state == "away":
            self.notify("The facilitator has left; moves wait until the session resumes.", severity="warning")
            return False
        return not seat.over

    @on(GameScreen.DecisionChosen)
    def _send(self, message: GameScreen.DecisionChosen) -> None:
        try:
            self.session.submit(message.decision)
        except BackfireError as exc:
            self.notify(str(exc), severity="error", timeout=10)
        else:
            self.notify(f"Sent: {message.decision}. The facilitator's clock plays it.", title=self.session.team)
        self.refresh_view()

    def action_quit_game(self) -> None:
        """Ask first; a team can leave and rejoin with its code at any time."""
        from simulator.tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.exit(message=self.session.saved_note)

        self.app.push_screen(
            ConfirmScreen("Leave your team's screen?", self.session.saved_note, yes="Leave", no="Stay"), answered
        )


class CodeScreen(ModalScreen[Seat | None]):
    """Ask for a team's join code (a served team screen starts here)."""

    BINDINGS = [Binding("escape", "app.quit", "Quit")]

    def __init__(self, open_seat: Callable[[str], Seat], problem: str | None = None) -> None:
        super().__init__()
        self.open_seat = open_seat
        self.problem = problem

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Join your team", id="dialog-title")
            yield Static("Type the join code from the facilitator's board (e.g. RED-4821), then Enter.")
            yield Input(placeholder="RED-4821", id="code", max_length=20)
            yield Static(self.problem or "", id="code-problem")

    @on(Input.Submitted, "#code")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            seat = self.open_seat(event.value)
        except BackfireError as exc:
            self.query_one("#code-problem", Static).update(f"[red]{exc}[/red]")
            return
        self.dismiss(seat)
