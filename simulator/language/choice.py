"""From a reading to consequences the scenario declares: the nearest option, and its provocation scaled by modifiers.

No consequence is decided here. A written post is played as the scenario's
option nearest to it (by posture first, then by shared words), with that
option's effects; its provocation is the option's, scaled by the scenario's
`language.modifiers`: provocation × Π (1 + k · signal), each factor at least 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from simulator.errors import BackfireError
from simulator.language.reader import Lexicon, Reading, content_words, read, scenario_lexicon
from simulator.scenario.schema import Scenario

MOVES = ("open", "answer", "pause", "cancel")
DEFENSIVE = frozenset({"deny", "diminish"})  # the lexicon's families of a defensive post
Played = tuple[str, float]  # how a written post was played: the option's id and the provocation it was given


@dataclass(frozen=True)
class Candidate:
    """An option a written post may be played as."""

    move: str
    id: str
    label: str
    text: str
    postures: tuple[str, ...]
    provocation: float


@dataclass(frozen=True)
class Choice:
    """How a written post is played: as which option, with what provocation, and why."""

    move: str
    option: str
    label: str
    reading: Reading
    base_provocation: float
    factor: float
    terms: tuple[tuple[str, float, float], ...]  # (signal, its value, k) for each modifier that applied

    @property
    def provocation(self) -> float:
        """The option's provocation scaled by the modifiers."""
        return self.base_provocation * self.factor

    def summary(self) -> str:
        """One line, as the preview shows it."""
        r = self.reading
        parts = [f"Reads as: {r.label}"]
        answers = r.signals.get("answers")
        if answers is not None:
            parts.append(f"answers the question: {'yes' if answers else 'no'}")
        parts.append(f"provocation {self.factor:.2g}×")
        because = r.because()
        if because:
            parts.append("because: " + ", ".join(f"'{b}'" for b in because))
        parts.append(f"played as: {self.label}")
        return " · ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready data: the reading's fields, the nearest option and the provocation."""
        r = self.reading
        return {
            **r.as_dict(),
            "move": self.move,
            "nearest_option": self.option,
            "nearest_label": self.label,
            "provocation": round(self.provocation, 4),
            "provocation_factor": round(self.factor, 4),
            "modifiers": [{"signal": s, "value": v, "k": k} for s, v, k in self.terms],
            "summary": self.summary(),
        }


def _option_text(text: str | None) -> str:
    return " ".join((text or "").replace("{question}", "").split())


def candidates(scenario: Scenario, move: str) -> list[Candidate]:
    """The options of a move that a written post can be played as, with their postures (declared or read)."""
    lex = scenario_lexicon(scenario.language)
    sc = scenario
    raw: list[tuple[str, str, str | None, list[str], float]]
    if move == "open":
        raw = [(o.id, o.label, o.text, list(o.postures), o.provocation) for o in sc.campaign.openings]
    elif move == "answer":
        raw = [(o.id, o.label, o.text, list(o.postures), o.provocation) for o in sc.actions.answer]
    elif move == "pause":
        raw = [(o.id, o.label, o.text, list(o.postures), o.provocation) for o in sc.actions.pause]
        # A written holding line is played as a pause that posts one; any pause when none does.
        raw = [r for r in raw if r[2]] or raw
    elif move == "cancel":
        raw = [(o.id, o.label, o.text, list(o.postures), o.provocation) for o in sc.actions.cancel]
        raw = [r for r in raw if r[2]] or raw
    else:
        raise BackfireError(f"only open, answer, pause and cancel post words, not {move!r}")
    out = []
    for oid, label, text, declared, provocation in raw:
        words = _option_text(text)
        postures = tuple(declared) or (read(words, lex).postures if words else ("holding",))
        out.append(Candidate(move, oid, label, words, postures, provocation))
    return out


def _posture_match(reading: Reading, option: Candidate, families: dict[str, str]) -> float:
    """How near an option is to a reading by posture: the reading's primary posture leads."""
    if reading.posture == option.postures[0]:
        return 1.0
    if reading.posture in option.postures:
        return 0.7
    family = families.get(reading.posture)
    if family == families.get(option.postures[0]):
        return 0.5  # the same family (SCCT's clusters): an attack on critics is played as the defensive option
    # The family of one of its other postures: an apology is played as the candid fix, not the phone line.
    if not reading.plain and family in {families.get(p) for p in option.postures[1:]}:
        return 0.4
    # SCCT's two defensive clusters stand together against rebuild: a denial with no option of its own is played
    # as the case's justification, not as whichever option comes first.
    if family in DEFENSIVE and DEFENSIVE & {families.get(p) for p in option.postures}:
        return 0.35
    if option.postures[0] in reading.postures:
        return 0.3  # the option's posture is only a secondary one of the post
    shared = set(reading.postures) & set(option.postures)
    return 0.2 * len(shared) / max(len(reading.postures), len(option.postures))


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def nearest(scenario: Scenario, move: str, reading: Reading) -> Candidate:
    """The option nearest to a reading: posture first, shared words second, the scenario's order last."""
    options = candidates(scenario, move)
    families = scenario_lexicon(scenario.language).families
    mine = content_words(reading.text)

    def closeness(io: tuple[int, Candidate]) -> tuple[float, int]:
        i, option = io
        return _posture_match(reading, option, families) + 0.5 * _jaccard(mine, content_words(option.text)), -i

    return max(enumerate(options), key=closeness)[1]


def choose(
    scenario: Scenario,
    move: str,
    text: str,
    question: str | None = None,
    kind: str | None = None,
    lex: Lexicon | None = None,
) -> Choice:
    """Read a written post and play it as the nearest option, with the scenario's modifiers applied."""
    lex = lex or scenario_lexicon(scenario.language)
    reading = read(text, lex, question=question, kind=kind)
    option = nearest(scenario, move, reading)
    factor = 1.0
    terms = []
    for m in scenario.language.modifiers:
        value = float(reading.signals.get(m.signal) or 0.0)
        if value:
            factor *= max(0.0, 1.0 + m.provocation * value)
            terms.append((m.signal, value, m.provocation))
    return Choice(move, option.id, option.label, reading, option.provocation, factor, tuple(terms))


def as_played(scenario: Scenario, choice: Choice, played: Played) -> Choice:
    """`choice` as it was played when first posted (`played`), whatever the words read as now.

    A saved game keeps what each written post was played as, because a newer reader may read the same
    words otherwise: the game replays as it went. The reading stays today's (its evidence is shown); the
    option and the provocation are the saved ones. Raises BackfireError when the saved option is not
    one of the move's or the provocation is not a number ≥ 0 (a saved game edited by hand).
    """
    option, provocation = played
    if (choice.option, choice.provocation) == (option, provocation):
        return choice
    moves: dict[str, list[Any]] = {
        "open": list(scenario.campaign.openings),
        "answer": list(scenario.actions.answer),
        "pause": list(scenario.actions.pause),
        "cancel": list(scenario.actions.cancel),
    }
    labels: dict[str, str] = {o.id: o.label for o in moves[choice.move]}
    if not isinstance(option, str) or option not in labels:
        known = ", ".join(labels)
        raise BackfireError(
            f"it was played as {choice.move} option {option!r}, which {scenario.id!r} has not (known: {known})"
        )
    if (
        isinstance(provocation, bool)
        or not isinstance(provocation, (int, float))
        or not math.isfinite(provocation)
        or provocation < 0
    ):
        raise BackfireError(f"its saved provocation {provocation!r} is not a number ≥ 0")
    return replace(
        choice, option=option, label=labels[option], base_provocation=float(provocation), factor=1.0, terms=()
    )
