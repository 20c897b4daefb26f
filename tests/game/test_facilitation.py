"""Facilitated sessions: three teams, one crowd, a custom inject, the board, the hot wash, the report."""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser

import pytest

from simulator.cli.main import main
from simulator.engine import Decision
from simulator.errors import BackfireError
from simulator.formatting import fmt_clock
from simulator.game.facilitation import Facilitation
from simulator.report import build_report, render
from simulator.report.build import by_decision
from simulator.scenario import resolve
from simulator.store import Store
from tests.conftest import settle

TEAMS = ["Red", "Blue", "Green"]


def askjpm_default(loaded) -> str:
    return loaded.scenario.default_opening().id


async def test_three_teams_with_a_custom_inject_under_pilot(tmp_path, monkeypatch):
    from simulator.tui.app import make_app
    from simulator.tui.screens import FacilitateScreen, HotWashScreen
    from simulator.tui.screens.confirm import ConfirmScreen

    monkeypatch.chdir(tmp_path)
    db = str(tmp_path / "g.db")
    loaded = resolve("askjpm")
    f = Facilitation(loaded, TEAMS, seed=2, size=5000, store=Store(db))
    app = make_app(db=db, facilitation=f)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, FacilitateScreen) and not f.started
        # Before the clock starts, each team chooses its opening: Red the second wording, Blue its own words.
        second = f.sessions["Red"].options("open")[1].id
        await pilot.press("c")  # no decisions before the clock starts
        await settle(pilot)
        assert isinstance(app.screen, FacilitateScreen) and f.pending["Red"] == Decision("wait")
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        await pilot.press("t", "o")
        await settle(pilot)
        await pilot.click("#dialog-words")
        await pilot.press(*"Students: ask Jimmy Lee about careers in banking. #AskJPM", "ctrl+s")
        await settle(pilot)
        await pilot.press("t", "t")  # Green keeps the default; back to Red
        await pilot.press("space")  # the clock starts: every opening goes out
        await settle(pilot)
        assert f.started and f.turn == 0
        assert f.sessions["Red"].opening == second and f.sessions["Red"].opening_text is None
        assert f.sessions["Blue"].opening_text == "Students: ask Jimmy Lee about careers in banking. #AskJPM"
        assert f.sessions["Green"].opening == askjpm_default(loaded)
        await pilot.press("o")  # the openings are fixed now
        await settle(pilot)
        assert isinstance(app.screen, FacilitateScreen)
        # Red cancels flippantly; Blue answers candidly; Green waits.
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("t", "a")
        await settle(pilot)
        await pilot.press("down", "enter")  # which posts: the second kind (grievances), then the tone list
        await settle(pilot)
        await pilot.press("enter")  # candid
        await settle(pilot)
        board = {r.team: r for r in f.board()}
        assert (
            board["Red"].pending == "cancel:badidea"
            and board["Blue"].pending == "answer:candid@grievance"
            and board["Green"].pending == "wait"
        )
        await pilot.press("space")
        await settle(pilot)
        assert f.turn == 1 and f.sessions["Red"].cancelled and not f.sessions["Blue"].cancelled
        # A custom inject for Blue only: a reporter's call.
        await pilot.press("i")
        await settle(pilot)
        await pilot.press("down", "down")  # Blue in the team list
        await pilot.click("#inject-text")
        await pilot.press(*"Reuters calls about the memo", "enter")
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        blue_feed = [i.text for i in f.sessions["Blue"].feed(100) if i.inject]
        red_feed = [i.text for i in f.sessions["Red"].feed(100) if i.inject]
        assert "Reuters calls about the memo" in blue_feed and "Reuters calls about the memo" not in red_feed
        assert any(i.startswith("custom_") for i in f.sessions["Blue"].metrics()[-1]["injects"])
        # An evaluator's note on Green (the team list starts on the team being entered: Blue).
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("shift+tab", "down")  # from the text to the team list: Green
        await pilot.click("#note-text")
        await pilot.press(*"Green never checked the feed", "enter")
        await settle(pilot)
        assert [n["text"] for n in f.sessions["Green"].notes] == ["Green never checked the feed"]
        assert not f.sessions["Blue"].notes and f.sessions["Green"].notes[0]["turn"] == f.turn
        # The board shows every team side by side with live numbers.
        table = app.screen.query_one("#board")
        assert table.row_count == 3
        # The hot wash asks first: "n" keeps every team where it is.
        turn = f.turn
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, FacilitateScreen) and f.turn == turn and not f.over
        await pilot.press("h")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, HotWashScreen)
        ranks = app.screen.rows
        assert [r["team"] for r in ranks] != [] and {r["team"] for r in ranks} == set(TEAMS)
        assert all(r["history"] == pytest.approx(ranks[0]["history"]) for r in ranks)  # one crowd, one history
        # The teams ranked among the case's named strategies on the crowd they all faced.
        await settle(pilot)
        others = _rendered(app.screen.query_one("#others"))
        assert "Other plays on this same crowd" in others and all(team in others for team in TEAMS)
        assert all(s.label[:40] in others for s in f.scenario.strategies)
        await pilot.press("e")
        await settle(pilot)
    reports = list(tmp_path.glob("backfire-report-*.html"))
    assert len(reports) == 1
    text = reports[0].read_text(encoding="utf-8")
    assert all(team in text for team in TEAMS) and "Reuters calls about the memo" in text


