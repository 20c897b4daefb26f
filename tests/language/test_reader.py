"""The player's words: the reader, the nearest option, modifiers, written decisions in scripts, saved games and runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.bench.reader import bench_reader, trainer_table
from simulator.engine import parse_script, run, strategy_plan
from simulator.engine.decisions import Decision, quote, unquote
from simulator.errors import BackfireError
from simulator.game.open import open_game
from simulator.game.replay import restore
from simulator.language.choice import candidates, choose
from simulator.language.reader import lexicon, read, scenario_lexicon
from simulator.scenario.loader import parse_scenario_text
from simulator.scenario.postures import POSTURES
from simulator.scenario.registry import resolve
from simulator.store import Store
from tests.conftest import SCENARIOS

SIZE = 3000


def test_the_trainers_table_covers_every_posture_and_the_reader_agrees_with_it():
    posts = trainer_table()
    assert len(posts) >= 80
    labels = [p["posture"] for p in posts]
    assert set(labels) == set(POSTURES)
    assert min(labels.count(p) for p in POSTURES) >= 2
    result = bench_reader(repeats=1)
    assert result["accuracy"] >= 0.85, result["misreadings"]


def test_a_reading_is_deterministic_and_its_evidence_is_the_posts_own_words():
    text = "We got this wrong, and we're sorry. Starting Monday every file gets a second review by Friday."
    a, b = read(text), read(text)
    assert a == b
    assert a.postures[:2] == ("corrective_action", "apologise") or a.postures[:2] == ("apologise", "corrective_action")
    for phrases in a.evidence.values():
        for phrase in phrases:
            assert phrase.lower() in text.lower()
    assert "We got this wrong" in a.because()
    assert a.signals["responsibility"] == 1.0 and a.signals["specificity"] == 1.0


@pytest.mark.parametrize(
    ("text", "not_posture"),
    [
        ("We are not sorry for asking questions.", "apologise"),
        ("We will never apologise to trolls.", "apologise"),
        ("There won't be any refund.", "compensate"),
    ],
)
def test_a_negated_phrase_does_not_count(text, not_posture):
    reading = read(text)
    assert not_posture not in reading.postures


def test_a_cue_word_about_someone_else_or_a_common_word_does_not_set_the_posture():
    # Found in play: an opening that said "we'll pick the best" read as flattery, career advice as an apology.
    assert read("Send your questions via our careers page; we'll pick the best.").posture != "ingratiate"
    assert read("Best advice for a first job? Ask questions and own your mistakes.").posture == "answer"
    assert read("The best analysts we hire learn from their mistakes fast.").posture == "answer"
    # The brand's own mistakes and real praise still count.
    assert read("We made mistakes.").posture == "apologise"
    assert read("You are the best, thank you!").posture == "ingratiate"
    assert read("Thanks to the best followers on Twitter.").posture == "ingratiate"


def test_what_follows_but_is_what_the_post_means():
    assert read("We're sorry for the confusion, but these claims are simply false.").posture == "deny"
    assert read("These claims are false, but we're sorry and we got it wrong.").posture == "apologise"


def test_signals_answers_shouting_and_case_words():
    question = "How many homes did you foreclose on by mistake?"
    answering = read("About 4,000 homes were foreclosed on by mistake; every owner gets a review.", question=question)
    dodging = read("Thanks for your question! We are committed to our communities.", question=question)
    assert answering.signals["answers"] is True and answering.signals["evasive"] == 0.0
    assert dodging.signals["answers"] is False and dodging.signals["evasive"] == 1.0
    assert read("A statement.").signals["answers"] is None
    assert read("THIS IS NOT WHAT HAPPENED!!!").signals["shouting"] == 1.0
    assert read("this is not what happened.").signals["shouting"] == 0.0
    jpm = resolve("askjpm").scenario
    from simulator.language.reader import scenario_lexicon

    lex = scenario_lexicon(jpm.language)
    assert read("We don't answer trolls.", lex).signals["inflame"] == 1.0
    assert read("We don't answer trolls.").signals["inflame"] == 0.0  # case words come from the scenario
    # a kind's topic words show an answer addresses it without the question's text
    assert read("Every foreclosure file gets a second review.", lex, kind="grievance").signals["answers"] is True
    assert read("Interns are paid.", lex, kind="grievance").signals["answers"] is False


def test_a_scenarios_own_phrases_add_to_a_posture():
    plain = read("Pizza is on the way.")
    extra = lexicon((("compensate", ("pizza is on the way",)),))
    assert plain.posture != "compensate"
    assert read("Pizza is on the way.", extra).posture == "compensate"


def test_every_library_option_has_a_posture_and_reads_near_itself():
    """An option's own wording, written out, is played as that option (or one declared the same)."""
    for path in sorted(SCENARIOS.glob("*.yaml")):
        sc = parse_scenario_text(path.read_text(encoding="utf-8"), path)
        for move in ("answer", "pause", "cancel"):
            opts = candidates(sc, move)
            for opt in opts:
                if not opt.text:
                    continue
                chosen = choose(sc, move, opt.text)
                same = [o.id for o in opts if o.postures[0] == opt.postures[0]]
                assert chosen.option in same, (sc.id, move, opt.id, chosen.option)


