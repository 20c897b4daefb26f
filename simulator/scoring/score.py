"""Paired score: a run against the historical decisions on the same crowd, dimension by dimension.

Each dimension compares your value with history's on the same seed (same
crowd, same random streams) and gives signed points: 0 when equal, +25 for
each halving of a harm (or doubling of the goal), -25 for each doubling of a
harm. Counts and shares compare as a log ratio with a declared floor,
`log2((history + floor) / (you + floor))`, so twice as bad and half as bad
weigh alike and a storm seven times history's costs about 70 points on that
dimension. A signed metric (the change in mean stance) compares as a
difference: `scale` is the shift that weighs as much as a doubling.

The total is 50 (history's score on every crowd) plus the weighted mean of the
points. Harm gates the goal: a run worse than history on every `gate`
dimension (hostile volume and reputation, by default) cannot be called better,
whatever its goal: its total is its harm dimensions' alone, and at most 50.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from simulator.engine import RunResult
from simulator.formatting import fmt_metric
from simulator.scenario.metrics import scales_with_crowd, unit_of
from simulator.scenario.schema import Scenario, ScoreDimension

HISTORY = 50.0  # history's score, on every crowd
POINTS_PER_DOUBLING = 25.0


@dataclass(frozen=True)
class DimensionScore:
    """One dimension: your value and history's, and the signed points it gives (+ better than history)."""

    metric: str
    label: str
    weight: float
    better: str
    kind: str  # harm or goal
    you: float
    history: float
    difference: float
    points: float  # signed: +25 is half history's harm (or twice its goal), -25 twice the harm
    you_score: float  # 50 + points
    history_score: float  # 50

    @property
    def worse(self) -> bool:
        """True when you did worse than history on this dimension."""
        return self.points < 0


@dataclass(frozen=True)
class Score:
    """The paired score of a run: the total, history's (50), the dimensions, and the reasons in words."""

    seed: int
    size: int
    script: str
    history_script: str
    dimensions: tuple[DimensionScore, ...]
    total: float
    history_total: float
    gated: bool  # worse than history on every gate dimension: the goal could not lift it
    reasons: tuple[str, ...]
    stance_change_by_segment: dict[str, tuple[float, float]]

    @property
    def beats_history(self) -> bool:
        """True when the run scores above history on this crowd."""
        return self.total > self.history_total

    @property
    def verdict(self) -> str:
        """'better than', 'worse than' or 'level with' (history)."""
        if self.total > self.history_total:
            return "better than"
        if self.total < self.history_total or self.gated:
            return "worse than"
        return "level with"

    def as_dict(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        data = asdict(self)
        data["dimensions"] = [asdict(d) for d in self.dimensions]
        data["beats_history"] = self.beats_history
        data["verdict"] = self.verdict
        return data


def dimension_points(dim: ScoreDimension, you: float, history: float, scale_factor: float = 1.0) -> float:
    """Return the signed points of one dimension: 0 when equal to history, +25 per halving of a harm (doubling of a goal)."""
    if dim.signed:
        shift = (you - history) / dim.scale
        return POINTS_PER_DOUBLING * (shift if dim.better == "higher" else -shift)
    factor = scale_factor if scales_with_crowd(dim.metric) else 1.0
    y, h = max(you * factor, 0.0), max(history * factor, 0.0)
    ratio = (h + dim.scale) / (y + dim.scale)
    return POINTS_PER_DOUBLING * math.log2(ratio if dim.better == "lower" else 1 / ratio)


def _weighted(dims: list[DimensionScore]) -> float:
    weight = sum(d.weight for d in dims)
    return HISTORY + (sum(d.weight * d.points for d in dims) / weight if weight else 0.0)


def score_summaries(
    scenario: Scenario, mine: Mapping[str, Any], history: Mapping[str, Any], size: int
) -> tuple[float, bool, list[DimensionScore]]:
    """Return (total, gated, dimensions) of a run's summary against history's on the same crowd."""
    factor = scenario.audience.size / size
    dims = []
    for d in scenario.scoring.dimensions:
        you = float(mine[d.metric] or 0.0)
        hist = float(history[d.metric] or 0.0)
        points = dimension_points(d, you, hist, factor)
        dims.append(
            DimensionScore(
                d.metric, d.label, d.weight, d.better, d.kind, you, hist, you - hist, points, HISTORY + points, HISTORY
            )
        )
    total = _weighted(dims)
    gate = [d for d in dims if d.metric in scenario.scoring.gate]
    gated = bool(gate) and all(d.worse for d in gate)
    if gated:
        total = min(_weighted([d for d in dims if d.kind == "harm"]), total, HISTORY)
    return total, gated, dims


def _change_words(d: DimensionScore) -> str:
    """Return how a dimension changed against history, in words: '×7.2, +128,251', 'tripled, +1,204', '0.294 lower'."""
    unit = unit_of(d.metric)
    if unit == "stance":
        return f"{abs(d.difference):.3f} {'higher' if d.difference > 0 else 'lower'}"
    diff = fmt_metric(d.metric, d.difference, signed=True)
    if d.history <= 0:
        return diff
    ratio = d.you / d.history
    named = {"doubled": 2.0, "tripled": 3.0, "quadrupled": 4.0, "halved": 0.5}
    word = next((w for w, r in named.items() if abs(ratio - r) < 0.05 * r), None)
    return f"{word or f'×{ratio:.2g}'}, {diff}"


def reasons(dims: list[DimensionScore], total: float, gated: bool, limit: int = 2) -> list[str]:
    """Return one line per dimension that moved the verdict most, in words."""
    better = total > HISTORY
    movers = sorted(
        (d for d in dims if (d.points > 0) == better and d.points != 0), key=lambda d: -abs(d.weight * d.points)
    )
    lines = []
    for i, d in enumerate(movers[:limit]):
        role = "the main reason" if i == 0 else "another reason"
        side = "above" if better else "below"
        lines.append(
            f"{d.label}: {fmt_metric(d.metric, d.you)} against history's {fmt_metric(d.metric, d.history)} "
            f"({_change_words(d)}): {role} you scored {side} history."
        )
    if gated:
        lines.append(
            "More hostile posts and a worse reputation than history: the campaign goal cannot make up for them."
        )
    if not lines:
        lines.append("Every dimension is level with history.")
    return lines


def paired_score(scenario: Scenario, run: RunResult, history: RunResult) -> Score:
    """Score a run against the history run on the same seed and crowd."""
    if run.seed != history.seed or run.size != history.size:
        raise ValueError("a paired score needs the history run on the same seed and size")
    total, gated, dims = score_summaries(scenario, run.summary, history.summary, run.size)
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
        total=total,
        history_total=HISTORY,
        gated=gated,
        reasons=tuple(reasons(dims, total, gated)),
        stance_change_by_segment=by_segment,
    )
