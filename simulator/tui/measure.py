"""Key latency of the app while the engine computes (used by `backfire bench app`; tests never assert timings)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from textual import events

from simulator.tui.app import make_app
from simulator.tui.screens import PlayScreen
from simulator.tui.widgets import FeedView


def key_latency(size: int, presses: int) -> dict[str, Any]:
    """Return key-to-screen latencies while the engine computes the remaining turns of a crowd of `size`."""

    async def measure() -> dict[str, Any]:
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
