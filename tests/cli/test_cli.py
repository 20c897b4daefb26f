"""The command line: every family adds its commands, every command has --help with an example, one error edge."""

from __future__ import annotations

import argparse

import pytest

from simulator.cli.main import FAMILIES, build_parser, main


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_command_has_a_handler_and_an_example():
    commands = _commands()
    assert {
        "validate",
        "schema",
        "list",
        "check",
        "new",
        "audience",
        "run",
        "score",
        "calibrate",
        "compare",
        "play",
        "history",
        "resume",
        "replay",
        "report",
        "facilitate",
        "bench",
    } <= set(commands)
    for name, parser in commands.items():
        assert callable(parser.get_default("handler")), name
        assert parser.epilog and parser.epilog.startswith("example:\n  backfire "), name
        assert f"backfire {name}" in parser.epilog, name


@pytest.mark.parametrize("name", sorted(_commands()))
def test_help_prints_and_exits_0(name, capsys):
    with pytest.raises(SystemExit) as exc:
        main([name, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: backfire " + name) and "example:" in out


def test_no_family_registers_a_command_twice():
    seen: list[str] = []
    for family in FAMILIES:
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        family.register(sub)
        seen += list(sub.choices)
    assert len(seen) == len(set(seen))


def test_a_user_mistake_exits_2_without_a_traceback(capsys):
    assert main(["run", "nosuchcase", "--strategy", "history"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("backfire: ") and "Traceback" not in err


def test_bad_flag_values_exit_2_with_usage(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "askjpm", "--strategy", "history", "--size", "lots"])
    assert exc.value.code == 2
    assert "expected a number of personas" in capsys.readouterr().err


def test_compare_prints_a_replay_command_that_runs_the_same_scripts(capsys):
    scripts = "wait*4,cancel:badidea;answer:candid@grievance*2"
    assert main(["compare", "askjpm", "--runs", "1", "--size", "2000", "--workers", "1", "--strategies", scripts]) == 0
    out = capsys.readouterr().out
    replay = out[out.index("backfire compare") :].split("\n")[0]
    assert "--strategies 'history;wait*4,cancel:badidea;answer:candid@grievance*2'" in replay
