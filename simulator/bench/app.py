"""`backfire bench app`: time to first frame, and key latency while the engine computes."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

FIRST_FRAME_ENV = "BACKFIRE_EXIT_ON_FIRST_FRAME"


def first_frame_seconds(scenario: str, repeats: int = 5) -> list[float]:
    """Seconds from starting `python -m simulator play` to its first rendered frame, in fresh processes."""
    times = []
    for _ in range(repeats):
        wall0 = time.time()
        proc = subprocess.run(
            [sys.executable, "-m", "simulator", "play", scenario],
            capture_output=True,
            text=True,
            env={**os.environ, FIRST_FRAME_ENV: "1"},
            timeout=60,
        )
        if proc.returncode != 0 or "first-frame" not in proc.stdout:
            raise RuntimeError(f"first-frame run failed: {proc.stderr.strip()[-500:]}")
        # The child prints the wall-clock time of its first painted frame; we started it at `wall0`.
        child = json.loads(proc.stdout.strip().splitlines()[-1])
        times.append(child["first-frame"] - wall0)
    return times


def bench_app(scenario: str) -> dict:
    """Return first-frame times and key latencies against the targets."""
    frames = first_frame_seconds(scenario)
    from simulator.tui.measure import key_latency  # the app's own measurement, run in this process

    keys = key_latency(1_000_000, 30)
    lat = keys["latencies"]
    return {
        "what": "app",
        "scenario": scenario,
        "first_frame_seconds": frames,
        "first_frame_median": statistics.median(frames),
        "key_latency_size": keys["size"],
        "key_presses_while_computing": keys["presses_while_computing"],
        "key_latency_median": statistics.median(lat) if lat else None,
        "key_latency_max": max(lat) if lat else None,
        "targets": {"first_frame_seconds": 0.5, "key_latency_seconds": 0.05},
        "checks": {
            "first_frame_under_0_5s": statistics.median(frames) < 0.5,
            "key_latency_under_50ms": (statistics.median(lat) < 0.05) if lat else None,
        },
    }