def _rendered(widget) -> str:
    """A widget's content as plain text (a Rich table in a Static included)."""
    from rich.console import Console

    out = Console(width=200, record=True, file=io.StringIO())
    out.print(widget.content)
    return out.export_text()


class _Parts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: dict[str, int] = {}
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        for key in ("src", "href"):
            if key in a:
                self.links.append(a[key])

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    db = tmp_path_factory.mktemp("fac") / "g.db"
    loaded = resolve("askjpm")
    f = Facilitation(loaded, TEAMS, seed=3, size=5000, store=Store(db))
    f.start()
    f.set_decision("Red", Decision("cancel", "badidea"))
    f.set_decision("Blue", Decision("answer", "candid", "grievance"))
    f.advance()
    f.custom_inject("A leaked memo", team="Green")
    f.fire_inject("snarkpocalypse")
    f.finish()
    return Store(db), f


def test_html_report_is_self_contained_with_charts_tables_and_every_team(played):
    store, f = played
    html = render(build_report(store, f.sessions["Red"].game_id), "html")
    parts = _Parts()
    parts.feed(html)
    assert parts.tags.get("svg", 0) >= 1 and parts.tags.get("polyline", 0) == len(TEAMS) + 1  # every team and history
    assert parts.tags.get("table", 0) >= 5
    assert {"overview", "goal", "timeline", "outcomes", "strengths", "improvement", "plan"} <= parts.ids
    assert not [link for link in parts.links if link.startswith(("http:", "https:", "//"))]  # loads nothing
    body = " ".join(parts.text)
    for team in TEAMS:
        assert f"team-{team}" in parts.ids and team in body
    assert "A leaked memo" in body and "#Badidea! Back to the drawing board" in body
    # Each team's decisions are dots on its line, and history's on its own; the reasons come in words.
    assert parts.tags.get("circle", 0) >= 2
    assert "you scored" in body and "Cancelled: " in body  # the timeline names decisions in words


def test_the_report_ranks_the_teams_among_the_named_strategies_on_their_crowd(played):
    """The hot wash's "other plays", kept in the report: each strategy scored on the room's crowd, as `score` would."""
    from simulator.engine import strategy_plan
    from simulator.scoring.paired import play_paired

    store, f = played
    report = build_report(store, f.sessions["Red"].game_id)
    assert sorted(o.id for o in report.others) == sorted(s.id for s in f.scenario.strategies)
    session = f.sessions["Red"]
    narrow = next(o for o in report.others if o.id == "narrow")
    alone = play_paired(f.scenario, 3, strategy_plan(f.scenario, "narrow"), session.build_crowd()).score.total
    assert narrow.score == pytest.approx(alone, abs=1e-9)
    ranking = report.ranking()
    assert [score for score, _, _ in ranking] == sorted((score for score, _, _ in ranking), reverse=True)
    assert {name for _, name, team in ranking if team} == set(TEAMS)
    assert "What JPMorgan Chase did" in {name for _, name, _ in ranking}
    md = render(report, "md")
    assert "Among the case's named strategies, played on the same crowd:" in md
    assert all(f"| **{team}** |" in md for team in TEAMS)
    html = render(report, "html")
    assert 'class="others"' in html and all(
        f'<tr class="ours"><td>{_score(report, team)}</td><td>{team}</td>' in html for team in TEAMS
    )
    assert json.loads(render(report, "json"))["others"][0]["score"] == max(o.score for o in report.others)


def test_a_report_goes_on_without_the_strategies_when_they_cannot_be_played(played, monkeypatch):
    from simulator.errors import BackfireError
    from simulator.game.session import Session

    def refuse(self):
        raise BackfireError("the scenario's rates have each persona on the tag post about 99 times a turn")

    monkeypatch.setattr(Session, "other_plays", refuse)
    store, f = played
    report = build_report(store, f.sessions["Red"].game_id)
    assert report.others == [] and {t.team for t in report.teams} == set(TEAMS)
    assert "Among the case's named strategies" not in render(report, "md")


