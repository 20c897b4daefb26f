"""The after-action report's improvement plan is specific to each weak dimension."""

from __future__ import annotations

from simulator.report.build import DimensionRow, LessonItem, _plan


def _dim(label: str) -> DimensionRow:
    return DimensionRow("hostile_total", label, 1.0, "lower", "harm", 200.0, 100.0, 100.0, -25.0, 25.0, 50.0)


def test_each_weak_dimension_gets_its_own_corrective_action():
    advice = [
        LessonItem("cancel:badidea", 330, "q1", "Limit the scope.", "Source A"),
        LessonItem("open:open_ask", None, "q2", "Name the audience.", "Source B"),
    ]
    rows = _plan([_dim("Hostile volume"), _dim("Replies"), _dim("Reach")], [], advice)
    actions = [r.corrective_action for r in rows]
    assert actions[0] == "Limit the scope." and actions[1] == "Name the audience."
    assert len(set(actions)) == 3 and "reach" in actions[2]
    assert next(r.observation for r in rows) == "200 against history's 100"
