"""The metric vocabulary: one list of names, typed in the schema, reported by the engine, formatted by unit."""

from __future__ import annotations

from typing import get_args

import pytest

from simulator.cli.main import main
from simulator.engine import run, strategy_plan
from simulator.engine.metrics import SUMMARY_LAYOUT, SUMMARY_REPORTERS, TURN_LAYOUT, TURN_REPORTERS
from simulator.formatting import fmt_metric
from simulator.scenario.metrics import (
    SUMMARY_METRICS,
    TURN_METRICS,
    WINDOWED_SERIES,
    SummaryMetric,
    TurnMetric,
    WindowedMetric,
)
from simulator.scenario.reference import scenario_json_schema
from tests.conftest import line_of, mutate


def test_the_literal_types_and_the_tables_name_the_same_metrics():
    assert set(get_args(TurnMetric)) == set(TURN_METRICS)
    assert set(get_args(SummaryMetric)) == set(SUMMARY_METRICS)
    assert set(get_args(WindowedMetric)) == set(WINDOWED_SERIES)


def test_the_engine_reports_exactly_the_vocabulary():
    """Every name has a reporter and every reporter a name: a metric cannot be declared and never measured."""
    assert set(TURN_REPORTERS) == set(get_args(TurnMetric))
    assert set(SUMMARY_REPORTERS) == set(get_args(SummaryMetric))
    assert set(TURN_REPORTERS) <= set(TURN_LAYOUT) and set(SUMMARY_REPORTERS) <= set(SUMMARY_LAYOUT)


def test_a_run_carries_every_metric_with_a_value_of_its_unit(askjpm):
    result = run(askjpm, 3, strategy_plan(askjpm, "history"), size=3000)
    assert list(result.summary) == list(SUMMARY_LAYOUT)
    assert list(result.turns[0]) == list(TURN_LAYOUT)
    for name, info in SUMMARY_METRICS.items():
        value = result.summary[name]
        assert value is None or isinstance(value, int | float), name
        if info.unit == "share" and value is not None:
            assert 0.0 <= value <= 1.0, name
    for series in WINDOWED_SERIES.values():
        assert len(result.summary[series]) == askjpm.clock.turns


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (
            "    trigger: {metric: hostile_total, above: 3000}",
            "    trigger: {metric: hostile_totl, above: 3000}",
            "trigger.metric",
        ),
        ("    metric: cancel_hours\n", "    metric: hostile_totl\n", "metric"),
        (
            "    - {metric: hostile_total, label: Hostile volume,",
            "    - {metric: hostile_totl, label: Hostile volume,",
            "scoring.dimensions[0].metric",
        ),
    ],
)
def test_a_misspelt_metric_is_a_validation_error_with_its_line(tmp_path, capsys, old, new, field):
    text = mutate(old, new)
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    line = line_of(text, "hostile_totl")
    assert f"broken.yaml:{line}:" in err
    assert field in err
    assert "unknown value 'hostile_totl'; did you mean 'hostile_total'?" in err
    assert "Traceback" not in err


def test_the_json_schema_lists_the_metric_names_for_editors():
    schema = scenario_json_schema()
    target = schema["$defs"]["Target"]["properties"]["metric"]
    assert set(target["enum"]) == set(SUMMARY_METRICS)
    trigger = schema["$defs"]["Trigger"]["properties"]["metric"]
    names = {v for option in trigger.get("anyOf", [trigger]) for v in option.get("enum", [])}
    assert names == set(TURN_METRICS)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("hostile_total", 12345, "12,345"),
        ("hostile_share", 0.223, "22%"),
        ("cancel_hours", 5.5, "5.50 h"),
        ("stance_change", -0.0521, "-0.052"),
        ("hostile_before_cancel", None, "—"),
    ],
)
def test_formatting_reads_the_declared_unit(name, value, expected):
    assert fmt_metric(name, value) == expected


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [(-0.004, 2, "±0.00"), (0.0, 2, "±0.00"), (-0.0, 3, "±0.000"), (0.004, 2, "±0.00"), (-0.006, 2, "-0.01"),
     (0.5, 2, "+0.50"), (-0.0004, 3, "±0.000"), (-0.0006, 3, "-0.001")],
)  # fmt: skip
def test_a_signed_change_that_rounds_to_nothing_reads_as_none(value, digits, expected):
    """Found in play: the reputation panel read "+0.50 (-0.00)" for every segment before anything had moved."""
    from simulator.formatting import fmt_signed

    assert fmt_signed(value, digits) == expected


@pytest.mark.parametrize(
    ("value", "nouns", "expected"),
    [(1, ("repost",), "1 repost"), (0, ("repost",), "0 reposts"), (12345, ("follower",), "12,345 followers"),
     (1, ("reply", "replies"), "1 reply"), (2, ("reply", "replies"), "2 replies"), (1.0, ("post",), "1 post")],
)  # fmt: skip
def test_a_count_of_one_takes_the_singular(value, nouns, expected):
    """Found in play: "1,160 followers · 1 reposts" under a post."""
    from simulator.formatting import fmt_count

    assert fmt_count(value, *nouns) == expected


def test_a_post_with_one_repost_says_so():
    from simulator.engine.feed import FeedItem
    from simulator.tui.widgets import FeedView

    item = FeedItem("#3-1", 3, 45, "@a", "A", "press", "snark", "Hm. #AskJPM", 1, reposts=1)
    shown = str(FeedView({})._render_item(item))
    assert shown.endswith("1 follower · 1 repost")
    brand = FeedItem("#3-b", 3, 45, "@jpmorgan", "JPMorgan", "brand", "answer", "Yes.", 2, replies=1, is_brand=True)
    assert str(FeedView({})._render_item(brand)).endswith("2 followers · 1 reply")
