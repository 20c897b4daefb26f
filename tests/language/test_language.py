"""The crowd's words: the grammar, conditions, persona style, replies about the brand's post, sentiment on text."""

from __future__ import annotations

import collections
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.engine import parse_script, run, strategy_plan
from simulator.errors import ScenarioError
from simulator.language.grammar import Alternative, Grammar, Moment, cycle
from simulator.language.quoting import phrases
from simulator.language.style import restyle, style_of
from simulator.scenario import resolve
from simulator.scenario.loader import parse_scenario_text
from simulator.scenario.schema import Since, When
from tests.conftest import SCENARIOS, line_of, mutate

RULES = {
    "greet": [Alternative("hello"), Alternative("hi {name}")],
    "name": [Alternative("Ann"), Alternative("Bo")],
    "late": [Alternative("too late", When(after=["cancel"]))],
}


def _words(name: str) -> str | None:
    return {"hashtag": "#Tag"}.get(name)


def test_slots_rules_inline_alternatives_and_optional_parts():
    g = Grammar(RULES, _words)
    seen = {g.expand("{greet}{, friend|} {hashtag}", np.random.default_rng(i), Moment()) for i in range(200)}
    assert seen == {
        "hello #Tag",
        "hello, friend #Tag",
        "hi Ann #Tag",
        "hi Bo #Tag",
        "hi Ann, friend #Tag",
        "hi Bo, friend #Tag",
    }


def test_an_unknown_slot_stays_as_written_and_nested_inline_slots_fill():
    g = Grammar(RULES, _words)
    rng = np.random.default_rng(1)
    assert g.expand("{nobody} here", rng, Moment()) == "{nobody} here"
    assert {g.expand("{a {name}|b {name}}", np.random.default_rng(i), Moment()) for i in range(100)} == {
        "a Ann",
        "a Bo",
        "b Ann",
        "b Bo",
    }


def test_same_generator_same_text():
    g = Grammar(RULES, _words)
    a = [g.expand("{greet} {greet} {greet}", np.random.default_rng(7), Moment()) for _ in range(3)]
    assert len(set(a)) == 1


def test_a_rule_with_no_fitting_part_is_empty_and_the_gap_is_closed():
    g = Grammar(RULES, _words)
    assert g.expand("It is {late}.", np.random.default_rng(0), Moment()) == "It is."
    assert g.expand("It is {late}.", np.random.default_rng(0), Moment(moves={"cancel": 3})) == "It is too late."


def test_rule_loops_are_found():
    assert cycle({"a": ["x {b}"], "b": ["{c}"], "c": ["{a}"]}) == ["a", "b", "c", "a"]
    assert cycle({"a": ["{b}"], "b": ["end"]}) is None


LIVE = Moment(turn=10, moves={"open": 0, "open:narrow": 0})
AFTER_CANCEL = Moment(turn=30, moves={"open": 0, "cancel": 22, "cancel:badidea": 22}, cancelled=True)
PAUSED = Moment(turn=12, moves={"open": 0, "pause": 10, "pause:holding": 10}, paused=True)


@pytest.mark.parametrize(
    ("when", "moment", "fits"),
    [
        (When(after=["cancel"]), LIVE, False),
        (When(after=["cancel"]), AFTER_CANCEL, True),
        (When(after=["cancel:apology"]), AFTER_CANCEL, False),
        (When(after=["cancel:badidea"]), AFTER_CANCEL, True),
        (When(after=["answer", "cancel"]), AFTER_CANCEL, True),
        (When(not_after=["cancel"]), AFTER_CANCEL, False),
        (When(not_after=["cancel"]), LIVE, True),
        (When(state="live"), LIVE, True),
        (When(state="live"), AFTER_CANCEL, False),
        (When(state="cancelled"), AFTER_CANCEL, True),
        (When(since=Since(move="cancel", max=60)), AFTER_CANCEL, False),  # 8 turns = 120 min after
        (When(since=Since(move="cancel", min=60)), AFTER_CANCEL, True),
        (When(since=Since(move="cancel", min=60)), LIVE, False),  # no cancel: no time since it
        (When(since=Since(move="cancel", min=0, max=120)), AFTER_CANCEL, True),
        (When(paused=True), PAUSED, True),
        (When(paused=True), LIVE, False),
        (When(paused=False), PAUSED, False),
        (When(trending=True), LIVE, False),
        (When(min_posts=100), Moment(posts_total=99), False),
        (When(min_posts=100), Moment(posts_total=100), True),
        (When(state="live", after=["pause"]), PAUSED, True),
    ],
)
def test_conditions(when, moment, fits):
    assert when.fits(moment) is fits


def _marked(extra_students: str, replies: str = "") -> object:
    """askjpm with marker lines for students' questions (and replies), to see when each is shown."""
    text = mutate(
        """    students:
      question:
""",
        f"""    students:
      question:
{extra_students}""",
    )
    if replies:  # in place of the scenario's own replies to the cancellation
        start = text.index("    cancel:badidea:\n")
        text = text[:start] + replies + text[text.index("    cancel:cancelled:\n") :]
    return parse_scenario_text(text, "marked.yaml")


