"""The crowd builder's matching loops: compiled C (`_matching.pyx`) when built, else numpy (in `graph.py`).

A 1,000,000-persona crowd matches about 22 million follow stubs. numpy's comparison sort of the
packed 64-bit keys took most of the build; the C loops make a radix sort (eight linear passes, fewer
when a byte is the same in every key) and then build each row in place from the matching, sorting
its few followers there, instead of a second sort of (followed, follower) pairs over the whole segment.
A sort has one answer and the rows come from the same matching, so the crowd is the same either way
(a test holds it). Like the engine's loops, the C runs when it was built and `BACKFIRE_KERNELS` is
not `numpy`.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import numpy as np


def _compiled() -> ModuleType | None:
    try:
        return importlib.import_module("simulator.audience._matching")
    except ImportError:  # not built (no compiler at install): numpy matches
        return None


_C = _compiled()
COMPILED = False  # True while the compiled loops run


def use(compiled: bool) -> bool:
    """Match with the compiled loops (if built) or numpy; return whether the compiled ones now run."""
    global COMPILED
    COMPILED = compiled and _C is not None
    return COMPILED


def sort_keys(keys: np.ndarray, spare: np.ndarray | None = None) -> np.ndarray:
    """Return `keys` (int64, non-negative, contiguous) sorted ascending: `keys` itself or a view of `spare`.

    `spare`, an int64 buffer at least as long as `keys`, is the radix sort's other buffer (one is
    allocated when none is given); the result may end in either, and the other is left scrambled.
    """
    if not (COMPILED and _C is not None) or len(keys) < 2:
        keys.sort()
        return keys
    if spare is None or len(spare) < len(keys):
        spare = np.empty(len(keys), np.int64)
    if _C.radix_sort(keys, spare):
        return spare[: len(keys)]
    return keys


def follower_rows(
    matched: np.ndarray,
    low: int,
    in_counts: np.ndarray,
    lo: int,
    hub_nodes: list[int],
    hub_followers: list[np.ndarray],
    out: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Compiled only: rows lo.. of the CSR from a segment's matching; return (followers, row starts).

    Row lo + i takes the followers (`matched & low`) of the next in_counts[i] matched stubs, and a hub
    also its `hub_followers`; each row is sorted, without self-follows or repeats. Row lo + 1 + i
    starts at `starts[i]` within the returned followers, which are written at the start of `out` (int32,
    room for every stub and hub follower; allocated when not given) and returned as a view of it.
    """
    assert _C is not None
    order = np.argsort(np.asarray(hub_nodes, np.int64), kind="stable")
    rows = np.asarray(hub_nodes, np.int64)[order]
    extra = [hub_followers[i].astype(np.int32, copy=False) for i in order]
    bounds = np.concatenate([[0], np.cumsum([len(f) for f in extra], dtype=np.int64)]).astype(np.int64)
    followers = np.concatenate(extra) if extra else np.zeros(0, np.int32)
    if out is None:
        out = np.empty(len(matched) + len(followers), np.int32)
    starts = np.empty(len(in_counts), np.int64)
    count = _C.follower_rows(
        matched,
        np.int64(low),
        in_counts.astype(np.int64, copy=False),
        np.int64(lo),
        rows,
        bounds,
        followers,
        out,
        starts,
    )
    return out[:count], starts


def move_down(buffer: np.ndarray, source: int, target: int, count: int) -> None:
    """Compiled only: move buffer[source:source + count] down to `target` (the two may overlap)."""
    assert _C is not None
    _C.move_down(buffer, source, target, count)


use(os.environ.get("BACKFIRE_KERNELS", "compiled") != "numpy")
