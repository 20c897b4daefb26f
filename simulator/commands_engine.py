"""Engine-level subcommands (run, calibrate, compare) and their benchmarks."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction, add) -> None:
    """Add the engine's subcommands."""


def bench(args: argparse.Namespace, progress) -> int:
    """Run the engine or app benchmarks."""
    from simulator.errors import BackfireError

    raise BackfireError(f"bench {args.what}: not available yet")
