"""After-action report (HSEEP shape) from saved games: Markdown, self-contained HTML, JSON.

Overview, the campaign's goal, a timeline of injects and decisions, outcomes per
team against history, strengths, areas for improvement with the sources'
lessons, and an improvement-plan table. The JSON carries everything the other
two show; the HTML has its charts inline (SVG) and loads nothing.
"""

from __future__ import annotations

import html
import json
from datetime import datetime

from simulator.errors import BackfireError

STRENGTH_POINTS = 5.0  # a dimension counts as a strength (or an area for improvement) past this many points


def build_report(store, game_id: int) -> dict:
    """Collect a game, or every team of its facilitated session, into report data."""
    from simulator.session import restore

    facilitation = store.facilitation_of(game_id)
    ids = store.facilitation_games(facilitation) if facilitation else [game_id]
    if not ids:
        raise BackfireError(f"no saved game {game_id}")
    teams = []
    scenario = history = None
    for gid in ids:
        record = store.game(gid)
        session = restore(store, gid)
        scenario = session.scenario
        history = session.history_run()
        score = session.score()
        report = session.debrief()
        turns = session.metrics()
        name = record.team or f"Game {gid}"
        timeline = []
        for t in turns:
            if t["decision"] != "wait":
                timeline.append({"turn": t["turn"], "minute": t["minute"], "team": name, "type": "decision", "text": t["decision"]})
            for inj in t["injects"]:
                found = next((i for i in scenario.injects if i.id == inj), None) or session.game.extra_injects.get(inj)
                label = found.label if found is not None else inj
                timeline.append({"turn": t["turn"], "minute": t["minute"], "team": name, "type": "inject", "text": label})
        dims = [d.__dict__ for d in score.dimensions]
        strengths = [d for d in dims if d["you_score"] - d["history_score"] >= STRENGTH_POINTS]
        weaker = [d for d in dims if d["history_score"] - d["you_score"] >= STRENGTH_POINTS]
        faulted, advice = [], []
        for review in report.reviews:
            for lesson in review.lessons:
                item = {"decision": review.decision, "minute": review.minute, "quote": lesson.cited, "summary": lesson.summary, "source": lesson.source_title}
                (faulted if lesson.stance == "faulted" else advice if lesson.stance == "advice" else []).append(item)
        plan = []
        for d in weaker:
            fix = next((a for a in advice), None)
            plan.append({"area": d["label"], "observation": f"{_fmt(d['metric'], d['you'])} against history's {_fmt(d['metric'], d['history'])}", "corrective_action": fix["summary"] if fix else "Rehearse the alternative moves in the scenario and compare their runs.", "source": fix["source"] if fix else "", "owner": "", "due": ""})
        for f in faulted:
            plan.append({"area": f"Decision {f['decision']}", "observation": f["summary"], "corrective_action": "Agree beforehand when and how to respond instead; rehearse it.", "source": f["source"], "owner": "", "due": ""})
        teams.append(
            {
                "team": name, "game_id": gid, "finished": record.finished, "turns_played": len(turns), "score": score.total, "history_score": score.history_total,
                "script": score.script, "dimensions": dims, "strengths": strengths, "areas_for_improvement": weaker, "faulted_decisions": faulted, "advice": advice,
                "improvement_plan": plan, "timeline": timeline, "hostile_series": [t["hostile"] for t in turns], "stance_by_segment": score.stance_change_by_segment,
            }
        )
    first = store.game(ids[0])
    teams.sort(key=lambda t: -t["score"])
    return {
        "title": f"After-action report: {scenario.title}",
        "generated": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "overview": {
            "scenario": scenario.id, "scenario_title": scenario.title, "date_of_case": scenario.date, "brand": scenario.brand.name,
            "played": datetime.fromtimestamp(first.created_at).strftime("%Y-%m-%d %H:%M"), "seed": first.seed, "size": first.size,
            "facilitation": facilitation, "teams": [t["team"] for t in teams], "summary": scenario.summary,
        },
        "goal": {"text": scenario.campaign.goal, "source": scenario.source(scenario.campaign.goal_source).title, "hashtag": scenario.campaign.hashtag},
        "history": {"script": history.script, "hostile_series": [t["hostile"] for t in history.turns], "summary": {k: v for k, v in history.summary.items() if not isinstance(v, (dict, list))},
                    "timeline": [{"when": e.when, "text": e.text, "source": scenario.source(e.source).title} for e in scenario.history.timeline]},
        "teams": teams,
    }


def _fmt(metric: str, v: float) -> str:
    if metric == "stance_change":
        return f"{v:+.3f}"
    if "share" in metric:
        return f"{v:.0%}"
    return f"{int(round(v)):,}"


