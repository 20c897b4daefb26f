"""One crowd, one run: audience, run, score."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from simulator.cli.args import (
    RUNS,
    add_command,
    add_db,
    add_json,
    add_scenario,
    add_seed,
    add_size,
    add_workers,
    crowd_size,
    whole,
)
from simulator.cli.console import Progress, console, print_json, table
from simulator.formatting import (
    fmt_bound,
    fmt_bytes,
    fmt_clock,
    fmt_count,
    fmt_int,
    fmt_metric,
    fmt_num,
    fmt_seconds,
    fmt_signed,
    fmt_value,
)

if TYPE_CHECKING:  # the schema (pydantic) loads with the first scenario, after the app's first frame
    from simulator.scenario.schema import Scenario

SCORE_FORMULA = """how the score works:
  Each dimension compares your run with history's on the same crowd (same seed,
  same random streams). A count or a share compares as a log ratio with the
  scenario's floor: points = 25 * log2((history + floor) / (you + floor)) for a
  harm (the inverse for the goal), so half the harm is +25 and twice it -25.
  A signed metric (reputation) compares as a difference: 25 * (you - history) / scale.
  Total = 50 + the weighted mean of the points; history scores 50 on every crowd.
  Harm gates the goal: a run worse than history on hostile volume and reputation
  (the scenario's `gate`) cannot score above 50, whatever its goal."""

SCRIPT_HELP = "comma-separated ACTION[:OPTION][@TARGET][*REPEAT], optionally starting with open:OPENING"


def register(sub: Any) -> None:
    """Add the run commands."""
    register_read(sub)
    p = add_command(
        sub,
        "audience",
        "Build a scenario's crowd and describe it: segments, degrees, homophily, hubs.",
        "backfire audience askjpm --size 100k --seed 7",
        _audience,
    )
    add_scenario(p)
    add_size(p)
    add_seed(p, "random seed (default 1)")
    p.add_argument(
        "--method", choices=["auto", "numpy", "networkx"], default="auto", help="graph builder (default: auto)"
    )
    p.add_argument("--export", metavar="FILE.graphml", help="write the follower graph as GraphML")
    p.add_argument("--sample", type=crowd_size, help="with --export: export an induced sample of this many personas")
    add_json(p)

    p = add_command(
        sub,
        "run",
        "Play a whole scenario headless with a decision script or a named strategy; print turns and a summary.",
        "backfire run askjpm --seed 7 --decisions 'wait*8,answer:candid@grievance*4,wait*10,cancel:accountable'",
        _run,
    )
    add_scenario(p)
    add_seed(p)
    add_size(p)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--decisions", metavar="SCRIPT", help=SCRIPT_HELP)
    group.add_argument(
        "--strategy", metavar="NAME", help="a strategy named in the scenario, or `history` (what the brand really did)"
    )
    p.add_argument(
        "--every", type=whole(1), default=1, metavar="N", help="text output: show every N-th turn (default 1)"
    )
    p.add_argument("--feed", action="store_true", help="also print the sampled feed posts")
    add_json(p, "print one JSON object with `turns` and `summary`")
    p.add_argument("--save", action="store_true", help="save the game as it goes (see `backfire history`)")
    add_db(p, "with --save: games database")

    p = add_command(
        sub,
        "score",
        "Score one run against history on the same crowd, with the reasons and the debrief; --runs N gives the range over N crowds.",
        "backfire score askjpm --decisions 'answer:candid@grievance*4,wait*92' --seed 3 --runs 20",
        _score,
        more=SCORE_FORMULA,
    )
    add_scenario(p)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--decisions", metavar="SCRIPT", help="decision script, as for `run`")
    group.add_argument("--strategy", metavar="NAME", help="a strategy named in the scenario")
    add_seed(p, "random seed (default 1); with --runs, the first of the seeds")
    add_size(p)
    p.add_argument(
        "--runs",
        type=RUNS,
        default=1,
        metavar="N",
        help="also score the plan on N crowds (seeds SEED..SEED+N-1): the share beating history, the median and 5-95%% range",
    )
    p.add_argument(
        "--others",
        action="store_true",
        help="also play the scenario's named strategies on the same crowd, and rank your run among them",
    )
    add_workers(p)
    add_json(p)


READ_MORE = """how a post is read:
  Postures are scored by the phrases of the shipped lexicon
  (simulator/language/data/postures.yaml) plus the scenario's `language.postures`;
  the strongest is primary. Signals run from 0 to 1. With --scenario, the post is
  played as the scenario's nearest option for --move (posture first, shared words
  second), and its provocation is that option's scaled by the scenario's
  `language.modifiers`: provocation x (1 + k x signal) for each modifier."""


def register_read(sub: Any) -> None:  # called by register()
    """Add `backfire read`."""
    p = add_command(
        sub,
        "read",
        "Read a brand post as the game reads a written post: postures, signals, evidence, and the option it plays as.",
        'backfire read "We got this wrong. Every file gets a second review by Friday." --scenario askjpm --reply-to grievance',
        _read,
        more=READ_MORE,
    )
    p.add_argument("case", nargs="?", metavar="SCENARIO", help="scenario id or path (the same as --scenario)")
    p.add_argument("text", help="the post, in quotes")
    p.add_argument("--scenario", metavar="ID", help="scenario id or path: its case words, modifiers and nearest option")
    p.add_argument(
        "--move",
        choices=["answer", "pause", "cancel", "open"],
        default="answer",
        help="the move that posts it (default answer)",
    )
    p.set_defaults(later=[])  # `backfire read askjpm --move open "…"`: the post after the options (cli.main)
    p.add_argument("--reply-to", metavar="KIND", help="the kind of post it answers (checks whether it answers it)")
    p.add_argument("--question", metavar="TEXT", help="the text of the post it answers")
    add_json(p, "print one JSON object: posture, postures, signals, evidence, nearest_option, provocation")


def _read(args: argparse.Namespace) -> int:
    from simulator.engine.decisions import check_text
    from simulator.errors import BackfireError
    from simulator.language.choice import choose
    from simulator.language.reader import read
    from simulator.scenario import resolve

    given = [w for w in (args.case, args.text, *args.later) if w is not None]
    if len(given) > 2:
        raise BackfireError('put the post in quotes: backfire read askjpm "We got this wrong."')
    args.case, args.text = given if len(given) == 2 else (None, given[0])
    if not args.text.strip():
        raise BackfireError('give the post to read, in quotes: backfire read "We got this wrong."')
    if args.case is not None:  # `backfire read askjpm "…"`, as `play` and `run` name their scenario
        if args.scenario is not None and args.scenario != args.case:
            raise BackfireError(f"two scenarios given ({args.case!r} and --scenario {args.scenario!r}); give one")
        args.scenario = args.case
    if args.scenario is None:
        if args.reply_to:
            raise BackfireError("--reply-to needs --scenario: a kind of post belongs to a scenario")
        reading = read(args.text, question=args.question)
        data = {**reading.as_dict(), "nearest_option": None, "provocation": None, "scenario": None}
    else:
        scenario = resolve(args.scenario).scenario
        if args.reply_to and args.reply_to not in scenario.kind_ids():
            raise BackfireError(f"unknown kind {args.reply_to!r}; known: {', '.join(scenario.kind_ids())}")
        if args.move != "answer" and (args.reply_to or args.question):
            raise BackfireError("--reply-to and --question go with --move answer")
        check_text(scenario, args.text)
        choice = choose(scenario, args.move, args.text, args.question, args.reply_to)
        reading = choice.reading
        data = {**choice.as_dict(), "scenario": scenario.id}
    if args.json:
        print_json(data)
        return 0
    out = console()
    sig = reading.signals
    out.print(f"[bold]Reads as:[/bold] {reading.label}  (primary: {reading.posture})")
    answers = sig.get("answers")
    parts = [
        f"sentiment {sig['sentiment']:+.2f}" + (" (negative)" if sig["negative"] else ""),
        f"responsibility {sig['responsibility']:.2g}",
        f"specificity {sig['specificity']:.2g}",
        f"empathy {sig['empathy']:.2g}",
        f"shouting {sig['shouting']:.2g}",
        f"inflame {sig['inflame']:.2g}",
        f"soothe {sig['soothe']:.2g}",
        f"{fmt_int(sig['length'])} characters",
    ]
    if answers is not None:
        parts.insert(4, f"answers the post: {'yes' if answers else 'no'}")
    if sig.get("humour"):
        parts.append(f"humour: {sig['humour']}")
    out.print("[bold]Signals:[/bold] " + " · ".join(parts), soft_wrap=True)
    if reading.evidence:
        rows = [[name, ", ".join(f"'{e}'" for e in found)] for name, found in reading.evidence.items()]
        out.print(table("Because", ["posture or signal", "words"], rows))
    if args.scenario is not None:
        mods = " · ".join(f"{s} {v:.2g} x {k:+.2g}" for s, v, k in choice.terms) or "none applied"
        out.print(
            f"[bold]Played as[/bold] ({data['scenario']}, {args.move}): {choice.label} · provocation "
            f"{fmt_num(choice.base_provocation)} x {choice.factor:.3g} = {fmt_num(choice.provocation)} (modifiers: {mods})",
            soft_wrap=True,
        )
    else:
        out.print("Give --scenario ID to see the option it plays as and its provocation.")
    return 0


def _audience(args: argparse.Namespace) -> int:
    from simulator.audience import build_audience
    from simulator.audience.stats import describe
    from simulator.bench.audience import peak_rss_bytes
    from simulator.scenario import resolve

    scenario = resolve(args.scenario).scenario
    progress = Progress(enabled=not args.json)
    with progress.running():
        audience = build_audience(scenario, args.seed, args.size, method=args.method, progress=progress)
    stats = describe(audience)
    stats["peak_memory_bytes"] = peak_rss_bytes()
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
        [
            r["segment"],
            f"{r['share']:.1%}",
            fmt_int(r["size"]),
            fmt_signed(r["mean_stance"]),
            fmt_num(r["mean_followers"], 1),
            fmt_num(r["mean_following"], 1),
            f"{r['follows_inside']:.0%}",
        ]
        for r in stats["segments"]
    ]
    out.print(
        table(
            "Segments",
            ["segment", "share", "personas", "mean stance", "mean followers", "mean following", "follows inside"],
            rows,
            right={1, 2, 3, 4, 5, 6},
        )
    )
    d = stats["degrees"]
    out.print(
        f"Followers per persona: mean {fmt_num(d['followers_mean'], 1)}, median {fmt_num(d['followers_median'], 0)}, "
        f"99th percentile {fmt_num(d['followers_p99'], 0)}, max {fmt_int(d['followers_max'])}. "
        f"Homophily: {stats['homophily']:.0%} of follows stay inside a segment. Brand followers: {fmt_int(stats['brand_followers'])}."
    )
    hubs = [
        [h["handle"], h["name"], h["segment"], fmt_int(h["followers"]), h["declared_hub"] or ""] for h in stats["hubs"]
    ]
    out.print(table("Largest accounts", ["handle", "name", "segment", "followers", "declared hub"], hubs, right={3}))
    out.print(
        f"Built in {fmt_seconds(stats['build_seconds'])}; peak memory (process) {fmt_bytes(stats['peak_memory_bytes'])}."
    )
    if args.export:
        e = stats["exported"]
        out.print(f"Exported {fmt_int(e['nodes'])} nodes and {fmt_int(e['edges'])} edges to {e['file']}.")
    out.print(
        f"Replay with: backfire audience {scenario.id} --size {stats['size']} --seed {stats['seed']}", soft_wrap=True
    )
    return 0


