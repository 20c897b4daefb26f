"""Subcommands beyond validate/schema/list: audience, run, bench, calibrate, compare, play."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction, add) -> None:
    """Add the subcommands' parsers."""
