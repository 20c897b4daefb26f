"""A small recursive grammar for the crowd's posts, expanded from the feed's own seeded generator.

A text holds slots:
- `{name}`: a rule of the grammar (its alternatives may hold slots in turn) or a
  word from the vocabulary (`{hashtag}`, `{city}`, `{amount}`, `{quote}`…);
- `{a|b|c}`: inline alternatives, one picked; an empty one makes the slot
  optional (`{really |}`).

An alternative may carry a condition (`when`): it is a candidate only when the
moment fits (see `Moment`). A plain string is a grammar with one alternative.
Why not `tracery`: its Python port (0.1.1, 2017) draws from the global
`random`, which would break the one-seed rule, and has no conditions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from simulator.scenario.templates import SLOT, cycle, slot_names

__all__ = ["SLOT", "Alternative", "Grammar", "Moment", "cycle", "fitting", "slot_names", "tidy"]

MAX_DEPTH = 12


@dataclass(frozen=True)
class Moment:
    """What a condition can ask about the run at the time a post is written."""

    turn: int = 0
    turn_minutes: int = 15
    moves: Mapping[str, int] = field(default_factory=dict)  # `cancel`, `cancel:ID`… -> turn first made
    cancelled: bool = False
    paused: bool = False
    trending: bool = False
    posts_total: int = 0
    said: str | None = None  # the brand post a reply answers, in its words (None: a post on the tag)

    def minutes_since(self, move: str) -> float | None:
        """Minutes since the move was first made (None if it was not)."""
        made = self.moves.get(move)
        return None if made is None else (self.turn - made) * self.turn_minutes


class Condition(Protocol):
    """What a part's condition offers: `fits(moment)`. The scenario's `When` is one."""

    def fits(self, moment: Moment) -> bool: ...


@dataclass(frozen=True)
class Alternative:
    """One way to fill a slot, and when it may be used."""

    text: str
    when: Condition | None = None


Rules = Mapping[str, Sequence[Alternative]]
Words = Callable[[str], str | None]


def fitting(alternatives: Sequence[Alternative], moment: Moment) -> list[str]:
    """The texts of the alternatives whose condition the moment meets."""
    return [a.text for a in alternatives if a.when is None or a.when.fits(moment)]


class Grammar:
    """Expands texts against rules and a vocabulary; every choice is drawn from the generator it is given."""

    def __init__(self, rules: Rules, words: Words):
        self.rules = rules
        self.words = words
        # A rule's fitting alternatives, by the moment they were worked out for (a feed asks for the same
        # rules many times in one turn; a turn has its moment, and one for replies to each brand post).
        self._fitted: dict[int, tuple[Moment, dict[str, list[str]]]] = {}

    def _options(self, name: str, moment: Moment) -> list[str]:
        held = self._fitted.get(id(moment))
        if held is None or held[0] is not moment:
            if len(self._fitted) >= 64:  # moments of past turns
                self._fitted.clear()
            held = self._fitted[id(moment)] = (moment, {})
        options = held[1].get(name)
        if options is None:
            options = held[1][name] = fitting(self.rules[name], moment)
        return options

    def expand(self, text: str, rng: np.random.Generator, moment: Moment, depth: int = 0) -> str:
        """Fill every slot of the text; an unknown name is left as it is (validation reports it)."""
        if depth > MAX_DEPTH or "{" not in text:
            return text

        def fill(match: re.Match[str]) -> str:
            inside = match.group(1)
            if "|" in inside:
                options = inside.split("|")
                return self.expand(options[int(rng.integers(len(options)))], rng, moment, depth + 1)
            if inside in self.rules:
                options = self._options(inside, moment)
                if not options:
                    return ""
                return self.expand(options[int(rng.integers(len(options)))], rng, moment, depth + 1)
            word = self.words(inside)
            return match.group(0) if word is None else word

        # Inner slots are filled first; a pass may uncover an outer slot (`{a {x}|b}`), so repeat until still.
        for _ in range(MAX_DEPTH):
            filled = SLOT.sub(fill, text)
            if filled == text:
                break
            text = filled
        return tidy(text)


_GAPS = re.compile(r"[ \t]{2,}")
_BEFORE_PUNCTUATION = re.compile(r" ([,.!?;:])")


_DOUBLE_POSSESSIVE = re.compile(r"(['’])s['’]s\b")


def tidy(text: str) -> str:
    """Close the gaps an empty slot leaves (double spaces, a space before punctuation, spaces at the ends), and
    the possessive of a name that is one already: "{brand}'s" of McDonald's is "McDonald's", not "McDonald's's"."""
    return _DOUBLE_POSSESSIVE.sub(r"\1s", _BEFORE_PUNCTUATION.sub(r"\1", _GAPS.sub(" ", text))).strip()