def test_a_line_that_needs_cancel_never_shows_before_one_or_without_one():
    # among the snark accounts' snark, the commonest post on the tag after a cancellation
    text = mutate(
        "    snark:\n      snark:\n", '    snark:\n      snark:\n        - {text: "MARK1 {hashtag}", after: [cancel]}\n'
    )
    scenario = parse_scenario_text(text, "marked.yaml")
    shown = []
    for seed in (3, 4, 5):  # the line is one of several the snark accounts may post: some crowd shows it
        with_cancel = run(scenario, seed, parse_script(scenario, "wait*10,cancel:badidea"), size=20_000, with_feed=True)
        shown += [i.turn for i in with_cancel.feed if "MARK1" in i.text.upper()]
        without = run(scenario, seed, parse_script(scenario, "wait*96"), size=20_000, with_feed=True)
        assert not [i for i in without.feed if "MARK1" in i.text.upper()]
    assert shown and min(shown) >= 10


def test_replies_are_threaded_and_about_the_post_they_answer():
    scenario = _marked("", replies='    cancel:badidea: ["MARK-REPLY “{quote}” ({tone})"]\n')
    result = run(scenario, 3, strategy_plan(scenario, "history"), size=50_000, with_feed=True)
    cancel = next(i for i in result.feed if i.is_brand and i.kind == "cancel")
    replies = [i for i in result.feed if i.reply_to == cancel.id]
    assert len(replies) >= 20
    for r in replies:
        assert r.is_reply and r.reply_about == f"cancellation at {cancel.minute // 60}:{cancel.minute % 60:02d}"
    # the crowd pushing back takes the cancellation's line; the brand's defenders take their own (`tone`), and
    # students and reporters theirs (`kinds: [question]`, `[press]` under `cancel`: a kind's own lines come first)
    own_voice = ("support", "press", "question")
    pushing_back = [r for r in replies if r.kind not in own_voice]
    assert len(pushing_back) >= 20
    assert all("MARK-REPLY" in r.text.upper() and "“Back to the drawing board”" in r.text for r in pushing_back)
    assert not [r for r in replies if r.kind in own_voice and "MARK-REPLY" in r.text.upper()]
    # before the cancellation, no post replies to it
    assert all(i.turn >= cancel.turn for i in replies)


def test_an_answer_to_a_post_says_whose_and_its_thread_keeps_the_question():
    """Found in play: the feed showed "YOU SeaWorld [answer]" with no word of the post it answered."""
    from simulator.audience import build_audience
    from simulator.engine import Decision, Run
    from simulator.engine.feed import threads

    scenario = resolve("askseaworld").scenario
    game = Run(scenario, build_audience(scenario, 5, 5000), 5)
    game.play(Decision("wait"))
    asked = next(i for i in game.feed.items if not i.is_brand and re.fullmatch(r"#\d+-\d+", i.id))
    game.play(Decision("answer", "curated", asked.id))
    game.play(Decision("answer", "curated"))  # an answer to the commonest kind answers no post in particular
    game.play(Decision("wait"))
    to_post, to_kind = [i for i in game.feed.items if i.is_brand and i.kind == "answer"]
    assert (to_post.reply_to, to_post.reply_about) == (
        asked.id,
        f"{asked.handle} at {asked.minute // 60}:{asked.minute % 60:02d}",
    )
    assert (to_kind.reply_to, to_kind.reply_about) == (None, None)
    thread = threads(game.feed.items)
    assert asked in thread and to_post in thread
    assert all(i.is_brand or i.reply_to or i is asked for i in thread)
    others = [i for i in game.feed.items if not i.is_brand and not i.reply_to and i is not asked]
    assert others and not [i for i in others if i in thread]


def _toned_text(replies: str) -> str:
    """askjpm.yaml whose replies to every move are only the lines given (YAML list items under `any`)."""
    text = mutate("  replies:\n", "  replies:\n")
    start = text.index("  replies:\n") + len("  replies:\n")
    return text[:start] + "    any:\n" + replies + text[text.index("  # Real tweets quoted") :]


def _toned(replies: str) -> object:
    return parse_scenario_text(_toned_text(replies), "toned.yaml")


def _replies_by_kind(scenario: object) -> dict[str, list[str]]:
    texts: dict[str, list[str]] = collections.defaultdict(list)
    for seed in (3, 4):
        result = run(scenario, seed, strategy_plan(scenario, "history"), size=50_000, with_feed=True)
        for item in result.feed:
            if item.is_reply and not item.real:
                texts[item.kind].append(item.text.upper())
    return texts


