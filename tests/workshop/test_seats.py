"""Workshops across screens, in the domain: join codes, seats, the facilitator's sync and clock, resume, determinism."""

from __future__ import annotations

import json

import pytest

from simulator.cli.main import main
from simulator.engine import Decision
from simulator.errors import BackfireError
from simulator.game.facilitation import Facilitation
from simulator.game.room import RoomReader, find_workshop
from simulator.game.seat import CODE_RE, Seat
from simulator.scenario import resolve
from simulator.store import Store

SIZE = 4000


def workshop(tmp_path, teams=("Red", "Blue"), seed=5):
    db = tmp_path / "w.db"
    f = Facilitation(resolve("askjpm"), list(teams), seed=seed, size=SIZE, store=Store(db))
    return db, f


def test_each_team_gets_its_own_short_code_and_a_seat(tmp_path):
    db, f = workshop(tmp_path, ("Red", "Blue", "Green team!", "42"))
    codes = f.codes
    assert len(set(codes.values())) == 4
    assert all(CODE_RE.match(c) for c in codes.values())
    assert codes["Red"].startswith("RED-") and codes["Green team!"].startswith("GREENTEA-")
    seat = Seat(Store(db), codes["Blue"].lower())  # codes are read without case
    assert seat.team == "Blue" and seat.state == "briefing" and not seat.started


@pytest.mark.parametrize("code", ["", "RED-0000", "nonsense", "RED-12345", "💥"])
def test_a_wrong_code_is_a_clear_error(tmp_path, code):
    db, _ = workshop(tmp_path)
    with pytest.raises(BackfireError, match="no team has the join code"):
        Seat(Store(db), code)


def test_a_code_opens_only_its_own_session_and_team(tmp_path):
    db, first = workshop(tmp_path)
    second = Facilitation(resolve("askjpm"), ["Red", "Blue"], seed=9, size=SIZE, store=Store(db))
    assert set(first.codes.values()).isdisjoint(second.codes.values())
    seat = Seat(Store(db), second.codes["Red"])
    assert seat.workshop_id == second.id and seat.seed == 9
    assert find_workshop(Store(db), first.codes["Blue"]) == first.id
    # Red's seat writes only Red's move: Blue's stays undecided, in both sessions.
    second.start()
    first.start()
    seat.submit(Decision("cancel", "badidea"))
    assert second.sync() == ["Red decided: cancel:badidea"]
    assert second.decided["Blue"] is None and first.sync() == [] and first.decided == {"Red": None, "Blue": None}


def test_openings_and_moves_come_from_the_teams_screens(tmp_path):
    db, f = workshop(tmp_path)
    red, blue = Seat(Store(db), f.codes["Red"]), Seat(Store(db), f.codes["Blue"])
    red.choose_opening("narrow")
    blue.choose_opening("", "Ask our Vice Chairman about careers. #AskJPM")
    assert sorted(f.sync()) == [
        'Blue chose its opening: open:"Ask our Vice Chairman about careers. #AskJPM"',
        "Red chose its opening: open:narrow",
    ]
    f.start()
    with pytest.raises(BackfireError, match="opening is fixed"):
        red.choose_opening("open_ask")
    red.refresh()
    assert red.started and red.feed()[0].is_brand and "career in finance" in red.feed()[0].text
    assert not f.all_decided
    red.submit(Decision("answer", "candid"))
    f.sync()
    assert f.decided == {"Red": "team", "Blue": None} and not f.all_decided
    f.set_decision("Blue", Decision("wait"))  # the facilitator enters (or overrides) a move
    blue.refresh()
    assert str(blue.pending) == "wait" and blue.pending_by == "facilitator"
    assert f.all_decided
    played = f.advance()
    assert played["Red"]["decision"] == "answer:candid" and played["Blue"]["decision"] == "wait"
    red.refresh()
    blue.refresh()
    assert red.turn == blue.turn == 1 and red.pending is None and f.decided == {"Red": None, "Blue": None}
    assert [m["volume"] for m in red.metrics()] == [played["Red"]["volume"]]
    assert any(item.reply_to for item in red.feed()), "the team sees the crowd answering its own posts"
    # A cancel after a cancel is refused on the team's screen; the facilitator's board shows nothing new.
    red.submit(Decision("cancel", "badidea"))
    f.sync()
    f.advance()
    red.refresh()
    assert red.cancelled
    with pytest.raises(BackfireError, match="already cancelled"):
        red.submit(Decision("cancel", "badidea"))


