"""The Textual app: renders a Session and sends the player's decisions; no game logic here."""

from __future__ import annotations

from collections.abc import Iterable

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from simulator.scenario import resolve
from simulator.scenario.registry import discover
from simulator.session import Session
from simulator.tui.screens import BriefingScreen, DebriefScreen, HelpScreen, PickerScreen, PlayScreen


class BackfireApp(App):
    """Backfire in the terminal."""

    CSS_PATH = "backfire.tcss"
    TITLE = "Backfire"
    SUB_TITLE = "crisis-response tabletop"
    BINDINGS = [Binding("question_mark", "help", "Help"), Binding("ctrl+q", "quit", "Quit", show=False)]

    def __init__(self, session: Session | None = None, seed: int = 1, size: int | None = None, realtime: float | None = None, listings: list | None = None) -> None:
        super().__init__()
        self.session = session
        self.seed = seed
        self.crowd_size = size
        self.realtime = realtime
        self.listings = listings
        self.games_played = 0

    def on_mount(self) -> None:
        if self.session is None:
            self.push_screen(PickerScreen(self.listings if self.listings is not None else [l for l in discover() if l.loaded]))
        else:
            self._brief(self.session)

    def _brief(self, session: Session) -> None:
        self.session = session
        self.sub_title = f"{session.scenario.campaign.hashtag} · seed {session.seed}"
        self.push_screen(BriefingScreen(session))

    @on(PickerScreen.ScenarioChosen)
    def _picked(self, message: PickerScreen.ScenarioChosen) -> None:
        self._brief(Session(resolve(message.scenario_id).scenario, self.seed, self.crowd_size))

    @on(BriefingScreen.ClockStarted)
    def _start(self) -> None:
        self.switch_screen(PlayScreen(self.session, self.realtime))

    @on(PlayScreen.GameOver)
    def _over(self) -> None:
        self.games_played += 1
        self.switch_screen(DebriefScreen(self.session))

    @on(DebriefScreen.ReplayRequested)
    def _replay(self, message: DebriefScreen.ReplayRequested) -> None:
        session = self.session.replay(new_crowd=message.new_crowd)
        self.session = session
        self.sub_title = f"{session.scenario.campaign.hashtag} · seed {session.seed}"
        self.switch_screen(BriefingScreen(session))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "Keys and how the game works", self.action_help)
        if isinstance(screen, PlayScreen):
            yield SystemCommand("Wait 15 minutes", "Post nothing; the clock moves on", lambda: screen.action_decide("wait"))
            yield SystemCommand("Answer the highlighted post", "Pick a tone; see what it posts", lambda: screen.action_decide("answer"))
            yield SystemCommand("Pause", "Go quiet for a while", lambda: screen.action_decide("pause"))
            yield SystemCommand("Cancel the campaign", "Pick a message", lambda: screen.action_decide("cancel"))
            yield SystemCommand("Wait out the remaining turns", "Go to the debrief", screen.action_fast_forward)
        if isinstance(screen, BriefingScreen):
            yield SystemCommand("Start the clock", "The opening post goes out", screen.action_start)
        if isinstance(screen, DebriefScreen):
            yield SystemCommand("Play again on the same crowd", "Same seed, new decisions", lambda: screen.action_replay(False))
            yield SystemCommand("Play again on a new crowd", "Next seed", lambda: screen.action_replay(True))


def make_app(scenario: str | None = None, seed: int = 1, size: int | None = None, realtime: float | None = None) -> BackfireApp:
    """Build the app (used by `backfire play` and by the tests): a scenario goes straight to its briefing."""
    session = Session(resolve(scenario).scenario, seed, size) if scenario else None
    return BackfireApp(session=session, seed=seed, size=size, realtime=realtime)
