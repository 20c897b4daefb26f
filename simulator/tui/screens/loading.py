"""The loading screen: painted first, while the scenario loads and the engine imports in a worker."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Footer, Label, LoadingIndicator

from simulator.tui.header import Header


class LoadingScreen(Screen):
    """Shown while the scenario loads and the engine's libraries import."""

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        yield Header()
        with Middle():
            with Center():
                yield Label(f"Loading {self.what}…", id="loading-label")
            yield LoadingIndicator()
        yield Footer()
