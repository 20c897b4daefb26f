"""One seed makes a run: the independent random generators of each part, all derived from it."""

from __future__ import annotations

import numpy as np

STREAMS = ("audience", "engine", "feed", "spare")


def seed_streams(seed: int) -> dict[str, np.random.Generator]:
    """Return one independent generator per part of a run (crowd, engine, feed, spare), derived from one seed."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=True)}


_MASK = (1 << 64) - 1


def hashed_unit(seed: int, index: int, k: int, salt: int = 0) -> float:
    """A uniform number in [0, 1) from (seed, index, k, salt) by splitmix64: a counter-based draw, no generator.

    What a persona looks like (its name, its way of writing) is a fixed function of the run's seed and its
    index, made only when it is shown; building a numpy generator for each of those costs about 20 µs.
    """
    z = (seed * 0x9E3779B97F4A7C15 + index * 0xBF58476D1CE4E5B9 + (k + salt) * 0x94D049BB133111EB) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return ((z ^ (z >> 31)) >> 11) / float(1 << 53)
