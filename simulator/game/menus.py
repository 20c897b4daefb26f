"""What a player chooses from: the options under each move, a preview of what each posts, and the clock line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from simulator.engine import Decision
from simulator.engine.decisions import fill_answer
from simulator.errors import BackfireError
from simulator.formatting import fmt_clock, fmt_minutes
from simulator.scenario.schema import Scenario


@dataclass(frozen=True)
class MoveOption:
    """One option under a move, as a menu shows it."""

    move: str
    id: str
    label: str
    preview: str
    real: bool = False


def options(scenario: Scenario, move: str) -> list[MoveOption]:
    """Return the options under a move, with a preview of what each posts."""
    sc = scenario
    if move == "open":
        return [MoveOption("open", o.id, o.label, o.text, o.real) for o in sc.campaign.openings]
    if move == "answer":
        return [
            MoveOption("answer", o.id, o.label, o.text.replace("{question}", "…").strip(), o.real)
            for o in sc.actions.answer
        ]
    if move == "pause":
        return [
            MoveOption(
                "pause",
                o.id,
                f"{o.label} ({fmt_minutes(o.turns * sc.clock.turn_minutes)})",
                o.text or "(posts nothing)",
            )
            for o in sc.actions.pause
        ]
    if move == "cancel":
        return [
            MoveOption("cancel", o.id, o.label, o.text or "(posts nothing: the campaign stops quietly)", o.real)
            for o in sc.actions.cancel
        ]
    raise BackfireError(f"unknown move {move!r}")


def preview(scenario: Scenario, decision: Decision, kind: str | None = None, question: str | None = None) -> str:
    """Return what a move would post: an answer worded for the kind it answers, filled in with the question."""
    sc = scenario
    if decision.action == "wait":
        return f"(you post nothing; the clock moves on {sc.clock.turn_words})"
    if decision.action == "answer":
        if decision.text is not None:
            return decision.text
        opt = next(o for o in sc.actions.answer if o.id == decision.option)
        return fill_answer(opt.text_for(kind), question, sc.language.max_chars)
    if decision.text is not None:
        return decision.text
    return next(o.preview for o in options(sc, decision.action) if o.id == decision.option)


def clock_text(scenario: Scenario, turn: int) -> str:
    """Return the clock line for a turn: 'T+2:15 · Wed 17:15' (time since the opening post, and the day and hour)."""
    minutes = turn * scenario.clock.turn_minutes
    at = datetime.fromisoformat(scenario.clock.start) + timedelta(minutes=minutes)
    return f"T+{fmt_clock(minutes, ':')} · {at.strftime('%a %H:%M')}"
