"""`backfire bench engine`: full runs at each crowd size, the cascade step, and NDlib (measured here, never asserted in tests)."""

from __future__ import annotations

import json
import os
import statistics
import time
from typing import Any

from simulator.bench.cascade import cascade_rate, ndlib_compare
from simulator.formatting import fmt_int

ENGINE_TARGETS = {
    "default_engine_seconds": 0.15,
    "million_engine_seconds": 1.0,
    "compare_1000_seconds": 300.0,
    "ndlib_ratio": 500.0,
    "edges_per_second_per_core": 1e8 / 3,
}
WARM_RUNS = 3  # runs timed on a crowd of up to 200,000 personas; the one with the least engine time is reported
COMPARE_SAMPLE = 4  # seeds a worker, then twice as many, timed to estimate `compare --runs 1000`
SEED_SAMPLE = 8  # seeds whose default-size runs are timed: one seed's storm may be lighter or heavier than most
FEED_REPEATS = 5  # runs (and commands) timed each way for the feed's cost; the best of each is reported
FEED_TARGET = 0.10  # a run with --feed is at most 10% slower than without


def _engine_at(scenario, size: int, progress, label: str) -> dict:
    """Time full history runs on one crowd; report the run with the least engine time, and the first run's.

    The first run in a process is cold (every array over N is touched for the first time); a sweep's
    runs are warm. Crowds up to 200,000 personas are run `WARM_RUNS` times, larger ones once.
    """
    from simulator.audience import build_audience
    from simulator.engine import Run, strategy_plan

    audience = build_audience(scenario, 1, size)
    plan = strategy_plan(scenario, "history")
    best: tuple | None = None
    first_engine = None
    for _ in range(WARM_RUNS if size <= 200_000 else 1):
        game = Run(scenario, audience, 1, plan.opening)
        # The feed's own time (the words of the shown posts and VADER on them), kept out of the metrics' time.
        feed_time = [0.0]
        game.feed.add_turn = _timed(game.feed.add_turn, feed_time)  # type: ignore[method-assign]
        times = []
        started = time.perf_counter()
        while not game.over:
            t0 = time.perf_counter()
            game.play(plan.at(game.turn))
            times.append(time.perf_counter() - t0)
            progress(label, game.turn, scenario.clock.turns)
        total = time.perf_counter() - started
        engine = sum(game.sim.timings.values())
        first_engine = engine if first_engine is None else first_engine
        if best is None or engine < best[0]:
            best = (engine, game, feed_time[0], times, total)
    assert best is not None
    engine, game, feed_seconds, times, total = best
    parts = dict(game.sim.timings)
    events = sum(int(t["volume"]) for t in game.metrics.turns)
    return {
        "engine_seconds": engine,
        "first_run_engine_seconds": first_engine,  # the first run in the process (cold)
        "engine_parts": parts,  # exposure, attention (and stance), posts, replies, records
        "metrics_seconds": max(total - engine - feed_seconds, 0.0),
        "events": events,
        "seconds_per_1000_events": 1000 * engine / events if events else None,
        "edges_touched_per_engine_second": game.edges_touched / engine if engine else 0.0,
        "size": size,
        "edges": audience.graph.edges,
        "build_seconds": audience.build_seconds,
        "run_seconds": total,
        "feed_seconds": feed_seconds,
        "turn_mean_seconds": statistics.fmean(times),
        "turn_max_seconds": max(times),
        "edges_touched": game.edges_touched,
        "edges_touched_per_second": game.edges_touched / total if total else 0.0,
        "audience": audience,
    }


# Loading what the words need, once per process: VADER (module and lexicon), Faker's word lists.
_LOADING = """
import time
from simulator.language.sentiment import compound
from simulator.audience.names import words
t0 = time.perf_counter()
compound("a first text")
words()
print(time.perf_counter() - t0)
"""


