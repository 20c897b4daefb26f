"""The engine: deterministic, mechanisms move outcomes the way they are declared, clear errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from simulator.audience import build_audience
from simulator.engine import Decision, Run, parse_script, run, strategy_plan
from simulator.errors import BackfireError
from simulator.scenario import parse_scenario_text
from tests.conftest import askjpm_text

LIBRARY = ("askjpm", "askbg", "askseaworld", "mcdstories", "whyistayed")

SIZE = 20_000  # small crowd: mechanisms, not calibration
SEEDS = range(12)


@pytest.fixture(scope="module")
def crowds(askjpm):
    return {seed: build_audience(askjpm, seed, SIZE) for seed in SEEDS}


def summaries(scenario, crowds, script):
    plan = parse_script(scenario, script) if script != "history" else strategy_plan(scenario, "history")
    # No words: the numbers are the same without them (test_a_run_without_words_has_the_same_numbers).
    return [run(scenario, seed, plan, audience=crowds[seed], text=False).summary for seed in crowds]


def paired_wins(a: list[float], b: list[float]) -> float:
    """Share of seeds where a > b."""
    return float(np.mean(np.array(a) > np.array(b)))


def test_byte_identical_json_across_processes(tmp_path):
    args = [
        "-m",
        "simulator",
        "run",
        "askjpm",
        "--seed",
        "3",
        "--size",
        "5000",
        "--decisions",
        "wait*6,answer:candid@grievance*2,pause:short,wait*3,cancel:accountable",
        "--json",
        "--feed",
    ]
    first = subprocess.run([sys.executable, *args], capture_output=True, check=True).stdout
    second = subprocess.run([sys.executable, *args], capture_output=True, check=True).stdout
    assert first == second
    data = json.loads(first)
    assert set(data) >= {"turns", "summary", "feed", "seed"} and len(data["turns"]) == 96


def test_other_seed_other_run(askjpm):
    plan = strategy_plan(askjpm, "history")
    a = run(askjpm, 1, plan, size=5000).summary
    b = run(askjpm, 2, plan, size=5000).summary
    assert a != b


def test_feed_does_not_change_the_numbers(askjpm, crowds):
    plan = strategy_plan(askjpm, "history")
    with_feed = run(askjpm, 0, plan, audience=crowds[0], with_feed=True)
    without = run(askjpm, 0, plan, audience=crowds[0])
    assert with_feed.turns == without.turns and with_feed.feed


def test_a_run_without_words_has_the_same_numbers(askjpm, crowds):
    """Sweeps of many crowds make no text: the feed has its own stream, so every number but the words' stays."""
    from simulator.scenario import resolve
    from simulator.scoring.sweep import reads_text

    plan = strategy_plan(askjpm, "history")
    words = run(askjpm, 0, plan, audience=crowds[0], with_feed=True)
    bare = run(askjpm, 0, plan, audience=crowds[0], with_feed=True, text=False)
    assert bare.turns == words.turns and bare.feed is None and bare.summary["share_negative_text"] is None
    assert {k: v for k, v in bare.summary.items() if k != "share_negative_text"} == {
        k: v for k, v in words.summary.items() if k != "share_negative_text"
    }
    game = Run(askjpm, crowds[0], 0, text=False)
    with pytest.raises(BackfireError, match="keeps no feed"):
        game.play(Decision("answer", "candid", "#0-0"))
    # Only a case whose targets or score read the words pays for them in a sweep.
    assert not reads_text(askjpm) and reads_text(resolve("mcdstories").scenario)


def test_counts_are_exact_and_consistent(askjpm, crowds):
    result = run(askjpm, 0, strategy_plan(askjpm, "history"), audience=crowds[0])
    for t in result.turns:
        assert sum(t["posts_by_kind"].values()) == t["volume"] == sum(t["posts_by_segment"].values())
        assert t["hostile"] == sum(t["posts_by_kind"][k] for k in ("grievance", "snark", "criticism"))
    assert result.summary["hostile_total"] == sum(t["hostile"] for t in result.turns)
    assert result.summary["posts_total"] == sum(t["volume"] for t in result.turns)