def test_an_inject_reaches_only_the_teams_it_targets(tmp_path):
    db, f = workshop(tmp_path)
    f.start()
    inject = f.scenario.injects[0]
    f.fire_inject(inject.id, "Red")
    red, blue = Seat(Store(db), f.codes["Red"]), Seat(Store(db), f.codes["Blue"])
    assert red.feed()[0].inject == inject.id
    assert all(item.inject != inject.id for item in blue.feed())
    room = RoomReader(Store(db), f.id).read()
    assert room.injects[-1]["team"] == "Red" and room.injects[-1]["text"] == inject.label


def test_a_move_that_arrives_while_the_turn_is_played_is_refused_not_lost(tmp_path):
    db, f = workshop(tmp_path)
    f.start()
    red = Seat(Store(db), f.codes["Red"])
    Store(db).update_workshop(f.id, state="computing")  # the facilitator is playing the turn
    with pytest.raises(BackfireError, match="clock moved on"):
        red.submit(Decision("wait"))
    Store(db).update_workshop(f.id, state="away")
    with pytest.raises(BackfireError, match="facilitator has left"):
        red.submit(Decision("wait"))


def test_same_seed_same_moves_same_numbers_whoever_typed_them(tmp_path):
    """Moves typed on the teams' screens give exactly the numbers of the same moves entered headless."""
    plans = {
        "Red": ["wait", "answer:candid", "wait", "cancel:badidea"],
        "Blue": ["answer:humour", "pause:short", "wait", "wait"],
    }
    db, f = workshop(tmp_path)
    seats = {t: Seat(Store(db), f.codes[t]) for t in f.teams}
    f.start()
    from simulator.engine import parse_script

    for turn in range(4):
        for team, seat in seats.items():
            seat.submit(parse_script(f.scenario, plans[team][turn]).decisions[0])
        f.advance()
    typed = {t: [m for _, _, m in Store(db).turns(f.sessions[t].game_id)] for t in f.teams}

    g = Facilitation(resolve("askjpm"), ["Red", "Blue"], seed=5, size=SIZE, store=None)
    g.start()
    for turn in range(4):
        for team in g.teams:
            g.set_decision(team, parse_script(g.scenario, plans[team][turn]).decisions[0])
        g.advance()
    for team in g.teams:
        assert json.loads(json.dumps(g.sessions[team].metrics(), sort_keys=True)) == typed[team]


def test_a_workshop_resumes_where_it_stopped_with_its_codes_and_pending_moves(tmp_path):
    db, f = workshop(tmp_path)
    f.start()
    red = Seat(Store(db), f.codes["Red"])
    red.submit(Decision("answer", "candid"))
    f.advance()
    f.fire_inject(f.scenario.injects[1].id)
    red.submit(Decision("cancel", "badidea"))
    f.leave()
    red.refresh()
    assert red.state == "away"
    g = Facilitation.resume(Store(db), f.id)
    assert g.id == f.id and g.codes == f.codes and g.turn == 1
    assert str(g.pending["Red"]) == "cancel:badidea" and g.decided["Red"] == "team"
    red.refresh()
    assert red.state == "running" and str(red.pending) == "cancel:badidea"
    g.advance()
    # The resumed session goes on exactly as an unbroken one would (the inject was replayed too).
    h = Facilitation(resolve("askjpm"), ["Red", "Blue"], seed=5, size=SIZE, store=None)
    h.start()
    h.set_decision("Red", Decision("answer", "candid"))
    h.advance()
    h.fire_inject(f.scenario.injects[1].id)
    h.set_decision("Red", Decision("cancel", "badidea"))
    h.advance()
    for team in h.teams:
        assert g.sessions[team].metrics()[-1]["volume"] == h.sessions[team].metrics()[-1]["volume"]
        assert g.sessions[team].metrics()[-1]["hostile_total"] == h.sessions[team].metrics()[-1]["hostile_total"]


