"""The live game: feed, metrics, clock and moves; each turn computes in a worker."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Footer, Static

from simulator.engine import Decision
from simulator.engine.feed import fresh_turns, threads
from simulator.errors import BackfireError
from simulator.game.session import Session
from simulator.game.view import GameView
from simulator.scenario.schema import Scenario
from simulator.tui.screens.base import WorkingScreen
from simulator.tui.screens.decision import DecisionScreen
from simulator.tui.widgets import ClockBar, FeedView, Header, MetricsPanel

# The move keys of every game screen (solo play and a team's seat); each screen adds its own.
MOVE_BINDINGS = [
    Binding("w", "decide('wait')", "Wait a turn"),
    Binding("space", "decide('wait')", "Wait", show=False),
    Binding("a", "decide('answer')", "Answer"),
    Binding("p", "decide('pause')", "Pause"),
    Binding("c", "decide('cancel')", "Cancel"),
]
# The feed's view: every post, or only your posts and the replies to them.
FEED_BINDINGS = [Binding("r", "toggle_replies", "Replies to you")]
REPLIES_SHOWN = 40  # posts a feed shows: the newest


def cancel_verb(scenario: Scenario) -> str:
    """The verb of the case's name for cancelling, for a key's label: "Delete the post" → "Delete"."""
    words = scenario.actions.cancel_move.split()
    verb = list(itertools.takewhile(lambda w: w.lower() not in {"the", "a", "an", "our", "this", "its", "it"}, words))
    return " ".join(verb[:2]) or "Cancel"


class GameScreen(WorkingScreen):
    """Feed, metrics and clock of a game, and the move keys: shared by solo play and a team's seat."""

    @dataclass
    class DecisionChosen(Message):
        """The player chose a move for this turn."""

        decision: Decision

    def __init__(self, session: GameView) -> None:
        super().__init__()
        self.session = session
        # The footer names cancelling as the case does: "c Delete" in #WhyIStayed, "c Call off" in #AskBG.
        self._bindings.key_to_bindings["c"] = [Binding("c", "decide('cancel')", cancel_verb(session.scenario))]
        self.busy = False
        self._tones = {k.id: k.tone for k in session.scenario.kinds}
        self._labels = session.segment_labels
        self._start: dict[str, float] = {}
        self.replies_only = False  # the feed shows only your posts and the replies to them (`r`)

    def compose(self) -> ComposeResult:
        yield Header()
        yield ClockBar(id="clock")
        with Horizontal(id="play"):
            yield FeedView(self._tones, id="feed")
            yield MetricsPanel(id="metrics")
        yield Static(id="status")
        yield Footer()

    def status_text(self) -> str:
        """The campaign's state for the clock bar."""
        if self.session.cancelled:
            return "CANCELLED"
        if self.session.paused_until > self.session.turn:
            return f"PAUSED until turn {self.session.paused_until + 1}"
        return "LIVE"

    def hint(self) -> str:
        """The status line under the feed."""
        s = self.session
        if self.busy:
            return "Computing the turn…"
        if self.replies_only:
            return "Your posts and the crowd's replies to them · r shows every post again"
        if self.just_posted():
            return f"The crowd is answering your post: r shows the replies · w waits {s.scenario.clock.turn_words}"
        return f"Highlight a post with ↑/↓, then a to answer it · w waits {s.scenario.clock.turn_words}"

    def just_posted(self) -> bool:
        """True for the hour after a move that posted (the feed shows its replies then: `Feed._sample_parts`)."""
        recent = self.session.metrics()[-fresh_turns(self.session.scenario.clock.turn_minutes) :]
        return any(t.get("decision", "wait") != "wait" and t.get("brand_post") for t in recent)

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")  # the feed takes more of a narrow screen
        # Under 120 columns the footer keeps the moves; `r` stays in the help and the palette.
        self._bindings.key_to_bindings["r"] = [
            Binding("r", "toggle_replies", "Replies to you", show=self.size.width >= 120)
        ]
        self.refresh_bindings()
        self.query_one(FeedView).set_compact(self.size.height < 30)
        self.refresh_view()  # labels take the width the panel now has

    def refresh_view(self) -> None:
        """Render the game's state."""
        s = self.session
        self.query_one(ClockBar).set_clock(
            s.clock_text(), s.scenario.campaign.hashtag, self.status_text(), min(s.turn, s.turns - 1), s.turns
        )
        if self.replies_only:  # among the newest posts, yours and what was said back to them
            items = threads(s.feed(10 * REPLIES_SHOWN))
            self.query_one(FeedView).set_items(items[:REPLIES_SHOWN])
        else:
            self.query_one(FeedView).set_items(s.feed(REPLIES_SHOWN))
        self.query_one(MetricsPanel).set_metrics(
            s.metrics(), self._labels, self._start, s.scenario.clock.turn_words, self.before_first_turn(), s.turns
        )
        self.query_one("#status", Static).update(self.hint())

    def action_toggle_replies(self) -> None:
        """Show only your posts and the replies to them, or every post again."""
        self.replies_only = not self.replies_only
        self.refresh_view()

    def before_first_turn(self) -> str | None:
        """What the metrics panel says before the first turn (None: the solo game's hint)."""
        return None

    def can_decide(self) -> bool:
        """True when a move may be chosen now."""
        return not (self.busy or self.session.over)

    def action_decide(self, move: str) -> None:
        if not self.can_decide():
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


