"""After-action reports from saved games: typed data (`build.py`) rendered as Markdown, HTML or JSON."""

from __future__ import annotations

import json

from simulator.errors import BackfireError
from simulator.report.build import Report, build_report
from simulator.report.html import to_html
from simulator.report.markdown import to_markdown

__all__ = ["Report", "build_report", "render", "to_html", "to_markdown"]


def render(r: Report, fmt: str) -> str:
    """Render report data as md, html or json."""
    if fmt == "md":
        return to_markdown(r)
    if fmt == "html":
        return to_html(r)
    if fmt == "json":
        return json.dumps(r.as_dict(), indent=2, default=str) + "\n"
    raise BackfireError(f"unknown report format {fmt!r}; expected md, html or json")
