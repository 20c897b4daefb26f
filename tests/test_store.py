"""Saved games survive crashes, concurrent writers and old schemas; replays are exact."""

from __future__ import annotations

import dataclasses
import importlib
import json
import shutil
import signal
import sqlite3
import subprocess
import sys

import pytest

from simulator.cli.main import main
from simulator.engine import ENGINE_VERSION, Decision, strategy_plan
from simulator.errors import BackfireError
from simulator.game.open import open_game
from simulator.game.replay import restore
from simulator.scenario import resolve
from simulator.store import SCHEMA_VERSION, Store
from tests.conftest import ROOT

CHILD = r"""
import json, sys, time
from simulator.scenario import resolve
from simulator.game.open import open_game
from simulator.store import Store
from simulator.engine import parse_script
loaded = resolve("askjpm")
session = open_game(loaded, 7, 5000, store=Store(sys.argv[1]))
session.start()
print(json.dumps({"game": session.game_id}), flush=True)
plan = parse_script(loaded.scenario, "wait*2,answer:candid@grievance*2,pause:short,wait*91")
for turn in range(96):
    metrics = session.play(plan.at(turn))
    print(json.dumps({"turn": turn, "metrics": metrics}, sort_keys=True), flush=True)
    time.sleep(0.05)
"""


