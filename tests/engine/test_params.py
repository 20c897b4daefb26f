"""Scenario parameters are compiled once; the engine steps on them without the scenario."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import simulator
from simulator.audience import build_audience
from simulator.engine import Decision, Run
from simulator.engine.model import Simulation
from simulator.engine.params import compile_params
from simulator.errors import BackfireError
from simulator.seeds import seed_streams

ENGINE = Path(simulator.__file__).parent / "engine"


def test_effects_are_compiled_to_indices(askjpm):
    p = compile_params(askjpm)
    for move, options in p.options.items():
        for opt in options.values():
            for e in (*opt.effects, *opt.target_effects):
                if e.kinds is not None:
                    assert all(0 <= k < p.k for k in e.kinds), (move, opt.id)
                if e.segments is not None:
                    assert all(0 <= s < p.s for s in e.segments), (move, opt.id)
    defensive = p.option("answer", "defensive")
    rate = next(e for e in defensive.effects if e.param == "rate")
    source = next(e for o in askjpm.actions.answer if o.id == "defensive" for e in o.effects if e.param == "rate")
    assert [p.kind_ids[k] for k in rate.kinds] == source.kinds
    assert np.allclose(p.base_mix.sum(axis=1), 1.0)


def test_the_rules_read_parameters_not_the_scenario():
    """model, effects, exposure, injects and metrics never touch the scenario model (only params.py compiles it)."""
    for name in ("model.py", "effects.py", "exposure.py", "injects.py", "metrics.py", "state.py"):
        text = (ENGINE / name).read_text(encoding="utf-8")
        assert "scenario." not in text and "Scenario" not in text, name
    assert "getattr(" not in (ENGINE / "model.py").read_text(encoding="utf-8")


def test_a_simulation_steps_on_compiled_parameters_alone(askjpm):
    params = compile_params(askjpm)
    audience = build_audience(askjpm, 1, 2000)
    sim = Simulation(params, audience, seed_streams(1)["engine"])
    records = [sim.step(Decision("wait")) for _ in range(8)]
    assert sim.turn == 8 and sum(len(r.poster) for r in records) > 0


def test_an_unknown_option_reaching_the_engine_is_a_clear_error(askjpm):
    game = Run(askjpm, build_audience(askjpm, 1, 2000), 1)
    with pytest.raises(BackfireError, match="unknown answer option 'gloat'"):
        game.play(Decision("answer", "gloat", "grievance"))
    with pytest.raises(BackfireError, match="unknown move 'dance'"):
        game.play(Decision("dance", "badidea"))
