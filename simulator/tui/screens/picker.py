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
from textual.widgets import Footer, Header, Label, OptionList
from textual.widgets.option_list import Option


class PickerScreen(Screen):
    """Choose a scenario."""

    BINDINGS = [Binding("enter", "choose", "Start"), Binding("q", "app.quit", "Quit")]

    @dataclass
    class ScenarioChosen(Message):
        """The player picked a scenario."""

        scenario_id: str

    def __init__(self, listings: list[Any]) -> None:
        super().__init__()
        self.listings = listings

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
