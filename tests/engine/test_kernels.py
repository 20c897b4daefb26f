"""The engine's compiled loops (`_kernels.pyx`) compute exactly what their numpy twins compute.

Three checks:
- CI builds the compiled kernels (so `backfire bench` measures them, and the equality below is not
  numpy against numpy);
- each kernel against its twin on generated inputs, edge cases included (empty sets, a target reached
  twice, a persona past the fatigue table, personas set again since);
- whole runs of every library case, compiled against numpy: the same posts, turn by turn, and the same
  summary.
"""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.audience import build_audience
from simulator.engine import Run, kernels, strategy_plan
from simulator.engine.attention import Attention
from simulator.engine.state import TurnRecord
from simulator.scenario import resolve

compiled_only = pytest.mark.skipif(
    kernels._C is None, reason="the compiled kernels were not built: nothing to compare the numpy twins with"
)


@contextmanager
def kernels_as(compiled: bool) -> Iterator[None]:
    """Run the compiled kernels or the numpy twins inside the block; restore the process's choice after."""
    before = kernels.COMPILED
    kernels.use(compiled)
    try:
        yield
    finally:
        kernels.use(before)


@contextmanager
def two_threads() -> Iterator[None]:
    """Let the compiled pass over the touched split any set of touched personas in two threads."""
    before = kernels.THREADS, kernels.PARALLEL_FROM
    kernels.use_threads(2)
    kernels.PARALLEL_FROM = 2
    try:
        yield
    finally:
        kernels.use_threads(before[0])
        kernels.PARALLEL_FROM = before[1]


def both(name: str, *args: object) -> tuple[object, object]:
    """Call a kernel compiled and as its numpy twin on copies of the same arguments; return both results and args."""
    runs = []
    for compiled in (True, False):
        copies = [a.copy() if isinstance(a, np.ndarray) else copy.deepcopy(a) if _generator(a) else a for a in args]
        with kernels_as(compiled):
            runs.append((getattr(kernels, name)(*copies), copies))
    return runs[0], runs[1]


def _generator(a: object) -> bool:
    return isinstance(a, np.random.Generator)


def _numpys_math_is_the_c_librarys() -> bool:
    """True when numpy's exp, expm1 and log give the C library's numbers (the compiled kernels' math)."""
    xs = np.random.default_rng(0).uniform(-30.0, 5.0, 20_000)
    ys = np.abs(xs) + 1e-3
    return (
        np.array_equal(np.exp(xs), [math.exp(x) for x in xs])
        and np.array_equal(np.expm1(xs), [math.expm1(x) for x in xs])
        and np.array_equal(np.log(ys), [math.log(y) for y in ys])
    )


# numpy has its own exp and log on processors with AVX-512 (elsewhere it calls the C library, as the compiled
# kernels do): there the two may differ in the last bit, and numbers computed from them by a little more.
# Where they agree, the twins must give the compiled kernels' numbers exactly.
EXACT_MATH = _numpys_math_is_the_c_librarys()
RELATIVE = 1e-12


def assert_equal_arrays(a: np.ndarray, b: np.ndarray) -> None:
    """Equal; where numpy's exp and log are not the C library's, floats to within RELATIVE."""
    assert a.shape == b.shape
    floats = np.issubdtype(a.dtype, np.floating) or np.issubdtype(b.dtype, np.floating)
    if floats and not EXACT_MATH:
        np.testing.assert_allclose(a, b, rtol=RELATIVE, atol=1e-15)
    else:
        np.testing.assert_array_equal(a, b)


def assert_same(a: object, b: object) -> None:
    if isinstance(a, tuple | list):
        assert isinstance(b, tuple | list) and len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert_same(x, y)
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray)
        assert_equal_arrays(a, b)
    elif isinstance(a, float):
        assert isinstance(b, float)
        assert_equal_arrays(np.array(a), np.array(b))
    else:
        assert a == b


def assert_identical(a: object, b: object) -> None:
    """The same to the bit (compiled against compiled: no exp or log of another library in between)."""
    if isinstance(a, tuple | list):
        assert isinstance(b, tuple | list) and len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert_identical(x, y)
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape
        assert a.tobytes() == b.tobytes()
    else:
        assert type(a) is type(b) and a == b


def test_ci_builds_the_compiled_kernels():
    if os.environ.get("BACKFIRE_KERNELS") == "numpy":
        pytest.skip("BACKFIRE_KERNELS=numpy asks for the numpy twins")
    assert kernels._C is not None, "simulator/engine/_kernels.pyx was not built: is a C compiler installed?"
    assert kernels.COMPILED


@st.composite
def graphs(draw: st.DrawFn, most: int = 200) -> tuple[np.ndarray, np.ndarray, int]:
    n = draw(st.integers(1, most))
    degree = draw(st.lists(st.integers(0, 12), min_size=n, max_size=n))
    indptr = np.concatenate([[0], np.cumsum(degree)]).astype(np.int64)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    indices = rng.integers(0, n, int(indptr[-1])).astype(np.int32)
    return indptr, indices, n


