"""A seed gives the same run on every machine, whatever vector instructions numpy picks for its sorts.

numpy chooses its sorting code by CPU (AVX2, AVX-512, or plain C), and its default argsort leaves equal
keys in a different order on each. Engine 2 sorted the active set's exit levels that way, so the same
seed gave another run on another machine (19 of 40 runs of the fingerprint differed with AVX2 switched
off). Engine 3 keeps them in buckets of exit level, an integer sort, persona order within. Here the same runs are played in a process where numpy's
dispatched instructions are switched off (`NPY_DISABLE_CPU_FEATURES`), and must match turn by turn.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from simulator.audience import build_audience
from simulator.engine import ENGINE_VERSION, Run, kernels, strategy_plan
from simulator.scenario import resolve

RUNS = [("askjpm", 5, 3000), ("askjpm", 7, 5000), ("whyistayed", 2, 5000), ("askbg", 3, 5000)]

PLAY = """
import json, sys
import numpy as np
from simulator.audience import build_audience
from simulator.engine import Run, strategy_plan
from simulator.scenario import resolve

ties = np.random.default_rng(0).integers(0, 50, 5000).astype(np.float64)
out = {"argsort": np.argsort(ties).tolist(), "runs": []}
for case, seed, size, engine in json.loads(sys.argv[1]):
    scenario = resolve(case).scenario
    plan = strategy_plan(scenario, "history")
    game = Run(scenario, build_audience(scenario, seed, size), seed, plan.opening, text=False, engine=engine)
    while not game.over:
        game.play(plan.at(game.turn))
    out["runs"].append(game.metrics.turns)
print(json.dumps(out, default=str))
"""


def _dispatched() -> list[str]:
    """numpy's optional CPU features this machine has (what numpy would use beyond its baseline)."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__  # type: ignore[attr-defined]

    return [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]


def _play(runs: list[tuple[str, int, int, int]], disable: list[str]) -> dict:
    env = dict(os.environ)
    env.pop("NPY_DISABLE_CPU_FEATURES", None)
    if disable:
        env["NPY_DISABLE_CPU_FEATURES"] = " ".join(disable)
    done = subprocess.run(
        [sys.executable, "-c", PLAY, json.dumps(runs)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.slow
def test_a_seed_gives_the_same_run_without_numpys_vector_sorts():
    features = _dispatched()
    if not features:
        pytest.skip("numpy uses no optional CPU features here: there is nothing to switch off")
    runs = [(case, seed, size, ENGINE_VERSION) for case, seed, size in RUNS]
    here, plain = _play(runs, []), _play(runs, features)
    if here["argsort"] == plain["argsort"]:
        pytest.skip(f"switching off {features} leaves numpy's argsort unchanged here: nothing to compare")
    for (case, seed, size, _), ours, theirs in zip(runs, here["runs"], plain["runs"], strict=True):
        for turn, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            assert a == b, f"{case} seed {seed} ({size:,} personas) differs at turn {turn} without {features}"


def test_the_active_set_is_kept_in_buckets_of_exit_level_in_persona_order():
    """Engine 3's active set: each chunk's exit store in buckets (an integer key), persona order within each."""
    scenario = resolve("askjpm").scenario
    plan = strategy_plan(scenario, "history")
    game = Run(scenario, build_audience(scenario, 5, 3000), 5, plan.opening, text=False)
    shared = 0
    while not game.over:
        game.play(plan.at(game.turn))
        att = game.sim.state.attention
        for chunk in att._chunks:
            ids = att._exit_ids.data[chunk.start : chunk.active_end]
            exits = att._exits.data[chunk.start : chunk.active_end]
            keys = kernels.exit_keys(exits, chunk.level, att._inv).astype(int)
            assert np.all(np.diff(keys) <= 0)
            same = np.diff(keys) == 0
            shared += int(same.sum())
            assert np.all(np.diff(ids)[same] > 0)
            assert np.all(exits < att.level)  # the prefix holds only personas still active
    assert shared > 100  # buckets hold many personas: their order matters
