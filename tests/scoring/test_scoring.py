"""Scores against history, calibration, debrief, and what the articles say, as tests over many seeds."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.audience import build_audience
from simulator.cli.main import main
from simulator.engine import parse_script, run, strategy_plan
from simulator.scoring.calibrate import calibration_table, meets
from simulator.scoring.compare import comparison_table
from simulator.scoring.debrief import debrief, review_plan
from simulator.scoring.score import dimension_points, paired_score, score_summaries
from simulator.scoring.sweep import sweep

ARTICLE_SEEDS = range(50)
ARTICLE_SIZE = 20_000


@pytest.fixture(scope="module")
def article_crowds(askjpm):
    return {s: build_audience(askjpm, s, ARTICLE_SIZE) for s in ARTICLE_SEEDS}


def metric(askjpm, crowds, script, name):
    """A summary metric over the crowds (no words: the numbers are the same without them, see test_engine)."""
    plan = parse_script(askjpm, script)
    return np.array([run(askjpm, s, plan, audience=crowds[s], text=False).summary[name] for s in crowds], dtype=float)


# What the articles say ---------------------------------------------------------------------------


def test_flippant_cancellation_draws_more_replies_than_accountable(askjpm, article_crowds):
    flippant = metric(askjpm, article_crowds, "wait*24,cancel:badidea", "replies_to_cancel")
    accountable = metric(askjpm, article_crowds, "wait*24,cancel:accountable", "replies_to_cancel")
    assert np.mean(flippant > accountable) >= 0.95
    assert np.median(flippant) > 2 * np.median(accountable)


def test_candid_early_answers_beat_ignoring(askjpm, article_crowds):
    candid = metric(askjpm, article_crowds, "answer:candid@grievance*8", "hostile_total")
    ignore = metric(askjpm, article_crowds, "wait*96", "hostile_total")
    assert np.mean(candid < ignore) >= 0.8
    assert np.median(candid) < np.median(ignore)


def test_narrow_targeted_qa_is_hijacked_less(askjpm, article_crowds):
    narrow = metric(askjpm, article_crowds, "open:narrow,wait*96", "hostile_total")
    open_ = metric(askjpm, article_crowds, "open:open_ask,wait*96", "hostile_total")
    assert np.mean(narrow < open_) >= 0.8
    assert np.median(narrow) < 0.5 * np.median(open_)


# Paired scores -----------------------------------------------------------------------------------


def test_score_moves_the_way_the_mechanism_predicts(askjpm):
    """Swap only the wording of the cancellation: fewer replies, a better replies score and total."""
    audience = build_audience(askjpm, 4, 20_000)
    history = run(askjpm, 4, strategy_plan(askjpm, "history"), audience=audience)
    flippant = run(askjpm, 4, parse_script(askjpm, "wait*22,cancel:badidea"), audience=audience)
    accountable = run(askjpm, 4, parse_script(askjpm, "wait*22,cancel:accountable"), audience=audience)
    same = paired_score(askjpm, flippant, history)
    better = paired_score(askjpm, accountable, history)
    assert same.total == pytest.approx(same.history_total)  # identical decisions, identical crowd: identical score
    replies = {d.metric: d for d in better.dimensions}["replies_to_last_brand_post"]
    assert replies.you < replies.history and replies.you_score > replies.history_score
    assert better.total > better.history_total


def test_points_are_log_ratios_against_history(askjpm):
    """Equal to history is 0; half its harm +25, twice it -25, whatever the size of the numbers."""
    dims = {d.metric: d for d in askjpm.scoring.dimensions}
    hostile = dims["hostile_total"].model_copy(update={"scale": 1e-9})
    assert dimension_points(hostile, 5000, 5000) == 0
    assert dimension_points(hostile, 2500, 5000) == pytest.approx(25)
    assert dimension_points(hostile, 10000, 5000) == pytest.approx(-25)
    assert dimension_points(hostile, 35000, 5000) == pytest.approx(-25 * np.log2(7))  # a 7x storm costs about 70 points
    assert dimension_points(hostile, 1000, 500, scale_factor=5) == dimension_points(hostile, 5000, 2500)
    floor = dims["hostile_total"]
    assert abs(dimension_points(floor, 20, 10)) < 1  # far below the floor, a doubling counts little
    stance = dims["stance_change"]
    assert dimension_points(stance, -0.05, -0.05) == 0
    assert dimension_points(stance, -0.05 + stance.scale, -0.05) == pytest.approx(25)
    goal = dims["goal_share"]
    assert goal.kind == "goal" and dimension_points(goal, 0.2, 0.1) > 0 > dimension_points(goal, 0.05, 0.1)


def _summary(askjpm, **values):
    base = {d.metric: 1000.0 for d in askjpm.scoring.dimensions}
    base.update(hostile_reach_share=0.5, stance_change=-0.05, goal_share=0.1)
    base.update(values)
    return base


def test_harm_gates_the_goal(askjpm):
    """More hostile posts and a worse reputation than history cannot be called better, however good the goal."""
    history = _summary(askjpm)
    storm = _summary(
        askjpm,
        hostile_total=1500.0,
        stance_change=-0.06,
        goal_share=0.9,
        hostile_reach_share=0.1,
        replies_to_last_brand_post=10.0,
    )
    total, gated, _ = score_summaries(askjpm, storm, history, askjpm.audience.size)
    assert gated and total <= 50
    mixed = _summary(askjpm, hostile_total=1500.0, stance_change=-0.04, goal_share=0.9)
    total, gated, _ = score_summaries(askjpm, mixed, history, askjpm.audience.size)
    assert not gated


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(min_value=1.0, max_value=10.0), min_size=4, max_size=4),
    st.floats(min_value=0.001, max_value=0.5),
    st.floats(min_value=0.0, max_value=1.0),
)
def test_dominance_a_run_worse_on_every_harm_scores_below_history(askjpm, factors, stance_drop, goal):
    """Worse than history on every harm dimension (by any factor) scores below history, whatever the goal."""
    history = _summary(askjpm)
    worse = dict(history)
    harms = [d for d in askjpm.scoring.dimensions if d.kind == "harm" and not d.signed]
    for d, f in zip(harms, factors, strict=False):
        worse[d.metric] = history[d.metric] * f * 1.01
    worse["stance_change"] = history["stance_change"] - stance_drop
    worse["goal_share"] = goal
    total, _, _ = score_summaries(askjpm, worse, history, askjpm.audience.size)
    assert total < 50


def test_the_defensive_flood_scores_below_history_with_its_reason(askjpm):
    audience = build_audience(askjpm, 1, 20_000)
    history = run(askjpm, 1, strategy_plan(askjpm, "history"), audience=audience)
    flood = run(askjpm, 1, strategy_plan(askjpm, "defensive-flood"), audience=audience)
    score = paired_score(askjpm, flood, history)
    assert score.total < score.history_total and score.verdict == "worse than"
    assert "the main reason you scored below history" in score.reasons[0]
    hostile = {d.metric: d for d in score.dimensions}["hostile_total"]
    assert hostile.you > 3 * hostile.history and hostile.points < -40
    line = next(r for r in score.reasons if r.startswith("Hostile volume: "))
    assert f"×{hostile.you / hostile.history:.2g}, +{hostile.difference:,.0f}" in line


def test_paired_score_needs_the_same_crowd(askjpm):
    plan = strategy_plan(askjpm, "history")
    a = run(askjpm, 1, plan, size=3000)
    b = run(askjpm, 2, plan, size=3000)
    with pytest.raises(ValueError):
        paired_score(askjpm, a, b)


# Calibration -------------------------------------------------------------------------------------


def test_calibration_checks_bounds_not_hardcoded(askjpm):
    from simulator.scenario.schema import Bound

    assert meets(5, Bound(min=2, max=10)) and not meets(11, Bound(min=2, max=10)) and not meets(None, Bound(min=1))
    results = sweep(askjpm, [0, 1], ("history",), size=20_000, workers=1)
    rows = calibration_table(askjpm, results)
    by = {r["target"]: r for r in rows}
    for r in rows:
        values = [res.summaries["history"][r["metric"]] for res in results]
        assert r["median"] == pytest.approx(float(np.median(values)))
    # At a fifth of the crowd the counts are a fifth: documented counts are not reached. Counts are real units.
    assert not by["responses_to_cancel"]["passes"]
    assert by["under_six_hours"]["passes"]


def test_calibrate_command_json(capsys):
    code = main(["calibrate", "askjpm", "--runs", "2", "--size", "20000", "--workers", "1", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == (0 if data["passes"] else 1)
    assert {t["target"] for t in data["targets"]} == {
        "thousands_hostile",
        "under_six_hours",
        "responses_to_cancel",
        "snark_continues",
    }
    assert data["runs"] == 2 and data["size"] == 20000


# Debrief -----------------------------------------------------------------------------------------


def test_debrief_cites_lessons_for_each_decision(askjpm):
    reviews = review_plan(askjpm, strategy_plan(askjpm, "history"))
    by = {r.decision: r for r in reviews}
    cancel = by["cancel:badidea"]
    ids = {lesson.id for lesson in cancel.lessons}
    assert {"unwilling_to_listen", "second_backlash", "truthful_acceptance"} <= ids
    assert "stopped_early" not in ids  # at 5h30 it is not an early stop
    assert cancel.disagreement  # praised (truthful) and faulted (unwilling to listen)
    assert "never answered the questions" in by
    early = {r.decision: r for r in review_plan(askjpm, parse_script(askjpm, "wait*4,cancel:apology"))}
    assert "stopped_early" in {lesson.id for lesson in early["cancel:apology"].lessons}
    narrow = {r.decision: r for r in review_plan(askjpm, parse_script(askjpm, "open:narrow,wait"))}
    assert {"goldman_contrast", "limit_scope"} <= {lesson.id for lesson in narrow["open:narrow"].lessons}


def test_debrief_quotes_with_sources_and_real_timeline(askjpm):
    report = debrief(askjpm, strategy_plan(askjpm, "history"), None)
    for r in report.reviews:
        for lesson in r.lessons:
            assert lesson.source_title == askjpm.source(lesson.source).title
    assert any("6,000" in w["text"] for w in report.what_happened)


def test_each_cited_lesson_says_what_it_means_beside_its_words(capsys):
    """Found in play (#AskBG): "PRAISED “the right thing to do”" stood under a candid answer with no word that it
    was the company's own view of its phone-line answers. A lesson's summary now follows its quote in the CLI's
    debrief, the app's, the hot wash's and the report's written posts."""
    from simulator.scenario import resolve
    from simulator.scoring.debrief import debrief as make_debrief
    from simulator.tui.screens.debrief import debrief_markdown

    askbg = resolve("askbg").scenario
    assert main(["score", "askbg", "--strategy", "history", "--seed", "2", "--size", "20000"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    lesson = next(item for item in askbg.lessons if item.id == "right_thing")
    assert f"“{lesson.quote}”" in out and lesson.summary in out
    assert out.index(lesson.summary) > out.index(f"“{lesson.quote}”")
    md = debrief_markdown(make_debrief(askbg, strategy_plan(askbg, "history"), None))
    cited = [line for line in md.splitlines() if line.startswith(("- **praised**", "- **faulted**", "- **advice**"))]
    assert cited and all(line.endswith("  ") for line in cited)
    assert f"  {lesson.summary}" in md.splitlines()


def test_score_command(capsys):
    assert main(["score", "askjpm", "--strategy", "candid", "--seed", "2", "--size", "20000", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["score"]["script"].startswith("open:open_ask,answer:candid@grievance*8")
    assert len(data["score"]["dimensions"]) == len(
        __import__("simulator.scenario", fromlist=["resolve"]).resolve("askjpm").scenario.scoring.dimensions
    )
    assert data["debrief"]["reviews"]
    assert data["range"] is None and data["score"]["reasons"]


def test_score_over_many_crowds_reports_a_range(capsys):
    """--runs N: how often the plan beats history, the median and the 5-95% range, over N crowds."""
    args = [
        "score",
        "askjpm",
        "--decisions",
        "answer:defensive@grievance*20",
        "--seed",
        "3",
        "--size",
        "5000",
        "--runs",
        "4",
        "--workers",
        "1",
    ]
    assert main([*args, "--json"]) == 0
    spread = json.loads(capsys.readouterr().out)["range"]
    assert spread["runs"] == 4 and spread["seeds"] == [3, 6] and len(spread["totals"]) == 4
    assert spread["wins"] == sum(t > 50 for t in spread["totals"])
    assert spread["p5"] <= spread["median"] <= spread["p95"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"You beat history in {spread['wins']} of 4 crowds like this one" in out
    assert "the main reason you scored" in out


# Many crowds -------------------------------------------------------------------------------------

STRATEGIES = ("history", "candid", "narrow", "early-accountable", "pause-then-answer")


def test_compare_ranking_is_stable_across_disjoint_seed_sets(askjpm):
    first = comparison_table(STRATEGIES, sweep(askjpm, list(range(0, 12)), STRATEGIES, size=20_000))
    second = comparison_table(STRATEGIES, sweep(askjpm, list(range(100, 112)), STRATEGIES, size=20_000))
    assert [r["strategy"] for r in first] == [r["strategy"] for r in second]
    assert first[0]["strategy"] == "narrow" and first[-1]["strategy"] == "history"


def test_process_pool_and_serial_agree(askjpm):
    serial = sweep(askjpm, [5, 6, 7], ("history", "candid"), size=5000, workers=1)
    pooled = sweep(askjpm, [5, 6, 7], ("history", "candid"), size=5000, workers=2)
    assert [r.totals for r in serial] == [r.totals for r in pooled]


def test_dask_cluster_gives_the_same_numbers(askjpm):
    distributed = pytest.importorskip("distributed", reason="dask.distributed is the optional `dask` extra")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        on_dask = sweep(askjpm, [3, 4], ("history", "narrow"), size=5000, scheduler=cluster.scheduler_address)
    local = sweep(askjpm, [3, 4], ("history", "narrow"), size=5000, workers=2)
    assert [r.totals for r in on_dask] == [r.totals for r in local]
    assert [r.summaries for r in on_dask] == [r.summaries for r in local]


def test_compare_rejects_unknown_strategy(capsys):
    assert main(["compare", "askjpm", "--runs", "1", "--strategies", "history,bravado"]) == 2
    assert "unknown strategy 'bravado'; known: history, ignore, candid" in capsys.readouterr().err


def test_time_windowed_targets_and_shape_metrics(askjpm):
    from simulator.scenario.schema import Bound, Target
    from simulator.scoring.calibrate import target_value

    result = run(askjpm, 0, strategy_plan(askjpm, "history"), size=5000)
    s = result.summary
    volumes = [t["volume"] for t in result.turns]
    by_two_hours = Target(
        id="x", label="x", metric="posts_total", until=120, bound=Bound(min=0), source="three_things", quote="q"
    )
    assert target_value(askjpm, by_two_hours, s) == sum(volumes[:8])
    assert target_value(askjpm, by_two_hours, s) < s["posts_total"]
    first = next(t for t in result.turns if t["trending"]) if any(t["trending"] for t in result.turns) else None
    assert s["first_trending_hours"] == (first["minute"] / 60 if first else None)
    hourly = [sum(volumes[i : i + 4]) for i in range(len(volumes) - 3)]
    assert s["peak_hour_start_hours"] == hourly.index(max(hourly)) * 15 / 60


def test_until_only_for_countable_metrics():
    from simulator.errors import ScenarioError
    from simulator.scenario import parse_scenario_text
    from tests.conftest import mutate

    text = mutate("    metric: replies_to_cancel\n", "    metric: replies_to_cancel\n    until: 2h\n")
    with pytest.raises(ScenarioError, match="`until` works with posts_total, tag_posts_total, hostile_total"):
        parse_scenario_text(text, "x.yaml")


def test_a_paraphrase_is_never_shown_as_the_sources_words(askjpm):
    """Lessons read only through the research notes are labelled as summaries, real quotes keep their marks."""
    from simulator.scoring.debrief import _cite

    by_id = {lesson.id: lesson for lesson in askjpm.lessons}
    summary = _cite(askjpm, by_id["denial_backfires"]).cited
    assert "“" not in summary and "(summary, not the source's words)" in summary
    real = _cite(askjpm, by_id["want_the_feedback"]).cited
    assert real.startswith("“") and real.endswith("”")


@pytest.mark.parametrize("scenario_id", ["askjpm", "mcdstories"])
def test_debrief_reads_the_scenarios_own_targets_on_this_crowd(scenario_id):
    """The 'what really happened' figures are the case's targets, not one case's metrics."""
    from simulator.scenario import resolve
    from simulator.scoring.calibrate import target_value

    sc = resolve(scenario_id).scenario
    history = run(sc, 4, strategy_plan(sc, "history"), size=8_000)
    figures = debrief(sc, parse_script(sc, "wait*4"), history).history_figures
    assert [t["target"] for t in figures["targets"]] == [t.id for t in sc.targets]
    for row, target in zip(figures["targets"], sc.targets, strict=False):
        assert row["value"] == target_value(sc, target, history.summary)
        assert row["meets"] == meets(row["value"], target.bound)
        assert (row["min"], row["max"]) == (target.bound.min, target.bound.max)
    assert figures["note"] and "8,000" in figures["note"] and f"{sc.audience.size:,}" in figures["note"]
    at_size = debrief(
        sc, parse_script(sc, "wait*4"), history.__class__(**{**history.__dict__, "size": sc.audience.size})
    )
    assert at_size.history_figures["note"] is None


def test_cli_words_come_from_the_case_not_from_askjpm(capsys):
    from simulator.scenario import resolve

    sc = resolve("mcdstories").scenario
    assert main(["score", "mcdstories", "--strategy", "unpromoted", "--size", "3000"]) == 0
    out = capsys.readouterr().out
    assert f"what {sc.brand.name} did, on this crowd" in out and "JPMorgan" not in out
    assert main(["run", "mcdstories", "--strategy", "history", "--size", "3000"]) == 0
    out = capsys.readouterr().out
    labels = {s.id: s.label for s in sc.audience.segments}
    assert f"on-topic posts from {labels[sc.campaign.intended_audience[0]]}" in out
    assert "students" not in out


def test_other_plays_are_each_strategy_paired_with_history_on_the_same_crowd(askjpm, capsys):
    """The debrief's "other plays" rank the named strategies on the game's own crowd, as `score` would score each."""
    from simulator.scoring.paired import other_plays, play_paired

    audience = build_audience(askjpm, 4, 5000)
    plays = other_plays(askjpm, 4, audience)
    assert sorted(p.id for p in plays) == sorted(s.id for s in askjpm.strategies)
    assert [p.score for p in plays] == sorted((p.score for p in plays), reverse=True)
    for play in plays[:: max(1, len(plays) // 3)]:  # a few of them, each scored alone
        alone = play_paired(askjpm, 4, strategy_plan(askjpm, play.id), audience).score.total
        assert play.score == pytest.approx(alone, abs=1e-9)
    assert plays[0].score > plays[-1].score
    assert plays[-1].id == "defensive-flood"  # worse play scores worse, on this crowd too

    assert main(["score", "askjpm", "--strategy", "candid", "--seed", "4", "--size", "5000", "--others", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [o["id"] for o in data["others"]] == [p.id for p in plays]
    assert main(["score", "askjpm", "--strategy", "candid", "--seed", "4", "--size", "5000", "--others"]) == 0
    out = capsys.readouterr().out
    assert "Other plays on this same crowd" in out and "Your run" in out and "What JPMorgan Chase did" in out
    assert main(["score", "askjpm", "--strategy", "candid", "--seed", "4", "--size", "5000", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["others"] is None