def test_json_report_carries_everything(played):
    store, f = played
    data = json.loads(render(build_report(store, f.sessions["Blue"].game_id), "json"))
    assert {t["team"] for t in data["teams"]} == set(TEAMS)
    red = next(t for t in data["teams"] if t["team"] == "Red")
    assert any(
        x["move"].startswith("cancel") and x["decision"].startswith("Cancelled: ") for x in red["faulted_decisions"]
    )
    assert red["improvement_plan"] and all(
        set(p) >= {"area", "observation", "corrective_action", "owner", "due"} for p in red["improvement_plan"]
    )
    assert len(red["hostile_series"]) == 96 and len(data["history"]["hostile_series"]) == 96
    md = render(build_report(store, f.sessions["Blue"].game_id), "md")
    assert "## 7. Improvement plan" in md and "A leaked memo" in md


def test_the_report_says_what_the_crowd_said_back_to_each_teams_posts(played):
    """For the hot wash: each post a team made, how many replies it drew and the first few its feed showed."""
    store, f = played
    report = build_report(store, f.sessions["Red"].game_id)
    red = next(t for t in report.teams if t.team == "Red")
    assert [c.move for c in red.said_back] == ["cancellation"]
    cancel = red.said_back[0]
    feed = f.sessions["Red"].all_feed()
    post = next(i for i in feed if i.is_brand and i.kind == "cancel")
    session_replies = [i for i in feed if i.reply_to == post.id and not i.real]
    assert cancel.replies >= len(session_replies) > 0 and 1 <= len(cancel.shown) <= 3
    assert all(any(s.endswith(i.text) for i in session_replies) for s in cancel.shown)
    kinds = [s.split(":", 1)[0] for s in cancel.shown]
    assert len(set(kinds)) == len(kinds) or len(set(i.kind for i in session_replies)) < len(kinds)  # kinds first
    md, html = render(report, "md"), render(report, "html")
    assert "What the crowd said back to Red" in md and cancel.shown[0] in md
    assert "class='said-back'" in html
    data = json.loads(render(report, "json"))
    assert next(t for t in data["teams"] if t["team"] == "Red")["said_back"][0]["move"] == "cancellation"
    green = next(t for t in report.teams if t.team == "Green")
    assert green.said_back == []  # it posted nothing after its opening


def test_every_team_faces_the_same_crowd(played):
    _, f = played
    audiences = {id(s.audience) for s in f.sessions.values()}
    assert len(audiences) == 1
    green = f.sessions["Green"].metrics()
    # Green and a solo replay of its decisions on the same seed agree: the facilitation adds nothing hidden.
    from simulator.game.replay import restore

    again = restore(played[0], f.sessions["Green"].game_id)
    assert [t["hostile"] for t in again.metrics()] == [t["hostile"] for t in green]


