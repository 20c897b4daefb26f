"""The one factory for games: the CLI, the app and the tests open a game the same way."""

from __future__ import annotations

from pathlib import Path

from simulator.game.session import Session
from simulator.scenario.loader import LoadedScenario
from simulator.scenario.registry import resolve
from simulator.store import Store


def open_game(
    scenario: LoadedScenario,
    seed: int = 1,
    size: int | None = None,
    *,
    team: str | None = None,
    store: Store | None = None,
) -> Session:
    """Return a new game of a loaded scenario on the crowd of this seed and size, saved in `store` when given.

    The crowd is built on first use (`build_crowd`, from a worker in the app), so
    opening a game is cheap.
    """
    return Session(scenario.scenario, seed, size, team=team, store=store, scenario_hash=scenario.content_hash)


def open_scenario(
    name: str,
    seed: int = 1,
    size: int | None = None,
    *,
    team: str | None = None,
    db: str | Path | None = None,
    save: bool = True,
) -> Session:
    """Resolve a scenario id or path and open a game of it, saved in the games database (`db`, or the default) when `save`."""
    loaded = resolve(name)
    return open_game(loaded, seed, size, team=team, store=Store(db) if save else None)