def _posts_on(graph: tuple[np.ndarray, np.ndarray, int], seed: int, posts: int, extras: int, cols: int) -> tuple:
    """`exposure`'s first arguments: the graph, posts by random posters (one may post twice) and extra targets."""
    indptr, indices, n = graph
    rng = np.random.default_rng(seed)
    posters = rng.integers(0, n, posts).astype(np.int32)
    extra = rng.integers(0, n, extras).astype(np.int32)
    return (
        indptr,
        indices,
        posters,
        rng.exponential(1.0, posts),
        rng.integers(0, cols, posts).astype(np.int8),
        extra,
        rng.exponential(1.0, extras),
        rng.integers(0, cols, extras).astype(np.int8),
    )


@compiled_only
@settings(max_examples=60, deadline=None)
@given(graphs(), st.integers(0, 2**32 - 1), st.integers(0, 300), st.integers(0, 300), st.sampled_from([0, 1e9, None]))
def test_exposure_kernel_matches_its_twin(graph, seed, posts, extras, sort_fraction):
    """Both ways to the sorted targets (a sort of those found, a scan of the marks: forced, or chosen by size)."""
    n, cols = graph[2], 5
    args = (*_posts_on(graph, seed, posts, extras, cols), np.zeros(n, bool), np.zeros(n, np.int32), cols)
    args += (kernels.mark_bits(n),)
    before = kernels.SORT_FRACTION
    kernels.SORT_FRACTION = before if sort_fraction is None else sort_fraction
    try:
        (c_out, c_args), (np_out, np_args) = both("exposure", *args)
    finally:
        kernels.SORT_FRACTION = before
    assert_same(c_out, np_out)
    touched = c_out[0]
    assert np.all(np.diff(touched) > 0)
    assert not c_args[8].any() and not np_args[8].any()  # the marks are cleared for the next turn
    assert not c_args[11].any()  # and so are the compiled kernel's bits


@compiled_only
@settings(max_examples=60, deadline=None)
@given(
    graphs(most=700),
    st.integers(0, 2**32 - 1),
    st.integers(0, 300),
    st.integers(0, 300),
    st.integers(-1, 12),
    st.sampled_from([1, 3]),
)
def test_exposure_in_two_halves_matches_one(graph, seed, posts, extras, split, cols):
    """Two threads, each with half the walk and then half the personas, give what one gives, bit for bit.

    Whatever the split of the personas (too low, too high, none yet): it moves the work, not the result.
    Few columns put many weights in a cell, so a cell summed in another order shows.
    """
    n = graph[2]
    args = _posts_on(graph, seed, posts, extras, cols)
    results = []
    for threads in (1, 2):
        bits, slot, where = kernels.mark_bits(n), np.zeros(n, np.int32), np.array([split], np.int64)
        with kernels_as(True), two_threads():
            kernels.use_threads(threads)
            results.append(kernels.exposure(*args, np.zeros(n, bool), slot, cols, bits, where))
        assert not bits.any()
        if threads == 2 and posts + extras:
            assert 0 <= where[0] <= len(bits)  # where the next turn splits: inside the crowd
    assert_identical(results[0], results[1])


@compiled_only
@pytest.mark.parametrize("seed", range(4))
def test_exposure_in_two_halves_sums_each_cell_in_walking_order(seed):
    """Bigger crowds, one column: a cell gets many weights from both halves of the walk, in walking order."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(500, 3000))
    indptr = np.concatenate([[0], np.cumsum(rng.integers(0, 30, n))]).astype(np.int64)
    indices = rng.integers(0, n, int(indptr[-1])).astype(np.int32)
    posters, extra = rng.integers(0, n, 400).astype(np.int32), rng.integers(0, n, 300).astype(np.int32)
    args = (indptr, indices, posters, rng.exponential(1.0, 400), np.zeros(400, np.int8))
    args += (extra, rng.exponential(1.0, 300), np.zeros(300, np.int8))
    results = []
    for threads in (1, 2):
        with kernels_as(True), two_threads():
            kernels.use_threads(threads)
            results.append(kernels.exposure(*args, np.zeros(n, bool), np.zeros(n, np.int32), 1, kernels.mark_bits(n)))
    assert_identical(results[0], results[1])
    assert results[0][1].shape == (
        len(np.unique(np.concatenate([indices[indptr[p] : indptr[p + 1]] for p in posters] + [extra]))),
        1,
    )


def _halves_args(n: int = 300, width: int | None = None) -> tuple:
    """`exposure_half`'s arguments after `half` for a small crowd (every persona posts once)."""
    rng = np.random.default_rng(4)
    indptr = np.concatenate([[0], np.cumsum(rng.integers(0, 9, n))]).astype(np.int64)
    indices = rng.integers(0, n, int(indptr[-1])).astype(np.int32)
    posters = np.arange(n, dtype=np.int32)
    walked = int(indptr[-1])
    width = walked if width is None else width
    return (
        indptr, indices, posters, np.ones(n), np.zeros(n, np.int8), np.zeros(0, np.int32), np.zeros(0),
        np.zeros(0, np.int8), kernels.mark_bits(n), np.zeros(n, np.int32), 1, n // 2, (n + 63) // 128,
        np.empty((2, width), np.int32), np.empty((2, width), np.int32), np.zeros(9, np.int64),
        np.zeros((2, 64), np.int64), 3, np.empty(walked, np.int32), np.empty((walked, 1)), np.empty(walked),
    )  # fmt: skip


