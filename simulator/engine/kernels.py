"""The engine's hot loops: compiled C (`_kernels.pyx`, built by Cython at install) or their numpy twins.

A turn's cost is a few passes over the personas something touched. In numpy each pass is a separate
array operation with its own temporaries; in C one loop does them all. Each function here calls its
compiled loop, or else runs the numpy code below that call: its twin, which computes the same numbers in
the same order (sums included). Every draw comes from the run's numpy generator, in the same order either
way (`touched_pass` takes its uniforms from the generator's bit generator as it goes, the doubles
`rng.random` would give), so a seed gives the same run either way.
Only exp and log may differ in the last bit between the two (numpy has its own where the processor has
AVX-512; elsewhere it calls the C library's, as the compiled loops do), which no test has seen change a post.

The compiled kernels run when the extension was built and `BACKFIRE_KERNELS` is not `numpy`; otherwise
the numpy twins run (slower, same results). `use()` switches at run time (the tests compare the two).
"""

from __future__ import annotations

import ctypes
import os
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any

import numpy as np

# Gathers smaller than this share of N find their unique targets by sorting them, others by a scan of N's
# marks (eight at a time, compiled): the same targets either way. Measured here, sorting 5,000 ids takes
# 54 µs and 25,000 take 415 µs, a scan of 100,000 marks about 25 µs.
SORT_FRACTION = 1 / 64


def _compiled() -> ModuleType | None:
    try:
        from simulator.engine import _kernels  # type: ignore[attr-defined]
    except ImportError:  # not built (no compiler at install): the numpy twins run
        return None
    return _kernels  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------------------------- exposure
