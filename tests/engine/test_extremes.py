"""A scenario's numbers at their extremes: a run finishes, or stops with a clear error, never fills memory.

Found by trying each rate of askjpm.yaml at huge values (2026-12-06): a reply rate of 10^6 asked numpy
for a 6 GiB array, a stance weight of 1,000 or an activity of 10^300 made its Poisson draw fail, and a
saved game's written post edited to a provocation of 10^8 was killed for memory.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator.cli.main import main

ASKJPM = Path(__file__).resolve().parents[2] / "scenarios" / "askjpm.yaml"


def _case(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    """askjpm.yaml with each (pattern, replacement) applied to every line it matches."""
    text = ASKJPM.read_text(encoding="utf-8")
    for pattern, replacement in edits:
        text, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
        assert count, pattern
    path = tmp_path / "extreme.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _run(path: Path) -> int:
    try:
        return main(["run", str(path), "--size", "2000", "--strategy", "history", "--json"])
    except SystemExit as exc:
        return int(exc.code or 0)


def test_a_huge_reply_rate_has_every_viewer_reply_once_a_turn_and_no_more(tmp_path, capsys):
    """Reply rates are capped where a reply is certain: the run finishes, each viewer replying at most once a turn."""
    import json

    assert _run(_case(tmp_path, (r"^  reply_rate: .*$", "  reply_rate: 1000000"))) == 0
    replies = [t["replies"] for t in json.loads(capsys.readouterr().out)["turns"]]
    assert max(replies) <= 2000 and sum(replies) > 2000  # the whole crowd, not more, in a turn; many turns of it


@pytest.mark.parametrize(
    "edits",
    [
        [
            (r"^  stance_weight: .*$", "  stance_weight: 10"),
            (r"activity: \{mean: [\d.]+, sd: [\d.]+\}", "activity: {mean: 60, sd: 60}"),
        ],
        [(r"^  stance_weight: .*$", "  stance_weight: 10"), (r"^  reply_rate: .*$", "  reply_rate: 1e300")],
    ],
    ids=["busiest crowd", "certain replies, busiest crowd"],
)
def test_rates_that_have_everyone_post_many_times_a_turn_stop_the_run_in_words(tmp_path, capsys, edits):
    """Valid numbers whose product has each persona post hundreds of times a turn: a clear error, exit 2."""
    assert _run(_case(tmp_path, *edits)) == 2
    err = capsys.readouterr().err
    assert "the scenario's rates have each persona on the tag post about" in err
    assert "lower the segments' activity, dynamics.stance_weight" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("pattern", "replacement", "field"),
    [
        (r"^  stance_weight: .*$", "  stance_weight: 1000", "dynamics.stance_weight"),
        (r"activity: \{mean: 1.2, sd: 0.5\}", "activity: {mean: 1e300, sd: 0.5}", "activity.mean"),
    ],
)
def test_rates_past_their_bounds_are_refused_with_file_line_and_field(tmp_path, capsys, pattern, replacement, field):
    path = _case(tmp_path, (pattern, replacement))
    assert main(["validate", str(path)]) != 0
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert re.search(
        rf"{re.escape(str(path))}:\d+:\d+: \S*{re.escape(field)}: Input should be less than or equal to", out
    )
