"""The app: a whole game under Pilot, snapshots of each screen, and the installed command in tmux."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulator.tui.app import make_app
from simulator.tui.screens import BriefingScreen, DebriefScreen, DecisionScreen, PickerScreen, PlayScreen
from tests.conftest import settle

SIZE = 20_000


async def test_a_whole_game_from_the_picker(tmp_path):
    app = make_app(None, seed=1, size=SIZE)
    seen: list = []
    async with app.run_test(size=(100, 36), message_hook=seen.append) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        ids = [listing.loaded.scenario.id for listing in app.screen.listings]
        for _ in range(ids.index("askjpm")):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)
        assert app.session.scenario.id == "askjpm" and app.session.audience is not None
        await pilot.press("down")  # the narrow opening
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, PlayScreen)
        assert app.session.opening == "narrow"
        for _ in range(3):
            await pilot.press("w")
            await settle(pilot)
        assert app.session.turn == 3
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, DecisionScreen)
        await pilot.press("enter")  # candid, answering the highlighted post
        await settle(pilot)
        await pilot.press("p", "down", "down", "enter")  # pause with the holding line
        await settle(pilot)
        await pilot.press("c", "down", "down", "enter")  # cancel: accountable
        await settle(pilot)
        decisions = [str(d) for d in app.session.decisions()]
        assert decisions[:3] == ["wait", "wait", "wait"]
        assert decisions[3].startswith("answer:candid@#")
        assert decisions[4:] == ["pause:holding", "cancel:accountable"]
        assert app.session.cancelled
        await pilot.press("f")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, DebriefScreen)
        assert app.session.over and app.session.turn == 96
        score = app.screen.score
        assert score.script.startswith("open:narrow,wait*3,answer:candid@#")
        assert score.total != score.history_total
        # The same decisions on ten crowds like this one, computed after the game in a worker.
        spread = str(app.screen.query_one("#range").render())
        assert re.fullmatch(
            r"You beat history in \d+ of 10 crowds like this one \(median .*\)\.", spread.strip().replace("\n", " ")
        )
        lessons = str(app.screen.query_one("#lessons").source)
        assert "### Opened: Narrow, targeted Q&A" in lessons and "answer:candid" not in lessons
    unique = list({id(m): m for m in seen}.values())  # a message is hooked at each node it bubbles through
    names = [type(m).__name__ for m in unique]
    assert names.count("DecisionChosen") == 6
    assert (
        names.count("TurnAdvanced") >= 6
        and "GameOver" in names
        and "ScenarioChosen" in names
        and "ClockStarted" in names
    )


async def test_replay_on_the_same_crowd_and_a_new_one():
    app = make_app("askjpm", seed=4, size=5000, crowds=0)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        await settle(pilot)
        first = app.session
        assert isinstance(app.screen, DebriefScreen)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)
        assert app.session is not first and app.session.seed == 4 and app.session.audience is first.audience
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert app.session.seed == 5


async def test_realtime_advances_on_its_own():
    # A tick of 0.2 s leaves a loaded CI machine time to paint between turns (at 0.05 s the screen never settled).
    app = make_app("askjpm", seed=2, size=5000, realtime=0.2, crowds=0)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        deadline = time.monotonic() + 10
        while app.session.turn < 3 and time.monotonic() < deadline:
            await pilot.pause(0.05)
            await app.workers.wait_for_complete()
        assert app.session.turn >= 3
        assert all(str(d) == "wait" for d in app.session.decisions())


async def test_cannot_cancel_twice():
    app = make_app("askjpm", seed=2, size=5000)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("c", "enter")
        await settle(pilot)
        assert app.session.cancelled
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, PlayScreen)  # no dialog: a warning instead


async def test_help_and_palette_commands():
    app = make_app("askjpm", seed=2, size=5000)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Wait 15 minutes", "Answer the highlighted post", "Pause", "Cancel the Q&A", "Help"):
            assert title in titles
        await pilot.press("question_mark")
        await settle(pilot)
        assert type(app.screen).__name__ == "HelpScreen"


@pytest.mark.parametrize("scenario_id", ["askbg", "mcdstories", "askseaworld", "whyistayed"])
async def test_each_library_case_plays_through_to_the_debrief(scenario_id):
    """Pick the case, start, wait, answer a post, cancel, wait out the clock, read the debrief."""
    app = make_app(None, seed=3, size=5000, crowds=3)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        ids = [listing.loaded.scenario.id for listing in picker.listings]
        assert len(ids) == 5 and scenario_id in ids
        for _ in range(ids.index(scenario_id)):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)
        assert app.session.scenario.id == scenario_id
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, PlayScreen)
        turn_words = app.session.scenario.clock.turn_words
        assert turn_words in str(app.screen.query_one("#status").render())
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, DecisionScreen)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.cancelled
        decisions = [str(d) for d in app.session.decisions()]
        assert (
            decisions[:2] == ["wait", "wait"]
            and decisions[2].startswith("answer:")
            and decisions[3].startswith("cancel:")
        )
        await pilot.press("f")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, DebriefScreen)
        assert app.session.over and app.session.turn == app.session.scenario.clock.turns
        score = app.screen.score
        assert score.script.startswith("open:") and ",cancel:" in score.script
        assert score.total != score.history_total
        lessons = app.screen.query_one("#lessons").source
        assert app.session.scenario.history.timeline[0].text.split('"')[0][:40] in lessons
        assert "crowds like this one" in str(app.screen.query_one("#range").render()).replace("\n", " ")
        # Then the case's named strategies on the same crowd, and where the player's run stands among them.
        await settle(pilot)
        others = _rendered(app.screen.query_one("#others"))
        assert "Other plays on this same crowd" in others and "You" in others
        assert all(s.label[:40] in others for s in app.session.scenario.strategies)
        yours = next(line for line in others.splitlines() if line.strip().endswith("You"))
        assert f"{score.total:.1f}" in yours


def _rendered(widget) -> str:
    """A widget's content as plain text (a Rich table in a Static included)."""
    from rich.console import Console

    out = Console(width=200, record=True, file=io.StringIO())
    out.print(widget.content)
    return out.export_text()


