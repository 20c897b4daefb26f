"""`backfire bench engine|app`: speed against the targets, measured, never asserted in tests."""

from __future__ import annotations

import os
import statistics
import time

import numpy as np

from simulator.errors import BackfireError
from simulator.output import fmt_int, fmt_num, fmt_seconds, table

NDLIB_EDGE_THRESHOLD = 0.1
ENGINE_TARGETS = {"default_run_seconds": 1.0, "million_run_seconds": 10.0, "ndlib_ratio": 500.0, "edges_per_second_per_core": 1e8 / 3}


def _engine_at(scenario, size: int, progress, label: str) -> dict:
    from simulator.audience import build_audience
    from simulator.engine import Game, strategy_plan

    audience = build_audience(scenario, 1, size)
    plan = strategy_plan(scenario, "history")
    game = Game(scenario, audience, 1, plan.opening)
    times = []
    started = time.perf_counter()
    while not game.over:
        t0 = time.perf_counter()
        game.play(plan.at(game.turn))
        times.append(time.perf_counter() - t0)
        progress(label, game.turn, game.sim.turns)
    total = time.perf_counter() - started
    return {
        "size": size,
        "edges": audience.graph.edges,
        "build_seconds": audience.build_seconds,
        "run_seconds": total,
        "turn_mean_seconds": statistics.fmean(times),
        "turn_max_seconds": max(times),
        "edges_touched": game.sim.edges_touched,
        "edges_touched_per_second": game.sim.edges_touched / total if total else 0.0,
        "audience": audience,
    }


def _cascade_rate(audience, repeats: int = 5) -> dict:
    """Edges per second of the vectorised cascade step on this graph (p = 0.1 on every edge, 200 seeds)."""
    from simulator.engine.cascade import independent_cascade

    g = audience.graph
    p = NDLIB_EDGE_THRESHOLD
    rng = np.random.default_rng(0)
    edges = secs = 0.0
    for r in range(repeats):
        seeds = rng.choice(g.size, 200, replace=False).astype(np.int32)
        t0 = time.perf_counter()
        _, _, touched = independent_cascade(g, seeds, p, np.random.default_rng(r))
        secs += time.perf_counter() - t0
        edges += touched
    return {"edges": edges, "seconds": secs, "edges_per_second": edges / secs if secs else 0.0}