@compiled_only
def test_exposure_halves_refuse_alike_and_stop_waiting_when_told():
    """A walk longer than its buffer is refused by both halves (one alone would leave the other waiting);
    a half left alone stops waiting once told to, and a half that fails lets the other go and clears the marks."""
    import threading

    for half in (0, 1):
        with pytest.raises(ValueError, match="longer than its buffer"):
            kernels._C.exposure_half(half, *_halves_args(width=10))
    args = _halves_args()
    alone = threading.Thread(target=kernels._C.exposure_half, args=(1, *args))
    alone.start()
    alone.join(0.2)
    assert alone.is_alive()  # waiting at the first barrier for half 0, which never comes
    args[15][8] = 1
    alone.join(10)
    assert not alone.is_alive()

    class Interrupted(Exception):
        pass

    real = kernels._C
    other_half: list[str] = []

    def failing(half: int, *rest: object) -> None:
        if half == 0:
            raise Interrupted
        real.exposure_half(half, *rest)  # left waiting at its first barrier, until told to stop
        other_half.append("stopped")

    proxy = type("Proxy", (), {"__getattr__": lambda self, name: getattr(real, name)})()
    proxy.exposure_half = failing
    n = 300
    posts = _halves_args(n)[:3]
    bits = kernels.mark_bits(n)
    with kernels_as(True), two_threads():
        kernels._C = proxy
        try:
            with pytest.raises(Interrupted):
                kernels.exposure(*posts, np.ones(n), np.zeros(n, np.int8), np.zeros(0, np.int32), np.zeros(0),
                                 np.zeros(0, np.int8), np.zeros(n, bool), np.zeros(n, np.int32), 1, bits)  # fmt: skip
        finally:
            kernels._C = real
    assert other_half == ["stopped"] and not bits.any()


@compiled_only
def test_exposure_kernel_refuses_too_few_mark_bits():
    indptr, indices = np.array([0, 1, 1], np.int64), np.array([1], np.int32)
    args = (indptr, indices, np.array([0], np.int32), np.ones(1), np.zeros(1, np.int8))
    extras = (np.zeros(0, np.int32), np.zeros(0), np.zeros(0, np.int8))
    with pytest.raises(ValueError, match="mark bits"):
        kernels._C.exposure(*args, *extras, np.zeros(0, np.uint64), np.zeros(2, np.int32), 1, 0.0)
    touched, exp, total, edges = kernels.exposure(*args, *extras, np.zeros(2, bool), np.zeros(2, np.int32), 1)
    assert touched.tolist() == [1] and exp.tolist() == [[1.0]] and total.tolist() == [1.0] and edges == 1


def _attention_inputs(rng: np.random.Generator, n: int, turns: int) -> tuple:
    """Levels L over `turns` turns, and n personas: some never set, some active, some gone; a unique set touched."""
    levels = np.cumsum(np.log(rng.uniform(0.3, 1.0, turns)))
    turn = turns - 1
    since = rng.integers(-1, turn + 1, n).astype(np.int64)
    value = np.where(since >= 0, rng.uniform(0, 1, n), 0.0)
    exit = np.where(rng.random(n) < 0.7, levels[np.maximum(since, 0)] + np.log(0.02 / np.maximum(value, 1e-9)), np.inf)
    who = np.unique(rng.integers(0, n, rng.integers(0, n + 1))).astype(np.int32)
    return levels, turn, value, since, exit, who


@compiled_only
@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 300), st.integers(1, 40))
def test_touch_kernel_matches_its_twin(seed, n, turns):
    rng = np.random.default_rng(seed)
    levels, turn, value, since, exit, who = _attention_inputs(rng, n, turns)
    exposure = rng.exponential(1.0, len(who)) * (rng.random(len(who)) < 0.8)
    oldest = int(rng.integers(0, turn + 1))
    args = (who, exposure, 0.7, value, since, exit, levels, turn, 0.02, oldest)
    (c_out, c_args), (np_out, np_args) = both("touch", *args)
    assert_same(c_out, np_out)
    for i in (3, 4, 5):  # value, since, exit: updated the same way
        assert_same(c_args[i], np_args[i])


