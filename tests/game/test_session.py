"""A game through its session: opened by one factory, with what the UI needs exposed (no reach-through into the engine)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import simulator
from simulator.engine import Decision
from simulator.errors import BackfireError
from simulator.game.open import open_game, open_scenario
from simulator.scenario import resolve

SRC = Path(simulator.__file__).parent


def _sources(*folders: str) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for f in folders for p in (SRC / f).rglob("*.py")}


def test_callers_never_reach_into_the_engine_through_a_session():
    """The UI, reports and facilitation read the session's own API, never `session.game.sim.state…`."""
    bad = [
        f"{p.relative_to(SRC)}: {m.group(0)}"
        for p, text in _sources("tui", "report", "cli", "game").items()
        for m in re.finditer(r"\.(game|_run|sim)\.(sim|state|metrics|feed)\b", text)
        if p.name != "session.py"
    ]
    assert not bad, "\n".join(bad)


def test_one_factory_builds_games():
    """Only game/open.py (and the session's own replay) construct a Session."""
    makers = [str(p.relative_to(SRC)) for p, text in _sources(".").items() if re.search(r"\bSession\(", text)]
    assert sorted(makers) == ["game/open.py", "game/session.py"]


def test_a_session_exposes_the_baseline_and_the_clock(tmp_path):
    session = open_scenario("askjpm", 3, 3000, db=tmp_path / "g.db")
    assert session.start_stance_by_segment == {} and session.turn == 0
    session.start()
    baseline = session.start_stance_by_segment
    audience = session.audience
    assert audience is not None
    exact = np.bincount(audience.segment, weights=audience.stance.astype(np.float64)) / np.bincount(audience.segment)
    opening_shifts = any(e.param == "stance" for o in session.scenario.campaign.openings for e in o.effects)
    if not opening_shifts:
        assert np.allclose(list(baseline.values()), exact)
    assert list(baseline) == session.scenario.segment_ids()
    assert session.clock_text().startswith("T+0:00 · ")
    session.play(Decision("wait"))
    assert session.clock_text().startswith("T+0:15 · ")
    assert session.game_id is not None


def test_decisions_are_checked_where_they_enter_the_game(tmp_path):
    session = open_game(resolve("askjpm"), 3, 3000)
    session.start()
    with pytest.raises(BackfireError, match="unknown cancel option 'shrug'"):
        session.play(Decision("cancel", "shrug"))
    session.play(Decision("cancel", "badidea"))
    with pytest.raises(BackfireError, match="already cancelled"):
        session.check(Decision("pause", "short"))
    assert session.cancelled and session.turn == 1


def test_replaying_on_the_same_crowd_shares_the_crowd_and_history():
    first = open_game(resolve("askjpm"), 3, 3000)
    first.start()
    history = first.history_run()
    again = first.replay()
    assert again.audience is first.audience and again.history_run() is history
    other = first.replay(new_crowd=True)
    assert other.seed == 4 and other.audience is None
