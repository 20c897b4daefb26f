"""A run: (scenario, seed, size, plan) → per-turn metrics, a summary and a feed, bit for bit.

`Run` wires one turn: the simulation steps, the reporters collect, the feed
samples, and metric-triggered injects fire. `run()` plays a whole plan.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from simulator.audience import Audience, build_audience
from simulator.engine.decisions import Decision, Plan
from simulator.engine.feed import Feed, FeedItem
from simulator.engine.metrics import Collector
from simulator.engine.model import Simulation
from simulator.engine.params import EngineParams, compile_params
from simulator.engine.state import BrandPost
from simulator.errors import BackfireError
from simulator.language.choice import Choice, Played, as_played, choose
from simulator.language.reader import Lexicon, scenario_lexicon
from simulator.scenario.schema import Inject, Scenario
from simulator.seeds import seed_streams

Asked = tuple[str, str | None]  # the post an answer replies to: its kind, and its text (None: a kind was answered)

# Saved games record it: a game replays exactly only on the engine version that played it.
# 1: a trial per persona each turn (`legacy.py`, kept for saved games); 2: events drawn by thinning
# (same model, other random streams); 3: as 2, with personas whose attention runs out at the same level
# kept in id order, so a seed gives the same run on every machine (2 left them in the order numpy's
# default sort gives, which depends on the CPU's vector instructions).
ENGINE_VERSION = 3
ENGINES = (1, 2, 3)


def known_engines() -> str:
    """The engine versions this Backfire plays, for messages: "1, 2 and 3"."""
    return ", ".join(str(e) for e in ENGINES[:-1]) + f" and {ENGINES[-1]}"


@dataclass
class RunResult:
    """The outcome of one run."""

    scenario: str
    seed: int
    size: int
    script: str
    turns: list[dict[str, Any]]
    summary: dict[str, Any]
    feed: list[FeedItem] | None

    def as_dict(self, feed: bool = False) -> dict[str, Any]:
        """Return JSON-ready data (`turns` and `summary`, and `feed` when asked)."""
        data: dict[str, Any] = {
            "scenario": self.scenario,
            "seed": self.seed,
            "size": self.size,
            "script": self.script,
            "turns": self.turns,
            "summary": self.summary,
        }
        if feed and self.feed is not None:
            data["feed"] = [i.as_dict() for i in self.feed]
        return data


class Run:
    """A run in progress, one turn at a time (what a game session and `run()` drive)."""

    def __init__(
        self,
        scenario: Scenario,
        audience: Audience,
        seed: int,
        opening: str | None = None,
        params: EngineParams | None = None,
        opening_text: str | None = None,
        text: bool = True,
        engine: int = ENGINE_VERSION,
        opening_played: Played | None = None,
    ):
        """`opening_text` is an opening in the player's own words: it is read and played as the nearest opening,
        or as `opening_played` (option, provocation) when a saved game says how it was played (see `play`).

        With `text=False` nobody will read this run's feed (a sweep of many crowds): no post gets words,
        the numbers are the same (the feed has its own random stream), and `share_negative_text` is None.
        `engine` is the engine version: 1 and 2 replay games saved on those engines (see ENGINE_VERSION).
        """
        if engine not in ENGINES:
            raise BackfireError(f"unknown engine version {engine}; this Backfire knows {known_engines()}")
        streams = seed_streams(seed)
        self.scenario = scenario
        self.params = params or compile_params(scenario)
        self.audience = audience
        self.seed = seed
        # What each written post read as: (turn, the choice); the opening's turn is -1 (it goes out before turn 0).
        self.readings: list[tuple[int, Choice]] = []
        self.opening_text = opening_text
        opening_post = None
        if opening_text is not None:
            choice = choose(scenario, "open", opening_text, lex=self.lexicon)
            if opening_played is not None:
                choice = as_played(scenario, choice, opening_played)
            opening, opening_post = choice.option, (opening_text, choice.provocation)
            self.readings.append((-1, choice))
        if engine == 1:
            from simulator.engine.legacy import LegacySimulation

            legacy = LegacySimulation(self.params, audience, streams["engine"], opening, opening_post)
            self.sim: Simulation = cast(Simulation, legacy)  # the same interface, duck-typed (legacy.py is frozen)
        else:
            self.sim = Simulation(self.params, audience, streams["engine"], opening, opening_post, engine=engine)
        self.engine = engine
        self.metrics = Collector(self.params, audience, self.sim.state)
        self.text = text
        self.feed = Feed(scenario, self.params, audience, self.sim.opening.id, streams["feed"])
        self.decisions: list[Decision] = []
        self.extra_injects: dict[str, Inject] = {}  # written during play (not in the scenario), by id
        self._pending_injects: list[str] = []

    @property
    def lexicon(self) -> Lexicon:
        """The phrases a written post is read by (built when a post in the player's own words is first read)."""
        return scenario_lexicon(self.scenario.language)

    @property
    def turn(self) -> int:
        """The next turn to play."""
        return self.sim.turn

    @property
    def over(self) -> bool:
        """True when every turn has been played."""
        return self.sim.over

    @property
    def opening(self) -> str:
        """The opening's id."""
        return self.sim.opening.id

    @property
    def cancelled(self) -> bool:
        """True once the campaign was cancelled."""
        return self.sim.state.cancelled

    @property
    def paused_until(self) -> int:
        """The turn the current pause ends (-1: no pause)."""
        return self.sim.state.paused_until

    @property
    def brand_posts(self) -> list[BrandPost]:
        """The brand's posts so far."""
        return list(self.sim.state.brand_posts)

    @property
    def edges_touched(self) -> int:
        """Follower edges walked so far."""
        return self.sim.edges_touched

    def answer_kind(self, target: str | None) -> str:
        """Return the kind of post an answer addresses: a kind named, the kind of a feed post, or last turn's commonest."""
        if target and not target.startswith("#"):
            return target
        if target:
            if not self.text:
                raise BackfireError(f"this run keeps no feed, so it cannot answer post {target}; answer a kind instead")
            kind = self.feed.kind_of(target)
            if kind is None:
                raise BackfireError(f"no post {target} in the feed")
            return kind
        return self.sim.commonest_kind()

    def fire_now(self, inject: Inject) -> None:
        """Fire an inject at once; it shows in the feed now and in the next turn's metrics."""
        self.sim.fire_now(self.params.compile_inject(inject))
        self.extra_injects[inject.id] = inject
        if self.text:
            self.feed.add_injects(self.turn, [inject.id], extra=self.extra_injects)
        self._pending_injects.append(inject.id)

    def asked(self, decision: Decision) -> Asked | None:
        """The post an answer replies to, as the game reads it now: (its kind, its text); None for other moves.

        An answer to a feed post (`@#2-4`) reads the feed; an answer to a kind has no text.
        """
        if decision.action != "answer":
            return None
        target = decision.target
        return self.answer_kind(target), self.feed.text_of(target) if target and target.startswith("#") else None

    def written(self, decision: Decision, asked: Asked | None = None) -> Choice:
        """How a decision in the player's own words reads now, and the option it would be played as.

        `asked` gives the answered post's kind and text instead of the feed's (a replay: see `play`).
        """
        if decision.text is None:
            raise BackfireError("this decision posts no words of its own")
        kind, question = asked or self.asked(decision) or (None, None)
        last = self.sim.state.last_posts
        if decision.action == "answer" and not decision.target and (last is None or not len(last[0])):
            kind = None  # the crowd posted nothing last turn: no question to answer, or to evade
        return choose(self.scenario, decision.action, decision.text, question, kind, self.lexicon)

    def play(self, decision: Decision, asked: Asked | None = None, played: Played | None = None) -> dict[str, Any]:
        """Play one turn; return its metrics.

        `asked` is the answered post's kind and text as saved when the turn was first played: a replay then
        needs no feed post of that id (the feed's words may differ in another version of Backfire). `played`
        is how the turn's written post was played then (option, provocation): it is played so again, even
        where a newer reader reads the words otherwise.
        """
        asked = asked or self.asked(decision)
        kind, question = asked or (None, None)
        if decision.text is not None:
            choice = self.written(decision, asked)
            if played is not None:
                choice = as_played(self.scenario, choice, played)
            self.readings.append((self.turn, choice))
            as_option = Decision(decision.action, choice.option, decision.target, decision.text)
            rec = self.sim.step(as_option, kind, choice.provocation, question)
        else:
            rec = self.sim.step(decision, kind, question=question)
        if self._pending_injects:
            rec.injects = self._pending_injects + list(rec.injects)
            self._pending_injects = []
        values = self.metrics.collect(rec, self.sim.state)
        if self.text:
            self.feed.add_turn(
                rec, paused=self.sim.state.paused_until > rec.turn, brand_posts=self.sim.state.brand_posts
            )
        fired = self.sim.after_metrics(rec.turn, values)
        if fired:
            values["injects"] = list(values["injects"]) + fired
            if self.text:
                self.feed.add_injects(rec.turn, fired, extra=self.extra_injects)
        if self.text:
            self.feed.brand_replies(self.metrics.replies_by_post, self.sim.state.brand_posts)
        self.decisions.append(decision)
        return values

    def fork(self) -> Run:
        """Return a copy of this run as it stands: playing either one leaves the other as it was.

        The inputs (scenario, crowd, parameters) are shared, not copied; all a turn changes is copied,
        the random generators included, so the copy plays on exactly as this run would.
        """
        shared = [self.scenario, self.params, self.audience, getattr(self.sim, "scratch", None)]
        memo = {id(x): x for x in shared if x is not None}  # scratch: work arrays whose contents do not carry over
        fork: Run = copy.deepcopy(self, memo)
        return fork

    def plan(self) -> Plan:
        """Return the decisions so far as a Plan."""
        return Plan(self.sim.opening.id, tuple(self.decisions), self.opening_text)

    def portable_plan(self) -> Plan:
        """Return the decisions so far with each answer to a feed post (@#2-4) as an answer to that post's kind.

        A feed post exists only on this crowd; its kind is what the same decision means on another one.
        """
        decisions = tuple(
            Decision(d.action, d.option, self.feed.kind_of(d.target) or d.target, d.text)
            if d.target and d.target.startswith("#")
            else d
            for d in self.decisions
        )
        return Plan(self.sim.opening.id, decisions, self.opening_text)

    def summary(self) -> dict[str, Any]:
        """Return the summary metrics so far."""
        return self.metrics.summary(self.sim.state, self.feed.share_negative_text if self.text else None)

    def result(self, with_feed: bool = False) -> RunResult:
        """Return the run so far as a RunResult."""
        return RunResult(
            self.scenario.id,
            self.seed,
            self.audience.size,
            self.plan().script(),
            self.metrics.turns,
            self.summary(),
            self.feed.items if with_feed and self.text else None,
        )


def run(
    scenario: Scenario,
    seed: int,
    plan: Plan,
    size: int | None = None,
    audience: Audience | None = None,
    with_feed: bool = False,
    params: EngineParams | None = None,
    text: bool = True,
    engine: int = ENGINE_VERSION,
) -> RunResult:
    """Play a whole plan; same inputs give the same result (`text=False`: no words, see `Run`)."""
    if audience is None:
        audience = build_audience(scenario, seed, size)
    game = Run(scenario, audience, seed, plan.opening, params, plan.opening_text, text, engine)
    while not game.over:
        game.play(plan.at(game.turn))
    return game.result(with_feed)


def shared_turns(a: Plan, b: Plan, turns: int) -> int:
    """Return how many turns two plans play alike from the start (0 when their openings differ)."""
    if (a.opening, a.opening_text) != (b.opening, b.opening_text):
        return 0
    return next((t for t in range(turns) if a.at(t) != b.at(t)), turns)


def run_plans(
    scenario: Scenario,
    seed: int,
    plans: Sequence[Plan],
    audience: Audience,
    params: EngineParams | None = None,
    text: bool = True,
) -> list[RunResult]:
    """Play several plans on one crowd; return what `run()` returns for each, in order, bit for bit.

    A plan that starts as an earlier one does (same opening, same first moves) is not replayed from
    turn 0: it goes on from a copy of that run taken where they part. Strategies often wait, or act
    alike, for hours before their one different move, and the first hours are the storm's busiest.
    """
    params = params or compile_params(scenario)
    turns = params.turns
    # Each plan's parent: the earlier plan it shares most turns with (none when it shares none).
    # A plan copied from its own parent at turn s passes only turns from s on: a copy at an earlier turn
    # comes from further up (which shares those turns too).
    parent: list[tuple[int, int] | None] = []
    start: list[int] = []
    for i, plan in enumerate(plans):
        shared, j = max(((shared_turns(plans[j], plan, turns), j) for j in range(i)), default=(0, -1))
        while shared > 0 and start[j] > shared:
            j = cast(tuple[int, int], parent[j])[0]
        parent.append((j, shared) if shared > 0 else None)
        start.append(shared)
    wanted: dict[int, dict[int, int]] = {}  # plan → {turn: children that start from its copy at that turn}
    for link in parent:
        if link is not None:
            at = wanted.setdefault(link[0], {})
            at[link[1]] = at.get(link[1], 0) + 1
    copies: dict[tuple[int, int], Run] = {}
    results: list[RunResult] = []
    for i, plan in enumerate(plans):
        link = parent[i]
        if link is None:
            game = Run(scenario, audience, seed, plan.opening, params, plan.opening_text, text)
        else:
            key = (link[0], link[1])
            wanted[link[0]][link[1]] -= 1
            last = wanted[link[0]][link[1]] == 0
            game = copies.pop(key) if last else copies[key].fork()
        marks = wanted.get(i, {})
        while not game.over:
            if marks.get(game.turn):
                copies[(i, game.turn)] = game.fork()
            game.play(plan.at(game.turn))
        if marks.get(turns):  # a plan identical to this one: the finished run itself
            copies[(i, turns)] = game.fork()
        results.append(game.result())
    return results