def _timed(method: Any, spent: list[float]) -> Any:
    """The method, adding the seconds each call takes to `spent[0]`."""

    def timed(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - t0

    return timed


def _feed_cost(scenario, progress, repeats: int = FEED_REPEATS) -> dict:
    """What the crowd's words cost at the scenario's own size, measured two ways (the best of `repeats` each).

    The best time is the one least disturbed by the rest of the machine (as `timeit` advises).

    - In one process, the same history run with words (`Run(text=True)`: grammar, style, names and VADER on
      the feed's posts) and without any (`text=False`, what sweeps use), taken in turns. The words' own time
      is measured inside the run: this machine's noise on a whole run is larger than their cost. The first
      run with words in a process also loads VADER and the word lists: that one-off cost is timed apart, in
      a fresh process.
    - The whole command a user types, `backfire run ID --strategy history --json`, with and without `--feed`.
      Every run's summary reports `share_negative_text`, which VADER reads off the feed's posts, so a run
      writes the same words with or without `--feed`; the flag adds the printing, which is also timed in
      this process (the difference of two whole commands is within this machine's noise).
    """
    import subprocess
    import sys

    from simulator.audience import build_audience
    from simulator.engine import Run, strategy_plan

    audience = build_audience(scenario, 1, None)
    plan = strategy_plan(scenario, "history")

    def once(text: bool) -> tuple[float, float]:
        """(the whole run, the time spent writing words in it)."""
        game = Run(scenario, audience, 1, plan.opening, text=text)
        spent = [0.0]
        for name in ("add_turn", "add_injects", "brand_replies"):
            setattr(game.feed, name, _timed(getattr(game.feed, name), spent))
        t0 = time.perf_counter()
        while not game.over:
            game.play(plan.at(game.turn))
        return time.perf_counter() - t0, spent[0]

    steps, done = 4 * repeats + 4, [0]

    def step() -> None:
        done[0] += 1
        progress("feed cost", done[0], steps)

    def command(*extra: str) -> float:
        args = [sys.executable, "-m", "simulator", "run", scenario.id, "--strategy", "history", "--json", *extra]
        t0 = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - t0

    progress("feed cost", 0, steps)
    once(False)  # the engine's own first-run costs are not the feed's
    step()
    once(True)  # VADER and the word lists are loaded once per process (timed below, in a fresh one)
    step()
    # Taken in turns, so a slower moment of the machine falls on both sides.
    without: list[float] = []
    with_words: list[float] = []
    words: list[float] = []
    for _ in range(repeats):
        without.append(once(False)[0])
        step()
        whole, spent = once(True)
        with_words.append(whole)
        words.append(spent)
        step()
    loading = subprocess.run([sys.executable, "-c", _LOADING], check=True, capture_output=True, text=True)
    step()
    base, warm = min(without), min(with_words)
    plain, feed = [], []
    for _ in range(repeats):
        plain.append(command())
        step()
        feed.append(command("--feed"))
        step()
    plain_best, feed_best = min(plain), min(feed)
    # What --feed adds to a command, measured in this process: the items made JSON-ready and printed.
    result = Run(scenario, audience, 1, plan.opening)
    while not result.over:
        result.play(plan.at(result.turn))
    done_run = result.result(with_feed=True)
    output = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        json.dumps(done_run.as_dict(feed=True), indent=2, default=str)
        t1 = time.perf_counter()
        json.dumps(done_run.as_dict(feed=False), indent=2, default=str)
        output.append((t1 - t0) - (time.perf_counter() - t1))
    step()
    return {
        "size": audience.size,
        "repeats": repeats,
        "run_without_words_seconds": base,
        "run_with_words_seconds": warm,
        "words_seconds": min(words),  # measured inside the run, so the engine's own noise is not in it
        "words_share": min(words) / base,
        "loading_seconds": float(loading.stdout.strip()),
        "command_seconds": plain_best,
        "command_with_feed_seconds": feed_best,
        "feed_flag_share": (feed_best - plain_best) / plain_best,
        "feed_output_seconds": min(output),
        "feed_output_share": min(output) / plain_best,
    }


def _compare_estimate(scenario, progress) -> dict:
    """Time `compare` over every named strategy on a few seeds (workers as the command uses); scale to 1,000 seeds.

    Two samples, one twice the other: their difference is the cost of a seed once the workers run, the rest
    is starting them and waiting for the last one (paid once by a real `compare`, not a thousand times).
    """
    from simulator.scoring.sweep import default_workers, sweep

    names = ("history", *(s.id for s in scenario.strategies))
    small = COMPARE_SAMPLE * default_workers()
    times = []
    for step, count in enumerate((small, 2 * small)):
        progress("compare estimate", step, 2)
        t0 = time.perf_counter()
        sweep(scenario, list(range(count)), names, None, None)
        times.append(time.perf_counter() - t0)
    progress("compare estimate", 2, 2)
    per_seed = (times[1] - times[0]) / small
    if per_seed <= 0:  # too noisy to tell apart: the larger sample, start-up included
        per_seed, fixed = times[1] / (2 * small), 0.0
    else:
        fixed = max(times[0] - small * per_seed, 0.0)
    return {
        "seeds_timed": 2 * small,
        "strategies": len(names),
        "workers": default_workers(),
        "seconds": times[1],
        "seconds_by_sample": {str(small): times[0], str(2 * small): times[1]},
        "seconds_per_seed": per_seed,
        "start_seconds": fixed,
        "estimate_seconds": fixed + 1000 * per_seed,
    }


def _engine_over_seeds(scenario, size: int, progress, seeds: int = SEED_SAMPLE) -> list[float]:
    """Engine seconds of a history run on each of `seeds` crowds (best of two runs each).

    A run's cost follows its storm, and each seed's storm is its own: the target is checked on the median.
    """
    from simulator.audience import build_audience
    from simulator.engine import Run, strategy_plan

    plan = strategy_plan(scenario, "history")
    times: list[float] = []
    for seed in range(1, seeds + 1):
        audience = build_audience(scenario, seed, size)
        runs = []
        for _ in range(2):
            game = Run(scenario, audience, seed, plan.opening, text=False)
            while not game.over:
                game.play(plan.at(game.turn))
            runs.append(sum(game.sim.timings.values()))
        times.append(min(runs))
        progress(f"history runs on {seeds} crowds", seed, seeds)
    return times


def bench_engine(scenario_name: str, sizes: list[int], progress) -> dict:
    """Time runs at each size, the default-size run, the cascade step, and NDlib when installed."""
    from simulator.audience import matching
    from simulator.engine import kernels
    from simulator.scenario import resolve

    scenario = resolve(scenario_name).scenario
    rows = []
    default = scenario.audience.size
    plan_sizes = sorted(set(sizes) | {default})
    cascade = ndlib = None
    for size in plan_sizes:
        row = _engine_at(scenario, size, progress, f"history run, {fmt_int(size)} personas")
        audience = row.pop("audience")
        if size == 100_000 or (cascade is None and size == plan_sizes[0]):
            cascade = {"size": size, **cascade_rate(audience)}
            progress("NDlib comparison", 0, 1)
            ndlib = ndlib_compare(audience)
            if ndlib is not None:
                ndlib["size"] = size
            progress("NDlib comparison", 1, 1)
        rows.append(row)
    default_row = next(r for r in rows if r["size"] == default)
    million = next((r for r in rows if r["size"] == 1_000_000), None)
    cores = os.cpu_count() or 1
    by_seed = _engine_over_seeds(scenario, default, progress)
    compare = _compare_estimate(scenario, progress)
    feed = _feed_cost(scenario, progress)
    return {
        "what": "engine",
        "scenario": scenario.id,
        "cores": cores,
        "kernels": "compiled" if kernels.COMPILED else "numpy",  # the engine's loops (simulator/engine/kernels.py)
        "threads": kernels.THREADS,  # threads the pass over the touched may use on big turns
        # the crowd builder's loops (simulator/audience/matching.py)
        "matching": "compiled" if matching.COMPILED else "numpy",
        "turns": scenario.clock.turns,
        "rows": rows,
        "default_size": default,
        "default_run_seconds": default_row["run_seconds"],
        "default_engine_seconds": default_row["engine_seconds"],
        "default_first_run_engine_seconds": default_row["first_run_engine_seconds"],
        "default_engine_seconds_by_seed": by_seed,  # seeds 1..SEED_SAMPLE, without words
        "default_engine_seconds_median": statistics.median(by_seed),
        "warm_runs": WARM_RUNS,
        "million_run_seconds": million["run_seconds"] if million else None,
        "million_engine_seconds": million["engine_seconds"] if million else None,
        "compare": compare,
        "feed": feed,
        "cascade": cascade,
        "ndlib": ndlib,
        "targets": ENGINE_TARGETS,
        "checks": {
            "default_engine_at_most_0.15s": statistics.median(by_seed) <= ENGINE_TARGETS["default_engine_seconds"],
            "million_engine_at_most_1s": (million["engine_seconds"] <= ENGINE_TARGETS["million_engine_seconds"])
            if million
            else None,
            "compare_1000_runs_at_most_5min": compare["estimate_seconds"] <= ENGINE_TARGETS["compare_1000_seconds"],
            "feed_flag_at_most_10pct": feed["feed_output_share"] <= FEED_TARGET,
            "words_at_most_10pct_of_a_run": feed["words_share"] <= FEED_TARGET,
            "ndlib_ratio_at_least_500": (ndlib["ratio"] >= ENGINE_TARGETS["ndlib_ratio"]) if ndlib else None,
            "cascade_edges_per_second_within_3x_of_1e8": (
                cascade["edges_per_second"] >= ENGINE_TARGETS["edges_per_second_per_core"]
            )
            if cascade
            else None,
        },
    }
