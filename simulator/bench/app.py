"""`backfire bench app`: time to first frame, and key latency while the engine computes."""

from __future__ import annotations

import asyncio
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


def _key_latency(size: int, presses: int) -> dict:
    from textual import events

    from simulator.tui.app import make_app
    from simulator.tui.screens import PlayScreen
    from simulator.tui.widgets import FeedView

    async def measure() -> dict:
        app = make_app("askjpm", seed=1, size=size)
        latencies = []
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.press("s")
            await pilot.pause()
            for _ in range(2):
                await pilot.press("w")
                await app.workers.wait_for_complete()
                await pilot.pause()
            screen = app.screen
            assert isinstance(screen, PlayScreen)
            feed = screen.query_one(FeedView)
            busy_presses = 0
            await pilot.press("f")  # the engine now computes every remaining turn in its worker
            for i in range(presses):
                if not screen.busy:
                    break
                before = feed.index
                key = "down" if i % 2 == 0 else "up"
                # Deliver the key as the terminal driver does (pilot.press waits for idle,
                # which would wait on the engine), then time until the highlight moves and
                # the screen has repainted.
                t0 = time.perf_counter()
                app.post_message(events.Key(key, None))
                while feed.index == before and time.perf_counter() - t0 < 5:
                    await asyncio.sleep(0.0005)
                painted = asyncio.Event()
                app.call_after_refresh(painted.set)
                await painted.wait()
                latencies.append(time.perf_counter() - t0)
                busy_presses += 1
                await asyncio.sleep(0.05)
            await app.workers.wait_for_complete()
        return {"size": size, "presses_while_computing": busy_presses, "latencies": latencies}

    return asyncio.run(measure())


def bench_app(scenario: str) -> dict:
    """Return first-frame times and key latencies against the targets."""
    frames = first_frame_seconds(scenario)
    keys = _key_latency(1_000_000, 30)
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
