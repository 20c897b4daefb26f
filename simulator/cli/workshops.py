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
    p.add_argument(
        "--notes",
        metavar="TEAM@TURN=TEXT;…",
        help="headless: evaluators' notes, each on a team before turn TURN (0 = the start), "
        "e.g. 'Red@4=Waited for legal;Blue@10=Good holding line'",
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
        notes = _notes(args.notes or "", f.teams, loaded.scenario.clock.turns)
        f.start()
        for turn in range(loaded.scenario.clock.turns):
            for team, text in notes.get(turn, []):
                f.add_note(team, text)
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

    if args.notes:
        raise BackfireError("--notes is for a headless session (with --plans or --json); in the console press n")
    app = make_app(realtime=args.realtime, db=args.db, facilitation=f)
    app.run()
    return app.return_code or 0


def _notes(text: str, teams: list[str], turns: int) -> dict[int, list[tuple[str, str]]]:
    """Parse --notes 'TEAM@TURN=TEXT;…' (quote-aware, like --plans) into {turn: [(team, text)]}."""
    from simulator.engine.decisions import split_script, unquote

    out: dict[int, list[tuple[str, str]]] = {}
    for part in split_script(text, ";"):
        if not part.strip():
            continue
        head, sep, note = part.partition("=")
        team, at, turn = head.partition("@")
        if not sep or not at:
            raise BackfireError(f"--notes needs TEAM@TURN=TEXT parts separated by ';', got {part.strip()!r}")
        if team.strip() not in teams:
            raise BackfireError(f"--notes names {team.strip()!r}, not one of the teams: {', '.join(teams)}")
        if not turn.strip().isdigit() or int(turn) >= turns:
            raise BackfireError(f"--notes: the turn in {part.strip()!r} must be a whole number from 0 to {turns - 1}")
        note = note.strip()
        if len(note) >= 2 and note[0] == note[-1] == '"':
            note = unquote(note)
        out.setdefault(int(turn), []).append((team.strip(), note))
    return out
