"""Decisions and decision scripts: `open:narrow,answer:candid@grievance*4,wait*20,cancel:badidea`.

A move that posts may carry the player's own words instead of an option:
`answer:"We hear you…"@grievance`, `pause:"More at 1pm."`, `cancel:"…"`,
`open:"…"`. The words go in double quotes; inside them write `\"` for a
quote, `\\` for a backslash and `\n` for a line break. Commas inside the
quotes are part of the post. The game reads the words and plays them as the
scenario's nearest option (`simulator.language.choice`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from simulator.errors import BackfireError
from simulator.language.choice import choose
from simulator.language.quoting import question_quote
from simulator.scenario.schema import Scenario

MOVES = ("wait", "answer", "pause", "cancel")


WRITES = ("open", "answer", "pause", "cancel")  # the moves that can post the player's own words


def quote(text: str) -> str:
    """A written post as a script writes it: in double quotes, with \\ \" and \n escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def unquote(quoted: str) -> str:
    """The post inside a quoted script string (the reverse of `quote`); BackfireError on a bad escape."""
    body = quoted[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            nxt = body[i + 1 : i + 2]
            if nxt not in ('"', "\\", "n"):
                raise BackfireError(
                    f'unknown escape \\{nxt} in a written post; inside quotes write \\" for a quote, '
                    "\\\\ for a backslash, \\n for a line break"
                )
            out.append("\n" if nxt == "n" else nxt)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


@dataclass(frozen=True)
class Decision:
    """One move for one turn. `target` is a kind id or a feed post id (answers only).

    `text` is a post in the player's own words (then `option` is None in a
    script, and set to the nearest option once the game has read the words).
    """

    action: str
    option: str | None = None
    target: str | None = None
    text: str | None = None

    def __str__(self) -> str:
        out = self.action
        if self.text is not None:
            out += f":{quote(self.text)}"
        elif self.option:
            out += f":{self.option}"
        if self.target:
            out += f"@{self.target}"
        return out


WAIT = Decision("wait")

_TOKEN = re.compile(
    r'^(?P<action>[a-z]+)(?::(?:(?P<option>[A-Za-z0-9_\-]+)|(?P<text>"(?:[^"\\]|\\.)*"))'
    r"(?:@(?P<target>[A-Za-z0-9_\-#]+))?)?(?:\*(?P<repeat>\d+))?$",
    re.DOTALL,
)


def split_script(script: str, sep: str = ",") -> list[str]:
    """Split a script at the `sep` characters outside double quotes; BackfireError for a quote left open."""
    tokens: list[str] = []
    current: list[str] = []
    quoted = False
    opened_at = 0
    i = 0
    while i < len(script):
        c = script[i]
        if quoted and c == "\\":
            current.append(script[i : i + 2])
            i += 2
            continue
        if c == '"':
            quoted = not quoted
            opened_at = i
        if c == sep and not quoted:
            tokens.append("".join(current).strip())
            current = []
        else:
            current.append(c)
        i += 1
    if quoted:
        raise BackfireError(
            f"decision {len(tokens) + 1}: the quote opened at character {opened_at + 1} is not closed; "
            'a written post goes in double quotes, e.g. cancel:"We got this wrong."'
        )
    tokens.append("".join(current).strip())
    return tokens


@dataclass(frozen=True)
class Plan:
    """An opening and one decision per turn (shorter plans are padded with wait).

    `opening_text` is an opening in the player's own words (`opening` is then the nearest option).
    """

    opening: str
    decisions: tuple[Decision, ...]
    opening_text: str | None = None

    def at(self, turn: int) -> Decision:
        """Return the decision for a turn (wait past the end)."""
        return self.decisions[turn] if turn < len(self.decisions) else WAIT

    def script(self) -> str:
        """Return the plan as a compact decision script."""
        parts = [f"open:{quote(self.opening_text) if self.opening_text is not None else self.opening}"]
        run: list[tuple[str, int]] = []
        for d in self.decisions:
            text = str(d)
            if run and run[-1][0] == text:
                run[-1] = (text, run[-1][1] + 1)
            else:
                run.append((text, 1))
        parts += [t if n == 1 else f"{t}*{n}" for t, n in run]
        return ",".join(parts)


def fill_answer(wording: str, question: str | None, limit: int | None = None) -> str:
    """An answer's wording with the question it replies to quoted where it says {question} (dropped when none).

    The engine posts this, and the menus preview it: what the preview shows is what goes out. The quote
    is what the post asks (`question_quote`), cut to fit the era's `limit` with the answer's own words;
    where nothing fits, the answer goes out without it.
    """
    if "{question}" not in wording or not question:
        return " ".join(wording.replace("{question}", "").split())
    base = " ".join(wording.replace("{question}", "").split())
    quoted = question_quote(question, None if limit is None else limit - len(base) - 1)
    return " ".join(wording.replace("{question}", quoted).split())


def valid_moves(scenario: Scenario) -> str:
    """Return a one-line list of the valid moves and options, for error messages."""
    opts = scenario.option_ids()
    kinds = ", ".join(scenario.kind_ids())
    return (
        f"wait; answer:{{{', '.join(opts['answer'])}}}[@KIND or @POST] with KIND one of {kinds}; "
        f"pause:{{{', '.join(opts['pause'])}}} or pause:N (turns); cancel:{{{', '.join(opts['cancel'])}}}; "
        f"open:{{{', '.join(opts['open'])}}} (first, optional)"
    )


def check_text(scenario: Scenario, text: str) -> None:
    """Raise BackfireError when a written post is empty, too long for the scenario's era, or holds control characters."""
    limit = scenario.language.max_chars
    if not text.strip():
        raise BackfireError('a written post needs words inside the quotes, e.g. cancel:"We got this wrong."')
    if len(text) > limit:
        raise BackfireError(
            f"the post has {len(text):,} characters; this scenario allows {limit:,} (language.max_chars)"
        )
    bad = next((c for c in text if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) < 0xA0), None)
    if bad is not None:
        raise BackfireError(f"the post holds the control character U+{ord(bad):04X}; delete it")


