# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The crowd builder's matching in C: each function is the loop version of numpy code in `graph.py`.

Built when the package is installed, like the engine's loops; if the build fails, numpy runs.
Both give the same arrays: a sort has one answer, and the rows are built from the same matching.
"""

from libc.stdlib cimport calloc, free, realloc
from libc.string cimport memmove

cdef enum:
    DIGIT = 8  # bits per radix pass: 256 buckets, whose write positions stay in the first-level cache
    BUCKETS = 256
    PASSES = 8  # of a 64-bit key
    SMALL = 48  # rows up to this long are sorted by insertion; longer ones by radix


cdef int _radix(unsigned long long* keys, unsigned long long* spare, Py_ssize_t n) noexcept nogil:
    """Least-significant byte first; a pass whose byte is the same in every key is skipped.

    Return 0 when the sorted keys end in `keys`, 1 when in `spare`, -1 when out of memory.
    """
    cdef Py_ssize_t* counts = <Py_ssize_t*>calloc(BUCKETS * PASSES, sizeof(Py_ssize_t))
    cdef Py_ssize_t* at
    cdef Py_ssize_t i, c, total
    cdef unsigned long long x
    cdef unsigned long long* source = keys
    cdef unsigned long long* target = spare
    cdef unsigned long long* swap
    cdef int d, shift, where = 0
    if counts == NULL:
        return -1
    for i in range(n):
        x = keys[i]
        for d in range(PASSES):
            counts[d * BUCKETS + <Py_ssize_t>((x >> (d * DIGIT)) & (BUCKETS - 1))] += 1
    for d in range(PASSES):
        at = counts + d * BUCKETS
        shift = d * DIGIT
        if at[(source[0] >> shift) & (BUCKETS - 1)] == n:
            continue  # every key has this byte: the order stands
        total = 0
        for c in range(BUCKETS):
            i = at[c]
            at[c] = total
            total += i
        for i in range(n):
            x = source[i]
            c = <Py_ssize_t>((x >> shift) & (BUCKETS - 1))
            target[at[c]] = x
            at[c] += 1
        swap = source
        source = target
        target = swap
        where ^= 1
    free(counts)
    return where


def radix_sort(long long[::1] keys, long long[::1] spare):
    """Sort non-negative `keys` ascending, using `spare` (at least as long) as the other buffer.

    Return 0 when the sorted keys are in `keys`, 1 when they are in `spare[:len(keys)]`.
    """
    cdef Py_ssize_t n = keys.shape[0]
    cdef int where
    if n < 2:
        return 0
    if spare.shape[0] < n:
        raise ValueError("spare is shorter than keys")
    with nogil:
        where = _radix(<unsigned long long*>&keys[0], <unsigned long long*>&spare[0], n)
    if where < 0:
        raise MemoryError()
    return where


cdef void _sort_row(int* row, Py_ssize_t n, int* scratch) noexcept nogil:
    """Sort one row's followers (non-negative) in place: insertion when short, else radix by byte."""
    cdef Py_ssize_t i, j, c, total
    cdef Py_ssize_t counts[BUCKETS]
    cdef int x, d, shift
    cdef int* source = row
    cdef int* target = scratch
    cdef int* swap
    if n <= SMALL:
        for i in range(1, n):
            x = row[i]
            j = i
            while j > 0 and row[j - 1] > x:
                row[j] = row[j - 1]
                j -= 1
            row[j] = x
        return
    for d in range(4):
        shift = d * DIGIT
        for c in range(BUCKETS):
            counts[c] = 0
        for i in range(n):
            counts[(source[i] >> shift) & (BUCKETS - 1)] += 1
        if counts[(source[0] >> shift) & (BUCKETS - 1)] == n:
            continue
        total = 0
        for c in range(BUCKETS):
            i = counts[c]
            counts[c] = total
            total += i
        for i in range(n):
            x = source[i]
            c = (x >> shift) & (BUCKETS - 1)
            target[counts[c]] = x
            counts[c] += 1
        swap = source
        source = target
        target = swap
    if source != row:
        for i in range(n):
            row[i] = source[i]


def follower_rows(
    const long long[::1] matched,
    long long low,
    const long long[::1] in_counts,
    long long lo,
    const long long[::1] hub_rows,
    const long long[::1] hub_bounds,
    const int[::1] hub_followers,
    int[::1] out,
    long long[::1] starts,
):
    """Write rows lo.. of the CSR: row lo + i takes the next in_counts[i] matched stubs' followers
    (`matched & low`), then its hub followers if it is hub_rows[h] (followers hub_bounds[h]:hub_bounds[h + 1]);
    each row sorted, without self-follows and repeats. starts[i] is where row lo + 1 + i begins in `out`.

    `hub_rows` are sorted; `out` holds len(matched) + len(hub_followers). Return how many followers were written.
    """
    cdef Py_ssize_t rows = in_counts.shape[0], i, t, j, begin, k = 0, h = 0, pos = 0, longest = 0, size
    cdef long long row, c
    cdef int f
    cdef int* scratch = NULL
    cdef int* grown
    cdef bint failed = False
    if out.shape[0] < matched.shape[0] + hub_followers.shape[0] or starts.shape[0] < rows:
        raise ValueError("out or starts is too short")
    with nogil:
        for i in range(rows):
            row = lo + i
            begin = k
            c = in_counts[i]
            for t in range(pos, pos + c):
                f = <int>(matched[t] & low)
                if f != row:
                    out[k] = f
                    k += 1
            pos += c
            if h < hub_rows.shape[0] and hub_rows[h] == row:
                for t in range(hub_bounds[h], hub_bounds[h + 1]):
                    f = hub_followers[t]
                    if f != row:
                        out[k] = f
                        k += 1
                h += 1
            size = k - begin
            if size > SMALL and size > longest:
                grown = <int*>realloc(scratch, size * sizeof(int))
                if grown == NULL:
                    failed = True
                    break
                scratch = grown
                longest = size
            if size > 1:
                _sort_row(&out[begin], size, scratch)
                j = begin + 1
                for t in range(begin + 1, k):
                    if out[t] != out[j - 1]:
                        out[j] = out[t]
                        j += 1
                k = j
            starts[i] = k
    free(scratch)
    if failed:
        raise MemoryError()
    return k


def move_down(int[::1] buffer, Py_ssize_t source, Py_ssize_t target, Py_ssize_t count):
    """Move buffer[source:source + count] to buffer[target:target + count] (target <= source; they may overlap)."""
    if count <= 0:
        return
    if not (0 <= target <= source and source + count <= buffer.shape[0]):
        raise ValueError("move out of bounds")
    with nogil:
        memmove(&buffer[target], &buffer[source], count * sizeof(int))