@compiled_only
@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 300), st.integers(1, 6))
def test_stance_and_post_kernels_match_their_twins(seed, n, k):
    rng = np.random.default_rng(seed)
    segments = 3
    touched = np.unique(rng.integers(0, n, rng.integers(0, n + 1))).astype(np.int32)
    m = len(touched)
    by_kind = rng.exponential(1.0, (m, k + 2))[:, :k] * (rng.random((m, k)) < 0.5)  # a strided view, as in a run
    segment = np.sort(rng.integers(0, segments, n)).astype(np.int16)
    stance = rng.uniform(-1, 1, n)
    args = (
        touched,
        by_kind,
        rng.normal(0, 0.8, m),  # pulls that push some past ±1
        rng.random(k) < 0.5,
        rng.random(n) < 0.3,
        rng.random(n) < 0.3,
        stance,
        segment,
        rng.normal(0, 10, segments),
    )
    (c_out, c_args), (np_out, np_args) = both("seen_and_stance", *args)
    assert_same(c_out, np_out)
    for i in (4, 5, 6):
        assert_same(c_args[i], np_args[i])
    np.testing.assert_allclose(c_args[8], np_args[8], rtol=0, atol=1e-12)

    table = 0.9 ** np.arange(8)
    args2 = (
        touched,
        rng.uniform(0, 0.1, m),  # attention, some below the floor
        rng.exponential(1.0, m),
        0.02,
        segment,
        stance,
        rng.uniform(0.1, 3, n).astype(np.float32),
        rng.integers(0, 12, n).astype(np.int32),  # some past the fatigue table
        rng.uniform(0, 2, segments),
        rng.uniform(0, 1, segments),
        table,
        0.9,
        1.2,
        0.5,
        0.25,
    )
    (c_out, _), (np_out, _) = both("post_chances", *args2)
    assert_same(c_out, np_out)


@compiled_only
@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 300),
    st.integers(1, 30),
    st.integers(1, 6),
    st.sampled_from([1.2, 0.0, -0.7]),
    st.sampled_from([1.0, 0.05, 1e-9]),
    st.booleans(),
)
def test_the_pass_over_the_touched_matches_its_twin(seed, n, turns, k, stance_weight, busy, few_totals):
    """Engine 3's one pass (attention, reach, pull, trials to post) = the kernels one after the other, in numpy.

    The compiled pass draws each trial's uniform from the bit generator as it goes and stops at a bound
    when the uniform is above it; the twin draws them all with `rng.random` and works every chance out.
    Rates from busy to nearly silent, invitations of both signs and stance weights of each sign. The
    compiled pass remembers exp(−gain·exposure) by exposure: totals all different (its slots collide) or
    few (as in a run, where they repeat) give the twin's numbers bit for bit.
    """
    rng = np.random.default_rng(seed)
    segments = 3
    levels, turn, value, since, exit, who = _attention_inputs(rng, n, turns)
    m = len(who)
    by_kind = rng.exponential(1.0, (m, k + 2))[:, :k] * (rng.random((m, k)) < 0.5)  # a strided view, as in a run
    total = by_kind.sum(axis=1) + rng.exponential(0.3, m) * (rng.random(m) < 0.3)  # the tag and brand columns
    if few_totals:
        total = rng.choice(total[:3], m)
    args = (
        who,
        by_kind,
        total,
        0.7,
        value,
        since,
        exit,
        levels,
        turn,
        0.02,
        int(rng.integers(0, turn + 1)),
        rng.normal(0, 0.5, k),  # influence, pulls that push some past ±1
        rng.random(k) < 0.5,
        rng.random(n) < 0.3,
        rng.random(n) < 0.3,
        rng.normal(0, 10, segments),
        np.sort(rng.integers(0, segments, n)).astype(np.int16),
        rng.uniform(-1, 1, n),
        rng.uniform(0.1, 3, n).astype(np.float32) * np.float32(busy),
        rng.integers(0, 12, n).astype(np.int32),  # some past the fatigue table
        rng.uniform(-0.5, 2, segments),  # a negative invitation has no bound: every chance is worked out
        rng.uniform(0, 1, segments),
        0.9 ** np.arange(8),
        0.9,
        stance_weight,
        0.5,
        0.25,
        np.random.default_rng(seed + 1),
    )
    (c_out, c_args), (np_out, np_args) = both("touched_pass", *args)
    with two_threads():  # the compiled pass in two halves at once, whatever the size: the same
        t_out, t_args = both("touched_pass", *args)[0]
    assert_same(t_out, c_out)
    for i in (4, 5, 6, 13, 14, 15, 17):  # value, since, exit, seen, seen_hostile, stance_sums, stance
        np.testing.assert_array_equal(t_args[i], c_args[i])
    assert t_args[-1].bit_generator.state == c_args[-1].bit_generator.state
    assert_same(c_out, np_out)
    for i in (4, 5, 6, 13, 14, 17):  # value, since, exit, seen, seen_hostile, stance: updated the same way
        assert_same(c_args[i], np_args[i])
    np.testing.assert_allclose(c_args[15], np_args[15], rtol=0, atol=1e-12)  # stance_sums
    values, exits, keep, post, counts = c_out
    assert np.array_equal(keep, np.flatnonzero(values > 0.02))  # the attentive, and only they, get a trial
    assert post.dtype == bool and len(post) == len(keep)
    # One uniform per trial, from the same stream: both generators end in the same state.
    assert c_args[-1].bit_generator.state == np_args[-1].bit_generator.state
    assert counts[2] == len(keep) and np.all(np.isfinite(exits) == (values > 0.02))


