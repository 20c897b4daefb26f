"""Many crowds: run strategies over seeds in worker processes (or on a Dask cluster).

One task is one seed: its crowd is built once and every strategy runs on it, so
a strategy and history always meet the same crowd and the same random streams.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from simulator.errors import BackfireError
from simulator.scenario.schema import Scenario


@dataclass(frozen=True)
class SeedResult:
    """What one seed gave: each strategy's summary and its total score against history on that crowd (history: 50)."""

    seed: int
    summaries: dict[str, dict[str, Any]]
    totals: dict[str, float]


def evaluate_seed(scenario: Scenario, seed: int, size: int | None, strategies: tuple[str, ...]) -> SeedResult:
    """Build the crowd for `seed`, run history and every strategy on it; return summaries and scores."""
    from simulator.audience import build_audience
    from simulator.engine import run_plans, strategy_plan
    from simulator.engine.params import compile_params
    from simulator.scoring.score import score_summaries

    audience = build_audience(scenario, seed, size)
    params = compile_params(scenario)
    text = reads_text(scenario)  # words cost as much as the engine: make them only when a number needs them
    names = ("history", *[s for s in strategies if s != "history"])
    # Strategies that start alike share their first turns (`run_plans`): same results, fewer turns played.
    results = run_plans(scenario, seed, [strategy_plan(scenario, name) for name in names], audience, params, text)
    summaries = {name: result.summary for name, result in zip(names, results, strict=True)}
    totals = {
        name: score_summaries(scenario, summaries[name], summaries["history"], audience.size)[0] for name in names
    }
    return SeedResult(seed, summaries, totals)


def reads_text(scenario: Scenario) -> bool:
    """True when a calibration target or a score dimension reads the words of posts (share_negative_text)."""
    metrics = [t.metric for t in scenario.targets] + [d.metric for d in scenario.scoring.dimensions]
    return any(m.startswith("share_negative_text") for m in metrics)


def default_workers() -> int:
    """Worker processes: one per core."""
    return max(1, os.cpu_count() or 1)


def sweep(
    scenario: Scenario,
    seeds: list[int],
    strategies: tuple[str, ...],
    size: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[str, float, float], None] | None = None,
) -> list[SeedResult]:
    """Run every strategy on every seed; return results in seed order."""
    from simulator.engine import strategy_plan

    for name in strategies:  # fail fast on a bad name, before starting workers
        strategy_plan(scenario, name)

    def collect(finished: Iterable[SeedResult]) -> list[SeedResult]:
        """Gather results as they finish, reporting progress; return them in seed order."""
        results: dict[int, SeedResult] = {}
        for done, result in enumerate(finished, start=1):
            results[result.seed] = result
            if progress:
                progress("seeds", done, len(seeds))
        return [results[s] for s in seeds]

    if scheduler is not None:
        try:
            from distributed import Client
        except ImportError:
            raise BackfireError("--scheduler needs dask.distributed: pip install -e '.[dask]'") from None
        with Client(scheduler) as client:  # type: ignore[no-untyped-call]
            futures = client.map(
                evaluate_seed,
                [scenario] * len(seeds),
                seeds,
                [size] * len(seeds),
                [strategies] * len(seeds),
                pure=False,
            )
            return collect(f.result() for f in _dask_as_completed(futures))
    workers = workers or default_workers()
    if workers == 1 or len(seeds) == 1:
        return collect(evaluate_seed(scenario, seed, size, strategies) for seed in seeds)
    with ProcessPoolExecutor(max_workers=workers, initializer=_one_thread_each) as pool:
        futures = [pool.submit(evaluate_seed, scenario, seed, size, strategies) for seed in seeds]
        return collect(f.result() for f in as_completed(futures))


def _one_thread_each() -> None:
    """A worker process's engine uses one thread: the workers already use the cores."""
    from simulator.engine import kernels

    kernels.use_threads(1)


def _dask_as_completed(futures: list[Any]) -> Iterator[Any]:
    from distributed import as_completed as dask_completed

    yield from dask_completed(futures)  # type: ignore[no-untyped-call]
