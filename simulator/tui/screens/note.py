"""The evaluator's note dialog: a line on one team at this turn, for the hot wash and the report."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from simulator.game.session import NOTE_MAX_CHARS


class NoteScreen(ModalScreen[tuple[str, str] | None]):
    """Pick a team (the one being entered is highlighted), write a note, press Enter."""

    BINDINGS = [Binding("escape", "dismiss_none", "Back")]

    def __init__(self, teams: list[str], current: str, clock: str) -> None:
        super().__init__()
        self.teams = teams
        self.current = current
        self.clock = clock

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"Evaluator's note at {self.clock}", id="dialog-title")
            yield Label("On which team?", classes="metric-title")
            yield OptionList(*[Option(t, id=t) for t in self.teams], id="note-team")
            yield Label(
                "What you saw (the hot wash and the report show it; the run is not changed). Enter saves:",
                classes="metric-title",
            )
            yield Input(
                placeholder="e.g. Waited for legal sign-off; no holding line for 40 minutes",
                max_length=NOTE_MAX_CHARS,
                id="note-text",
            )

    def on_mount(self) -> None:
        teams = self.query_one("#note-team", OptionList)
        teams.highlighted = self.teams.index(self.current) if self.current in self.teams else 0
        self.query_one("#note-text", Input).focus()

    @on(Input.Submitted)
    def _save(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.notify("Write the note first, or press Escape.", severity="warning")
            return
        teams = self.query_one("#note-team", OptionList)
        index = teams.highlighted if teams.highlighted is not None else 0
        self.dismiss((self.teams[index], event.value.strip()))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