@compiled_only
@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 300), st.integers(1, 7), st.booleans())
def test_kind_choice_kernel_matches_its_twin(seed, n, k, imitate):
    """The kind each poster posts: the same kinds from the same uniforms, with and without imitation."""
    rng = np.random.default_rng(seed)
    segments = 3
    who = np.unique(rng.integers(0, n, rng.integers(0, n + 1))).astype(np.int32)
    m = len(who)
    segment = np.sort(rng.integers(0, segments, n)).astype(np.int16)
    mix = rng.random((segments, k)) * (rng.random((segments, k)) < 0.7)  # some kinds a segment never posts
    mix[:, -1] += 0.01
    mix /= mix.sum(axis=1, keepdims=True)
    tone = rng.integers(0, 3, k)
    stance = rng.uniform(-1, 1, n)
    rate = rng.uniform(0, 3, (segments, k))
    exposure = rng.exponential(1.0, (m, k + 2))[:, :k] if imitate else None  # a strided view, as in a run
    total = rng.exponential(2.0, m) if imitate else None
    # Uniforms on the edges between kinds (a running sum over the row's sum), at 0, and anywhere. Where numpy's
    # exp is not the C library's, the rows with a uniform on an edge lean neither way (e^0 is 1 in any
    # library: no last bit of exp moves the edge).
    on_edge = rng.random(m) < 0.5
    if not EXACT_MATH:
        stance[who[on_edge]] = 0.0
    lean = stance[who][:, None]
    w = mix[segment[who]] * rate[segment[who]] * np.where(tone == 0, np.exp(-1.3 * lean), 1.0)
    w = w * np.where(tone == 1, np.exp(1.3 * lean), 1.0)
    if imitate:
        w = w * (1 + 0.7 * exposure / (1 + total[:, None]))
    cum = np.cumsum(w, axis=1)
    edge = cum[np.arange(m), rng.integers(0, k, m)] / cum[:, -1] if m else np.zeros(0)
    uniform = np.where(on_edge, edge, rng.random(m))
    uniform[: m // 10] = 0.0
    args = (who, segment, stance, mix, rate, tone == 0, tone == 1, 1.3, exposure, total, 0.7, uniform)
    (c_out, _), (np_out, _) = both("choose_kinds", *args)
    assert_same(c_out, np_out)
    assert c_out.dtype == np.int8 and ((c_out >= 0) & (c_out < k)).all()


@compiled_only
@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 49), max_size=200))
def test_first_occurrences_are_numpys_unique_with_index(values):
    values = np.array(values, np.int32)
    mark = np.zeros(50, bool)
    (c_out, c_args), (np_out, _) = both("first_occurrences", values, mark)
    assert_same(c_out, np_out)
    assert_same(c_out, np.unique(values, return_index=True))
    assert not c_args[1].any()  # the scratch is left clean


@compiled_only
@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 300))
def test_entering_the_active_set_matches_its_twin(seed, n):
    """Who enters the active set, with segment, weight (NaN past the fatigue table) and exit level."""
    rng = np.random.default_rng(seed)
    touched = np.unique(rng.integers(0, n, rng.integers(0, n + 1))).astype(np.int32)
    keep = np.flatnonzero(rng.random(len(touched)) < 0.7)
    posts_made = rng.integers(0, 12, n).astype(np.int32)  # some past the table of 8
    args = (
        touched,
        keep,
        rng.random(len(touched)),
        rng.normal(-3, 1, len(touched)),
        rng.uniform(0.1, 3, n).astype(np.float32),
        posts_made,
        np.sort(rng.integers(0, 4, n)).astype(np.int16),
        0.9 ** np.arange(8),
    )
    (c_out, _), (np_out, _) = both("entering", *args)
    assert_same(c_out, np_out)
    with kernels_as(True), two_threads():  # in two halves at once: the same, to the bit
        assert_identical(kernels.entering(*args), c_out)
    who, segment, weight, exit_of, past = c_out
    assert np.array_equal(who, touched[keep]) and past == int((posts_made[who] >= 8).sum())
    assert np.array_equal(segment, args[6][who]) and np.array_equal(exit_of, args[3][keep])
    assert np.isnan(weight).sum() == past