def test_facilitate_headless_and_errors(tmp_path, capsys):
    db = str(tmp_path / "g.db")
    assert (
        main(
            [
                "facilitate",
                "askjpm",
                "--teams",
                "Red,Blue",
                "--size",
                "3000",
                "--db",
                db,
                "--plans",
                "Red=wait*22,cancel:badidea;Blue=answer:candid@grievance*8",
                "--json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert next(r["team"] for r in data["teams"]) == "Blue"
    red = next(r for r in data["teams"] if r["team"] == "Red")
    assert red["score"] == pytest.approx(red["history"])  # the historical moves score exactly history
    assert main(["facilitate", "askjpm", "--teams", "Red,Red", "--db", db, "--json"]) == 2
    assert "team names must differ" in capsys.readouterr().err
    with pytest.raises(BackfireError, match="no team 'Gold'"):
        Facilitation(resolve("askjpm"), TEAMS, size=3000).set_decision("Gold", Decision("wait"))


def test_report_command_writes_a_file(tmp_path, capsys):
    db = str(tmp_path / "g.db")
    assert (
        main(
            ["run", "askjpm", "--size", "3000", "--save", "--db", db, "--json", "--decisions", "wait*4,cancel:apology"]
        )
        == 0
    )
    capsys.readouterr()
    out = tmp_path / "aar.md"
    assert main(["report", "1", "--db", db, "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# After-action report: #AskJPM") and "cancel:apology" in text


def test_evaluator_notes_reach_the_hot_wash_and_the_report_and_change_nothing(tmp_path, capsys):
    db = str(tmp_path / "g.db")
    args = ["facilitate", "askjpm", "--teams", "Red,Blue", "--size", "3000", "--db", db, "--json"]
    plans = "Red=wait*4,cancel:apology;Blue=answer:candid@grievance*4"
    notes = 'Red@2=Waited for legal sign-off;Blue@5="Named the fine; asked for follow-ups"'
    assert main([*args, "--plans", plans, "--notes", notes]) == 0
    noted = json.loads(capsys.readouterr().out)
    teams = {r["team"]: r for r in noted["teams"]}
    assert teams["Red"]["notes"] == [
        {"turn": 2, "minute": 30, "text": "Waited for legal sign-off", "by": "facilitator"}
    ]
    assert teams["Blue"]["notes"][0]["text"] == "Named the fine; asked for follow-ups"  # ';' inside quotes
    # Notes change nothing: the same session without them scores the same.
    assert main([*args, "--db", str(tmp_path / "other.db"), "--plans", plans]) == 0
    plain = {r["team"]: r for r in json.loads(capsys.readouterr().out)["teams"]}
    assert all(plain[t]["score"] == teams[t]["score"] for t in teams)
    # The report (which replays each game, skipping the notes) shows them in the timeline and per team.
    store = Store(db)
    md = render(build_report(store, teams["Red"]["game_id"]), "md")
    assert "| 0h30 | Red | note | Waited for legal sign-off |" in md
    assert "- 1h15 (facilitator): Named the fine; asked for follow-ups" in md
    html = render(build_report(store, teams["Red"]["game_id"]), "html")
    assert "Waited for legal sign-off" in html and "<ul class='notes'>" in html


@pytest.mark.parametrize(
    ("notes", "message"),
    [
        ("Gold@2=x", "not one of the teams"),
        ("Red@96=x", "from 0 to 95"),
        ("Red@x=y", "from 0 to 95"),
        ("Red@2", "TEAM@TURN=TEXT"),
        ("Red@2=", "a note needs some text"),
        ("Red@2=" + "x" * 501, "at most 500 characters"),
    ],
)
def test_bad_notes_are_clear_errors(tmp_path, capsys, notes, message):
    args = ["facilitate", "askjpm", "--teams", "Red,Blue", "--size", "2000", "--db", str(tmp_path / "g.db")]
    assert main([*args, "--plans", "Red=wait", "--notes", notes]) == 2
    assert message in capsys.readouterr().err


def _score(report, team: str) -> str:
    return f"{next(t.score for t in report.teams if t.team == team):.1f}"


def test_the_plan_names_a_strategy_that_beat_the_team_on_its_crowd(played):
    """Beating history is not the ceiling: a named strategy that did better on the same crowd is a plan row.

    Found in a solo #AskSeaWorld report: 107.6 against history's 50, "Run the ads… with no open hashtag" 130.0
    on the same crowd, and an improvement plan with no row at all (an empty table)."""
    from dataclasses import replace

    from simulator.report.build import NOTHING_TO_CORRECT, STRENGTH_POINTS

    store, f = played
    report = build_report(store, f.sessions["Red"].game_id)
    best = max(report.others, key=lambda o: o.score)
    beaten = [t.team for t in report.teams if best.score - t.score >= STRENGTH_POINTS]
    assert beaten
    for t in report.teams:
        rows = [p for p in t.improvement_plan if p.area == "Best play on this crowd"]
        if t.team in beaten:
            assert len(rows) == 1 and f"“{best.label}” scored {best.score:.1f}" in rows[0].observation
            assert f"backfire run askjpm --strategy {best.id} --seed 3 --size 5000" in rows[0].corrective_action
        else:
            assert rows == []
    # A plan with nothing in it says so, in both formats, instead of a table's empty header.
    bare = replace(report, teams=[replace(t, improvement_plan=[]) for t in report.teams])
    md = render(bare, "md")
    assert NOTHING_TO_CORRECT in md and "| team | area |" not in md
    page = render(bare, "html")
    assert "Nothing to correct on this crowd" in page and "corrective action" not in page
    assert "<code>--seed</code>" in page and "`" not in page.split("id='plan'")[1]  # commands are code, not backticks
    plan = render(report, "html").split("id='plan'")[1]
    assert f"<code>backfire run askjpm --strategy {best.id} --seed 3 --size 5000</code>" in plan


def test_one_plan_row_a_faulted_decision_with_every_fault_beside_it(played):
    """Found in a workshop report (#AskBG): an opening two sources fault made two rows with the same action."""
    store, f = played
    report = build_report(store, f.sessions["Red"].game_id)
    for t in report.teams:
        areas = [p.area for p in t.improvement_plan if p.area.startswith("Decision ")]
        assert len(areas) == len(set(areas))
        for decision, faults in by_decision(t.faulted_decisions):
            when = "" if faults[0].minute is None else f" at {fmt_clock(faults[0].minute)}"
            rows = [p for p in t.improvement_plan if p.area == f"Decision {faults[0].decision}{when}"]
            assert len(rows) == 1 and all(fault.summary in rows[0].observation for fault in faults), decision
    assert any(len(faults) > 1 for t in report.teams for _, faults in by_decision(t.faulted_decisions))
