"""Subcommands beyond validate/schema/list: audience, run, bench, calibrate, compare, play."""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

from simulator.cli import command
from simulator.errors import BackfireError
from simulator.output import Progress, console, fmt_bytes, fmt_int, fmt_num, fmt_seconds, print_json, table


def _peak_rss_bytes() -> int:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _size(text: str) -> int:
    """Parse a crowd size such as 100000, 100_000, 100k or 1M."""
    t = text.strip().lower().replace("_", "").replace(",", "")
    mult = 1
    if t.endswith("k"):
        mult, t = 1_000, t[:-1]
    elif t.endswith("m"):
        mult, t = 1_000_000, t[:-1]
    try:
        value = int(float(t) * mult)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of personas such as 100000, 100k or 1M, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"the crowd size must be positive, got {text!r}")
    return value


def register(sub: argparse._SubParsersAction, add) -> None:
    """Add the subcommands' parsers."""
    p = add(sub, "audience", "Build a scenario's crowd and describe it: segments, degrees, homophily, hubs.", "backfire audience askjpm --size 100k --seed 7")
    p.add_argument("scenario", help="scenario id or path")
    p.add_argument("--size", type=_size, help="number of personas (default: the scenario's)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--method", choices=["auto", "numpy", "networkx"], default="auto", help="graph builder (default: auto)")
    p.add_argument("--export", metavar="FILE.graphml", help="write the follower graph as GraphML")
    p.add_argument("--sample", type=_size, help="with --export: export an induced sample of this many personas")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = add(sub, "play", "Play a scenario in the terminal app (picker, briefing, live feed, debrief).", "backfire play askjpm --seed 1")
    p.add_argument("scenario", nargs="?", help="scenario id or path (omit to pick one)")
    p.add_argument("--seed", type=int, default=1, help="random seed: same seed, same crowd (default 1)")
    p.add_argument("--size", type=_size, help="number of personas (default: the scenario's)")
    p.add_argument("--realtime", type=float, metavar="SECONDS", help="advance the clock every SECONDS on its own; an untaken decision is wait")
    p.add_argument("--db", metavar="FILE", help="games database (default: $BACKFIRE_DB or your data folder); every game is saved as it goes")

    p = add(sub, "bench", "Measure speed and memory against the targets.", "backfire bench audience")
    p.add_argument("what", choices=["audience", "engine", "app"], help="what to measure")
    p.add_argument("--scenario", default="askjpm", help="scenario id or path (default askjpm)")
    p.add_argument("--sizes", default=None, help="comma-separated crowd sizes (default depends on WHAT)")
    p.add_argument("--methods", action="store_true", help="audience: also time the networkx builder at small sizes")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    try:
        from simulator import commands_engine

        commands_engine.register(sub, add)
    except ImportError:  # pragma: no cover - during bootstrap only
        pass


@command("play")
def _play(args: argparse.Namespace) -> int:
    if args.realtime is not None and args.realtime <= 0:
        raise BackfireError("--realtime needs a positive number of seconds")
    if args.scenario:
        from simulator.scenario.registry import locate, resolve

        # A missing file or unknown id is a clear error before the screen clears; a file
        # that does not validate makes the app exit with the same file:line message.
        if locate(args.scenario) is None:
            resolve(args.scenario)
    from simulator.tui.app import make_app  # the only place the CLI reaches the UI

    make_app(args.scenario, args.seed, args.size, args.realtime, db=args.db).run()
    return 0


