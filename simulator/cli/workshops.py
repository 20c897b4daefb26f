"""Workshops: a facilitated session, teams on one crowd, the hot wash."""

from __future__ import annotations

import argparse
from typing import Any

from simulator.cli.args import add_command, add_db, add_json, add_seed, add_size, db_flag, seconds, whole
from simulator.cli.console import console, print_json, table
from simulator.errors import BackfireError


def register(sub: Any) -> None:
    """Add the workshop commands."""
    p = add_command(
        sub,
        "facilitate",
        "Run a facilitated session: teams face the same crowd; a side-by-side board; injects; the hot wash.",
        'backfire facilitate askjpm --teams "Red,Blue,Green" --serve',
        _facilitate,
    )
    p.add_argument("scenario", nargs="?", help="scenario id or path (omit with --resume)")
    p.add_argument("--teams", help='comma-separated team names, e.g. "Red,Blue,Green"; each gets a join code')
    p.add_argument(
        "--resume", metavar="SESSION", help="resume a saved workshop (its id or a team's code; see `backfire sessions`)"
    )
    p.add_argument(
        "--serve",
        action="store_true",
        help="also serve team screens in a browser (textual-serve): teams open the URL and type their code",
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="address --serve listens on (default 127.0.0.1: this machine only)"
    )
    p.add_argument("--port", type=whole(1, 65535), default=8000, help="port --serve listens on (default 8000)")
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

    p = add_command(
        sub,
        "sessions",
        "List workshops: their teams and join codes, state and turn.",
        "backfire sessions",
        _sessions,
    )
    add_db(p)
    add_json(p)

    p = add_command(
        sub,
        "join",
        "Open your team's screen in a workshop: its feed, charts and clock; your moves go to the facilitator.",
        "backfire join RED-4821",
        _join,
    )
    p.add_argument(
        "code", nargs="?", help="your team's join code from the facilitator's board (omit to type it in the app)"
    )
    p.add_argument(
        "--move", metavar="MOVE", help="headless: send this move for the open turn, e.g. answer:candid or wait"
    )
    p.add_argument(
        "--opening",
        metavar="OPENING",
        help='headless: choose the opening before the clock, e.g. open_ask or "Your words"',
    )
    add_db(p)
    add_json(p, "headless: print the team's seat (turn, state, move, feed) as JSON")

    p = add_command(
        sub,
        "board",
        "The room's board for a projector: every team side by side, read-only.",
        "backfire board RED-4821",
        _board,
    )
    p.add_argument("session", help="a workshop's id (or its start) or any of its teams' codes")
    add_db(p)
    add_json(p, "headless: print the room once as JSON")


def _sessions(args: argparse.Namespace) -> int:
    from simulator.store import Store

    store = Store(args.db, create=False)
    rows: list[dict[str, Any]] = []
    for w in store.workshops():
        seats = store.seats(w.id, views=False)
        rows.append(
            {
                "id": w.id,
                "created": w.created_at,
                "scenario": w.scenario,
                "seed": w.seed,
                "size": w.size,
                "state": w.state,
                "turn": w.turn,
                "clock": w.clock,
                "teams": [{"team": s.team, "code": s.code, "game": s.game_id} for s in seats],
            }
        )
    if args.json:
        print_json({"sessions": rows})
        return 0
    if not rows:
        console().print(f'No workshops in {store.path} yet. Start one: backfire facilitate askjpm --teams "Red,Blue"')
        return 0
    from datetime import datetime

    console().print(
        table(
            "Workshops",
            ["id", "started", "scenario", "state", "turn", "teams and codes"],
            [
                [
                    r["id"],
                    datetime.fromtimestamp(r["created"]).strftime("%Y-%m-%d %H:%M"),
                    r["scenario"] if len(r["scenario"]) < 30 else "…" + r["scenario"][-28:],
                    r["state"],
                    r["turn"],
                    ", ".join(f"{t['team']} {t['code']}" for t in r["teams"]),
                ]
                for r in rows
            ],
            right={4},
        )
    )
    console().print(f"A team joins with: backfire join CODE{db_flag(args)} · resume: backfire facilitate --resume ID")
    return 0


