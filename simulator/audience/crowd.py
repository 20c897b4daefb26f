"""The crowd: personas as arrays over N, on a follower graph, from a scenario and a seed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from simulator.audience.graph import (
    NETWORKX_MAX,
    FollowerGraph,
    GraphSpec,
    Progress,
    build_networkx,
    build_numpy,
    build_numpy_v1,
)
from simulator.audience.names import Identity, home_city, identity
from simulator.errors import BackfireError
from simulator.scenario.schema import Scenario
from simulator.seeds import seed_streams

MAX_SIZE = 20_000_000


@dataclass(frozen=True)
class Audience:
    """Personas (arrays over N, contiguous by segment) and their follower graph."""

    seed: int
    segment_ids: tuple[str, ...]
    segment_labels: tuple[str, ...]
    name_styles: tuple[str, ...]
    name_patterns: tuple[tuple[str, ...], ...]  # per segment; empty: built-in for its style
    bio_patterns: tuple[tuple[str, ...], ...]
    places: tuple[str, ...]  # city names for text; empty: large US cities
    seg_start: np.ndarray  # int64, S+1
    segment: np.ndarray  # int16, N
    stance: np.ndarray  # float32, N: starting stance, -1..1
    activity: np.ndarray  # float32, N: posts per hour when engaged
    graph: FollowerGraph
    hubs: dict[str, int]  # hub id -> persona index
    hub_handles: dict[int, tuple[str, str]]  # persona index -> (handle, display name)
    build_seconds: float
    _networkx: object = field(default=None, repr=False, compare=False)

    @property
    def size(self) -> int:
        """Number of personas."""
        return int(self.segment.shape[0])

    def segment_of(self, index: int) -> str:
        """Return the segment id of a persona."""
        return self.segment_ids[int(self.segment[index])]

    def identity(self, index: int) -> Identity:
        """Return the persona's handle, display name and bio (made on demand, same every time)."""
        seg = int(self.segment[index])
        ident = identity(
            self.seed, int(index), self.name_styles[seg], self.name_patterns[seg], self.bio_patterns[seg], self.places
        )
        if index in self.hub_handles:
            handle, name = self.hub_handles[index]
            return Identity(handle, name, ident.bio)
        return ident

    def city_of(self, index: int) -> str:
        """Return the persona's home city (the one in its bio, and in its name if the name has one)."""
        return home_city(self.seed, int(index), self.places)

    def to_networkx(self, sample: int | None = None):
        """Return the follower graph as a networkx.DiGraph (whole, or an induced random sample)."""
        if sample is None and self._networkx is not None:
            return self._networkx
        return self.graph.to_networkx(
            sample=sample, seed=self.seed, segments=self.segment, segment_ids=list(self.segment_ids)
        )


def _check(scenario: Scenario, size: int) -> None:
    if size <= 0:
        raise BackfireError(f"audience size must be a positive number of personas, got {size:,}")
    if size > MAX_SIZE:
        raise BackfireError(f"audience size {size:,} is above the limit of {MAX_SIZE:,} personas")
    segs = scenario.audience.segments
    for seg in segs:
        members = int(round(seg.share * size))
        if seg.share > 0 and members < 1:
            raise BackfireError(
                f"audience.segments.{seg.id}.share: {seg.share} of {size:,} personas is less than one persona; use a larger --size"
            )
    sizes = _segment_sizes([s.share for s in segs], size)
    index = {s.id: i for i, s in enumerate(segs)}
    for b, seg in enumerate(segs):
        for target, rate in seg.follows.items():
            a = index[target]
            possible = int(sizes[a]) - (1 if a == b else 0)
            wanted = seg.following * rate
            if rate > 0 and wanted > possible:
                raise BackfireError(
                    f"audience.segments.{seg.id}.follows.{target}: members follow {wanted:,.1f} accounts in "
                    f"{target!r} on average, but it has only {max(possible, 0):,} personas at size {size:,}; "
                    "lower the rate or `following`, or use a larger --size"
                )
    for hub in scenario.audience.hubs:
        seg = next(s for s in segs if s.id == hub.segment)
        if int(round(seg.share * size)) <= sum(1 for h in scenario.audience.hubs if h.segment == hub.segment):
            raise BackfireError(
                f"audience.hubs.{hub.id}: segment {hub.segment!r} has too few personas at size {size:,} for its hubs"
            )