def _clock(minute: int | None) -> str:
    return "—" if minute is None else f"{minute // 60}h{minute % 60:02d}"


def to_markdown(r: dict) -> str:
    """Render the report as Markdown."""
    o = r["overview"]
    lines = [f"# {r['title']}", "", f"*Generated {r['generated']}. Played {o['played']}; seed {o['seed']}, {o['size']:,} personas; teams: {', '.join(o['teams'])}.*", ""]
    lines += ["## 1. Overview", "", o["summary"], "", "## 2. The campaign's goal", "", f"{r['goal']['text']} ({r['goal']['source']})", ""]
    lines += ["## 3. Timeline of injects and decisions", "", "| time | team | type | what |", "|---|---|---|---|"]
    events = sorted((e for t in r["teams"] for e in t["timeline"]), key=lambda e: (e["turn"], e["team"]))
    lines += [f"| {_clock(e['minute'])} | {e['team']} | {e['type']} | {e['text']} |" for e in events]
    lines += ["", "What really happened:", ""] + [f"- **{e['when']}**: {e['text']} ({e['source']})" for e in r["history"]["timeline"]]
    lines += ["", "## 4. Outcomes per team against history", "", "| rank | team | score | history | decisions |", "|---|---|---|---|---|"]
    lines += [f"| {i} | {t['team']} | {t['score']:.1f} | {t['history_score']:.1f} | `{t['script']}` |" for i, t in enumerate(r["teams"], start=1)]
    for t in r["teams"]:
        lines += ["", f"### {t['team']}", "", "| dimension | team | history |", "|---|---|---|"]
        lines += [f"| {d['label']} | {_fmt(d['metric'], d['you'])} | {_fmt(d['metric'], d['history'])} |" for d in t["dimensions"]]
    lines += ["", "## 5. Strengths", ""]
    for t in r["teams"]:
        lines += [f"- **{t['team']}**: " + ("; ".join(f"{d['label']} ({_fmt(d['metric'], d['you'])} vs {_fmt(d['metric'], d['history'])})" for d in t["strengths"]) or "none beyond history")]
    lines += ["", "## 6. Areas for improvement", ""]
    for t in r["teams"]:
        lines.append(f"**{t['team']}**")
        for d in t["areas_for_improvement"]:
            lines.append(f"- {d['label']}: {_fmt(d['metric'], d['you'])} against history's {_fmt(d['metric'], d['history'])}")
        for f in t["faulted_decisions"]:
            lines.append(f"- {f['decision']} at {_clock(f['minute'])}: {f['quote']} — *{f['source']}*")
        if not t["areas_for_improvement"] and not t["faulted_decisions"]:
            lines.append("- none found against history or the sources")
        lines.append("")
    lines += ["## 7. Improvement plan", "", "| team | area | observation | corrective action | source | owner | due |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {t['team']} | {p['area']} | {p['observation']} | {p['corrective_action']} | {p['source']} | {p['owner']} | {p['due']} |" for t in r["teams"] for p in t["improvement_plan"]]
    return "\n".join(lines) + "\n"