@pytest.mark.parametrize("engine", [2, 3])
def test_each_new_member_of_the_active_set_bounds_its_rate_after_this_turns_posts(askjpm, crowds, engine):
    """A persona joins the active set with weight activity × attention × fatigue^posts, its posts counted
    after the turn's own: the bound on its rate from the next turn on."""
    plan = strategy_plan(askjpm, "history")
    game = Run(askjpm, crowds[1], 1, plan.opening, text=False, engine=engine)
    sim, checked, posted = game.sim, 0, 0
    while not game.over:
        game.play(plan.at(game.turn))
        store = sim.state.attention
        newest = [c for c in store._chunks if c.turn == game.turn - 1]
        for chunk in newest:
            ids = store._ids.data[chunk.start : chunk.end]
            expected = crowds[1].activity[ids] * store.value[ids] * sim._fatigue(sim.state.posts_made[ids])
            np.testing.assert_array_equal(store._weight.data[chunk.start : chunk.end], expected)
            checked += len(ids)
            posted += int(np.isin(ids, sim.state.last_posts[0]).sum())  # posted this turn, and stay attentive
    assert checked > 10_000 and posted > 100


def test_more_exposure_more_posts(askjpm, crowds):
    """Raising how much each exposure engages people raises posting, seed by seed."""
    hotter = askjpm.model_copy(
        update={"dynamics": askjpm.dynamics.model_copy(update={"exposure_gain": askjpm.dynamics.exposure_gain * 1.3})}
    )
    base = summaries(askjpm, crowds, "wait*96")
    hot = summaries(hotter, crowds, "wait*96")
    assert paired_wins([s["posts_total"] for s in hot], [s["posts_total"] for s in base]) >= 0.9


def test_trending_widens_reach(askjpm, crowds):
    """With a threshold this crowd reaches, a trending tag exposes more of it than one that never trends."""
    trends = askjpm.model_copy(
        update={"dynamics": askjpm.dynamics.model_copy(update={"trending_threshold": 50, "trending_share": 0.05})}
    )
    never = askjpm.model_copy(update={"dynamics": askjpm.dynamics.model_copy(update={"trending_threshold": 1e9})})
    base = summaries(trends, crowds, "wait*96")
    flat = summaries(never, crowds, "wait*96")
    assert all(s["trending_turns"] > 0 for s in base) and all(s["trending_turns"] == 0 for s in flat)
    assert paired_wins([s["reach_share"] for s in base], [s["reach_share"] for s in flat]) >= 0.9


def test_pause_lowers_reply_volume_while_it_lasts(askjpm, crowds):
    """Answering every turn keeps a fresh post drawing replies; a pause lets them fade."""
    answering = "wait*4,answer:scripted*12,wait*80"
    pausing = "wait*4,answer:scripted,pause:long,wait*83"
    a_runs = [run(askjpm, s, parse_script(askjpm, answering), audience=crowds[s], text=False).turns for s in crowds]
    p_runs = [run(askjpm, s, parse_script(askjpm, pausing), audience=crowds[s], text=False).turns for s in crowds]
    window = range(8, 16)  # inside the pause
    a = [sum(t["replies"] for t in turns if t["turn"] in window) for turns in a_runs]
    p = [sum(t["replies"] for t in turns if t["turn"] in window) for turns in p_runs]
    assert paired_wins(a, p) >= 0.9


def test_cancellation_post_draws_replies(askjpm, crowds):
    runs = summaries(askjpm, crowds, "wait*12,cancel:badidea")
    assert all(s["replies_to_cancel"] > 0 for s in runs)
    assert all(s["cancel_hours"] == 3.0 for s in runs)


