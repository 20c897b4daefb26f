"""The command line: every family adds its commands, every command has --help with an example, one error edge."""

from __future__ import annotations

import argparse
import re

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


def test_an_unknown_argument_shows_the_commands_own_usage(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "askjpm", "--strategy", "history", "--bogus"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: backfire run") and "unrecognized arguments: --bogus" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["read", "mcdstories", "--move", "open", "Ask him anything #McDStories"],
        ["read", "--move", "open", "mcdstories", "Ask him anything #McDStories"],
        ["read", "Ask him anything #McDStories", "--move", "open", "--scenario", "mcdstories"],
    ],
)
def test_read_takes_the_scenario_as_play_does_wherever_the_options_go(argv, capsys):
    assert main([*argv, "--json"]) == 0
    assert '"nearest_option": "open_stories"' in capsys.readouterr().out


def test_read_asks_for_quotes_around_an_unquoted_post(capsys):
    assert main(["read", "We", "got", "this", "wrong"]) == 2
    assert "put the post in quotes" in capsys.readouterr().err


def test_compare_prints_a_replay_command_that_runs_the_same_scripts(capsys):
    scripts = "wait*4,cancel:badidea;answer:candid@grievance*2"
    assert main(["compare", "askjpm", "--runs", "1", "--size", "2000", "--workers", "1", "--strategies", scripts]) == 0
    out = capsys.readouterr().out
    replay = out[out.index("backfire compare") :].split("\n")[0]
    assert "--strategies 'history;wait*4,cancel:badidea;answer:candid@grievance*2'" in replay


def test_bench_printers_render_their_own_results():
    """Each bench printer reads only its own result's keys (print_app once read the engine's compare estimate)."""
    from io import StringIO

    from rich.console import Console

    from simulator.cli.bench import print_app, print_engine

    app = {
        "scenario": "askjpm",
        "first_frame_seconds": [0.3, 0.31],
        "first_frame_median": 0.3,
        "key_latency_median": None,
        "checks": {"first_frame_under_500ms": True},
    }
    row = {
        "size": 100_000,
        "edges": 2_000_000,
        "build_seconds": 0.3,
        "run_seconds": 0.7,
        "feed_seconds": 0.3,
        "turn_mean_seconds": 0.007,
        "turn_max_seconds": 0.1,
        "edges_touched": 800_000,
        "edges_touched_per_second": 1e6,
        "engine_seconds": 0.4,
        "first_run_engine_seconds": 0.5,
        "engine_parts": dict.fromkeys(("exposure", "attention", "posts", "replies", "records"), 0.08),
        "metrics_seconds": 0.02,
        "seconds_per_1000_events": 0.015,
        "edges_touched_per_engine_second": 2e6,
    }
    engine = {
        "scenario": "askjpm",
        "cores": 2,
        "kernels": "compiled",
        "threads": 2,
        "matching": "compiled",
        "turns": 96,
        "rows": [row],
        "default_size": 100_000,
        "default_engine_seconds": 0.4,
        "default_first_run_engine_seconds": 0.5,
        "default_engine_seconds_by_seed": [0.3, 0.45, 0.4],
        "default_engine_seconds_median": 0.4,
        "warm_runs": 3,
        "million_engine_seconds": None,
        "compare": {
            "seeds_timed": 16,
            "strategies": 9,
            "workers": 2,
            "seconds": 34.0,
            "seconds_by_sample": {"8": 17.5, "16": 34.0},
            "seconds_per_seed": 2.0625,
            "start_seconds": 1.0,
            "estimate_seconds": 2063.5,
        },
        "feed": {
            "size": 100_000,
            "repeats": 3,
            "run_without_words_seconds": 0.5,
            "run_with_words_seconds": 0.6,
            "words_seconds": 0.1,
            "words_share": 0.2,
            "loading_seconds": 0.04,
            "command_seconds": 2.0,
            "command_with_feed_seconds": 2.04,
            "feed_flag_share": 0.02,
            "feed_output_seconds": 0.04,
            "feed_output_share": 0.02,
        },
        "cascade": None,
        "ndlib": None,
        "checks": {"default_engine_at_most_0.15s": False},
    }
    out = StringIO()
    console = Console(file=out, width=200)
    print_app(console, app)
    print_engine(console, engine)
    text = out.getvalue()
    assert "First frame" in text and "--runs 1000 ≈ 34.4 min" in text and "per 1,000 posts" in text
    flat_compare = " ".join(text.split())
    assert "8 seeds in 17.50 s, 16 in 34.00 s on 2 workers: 2.06 s a seed after 1.00 s to start" in flat_compare
    assert text.count("--runs 1000") == 1
    assert "median over 3 crowds 400.0 ms, from 300.0 ms to 450.0 ms" in " ".join(text.split())
    flat = " ".join(text.split())  # long lines wrap at the console's width
    assert "printing the feed, takes 40.0 ms: 2.0% of the command" in flat
    assert "take 100.0 ms of a run, 20.0% of a run with none" in flat
    assert "compiled kernels, 2 threads for big turns, compiled crowd matching" in flat


