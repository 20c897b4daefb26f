"""The after-action report as one self-contained HTML file: inline CSS and SVG charts, nothing loaded."""

from __future__ import annotations

import html
import re

from simulator.formatting import fmt_clock, fmt_count
from simulator.report.build import NOTHING_TO_CORRECT, Report, by_decision, fmt

_BACKTICKS = re.compile(r"`([^`]+)`")


def _code(escaped: str) -> str:
    """Commands written `like this` (in escaped text) as code: `backfire read` is something to type."""
    return _BACKTICKS.sub(r"<code>\1</code>", escaped)


PALETTE = ["#c0392b", "#2471a3", "#1e8449", "#b9770e", "#7d3c98", "#566573", "#17a589", "#a04000"]
# Workshops name teams after colours: a team called Blue is drawn blue, never red.
NAMED = {
    "red": "#c0392b",
    "blue": "#2471a3",
    "green": "#1e8449",
    "gold": "#b9770e",
    "yellow": "#b7950b",
    "orange": "#ca6f1e",
    "purple": "#7d3c98",
    "violet": "#7d3c98",
    "grey": "#566573",
    "gray": "#566573",
    "black": "#1c2833",
    "teal": "#17a589",
    "pink": "#c2185b",
    "brown": "#6e2c00",
    "history": "#566573",
}


def team_colours(names: list[str]) -> dict[str, str]:
    """A colour per series: a team named after a colour gets that colour; the others take the unused ones in order."""
    out: dict[str, str] = {}
    for name in names:
        colour = NAMED.get(name.strip().lower())
        if colour is not None and colour not in out.values():
            out[name] = colour
    free = [c for c in PALETTE if c not in out.values()] or PALETTE
    for i, name in enumerate(n for n in names if n not in out):
        out[name] = free[i % len(free)]
    return out


