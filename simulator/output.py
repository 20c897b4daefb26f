"""Terminal output helpers shared by the CLI: tables, numbers, progress bars.

Progress bars show only on a terminal and never under --json.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.table import Table


def console(stderr: bool = False) -> Console:
    """Return a Rich console on stdout (or stderr); plain text when not a terminal."""
    stream = sys.stderr if stderr else sys.stdout
    # Piped output is read in files and logs: give tables room instead of 80 columns.
    width = None if stream.isatty() else 140
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width)


def fmt_int(value: float) -> str:
    """Format a count with thousands separators."""
    return f"{int(round(value)):,}"


def fmt_num(value: float, digits: int = 2) -> str:
    """Format a number with separators and a sensible precision."""
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def fmt_value(value: float | None) -> str:
    """A measured figure: whole numbers as counts (7,502), others with two decimals (0.22)."""
    if value is None:
        return "—"
    return fmt_int(value) if float(value).is_integer() else fmt_num(value)


def fmt_bound(low: float | None, high: float | None) -> str:
    """A documented range: '2,000 – 20,000', '≥ 6,000' or '≤ 0.25'."""
    if low is not None and high is not None:
        return f"{fmt_value(low)} – {fmt_value(high)}"
    return f"≥ {fmt_value(low)}" if low is not None else f"≤ {fmt_value(high)}"


def fmt_seconds(seconds: float) -> str:
    """Format a duration in s or ms."""
    return f"{seconds * 1000:,.1f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def fmt_minutes(minutes: float) -> str:
    """Format a scenario duration in words people read: 45 min, 3 h, 22 h 30 min, 7 days."""
    m = int(round(minutes))
    if m < 60:
        return f"{m} min"
    if m >= 48 * 60 and m % (24 * 60) == 0:
        return f"{m // (24 * 60):,} days"
    hours, rest = divmod(m, 60)
    return f"{hours:,} h" + (f" {rest} min" if rest else "")


def fmt_bytes(n: float) -> str:
    """Format a byte count in MB or GB."""
    return f"{n / 1e9:,.2f} GB" if n >= 1e9 else f"{n / 1e6:,.1f} MB"


def table(title: str | None, columns: list[str], rows: list[list[Any]], right: set[int] | None = None) -> Table:
    """Build a Rich table; columns whose index is in `right` are right-aligned."""
    t = Table(title=title, title_justify="left", header_style="bold")
    for i, col in enumerate(columns):
        t.add_column(col, justify="right" if right and i in right else "left")
    for row in rows:
        t.add_row(*[str(c) for c in row])
    return t


def write_text(text: str, path: str | None) -> None:
    """Write text to a file (saying so on stderr), or to standard output when no path is given."""
    if path:
        from pathlib import Path

        Path(path).write_text(text, encoding="utf-8")
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
        self._bar = None
        self._tasks: dict[str, Any] = {}

    @contextlib.contextmanager
    def running(self) -> Iterator["Progress"]:
        if not self.enabled:
            yield self
            return
        import rich.progress as rp  # Rich only (the domain never loads Textual)

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
