"""A run: (scenario, seed, size, plan) → per-turn metrics, a summary and a feed, bit for bit.

`Run` wires one turn: the simulation steps, the reporters collect, the feed
samples, and metric-triggered injects fire. `run()` plays a whole plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulator.audience import Audience, build_audience
from simulator.engine.decisions import Decision, Plan
from simulator.engine.feed import Feed, FeedItem
from simulator.engine.metrics import Collector
from simulator.engine.model import Simulation
from simulator.engine.params import EngineParams, compile_params
from simulator.engine.state import BrandPost
from simulator.errors import BackfireError
from simulator.scenario.schema import Inject, Scenario
from simulator.seeds import seed_streams


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
    ):
        streams = seed_streams(seed)
        self.scenario = scenario
        self.params = params or compile_params(scenario)
        self.audience = audience
        self.seed = seed
        self.sim = Simulation(self.params, audience, streams["engine"], opening)
        self.metrics = Collector(self.params, audience, self.sim.state)
        self.feed = Feed(scenario, self.params, audience, self.sim.opening.id, streams["feed"])
        self.decisions: list[Decision] = []
        self.extra_injects: dict[str, Inject] = {}  # written during play (not in the scenario), by id
        self._pending_injects: list[str] = []

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
            kind = self.feed.kind_of(target)
            if kind is None:
                raise BackfireError(f"no post {target} in the feed")
            return kind
        return self.sim.commonest_kind()

    def fire_now(self, inject: Inject) -> None:
        """Fire an inject at once; it shows in the feed now and in the next turn's metrics."""
        self.sim.fire_now(self.params.compile_inject(inject))
        self.extra_injects[inject.id] = inject
        self.feed.add_injects(self.turn, [inject.id], extra=self.extra_injects)
        self._pending_injects.append(inject.id)

    def play(self, decision: Decision) -> dict[str, Any]:
        """Play one turn; return its metrics."""
        kind = self.answer_kind(decision.target) if decision.action == "answer" else None
        rec = self.sim.step(decision, kind)
        if self._pending_injects:
            rec.injects = self._pending_injects + list(rec.injects)
            self._pending_injects = []
        values = self.metrics.collect(rec, self.sim.state)
        self.feed.add_turn(rec, paused=self.sim.state.paused_until > rec.turn, brand_posts=self.sim.state.brand_posts)
        fired = self.sim.after_metrics(rec.turn, values)
        if fired:
            values["injects"] = list(values["injects"]) + fired
            self.feed.add_injects(rec.turn, fired, extra=self.extra_injects)
        self.feed.brand_replies(self.metrics.replies_by_post, self.sim.state.brand_posts)
        self.decisions.append(decision)
        return values

    def plan(self) -> Plan:
        """Return the decisions so far as a Plan."""
        return Plan(self.sim.opening.id, tuple(self.decisions))

    def portable_plan(self) -> Plan:
        """Return the decisions so far with each answer to a feed post (@#2-4) as an answer to that post's kind.

        A feed post exists only on this crowd; its kind is what the same decision means on another one.
        """
        decisions = tuple(
            Decision(d.action, d.option, self.feed.kind_of(d.target) or d.target)
            if d.target and d.target.startswith("#")
            else d
            for d in self.decisions
        )
        return Plan(self.sim.opening.id, decisions)

    def summary(self) -> dict[str, Any]:
        """Return the summary metrics so far."""
        return self.metrics.summary(self.sim.state, self.feed.share_negative_text)

    def result(self, with_feed: bool = False) -> RunResult:
        """Return the run so far as a RunResult."""
        return RunResult(
            self.scenario.id,
            self.seed,
            self.audience.size,
            self.plan().script(),
            self.metrics.turns,
            self.summary(),
            self.feed.items if with_feed else None,
        )


def run(
    scenario: Scenario,
    seed: int,
    plan: Plan,
    size: int | None = None,
    audience: Audience | None = None,
    with_feed: bool = False,
    params: EngineParams | None = None,
) -> RunResult:
    """Play a whole plan; same inputs give the same result."""
    if audience is None:
        audience = build_audience(scenario, seed, size)
    game = Run(scenario, audience, seed, plan.opening, params)
    while not game.over:
        game.play(plan.at(game.turn))
    return game.result(with_feed)
