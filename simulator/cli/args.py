"""Shared options and argument types: --seed, --size, --db, --json, and how a command is added."""

from __future__ import annotations

import argparse
import math
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
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(
            f"expected a number of personas such as 100000, 100k or 1M, got {text!r}"
        ) from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"the crowd size must be positive, got {text!r}")
    return value


MAX_SEED = 2**63 - 1  # a seed is saved as SQLite's INTEGER


def seed_value(text: str) -> int:
    """Parse a seed: a whole number from 0 to 2**63 - 1."""
    try:
        value = int(text.strip().replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number such as 1 or 42, got {text!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"a seed is a whole number from 0 to {MAX_SEED:,}, got {text!r}")
    return value


def whole(low: int = 0, high: int | None = None) -> Callable[[str], int]:
    """An argument type: a whole number from `low` (to `high`)."""

    def parse(text: str) -> int:
        span = f"from {low:,}" + (f" to {high:,}" if high is not None else "")
        try:
            value = int(text.strip().replace("_", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number {span}, got {text!r}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected a whole number {span}, got {text!r}")
        return value

    parse.__name__ = "whole number"
    return parse


def fraction(text: str) -> float:
    """An argument type: a share from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a share from 0 to 1 such as 0.8, got {text!r}")
    return value


def seconds(text: str) -> float:
    """An argument type: a positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds such as 20, got {text!r}")
    return value


GAME_ID = whole(1, MAX_SEED)
RUNS = whole(1, 1_000_000)


def add_scenario(p: argparse.ArgumentParser) -> None:
    """The positional scenario argument."""
    p.add_argument("scenario", help="scenario id or path")


def add_seed(
    p: argparse.ArgumentParser, help: str = "random seed: same seed, same crowd and same run (default 1)"
) -> None:
    """--seed."""
    p.add_argument("--seed", type=seed_value, default=1, help=help)


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
    p.add_argument("--workers", type=whole(1, 1024), help="worker processes (default: one per core)")


def db_flag(args: argparse.Namespace) -> str:
    """' --db FILE' when a database was named, so a printed command works as it stands."""
    return f" --db {shlex.quote(str(args.db))}" if getattr(args, "db", None) else ""


def seeds_of(args: argparse.Namespace) -> list[int]:
    """The seeds --first-seed .. --first-seed + --runs - 1."""
    return list(range(args.first_seed, args.first_seed + args.runs))