def _svg_chart(series: dict[str, list[float]], width: int = 640, height: int = 180) -> str:
    """An inline SVG line chart of several series on one scale."""
    colours = ["#c0392b", "#2471a3", "#1e8449", "#b9770e", "#7d3c98", "#566573"]
    vmax = max([max(s) for s in series.values() if s] + [1])
    n = max(len(s) for s in series.values()) or 1
    pad = 30
    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 30}" role="img" viewBox="0 0 {width} {height + 30}">']
    parts.append(f'<line x1="{pad}" y1="{height}" x2="{width}" y2="{height}" stroke="#999"/><line x1="{pad}" y1="0" x2="{pad}" y2="{height}" stroke="#999"/>')
    parts.append(f'<text x="2" y="12" font-size="10">{int(vmax):,}</text><text x="2" y="{height}" font-size="10">0</text>')
    for i, (name, values) in enumerate(series.items()):
        pts = " ".join(f"{pad + (width - pad) * j / max(n - 1, 1):.1f},{height - height * v / vmax:.1f}" for j, v in enumerate(values))
        colour = colours[i % len(colours)]
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{pts}"><title>{html.escape(name)}</title></polyline>')
        parts.append(f'<text x="{pad + 10 + 120 * i}" y="{height + 22}" font-size="12" fill="{colour}">■ {html.escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def to_html(r: dict) -> str:
    """Render the report as one self-contained HTML file (inline CSS and SVG; nothing loaded)."""
    e = html.escape
    o = r["overview"]

    def table(headers: list[str], rows: list[list[str]], cls: str = "") -> str:
        head = "".join(f"<th>{e(h)}</th>" for h in headers)
        body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in rows)
        return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'

    series = {t["team"]: t["hostile_series"] for t in r["teams"]}
    series["History"] = r["history"]["hostile_series"]
    events = sorted((ev for t in r["teams"] for ev in t["timeline"]), key=lambda ev: (ev["turn"], ev["team"]))
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{e(r['title'])}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}"
        "table{border-collapse:collapse;margin:1em 0;width:100%}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
        "th{background:#f2f2f2}h1{font-size:1.6em}h2{border-bottom:2px solid #c0392b;padding-bottom:.2em}.team{margin-top:1.5em}"
        "blockquote{border-left:4px solid #ccc;margin:.5em 0;padding:.2em .8em;color:#444}@media print{body{margin:0}}</style></head><body>",
        f"<h1>{e(r['title'])}</h1>",
        f"<p><em>Generated {e(r['generated'])}. Played {e(o['played'])}; seed {o['seed']}, {o['size']:,} personas; teams: {e(', '.join(o['teams']))}.</em></p>",
        "<h2 id='overview'>1. Overview</h2>", f"<p>{e(o['summary'])}</p>",
        "<h2 id='goal'>2. The campaign's goal</h2>", f"<p>{e(r['goal']['text'])} <small>({e(r['goal']['source'])})</small></p>",
        "<h2 id='timeline'>3. Timeline of injects and decisions</h2>",
        table(["time", "team", "type", "what"], [[_clock(ev["minute"]), ev["team"], ev["type"], ev["text"]] for ev in events], "timeline"),
        "<p>What really happened:</p><ul>" + "".join(f"<li><strong>{e(h['when'])}</strong>: {e(h['text'])} <small>({e(h['source'])})</small></li>" for h in r["history"]["timeline"]) + "</ul>",
        "<h2 id='outcomes'>4. Outcomes per team against history</h2>",
        "<p>Hostile posts per turn, every team and history on one scale:</p>", _svg_chart(series),
        table(["rank", "team", "score", "history", "decisions"], [[str(i), t["team"], f"{t['score']:.1f}", f"{t['history_score']:.1f}", t["script"]] for i, t in enumerate(r["teams"], start=1)], "outcomes"),
    ]
    for t in r["teams"]:
        out.append(f"<div class='team' id='team-{e(t['team'])}'><h3>{e(t['team'])}</h3>")
        out.append(table(["dimension", "team", "history", "team score", "history score"], [[d["label"], _fmt(d["metric"], d["you"]), _fmt(d["metric"], d["history"]), f"{d['you_score']:.0f}", f"{d['history_score']:.0f}"] for d in t["dimensions"]], "dimensions"))
        out.append("</div>")
    out.append("<h2 id='strengths'>5. Strengths</h2><ul>")
    for t in r["teams"]:
        out.append(f"<li><strong>{e(t['team'])}</strong>: " + (e("; ".join(f"{d['label']} ({_fmt(d['metric'], d['you'])} vs {_fmt(d['metric'], d['history'])})" for d in t["strengths"])) or "none beyond history") + "</li>")
    out.append("</ul><h2 id='improvement'>6. Areas for improvement</h2>")
    for t in r["teams"]:
        out.append(f"<h3>{e(t['team'])}</h3><ul>")
        for d in t["areas_for_improvement"]:
            out.append(f"<li>{e(d['label'])}: {e(_fmt(d['metric'], d['you']))} against history's {e(_fmt(d['metric'], d['history']))}</li>")
        for f in t["faulted_decisions"]:
            out.append(f"<li>{e(f['decision'])} at {_clock(f['minute'])}<blockquote>{e(f['quote'])} — <em>{e(f['source'])}</em></blockquote></li>")
        out.append("</ul>")
    out.append("<h2 id='plan'>7. Improvement plan</h2>")
    out.append(table(["team", "area", "observation", "corrective action", "source", "owner", "due"], [[t["team"], p["area"], p["observation"], p["corrective_action"], p["source"], p["owner"], p["due"]] for t in r["teams"] for p in t["improvement_plan"]], "plan"))
    out.append("</body></html>")
    return "\n".join(out)


def render(r: dict, fmt: str) -> str:
    """Render report data as md, html or json."""
    if fmt == "md":
        return to_markdown(r)
    if fmt == "html":
        return to_html(r)
    if fmt == "json":
        return json.dumps(r, indent=2, default=str) + "\n"
    raise BackfireError(f"unknown report format {fmt!r}; expected md, html or json")
