"""The app's header: Textual's, safe when a screen is switched away while the title changes.

Light on purpose (Textual only): the loading screen shows it before the engine's libraries import.
"""

from __future__ import annotations

import contextlib

from textual.css.query import NoMatches
from textual.dom import NoScreen
from textual.events import Mount
from textual.widget import Widget
from textual.widgets import Header as TextualHeader
from textual.widgets._header import HeaderTitle


class Header(TextualHeader):
    """Textual's header, safe when a screen is switched away while the title changes.

    Textual's own title watcher catches NoScreen but not NoMatches: when a
    screen is replaced just as it mounts (realtime play right after the
    briefing), the watcher can run after the title widget is gone and end the
    app with a traceback. Here it is skipped, as for NoScreen.
    """

    def _on_mount(self, event: Mount) -> None:
        # Textual calls `_on_mount` of every class in the MRO: without this, its own watcher (the one that
        # raises) is set up as well. Widget's own handler (scrollbars) still runs.
        event.prevent_default()
        Widget._on_mount(self, event)

        async def set_title() -> None:
            with contextlib.suppress(NoMatches, NoScreen):
                self.query_one(HeaderTitle).update(self.format_title())

        self.watch(self.app, "title", set_title)
        self.watch(self.app, "sub_title", set_title)
        self.watch(self.screen, "title", set_title)
        self.watch(self.screen, "sub_title", set_title)
