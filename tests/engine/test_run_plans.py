"""Plans that start alike share their first turns (`run_plans`, `Run.fork`) and get exactly `run()`'s results.

`compare`, `score` and the score ranges play many plans on one crowd; most strategies wait, or act alike,
for hours before their one different move. Going on from a copy of an earlier run must change nothing:
every turn's numbers, the summary and the feed are compared as JSON, for every case's strategies, with
words and without, and for generated sets of plans (Hypothesis) that part at any turn, repeat each other
or open differently.
"""

from __future__ import annotations

import json
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.audience import Audience, build_audience
from simulator.engine import Decision, Plan, Run, RunResult, run, run_plans, strategy_plan
from simulator.engine.params import EngineParams, compile_params
from simulator.engine.run import shared_turns
from simulator.scenario import resolve
from simulator.scenario.schema import Scenario

CASES = ["askjpm", "askbg", "mcdstories", "askseaworld", "whyistayed"]
SIZE = 3_000


@cache
def crowd(case: str, seed: int = 5) -> tuple[Scenario, Audience, EngineParams]:
    scenario = resolve(case).scenario
    return scenario, build_audience(scenario, seed, SIZE), compile_params(scenario)


def as_json(result: RunResult) -> str:
    return json.dumps(result.as_dict(feed=True), default=str, sort_keys=True)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("text", [False, True], ids=["numbers", "words"])
def test_every_strategy_gets_what_run_gives(case, text):
    scenario, audience, params = crowd(case)
    names = ["history", *(s.id for s in scenario.strategies)]
    plans = [strategy_plan(scenario, name) for name in names]
    shared = run_plans(scenario, 5, plans, audience, params, text)
    alone = [run(scenario, 5, plan, audience=audience, params=params, text=text) for plan in plans]
    assert [as_json(r) for r in shared] == [as_json(r) for r in alone]
    # The case is one where sharing happens (or the test would prove nothing about copies).
    if case == "askjpm":
        assert any(shared_turns(plans[0], p, params.turns) > 0 for p in plans[1:])


def test_a_copy_and_its_original_go_their_own_ways():
    """Play on from a copy: the original is untouched and ends as if no copy had been made."""
    scenario, audience, params = crowd("askjpm")
    history = strategy_plan(scenario, "history")
    game = Run(scenario, audience, 5, history.opening, params)
    for _ in range(10):
        game.play(history.at(game.turn))
    copy = game.fork()
    assert copy.sim.state is not game.sim.state and copy.audience is game.audience
    while not copy.over:
        copy.play(Decision("cancel", "accountable") if copy.turn == 10 else Decision("wait"))
    while not game.over:
        game.play(history.at(game.turn))
    alone = run(scenario, 5, history, audience=audience, params=params, with_feed=True)
    assert as_json(game.result(True)) == as_json(alone)
    assert copy.result().summary != game.result().summary  # the copy's cancel at turn 10 changed its run


def test_shared_turns():
    scenario = resolve("askjpm").scenario
    wait, cancel = Decision("wait"), Decision("cancel", "badidea")
    a = Plan("open_ask", (wait,) * 5 + (cancel,))
    assert shared_turns(a, Plan("open_ask", (wait,) * 7 + (cancel,)), 96) == 5
    assert shared_turns(a, a, 96) == 96
    assert shared_turns(a, Plan("open_ask", ()), 96) == 5  # a short plan waits past its end
    assert shared_turns(a, Plan("narrow", (wait,) * 5 + (cancel,)), 96) == 0
    assert shared_turns(a, Plan("open_ask", (wait,) * 5 + (cancel,), "Ask us anything"), 96) == 0
    assert scenario.id == "askjpm"


MOVES = [
    Decision("wait"),
    Decision("answer", "candid"),
    Decision("answer", "defensive"),
    Decision("pause", "holding"),
    Decision("cancel", "badidea"),
    Decision("cancel", "accountable"),
]


@st.composite
def plan_sets(draw: st.DrawFn) -> list[Plan]:
    """Plans made by changing earlier ones from some turn on (so they share starts), repeats and new openings."""
    plans: list[Plan] = []
    for _ in range(draw(st.integers(1, 5))):
        if plans and draw(st.booleans()):
            base = draw(st.sampled_from(plans))
            cut = draw(st.integers(0, 12))
            tail = draw(st.lists(st.sampled_from(MOVES), max_size=4))
            decisions = tuple(base.at(t) for t in range(cut)) + tuple(tail)
            plans.append(Plan(base.opening, decisions, base.opening_text))
        else:
            opening = draw(st.sampled_from(["open_ask", "narrow"]))
            plans.append(Plan(opening, tuple(draw(st.lists(st.sampled_from(MOVES), max_size=12)))))
    return plans


def _legal(scenario: Scenario, plan: Plan) -> bool:
    """A plan the engine accepts (no pause or second cancel after a cancel)."""
    cancelled = False
    for d in plan.decisions:
        if cancelled and d.action in ("cancel", "pause"):
            return False
        cancelled = cancelled or d.action == "cancel"
    return True


@settings(max_examples=25, deadline=None)
@given(plan_sets())
def test_generated_plan_sets_get_what_run_gives(plans):
    scenario, audience, params = crowd("askjpm", 9)
    plans = [p for p in plans if _legal(scenario, p)]
    shared = run_plans(scenario, 9, plans, audience, params, text=False)
    alone = [run(scenario, 9, plan, audience=audience, params=params, text=False) for plan in plans]
    assert [as_json(r) for r in shared] == [as_json(r) for r in alone]
