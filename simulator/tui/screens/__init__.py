"""The app's screens, one per file. Imported lazily: the loading screen paints before the domain loads."""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "LoadingScreen": "loading",
    "PickerScreen": "picker",
    "BriefingScreen": "briefing",
    "DecisionScreen": "decision",
    "PlayScreen": "play",
    "DebriefScreen": "debrief",
    "HelpScreen": "help",
    "InjectScreen": "inject",
    "NoteScreen": "note",
    "FacilitateScreen": "facilitate",
    "HotWashScreen": "hot_wash",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"simulator.tui.screens.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'simulator.tui.screens' has no attribute {name!r}")
