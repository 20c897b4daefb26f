"""Saved games: history, resume, replay (and branching)."""

from __future__ import annotations

import argparse
import shlex
from datetime import datetime

from simulator.cli import command
from simulator.output import console, fmt_int, print_json, table


def register(sub: argparse._SubParsersAction, add) -> None:
    """Add the saved-game subcommands."""
    p = add(sub, "history", "List saved games: date, scenario, team, score, finished or not.", "backfire history")
    p.add_argument("--db", metavar="FILE", help="games database (default: $BACKFIRE_DB or your data folder)")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = add(sub, "resume", "Continue a saved game (quit or crashed) in the app, or headless with --decisions.", "backfire resume 12")
    p.add_argument("game", type=int, help="game id (see `backfire history`)")
    p.add_argument("--decisions", metavar="SCRIPT", help="play these decisions headless instead of opening the app")
    p.add_argument("--db", metavar="FILE", help="games database")
    p.add_argument("--json", action="store_true", help="headless: print the saved (verified) turns and any new ones as JSON")

    p = add(sub, "replay", "Show a saved game again, verified turn by turn; --branch rewinds to --turn and plays on as a new game.", "backfire replay 12 --turn 8 --branch")
    p.add_argument("game", type=int, help="game id")
    p.add_argument("--turn", type=int, help="stop after this many turns (the rewind point)")
    p.add_argument("--branch", action="store_true", help="start a new game from --turn, linked to this one (opens the app unless --decisions)")
    p.add_argument("--decisions", metavar="SCRIPT", help="with --branch: play these decisions headless")
    p.add_argument("--db", metavar="FILE", help="games database")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    register_more(sub, add)


def register_more(sub, add) -> None:
    """facilitate and report."""
    p = add(sub, "facilitate", "Run a facilitated session: teams face the same crowd; a side-by-side board; injects; the hot wash.", 'backfire facilitate askjpm --teams "Red,Blue,Green"')
    p.add_argument("scenario", help="scenario id or path")
    p.add_argument("--teams", required=True, help='comma-separated team names, e.g. "Red,Blue,Green"')
    p.add_argument("--seed", type=int, default=1, help="random seed: every team gets this crowd (default 1)")
    p.add_argument("--size", type=_size, help="number of personas (default: the scenario's)")
    p.add_argument("--realtime", type=float, default=20.0, metavar="SECONDS", help="clock speed when realtime is switched on with r (default 20)")
    p.add_argument("--plans", metavar="TEAM=SCRIPT;…", help="headless: each team's decision script, e.g. 'Red=wait*4,cancel:apology;Blue=answer:candid*4'")
    p.add_argument("--db", metavar="FILE", help="games database")
    p.add_argument("--json", action="store_true", help="headless: print the hot wash as JSON")

    p = add(sub, "report", "Write the after-action report of a saved game (every team, if facilitated).", "backfire report 12 --format html -o aar.html")
    p.add_argument("game", type=int, help="game id (any team's, for a facilitated session)")
    p.add_argument("--format", choices=["md", "html", "json"], default="md", help="md (default), html (one self-contained file) or json")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.add_argument("--db", metavar="FILE", help="games database")


def _size(text: str) -> int:
    from simulator.commands import _size as parse

    return parse(text)


@command("facilitate")
def _facilitate(args: argparse.Namespace) -> int:
    from simulator.engine import parse_script
    from simulator.errors import BackfireError
    from simulator.facilitation import Facilitation
    from simulator.scenario import resolve

    loaded = resolve(args.scenario)
    f = Facilitation(loaded.scenario, args.teams.split(","), args.seed, args.size, _store(args), loaded.content_hash)
    if args.plans or args.json:
        plans = {}
        for part in (args.plans or "").split(";"):
            if not part.strip():
                continue
            team, sep, script = part.partition("=")
            if not sep:
                raise BackfireError(f"--plans needs TEAM=SCRIPT parts separated by ';', got {part!r}")
            if team.strip() not in f.teams:
                raise BackfireError(f"--plans names {team.strip()!r}, not one of the teams: {', '.join(f.teams)}")
            plans[team.strip()] = parse_script(loaded.scenario, script)
        f.start()
        for turn in range(loaded.scenario.clock.turns):
            for team, plan in plans.items():
                f.set_decision(team, plan.at(turn))
            f.advance()
        rows = f.hot_wash()
        if args.json:
            print_json({"facilitation": f.id, "seed": f.seed, "teams": rows})
        else:
            out = console()
            out.print(table(f"Hot wash (seed {f.seed})", ["rank", "team", "score", "history", "game", "decisions"], [[r["rank"], r["team"], f"{r['score']:.1f}", f"{r['history']:.1f}", r["game_id"], r["script"]] for r in rows], right={0, 2, 3, 4}))
            out.print(f"Report: backfire report {rows[0]['game_id']}{_db_flag(args)} --format html -o aar.html")
        return 0
    from simulator.tui.app import make_app

    make_app(realtime=args.realtime, db=args.db, facilitation=f).run()
    return 0


