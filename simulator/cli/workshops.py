"""Workshops: a facilitated session, teams on one crowd, the hot wash."""

from __future__ import annotations

import argparse
from typing import Any

from simulator.cli.args import add_command, add_db, add_json, add_scenario, add_seed, add_size, db_flag, seconds
from simulator.cli.console import console, print_json, table
from simulator.errors import BackfireError


def register(sub: Any) -> None:
    """Add the workshop commands."""
    p = add_command(
        sub,
        "facilitate",
        "Run a facilitated session: teams face the same crowd; a side-by-side board; injects; the hot wash.",
        'backfire facilitate askjpm --teams "Red,Blue,Green"',
        _facilitate,
    )
    add_scenario(p)
    p.add_argument("--teams", required=True, help='comma-separated team names, e.g. "Red,Blue,Green"')
    add_seed(p, "random seed: every team gets this crowd (default 1)")
    add_size(p)
    p.add_argument(
        "--realtime",
        type=seconds,
        default=20.0,
        metavar="SECONDS",
        help="clock speed when realtime is switched on with r (default 20)",
    )
    p.add_argument(
        "--plans",
        metavar="TEAM=SCRIPT;…",
        help="headless: each team's decision script, e.g. 'Red=wait*4,cancel:apology;Blue=answer:candid*4'",
    )
    add_db(p)
    add_json(p, "headless: print the hot wash as JSON")


def _facilitate(args: argparse.Namespace) -> int:
    from simulator.engine import parse_script
    from simulator.engine.decisions import split_script
    from simulator.game.facilitation import Facilitation
    from simulator.scenario import resolve
    from simulator.store import Store

    loaded = resolve(args.scenario)
    f = Facilitation(loaded, args.teams.split(","), args.seed, args.size, Store(args.db))
    if args.plans or args.json:
        plans = {}
        for part in split_script(args.plans or "", ";"):  # a written post may hold ';' inside its quotes
            if not part.strip():
                continue
            team, sep, script = part.partition("=")
            if not sep:
                raise BackfireError(f"--plans needs TEAM=SCRIPT parts separated by ';', got {part!r}")
            if team.strip() not in f.teams:
                raise BackfireError(f"--plans names {team.strip()!r}, not one of the teams: {', '.join(f.teams)}")
            plans[team.strip()] = parse_script(loaded.scenario, script)
        for team, plan in plans.items():  # each team's own opening, an option or its own words
            f.sessions[team].choose_opening(plan.opening, plan.opening_text)
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
            out.print(
                table(
                    f"Hot wash (seed {f.seed})",
                    ["rank", "team", "score", "history", "game", "decisions"],
                    [
                        [r["rank"], r["team"], f"{r['score']:.1f}", f"{r['history']:.1f}", r["game_id"], r["script"]]
                        for r in rows
                    ],
                    right={0, 2, 3, 4},
                )
            )
            out.print(
                f"Report: backfire report {rows[0]['game_id']}{db_flag(args)} --format html -o aar.html", soft_wrap=True
            )
        return 0
    from simulator.tui.app import make_app

    app = make_app(realtime=args.realtime, db=args.db, facilitation=f)
    app.run()
    return app.return_code or 0