@pytest.mark.parametrize(
    ("text", "option"),
    [
        ("We got this wrong. It was the wrong moment for a Q&A, and we're sorry.", "apology"),
        ("#Badidea! Back to the drawing board", "badidea"),
    ],
)
def test_a_written_cancellation_plays_as_the_nearest_option(askjpm, text, option):
    assert choose(askjpm, "cancel", text).option == option


def test_modifiers_come_from_the_scenario(askjpm):
    text = "We got this wrong. Every foreclosure file gets a second review by Friday."
    declared = choose(askjpm, "answer", text, kind="grievance")
    assert declared.factor < 1.0  # specificity lowers provocation in askjpm
    assert ("specificity", 1.0, -0.3) in declared.terms
    bare = askjpm.model_copy(update={"language": askjpm.language.model_copy(update={"modifiers": []})})
    plain = choose(bare, "answer", text, kind="grievance")
    assert plain.factor == 1.0 and plain.terms == ()
    assert plain.option == declared.option
    assert plain.provocation == next(o.provocation for o in askjpm.actions.answer if o.id == plain.option)
    evasive = choose(askjpm, "answer", "Thanks for your question!", question="Why did you foreclose on my home?")
    assert evasive.reading.signals["evasive"] == 1.0 and evasive.factor > 1.0


def test_the_language_code_names_no_scenario_or_option():
    import simulator.language as language

    names = {"askjpm", "badidea", "candid", "students", "grievance", "jpmorgan", "seaworld", "digiorno", "mcdonald"}
    for path in Path(language.__path__[0]).glob("*.py"):
        code = path.read_text(encoding="utf-8").lower()
        found = [n for n in names if f'"{n}"' in code or f"'{n}'" in code]
        assert not found, f"{path.name} mentions {found}"


# ------------------------------------------------------------------ scripts


@given(st.text(min_size=1, max_size=140).filter(lambda t: t.strip()))
def test_any_post_survives_quoting(text):
    assert unquote(quote(text)) == text


@settings(deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=100).filter(str.strip))
def test_a_written_decision_round_trips_through_a_script(text):
    sc = resolve("askjpm").scenario
    decision = Decision("answer", target="grievance", text=text)
    plan = parse_script(sc, f"wait,{decision},cancel:{quote(text)}")
    assert plan.decisions[1] == decision
    assert plan.decisions[2].text == text
    assert parse_script(sc, plan.script()) == plan


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ('answer:"We hear you', "the quote opened at character 8 is not closed"),
        ('cancel:"a \\q b"', "unknown escape \\q in a written post"),
        ('cancel:""', "a written post needs words inside the quotes"),
        ('cancel:"' + "x" * 141 + '"', "the post has 141 characters; this scenario allows 140"),
        ('wait:"hello"', "`wait` posts nothing"),
        ('pause:"More soon."@grievance', "only `answer` takes a target"),
        ('wait,open:"Hello"', "`open` must come first"),
        ('cancel:"bell \x07"', "control character U+0007"),
    ],
)
def test_bad_written_decisions_are_clear_errors(askjpm, script, message):
    with pytest.raises(BackfireError) as exc:
        parse_script(askjpm, script)
    assert message in str(exc.value)


# ------------------------------------------------------------------ play

WRITTEN = (
    'open:"College students: ask our Vice Chairman about careers in finance, tomorrow at 1pm ET #AskJPM",'
    'wait*3,answer:"We got this wrong, and we\'re sorry. Every foreclosure file gets a second review by Friday."@grievance,'
    'pause:"We\'re reading every question. More at 1pm tomorrow.",wait*4,'
    'cancel:"We\'re calling off the Q&A. Jimmy Lee will answer the hardest questions in writing by Friday."'
)