@compiled_only
@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 300), st.integers(-1, 3))
def test_post_count_and_late_viewer_kernels_match_their_twins(seed, n, post):
    rng = np.random.default_rng(seed)
    posters = rng.integers(0, n, rng.integers(0, 2 * n)).astype(np.int32)  # a persona may post and reply
    posts_made = rng.integers(0, 5, n).astype(np.int32)
    (_, c_args), (_, np_args) = both("count_posts", posters, posts_made)
    assert_same(c_args[1], np_args[1])
    assert c_args[1].sum() == posts_made.sum() + len(posters)

    touched = np.unique(rng.integers(0, n, rng.integers(0, n + 1))).astype(np.int32)
    saw = rng.integers(-1, 4, n).astype(np.int32)
    uniform = np.where(rng.random(len(touched)) < 0.2, 0.4, rng.random(len(touched)))  # some on the edge
    args = (touched, uniform, 0.4, saw, post)
    (c_out, c_args), (np_out, np_args) = both("late_viewers", *args)
    assert_same(c_out, np_out)
    assert_same(c_args[3], np_args[3])
    assert (c_args[3][c_out] == post).all() and not (saw[c_out] == post).any()


@compiled_only
@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 300), st.integers(-1, 5))
def test_count_set_kernel_matches_its_twin(seed, n, turn):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, n, rng.integers(0, 2 * n)).astype(np.int32)  # repeats, as stale entries are
    since = rng.integers(-1, 5, n).astype(np.int64)
    (c_out, _), (np_out, _) = both("count_set", ids, since, turn)
    assert c_out == np_out == int(np.count_nonzero(since[ids] == turn))


def _exit_chunk(seed: int, n: int, ties: bool) -> tuple[np.ndarray, np.ndarray, float, float]:
    """A chunk's personas (sorted ids) and exit levels below its level, some on bucket edges, some tied."""
    rng = np.random.default_rng(seed)
    floor = 0.02
    inv = kernels.EXIT_BUCKETS / float(np.log(1 / floor))
    level = float(rng.uniform(-30, 0))
    who = np.sort(rng.choice(10 * n, n, replace=False)).astype(np.int32)
    attention = rng.uniform(floor, 1, n)
    if ties:
        attention = np.round(attention, 1).clip(floor * 1.01, 1)  # many equal levels
    exits = level + np.log(floor / attention)
    edges = rng.random(n) < 0.1
    exits[edges] = level - rng.integers(0, kernels.EXIT_BUCKETS + 1, int(edges.sum())) / inv  # on a bucket's edge
    return who, exits, level, inv


@compiled_only
@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 400), st.booleans(), st.integers(1, 12))
def test_exit_buckets_and_settle_match_their_twins(seed, n, ties, turns):
    """A chunk's exit store in buckets, then trimmed turn by turn as the level falls: compiled = numpy, and right."""
    who, exits, level, inv = _exit_chunk(seed, n, ties)
    (c_out, _), (np_out, _) = both("exit_order", who, exits, level, inv)
    assert_same(c_out, np_out)
    ids, levels = c_out
    keys = kernels.exit_keys(levels, level, inv).astype(int)
    assert sorted(ids.tolist()) == who.tolist()
    assert np.all(np.diff(keys) <= 0), "buckets of descending key"
    same = np.diff(keys) == 0
    assert np.all(np.diff(ids)[same] > 0), "persona order within a bucket"
    for k in np.unique(keys)[1:]:  # a bucket's levels are all below those of the buckets after it (lower keys)
        assert levels[keys == k].max() < levels[keys < k].min()
    rng = np.random.default_rng(seed + 1)
    since = np.full(10 * n, 3, np.int64)
    since[rng.choice(10 * n, 3 * n)] = 4  # set again since: stale entries, not counted when they leave
    store = [ids.copy(), levels.copy()], [ids.copy(), levels.copy()]
    end = [n, n]
    now = level
    for _ in range(turns):
        now -= float(rng.uniform(0, 0.6))
        before = store[0][0][: end[0]].copy(), store[0][1][: end[0]].copy()
        results = []
        for i, compiled in enumerate((True, False)):
            with kernels_as(compiled):
                results.append(kernels.settle_tail(*store[i], since, 0, end[i], now, level, inv, 3))
            end[i] = results[-1][0]
        assert results[0] == results[1]
        for i in (0, 1):
            np.testing.assert_array_equal(store[0][i][: end[0]], store[1][i][: end[1]])
        kept, left = results[0]
        staying = before[1] < now
        assert sorted(store[0][0][:kept].tolist()) == sorted(before[0][staying].tolist())
        assert left == int(np.count_nonzero(since[before[0][~staying]] == 3))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-(2**31), 2**31 - 1), max_size=60), st.sampled_from([np.int32, np.int64, np.float64]))
def test_distinct_is_numpys_unique(values, dtype):
    """`distinct` sorts where numpy's unique hashes: the same values, dtype and order."""
    array = np.array(values, dtype=dtype)
    mine, numpys = kernels.distinct(array), np.unique(array)
    assert mine.dtype == numpys.dtype
    np.testing.assert_array_equal(mine, numpys)


