"""The engine: turn step, diffusion on the follower graph, metrics, feed (depends on audience and scenario)."""

from simulator.engine.decisions import Decision, Plan, parse_script, strategy_plan
from simulator.engine.run import Game, RunResult, run

__all__ = ["Decision", "Game", "Plan", "RunResult", "parse_script", "run", "strategy_plan"]