def test_a_reply_reads_in_the_tone_of_its_kind():
    """A supportive reply takes only lines marked supportive, the crowd pushing back never takes those."""
    scenario = _toned(
        '      - "MARK-PUSH {hashtag}"\n'
        '      - {text: "MARK-CALM {hashtag}", tone: neutral}\n'
        '      - {text: "MARK-KIND {hashtag}", tone: supportive}\n'
    )
    texts = _replies_by_kind(scenario)
    assert texts["support"] and all("MARK-KIND" in t for t in texts["support"])
    for kind in ("grievance", "snark", "criticism"):  # hostile: the unmarked line only
        assert texts[kind] and all("MARK-PUSH" in t for t in texts[kind]), kind
    neutral = texts["question"] + texts["press"]
    assert neutral and all("MARK-PUSH" in t or "MARK-CALM" in t for t in neutral)
    assert any("MARK-CALM" in t for t in neutral)


def test_a_kinds_own_reply_lines_come_before_its_tones():
    """A reporter replies as a reporter: lines for `press` go to press replies first, and to no other kind."""
    scenario = _toned(
        '      - "MARK-PUSH {hashtag}"\n'
        '      - {text: "MARK-CALM {hashtag}", tone: neutral}\n'
        '      - {text: "MARK-DESK {hashtag}", kinds: [press]}\n'
    )
    texts = _replies_by_kind(scenario)
    assert texts["press"] and all("MARK-DESK" in t for t in texts["press"])
    assert texts["question"] and all("MARK-PUSH" in t or "MARK-CALM" in t for t in texts["question"])
    others = [t for kind, ts in texts.items() if kind != "press" for t in ts]
    assert others and not [t for t in others if "MARK-DESK" in t]


@pytest.mark.parametrize("plan", ["history", "candid", "pause-then-answer"])
def test_askjpms_students_and_reporters_reply_with_questions(askjpm, plan):
    """#AskJPM's question and press replies have lines of their own (`kinds`): each one asks something."""
    feeds = [run(askjpm, seed, strategy_plan(askjpm, plan), size=50_000, with_feed=True).feed for seed in (31, 32)]
    asking = [i for feed in feeds for i in feed if i.is_reply and not i.real and i.kind in ("question", "press")]
    assert len(asking) >= 20  # ten a crowd, as when one crowd was counted (one alone may show as few as 7)
    assert [i.text for i in asking if "?" not in i.text] == []
    assert not [i.text for i in asking if i.kind == "question" and "Reporter here" in i.text]


def test_a_supportive_reply_with_no_line_of_its_own_is_written_as_its_kinds_post():
    scenario = _toned('      - "MARK-PUSH {hashtag}"\n')
    texts = _replies_by_kind(scenario)
    assert texts["support"] and not [t for t in texts["support"] if "MARK-PUSH" in t]
    assert texts["snark"] and all("MARK-PUSH" in t for t in texts["snark"])


@pytest.mark.parametrize(
    ("entry", "field", "words"),
    [
        ('{text: "x", tone: cheerful}', "voices.replies.any[0].tone", "one of: hostile, neutral, supportive"),
        ("{text: x}", "voices.replies.any[0]", "needs `after`, `says`, `when`, `tone` or `kinds`"),
        ("{text: x, kinds: [press], tone: neutral}", "voices.replies.any[0]", "give `kinds` or `tone`, not both"),
        ("{text: x, kinds: [reporter]}", "voices.replies.any[0].kinds[0]", "unknown kind 'reporter'"),
        ("{text: x, kinds: []}", "voices.replies.any[0].kinds", "at least 1 item"),
    ],
)
def test_a_bad_reply_tone_is_refused_with_its_line(entry, field, words):
    text = _toned_text(f"      - {entry}\n")
    with pytest.raises(ScenarioError) as exc:
        parse_scenario_text(text, "t.yaml")
    found = [p for p in exc.value.problems if p.field == field]
    assert found and words in found[0].message, exc.value.problems
    assert found[0].line == line_of(text, "  replies:\n") + 2


def test_tone_belongs_to_replies_only():
    text = mutate(
        "    snark:\n      snark:\n",
        '    snark:\n      snark:\n        - {text: "x", after: [cancel], tone: hostile}\n',
    )
    with pytest.raises(ScenarioError) as exc:
        parse_scenario_text(text, "t.yaml")
    assert any(p.field.startswith("voices.templates.snark.snark[0]") for p in exc.value.problems), exc.value.problems


def test_replies_take_their_share_of_the_feed(askjpm):
    result = run(askjpm, 3, strategy_plan(askjpm, "history"), size=50_000, with_feed=True)
    crowd = [i for i in result.feed if not i.is_brand and not i.inject]
    replies = [i for i in crowd if i.is_reply]
    assert replies and all(i.reply_to for i in replies)
    # Each turn shows a few posts: replies get their share of that turn's posts written (reposts carry
    # someone else's words and are not shown), so over the run the feed's share is the mean of turns' shares.
    shares = [t["replies"] / (t["volume"] - t["reposts"]) for t in result.turns if t["volume"] > t["reposts"]]
    expected = sum(shares) / len(shares)
    assert abs(len(replies) / len(crowd) - expected) < 0.05, (len(replies) / len(crowd), expected)