@compiled_only
@settings(max_examples=100, deadline=None)
@given(st.integers(1, 700), st.integers(0, 2**32 - 1), st.integers(0, 400), st.sampled_from([np.int32, np.int64]))
def test_distinct_by_marks_is_numpys_unique(n, seed, count, dtype):
    """Persona ids marked in bits and read off in order: numpy's unique, and the bits left clear."""
    values = np.random.default_rng(seed).integers(0, n, count).astype(dtype)
    bits = kernels.mark_bits(n)
    with kernels_as(True):
        mine = kernels.distinct(values, bits)
    assert mine.dtype == values.dtype and not bits.any()
    np.testing.assert_array_equal(mine, np.unique(values))
    with pytest.raises(ValueError, match="outside"):
        kernels._C.distinct_marked(np.array([0, 64 * len(bits)], np.int32), bits)
    assert not bits.any()  # refused before marking anything


@compiled_only
@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 300), st.integers(-1, 4), st.booleans())
def test_picked_where_kernel_matches_its_twin(seed, n, turn, check_exit):
    """Picked entries kept if set at `turn` (and still active), or if their latest brand post is `turn`."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, n, rng.integers(0, 2 * n)).astype(np.int32)  # repeats, as stale entries are
    picks = rng.integers(0, max(len(ids), 1), rng.integers(0, 3 * n) if len(ids) else 0)
    since = rng.integers(-1, 5, n).astype(np.int64)
    exit = rng.normal(-1.0, 1.0, n)
    args = (ids, picks, since, turn, exit if check_exit else None, -1.0)
    (c_out, _), (np_out, _) = both("picked_where", *args)
    assert_same(c_out, np_out)
    assert c_out.dtype == np.int32 and (since[c_out] == turn).all()
    if check_exit:
        assert (exit[c_out] < -1.0).all()
    saw = rng.integers(-1, 5, n).astype(np.int32)
    (c_out, _), (np_out, _) = both("picked_where", ids, picks, saw, turn)
    assert_same(c_out, np_out)
    assert c_out.dtype == np.int32 and (saw[c_out] == turn).all()
    with pytest.raises(ValueError, match="outside"):
        kernels._C.picked_where(ids, np.array([len(ids)], np.int64), since, turn, exit, -1.0, check_exit)
    with pytest.raises(ValueError, match="outside"):
        kernels._C.picked_where(ids, np.array([-1], np.int64), saw, turn, exit, -1.0, False)


def _attention_history(n: int, segments: int, segment: np.ndarray) -> Attention:
    local = np.random.default_rng(7)
    att = Attention(n, segments, 0.02)
    for turn in range(40):
        att.decay(turn, 0.8)
        who = np.unique(local.integers(0, n, local.integers(0, 300))).astype(np.int32)
        values, exits = att.touch(who, local.exponential(1.0, len(who)), 0.9)
        att.settle()
        keep = values > att.floor
        att.add(who[keep], segment[who[keep]], local.uniform(0, 1, int(keep.sum())), exits[keep])
    att._rebuild()
    return att


@compiled_only
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_candidate_events_match_their_twin(seed):
    """Candidate posts drawn on a store of many chunks (stale entries, personas who left): the same events."""
    rng = np.random.default_rng(seed)
    n, segments = 2000, 3
    segment = np.sort(rng.integers(0, segments, n))
    with kernels_as(True):
        store = _attention_history(n, segments, segment)
    store.decay(40, 0.8)  # a new turn: every chunk in the store is from before it
    factor = rng.uniform(0.5, 40.0, segments)
    results = []
    for compiled in (True, False):
        with kernels_as(compiled):
            results.append(store.candidates(factor, np.random.default_rng(seed + 10)))
    assert_same(results[0], results[1])
    who, bound, attention = results[0]
    assert len(who) > 50 and (bound > 0).all() and (attention > 0).all()
    assert (store.since[who] < 40).all() and (store.exit[who] < store.level).all()  # live entries only


@compiled_only
def test_rebuild_kernel_matches_its_twin():
    """An attention store with many chunks, personas set again and leaving, rebuilt both ways."""
    rng = np.random.default_rng(5)
    n, segments = 2000, 3
    segment = np.sort(rng.integers(0, segments, n))
    stores = []
    for compiled in (True, False):
        with kernels_as(compiled):
            stores.append(_attention_history(n, segments, segment))
    a, b = stores
    assert a.count == b.count and a._cum_total == b._cum_total and len(a._chunks) == len(b._chunks) > 1
    for name in ("_ids", "_weight", "_cum", "_exit_ids", "_exits"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.size == y.size
        assert_equal_arrays(x.data[: x.size], y.data[: y.size])
    for x, y in zip(a._chunks, b._chunks, strict=True):
        assert (x.turn, x.start, x.end, x.active_end) == (y.turn, y.start, y.end, y.active_end)
        for field in ("seg_start", "seg_base", "seg_weight"):
            assert_equal_arrays(getattr(x, field), getattr(y, field))


@compiled_only
def test_rebuild_in_two_threads_matches_one():
    """The segment-ordered and the exit-ordered stores filtered at once, in two threads: the same store."""
    rng = np.random.default_rng(6)
    n, segments = 2000, 3
    segment = np.sort(rng.integers(0, segments, n))
    stores = []
    for threads in (1, 2):
        with kernels_as(True), two_threads():
            kernels.use_threads(threads)
            stores.append(_attention_history(n, segments, segment))
    a, b = stores
    assert a.count == b.count and a._cum_total == b._cum_total and len(a._chunks) == len(b._chunks) > 1
    for name in ("_ids", "_weight", "_cum", "_exit_ids", "_exits"):
        x, y = getattr(a, name), getattr(b, name)
        assert_identical(x.data[: x.size], y.data[: y.size])
    for x, y in zip(a._chunks, b._chunks, strict=True):
        assert (x.turn, x.start, x.end, x.active_end) == (y.turn, y.start, y.end, y.active_end)
        assert_identical([x.seg_start, x.seg_base, x.seg_weight], [y.seg_start, y.seg_base, y.seg_weight])
    with pytest.raises(ValueError, match="part"):
        kernels._C.rebuild(*([np.zeros(1, np.int32)] + [np.zeros(1)] * 2 + [np.zeros(1, np.int32), np.zeros(1)]),
                           np.zeros((0, 4), np.int64), np.zeros((0, 2), np.int64), np.zeros(1, np.int64), np.zeros(1),
                           0.0, 0.0, 2)  # fmt: skip


def _rounded(value: object) -> object:
    """The value with every float to 12 significant digits."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def _play(
    case: str, strategy: str, fatigue_table: int | None = None
) -> tuple[list[tuple[bytes, ...]], dict, tuple[np.ndarray, ...]]:
    scenario = resolve(case).scenario
    audience = build_audience(scenario, 3, 20_000)
    plan = strategy_plan(scenario, strategy)
    game = Run(scenario, audience, 3, plan.opening, text=False)
    if fatigue_table is not None:  # fatigue^n looked up for n below this, computed (and the table grown) above
        game.sim._fatigue_table = game.sim._fatigue_table[:fatigue_table]
    records: list[tuple[bytes, ...]] = []
    step = game.sim.step

    def recorded(*args: object, **kwargs: object) -> TurnRecord:
        record = step(*args, **kwargs)
        arrays = (record.poster, record.kind, record.reply, record.reply_post, record.repost)
        records.append(
            (
                *(np.ascontiguousarray(a).tobytes() for a in arrays),
                repr((record.newly_reached, record.newly_reached_hostile)).encode(),
            )
        )
        return record

    game.sim.step = recorded  # type: ignore[method-assign]
    while not game.over:
        game.play(plan.at(game.turn))
    store = game.sim.state.attention  # the active set at the end: who, their weights and exit levels
    active = tuple(buf.data[: buf.size].copy() for buf in (store._ids, store._weight, store._exits))
    return records, game.result(False).summary, active