def _run(args: argparse.Namespace) -> int:
    from simulator.audience import build_audience
    from simulator.engine.decisions import parse_script, strategy_plan
    from simulator.engine.run import run
    from simulator.game.open import open_game
    from simulator.scenario import resolve
    from simulator.store import Store

    loaded = resolve(args.scenario)
    scenario = loaded.scenario
    plan = parse_script(scenario, args.decisions) if args.decisions else strategy_plan(scenario, args.strategy)
    progress = Progress(enabled=not args.json)
    with progress.running():
        audience = build_audience(scenario, args.seed, args.size, progress=progress)
    started = time.perf_counter()
    if args.save:
        session = open_game(loaded, args.seed, audience.size, store=Store(args.db))
        session.audience = audience
        session.opening, session.opening_text = plan.opening, plan.opening_text
        session.start()
        for turn in range(scenario.clock.turns):
            session.play(plan.at(turn))
        result = session.result(with_feed=args.feed)
        if session.save_problem:
            print(f"backfire: {session.save_problem}", file=sys.stderr)
        elif not args.json and session.store is not None:
            console().print(f"Saved as game {session.game_id} in {session.store.path}")
    else:
        result = run(scenario, args.seed, plan, audience=audience, with_feed=args.feed)
    elapsed = time.perf_counter() - started
    unsaved = 2 if args.save and session.save_problem else 0  # the run is shown, but a save that stopped is an error
    if args.json:
        print_json(result.as_dict(feed=args.feed))
        return unsaved
    out = console()
    out.print(f"[bold]{scenario.title}[/] — {fmt_int(audience.size)} personas, seed {args.seed}")
    out.print(f"Decisions: {plan.script()}", markup=False, soft_wrap=True)  # a script stays one line to copy
    rows = []
    for t in result.turns:
        if t["turn"] % max(args.every, 1) and t["decision"] == "wait" and not t["injects"]:
            continue
        rows.append(
            [
                fmt_clock(t["minute"], ":"),
                t["decision"],
                fmt_int(t["volume"]),
                fmt_int(t["hostile"]),
                f"{t['share_negative']:.0%}",
                fmt_int(t["replies"]),
                f"{t['reach_share']:.0%}",
                "yes" if t["trending"] else "",
                fmt_signed(t["mean_stance"], 3),
                ", ".join(t["injects"]),
            ]
        )
    out.print(
        table(
            "Turns (time after the opening post)",
            ["time", "decision", "posts", "hostile", "negative", "replies", "reach", "trending", "stance", "injects"],
            rows,
            right={2, 3, 4, 5, 6, 8},
        )
    )
    print_summary(out, result.summary, scenario)
    if args.feed and result.feed:
        for item in result.feed:
            tag = " [REAL QUOTE, " + (item.source or "") + "]" if item.real else ""
            kind = "INJECT " if item.inject else ("BRAND " if item.is_brand else "")
            if item.reply_to:
                kind += f"↳ reply to {item.reply_to} ({item.reply_about}) "
            who = "real post" if item.real else "headline" if item.headline else fmt_count(item.followers, "follower")
            counts = (
                f"[{who}, {fmt_count(item.reposts, 'repost')}"
                + (", " + fmt_count(item.replies, "reply", "replies") if item.is_brand else "")
                + "]"
            )
            out.print(
                f"{fmt_clock(item.minute, ':')} {kind}{item.handle} ({item.name}, {item.segment}, {item.kind}): {item.text}{tag}  {counts}",
                markup=False,
            )
    out.print(
        f"Ran {len(result.turns)} turns in {fmt_seconds(elapsed)}. Replay with: backfire run {scenario.id} --seed {args.seed} "
        f"--size {audience.size} --decisions {shlex.quote(plan.script())}",
        soft_wrap=True,
    )
    return unsaved


