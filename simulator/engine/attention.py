"""Attention and the active set, kept so that a turn costs what happens in it, not the size of the crowd.

The model (unchanged from the engine's first version):

- every turn, the attention of each persona in the active set decays by the turn's factor `d_t`;
- a persona touched by posts gains attention (the model step computes the gain);
- the active set is every persona whose attention is above the floor; one that falls to the floor leaves
  it, and its attention stays where it fell until something touches it again.

The bookkeeping. `L_t = Σ log d` up to turn t is the same for everyone, so a persona set to `v` at turn
`u` has `v·exp(L_t − L_u)` at turn t while it stays active, and leaves at the first turn with
`L_t ≤ X = L_u + log(floor / v)`. Nothing is written for the personas nobody touches: the decay is one
number a turn.

The personas set in one turn form a *chunk*. A chunk keeps them twice:

- sorted by exit level `X`, so the active prefix shrinks by a binary search as `L` falls, and the count
  of active personas stays exact (each persona leaves once);
- sorted by segment with a running sum of each one's posting weight, so the model can draw *events*:
  a Poisson number of candidate posts at an upper bound of the rate, each thinned to the true rate
  (`candidates`). A persona set again later leaves a stale entry behind; stale entries are drawn like
  the others and rejected, which keeps the law exact.

A chunk is dropped when all of its personas have left.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.engine import kernels
from simulator.engine.buffers import Buffer
from simulator.errors import BackfireError

# Candidate posts a turn per entry of the active store above which the scenario's rates make no sense: at such
# a rate posting at least once is certain (1 − e^(−40) rounds to 1), and the draws would only fill memory.
CANDIDATES_CAP = 40.0


@dataclass
class _Chunk:
    """The personas set in one turn (entries start..end of the store)."""

    turn: int
    level: float  # L at that turn
    start: int
    end: int
    active_end: int  # entries start..active_end of the exit-ordered store are still active
    seg_start: np.ndarray  # int64[S+1]: entries of segment s are seg_start[s]..seg_start[s+1]
    seg_base: np.ndarray  # float64[S]: running weight sum before segment s
    seg_weight: np.ndarray  # float64[S]: the segment's total posting weight


class Attention:
    """Every persona's attention and the active set, updated only where something happens."""

    def __init__(self, size: int, segments: int, floor: float, engine: int = 3):
        """`size` personas in `segments` segments; `floor` is the attention at which a persona leaves.

        `engine` 3 keeps each chunk's exit store in buckets of exit level (an integer sort: one order on
        every machine, and no float sort a turn) and samples the tag's readers from the segment store.
        Engine 2 sorted exit levels with numpy's default argsort, whose order of ties depends on the CPU.
        """
        self.floor = floor
        self.buckets = engine >= 3
        self._inv = kernels.EXIT_BUCKETS / float(np.log(1 / floor))  # bucket keys per unit of log attention
        self.segments = segments
        self.value = np.zeros(size)  # attention when last set
        self.since = np.full(size, -1, np.int64)  # the turn it was set (-1: never)
        self.exit = np.full(size, np.inf)  # the level of L at which the persona leaves the active set
        self._bits = kernels.mark_bits(size)  # work marks for `sample_active`
        self.levels = Buffer(np.float64, 256)  # L after each turn's decay
        self.level = 0.0  # L now
        self.turn = -1
        self.count = 0  # personas in the active set
        self._chunks: list[_Chunk] = []
        # The store: by segment (ids, running weight) and by exit level (ids, levels).
        self._ids = Buffer(np.int32)
        self._weight = Buffer(np.float64)
        self._cum = Buffer(np.float64)
        self._exit_ids = Buffer(np.int32)
        self._exits = Buffer(np.float64)
        self._cum_total = 0.0
        self._dead = 0  # entries set again since, or left: drawn and rejected until the store is rebuilt

    # ------------------------------------------------------------------ a turn
    def decay(self, turn: int, factor: float) -> None:
        """Start turn `turn`: the active set's attention decays by `factor` (nothing is written per persona)."""
        self.turn = turn
        self.level += float(np.log(factor))
        self.levels.append(np.array([self.level]))

    def current(self, who: np.ndarray) -> np.ndarray:
        """Return the attention of `who` now, after this turn's decay (frozen where each one left the set)."""
        levels = self.levels.data[: self.levels.size]
        return kernels.attention_now(levels, self.turn, self.since[who], self.exit[who], self.value[who])

    def touch(self, who: np.ndarray, exposure: np.ndarray, gain: float) -> tuple[np.ndarray, np.ndarray]:
        """Raise the attention of `who` (unique) with this turn's exposure; return (attention, exit level).

        The new attention is 1 − (1 − a)·exp(−gain·exposure), where a is `current(who)`; those above the
        floor are active, and the exit level says when each will leave (inf: not active).
        """
        levels = self.levels.data[: self.levels.size]
        values, exits, was_active, stale, active = kernels.touch(
            who, exposure, gain, self.value, self.since, self.exit, levels, self.turn, self.floor, self.oldest()
        )
        self.touched(was_active, stale, active)
        return values, exits

    def oldest(self) -> int:
        """The turn of the oldest chunk in the store (a persona set since then has a live entry)."""
        return self._chunks[0].turn if self._chunks else self.turn

    def touched(self, was_active: int, stale: int, active: int) -> None:
        """Account for a touch done elsewhere (`kernels.touched_pass`): the counts `kernels.touch` returns."""
        self.count += active - was_active  # those active before are counted again if still active
        self._dead += stale  # their entries in the store go stale

    def settle(self) -> None:
        """End the turn's updates: those whose attention fell to the floor leave the active set; empty chunks go."""
        keep = []
        for c in self._chunks:
            if self.buckets:
                end, left = kernels.settle_tail(
                    self._exit_ids.data, self._exits.data, self.since, c.start, c.active_end, self.level, c.level,
                    self._inv, c.turn,
                )  # fmt: skip
                self.count -= left
                self._dead += left
                c.active_end = end
                if end > c.start:
                    keep.append(c)
                continue
            end = c.start + int(np.searchsorted(self._exits.data[c.start : c.active_end], self.level, side="left"))
            if end < c.active_end:
                ids = self._exit_ids.data[end : c.active_end]
                left = kernels.count_set(ids, self.since, c.turn)  # entries set again since are stale
                self.count -= left
                self._dead += left
                c.active_end = end
            if c.active_end > c.start:
                keep.append(c)
        self._chunks = keep
        live = sum(c.end - c.start for c in self._chunks)
        if live > 4096 and 2 * self._dead > live:
            self._rebuild()
        self._compact()

    def _rebuild(self) -> None:
        """Keep only entries whose persona is still active and was last set in their chunk (amortised O(1) each).

        Dead entries cost nothing in law (their candidates are rejected) but cost draws; once they are half
        the store, each chunk is filtered in place, keeping both orders, and its running sum is recomputed.
        """
        chunks = self._chunks
        kept, bounds, seg_start, sums, total = kernels.rebuild(
            self._ids.data,
            self._weight.data,
            self._cum.data,
            self._exit_ids.data,
            self._exits.data,
            np.array([(c.turn, c.start, c.end, c.active_end) for c in chunks], np.int64).reshape(-1, 4),
            np.array([c.seg_start for c in chunks], np.int64).reshape(-1, self.segments + 1),
            self.since,
            self.exit,
            self.level,
            self._cum_total,
        )
        self._chunks = [
            _Chunk(chunks[row].turn, chunks[row].level, int(lo), int(hi), int(hi), starts, part[0], part[1])
            for row, (lo, hi), starts, part in zip(kept.tolist(), bounds, seg_start, sums, strict=True)
        ]
        size = int(bounds[-1, 1]) if len(bounds) else 0
        for buf in (self._ids, self._weight, self._cum, self._exit_ids, self._exits):
            buf.size = size
        self._cum_total = float(total)
        self._dead = 0

    def add(self, who: np.ndarray, segment: np.ndarray, weight: np.ndarray, exits: np.ndarray | None = None) -> None:
        """Record this turn's newly set active personas (`who` unique, sorted by segment, with its posting weight).

        The weight bounds a persona's posting rate from now until it is set again:
        rate at turn t ≤ weight · exp(L_t − L_now) · (a factor per segment given to `candidates`).
        """
        if len(who) == 0:
            return
        if np.any(segment[1:] < segment[:-1]):
            raise ValueError("Attention.add needs personas sorted by segment")
        cum = self._cum_total + np.cumsum(weight)
        start = self._ids.append(who.astype(np.int32, copy=False))
        self._weight.append(weight)
        self._cum.append(cum)
        if exits is None:
            exits = self.exit[who]
        if self.buckets:
            exit_ids, exit_levels = kernels.exit_order(who, exits, self.level, self._inv)
        else:
            by_exit = np.argsort(exits)
            exit_ids, exit_levels = who[by_exit].astype(np.int32, copy=False), exits[by_exit]
        self._exit_ids.append(exit_ids)
        self._exits.append(exit_levels)
        end = start + len(who)
        seg_start = start + np.searchsorted(segment, np.arange(self.segments + 1), side="left")
        before = np.concatenate([[self._cum_total], cum])
        seg_base = before[seg_start[:-1] - start]
        seg_weight = before[seg_start[1:] - start] - seg_base
        self._cum_total = float(cum[-1])
        self._chunks.append(_Chunk(self.turn, self.level, start, end, end, seg_start, seg_base, seg_weight))

    def _compact(self) -> None:
        """Forget entries before the oldest live chunk once they are most of the store."""
        first = self._chunks[0].start if self._chunks else self._ids.size
        if first < 65_536 or first < self._ids.size // 2:
            return
        floor = float(self._cum.data[first - 1])  # the running weight before the first kept entry
        for buf in (self._ids, self._weight, self._cum, self._exit_ids, self._exits):
            buf.drop_front(first)
        self._cum.data[: self._cum.size] -= floor  # keep the running sum small: its rounding stays far below any weight
        self._cum_total -= floor
        for c in self._chunks:
            c.start -= first
            c.end -= first
            c.active_end -= first
            c.seg_start = c.seg_start - first
            c.seg_base = c.seg_base - floor

    # ------------------------------------------------------------------ draws
    def candidates(self, factor: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Draw candidate events for the active personas set before this turn; return (who, bound, attention).

        Each persona of a chunk gets a Poisson number of candidates with mean its weight ·
        exp(L_now − L_chunk) · `factor[segment]`; the model keeps a candidate with probability
        rate / bound, so each persona's accepted events are Poisson with its true rate. Only candidates
        on live entries of personas still active are returned (several may name one persona).
        """
        chunks = [c for c in self._chunks if c.turn < self.turn]
        none = np.zeros(0, np.int32), np.zeros(0), np.zeros(0)
        if not chunks:
            return none
        scale = np.exp(self.level - np.array([c.level for c in chunks]))
        weight = np.array([c.seg_weight for c in chunks])  # C x S
        mean = weight * scale[:, None] * factor[None, :]
        entries = sum(c.end - c.start for c in chunks)
        expected = float(mean.sum())
        if not expected <= CANDIDATES_CAP * entries:  # also catches inf and nan
            raise BackfireError(
                f"the scenario's rates have each persona on the tag post about {expected / max(entries, 1):,.0f} times "
                f"a turn (at most {CANDIDATES_CAP:g} makes sense: one post is then certain); lower the segments' "
                "activity, dynamics.stance_weight or the effects that multiply invitation and rate"
            )
        counts = rng.poisson(mean).ravel()
        total = int(counts.sum())
        if total == 0:
            return none
        return kernels.candidate_events(
            counts,
            rng.random(total),
            np.array([c.seg_base for c in chunks]).ravel(),
            weight.ravel(),
            np.array([c.seg_start[:-1] for c in chunks]).ravel(),
            np.array([c.seg_start[1:] for c in chunks]).ravel(),
            np.array([c.turn for c in chunks], np.int64),
            scale,
            factor,
            self._cum.data[: self._cum.size],
            self._ids.data[: self._ids.size],
            self._weight.data[: self._weight.size],
            self.since,
            self.exit,
            self.value,
            self.level,
        )

    def sample_active(self, share: float, rng: np.random.Generator) -> np.ndarray:
        """Return each member of the active set (as of the end of the previous turn) with probability `share`."""
        if share <= 0 or not self._chunks:
            return np.zeros(0, np.int32)
        picked = []
        rate = -np.log1p(-share) if share < 1 else np.inf
        for c in self._chunks:
            # Engine 3 draws over the chunk's segment store (entries in persona order, whatever their exit
            # levels), engine 2 over its exit store's active prefix; either way each persona still active has
            # one live entry, hit a Poisson(rate) number of times, and the rest are dropped.
            lo, hi = (c.start, c.end) if self.buckets else (c.start, c.active_end)
            size = hi - lo
            if size == 0:
                continue
            ids = (self._ids if self.buckets else self._exit_ids).data[lo:hi]
            picks = np.arange(size) if np.isinf(rate) else rng.integers(0, size, rng.poisson(size * rate))
            exit = self.exit if self.buckets else None
            picked.append(kernels.picked_where(ids, picks, self.since, c.turn, exit, self.level))
        if not picked:
            return np.zeros(0, np.int32)
        return kernels.distinct(np.concatenate(picked), self._bits).astype(np.int32, copy=False)
