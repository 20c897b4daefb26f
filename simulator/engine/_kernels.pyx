# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The engine's hot loops in C: each is the loop version of a numpy twin in `kernels.py`.

Built when the package is installed (setuptools runs Cython); if the build fails, the numpy twins run.
Each function computes what its twin computes, in the same order, sums included; only touched_pass
draws, from the run's bit generator, the doubles its twin takes with `rng.random`.
"""

import numpy as np

from libc.math cimport INFINITY, NAN, exp, expm1, log, fabs, pow
from libc.string cimport memcpy

cdef extern from *:
    """
    #if defined(__GNUC__) || defined(__clang__)
    #define BACKFIRE_PREFETCH(address) __builtin_prefetch((address), 1, 3)
    #define BACKFIRE_CTZ(word) __builtin_ctzll(word)
    #define BACKFIRE_HAS_ATOMICS 1
    #define BACKFIRE_ARRIVE(counter) __atomic_add_fetch((counter), 1, __ATOMIC_SEQ_CST)
    #define BACKFIRE_ARRIVED(counter) __atomic_load_n((counter), __ATOMIC_ACQUIRE)
    #else
    #define BACKFIRE_HAS_ATOMICS 0
    #define BACKFIRE_ARRIVE(counter) (++*(counter))
    #define BACKFIRE_ARRIVED(counter) (*(counter))
    #define BACKFIRE_PREFETCH(address) ((void)0)
    static int BACKFIRE_CTZ(unsigned long long word) { int n = 0; while (!(word & 1)) { word >>= 1; n++; } return n; }
    #endif
    """
    void BACKFIRE_PREFETCH(const void *address) noexcept nogil
    int BACKFIRE_CTZ(unsigned long long word) noexcept nogil
    int BACKFIRE_HAS_ATOMICS
    long long BACKFIRE_ARRIVE(long long *counter) noexcept nogil
    long long BACKFIRE_ARRIVED(long long *counter) noexcept nogil

# Whether `exposure_half` can run (its two halves meet at barriers, which need the compiler's atomics).
HALVES = bool(BACKFIRE_HAS_ATOMICS)

# A chance computed in floating point may exceed the rate it is below by an ulp or so: trials leave this slack.
cdef double BOUND_SLACK = 1e-12

# numpy's bit generator interface (numpy/random/bitgen.h): next_double(state).
ctypedef double (*next_double_t)(void* state) noexcept nogil

cdef enum:
    ROWS_AHEAD = 4  # how many posters ahead the walk asks for a follower row
    AHEAD = 16  # how far ahead the scatter asks for a target's slot (and for its row, half as far)


cdef inline double _fatigue_power(int n, const double[::1] table, double fatigue) noexcept nogil:
    """fatigue^n: looked up in `table` (fatigue^0, fatigue^1, …) while it reaches, computed beyond."""
    return table[n] if n < table.shape[0] else pow(fatigue, <double>n)


cdef inline double _post_rate(
    float act, double attention, double invitation, double motive, double tag, double imitation, double te,
    double fat,
) noexcept nogil:
    """A persona's rate to post: activity × dt (`act`) × attention × drive × fatigue^posts, drive being
    invitation × motive + tag interest + imitation × exposure / (1 + exposure), motive e^(w·|stance|).

    Every factor is non-negative when the invitation is, so the rate rises with the motive: with e^w, the
    most the motive can be, it is a bound on the rate (`touched_part`), computed the same way.
    """
    return act * attention * (invitation * motive + tag + imitation * te / (1 + te)) * fat


def exposure(
    const long long[:] indptr,
    const int[:] indices,
    const int[:] posters,
    const double[:] post_weight,
    const signed char[:] post_col,
    const int[:] extra,
    const double[:] extra_weight,
    const signed char[:] extra_col,
    unsigned long long[::1] bits,
    int[::1] slot,
    Py_ssize_t cols,
    double sort_fraction,
):
    """The compiled `kernels.exposure`: `bits` (one bit a persona, all clear) marks the targets found."""
    cdef Py_ssize_t n = slot.shape[0]
    cdef Py_ssize_t i, count = 0, t, words = (n + 63) >> 6
    cdef unsigned long long bit
    cdef long long e, edges = 0
    cdef int c
    cdef double w
    if bits.shape[0] < words:
        raise ValueError("exposure: fewer mark bits than personas")
    for i in range(posters.shape[0]):
        edges += indptr[posters[i] + 1] - indptr[posters[i]]
    # Every target in walking order (followers row by row, then the extras): the scatter below runs along
    # it and asks the memory for rows a few targets ahead, across posters too (most rows are short).
    targets_arr = np.empty(edges + extra.shape[0], np.int32)
    cdef int[::1] targets = targets_arr
    cdef Py_ssize_t f = 0, walked = edges + extra.shape[0], rows = posters.shape[0]
    for i in range(rows):
        # Rows lie anywhere in the follower array: ask for a row a few posters ahead, and for where the
        # row after that one starts.
        if i + ROWS_AHEAD < rows:
            BACKFIRE_PREFETCH(&indices[indptr[posters[i + ROWS_AHEAD]]])
            if i + 2 * ROWS_AHEAD < rows:
                BACKFIRE_PREFETCH(&indptr[posters[i + 2 * ROWS_AHEAD]])
        for e in range(indptr[posters[i]], indptr[posters[i] + 1]):
            targets[f] = indices[e]
            f += 1
    for i in range(extra.shape[0]):
        targets[f] = extra[i]
        f += 1
    cdef int[::1] touched
    cdef int[::1] found
    if walked < sort_fraction * n:
        # Few targets: list each the first time it is marked, then sort the list.
        found_arr = np.empty(walked, np.int32)
        found = found_arr
        for f in range(walked):
            t = targets[f]
            bit = 1ULL << (t & 63)
            if not bits[t >> 6] & bit:
                bits[t >> 6] |= bit
                found[count] = <int>t
                count += 1
        touched_arr = np.sort(found_arr[:count])
        touched = touched_arr
        for i in range(count):
            if i + AHEAD < count:
                BACKFIRE_PREFETCH(&slot[touched[i + AHEAD]])
            t = touched[i]
            bits[t >> 6] = 0
            slot[t] = <int>i
    else:
        # Many: mark them all (no branch: a target seen before changes nothing), counting the new ones,
        # then read the marked ids off the bits in order, 64 at a time, clearing them.
        _mark_list(&targets[0], 0, walked, 1, &bits[0], &count)
        touched_arr = np.empty(count, np.int32)
        touched = touched_arr
        _read_marks(&bits[0], 0, words, &touched[0], &slot[0], 0)
    exp_arr = np.zeros((count, cols))
    cdef double[:, ::1] ex = exp_arr
    f = 0
    for i in range(posters.shape[0]):
        w = post_weight[i]
        c = post_col[i]
        for e in range(indptr[posters[i] + 1] - indptr[posters[i]]):
            if f + AHEAD < walked:
                BACKFIRE_PREFETCH(&slot[targets[f + AHEAD]])
            if f + AHEAD // 2 < walked:
                BACKFIRE_PREFETCH(&ex[slot[targets[f + AHEAD // 2]], 0])
            ex[slot[targets[f]], c] += w
            f += 1
    for i in range(extra.shape[0]):
        if f + AHEAD < walked:
            BACKFIRE_PREFETCH(&slot[targets[f + AHEAD]])
        if f + AHEAD // 2 < walked:
            BACKFIRE_PREFETCH(&ex[slot[targets[f + AHEAD // 2]], 0])
        ex[slot[targets[f]], extra_col[i]] += extra_weight[i]
        f += 1
    total_arr = np.empty(count)
    cdef double[::1] total = total_arr
    if count:
        _row_totals(&ex[0, 0], cols, 0, count, &total[0])
    return touched_arr, exp_arr, total_arr, edges


cdef inline bint _barrier(long long* counter, long long* abort) noexcept nogil:
    """Wait until both halves have reached this point (each arrives once); False if told to stop waiting."""
    BACKFIRE_ARRIVE(counter)
    while BACKFIRE_ARRIVED(counter) < 2:
        if BACKFIRE_ARRIVED(abort):
            return False
    return True


cdef inline Py_ssize_t _read_marks(
    unsigned long long* bits, Py_ssize_t w0, Py_ssize_t w1, int* touched, int* slot, Py_ssize_t j
) noexcept nogil:
    """List the personas marked in words w0..w1 of `bits` in order from touched[j], each with its slot (its
    place in touched) unless `slot` is NULL, clearing the words; return the place after the last."""
    cdef Py_ssize_t q, t
    cdef unsigned long long word
    for q in range(w0, w1):
        word = bits[q]
        if word == 0:
            continue
        bits[q] = 0
        while word:
            t = (q << 6) + BACKFIRE_CTZ(word)
            touched[j] = <int>t
            if slot != NULL:
                slot[t] = <int>j
            j += 1
            word &= word - 1
    return j


cdef inline void _row_totals(
    const double* ex, Py_ssize_t cols, Py_ssize_t lo, Py_ssize_t hi, double* total
) noexcept nogil:
    """total[i] = the sum of row i of ex (C order, `cols` wide) for i in lo..hi, its columns in order from 0 (as
    the twin adds them)."""
    cdef Py_ssize_t i, c
    cdef double running
    for i in range(lo, hi):
        running = 0.0
        for c in range(cols):
            running += ex[i * cols + c]
        total[i] = running


cdef inline void _mark_list(
    const int* ts, Py_ssize_t start, Py_ssize_t stop, Py_ssize_t step, unsigned long long* bits, Py_ssize_t* count
) noexcept nogil:
    """Mark the targets ts[start], ts[start + step], … before `stop` in `bits`, counting the new ones."""
    cdef Py_ssize_t f = start, t, ahead
    cdef unsigned long long old
    while f != stop:
        ahead = f + AHEAD * step
        if (step > 0 and ahead < stop) or (step < 0 and ahead > stop):
            BACKFIRE_PREFETCH(&bits[ts[ahead] >> 6])
        t = ts[f]
        old = bits[t >> 6]
        bits[t >> 6] = old | (1ULL << (t & 63))
        count[0] += 1 - <Py_ssize_t>((old >> (t & 63)) & 1)
        f += step


cdef inline void _scatter_list(
    const int* ts,
    const int* srcs,
    Py_ssize_t start,
    Py_ssize_t stop,
    Py_ssize_t step,
    const int* slot,
    double* ex,
    Py_ssize_t cols,
    Py_ssize_t rows,
    const double* post_weight,
    const signed char* post_col,
    const double* extra_weight,
    const signed char* extra_col,
) noexcept nogil:
    """Add each listed target's weight to its row and column, in list order (see `exposure_half`)."""
    cdef Py_ssize_t f = start, ahead, src
    while f != stop:
        ahead = f + AHEAD * step
        if (step > 0 and ahead < stop) or (step < 0 and ahead > stop):
            BACKFIRE_PREFETCH(&slot[ts[ahead]])
        ahead = f + (AHEAD // 2) * step
        if (step > 0 and ahead < stop) or (step < 0 and ahead > stop):
            BACKFIRE_PREFETCH(&ex[slot[ts[ahead]] * cols])
        src = srcs[f]
        if src < rows:
            ex[slot[ts[f]] * cols + post_col[src]] += post_weight[src]
        else:
            ex[slot[ts[f]] * cols + extra_col[src - rows]] += extra_weight[src - rows]
        f += step


def exposure_half(
    int half,
    const long long[::1] indptr,
    const int[::1] indices,
    const int[::1] posters,
    const double[::1] post_weight,
    const signed char[::1] post_col,
    const int[::1] extra,
    const double[::1] extra_weight,
    const signed char[::1] extra_col,
    unsigned long long[::1] bits,
    int[::1] slot,
    Py_ssize_t cols,
    Py_ssize_t split_poster,
    Py_ssize_t split_word,
    int[:, ::1] ts,
    int[:, ::1] srcs,
    long long[::1] shared,
    long long[:, ::1] where,
    int shift,
    int[::1] touched,
    double[:, ::1] ex,
    double[::1] total,
):
    """One of the two halves of `exposure` that run at once (half 0 and half 1, in two threads).

    Half h walks its posters (half 0 those before `split_poster`, half 1 the rest and the extras) into
    ts[h], srcs[h]: the targets below persona 64·`split_word` from the front, the others from the back,
    each in walking order (a target's source: its poster's index, or the number of posters plus its extra's).
    Then half 0 takes the low targets of both walks, half 1 the high ones: it marks them, lists its
    personas in order with their slots, and adds their weights (a cell's weights in walking order, as
    `exposure` adds them), and sums its rows. The halves wait for each other twice (`shared`: the counts
    at [0:4] and [4:6], the barriers at [6] and [7], all 0 at first); a half that is waiting stops, and
    leaves its work undone, once shared[8] is set (the caller's way out if its own half never ran). `ex`
    and `touched` have a row for every target walked; the rows used are the first shared[4] + shared[5].
    where[h, b] counts half h's targets t with t >> `shift` = b (zero at first, wide enough): where the
    next turn should split. Both halves check every argument alike, so both refuse or neither does (one
    alone would leave the other waiting). Returns nothing.
    """
    cdef Py_ssize_t i, t, q, j, lo_poster, hi_poster, n_low = 0, n_high = 0, count = 0, w0, w1, row0
    cdef Py_ssize_t rows = posters.shape[0], size, first = 0, second = extra.shape[0]
    cdef long long e
    cdef int low_limit = <int>(split_word * 64) if split_word * 64 < 2147483647 else 2147483647
    cdef int is_low
    cdef int* mine_t
    cdef int* mine_s
    cdef long long* seen_at
    if half not in (0, 1) or shared.shape[0] < 9 or ts.shape[0] < 2 or srcs.shape[0] < 2 or where.shape[0] < 2 \
            or not 0 <= shift < 31 or (slot.shape[0] - 1) >> shift >= where.shape[1] \
            or not 0 <= split_poster <= rows or not 0 <= split_word <= bits.shape[0] \
            or bits.shape[0] * 64 < slot.shape[0] or ex.shape[1] < cols or srcs.shape[1] < ts.shape[1] \
            or extra_weight.shape[0] < extra.shape[0] or extra_col.shape[0] < extra.shape[0] \
            or post_weight.shape[0] < rows or post_col.shape[0] < rows:
        raise ValueError("exposure_half: a bad half or work array")
    for i in range(rows):  # each walk must fit its buffer, and every target its rows
        if i < split_poster:
            first += indptr[posters[i] + 1] - indptr[posters[i]]
        else:
            second += indptr[posters[i] + 1] - indptr[posters[i]]
    size = ts.shape[1]
    if first > size or second > size or touched.shape[0] < first + second or ex.shape[0] < first + second \
            or total.shape[0] < first + second:
        raise ValueError("exposure_half: a walk longer than its buffer")
    with nogil:
        # 1. Walk: this half's posters row by row (half 1 then its extras), split into low and high targets.
        lo_poster = 0 if half == 0 else split_poster
        hi_poster = split_poster if half == 0 else rows
        mine_t = &ts[half, 0]
        mine_s = &srcs[half, 0]
        seen_at = &where[half, 0]
        for i in range(lo_poster, hi_poster):
            if i + ROWS_AHEAD < hi_poster:
                BACKFIRE_PREFETCH(&indices[indptr[posters[i + ROWS_AHEAD]]])
                if i + 2 * ROWS_AHEAD < hi_poster:
                    BACKFIRE_PREFETCH(&indptr[posters[i + 2 * ROWS_AHEAD]])
            for e in range(indptr[posters[i]], indptr[posters[i] + 1]):
                t = indices[e]
                seen_at[t >> shift] += 1
                is_low = t < low_limit
                # Written at both ends: only the end it belongs to moves on (the other write is overwritten).
                mine_t[n_low] = <int>t
                mine_s[n_low] = <int>i
                mine_t[size - 1 - n_high] = <int>t
                mine_s[size - 1 - n_high] = <int>i
                n_low += is_low
                n_high += 1 - is_low
        if half == 1:
            for i in range(extra.shape[0]):
                t = extra[i]
                seen_at[t >> shift] += 1
                is_low = t < low_limit
                mine_t[n_low] = <int>t
                mine_s[n_low] = <int>(rows + i)
                mine_t[size - 1 - n_high] = <int>t
                mine_s[size - 1 - n_high] = <int>(rows + i)
                n_low += is_low
                n_high += 1 - is_low
        shared[2 * half] = n_low
        shared[2 * half + 1] = n_high
        # The other half may be told to stop waiting (its caller was interrupted): then so does this one.
        if _barrier(&shared[6], &shared[8]):
            # 2. Mark this half's targets (low: both walks' fronts; high: both walks' backs, read backwards).
            if half == 0:
                _mark_list(&ts[0, 0], 0, shared[0], 1, &bits[0], &count)
                _mark_list(&ts[1, 0], 0, shared[2], 1, &bits[0], &count)
            else:
                _mark_list(&ts[0, 0], size - 1, size - 1 - shared[1], -1, &bits[0], &count)
                _mark_list(&ts[1, 0], size - 1, size - 1 - shared[3], -1, &bits[0], &count)
            shared[4 + half] = count
            if _barrier(&shared[7], &shared[8]):
                # 3. This half's personas in order, read off its words of bits (clearing them), with their
                # slots; its rows of `ex` cleared.
                row0 = 0 if half == 0 else shared[4]
                w0 = 0 if half == 0 else split_word
                w1 = split_word if half == 0 else bits.shape[0]
                j = _read_marks(&bits[0], w0, w1, &touched[0], &slot[0], row0)
                for i in range(row0, j):
                    for q in range(cols):
                        ex[i, q] = 0.0
                # 4. Scatter this half's targets, walk 0's before walk 1's (walking order).
                if half == 0:
                    _scatter_list(&ts[0, 0], &srcs[0, 0], 0, shared[0], 1, &slot[0], &ex[0, 0], cols, rows,
                                  &post_weight[0], &post_col[0], &extra_weight[0], &extra_col[0])
                    _scatter_list(&ts[1, 0], &srcs[1, 0], 0, shared[2], 1, &slot[0], &ex[0, 0], cols, rows,
                                  &post_weight[0], &post_col[0], &extra_weight[0], &extra_col[0])
                else:
                    _scatter_list(&ts[0, 0], &srcs[0, 0], size - 1, size - 1 - shared[1], -1, &slot[0], &ex[0, 0],
                                  cols, rows, &post_weight[0], &post_col[0], &extra_weight[0], &extra_col[0])
                    _scatter_list(&ts[1, 0], &srcs[1, 0], size - 1, size - 1 - shared[3], -1, &slot[0], &ex[0, 0],
                                  cols, rows, &post_weight[0], &post_col[0], &extra_weight[0], &extra_col[0])
                # 5. Its rows' totals.
                _row_totals(&ex[0, 0], cols, row0, j, &total[0])


cdef inline Py_ssize_t _first_at_or_below(const double* levels, Py_ssize_t lo, Py_ssize_t hi, double x) noexcept nogil:
    """The first i in lo..hi with levels[i] <= x, else hi (levels never rise): searchsorted(-levels, -x, 'left')."""
    cdef Py_ssize_t mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if -levels[mid] < -x:
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef struct TouchCounts:
    long long was_active  # active after last turn
    long long stale  # had a live entry in the store (now stale)
    long long active  # active now


cdef object _decay_table(const double* levels, Py_ssize_t turn):
    """exp(L_now − L_u) for every turn u ≤ now: what a persona set at u and still active has kept of its value."""
    table = np.empty(turn + 1)
    cdef double[::1] decay = table
    cdef Py_ssize_t u
    for u in range(turn + 1):
        decay[u] = exp(levels[turn] - levels[u])
    return table


cdef enum:
    EXP_SLOTS = 512  # a pass's memo of exp(−gain·exposure): few distinct exposures a turn (`_kept_exp`)


cdef inline double _kept_exp(double x, double* keys, double* kept) noexcept nogil:
    """exp(x), remembered: a touched persona's exposure is a sum of few post weights, so a turn sees few values.

    A slot holds one argument and its exp (keys start as NaN, equal to nothing); a hit returns the very
    double exp(x) gave, so the pass's numbers do not change.
    """
    cdef unsigned long long bits
    memcpy(&bits, &x, sizeof(double))
    cdef Py_ssize_t slot = <Py_ssize_t>(((bits ^ (bits >> 31)) * 0x9E3779B97F4A7C15ULL) >> 55)  # 9 bits
    if keys[slot] == x:
        return kept[slot]
    keys[slot] = x
    kept[slot] = exp(x)
    return kept[slot]


cdef inline double _touch_one(
    Py_ssize_t p,
    double exposure,
    double kept_share,
    double* value,
    long long* since,
    double* exit,
    const double* levels,
    const double* decay,
    Py_ssize_t turn,
    double floor,
    long long oldest,
    TouchCounts* counts,
    double* exit_now,
) noexcept nogil:
    """Persona p's attention after this turn's decay and exposure (see `kernels.touch`).

    `kept_share` is exp(−gain · exposure), the share of its inattention the exposure leaves. Writes its value, turn and exit level, counts it, puts its exit level in `exit_now`; returns its attention.
    """
    cdef long long u = since[p]
    cdef double x = exit[p], v = value[p], level = levels[turn], now
    cdef Py_ssize_t at
    if turn > 0 and x < levels[turn - 1]:
        counts.was_active += 1
    if u >= oldest and x < INFINITY:
        counts.stale += 1
    if x >= level and u >= 0:  # it left the active set at the turn `at` and stayed there since
        # Set below the floor it never decayed; else the first turn from u on with L <= x (levels never rise).
        at = u if x == INFINITY else _first_at_or_below(levels, u, turn + 1, x)
        now = v * exp(levels[at] - levels[u])
    else:  # still active (or never set: its value is 0)
        now = v * decay[u if u >= 0 else turn]
    v = 1 - (1 - now) * kept_share
    value[p] = v
    since[p] = turn
    if v > floor:
        x = level + log(floor / v)
        counts.active += 1
    else:
        x = INFINITY
    exit[p] = x
    exit_now[0] = x
    return v


cdef inline long _exit_key(double x, double chunk_level, double inv, long top) noexcept nogil:
    cdef double k = (chunk_level - x) * inv
    if k >= top:
        return top
    if not k > 0:
        return 0
    return <long>k  # truncation is the floor here (k > 0): no call to floor()


def touch(
    const int[:] who,
    const double[:] exposure,
    double gain,
    double[::1] value,
    long long[::1] since,
    double[::1] exit,
    const double[::1] levels,
    Py_ssize_t turn,
    double floor,
    long long oldest,
):
    cdef Py_ssize_t m = who.shape[0], i, p
    cdef TouchCounts counts = TouchCounts(0, 0, 0)
    values_arr = np.empty(m)
    exits_arr = np.empty(m)
    cdef double[:] values = values_arr
    cdef double[:] exits = exits_arr
    decay_arr = _decay_table(&levels[0], turn)
    cdef double[::1] decay = decay_arr
    for i in range(m):
        if i + AHEAD < m:  # the ids are sorted but sparse: ask for the persona's lines before they are needed
            p = who[i + AHEAD]
            BACKFIRE_PREFETCH(&value[p])
            BACKFIRE_PREFETCH(&since[p])
            BACKFIRE_PREFETCH(&exit[p])
        values[i] = _touch_one(
            who[i], exposure[i], exp(-gain * exposure[i]), &value[0], &since[0], &exit[0], &levels[0], &decay[0], turn, floor, oldest,
            &counts, &exits[i],
        )
    return values_arr, exits_arr, counts.was_active, counts.stale, counts.active


def rebuild(
    int[::1] ids,
    double[::1] weight,
    double[::1] cum,
    int[::1] exit_ids,
    double[::1] exits,
    const long long[:, ::1] chunks,
    const long long[:, ::1] seg_start,
    const long long[::1] since,
    const double[::1] exit,
    double level,
    double total,
    int part=-1,
):
    """The compiled `kernels.rebuild`. Its two stores are filtered apart: `part` 0 the segment-ordered one
    (and returns what `kernels.rebuild` returns), `part` 1 the exit-ordered one (and returns how many
    entries it kept), -1 both. Each chunk keeps as many entries in both (those still set in it and active),
    so the two parts place them alike, and they can run at once (the GIL is released).
    """
    cdef Py_ssize_t nchunks = chunks.shape[0], segments = seg_start.shape[1] - 1
    cdef Py_ssize_t row, k = 0, e, s, position = 0, n, j, q
    cdef long long turn, start, end, active_end
    cdef double running, before_total
    cdef int p
    if part not in (-1, 0, 1):
        raise ValueError("rebuild: part is -1, 0 or 1")
    kept_arr = np.empty(nchunks, np.int64)
    bounds_arr = np.empty((nchunks, 2), np.int64)
    starts_arr = np.empty((nchunks, segments + 1), np.int64)
    sums_arr = np.empty((nchunks, 2, segments))
    cdef long long[::1] kept = kept_arr
    cdef long long[:, ::1] bounds = bounds_arr
    cdef long long[:, ::1] starts = starts_arr
    cdef double[:, :, ::1] sums = sums_arr
    counts_arr = np.empty(segments, np.int64)
    cdef long long[::1] counts = counts_arr
    if part == 1:
        with nogil:
            position = _rebuild_exit_order(exit_ids, exits, chunks, since)
        return position
    with nogil:
        for row in range(nchunks):
            turn = chunks[row, 0]
            start = chunks[row, 1]
            end = chunks[row, 2]
            active_end = chunks[row, 3]
            for s in range(segments):
                counts[s] = 0
            # The segment-ordered store: keep live entries, with the running weight from `total`.
            n = 0
            s = 0
            running = 0.0
            before_total = total
            for e in range(start, end):
                if e + AHEAD < end:
                    BACKFIRE_PREFETCH(&since[ids[e + AHEAD]])
                    BACKFIRE_PREFETCH(&exit[ids[e + AHEAD]])
                p = ids[e]
                if since[p] == turn and exit[p] < level:
                    while s + 1 < segments and seg_start[row, s + 1] <= e:
                        s += 1
                    counts[s] += 1
                    running += weight[e]
                    ids[position + n] = p
                    weight[position + n] = weight[e]
                    cum[position + n] = before_total + running
                    n += 1
            if n == 0:
                continue
            # Segment bounds and sums over the kept entries (cum[j - 1] is the running weight before entry j).
            q = 0
            for s in range(segments + 1):
                starts[k, s] = position + q
                if s < segments:
                    q += counts[s]
            for s in range(segments):
                j = starts[k, s] - position
                sums[k, 0, s] = before_total if j == 0 else cum[position + j - 1]
                j = starts[k, s + 1] - position
                sums[k, 1, s] = (before_total if j == 0 else cum[position + j - 1]) - sums[k, 0, s]
            kept[k] = row
            bounds[k, 0] = position
            bounds[k, 1] = position + n
            position += n
            total = cum[position - 1]
            k += 1
    if part == -1 and _rebuild_exit_order(exit_ids, exits, chunks, since) != position:
        raise ValueError("rebuild: the two stores kept different entries")
    return kept_arr[:k], bounds_arr[:k], starts_arr[:k], sums_arr[:k], total


cdef Py_ssize_t _rebuild_exit_order(
    int[::1] exit_ids, double[::1] exits, const long long[:, ::1] chunks, const long long[::1] since
) noexcept nogil:
    """The exit-ordered store's part of `rebuild`: each chunk keeps the entries of its active prefix still set
    in it, moved down to follow the chunks before; returns how many it kept in all."""
    cdef Py_ssize_t row, e, j, position = 0
    cdef long long turn, start, active_end
    cdef int p
    for row in range(chunks.shape[0]):
        turn = chunks[row, 0]
        start = chunks[row, 1]
        active_end = chunks[row, 3]
        j = 0
        for e in range(start, active_end):
            if e + AHEAD < active_end:
                BACKFIRE_PREFETCH(&since[exit_ids[e + AHEAD]])
            p = exit_ids[e]
            if since[p] == turn:
                exit_ids[position + j] = p
                exits[position + j] = exits[e]
                j += 1
        position += j
    return position


def count_set(const int[:] ids, const long long[:] since, long long turn):
    cdef Py_ssize_t i
    cdef long long count = 0
    for i in range(ids.shape[0]):
        if i + AHEAD < ids.shape[0]:
            BACKFIRE_PREFETCH(&since[ids[i + AHEAD]])
        if since[ids[i]] == turn:
            count += 1
    return count


def seen_and_stance(
    const int[:] touched,
    const double[:, :] by_kind,
    const double[:] pull,
    const unsigned char[:] hostile,
    unsigned char[:] seen,
    unsigned char[:] seen_hostile,
    double[:] stance,
    const short[:] segment,
    double[:] stance_sums,
):
    cdef Py_ssize_t m = touched.shape[0], k = by_kind.shape[1], segments = stance_sums.shape[0], i, c
    cdef long long newly = 0, newly_hostile = 0
    cdef int p
    cdef bint exposed
    cdef double value, before
    deltas_arr = np.zeros(segments)
    cdef double[:] deltas = deltas_arr
    for i in range(m):
        if i + AHEAD < m:
            p = touched[i + AHEAD]
            BACKFIRE_PREFETCH(&seen[p])
            BACKFIRE_PREFETCH(&seen_hostile[p])
            BACKFIRE_PREFETCH(&stance[p])
            BACKFIRE_PREFETCH(&segment[p])
        p = touched[i]
        if not seen[p]:
            newly += 1
            seen[p] = 1
        exposed = False
        for c in range(k):
            if hostile[c] and by_kind[i, c] > 0:
                exposed = True
        if exposed and not seen_hostile[p]:
            newly_hostile += 1
            seen_hostile[p] = 1
        before = stance[p]
        value = before + pull[i]
        if value < -1.0:
            value = -1.0
        elif value > 1.0:
            value = 1.0
        deltas[segment[p]] += value - before
        stance[p] = value
    for c in range(segments):
        stance_sums[c] += deltas[c]
    return newly, newly_hostile


def post_chances(
    const int[:] touched,
    const double[:] attention,
    const double[:] total,
    double floor,
    const short[:] segment,
    const double[:] stance,
    const float[:] activity,
    const int[:] posts_made,
    const double[:] invitation,
    const double[:] tag_interest,
    const double[::1] fatigue_table,
    double fatigue,
    double stance_weight,
    double imitation,
    double dt,
):
    cdef Py_ssize_t m = touched.shape[0], i, k = 0
    cdef int p, s
    cdef float dtf = <float>dt, act
    cdef double te, lam, fat
    keep_arr = np.empty(m, np.int64)
    chance_arr = np.empty(m)
    cdef long long[:] keep = keep_arr
    cdef double[:] chance = chance_arr
    for i in range(m):
        if i + AHEAD < m:
            p = touched[i + AHEAD]
            BACKFIRE_PREFETCH(&segment[p])
            BACKFIRE_PREFETCH(&stance[p])
            BACKFIRE_PREFETCH(&activity[p])
            BACKFIRE_PREFETCH(&posts_made[p])
        if not attention[i] > floor:
            continue
        p = touched[i]
        s = segment[p]
        te = total[i]
        fat = _fatigue_power(posts_made[p], fatigue_table, fatigue)
        act = activity[p] * dtf
        lam = _post_rate(
            act, attention[i], invitation[s], exp(stance_weight * fabs(stance[p])), tag_interest[s], imitation, te, fat
        )
        keep[k] = i
        chance[k] = -expm1(-lam)
        k += 1
    return keep_arr[:k], chance_arr[:k]


def choose_kinds(
    const int[:] who,
    const short[:] segment,
    const double[:] stance,
    const double[:, :] base_mix,
    const double[:, :] rate,
    const unsigned char[:] hostile,
    const unsigned char[:] supportive,
    double stance_weight,
    const double[:, :] exposure,
    const double[:] total,
    double imitation,
    bint imitate,
    const double[:] uniform,
):
    cdef Py_ssize_t m = who.shape[0], k = base_mix.shape[1], i, c, below
    cdef int p, s
    cdef double against, towards, w, running, target
    chosen_arr = np.empty(m, np.int8)
    cum_arr = np.empty(k)
    cdef signed char[:] chosen = chosen_arr
    cdef double[:] cum = cum_arr
    for i in range(m):
        if i + AHEAD < m:
            BACKFIRE_PREFETCH(&segment[who[i + AHEAD]])
            BACKFIRE_PREFETCH(&stance[who[i + AHEAD]])
        p = who[i]
        s = segment[p]
        against = exp(-stance_weight * stance[p])
        towards = exp(stance_weight * stance[p])
        running = 0.0
        for c in range(k):
            w = base_mix[s, c] * rate[s, c]
            if hostile[c]:
                w = w * against
            elif supportive[c]:
                w = w * towards
            else:
                w = w * 1.0
            if imitate:
                w = w * (1 + imitation * exposure[i, c] / (1 + total[i]))
            running += w
            cum[c] = running
        target = uniform[i] * running
        below = 0
        for c in range(k):
            if cum[c] < target:
                below += 1
        chosen[i] = <signed char>(below if below < k - 1 else k - 1)
    return chosen_arr


def count_posts(const int[:] posters, int[:] posts_made):
    cdef Py_ssize_t i
    for i in range(posters.shape[0]):
        posts_made[posters[i]] += 1


def entering_part(
    Py_ssize_t lo,
    Py_ssize_t hi,
    const int[:] touched,
    const long long[:] keep,
    const double[:] attention,
    const double[:] exits,
    const float[:] activity,
    const int[:] posts_made,
    const short[:] segment,
    const double[:] fatigue_table,
    int[::1] who,
    short[::1] seg,
    double[::1] weight,
    double[::1] exit_of,
):
    """The touched who stay attentive, as they enter the active set (see the twin `kernels.entering`), for
    keep[lo:hi], into its outputs' entries lo:hi (the GIL released: two parts run at once).

    Returns how many of them are past the table of powers."""
    cdef Py_ssize_t j, i, table = fatigue_table.shape[0], past = 0
    cdef int p, n
    if not (0 <= lo <= hi <= keep.shape[0]) or who.shape[0] < hi or seg.shape[0] < hi or weight.shape[0] < hi \
            or exit_of.shape[0] < hi:
        raise ValueError("entering_part: a range or an output out of bounds")
    with nogil:
        for j in range(lo, hi):
            if j + AHEAD < hi:
                p = touched[keep[j + AHEAD]]
                BACKFIRE_PREFETCH(&activity[p])
                BACKFIRE_PREFETCH(&posts_made[p])
                BACKFIRE_PREFETCH(&segment[p])
            i = keep[j]
            p = touched[i]
            n = posts_made[p]
            who[j] = p
            seg[j] = segment[p]
            exit_of[j] = exits[i]
            if n < table:
                weight[j] = <double>activity[p] * attention[i] * fatigue_table[n]
            else:
                weight[j] = NAN
                past += 1
    return past


def candidate_events(
    const long long[:] counts,
    const double[:] uniform,
    const double[:] seg_base,
    const double[:] seg_weight,
    const long long[:] seg_lo,
    const long long[:] seg_hi,
    const long long[:] turns,
    const double[:] scale,
    const double[:] factor,
    const double[:] cum,
    const int[:] ids,
    const double[:] weight,
    const long long[:] since,
    const double[:] exit,
    const double[:] value,
    double level,
):
    """Candidate events on the store, group by group (chunk-major, segment-minor): see the twin."""
    cdef Py_ssize_t groups = counts.shape[0], segments = factor.shape[0], size = cum.shape[0]
    cdef Py_ssize_t g, c, r, k = 0, kept = 0, lo, hi, mid, idx
    cdef long long total = 0
    cdef double target
    cdef int p
    for g in range(groups):
        total += counts[g]
    if uniform.shape[0] < total or seg_base.shape[0] < groups or seg_weight.shape[0] < groups \
            or seg_lo.shape[0] < groups or seg_hi.shape[0] < groups or turns.shape[0] * segments < groups:
        raise ValueError("candidate_events: an input shorter than the groups")
    who_arr = np.empty(total, np.int32)
    bound_arr = np.empty(total)
    attention_arr = np.empty(total)
    cdef int[:] who = who_arr
    cdef double[:] bound = bound_arr
    cdef double[:] attention = attention_arr
    for g in range(groups):
        c = g // segments
        for r in range(counts[g]):
            target = seg_base[g] + uniform[k] * seg_weight[g]
            k += 1
            # numpy's searchsorted(cum, target, side="right") over the whole store: the first entry above target.
            lo = 0
            hi = size
            while lo < hi:
                mid = (lo + hi) >> 1
                if cum[mid] <= target:
                    lo = mid + 1
                else:
                    hi = mid
            idx = lo
            if idx < seg_lo[g]:
                idx = seg_lo[g]
            if idx > seg_hi[g] - 1:
                idx = seg_hi[g] - 1
            p = ids[idx]
            if since[p] == turns[c] and exit[p] < level:
                who[kept] = p
                bound[kept] = weight[idx] * scale[c] * factor[g % segments]
                attention[kept] = value[p] * scale[c]
                kept += 1
    return who_arr[:kept], bound_arr[:kept], attention_arr[:kept]


def first_occurrences(const int[:] values, unsigned char[:] mark):
    """Each distinct value with the index of its first occurrence, packed as value << 32 | index (unsorted).

    `mark` (one byte per possible value, all zero) is left all zero.
    """
    cdef Py_ssize_t m = values.shape[0], i, count = 0
    cdef int v
    packed_arr = np.empty(m, np.int64)
    cdef long long[:] packed = packed_arr
    for i in range(m):
        v = values[i]
        if not mark[v]:
            mark[v] = 1
            packed[count] = (<long long>v << 32) | <long long>i
            count += 1
    for i in range(count):
        mark[<int>(packed[i] >> 32)] = 0
    return packed_arr[:count]


def late_viewers(
    const int[:] touched,
    const double[:] uniform,
    double chance,
    int[:] saw,
    int post,
):
    cdef Py_ssize_t m = touched.shape[0], i, count = 0
    cdef int p
    late_arr = np.empty(m, np.int32)
    cdef int[:] late = late_arr
    for i in range(m):
        if i + AHEAD < m:
            BACKFIRE_PREFETCH(&saw[touched[i + AHEAD]])
        p = touched[i]
        if uniform[i] < chance and saw[p] != post:
            late[count] = p
            count += 1
    for i in range(count):
        saw[late[i]] = post
    return late_arr[:count]


def settle_tail(
    int[:] exit_ids,
    double[:] exits,
    const long long[:] since,
    Py_ssize_t start,
    Py_ssize_t active_end,
    double level,
    double chunk_level,
    double inv,
    long top,
    long long turn,
):
    """Trim a chunk's exit store from its last bucket down: see the twin in `kernels.py`."""
    cdef Py_ssize_t end = active_end, lo, i, j
    cdef long long left = 0
    cdef long key
    while end > start:
        key = _exit_key(exits[end - 1], chunk_level, inv, top)
        lo = end - 1
        while lo > start and _exit_key(exits[lo - 1], chunk_level, inv, top) == key:
            lo -= 1
        j = lo
        for i in range(lo, end):
            if exits[i] < level:
                exit_ids[j] = exit_ids[i]
                exits[j] = exits[i]
                j += 1
            elif since[exit_ids[i]] == turn:
                left += 1
        if j > lo:  # someone in this bucket stays: every earlier bucket has lower levels, and stays too
            return j, left
        end = lo
    return end, left


def exit_buckets(const int[:] who, const double[:] exits, double chunk_level, double inv, long top):
    """A new chunk's exit store: `who` and `exits` in buckets of descending key, in order within (a counting sort)."""
    cdef Py_ssize_t n = who.shape[0], i, k
    cdef long key
    keys_arr = np.empty(n, np.int64)
    cdef long long[:] keys = keys_arr
    counts_arr = np.zeros(top + 2, np.int64)
    cdef long long[:] counts = counts_arr
    ids_arr = np.empty(n, np.int32)
    out_arr = np.empty(n)
    cdef int[:] ids = ids_arr
    cdef double[:] out = out_arr
    for i in range(n):
        key = top - _exit_key(exits[i], chunk_level, inv, top)
        keys[i] = key
        counts[key + 1] += 1
    for k in range(top + 1):
        counts[k + 1] += counts[k]
    for i in range(n):
        k = counts[keys[i]]
        counts[keys[i]] += 1
        ids[k] = who[i]
        out[k] = exits[i]
    return ids_arr, out_arr


def distinct_marked(const int[::1] values, unsigned long long[::1] bits):
    """The sorted distinct values (persona ids below 64 · len(bits)), marked in `bits` (all clear, and left so)."""
    cdef Py_ssize_t i, count = 0, n = values.shape[0], top = bits.shape[0] * 64
    for i in range(n):
        if not 0 <= values[i] < top:
            raise ValueError("distinct_marked: an id outside the marks")
    if n:
        _mark_list(&values[0], 0, n, 1, &bits[0], &count)
    out_arr = np.empty(count, np.int32)
    cdef int[::1] out = out_arr
    if count:
        _read_marks(&bits[0], 0, bits.shape[0], &out[0], NULL, 0)
    return out_arr


ctypedef fused mark_t:
    int
    long long


def picked_where(
    const int[::1] ids,
    const long long[::1] picks,
    const mark_t[::1] marks,
    mark_t value,
    const double[::1] exit,
    double level,
    bint check_exit,
):
    """ids[picks] whose persona's mark is `value` (and, if `check_exit`, still active: exit < level)."""
    cdef Py_ssize_t i, k = 0, n = picks.shape[0], size = ids.shape[0]
    cdef int p
    out_arr = np.empty(n, np.int32)
    cdef int[::1] out = out_arr
    for i in range(n):
        if not 0 <= picks[i] < size:
            raise ValueError("picked_where: a pick outside the entries")
    for i in range(n):
        if i + AHEAD < n:
            BACKFIRE_PREFETCH(&marks[ids[picks[i + AHEAD]]])
        p = ids[picks[i]]
        if marks[p] == value and (not check_exit or exit[p] < level):
            out[k] = p
            k += 1
    return out_arr[:k]


def decay_table(const double[::1] levels, Py_ssize_t turn):
    """exp(L_now − L_u) for every turn u ≤ now (see `_decay_table`)."""
    return _decay_table(&levels[0], turn)


def touched_part(
    Py_ssize_t lo,
    Py_ssize_t hi,
    const int[::1] who,
    const double[:, :] by_kind,
    const double[::1] total,
    double gain,
    double[::1] value,
    long long[::1] since,
    double[::1] exit,
    const double[::1] levels,
    const double[::1] decay,
    Py_ssize_t turn,
    double floor,
    long long oldest,
    const double[::1] influence,
    const unsigned char[::1] hostile,
    unsigned char[::1] seen,
    unsigned char[::1] seen_hostile,
    const short[::1] segment,
    double[::1] stance,
    const float[::1] activity,
    const int[::1] posts_made,
    const double[::1] invitation,
    const double[::1] tag_interest,
    const double[::1] fatigue_table,
    double fatigue,
    double stance_weight,
    double imitation,
    double dt,
    double[::1] values,
    double[::1] exits,
    double[::1] delta,
    short[::1] segment_of,
    unsigned char[::1] attentive,
    double[::1] bound,
):
    """The first part of engine 3's pass over the touched, for who[lo:hi]: everything but the draws and the sums.

    Each persona's attention (touch), reach, pull on stance, its stance change (`delta`), its segment,
    whether it stays attentive, and if so a bound on its rate to post (`bound`; inf: no bound). Each
    persona's own entries are all it writes, so two parts run at once (the GIL is released). Returns
    int64[5]: was active, stale, active, newly reached, newly hostile-reached.
    """
    cdef Py_ssize_t k = by_kind.shape[1], i, p, c
    cdef double v, acc, te, before, after, fat
    cdef double motive = exp(stance_weight) if stance_weight > 0 else 1.0  # e^(w·|stance|) at most
    cdef TouchCounts counts = TouchCounts(0, 0, 0)
    cdef long long newly = 0, newly_hostile = 0
    cdef int s
    cdef bint exposed
    cdef float dtf = <float>dt, act
    cdef double keys[EXP_SLOTS]
    cdef double kept[EXP_SLOTS]
    for i in range(EXP_SLOTS):
        keys[i] = NAN
    if not (0 <= lo <= hi <= who.shape[0]) or values.shape[0] < hi or exits.shape[0] < hi or delta.shape[0] < hi \
            or segment_of.shape[0] < hi or attentive.shape[0] < hi or bound.shape[0] < hi or decay.shape[0] <= turn:
        raise ValueError("touched_part: a range or an output out of bounds")
    with nogil:
        for i in range(lo, hi):
            if i + AHEAD < hi:
                p = who[i + AHEAD]
                BACKFIRE_PREFETCH(&value[p])
                BACKFIRE_PREFETCH(&since[p])
                BACKFIRE_PREFETCH(&exit[p])
                BACKFIRE_PREFETCH(&stance[p])
                BACKFIRE_PREFETCH(&seen[p])
                BACKFIRE_PREFETCH(&seen_hostile[p])
                BACKFIRE_PREFETCH(&segment[p])
                BACKFIRE_PREFETCH(&activity[p])
                BACKFIRE_PREFETCH(&posts_made[p])
            p = who[i]
            te = total[i]
            # Attention (touch).
            v = _touch_one(
                p, te, _kept_exp(-gain * te, keys, kept), &value[0], &since[0], &exit[0], &levels[0], &decay[0], turn, floor, oldest, &counts,
                &exits[i],
            )
            values[i] = v
            # Reached, hostile-reached, and the pull on stance (seen_and_stance).
            if not seen[p]:
                newly += 1
                seen[p] = 1
            exposed = False
            acc = 0.0
            for c in range(k):
                acc = acc + by_kind[i, c] * influence[c]
                if hostile[c] and by_kind[i, c] > 0:
                    exposed = True
            if exposed and not seen_hostile[p]:
                newly_hostile += 1
                seen_hostile[p] = 1
            s = segment[p]
            before = stance[p]
            after = before + acc / (1 + 0.25 * te)
            if after < -1.0:
                after = -1.0
            elif after > 1.0:
                after = 1.0
            delta[i] = after - before
            segment_of[i] = <short>s
            stance[p] = after
            # For the attentive, a bound on the rate to post that needs no exp: the rate with e^w for the
            # motive (`_post_rate`). A negative invitation turns that around: no bound.
            attentive[i] = v > floor
            if not v > floor:
                continue
            if invitation[s] >= 0:
                fat = _fatigue_power(posts_made[p], fatigue_table, fatigue)
                act = activity[p] * dtf
                bound[i] = _post_rate(act, v, invitation[s], motive, tag_interest[s], imitation, te, fat)
            else:
                bound[i] = INFINITY
    return np.array([counts.was_active, counts.stale, counts.active, newly, newly_hostile], np.int64)


def touched_finish(
    const int[::1] who,
    const double[::1] total,
    const double[::1] values,
    const double[::1] delta,
    const short[::1] segment_of,
    const unsigned char[::1] attentive,
    const double[::1] bound,
    double[::1] stance_sums,
    const double[::1] stance,
    const float[::1] activity,
    const int[::1] posts_made,
    const double[::1] invitation,
    const double[::1] tag_interest,
    const double[::1] fatigue_table,
    double fatigue,
    double stance_weight,
    double imitation,
    double dt,
    size_t bit_state,
    size_t bit_next_double,
):
    """The end of engine 3's pass, in persona order: the stance sums, then each attentive persona's trial to post.

    Each trial takes the next double of the run's bit generator (its `ctypes` state address and
    next_double), as `Generator.random` would; the chance is worked out only when the uniform falls below
    the bound (give or take an ulp: the slack), and a post is rare. Returns (keep, post).
    """
    cdef Py_ssize_t m = who.shape[0], segments = stance_sums.shape[0], i, kept = 0
    cdef double u, b, te, lam, fat
    cdef int p, s
    cdef float dtf = <float>dt, act
    cdef next_double_t next_double = <next_double_t>bit_next_double
    cdef void* state = <void*>bit_state
    if bit_state == 0 or bit_next_double == 0:
        raise ValueError("no bit generator")
    if values.shape[0] < m or delta.shape[0] < m or segment_of.shape[0] < m or attentive.shape[0] < m \
            or bound.shape[0] < m:
        raise ValueError("touched_finish: an input shorter than who")
    keep_arr = np.empty(m, np.int64)
    post_arr = np.zeros(m, np.uint8)
    deltas_arr = np.zeros(segments)
    cdef long long[:] keep = keep_arr
    cdef unsigned char[:] post = post_arr
    cdef double[:] deltas = deltas_arr
    for i in range(m):
        deltas[segment_of[i]] += delta[i]
        if not attentive[i]:
            continue
        b = bound[i]
        keep[kept] = i
        u = next_double(state)
        if not u < b + fabs(b) * BOUND_SLACK:
            kept += 1
            continue  # the chance is below the bound: no post, without working it out
        p = who[i]
        s = segment_of[i]
        te = total[i]
        fat = _fatigue_power(posts_made[p], fatigue_table, fatigue)
        act = activity[p] * dtf
        lam = _post_rate(
            act, values[i], invitation[s], exp(stance_weight * fabs(stance[p])), tag_interest[s], imitation, te, fat
        )
        post[kept] = u < -expm1(-lam)
        kept += 1
    for s in range(segments):
        stance_sums[s] += deltas[s]
    return keep_arr[:kept], post_arr[:kept].view(np.bool_)