def test_effects_expire_when_declared(askjpm):
    """A rate effect with `turns: N` applies for N turns and then no more."""
    audience = build_audience(askjpm, 0, 3000)
    game = Run(askjpm, audience, 0)
    game.play(Decision("answer", "defensive", "grievance"))  # rate x1.3 for 8 turns on hostile kinds
    for turn in range(1, 12):
        rate = game.sim.levers(turn).rate
        hostile = game.params.kind_index["snark"]
        expected = 1.3 if turn < 8 else 1.0
        assert rate[0, hostile] == pytest.approx(expected), turn
        game.play(Decision("wait"))


def test_press_stories_are_the_kinds_declared_as_stories(askjpm):
    """Rename the story kind: the count follows the declaration, not the id."""
    from tests.conftest import askjpm_text

    renamed = parse_scenario_text(
        askjpm_text()
        .replace("  - id: press\n    label: Press story", "  - id: news\n    label: Press story")
        .replace("press: 0.60, criticism", "news: 0.60, criticism")
        .replace("kind: press", "kind: news")
        .replace("kinds: [press]", "kinds: [news]")
        .replace("    press:\n      press:\n", "    press:\n      news:\n"),
        "renamed.yaml",
    )
    a = run(askjpm, 0, strategy_plan(askjpm, "history"), size=5000).summary["press_stories"]
    b = run(renamed, 0, strategy_plan(renamed, "history"), size=5000).summary["press_stories"]
    assert a > 0 and a == b


def test_no_scenario_or_option_names_in_engine_code():
    from pathlib import Path

    import simulator.engine as engine

    names = {"askjpm", "badidea", "candid", "students", "grievance", "snark", "press", "question", "jpmorgan", "occupy"}
    for path in Path(engine.__path__[0]).glob("*.py"):
        code = path.read_text(encoding="utf-8").lower()
        found = [n for n in names if f'"{n}"' in code or f"'{n}'" in code]
        assert not found, f"{path.name} mentions {found}"


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("wiat*3", "unknown move 'wiat'; valid moves: wait; answer:{candid, scripted, humour, defensive, holding}"),
        ("cancel:oops", "unknown cancel option 'oops'; valid: badidea, cancelled, accountable, apology"),
        (
            "answer:candid@gossip",
            "unknown answer target 'gossip'; use a kind (question, grievance, snark, criticism, support, press)",
        ),
        ("wait*3,open:narrow", "`open:narrow` must come first"),
        ("wait*97", "the script has 97 decisions by decision 1 ('wait*97') but the scenario has only 96 turns"),
        ("wait*4,wait*99999999999999", "the script has 100,000,000,000,003 decisions by decision 2"),
        ("wait**3", "cannot read decision 1 ('wait**3'); expected ACTION[:OPTION][*REPEAT]"),
        ("cancel", "`cancel` needs an option: badidea, cancelled, accountable, apology"),
    ],
)
def test_bad_scripts_list_the_valid_moves(askjpm, script, message):
    with pytest.raises(BackfireError) as exc:
        parse_script(askjpm, script)
    assert message in str(exc.value)


def test_cli_bad_script_exit_2_no_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "simulator", "run", "askjpm", "--size", "3000", "--decisions", "cancel:shrug"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "unknown cancel option 'shrug'; valid: badidea, cancelled, accountable, apology" in proc.stderr


def test_history_plan_matches_the_scenario(askjpm):
    plan = strategy_plan(askjpm, "history")
    assert plan.opening == "open_ask"
    assert plan.script() == "open:open_ask,wait*22,cancel:badidea"


def test_injects_fire_by_time_and_by_metric(askjpm, crowds):
    result = run(askjpm, 0, strategy_plan(askjpm, "history"), audience=crowds[0], with_feed=True)
    fired = {i: t["turn"] for t in result.turns for i in t["injects"]}
    assert fired["comedian_whale"] == 6  # at 1h30m
    assert fired["spokesperson"] == 22  # the turn the campaign is cancelled
    injects = [i for i in result.feed if i.inject]
    assert {i.inject for i in injects} == set(fired)