def test_a_written_run_posts_the_words_reads_them_and_is_reproducible(askjpm):
    plan = parse_script(askjpm, WRITTEN)
    a = run(askjpm, 5, plan, size=SIZE, with_feed=True)
    b = run(askjpm, 5, plan, size=SIZE, with_feed=True)
    assert json.dumps(a.as_dict(feed=True), sort_keys=True) == json.dumps(b.as_dict(feed=True), sort_keys=True)
    brand = {i.kind: i.text for i in a.feed or [] if i.is_brand}
    assert brand["open"] == plan.opening_text
    assert brand["answer"] == plan.decisions[3].text
    assert brand["pause"] == plan.decisions[4].text
    assert brand["cancel"] == plan.decisions[9].text
    assert parse_script(askjpm, a.script).decisions[: len(plan.decisions)] == plan.decisions


def test_the_crowd_answers_the_players_own_words(askjpm):
    """Replies to a written post quote or turn back its phrases (the crowd's reply text, #15)."""
    text = "We are pausing every foreclosure sale until an outside auditor reads each file"
    plan = parse_script(askjpm, f'wait*2,answer:"{text}"@grievance')
    feed = run(askjpm, 3, plan, size=20_000, with_feed=True).feed or []
    replies = [i.text.lower() for i in feed if i.reply_to == "#2-b"]
    assert replies
    words = re.compile(r"pausing every foreclosure|outside auditor|each file|foreclosure sale")
    assert any(words.search(r) for r in replies), replies[:10]


def test_written_words_change_the_crowd_through_the_declared_option_and_provocation(askjpm):
    """A specific, accountable answer and a dismissive one are played as different options: the numbers differ."""
    kind = "@grievance"
    good = run(
        askjpm,
        2,
        parse_script(askjpm, f'wait*2,answer:"We got this wrong. Every file gets a second review by Friday."{kind}*3'),
        size=SIZE,
    )
    bad = run(
        askjpm,
        2,
        parse_script(askjpm, f'wait*2,answer:"These claims are false. Ignore the trolls."{kind}*3'),
        size=SIZE,
    )
    assert good.summary["hostile_total"] < bad.summary["hostile_total"]


def test_what_the_preview_shows_is_what_goes_out(askjpm, tmp_path):
    session = open_game(resolve("askjpm"), 4, SIZE)
    session.start()
    for _ in range(3):
        session.play(Decision("wait"))
    post = next(i for i in session.feed() if not i.is_brand and i.poster >= 0)
    for decision in (
        Decision("answer", "candid", post.id),
        Decision("answer", text="Yes: we hear you.", target=post.id),
    ):
        shown = session.preview(decision, question=post.text)
        session.play(decision)
        sent = next(i for i in session.feed() if i.is_brand and i.turn == session.turn - 1)
        assert sent.text == shown


def test_a_saved_game_keeps_the_written_words_byte_for_byte(tmp_path):
    store = Store(tmp_path / "games.db")
    loaded = resolve("askjpm")
    plan = parse_script(loaded.scenario, WRITTEN)
    session = open_game(loaded, 6, SIZE, store=store)
    session.choose_opening("", plan.opening_text)
    session.start()
    for turn in range(12):
        session.play(plan.at(turn))
    before = [(i.turn, i.kind, i.text) for i in session.all_feed() if i.is_brand]
    again = restore(store, session.game_id)
    after = [(i.turn, i.kind, i.text) for i in again.all_feed() if i.is_brand]
    assert after == before
    assert again.opening_text == plan.opening_text
    assert [str(d) for d in again.decisions()] == [str(d) for d in session.decisions()]


def test_the_debrief_and_the_report_show_the_words_their_reading_and_the_lessons(tmp_path):
    from simulator.report.build import build_report
    from simulator.report.html import to_html
    from simulator.report.markdown import to_markdown

    store = Store(tmp_path / "games.db")
    loaded = resolve("askjpm")
    session = open_game(loaded, 6, SIZE, store=store)
    session.start()
    for decision in parse_script(loaded.scenario, 'wait*3,cancel:"#Badidea! Back to the drawing board"').decisions:
        session.play(decision)
    review = next(r for r in session.debrief().reviews if r.written is not None)
    assert review.written == "#Badidea! Back to the drawing board"
    assert review.reading and "Reads as: humour" in review.reading and "played as:" in review.reading
    # the lessons on the option it was played as (the real cancellation) are cited beside it
    assert any("bailed" in lesson.quote for lesson in review.lessons)
    report = build_report(store, session.game_id)
    written = report.teams[0].written
    assert [w.text for w in written] == ["#Badidea! Back to the drawing board"]
    md, html = to_markdown(report), to_html(report)
    assert "own words, as the game read them" in md and "Reads as: humour" in md
    assert "class='written'" in html and "Reads as: humour" in html


