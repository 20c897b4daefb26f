"""A game in progress: the scenario, the crowd, the clock, the decisions, and the end-of-game score.

The app and the CLI both drive this; it holds the game logic the UI must not.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING
from datetime import datetime, timedelta

from simulator.audience import Audience, build_audience
from simulator.engine import Decision, Game, RunResult, run, strategy_plan
from simulator.engine.decisions import check_decision
from simulator.engine.feed import FeedItem
from simulator.errors import BackfireError
from simulator.output import fmt_minutes
from simulator.scenario.schema import Scenario
from simulator.scoring.debrief import Debrief, debrief
from simulator.scoring.score import Score, paired_score

if TYPE_CHECKING:
    from simulator.store import Store


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

    def __init__(self, scenario: Scenario, seed: int = 1, size: int | None = None, team: str | None = None, store: "Store | None" = None, scenario_hash: str | None = None):
        self.scenario = scenario
        self.store = store
        self.scenario_hash = scenario_hash
        self.game_id: int | None = None
        self.parent_id: int | None = None
        self.branch_turn: int | None = None
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
            if self.store is not None and self.game_id is None:
                self.game_id = self.store.new_game(self.scenario.id, self.scenario_hash, self.seed, self.size, self.opening, self.team, self.parent_id, self.branch_turn)

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
        metrics = self.game.play(decision)
        if self.store is not None and self.game_id is not None:
            self.store.save_turn(self.game_id, metrics["turn"], str(decision), metrics)
            if self.game.over:
                score = self.score()
                self.store.finish(self.game_id, score.total, score.history_total, self.debrief().as_dict())
        return metrics

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

    # ---------------------------------------------------------------- injects
    def fire_inject(self, inject_id: str) -> None:
        """Fire one of the scenario's injects now (a facilitator's call)."""
        if self.game is None:
            raise BackfireError("start the game first")
        inj = next((i for i in self.scenario.injects if i.id == inject_id), None)
        if inj is None:
            raise BackfireError(f"unknown inject {inject_id!r}; valid: {', '.join(i.id for i in self.scenario.injects)}")
        if self.store is not None and self.game_id is not None:
            self.store.save_event(self.game_id, self.turn, "inject", {"id": inject_id})
        self.game.fire_now(inj)

    def custom_inject(self, text: str, reach: float = 0.05) -> str:
        """A facilitator's own event (a reporter's call, a leaked memo): a story seen by `reach` of every segment."""
        from simulator.scenario.schema import Inject, InjectPost, Trigger

        if self.game is None:
            raise BackfireError("start the game first")
        text = text.strip()
        if not text:
            raise BackfireError("a custom inject needs some text")
        stories = [k for k in self.scenario.kinds if k.story]
        neutral = [k for k in self.scenario.kinds if k.tone == "neutral"] or list(self.scenario.kinds)
        kind = (stories or [max(neutral, key=lambda k: k.appeal)])[0].id  # a declared story kind, else the most spreadable neutral one
        inj_id = f"custom_{self.turn}_{len(self.game.extra_injects)}"
        inj = Inject(
            id=inj_id, label=text, trigger=Trigger(at=self.turn * self.scenario.clock.turn_minutes),
            post=InjectPost(kind=kind, text=text, reach={s: reach for s in self.scenario.segment_ids()}),
            note="written by the facilitator during play",
        )
        if self.store is not None and self.game_id is not None:
            self.store.save_event(self.game_id, self.turn, "custom", {"text": text, "reach": reach})
        self.game.fire_now(inj)
        return inj_id

    # ---------------------------------------------------------------- menus
    def options(self, move: str) -> list[MoveOption]:
        """The options under a move, with a preview of what each posts."""
        sc = self.scenario
        if move == "open":
            return [MoveOption("open", o.id, o.label, o.text, o.real) for o in sc.campaign.openings]
        if move == "answer":
            return [MoveOption("answer", o.id, o.label, o.text.replace("{question}", "…").strip(), o.real) for o in sc.actions.answer]
        if move == "pause":
            return [MoveOption("pause", o.id, f"{o.label} ({fmt_minutes(o.turns * sc.clock.turn_minutes)})", o.text or "(posts nothing)") for o in sc.actions.pause]
        if move == "cancel":
            return [MoveOption("cancel", o.id, o.label, o.text or "(posts nothing: the campaign stops quietly)", o.real) for o in sc.actions.cancel]
        raise BackfireError(f"unknown move {move!r}")

    def preview(self, decision: Decision, question: str | None = None) -> str:
        """What a move would post, filled in with the question it answers."""
        sc = self.scenario
        if decision.action == "wait":
            return f"(you post nothing; the clock moves on {sc.clock.turn_words})"
        if decision.action == "answer":
            opt = next(o for o in sc.actions.answer if o.id == decision.option)
            kind = None
            if self.game is not None:
                try:
                    kind = self.game.sim.answer_kind(decision.target)
                except BackfireError:
                    kind = None
            q = f"“{question}”" if question else ""
            return opt.text_for(kind).replace("{question}", q).replace("  ", " ").strip()
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
        other = Session(self.scenario, self.seed + 1 if new_crowd else self.seed, self.size, self.team, self.store, self.scenario_hash)
        if not new_crowd:
            other.audience = self.audience
            other.history = self.history
        return other


def same_metrics(saved: object, replayed: object) -> bool:
    """True when a replayed turn matches what was saved.

    Counts, decisions and injects must be equal. Floats may differ in the last
    digits (a newer version may sum in another order), text may differ in spacing
    (a newer version tidies the brand's posts), and keys only one side has
    (a metric added or renamed since the game was saved) are not compared.
    """
    if isinstance(saved, dict) and isinstance(replayed, dict):
        return all(same_metrics(saved[k], replayed[k]) for k in saved.keys() & replayed.keys())
    if isinstance(saved, list) and isinstance(replayed, list):
        return len(saved) == len(replayed) and all(same_metrics(a, b) for a, b in zip(saved, replayed))
    if isinstance(saved, float) or isinstance(replayed, float):
        return isinstance(saved, (int, float)) and isinstance(replayed, (int, float)) and abs(saved - replayed) <= 1e-9 * max(1.0, abs(saved))
    if isinstance(saved, str) and isinstance(replayed, str):
        return saved.split() == replayed.split()
    return saved == replayed


def restore(store: "Store", game_id: int, upto: int | None = None, branch: bool = False) -> Session:
    """Rebuild a saved game by replaying its decisions; check every turn against what was saved.

    With `upto`, stop after that many turns. With `branch`, the result is a new
    game linked to its parent (rewind to here and choose differently); otherwise
    it continues the saved game.
    """
    from simulator.engine import parse_script
    from simulator.scenario import resolve

    record = store.game(game_id)
    loaded = resolve(record.scenario_id)
    if record.scenario_hash and loaded.content_hash != record.scenario_hash:
        raise BackfireError(
            f"game {game_id} was played on a different version of {record.scenario_id!r} "
            f"({loaded.path} has changed since); its turns cannot be replayed exactly"
        )
    saved = store.turns(game_id)
    if upto is not None:
        if not 0 <= upto <= len(saved):
            raise BackfireError(f"game {game_id} has {len(saved)} saved turns; --turn must be 0..{len(saved)}")
        saved = saved[:upto]
    session = Session(loaded.scenario, record.seed, record.size, record.team, None, loaded.content_hash)
    session.opening = record.opening
    session.start()
    events = store.events(game_id)
    for turn, decision_text, metrics in saved:
        for event_turn, kind, payload in events:
            if event_turn == turn:
                if kind == "inject":
                    session.fire_inject(payload["id"])
                else:
                    session.custom_inject(payload["text"], payload.get("reach", 0.05))
        decision = parse_script(loaded.scenario, decision_text).decisions[0]
        replayed = session.play(decision)
        if not same_metrics(metrics, json.loads(json.dumps(replayed, sort_keys=True))):
            raise BackfireError(f"game {game_id}, turn {turn}: replaying the saved decisions gave different metrics")
    session.store = store
    if branch:
        session.parent_id, session.branch_turn = game_id, len(saved)
        session.game_id = store.new_game(loaded.scenario.id, loaded.content_hash, record.seed, record.size, record.opening, record.team, game_id, len(saved))
        for turn, decision_text, metrics in saved:
            store.save_turn(session.game_id, turn, decision_text, metrics)
        for event_turn, kind, payload in events:
            if event_turn < len(saved):
                store.save_event(session.game_id, event_turn, kind, payload)
    else:
        session.game_id = game_id
    return session
