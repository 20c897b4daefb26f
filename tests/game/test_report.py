"""The after-action report's improvement plan is specific to each weak dimension and each faulted decision."""

from __future__ import annotations

from simulator.report.build import DIMENSION_ACTIONS, DimensionRow, LessonItem, _plan
from simulator.scenario import resolve


def _dim(label: str, metric: str = "hostile_total") -> DimensionRow:
    return DimensionRow(metric, label, 1.0, "lower", "harm", 200.0, 100.0, 100.0, -25.0, 25.0, 50.0)


def test_each_weak_dimension_gets_its_own_corrective_action():
    askjpm = resolve("askjpm").scenario
    advice = [
        LessonItem("cancel:badidea", 330, "q1", "Limit the scope.", "Source A"),
        LessonItem("open:open_ask", None, "q2", "Name the audience.", "Source B"),
    ]
    dims = [
        _dim("Hostile volume"),
        _dim("Replies", "replies_to_last_brand_post"),
        _dim("Reach", "hostile_reach_share"),
        _dim("Something else", "press_stories"),
    ]
    rows = _plan(askjpm, dims, [], advice)
    actions = [r.corrective_action for r in rows]
    assert actions[0] == "Limit the scope." and actions[1] == "Name the audience."
    # Without advice left, each dimension gets an action of its own, not one generic line.
    assert actions[2] == DIMENSION_ACTIONS["hostile_reach_share"].format(scenario="askjpm")
    assert "something else" in actions[3] and "backfire compare askjpm" in actions[3]
    assert len(set(actions)) == 4
    assert next(r.observation for r in rows) == "200 against history's 100"


def test_a_faulted_decision_gets_the_sources_alternative_or_a_step_for_that_decision():
    askjpm = resolve("askjpm").scenario
    faulted = [
        LessonItem("Opened: Open invitation", None, "q", "Poor reputation: no open Q&A.", "S", "open:open_ask"),
        LessonItem("Cancelled: Apologise and stop", 60, "q", "Walking away wasted a platform.", "S", "cancel:apology"),
    ]
    rows = _plan(askjpm, [], faulted, [])
    opening, cancel = (r.corrective_action for r in rows)
    # The sources praise a narrow topic (open:narrow): that is the alternative to the open invitation.
    assert opening.startswith("Instead of “Opened: Open invitation”:") and "narrow" in opening.lower()
    # No source names another cancellation: the step names this decision and its time.
    assert "“Cancelled: Apologise and stop” at 1h00" in cancel and "backfire read" in cancel
    assert opening != cancel


def test_teams_named_after_colours_are_drawn_in_them():
    from simulator.report.html import NAMED, team_colours

    colours = team_colours(["Blue", "Red", "Wolves", "History"])
    assert colours["Blue"] == NAMED["blue"] and colours["Red"] == NAMED["red"]
    assert colours["History"] == NAMED["history"]
    assert len(set(colours.values())) == 4  # Wolves takes a colour no other series has


def test_a_decision_the_sources_fault_several_ways_is_listed_once_with_each_quote():
    from simulator.report.build import by_decision

    faulted = [
        LessonItem("Opened: Open invitation", None, "q1", "s", "A"),
        LessonItem("Cancelled: Back to the drawing board", 165, "q2", "s", "B"),
        LessonItem("Cancelled: Back to the drawing board", 165, "q3", "s", "C"),
        LessonItem("Cancelled: Back to the drawing board", 330, "q4", "s", "D"),  # the same words, later: another
    ]
    groups = by_decision(faulted)
    assert [(g, [i.quote for i in items]) for g, items in groups] == [
        ("Opened: Open invitation", ["q1"]),
        ("Cancelled: Back to the drawing board at 2h45", ["q2", "q3"]),
        ("Cancelled: Back to the drawing board at 5h30", ["q4"]),
    ]
