"""An independent cascade on the follower graph, vectorised (for benchmarks against NDlib).

Each newly active persona gets one chance to activate each follower with
probability p; cost is the edges leaving the frontier, not the graph.
"""

from __future__ import annotations

import numpy as np

from simulator.audience.graph import FollowerGraph


def cascade_step(
    graph: FollowerGraph, frontier: np.ndarray, active: np.ndarray, p: float | np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, int]:
    """Return (newly activated personas, edges touched) for one step from `frontier` (active is a bool mask, updated).

    `p` is one probability for every edge, or an array giving each source persona's probability.
    """
    starts = graph.indptr[frontier]
    lens = graph.indptr[frontier + 1] - starts
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, np.int32), 0
    if isinstance(p, np.ndarray):
        offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
        targets = graph.indices[offsets + np.arange(total, dtype=np.int64)]
        tried = targets[rng.random(total) < np.repeat(p[frontier], lens)]
    else:
        tried = graph.indices[_skip_sample(starts, lens, total, p, rng)]
    hit = tried[~active[tried]]
    if len(hit) == 0:
        return np.zeros(0, np.int32), total
    hit.sort()
    new = hit[np.concatenate([[True], hit[1:] != hit[:-1]])]  # each persona activates once
    active[new] = True
    return new.astype(np.int32, copy=False), total


def _skip_sample(starts: np.ndarray, lens: np.ndarray, total: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """Edge positions that succeed, each edge independently with probability p.

    Geometric gaps between successes give exactly a Bernoulli(p) process over the
    frontier's edges with about p·total draws instead of total.
    """
    if p <= 0:
        return np.zeros(0, np.int64)
    if p >= 1:
        offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
        return offsets + np.arange(total, dtype=np.int64)
    chunks = []
    last = -1
    while True:
        gaps = rng.geometric(p, size=int(total * p * 1.1) + 16)
        pos = last + np.cumsum(gaps)
        inside = pos[pos < total]
        chunks.append(inside)
        if len(inside) < len(pos):
            break
        last = int(pos[-1])
    pos = np.concatenate(chunks)
    ends = np.cumsum(lens)
    src = np.searchsorted(ends, pos, side="right")
    edges: np.ndarray = starts[src] + (pos - (ends[src] - lens[src]))
    return edges


def independent_cascade(
    graph: FollowerGraph, seeds: np.ndarray, p: float | np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, int, int]:
    """Run to the end; return (active mask, steps, edges touched)."""
    active = np.zeros(graph.size, dtype=bool)
    active[seeds] = True
    frontier = np.asarray(seeds, dtype=np.int32)
    steps = touched = 0
    while len(frontier):
        frontier, edges = cascade_step(graph, frontier, active, p, rng)
        touched += edges
        steps += 1
    return active, steps, touched
