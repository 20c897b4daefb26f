"""Benchmarks: bench audience | engine | app | reader (measurement lives in `simulator/bench/`)."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console

from simulator.cli.args import add_command, add_json, crowd_size
from simulator.cli.console import Progress, console, print_json, table
from simulator.formatting import fmt_bytes, fmt_int, fmt_num, fmt_seconds


def register(sub: Any) -> None:
    """Add the bench command."""
    p = add_command(sub, "bench", "Measure speed and memory against the targets.", "backfire bench audience", _bench)
    p.add_argument("what", choices=["audience", "engine", "app", "reader"], help="what to measure")
    p.add_argument("--scenario", default="askjpm", help="scenario id or path (default askjpm)")
    p.add_argument("--sizes", default=None, help="comma-separated crowd sizes (default depends on WHAT)")
    p.add_argument("--methods", action="store_true", help="audience: also time the networkx builder at small sizes")
    add_json(p)


def _sizes(text: str | None, default: list[int]) -> list[int]:
    return [crowd_size(s) for s in text.split(",")] if text else default


def _bench(args: argparse.Namespace) -> int:
    progress = Progress(enabled=not args.json)
    if args.what == "audience":
        from simulator.bench.audience import bench_audience

        with progress.running():
            result = bench_audience(
                args.scenario, _sizes(args.sizes, [10_000, 100_000, 1_000_000]), args.methods, progress
            )
        if args.json:
            print_json(result)
        else:
            print_audience(console(), result)
        return 0
    if args.what == "engine":
        from simulator.bench.engine import bench_engine

        with progress.running():
            result = bench_engine(args.scenario, _sizes(args.sizes, [100_000, 1_000_000]), progress)
        if args.json:
            print_json(result)
        else:
            print_engine(console(), result)
        return 0
    if args.what == "reader":
        from simulator.bench.reader import bench_reader

        result = bench_reader()
        if args.json:
            print_json(result)
        else:
            print_reader(console(), result)
        return 0
    from simulator.bench.app import bench_app  # the app benchmark runs the app

    result = bench_app(args.scenario)
    if args.json:
        print_json(result)
    else:
        print_app(console(), result)
    return 0


def print_reader(out: Console, r: dict[str, Any]) -> None:
    """The reader's accuracy on the trainer's table, per posture, and its speed."""
    rows = [
        [p, fmt_int(v["posts"]), fmt_int(v["right"]), f"{v['right'] / v['posts']:.0%}"]
        for p, v in r["by_posture"].items()
    ]
    out.print(
        table(
            "Reader on the trainer's table (simulator/language/data/trainer_table.yaml)",
            ["posture", "posts", "read right", "accuracy"],
            rows,
            right={1, 2, 3},
        )
    )
    for miss in r["misreadings"]:
        out.print(f"  misread: {miss['text']!r}: trainer {miss['trainer']}, reader {miss['reader']}", soft_wrap=True)
    checks = r["checks"]
    out.print(
        f"Accuracy {r['accuracy']:.1%} on {fmt_int(r['posts'])} posts (target ≥ 85%: {'pass' if checks['accuracy_at_least_85pct'] else 'FAIL'}); "
        f"{r['ms_per_post']:.2f} ms per post (target < 5 ms: {'pass' if checks['under_5ms_per_post'] else 'FAIL'}).",
        soft_wrap=True,
    )


def print_audience(out: Console, result: dict[str, Any]) -> None:
    """Print the crowd-build benchmark."""
    rows = [
        [
            fmt_int(r["size"]),
            r["method"],
            fmt_int(r["edges"]),
            fmt_seconds(r["build_seconds"]),
            fmt_bytes(r["peak_memory_bytes"]),
            (
                "≤ "
                + fmt_seconds(r["target_seconds"])
                + (f", ≤ {fmt_bytes(r['target_memory_bytes'])}" if r["target_memory_bytes"] else "")
            )
            if r["target_seconds"]
            else "",
            {True: "pass", False: "FAIL", None: ""}[r["meets_target"]],
        ]
        for r in result["rows"]
    ]
    out.print(
        table(
            f"Crowd build, {result['scenario']}, {result['cores']} cores (each size in a fresh process)",
            ["personas", "builder", "follows", "build time", "peak memory", "target", ""],
            rows,
            right={0, 2, 3, 4},
        )
    )


def print_engine(out: Console, r: dict[str, Any]) -> None:
    """Print the engine benchmark as tables."""
    from simulator.bench.cascade import NDLIB_EDGE_THRESHOLD  # numpy: not imported by every command
    from simulator.bench.engine import ENGINE_TARGETS

    rows = [
        [
            fmt_int(x["size"]),
            fmt_int(x["edges"]),
            fmt_seconds(x["build_seconds"]),
            fmt_seconds(x["run_seconds"]),
            fmt_seconds(x["turn_mean_seconds"]),
            fmt_seconds(x["turn_max_seconds"]),
            fmt_int(x["edges_touched"]),
            f"{x['edges_touched_per_second']:,.0f}",
        ]
        for x in r["rows"]
    ]
    out.print(
        table(
            f"Full 24-hour history run ({r['scenario']}, {r['cores']} cores, {r['kernels']} kernels, "
            f"{r['threads']} thread{'s' if r['threads'] > 1 else ''} for big turns, {r['matching']} crowd matching; "
            "crowd build not included in run time)",
            [
                "personas",
                "follows",
                "crowd build",
                "run",
                "turn mean",
                "turn max",
                "edges touched",
                "edges/s (whole step)",
            ],
            rows,
            right={0, 1, 2, 3, 4, 5, 6, 7},
        )
    )
    parts = ["exposure", "attention", "posts", "replies", "records"]
    out.print(
        table(
            f"Engine time per turn (mean over the run; up to 200,000 personas the best of {r['warm_runs']} runs), by part; "
            "metrics and feed are outside the engine",
            ["personas", "engine (run)", *parts, "metrics", "per 1,000 posts", "edges/s (engine)"],
            [
                [
                    fmt_int(x["size"]),
                    fmt_seconds(x["engine_seconds"]),
                    *[fmt_seconds(x["engine_parts"][k] / r["turns"]) for k in parts],
                    fmt_seconds(x["metrics_seconds"] / r["turns"]),
                    fmt_seconds(x["seconds_per_1000_events"]) if x["seconds_per_1000_events"] else "—",
                    f"{x['edges_touched_per_engine_second']:,.0f}",
                ]
                for x in r["rows"]
            ],
            right=set(range(9)),
        )
    )
    f = r.get("feed")
    if f:
        out.print(
            f"The crowd's words at {fmt_int(f['size'])} personas (best of {f['repeats']}): "
            f"`backfire run {r['scenario']} --strategy history --json` takes {fmt_seconds(f['command_seconds'])}, "
            f"with --feed {fmt_seconds(f['command_with_feed_seconds'])} ({f['feed_flag_share']:+.1%}); what --feed "
            f"adds, printing the feed, takes {fmt_seconds(f['feed_output_seconds'])}: {f['feed_output_share']:.1%} "
            "of the command (target ≤ 10%; every run writes the feed's words, since its summary reads their sentiment)."
        )
        out.print(
            f"The words themselves (grammar, style, names, VADER on the feed's posts) take "
            f"{fmt_seconds(f['words_seconds'])} of a run, {f['words_share']:.1%} of a run with none "
            f"({fmt_seconds(f['run_without_words_seconds'])}, as sweeps run; with words "
            f"{fmt_seconds(f['run_with_words_seconds'])}); loading VADER and the word lists costs "
            f"{fmt_seconds(f['loading_seconds'])} once per process."
        )
    c = r["cascade"]
    if c:
        whole = next((x for x in r["rows"] if x["size"] == c["size"]), None)
        if whole:
            out.print(
                f"Edges/s at {fmt_int(c['size'])} personas: whole engine step {whole['edges_touched_per_engine_second']:,.0f}, "
                f"the cascade kernel alone {c['edges_per_second']:,.0f}."
            )
        out.print(
            f"Cascade step at {fmt_int(c['size'])} personas: {fmt_int(c['edges'])} edges in {fmt_seconds(c['seconds'])} = {c['edges_per_second']:,.0f} edges/s (target ≥ {ENGINE_TARGETS['edges_per_second_per_core']:,.0f}, within 3× of 1e8 per core)."
        )
    n = r["ndlib"]
    if n:
        out.print(
            f"NDlib IndependentCascadesModel vs the engine's cascade, {fmt_int(n['size'])} personas, same graph, seeds and edge probability ({NDLIB_EDGE_THRESHOLD}): NDlib {fmt_seconds(n['ndlib_seconds'])}, engine {fmt_seconds(n['engine_seconds'])} per cascade, ratio {fmt_num(n['ratio'], 0)}× (target ≥ 500×); final active median NDlib {fmt_num(n['ndlib_final_active_median'], 0)}, engine {fmt_num(n['engine_final_active_median'], 0)}."
        )
    else:
        out.print("NDlib is not installed: `pip install -e .\\[bench]` to compare.")
    m = r["compare"]
    half = m["seeds_timed"] // 2  # two samples: their difference is the cost of a seed apart from the start
    timed = (
        f"{half} seeds in {fmt_seconds(m['seconds_by_sample'][str(half)])}, {m['seeds_timed']} in "
        f"{fmt_seconds(m['seconds'])} on {m['workers']} workers: {fmt_seconds(m['seconds_per_seed'])} a seed "
        f"after {fmt_seconds(m['start_seconds'])} to start"
    )
    out.print(
        f"compare {r['scenario']} over {m['strategies']} strategies: {timed}, "
        f"so --runs 1000 ≈ {m['estimate_seconds'] / 60:,.1f} min (target ≤ 5 min)."
    )
    out.print(
        f"Engine time of a full run: {fmt_int(r['default_size'])} personas {fmt_seconds(r['default_engine_seconds'])} "
        f"(seed 1, best of {r['warm_runs']}; the first, cold, {fmt_seconds(r['default_first_run_engine_seconds'])}; "
        f"median over {len(r['default_engine_seconds_by_seed'])} crowds "
        f"{fmt_seconds(r['default_engine_seconds_median'])}, from {fmt_seconds(min(r['default_engine_seconds_by_seed']))} "
        f"to {fmt_seconds(max(r['default_engine_seconds_by_seed']))}: target ≤ 0.15 s)"
        + (
            f"; 1,000,000 personas {fmt_seconds(r['million_engine_seconds'])} (target ≤ 1 s)."
            if r["million_engine_seconds"] is not None
            else "."
        )
    )
    checks = ", ".join(f"{k}: {'pass' if v else ('—' if v is None else 'FAIL')}" for k, v in r["checks"].items())
    out.print(f"Targets: {checks}")


def print_app(out: Console, r: dict[str, Any]) -> None:
    """Print the app benchmark."""
    ff = ", ".join(f"{t * 1000:,.0f}" for t in r["first_frame_seconds"])
    out.print(
        f"First frame of `backfire play {r['scenario']}` (fresh process each, crowd built in the background): median {r['first_frame_median'] * 1000:,.0f} ms (runs: {ff} ms; target < 500 ms)"
    )
    if r["key_latency_median"] is not None:
        out.print(
            f"Key to screen while turns of a {r['key_latency_size']:,}-persona crowd compute: median {r['key_latency_median'] * 1000:,.1f} ms, max {r['key_latency_max'] * 1000:,.1f} ms over {r['key_presses_while_computing']} presses (target < 50 ms)"
        )
    checks = ", ".join(f"{k}: {'pass' if v else ('—' if v is None else 'FAIL')}" for k, v in r["checks"].items())
    out.print(f"Targets: {checks}")
