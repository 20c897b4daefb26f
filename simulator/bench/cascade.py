"""The vectorised cascade step's speed, and NDlib's on the same graph, seeds and edge probability."""

from __future__ import annotations

import statistics
import time

import numpy as np

NDLIB_EDGE_THRESHOLD = 0.1


def cascade_rate(audience, repeats: int = 5) -> dict:
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


def ndlib_compare(audience, cascades: int = 3) -> dict | None:
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
