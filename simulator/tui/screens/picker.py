"""Choose a case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList
from textual.widgets.option_list import Option

from simulator.tui.header import Header


class PickerScreen(Screen):
    """Choose a scenario."""

    BINDINGS = [Binding("enter", "choose", "Start"), Binding("q", "app.quit", "Quit")]

    @dataclass
    class ScenarioChosen(Message):
        """The player picked a scenario."""

        scenario_id: str

    def __init__(self, listings: list[Any], played: dict[str, Any] | None = None) -> None:
        """`played` is what the games database holds of each case (`Store.played_by_case`)."""
        super().__init__()
        self.listings = listings
        self.played = played or {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("Choose a case to play", id="picker-title")
        options = []
        for listing in self.listings:
            sc = listing.loaded.scenario
            text = Text()
            text.append(sc.title, style="bold")
            text.append(f"\n{sc.brand.name} · {sc.date} · {sc.campaign.hashtag}\n", style="dim")
            text.append(sc.campaign.premise)
            text.append(f"\n{_played_line(self.played.get(sc.id))}", style="italic dim")
            options.append(Option(text, id=sc.id))
        yield OptionList(*options, id="scenarios")
        yield Footer()

    def action_choose(self) -> None:
        ol = self.query_one(OptionList)
        if ol.highlighted is not None:
            self.post_message(self.ScenarioChosen(ol.get_option_at_index(ol.highlighted).id or ""))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.post_message(self.ScenarioChosen(event.option.id or ""))


def _played_line(played: Any) -> str:
    """ "Not played yet", or how often and the best finished score: "Played 3 times · best 71.2 (history 50.0)"."""
    if played is None:
        return "Not played yet"
    times = "once" if played.games == 1 else f"{played.games:,} times"
    if played.best is None:
        return f"Played {times} · none finished (`backfire history` lists them to resume)"
    history = f" (history {played.best_history:.1f})" if played.best_history is not None else ""
    return f"Played {times} · best finished score {played.best:.1f}{history}"
