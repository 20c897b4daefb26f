"""The facilitator's inject dialog: a scenario event now, or one written on the spot."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from simulator.game.facilitation import Facilitation


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
            yield Label(
                "…or write your own (a reporter's call, a leaked memo) and press Enter:", classes="metric-title"
            )
            yield Input(placeholder="e.g. Reuters calls: is the Q&A still on?", id="inject-text")

    def _team(self) -> str | None:
        ol = self.query_one("#inject-team", OptionList)
        chosen = ol.get_option_at_index(ol.highlighted).id if ol.highlighted is not None else "*"
        return None if chosen == "*" else chosen

    def on_mount(self) -> None:
        self.query_one("#inject-team", OptionList).highlighted = 0

    @on(OptionList.OptionSelected, "#inject-scenario")
    def _scenario(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(("scenario", event.option.id or "", self._team()))

    @on(Input.Submitted)
    def _custom(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(("custom", event.value.strip(), self._team()))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
