"""Every other door: decision scripts, --seed, --size, scenario ids, and games databases in every bad state.

Each bad input gets a clear message and exit 2 (argparse's own exit is 2 too);
none reaches a traceback (BACKFIRE_CRASH=raise makes any internal error fail
here). No saved game is damaged: `PRAGMA integrity_check` passes afterwards.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from simulator.cli.main import main
from simulator.engine import Decision, parse_script
from simulator.engine.decisions import quote
from simulator.errors import BackfireError
from simulator.store import Store
from tests.fuzz.stats import record

ACTIONS = ["wait", "answer", "pause", "cancel", "open", "wiat", "", "WAIT", "answer "]
OPTIONS = ["candid", "narrow", "badidea", "short", "humour", "open_ask", "nope", "", "x" * 300, "é", "#1-1"]
# Written posts: quoted, half-quoted, escaped, over the era's 140 characters, with commas, control characters.
WRITTEN = [
    '"We got this wrong."',
    '"a, b; c"',
    '"open',
    '"\\q"',
    '"\\""',
    '""',
    '"' + "y" * 141 + '"',
    '"\x07"',
    '"é 🍕\\n"',
]
TARGETS = ["grievance", "question", "#0-0", "#3-1", "#", "#-1", "#99999999999999999999-0", "", "@", "gossip"]
REPEATS = ["", "*0", "*1", "*3", "*96", "*97", "*99999999999999999999", "*-1", "*", "**2", "*٣", "*1.5"]


@st.composite
def tokens(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.text(max_size=20))
    token = draw(st.sampled_from(ACTIONS))
    if draw(st.booleans()):
        token += ":" + draw(st.sampled_from(OPTIONS + WRITTEN))
        if draw(st.booleans()):
            token += "@" + draw(st.sampled_from(TARGETS))
    return token + draw(st.sampled_from(REPEATS))


def _askjpm_moves() -> dict[str, list[str]]:
    from simulator.scenario import resolve

    scenario = resolve("askjpm").scenario
    moves = {move: list(ids) for move, ids in scenario.option_ids().items()}
    moves["target"] = list(scenario.kind_ids())
    return moves


MOVES = _askjpm_moves()


@st.composite
def playable_tokens(draw: st.DrawFn) -> str:
    """A token built from #AskJPM's own options: most scripts of these parse, so the run is fuzzed too."""
    action = draw(st.sampled_from(["wait", "answer", "pause", "cancel"]))
    token = action
    if action in ("answer", "pause", "cancel"):
        if draw(st.integers(0, 3)) == 0:  # the player's own words, as a script writes them
            words = draw(
                st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=60)
            )
            token += ":" + quote(words)
        else:
            token += ":" + draw(st.sampled_from(MOVES[action]))
    if action == "answer" and draw(st.booleans()):
        token += "@" + draw(st.sampled_from([*MOVES["target"], "#0-0", "#2-1", "#5-3"]))
    return token + draw(st.sampled_from(["", "", "*2", "*4", "*10", "*30"]))


@st.composite
def playable_scripts(draw: st.DrawFn) -> str:
    opening = [f"open:{draw(st.sampled_from(MOVES['open']))}"] if draw(st.booleans()) else []
    return ",".join(opening + draw(st.lists(playable_tokens(), min_size=1, max_size=8)))


scripts = (
    playable_scripts()
    | st.lists(tokens(), min_size=0, max_size=6).map(lambda parts: ",".join(parts))
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
)


