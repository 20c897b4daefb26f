"""Engine-level subcommands (run) and the engine benchmark."""

from __future__ import annotations

import argparse
import os
import time

from simulator.cli import command
from simulator.output import Progress, console, fmt_int, fmt_seconds, print_json, table


def _size(text: str) -> int:
    from simulator.commands import _size as parse

    return parse(text)


def register(sub: argparse._SubParsersAction, add) -> None:
    """Add the engine's subcommands."""
    p = add(
        sub,
        "run",
        "Play a whole scenario headless with a decision script or a named strategy; print turns and a summary.",
        "backfire run askjpm --seed 7 --decisions 'wait*8,answer:candid@grievance*4,wait*10,cancel:accountable'",
    )
    p.add_argument("scenario", help="scenario id or path")
    p.add_argument("--seed", type=int, default=1, help="random seed: same seed, same crowd and same run (default 1)")
    p.add_argument("--size", type=_size, help="number of personas (default: the scenario's)")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--decisions", metavar="SCRIPT", help="comma-separated ACTION[:OPTION][@TARGET][*REPEAT], optionally starting with open:OPENING")
    group.add_argument("--strategy", metavar="NAME", help="a strategy named in the scenario, or `history` (what the brand really did)")
    p.add_argument("--every", type=int, default=1, metavar="N", help="text output: show every N-th turn (default 1)")
    p.add_argument("--feed", action="store_true", help="also print the sampled feed posts")
    p.add_argument("--json", action="store_true", help="print one JSON object with `turns` and `summary`")

    p.add_argument("--save", action="store_true", help="save the game as it goes (see `backfire history`)")
    p.add_argument("--db", metavar="FILE", help="with --save: games database")

    from simulator import commands_scoring, commands_store

    commands_scoring.register(sub, add)
    commands_store.register(sub, add)


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@command("run")
def _run(args: argparse.Namespace) -> int:
    from simulator.audience import build_audience
    from simulator.engine.decisions import parse_script, strategy_plan
    from simulator.engine.run import run
    from simulator.scenario import resolve

    scenario = resolve(args.scenario).scenario
    plan = parse_script(scenario, args.decisions) if args.decisions else strategy_plan(scenario, args.strategy)
    progress = Progress(enabled=not args.json)
    with progress.running():
        audience = build_audience(scenario, args.seed, args.size, progress=progress)
    started = time.perf_counter()
    if args.save:
        from simulator.scenario import resolve as _resolve
        from simulator.session import Session
        from simulator.store import Store

        loaded = _resolve(args.scenario)
        session = Session(scenario, args.seed, audience.size, store=Store(args.db), scenario_hash=loaded.content_hash)
        session.audience = audience
        session.opening = plan.opening
        session.start()
        for turn in range(scenario.clock.turns):
            session.play(plan.at(turn))
        result = session.game.result(with_feed=args.feed)
        if not args.json:
            console().print(f"Saved as game {session.game_id} in {session.store.path}")
    else:
        result = run(scenario, args.seed, plan, audience=audience, with_feed=args.feed)
    elapsed = time.perf_counter() - started
    if args.json:
        print_json(result.as_dict(feed=args.feed))
        return 0
    out = console()
    out.print(f"[bold]{scenario.title}[/] — {fmt_int(audience.size)} personas, seed {args.seed}")
    out.print(f"Decisions: {plan.script()}")
    rows = []
    for t in result.turns:
        if t["turn"] % max(args.every, 1) and t["decision"] == "wait" and not t["injects"]:
            continue
        rows.append(
            [
                _clock(t["minute"]), t["decision"], fmt_int(t["volume"]), fmt_int(t["hostile"]), f"{t['share_negative']:.0%}",
                fmt_int(t["replies"]), f"{t['reach_share']:.0%}", "yes" if t["trending"] else "", f"{t['mean_stance']:+.3f}",
                ", ".join(t["injects"]),
            ]
        )
    out.print(table("Turns (time after the opening post)", ["time", "decision", "posts", "hostile", "negative", "replies", "reach", "trending", "stance", "injects"], rows, right={2, 3, 4, 5, 6, 8}))
    _print_summary(out, result.summary, scenario)
    if args.feed and result.feed:
        for item in result.feed:
            tag = " [REAL QUOTE, " + (item.source or "") + "]" if item.real else ""
            kind = "INJECT " if item.inject else ("BRAND " if item.is_brand else "")
            out.print(f"{_clock(item.minute)} {kind}{item.handle} ({item.name}, {item.segment}, {item.kind}): {item.text}{tag}  "
                      f"[{fmt_int(item.followers)} followers, {fmt_int(item.reposts)} reposts" + (f", {fmt_int(item.replies)} replies" if item.is_brand else "") + "]", markup=False)
    out.print(f"Ran {len(result.turns)} turns in {fmt_seconds(elapsed)}. Replay with: backfire run {scenario.id} --seed {args.seed} --size {audience.size} --decisions '{plan.script()}'")
    return 0


def _print_summary(out, s: dict, scenario) -> None:
    def opt(value, fmt=fmt_int):
        return "—" if value is None else fmt(value)

    by_id = {seg.id: seg.label for seg in scenario.audience.segments}
    goal_askers = ", ".join(by_id.get(i, i) for i in scenario.campaign.intended_audience) or "the intended audience"
    rows = [
        ["posts (on the tag and replies to the brand)", fmt_int(s["posts_total"])],
        ["posts on the tag (not replies)", fmt_int(s["tag_posts_total"])],
        ["hostile posts", fmt_int(s["hostile_total"])],
        ["hostile share of all posts", f"{s['hostile_share']:.0%}"],
        ["hostile posts before the cancellation", opt(s["hostile_before_cancel"])],
        ["cancelled after", opt(s["cancel_hours"], lambda v: f"{v:.2f} h")],
        ["replies to the cancellation post", opt(s["replies_to_cancel"])],
        ["hostile tag posts after the cancellation", opt(s["tag_hostile_after_cancel"])],
        ["peak share negative (busy hours)", f"{s['peak_share_negative']:.0%}"],
        ["peak posts in an hour", fmt_int(s["peak_volume_per_hour"])],
        ["reach (share of the crowd)", f"{s['reach_share']:.0%}"],
        ["reach of hostile posts", f"{s['hostile_reach_share']:.0%}"],
        ["replies to the brand's last post", fmt_int(s["replies_to_last_brand_post"])],
        ["mean stance change", f"{s['stance_change']:+.3f}"],
        [f"on-topic posts from {goal_askers} while live", fmt_int(s["goal_questions"])],
        ["press stories", fmt_int(s["press_stories"])],
        ["turns trending", fmt_int(s["trending_turns"])],
        ["injects fired", ", ".join(s["injects_fired"]) or "none"],
    ]
    out.print(table("Summary", ["metric", "value"], rows, right={1}))


def bench(args: argparse.Namespace, progress: Progress) -> int:
    """Run the engine or app benchmarks."""
    if args.what == "engine":
        from simulator.bench import bench_engine

        sizes = [_size(s) for s in args.sizes.split(",")] if args.sizes else [100_000, 1_000_000]
        with progress.running():
            result = bench_engine(args.scenario, sizes, progress)
        if args.json:
            print_json(result)
            return 0
        from simulator.bench import print_engine

        print_engine(console(), result)
        return 0
    from simulator.tui.bench import bench_app, print_app  # the app benchmark needs the app

    result = bench_app(args.scenario)
    if args.json:
        print_json(result)
    else:
        print_app(console(), result)
    return 0


__all__ = ["register", "bench", "os"]