# Snapshots ---------------------------------------------------------------------------------------

SNAP = {"terminal_size": (100, 32)}


def test_snapshot_picker(snap_compare):
    assert snap_compare(make_app(None, seed=1, size=SIZE), **SNAP, run_before=settle)


def test_snapshot_briefing(snap_compare):
    assert snap_compare(make_app("askjpm", seed=1, size=SIZE), **SNAP, run_before=settle)


async def _play_some(pilot) -> None:
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)
    for _ in range(8):
        await pilot.press("w")
        await settle(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


def test_snapshot_play(snap_compare):
    assert snap_compare(make_app("askjpm", seed=1, size=SIZE), **SNAP, run_before=_play_some)


def test_snapshot_play_at_80x24(snap_compare):
    assert snap_compare(make_app("askjpm", seed=1, size=SIZE), terminal_size=(80, 24), run_before=_play_some)


def test_snapshot_decision_dialog(snap_compare):
    async def before(pilot):
        await _play_some(pilot)
        await pilot.press("a")
        await settle(pilot)

    assert snap_compare(make_app("askjpm", seed=1, size=SIZE), **SNAP, run_before=before)


async def _to_the_debrief(pilot):
    """Play a few turns, cancel with the first message, wait out the clock: the debrief, with its workers done."""
    await _play_some(pilot)
    await pilot.press("c", "enter")
    await settle(pilot)
    await pilot.press("f")
    await settle(pilot)
    await settle(pilot)


def test_snapshot_debrief(snap_compare):
    async def before(pilot):
        await _to_the_debrief(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app("askjpm", seed=1, size=SIZE, crowds=3), **SNAP, run_before=before)


# The installed command, as a person runs it ------------------------------------------------------


def _installed_backfire() -> str | None:
    here = Path(sys.executable).parent / "backfire"
    return str(here) if here.exists() else shutil.which("backfire")


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")
def test_installed_play_in_tmux():
    exe = _installed_backfire()
    assert exe, "backfire is not installed"
    name = f"bf{os.getpid()}"
    env = {k: v for k, v in os.environ.items() if k not in ("TMUX",)}

    def screen() -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True, env=env
        ).stdout

    def wait_for(text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = screen()
            if text in shown:
                return shown
            time.sleep(0.2)
        raise AssertionError(f"{text!r} not on screen:\n{screen()}")

    subprocess.run(
        ["tmux", "new-session", "-d", "-s", name, "-x", "100", "-y", "32", f"{exe} play askjpm --seed 1"],
        check=True,
        env={**env, "TERM": "xterm-256color"},
    )
    try:
        wait_for("Crowd ready")
        subprocess.run(["tmux", "send-keys", "-t", name, "s"], check=True, env=env)
        wait_for("turn 1/96")
        subprocess.run(["tmux", "send-keys", "-t", name, "w"], check=True, env=env)
        wait_for("turn 2/96")
        subprocess.run(["tmux", "send-keys", "-t", name, "c"], check=True, env=env)
        shown = wait_for("Cancel the Q&A — with which message?")
        assert "#Badidea! Back to the drawing board" in shown  # the preview of the real wording
        subprocess.run(["tmux", "send-keys", "-t", name, "Enter"], check=True, env=env)
        shown = wait_for("CANCELLED")
        assert "turn 3/96" in shown
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], env=env, capture_output=True)