def check_decision(scenario: Scenario, decision: Decision) -> None:
    """Raise BackfireError when a decision names a move or option the scenario lacks."""
    opts = scenario.option_ids()
    if decision.action not in MOVES:
        raise BackfireError(f"unknown move {decision.action!r}; valid moves: {valid_moves(scenario)}")
    if decision.text is not None:
        if decision.action == "wait":
            raise BackfireError("`wait` posts nothing, so it takes no words")
        check_text(scenario, decision.text)
        _check_target(scenario, decision)
        return
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
    _check_target(scenario, decision)


def _check_target(scenario: Scenario, decision: Decision) -> None:
    """Only an answer takes a target: a kind of the scenario, or a feed post id."""
    if decision.target is None:
        return
    if decision.action != "answer":
        raise BackfireError(f"only `answer` takes a target (@KIND or @POST), not `{decision.action}`")
    if not decision.target.startswith("#") and decision.target not in scenario.kind_ids():
        raise BackfireError(
            f"unknown answer target {decision.target!r}; use a kind ({', '.join(scenario.kind_ids())}) or a feed post id like #12-3"
        )


def parse_script(scenario: Scenario, script: str) -> Plan:
    """Parse a decision script into a Plan; raise BackfireError naming the bad token and the valid moves."""
    opening = scenario.default_opening().id
    opening_text: str | None = None
    decisions: list[Decision] = []
    if not script.strip():
        raise BackfireError("the decision script is empty; example: wait*22,cancel:" + scenario.actions.cancel[0].id)
    tokens = split_script(script)
    for i, token in enumerate(tokens):
        match = _TOKEN.match(token)
        if not match:
            raise BackfireError(
                f"cannot read decision {i + 1} ({token[:80]!r}); expected ACTION[:OPTION][*REPEAT] or "
                f'ACTION:"YOUR WORDS", e.g. wait*4, cancel:{scenario.actions.cancel[0].id} or cancel:"We got this wrong." '
                f"Valid moves: {valid_moves(scenario)}"
            )
        action, option, target = match.group("action"), match.group("option"), match.group("target")
        written = match.group("text")
        try:
            text = unquote(written) if written is not None else None
        except BackfireError as exc:
            raise BackfireError(f"decision {i + 1}: {exc}") from None
        repeat = int(match.group("repeat") or 1)
        if action == "open":
            if i != 0:
                what = f"open:{option}" if option else "open"
                raise BackfireError(f"`{what}` must come first in the script (it is decision {i + 1})")
            if text is not None:
                try:
                    check_text(scenario, text)
                except BackfireError as exc:
                    raise BackfireError(f"decision 1 (the opening): {exc}") from None
                opening, opening_text = choose(scenario, "open", text).option, text
                continue
            if option not in scenario.option_ids()["open"]:
                raise BackfireError(f"unknown opening {option!r}; valid: {', '.join(scenario.option_ids()['open'])}")
            opening = option
            continue
        if repeat < 1:
            raise BackfireError(f"decision {i + 1} ({token[:80]!r}) repeats 0 times")
        decision = Decision(action, option, target, text)
        try:
            check_decision(scenario, decision)
        except BackfireError as exc:
            raise BackfireError(f"decision {i + 1} ({token[:80]!r}): {exc}") from None
        turns = scenario.clock.turns
        if len(decisions) + repeat > turns:  # counted before the list grows: `wait*99999999999` is refused, not built
            raise BackfireError(
                f"the script has {len(decisions) + repeat:,} decisions by decision {i + 1} ({token[:80]!r}) "
                f"but the scenario has only {turns} turns"
            )
        decisions.extend([decision] * repeat)
    return Plan(opening, tuple(decisions), opening_text)


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
    """Return a decision in words, without internal codes: 'Answered the grievance posts: Candid and accountable'.

    `asked_by` names the author of a feed post an answer replies to ('@handle'), when known.
    """
    action, option, target = decision.action, decision.option, decision.target
    if action == "wait":
        return "Waited"
    if decision.text is not None:
        words = f"in your own words: “{decision.text}”"
        if action == "answer":
            if target and target.startswith("#"):
                to = f"{asked_by}'s post" if asked_by else "a post in the feed"
            elif target:
                to = f"the {next((k.label for k in scenario.kinds if k.id == target), target).lower()} posts"
            else:
                to = "the commonest posts"
            return f"Answered {to} {words}"
        return {"open": "Opened", "pause": "Paused with a holding line", "cancel": "Cancelled"}[action] + f" {words}"
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
        return f"Answered {to}: {label}"  # as "Opened: …", "Cancelled: …" (a label may be a sentence)
    if action == "pause":
        if option and option.isdigit():
            return f"Paused for {int(option)} turns"
        label = next((o.label for o in scenario.actions.pause if o.id == option), option)
        return f"Paused: {label}"
    label = next((o.label for o in scenario.actions.cancel if o.id == option), option)
    return f"Cancelled: {label}"
