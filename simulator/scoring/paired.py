"""A plan and history on one crowd: the same seed, the same crowd, the same random streams.

The CLI's `score`, a game's end and the sweeps all pair runs through here, so
"against history" always means the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.audience import Audience
from simulator.engine import Plan, RunResult, run, strategy_plan
from simulator.engine.params import EngineParams, compile_params
from simulator.scenario.schema import Scenario
from simulator.scoring.score import Score, paired_score


@dataclass(frozen=True)
class PairedRun:
    """A plan's run, history's run on the same crowd, and the paired score."""

    mine: RunResult
    history: RunResult
    score: Score


def history_run(scenario: Scenario, seed: int, audience: Audience, params: EngineParams | None = None) -> RunResult:
    """Return the historical decisions played on this crowd and seed."""
    return run(scenario, seed, strategy_plan(scenario, "history"), audience=audience, params=params)


def play_paired(
    scenario: Scenario, seed: int, plan: Plan, audience: Audience, params: EngineParams | None = None
) -> PairedRun:
    """Play a plan and history on the same crowd; return both runs and the score."""
    params = params or compile_params(scenario)
    mine = run(scenario, seed, plan, audience=audience, params=params)
    history = history_run(scenario, seed, audience, params)
    return PairedRun(mine, history, paired_score(scenario, mine, history))