def test_sessions_join_and_board_headless(tmp_path, capsys):
    db = str(tmp_path / "w.db")
    assert (
        main(
            [
                "facilitate",
                "askjpm",
                "--teams",
                "Red,Blue",
                "--size",
                str(SIZE),
                "--plans",
                "Red=wait*2",
                "--db",
                db,
                "--json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    codes = out["codes"]
    assert main(["sessions", "--db", db, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["sessions"]
    assert listed[0]["id"] == out["facilitation"] and listed[0]["state"] == "over"
    assert {t["code"] for t in listed[0]["teams"]} == set(codes.values())
    assert main(["board", codes["Blue"], "--db", db, "--json"]) == 0
    room = json.loads(capsys.readouterr().out)
    assert room["state"] == "over" and [t["team"] for t in room["teams"]] == ["Red", "Blue"]
    assert len(room["teams"][0]["volume"]) == 96
    assert main(["join", codes["Red"], "--db", db, "--move", "wait"]) == 2
    assert "the session is over" in capsys.readouterr().err
    assert main(["join", "NOPE-1234", "--db", db, "--json"]) == 2
    assert "no team has the join code 'NOPE-1234'" in capsys.readouterr().err
    assert main(["board", "zzz", "--db", db]) == 2
    assert "no workshop or join code 'zzz'" in capsys.readouterr().err
    assert main(["facilitate", "--resume", out["facilitation"], "--teams", "A", "--db", db]) == 2
    assert main(["facilitate", "askjpm", "--db", db]) == 2
    assert "needs a scenario and --teams" in capsys.readouterr().err


def test_a_realtime_clock_shows_teams_a_countdown(tmp_path, monkeypatch):
    db, f = workshop(tmp_path)
    f.start()
    red = Seat(Store(db), f.codes["Red"])
    assert red.seconds_left is None  # a manual clock has no time limit
    f.set_clock("realtime", 30)
    red.refresh()
    assert 28 < red.seconds_left <= 30
    f.advance()  # each turn starts a new countdown
    red.refresh()
    assert red.workshop.deadline > f.deadline - 1 and 28 < red.seconds_left <= 30
    f.set_clock("all-decided")
    red.refresh()
    assert red.seconds_left is None and red.workshop.clock == "all-decided"
    with pytest.raises(BackfireError, match="unknown clock"):
        f.set_clock("sometimes")


def test_a_code_of_a_finished_session_is_refused_with_the_way_on(tmp_path, capsys):
    db, f = workshop(tmp_path)
    f.start()
    f.finish()
    assert main(["join", f.codes["Red"], "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert f"workshop {f.id}, which is over" in err and f"backfire report {f.sessions['Red'].game_id}" in err
    assert main(["join", f.codes["Red"], "--db", str(db), "--json"]) == 0  # headless, the finished seat is readable
    assert json.loads(capsys.readouterr().out)["state"] == "over"


def test_a_team_screen_sees_an_inject_even_when_its_feed_is_full(tmp_path):
    """The feed shows 40 posts: an inject fired mid-turn changes which, not how many, and the screen redraws."""
    db, f = workshop(tmp_path)
    f.start()
    while len(f.sessions["Red"].all_feed()) < 45:
        f.advance()
    red = Seat(Store(db), f.codes["Red"])
    # the newest 40, as the session shows them (its own older posts and their replies come after them)
    assert [i.id for i in red.feed(40)] == [i.id for i in f.sessions["Red"].feed(40)] and len(red.feed(40)) == 40
    assert all(i.is_brand or i.reply_to for i in red.feed(400)[40:])
    assert not red.refresh()  # nothing new
    f.fire_inject(f.scenario.injects[0].id, "Red")
    assert red.refresh() and red.feed()[0].inject == f.scenario.injects[0].id


def test_a_teams_screen_keeps_its_own_posts_and_their_replies_beyond_the_newest(tmp_path):
    """A team's `r` view reads its seat: the facilitator publishes the newest posts, then the team's older
    posts and the replies to them, so a move made hours ago still shows what the crowd said back."""
    db = tmp_path / "w.db"
    f = Facilitation(resolve("askjpm"), ["Red"], seed=5, size=20_000, store=Store(db))
    red = Seat(Store(db), f.codes["Red"])
    f.start()
    for turn in range(24):
        f.set_decision("Red", Decision("answer", "candid") if turn == 8 else Decision("wait"))
        f.advance()
    answer = next(i for i in f.sessions["Red"].feed(400) if i.is_brand and i.kind == "answer")
    red.refresh()
    newest = red.feed(40)
    assert [i.id for i in newest] == [i.id for i in f.sessions["Red"].feed(40)]
    older = red.feed(400)[40:]
    assert any(i.reply_to == answer.id for i in older) and all(i.is_brand or i.reply_to for i in older)
    assert answer.id in {i.id for i in older}  # the answer itself, gone from the newest posts