@command("report")
def _report(args: argparse.Namespace) -> int:
    from simulator.output import write_text
    from simulator.report import build_report, render

    write_text(render(build_report(_store(args), args.game), args.format), args.output)
    return 0


def _db_flag(args) -> str:
    """' --db FILE' when a database was named, so a printed command works as it stands."""
    return f" --db {shlex.quote(str(args.db))}" if args.db else ""


def _store(args):
    from simulator.store import Store

    return Store(args.db)


@command("history")
def _history(args: argparse.Namespace) -> int:
    store = _store(args)
    games = store.games()
    if args.json:
        print_json({"db": str(store.path), "games": [g.__dict__ for g in games]})
        return 0
    rows = [
        [g.id, datetime.fromtimestamp(g.created_at).strftime("%Y-%m-%d %H:%M"), g.scenario_id, g.team or "", f"{g.seed}", fmt_int(g.size), f"{g.turns}",
         "finished" if g.finished else "in progress", f"{g.score:.1f} vs {g.history_score:.1f}" if g.score is not None else "", f"branch of {g.parent_id} at turn {g.branch_turn}" if g.parent_id else ""]
        for g in games
    ]
    out = console()
    out.print(table(f"Saved games ({store.path})", ["id", "date", "scenario", "team", "seed", "personas", "turns", "state", "score vs history", "from"], rows, right={0, 4, 5, 6}))
    db = _db_flag(args)
    out.print(f"Continue one with: backfire resume ID{db} · look back with: backfire replay ID{db} --turn T")
    return 0


def _headless(session, script: str | None) -> list[dict]:
    from simulator.engine import parse_script

    played = []
    if script:
        plan = parse_script(session.scenario, script)
        for decision in plan.decisions:
            if session.over:
                break
            played.append(session.play(decision))
    return played


def _print_turns(out, title: str, turns: list[dict]) -> None:
    rows = [[t["turn"], f"{t['minute'] // 60}:{t['minute'] % 60:02d}", t["decision"], fmt_int(t["volume"]), fmt_int(t["hostile"]), fmt_int(t["replies"]), f"{t['reach_share']:.0%}"] for t in turns]
    out.print(table(title, ["turn", "time", "decision", "posts", "hostile", "replies", "reach"], rows, right={0, 3, 4, 5, 6}))


@command("resume")
def _resume(args: argparse.Namespace) -> int:
    from simulator.session import restore

    store = _store(args)
    session = restore(store, args.game)
    saved = list(session.metrics())
    if args.decisions or args.json:
        new = _headless(session, args.decisions)
        if args.json:
            print_json({"game": args.game, "seed": session.seed, "size": session.size, "saved_turns": saved, "new_turns": new, "finished": session.over})
        else:
            out = console()
            _print_turns(out, f"Game {args.game}: {len(saved)} saved turns, replayed and verified", saved[-5:])
            _print_turns(out, "New turns", new)
        return 0
    if session.over:
        console().print(f"Game {args.game} is finished; see it with: backfire replay {args.game}{_db_flag(args)}")
        return 0
    from simulator.tui.app import make_app

    make_app(session=session).run()
    return 0


@command("replay")
def _replay(args: argparse.Namespace) -> int:
    from simulator.session import restore

    store = _store(args)
    session = restore(store, args.game, upto=args.turn, branch=args.branch)
    shown = list(session.metrics())
    if args.branch and not (args.decisions or args.json):
        from simulator.tui.app import make_app

        make_app(session=session).run()
        return 0
    new = _headless(session, args.decisions) if args.branch else []
    if args.json:
        print_json({"game": args.game, "branch": session.game_id if args.branch else None, "turns": shown, "new_turns": new})
        return 0
    out = console()
    _print_turns(out, f"Game {args.game}, {len(shown)} turns (recomputed from the saved decisions: identical)", shown)
    if args.branch:
        _print_turns(out, f"Branch: new game {session.game_id}", new)
    return 0
