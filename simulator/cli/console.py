"""Terminal output for the CLI: a Rich console, tables, progress bars and JSON.

Progress bars show only on a terminal and never under --json.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from simulator.errors import BackfireError


def console(stderr: bool = False) -> Console:
    """Return a Rich console on stdout (or stderr); plain text when not a terminal."""
    stream = sys.stderr if stderr else sys.stdout
    # Piped output is read in files and logs: give tables room instead of 80 columns.
    width = None if stream.isatty() else 140
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width)


def table(title: str | None, columns: list[str], rows: list[list[Any]], right: set[int] | None = None) -> Table:
    """Return a Rich table; columns whose index is in `right` are right-aligned."""
    # A narrow table is as wide as its title, which would otherwise wrap over its first columns.
    t = Table(title=title, title_justify="left", header_style="bold", min_width=len(title) if title else None)
    for i, col in enumerate(columns):
        t.add_column(col, justify="right" if right and i in right else "left")
    for row in rows:
        t.add_row(*[str(c) for c in row])
    return t


def save_file(path: str | Path, text: str) -> None:
    """Write a file whole or not at all (a temporary file, then a rename); a clear error if it cannot be written."""
    import os
    import tempfile

    target = Path(path)
    if target.is_dir():
        raise BackfireError(f"{target} is a folder; give a file name, e.g. {target / 'report.html'}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise BackfireError(f"cannot write {target}: {exc.strerror or exc}") from None


def write_text(text: str, path: str | None) -> None:
    """Write text to a file (saying so on stderr), or to standard output when no path is given."""
    if path:
        save_file(path, text)
        print(f"wrote {path}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def print_json(data: Any) -> None:
    """Print one JSON document on stdout."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False, default=_default) + "\n")


def _default(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class Progress:
    """A progress callback: a Rich bar on a terminal, nothing otherwise."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}

    @contextlib.contextmanager
    def running(self) -> Iterator[Progress]:
        """Show the bar while the block runs (when enabled)."""
        if not self.enabled:
            yield self
            return
        import rich.progress as rp

        columns = (rp.TextColumn("{task.description}"), rp.BarColumn(), rp.MofNCompleteColumn(), rp.TimeElapsedColumn())
        with rp.Progress(*columns, console=Console(stderr=True), transient=True) as bar:
            self._bar = bar
            yield self
            self._bar = None

    def __call__(self, label: str, done: float, total: float) -> None:
        """Report `done` of `total` for the step called `label`."""
        if self._bar is None:
            return
        if label not in self._tasks:
            self._tasks[label] = self._bar.add_task(label, total=total)
        self._bar.update(self._tasks[label], completed=done, total=total)