def _segment_sizes(shares: list[float], size: int) -> np.ndarray:
    """Largest-remainder rounding: sizes sum exactly to `size`."""
    raw = np.array(shares) * size
    base = np.floor(raw).astype(np.int64)
    short = size - int(base.sum())
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:short]] += 1
    return base


def spec_from(scenario: Scenario, size: int) -> GraphSpec:
    """Return the graph model's arrays for this scenario at this size."""
    ids = scenario.segment_ids()
    index = {s: i for i, s in enumerate(ids)}
    segs = scenario.audience.segments
    sizes = _segment_sizes([s.share for s in segs], size)
    seg_start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    follows = np.zeros((len(ids), len(ids)))
    for b, seg in enumerate(segs):
        for target, share in seg.follows.items():
            follows[b, index[target]] = share
        follows[b] /= follows[b].sum()
    hubs = []
    for hub in scenario.audience.hubs:
        shares = np.zeros(len(ids))
        for s, share in hub.followers.items():
            shares[index[s]] = share
        hubs.append((index[hub.segment], shares))
    brand = np.zeros(len(ids))
    for s, share in scenario.brand.followers.items():
        brand[index[s]] = share
    return GraphSpec(
        seg_start=seg_start,
        following_mean=np.array([s.following for s in segs], dtype=np.float64),
        popularity=np.array([s.popularity for s in segs], dtype=np.float64),
        follows=follows,
        hubs=hubs,
        brand=brand,
    )


def build_audience(
    scenario: Scenario,
    seed: int,
    size: int | None = None,
    method: str = "auto",
    progress: Progress | None = None,
    engine: int | None = None,
) -> Audience:
    """Build the crowd for a scenario: same scenario, seed, size and method → identical arrays.

    `engine=1` builds a numpy crowd with the first builder, so a game saved on engine 1 meets its own crowd again.
    """
    size = scenario.audience.size if size is None else int(size)
    _check(scenario, size)
    if method not in ("auto", "numpy", "networkx"):
        raise BackfireError(f"unknown graph method {method!r}; expected auto, numpy or networkx")
    if method == "auto":
        method = "networkx" if size <= NETWORKX_MAX else "numpy"
    started = time.perf_counter()
    rng = seed_streams(seed)["audience"]
    spec = spec_from(scenario, size)
    segs = scenario.audience.segments
    segment = np.repeat(np.arange(len(segs), dtype=np.int16), np.diff(spec.seg_start))
    stance = np.empty(size, dtype=np.float32)
    activity = np.empty(size, dtype=np.float32)
    for s, seg in enumerate(segs):
        lo, hi = int(spec.seg_start[s]), int(spec.seg_start[s + 1])
        stance[lo:hi] = np.clip(rng.normal(seg.stance.mean, seg.stance.sd, hi - lo), -1, 1)
        cv = seg.activity.sd / seg.activity.mean if seg.activity.mean > 0 else 0.0
        sigma = float(np.sqrt(np.log1p(cv * cv)))
        activity[lo:hi] = seg.activity.mean * np.exp(rng.normal(-sigma * sigma / 2, sigma, hi - lo))
    nx_graph = None
    if method == "networkx":
        graph, hub_nodes, nx_graph = build_networkx(spec, rng, progress)
        for n in nx_graph.nodes:
            nx_graph.nodes[n]["segment"] = segs[int(segment[n])].id
    elif engine == 1:
        graph, hub_nodes = build_numpy_v1(spec, rng, progress)
    else:
        graph, hub_nodes = build_numpy(spec, rng, progress)
    hubs = {h.id: node for h, node in zip(scenario.audience.hubs, hub_nodes, strict=False)}
    hub_handles = {node: (h.handle, h.name) for h, node in zip(scenario.audience.hubs, hub_nodes, strict=False)}
    return Audience(
        seed=seed,
        segment_ids=tuple(scenario.segment_ids()),
        segment_labels=tuple(s.label for s in segs),
        name_styles=tuple(s.voice_names for s in segs),
        name_patterns=tuple(tuple(s.names) for s in segs),
        bio_patterns=tuple(tuple(s.bios) for s in segs),
        places=tuple(scenario.audience.places),
        seg_start=spec.seg_start,
        segment=segment,
        stance=stance,
        activity=activity,
        graph=graph,
        hubs=hubs,
        hub_handles=hub_handles,
        build_seconds=time.perf_counter() - started,
        _networkx=nx_graph,
    )