def test_real_quotes_in_feed_are_marked_with_their_source(askjpm, crowds):
    quotes = {q.text: q.source for q in askjpm.voices.quotes}
    seen = 0
    for seed in list(crowds)[:6]:
        result = run(askjpm, seed, strategy_plan(askjpm, "history"), audience=crowds[seed], with_feed=True)
        for item in result.feed:
            if item.real:
                seen += 1
                assert quotes[item.text] == item.source
            else:
                assert item.text not in quotes
    assert seen > 0


def test_campaign_cancelled_only_once(askjpm):
    with pytest.raises(BackfireError, match="already cancelled"):
        run(askjpm, 0, parse_script(askjpm, "cancel:badidea,cancel:apology"), size=3000)


def test_answer_a_feed_post(askjpm):
    audience = build_audience(askjpm, 0, 5000)
    game = Run(askjpm, audience, 0)
    game.play(Decision("wait"))
    post = next(i for i in game.feed.items if i.poster >= 0)
    assert game.answer_kind(post.id) == post.kind
    game.play(Decision("answer", "candid", post.id))
    candid = next(o for o in askjpm.actions.answer if o.id == "candid")
    # the answer quotes the post it replies to where the wording says {question}, as the preview shows it
    from simulator.game.menus import preview
    from simulator.language.quoting import question_quote

    posted = game.brand_posts[-1].text
    assert posted == preview(askjpm, Decision("answer", "candid", post.id), post.kind, post.text)
    assert question_quote(post.text) in posted  # whole here: it fits the era's 140 characters
    assert posted == " ".join(candid.text_for(post.kind).replace("{question}", question_quote(post.text)).split())
    with pytest.raises(BackfireError, match="no post #99-9 in the feed"):
        game.play(Decision("answer", "candid", "#99-9"))


def test_engine_parameters_come_from_the_scenario():
    """A scenario with a different invitation gets a different storm: no numbers are written in code."""
    text = askjpm_text().replace("  invitation: 1.0\n  openings:", "  invitation: 0.2\n  openings:")
    quiet = parse_scenario_text(text, "quiet.yaml")
    from simulator.scenario import resolve

    loud = resolve("askjpm").scenario
    plan = parse_script(loud, "wait*24")
    a = [run(loud, s, plan, size=SIZE, text=False).summary["posts_total"] for s in range(4)]
    b = [run(quiet, s, plan, size=SIZE, text=False).summary["posts_total"] for s in range(4)]
    assert all(x > y for x, y in zip(a, b, strict=False))


def test_running_stance_sums_match_the_crowd(askjpm, crowds):
    """Stance by segment is reported from running sums; they must equal a full recount."""
    game = Run(askjpm, crowds[0], 0)
    plan = parse_script(askjpm, "answer:candid@grievance*3,answer:defensive*2,wait*10,cancel:apology")
    while not game.over:
        game.play(plan.at(game.turn))
    sim = game.sim
    exact = np.bincount(sim.audience.segment, weights=sim.state.stance) / np.bincount(sim.audience.segment)
    assert np.allclose(sim.stance_by_segment(), exact, atol=1e-9)
    assert sim.mean_stance() == pytest.approx(float(sim.state.stance.mean()), abs=1e-9)
    assert game.metrics.turns[-1]["mean_stance"] == pytest.approx(float(sim.state.stance.mean()), abs=1e-9)


def _with(scenario, **changes):
    """A copy of the scenario with some top-level parts replaced (deep-copied first)."""
    return scenario.model_copy(update=changes)


def _promoted(askjpm, share: float):
    from simulator.scenario.schema import Effect

    openings = [
        o.model_copy(update={"effects": [*o.effects, Effect(param="promotion", op="add", value=share)]})
        for o in askjpm.campaign.openings
    ]
    cancels = [
        c.model_copy(update={"effects": [*c.effects, Effect(param="promotion", value=0.0)]})
        for c in askjpm.actions.cancel
    ]
    return _with(
        askjpm,
        campaign=askjpm.campaign.model_copy(update={"openings": openings}),
        actions=askjpm.actions.model_copy(update={"cancel": cancels}),
    )