@compiled_only
def test_the_pass_in_two_threads_gives_the_same_run():
    before = kernels.THREADS
    kernels.use_threads(1)
    try:
        with kernels_as(True):
            one = _play("askjpm", "history")
            with two_threads():
                two = _play("askjpm", "history")
    finally:
        kernels.use_threads(before)
    assert one[0] == two[0] and one[1] == two[1]
    assert_identical(one[2], two[2])


@pytest.mark.parametrize("compiled", [True, False])
def test_posts_past_the_fatigue_table_give_the_same_run(compiled):
    """fatigue^posts past the model's table of powers is computed (and the table grown), as in the table.

    With a table of two entries, nearly every poster is past it (and the table grows as the run goes): the
    posts, and the active set's weights, are those of a run with the whole table.
    """
    if compiled and kernels._C is None:
        pytest.skip("the compiled kernels were not built")
    with kernels_as(compiled):
        records, summary, active = _play("askjpm", "history")
        short_records, short_summary, short_active = _play("askjpm", "history", fatigue_table=2)
    assert short_records == records and short_summary == summary
    for mine, theirs in zip(short_active, active, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    assert len(active[0]) > 1_000


@compiled_only
@pytest.mark.slow
@pytest.mark.parametrize("case", ["askjpm", "askbg", "mcdstories", "askseaworld", "whyistayed"])
def test_compiled_and_numpy_runs_are_the_same(case):
    scenario = resolve(case).scenario
    for strategy in ("history", scenario.strategies[0].id):
        with kernels_as(True):
            c_records, c_summary, c_active = _play(case, strategy)
        with kernels_as(False):
            np_records, np_summary, np_active = _play(case, strategy)
        assert c_records == np_records, f"{case}/{strategy}: the posts differ"
        assert _rounded(c_summary) == _rounded(np_summary)  # exp and log may differ in the last bit
        assert_same(c_active, np_active)  # the same active set, with the same weights and exit levels
