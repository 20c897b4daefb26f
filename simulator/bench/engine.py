"""`backfire bench engine`: full runs at each crowd size, the cascade step, and NDlib (measured here, never asserted in tests)."""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

from simulator.bench.cascade import cascade_rate, ndlib_compare
from simulator.formatting import fmt_int

ENGINE_TARGETS = {
    "default_engine_seconds": 0.15,
    "million_engine_seconds": 1.0,
    "compare_1000_seconds": 300.0,
    "ndlib_ratio": 500.0,
    "edges_per_second_per_core": 1e8 / 3,
}
COMPARE_SAMPLE = 4  # seeds timed to estimate `compare --runs 1000`


def _engine_at(scenario, size: int, progress, label: str) -> dict:
    from simulator.audience import build_audience
    from simulator.engine import Run, strategy_plan

    audience = build_audience(scenario, 1, size)
    plan = strategy_plan(scenario, "history")
    game = Run(scenario, audience, 1, plan.opening)
    # The feed's own time: text for the shown posts (grammar, style) and VADER on it. Every run makes
    # it (`--feed` only prints it), so this is the whole difference between a run with and without --feed.
    feed_time = [0.0]
    add_turn = game.feed.add_turn

    def timed_add_turn(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return add_turn(*args, **kwargs)
        finally:
            feed_time[0] += time.perf_counter() - t0

    game.feed.add_turn = timed_add_turn  # type: ignore[method-assign]
    times = []
    started = time.perf_counter()
    while not game.over:
        t0 = time.perf_counter()
        game.play(plan.at(game.turn))
        times.append(time.perf_counter() - t0)
        progress(label, game.turn, scenario.clock.turns)
    total = time.perf_counter() - started
    parts = dict(game.sim.timings)
    engine = sum(parts.values())
    events = sum(int(t["volume"]) for t in game.metrics.turns)
    return {
        "engine_seconds": engine,
        "engine_parts": parts,  # exposure, attention (and stance), posts, replies, records
        "metrics_seconds": max(total - engine - feed_time[0], 0.0),
        "events": events,
        "seconds_per_1000_events": 1000 * engine / events if events else None,
        "edges_touched_per_engine_second": game.edges_touched / engine if engine else 0.0,
        "size": size,
        "edges": audience.graph.edges,
        "build_seconds": audience.build_seconds,
        "run_seconds": total,
        "feed_seconds": feed_time[0],
        "turn_mean_seconds": statistics.fmean(times),
        "turn_max_seconds": max(times),
        "edges_touched": game.edges_touched,
        "edges_touched_per_second": game.edges_touched / total if total else 0.0,
        "audience": audience,
    }


def _compare_estimate(scenario, progress) -> dict:
    """Time `compare` over every named strategy on a few seeds (workers as the command uses); scale to 1,000 seeds."""
    from simulator.scoring.sweep import default_workers, sweep

    names = ("history", *(s.id for s in scenario.strategies))
    seeds = list(range(COMPARE_SAMPLE * default_workers()))
    progress("compare estimate", 0, 1)
    t0 = time.perf_counter()
    sweep(scenario, seeds, names, None, None)
    seconds = time.perf_counter() - t0
    progress("compare estimate", 1, 1)
    return {
        "seeds_timed": len(seeds),
        "strategies": len(names),
        "workers": default_workers(),
        "seconds": seconds,
        "estimate_seconds": seconds / len(seeds) * 1000,
    }


def bench_engine(scenario_name: str, sizes: list[int], progress) -> dict:
    """Time runs at each size, the default-size run, the cascade step, and NDlib when installed."""
    from simulator.scenario import resolve

    scenario = resolve(scenario_name).scenario
    rows = []
    default = scenario.audience.size
    plan_sizes = sorted(set(sizes) | {default})
    cascade = ndlib = None
    for size in plan_sizes:
        row = _engine_at(scenario, size, progress, f"history run, {fmt_int(size)} personas")
        audience = row.pop("audience")
        if size == 100_000 or (cascade is None and size == plan_sizes[0]):
            cascade = {"size": size, **cascade_rate(audience)}
            progress("NDlib comparison", 0, 1)
            ndlib = ndlib_compare(audience)
            if ndlib is not None:
                ndlib["size"] = size
            progress("NDlib comparison", 1, 1)
        rows.append(row)
    default_row = next(r for r in rows if r["size"] == default)
    million = next((r for r in rows if r["size"] == 1_000_000), None)
    cores = os.cpu_count() or 1
    compare = _compare_estimate(scenario, progress)
    return {
        "what": "engine",
        "scenario": scenario.id,
        "cores": cores,
        "turns": scenario.clock.turns,
        "rows": rows,
        "default_size": default,
        "default_run_seconds": default_row["run_seconds"],
        "default_engine_seconds": default_row["engine_seconds"],
        "million_run_seconds": million["run_seconds"] if million else None,
        "million_engine_seconds": million["engine_seconds"] if million else None,
        "compare": compare,
        "cascade": cascade,
        "ndlib": ndlib,
        "targets": ENGINE_TARGETS,
        "checks": {
            "default_engine_at_most_0.15s": default_row["engine_seconds"] <= ENGINE_TARGETS["default_engine_seconds"],
            "million_engine_at_most_1s": (million["engine_seconds"] <= ENGINE_TARGETS["million_engine_seconds"])
            if million
            else None,
            "compare_1000_runs_at_most_5min": compare["estimate_seconds"] <= ENGINE_TARGETS["compare_1000_seconds"],
            "ndlib_ratio_at_least_500": (ndlib["ratio"] >= ENGINE_TARGETS["ndlib_ratio"]) if ndlib else None,
            "cascade_edges_per_second_within_3x_of_1e8": (
                cascade["edges_per_second"] >= ENGINE_TARGETS["edges_per_second_per_core"]
            )
            if cascade
            else None,
        },
    }
