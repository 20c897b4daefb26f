"""The last line of defence: an internal error is one line, a log file and exit 70 on the CLI, a notice in the app.

It is not a hiding place: with BACKFIRE_CRASH=raise (every test) the error goes
through, so a test reaching it fails.
"""

from __future__ import annotations

import pytest

from simulator.cli.main import main
from simulator.tui.app import make_app
from simulator.tui.screens import PlayScreen
from simulator.tui.screens.confirm import ConfirmScreen
from tests.conftest import settle


def _boom(*args, **kwargs):
    raise RuntimeError("boom in the engine")


def test_an_internal_error_is_one_line_a_log_and_exit_70(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("BACKFIRE_CRASH")
    monkeypatch.setattr("simulator.audience.build_audience", _boom)
    code = main(["run", "askjpm", "--strategy", "history", "--size", "1000"])
    err = capsys.readouterr().err
    assert code == 70
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "internal error in test_last_line.py" in err and "RuntimeError: boom in the engine" in err
    logs = list((tmp_path / "data" / "logs").glob("crash-*.log"))
    assert len(logs) == 1 and str(logs[0]) in err
    text = logs[0].read_text(encoding="utf-8")
    assert "Traceback" in text and "backfire run askjpm --strategy history --size 1000" in text


def test_under_the_tests_an_internal_error_goes_through(monkeypatch):
    monkeypatch.setattr("simulator.audience.build_audience", _boom)
    with pytest.raises(RuntimeError, match="boom"):
        main(["run", "askjpm", "--strategy", "history", "--size", "1000"])


async def _playing(app, pilot):
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)
    assert isinstance(app.screen, PlayScreen)


async def test_a_failed_turn_is_a_notice_and_the_game_stays_open_and_saved(tmp_path, monkeypatch):
    monkeypatch.delenv("BACKFIRE_CRASH")
    app = make_app("askjpm", seed=2, size=5000, db=str(tmp_path / "g.db"))
    async with app.run_test(size=(100, 36)) as pilot:
        await _playing(app, pilot)
        await pilot.press("w")
        await settle(pilot)
        assert app.session.turn == 1
        real_play = app.session._run.play
        monkeypatch.setattr(app.session._run, "play", _boom)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, PlayScreen) and not app.screen.busy
        notes = [n.message for n in app._notifications]
        assert any("boom in the engine" in n and "every finished turn is saved" in n for n in notes)
        monkeypatch.setattr(app.session._run, "play", real_play)
        await pilot.press("w")
        await settle(pilot)
        assert app.session.turn == 2  # the game goes on
    assert list((tmp_path / "data" / "logs").glob("crash-*.log"))
    from simulator.store import Store

    assert len(Store(tmp_path / "g.db").turns(app.session.game_id)) == 2


async def test_under_the_tests_a_failed_worker_fails_the_test(monkeypatch):
    app = make_app("askjpm", seed=2, size=5000)
    with pytest.raises(RuntimeError, match="boom"):
        async with app.run_test(size=(100, 36)) as pilot:
            await _playing(app, pilot)
            monkeypatch.setattr(app.session._run, "play", _boom)
            await pilot.press("w")
            await settle(pilot)


async def test_quit_asks_first_then_says_where_the_game_is_saved(tmp_path):
    app = make_app("askjpm", seed=2, size=5000, db=str(tmp_path / "g.db"))
    said: list = []
    leave = app.exit

    def exit_spy(*args, **kwargs):
        said.append(kwargs.get("message"))
        leave(*args, **kwargs)

    app.exit = exit_spy
    async with app.run_test(size=(100, 36)) as pilot:
        await _playing(app, pilot)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, PlayScreen) and app.is_running
        await pilot.press("q")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
    game = app.session.game_id
    assert app.return_code == 0 and len(said) == 1
    assert (
        said[0]
        == f"Game {game} is saved at turn 1 of 96. Continue it with: backfire resume {game} --db {tmp_path / 'g.db'}"
    )


async def test_playing_a_broken_file_exits_2_with_its_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitle: [unclosed\n", encoding="utf-8")
    app = make_app(str(bad), seed=1, size=5000)
    said: list = []
    leave = app.exit
    app.exit = lambda *args, **kwargs: (said.append(args), leave(*args, **kwargs))
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
    assert app.return_code == 2
    assert (
        said and "bad.yaml:3:1: YAML syntax" in said[0][2] and "flow sequence started at line 2, column 8" in said[0][2]
    )