@pytest.mark.parametrize(
    ("scenario_id", "expected"),
    [
        ("askjpm", "Vice Chairman Jimmy Lee, 1 h long, starting 22 h after the opening post."),
        ("askseaworld", "7 days long, starting with the opening post."),
        ("whyistayed", "24 h long, starting with the opening post."),
    ],
)
def test_briefing_gives_the_event_in_hours_and_days(scenario_id, expected):
    from simulator.scenario import resolve
    from simulator.tui.screens.briefing import _event_words

    words = _event_words(resolve(scenario_id).scenario.campaign.event)
    assert words.endswith(expected), words
    assert "min," not in words  # no raw minute counts such as "10080 min"


def test_briefing_puts_an_amount_beside_its_date_not_in_front_of_a_sentence():
    from types import SimpleNamespace

    from simulator.scenario import resolve
    from simulator.tui.screens.briefing import briefing_markdown

    page = briefing_markdown(SimpleNamespace(scenario=resolve("askjpm").scenario))
    assert "- *July 2013*, **$410 million**: JPMorgan Ventures Energy was fined" in page
    assert "- *August 2013*: JPMorgan was accused of price-fixing" in page  # no amount, no comma
    assert "** JPMorgan" not in page  # was "**$410 million** JPMorgan Ventures Energy…": two sentences run together


def test_minutes_read_as_people_say_them():
    from simulator.formatting import fmt_minutes

    assert [fmt_minutes(m) for m in (15, 60, 90, 1350, 1440, 2880, 10080, 2900)] == [
        "15 min",
        "1 h",
        "1 h 30 min",
        "22 h 30 min",
        "24 h",
        "2 days",
        "7 days",
        "48 h 20 min",
    ]