def _join(args: argparse.Namespace) -> int:
    from simulator.engine import parse_script
    from simulator.game.seat import Seat
    from simulator.store import Store

    if args.code is None:
        if args.move or args.opening or args.json:
            raise BackfireError("--move, --opening and --json need the team's code: backfire join CODE --move wait")
        from simulator.tui.app import make_app

        app = make_app(db=args.db, joining=True)
        app.run()
        return app.return_code or 0
    seat = Seat(Store(args.db, create=False), args.code)
    if args.opening:
        text = args.opening
        if text in seat.scenario.option_ids()["open"]:
            seat.choose_opening(text)
        else:
            seat.choose_opening("", text)
    if args.move:
        seat.submit(parse_script(seat.scenario, args.move).decisions[0])
    if args.move or args.opening or args.json:
        seat.refresh()
        pending = seat.pending
        data = {
            "workshop": seat.workshop_id,
            "team": seat.team,
            "code": seat.code,
            "state": seat.state,
            "turn": seat.turn,
            "clock": seat.clock_text(),
            "opening": f"open:{seat.opening}" if seat.opening_text is None else seat.opening_text,
            "move": str(pending) if pending is not None else None,
            "move_by": seat.pending_by,
            "game": seat.game_id,
            "feed": [item.as_dict() for item in seat.feed(20)],
        }
        if args.json:
            print_json(data)
        else:
            console().print(
                f"{seat.team} ({seat.code}) at {data['clock']}, {seat.state}: "
                + (f"move {data['move']} sent" if data["move"] else f"opening {data['opening']}")
            )
        return 0
    if seat.state == "over":
        raise BackfireError(
            f"{seat.code} is a code of workshop {seat.workshop_id}, which is over: ask the facilitator for this "
            f"session's code (`backfire sessions` lists them); {seat.team}'s report: backfire report {seat.game_id}"
        )
    from simulator.tui.app import make_app

    app = make_app(db=args.db, seat=seat)
    app.run()
    return app.return_code or 0


def _board(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from simulator.game.room import RoomReader, find_workshop
    from simulator.store import Store

    store = Store(args.db, create=False)
    reader = RoomReader(store, find_workshop(store, args.session))
    if args.json:
        print_json(asdict(reader.read()))
        return 0
    from simulator.tui.app import make_app

    app = make_app(db=args.db, board=reader)
    app.run()
    return app.return_code or 0


def _facilitate(args: argparse.Namespace) -> int:
    from simulator.engine import parse_script
    from simulator.engine.decisions import split_script
    from simulator.game.facilitation import Facilitation
    from simulator.scenario import resolve
    from simulator.store import Store

    if args.resume:
        if args.scenario or args.teams:
            raise BackfireError("--resume takes the saved session's scenario and teams: drop SCENARIO and --teams")
        if args.plans or args.json or args.notes:
            raise BackfireError(
                "--resume opens the facilitator's console; --plans, --notes and --json start a new session"
            )
        from simulator.game.room import find_workshop

        store = Store(args.db, create=False)
        f = Facilitation.resume(store, find_workshop(store, args.resume))
        return _console(args, f)
    if not args.scenario or not args.teams:
        raise BackfireError(
            'facilitate needs a scenario and --teams, e.g. backfire facilitate askjpm --teams "Red,Blue"'
        )
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
            print_json({"facilitation": f.id, "seed": f.seed, "codes": f.codes, "teams": rows})
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
    if args.notes:
        raise BackfireError("--notes is for a headless session (with --plans or --json); in the console press n")
    return _console(args, f)


def _console(args: argparse.Namespace, f: Any) -> int:
    """The facilitator's console, with team screens served in a browser when --serve says so."""
    from contextlib import nullcontext

    from simulator.tui.app import make_app

    assert f.store is not None, "a workshop lives in the games database"
    served: Any = nullcontext()
    if args.serve:
        from simulator.tui.serve import Served

        served = Served(f.store.path, args.host, args.port)
    with served as server:
        url = server.url if server is not None else None
        if url:
            console().print(f"Team screens are served at {url} (each team opens it and types its code).")
        app = make_app(realtime=args.realtime, db=args.db, facilitation=f, serve_url=url)
        try:
            app.run()
        finally:
            f.leave()
    if url:
        console().print(f"Team screens were served at {url}; the server has stopped.")
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