def exposure(
    indptr: np.ndarray,
    indices: np.ndarray,
    posters: np.ndarray,
    post_weight: np.ndarray,
    post_col: np.ndarray,
    extra: np.ndarray,
    extra_weight: np.ndarray,
    extra_col: np.ndarray,
    mark: np.ndarray,
    slot: np.ndarray,
    cols: int,
    bits: np.ndarray | None = None,
    split: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Return (touched, exposure[T, cols], total[T], edges walked).

    Targets are the followers of each poster (row by row, each with its post's weight and column), then
    `extra` targets; `touched` is the distinct targets, sorted, and exposure[i, c] sums the weights of
    touched[i]'s targets in column c, in target order. Total is columns 0..cols-3 plus the last two.
    `mark` (bool[N], all False) and `slot` (int32[N]) are work arrays; the compiled kernel marks with
    `bits` instead (`mark_bits(N)`: one bit a persona, 64 to a word, all clear), and leaves them clear.
    On a big turn with two threads, `split` (int64[1], 0 at first) keeps where the halves split the crowd
    (`_exposure_in_halves`); it changes the work of each half, not the result.
    """
    if COMPILED and _C is not None:
        if bits is None:
            bits = mark_bits(len(mark))
        if THREADS > 1 and _C.HALVES and len(posters) + len(extra):
            lens = indptr[posters + 1] - indptr[posters]
            if int(lens.sum()) + len(extra) >= PARALLEL_FROM:  # a big turn: two halves at once
                return _exposure_in_halves(
                    indptr, indices, posters, post_weight, post_col, extra, extra_weight, extra_col, bits, slot,
                    cols, lens, np.zeros(1, np.int64) if split is None else split,
                )  # fmt: skip
        touched, exp, total, edges = _C.exposure(
            indptr,
            indices,
            _ids(posters),
            _floats(post_weight),
            post_col.astype(np.int8, copy=False),
            _ids(extra),
            _floats(extra_weight),
            extra_col.astype(np.int8, copy=False),
            bits,
            slot,
            cols,
            SORT_FRACTION,
        )
        return touched, exp, total, int(edges)
    starts = indptr[posters]
    lens = indptr[posters + 1] - starts
    edges = int(lens.sum())
    if edges:
        offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
        t_all = np.concatenate([indices[offsets + np.arange(edges, dtype=np.int64)], extra])
        w_all = np.concatenate([np.repeat(post_weight, lens), extra_weight])
        col = np.concatenate([np.repeat(post_col, lens), extra_col])
    else:
        t_all, w_all, col = extra, extra_weight, extra_col
    n = len(mark)
    if len(t_all) < SORT_FRACTION * n:
        touched = distinct(t_all).astype(np.int32, copy=False)
    else:
        mark[t_all] = True
        touched = np.flatnonzero(mark).astype(np.int32)
        mark[touched] = False
    slot[touched] = np.arange(len(touched))
    row = slot[t_all]
    exp = np.bincount(row * cols + col, weights=w_all, minlength=len(touched) * cols).reshape(len(touched), cols)
    total = np.zeros(len(touched))
    for c in range(cols):
        total += exp[:, c]
    return touched, exp, total, edges


_WHERE_BITS = 6  # where the targets fall is counted in 2^6 buckets of persona ids


def _exposure_in_halves(
    indptr: np.ndarray,
    indices: np.ndarray,
    posters: np.ndarray,
    post_weight: np.ndarray,
    post_col: np.ndarray,
    extra: np.ndarray,
    extra_weight: np.ndarray,
    extra_col: np.ndarray,
    bits: np.ndarray,
    slot: np.ndarray,
    cols: int,
    lens: np.ndarray,
    split: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The compiled `exposure` in two threads (`_kernels.exposure_half`): the same arrays, in two halves.

    The posters are split where half the edges are walked. The personas are split at the word of the bits
    in `split` (the middle one at first), and `split` is then moved to where this turn's targets were
    split in half: targets cluster on some personas, and the next turn's are much like this one's.
    """
    assert _C is not None
    ends = np.cumsum(lens)
    edges = int(ends[-1]) if len(ends) else 0
    walked = edges + len(extra)
    split_poster = int(np.searchsorted(ends, edges // 2, side="right"))
    first = int(ends[split_poster - 1]) if split_poster else 0
    width = max(first, walked - first, 1)
    shared = np.zeros(9, np.int64)
    words = len(bits)
    split_word = int(split[0]) if 0 < split[0] < words else words // 2
    shift = max(0, (len(slot) - 1).bit_length() - _WHERE_BITS)
    where = np.zeros((2, 1 << _WHERE_BITS), np.int64)
    touched, ex, total = np.empty(walked, np.int32), np.empty((walked, cols)), np.empty(walked)
    args: tuple[Any, ...] = (
        np.ascontiguousarray(indptr, np.int64), np.ascontiguousarray(indices, np.int32),
        np.ascontiguousarray(posters, np.int32), np.ascontiguousarray(post_weight, np.float64),
        np.ascontiguousarray(post_col, np.int8), np.ascontiguousarray(extra, np.int32),
        np.ascontiguousarray(extra_weight, np.float64), np.ascontiguousarray(extra_col, np.int8),
        bits, slot, cols, split_poster, split_word, np.empty((2, width), np.int32),
        np.empty((2, width), np.int32), shared, where, shift, touched, ex, total,
    )  # fmt: skip
    other = _executor().submit(_C.exposure_half, 1, *args)
    finished = False
    try:
        _C.exposure_half(0, *args)
        finished = True
    finally:
        if not finished:  # refused or interrupted before this half ran: the other stops waiting (marking nothing)
            shared[8] = 1
            other.exception()
    other.result()
    count = int(shared[4] + shared[5])
    seen = where.sum(axis=0)
    ends = np.cumsum(seen)
    at = int(np.searchsorted(ends, ends[-1] / 2))  # the bucket where half the targets are reached
    inside = (ends[-1] / 2 - (ends[at - 1] if at else 0)) / max(int(seen[at]), 1)
    split[0] = int(((at + inside) * (1 << shift)) // 64)
    return touched[:count], ex[:count], total[:count], edges


# ---------------------------------------------------------------------------------------------- attention
def touch(
    who: np.ndarray,
    exposure: np.ndarray,
    gain: float,
    value: np.ndarray,
    since: np.ndarray,
    exit: np.ndarray,
    levels: np.ndarray,
    turn: int,
    floor: float,
    oldest: int,
) -> tuple[np.ndarray, np.ndarray, int, int, int]:
    """Raise the attention of `who` (unique) with this turn's exposure; see `Attention.touch`.

    Updates value, since and exit for `who`; returns (attention, exit level, how many of them were
    active after last turn, how many had a live entry in the store (now stale), how many are active now).
    """
    if COMPILED and _C is not None:
        result: tuple[np.ndarray, np.ndarray, int, int, int] = _C.touch(
            _ids(who), _floats(exposure), gain, value, since, exit, levels, turn, floor, oldest
        )
        return result
    level = levels[turn]
    u = since[who]
    x = exit[who]
    was_active = int(np.count_nonzero(x < levels[turn - 1])) if turn > 0 else 0
    stale = int(np.count_nonzero((u >= oldest) & (x < np.inf)))
    values: np.ndarray = 1 - (1 - attention_now(levels, turn, u, x, value[who])) * np.exp(-gain * exposure)
    value[who] = values
    since[who] = turn
    above = np.flatnonzero(values > floor)
    exits = np.full(len(who), np.inf)
    exits[above] = level + np.log(floor / values[above])
    exit[who] = exits
    return values, exits, was_active, stale, len(above)


def attention_now(levels: np.ndarray, turn: int, u: np.ndarray, x: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Attention at `turn` of personas set to `v` at turn `u` with exit level `x` (see `Attention`).

    While active it is v·exp(L_now − L_u); one that left is frozen at the first turn whose level reached
    its exit level. A persona never set has v = 0 (u = −1 reads the last level: any finite factor).
    """
    level = levels[turn]
    at = np.full(len(u), turn)
    left = np.flatnonzero((x >= level) & (u >= 0))
    if len(left):
        at[left] = np.maximum(np.searchsorted(-levels, -x[left], side="left"), u[left])
    now: np.ndarray = v * np.exp(levels[at] - levels[u])
    return now


def rebuild(
    ids: np.ndarray,
    weight: np.ndarray,
    cum: np.ndarray,
    exit_ids: np.ndarray,
    exits: np.ndarray,
    chunks: np.ndarray,
    seg_start: np.ndarray,
    since: np.ndarray,
    exit: np.ndarray,
    level: float,
    total: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    """Keep only the store's live entries, in place; see `Attention._rebuild`.

    `chunks` is int64[C, 4] (turn, start, end, active end) and `seg_start` int64[C, S+1] (absolute). The
    store arrays are compacted from the front; returns, for the chunks that keep an entry, their rows
    (int64 indices into `chunks`), their new starts and ends (int64[C', 2]), seg_start (int64[C', S+1],
    absolute), seg_base and seg_weight (float64[C', S] each, as one array [C', 2, S]), and the new total.
    """
    if COMPILED and _C is not None:
        args: tuple[Any, ...] = (ids, weight, cum, exit_ids, exits, chunks, seg_start, since, exit, level, total)
        if THREADS > 1 and len(chunks) and int(chunks[-1, 2]) >= PARALLEL_FROM:  # the two stores at once
            other = _executor().submit(_C.rebuild, *args, part=1)
            result: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float] = _C.rebuild(*args, part=0)
            if other.result() != (int(result[1][-1, 1]) if len(result[1]) else 0):
                raise RuntimeError("rebuild: the two stores kept different entries")
            return result
        result = _C.rebuild(*args)
        return result
    segments = seg_start.shape[1] - 1
    kept, bounds, starts, sums = [], [], [], []
    position = 0
    for row, (turn, start, end, active_end) in enumerate(chunks):
        ids_c = ids[start:end]
        keep = np.flatnonzero((since[ids_c] == turn) & (exit[ids_c] < level))
        if len(keep) == 0:
            continue
        segment = np.searchsorted(seg_start[row], start + keep, side="right") - 1
        w = weight[start:end][keep]
        c = total + np.cumsum(w)
        before = np.concatenate([[total], c])
        local = np.searchsorted(segment, np.arange(segments + 1), side="left")
        base = before[local[:-1]]
        exit_ids_c = exit_ids[start:active_end]
        valid = since[exit_ids_c] == turn
        n = len(keep)
        new_ids, new_exit_ids, new_exits = ids_c[keep], exit_ids_c[valid], exits[start:active_end][valid]
        ids[position : position + n] = new_ids
        weight[position : position + n] = w
        cum[position : position + n] = c
        exit_ids[position : position + n] = new_exit_ids
        exits[position : position + n] = new_exits
        kept.append(row)
        bounds.append((position, position + n))
        starts.append(position + local)
        sums.append((base, before[local[1:]] - base))
        position += n
        total = float(c[-1])
    if not kept:
        return (
            np.zeros(0, np.int64),
            np.zeros((0, 2), np.int64),
            np.zeros((0, segments + 1), np.int64),
            np.zeros((0, 2, segments)),
            total,
        )
    return np.array(kept, np.int64), np.array(bounds, np.int64), np.array(starts, np.int64), np.array(sums), total


def count_set(ids: np.ndarray, since: np.ndarray, turn: int) -> int:
    """Return how many of `ids` were last set at `turn` (the others' entries are stale)."""
    if COMPILED and _C is not None:
        return int(_C.count_set(_ids(ids), since, turn))
    return int(np.count_nonzero(since[ids] == turn))


# ---------------------------------------------------------------------------------------------- stance
def seen_and_stance(
    touched: np.ndarray,
    by_kind: np.ndarray,
    pull: np.ndarray,
    hostile: np.ndarray,
    seen: np.ndarray,
    seen_hostile: np.ndarray,
    stance: np.ndarray,
    segment: np.ndarray,
    stance_sums: np.ndarray,
) -> tuple[int, int]:
    """Mark the touched as reached (and hostile-reached), move their stance by `pull`; return both counts.

    A persona is hostile-reached by any exposure to a hostile kind. Stance is clipped to −1..1 and the
    per-segment sums follow it.
    """
    if COMPILED and _C is not None:
        newly, newly_hostile = _C.seen_and_stance(
            _ids(touched),
            _floats(by_kind),
            _floats(pull),
            hostile.view(np.uint8),
            seen.view(np.uint8),
            seen_hostile.view(np.uint8),
            stance,
            segment,
            stance_sums,
        )
        return int(newly), int(newly_hostile)
    newly = int(np.count_nonzero(~seen[touched]))
    seen[touched] = True
    reached = (by_kind[:, hostile] > 0).any(axis=1)
    hostile_touched = touched[reached & ~seen_hostile[touched]]
    seen_hostile[hostile_touched] = True
    values = np.clip(stance[touched] + pull, -1, 1)
    stance_sums += np.bincount(segment[touched], weights=values - stance[touched], minlength=len(stance_sums))
    stance[touched] = values
    return newly, len(hostile_touched)


# ---------------------------------------------------------------------------------------------- one pass
def pull(by_kind: np.ndarray, influence: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Return each touched persona's pull on its stance: Σ_c exposure[c]·influence[c] / (1 + total/4).

    The sum runs over kinds in order (engine 3), so it is one number on every machine; engine 2 took it
    from a matrix product, whose order of summation is the BLAS library's.
    """
    acc = np.zeros(len(by_kind))
    for c in range(by_kind.shape[1]):
        acc = acc + by_kind[:, c] * influence[c]
    result: np.ndarray = acc / (1 + 0.25 * total)
    return result


def touched_pass(
    who: np.ndarray,
    by_kind: np.ndarray,
    total: np.ndarray,
    gain: float,
    value: np.ndarray,
    since: np.ndarray,
    exit: np.ndarray,
    levels: np.ndarray,
    turn: int,
    floor: float,
    oldest: int,
    influence: np.ndarray,
    hostile: np.ndarray,
    seen: np.ndarray,
    seen_hostile: np.ndarray,
    stance_sums: np.ndarray,
    segment: np.ndarray,
    stance: np.ndarray,
    activity: np.ndarray,
    posts_made: np.ndarray,
    invitation: np.ndarray,
    tag_interest: np.ndarray,
    fatigue_table: np.ndarray,
    fatigue: float,
    stance_weight: float,
    imitation: float,
    dt: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """`touch`, `pull`, `seen_and_stance`, `post_chances` and the trials to post on the touched, in one pass (engine 3).

    The arguments after `stance_sums` are `post_chances`'s after its `floor`, in its order, then the run's
    generator. Returns (attention, exit level, keep, post, counts): keep as `post_chances` gives it, post[j]
    whether kept persona j posts (`rng.random(len(keep)) < chance`), counts int64[5]: was active, stale,
    active, newly reached, newly hostile-reached.

    Each persona is read once for all of it (compiled), and each is touched once, so doing them persona by
    persona gives what doing them one after the other gives. The compiled pass takes each trial's uniform
    from the generator's bit generator as it goes (the same doubles, in the same order, as `rng.random`)
    and works a chance out only when the uniform falls below a bound on it that needs no exp: a post is rare.
    """
    if COMPILED and _C is not None:
        m = len(who)
        values, exits, delta, bound = np.empty(m), np.empty(m), np.empty(m), np.empty(m)
        segment_of, attentive = np.empty(m, np.int16), np.empty(m, np.uint8)
        who, by_kind, total = _ids(who), _floats(by_kind), _floats(total)
        part: tuple[Any, ...] = (
            who, by_kind, total, gain, value, since, exit, levels, _C.decay_table(levels, turn), turn, floor, oldest,
            _floats(influence), hostile.view(np.uint8), seen.view(np.uint8), seen_hostile.view(np.uint8), segment,
            stance, activity, posts_made, invitation, tag_interest, fatigue_table, fatigue, stance_weight, imitation,
            dt, values, exits, delta, segment_of, attentive, bound,
        )  # fmt: skip
        if THREADS > 1 and m >= PARALLEL_FROM:  # two halves at once: each persona's entries are its own
            other = _executor().submit(_C.touched_part, m // 2, m, *part)
            counts = _C.touched_part(0, m // 2, *part) + other.result()
        else:
            counts = _C.touched_part(0, m, *part)
        bits = rng.bit_generator
        interface = bits.ctypes
        with bits.lock:
            keep, post = _C.touched_finish(
                who, total, values, delta, segment_of, attentive, bound, stance_sums, stance, activity, posts_made,
                invitation, tag_interest, fatigue_table, fatigue, stance_weight, imitation, dt,
                interface.state_address, ctypes.cast(interface.next_double, ctypes.c_void_p).value or 0,
            )  # fmt: skip
        return values, exits, keep, post, counts
    values, exits, was_active, stale, active = touch(who, total, gain, value, since, exit, levels, turn, floor, oldest)
    newly, newly_hostile = seen_and_stance(
        who, by_kind, pull(by_kind, influence, total), hostile, seen, seen_hostile, stance, segment, stance_sums
    )
    keep, chance = post_chances(
        who,
        values,
        total,
        floor,
        segment,
        stance,
        activity,
        posts_made,
        invitation,
        tag_interest,
        fatigue_table,
        fatigue,
        stance_weight,
        imitation,
        dt,
    )
    post = rng.random(len(keep)) < chance
    counts = np.array([was_active, stale, active, newly, newly_hostile], np.int64)
    return values, exits, keep, post, counts


# ---------------------------------------------------------------------------------------------- posting
def post_chances(
    touched: np.ndarray,
    attention: np.ndarray,
    total: np.ndarray,
    floor: float,
    segment: np.ndarray,
    stance: np.ndarray,
    activity: np.ndarray,
    posts_made: np.ndarray,
    invitation: np.ndarray,
    tag_interest: np.ndarray,
    fatigue_table: np.ndarray,
    fatigue: float,
    stance_weight: float,
    imitation: float,
    dt: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the touched who stay attentive (indices into `touched`) and each one's chance to post this turn.

    A persona's rate is activity × dt × attention × drive × fatigue^posts, where drive is
    invitation × e^(w·|stance|) + tag interest + imitation × exposure / (1 + exposure); the chance is
    1 − exp(−rate). `fatigue_table[n]` is fatigue^n (beyond it, the power is taken).
    """
    if COMPILED and _C is not None:
        result: tuple[np.ndarray, np.ndarray] = _C.post_chances(
            _ids(touched),
            _floats(attention),
            _floats(total),
            floor,
            segment,
            stance,
            activity,
            posts_made,
            invitation,
            tag_interest,
            fatigue_table,
            fatigue,
            stance_weight,
            imitation,
            dt,
        )
        return result
    keep = np.flatnonzero(attention > floor)
    who, att, te = touched[keep], attention[keep], total[keep]
    seg = segment[who]
    motive = np.exp(stance_weight * np.abs(stance[who]))
    drive = invitation[seg] * motive + tag_interest[seg] + imitation * te / (1 + te)
    posts = posts_made[who]
    table = (
        fatigue_table if not len(posts) or posts.max() < len(fatigue_table) else fatigue ** np.arange(posts.max() + 1)
    )
    lam = activity[who] * dt * att * drive * table[posts]
    chance: np.ndarray = -np.expm1(-lam)
    return keep, chance


def choose_kinds(
    who: np.ndarray,
    segment: np.ndarray,
    stance: np.ndarray,
    base_mix: np.ndarray,
    rate: np.ndarray,
    hostile: np.ndarray,
    supportive: np.ndarray,
    stance_weight: float,
    exposure: np.ndarray | None,
    total: np.ndarray | None,
    imitation: float,
    uniform: np.ndarray,
) -> np.ndarray:
    """Return the kind each of `who` posts: one draw from its weights with the uniform `uniform[i]`.

    A persona's weight for a kind is its segment's mix × rate, × e^(−w·stance) for hostile kinds and
    e^(w·stance) for supportive ones, × (1 + imitation × exposure / (1 + total)) when its exposure is
    given. The kind is the number of running sums below uniform × the sum (at most K − 1).
    """
    k = base_mix.shape[1]
    imitate = exposure is not None and total is not None
    if COMPILED and _C is not None:
        chosen: np.ndarray = _C.choose_kinds(
            _ids(who),
            segment,
            stance,
            base_mix,
            rate,
            hostile.view(np.uint8),
            supportive.view(np.uint8),
            stance_weight,
            _floats(exposure) if exposure is not None else np.zeros((0, k)),
            _floats(total) if total is not None else np.zeros(0),
            imitation,
            imitate,
            _floats(uniform),
        )
        return chosen
    seg = segment[who]
    w = base_mix[seg] * rate[seg]
    lean = stance[who][:, None]
    w = w * np.where(hostile, np.exp(-stance_weight * lean), np.where(supportive, np.exp(stance_weight * lean), 1.0))
    if exposure is not None and total is not None:
        w = w * (1 + imitation * exposure / (1 + total[:, None]))
    cum = np.cumsum(w, axis=1)
    target = uniform * cum[:, -1] if len(cum) else uniform
    picked: np.ndarray = np.minimum((cum < target[:, None]).sum(axis=1), k - 1).astype(np.int8)
    return picked


def count_posts(posters: np.ndarray, posts_made: np.ndarray) -> None:
    """Add one to `posts_made` for each of `posters` (a persona may appear twice: a post and a reply)."""
    if COMPILED and _C is not None:
        _C.count_posts(_ids(posters), posts_made)
        return
    np.add.at(posts_made, posters, 1)


def entering(
    touched: np.ndarray,
    keep: np.ndarray,
    attention: np.ndarray,
    exits: np.ndarray,
    activity: np.ndarray,
    posts_made: np.ndarray,
    segment: np.ndarray,
    fatigue_table: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Return the kept touched personas (`touched[keep]`) as they enter the active set: (who, segment, weight,
    exit level, past), weight = activity × attention × fatigue^posts from `fatigue_table`, NaN for the `past`
    personas whose posts are beyond the table (the caller works theirs out)."""
    if COMPILED and _C is not None:
        args = (_ids(touched), keep, _floats(attention), _floats(exits), activity, posts_made, segment, fatigue_table)
        m = len(keep)
        outs = (np.empty(m, np.int32), np.empty(m, np.int16), np.empty(m), np.empty(m))
        if THREADS > 1 and m >= PARALLEL_FROM:  # two halves at once: each entry is its own
            other = _executor().submit(_C.entering_part, m // 2, m, *args, *outs)
            past = _C.entering_part(0, m // 2, *args, *outs) + other.result()
        else:
            past = _C.entering_part(0, m, *args, *outs)
        return (*outs, int(past))
    who = touched[keep].astype(np.int32, copy=False)
    posts = posts_made[who]
    within = posts < len(fatigue_table)
    weight = np.full(len(who), np.nan)
    weight[within] = activity[who[within]] * attention[keep[within]] * fatigue_table[posts[within]]
    return who, segment[who], weight, exits[keep], int(len(who) - within.sum())


def candidate_events(
    counts: np.ndarray,
    uniform: np.ndarray,
    seg_base: np.ndarray,
    seg_weight: np.ndarray,
    seg_lo: np.ndarray,
    seg_hi: np.ndarray,
    turns: np.ndarray,
    scale: np.ndarray,
    factor: np.ndarray,
    cum: np.ndarray,
    ids: np.ndarray,
    weight: np.ndarray,
    since: np.ndarray,
    exit: np.ndarray,
    value: np.ndarray,
    level: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Place candidate events on the active set's store; return (who, bound, attention) of the live ones.

    Group g (chunk g // S, segment g % S, of the store's chunks in order) has `counts[g]` events; each takes
    the next uniform and lands on the entry whose running weight `cum` first exceeds seg_base[g] + u ·
    seg_weight[g], kept inside the group's entries seg_lo[g]..seg_hi[g]. An event is live when its persona
    was last set in the chunk's turn and is still active; its bound is the entry's weight × scale[chunk] ×
    factor[segment], its attention value × scale[chunk].
    """
    if COMPILED and _C is not None:
        result: tuple[np.ndarray, np.ndarray, np.ndarray] = _C.candidate_events(
            counts.astype(np.int64, copy=False), _floats(uniform), _floats(seg_base), _floats(seg_weight),
            seg_lo.astype(np.int64, copy=False), seg_hi.astype(np.int64, copy=False),
            turns.astype(np.int64, copy=False), _floats(scale), _floats(factor), cum, ids, weight, since, exit,
            value, level,
        )  # fmt: skip
        return result
    segments = len(factor)
    groups = np.repeat(np.arange(len(counts)), counts)
    target = seg_base[groups] + uniform * seg_weight[groups]
    idx = np.clip(np.searchsorted(cum, target, side="right"), seg_lo[groups], seg_hi[groups] - 1)
    who = ids[idx]
    chunk = groups // segments
    live = (since[who] == turns[chunk]) & (exit[who] < level)
    who, idx, chunk, groups = who[live], idx[live], chunk[live], groups[live]
    bound = weight[idx] * scale[chunk] * factor[groups % segments]
    attention = value[who] * scale[chunk]
    return who, bound, attention


def first_occurrences(values: np.ndarray, mark: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(values, return_index=True)` for persona ids: the distinct ids, sorted, and where each first
    occurs. `mark` is a scratch of one bool per persona, all False, and is left so."""
    if COMPILED and _C is not None and len(values) < 2**31:
        packed = _C.first_occurrences(_ids(values), mark.view(np.uint8))
        packed.sort()  # distinct ids in the high words: one order
        return (packed >> 32).astype(np.int32), (packed & 0xFFFFFFFF).astype(np.intp)
    who, first = np.unique(values, return_index=True)
    return who.astype(np.int32, copy=False), first


def late_viewers(touched: np.ndarray, uniform: np.ndarray, chance: float, saw: np.ndarray, post: int) -> np.ndarray:
    """Return the touched (unique) who come across brand post `post` now: uniform < chance, not seen it yet; mark them."""
    if COMPILED and _C is not None:
        late: np.ndarray = _C.late_viewers(_ids(touched), _floats(uniform), chance, saw, post)
        return late
    fresh: np.ndarray = touched[(uniform < chance) & (saw[touched] != post)].astype(np.int32, copy=False)
    saw[fresh] = post
    return fresh


# ---------------------------------------------------------------------------------------------- exit buckets
EXIT_BUCKETS = 64  # a chunk's exit store is kept in this many buckets of exit level (engine 3)


def exit_keys(exits: np.ndarray, chunk_level: float, inv: float) -> np.ndarray:
    """Return each exit level's bucket: ⌊(chunk level − exit)·inv⌋ in 0..EXIT_BUCKETS (larger: leaves later).

    The key never increases as the exit level rises (subtraction, product and floor are monotone), so
    buckets in descending key order hold ascending levels: every level in a later bucket is higher.
    """
    keys: np.ndarray = np.clip(np.floor((chunk_level - exits) * inv), 0, EXIT_BUCKETS).astype(np.uint8)
    return keys


def exit_order(who: np.ndarray, exits: np.ndarray, chunk_level: float, inv: float) -> tuple[np.ndarray, np.ndarray]:
    """Return a new chunk's exit store: (ids, exit levels) in buckets of descending key, persona order within.

    An integer counting sort, so it is one answer on every machine (a float sort was not: numpy's
    default argsort leaves ties in an order that depends on the CPU's vector instructions).
    """
    if COMPILED and _C is not None:
        ids, levels = _C.exit_buckets(_ids(who), _floats(exits), chunk_level, inv, EXIT_BUCKETS)
        return ids, levels
    order = np.argsort(EXIT_BUCKETS - exit_keys(exits, chunk_level, inv), kind="stable")
    return who[order].astype(np.int32, copy=False), exits[order]


def settle_tail(
    exit_ids: np.ndarray,
    exits: np.ndarray,
    since: np.ndarray,
    start: int,
    active_end: int,
    level: float,
    chunk_level: float,
    inv: float,
    turn: int,
) -> tuple[int, int]:
    """Remove from a chunk's active prefix those whose exit level the decay reached; return (new end, how many).

    The prefix start..active_end is in buckets (`exit_order`). From the last bucket down, each is
    scanned: entries with exit ≥ `level` leave, the others move down in order; once a bucket keeps
    someone, every earlier bucket (lower levels) stays whole. Only live entries (set at `turn`) are
    counted: the others were set again since and left this chunk already. Cost: the buckets scanned.
    """
    if COMPILED and _C is not None:
        end, left = _C.settle_tail(
            exit_ids, exits, since, start, active_end, level, chunk_level, inv, EXIT_BUCKETS, turn
        )
        return int(end), int(left)
    keys = exit_keys(exits[start:active_end], chunk_level, inv)
    end, left = active_end, 0
    while end > start:
        lo = start + int(np.searchsorted(-keys.astype(np.int64), -int(keys[end - 1 - start]), side="left"))
        ids, values = exit_ids[lo:end].copy(), exits[lo:end].copy()
        stay = values < level
        left += int(np.count_nonzero(since[ids[~stay]] == turn))
        kept = int(stay.sum())
        exit_ids[lo : lo + kept] = ids[stay]
        exits[lo : lo + kept] = values[stay]
        if kept:
            return lo + kept, left
        end = lo
    return end, left


def distinct(values: np.ndarray, bits: np.ndarray | None = None) -> np.ndarray:
    """Return the sorted distinct values, as `np.unique` does, by one sort.

    `np.unique` hashes since numpy 2.3: about ten times slower than sorting at the sizes a turn sees.
    Given `bits` (`mark_bits(N)`, the values being persona ids below N), the compiled kernel marks them
    instead and reads them off in order, when there are enough of them to pay for reading every word.
    """
    if COMPILED and _C is not None and bits is not None and len(values) >= len(bits) // 8:
        marked: np.ndarray = _C.distinct_marked(_ids(values), bits)
        return marked.astype(values.dtype, copy=False)
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    first = np.empty(len(ordered), bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


def picked_where(
    ids: np.ndarray,
    picks: np.ndarray,
    marks: np.ndarray,
    value: int,
    exit: np.ndarray | None = None,
    level: float = np.inf,
) -> np.ndarray:
    """Return ids[picks] (int32) whose persona's mark (int32 or int64) is `value` and, given `exit`, who are
    still active (exit < level): the live entries of a store, or the viewers whose latest brand post is this one."""
    if COMPILED and _C is not None:
        check = exit is not None
        result: np.ndarray = _C.picked_where(
            _ids(ids), picks.astype(np.int64, copy=False), marks, value, exit if check else np.zeros(0), level, check
        )
        return result
    hits: np.ndarray = ids[picks]
    live = marks[hits] == value
    if exit is not None:
        live &= exit[hits] < level
    kept: np.ndarray = hits[live].astype(np.int32, copy=False)
    return kept


def mark_bits(size: int) -> np.ndarray:
    """Marks for `size` personas, one bit each (all clear): the compiled exposure's work array."""
    return np.zeros((size + 63) // 64, np.uint64)


def _ids(values: np.ndarray) -> np.ndarray:
    """Persona ids as the compiled kernels take them (int32; no copy when they already are)."""
    return values.astype(np.int32, copy=False)


def _floats(values: np.ndarray) -> np.ndarray:
    """Numbers as the compiled kernels take them (float64; no copy when they already are)."""
    return values.astype(np.float64, copy=False)


_C = _compiled()
COMPILED = False  # True while the compiled kernels run

# Engine 3's pass over the touched runs in two threads from this many touched personas (a turn of a big
# crowd), when THREADS allows: the results do not depend on it. A sweep's worker processes take one each.
PARALLEL_FROM = 32_768
_pool: tuple[int, ThreadPoolExecutor] | None = None


def _threads_wanted() -> int:
    """`BACKFIRE_THREADS` (1 or 2) if it is a whole number, else one per core up to two."""
    asked = os.environ.get("BACKFIRE_THREADS", "").strip()
    return max(1, min(2, int(asked) if asked.isdigit() and int(asked) > 0 else os.cpu_count() or 1))


THREADS = _threads_wanted()


def use_threads(threads: int) -> int:
    """Let the compiled pass use up to `threads` threads (1 or 2); return how many it now may use."""
    global THREADS
    THREADS = max(1, min(2, threads))
    return THREADS


def _executor() -> ThreadPoolExecutor:
    """The thread that runs the other half of a pass (one per process: a forked child makes its own)."""
    global _pool
    if _pool is None or _pool[0] != os.getpid():
        _pool = (os.getpid(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="backfire-pass"))
    return _pool[1]


def use(compiled: bool) -> bool:
    """Run the compiled kernels (if built) or the numpy twins; return whether the compiled ones now run."""
    global COMPILED
    COMPILED = compiled and _C is not None
    return COMPILED


use(os.environ.get("BACKFIRE_KERNELS", "compiled") != "numpy")