@pytest.mark.parametrize(("start", "per_seed"), [(0.5, 0.25), (3.0, 0.0)])
def test_the_compare_estimate_separates_the_start_from_the_cost_of_a_seed(monkeypatch, askjpm, start, per_seed):
    """Two samples, one twice the other: a thousand seeds cost the start once and the seed's cost a thousand
    times. When the samples cannot be told apart (a seed costs nothing more), the larger one is scaled."""
    from simulator.bench import engine as bench_engine
    from simulator.scoring import sweep as sweeps

    clock = [0.0]
    sampled: list[list[int]] = []

    def sweep(scenario, seeds, names, size, workers):
        sampled.append(list(seeds))
        clock[0] += start + per_seed * len(seeds)
        return []

    monkeypatch.setattr(sweeps, "sweep", sweep)
    monkeypatch.setattr(sweeps, "default_workers", lambda: 2)
    monkeypatch.setattr(bench_engine.time, "perf_counter", lambda: clock[0])
    result = bench_engine._compare_estimate(askjpm, lambda *a: None)
    assert sampled == [list(range(8)), list(range(16))]
    if per_seed:
        assert result["seconds_per_seed"] == pytest.approx(0.25) and result["start_seconds"] == pytest.approx(0.5)
        assert result["estimate_seconds"] == pytest.approx(250.5)
    else:
        assert result["start_seconds"] == 0.0 and result["estimate_seconds"] == pytest.approx(3.0 / 16 * 1000)


def test_a_headline_event_in_the_feed_is_a_headline_not_an_account_with_no_followers(capsys):
    assert main(["run", "whyistayed", "--strategy", "history", "--size", "3000", "--feed"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # the console wraps long lines
    assert "INJECT (Alert, inject, story): Survivors explain #WhyIStayed, after the Ray Rice video [headline," in out
    assert "[0 followers" not in out
    assert re.search(r"INJECT \(Alert.*?\[headline,", out)
    from simulator.engine.feed import FeedItem

    posted = FeedItem("#1-i1", 1, 15, "@DeadpanDan", "Deadpan Dan", "inject", "snark", "…", 90_000, inject="comedian")
    assert not posted.headline  # an account's event keeps its followers


def test_a_decision_script_is_printed_on_one_line_to_copy(capsys):
    script = "wait*6," + ",".join(["answer:candid@activism,wait*5"] * 4) + ',answer:"[bold]We hear you[/bold]"'
    assert main(["score", "askseaworld", "--size", "2000", "--decisions", script]) == 0
    lines = capsys.readouterr().out.splitlines()
    you = next(line for line in lines if line.startswith("You:"))
    assert you.endswith(',answer:"[bold]We hear you[/bold]",wait*137')  # whole, and brackets printed as written
    assert next(line for line in lines if line.startswith("History:")).startswith("History: open:open_ads,wait*24,")


def test_the_score_names_segments_by_their_labels_under_a_title_on_one_line(capsys):
    """Found in use: the segment table showed ids ("aggrieved") and its title wrapped over two lines."""
    assert main(["score", "askjpm", "--size", "2000", "--strategy", "candid"]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Reputation: stance change by"))
    assert lines[at].rstrip() == "Reputation: stance change by segment"  # the title on one line
    body = "\n".join(lines[at : at + 12])
    assert "Aggrieved customers and homeowners" in body and "│ aggrieved" not in body
