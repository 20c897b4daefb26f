"""The room's board: a read-only projector screen of a workshop, teams side by side."""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from simulator.errors import BackfireError
from simulator.formatting import fmt_count
from simulator.game.room import Room, RoomReader
from simulator.tui.widgets import Header, chart

POLL_SECONDS = 1.0


class BoardScreen(Screen):
    """Teams side by side: volume and share-negative charts, moves so far, the clock and the last injects."""

    BINDINGS = [Binding("q", "app.quit", "Quit"), Binding("question_mark", "app.help", "Help")]

    def __init__(self, reader: RoomReader) -> None:
        super().__init__()
        self.reader = reader
        self.room: Room | None = None
        self._problem: str | None = None

    def compose(self) -> ComposeResult:
        room = self.reader.read()
        self.room = room
        yield Header()
        yield Static(id="room-clock")
        with Horizontal(id="room-teams"):
            for i, col in enumerate(room.teams):
                with Vertical(classes="room-team", id=f"team-{i}"):
                    yield Label(Text.assemble((col.team, "bold"), f"  {col.code}"), classes="room-name")
                    yield Static(classes="room-status")
                    yield Label("posts per turn (shared scale)", classes="metric-title")
                    yield Static(classes="room-volume")
                    yield Label("% negative (0–100%)", classes="metric-title")
                    yield Static(classes="room-negative")
                    yield Static(classes="room-moves")
        yield Static(id="room-injects")
        yield Footer()

    def on_mount(self) -> None:
        self.show(self.room or self.reader.read())
        self.set_interval(POLL_SECONDS, self.poll)

    def poll(self) -> None:
        """Read the workshop again and redraw."""
        try:
            room = self.reader.read()
        except BackfireError as exc:
            if str(exc) != self._problem:
                self._problem = str(exc)
                self.notify(str(exc), title="Cannot read the session", severity="error", timeout=15)
            return
        self._problem = None
        self.show(room)

    def show(self, room: Room) -> None:
        """Draw the room."""
        self.room = room
        countdown = ""
        if room.clock_mode == "realtime" and room.deadline is not None and room.state == "running":
            countdown = f" · {max(0, int(room.deadline - time.time()))} s left"
        mode = {"manual": "manual clock", "realtime": "realtime clock", "all-decided": "advances when all have decided"}
        self.query_one("#room-clock", Static).update(
            Text.assemble(
                (f" {room.hashtag} ", "bold reverse"),
                f"  {room.clock}  turn {min(room.turn + 1, room.turns)}/{room.turns}  ",
                (room.state_words.upper(), "bold"),
                f"  · {mode.get(room.clock_mode, room.clock_mode)}{countdown}",
            )
        )
        vmax = max((max(col.volume) for col in room.teams if col.volume), default=0.0)
        for i, col in enumerate(room.teams):
            box = self.query_one(f"#team-{i}", Vertical)
            if room.state == "briefing":
                status = Text(f"opening: {col.move or 'not chosen yet'}", style="dim")
            elif col.status == "decided":
                status = Text.assemble(("decided ", "bold green"), col.move or "")
            elif col.status == "deciding":
                status = Text("deciding…", style="yellow")
            else:
                status = Text(room.state_words, style="dim")
            if col.cancelled:
                status.append("  CANCELLED", style="bold red")
            connected = col.seen is not None and time.time() - col.seen < 15
            status.append("  ● online" if connected else "  ○ offline", style="green" if connected else "dim")
            box.query_one(".room-status", Static).update(status)
            width = max(8, box.content_size.width)
            box.query_one(".room-volume", Static).update(Text(chart(col.volume, vmax, room.turns, width), "cyan"))
            box.query_one(".room-negative", Static).update(
                Text(chart(col.share_negative, 1.0, room.turns, width), "red")
            )
            last = col.volume[-1] if col.volume else 0
            neg = col.share_negative[-1] if col.share_negative else 0.0
            moves = "\n".join(f"{when}  {move}" for when, move in col.decisions[-6:]) or "no moves yet (only waits)"
            box.query_one(".room-moves", Static).update(
                Text.assemble(f"{fmt_count(last, 'post')} last turn · {neg:.0%} negative\n", (moves, "dim"))
            )
        lines = [
            f"turn {line['turn'] + 1}: {line['text']}" + (f" (to {line['team']})" if line["team"] else "")
            for line in room.injects
        ]
        self.query_one("#room-injects", Static).update(
            Text.assemble(("Injects  ", "bold"), " · ".join(lines) if lines else "none yet")
        )