def _svg_chart(
    series: dict[str, list[int]],
    width: int = 640,
    height: int = 180,
    moves: dict[str, list[tuple[int, str]]] | None = None,
) -> str:
    """Return an inline SVG line chart of several series on one scale, each series' moves marked as dots on its line."""
    colours = team_colours(list(series))
    vmax = max([max(s) for s in series.values() if s] + [1])
    n = max(len(s) for s in series.values()) or 1
    pad = 30
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 30}" role="img" viewBox="0 0 {width} {height + 30}">'
    ]
    parts.append(
        f'<line x1="{pad}" y1="{height}" x2="{width}" y2="{height}" stroke="#999"/><line x1="{pad}" y1="0" x2="{pad}" y2="{height}" stroke="#999"/>'
    )
    parts.append(
        f'<text x="2" y="12" font-size="10">{int(vmax):,}</text><text x="2" y="{height}" font-size="10">0</text>'
    )
    for i, (name, values) in enumerate(series.items()):
        pts = " ".join(
            f"{pad + (width - pad) * j / max(n - 1, 1):.1f},{height - height * v / vmax:.1f}"
            for j, v in enumerate(values)
        )
        colour = colours[name]
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{pts}"><title>{html.escape(name)}</title></polyline>'
        )
        for turn, what in (moves or {}).get(name, []):
            if 0 <= turn < len(values):
                x, y = pad + (width - pad) * turn / max(n - 1, 1), height - height * values[turn] / vmax
                parts.append(
                    f'<circle class="move" cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"><title>{html.escape(name)}, {html.escape(what)}</title></circle>'
                )
        parts.append(
            f'<text x="{pad + 10 + 120 * i}" y="{height + 22}" font-size="12" fill="{colour}">■ {html.escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def to_html(r: Report) -> str:
    """Render the report as one self-contained HTML file (inline CSS and SVG; nothing loaded)."""
    e = html.escape
    o = r.overview

    def table(headers: list[str], rows: list[list[str]], cls: str = "", marked: set[int] | None = None) -> str:
        """A table; the rows numbered in `marked` stand out (class `ours`: the teams among other plays)."""
        head = "".join(f"<th>{e(h)}</th>" for h in headers)
        body = "".join(
            ('<tr class="ours">' if i in (marked or set()) else "<tr>")
            + "".join(f"<td>{_code(e(str(c)))}</td>" for c in row)
            + "</tr>"
            for i, row in enumerate(rows)
        )
        return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'

    series = {t.team: t.hostile_series for t in r.teams}
    series["History"] = r.history.hostile_series
    moves = {t.team: [(ev.turn, ev.text) for ev in t.timeline if ev.type == "decision"] for t in r.teams}
    moves["History"] = [(ev.turn, ev.text) for ev in r.history.moves]
    events = sorted((ev for t in r.teams for ev in t.timeline), key=lambda ev: (ev.turn, ev.team))
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{e(r.title)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}"
        "table{border-collapse:collapse;margin:1em 0;width:100%}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
        "th{background:#f2f2f2}h1{font-size:1.6em}h2{border-bottom:2px solid #c0392b;padding-bottom:.2em}.team{margin-top:1.5em}.ours td{font-weight:bold}"
        "blockquote{border-left:4px solid #ccc;margin:.5em 0;padding:.2em .8em;color:#444}"
        "code{background:#f4f4f4;padding:0 .2em;font-size:.92em}@media print{body{margin:0}}</style></head><body>",
        f"<h1>{e(r.title)}</h1>",
        f"<p><em>Generated {e(r.generated)}. Played {e(o.played)}; seed {o.seed}, {o.size:,} personas; teams: {e(', '.join(o.teams))}.</em></p>",
        "<h2 id='overview'>1. Overview</h2>",
        f"<p>{e(o.summary)}</p>",
        "<h2 id='goal'>2. The campaign's goal</h2>",
        f"<p>{e(r.goal.text)} <small>({e(r.goal.source)})</small></p>",
        "<h2 id='timeline'>3. Timeline of injects and decisions</h2>",
        table(
            ["time", "team", "type", "what"],
            [[fmt_clock(ev.minute), ev.team, ev.type, ev.text] for ev in events],
            "timeline",
        ),
        "<p>What really happened:</p><ul>"
        + "".join(
            f"<li><strong>{e(h.when)}</strong>: {e(h.text)} <small>({e(h.source)})</small></li>"
            for h in r.history.timeline
        )
        + "</ul>",
        "<h2 id='outcomes'>4. Outcomes per team against history</h2>",
        "<p>Hostile posts per turn, every team and history on one scale:</p>",
        _svg_chart(series, moves=moves),
        table(
            ["rank", "team", "score", "history", "decisions"],
            [
                [str(i), t.team, f"{t.score:.1f}", f"{t.history_score:.1f}", t.script]
                for i, t in enumerate(r.teams, start=1)
            ],
            "outcomes",
        ),
    ]
    if r.others:
        out.append("<p>Among the case's named strategies, played on the same crowd:</p>")
        ranking = r.ranking()
        out.append(
            table(
                ["score", "play"],
                [[f"{score:.1f}", name] for score, name, _ in ranking],
                "others",
                {i for i, (_, _, team) in enumerate(ranking) if team},
            )
        )
    for t in r.teams:
        out.append(f"<div class='team' id='team-{e(t.team)}'><h3>{e(t.team)}</h3>")
        out.append(f"<p>{t.score:.1f} against history's {t.history_score:.1f}: {e(t.verdict)} history.</p>")
        out.append("<ul class='reasons'>" + "".join(f"<li>{e(reason)}</li>" for reason in t.reasons) + "</ul>")
        out.append(
            table(
                ["dimension", "team", "history", "points against history"],
                [
                    [
                        d.label,
                        fmt(d.metric, d.you),
                        fmt(d.metric, d.history),
                        f"{d.points:+.0f}",
                    ]
                    for d in t.dimensions
                ],
                "dimensions",
            )
        )
        out.append("</div>")
    out.append("<h2 id='strengths'>5. Strengths</h2><ul>")
    for t in r.teams:
        out.append(
            f"<li><strong>{e(t.team)}</strong>: "
            + (
                e("; ".join(f"{d.label} ({fmt(d.metric, d.you)} vs {fmt(d.metric, d.history)})" for d in t.strengths))
                or "none beyond history"
            )
            + "</li>"
        )
    out.append("</ul><h2 id='improvement'>6. Areas for improvement</h2>")
    for t in r.teams:
        out.append(f"<h3>{e(t.team)}</h3><ul>")
        for d in t.areas_for_improvement:
            out.append(
                f"<li>{e(d.label)}: {e(fmt(d.metric, d.you))} against history's {e(fmt(d.metric, d.history))}</li>"
            )
        for decision, faulted in by_decision(t.faulted_decisions):
            quotes = "".join(f"<blockquote>{e(f.quote)} — <em>{e(f.source)}</em></blockquote>" for f in faulted)
            out.append(f"<li>{e(decision)}{quotes}</li>")
        out.append("</ul>")
        if t.notes:
            out.append(f"<p><em>What the evaluators saw of {e(t.team)}:</em></p><ul class='notes'>")
            out += [f"<li>{e(fmt_clock(n.minute))} ({e(n.by)}): {e(n.text)}</li>" for n in t.notes]
            out.append("</ul>")
        if t.said_back:
            out.append(f"<p><em>What the crowd said back to {e(t.team)}:</em></p><ul class='said-back'>")
            for c in t.said_back:
                replies = "".join(f"<li>{e(reply)}</li>" for reply in c.shown)
                out.append(
                    f"<li><strong>{e(c.move)}</strong> at {e(fmt_clock(c.minute))} ({fmt_count(c.replies, 'reply', 'replies')}): "
                    f"“{e(c.text)}”" + (f"<ul>{replies}</ul>" if replies else "") + "</li>"
                )
            out.append("</ul>")
        if t.written:
            out.append(f"<p><em>{e(t.team)}'s own words, as the game read them:</em></p><ul class='written'>")
            for w in t.written:
                when = "the opening" if w.minute is None else fmt_clock(w.minute)
                lessons = "".join(f"<li>{e(lesson)}</li>" for lesson in w.lessons)
                out.append(
                    f"<li><strong>{e(w.move)}</strong> at {e(when)}: “{e(w.text)}”<br><em>{e(w.reading)}</em>"
                    + (f"<ul>{lessons}</ul>" if lessons else "")
                    + "</li>"
                )
            out.append("</ul>")
    out.append("<h2 id='plan'>7. Improvement plan</h2>")
    plan = [
        [t.team, p.area, p.observation, p.corrective_action, p.source, p.owner, p.due]
        for t in r.teams
        for p in t.improvement_plan
    ]
    if plan:
        out.append(table(["team", "area", "observation", "corrective action", "source", "owner", "due"], plan, "plan"))
    else:
        out.append(f"<p>{_code(e(NOTHING_TO_CORRECT))}</p>")
    out.append("</body></html>")
    return "\n".join(out)
