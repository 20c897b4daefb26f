"""The Textual app: renders a Session and sends the player's decisions; no game logic here."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from simulator.tui.screens.loading import LoadingScreen

if TYPE_CHECKING:
    from simulator.game.facilitation import Facilitation
    from simulator.game.room import RoomReader
    from simulator.game.seat import Seat
    from simulator.game.session import Session

# The screens import the domain (numpy, pydantic): loaded in a worker after the
# first frame, so the app appears at once.


class BackfireApp(App):
    """Backfire in the terminal."""

    CSS_PATH = "backfire.tcss"
    TITLE = "Backfire"
    SUB_TITLE = "crisis-response tabletop"
    BINDINGS = [Binding("question_mark", "help", "Help"), Binding("ctrl+q", "quit", "Quit", show=False)]

    def __init__(
        self,
        session: Session | None = None,
        seed: int = 1,
        size: int | None = None,
        realtime: float | None = None,
        listings: list[Any] | None = None,
        scenario: str | None = None,
        db: str | None = None,
        facilitation: Facilitation | None = None,
        crowds: int | None = None,
        seat: Seat | None = None,
        joining: bool = False,
        board: RoomReader | None = None,
        serve_url: str | None = None,
    ) -> None:
        super().__init__()
        self.serve_url = serve_url  # where team screens are served in a browser (`facilitate --serve`)
        self.seat = seat  # a team's seat in a workshop (`backfire join`)
        self.joining = joining or seat is not None
        self.board = board  # the room's read-only board (`backfire board`)
        self.crowds = crowds  # crowds the debrief scores the same decisions on (None: the game's default)
        self.db = db
        self.facilitation = facilitation
        self.session = session
        self.scenario_name = scenario
        self.seed = seed
        self.crowd_size = size
        self.realtime = realtime
        self.listings = listings
        self.games_played = 0

    def on_mount(self) -> None:
        if os.environ.get("BACKFIRE_EXIT_ON_FIRST_FRAME"):
            # `backfire bench app`: report when the first frame is on screen, then leave.
            self.call_after_refresh(self._first_frame)
        if self.board is not None:
            from simulator.tui.screens.board import BoardScreen

            self.sub_title = f"room board · workshop {self.board.record.id} · seed {self.board.record.seed}"
            self.push_screen(BoardScreen(self.board))
            return
        if self.joining:
            if self.seat is not None:
                self._team_brief(self.seat)
            else:
                self._ask_code()
            return
        if self.facilitation is not None:
            from simulator.tui.screens.facilitate import FacilitateScreen

            self.sub_title = f"facilitating {', '.join(self.facilitation.teams)} · seed {self.facilitation.seed}"
            self.push_screen(FacilitateScreen(self.facilitation, self.realtime, self.serve_url, self.db))
            return
        if self.session is not None:
            if self.session.started:  # a resumed or branched game goes straight back to play
                from simulator.tui.screens import PlayScreen

                self.push_screen(PlayScreen(self.session, self.realtime))
            else:
                self._brief(self.session)
            return
        self.push_screen(LoadingScreen(self.scenario_name or "the cases"))
        # Start the heavy imports once the first frame is painted, not before it.
        self.call_after_refresh(self._load)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load(self) -> None:
        """Load the scenario (or list them) and import the engine, off the UI thread."""
        from simulator.errors import BackfireError
        from simulator.game.open import open_scenario
        from simulator.scenario.registry import discover
        from simulator.tui.screens import play  # noqa: F401  (imports numpy and the engine)

        try:
            if self.scenario_name:
                session = open_scenario(self.scenario_name, self.seed, self.crowd_size, db=self.db)
                self.call_from_thread(self._loaded_session, session)
            else:
                listings = self.listings if self.listings is not None else [item for item in discover() if item.loaded]
                self.call_from_thread(self._loaded_listings, listings, self._played())
        except BackfireError as exc:
            self.call_from_thread(self.exit, None, 2, f"backfire: {exc}")

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        self.report_worker(event)

    def report_worker(self, event: Worker.StateChanged) -> None:
        """The one handler for worker failures (the app's and every screen's): say what failed, keep the game open.

        The game is saved turn by turn, so nothing is lost; the traceback goes to a log file.
        """
        if event.state != WorkerState.ERROR:
            return
        from simulator.crash import raising, write_log

        error = event.worker.error
        if raising() and isinstance(error, Exception):
            self._handle_exception(error)  # tests: a path that reaches this notice fails the test
            return
        log = write_log(error, f"worker {event.worker.name}") if isinstance(error, BaseException) else None
        self.notify(
            f"{event.worker.name or 'a background task'} failed: {error}."
            + (f" Details in {log}." if log else "")
            + " Your game stays open; every finished turn is saved.",
            title="Something went wrong",
            severity="error",
            timeout=15,
        )
        hook = getattr(self.screen, "worker_failed", None)
        if callable(hook):
            hook()

    def _loaded_session(self, session: Session) -> None:
        self.pop_screen()
        self._brief(session)

    def _played(self) -> dict[str, Any]:
        """What this games database holds of each case (none when it is missing or unreadable: the picker opens)."""
        from simulator.store import Store, StoreError

        try:
            store = Store(self.db, create=False)
        except StoreError:
            return {}
        try:
            return store.played_by_case()
        except StoreError:
            return {}
        finally:
            store.close()

    def _loaded_listings(self, listings: list[Any], played: dict[str, Any] | None = None) -> None:
        from simulator.tui.screens import PickerScreen

        self.pop_screen()
        self.push_screen(PickerScreen(listings, played or {}))

    def _first_frame(self) -> None:
        print(json.dumps({"first-frame": time.time()}), file=sys.__stdout__, flush=True)
        self.exit()

    def _brief(self, session: Session) -> None:
        from simulator.tui.screens import BriefingScreen

        self.session = session
        self.sub_title = f"{session.scenario.campaign.hashtag} · seed {session.seed}"
        self.push_screen(BriefingScreen(session))

    def _ask_code(self) -> None:
        from simulator.game.seat import Seat
        from simulator.store import Store
        from simulator.tui.screens.team import CodeScreen

        def opened(seat: Seat | None) -> None:
            if seat is not None:
                self._team_brief(seat)

        def open_seat(code: str) -> Seat:
            from simulator.errors import BackfireError

            seat = Seat(Store(self.db, create=False), code)
            if seat.state == "over":
                raise BackfireError(
                    f"{seat.code} is a code of workshop {seat.workshop_id}, which is over: "
                    "ask the facilitator for this session's code"
                )
            return seat

        self.push_screen(CodeScreen(open_seat), opened)

    def _team_brief(self, seat: Seat) -> None:
        from simulator.tui.screens.briefing import TeamBriefingScreen

        self.seat = seat
        self.sub_title = f"{seat.team} · {seat.scenario.campaign.hashtag} · seed {seat.seed}"
        self.push_screen(TeamBriefingScreen(seat))

    def on_picker_screen_scenario_chosen(self, message: Any) -> None:
        from simulator.game.open import open_scenario

        self._brief(open_scenario(message.scenario_id, self.seed, self.crowd_size, db=self.db))

    def on_briefing_screen_clock_started(self) -> None:
        from simulator.tui.screens import PlayScreen

        if self.seat is not None:  # a team's screen: the facilitator's clock starts the game
            from simulator.tui.screens.team import TeamScreen

            self.switch_screen(TeamScreen(self.seat))
            return

        self.switch_screen(PlayScreen(self.session, self.realtime))

    def on_play_screen_game_over(self) -> None:
        from simulator.tui.screens import DebriefScreen

        self.games_played += 1
        self.switch_screen(DebriefScreen(self.session, self.crowds))

    def on_debrief_screen_replay_requested(self, message: Any) -> None:
        from simulator.tui.screens import BriefingScreen

        assert self.session is not None, "a debrief always follows a game"
        session = self.session.replay(new_crowd=message.new_crowd)
        self.session = session
        self.sub_title = f"{session.scenario.campaign.hashtag} · seed {session.seed}"
        self.switch_screen(BriefingScreen(session))

    def on_facilitate_screen_session_over(self) -> None:
        from simulator.tui.screens.hot_wash import HotWashScreen

        assert self.facilitation is not None, "only a facilitated session has a hot wash"
        self.switch_screen(HotWashScreen(self.facilitation))

    def export_report(self, game_id: int | None, fmt: str = "html") -> str | None:
        """Write the after-action report of a saved game (and its teams) to the current folder."""
        from pathlib import Path

        from simulator.errors import BackfireError
        from simulator.report import build_report, render
        from simulator.store import Store

        if game_id is None:
            self.notify("This game was not saved, so there is no report.", severity="warning")
            return None
        path = Path.cwd() / f"backfire-report-{game_id}.{fmt}"
        try:
            path.write_text(render(build_report(Store(self.db), game_id), fmt), encoding="utf-8")
        except (OSError, BackfireError) as exc:
            self.notify(f"The report was not written: {exc}", title="Export", severity="error", timeout=15)
            return None
        self.notify(f"Report written to {path}", title="Export")
        return str(path)

    def action_help(self) -> None:
        from simulator.tui.screens import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from simulator.tui.screens import BriefingScreen, DebriefScreen, PlayScreen

        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "Keys and how the game works", self.action_help)
        if isinstance(screen, PlayScreen):
            yield SystemCommand(
                f"Wait {screen.session.scenario.clock.turn_words}",
                "Post nothing; the clock moves on",
                lambda: screen.action_decide("wait"),
            )
            yield SystemCommand(
                "Answer the highlighted post", "Pick a tone; see what it posts", lambda: screen.action_decide("answer")
            )
            yield SystemCommand("Pause", "Go quiet for a while", lambda: screen.action_decide("pause"))
            yield SystemCommand(
                screen.session.scenario.actions.cancel_move, "Pick a message", lambda: screen.action_decide("cancel")
            )
            yield SystemCommand(
                "Every post" if screen.replies_only else "Replies to you",
                "The whole feed" if screen.replies_only else "Only your posts and what the crowd says back to them",
                screen.action_toggle_replies,
            )
            yield SystemCommand("Wait out the remaining turns", "Go to the debrief", screen.action_fast_forward)
        if isinstance(screen, BriefingScreen):
            yield SystemCommand("Start the clock", "The opening post goes out", screen.action_start)
        if isinstance(screen, DebriefScreen):
            yield SystemCommand(
                "Play again on the same crowd", "Same seed, new decisions", lambda: screen.action_replay(False)
            )
            yield SystemCommand("Play again on a new crowd", "Next seed", lambda: screen.action_replay(True))


def make_app(
    scenario: str | None = None,
    seed: int = 1,
    size: int | None = None,
    realtime: float | None = None,
    db: str | None = None,
    session: Session | None = None,
    facilitation: Facilitation | None = None,
    crowds: int | None = None,
    seat: Seat | None = None,
    joining: bool = False,
    board: RoomReader | None = None,
    serve_url: str | None = None,
) -> BackfireApp:
    """Build the app (used by `backfire play`, `resume`, `replay --branch` and the tests).

    A scenario name goes straight to its briefing, loaded after the first frame in
    a worker; a started session (resumed or branched) goes straight back to play.
    Every game is saved as it goes in the games database (`db`, $BACKFIRE_DB or the data folder).
    """
    return BackfireApp(
        session=session,
        seed=seed,
        size=size,
        realtime=realtime,
        scenario=scenario,
        db=db,
        facilitation=facilitation,
        crowds=crowds,
        seat=seat,
        joining=joining,
        board=board,
        serve_url=serve_url,
    )
