"""Calibration: does the historical replay land within the documented targets, over many seeds?"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.formatting import fmt_clock
from simulator.scenario.metrics import WINDOWED_SERIES
from simulator.scenario.schema import Bound, Scenario, Target
from simulator.scoring.sweep import SeedResult

REQUIRED_SHARE = 0.8  # "most seeds": a target passes when at least this share of seeds meets it


def meets(value: float | None, bound: Bound) -> bool:
    """True when value lies within the bound (None never does)."""
    if value is None:
        return False
    if bound.min is not None and value < bound.min:
        return False
    return not (bound.max is not None and value > bound.max)


def target_value(scenario: Scenario, target: Target, summary: dict[str, Any]) -> float | None:
    """The value a target reads from a run's summary (counted from `since` up to `until` when given)."""
    if target.until is None and target.since is None:
        value = summary.get(target.metric)
        return None if value is None else float(value)
    series = summary[WINDOWED_SERIES[target.metric]]
    step = scenario.clock.turn_minutes
    first = 0 if target.since is None else int(target.since // step)
    last = len(series) if target.until is None else int(target.until // step)
    return float(sum(series[first:last]))


def window_label(target: Target) -> str:
    """' from 2h00 until 3h00' for a windowed target, '' otherwise."""

    return (f" from {fmt_clock(target.since)}" if target.since is not None else "") + (
        f" until {fmt_clock(target.until)}" if target.until is not None else ""
    )


def calibration_table(
    scenario: Scenario, results: list[SeedResult], required: float = REQUIRED_SHARE
) -> list[dict[str, Any]]:
    """Return one row per target: bound, source, median, 5-95% band, share of seeds meeting it, pass."""
    rows = []
    for target in scenario.targets:
        values = [target_value(scenario, target, r.summaries["history"]) for r in results]
        present = np.array([v for v in values if v is not None], dtype=np.float64)
        share = float(np.mean([meets(v, target.bound) for v in values])) if values else 0.0
        source = scenario.source(target.source)
        rows.append(
            {
                "target": target.id,
                "label": target.label,
                "metric": target.metric + window_label(target),
                "min": target.bound.min,
                "max": target.bound.max,
                "source": target.source,
                "source_title": source.title,
                "quote": target.quote,
                "paraphrase": target.paraphrase,
                "median": float(np.median(present)) if len(present) else None,
                "p5": float(np.percentile(present, 5)) if len(present) else None,
                "p95": float(np.percentile(present, 95)) if len(present) else None,
                "share_meeting": share,
                "required_share": required,
                "passes": share >= required,
            }
        )
    return rows