def test_a_promotion_shows_the_tag_until_it_is_pulled(askjpm, crowds):
    """A paid placement reaches people the follower graph does not, and pulling it stops that."""
    promoted = _promoted(askjpm, 0.05)
    plain = summaries(askjpm, crowds, "wait*4")
    paid = summaries(promoted, crowds, "wait*4")
    assert all(p["reach_share"] > q["reach_share"] for p, q in zip(paid, plain, strict=False))
    game = Run(promoted, crowds[0], 0)
    assert game.sim.levers(0).promotion == pytest.approx(0.05)
    game.play(Decision("wait"))
    game.play(Decision("cancel", promoted.actions.cancel[0].id))
    assert game.sim.levers(game.turn).promotion == 0.0
    assert Run(askjpm, crowds[0], 0).sim.levers(0).promotion == 0.0


def test_a_tag_that_belongs_to_others_keeps_its_pull_after_a_cancel(askjpm, crowds):
    """`tag_interest` drives posting whatever the brand does; invitation stops with the campaign."""
    segments = list(askjpm.audience.segments)
    segments[0] = segments[0].model_copy(update={"tag_interest": 2.0})
    owned_by_others = _with(askjpm, audience=askjpm.audience.model_copy(update={"segments": segments}))
    seg = askjpm.audience.segments[0].id

    def later_posts(scenario):
        plan = parse_script(scenario, "cancel:badidea")
        return [
            sum(t["posts_by_segment"][seg] for t in run(scenario, seed, plan, audience=crowds[seed]).turns[8:])
            for seed in range(4)
        ]

    with_interest, without = later_posts(owned_by_others), later_posts(askjpm)
    assert all(a > b for a, b in zip(with_interest, without, strict=False)), (with_interest, without)
    assert sum(with_interest) > 2 * sum(without), (with_interest, without)


def test_targets_count_within_their_window(askjpm):
    from simulator.scenario.schema import Target
    from simulator.scoring.calibrate import target_value, window_label

    summary = {"volume_by_turn": [1, 2, 3, 4, 5, 6, 7, 8], "hostile_by_turn": [0] * 8, "posts_total": 36}
    base = dict(id="t", label="t", metric="posts_total", bound={"min": 0}, source="snarkpocalypse", quote="q")
    minutes = askjpm.clock.turn_minutes
    assert target_value(askjpm, Target(**base), summary) == 36
    assert target_value(askjpm, Target(**base, until=3 * minutes), summary) == 1 + 2 + 3
    assert target_value(askjpm, Target(**base, since=2 * minutes), summary) == 36 - 1 - 2
    windowed = Target(**base, since=2 * minutes, until=4 * minutes)
    assert target_value(askjpm, windowed, summary) == 3 + 4
    assert window_label(windowed) == " from 0h30 until 1h00"


def test_tag_posts_leave_out_replies_to_the_brand(askjpm, crowds):
    """`tag_posts_total` counts posts on the tag: every post except direct replies to a brand post."""
    result = run(askjpm, 0, strategy_plan(askjpm, "history"), audience=crowds[0])
    replies = sum(t["replies"] for t in result.turns)
    assert replies > 0
    assert result.summary["tag_posts_total"] == result.summary["posts_total"] - replies
    assert sum(result.summary["tag_posts_by_turn"]) == result.summary["tag_posts_total"]


