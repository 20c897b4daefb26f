"""Scoring subcommands: calibrate, score, compare."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction, add) -> None:
    """Add the scoring subcommands."""
