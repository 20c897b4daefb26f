"""Many crowds: calibrate (history against the documented targets) and compare (strategies against history)."""

from __future__ import annotations

import argparse
import time
from typing import Any

from simulator.cli.args import (
    RUNS,
    add_command,
    add_json,
    add_scenario,
    add_size,
    add_workers,
    fraction,
    seed_value,
    seeds_of,
)
from simulator.cli.console import Progress, console, print_json, table
from simulator.formatting import fmt_bound, fmt_int, fmt_num, fmt_seconds


def register(sub: Any) -> None:
    """Add the sweep commands."""
    p = add_command(
        sub,
        "calibrate",
        "Replay history over many seeds and check every documented target.",
        "backfire calibrate askjpm --runs 100",
        _calibrate,
    )
    add_scenario(p)
    p.add_argument("--runs", type=RUNS, default=100, help="number of seeds (default 100)")
    p.add_argument("--first-seed", type=seed_value, default=0, help="seeds are FIRST..FIRST+RUNS-1 (default 0)")
    add_size(p)
    add_workers(p)
    p.add_argument("--require", type=fraction, default=0.8, help="share of seeds that must meet a target (default 0.8)")
    add_json(p)

    p = add_command(
        sub,
        "compare",
        "Run strategies over the same seeds in parallel; score distributions and win rates against history.",
        "backfire compare askjpm --runs 100 --strategies history,candid,narrow,early-accountable,pause-then-answer",
        _compare,
    )
    add_scenario(p)
    p.add_argument(
        "--strategies",
        default=None,
        help="comma-separated strategy names or decision scripts (default: history and every named strategy); separate scripts with ';'",
    )
    p.add_argument("--runs", type=RUNS, default=30, help="number of seeds (default 30)")
    p.add_argument("--first-seed", type=seed_value, default=0, help="seeds are FIRST..FIRST+RUNS-1 (default 0)")
    add_size(p)
    add_workers(p)
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster at ADDRESS (needs the dask extra)")
    add_json(p)


def _calibrate(args: argparse.Namespace) -> int:
    from simulator.scenario import resolve
    from simulator.scoring.calibrate import calibration_table
    from simulator.scoring.sweep import sweep

    scenario = resolve(args.scenario).scenario
    seeds = seeds_of(args)
    progress = Progress(enabled=not args.json)
    started = time.perf_counter()
    with progress.running():
        results = sweep(scenario, seeds, ("history",), args.size, args.workers, progress=progress)
    rows = calibration_table(scenario, results, args.require)
    elapsed = time.perf_counter() - started
    ok = all(r["passes"] for r in rows)
    size = args.size or scenario.audience.size
    if args.json:
        print_json(
            {
                "scenario": scenario.id,
                "seeds": [seeds[0], seeds[-1]],
                "runs": len(seeds),
                "size": size,
                "passes": ok,
                "seconds": elapsed,
                "targets": rows,
            }
        )
        return 0 if ok else 1
    out = console()
    out.print(
        f"[bold]Calibration of {scenario.title}[/]: history replayed on {len(seeds)} seeds ({seeds[0]}–{seeds[-1]}), "
        f"{fmt_int(size)} personas, counts in real units"
    )
    table_rows = [
        [
            r["label"],
            r["metric"],
            fmt_bound(r["min"], r["max"]),
            r["source"],
            fmt_num(r["median"]) if r["median"] is not None else "—",
            f"{fmt_num(r['p5'])} – {fmt_num(r['p95'])}" if r["median"] is not None else "—",
            f"{r['share_meeting']:.0%}",
            "pass" if r["passes"] else "FAIL",
        ]
        for r in rows
    ]
    out.print(
        table(
            None,
            ["target", "metric", "bound", "source", "median", "5–95%", "seeds meeting", f"≥{args.require:.0%}"],
            table_rows,
            right={4, 5, 6},
        )
    )
    for r in rows:
        said = f"{r['quote']} (the research notes' words)" if r["paraphrase"] else f"“{r['quote']}”"
        out.print(f"  {r['target']}: {said} — {r['source_title']}")
    out.print(
        f"{'All targets pass.' if ok else 'Some targets FAIL.'} {fmt_seconds(elapsed)}. Replay with: backfire calibrate {scenario.id} "
        f"--runs {len(seeds)} --first-seed {seeds[0]}" + (f" --size {size}" if args.size else ""),
        soft_wrap=True,
    )
    return 0 if ok else 1


def _compare(args: argparse.Namespace) -> int:
    from simulator.scenario import resolve
    from simulator.scoring.compare import comparison_table
    from simulator.scoring.sweep import sweep

    scenario = resolve(args.scenario).scenario
    if args.strategies:
        sep = ";" if ";" in args.strategies else ","
        names = tuple(s.strip() for s in args.strategies.split(sep) if s.strip())
    else:
        names = ("history", *[s.id for s in scenario.strategies])
    if "history" not in names:
        names = ("history", *names)
    seeds = seeds_of(args)
    progress = Progress(enabled=not args.json)
    started = time.perf_counter()
    with progress.running():
        results = sweep(scenario, seeds, names, args.size, args.workers, args.scheduler, progress)
    rows = comparison_table(names, results)
    elapsed = time.perf_counter() - started
    size = args.size or scenario.audience.size
    if args.json:
        print_json(
            {
                "scenario": scenario.id,
                "seeds": [seeds[0], seeds[-1]],
                "runs": len(seeds),
                "size": size,
                "seconds": elapsed,
                "strategies": rows,
            }
        )
        return 0
    out = console()
    labels = {s.id: s.label for s in scenario.strategies} | {"history": "What the brand really did"}
    out.print(
        f"[bold]{scenario.title}[/]: {len(names)} strategies on the same {len(seeds)} crowds (seeds {seeds[0]}–{seeds[-1]}, {fmt_int(size)} personas)"
    )
    trows = [
        [
            r["rank"],
            r["strategy"],
            labels.get(r["strategy"], "script"),
            fmt_num(r["median"], 1),
            f"{fmt_num(r['p5'], 1)} – {fmt_num(r['p95'], 1)}",
            "—" if r["win_rate"] is None else f"{r['win_rate']:.0%}",
            fmt_int(r["hostile_median"]),
        ]
        for r in rows
    ]
    out.print(
        table(
            "Score against history (history = 50; +25 for each halving of its harm), ranked by median",
            ["#", "strategy", "what it does", "median", "5–95%", "beats history", "hostile posts (median)"],
            trows,
            right={0, 3, 4, 5, 6},
        )
    )
    joined = ";".join(names) if any(c in n for n in names for c in ",:*") else ",".join(names)
    out.print(
        f"{fmt_seconds(elapsed)}. Replay with: backfire compare {scenario.id} --runs {len(seeds)} --first-seed {seeds[0]} --strategies '{joined}'"
        + (f" --size {size}" if args.size else ""),
        soft_wrap=True,
    )
    return 0