async def test_an_answer_to_a_kind_of_post_previews_exactly_what_it_posts():
    """It previewed “[On-topic question posts]” Fair question…, a quote the engine never posts (an answer to a
    kind answers no post in particular); brackets in a preview stay text, not Rich markup."""
    app = make_app("askjpm", seed=1, size=5000, crowds=0)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("a")  # your own opening post is highlighted: pick which posts to answer
        await settle(pilot)
        assert isinstance(app.screen, DecisionScreen)
        preview = str(app.screen.query_one("#preview").render()).replace("\n", " ")
        assert "“" not in preview and "[" not in preview
        await pilot.press("tab", "enter")  # the tones, then the first one
        await settle(pilot)
        posted = [i for i in app.session.all_feed() if i.is_brand][-1]  # oldest first: the newest is last
        assert posted.kind == "answer" and " ".join(preview.split()) == posted.text
        await pilot.press("a")
        await settle(pilot)
        from textual.widgets import TextArea

        app.screen.query_one("#dialog-words", TextArea).text = "Our [answers] come at 1pm."
        await settle(pilot)
        assert "Our [answers] come at 1pm." in str(app.screen.query_one("#preview").render()).replace("\n", " ")


async def test_six_posts_fit_at_80x24_and_no_label_is_cut_at_120x40():
    from simulator.tui.widgets import FeedView

    app = make_app("askjpm", seed=1, size=SIZE)
    async with app.run_test(size=(80, 24)) as pilot:
        await _play_some(pilot)
        feed = app.screen.query_one(FeedView)
        assert feed.compact
        box = feed.content_region
        whole = [c for c in feed.children if c.region.y >= box.y and c.region.bottom <= box.bottom]
        assert len(whole) >= 6, len(whole)
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert not feed.compact
        shown = str(app.screen.query_one("#reputation").render())
        for label in app.session.segment_labels.values():
            assert label in shown


