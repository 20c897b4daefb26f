"""The engine: one run's rules on the follower graph, its metric reporters and its feed (depends on audience and scenario)."""

from simulator.engine.decisions import Decision, Plan, parse_script, strategy_plan
from simulator.engine.run import ENGINE_VERSION, ENGINES, Asked, Run, RunResult, known_engines, run, run_plans

__all__ = [
    "ENGINES",
    "ENGINE_VERSION",
    "Asked",
    "Decision",
    "Plan",
    "Run",
    "RunResult",
    "known_engines",
    "parse_script",
    "run",
    "run_plans",
    "strategy_plan",
]