def test_novelty_wears_out_with_volume(askjpm, crowds):
    """With `novelty_half_volume`, each turn's posts on the tag halve its novelty per that many posts."""
    worn = _with(askjpm, dynamics=askjpm.dynamics.model_copy(update={"novelty_half_volume": 500.0}))
    game = Run(worn, crowds[0], 0)
    minutes, half_life = worn.clock.turn_minutes, worn.dynamics.novelty_half_life
    for _ in range(6):
        before = game.sim.state.novelty
        game.play(Decision("wait"))
        on_tag = game.result().turns[-1]["tag_posts"]
        expected = before * 0.5 ** (minutes / half_life) * 0.5 ** (on_tag / 500.0)
        assert game.sim.state.novelty == pytest.approx(expected)


def test_a_template_with_after_appears_only_once_its_move_is_made(askjpm, crowds):
    """Text that mentions what the brand did never shows for a player who did something else."""
    from simulator.scenario.schema import Template

    templates = {
        seg: {
            kind: [Template(text="AFTER1 {hashtag}", after=["cancel:badidea"]), "PLAIN1 {hashtag}"] for kind in by_kind
        }
        for seg, by_kind in askjpm.voices.templates.items()
    }
    sc = askjpm.model_copy(
        update={"voices": askjpm.voices.model_copy(update={"templates": templates, "quote_rate": 0.0, "replies": {}})}
    )
    cancelled = run(sc, 0, parse_script(sc, "wait*8,cancel:badidea"), audience=crowds[0], with_feed=True)
    crowd_items = [i for i in cancelled.feed if i.poster >= 0]
    before = [i for i in crowd_items if i.turn < 8]
    after = [i for i in crowd_items if i.turn >= 8]
    assert before and after
    # (a persona's style may lower the case or move the hashtag; a typo never touches a word with a digit)
    assert all("PLAIN1" in i.text.upper() for i in before)
    assert any("AFTER1" in i.text.upper() for i in after)
    other = run(sc, 0, parse_script(sc, "wait*8,cancel:apology"), audience=crowds[0], with_feed=True)
    assert all("PLAIN1" in i.text.upper() for i in other.feed if i.poster >= 0)


def test_an_answer_is_worded_for_the_kind_it_answers(askjpm, crowds):
    """A candid answer to a career question is not an apology; a grievance gets the accountable wording."""
    candid = next(o for o in askjpm.actions.answer if o.id == "candid")
    assert "question" in candid.texts
    result = run(
        askjpm,
        0,
        parse_script(askjpm, "wait*2,answer:candid@question,answer:candid@grievance"),
        audience=crowds[0],
        with_feed=True,
    )
    posts = [i.text for i in result.feed if i.is_brand and i.kind == "answer"]
    assert posts == [
        " ".join(candid.texts["question"].replace("{question}", "").split()),
        " ".join(candid.text.replace("{question}", "").split()),
    ]
    assert all("  " not in p for p in posts)


def test_an_answer_quotes_what_the_post_asks_not_the_brand_words_it_throws_back():
    """Found in play (#AskSeaWorld): the answer quoted a whole post, its quote of the opening, tag and emoji, in
    190 characters of a 140-character era: “‘Got a question about our animals’? How many miles … #AskSeaWorld 😬”."""
    from simulator.engine.decisions import fill_answer

    asked = "“Tweet your Q early”? Do the homeowners in Cleveland get a question too? #AskJPM"
    assert fill_answer("Fair question. {question} Straight answer.", asked) == (
        "Fair question. “Do the homeowners in Cleveland get a question too?” Straight answer."
    )
    thrown = "“Tweet your Q early” lol #AskJPM"  # nothing but the brand's words: quoted, quotes inside made single
    assert fill_answer("Fair question. {question}", thrown) == "Fair question. “‘Tweet your Q early’ lol”"
    assert fill_answer("Thanks.  {question} More soon.", None) == "Thanks. More soon."  # no question: the slot goes
    asked = (
        "“Got a question about our animals”? How many miles does an orca swim a day in the wild? "
        "And in your concrete pool? #AskSeaWorld 😬"
    )
    wording = "Great question! {question} Find the answer from our vets at AskSeaWorld.com"
    assert fill_answer(wording, asked) == (
        "Great question! “How many miles does an orca swim a day in the wild? And in your concrete pool?” "
        "Find the answer from our vets at AskSeaWorld.com"
    )
    # In 140 characters the second question goes first, then words, with an ellipsis; no room: no quote.
    assert fill_answer(wording, asked, 140) == (
        "Great question! “How many miles does an orca swim a day in the wild?” Find the answer from our vets at "
        "AskSeaWorld.com"
    )
    assert fill_answer(
        "At J.P. Morgan we are committed to our customers and our communities. {question}", asked, 100
    ) == ("At J.P. Morgan we are committed to our customers and our communities. “How many miles does an orca…”")
    assert fill_answer(wording, asked, 80) == "Great question! Find the answer from our vets at AskSeaWorld.com"


