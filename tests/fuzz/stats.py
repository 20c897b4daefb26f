"""Counts for the fuzz runs: with BACKFIRE_FUZZ_STATS=FILE each example appends one line `door outcome`."""

from __future__ import annotations

import os


def record(door: str, outcome: str) -> None:
    """Append `door outcome` to the stats file, if one is set."""
    path = os.environ.get("BACKFIRE_FUZZ_STATS")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(f"{door} {outcome}\n")