def test_sigkill_mid_game_then_resume_shows_every_saved_turn(tmp_path):
    db = tmp_path / "games.db"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    game = json.loads(child.stdout.readline())["game"]
    printed = []
    while len(printed) < 8:
        printed.append(json.loads(child.stdout.readline()))
    child.send_signal(signal.SIGKILL)
    child.wait()
    proc = subprocess.run(
        [sys.executable, "-m", "simulator", "resume", str(game), "--db", str(db), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    saved = data["saved_turns"]
    assert len(saved) >= len(printed)  # every turn finished before the kill is there
    for line in printed:
        assert saved[line["turn"]] == line["metrics"]  # with identical metrics
    assert not data["finished"]


def test_two_processes_write_to_one_database(tmp_path):
    db = tmp_path / "games.db"
    cmd = [
        sys.executable,
        "-m",
        "simulator",
        "run",
        "askjpm",
        "--size",
        "5000",
        "--save",
        "--db",
        str(db),
        "--json",
        "--decisions",
    ]
    procs = [
        subprocess.Popen([*cmd, script], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        for script in ("wait*96", "wait*10,cancel:apology")
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    games = Store(db).games()
    assert len(games) == 2
    assert all(g.turns == 96 and g.finished for g in games)


def test_old_schema_is_migrated_on_open(tmp_path):
    path = tmp_path / "old.db"
    shutil.copy(ROOT / "tests" / "fixtures" / "games_v1.db", path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 1
    store = Store(path)
    assert store.version == SCHEMA_VERSION == 5
    game = store.game(1)
    assert game.scenario_id == "askjpm" and game.turns == 3 and game.team is None and game.parent_id is None
    assert game.engine == 1  # saved before engines had versions
    columns = {row[1] for row in store.db.execute("PRAGMA table_info(turns)")}
    assert "injects" in columns
    assert len(store.turns(1)) == 3  # its turns stay readable
    resumed = restore(store, 1)  # the old game is still playable, and verified turn by turn (on engine 1)
    assert resumed.turn == 3 and resumed.engine == 1
    resumed.play(Decision("wait"))
    assert store.game(1).turns == 4 and store.game(1).engine == 1
    # A branch of it stays on engine 1 too; a game from an engine this Backfire does not know is refused.
    branch = restore(store, 1, upto=2, branch=True)
    assert store.game(branch.game_id).engine == 1
    store.db.execute("UPDATE games SET engine = 9 WHERE id = 1")
    store.db.commit()
    with pytest.raises(BackfireError, match="engine version 9, which this Backfire does not know"):
        restore(store, 1)
    assert store.game(1).turns == 4 and len(store.turns(1)) == 4  # refused, and nothing was lost


def test_games_record_the_engine_they_were_played_on(tmp_path):
    store = Store(tmp_path / "g.db")
    session = open_game(resolve("askjpm"), 5, 2000, store=store)
    session.start()
    session.play(Decision("wait"))
    assert store.game(session.game_id).engine == ENGINE_VERSION == 3
    assert restore(store, session.game_id).turn == 1


def test_a_game_saved_on_engine_2_replays_on_engine_2(tmp_path):
    """Engine 3 orders ties differently: a game saved on engine 2 is verified, and goes on, on engine 2."""
    store = Store(tmp_path / "g.db")
    loaded = resolve("askjpm")
    plan = strategy_plan(loaded.scenario, "history")  # the cancel post at 6 h: who sees it depends on the ties
    session = open_game(loaded, 5, 3000, store=store)
    session.engine = 2  # as a Backfire before engine 3 played it
    session.opening = plan.opening
    session.start()
    for turn in range(30):
        session.play(plan.at(turn))
    game_id = session.game_id
    assert store.game(game_id).engine == 2
    resumed = restore(store, game_id)  # replayed turn by turn, each turn's metrics checked
    assert resumed.engine == 2 and resumed.turn == 30
    resumed.play(Decision("wait"))
    assert store.game(game_id).engine == 2 and store.game(game_id).turns == 31
    # On engine 3 the same decisions give another run: the saved metrics would not be met.
    store.db.execute("UPDATE games SET engine = 3 WHERE id = ?", (game_id,))
    store.db.commit()
    with pytest.raises(BackfireError, match="gave different metrics"):
        restore(store, game_id)


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.db"
    sqlite3.connect(path).execute("PRAGMA user_version = 99")
    with pytest.raises(BackfireError, match="written by a newer Backfire"):
        Store(path)


def test_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(BackfireError, match="not a Backfire games database"):
        Store(path)


def test_replay_gives_the_metrics_of_play_and_branch_links_parent(tmp_path):
    store = Store(tmp_path / "g.db")
    loaded = resolve("askjpm")
    session = open_game(loaded, 5, 5000, store=store)
    session.start()
    for d in [Decision("wait")] * 4 + [Decision("cancel", "badidea")] + [Decision("wait")] * 3:
        session.play(d)
    played = json.loads(json.dumps(session.metrics(), sort_keys=True))
    again = restore(store, session.game_id)
    assert json.loads(json.dumps(again.metrics(), sort_keys=True)) == played
    branch = restore(store, session.game_id, upto=4, branch=True)
    branch.play(Decision("cancel", "accountable"))
    record = store.game(branch.game_id)
    assert record.parent_id == session.game_id and record.branch_turn == 4 and record.turns == 5
    assert store.turns(branch.game_id)[:4] == store.turns(session.game_id)[:4]
    assert store.turns(branch.game_id)[4][1] == "cancel:accountable"


def test_an_answer_to_a_feed_post_replays_even_where_the_feed_is_written_differently(tmp_path, monkeypatch):
    """The answered post's kind and words are saved with the turn: a replay needs no feed post of that id."""
    from simulator.engine.feed import Feed

    store = Store(tmp_path / "g.db")
    session = open_game(resolve("askjpm"), 5, 5000, store=store)
    session.start()
    for _ in range(3):
        session.play(Decision("wait"))
    posts = [i for i in session.all_feed() if i.poster >= 0 and i.kind != "support"]
    first, second = posts[-1], posts[-2]
    session.play(Decision("answer", None, first.id, "We got this wrong, and we're sorry. Here is what changes."))
    session.play(Decision("answer", "defensive", second.id))
    for _ in range(3):
        session.play(Decision("wait"))
    played = json.loads(json.dumps(session.metrics(), sort_keys=True))
    saved = [m for _, _, m in store.turns(session.game_id)]
    assert saved[3]["asked"] == {"post": first.id, "kind": first.kind, "text": first.text}
    assert saved[4]["asked"] == {"post": second.id, "kind": second.kind, "text": second.text}
    assert "asked" not in played[3]  # the record keeps it; the turn's metrics are what they were

    # Another version of Backfire writes the feed otherwise: the same ids are other posts, of another kind.
    monkeypatch.setattr(Feed, "text_of", lambda self, post_id: "Nice weather today.")
    monkeypatch.setattr(Feed, "kind_of", lambda self, post_id: "support")
    again = restore(store, session.game_id)
    assert json.loads(json.dumps(again.metrics(), sort_keys=True)) == played
    # and the answers quote the posts the player answered, not what the feed now says
    brand = [i.text for i in session.all_feed() if i.is_brand]
    assert [i.text for i in again.all_feed() if i.is_brand] == brand
    from simulator.game.menus import preview

    quoting = preview(resolve("askjpm").scenario, Decision("answer", "defensive", second.id), second.kind, second.text)
    assert "“" in quoting and quoting in brand

    # A record edited by hand is refused with its game and turn, not a traceback.
    store.db.execute(
        "UPDATE turns SET metrics = json_set(metrics, '$.asked.kind', 'bogus') WHERE game_id = ? AND turn = 3",
        (session.game_id,),
    )
    with pytest.raises(BackfireError, match=r"turn 3: the saved answer replies to a post of kind 'bogus'"):
        restore(store, session.game_id)

    # A game saved before answers kept their post read the feed again, and the turn no longer matched.
    store.db.execute("UPDATE turns SET metrics = json_remove(metrics, '$.asked') WHERE game_id = ?", (session.game_id,))
    with pytest.raises(BackfireError, match="replaying the saved decisions gave different metrics"):
        restore(store, session.game_id)


def _written_game(store: Store, size: int):
    """A saved #AskJPM game opened in the player's words, whose third turn answers in them too."""
    session = open_game(resolve("askjpm"), 5, size, store=store)
    session.choose_opening("", "College students: ask Jimmy Lee about careers in banking, tomorrow at 1pm ET. #AskJPM")
    session.start()
    for _ in range(2):
        session.play(Decision("wait"))
    session.play(Decision("answer", None, "grievance", "Fair hit. We paid those fines because we broke the rules."))
    return session


def test_replay_says_how_the_game_opened(tmp_path, capsys):
    """The replay's table starts after the opening: the opening, in the player's words if written, is said first."""
    store = Store(tmp_path / "g.db")
    session = _written_game(store, 3000)
    db = str(tmp_path / "g.db")
    assert main(["replay", str(session.game_id), "--db", db]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("Opened in your own words: “College students: ask Jimmy Lee about careers")
    assert first.endswith(
        f"(played as: {next(o.label for o in session.scenario.campaign.openings if o.id == session.opening)})"
    )
    assert main(["replay", str(session.game_id), "--db", db, "--json"]) == 0
    opening = json.loads(capsys.readouterr().out)["opening"]
    assert opening == {"option": session.opening, "text": session.opening_text}
    plain = open_game(resolve("askjpm"), 5, 3000, store=store)
    plain.start()
    plain.play(Decision("wait"))
    assert main(["replay", str(plain.game_id), "--db", db]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "Opened: Open invitation (what JPMorgan posted)"


def test_written_posts_replay_as_they_were_played_whatever_a_newer_reader_makes_of_them(tmp_path, monkeypatch):
    """Each written post is saved with the option and provocation it was played as; a replay plays it so again."""
    from simulator.language.choice import choose

    run_module = importlib.import_module("simulator.engine.run")

    store = Store(tmp_path / "g.db")
    session = _written_game(store, 5000)
    session.play(Decision("cancel", None, None, "We misread the moment. The Q&A is off."))
    session.play(Decision("wait"))
    played = json.loads(json.dumps(session.metrics(), sort_keys=True))
    readings = dict(session._started().readings)
    saved = [m for _, _, m in store.turns(session.game_id)]
    assert saved[0]["opening_played"] == {"option": readings[-1].option, "provocation": readings[-1].provocation}
    assert saved[2]["played"] == {"option": readings[2].option, "provocation": readings[2].provocation}
    assert saved[3]["played"]["option"] == readings[3].option
    assert "played" not in saved[0] and "played" not in saved[4]  # turns without words of the player's own

    # A newer reader reads every written post as the first option of its move, at twice the provocation.
    def newer(scenario, move, text, question=None, kind=None, lex=None):
        choice = choose(scenario, move, text, question, kind, lex)
        first = scenario.option_ids()[move][0]
        return dataclasses.replace(choice, option=first, base_provocation=2 * choice.base_provocation + 1)

    monkeypatch.setattr(run_module, "choose", newer)
    again = restore(store, session.game_id)
    assert json.loads(json.dumps(again.metrics(), sort_keys=True)) == played
    assert {t: c.option for t, c in again._started().readings} == {t: c.option for t, c in readings.items()}
    assert dict(again._started().readings)[2].provocation == readings[2].provocation

    # A game saved before written posts kept how they were played reads them again: here, otherwise.
    for key in ("played", "opening_played"):
        store.db.execute(
            "UPDATE turns SET metrics = json_remove(metrics, ?) WHERE game_id = ?", (f"$.{key}", session.game_id)
        )
    with pytest.raises(BackfireError):
        restore(store, session.game_id)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("$.played.option", '"bogus"', r"game \d+, turn 2: it was played as answer option 'bogus'"),
        ("$.played.provocation", '"high"', r"game \d+, turn 2: its saved provocation 'high' is not a number"),
        ("$.played.provocation", "-1", r"turn 2: its saved provocation -1 is not a number ≥ 0"),
        ("$.opening_played.option", '"bogus"', r"game \d+, its opening: it was played as open option 'bogus'"),
    ],
)
def test_an_edited_written_turn_is_refused_with_its_game_and_turn(tmp_path, path, value, message):
    """What a written post was played as, edited by hand, is refused in words, and the saved game is kept."""
    store = Store(tmp_path / "g.db")
    session = _written_game(store, 3000)
    turn = 0 if path.startswith("$.opening") else 2
    store.db.execute(
        "UPDATE turns SET metrics = json_set(metrics, ?, json(?)) WHERE game_id = ? AND turn = ?",
        (path, value, session.game_id, turn),
    )
    with pytest.raises(BackfireError, match=message):
        restore(store, session.game_id)
    assert len(store.turns(session.game_id)) == 3


def test_a_changed_case_file_goes_on_if_its_turns_replay_the_same_and_is_refused_if_not(tmp_path, monkeypatch, capsys):
    """New words in a case's file leave its saved games playable; new numbers stop them at the first turn they change."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    monkeypatch.setenv("BACKFIRE_SCENARIOS", str(folder))
    case = folder / "mycase.yaml"
    text = (
        (ROOT / "scenarios" / "askjpm.yaml").read_text(encoding="utf-8").replace("\nid: askjpm\n", "\nid: mycase\n", 1)
    )
    case.write_text(text, encoding="utf-8")
    store = Store(tmp_path / "g.db")
    session = open_game(resolve("mycase"), 5, 3000, store=store)
    session.start()
    for d in (Decision("wait"), Decision("answer", "candid", "grievance"), Decision("wait"), Decision("wait")):
        session.play(d)
    played = json.loads(json.dumps(session.metrics(), sort_keys=True))
    assert restore(store, session.game_id).version_note is None  # the same file: nothing to say

    # Words only (the summary): every turn replays the same, the game goes on, and the player is told.
    case.write_text(text.replace("have not\n  forgotten.", "still remember."), encoding="utf-8")
    again = restore(store, session.game_id)
    assert json.loads(json.dumps(again.metrics(), sort_keys=True)) == played
    assert (
        again.version_note and "has changed since game" in again.version_note and "4 saved turns" in again.version_note
    )
    assert main(["replay", str(session.game_id), "--db", str(tmp_path / "g.db"), "--json"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["turns"] and "note: " in out.err and "mycase.yaml has changed since" in out.err

    # A number the answer plays by: the turn it changes is where the game stops, and nothing saved is lost.
    assert "      provocation: 0.8\n" in text
    case.write_text(text.replace("      provocation: 0.8\n", "      provocation: 2.9\n", 1), encoding="utf-8")
    with pytest.raises(
        BackfireError, match=r"different version of 'mycase' .* its turn [1-3] does not replay the same"
    ):
        restore(store, session.game_id)
    assert len(store.turns(session.game_id)) == 4


def test_history_and_replay_commands(tmp_path, capsys):
    db = str(tmp_path / "g.db")
    assert (
        main(
            ["run", "askjpm", "--size", "3000", "--save", "--db", db, "--json", "--decisions", "wait*3,cancel:apology"]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["history", "--db", db, "--json"]) == 0
    games = json.loads(capsys.readouterr().out)["games"]
    assert len(games) == 1 and games[0]["finished"] and games[0]["turns"] == 96 and games[0]["score"] is not None
    assert main(["replay", str(games[0]["id"]), "--db", db, "--turn", "5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["turns"]) == 5 and data["turns"][3]["decision"] == "cancel:apology"
    assert (
        main(
            [
                "replay",
                str(games[0]["id"]),
                "--db",
                db,
                "--turn",
                "3",
                "--branch",
                "--decisions",
                "answer:candid@grievance",
                "--json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["branch"] == 2 and data["new_turns"][0]["decision"] == "answer:candid@grievance"
    assert data["score"] is None  # one new turn: the branch goes on
    # A branch played to the end says its score and where its debrief is.
    argv = ["replay", str(games[0]["id"]), "--db", db, "--turn", "3", "--branch", "--decisions", "wait*93"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Game 3 finished: " in out and "against history's 50.0" in out and f"backfire report 3 --db {db}" in out
    assert main(["resume", "99", "--db", db, "--json"]) == 2
    assert "no saved game 99" in capsys.readouterr().err


async def test_the_app_saves_every_turn(tmp_path):
    from simulator.tui.app import make_app

    db = str(tmp_path / "g.db")
    app = make_app("askjpm", seed=2, size=3000, db=db)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        for _ in range(3):
            await pilot.press("w")
            await app.workers.wait_for_complete()
            await pilot.pause()
        game = app.session.game_id
    store = Store(db)
    assert store.game(game).turns == 3 and not store.game(game).finished


def _open_and_write(path: str) -> str:
    try:
        Store(path).new_game("askjpm", None, 1, 10, "open_ask")
        return "ok"
    except Exception as exc:  # reported back to the test
        return repr(exc)


def test_processes_opening_a_new_database_at_once(tmp_path):
    """Migrations re-read the schema version under the write lock, so racing first opens all succeed."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    for round_ in range(4):
        path = str(tmp_path / f"race{round_}.db")
        with ctx.Pool(4) as pool:
            results = pool.map(_open_and_write, [path] * 4)
        assert results == ["ok"] * 4
        assert len(Store(path).games()) == 4


def test_opening_waits_for_another_process_holding_the_write_lock(tmp_path):
    """Opening a database switches it to write-ahead logging, which SQLite does not wait for by itself.

    Before the store retried the switch, a process opening a database while another held its write
    lock failed at once with "database is locked" (CI caught two `run --save` processes starting
    together). Here one connection holds the lock for a second; the opening waits, then gets in.
    """
    import time

    path = tmp_path / "held.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t(x)")
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO t VALUES (1)")
    code = "import sys; from simulator.store import Store; print(len(Store(sys.argv[1]).games()))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    time.sleep(1.0)
    assert proc.poll() is None, proc.communicate()  # still waiting, not failed
    holder.execute("COMMIT")
    holder.close()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.strip() == "0"


async def test_resume_opens_the_app_where_the_game_stopped(tmp_path):
    from simulator.tui.app import make_app
    from simulator.tui.screens import PlayScreen

    store = Store(tmp_path / "g.db")
    loaded = resolve("askjpm")
    session = open_game(loaded, 3, 5000, store=store)
    session.start()
    for _ in range(5):
        session.play(Decision("wait"))
    app = make_app(session=restore(store, session.game_id))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.session.turn == 5
        await pilot.press("w")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert store.game(session.game_id).turns == 6


def test_resume_check_is_strict_on_counts_and_tolerant_of_float_digits():
    from simulator.game.replay import same_metrics

    saved = {"volume": 10, "share_negative": 0.5, "injects": ["a"], "press": 3}
    assert same_metrics(saved, {"volume": 10, "share_negative": 0.5 + 1e-15, "injects": ["a"], "press_stories": 3})
    assert not same_metrics(saved, {"volume": 11, "share_negative": 0.5, "injects": ["a"]})
    assert not same_metrics(saved, {"volume": 10, "share_negative": 0.51, "injects": ["a"]})
    assert not same_metrics(saved, {"volume": 10, "share_negative": 0.5, "injects": []})
    # The brand's post as saved before quotes inside an answer's quote became single, and as written now.
    before = {"brand_post": "Fair question. ““Tweet your Q early”? Can I have my condo back?” Straight answer."}
    assert same_metrics(
        before, {"brand_post": "Fair question. “‘Tweet your Q early’? Can I have my condo back?” Straight answer."}
    )
    assert not same_metrics(
        before, {"brand_post": "You are right to raise it. “‘Tweet your Q early’? …” Straight answer."}
    )


def test_a_tampered_turn_is_refused_on_resume(tmp_path):
    store = Store(tmp_path / "g.db")
    loaded = resolve("askjpm")
    session = open_game(loaded, 5, 3000, store=store)
    session.start()
    for _ in range(3):
        session.play(Decision("wait"))
    store.db.execute(
        "UPDATE turns SET metrics = json_set(metrics, '$.volume', 99999) WHERE game_id = ? AND turn = 1",
        (session.game_id,),
    )
    with pytest.raises(BackfireError, match="turn 1: replaying the saved decisions gave different metrics"):
        restore(store, session.game_id)


def test_menus_mark_real_wordings_and_give_pauses_in_hours():
    from simulator.game.open import open_game
    from simulator.scenario import resolve

    session = open_game(resolve("askseaworld"), 1, 3000)
    answers = {o.id: o for o in session.options("answer")}
    assert answers["trolls"].real and answers["bullies"].real
    assert not answers["candid"].real
    pauses = [o.label for o in session.options("pause")]
    assert pauses and all(p.endswith(" h)") or p.endswith(" days)") for p in pauses), pauses


def test_hints_carry_the_db_they_were_given(tmp_path, capsys):
    from simulator.cli.main import main

    db = tmp_path / "workshop.db"
    code = main(["facilitate", "askjpm", "--teams", "Red", "--size", "2000", "--plans", "Red=wait*2", "--db", str(db)])
    assert code == 0
    assert f"backfire report 1 --db {db} --format html" in capsys.readouterr().out
    assert main(["history", "--db", str(db)]) == 0
    assert f"backfire resume ID --db {db}" in capsys.readouterr().out


def test_preview_words_the_answer_for_the_post_it_answers():
    from simulator.engine import Decision
    from simulator.game.open import open_game
    from simulator.scenario import resolve

    session = open_game(resolve("askjpm"), 1, 3000)
    session.start()
    to_question = session.preview(Decision("answer", "candid", "question"), "How do I start?")
    to_grievance = session.preview(Decision("answer", "candid", "grievance"), "Where is my house?")
    assert to_question.startswith("Good question. “How do I start?”") and "got things wrong" not in to_question
    assert "“Where is my house?”" in to_grievance and "got things wrong" in to_grievance


def test_what_has_been_played_of_each_case_for_the_picker(tmp_path):
    """Games with a turn played count; the best is the best finished score, with history's on its crowd."""
    from simulator.store import CasePlayed

    store = Store(tmp_path / "g.db")
    opened = store.new_game("askjpm", None, 1, 5000, "open_ask")  # opened and left before the clock: not played
    assert opened and store.played_by_case() == {}
    for seed, score, history in ((1, 61.5, 50.0), (2, 72.25, 50.0), (3, None, None)):
        game = store.new_game("askjpm", None, seed, 5000, "open_ask")
        store.save_turn(game, 0, "wait", {"turn": 0})
        if score is not None:
            store.finish(game, score, history, {})
    bg = store.new_game("askbg", None, 1, 5000, "open_qa")
    store.save_turn(bg, 0, "wait", {"turn": 0})
    assert store.played_by_case() == {"askjpm": CasePlayed(3, 2, 72.25, 50.0), "askbg": CasePlayed(1, 0, None)}


async def test_the_picker_says_what_you_have_played_of_each_case(tmp_path):
    from simulator.tui.app import make_app
    from simulator.tui.screens import PickerScreen

    db = tmp_path / "g.db"
    store = Store(db)
    game = store.new_game("askjpm", None, 1, 5000, "open_ask")
    store.save_turn(game, 0, "wait", {"turn": 0})
    store.finish(game, 64.5, 50.0, {})
    app = make_app(None, db=str(db))
    async with app.run_test(size=(100, 36)) as pilot:
        for _ in range(50):
            await pilot.pause(0.1)
            if isinstance(app.screen, PickerScreen) and app.screen.query("#scenarios"):
                break  # the picker is up, its list composed
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        assert picker.played["askjpm"].best == 64.5
        lines = {o.id: str(o.prompt) for o in picker.query_one("#scenarios").options}
        assert "Played once · best finished score 64.5 (history 50.0)" in lines["askjpm"]
        assert "Not played yet" in lines["askbg"]
    # A missing or damaged database never keeps the picker from opening.
    (tmp_path / "bad.db").write_bytes(b"not a database at all" * 100)
    for path in (tmp_path / "missing.db", tmp_path / "bad.db"):
        app = make_app(None, db=str(path))
        async with app.run_test(size=(100, 36)) as pilot:
            for _ in range(50):
                await pilot.pause(0.1)
                if isinstance(app.screen, PickerScreen):
                    break
            assert isinstance(app.screen, PickerScreen) and app.screen.played == {}
    assert not (tmp_path / "missing.db").exists()  # the picker only reads


def test_a_score_edited_into_text_is_a_damaged_record_not_a_crash(tmp_path):
    from simulator.store import StoreError

    store = Store(tmp_path / "g.db")
    game = store.new_game("askjpm", None, 1, 5000, "open_ask")
    store.save_turn(game, 0, "wait", {"turn": 0})
    store.finish(game, 61.5, 50.0, {})
    store.db.execute("UPDATE games SET score = 'lots' WHERE id = ?", (game,))
    with pytest.raises(StoreError, match="damaged"):
        store.played_by_case()
