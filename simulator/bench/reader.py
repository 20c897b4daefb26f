"""`backfire bench reader`: the reader's accuracy on the trainer's table, and its time per post (measured, not asserted)."""

from __future__ import annotations

import time
from collections import Counter
from importlib import resources
from typing import Any

import yaml

from simulator.language.reader import lexicon, read

READER_TARGETS = {"accuracy": 0.85, "ms_per_post": 5.0}


def trainer_table() -> list[dict[str, Any]]:
    """The written posts with the posture a communications trainer gives them (shipped with the package)."""
    text = resources.files("simulator.language").joinpath("data/trainer_table.yaml").read_text(encoding="utf-8")
    posts: list[dict[str, Any]] = yaml.safe_load(text)["posts"]
    return posts


def bench_reader(repeats: int = 20) -> dict[str, Any]:
    """Read every post of the table; return accuracy (overall and per posture), the misreadings and the time per post."""
    posts = trainer_table()
    lex = lexicon()
    read("warm-up", lex)  # VADER's lexicon loads once
    misses = []
    per: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for post in posts:
        reading = read(post["text"], lex, question=post.get("question"))
        per[post["posture"]] += 1
        if reading.posture == post["posture"]:
            right[post["posture"]] += 1
        else:
            misses.append({"text": post["text"], "trainer": post["posture"], "reader": reading.posture})
    started = time.perf_counter()
    for _ in range(repeats):
        for post in posts:
            read(post["text"], lex, question=post.get("question"))
    per_post = (time.perf_counter() - started) / (repeats * len(posts))
    accuracy = sum(right.values()) / len(posts)
    return {
        "what": "reader",
        "posts": len(posts),
        "accuracy": accuracy,
        "by_posture": {p: {"posts": n, "right": right[p]} for p, n in sorted(per.items())},
        "misreadings": misses,
        "ms_per_post": per_post * 1000,
        "targets": READER_TARGETS,
        "checks": {
            "accuracy_at_least_85pct": accuracy >= READER_TARGETS["accuracy"],
            "under_5ms_per_post": per_post * 1000 < READER_TARGETS["ms_per_post"],
        },
    }
