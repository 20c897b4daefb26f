"""Shared options and argument types: --seed, --size, --db, --json, and how a command is added."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable
from typing import Any

Handler = Callable[[argparse.Namespace], int]


class Formatter(argparse.RawDescriptionHelpFormatter):
    """Keep the examples' line breaks in --help."""


class Parser(argparse.ArgumentParser):
    """An argument parser that exits 2 with its usage on a mistake, as argparse does, without a traceback."""

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def add_command(
    sub: Any, name: str, help: str, example: str, handler: Handler, more: str = ""
) -> argparse.ArgumentParser:
    """Add a subcommand with its one-line help, an example in its --help, and the function that runs it."""
    epilog = f"example:\n  {example}" + (f"\n\n{more}" if more else "")
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=help, description=help, epilog=epilog, formatter_class=Formatter
    )
    parser.set_defaults(handler=handler)
    return parser


def crowd_size(text: str) -> int:
    """Parse a crowd size such as 100000, 100_000, 100k or 1M."""
    t = text.strip().lower().replace("_", "").replace(",", "")
    mult = 1
    if t.endswith("k"):
        mult, t = 1_000, t[:-1]
    elif t.endswith("m"):
        mult, t = 1_000_000, t[:-1]
    try:
        value = int(float(t) * mult)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number of personas such as 100000, 100k or 1M, got {text!r}"
        ) from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"the crowd size must be positive, got {text!r}")
    return value


def add_scenario(p: argparse.ArgumentParser) -> None:
    """The positional scenario argument."""
    p.add_argument("scenario", help="scenario id or path")


def add_seed(
    p: argparse.ArgumentParser, help: str = "random seed: same seed, same crowd and same run (default 1)"
) -> None:
    """--seed."""
    p.add_argument("--seed", type=int, default=1, help=help)


def add_size(p: argparse.ArgumentParser) -> None:
    """--size, in personas (100k and 1M are understood)."""
    p.add_argument("--size", type=crowd_size, help="number of personas (default: the scenario's)")


def add_json(p: argparse.ArgumentParser, help: str = "print one JSON object") -> None:
    """--json."""
    p.add_argument("--json", action="store_true", help=help)


def add_db(p: argparse.ArgumentParser, help: str = "games database") -> None:
    """--db."""
    p.add_argument("--db", metavar="FILE", help=help)


def add_workers(p: argparse.ArgumentParser) -> None:
    """--workers."""
    p.add_argument("--workers", type=int, help="worker processes (default: one per core)")


def db_flag(args: argparse.Namespace) -> str:
    """' --db FILE' when a database was named, so a printed command works as it stands."""
    return f" --db {shlex.quote(str(args.db))}" if getattr(args, "db", None) else ""


def seeds_of(args: argparse.Namespace) -> list[int]:
    """The seeds --first-seed .. --first-seed + --runs - 1."""
    return list(range(args.first_seed, args.first_seed + args.runs))
