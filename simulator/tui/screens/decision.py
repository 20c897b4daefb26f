"""The decision dialog: pick an option under a move, or write the post yourself, and see exactly what it will post.

Written words are read as the crowd would read them (`Session.read`): the
preview says what they read as, why, and which option's effects they carry.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from simulator.engine import Decision
from simulator.errors import BackfireError
from simulator.game.view import GameView


class DecisionScreen(ModalScreen[Decision | None]):
    """Pick an option under a move; shows what it will post."""

    BINDINGS = [
        Binding("escape", "dismiss_none", "Back"),
        Binding("enter", "confirm", "Post it"),
        Binding("ctrl+s", "post_written", "Post what you wrote", priority=True),
        Binding("ctrl+e", "edit_option", "Start from this wording", priority=True),
    ]

    def __init__(
        self,
        session: GameView,
        move: str,
        question: str | None = None,
        target: str | None = None,
        choose_kind: bool = False,
        write: bool = False,
    ) -> None:
        super().__init__()
        self.session, self.move, self.question, self.target = session, move, question, target
        self.write = write  # open with the text area focused: the player asked to write
        # With no post to answer (the facilitator's console), the player picks which posts to answer.
        self.choose_kind = choose_kind and move == "answer"

    def compose(self) -> ComposeResult:
        titles = {
            "open": "Open — pick a wording, or write your own",
            "answer": "Answer — pick a tone",
            "pause": "Pause — how long?",
            "cancel": f"{self.session.scenario.actions.cancel_move} — with which message?",
        }
        with VerticalScroll(id="dialog"):
            yield Label(titles[self.move], id="dialog-title")
            if self.question:
                yield Static(Text.assemble(("Answering: ", "bold"), self.question), id="dialog-question")
            if self.choose_kind:
                yield Label(
                    "Which posts? The answer speaks to them all and quotes none (Tab moves to the tone)",
                    classes="metric-title",
                )
                kinds = sorted(self.session.scenario.kinds, key=lambda k: k.tone == "supportive")
                yield OptionList(*[Option(k.label, id=k.id) for k in kinds], id="dialog-kinds")
            yield OptionList(
                *[
                    Option(Text.assemble((o.label, "bold"), ("  (real wording)" if o.real else "", "yellow")), id=o.id)
                    for o in self.session.options(self.move)
                ],
                id="dialog-options",
            )
            yield Label(
                "Or write it yourself (Tab moves here; Ctrl+E starts from the highlighted wording):",
                classes="metric-title",
            )
            yield TextArea(id="dialog-words", soft_wrap=True, show_line_numbers=False)
            yield Label("", id="dialog-count")
            yield Static(id="dialog-reading")
            yield Label("What it will post:", classes="metric-title")
            yield Static(id="preview")
            yield Label("Enter posts the option · Ctrl+S posts what you wrote · Esc goes back", id="dialog-hint")

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
        if self.write:
            self.query_one("#dialog-words", TextArea).focus()
        self._update_preview(_id(ol.get_option_at_index(0)))

    def _decision(self, option: str) -> Decision:
        return Decision(self.move, option, self.target if self.move == "answer" else None)

    @property
    def limit(self) -> int:
        """The longest post the scenario's era allows."""
        return self.session.scenario.language.max_chars

    def _words(self) -> str:
        return self.query_one("#dialog-words", TextArea).text.strip()

    def _written(self) -> Decision:
        return Decision(self.move, target=self.target if self.move == "answer" else None, text=self._words())

    @on(TextArea.Changed, "#dialog-words")
    def _typed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._update_written()

    def _update_written(self) -> None:
        """Show what the written words will post and how they read (the reader takes about a millisecond)."""
        words = self._words()
        count = self.query_one("#dialog-count", Label)
        reading = self.query_one("#dialog-reading", Static)
        if not words:
            count.update("")
            reading.update("")
            ol = self.query_one("#dialog-options", OptionList)
            if ol.highlighted is not None:
                self._update_preview(_id(ol.get_option_at_index(ol.highlighted)))
            return
        over = len(words) > self.limit
        count.update(Text(f"{len(words):,} / {self.limit:,} characters", style="bold red" if over else "dim"))
        decision = self._written()
        self.query_one("#preview", Static).update(Text(self.session.preview(decision, self.question)))
        try:
            choice = self.session.read(decision)
        except BackfireError as exc:
            reading.update(Text(str(exc), style="bold red"))
            return
        reading.update(Text(choice.summary(), style="italic"))

    def action_edit_option(self) -> None:
        """Copy the highlighted option's wording into the text area, to edit it."""
        ol = self.query_one("#dialog-options", OptionList)
        if ol.highlighted is None:
            return
        text = self.session.preview(self._decision(_id(ol.get_option_at_index(ol.highlighted))), self.question)
        if text.startswith("("):  # "(posts nothing…)": nothing to start from
            text = ""
        area = self.query_one("#dialog-words", TextArea)
        area.load_text(text[: self.limit])
        area.focus()
        area.move_cursor(area.document.end)

    def action_post_written(self) -> None:
        """Post the written words, when they can be posted."""
        if not self._words():
            self.notify("Write the post first, or press Enter to post the highlighted option.", severity="warning")
            return
        decision = self._written()
        try:
            self.session.read(decision)
        except BackfireError as exc:
            self.notify(str(exc), severity="error")
            return
        self.dismiss(decision)

    @on(OptionList.OptionHighlighted, "#dialog-kinds")
    def _kind(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.target = event.option.id
        if self._words():  # the written post answers these posts now: read it again
            self._update_written()
            return
        tones = self.query_one("#dialog-options", OptionList)
        if tones.highlighted is not None:
            self._update_preview(_id(tones.get_option_at_index(tones.highlighted)))

    @on(OptionList.OptionSelected, "#dialog-kinds")
    def _kind_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.target = event.option.id
        self.query_one("#dialog-options", OptionList).focus()

    def _update_preview(self, option: str) -> None:
        if self.is_mounted and self._words():
            return  # the written words are what will post
        # An answer to a kind of post speaks to them all and quotes none: the preview is what goes out.
        preview = self.session.preview(self._decision(option), self.question)
        self.query_one("#preview", Static).update(Text(preview))  # plain text: "[…]" is not markup

    @on(OptionList.OptionHighlighted, "#dialog-options")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._update_preview(_id(event.option))

    @on(OptionList.OptionSelected, "#dialog-options")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._decision(_id(event.option)))

    def action_confirm(self) -> None:
        if self.focused is not None and self.focused.id == "dialog-words":
            return  # Enter in the text area is a line break; Ctrl+S posts
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
