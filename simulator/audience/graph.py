"""The follower graph: edge u→v means v follows u, so u's posts reach v.

Stored as CSR arrays (row u lists u's followers), which is what the engine uses.
Two builders share one model and differ only in how stubs are matched:

- `networkx`: `networkx.bipartite.configuration_model` per target segment
  (seeded from the run's generator), collected into a `networkx.DiGraph`, then
  converted to CSR;
- `numpy`: the same configuration model matched by a random permutation,
  written straight into CSR arrays.

The model (block configuration model):
1. each persona follows `following` accounts on average (log-normal), split
   across target segments by its segment's `follows` shares (homophily);
2. each target segment's incoming follows are shared among its members in
   proportion to Pareto weights with the segment's `popularity` tail index,
   giving a heavy tail of big accounts;
3. hubs (and the brand, which is not a persona) get followers drawn per
   segment with the declared shares;
4. self-follows and repeated follows are dropped.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from simulator.audience import matching

Progress = Callable[[str, float, float], None]

# Break-even, measured here for #AskJPM (`backfire bench audience --methods`):
# the networkx path takes 0.66 s at 2,000 personas and 1.5 s at 5,000, the numpy
# path 0.01 s at both. Up to this size the networkx path stays near the half
# second a player will wait and keeps a DiGraph at hand; above it, numpy.
NETWORKX_MAX = 2_000


@dataclass(frozen=True)
class FollowerGraph:
    """Followers in CSR form: followers of u are indices[indptr[u]:indptr[u+1]]."""

    indptr: np.ndarray  # int64, N+1
    indices: np.ndarray  # int32, E
    brand_followers: np.ndarray  # int32, sorted persona indices following the brand
    method: str

    @property
    def size(self) -> int:
        """Number of personas."""
        return len(self.indptr) - 1

    @property
    def edges(self) -> int:
        """Number of follow edges between personas."""
        return int(self.indptr[-1])

    def followers_count(self) -> np.ndarray:
        """Return the number of followers of each persona (in-degree in the follow sense)."""
        return np.diff(self.indptr)

    def following_count(self) -> np.ndarray:
        """Return how many personas each persona follows."""
        return np.bincount(self.indices, minlength=self.size)

    def followers_of(self, u: int) -> np.ndarray:
        """Return the followers of persona u."""
        return self.indices[self.indptr[u] : self.indptr[u + 1]]

    def sources(self) -> np.ndarray:
        """Return the source (followed persona) of every edge, aligned with `indices`."""
        return np.repeat(np.arange(self.size, dtype=np.int32), np.diff(self.indptr))

    def to_scipy(self):
        """Return a scipy CSR matrix A with A[u, v] = 1 when v follows u."""
        from scipy.sparse import csr_matrix

        data = np.ones(self.edges, dtype=np.float32)
        return csr_matrix((data, self.indices, self.indptr), shape=(self.size, self.size))

    def to_networkx(
        self,
        sample: int | None = None,
        seed: int = 0,
        segments: np.ndarray | None = None,
        segment_ids: list[str] | None = None,
    ):
        """Return a networkx.DiGraph of the whole graph, or of `sample` random personas (induced)."""
        import networkx as nx

        graph = nx.DiGraph()
        if sample is not None and sample < self.size:
            rng = np.random.default_rng(seed)
            nodes = np.sort(rng.choice(self.size, size=sample, replace=False))
        else:
            nodes = np.arange(self.size)
        keep = np.zeros(self.size, dtype=bool)
        keep[nodes] = True
        for n in nodes.tolist():
            attrs = {}
            if segments is not None and segment_ids is not None:
                attrs["segment"] = segment_ids[int(segments[n])]
            graph.add_node(n, **attrs)
        src = self.sources()
        mask = keep[src] & keep[self.indices]
        graph.add_edges_from(zip(src[mask].tolist(), self.indices[mask].tolist(), strict=False))
        return graph


@dataclass(frozen=True)
class GraphSpec:
    """What the builders need, in arrays (derived from the scenario's audience section)."""

    seg_start: np.ndarray  # int64, S+1: members of segment s are seg_start[s]:seg_start[s+1]
    following_mean: np.ndarray  # float, S
    popularity: np.ndarray  # float, S (Pareto tail index)
    follows: np.ndarray  # float, S x S: row b = shares of b's follows into each segment
    hubs: list[tuple[int, np.ndarray]]  # (segment, per-segment follower share)
    brand: np.ndarray  # per-segment follower share


def _draw_degrees(spec: GraphSpec, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw each persona's following count (log-normal) and popularity weight (Pareto)."""
    n = int(spec.seg_start[-1])
    following = np.empty(n, dtype=np.int64)
    weights = np.empty(n, dtype=np.float64)
    sigma = 0.8
    for b in range(len(spec.seg_start) - 1):
        lo, hi = int(spec.seg_start[b]), int(spec.seg_start[b + 1])
        mu = np.log(spec.following_mean[b]) - sigma**2 / 2
        following[lo:hi] = np.maximum(1, np.rint(rng.lognormal(mu, sigma, hi - lo)))
        weights[lo:hi] = rng.pareto(spec.popularity[b] - 1.0, hi - lo) + 1.0
    return following, weights


def _in_counts(spec: GraphSpec, a: int, total: int, weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    lo, hi = int(spec.seg_start[a]), int(spec.seg_start[a + 1])
    w = weights[lo:hi]
    return rng.multinomial(total, w / w.sum()) if hi > lo else np.zeros(0, np.int64)


def _hub_edges(
    spec: GraphSpec, weights: np.ndarray, rng: np.random.Generator
) -> tuple[list[int], list[np.ndarray], np.ndarray]:
    """Pick each hub (the most popular member of its segment not yet a hub) and draw its followers."""
    n = int(spec.seg_start[-1])
    segs = len(spec.seg_start) - 1
    hub_nodes: list[int] = []
    hub_followers: list[np.ndarray] = []

    def draw(shares: np.ndarray) -> np.ndarray:
        picked = []
        for s in range(segs):
            lo, hi = int(spec.seg_start[s]), int(spec.seg_start[s + 1])
            if shares[s] > 0 and hi > lo:
                picked.append(lo + np.flatnonzero(rng.random(hi - lo) < shares[s]))
        return np.concatenate(picked).astype(np.int32) if picked else np.zeros(0, np.int32)

    for seg, shares in spec.hubs:
        lo, hi = int(spec.seg_start[seg]), int(spec.seg_start[seg + 1])
        order = lo + np.argsort(-weights[lo:hi], kind="stable")
        node = next(int(i) for i in order if int(i) not in hub_nodes)
        hub_nodes.append(node)
        followers = draw(shares)
        hub_followers.append(followers[followers != node])
    brand = np.sort(draw(spec.brand)) if n else np.zeros(0, np.int32)
    return hub_nodes, hub_followers, brand


def seg_of(spec: GraphSpec, persona: int) -> int:
    """Return the segment a persona belongs to."""
    return int(np.searchsorted(spec.seg_start, persona, side="right")) - 1


def _split_rows(counts: np.ndarray, shares: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Split each count across categories with `shares` (a multinomial per row, by conditional binomials)."""
    out = np.zeros((len(counts), len(shares)), np.int64)
    left = counts.astype(np.int64)
    mass = 1.0
    for a, share in enumerate(shares[:-1]):
        if mass <= 0:
            break
        if share <= 0:
            continue
        out[:, a] = rng.binomial(left, min(1.0, max(0.0, share / mass)))
        left = left - out[:, a]
        mass -= share
    out[:, -1] = left
    return out


# Crowds with at least this many personas match two target segments at once (the sorts release the
# GIL); smaller ones match inline, so a sweep's worker processes do not fight over the cores.
THREADED_FROM = 200_000


def build_numpy(
    spec: GraphSpec, rng: np.random.Generator, progress: Progress | None = None, threads: int | None = None
) -> tuple[FollowerGraph, list[int]]:
    """Build the graph straight into sorted CSR arrays: per segment, a sort of packed 64-bit keys, then the rows.

    Every follow stub picks its target segment independently (a multinomial per follower), and each
    target segment's stubs are matched to its members' in-stubs by a random permutation: a sort of
    (random key, follower) pairs. Then every row gets its followers in order (compiled: each row sorted in
    place; numpy: a second sort of all (followed, follower) pairs), so self-follows and repeats are
    dropped by comparing neighbours, and indptr is a count per row. Ties between random keys (about m²/2^(64−b) pairs for m stubs and b id bits, so
    about 50 among 22 million stubs) are broken by follower id instead of at random.

    Every draw is made here, in segment order; the matching draws nothing, so up to `threads` segments
    are matched at once (default: two for big crowds, see THREADED_FROM) with the same arrays as one.
    """
    n = int(spec.seg_start[-1])
    segs = len(spec.seg_start) - 1
    bits = max(1, n.bit_length())
    if threads is None:
        threads = min(2, os.cpu_count() or 1) if n >= THREADED_FROM else 1
    following, weights = _draw_degrees(spec, rng)
    split = np.zeros((n, segs), np.int64)
    for b in range(segs):
        lo, hi = int(spec.seg_start[b]), int(spec.seg_start[b + 1])
        split[lo:hi] = _split_rows(following[lo:hi], spec.follows[b], rng)
    del following
    hub_nodes, hub_followers, brand = _hub_edges(spec, weights, rng)
    if progress:
        progress("follower graph", 1, segs + 2)
    indptr = np.zeros(n + 1, np.int64)
    stubs_into = split.sum(axis=0)  # each target segment's follow stubs
    hubs_in = [[i for i, node in enumerate(hub_nodes) if seg_of(spec, node) == a] for a in range(segs)]
    # Room for every stub and hub follower of each segment, in segment order: a segment's rows are written
    # at its place (by its matcher, when compiled) and moved down as the segments before it are finished.
    room = np.concatenate([[0], np.cumsum(stubs_into + [sum(len(hub_followers[i]) for i in hs) for hs in hubs_in])])
    indices = np.empty(int(room[-1]), np.int32)
    edges = 0

    def written(a: int, matched: Future[tuple[np.ndarray, np.ndarray]]) -> None:
        """Move segment a's rows into place in the CSR arrays (segments arrive in order)."""
        nonlocal edges
        followers, starts = matched.result()
        lo, hi = int(spec.seg_start[a]), int(spec.seg_start[a + 1])
        indptr[lo + 1 : hi + 1] = edges + starts
        if np.may_share_memory(followers, indices):  # written at room[a] by the compiled matcher
            matching.move_down(indices, int(room[a]), edges, len(followers))
        else:
            indices[edges : edges + len(followers)] = followers
        edges += len(followers)
        if progress:
            progress("follower graph", a + 2, segs + 2)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        pending: deque[tuple[int, Future[tuple[np.ndarray, np.ndarray]]]] = deque()
        for a in range(segs):
            if len(pending) >= threads:  # at most `threads` segments in memory at once
                written(*pending.popleft())
            lo, hi = int(spec.seg_start[a]), int(spec.seg_start[a + 1])
            column = np.ascontiguousarray(split[:, a])
            stubs = int(stubs_into[a])
            in_counts = _in_counts(spec, a, stubs, weights, rng)
            # The keys are handed over in a box the matcher empties: no reference here or in the pool's
            # work item keeps them alive while the segment's pairs are sorted (8 bytes a stub less at the peak).
            keys = [rng.integers(0, np.int64(1) << np.int64(63 - bits), stubs, dtype=np.int64)]
            extra = [hub_followers[i] for i in hubs_in[a]]
            nodes = [hub_nodes[i] for i in hubs_in[a]]
            out = indices[room[a] : room[a + 1]] if matching.COMPILED else None
            pending.append((a, pool.submit(_match_segment, lo, hi, bits, column, in_counts, keys, nodes, extra, out)))
        while pending:
            written(*pending.popleft())
    indices = indices[:edges]  # self-follows and repeats left a little room unused at the end
    if progress:
        progress("follower graph", segs + 2, segs + 2)
    return FollowerGraph(indptr, indices, brand, "numpy"), hub_nodes


def _match_segment(
    lo: int,
    hi: int,
    bits: int,
    column: np.ndarray,
    in_counts: np.ndarray,
    keys: list[np.ndarray],
    hub_nodes: list[int],
    hub_followers: list[np.ndarray],
    out: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Match one target segment's in-stubs (rows lo..hi) to its follow stubs; return (followers, row starts).

    `column[v]` is how many of v's follows go into the segment, `in_counts` each member's in-stubs and
    `keys` holds one random key per stub (taken out, so that it is freed here). Row lo + 1 + i starts
    at `starts[i]` within the returned followers: when compiled, a view of the start of `out` if given.
    """
    key = keys.pop()
    n = len(column)
    low = np.int64((1 << bits) - 1)
    # A random matching: followers in the order of random keys.
    key <<= bits
    key |= np.repeat(np.arange(n, dtype=np.int32), column)
    if matching.COMPILED:  # a radix sort, then each row built and sorted in place (same arrays as below)
        matched = matching.sort_keys(key)
        return matching.follower_rows(matched, int(low), in_counts, lo, hub_nodes, hub_followers, out)
    key.sort()
    key &= low  # the followers, in random order
    pair = np.repeat(np.arange(lo, hi, dtype=np.int64), in_counts) if hi > lo else np.zeros(0, np.int64)
    own = np.flatnonzero(pair == key)  # self-follows (rare): sorted to the end and cut off
    pair <<= 32
    pair |= key
    pair[own] = np.iinfo(np.int64).max
    del key
    extra = [(np.int64(node) << 32) | f.astype(np.int64) for node, f in zip(hub_nodes, hub_followers, strict=True)]
    if extra:
        pair = np.concatenate([pair, *extra])
    pair.sort()
    pair = pair[: len(pair) - len(own)]
    repeats = np.flatnonzero(pair[1:] == pair[:-1]) + 1  # repeated follows (rare)
    if len(repeats):
        pair = np.delete(pair, repeats)
    # Rows are in order: each row starts at the first pair whose high word is its id; the low word is the follower.
    starts = np.searchsorted(pair, np.arange(lo + 1, hi + 1, dtype=np.int64) << 32)
    if np.little_endian:
        return np.ascontiguousarray(pair.view(np.int32)[0::2]), starts
    return (pair & 0xFFFFFFFF).astype(np.int32), starts


def _to_csr(n: int, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group edges by source, sort followers, drop self-follows and repeats; return (indptr, indices)."""
    from scipy.sparse import csr_matrix

    keep = src != dst
    matrix = csr_matrix((np.ones(int(keep.sum()), dtype=np.int8), (src[keep], dst[keep])), shape=(n, n))
    matrix.sum_duplicates()  # sorts each row and merges repeated follows
    return matrix.indptr.astype(np.int64), matrix.indices.astype(np.int32, copy=False)


def build_numpy_v1(
    spec: GraphSpec, rng: np.random.Generator, progress: Progress | None = None
) -> tuple[FollowerGraph, list[int]]:
    """The first numpy builder (shuffles and a COO→CSR pass): kept so games saved on engine 1 replay their crowd.

    Same model as `build_numpy`, another random stream.
    """
    n = int(spec.seg_start[-1])
    segs = len(spec.seg_start) - 1
    following, weights = _draw_degrees(spec, rng)
    # Split each follower segment's stubs among target segments: a random
    # permutation cut into multinomial-sized chunks is the same as drawing a
    # target for every stub independently with the segment's follow shares.
    chunks: list[list[np.ndarray]] = [[] for _ in range(segs)]
    for b in range(segs):
        lo, hi = int(spec.seg_start[b]), int(spec.seg_start[b + 1])
        owners = np.repeat(np.arange(lo, hi, dtype=np.int32), following[lo:hi])
        rng.shuffle(owners)
        cuts = np.cumsum(rng.multinomial(len(owners), spec.follows[b]))[:-1]
        for a, part in enumerate(np.split(owners, cuts)):
            chunks[a].append(part)
    if progress:
        progress("follower graph", 1, segs + 2)
    srcs: list[np.ndarray] = []
    dsts: list[np.ndarray] = []
    for a in range(segs):
        followers = np.concatenate(chunks[a])
        chunks[a] = []
        rng.shuffle(followers)  # random matching of follower stubs to in-stubs
        in_counts = _in_counts(spec, a, len(followers), weights, rng)
        lo, hi = int(spec.seg_start[a]), int(spec.seg_start[a + 1])
        srcs.append(np.repeat(np.arange(lo, hi, dtype=np.int32), in_counts))
        dsts.append(followers)
        if progress:
            progress("follower graph", a + 2, segs + 2)
    hub_nodes, hub_followers, brand = _hub_edges(spec, weights, rng)
    for node, followers in zip(hub_nodes, hub_followers, strict=False):
        srcs.append(np.full(len(followers), node, dtype=np.int32))
        dsts.append(followers)
    indptr, indices = _to_csr(n, np.concatenate(srcs), np.concatenate(dsts))
    if progress:
        progress("follower graph", segs + 2, segs + 2)
    return FollowerGraph(indptr, indices, brand, "numpy"), hub_nodes


def build_networkx(spec: GraphSpec, rng: np.random.Generator, progress: Progress | None = None):
    """Build a networkx.DiGraph with networkx's configuration model; return (FollowerGraph, hubs, DiGraph)."""
    import networkx as nx
    from networkx.algorithms import bipartite

    n = int(spec.seg_start[-1])
    segs = len(spec.seg_start) - 1
    following, weights = _draw_degrees(spec, rng)
    out_split = [
        rng.multinomial(following[spec.seg_start[b] : spec.seg_start[b + 1]], spec.follows[b]) for b in range(segs)
    ]
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    for a in range(segs):
        lo, hi = int(spec.seg_start[a]), int(spec.seg_start[a + 1])
        follower_counts = np.concatenate([out_split[b][:, a] for b in range(segs)])
        in_counts = _in_counts(spec, a, int(follower_counts.sum()), weights, rng)
        if hi == lo or follower_counts.sum() == 0:
            continue
        # Bipartite multigraph: nodes 0..len(in)-1 are the followed, the rest the followers.
        multi = bipartite.configuration_model(
            in_counts.tolist(), follower_counts.tolist(), seed=int(rng.integers(2**31 - 1))
        )
        k = len(in_counts)
        for x, y in multi.edges():
            u, v = (x, y) if x < k else (y, x)
            src, dst = lo + u, v - k
            if src != dst:
                graph.add_edge(src, dst)
        if progress:
            progress("follower graph", a + 1, segs + 1)
    hub_nodes, hub_followers, brand = _hub_edges(spec, weights, rng)
    for node, followers in zip(hub_nodes, hub_followers, strict=False):
        graph.add_edges_from((node, int(v)) for v in followers.tolist())
    matrix = nx.to_scipy_sparse_array(graph, nodelist=range(n), format="csr", dtype=np.float32)
    matrix.sort_indices()
    indptr = matrix.indptr.astype(np.int64)
    indices = matrix.indices.astype(np.int32)
    if progress:
        progress("follower graph", segs + 1, segs + 1)
    return FollowerGraph(indptr, indices, brand, "networkx"), hub_nodes, graph