@command("audience")
def _audience(args: argparse.Namespace) -> int:
    from simulator.audience import build_audience
    from simulator.audience.stats import describe
    from simulator.scenario import resolve

    scenario = resolve(args.scenario).scenario
    progress = Progress(enabled=not args.json)
    with progress.running():
        audience = build_audience(scenario, args.seed, args.size, method=args.method, progress=progress)
    stats = describe(audience)
    stats["peak_memory_bytes"] = _peak_rss_bytes()
    stats["scenario"] = scenario.id
    if args.export:
        import networkx as nx

        graph = audience.to_networkx(sample=args.sample)
        nx.write_graphml(graph, args.export)
        stats["exported"] = {"file": args.export, "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
    if args.json:
        print_json(stats)
        return 0
    out = console()
    out.print(
        f"[bold]{scenario.title}[/] — crowd of {fmt_int(stats['size'])} personas, seed {stats['seed']}, "
        f"{fmt_int(stats['edges'])} follows ({stats['method']} builder)"
    )
    rows = [
        [r["segment"], f"{r['share']:.1%}", fmt_int(r["size"]), f"{r['mean_stance']:+.2f}", fmt_num(r["mean_followers"], 1), fmt_num(r["mean_following"], 1), f"{r['follows_inside']:.0%}"]
        for r in stats["segments"]
    ]
    out.print(table("Segments", ["segment", "share", "personas", "mean stance", "mean followers", "mean following", "follows inside"], rows, right={1, 2, 3, 4, 5, 6}))
    d = stats["degrees"]
    out.print(
        f"Followers per persona: mean {fmt_num(d['followers_mean'], 1)}, median {fmt_num(d['followers_median'], 0)}, "
        f"99th percentile {fmt_num(d['followers_p99'], 0)}, max {fmt_int(d['followers_max'])}. "
        f"Homophily: {stats['homophily']:.0%} of follows stay inside a segment. Brand followers: {fmt_int(stats['brand_followers'])}."
    )
    hubs = [[h["handle"], h["name"], h["segment"], fmt_int(h["followers"]), h["declared_hub"] or ""] for h in stats["hubs"]]
    out.print(table("Largest accounts", ["handle", "name", "segment", "followers", "declared hub"], hubs, right={3}))
    out.print(f"Built in {fmt_seconds(stats['build_seconds'])}; peak memory (process) {fmt_bytes(stats['peak_memory_bytes'])}.")
    if args.export:
        e = stats["exported"]
        out.print(f"Exported {fmt_int(e['nodes'])} nodes and {fmt_int(e['edges'])} edges to {e['file']}.")
    out.print(f"Replay with: backfire audience {scenario.id} --size {stats['size']} --seed {stats['seed']}")
    return 0


def _child(args: list[str]) -> dict:
    """Run `python -m simulator ARGS --json` in a fresh process; return its JSON."""
    proc = subprocess.run([sys.executable, "-m", "simulator", *args, "--json"], capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    if proc.returncode != 0:
        raise BackfireError(f"benchmark child failed: {' '.join(args)}\n{proc.stderr.strip()}")
    return json.loads(proc.stdout)


AUDIENCE_TARGETS = {100_000: (1.5, None), 1_000_000: (15.0, 2e9)}


def bench_audience(scenario: str, sizes: list[int], methods: bool, progress: Progress) -> dict:
    """Build each size in a fresh process; return times, memory and pass/fail against the targets."""
    rows = []
    plan = [(n, "numpy") for n in sizes]
    if methods:
        plan += [(n, "networkx") for n in (1_000, 2_000, 5_000)] + [(n, "numpy") for n in (1_000, 2_000, 5_000)]
    for i, (n, method) in enumerate(plan):
        progress("building crowds", i, len(plan))
        data = _child(["audience", scenario, "--size", str(n), "--method", method])
        target_s, target_mem = AUDIENCE_TARGETS.get(n, (None, None)) if method == "numpy" else (None, None)
        ok = None
        if target_s is not None:
            ok = data["build_seconds"] <= target_s and (target_mem is None or data["peak_memory_bytes"] <= target_mem)
        rows.append(
            {
                "size": n,
                "method": method,
                "edges": data["edges"],
                "build_seconds": data["build_seconds"],
                "peak_memory_bytes": data["peak_memory_bytes"],
                "target_seconds": target_s,
                "target_memory_bytes": target_mem,
                "meets_target": ok,
            }
        )
    progress("building crowds", len(plan), len(plan))
    return {"what": "audience", "scenario": scenario, "cores": os.cpu_count(), "rows": rows}


@command("bench")
def _bench(args: argparse.Namespace) -> int:
    progress = Progress(enabled=not args.json)
    if args.what == "audience":
        sizes = [_size(s) for s in args.sizes.split(",")] if args.sizes else [10_000, 100_000, 1_000_000]
        with progress.running():
            result = bench_audience(args.scenario, sizes, args.methods, progress)
        if args.json:
            print_json(result)
            return 0
        rows = [
            [
                fmt_int(r["size"]), r["method"], fmt_int(r["edges"]), fmt_seconds(r["build_seconds"]), fmt_bytes(r["peak_memory_bytes"]),
                ("≤ " + fmt_seconds(r["target_seconds"]) + (f", ≤ {fmt_bytes(r['target_memory_bytes'])}" if r["target_memory_bytes"] else "")) if r["target_seconds"] else "",
                {True: "pass", False: "FAIL", None: ""}[r["meets_target"]],
            ]
            for r in result["rows"]
        ]
        console().print(table(f"Crowd build, {args.scenario}, {result['cores']} cores (each size in a fresh process)", ["personas", "builder", "follows", "build time", "peak memory", "target", ""], rows, right={0, 2, 3, 4}))
        return 0
    from simulator import commands_engine

    return commands_engine.bench(args, progress)
