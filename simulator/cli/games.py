"""Games: play, and saved games (history, resume, replay, report)."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from rich.console import Console

from simulator.cli.args import GAME_ID, add_command, add_db, add_json, add_seed, add_size, db_flag, seconds, whole
from simulator.cli.console import console, print_json, table, write_text
from simulator.errors import BackfireError
from simulator.formatting import fmt_clock, fmt_int

DB_HELP = "games database (default: $BACKFIRE_DB or your data folder)"


def register(sub: Any) -> None:
    """Add the game commands."""
    p = add_command(
        sub,
        "play",
        "Play a scenario in the terminal app (picker, briefing, live feed, debrief).",
        "backfire play askjpm --seed 1",
        _play,
    )
    p.add_argument("scenario", nargs="?", help="scenario id or path (omit to pick one)")
    add_seed(p, "random seed: same seed, same crowd (default 1)")
    add_size(p)
    p.add_argument(
        "--realtime",
        type=seconds,
        metavar="SECONDS",
        help="advance the clock every SECONDS on its own; an untaken decision is wait",
    )
    add_db(p, DB_HELP + "; every game is saved as it goes")
    p.add_argument(
        "--crowds",
        type=whole(0, 10_000),
        default=10,
        metavar="N",
        help="after the game, score your decisions on N crowds like this one to see how often they beat history (default 10; 0 skips)",
    )

    p = add_command(
        sub, "history", "List saved games: date, scenario, team, score, finished or not.", "backfire history", _history
    )
    add_db(p, DB_HELP)
    add_json(p)

    p = add_command(
        sub,
        "resume",
        "Continue a saved game (quit or crashed) in the app, or headless with --decisions.",
        "backfire resume 12",
        _resume,
    )
    p.add_argument("game", type=GAME_ID, help="game id (see `backfire history`)")
    p.add_argument("--decisions", metavar="SCRIPT", help="play these decisions headless instead of opening the app")
    add_db(p)
    add_json(p, "headless: print the saved (verified) turns and any new ones as JSON")

    p = add_command(
        sub,
        "replay",
        "Show a saved game again, verified turn by turn; --branch rewinds to --turn and plays on as a new game.",
        "backfire replay 12 --turn 8 --branch",
        _replay,
    )
    p.add_argument("game", type=GAME_ID, help="game id")
    p.add_argument("--turn", type=whole(0), help="stop after this many turns (the rewind point)")
    p.add_argument(
        "--branch",
        action="store_true",
        help="start a new game from --turn, linked to this one (opens the app unless --decisions)",
    )
    p.add_argument("--decisions", metavar="SCRIPT", help="with --branch: play these decisions headless")
    add_db(p)
    add_json(p)

    p = add_command(
        sub,
        "report",
        "Write the after-action report of a saved game (every team, if facilitated).",
        "backfire report 12 --format html -o aar.html",
        _report,
    )
    p.add_argument("game", type=GAME_ID, help="game id (any team's, for a facilitated session)")
    p.add_argument(
        "--format",
        choices=["md", "html", "json"],
        default="md",
        help="md (default), html (one self-contained file) or json",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    add_db(p)


def _play(args: argparse.Namespace) -> int:
    if args.realtime is not None and args.realtime <= 0:
        raise BackfireError("--realtime needs a positive number of seconds")
    if args.scenario:
        from simulator.scenario.registry import locate, resolve

        # A missing file or unknown id is a clear error before the screen clears; a file
        # that does not validate makes the app exit with the same file:line message.
        if locate(args.scenario) is None:
            resolve(args.scenario)
    from simulator.tui.app import make_app  # the CLI reaches the UI only here and in resume, replay and facilitate

    if args.crowds < 0:
        raise BackfireError("--crowds needs 0 or more crowds")
    app = make_app(args.scenario, args.seed, args.size, args.realtime, db=args.db, crowds=args.crowds)
    app.run()
    return app.return_code or 0


def _store(args: argparse.Namespace) -> Any:
    """The games database of a command that looks back: it must exist already (nothing is created)."""
    from simulator.store import Store

    return Store(args.db, create=False)


def _report(args: argparse.Namespace) -> int:
    from simulator.report import build_report, render

    write_text(render(build_report(_store(args), args.game), args.format), args.output)
    return 0


def _history(args: argparse.Namespace) -> int:
    from simulator.store import default_db_path

    if args.db is None and not default_db_path().exists():
        # Nothing saved yet in the default place: an empty list, and nothing created.
        if args.json:
            print_json({"db": str(default_db_path()), "games": []})
        else:
            console().print(f"No saved games yet ({default_db_path()}). Start one with: backfire play askjpm")
        return 0
    store = _store(args)
    games = store.games()
    if args.json:
        print_json({"db": str(store.path), "games": [g.__dict__ for g in games]})
        return 0
    rows = [
        [
            g.id,
            datetime.fromtimestamp(g.created_at).strftime("%Y-%m-%d %H:%M"),
            g.scenario_id,
            g.team or "",
            f"{g.seed}",
            fmt_int(g.size),
            f"{g.turns}",
            "finished" if g.finished else "in progress",
            f"{g.score:.1f} vs {g.history_score:.1f}" if g.score is not None else "",
            f"branch of {g.parent_id} at turn {g.branch_turn}" if g.parent_id else "",
        ]
        for g in games
    ]
    out = console()
    out.print(
        table(
            f"Saved games ({store.path})",
            ["id", "date", "scenario", "team", "seed", "personas", "turns", "state", "score vs history", "from"],
            rows,
            right={0, 4, 5, 6},
        )
    )
    db = db_flag(args)
    out.print(
        f"Continue one with: backfire resume ID{db} · look back with: backfire replay ID{db} --turn T", soft_wrap=True
    )
    return 0


def _headless(session: Any, script: str | None) -> list[dict[str, Any]]:
    from simulator.engine import parse_script

    played = []
    if script:
        plan = parse_script(session.scenario, script)
        for decision in plan.decisions:
            if session.over:
                break
            played.append(session.play(decision))
    return played


def _print_turns(out: Console, title: str, turns: list[dict[str, Any]]) -> None:
    rows = [
        [
            t["turn"],
            fmt_clock(t["minute"], ":"),
            t["decision"],
            fmt_int(t["volume"]),
            fmt_int(t["hostile"]),
            fmt_int(t["replies"]),
            f"{t['reach_share']:.0%}",
        ]
        for t in turns
    ]
    out.print(
        table(title, ["turn", "time", "decision", "posts", "hostile", "replies", "reach"], rows, right={0, 3, 4, 5, 6})
    )


def _opening_words(session: Any) -> str:
    """How the game opened, in words: the option's label, or the player's own words and the option played."""
    from simulator.engine.decisions import Decision, describe

    sc = session.scenario
    if session.opening_text is not None:
        label = next((o.label for o in sc.campaign.openings if o.id == session.opening), session.opening)
        return f"{describe(sc, Decision('open', text=session.opening_text))} (played as: {label})"
    return describe(sc, Decision("open", session.opening))


def _note_version(session: Any) -> None:
    """Say, on stderr (JSON stays clean on stdout), that a restored game's case file has changed since."""
    if session.version_note:
        console(stderr=True).print(f"note: {session.version_note}", markup=False, soft_wrap=True)


