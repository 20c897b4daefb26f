"""Pure formatters: counts, durations, the clock, and a metric by its declared unit.

No Rich and no terminal here: the CLI, the app and the reports all format
numbers through these functions, so a count reads the same everywhere.
"""

from __future__ import annotations

from simulator.scenario.metrics import Unit, unit_of


def fmt_int(value: float) -> str:
    """Return a count with thousands separators: 12,345."""
    return f"{int(round(value)):,}"


def fmt_count(value: float, singular: str, plural: str | None = None) -> str:
    """Return a count and its noun, singular for one: "1 repost", "12,345 followers", "2 replies"."""
    n = int(round(value))
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


def fmt_num(value: float | None, digits: int = 2) -> str:
    """Return a number with separators and a sensible precision ('—' for None)."""
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def fmt_signed(value: float, digits: int = 2) -> str:
    """Return a signed figure, '±0.00' where it rounds to nothing: a change of −0.004 is no change at this precision."""
    text = f"{value:+.{digits}f}"
    return "±" + text[1:] if float(text) == 0 else text


def fmt_value(value: float | None) -> str:
    """Return a measured figure: whole numbers as counts (7,502), others with two decimals (0.22)."""
    if value is None:
        return "—"
    return fmt_int(value) if float(value).is_integer() else fmt_num(value)


def fmt_bound(low: float | None, high: float | None) -> str:
    """Return a documented range: '2,000 – 20,000', '≥ 6,000' or '≤ 0.25'."""
    if low is not None and high is not None:
        return f"{fmt_value(low)} – {fmt_value(high)}"
    return f"≥ {fmt_value(low)}" if low is not None else f"≤ {fmt_value(high)}"


def fmt_seconds(seconds: float) -> str:
    """Return a duration in ms below a second, else in s."""
    return f"{seconds * 1000:,.1f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def fmt_minutes(minutes: float) -> str:
    """Return a scenario duration in words people read: 45 min, 3 h, 22 h 30 min, 7 days."""
    m = int(round(minutes))
    if m < 60:
        return f"{m} min"
    if m >= 48 * 60 and m % (24 * 60) == 0:
        return f"{m // (24 * 60):,} days"
    hours, rest = divmod(m, 60)
    return f"{hours:,} h" + (f" {rest} min" if rest else "")


def fmt_clock(minutes: float | None, sep: str = "h") -> str:
    """Return time after the opening post on the game's clock: '5h30' (or '5:30' with sep=':'); '—' for None."""
    if minutes is None:
        return "—"
    hours, rest = divmod(int(minutes), 60)
    return f"{hours}{sep}{rest:02d}"


def fmt_bytes(n: float) -> str:
    """Return a byte count in MB or GB."""
    return f"{n / 1e9:,.2f} GB" if n >= 1e9 else f"{n / 1e6:,.1f} MB"


def fmt_unit(value: float | None, unit: Unit, signed: bool = False) -> str:
    """Return a value in its unit: counts with separators, shares as %, hours with 'h', stance to 3 decimals."""
    if value is None:
        return "—"
    sign = "+" if signed and value > 0 else ""
    if unit == "count":
        return sign + fmt_int(value)
    if unit == "share":
        digits = 1 if 0 < abs(value) < 0.1 else 0  # 2.4%, not 2%; 22%, not 22.3%
        return f"{value:+.{digits}%}" if signed else f"{value:.{digits}%}"
    if unit == "hours":
        return f"{value:+.2f} h" if signed else f"{value:.2f} h"
    if unit == "stance":
        return f"{value:+.3f}"
    return sign + fmt_value(value)


def fmt_metric(name: str, value: float | None, signed: bool = False) -> str:
    """Return a metric's value formatted by its declared unit (see `scenario/metrics.py`)."""
    return fmt_unit(value, unit_of(name), signed)