def print_summary(out: Console, s: dict[str, Any], scenario: Scenario) -> None:
    """Print a run's summary, each metric in its declared unit."""
    by_id = {seg.id: seg.label for seg in scenario.audience.segments}
    goal_askers = ", ".join(by_id.get(i, i) for i in scenario.campaign.intended_audience) or "the intended audience"
    labels = [
        ("posts_total", "posts (on the tag and replies to the brand)"),
        ("tag_posts_total", "posts on the tag (not replies)"),
        ("hostile_total", "hostile posts"),
        ("hostile_share", "hostile share of all posts"),
        ("hostile_before_cancel", "hostile posts before the cancellation"),
        ("cancel_hours", "cancelled after"),
        ("replies_to_cancel", "replies to the cancellation post"),
        ("tag_hostile_after_cancel", "hostile tag posts after the cancellation"),
        ("peak_share_negative", "peak share negative (busy hours)"),
        ("peak_volume_per_hour", "peak posts in an hour"),
        ("reach_share", "reach (share of the crowd)"),
        ("hostile_reach_share", "reach of hostile posts"),
        ("replies_to_last_brand_post", "replies to the brand's last post"),
        ("stance_change", "mean stance change"),
        ("goal_questions", f"on-topic posts from {goal_askers} while live"),
        ("press_stories", "press stories"),
        ("trending_turns", "turns trending"),
    ]
    rows = [[label, fmt_metric(name, s[name])] for name, label in labels]
    rows.append(["injects fired", ", ".join(s["injects_fired"]) or "none"])
    out.print(table("Summary", ["metric", "value"], rows, right={1}))