@pytest.mark.parametrize(
    ("asked", "quoted"),
    [
        (
            "#AskSeaWorld OK, here's one: When will you stop breeding the killer whales?",
            "When will you stop breeding the killer whales?",
        ),
        (
            "How long do orcas live in your tanks, and in the ocean? #AskSeaWorld wow 😬",
            "How long do orcas live in your tanks, and in the ocean?",
        ),
        (
            "My house was foreclosed in 2010 and you got a bailout. #AskJPM 🙄",
            "My house was foreclosed in 2010 and you got a bailout.",
        ),
        ("Can I get my house back? Asking for a friend #AskJPM http://t.co/x", "Can I get my house back?"),
        ("Why did #JPM pay $13bn? #AskJPM", "Why did #JPM pay $13bn?"),
        (
            "“Tweet your Q early”? Great. Start with the $13 billion settlement. #AskJPM 😡",
            "Start with the $13 billion settlement.",
        ),
        ("#AskJPM OK. Start with the robo-signing.", "Start with the robo-signing."),
        ("Wow.", "Wow."),  # nothing after it: the word is the post
    ],
)
def test_the_quote_of_a_question_is_the_question_without_its_edges(asked, quoted):
    from simulator.language.quoting import question_quote

    assert question_quote(asked) == f"“{quoted}”"


def test_every_canned_answer_fits_the_era_whatever_it_answers():
    """Every case's answers, worded for each kind, answering the feed's own posts, stay within language.max_chars."""
    from simulator.engine.decisions import fill_answer
    from simulator.scenario import resolve

    checked = quoted = 0
    for scenario_id in LIBRARY:
        sc = resolve(scenario_id).scenario
        limit = sc.language.max_chars
        asked = [
            i.text
            for i in run(sc, 4, strategy_plan(sc, "history"), size=5000, with_feed=True).feed or []
            if not i.is_brand
        ]
        asked.append("x " * 200)  # one long post with no question
        for opt in sc.actions.answer:
            for kind in (None, *opt.texts):
                wording = opt.text_for(kind)
                if "{question}" not in wording:
                    continue
                for question in asked[:: max(1, len(asked) // 60)]:
                    filled = fill_answer(wording, question, limit)
                    assert len(filled) <= limit, (scenario_id, opt.id, filled)
                    checked += 1
        # And what a run posts: each such answer to the longest post of the feed, as the app's `a` answers it.
        game = Run(sc, build_audience(sc, 5, 5000), 5)
        game.play(Decision("wait"))
        game.play(Decision("wait"))
        for opt in sc.actions.answer:
            if "{question}" not in opt.text and not any("{question}" in t for t in opt.texts.values()):
                continue
            crowd = [i for i in game.feed.items if not i.is_brand and re.fullmatch(r"#\d+-\d+", i.id)]
            target = max(crowd, key=lambda i: len(i.text))
            game.play(Decision("answer", opt.id, target.id))
            posted = next(i for i in reversed(game.feed.items) if i.is_brand)
            assert posted.kind == "answer" and len(posted.text) <= limit, (scenario_id, opt.id, posted.text)
            quoted += "“" in posted.text
    assert checked > 500
    assert quoted >= 10  # the question is quoted where it fits
