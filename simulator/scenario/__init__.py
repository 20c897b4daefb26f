"""Scenario files: schema, loader and registry (depends on pydantic and pyyaml only).

Exports load on first use, so finding a scenario file does not import pydantic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.scenario.loader import LoadedScenario, load_scenario, parse_scenario_text
    from simulator.scenario.registry import discover, resolve
    from simulator.scenario.schema import Scenario

__all__ = ["LoadedScenario", "Scenario", "discover", "load_scenario", "parse_scenario_text", "resolve"]

_WHERE = {
    "LoadedScenario": "simulator.scenario.loader",
    "load_scenario": "simulator.scenario.loader",
    "parse_scenario_text": "simulator.scenario.loader",
    "discover": "simulator.scenario.registry",
    "resolve": "simulator.scenario.registry",
    "Scenario": "simulator.scenario.schema",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'simulator.scenario' has no attribute {name!r}")