def _score(args: argparse.Namespace) -> int:
    from simulator.audience import build_audience
    from simulator.engine import parse_script, strategy_plan
    from simulator.scenario import resolve
    from simulator.scoring.debrief import debrief
    from simulator.scoring.paired import play_paired

    scenario = resolve(args.scenario).scenario
    plan = parse_script(scenario, args.decisions) if args.decisions else strategy_plan(scenario, args.strategy)
    progress = Progress(enabled=not args.json)
    with progress.running():
        audience = build_audience(scenario, args.seed, args.size, progress=progress)
    pair = play_paired(scenario, args.seed, plan, audience)
    report = debrief(scenario, plan, pair.history)
    spread = None
    if args.runs > 1:
        from simulator.scoring.paired import score_range

        with progress.running():
            spread = score_range(
                scenario, plan, list(range(args.seed, args.seed + args.runs)), args.size, args.workers, progress
            )
    others = None
    if args.others:
        from simulator.scoring.paired import other_plays

        others = other_plays(scenario, args.seed, audience)
    if args.json:
        print_json(
            {
                "scenario": scenario.id,
                "seed": args.seed,
                "size": audience.size,
                "score": pair.score.as_dict(),
                "range": spread.as_dict() if spread else None,
                "others": [{"id": o.id, "label": o.label, "score": o.score} for o in others] if others else None,
                "debrief": report.as_dict(),
                "summary": pair.mine.summary,
                "history_summary": pair.history.summary,
            }
        )
        return 0
    print_score(console(), scenario, pair.score, report, spread, others)
    return 0