class PlayScreen(GameScreen):
    """The live game: feed, metrics, clock, moves."""

    BINDINGS = [
        *MOVE_BINDINGS,
        *FEED_BINDINGS,
        Binding("f", "fast_forward", "To the end"),
        Binding("question_mark", "app.help", "Help"),
        Binding("q", "quit_game", "Quit"),
    ]

    @dataclass
    class TurnAdvanced(Message):
        """A turn finished computing."""

        turn: int
        metrics: dict[str, Any]

    class GameOver(Message):
        """The last turn was played."""

    session: Session

    def __init__(self, session: Session, realtime: float | None = None) -> None:
        super().__init__(session)
        self.realtime = realtime
        self._save_warned = False

    def on_mount(self) -> None:
        self.session.start()
        self._start = self.session.start_stance_by_segment
        self.refresh_view()
        self.query_one(FeedView).focus()
        if self.session.version_note:
            self.notify(self.session.version_note, title="The case file has changed", timeout=15)
        if self.realtime:
            self.set_interval(self.realtime, self._tick)

    def _tick(self) -> None:
        # Realtime: an untaken decision is `wait`.
        if not self.busy and not self.session.over and self.app.screen is self:
            self.post_message(self.DecisionChosen(Decision("wait")))

    @on(GameScreen.DecisionChosen)
    def _play(self, message: GameScreen.DecisionChosen) -> None:
        if self.busy:
            return
        self.busy = True
        self.query_one("#status", Static).update("Computing the turn…")
        self.advance(message.decision)

    @work(thread=True, exclusive=True, group="engine", exit_on_error=False)
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
        if self.session.save_problem and not self._save_warned:
            self._save_warned = True
            self.notify(self.session.save_problem, title="Not saved", severity="warning", timeout=30)
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

    @work(thread=True, exclusive=True, group="engine", exit_on_error=False)
    def finish(self) -> None:
        """Wait out the remaining turns, saying how far it has got (a big crowd takes seconds)."""
        first, last = self.session.turn, self.session.turns
        while not self.session.over:
            done = self.session.turn - first
            self.app.call_from_thread(
                self.query_one("#status", Static).update,
                f"Playing to the end: turn {self.session.turn + 1} of {last} ({done / max(last - first, 1):.0%})…",
            )
            try:
                self.session.play(Decision("wait"))
            except BackfireError as exc:  # e.g. a scenario whose rates stop the run: say so, and stay on the turn
                self.app.call_from_thread(self.notify, str(exc), severity="error")
                self.app.call_from_thread(self._unbusy)
                return
        self.post_message(self.TurnAdvanced(self.session.turn - 1, self.session.latest() or {}))

    def action_quit_game(self) -> None:
        """Ask first; on leaving, say where the game is saved and how to continue it."""
        from simulator.tui.screens.confirm import ConfirmScreen

        if self.session.over:
            self.app.exit(message=self.session.saved_note)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.exit(message=self.session.saved_note)

        self.app.push_screen(
            ConfirmScreen("Quit the game?", self.session.saved_note, yes="Quit", no="Keep playing"), answered
        )

    def worker_failed(self) -> None:
        """A turn's worker failed (the app has said so): take decisions again."""
        self.busy = False
        self.refresh_view()
