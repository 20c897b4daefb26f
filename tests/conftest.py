from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SHARED_SOURCES = ROOT.parent / "shared" / "sources"
SHARED_RESEARCH = ROOT.parent / "shared" / "research"


@pytest.fixture(scope="session")
def askjpm():
    from simulator.scenario import load_scenario

    return load_scenario(SCENARIOS / "askjpm.yaml").scenario


def askjpm_text() -> str:
    return (SCENARIOS / "askjpm.yaml").read_text(encoding="utf-8")


def mutate(old: str, new: str, count: int = 1) -> str:
    """Return askjpm.yaml with `old` replaced by `new` (fails if `old` is not there)."""
    text = askjpm_text()
    assert text.count(old) >= count, f"fixture anchor not found: {old!r}"
    return text.replace(old, new, count)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """Return the 1-based line of the n-th occurrence of needle."""
    pos = -1
    for _ in range(occurrence):
        pos = text.index(needle, pos + 1)
    return text[:pos].count("\n") + 1


@pytest.fixture(autouse=True)
def _private_games_db(tmp_path, monkeypatch):
    """Tests never write to the user's games database or data folder, and an internal error fails the test.

    BACKFIRE_CRASH=raise lets an unexpected exception through the CLI's last
    line of defence (and the app's worker notice), so no test passes on a path
    that would print "internal error" to a user.
    """
    monkeypatch.setenv("BACKFIRE_DB", str(tmp_path / "games.db"))
    monkeypatch.setenv("BACKFIRE_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("BACKFIRE_CRASH", "raise")


async def settle(pilot: Any) -> None:
    """Let the app finish what it is doing: pending messages, then every worker, then the repaint."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


# Hypothesis budgets. `ci` (the default) is derandomised, so CI explores the
# same inputs every run; `deep` is the long fuzz run (tests/fuzz/README.md).
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", max_examples=40, derandomize=True, print_blob=True)
_hypothesis_settings.register_profile(
    "deep", max_examples=int(__import__("os").environ.get("BACKFIRE_FUZZ_EXAMPLES", "10000")), print_blob=True
)
_hypothesis_settings.register_profile("explore", max_examples=500, print_blob=True)
_hypothesis_settings.load_profile(__import__("os").environ.get("HYPOTHESIS_PROFILE", "ci"))
