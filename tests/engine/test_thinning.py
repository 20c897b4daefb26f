"""The engine draws events, not non-events: same law as a trial per persona, different random stream.

Three checks:
- the lazy attention bookkeeping gives, turn by turn, exactly the values and the active count of
  eager updates (the first engine's way);
- from one mid-run state, the thinned draws give each persona its probability 1 − exp(−rate)
  (posts and replies, many repetitions);
- whole runs of the engine and of the first engine (`engine/legacy.py`, kept verbatim) over many seeds agree
  in law: two-sample tests on the calibration metrics.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import ks_2samp

from simulator.audience import build_audience
from simulator.engine import Run, strategy_plan
from simulator.engine.attention import Attention
from simulator.engine.model import bernoulli_indices


@pytest.mark.parametrize("seed", range(4))
def test_lazy_attention_matches_eager_updates(seed):
    rng = np.random.default_rng(seed)
    n, floor = 3000, 0.02
    lazy = Attention(n, 3, floor)
    segment = np.sort(rng.integers(0, 3, n))
    eager = np.zeros(n)
    active = np.zeros(0, np.int64)
    for turn in range(120):
        decay = rng.uniform(0.5, 0.999)
        eager[active] *= decay  # the first engine: the active set decays, the others keep their value
        touched = np.unique(rng.integers(0, n, rng.integers(0, 400)))
        gain = rng.exponential(1.0, len(touched))
        before = eager[touched].copy()
        eager[touched] = 1 - (1 - eager[touched]) * np.exp(-gain)
        active = np.union1d(active, touched)
        active = active[eager[active] > floor]

        lazy.decay(turn, decay)
        now = lazy.current(touched)
        np.testing.assert_allclose(now, before, rtol=1e-9, atol=1e-15)
        values, _ = lazy.touch(touched, gain, 1.0)
        np.testing.assert_allclose(values, eager[touched], rtol=1e-9, atol=1e-15)
        lazy.settle()
        up = values > floor
        lazy.add(touched[up], segment[touched[up]], np.ones(int(up.sum())))
        assert lazy.count == len(active)
        np.testing.assert_allclose(lazy.current(np.arange(n)), eager, rtol=1e-9, atol=1e-15)
        on = np.zeros(n, bool)
        on[lazy.sample_active(1.0, rng)] = True
        assert np.array_equal(np.flatnonzero(on), active)


def _mid_run(askjpm, turn: int, size: int = 10_000):
    plan = strategy_plan(askjpm, "history")
    game = Run(askjpm, build_audience(askjpm, 1, size), 1, plan.opening)
    while game.turn < turn:
        game.play(plan.at(game.turn))
    return game


def _within(drawn: float, expected: float, variance: float, reps: int) -> bool:
    return abs(drawn - expected) <= 4 * np.sqrt(variance / reps) + 1e-9


def test_thinned_posts_give_each_persona_its_probability(askjpm):
    game = _mid_run(askjpm, 20, size=30_000)
    sim, st, p, d = game.sim, game.sim.state, game.params, game.params.rates
    lv = sim.levers(game.turn)
    st.attention.decay(game.turn, 0.5 ** (p.turn_minutes / (d.attention_half_life * lv.attention)))
    st.attention.settle()  # a turn in which nobody is touched: every post comes from the thinned draws
    everyone = np.arange(game.audience.size)
    seg = game.audience.segment
    on = st.attention.exit < st.attention.level
    assert on.sum() == st.active_count > 100
    drive = lv.invitation[seg] * np.exp(d.stance_weight * np.abs(st.stance)) + p.seg_tag_interest[seg]
    lam = game.audience.activity * p.dt_hours * st.attention.current(everyone) * drive * d.fatigue**st.posts_made
    prob = np.where(on, 1 - np.exp(-lam), 0.0)
    reps = 400
    counts = np.zeros(len(prob))
    empty = np.zeros(0, np.int32)
    for r in range(reps):
        sim.rng = np.random.default_rng(10_000 + r)
        who, _ = sim._draw_posts(empty, np.zeros(0), np.zeros((0, p.k)), np.zeros(0), lv.invitation, lv.rate)
        assert len(np.unique(who)) == len(who) and on[who].all()  # once each, only the attentive
        counts[who] += 1
    assert prob.sum() > 20
    for s in range(p.s):
        m = seg == s
        assert _within(counts[m].sum() / reps, prob[m].sum(), (prob[m] * (1 - prob[m])).sum(), reps), s
    busy = prob > np.quantile(prob[on], 0.9)
    assert _within(counts[busy].sum() / reps, prob[busy].sum(), (prob[busy] * (1 - prob[busy])).sum(), reps)


def test_thinned_replies_give_each_viewer_its_probability(askjpm):
    game = _mid_run(askjpm, 24)
    sim, st, p, d = game.sim, game.sim.state, game.params, game.params.rates
    turn = game.turn
    post_turn = np.array([bp.turn for bp in st.brand_posts])
    prov = np.array([bp.provocation for bp in st.brand_posts])
    fresh = 0.5 ** ((turn - post_turn) * p.turn_minutes / d.brand_post_half_life)
    saw = st.saw_brand_post
    latest = np.maximum(saw, 0)
    viewer = (saw >= 0) & (fresh[latest] >= 1e-3)
    lam = d.reply_rate * prov[latest] * fresh[latest] * np.exp(-d.stance_weight * st.stance) * d.fatigue**st.posts_made
    prob = np.where(viewer, 1 - np.exp(-lam), 0.0)
    reps = 400
    counts = np.zeros(len(prob))
    by_post = np.zeros(len(prov))
    for r in range(reps):
        sim.rng = np.random.default_rng(20_000 + r)
        who, _, post = sim._draw_replies(turn, np.zeros(0, np.int32), np.ones((p.s, p.k)))
        assert len(np.unique(who)) == len(who) and (saw[who] == post).all()
        counts[who] += 1
        np.add.at(by_post, post, 1)
    assert prob.sum() > 20
    for b in range(len(prov)):
        m = viewer & (saw == b)
        assert _within(by_post[b] / reps, prob[m].sum(), (prob[m] * (1 - prob[m])).sum(), reps), b
    hostile = viewer & (st.stance < -0.5)
    assert _within(counts[hostile].sum() / reps, prob[hostile].sum(), (prob[hostile] * (1 - prob[hostile])).sum(), reps)


METRICS = ("posts_total", "hostile_total", "replies_to_cancel", "reach_share", "peak_volume_per_hour", "stance_change")


def _history_runs(scenario, seeds, engine: int, size: int):
    plan = strategy_plan(scenario, "history")
    out = []
    for seed in seeds:
        audience = build_audience(scenario, seed, size)  # one crowd for both engines: only the draws differ
        game = Run(scenario, audience, seed, plan.opening, engine=engine)
        while not game.over:
            game.play(plan.at(game.turn))
        summary = game.summary()
        summary["active_mid"] = game.metrics.turns[24]["active"]
        out.append(summary)
    return out


@pytest.fixture(scope="module")
def first_engine_runs(askjpm):
    return _history_runs(askjpm, LAW_SEEDS, engine=1, size=5000)


LAW_SEEDS = range(48)


@pytest.mark.parametrize("engine", [2, 3])
def test_engine_and_first_engine_agree_in_law(askjpm, first_engine_runs, engine):
    """Same seeds (so the same crowds), different streams: the calibration metrics have one distribution.

    Engine 3 also orders two things differently (the brand post's effects land before the crowd's pull on
    stance; the pull sums kinds in order): still the same law, within these tests.
    """
    new = _history_runs(askjpm, LAW_SEEDS, engine=engine, size=5000)
    old = first_engine_runs
    for metric in (*METRICS, "active_mid"):
        a = np.array([s[metric] for s in new], float)
        b = np.array([s[metric] for s in old], float)
        assert ks_2samp(a, b).pvalue > 0.01, metric
        # paired by crowd: the mean difference is within 3 standard errors of zero
        diff = a - b
        assert abs(diff.mean()) <= 3 * diff.std(ddof=1) / np.sqrt(len(diff)) + 1e-12, metric
        lo, hi = np.quantile(b, [0.1, 0.9])
        assert lo - (hi - lo) <= np.median(a) <= hi + (hi - lo), metric


@pytest.mark.parametrize(("n", "chance"), [(1, 0.5), (40, 0.3), (2000, 0.002), (300, 0.97)])
def test_geometric_gaps_pick_each_index_with_its_chance(n, chance):
    """Engine 3 draws who comes across the brand's post as gaps between picks: the law of n trials."""
    rng = np.random.default_rng(n)
    reps = 4000
    counts = np.zeros(n)
    sizes = np.zeros(reps)
    pairs = 0.0
    for r in range(reps):
        picked = bernoulli_indices(n, chance, rng)
        assert np.all(np.diff(picked) > 0) and (len(picked) == 0 or (picked[0] >= 0 and picked[-1] < n))
        counts[picked] += 1
        sizes[r] = len(picked)
        pairs += np.isin([0, n - 1], picked).all()
    assert _within(sizes.mean(), n * chance, n * chance * (1 - chance), reps)
    assert abs(sizes.var() / (n * chance * (1 - chance)) - 1) < 0.15  # binomial spread, not just its mean
    assert _within(counts[0] / reps, chance, chance * (1 - chance), reps)
    assert _within(counts[-1] / reps, chance, chance * (1 - chance), reps)
    if n > 1:  # the first and last index are picked independently
        assert _within(pairs / reps, chance**2, chance**2 * (1 - chance**2), reps)


def test_geometric_gaps_at_the_edges():
    rng = np.random.default_rng(0)
    assert len(bernoulli_indices(0, 0.5, rng)) == 0
    assert len(bernoulli_indices(10, 0.0, rng)) == 0
    assert np.array_equal(bernoulli_indices(10, 1.0, rng), np.arange(10))