def print_score(
    out: Console, scenario: Scenario, score: Any, report: Any, spread: Any = None, others: Any = None
) -> None:
    """Print a paired score, the reasons for its verdict, its range over crowds and the other plays (when asked), and the debrief."""
    out.print(
        f"[bold]Your run vs history[/] — seed {score.seed}, {fmt_int(score.size)} personas (the same crowd for both)"
    )
    out.print(f"You:     {score.script}\nHistory: {score.history_script}", markup=False, soft_wrap=True)
    rows = [
        [
            d.label,
            d.better,
            fmt_metric(d.metric, d.you),
            fmt_metric(d.metric, d.history),
            fmt_metric(d.metric, d.difference, signed=True),
            f"{d.points:+.1f}",
            fmt_num(d.weight, 0),
        ]
        for d in score.dimensions
    ]
    out.print(
        table(
            "Score by dimension (points against history: +25 is half its harm, -25 twice it)",
            ["dimension", "better", "you", "history", "difference", "points", "weight"],
            rows,
            right={2, 3, 4, 5, 6},
        )
    )
    out.print(
        f"[bold]Total: {score.total:.1f} vs history {score.history_total:.1f}[/] — {score.verdict} what {scenario.brand.name} did, on this crowd."
    )
    for reason in score.reasons:
        out.print(f"  {reason}", markup=False)
    if spread is not None:
        out.print(f"[bold]{spread.sentence()}[/]")
    if others:
        ranked = sorted(
            [(o.score, o.label) for o in others]
            + [(score.total, "Your run"), (score.history_total, f"What {scenario.brand.name} did")],
            key=lambda row: -row[0],
        )
        out.print(
            table(
                "Other plays on this same crowd (the scenario's named strategies)",
                ["score", "play"],
                [[f"{total:.1f}", label] for total, label in ranked],
                right={0},
            )
        )
    labels = {s.id: s.label for s in scenario.audience.segments}
    seg_rows = [
        [labels.get(seg, seg), fmt_signed(a, 3), fmt_signed(b, 3)]
        for seg, (a, b) in score.stance_change_by_segment.items()
    ]
    out.print(table("Reputation: stance change by segment", ["segment", "you", "history"], seg_rows, right={1, 2}))
    out.print("[bold]Debrief: what the sources say about your decisions[/]")
    for r in report.reviews:
        out.print(
            f"• {r.headline()}"
            + (
                "  [yellow](the sources disagree: one praises this move, another faults it)[/]"
                if r.disagreement
                else ""
            )
        )
        if r.reading:
            out.print(f"    [italic]{escape(r.reading)}[/]", soft_wrap=True)
        if not r.lessons:
            out.print("    no source speaks to this move directly")
        for lesson in r.lessons:
            out.print(
                f"    {lesson.label.upper():8s} {lesson.cited} — {lesson.source_title}"
                + (f", {lesson.publisher}" if lesson.publisher else ""),
                markup=False,
            )
            out.print(f"             [dim]{escape(lesson.summary)}[/]", soft_wrap=True)  # what it means for this move
    out.print("[bold]What really happened[/]")
    for w in report.what_happened:
        out.print(f"• {w['when']}: {w['text']} ({w['source_title']})", markup=False)
    f = report.history_figures
    if f and f["targets"]:
        out.print("On this crowd the historical decisions gave:")
        for t in f["targets"]:
            out.print(
                f"• {t['label']}: {fmt_value(t['value'])} (documented {fmt_bound(t['min'], t['max'])}, {t['source_title']})",
                markup=False,
            )
        if f["note"]:
            out.print(f["note"], markup=False)
    out.print(
        f"Replay with: backfire score {scenario.id} --seed {score.seed} --size {score.size} --decisions {shlex.quote(score.script)}",
        soft_wrap=True,
    )