def _finished(out: Any, session: Any, args: argparse.Namespace) -> None:
    """When a headless resume or branch finished the game: its score against history, and where the debrief is."""
    if not session.over:
        return
    score = session.score()
    out.print(
        f"Game {session.game_id} finished: {score.total:.1f} against history's {score.history_total:.1f}, "
        f"{score.verdict} what really happened on this crowd (seed {session.seed}, {session.size:,} personas). "
        f"The debrief: backfire report {session.game_id}{db_flag(args)}",
        soft_wrap=True,
        markup=False,
    )


def _resume(args: argparse.Namespace) -> int:
    from simulator.game.replay import restore

    session = restore(_store(args), args.game)
    _note_version(session)
    saved = list(session.metrics())
    if args.decisions or args.json:
        new = _headless(session, args.decisions)
        if args.json:
            print_json(
                {
                    "game": args.game,
                    "seed": session.seed,
                    "size": session.size,
                    "saved_turns": saved,
                    "new_turns": new,
                    "finished": session.over,
                    "score": session.score().total if session.over else None,
                }
            )
        else:
            out = console()
            _print_turns(out, f"Game {args.game}: {len(saved)} saved turns, replayed and verified", saved[-5:])
            _print_turns(out, "New turns", new)
            _finished(out, session, args)
        return 0
    if session.over:
        console().print(
            f"Game {args.game} is finished; see it with: backfire replay {args.game}{db_flag(args)}", soft_wrap=True
        )
        return 0
    from simulator.tui.app import make_app

    app = make_app(session=session)
    app.run()
    return app.return_code or 0


def _replay(args: argparse.Namespace) -> int:
    from simulator.game.replay import restore

    store = _store(args)
    if args.branch and args.decisions:
        # Read the script before the branch is created: a typo must not leave a new, empty game behind.
        from simulator.engine import parse_script
        from simulator.scenario.registry import resolve

        parse_script(resolve(store.game(args.game).scenario_id).scenario, args.decisions)
    session = restore(store, args.game, upto=args.turn, branch=args.branch)
    _note_version(session)
    shown = list(session.metrics())
    if args.branch and not (args.decisions or args.json):
        from simulator.tui.app import make_app

        app = make_app(session=session)
        app.run()
        return app.return_code or 0
    new = _headless(session, args.decisions) if args.branch else []
    if args.json:
        print_json(
            {
                "game": args.game,
                "branch": session.game_id if args.branch else None,
                "opening": {"option": session.opening, "text": session.opening_text},
                "turns": shown,
                "new_turns": new,
                "score": session.score().total if args.branch and session.over else None,
            }
        )
        return 0
    out = console()
    out.print(_opening_words(session), markup=False, soft_wrap=True)
    _print_turns(out, f"Game {args.game}, {len(shown)} turns (recomputed from the saved decisions: identical)", shown)
    if args.branch:
        _print_turns(out, f"Branch: new game {session.game_id}", new)
        _finished(out, session, args)
    return 0
