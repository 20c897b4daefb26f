"""A game in progress: the scenario, the crowd, the clock, the decisions, and the end-of-game score.

The app and the CLI both drive this; it holds the game logic the UI must not.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from simulator.audience import Audience, build_audience
from simulator.engine import Decision, Game, RunResult, run, strategy_plan
from simulator.engine.decisions import check_decision
from simulator.engine.feed import FeedItem
from simulator.errors import BackfireError
from simulator.scenario.schema import Scenario
from simulator.scoring.debrief import Debrief, debrief
from simulator.scoring.score import Score, paired_score


@dataclass(frozen=True)
class MoveOption:
    """One option under a move, as a menu shows it."""

    move: str
    id: str
    label: str
    preview: str
    real: bool = False


class Session:
    """One player's game on one crowd."""

    def __init__(self, scenario: Scenario, seed: int = 1, size: int | None = None, team: str | None = None):
        self.scenario = scenario
        self.seed = seed
        self.size = size or scenario.audience.size
        self.team = team
        self.opening = scenario.default_opening().id
        self.audience: Audience | None = None
        self.game: Game | None = None
        self.history: RunResult | None = None
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- set-up
    def build_crowd(self, progress=None) -> Audience:
        """Build (once) the crowd for this seed and size; safe to call from a worker thread."""
        with self._lock:
            if self.audience is None:
                self.audience = build_audience(self.scenario, self.seed, self.size, progress=progress)
            return self.audience

    def choose_opening(self, opening: str) -> None:
        """Pick how the campaign opens (before the clock starts)."""
        if opening not in self.scenario.option_ids()["open"]:
            raise BackfireError(f"unknown opening {opening!r}; valid: {', '.join(self.scenario.option_ids()['open'])}")
        if self.game is not None:
            raise BackfireError("the clock has started; the opening is fixed")
        self.opening = opening

    def start(self) -> None:
        """Start the clock: the opening post goes out."""
        self.build_crowd()
        if self.game is None:
            self.game = Game(self.scenario, self.audience, self.seed, self.opening)

    @property
    def started(self) -> bool:
        """True once the clock runs."""
        return self.game is not None

    @property
    def over(self) -> bool:
        """True when every turn has been played."""
        return self.game is not None and self.game.over

    # ---------------------------------------------------------------- play
    def play(self, decision: Decision) -> dict:
        """Play one turn with a decision; return its metrics."""
        if self.game is None:
            raise BackfireError("start the game first")
        if self.game.over:
            raise BackfireError("the game is over")
        check_decision(self.scenario, decision)
        return self.game.play(decision)

    def finish_with_waits(self) -> None:
        """Play the remaining turns with `wait`."""
        while not self.over:
            self.play(Decision("wait"))

    @property
    def turn(self) -> int:
        """The next turn to play (0 before the clock starts)."""
        return self.game.turn if self.game else 0

    @property
    def turns(self) -> int:
        """Turns in a game."""
        return self.scenario.clock.turns

    @property
    def cancelled(self) -> bool:
        """True once the campaign was cancelled."""
        return bool(self.game and self.game.sim.state.cancelled_turn is not None)

    @property
    def paused_until(self) -> int:
        """Turn the current pause ends (or -1)."""
        return self.game.sim.state.paused_until if self.game else -1

    def clock_text(self, turn: int | None = None) -> str:
        """Return 'T+2:15 · Wed 17:15' for a turn (the next to play by default)."""
        turn = self.turn if turn is None else turn
        minutes = turn * self.scenario.clock.turn_minutes
        start = datetime.fromisoformat(self.scenario.clock.start)
        at = start + timedelta(minutes=minutes)
        return f"T+{minutes // 60}:{minutes % 60:02d} · {at.strftime('%a %H:%M')}"

    def metrics(self) -> list[dict]:
        """Per-turn metrics so far."""
        return self.game.metrics.turns if self.game else []

    def latest(self) -> dict | None:
        """Metrics of the last turn played."""
        m = self.metrics()
        return m[-1] if m else None

    def feed(self, last: int = 60) -> list[FeedItem]:
        """The most recent feed items, newest first."""
        if not self.game:
            return []
        if not self.game.feed.items:
            # Before the first turn is played, the feed holds your opening post.
            sc = self.scenario
            opening = next(o for o in sc.campaign.openings if o.id == self.opening)
            return [FeedItem("#0-b", 0, 0, sc.brand.handle, sc.brand.name, "brand", "open", opening.text,
                             len(self.audience.graph.brand_followers), is_brand=True)]
        return list(reversed(self.game.feed.items[-last:]))

    def series(self, key: str) -> list[float]:
        """A per-turn series (e.g. 'volume', 'share_negative') for charts."""
        return [float(t[key]) for t in self.metrics()]

    def decisions(self) -> list[Decision]:
        """Decisions so far."""
        return list(self.game.decisions) if self.game else []

    # ---------------------------------------------------------------- menus
    def options(self, move: str) -> list[MoveOption]:
        """The options under a move, with a preview of what each posts."""
        sc = self.scenario
        if move == "open":
            return [MoveOption("open", o.id, o.label, o.text, o.real) for o in sc.campaign.openings]
        if move == "answer":
            return [MoveOption("answer", o.id, o.label, o.text.replace("{question}", "…").strip()) for o in sc.actions.answer]
        if move == "pause":
            return [MoveOption("pause", o.id, f"{o.label} ({o.turns * sc.clock.turn_minutes} min)", o.text or "(posts nothing)") for o in sc.actions.pause]
        if move == "cancel":
            return [MoveOption("cancel", o.id, o.label, o.text, o.real) for o in sc.actions.cancel]
        raise BackfireError(f"unknown move {move!r}")

    def preview(self, decision: Decision, question: str | None = None) -> str:
        """What a move would post, filled in with the question it answers."""
        sc = self.scenario
        if decision.action == "wait":
            return "(you post nothing; the clock moves on 15 minutes)"
        if decision.action == "answer":
            opt = next(o for o in sc.actions.answer if o.id == decision.option)
            q = f"“{question}”" if question else ""
            return opt.text.replace("{question}", q).replace("  ", " ").strip()
        return next(o.preview for o in self.options(decision.action) if o.id == decision.option)

    # ---------------------------------------------------------------- end
    def history_run(self) -> RunResult:
        """The historical decisions on this same crowd and seed (computed once)."""
        if self.history is None:
            self.build_crowd()
            self.history = run(self.scenario, self.seed, strategy_plan(self.scenario, "history"), audience=self.audience)
        return self.history

    def result(self) -> RunResult:
        """This game's run so far."""
        if not self.game:
            raise BackfireError("the game has not started")
        return self.game.result()

    def score(self) -> Score:
        """Paired score against history on the same crowd."""
        return paired_score(self.scenario, self.result(), self.history_run())

    def debrief(self) -> Debrief:
        """Lessons for each decision, and what really happened."""
        return debrief(self.scenario, self.game.plan(), self.history_run())

    def replay(self, new_crowd: bool = False) -> "Session":
        """A fresh session on the same crowd, or on a new one (seed + 1)."""
        other = Session(self.scenario, self.seed + 1 if new_crowd else self.seed, self.size, self.team)
        if not new_crowd:
            other.audience = self.audience
            other.history = self.history
        return other
