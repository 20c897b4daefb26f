"""Scenario checks every case must pass: its history meets its targets, it is winnable, every inject can fire.

(Validation, source ids and real-quote sources are checked when the file loads.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.scenario.schema import Scenario
from simulator.scoring.calibrate import calibration_table
from simulator.scoring.sweep import sweep


@dataclass(frozen=True)
class Check:
    """One check's outcome."""

    name: str
    passed: bool
    detail: str


def check_scenario(
    scenario: Scenario, seeds: list[int], size: int | None = None, required: float = 0.75, workers: int | None = None
) -> list[Check]:
    """Run history and every named strategy on `seeds`; return the checks."""
    names = ("history", *[s.id for s in scenario.strategies])
    results = sweep(scenario, seeds, names, size, workers)
    checks = []
    rows = calibration_table(scenario, results, required)
    failing = [
        f"{r['target']} (median {r['median']}, {r['share_meeting']:.0%} of seeds)" for r in rows if not r["passes"]
    ]
    checks.append(
        Check(
            "history meets its targets",
            not failing,
            "all targets met" if not failing else "not met: " + "; ".join(failing),
        )
    )
    history = np.array([r.totals["history"] for r in results])
    best, best_median = None, -np.inf
    for name in names[1:]:
        med = float(np.median([r.totals[name] for r in results]))
        if med > best_median:
            best, best_median = name, med
    winnable = best is not None and best_median > float(np.median(history))
    checks.append(
        Check(
            "winnable",
            winnable,
            f"best strategy {best!r}: median {best_median:.1f} vs history {float(np.median(history)):.1f}"
            if best
            else "no strategies besides history",
        )
    )
    fired = {i for r in results for s in r.summaries.values() for i in s["injects_fired"]}
    never = [i.id for i in scenario.injects if i.id not in fired]
    checks.append(
        Check(
            "every inject can fire",
            not never,
            "all fired on some strategy" if not never else f"never fired: {', '.join(never)}",
        )
    )
    return checks
