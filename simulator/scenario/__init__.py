"""Scenario files: schema, loader and registry (depends on pydantic and pyyaml only)."""

from simulator.scenario.loader import LoadedScenario, load_scenario, parse_scenario_text
from simulator.scenario.registry import discover, resolve
from simulator.scenario.schema import Scenario

__all__ = ["LoadedScenario", "Scenario", "discover", "load_scenario", "parse_scenario_text", "resolve"]
