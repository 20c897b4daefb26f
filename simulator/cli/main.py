"""`backfire`: the command line, headless twin of everything the app does.

Each family of commands adds its own subparsers (`set_defaults(handler=…)`);
this module builds the parser, dispatches, and is the one error edge: user
mistakes (bad files, unknown options) raise BackfireError, are printed here
without a traceback, and exit with code 2. Anything else is a bug: one line
says what failed and where the traceback was written, and the exit code is 70.
"""

from __future__ import annotations

import argparse
import sys

from simulator import __version__
from simulator.cli import bench, games, runs, scenarios, sweeps, workshops
from simulator.cli.args import Formatter, Parser
from simulator.crash import EXIT_SOFTWARE, one_line, raising
from simulator.errors import BackfireError

FAMILIES = (scenarios, runs, sweeps, games, workshops, bench)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every command."""
    parser = Parser(
        prog="backfire",
        description="Backfire: practise crisis response to a hashtag storm, on a seeded synthetic crowd.",
        epilog="examples:\n  backfire play askjpm\n  backfire run askjpm --strategy history --seed 7\n  backfire list",
        formatter_class=Formatter,
    )
    parser.add_argument("--version", action="version", version=f"backfire {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for family in FAMILIES:
        family.register(sub)
    return parser


def _command_parser(parser: argparse.ArgumentParser, command: str | None) -> argparse.ArgumentParser:
    """The subcommand's own parser (its usage is the one to show), or the main one."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            found: argparse.ArgumentParser = action.choices[command]
            return found
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        command = _command_parser(parser, getattr(args, "command", None))
        # A command may take positionals after its options (`backfire read askjpm --move open "…"`): argparse
        # reads positionals only before the first option, so the rest arrive here, and the command takes them.
        if isinstance(getattr(args, "later", None), list) and not any(e.startswith("-") for e in extra):
            args.later = extra
        else:
            command.error(f"unrecognized arguments: {' '.join(extra)}")
    if not args.command:
        parser.print_help()
        return 0
    try:
        code: int = args.handler(args)
        return code
    except BackfireError as exc:
        print(f"backfire: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("backfire: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if raising():
            raise
        print(
            f"backfire: {one_line(exc, 'backfire ' + ' '.join(argv if argv is not None else sys.argv[1:]))}",
            file=sys.stderr,
        )
        return EXIT_SOFTWARE