async def test_the_charts_span_the_day_and_fill_from_the_left_on_fixed_scales():
    """Found in play: a stretched sparkline drew turn one as a wall of full bars (74% negative looked like 100%)."""
    from simulator.tui.widgets import BLOCKS, chart

    app = make_app("askjpm", seed=1, size=SIZE)
    async with app.run_test(size=(120, 40)) as pilot:
        await _play_some(pilot)
        played, day = len(app.session.metrics()), app.session.turns
        rows = str(app.screen.query_one("#negative-chart").render()).split("\n")
        width = len(rows[0])
        assert len(rows) == 2 and width >= 40
        filled = max(len(row.rstrip()) for row in rows)
        assert 0 < filled <= -(-played * width // day) + 1  # the played turns' columns only, from the left
        negative = app.session.metrics()[-1]["share_negative"]
        assert negative < 1
        last = -(-played * width // day) - 1
        assert rows[0][last] != BLOCKS[-1] or negative > 0.9  # a share under 90% does not fill both rows
        assert "busiest" in str(app.screen.query_one("#volume-title").render())
        # What the storm is made of: the commonest kind of last turn's posts, with its share.
        last = app.session.metrics()[-1]
        top = max(last["posts_by_kind"], key=last["posts_by_kind"].get)
        share = last["posts_by_kind"][top] / last["volume"]
        assert f"Mostly: {top} {share:.0%}" in str(app.screen.query_one("#numbers").render())
    # The chart's scale is fixed: one value of half the scale fills one row of two, wherever it stands.
    assert chart([0.5], 1.0, 96, 48, rows=2).split("\n") == [" " * 48, BLOCKS[-1] + " " * 47]
    assert chart([1.0] * 96, 1.0, 96, 48, rows=2).split("\n") == [BLOCKS[-1] * 48] * 2


async def test_the_debrief_says_so_when_the_strategies_cannot_be_played(monkeypatch):
    from simulator.errors import BackfireError
    from simulator.game.session import Session

    def refuse(self):
        raise BackfireError("its rates are too high")

    monkeypatch.setattr(Session, "other_plays", refuse)
    app = make_app("askjpm", seed=1, size=SIZE, crowds=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await _to_the_debrief(pilot)
        assert isinstance(app.screen, DebriefScreen)
        said = str(app.screen.query_one("#others").render())
        assert "could not be played: its rates are too high" in said


async def test_writing_an_answer_shows_its_reading_and_the_crowd_replies_to_its_words():
    """Type a post in the decision dialog: the preview reads it before it goes out; then the crowd answers it."""
    from textual.widgets import Static, TextArea

    app = make_app("askjpm", seed=3, size=SIZE)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        for _ in range(3):
            await pilot.press("w")
            await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, DecisionScreen)
        dialog.query_one("#dialog-words", TextArea).focus()
        words = "We got this wrong. Every foreclosure file gets a second review by Friday."
        await pilot.press(*[{" ": "space", ".": "full_stop"}.get(c, c) for c in words])
        await settle(pilot)
        assert dialog.query_one("#dialog-words", TextArea).text == words
        preview = str(dialog.query_one("#preview", Static).render())
        reading = str(dialog.query_one("#dialog-reading", Static).render())
        assert preview == words  # byte for byte what goes out
        assert "Reads as: " in reading and "apology" in reading and "played as: Candid and accountable" in reading
        assert "'We got this wrong'" in reading
        assert f"{len(words)} / 140 characters" in str(dialog.query_one("#dialog-count").render())
        await pilot.press("enter")  # a line break in the text area, not a post
        await settle(pilot)
        assert isinstance(app.screen, DecisionScreen)
        await pilot.press("backspace", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PlayScreen)
        last = app.session.decisions()[-1]
        assert last.action == "answer" and last.text == words and last.target and last.target.startswith("#")
        sent = next(i for i in app.session.all_feed() if i.is_brand and i.turn == 3)
        assert sent.text == words
        for _ in range(2):
            await pilot.press("w")
            await settle(pilot)
        replies = [i.text.lower() for i in app.session.all_feed() if i.reply_to == "#3-b"]
        assert replies
        assert any(
            p in r for r in replies for p in ("second review", "every foreclosure file", "got this wrong", "by friday")
        )


async def test_a_written_post_over_the_eras_limit_is_refused_with_the_count():
    from textual.widgets import TextArea

    app = make_app("askjpm", seed=3, size=5000)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        area = dialog.query_one("#dialog-words", TextArea)
        area.load_text("x" * 141)
        await settle(pilot)
        assert "141 / 140 characters" in str(dialog.query_one("#dialog-count").render())
        assert "this scenario allows 140" in str(dialog.query_one("#dialog-reading").render())
        area.focus()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DecisionScreen) and not app.session.cancelled
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("c", "ctrl+e")  # start from the highlighted wording, then post it
        await settle(pilot)
        assert app.screen.query_one("#dialog-words", TextArea).text == "#Badidea! Back to the drawing board"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.session.cancelled
        assert str(app.session.decisions()[-1]) == 'cancel:"#Badidea! Back to the drawing board"'


async def test_writing_the_opening_in_the_briefing():
    from textual.widgets import TextArea

    app = make_app("askjpm", seed=3, size=5000)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, DecisionScreen) and app.screen.move == "open"
        await pilot.press("H", "i")  # "write your own": what you type goes into the post at once
        assert app.screen.query_one("#dialog-words", TextArea).text == "Hi"
        words = "College students: ask our Vice Chairman about careers in finance, 1pm ET #AskJPM"
        app.screen.query_one("#dialog-words", TextArea).load_text(words)
        await settle(pilot)
        assert "played as: Narrow, targeted Q&A" in str(app.screen.query_one("#dialog-reading").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)
        assert app.session.opening_text == words and app.session.opening == "narrow"
        assert "Your own opening" in str(app.screen.query_one("#own-opening").render())
        await pilot.press("s")
        await settle(pilot)
        opening = app.session.feed()[-1]
        assert opening.is_brand and opening.text == words


