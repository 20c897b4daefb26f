"""The engine: one run's rules on the follower graph, its metric reporters and its feed (depends on audience and scenario)."""

from simulator.engine.decisions import Decision, Plan, parse_script, strategy_plan
from simulator.engine.run import Run, RunResult, run

# Saved games record it: a game replays exactly only on the engine version that played it.
# 1: a trial per persona each turn; 2: events drawn by thinning (same model, other random streams).
ENGINE_VERSION = 2

__all__ = ["ENGINE_VERSION", "Decision", "Plan", "Run", "RunResult", "parse_script", "run", "strategy_plan"]
