"""What every screen with workers shares: their failures reach the app's one handler.

Textual's `Worker.StateChanged` does not bubble, so a screen's worker that
fails would otherwise fail silently, leaving the screen busy.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.worker import Worker


class WorkingScreen(Screen):
    """A screen whose workers' failures become a notice (and a log file), with the screen's `worker_failed` hook."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report = getattr(self.app, "report_worker", None)
        if callable(report):
            report(event)
