"""Exposure: who saw what this turn, gathered along the follower graph's CSR rows plus broadcasts.

The draws (who comes across the tag, who is reached by a broadcast) are made here; the walk along the
graph and the sums per persona are one pass in `kernels.exposure`.

Every random draw is the run's engine generator's, in a fixed order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.audience import Audience
from simulator.engine import kernels
from simulator.engine.params import EngineParams
from simulator.engine.state import BrandPost, EngineState


class Scratch:
    """Work arrays over N personas, reused every turn (their contents between calls do not matter)."""

    def __init__(self, size: int, brand_followers: np.ndarray):
        """Arrays for a crowd of `size`; `brand_followers` are the personas who follow the brand."""
        self.mark = np.zeros(size, bool)
        self.bits = kernels.mark_bits(size)
        self.split = np.zeros(1, np.int64)
        self.slot = np.zeros(size, np.int32)
        self.brand_follower = np.zeros(size, bool)
        self.brand_follower[brand_followers] = True


@dataclass(frozen=True)
class Exposure:
    """Who was touched this turn and by what: one row per touched persona."""

    touched: np.ndarray  # int32 sorted persona ids
    by_kind: np.ndarray  # float[T, K]: weighted exposure to each kind of post
    brand: np.ndarray  # float[T]: saw the brand's new post
    tag: np.ndarray  # float[T]: came across the tag itself (discovery, promotion)
    edges: int  # follower edges walked
    total: np.ndarray  # float[T]: each touched persona's total exposure


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
    # Posters whose followers see their post: last turn's posters, then inject hubs.
    posters: list[np.ndarray] = []
    post_kinds: list[np.ndarray] = []
    # Targets reached otherwise, each with its weight and column.
    targets: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    kinds: list[np.ndarray] = []
    if st.last_posts is not None and len(st.last_posts[0]):
        posters.append(st.last_posts[0])
        post_kinds.append(st.last_posts[1])
        mix = np.bincount(st.last_posts[1], minlength=k).astype(float)
        mix /= mix.sum()
    else:
        mix = None
    for hub, kind in st.hub_posts:
        posters.append(np.array([hub], np.int32))
        post_kinds.append(np.array([kind], np.int8))
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
    if brand_post is not None:
        reach = audience.graph.brand_followers
        on_tag = state.attention.sample_active(params.rates.brand_post_reach, rng)
        if len(on_tag):
            reach = np.concatenate([reach, on_tag[~scratch.brand_follower[on_tag]]])
        targets.append(reach)
        weights.append(np.ones(len(reach)))
        kinds.append(np.full(len(reach), k, np.int8))  # column k = brand
    if posters:
        who_posted = np.concatenate(posters).astype(np.int32, copy=False)
        kind_posted = np.concatenate(post_kinds).astype(np.int8, copy=False)
    else:
        who_posted, kind_posted = np.zeros(0, np.int32), np.zeros(0, np.int8)
    touched, exp, total, edges = kernels.exposure(
        audience.graph.indptr,
        audience.graph.indices,
        who_posted,
        appeal[kind_posted] * spread[kind_posted],
        kind_posted,
        np.concatenate(targets).astype(np.int32, copy=False) if targets else np.zeros(0, np.int32),
        np.concatenate(weights) if weights else np.zeros(0),
        np.concatenate(kinds).astype(np.int8, copy=False) if kinds else np.zeros(0, np.int8),
        scratch.mark,
        scratch.slot,
        k + 2,  # each target's column: its post's kind, k for the brand post, k + 1 for the tag
        scratch.bits,
        scratch.split,
    )
    return Exposure(touched, exp[:, :k], exp[:, k], exp[:, k + 1], int(edges), total)
