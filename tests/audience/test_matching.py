"""The crowd builder's compiled matching: numpy's sort order and rows, the same crowd either way."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.audience import matching
from simulator.audience.crowd import spec_from
from simulator.audience.graph import _match_segment, build_numpy
from simulator.scenario import resolve


@contextmanager
def matched_by(compiled: bool) -> Iterator[None]:
    before = matching.COMPILED
    if matching.use(compiled) != compiled:
        pytest.skip("the compiled matching is not built")
    try:
        yield
    finally:
        matching.use(before)


def test_ci_builds_the_compiled_matching():
    if os.environ.get("BACKFIRE_KERNELS") == "numpy":
        pytest.skip("BACKFIRE_KERNELS=numpy asks for numpy")
    assert matching._C is not None, "simulator/audience/_matching.pyx was not built: is a C compiler installed?"
    assert matching.COMPILED


keys = st.lists(
    st.one_of(
        st.integers(0, 2**63 - 1),  # any key
        st.integers(0, 255),  # one byte differs
        st.integers(0, 2**20 - 1).map(lambda x: (x << 32) | 7),  # the builder's (row, follower) shape
    ),
    max_size=300,
)


@given(values=keys, extra=st.integers(0, 5))
@settings(max_examples=300, deadline=None)
def test_radix_sort_gives_numpys_order(values, extra):
    with matched_by(compiled=True):
        mine = np.array(values, np.int64)
        spare = np.full(len(values) + extra, -1, np.int64)
        result = matching.sort_keys(mine, spare)
        np.testing.assert_array_equal(result, np.sort(np.array(values, np.int64)))
        assert result.base is spare or result is mine or result.base is mine or len(values) < 2


def test_radix_sort_over_every_byte_and_many_keys():
    rng = np.random.default_rng(3)
    values = rng.integers(0, 2**63 - 1, 200_000, dtype=np.int64)
    values[::7] = values[1]  # repeats
    with matched_by(compiled=True):
        np.testing.assert_array_equal(matching.sort_keys(values.copy()), np.sort(values))


def test_radix_sort_refuses_a_short_spare():
    with matched_by(compiled=True):
        assert matching._C is not None
        with pytest.raises(ValueError, match="shorter"):
            matching._C.radix_sort(np.arange(5, dtype=np.int64), np.empty(4, np.int64))


@st.composite
def segments(draw: st.DrawFn):
    """A small target segment to match: members lo..hi, every persona's follows into it, hubs' extra followers."""
    n = draw(st.integers(2, 40))
    lo = draw(st.integers(0, n - 1))
    hi = draw(st.integers(lo + 1, n))
    column = np.array(draw(st.lists(st.integers(0, 6), min_size=n, max_size=n)), np.int64)
    stubs = int(column.sum())
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    in_counts = rng.multinomial(stubs, np.full(hi - lo, 1 / (hi - lo)))
    hubs = draw(st.lists(st.integers(lo, hi - 1), max_size=3, unique=True))  # in any order, as `_hub_edges` picks
    chosen = [np.sort(rng.choice(n, size=rng.integers(0, n), replace=False)).astype(np.int32) for _ in hubs]
    extra = [followers[followers != hub] for hub, followers in zip(hubs, chosen, strict=True)]  # as `_hub_edges`
    bits = max(1, n.bit_length())
    key = rng.integers(0, np.int64(1) << np.int64(63 - bits), stubs, dtype=np.int64)
    return lo, hi, bits, column, in_counts, key, hubs, extra


@given(segment=segments())
@settings(max_examples=200, deadline=None)
def test_matching_a_segment_is_the_same_with_either_sort(segment):
    """Small segments have self-follows and repeats, which both ways must drop alike."""
    _same_rows_either_way(*segment)


def test_long_rows_are_the_same_with_either_sort():
    """Rows longer than the insertion sort's limit (hubs, big accounts) are sorted by radix in C."""
    rng = np.random.default_rng(8)
    n, lo, hi = 70_000, 100, 130
    column = rng.integers(0, 3, n)
    in_counts = rng.multinomial(int(column.sum()), rng.dirichlet(np.full(hi - lo, 0.3)))
    assert in_counts.max() > 1_000 and (in_counts[(in_counts > 0) & (in_counts <= 48)]).size > 0
    bits = n.bit_length()
    key = rng.integers(0, np.int64(1) << np.int64(63 - bits), int(column.sum()), dtype=np.int64)
    hubs = [120, 101]
    extra = [np.sort(rng.choice(n, 5_000, replace=False)).astype(np.int32) for _ in hubs]
    extra = [f[f != hub] for hub, f in zip(hubs, extra, strict=True)]
    _same_rows_either_way(lo, hi, bits, column, in_counts, key, hubs, extra)


def _same_rows_either_way(lo, hi, bits, column, in_counts, key, hubs, extra):
    results = []
    for compiled in (True, False):
        with matched_by(compiled):
            results.append(_match_segment(lo, hi, bits, column, in_counts, [key.copy()], hubs, extra))
    (followers, starts), (followers_np, starts_np) = results
    np.testing.assert_array_equal(followers, followers_np)
    np.testing.assert_array_equal(starts, starts_np)
    rows = np.repeat(np.arange(lo + 1, hi + 1), np.diff(np.concatenate([[0], starts]))) - 1
    assert not np.any(rows == followers[: len(rows)])  # no self-follows


@pytest.mark.parametrize("scenario_id", ["askjpm", "whyistayed"])
def test_either_sort_builds_the_same_crowd(scenario_id):
    spec = spec_from(resolve(scenario_id).scenario, 30_000)
    graphs = []
    for compiled in (True, False):
        with matched_by(compiled):
            graphs.append(build_numpy(spec, np.random.default_rng(5))[0])
    for field in ("indptr", "indices", "brand_followers"):
        np.testing.assert_array_equal(getattr(graphs[0], field), getattr(graphs[1], field))
    assert graphs[0].edges > 30_000
