"""The decision dialog: pick an option under a move and see exactly what it will post."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from simulator.engine import Decision
from simulator.game.session import Session


class DecisionScreen(ModalScreen[Decision | None]):
    """Pick an option under a move; shows what it will post."""

    BINDINGS = [Binding("escape", "dismiss_none", "Back"), Binding("enter", "confirm", "Post it")]

    def __init__(
        self,
        session: Session,
        move: str,
        question: str | None = None,
        target: str | None = None,
        choose_kind: bool = False,
    ) -> None:
        super().__init__()
        self.session, self.move, self.question, self.target = session, move, question, target
        # With no post to answer (the facilitator's console), the player picks which posts to answer.
        self.choose_kind = choose_kind and move == "answer"

    def compose(self) -> ComposeResult:
        titles = {
            "answer": "Answer — pick a tone",
            "pause": "Pause — how long?",
            "cancel": "Cancel the campaign — with which message?",
        }
        with Vertical(id="dialog"):
            yield Label(titles[self.move], id="dialog-title")
            if self.question:
                yield Static(Text.assemble(("Answering: ", "bold"), self.question), id="dialog-question")
            if self.choose_kind:
                yield Label("Which posts? (Tab moves to the tone)", classes="metric-title")
                kinds = sorted(self.session.scenario.kinds, key=lambda k: k.tone == "supportive")
                yield OptionList(*[Option(k.label, id=k.id) for k in kinds], id="dialog-kinds")
            yield OptionList(
                *[
                    Option(Text.assemble((o.label, "bold"), ("  (real wording)" if o.real else "", "yellow")), id=o.id)
                    for o in self.session.options(self.move)
                ],
                id="dialog-options",
            )
            yield Label("What it will post:", classes="metric-title")
            yield Static(id="preview")
            yield Label("Enter posts it · Esc goes back", id="dialog-hint")

    def on_mount(self) -> None:
        ol = self.query_one("#dialog-options", OptionList)
        ol.highlighted = 0
        if self.choose_kind:
            kinds = self.query_one("#dialog-kinds", OptionList)
            kinds.highlighted = 0
            self.target = kinds.get_option_at_index(0).id
            kinds.focus()
        else:
            ol.focus()
        self._update_preview(_id(ol.get_option_at_index(0)))

    def _decision(self, option: str) -> Decision:
        return Decision(self.move, option, self.target if self.move == "answer" else None)

    @on(OptionList.OptionHighlighted, "#dialog-kinds")
    def _kind(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.target = event.option.id
        tones = self.query_one("#dialog-options", OptionList)
        if tones.highlighted is not None:
            self._update_preview(_id(tones.get_option_at_index(tones.highlighted)))

    @on(OptionList.OptionSelected, "#dialog-kinds")
    def _kind_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.target = event.option.id
        self.query_one("#dialog-options", OptionList).focus()

    def _update_preview(self, option: str) -> None:
        question = self.question
        if question is None and self.choose_kind and self.target:
            label = next((k.label for k in self.session.scenario.kinds if k.id == self.target), self.target)
            question = f"[{label} posts]"
        preview = self.session.preview(self._decision(option), question)
        self.query_one("#preview", Static).update(Text(preview))  # plain text: "[…]" is not markup

    @on(OptionList.OptionHighlighted, "#dialog-options")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._update_preview(_id(event.option))

    @on(OptionList.OptionSelected, "#dialog-options")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._decision(_id(event.option)))

    def action_confirm(self) -> None:
        if self.choose_kind and self.focused is not None and self.focused.id == "dialog-kinds":
            self.query_one("#dialog-options", OptionList).focus()
            return
        ol = self.query_one("#dialog-options", OptionList)
        if ol.highlighted is not None:
            self.dismiss(self._decision(_id(ol.get_option_at_index(ol.highlighted))))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


def _id(option: Option) -> str:
    """Return an option's id (every option in these menus has one)."""
    return option.id or ""