def _exit_code(argv: list[str]) -> int:
    """main(argv)'s exit code; argparse's own refusals exit with SystemExit(2)."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    text=st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    move=st.sampled_from(["answer", "pause", "cancel", "open"]),
    reply=st.sampled_from([None, "grievance", "gossip", ""]),
)
@example(text="-x", move="answer", reply=None)  # read as an option by argparse: its own clear error
@example(text="\x00", move="cancel", reply=None)
def test_backfire_read_reads_or_refuses_any_text(text, move, reply):
    argv = ["read", text, "--scenario", "askjpm", "--move", move, "--json"]
    if reply is not None:
        argv += ["--reply-to", reply]
    code = _exit_code(argv)
    assert code in (0, 2)
    record("read", "read" if code == 0 else "refused")


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None, max_examples=300)
@given(
    text=st.one_of(
        st.text(alphabet=st.characters(codec="utf-8"), max_size=120),
        st.builds(
            lambda team, turn, note: f"{team}@{turn}={note}",
            st.sampled_from(["Red", "Blue", "Gold", "", "Red "]),
            st.sampled_from(["0", "4", "95", "96", "-1", "x", "", "4.5"]),
            st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
        ),
    )
)
@example(text='Red@2="unclosed')
@example(text='Red@2="a;b";Blue@3=c')
@example(text="Red@2=\\")
def test_evaluator_notes_parse_or_are_refused(text):
    from simulator.cli.workshops import _notes

    try:
        parsed = _notes(text, ["Red", "Blue"], 96)
    except BackfireError as exc:
        assert str(exc)
        record("notes", "refused")
        return
    assert all(0 <= turn < 96 and team in ("Red", "Blue") for turn, notes in parsed.items() for team, _ in notes)
    record("notes", "parsed")


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(script=scripts)
@example(script="wait*99999999999999999999")  # once a MemoryError: the list was built before its length was checked
@example(script="cancel:badidea,cancel:badidea")
@example(script="answer:candid@#0-0")
def test_a_decision_script_parses_and_runs_or_is_refused(askjpm, script):
    try:
        plan = parse_script(askjpm, script)
    except BackfireError as exc:
        assert str(exc)
        record("script", "rejected")
        return
    assert len(plan.decisions) <= askjpm.clock.turns
    code = _exit_code(["run", "askjpm", "--size", "1000", "--json", "--decisions", script])
    assert code in (0, 2)
    record("script", "ran" if code == 0 else "rejected at play")


junk_numbers = st.sampled_from(
    [
        "-1",
        "0",
        "1",
        "1e3",
        "1k",
        "1M",
        "99999999999999999999999",
        "abc",
        "",
        " ",
        "nan",
        "inf",
        "-0",
        "٣",
        "1_000",
        "1,000",
    ]
) | st.text(max_size=8)
scenario_names = st.sampled_from(
    ["askjpm", "", "/", "/tmp", "/dev/null", ".", "..", "nope", "askjpm.yaml", "scenarios", "x" * 5000, "a\x00b", "😀"]
) | st.text(max_size=30)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None, max_examples=60)
@given(command=st.sampled_from(["validate", "run", "score", "calibrate"]), name=scenario_names, seed=junk_numbers)
@example(command="run", name="/tmp", seed="1")  # once IsADirectoryError
@example(command="run", name="x" * 5000, seed="1")  # once OSError: file name too long
@example(command="run", name="askjpm", seed="-1")  # once numpy's ValueError
def test_ids_and_seeds_at_every_command(command, name, seed):
    argv = [command, name]
    if command in ("run", "score"):
        argv += ["--strategy", "history", "--size", "1000", "--seed", seed, "--json"]
    elif command == "calibrate":
        argv += ["--runs", "1", "--size", "1000", "--first-seed", seed, "--json"]
    code = _exit_code(argv)
    assert code in (0, 2)
    record("argv", "ok" if code == 0 else "rejected")


@pytest.mark.parametrize("size", ["0", "-5", "abc", "1e400", "nan", "99999999999", "0.4"])
def test_bad_sizes_exit_2(size):
    assert _exit_code(["run", "askjpm", "--strategy", "history", "--size", size]) == 2


# ---------------------------------------------------------------- databases


def _played_db(tmp_path, turns=6):
    """A database with one game of `turns` saved turns; return its path and game id."""
    from simulator.game.open import open_scenario

    path = tmp_path / "games.db"
    session = open_scenario("askjpm", 4, 2000, db=path)
    session.start()
    for _ in range(turns):
        session.play(Decision("wait"))
    session.store.close()
    return path, session.game_id


def _integrity(path) -> str:
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


READERS = [["history"], ["report", "1"], ["resume", "1", "--json"], ["replay", "1", "--json"]]


@pytest.mark.parametrize("argv", READERS, ids=lambda a: a[0])
def test_a_missing_database_is_an_error_and_is_not_created(tmp_path, argv, capsys):
    missing = tmp_path / "mistyped" / "path.db"
    assert _exit_code([*argv, "--db", str(missing)]) == 2
    assert "no games database" in capsys.readouterr().err
    assert not missing.parent.exists()


def test_history_without_a_database_yet_says_so_and_creates_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BACKFIRE_DB", str(tmp_path / "none" / "backfire.db"))
    assert _exit_code(["history"]) == 0
    assert "No saved games yet" in capsys.readouterr().out
    assert not (tmp_path / "none").exists()


@pytest.mark.parametrize("argv", READERS, ids=lambda a: a[0])
def test_a_folder_garbage_or_newer_database_is_a_clear_error(tmp_path, argv, capsys):
    folder = tmp_path / "folder.db"
    folder.mkdir()
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(os.urandom(8192))
    newer, _ = _played_db(tmp_path)
    db = sqlite3.connect(newer)
    db.execute("PRAGMA user_version = 99")
    db.close()
    for path, words in [(folder, "is a folder"), (garbage, "not a Backfire games database"), (newer, "newer Backfire")]:
        assert _exit_code([*argv, "--db", str(path)]) == 2
        assert words in capsys.readouterr().err


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("argv", READERS, ids=lambda a: a[0])
def test_a_truncated_database_is_a_clear_error(tmp_path, argv, keep, capsys):
    path, game = _played_db(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    code = _exit_code([*[a.replace("1", str(game)) for a in argv], "--db", str(path)])
    assert code in (0, 2)  # a cut that spares the game's pages still reads
    err = capsys.readouterr().err
    assert code == 0 or "backfire:" in err


def test_a_read_only_database_is_a_clear_error_and_stays_whole(tmp_path, monkeypatch, capsys):
    path, game = _played_db(tmp_path)
    connect = sqlite3.connect

    def read_only(database, *args, **kwargs):  # as root, chmod cannot stop a write; SQLite's read-only mode can
        return connect(f"file:{database}?mode=ro", *args, uri=True, **kwargs)

    monkeypatch.setattr("simulator.store.sqlite3.connect", read_only)
    assert _exit_code(["run", "askjpm", "--strategy", "history", "--size", "1000", "--save", "--db", str(path)]) == 2
    assert "read-only" in capsys.readouterr().err
    monkeypatch.setattr("simulator.store.sqlite3.connect", connect)
    assert _integrity(path) == "ok"
    assert len(Store(path).turns(game)) == 6


def test_a_full_disk_stops_saving_keeps_the_game_whole_and_resumable(tmp_path):
    from simulator.game.open import open_scenario
    from simulator.game.replay import restore

    path = tmp_path / "games.db"
    session = open_scenario("askjpm", 4, 2000, db=path)
    session.start()
    for _ in range(3):
        session.play(Decision("wait"))
    store = session.store
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full from here
    for _ in range(30):
        session.play(Decision("wait"))
    assert session.save_problem and "disk is full" in session.save_problem
    assert session.store is None and session.turn == 33  # the game went on, unsaved
    store.close()
    assert _integrity(path) == "ok"
    saved = Store(path).turns(session.game_id)
    assert [t for t, _, _ in saved] == list(range(len(saved))) and 3 <= len(saved) < 33
    resumed = restore(Store(path), session.game_id)  # verified turn by turn
    assert resumed.turn == len(saved)


def test_two_writers_at_once_both_finish_and_the_file_stays_whole(tmp_path):
    path = tmp_path / "games.db"
    cmd = [sys.executable, "-m", "simulator", "run", "askjpm", "--size", "2000", "--strategy", "history", "--save"]
    procs = [
        subprocess.Popen([*cmd, "--seed", str(seed), "--db", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for seed in (1, 2)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    store = Store(path, create=False)
    assert sorted(len(store.turns(g.id)) for g in store.games()) == [96, 96]
    assert store.integrity() == "ok"


def test_an_unwritable_folder_for_a_new_database_is_a_clear_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code = _exit_code(
        ["run", "askjpm", "--strategy", "history", "--size", "1000", "--save", "--db", str(blocker / "g.db")]
    )
    assert code == 2
    assert "cannot create the folder" in capsys.readouterr().err


def test_a_bad_script_for_a_branch_leaves_no_new_game_behind(tmp_path, capsys):
    path, game = _played_db(tmp_path)
    argv = ["replay", str(game), "--turn", "3", "--branch", "--decisions", "cancel:nope", "--db", str(path)]
    assert _exit_code(argv) == 2
    assert "unknown cancel option 'nope'" in capsys.readouterr().err
    assert [g.id for g in Store(path, create=False).games()] == [game]


@pytest.mark.parametrize("output", ["folder", "missing/deeper/report.md"])
def test_report_output_paths(tmp_path, output, capsys):
    path, game = _played_db(tmp_path)
    target = tmp_path / output
    if output == "folder":
        target.mkdir()
    code = _exit_code(["report", str(game), "--db", str(path), "-o", str(target)])
    if output == "folder":
        assert code == 2 and "is a folder" in capsys.readouterr().err
    else:
        assert code == 0 and target.read_text(encoding="utf-8").startswith("#")


# Workshops: join codes, workshop references and a team's moves -----------------------------------


@pytest.fixture(scope="module")
def workshop_db(tmp_path_factory):
    from simulator.game.facilitation import Facilitation
    from simulator.scenario import resolve

    db = tmp_path_factory.mktemp("workshop") / "w.db"
    f = Facilitation(resolve("askjpm"), ["Red", "Blue"], seed=2, size=2000, store=Store(db))
    f.start()
    return db, f


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture], deadline=None)
@given(
    code=st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    command=st.sampled_from(["join", "board"]),
)
@example(code="-x", command="join")
@example(code="red-", command="board")
@example(code="", command="board")  # an empty reference would start every workshop's id
@example(code="\x00", command="join")
def test_any_code_or_workshop_reference_opens_one_or_is_refused(workshop_db, code, command):
    db, _ = workshop_db
    code_ = _exit_code([command, code, "--db", str(db), "--json"])
    assert code_ in (0, 2)
    record(command, "opened" if code_ == 0 else "refused")
    assert _integrity(db) == "ok"


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture], deadline=None)
@given(move=st.one_of(tokens(), playable_tokens()), opening=st.one_of(st.none(), st.text(max_size=200)))
@example(move="cancel:badidea", opening=None)
@example(move="answer:candid@#0-0", opening="open_ask")
def test_any_move_a_team_sends_is_taken_or_refused(workshop_db, move, opening):
    db, f = workshop_db
    argv = ["join", f.codes["Red"], "--db", str(db), "--move", move, "--json"]
    if opening is not None:
        argv += ["--opening", opening]
    code = _exit_code(argv)
    assert code in (0, 2)
    record("join --move", "sent" if code == 0 else "refused")
    # Whatever Red sent, Blue's seat is untouched and the facilitator can read and play the turn.
    assert Store(db).seats(f.id)[1].pending is None
    f.sync()
    assert _integrity(db) == "ok"


@pytest.fixture(scope="module")
def answered_game(tmp_path_factory):
    """A saved game whose fourth turn answers a feed post (its record carries `asked`)."""
    from simulator.game.open import open_game
    from simulator.scenario import resolve

    db = tmp_path_factory.mktemp("answered") / "g.db"
    session = open_game(resolve("askjpm"), 3, 3000, store=Store(db))  # above 2,000 the quick builder makes the crowd
    session.start()
    for _ in range(3):
        session.play(Decision("wait"))
    post = [i for i in session.all_feed() if i.poster >= 0][-1]
    session.play(Decision("answer", "candid", post.id))
    session.play(Decision("wait"))
    return db, session.game_id


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@settings(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture], deadline=None, max_examples=40
)
@given(
    asked=st.one_of(
        JSON,
        st.fixed_dictionaries(
            {"post": st.text(max_size=10), "kind": st.sampled_from(["grievance", "support", "bogus", ""])},
            optional={"text": st.one_of(st.none(), st.text(max_size=200), st.integers())},
        ),
    )
)
@example(asked={"post": "#2-0", "kind": "press", "text": "Nice weather today."})
@example(asked={"kind": "bogus"})
@example(asked=[])
def test_an_edited_answer_record_replays_or_is_refused(answered_game, tmp_path_factory, asked):
    """`asked`, saved with an answer's turn, is read back whatever it holds: the game replays, or is refused."""
    import json

    code, db = _replay_edited(*answered_game, tmp_path_factory, 3, "$.asked", json.dumps(asked))
    assert code in (0, 2)
    record("replay of an edited answer", "replayed" if code == 0 else "refused")
    assert _integrity(db) == "ok"