def _ndlib_compare(audience, cascades: int = 3) -> dict | None:
    try:
        import ndlib.models.epidemics as ep
        import ndlib.models.ModelConfig as mc
    except ImportError:
        return None
    from simulator.engine.cascade import independent_cascade

    graph = audience.to_networkx()
    g = audience.graph
    p = NDLIB_EDGE_THRESHOLD  # NDlib fills this threshold on every edge that has none configured
    rng = np.random.default_rng(42)
    nd_times, np_times, nd_sizes, np_sizes = [], [], [], []
    for c in range(cascades):
        seeds = rng.choice(g.size, 100, replace=False).astype(np.int32)
        np.random.seed(c)  # NDlib draws from numpy's global generator
        model = ep.IndependentCascadesModel(graph, seed=c)
        config = mc.Configuration()
        config.add_model_initial_configuration("Infected", seeds.tolist())
        model.set_initial_status(config)
        t0 = time.perf_counter()
        while True:
            it = model.iteration(node_status=False)
            if it["iteration"] > 0 and it["status_delta"].get(1, 0) == 0 and it["node_count"].get(1, 0) == 0:
                break
        nd_times.append(time.perf_counter() - t0)
        nd_sizes.append(it["node_count"].get(2, 0))
        reps = 20
        t0 = time.perf_counter()
        for r in range(reps):
            active, _, _ = independent_cascade(g, seeds, p, np.random.default_rng(1000 * c + r))
        np_times.append((time.perf_counter() - t0) / reps)
        np_sizes.append(int(active.sum()))
    nd, mine = statistics.median(nd_times), statistics.median(np_times)
    return {
        "cascades": cascades,
        "ndlib_seconds": nd,
        "engine_seconds": mine,
        "ratio": nd / mine if mine else float("inf"),
        "ndlib_final_active_median": statistics.median(nd_sizes),
        "engine_final_active_median": statistics.median(np_sizes),
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
            cascade = {"size": size, **_cascade_rate(audience)}
            progress("NDlib comparison", 0, 1)
            ndlib = _ndlib_compare(audience)
            if ndlib is not None:
                ndlib["size"] = size
            progress("NDlib comparison", 1, 1)
        rows.append(row)
    default_row = next(r for r in rows if r["size"] == default)
    million = next((r for r in rows if r["size"] == 1_000_000), None)
    cores = os.cpu_count() or 1
    return {
        "what": "engine",
        "scenario": scenario.id,
        "cores": cores,
        "rows": rows,
        "default_size": default,
        "default_run_seconds": default_row["run_seconds"],
        "million_run_seconds": million["run_seconds"] if million else None,
        "cascade": cascade,
        "ndlib": ndlib,
        "targets": ENGINE_TARGETS,
        "checks": {
            "default_run_under_1s": default_row["run_seconds"] < ENGINE_TARGETS["default_run_seconds"],
            "million_run_under_10s": (million["run_seconds"] < ENGINE_TARGETS["million_run_seconds"]) if million else None,
            "ndlib_ratio_at_least_500": (ndlib["ratio"] >= ENGINE_TARGETS["ndlib_ratio"]) if ndlib else None,
            "cascade_edges_per_second_within_3x_of_1e8": (cascade["edges_per_second"] >= ENGINE_TARGETS["edges_per_second_per_core"]) if cascade else None,
        },
    }


def print_engine(out, r: dict) -> None:
    """Print the engine benchmark as tables."""
    rows = [
        [fmt_int(x["size"]), fmt_int(x["edges"]), fmt_seconds(x["build_seconds"]), fmt_seconds(x["run_seconds"]), fmt_seconds(x["turn_mean_seconds"]), fmt_seconds(x["turn_max_seconds"]), fmt_int(x["edges_touched"]), f"{x['edges_touched_per_second']:,.0f}"]
        for x in r["rows"]
    ]
    out.print(table(f"Full 24-hour history run ({r['scenario']}, {r['cores']} cores; crowd build not included in run time)", ["personas", "follows", "crowd build", "run", "turn mean", "turn max", "edges touched", "edges/s (whole step)"], rows, right={0, 1, 2, 3, 4, 5, 6, 7}))
    c = r["cascade"]
    if c:
        out.print(f"Cascade step at {fmt_int(c['size'])} personas: {fmt_int(c['edges'])} edges in {fmt_seconds(c['seconds'])} = {c['edges_per_second']:,.0f} edges/s (target ≥ {ENGINE_TARGETS['edges_per_second_per_core']:,.0f}, within 3× of 1e8 per core).")
    n = r["ndlib"]
    if n:
        out.print(f"NDlib IndependentCascadesModel vs the engine's cascade, {fmt_int(n['size'])} personas, same graph, seeds and edge probability ({NDLIB_EDGE_THRESHOLD}): NDlib {fmt_seconds(n['ndlib_seconds'])}, engine {fmt_seconds(n['engine_seconds'])} per cascade, ratio {fmt_num(n['ratio'], 0)}× (target ≥ 500×); final active median NDlib {fmt_num(n['ndlib_final_active_median'], 0)}, engine {fmt_num(n['engine_final_active_median'], 0)}.")
    else:
        out.print("NDlib is not installed: `pip install -e .[bench]` to compare.")
    checks = ", ".join(f"{k}: {'pass' if v else ('—' if v is None else 'FAIL')}" for k, v in r["checks"].items())
    out.print(f"Targets: {checks}")


