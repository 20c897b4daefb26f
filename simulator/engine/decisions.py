"""Decisions and decision scripts: `open:narrow,answer:candid@grievance*4,wait*20,cancel:badidea`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from simulator.errors import BackfireError
from simulator.scenario.schema import Scenario

MOVES = ("wait", "answer", "pause", "cancel")


@dataclass(frozen=True)
class Decision:
    """One move for one turn. `target` is a kind id or a feed post id (answers only)."""

    action: str
    option: str | None = None
    target: str | None = None

    def __str__(self) -> str:
        text = self.action
        if self.option:
            text += f":{self.option}"
        if self.target:
            text += f"@{self.target}"
        return text


WAIT = Decision("wait")

_TOKEN = re.compile(
    r"^(?P<action>[a-z]+)(?::(?P<option>[A-Za-z0-9_\-]+)(?:@(?P<target>[A-Za-z0-9_\-#]+))?)?(?:\*(?P<repeat>\d+))?$"
)


@dataclass(frozen=True)
class Plan:
    """An opening and one decision per turn (shorter plans are padded with wait)."""

    opening: str
    decisions: tuple[Decision, ...]

    def at(self, turn: int) -> Decision:
        """Return the decision for a turn (wait past the end)."""
        return self.decisions[turn] if turn < len(self.decisions) else WAIT

    def script(self) -> str:
        """Return the plan as a compact decision script."""
        parts = [f"open:{self.opening}"]
        run: list[tuple[str, int]] = []
        for d in self.decisions:
            text = str(d)
            if run and run[-1][0] == text:
                run[-1] = (text, run[-1][1] + 1)
            else:
                run.append((text, 1))
        parts += [t if n == 1 else f"{t}*{n}" for t, n in run]
        return ",".join(parts)


def valid_moves(scenario: Scenario) -> str:
    """Return a one-line list of the valid moves and options, for error messages."""
    opts = scenario.option_ids()
    kinds = ", ".join(scenario.kind_ids())
    return (
        f"wait; answer:{{{', '.join(opts['answer'])}}}[@KIND or @POST] with KIND one of {kinds}; "
        f"pause:{{{', '.join(opts['pause'])}}} or pause:N (turns); cancel:{{{', '.join(opts['cancel'])}}}; "
        f"open:{{{', '.join(opts['open'])}}} (first, optional)"
    )


def check_decision(scenario: Scenario, decision: Decision) -> None:
    """Raise BackfireError when a decision names a move or option the scenario lacks."""
    opts = scenario.option_ids()
    if decision.action not in MOVES:
        raise BackfireError(f"unknown move {decision.action!r}; valid moves: {valid_moves(scenario)}")
    if decision.action == "wait":
        if decision.option:
            raise BackfireError("`wait` takes no option")
        return
    if decision.option is None:
        raise BackfireError(f"`{decision.action}` needs an option: {', '.join(opts[decision.action])}")
    if decision.action == "pause" and decision.option.isdigit():
        if int(decision.option) < 1:
            raise BackfireError("pause:N needs N of at least 1 turn")
        return
    if decision.option not in opts[decision.action]:
        raise BackfireError(
            f"unknown {decision.action} option {decision.option!r}; valid: {', '.join(opts[decision.action])}"
        )
    if decision.target is not None:
        if decision.action != "answer":
            raise BackfireError(f"only `answer` takes a target (@KIND or @POST), not `{decision.action}`")
        if not decision.target.startswith("#") and decision.target not in scenario.kind_ids():
            raise BackfireError(
                f"unknown answer target {decision.target!r}; use a kind ({', '.join(scenario.kind_ids())}) or a feed post id like #12-3"
            )


def parse_script(scenario: Scenario, script: str) -> Plan:
    """Parse a decision script into a Plan; raise BackfireError naming the bad token and the valid moves."""
    opening = scenario.default_opening().id
    decisions: list[Decision] = []
    tokens = [t.strip() for t in script.split(",")]
    if not script.strip():
        raise BackfireError("the decision script is empty; example: wait*22,cancel:" + scenario.actions.cancel[0].id)
    for i, token in enumerate(tokens):
        match = _TOKEN.match(token)
        if not match:
            raise BackfireError(
                f"cannot read decision {i + 1} ({token!r}); expected ACTION[:OPTION][*REPEAT], e.g. wait*4 or cancel:"
                f"{scenario.actions.cancel[0].id}. Valid moves: {valid_moves(scenario)}"
            )
        action, option, target = match.group("action"), match.group("option"), match.group("target")
        repeat = int(match.group("repeat") or 1)
        if action == "open":
            if i != 0:
                raise BackfireError(f"`open:{option}` must come first in the script (it is decision {i + 1})")
            if option not in scenario.option_ids()["open"]:
                raise BackfireError(f"unknown opening {option!r}; valid: {', '.join(scenario.option_ids()['open'])}")
            opening = option
            continue
        if repeat < 1:
            raise BackfireError(f"decision {i + 1} ({token!r}) repeats 0 times")
        decision = Decision(action, option, target)
        try:
            check_decision(scenario, decision)
        except BackfireError as exc:
            raise BackfireError(f"decision {i + 1} ({token!r}): {exc}") from None
        turns = scenario.clock.turns
        if len(decisions) + repeat > turns:  # counted before the list grows: `wait*99999999999` is refused, not built
            raise BackfireError(
                f"the script has {len(decisions) + repeat:,} decisions by decision {i + 1} ({token!r}) "
                f"but the scenario has only {turns} turns"
            )
        decisions.extend([decision] * repeat)
    return Plan(opening, tuple(decisions))


def history_plan(scenario: Scenario) -> Plan:
    """Return the brand's real decisions as a Plan (each at the turn its time falls in)."""
    turn_minutes = scenario.clock.turn_minutes
    decisions = [WAIT] * scenario.clock.turns
    for dec in scenario.history.decisions:
        turn = min(int(dec.at // turn_minutes), scenario.clock.turns - 1)
        option, _, target = (dec.option or "").partition("@")
        decisions[turn] = Decision(dec.action, option or None, target or None)
    last = max((i for i, d in enumerate(decisions) if d != WAIT), default=-1)
    return Plan(scenario.history.opening, tuple(decisions[: last + 1]))


def strategy_plan(scenario: Scenario, name: str) -> Plan:
    """Return the plan for a named strategy (`history` or one from the scenario) or a script."""
    if name == "history":
        return history_plan(scenario)
    for s in scenario.strategies:
        if s.id == name:
            return parse_script(scenario, s.script)
    if any(c in name for c in ",:*"):
        return parse_script(scenario, name)
    known = ["history"] + [s.id for s in scenario.strategies]
    raise BackfireError(f"unknown strategy {name!r}; known: {', '.join(known)} (or give a decision script)")


def describe(scenario: Scenario, decision: Decision, asked_by: str | None = None) -> str:
    """Return a decision in words, without internal codes: 'Candid and accountable answer to a grievance'.

    `asked_by` names the author of a feed post an answer replies to ('@handle'), when known.
    """
    action, option, target = decision.action, decision.option, decision.target
    if action == "wait":
        return "Waited"
    if action == "open":
        label = next((o.label for o in scenario.campaign.openings if o.id == option), option)
        return f"Opened: {label}"
    if action == "answer":
        label = next((o.label for o in scenario.actions.answer if o.id == option), option)
        if target and target.startswith("#"):
            to = f"{asked_by}'s post" if asked_by else "a post in the feed"
        elif target:
            kind = next((k.label for k in scenario.kinds if k.id == target), target)
            to = f"the {kind.lower()} posts"
        else:
            to = "the commonest posts"
        return f"{label} answer to {to}"
    if action == "pause":
        if option and option.isdigit():
            return f"Paused for {int(option)} turns"
        label = next((o.label for o in scenario.actions.pause if o.id == option), option)
        return f"Paused: {label}"
    label = next((o.label for o in scenario.actions.cancel if o.id == option), option)
    return f"Cancelled: {label}"
