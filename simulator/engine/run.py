"""A run: (scenario, seed, size, plan) → per-turn metrics and a summary, bit for bit."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.audience import Audience, build_audience, seed_streams
from simulator.engine.decisions import Decision, Plan
from simulator.engine.feed import Feed, FeedItem
from simulator.engine.metrics import Collector
from simulator.engine.model import Simulation
from simulator.scenario.schema import Scenario


@dataclass
class RunResult:
    """The outcome of one run."""

    scenario: str
    seed: int
    size: int
    script: str
    turns: list[dict]
    summary: dict
    feed: list[FeedItem] | None

    def as_dict(self, feed: bool = False) -> dict:
        """Return JSON-ready data (`turns` and `summary`, and `feed` when asked)."""
        data = {"scenario": self.scenario, "seed": self.seed, "size": self.size, "script": self.script, "turns": self.turns, "summary": self.summary}
        if feed and self.feed is not None:
            data["feed"] = [i.as_dict() for i in self.feed]
        return data


class Game:
    """A run in progress, one turn at a time (what the session and the app drive)."""

    def __init__(self, scenario: Scenario, audience: Audience, seed: int, opening: str | None = None):
        streams = seed_streams(seed)
        self.scenario = scenario
        self.audience = audience
        self.seed = seed
        self.sim = Simulation(scenario, audience, streams["engine"], opening)
        self.metrics = Collector(self.sim)
        self.feed = Feed(self.sim, streams["feed"])
        self.decisions: list[Decision] = []
        self.pending_injects: list[str] = []

    def fire_now(self, inject) -> None:
        """Fire an inject at once; it shows in the feed now and in the next turn's metrics."""
        self.sim.fire_now(inject)
        self.extra_injects[inject.id] = inject
        self.feed.add_injects(self.turn, [inject.id], extra=self.extra_injects)
        self.pending_injects.append(inject.id)

    @property
    def extra_injects(self) -> dict:
        """Injects written during play (not in the scenario), by id."""
        if not hasattr(self, "_extra"):
            self._extra = {}
        return self._extra

    @property
    def turn(self) -> int:
        """The next turn to play."""
        return self.sim.turn

    @property
    def over(self) -> bool:
        """True when every turn has been played."""
        return self.sim.turn >= self.sim.turns

    def play(self, decision: Decision) -> dict:
        """Play one turn; return its metrics."""
        rec = self.sim.step(decision)
        if self.pending_injects:
            rec.injects = self.pending_injects + list(rec.injects)
            self.pending_injects = []
        values = self.metrics.collect(rec)
        self.feed.add_turn(rec)
        fired = self.sim.after_metrics(rec.turn, values)
        if fired:
            values["injects"] = list(values["injects"]) + fired
            self.feed.add_injects(rec.turn, fired, extra=self.extra_injects)
        self.feed.brand_replies(self.metrics.replies_by_post)
        self.decisions.append(decision)
        return values

    def plan(self) -> Plan:
        """Return the decisions so far as a Plan."""
        return Plan(self.sim.opening.id, tuple(self.decisions))

    def result(self, with_feed: bool = False) -> RunResult:
        """Return the run so far as a RunResult."""
        return RunResult(self.scenario.id, self.seed, self.audience.size, self.plan().script(), self.metrics.turns, self.metrics.summary(), self.feed.items if with_feed else None)


def run(scenario: Scenario, seed: int, plan: Plan, size: int | None = None, audience: Audience | None = None, with_feed: bool = False) -> RunResult:
    """Play a whole plan; same inputs give the same result."""
    if audience is None:
        audience = build_audience(scenario, seed, size)
    game = Game(scenario, audience, seed, plan.opening)
    while not game.over:
        game.play(plan.at(game.turn))
    return game.result(with_feed)
