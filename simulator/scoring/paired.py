"""A plan and history on one crowd: the same seed, the same crowd, the same random streams.

The CLI's `score`, a game's end and the sweeps all pair runs through here, so
"against history" always means the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.audience import Audience
from simulator.engine import Plan, RunResult, run, run_plans, strategy_plan
from simulator.engine.params import EngineParams, compile_params
from simulator.scenario.schema import Scenario
from simulator.scoring.score import HISTORY, Score, paired_score


@dataclass(frozen=True)
class PairedRun:
    """A plan's run, history's run on the same crowd, and the paired score."""

    mine: RunResult
    history: RunResult
    score: Score


def history_run(
    scenario: Scenario, seed: int, audience: Audience, params: EngineParams | None = None, engine: int | None = None
) -> RunResult:
    """Return the historical decisions played on this crowd and seed (on `engine`, the current one by default)."""
    plan = strategy_plan(scenario, "history")
    if engine is None:
        return run(scenario, seed, plan, audience=audience, params=params)
    return run(scenario, seed, plan, audience=audience, params=params, engine=engine)


def play_paired(
    scenario: Scenario, seed: int, plan: Plan, audience: Audience, params: EngineParams | None = None
) -> PairedRun:
    """Play a plan and history on the same crowd; return both runs and the score."""
    params = params or compile_params(scenario)
    # The plan goes on from history's run where the two part (`run_plans`): the same runs, fewer turns.
    history, mine = run_plans(scenario, seed, [strategy_plan(scenario, "history"), plan], audience, params)
    return PairedRun(mine, history, paired_score(scenario, mine, history))


@dataclass(frozen=True)
class OtherPlay:
    """A named strategy played on a game's own crowd, and its score against history there (history: 50)."""

    id: str
    label: str
    score: float


def other_plays(
    scenario: Scenario, seed: int, audience: Audience, params: EngineParams | None = None
) -> list[OtherPlay]:
    """Every named strategy of the scenario on this crowd and seed, scored against history; best first.

    What a trainee compares a game with at its end: the same crowd, the same streams, other decisions.
    Strategies share their first turns with history's run (`run_plans`); words are made only where a
    score reads them.
    """
    from simulator.scoring.sweep import reads_text

    params = params or compile_params(scenario)
    names = ["history", *(s.id for s in scenario.strategies)]
    plans = [strategy_plan(scenario, name) for name in names]
    history, *runs = run_plans(scenario, seed, plans, audience, params, reads_text(scenario))
    labels = {s.id: s.label for s in scenario.strategies}
    plays = [
        OtherPlay(name, labels[name], paired_score(scenario, mine, history).total)
        for name, mine in zip(names[1:], runs, strict=True)
    ]
    return sorted(plays, key=lambda play: -play.score)


@dataclass(frozen=True)
class ScoreRange:
    """A plan's score over many crowds like this one: how often it beats history, and its spread."""

    plan: str
    seeds: tuple[int, ...]
    totals: tuple[float, ...]
    wins: int

    @property
    def runs(self) -> int:
        """Number of crowds."""
        return len(self.totals)

    @property
    def median(self) -> float:
        """Median total."""
        return float(np.median(self.totals))

    @property
    def p5(self) -> float:
        """5th percentile of the totals."""
        return float(np.percentile(self.totals, 5))

    @property
    def p95(self) -> float:
        """95th percentile of the totals."""
        return float(np.percentile(self.totals, 95))

    def sentence(self) -> str:
        """Return 'You beat history in 14 of 20 crowds like this one (median 56.2, 5–95%: 48.0–61.3).'"""
        return (
            f"You beat history in {self.wins} of {self.runs} crowds like this one "
            f"(median {self.median:.1f}, 5–95%: {self.p5:.1f}–{self.p95:.1f}; history scores 50)."
        )

    def as_dict(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return {
            "plan": self.plan,
            "seeds": [self.seeds[0], self.seeds[-1]],
            "runs": self.runs,
            "wins": self.wins,
            "share_beating_history": self.wins / self.runs if self.runs else 0.0,
            "median": self.median,
            "p5": self.p5,
            "p95": self.p95,
            "totals": list(self.totals),
        }


def score_range(
    scenario: Scenario,
    plan: Plan,
    seeds: list[int],
    size: int | None = None,
    workers: int | None = None,
    progress: Callable[[str, float, float], None] | None = None,
) -> ScoreRange:
    """Score a plan against history on each seed's crowd; return how often it wins and the spread."""
    from simulator.scoring.sweep import sweep

    name = plan.script()
    results = sweep(scenario, seeds, ("history", name), size, workers, progress=progress)
    totals = tuple(r.totals[name] for r in results)
    return ScoreRange(name, tuple(seeds), totals, sum(t > HISTORY for t in totals))