def _replay_edited(saved, game_id: int, tmp_path_factory, turn: int, path: str, value: str):
    """Replay a copy of a saved game whose turn record has `path` set to the JSON `value`; return (exit code, db)."""
    db = tmp_path_factory.mktemp("edited") / "g.db"
    edit = sqlite3.connect(db)
    source = sqlite3.connect(saved)
    source.backup(edit)  # the saved game as the store sees it (a file copy can miss what is still in the WAL)
    source.close()
    edit.execute(
        "UPDATE turns SET metrics = json_set(metrics, ?, json(?)) WHERE game_id = ? AND turn = ?",
        (path, value, game_id, turn),
    )
    edit.commit()
    edit.close()
    return _exit_code(["replay", str(game_id), "--db", str(db), "--json"]), db


@pytest.fixture(scope="module")
def written_game(tmp_path_factory):
    """A saved game whose third turn answers in the player's own words (its record carries `played`)."""
    from simulator.game.open import open_game
    from simulator.scenario import resolve

    db = tmp_path_factory.mktemp("written") / "g.db"
    session = open_game(resolve("askjpm"), 3, 3000, store=Store(db))
    session.start()
    for _ in range(2):
        session.play(Decision("wait"))
    session.play(Decision("answer", None, "grievance", "Fair hit. We paid those fines because we broke the rules."))
    session.play(Decision("wait"))
    return db, session.game_id


@settings(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture], deadline=None, max_examples=40
)
@given(
    played=st.one_of(
        JSON,
        st.fixed_dictionaries(
            {"option": st.one_of(st.sampled_from(["candid", "defensive", "bogus", ""]), JSON)},
            optional={"provocation": st.one_of(st.floats(), st.integers(), st.text(max_size=5), st.none())},
        ),
    )
)
@example(played={"option": "defensive", "provocation": 2.2})
@example(played={"option": "candid", "provocation": float("inf")})
@example(played={"option": ["candid"], "provocation": 1})
@example(played={"option": "candid"})
def test_an_edited_written_turn_replays_or_is_refused(written_game, tmp_path_factory, played):
    """`played`, saved with a written post's turn, is read back whatever it holds: the game replays, or is refused."""
    import json

    value = json.dumps(played, allow_nan=True).replace("Infinity", "1e999")  # SQLite's JSON has no Infinity
    code, db = _replay_edited(*written_game, tmp_path_factory, 2, "$.played", value)
    assert code in (0, 2)
    record("replay of an edited written turn", "replayed" if code == 0 else "refused")
    assert _integrity(db) == "ok"
