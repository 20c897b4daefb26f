"""Exposure: who saw what this turn, gathered along the follower graph's CSR rows plus broadcasts.

Every random draw is the run's engine generator's, in a fixed order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.audience import Audience
from simulator.engine.params import EngineParams
from simulator.engine.state import BrandPost, EngineState

SORT_FRACTION = 1 / 64  # gathers smaller than this share of N find their unique targets by sorting


class Scratch:
    """Work arrays over N personas, reused every turn (their contents between calls do not matter)."""

    def __init__(self, size: int, brand_followers: np.ndarray):
        """Arrays for a crowd of `size`; `brand_followers` are the personas who follow the brand."""
        self.mark = np.zeros(size, bool)
        self.slot = np.zeros(size, np.int64)
        self.brand_follower = np.zeros(size, bool)
        self.brand_follower[brand_followers] = True

    def unique(self, targets: np.ndarray) -> np.ndarray:
        """Return the distinct targets, sorted: by sorting when few, by a mark over N when many."""
        n = len(self.mark)
        if len(targets) < SORT_FRACTION * n:
            return np.unique(targets).astype(np.int32, copy=False)
        self.mark[targets] = True
        found = np.flatnonzero(self.mark).astype(np.int32)
        self.mark[found] = False
        return found


@dataclass(frozen=True)
class Exposure:
    """Who was touched this turn and by what: one row per touched persona."""

    touched: np.ndarray  # int32 sorted persona ids
    by_kind: np.ndarray  # float[T, K]: weighted exposure to each kind of post
    brand: np.ndarray  # float[T]: saw the brand's new post
    tag: np.ndarray  # float[T]: came across the tag itself (discovery, promotion)
    edges: int  # follower edges walked

    @property
    def total(self) -> np.ndarray:
        """Return each touched persona's total exposure."""
        total: np.ndarray = self.by_kind @ np.ones(self.by_kind.shape[1]) + self.brand + self.tag
        return total


def gather(
    audience: Audience, posters: np.ndarray, weights: np.ndarray, kinds: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Return the followers of each poster, with the post's weight and kind (one row per edge), and the edge count."""
    g = audience.graph
    starts = g.indptr[posters]
    lens = g.indptr[posters + 1] - starts
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, np.int32), np.zeros(0), np.zeros(0, np.int8), 0
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
    positions = offsets + np.arange(total, dtype=np.int64)
    return g.indices[positions], np.repeat(weights, lens), np.repeat(kinds, lens), total


def expose(
    params: EngineParams,
    state: EngineState,
    audience: Audience,
    rng: np.random.Generator,
    trend_share: float,
    spread: np.ndarray,
    brand_post: BrandPost | None,
    promoted_share: float,
    scratch: Scratch,
) -> Exposure:
    """Return this turn's exposure: last turn's posts along the graph, inject posts, trending, promotion, discovery and the brand's post."""
    st, n, k = state, audience.size, params.k
    appeal = params.appeal
    targets: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    kinds: list[np.ndarray] = []
    edges = 0
    if st.last_posts is not None and len(st.last_posts[0]):
        posters, pk = st.last_posts
        t, w, kk, e = gather(audience, posters, appeal[pk] * spread[pk], pk)
        targets.append(t)
        weights.append(w)
        kinds.append(kk)
        edges += e
        mix = np.bincount(pk, minlength=k).astype(float)
        mix /= mix.sum()
    else:
        mix = None
    for hub, kind in st.hub_posts:
        t, w, kk, e = gather(
            audience, np.array([hub], np.int32), np.array([appeal[kind] * spread[kind]]), np.array([kind], np.int8)
        )
        targets.append(t)
        weights.append(w)
        kinds.append(kk)
        edges += e
    for kind, shares in st.broadcasts:
        for s, share in shares.items():
            lo, hi = int(audience.seg_start[s]), int(audience.seg_start[s + 1])
            count = rng.binomial(hi - lo, share)
            targets.append(rng.integers(lo, hi, count).astype(np.int32))
            weights.append(np.full(count, appeal[kind] * spread[kind]))
            kinds.append(np.full(count, kind, np.int8))
    st.hub_posts, st.broadcasts = [], []
    if trend_share > 0 and mix is not None:
        count = rng.binomial(n, min(trend_share, 1.0))
        who = rng.integers(0, n, count).astype(np.int32)
        kind_draw = np.searchsorted(np.cumsum(mix), rng.random(count) * (1 - 1e-12), side="right").astype(np.int8)
        targets.append(who)
        weights.append(appeal[kind_draw] * spread[kind_draw])
        kinds.append(kind_draw)
    if promoted_share > 0:
        # A paid placement shows the tag itself (not any post on it) to a share of the crowd.
        count = rng.binomial(n, promoted_share)
        targets.append(rng.integers(0, n, count).astype(np.int32))
        weights.append(np.ones(count))
        kinds.append(np.full(count, k + 1, np.int8))  # column k + 1 = the tag itself
    discovery = rng.binomial(n, min(params.rates.spontaneous * params.dt_hours, 1.0))
    if discovery:
        who = rng.integers(0, n, discovery).astype(np.int32)
        targets.append(who)
        weights.append(np.ones(discovery))
        kinds.append(np.full(discovery, k + 1, np.int8))  # the tag itself
    brand_targets = None
    if brand_post is not None:
        reach = audience.graph.brand_followers
        on_tag = state.attention.sample_active(params.rates.brand_post_reach, rng)
        if len(on_tag):
            reach = np.concatenate([reach, on_tag[~scratch.brand_follower[on_tag]]])
        brand_targets = reach
    nothing = Exposure(np.zeros(0, np.int32), np.zeros((0, k)), np.zeros(0), np.zeros(0), edges)
    if not targets and brand_targets is None:
        return nothing
    if brand_targets is not None:
        targets.append(brand_targets)
        weights.append(np.ones(len(brand_targets)))
        kinds.append(np.full(len(brand_targets), k, np.int8))  # column k = brand
    t_all = np.concatenate(targets)
    if len(t_all) == 0:
        return nothing
    w_all = np.concatenate(weights)
    col = np.concatenate(kinds)  # each target's column: its post's kind, k for the brand post, k + 1 for the tag
    cols = k + 2
    touched = scratch.unique(t_all)
    scratch.slot[touched] = np.arange(len(touched))
    row = scratch.slot[t_all]
    exp = np.bincount(row * cols + col, weights=w_all, minlength=len(touched) * cols).reshape(len(touched), cols)
    return Exposure(touched, exp[:, :k], exp[:, k], exp[:, k + 1], edges)
