"""Paired score: a run against the historical decisions on the same seed (same crowd)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from simulator.engine import RunResult
from simulator.scenario.metrics import scales_with_crowd
from simulator.scenario.schema import Scenario, ScoreDimension


@dataclass(frozen=True)
class DimensionScore:
    """One dimension: the metric for you and for history, and both scores out of 100."""

    metric: str
    label: str
    weight: float
    better: str
    you: float
    history: float
    difference: float
    you_score: float
    history_score: float


@dataclass(frozen=True)
class Score:
    """The paired score of a run."""

    seed: int
    size: int
    script: str
    history_script: str
    dimensions: tuple[DimensionScore, ...]
    total: float
    history_total: float
    stance_change_by_segment: dict[str, tuple[float, float]]

    @property
    def beats_history(self) -> bool:
        """True when the run's total is above history's."""
        return self.total > self.history_total

    def as_dict(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        data = asdict(self)
        data["dimensions"] = [asdict(d) for d in self.dimensions]
        data["beats_history"] = self.beats_history
        return data


def dimension_score(dim: ScoreDimension, value: float, scale_factor: float = 1.0) -> float:
    """Return 0..100 for one metric value (counts of posts or accounts rescaled by `scale_factor` to the declared crowd size first).

    A score then means the same at --size 20k as at the scenario's size.
    """
    v = value * (scale_factor if scales_with_crowd(dim.metric) else 1.0)
    if dim.signed:
        s = 50 + 50 * math.tanh(v / dim.scale)
        return s if dim.better == "higher" else 100 - s
    if dim.better == "lower":
        return 100 * math.exp(-max(v, 0.0) / dim.scale)
    return 100 * (1 - math.exp(-max(v, 0.0) / dim.scale))


def total_score(scenario: Scenario, summary: dict[str, Any], size: int) -> float:
    """Return the weighted score of one run's summary, 0..100."""
    factor = scenario.audience.size / size
    dims = scenario.scoring.dimensions
    weight = sum(d.weight for d in dims) or 1.0
    return sum(d.weight * dimension_score(d, float(summary[d.metric] or 0.0), factor) for d in dims) / weight


def paired_score(scenario: Scenario, run: RunResult, history: RunResult) -> Score:
    """Score a run against the history run on the same seed and crowd."""
    if run.seed != history.seed or run.size != history.size:
        raise ValueError("a paired score needs the history run on the same seed and size")
    factor = scenario.audience.size / run.size
    dims = []
    for d in scenario.scoring.dimensions:
        you = float(run.summary[d.metric] or 0.0)
        hist = float(history.summary[d.metric] or 0.0)
        dims.append(
            DimensionScore(
                d.metric,
                d.label,
                d.weight,
                d.better,
                you,
                hist,
                you - hist,
                dimension_score(d, you, factor),
                dimension_score(d, hist, factor),
            )
        )
    by_segment = {
        seg: (run.summary["stance_change_by_segment"][seg], history.summary["stance_change_by_segment"][seg])
        for seg in run.summary["stance_change_by_segment"]
    }
    return Score(
        seed=run.seed,
        size=run.size,
        script=run.script,
        history_script=history.script,
        dimensions=tuple(dims),
        total=total_score(scenario, run.summary, run.size),
        history_total=total_score(scenario, history.summary, history.size),
        stance_change_by_segment=by_segment,
    )