def test_the_apps_debrief_keeps_long_written_words_out_of_its_one_line_headings(tmp_path):
    """Found in play: a heading does not wrap, so long own words were cut off, and the move's time with them."""
    from simulator.tui.screens.debrief import debrief_markdown

    words = "We're pausing #AskJPM. Wrong moment for an open Q&A while families are still hurting. Students: email us."
    loaded = resolve("askjpm")
    session = open_game(loaded, 6, SIZE, store=Store(tmp_path / "games.db"))
    session.start()
    for decision in parse_script(loaded.scenario, f'wait*3,cancel:"{words}"').decisions:
        session.play(decision)
    review = next(r for r in session.debrief().reviews if r.written is not None)
    assert words in review.headline()  # the CLI and the hot wash wrap: they keep the words inline
    assert review.headline(words=False) == f"Cancelled in your own words{review.when_text()}"
    lines = debrief_markdown(session.debrief()).splitlines()
    heading = next(line for line in lines if line.startswith("### Cancelled"))
    assert heading == f"### Cancelled in your own words at {review.when_text().removeprefix(' at ')}"
    assert f"“{words}”" in lines
    assert all(len(line) <= 100 for line in lines if line.startswith("#"))


def test_backfire_read_prints_the_reading_as_json(capsys):
    from simulator.cli.main import main

    text = "We got this wrong. Every foreclosure file gets a second review by Friday."
    assert main(["read", text, "--scenario", "askjpm", "--reply-to", "grievance", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["posture"] in ("apologise", "corrective_action")
    assert set(data["postures"]) >= {"apologise", "corrective_action"}
    assert data["signals"]["answers"] is True and data["signals"]["specificity"] == 1.0
    assert "We got this wrong" in data["evidence"]["apologise"]
    assert data["nearest_option"] == "candid"
    assert data["provocation"] == pytest.approx(0.8 * 0.7)
    assert main(["read", text, "--json"]) == 0  # no scenario: the reading alone
    alone = json.loads(capsys.readouterr().out)
    assert alone["nearest_option"] is None and alone["posture"] == data["posture"]
    assert main(["read", "x" * 141, "--scenario", "askjpm"]) == 2
    assert "this scenario allows 140" in capsys.readouterr().err
    assert main(["read", "hi", "--scenario", "askjpm", "--reply-to", "gossip"]) == 2


@pytest.mark.parametrize(
    ("text", "option"),
    [
        ("Sorry, we don't respond to trolls.", "defensive"),  # the primary posture leads, not a courtesy 'sorry'
        ("These claims are false. We did not foreclose on anyone in error.", "defensive"),
        ("Thank you for your feedback. We are committed to our communities.", "scripted"),
        ("Well, that went well. Back to the drawing board.", "humour"),
        ("We got this wrong, and every file gets a second review by Friday.", "candid"),
    ],
)
def test_a_written_answer_plays_as_the_option_of_its_primary_posture(askjpm, text, option):
    assert choose(askjpm, "answer", text, kind="grievance").option == option


@pytest.mark.parametrize(
    "text",
    [
        # Found in play: a straight answer to a student was played as the scripted line (shared words decided).
        "Both matter. Grades get you the first interview; people you meet get you the rest. Go to info sessions.",
        "Yes. Applications open in March and close in May.",
    ],
)
def test_a_straight_answer_to_a_students_question_plays_as_the_candid_answer(askjpm, text):
    question = "quick one: how much does networking matter versus grades? #AskJPM"
    chosen = choose(askjpm, "answer", text, question=question, kind="question")
    assert chosen.reading.posture == "answer"
    assert chosen.option == "candid"
    assert choose(askjpm, "answer", text).option == "candid"


@pytest.mark.parametrize(
    ("text", "option"),
    [
        # An apology in a case whose answers have no apology option plays as the candid fix (the family of its
        # corrective action), not as the phone-line brush-off that begins "Sorry to hear that".
        ("We're sorry. Today's rise is hard news, and we should have picked another day for this.", "candid"),
        ("Sorry you're worried. Your bill rises by about £120 a year; our hardship fund can help.", "candid"),
        # Help with the bill is an offer, even when it says "call us" (#AskBG's own phrases).
        ("If you're struggling to pay, call us: we can spread payments and find you the cheapest tariff.", "candid"),
        ("Please call the number on your bill.", "phoneline"),
        ("Our prices reflect rising wholesale costs.", "defensive"),
    ],
)
def test_a_written_answer_in_askbg_plays_as_the_option_of_its_family(text, option):
    assert choose(resolve("askbg").scenario, "answer", text).option == option


def test_a_time_makes_details_a_holding_line_and_a_web_address_does_not():
    assert read("More details at 5pm.").posture == "holding"
    assert read("An update in an hour.").posture == "holding"
    assert read("Details at britishgas.co.uk/help.").posture != "holding"


def test_a_reply_about_paying_answers_askbgs_joke_about_paying():
    """Found in play: "we can spread payments" in reply to "Can I pay in candles?" was read as evasive (+0.4)."""
    sc = resolve("askbg").scenario
    reply = "Sorry, Ronnie. If the rise hits you hard, call us: we can spread payments."
    assert choose(sc, "answer", reply, question="Can I pay in candles? #AskBG", kind="snark").reading.signals["answers"]
    off = choose(sc, "answer", "Our engineers are great.", question="Can I pay in candles? #AskBG", kind="snark")
    assert off.reading.signals["answers"] is False


@pytest.mark.parametrize(
    ("case", "joke", "reply"),
    [
        ("askseaworld", "Would you live your whole life in a tank?", "We're expanding our orca habitats this year."),
        (
            "mcdstories",
            "My story: minimum wage, maximum grease, zero respect.",
            "No one on our staff should feel that way.",
        ),
        ("whyistayed", "DiGiorno: it's not delivery, it's not okay.", "You're right. We didn't read the tag first."),
    ],
)
def test_a_reply_on_a_jokes_subject_answers_it(case, joke, reply):
    sc = resolve(case).scenario
    assert choose(sc, "answer", reply, question=joke, kind="snark").reading.signals["answers"] is True
    assert choose(sc, "answer", "Have a nice day.", question=joke, kind="snark").reading.signals["answers"] is False


def test_an_answer_before_the_crowd_has_posted_evades_nothing(askjpm):
    """Found in a workshop report: a candid answer at 0h00 read as "answers the question: no" (+0.4 provocation)."""
    from simulator.audience import build_audience
    from simulator.engine import Run

    game = Run(askjpm, build_audience(askjpm, 1, 5000), 1, None)
    words = Decision("answer", None, None, "We got things wrong, and every foreclosure file now gets a second review.")
    early = game.written(words)
    assert early.reading.signals["answers"] is None and early.reading.signals["evasive"] == 0
    while game.sim.state.last_posts is None or not len(game.sim.state.last_posts[0]):
        game.play(Decision("wait"))  # a small crowd may post nothing in its first quarter hour
        assert game.turn < 10
    later = game.written(words)
    assert later.reading.signals["answers"] is not None  # now it answers, or evades, last turn's commonest kind
    off = game.written(Decision("answer", None, None, "Have a great day, everyone."))
    assert off.reading.signals["answers"] is False and off.provocation > early.provocation


@pytest.mark.parametrize(
    ("text", "posture"),
    [
        # Common first replies a trainee writes; a courtesy "thanks" or no cue at all used to decide them.
        ("Thanks for flagging! We've passed this to our team.", "holding"),
        ("We are aware of the issue.", "holding"),
        ("We understand why people are angry, and we're listening.", "holding"),
        ("We've escalated this and will come back to you today.", "holding"),
        ("Our thoughts are with everyone affected.", "scripted"),
        ("Wholesale gas costs rose 8.4% for us too.", "justify"),  # found in play (#AskBG)
        ("Our chicken comes from farms that meet strict welfare standards.", "justify"),  # found in play
    ],
)
def test_common_first_replies_read_as_a_trainer_reads_them(text, posture):
    assert read(text).posture == posture


@pytest.mark.parametrize(
    "text", ["We didn't read what the hashtag was about before posting.", "We did not check the tag."]
)
def test_not_reading_the_tag_is_an_admission(text):
    """Found in play (#WhyIStayed): the admission DiGiorno made took no responsibility in the reading."""
    reading = read(text)
    assert reading.posture == "apologise" and reading.signals["responsibility"] == 1.0


@pytest.mark.parametrize(
    ("case", "text", "option"),
    [
        # Found in play (#McDStories): an open invitation was played as the opening that asks nothing of the public.
        ("mcdstories", "Meet Steve, who grows our potatoes in Idaho. Ask him anything #McDStories", "open_stories"),
        ("mcdstories", "Tell us your favourite McDonald's memory! #McDStories", "open_stories"),
        ("mcdstories", "Meet Steve, who grows our potatoes in Idaho. #McDStories", "open_farmers"),
        ("askseaworld", "Questions about our orcas? Ask our vets anything with #AskSeaWorld", "open_ads"),
        ("askseaworld", "Our vets answer the questions we hear most on our website. #AskSeaWorld", "ads_only"),
        ("askbg", "Send us your questions about your bill with #AskBG", "open_qa"),
        ("askjpm", "Ask our Vice Chairman anything, 1pm ET. Use #AskJPM", "open_ask"),
        ("askjpm", "College students: ask our Vice Chairman about careers in finance, 1pm ET #AskJPM", "narrow"),
    ],
)
def test_a_written_opening_that_invites_the_public_plays_as_the_open_invitation(case, text, option):
    assert choose(resolve(case).scenario, "open", text).option == option


@pytest.mark.parametrize(
    "text",
    [
        "Ask us anything about your account.",
        "Share your stories with #McDStories",
        "Got a question? Tweet us using #AskBG",
        "What would you ask our CEO?",
    ],
)
def test_an_invitation_to_post_reads_as_one(text):
    assert read(text).posture == "invite"


@pytest.mark.parametrize(
    "text",
    ["We're reading all your questions; answers at 3pm.", "Don't ask us, ask the regulators.", "Thanks for asking."],
)
def test_a_holding_line_or_a_refusal_is_no_invitation(text):
    assert read(text).posture != "invite"


@pytest.mark.parametrize(
    "reply",
    [
        "Fair. Not every visit goes right. Steve's happy to talk potatoes, though.",
        "Point taken, and we'd rather hear it than not.",
        "You're right, and we should do better.",
        "Touché.",
    ],
)
def test_a_reply_that_concedes_the_point_answers_it(reply):
    """Found in play (#McDStories): conceding a jab in other words was read as evading it (+0.4 provocation)."""
    joke = "Reading #McDStories with a Happy Meal in my hand. Mistake."
    choice = choose(resolve("mcdstories").scenario, "answer", reply, question=joke, kind="snark")
    assert choice.reading.signals["answers"] is True and choice.reading.signals["evasive"] == 0


def test_a_word_that_only_looks_like_a_concession_is_not_one():
    joke = "Reading #McDStories with a Happy Meal in my hand. Mistake."
    for reply in ("Our fair-trade coffee is great.", "It's true that our coffee is great."):
        assert (
            choose(resolve("mcdstories").scenario, "answer", reply, question=joke, kind="snark").reading.signals[
                "answers"
            ]
            is False
        )


def test_a_date_by_month_or_season_is_specific():
    """Found in play (#AskSeaWorld): "next year they become natural encounters" had no specificity."""
    assert read("The shows change next year.").signals["specificity"] > 0
    assert read("We'll fix this by the end of this summer.").signals["specificity"] > 0
    assert read("The shows will change.").signals["specificity"] == 0


@pytest.mark.parametrize(
    ("text", "option"),
    [
        ("A million apologies. We did not read the tag.", "apologise"),
        ("It was a joke, relax.", "joke"),
        ("Okay, that one's gone lol", "joke"),
        ("We deleted it. It wasn't meant to offend anyone.", "defend"),
    ],
)
def test_a_written_deletion_in_whyistayed_plays_as_its_own_kind(text, option):
    """Found in play: with one worded deletion, the apology, every written deletion was played as the apology."""
    assert choose(resolve("whyistayed").scenario, "cancel", text).option == option


def test_a_flippant_or_excusing_deletion_scores_below_the_apology_on_the_same_crowd():
    from simulator.audience import build_audience
    from simulator.scoring.score import paired_score

    sc = resolve("whyistayed").scenario
    audience = build_audience(sc, 2, None)  # the case's crowd: a small one is too noisy to order close plays
    history = run(sc, 2, strategy_plan(sc, "history"), audience=audience, text=False)

    def total(script: str) -> float:
        return paired_score(sc, run(sc, 2, parse_script(sc, script), audience=audience, text=False), history).total

    sorry = total('cancel:"A million apologies. We did not read what the hashtag was about."')
    excuse = total('cancel:"We deleted it. It wasn\'t meant to offend anyone."')
    joke = total('cancel:"It was a joke, relax."')
    assert sorry > excuse > joke
    assert sorry == pytest.approx(total("cancel:apologise"))  # the apology in other words plays as the apology


@pytest.mark.parametrize(
    "text", ["That is simply not true. We never hid the rise from anyone.", "Trolls and bots, the lot of you."]
)
def test_a_denial_with_no_option_of_its_own_plays_as_the_cases_defence(text):
    """Found in play (#AskBG has no denial): a denial was played as the phone line, the first option."""
    assert choose(resolve("askbg").scenario, "answer", text).option == "defensive"


def test_a_straight_yes_with_a_number_to_call_is_an_answer_not_the_phone_line():
    """Found in a workshop (#AskBG): "Yes: you can fix your tariff today… Call 0800… or DM us." was the brush-off."""
    sc = resolve("askbg").scenario
    question = "Question for Bert: can I fix my tariff before 9.2%, and how? #AskBG"
    words = "Fair question. Yes: you can fix your tariff today before the rise. Call 0800 048 0202 or DM us."
    choice = choose(sc, "answer", words, question=question, kind="question")
    assert choice.reading.posture == "answer" and choice.option == "candid"
    brush_off = choose(sc, "answer", "Please call our team or DM us.", question=question, kind="question")
    assert brush_off.option == "phoneline"
    assert read("Let's set the record straight: no customer was charged twice.").posture != "answer"


@pytest.mark.parametrize(
    ("case", "text", "option"),
    [
        ("askseaworld", "Our orcas live as long as wild ones. The science is on our side.", "defend"),
        ("askseaworld", "Trolls and bots, the lot of you.", "bullies"),
        ("mcdstories", "Our fries are made from whole potatoes from farms in Idaho and Washington.", "farmers"),
        (
            "askjpm",
            "Jimmy's here for career questions. For legal matters, our statements are at jpm.com/news.",
            "scripted",
        ),
    ],
)
def test_a_defence_a_boast_and_a_brush_off_are_not_played_as_candour(case, text, option):
    """Found in play: each of these read as a plain statement (or a deflection with no option of its own) and
    was played as the candid answer, the crowd replying "First honest answer all week"; the justification then
    found only the attack on trolls in #AskSeaWorld, which now has a defence of the orcas' care."""
    choice = choose(resolve(case).scenario, "answer", text)
    assert choice.option == option, choice.summary()


def test_askseaworlds_defence_scores_between_candour_and_calling_critics_trolls():
    from simulator.audience import build_audience
    from simulator.scoring.score import paired_score

    sc = resolve("askseaworld").scenario
    audience = build_audience(sc, 1, None)  # the case's crowd: a small one is too noisy to order close plays
    history = run(sc, 1, strategy_plan(sc, "history"), audience=audience, text=False)

    def total(option: str) -> float:
        plan = parse_script(sc, f"wait*6,answer:{option}@activism")
        return paired_score(sc, run(sc, 1, plan, audience=audience, text=False), history).total

    assert total("candid") > total("defend") > total("trolls")


def test_an_admission_of_bad_timing_is_an_apology():
    """Found in play (#AskBG): "Bad timing on our part" read as a phone-line brush-off, played as the curt
    cancellation."""
    words = "Bad timing on our part. Today's #AskBG is off; please call 0800 048 0202 for bill help."
    assert choose(resolve("askbg").scenario, "cancel", words).option == "postpone"
    assert read("Our bad, everyone.").posture == "apologise"
    assert read("We picked the wrong day for this.").posture == "apologise"


@pytest.mark.parametrize(
    ("text", "posture"),
    [
        ("We're sorry you feel that way.", "excuse"),  # the non-apology
        ("Lots of passion today! Keep it civil, folks.", "diminish"),
        ("Some of these tweets are just abuse. We won't engage with that.", "attack_accuser"),
        ("We're on it and will post what we find here tonight.", "holding"),
        ("Sure, blame the bank for the weather too 🙄", "attack_accuser"),
        ("Every bank in the country charges this. It keeps accounts free for everyone else.", "justify"),
        ("We are proud to serve our clients with integrity and excellence.", "scripted"),
        ("Tomorrow we publish every complaint figure we have, and we'll update it monthly.", "corrective_action"),
        ("We're sorry for the confusion today.", "apologise"),  # a plain sorry stays an apology
        # found by two sets of posts written to check the reader on words it had not seen (2026-12-07)
        ("We owe you an apology. This Q&A was poorly timed and we're ending it now.", "apologise"),
        ("Our team is reviewing every post and will respond in full by 5pm.", "holding"),
        ("Happy to take questions on careers! For anything else, please see our newsroom.", "deflect"),
        ("Nothing to apologise for: prices follow costs, and costs went up.", "justify"),
        ("Sorry, not sorry. Our pizza IS that good.", "humour"),
        ("Questions about your bill? Our help team is on 0800 123 4567, 8am to 8pm.", "deflect"),
        ("The increase covers the higher cost of energy we buy for you.", "justify"),
        ("What's your best memory of our stores? Share it with #MyStore.", "invite"),
        ("Our fees are in line with every other bank on the high street.", "justify"),
        ("Shoutout to everyone who stuck with us today. You're legends.", "ingratiate"),
        ("Got a question for our CEO? Drop it below with #AskAcme.", "invite"),
        ("We messed this up, plain and simple.", "apologise"),
    ],
)
def test_the_trainers_table_misreads_that_general_phrases_now_read(text, posture):
    """Posts a trainer labels one way that the reader read another (`backfire bench reader` listed them)."""
    assert read(text).posture == posture


def test_a_link_beside_a_real_answer_is_a_pointer_not_a_brush_off():
    """Found in play (#AskJPM): a student's question answered on its topic, with a careers link at the end,
    was read as a move to another channel and played as the scripted line ("Did a human write…")."""
    sc = resolve("askjpm").scenario
    question = "#AskJPM Honest question: what's the one skill you'd tell a sophomore to LEARN before applying to banks?"
    words = "Great question. Grades open the door, but most of our analysts got in through internships: apply by March at jpmorgan.com/careers."
    choice = choose(sc, "answer", words, question=question, kind="question")
    assert choice.reading.posture == "answer" and choice.option == "candid", choice.summary()
    brush_off = choose(sc, "answer", "See jpmorgan.com/careers for everything.", question=question, kind="question")
    assert brush_off.reading.posture == "deflect" and brush_off.option == "scripted", brush_off.summary()


def test_a_post_that_opens_with_an_apology_is_an_apology_with_its_fixes():
    """The last of the trainer's table's misreads: the fixes outweighed the apology that opens the post."""
    reading = read("We're sorry. We've pulled the campaign and our CEO will answer questions live on Friday.")
    assert reading.posture == "apologise" and "corrective_action" in reading.postures
    fix_first = read("We've pulled the campaign and our CEO will answer questions on Friday. Sorry for the mess.")
    assert fix_first.posture == "corrective_action"  # a fix that leads stays the fix


def test_words_a_post_quotes_from_others_are_not_the_brands():
    """A reply that quotes its question ("“…, trolls?” We got this wrong…") calls nobody a troll, as the canned
    answers that quote the question do not; a post that is all quote is read as it is; the length is the post's."""
    from simulator.scenario import resolve

    lex = scenario_lexicon(resolve("askjpm").scenario.language)
    quoting = "“Why did you foreclose on my house, trolls?” We got this wrong and we are fixing it by Friday."
    reading = read(quoting, lex)
    assert "attack_accuser" not in reading.postures and reading.signals["inflame"] == 0
    assert reading.postures[:2] == read("We got this wrong and we are fixing it by Friday.", lex).postures[:2]
    assert reading.signals["length"] == len(quoting) and reading.text == quoting
    assert read("“Back off, trolls.”", lex).signals["inflame"] == 1  # nothing of its own: the quote is the post
    # one or two words in quotes are the post's own (scare quotes, emphasis): still a non-apology
    assert (
        read('We are "sorry" you feel that way.', lex).postures == read("We are sorry you feel that way.", lex).postures
    )


@pytest.mark.parametrize("case", ["askjpm", "askbg", "askseaworld", "mcdstories", "whyistayed"])
def test_a_holding_reply_plays_as_the_cases_holding_answer(case):
    """Found headless: "We're reading every question. We'll answer the most common ones at 3pm today." was played
    as #McDStories' free-meal offer, #WhyIStayed's personal apology and #AskJPM's candid answer, with the effects
    of moves it does not make. Every case has a holding reply now, with the holding line's effects."""
    from simulator.scenario import resolve

    sc = resolve(case).scenario
    held = "We're reading every question. We'll answer the most common ones at 3pm today."
    assert choose(sc, "answer", held).option == "holding"
    answer = next(o for o in sc.actions.answer if o.id == "holding")
    line = next(o for o in sc.actions.pause if o.id == "holding")
    assert answer.effects == line.effects and answer.provocation == line.provocation
    # and what it does not take: an apology, an offer and a straight answer keep their own options
    assert choose(sc, "answer", "We got this wrong and we're sorry.").option != "holding"