async def test_a_written_answer_is_read_again_when_the_facilitator_picks_other_posts():
    """With no post highlighted, the dialog asks which posts to answer; the reading follows that choice."""
    from textual.widgets import OptionList, TextArea

    app = make_app("askjpm", seed=3, size=5000)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        app.push_screen(DecisionScreen(app.session, "answer", choose_kind=True))
        await settle(pilot)
        dialog = app.screen
        dialog.query_one("#dialog-words", TextArea).load_text("Every foreclosure file gets a second review.")
        await settle(pilot)
        kinds = dialog.query_one("#dialog-kinds", OptionList)
        ids = [kinds.get_option_at_index(i).id for i in range(kinds.option_count)]
        kinds.highlighted = ids.index("grievance")
        await settle(pilot)
        assert "answers the question: yes" in str(dialog.query_one("#dialog-reading").render())
        kinds.highlighted = ids.index("question")
        await settle(pilot)
        assert "answers the question: no" in str(dialog.query_one("#dialog-reading").render())


async def test_the_cancel_move_is_named_as_the_case_names_it():
    """#WhyIStayed has no campaign to cancel: the move deletes the post."""
    from textual.widgets import Label

    from simulator.tui.screens.briefing import briefing_markdown

    app = make_app("whyistayed", seed=3, size=5000)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        assert "**c** delete the post (pick a message)" in briefing_markdown(app.session)
        await pilot.press("s")
        await settle(pilot)
        keys = {key: b.binding.description for key, b in app.screen.active_bindings.items() if b.binding.show}
        assert keys.get("c") == "Delete"  # the footer too: "c Delete", not "c Cancel"
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, DecisionScreen)
        assert str(app.screen.query_one("#dialog-title", Label).render()) == "Delete the post — with which message?"


async def test_r_shows_only_your_posts_and_the_replies_to_them():
    """A player watches what the crowd says back: `r` keeps the brand's posts and the replies to them; again, all."""
    from simulator.tui.widgets import FeedView

    app = make_app("askbg", seed=7, size=20_000)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        for _ in range(4):
            await pilot.press("w")
            await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("enter")  # the listed answer
        await settle(pilot)
        assert "The crowd is answering your post: r shows the replies" in str(app.screen.query_one("#status").render())
        for _ in range(2):
            await pilot.press("w")
            await settle(pilot)
        feed = app.screen.query_one(FeedView)
        every = list(feed.items_shown)
        assert [i for i in every if not (i.is_brand or i.reply_to)]  # the tag's own posts are there
        await pilot.press("r")
        await settle(pilot)
        mine = list(feed.items_shown)
        answer = next(b for b in mine if b.is_brand and b.kind == "answer")
        assert mine and all(i.is_brand or i.reply_to or i.id == answer.reply_to for i in mine)
        assert any(i.reply_to == answer.id for i in mine)
        # the post it answered is there too, and the answer says whose it was: question, answer, replies
        asked = next(i for i in mine if i.id == answer.reply_to)
        assert answer.reply_about == f"{asked.handle} at {asked.minute // 60}:{asked.minute % 60:02d}"
        assert f"↳ replying to {asked.handle} at" in str(feed._render_item(answer))
        assert "replies to them" in str(app.screen.query_one("#status").render())
        await pilot.press("r")
        await settle(pilot)
        assert [i.id for i in feed.items_shown] == [i.id for i in every]
        for _ in range(2):  # an hour after the answer, the status line is the usual one again
            await pilot.press("w")
            await settle(pilot)
        assert "Highlight a post" in str(app.screen.query_one("#status").render())


async def test_the_header_survives_its_title_going_before_it():
    """Textual runs `_on_mount` of every class in the MRO, so its own title watcher (which lets NoMatches out) ran
    beside ours: a picker closed as it opened ended the app with a traceback, one run in three."""
    from textual.app import App, ComposeResult
    from textual.widgets._header import HeaderTitle

    from simulator.tui.header import Header

    class Bare(App):
        def compose(self) -> ComposeResult:
            yield Header()

    app = Bare()
    async with app.run_test() as pilot:
        await app.query_one(HeaderTitle).remove()
        app.title = "changed"
        await pilot.pause()
    assert app.return_code in (None, 0)
