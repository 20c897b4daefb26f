"""Fuzz the scenario door: every small edit of a shipped scenario validates, or is refused with a line number.

What validates must also run at a small size and be scored. The budget is set
by the Hypothesis profile (`ci` by default; `HYPOTHESIS_PROFILE=deep` runs
10,000 files, see tests/fuzz/README.md). Minimised finds live in
tests/fuzz/finds/ and are replayed on every run.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from simulator.errors import BackfireError, ScenarioError
from simulator.scenario import load_scenario
from tests.fuzz.mutations import mutated_scenarios
from tests.fuzz.stats import record

FINDS = Path(__file__).resolve().parent / "finds"
SMALL = 1000


def _try(path: Path) -> str:
    """Validate, then run and score what validates; return 'valid' or 'rejected'; any other exception fails."""
    started = time.perf_counter()
    try:
        loaded = load_scenario(path)
    except ScenarioError as exc:
        elapsed = time.perf_counter() - started
        assert exc.problems, "a ScenarioError with no problem in it"
        for problem in exc.problems:
            assert problem.line is not None, f"no line number: {problem}"
        assert elapsed < 2.0, f"refusing took {elapsed:.2f} s"
        return "rejected"
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"validating took {elapsed:.2f} s"
    _run_and_score(loaded.scenario)
    return "valid"


_RAN: set[str] = set()


def _run_and_score(scenario) -> None:
    """Play history and the first named strategy on a small crowd, score and debrief them (once per distinct scenario)."""
    from simulator.audience import build_audience
    from simulator.engine.decisions import strategy_plan
    from simulator.scoring.debrief import debrief
    from simulator.scoring.paired import play_paired

    key = scenario.model_dump_json()
    if key in _RAN:  # an edit in a comment or in spacing: the same scenario, already run
        return
    try:
        audience = build_audience(scenario, 1, SMALL)
    except BackfireError:
        return  # a crowd this scenario cannot have at this size: a clean, explained refusal
    for name in ["history", *[s.id for s in scenario.strategies][:1]]:
        plan = strategy_plan(scenario, name)
        paired = play_paired(scenario, 1, plan, audience)
        debrief(scenario, plan, paired.history)
    _RAN.add(key)  # only once it has passed, so a failure is found again when Hypothesis shrinks it


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)
@given(mutated_scenarios())
def test_a_mutated_scenario_validates_or_is_refused_with_a_line(tmp_path_factory, case):
    path = tmp_path_factory.getbasetemp() / f"fuzzed-{case.name}.yaml"
    path.write_bytes(case.data)  # a failing input stays here to be read (and kept in finds/)
    record("scenario", _try(path))


@pytest.mark.parametrize("path", sorted(FINDS.glob("*.yaml")), ids=lambda p: p.stem)
def test_each_kept_find_is_refused_cleanly(path):
    """The fuzzer's minimised finds, kept: each once crashed; each must now be refused with its line."""
    assert _try(path) == "rejected"
