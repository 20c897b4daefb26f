"""`backfire bench audience`: build each crowd size in a fresh process; time and peak memory against the targets."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from simulator.errors import BackfireError

# (seconds, peak bytes) of a build in a fresh process: 100,000 in a second and a half; 1,000,000 as fast
# (the engine-speed issue), within 2 GB.
AUDIENCE_TARGETS: dict[int, tuple[float, float | None]] = {100_000: (1.5, None), 1_000_000: (1.5, 2e9)}


def peak_rss_bytes() -> int:
    """Return the peak resident memory of this process so far (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def child_json(args: list[str]) -> dict[str, Any]:
    """Run `python -m simulator ARGS --json` in a fresh process; return its JSON."""
    proc = subprocess.run(
        [sys.executable, "-m", "simulator", *args, "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    if proc.returncode != 0:
        raise BackfireError(f"benchmark child failed: {' '.join(args)}\n{proc.stderr.strip()}")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def bench_audience(
    scenario: str, sizes: list[int], methods: bool, progress: Callable[[str, float, float], None]
) -> dict[str, Any]:
    """Build each size in a fresh process; return times, memory and pass/fail against the targets."""
    rows = []
    plan = [(n, "numpy") for n in sizes]
    if methods:
        plan += [(n, "networkx") for n in (1_000, 2_000, 5_000)] + [(n, "numpy") for n in (1_000, 2_000, 5_000)]
    for i, (n, method) in enumerate(plan):
        progress("building crowds", i, len(plan))
        data = child_json(["audience", scenario, "--size", str(n), "--method", method])
        target_s, target_mem = AUDIENCE_TARGETS.get(n, (None, None)) if method == "numpy" else (None, None)
        ok = None
        if target_s is not None:
            ok = data["build_seconds"] <= target_s and (target_mem is None or data["peak_memory_bytes"] <= target_mem)
        rows.append(
            {
                "size": n,
                "method": method,
                "edges": data["edges"],
                "build_seconds": data["build_seconds"],
                "peak_memory_bytes": data["peak_memory_bytes"],
                "target_seconds": target_s,
                "target_memory_bytes": target_mem,
                "meets_target": ok,
            }
        )
    progress("building crowds", len(plan), len(plan))
    return {"what": "audience", "scenario": scenario, "cores": os.cpu_count(), "rows": rows}
