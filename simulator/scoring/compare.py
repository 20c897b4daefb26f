"""Strategy comparison over many crowds: score distributions and win rates against history."""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.scoring.sweep import SeedResult


def comparison_table(strategies: tuple[str, ...], results: list[SeedResult]) -> list[dict[str, Any]]:
    """Return one row per strategy, ranked by median score: median, 5-95%, win rate against history."""
    rows: list[dict[str, Any]] = []
    for name in strategies:
        totals = np.array([r.totals[name] for r in results])
        history = np.array([r.totals["history"] for r in results])
        hostile = np.array([r.summaries[name]["hostile_total"] for r in results], dtype=float)
        rows.append(
            {
                "strategy": name,
                "median": float(np.median(totals)),
                "p5": float(np.percentile(totals, 5)),
                "p95": float(np.percentile(totals, 95)),
                "mean": float(np.mean(totals)),
                "win_rate": float(np.mean(totals > history)) if name != "history" else None,
                "hostile_median": float(np.median(hostile)),
                "seeds": len(results),
            }
        )
    rows.sort(key=lambda r: -float(r["median"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows
