"""Scoring subcommands: calibrate, score, compare."""

from __future__ import annotations

import argparse
import time

from simulator.cli import command
from simulator.output import Progress, console, fmt_bound, fmt_int, fmt_num, fmt_seconds, fmt_value, print_json, table


def _size(text: str) -> int:
    from simulator.commands import _size as parse

    return parse(text)


def _seeds(args) -> list[int]:
    return list(range(args.first_seed, args.first_seed + args.runs))


def register(sub: argparse._SubParsersAction, add) -> None:
    """Add the scoring subcommands."""
    p = add(sub, "calibrate", "Replay history over many seeds and check every documented target.", "backfire calibrate askjpm --runs 100")
    p.add_argument("scenario", help="scenario id or path")
    p.add_argument("--runs", type=int, default=100, help="number of seeds (default 100)")
    p.add_argument("--first-seed", type=int, default=0, help="seeds are FIRST..FIRST+RUNS-1 (default 0)")
    p.add_argument("--size", type=_size, help="number of personas (default: the scenario's)")
    p.add_argument("--workers", type=int, help="worker processes (default: one per core)")
    p.add_argument("--require", type=float, default=0.8, help="share of seeds that must meet a target (default 0.8)")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = add(sub, "score", "Score one run against history on the same crowd, with the debrief.", "backfire score askjpm --decisions 'answer:candid@grievance*4,wait*92' --seed 3")
    p.add_argument("scenario", help="scenario id or path")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--decisions", metavar="SCRIPT", help="decision script, as for `run`")
    group.add_argument("--strategy", metavar="NAME", help="a strategy named in the scenario")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--size", type=_size, help="number of personas (default: the scenario's)")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = add(sub, "check", "Check a scenario: its history meets its targets, it is winnable, every inject can fire.", "backfire check askjpm --runs 8")
    p.add_argument("scenario", help="scenario id or path")
    p.add_argument("--runs", type=int, default=8, help="number of seeds (default 8)")
    p.add_argument("--size", type=_size, help="number of personas (default: the scenario's)")
    p.add_argument("--workers", type=int, help="worker processes (default: one per core)")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = add(sub, "new", "Write a commented scenario skeleton that validates, to start a new case.", "backfire new mycase")
    p.add_argument("id", help="scenario id (lowercase letters, digits, - and _)")
    p.add_argument("-o", "--output", metavar="FILE", help="where to write it (default: scenarios/ID.yaml)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")

    p = add(sub, "compare", "Run strategies over the same seeds in parallel; score distributions and win rates against history.", "backfire compare askjpm --runs 100 --strategies history,candid,narrow,early-accountable,pause-then-answer")
    p.add_argument("scenario", help="scenario id or path")
    p.add_argument("--strategies", default=None, help="comma-separated strategy names or decision scripts (default: history and every named strategy); separate scripts with ';'")
    p.add_argument("--runs", type=int, default=30, help="number of seeds (default 30)")
    p.add_argument("--first-seed", type=int, default=0, help="seeds are FIRST..FIRST+RUNS-1 (default 0)")
    p.add_argument("--size", type=_size, help="number of personas (default: the scenario's)")
    p.add_argument("--workers", type=int, help="worker processes (default: one per core)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster at ADDRESS (needs the dask extra)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


@command("calibrate")
def _calibrate(args: argparse.Namespace) -> int:
    from simulator.scenario import resolve
    from simulator.scoring.calibrate import calibration_table
    from simulator.scoring.sweep import sweep

    scenario = resolve(args.scenario).scenario
    seeds = _seeds(args)
    progress = Progress(enabled=not args.json)
    started = time.perf_counter()
    with progress.running():
        results = sweep(scenario, seeds, ("history",), args.size, args.workers, progress=progress)
    rows = calibration_table(scenario, results, args.require)
    elapsed = time.perf_counter() - started
    ok = all(r["passes"] for r in rows)
    size = args.size or scenario.audience.size
    if args.json:
        print_json({"scenario": scenario.id, "seeds": [seeds[0], seeds[-1]], "runs": len(seeds), "size": size, "passes": ok, "seconds": elapsed, "targets": rows})
        return 0 if ok else 1
    out = console()
    out.print(f"[bold]Calibration of {scenario.title}[/]: history replayed on {len(seeds)} seeds ({seeds[0]}–{seeds[-1]}), {fmt_int(size)} personas, counts in real units")

    def bound(r):
        return fmt_bound(r["min"], r["max"])

    table_rows = [
        [r["label"], r["metric"], bound(r), r["source"], fmt_num(r["median"]) if r["median"] is not None else "—",
         f"{fmt_num(r['p5'])} – {fmt_num(r['p95'])}" if r["median"] is not None else "—", f"{r['share_meeting']:.0%}", "pass" if r["passes"] else "FAIL"]
        for r in rows
    ]
    out.print(table(None, ["target", "metric", "bound", "source", "median", "5–95%", "seeds meeting", f"≥{args.require:.0%}"], table_rows, right={4, 5, 6}))
    for r in rows:
        said = f"{r['quote']} (the research notes' words)" if r["paraphrase"] else f"“{r['quote']}”"
        out.print(f"  {r['target']}: {said} — {r['source_title']}")
    out.print(f"{'All targets pass.' if ok else 'Some targets FAIL.'} {fmt_seconds(elapsed)}. Replay with: backfire calibrate {scenario.id} --runs {len(seeds)} --first-seed {seeds[0]}" + (f" --size {size}" if args.size else ""))
    return 0 if ok else 1


@command("score")
def _score(args: argparse.Namespace) -> int:
    from simulator.audience import build_audience
    from simulator.engine import parse_script, run, strategy_plan
    from simulator.scenario import resolve
    from simulator.scoring.debrief import debrief
    from simulator.scoring.score import paired_score

    scenario = resolve(args.scenario).scenario
    plan = parse_script(scenario, args.decisions) if args.decisions else strategy_plan(scenario, args.strategy)
    progress = Progress(enabled=not args.json)
    with progress.running():
        audience = build_audience(scenario, args.seed, args.size, progress=progress)
    mine = run(scenario, args.seed, plan, audience=audience)
    history = run(scenario, args.seed, strategy_plan(scenario, "history"), audience=audience)
    score = paired_score(scenario, mine, history)
    report = debrief(scenario, plan, history)
    if args.json:
        print_json({"scenario": scenario.id, "seed": args.seed, "size": audience.size, "score": score.as_dict(), "debrief": report.as_dict(), "summary": mine.summary, "history_summary": history.summary})
        return 0
    print_score(console(), scenario, score, report)
    return 0


def print_score(out, scenario, score, report) -> None:
    """Print a paired score and its debrief."""
    out.print(f"[bold]Your run vs history[/] — seed {score.seed}, {fmt_int(score.size)} personas (the same crowd for both)")
    out.print(f"You:     {score.script}\nHistory: {score.history_script}")

    def val(metric, v):
        return f"{v:+.3f}" if metric == "stance_change" else (f"{v:.0%}" if metric.endswith("share") or metric.startswith("peak_share") else fmt_int(v))

    rows = [
        [d.label, d.better, val(d.metric, d.you), val(d.metric, d.history), (val(d.metric, d.difference) if d.metric == "stance_change" else ("+" if d.difference > 0 else "") + val(d.metric, d.difference)), fmt_num(d.you_score, 0), fmt_num(d.history_score, 0), fmt_num(d.weight, 0)]
        for d in score.dimensions
    ]
    out.print(table("Score by dimension (0–100 each)", ["dimension", "better", "you", "history", "difference", "your score", "history's", "weight"], rows, right={2, 3, 4, 5, 6, 7}))
    verdict = "better than" if score.total > score.history_total else "worse than" if score.total < score.history_total else "level with"
    out.print(f"[bold]Total: {score.total:.1f} vs history {score.history_total:.1f}[/] — {verdict} what {scenario.brand.name} did, on this crowd.")
    seg_rows = [[seg, f"{a:+.3f}", f"{b:+.3f}"] for seg, (a, b) in score.stance_change_by_segment.items()]
    out.print(table("Reputation: stance change by segment", ["segment", "you", "history"], seg_rows, right={1, 2}))
    out.print("[bold]Debrief: what the sources say about your decisions[/]")
    for r in report.reviews:
        when = r.when_text()
        out.print(f"• {r.decision}{when}" + ("  [yellow](the sources disagree)[/]" if r.disagreement else ""))
        if not r.lessons:
            out.print("    no source speaks to this move directly")
        for l in r.lessons:
            out.print(f"    {l.stance.upper():8s} {l.cited} — {l.source_title}" + (f", {l.publisher}" if l.publisher else ""), markup=False)
    out.print("[bold]What really happened[/]")
    for w in report.what_happened:
        out.print(f"• {w['when']}: {w['text']} ({w['source_title']})", markup=False)
    f = report.history_figures
    if f and f["targets"]:
        out.print("On this crowd the historical decisions gave:")
        for t in f["targets"]:
            out.print(f"• {t['label']}: {fmt_value(t['value'])} (documented {fmt_bound(t['min'], t['max'])}, {t['source_title']})", markup=False)
        if f["note"]:
            out.print(f["note"], markup=False)
    out.print(f"Replay with: backfire score {scenario.id} --seed {score.seed} --size {score.size} --decisions '{score.script}'")


@command("check")
def _check(args: argparse.Namespace) -> int:
    from simulator.scenario import resolve
    from simulator.scoring.checks import check_scenario

    scenario = resolve(args.scenario).scenario
    progress = Progress(enabled=not args.json)
    with progress.running():
        checks = check_scenario(scenario, list(range(args.runs)), args.size, workers=args.workers)
    ok = all(c.passed for c in checks)
    if args.json:
        print_json({"scenario": scenario.id, "passes": ok, "checks": [c.__dict__ for c in checks]})
    else:
        out = console()
        out.print(f"Checks of {scenario.id} (validation, sources and quotes passed on load; {args.runs} seeds):")
        for c in checks:
            out.print(f"  {'pass' if c.passed else 'FAIL'}  {c.name}: {c.detail}")
    return 0 if ok else 1


@command("new")
def _new(args: argparse.Namespace) -> int:
    import re
    import sys
    from pathlib import Path

    from simulator.errors import BackfireError
    from simulator.scenario.skeleton import skeleton

    if not re.fullmatch(r"[a-z0-9_-]+", args.id):
        raise BackfireError(f"scenario ids use lowercase letters, digits, - and _; got {args.id!r}")
    path = Path(args.output) if args.output else Path("scenarios") / f"{args.id}.yaml"
    if path.exists() and not args.force:
        raise BackfireError(f"{path} exists; pick another id or use --force")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(skeleton(args.id), encoding="utf-8")
    schema_file = path.parent / "scenario.schema.json"
    if not schema_file.exists():
        from simulator.cli import scenario_json_schema
        import json

        schema_file.write_text(json.dumps(scenario_json_schema(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}; next: edit the TODOs, then backfire validate {path}", file=sys.stderr)
    return 0


@command("compare")
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
    seeds = _seeds(args)
    progress = Progress(enabled=not args.json)
    started = time.perf_counter()
    with progress.running():
        results = sweep(scenario, seeds, names, args.size, args.workers, args.scheduler, progress)
    rows = comparison_table(names, results)
    elapsed = time.perf_counter() - started
    size = args.size or scenario.audience.size
    if args.json:
        print_json({"scenario": scenario.id, "seeds": [seeds[0], seeds[-1]], "runs": len(seeds), "size": size, "seconds": elapsed, "strategies": rows})
        return 0
    out = console()
    labels = {s.id: s.label for s in scenario.strategies} | {"history": "What the brand really did"}
    out.print(f"[bold]{scenario.title}[/]: {len(names)} strategies on the same {len(seeds)} crowds (seeds {seeds[0]}–{seeds[-1]}, {fmt_int(size)} personas)")
    trows = [
        [r["rank"], r["strategy"], labels.get(r["strategy"], "script"), fmt_num(r["median"], 1), f"{fmt_num(r['p5'], 1)} – {fmt_num(r['p95'], 1)}",
         "—" if r["win_rate"] is None else f"{r['win_rate']:.0%}", fmt_int(r["hostile_median"])]
        for r in rows
    ]
    out.print(table("Score (0–100), ranked by median", ["#", "strategy", "what it does", "median", "5–95%", "beats history", "hostile posts (median)"], trows, right={0, 3, 4, 5, 6}))
    out.print(f"{fmt_seconds(elapsed)}. Replay with: backfire compare {scenario.id} --runs {len(seeds)} --first-seed {seeds[0]} --strategies {','.join(names)}" + (f" --size {size}" if args.size else ""))
    return 0