@pytest.mark.parametrize(
    ("case", "script"), [("askbg", "wait*4,answer:candid,wait*27"), ("askjpm", "wait*6,answer:candid@grievance")]
)
def test_the_hour_after_a_move_shows_what_the_crowd_says_back_to_it(case, script):
    """Found in play (#AskBG): an answer drew 31 replies, then 76, and the feed's six posts showed none of them.

    For the hour after a move, every turn shows at least two replies to it when it drew that many; before,
    about one such turn in five showed none (replies got only their share of the six, across every brand post).
    """
    scenario = resolve(case).scenario
    window = max(2, -(-60 // scenario.clock.turn_minutes))
    checked = 0
    for seed in (1, 2):
        result = run(scenario, seed, parse_script(scenario, script), size=30_000, with_feed=True)
        move = next(i for i in result.feed if i.is_brand and i.kind != "open")
        for t in range(move.turn, move.turn + window):
            drawn = result.turns[t]["replies_to_latest"] - (
                result.turns[t - 1]["replies_to_latest"] if t > move.turn else 0
            )
            shown = [i for i in result.feed if i.turn == t and i.reply_to == move.id]
            assert len(shown) >= min(2, drawn), (seed, t, drawn, [i.text for i in shown])
            checked += drawn >= 2
        later = [i for i in result.feed if i.turn >= move.turn + window and not i.is_brand and not i.inject]
        assert later and len([i for i in later if i.reply_to == move.id]) < len(later)  # then it takes its share
    assert checked >= 4


def _feed_after(scenario, decision, turns: int = 12, seed: int = 3):
    """The feed of a game that waits 6 turns, makes `decision`, then waits (a 20,000-persona crowd)."""
    from simulator.audience import build_audience
    from simulator.engine import Decision, Run

    game = Run(scenario, build_audience(scenario, seed, 20_000), seed, scenario.campaign.openings[0].id)
    for turn in range(6 + turns):
        game.play(decision if turn == 6 else Decision("wait"))
    return game.feed.items


def _askbg_with(lines: str) -> str:
    """askbg.yaml with `lines` first among the replies to its postponement."""
    text = (SCENARIOS / "askbg.yaml").read_text(encoding="utf-8")
    assert "    cancel:postpone:\n" in text
    return text.replace("    cancel:postpone:\n", "    cancel:postpone:\n" + lines, 1)


def test_a_reply_that_picks_up_the_brands_words_needs_them():
    """Found in play (#AskBG): a written postponement that never mentioned a phone line was answered "So the
    answers are on the phone line". A line with `says` fits only a reply to a post that says one of its words."""
    from simulator.engine import Decision

    text = _askbg_with(
        '      - {text: "MARK-PHONE {hashtag}", says: [phone, call]}\n'
        '      - {text: "MARK-WEEK {hashtag}", says: [next week]}\n'
    )
    scenario = parse_scenario_text(text, "says.yaml")

    def replies(decision):
        items = _feed_after(scenario, decision)
        move = next(i for i in items if i.is_brand and i.kind == "cancel")
        return [i.text.upper() for i in items if i.reply_to == move.id]

    canned = replies(Decision("cancel", "postpone"))  # "…our team is on the phone and DM all day."
    assert any("MARK-PHONE" in t for t in canned) and not any("MARK-WEEK" in t for t in canned)
    written = replies(Decision("cancel", text="Sorry, we got the timing wrong. #AskBG moves to next week, same time."))
    assert written and any("MARK-WEEK" in t for t in written) and not any("MARK-PHONE" in t for t in written)
    # The words a post quotes from someone else are not the brand's: an answer quoting "…the phone?" says no phone.
    quoting = replies(
        Decision("cancel", text="Sorry. “Why does nobody answer the phone?” is fair. #AskBG moves to next week.")
    )
    assert quoting and any("MARK-WEEK" in t for t in quoting) and not any("MARK-PHONE" in t for t in quoting)


@pytest.mark.parametrize(
    ("words", "said", "fits"),
    [
        (["postpon"], "We're postponing #AskBG", True),
        (["postpon"], "We are not going to reschedule", False),
        (["call"], "Please CALL us", True),
        (["call"], "We recall the day", False),  # from the start of a word
        ([".com"], "Answers at AskSeaWorld.com", True),  # a sign starts anywhere
        (["🐬"], "That went swimmingly🐬", True),
        (["phone"], None, False),  # a post on the tag answers no post
    ],
)
def test_says_reads_the_post_a_reply_answers(words, said, fits):
    assert When(says=words).fits(Moment(said=said)) is fits


@pytest.mark.parametrize("case", ["askjpm", "askbg", "askseaworld", "mcdstories", "whyistayed"])
def test_every_post_finds_words_to_answer_it_whatever_it_says(case):
    """`says` narrows the lines a post's replies may take, never to none: each option's canned post keeps lines
    of its own key, a post that says none of the words keeps some too, and no rule's every alternative needs them."""
    scenario = resolve(case).scenario
    voices = scenario.voices
    for name, alternatives in voices.grammar.items():
        assert any(isinstance(a, str) or not a.condition().says for a in alternatives), name
    for move, options in (("answer", scenario.actions.answer), ("cancel", scenario.actions.cancel)):
        for option in options:
            lines = voices.replies.get(f"{move}:{option.id}", [])
            crowd = [e for e in lines if isinstance(e, str) or (e.tone is None and e.kinds is None)]
            if option.text is None or not crowd:
                continue
            for said in (option.text, "Noted."):
                fits = [
                    e for e in crowd if isinstance(e, str) or e.condition().fits(Moment(moves={move: 0}, said=said))
                ]
                assert fits, (option.id, said)


def test_says_is_checked_with_its_line():
    text = _askbg_with('      - {text: "x {hashtag}", says: [phone, "  "]}\n')
    with pytest.raises(ScenarioError) as exc:
        parse_scenario_text(text, "says.yaml")
    found = [p for p in exc.value.problems if p.field == "voices.replies.cancel:postpone[0].says[1]"]
    assert found and found[0].line == line_of(text, "    cancel:postpone:\n") + 1, exc.value.problems


def test_a_quoted_phrase_keeps_its_numbers_times_and_ranges_whole():
    """Found in play (#AskBG): the crowd quoted "Bert Pijls is here 1" out of "here 1–2pm today"."""
    assert phrases("Prices rise 9.2% on average, electricity 10.4% and gas 8.4%.") == [
        "Prices rise 9.2% on average",
        "electricity 10.4%",
        "gas 8.4%",
    ]
    assert phrases("Bert Pijls is here 1–2pm today. Answers at 1:30pm.") == [
        "Bert Pijls is here 1–2pm today",
        "Answers at 1:30pm",
    ]
    assert phrases("We got this wrong. Second reviews: every file.") == [
        "We got this wrong",
        "Second reviews",
        "every file",
    ]
    # found in play (#McDStories): “com so we can look into it”, out of "…at care@mcd.com so we can look into it"
    assert phrases("Email the store and date to care@mcd.com so we can look into it.") == [
        "Email the store",
        "date to care@mcd.com so we can look into it",
    ]
    assert phrases("Answers at AskSeaWorld.com. Our vets wrote them.") == [
        "Answers at AskSeaWorld.com",
        "Our vets wrote them",
    ]


def test_the_crowd_quotes_what_a_post_says_not_its_courtesies():
    """Found in play (#AskJPM): replies quoted "Fair point" out of a post that promised second reviews by Friday."""
    said = phrases("Fair point. We got the foreclosure reviews wrong; every file gets a second look by Friday.")
    assert said == ["We got the foreclosure reviews wrong", "every file gets a second look by Friday"]
    assert phrases("Great question! Thanks for asking. Jimmy answers at 1pm.") == ["Jimmy answers at 1pm"]
    assert phrases("Thank you all, truly.") == ["Thank you all"]  # courtesy is all it says: that is quoted
    assert phrases("Fair point, thank you.") == ["Fair point", "thank you"]
    assert phrases("You're right. We should have read the tag first.") == ["We should have read the tag first"]
    assert phrases("We hear you. We're ending orca breeding.") == ["We're ending orca breeding"]
    # found in a scan of #AskSeaWorld's holding reply: “A fair question”: can we quote that as SeaWorld's position?
    said = phrases("A fair question. Our vets are reading the tough ones too, and will answer more of them this week.")
    assert said == ["Our vets are reading the tough ones too", "will answer more of them this week"]
    # found in play (#AskJPM): “we will” is fine, but what about…
    said = phrases("We asked for questions and got them. That record is ours to answer for, and we will.")
    assert said == ["We asked for questions", "That record is ours to answer for"]


def test_phrases_turn_back_clauses_without_tags():
    assert phrases("#Badidea! Back to the drawing board") == ["Back to the drawing board"]
    assert "we got this wrong" in phrases("We hear you: we got this wrong, and we're sorry. #AskJPM")
    assert phrases("#AskBG Do I pay the rent?") == ["Do I pay the rent"]


def test_a_clause_is_cut_short_only_where_something_was_cut_from_it():
    """Found in play (#WhyIStayed): “We didn't read what #WhyIStayed was” (its "about" taken for a loose end), and
    (#AskBG) “Sorry about” out of "Sorry about this". Only a clause that ran into a cut tag or link loses its
    loose last word ("Tweet your Q early using #AskJPM")."""
    assert "We didn't read what #WhyIStayed was about" in phrases(
        "We deleted our tweet. We didn't read what #WhyIStayed was about, and that's on us."
    )
    assert phrases("Sorry about this. Please DM us your account number.")[0] == "Sorry about this"
    assert phrases("Find out more at https://example.com") == ["Find out more"]


def test_a_tag_that_is_a_word_of_the_sentence_stays_in_the_quote():
    """Found in play (#AskBG): "Today's #AskBG is cancelled." was quoted back as “Today's is cancelled”."""
    assert phrases("Today's #AskBG is cancelled.") == ["Today's #AskBG is cancelled"]
    assert phrases("Well, that got heated! #AskBG is off for today") == ["that got heated", "#AskBG is off for today"]
    assert phrases("We're moving today's #AskBG: our mistake.") == ["We're moving today's #AskBG", "our mistake"]
    assert phrases("We're postponing #AskBG; sorry for the timing") == ["We're postponing", "sorry for the timing"]


def test_a_persona_writes_the_same_way_all_run_and_personas_differ():
    assert style_of(1, 42) == style_of(1, 42)
    assert len({style_of(1, p) for p in range(200)}) > 20
    assert style_of(1, 42) != style_of(2, 42) or style_of(1, 43) != style_of(2, 43)


def test_style_keeps_quotes_and_the_hashtag_intact():
    rng = np.random.default_rng(0)
    for p in range(300):
        out = restyle(
            "“Back to the drawing board”. So my house is gone? #AskJPM", style_of(5, p), "hostile", rng, "#AskJPM"
        )
        assert "“Back to the drawing board”" in out and "#AskJPM" in out


def test_a_shouty_persona_shouts_a_word_not_a_name():
    """Found in play: "is there a path to JPMORGAN Chase?" in a student's question read as a glitch."""
    rng = np.random.default_rng(0)
    shouty = [p for p in range(400) if style_of(5, p).case == "shouty"]
    assert shouty
    for p in shouty:
        out = restyle("Does JPMorgan Chase hire analysts from smaller schools?", style_of(5, p), "neutral", rng)
        assert not {"JPMORGAN", "CHASE", "DOES", "FROM"} & set(re.findall(r"[A-Za-z]+", out))
        assert any(w.isupper() and len(w) > 3 for w in re.findall(r"[A-Za-z]+", out))  # a word was shouted
    # With no other word to shout, a name may still be.
    only = restyle("Thanks JPMorgan", style_of(5, shouty[0]), "neutral", rng)
    assert any(w.isupper() for w in only.rstrip("!?.").split())


@pytest.mark.parametrize("scenario_id", sorted(p.stem for p in SCENARIOS.glob("*.yaml")))
@pytest.mark.parametrize("seed", [31, 32])
def test_a_full_history_run_reads_as_a_varied_crowd(scenario_id, seed):
    """Voiced with the grammar: at least 90% distinct crowd texts, none read more than 3 times, none twice in a turn.

    "Read" as a person reads: case, emoji and punctuation aside (a persona's style does not make a line new).
    Real quotes are shown once.
    """
    from simulator.scenario import resolve

    def reads(text: str) -> str:
        return " ".join(re.findall(r"[^\W_]+", text.lower()))

    scenario = resolve(scenario_id).scenario
    result = run(scenario, seed, strategy_plan(scenario, "history"), with_feed=True)
    crowd = [i for i in result.feed if not i.is_brand and not i.inject]
    texts = [i.text for i in crowd]
    counts = collections.Counter(texts)
    assert len(counts) / len(texts) >= 0.9, counts.most_common(5)
    read = collections.Counter(reads(t) for t in texts)
    assert read.most_common(1)[0][1] <= 3, read.most_common(5)
    by_turn = collections.Counter((i.turn, reads(i.text)) for i in crowd if not i.real)
    assert [k for k, n in by_turn.items() if n > 1] == []
    real = collections.Counter(i.text for i in result.feed if i.real)
    assert all(n == 1 for n in real.values())
    # every slot filled: no brace, and no rule's name left as a word (`{loss|their home}` once printed "lost loss")
    rules = [name for name in scenario.voices.grammar if "_" in name]
    assert not [t for t in texts if "{" in t or "}" in t or any(r in t for r in rules)]


def test_a_real_post_is_shown_as_the_source_gives_it(askjpm):
    result = run(askjpm, 3, strategy_plan(askjpm, "history"), size=50_000, with_feed=True)
    real = [i for i in result.feed if i.real]
    assert real
    quotes = {q.text: q for q in askjpm.voices.quotes}
    for item in real:
        q = quotes[item.text]
        assert item.name == (q.author or "Real post, author not named") and item.handle == (q.handle or "")
        assert item.followers == 0


def test_share_negative_text_is_measured_on_the_words(askjpm):
    def run_with(line: str) -> float:
        text = mutate("  templates:\n", f'  templates:\n    public:\n      snark: ["{line}"]\n')
        text = text.replace("    public:\n      snark:\n", "    public:\n      snarky:\n", 1)
        scenario = parse_scenario_text(text, "x.yaml")
        return run(scenario, 3, parse_script(scenario, "wait*96"), size=20_000).summary["share_negative_text"]

    base = run(askjpm, 3, parse_script(askjpm, "wait*96"), size=20_000).summary
    assert 0 <= base["share_negative_text"] <= 1
    assert base["share_negative_text"] != pytest.approx(
        base["hostile_share"], abs=0.05
    )  # they measure different things


@pytest.mark.parametrize(
    ("yaml_text", "field", "words"),
    [
        ('    zz_rule:\n      - "{nowhere}"\n', "voices.grammar.zz_rule[0]", "unknown slot {nowhere}"),
        ('    zz_rule:\n      - "{zz_rule} again"\n', "voices.grammar.zz_rule", "rules refer back to themselves"),
        ('    hashtag: ["x"]\n', "voices.grammar.hashtag", "built-in word"),
        (
            '    zz_rule:\n      - {text: "x", when: {after: [cancel:nope]}}\n',
            "voices.grammar.zz_rule[0].when.after[0]",
            "unknown cancel option 'nope'",
        ),
    ],
)
def test_bad_grammar_is_refused_with_its_line(yaml_text, field, words):
    text = mutate("  grammar:\n", "  grammar:\n" + yaml_text)
    with pytest.raises(ScenarioError) as exc:
        parse_scenario_text(text, "g.yaml")
    found = [p for p in exc.value.problems if p.field == field]
    assert found and words in found[0].message, exc.value.problems
    assert line_of(text, "  grammar:\n") < found[0].line <= line_of(text, "  grammar:\n") + 3


def test_check_reports_the_feeds_variety_as_a_warning(askjpm):
    from simulator.scoring.checks import feed_variety

    good = feed_variety(askjpm, 3)
    assert good.passed and good.warning and "distinct" in good.detail
    text = mutate("  replies:\n", '  replies:\n    any: ["same words every time"]\n')
    start = text.index("  replies:\n    any:")
    text = (
        text[: start + len('  replies:\n    any: ["same words every time"]\n')]
        + text[text.index("  # Real tweets quoted") :]
    )
    dull = feed_variety(parse_scenario_text(text, "dull.yaml"), 3, 20_000)
    assert not dull.passed and dull.warning and "“same words every time”" in dull.detail


def test_a_move_in_the_first_turn_keeps_the_opening_in_the_feed():
    """The opening and a first-turn answer both show, each with its own id and reply count."""
    from simulator.engine.decisions import parse_script
    from simulator.engine.run import run
    from simulator.scenario import resolve

    sc = resolve("askjpm").scenario
    plan = parse_script(sc, "answer:candid,wait,cancel:badidea,wait*3")
    result = run(sc, 3, plan, size=5000, with_feed=True)
    brand = [(i.id, i.kind) for i in result.feed if i.is_brand]
    assert brand[:3] == [("#0-o", "open"), ("#0-b", "answer"), ("#2-b", "cancel")]
    cancel = next(i for i in result.feed if i.id == "#2-b")
    assert cancel.replies > 0  # its own post's replies, not the first post of its turn
    same = run(sc, 3, plan, size=5000, text=False)
    assert [t["volume"] for t in same.turns] == [t["volume"] for t in result.turns]


def test_a_quoted_phrase_never_ends_where_a_tag_was_cut():
    """The crowd quotes whole phrases: "Tweet your Q early", not "Tweet your Q early using" (its tag cut off)."""
    opening = (
        "Tomorrow at 1pm ET $JPM Vice Chairman Jimmy Lee takes over @JPMorgan to answer your questions "
        "for 1 hour. Tweet your Q early using #AskJPM"
    )
    assert phrases(opening) == ["Tweet your Q early"]
    assert phrases("Thanks to everyone at #AskJPM") == ["Thanks to everyone"]
    assert phrases("to the #AskJPM") == ["to the"]  # nothing whole to quote: the words as they are


@pytest.mark.parametrize(
    ("scenario_id", "wrong"),
    [
        ("mcdstories", r"\b(a|A) (fries|McNuggets)\b|\b[Mm]y (fries|McNuggets) at .* was\b"),
        ("askseaworld", r"\b([Dd]o|[Aa]re) (Tilikum|Shamu)\b"),
        ("askseaworld", r"\b(tanks|sea|now|Free \w+) (We'll|Still|Just|Yes|No|Genuinely|Asking)\b"),
        ("askseaworld", r"\b[Tt]he the\b"),
        ("askbg", r"going up (a|the|today's) "),
        ("askjpm", r"\b(savings|pension) (is|was|isn't)\b"),  # "my savings is still gone", "my pension was foreclosed"
    ],
)
def test_slots_agree_with_the_words_around_them(scenario_id, wrong):
    """Found in play and in a scan of feeds: "I still can't eat a fries", "What do Tilikum do", "the the calves"…"""
    from simulator.scenario import resolve

    scenario = resolve(scenario_id).scenario
    texts = [
        item.text
        for seed in (31, 32, 33)
        for plan in ("history", *(s.id for s in scenario.strategies[:2]))
        for item in run(scenario, seed, strategy_plan(scenario, plan), size=20_000, with_feed=True).feed or []
        if not item.is_brand and not item.real
    ]
    assert len(texts) > 300
    assert [t for t in texts if re.search(wrong, t)] == []


def test_a_persona_speaks_of_its_own_city():
    """Found in play (#AskBG): 'Manchester Bill Payers' Voice' wrote of homes in Birmingham.

    A `{city}` slot in a persona's post is its home town (the city in its name and bio).
    """
    from simulator.audience import build_audience
    from simulator.scenario import resolve

    scenario = resolve("askbg").scenario
    audience = build_audience(scenario, 4, 20_000)
    result = run(scenario, 4, strategy_plan(scenario, "history"), audience=audience, with_feed=True)
    places = scenario.audience.places
    checked = 0
    for item in result.feed:
        if item.is_brand or item.inject or item.real or item.poster is None:
            continue
        named = [p for p in places if re.search(rf"\b{p}\b", item.text)]
        if named:
            home = audience.city_of(item.poster)
            assert named == [home], (item.name, item.text, home)
            checked += 1
    assert checked >= 5


@pytest.mark.parametrize(("case", "year"), [("askjpm", 2013), ("askseaworld", 2015), ("mcdstories", 2012)])
def test_a_year_in_a_post_is_before_the_case(case, year):
    """Found in play (#AskSeaWorld, 2015): "I watched Blackfish in 2009", four years before the film."""
    from simulator.audience.names import draw_word
    from simulator.scenario import resolve

    scenario = resolve(case).scenario
    assert scenario.clock.start.startswith(str(year))
    rng = np.random.default_rng(0)
    drawn = {int(draw_word(rng, "year", (), year) or 0) for _ in range(200)}
    assert drawn == set(range(year - 5, year))
    result = run(scenario, 3, strategy_plan(scenario, "history"), size=20_000, with_feed=True)
    years = [int(y) for i in result.feed if not i.real for y in re.findall(r"\b(?:19|20)\d\d\b", i.text)]
    assert all(y <= year for y in years), sorted(set(years))
    # No source dates the film; "the year before" is when the sources count tweets about it.
    assert not [i.text for i in result.feed if re.search(r"Blackfish in \d", i.text)]


def test_a_reply_to_a_pause_never_calls_it_silence():
    """A pause that posts nothing draws no replies: every reply to a pause answers a holding line the brand
    posted. Found in play (#McDStories): "We hear you. Reading every story" drew "Silence. Pathetic"."""
    lines = [
        e if isinstance(e, str) else e.text
        for case in ("askjpm", "askbg", "askseaworld", "mcdstories", "whyistayed")
        for key, es in resolve(case).scenario.voices.replies.items()
        if key.startswith("pause")
        for e in es
    ]
    assert len(lines) >= 10 and not [line for line in lines if re.search(r"\bsilen", line, re.IGNORECASE)]


def test_a_post_on_the_tag_cannot_ask_what_the_brand_said():
    """`says` reads the post a reply answers: on a template (a post on the tag) it would never show."""
    text = mutate(
        "    snark:\n      snark:\n", '    snark:\n      snark:\n        - {text: "x {hashtag}", says: [sorry]}\n'
    )
    with pytest.raises(ScenarioError) as exc:
        parse_scenario_text(text, "t.yaml")
    found = [p for p in exc.value.problems if p.field == "voices.templates.snark.snark[0]"]
    assert found and "a post on the tag answers none" in found[0].message, exc.value.problems
    assert found[0].line == line_of(text, "    snark:\n      snark:\n") + 2


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300), room=st.integers(0, 280))
def test_a_quoted_question_fits_its_room_whatever_the_post(text, room):
    """A saved game's answered post is any text a file may hold: its quote never overruns the room, nor raises."""
    from simulator.language.quoting import question_quote

    quote = question_quote(text, room)
    assert len(quote) <= room
    assert quote == "" or (quote.startswith("“") and quote.endswith("”") and len(quote) > 2)
    whole = question_quote(text)
    assert whole == "" or whole[1:-1].strip() == whole[1:-1]


def test_the_possessive_of_a_name_that_is_one_already():
    """Found in a scan of #McDStories' replies: "can we quote that as McDonald's's response"."""
    from simulator.language.grammar import tidy

    assert tidy("can we quote that as McDonald's's response") == "can we quote that as McDonald's response"
    assert tidy("as McDonald’s’s answer") == "as McDonald’s answer"
    assert tidy("JPMorgan's answer, and its's") == "JPMorgan's answer, and its's"  # one 's: left alone
    scenario = resolve("mcdstories").scenario
    texts = [
        i.text
        for seed in (1, 2, 3)
        for i in run(
            scenario, seed, parse_script(scenario, "wait*3,answer:holding,wait*6"), size=20_000, with_feed=True
        ).feed
        or []
    ]
    assert any("McDonald's" in t for t in texts) and not [t for t in texts if "'s's" in t]
