"""The debrief teaches: decisions in words, each source quote once, moves marked on the charts."""

from __future__ import annotations

import re

from simulator.audience import build_audience
from simulator.engine import Decision, Run, parse_script
from simulator.engine.decisions import describe
from simulator.scoring.debrief import review_plan
from simulator.tui.widgets import marks


def test_decisions_read_in_words_without_codes(askjpm):
    plan = parse_script(askjpm, "open:narrow,answer:candid@grievance*3,wait,pause:holding,cancel:badidea")
    headlines = [r.headline() for r in review_plan(askjpm, plan, {"#0-2": "@dana"})]
    assert headlines[0] == "Opened: Narrow, targeted Q&A (the Goldman Sachs approach)"
    assert headlines[1] == "Answered the grievance posts: Candid and accountable ×3, 0h00–0h30"
    assert headlines[2].startswith("Paused: Post a holding line") and headlines[2].endswith(" at 1h00")
    assert headlines[3] == "Cancelled: “#Badidea! Back to the drawing board.” at 1h15"
    assert not any(re.search(r"\b(answer|cancel|open|pause):\w", h) for h in headlines)
    assert (
        describe(askjpm, Decision("answer", "candid", "#0-2"), "@dana")
        == "Answered @dana's post: Candid and accountable"
    )


def test_each_source_quote_appears_once(askjpm):
    plan = parse_script(askjpm, "answer:candid@grievance,wait*3,answer:candid@grievance,wait*2,cancel:accountable")
    cited = [lesson.id for r in review_plan(askjpm, plan) for lesson in r.lessons]
    assert cited and len(cited) == len(set(cited))


def test_the_sources_disagreement_is_said_not_settled(askjpm):
    reviews = {r.decision: r for r in review_plan(askjpm, parse_script(askjpm, "wait*22,cancel:badidea"))}
    cancel = reviews["cancel:badidea"]
    assert cancel.disagreement
    assert {lesson.stance for lesson in cancel.lessons} >= {"praised", "faulted"}


def test_answers_to_feed_posts_travel_to_other_crowds_as_their_kind(askjpm):
    game = Run(askjpm, build_audience(askjpm, 0, 5000), 0)
    game.play(Decision("wait"))
    post = next(i for i in game.feed.items if i.poster >= 0)
    game.play(Decision("answer", "candid", post.id))
    portable = game.portable_plan()
    assert portable.decisions[1] == Decision("answer", "candid", post.kind)
    assert portable.script().endswith(f"answer:candid@{post.kind}")


def test_moves_are_marked_at_their_turns():
    assert marks([0, 48, 95], 96, 48) == "▲" + " " * 23 + "▲" + " " * 22 + "▲"
    assert marks([], 96, 10) == " " * 10


def test_a_companys_own_view_is_shown_as_such_and_never_offered_as_the_fix():
    """Found in a workshop report (#AskBG): a defensive answer's plan row said "Instead …: The company defended
    going ahead with the Q&A (its own view)" - the company's self-assessment offered as the alternative."""
    from simulator.report.build import _alternative
    from simulator.scenario import resolve

    askbg = resolve("askbg").scenario
    reviews = review_plan(askbg, parse_script(askbg, "wait*3,answer:phoneline,wait*4,answer:defensive"))
    phone = next(r for r in reviews if r.decision.startswith("answer:phoneline"))
    own = next(lesson for lesson in phone.lessons if lesson.id == "right_thing")
    assert own.label == "own view" and own.stance == "praised"
    # the company praising its own move against a source faulting it is not the sources disagreeing
    assert {"praised", "faulted"} <= {lesson.stance for lesson in phone.lessons} and not phone.disagreement
    instead = _alternative(askbg, "answer:defensive")
    assert instead is None or "own view" not in instead
    mcd = resolve("mcdstories").scenario
    assert "own account" not in (_alternative(mcd, "cancel:defend") or "")
