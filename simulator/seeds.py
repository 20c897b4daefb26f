"""One seed makes a run: the independent random generators of each part, all derived from it."""

from __future__ import annotations

import numpy as np

STREAMS = ("audience", "engine", "feed", "spare")


def seed_streams(seed: int) -> dict[str, np.random.Generator]:
    """Return one independent generator per part of a run (crowd, engine, feed, spare), derived from one seed."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=True)}
