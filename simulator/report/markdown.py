"""The after-action report as Markdown."""

from __future__ import annotations

from simulator.formatting import fmt_clock, fmt_count
from simulator.report.build import NOTHING_TO_CORRECT, Report, by_decision, fmt


def to_markdown(r: Report) -> str:
    """Render the report as Markdown."""
    o = r.overview
    lines = [
        f"# {r.title}",
        "",
        f"*Generated {r.generated}. Played {o.played}; seed {o.seed}, {o.size:,} personas; teams: {', '.join(o.teams)}.*",
        "",
    ]
    lines += [
        "## 1. Overview",
        "",
        o.summary,
        "",
        "## 2. The campaign's goal",
        "",
        f"{r.goal.text} ({r.goal.source})",
        "",
    ]
    lines += ["## 3. Timeline of injects and decisions", "", "| time | team | type | what |", "|---|---|---|---|"]
    events = sorted((e for t in r.teams for e in t.timeline), key=lambda e: (e.turn, e.team))
    lines += [f"| {fmt_clock(e.minute)} | {e.team} | {e.type} | {e.text} |" for e in events]
    lines += ["", "What really happened:", ""] + [f"- **{e.when}**: {e.text} ({e.source})" for e in r.history.timeline]
    lines += [
        "",
        "## 4. Outcomes per team against history",
        "",
        "| rank | team | score | history | decisions |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {i} | {t.team} | {t.score:.1f} | {t.history_score:.1f} | `{t.script}` |"
        for i, t in enumerate(r.teams, start=1)
    ]
    if r.others:
        lines += [
            "",
            "Among the case's named strategies, played on the same crowd:",
            "",
            "| score | play |",
            "|---|---|",
        ]
        lines += [f"| {score:.1f} | {f'**{name}**' if team else name} |" for score, name, team in r.ranking()]
    for t in r.teams:
        lines += [
            "",
            f"### {t.team}",
            "",
            f"{t.score:.1f} against history's {t.history_score:.1f}: {t.verdict} history.",
            "",
        ]
        lines += [f"- {reason}" for reason in t.reasons]
        lines += ["", "| dimension | team | history | points |", "|---|---|---|---|"]
        lines += [
            f"| {d.label} | {fmt(d.metric, d.you)} | {fmt(d.metric, d.history)} | {d.points:+.0f} |"
            for d in t.dimensions
        ]
    lines += ["", "## 5. Strengths", ""]
    for t in r.teams:
        lines += [
            f"- **{t.team}**: "
            + (
                "; ".join(f"{d.label} ({fmt(d.metric, d.you)} vs {fmt(d.metric, d.history)})" for d in t.strengths)
                or "none beyond history"
            )
        ]
    lines += ["", "## 6. Areas for improvement", ""]
    for t in r.teams:
        lines.append(f"**{t.team}**")
        for d in t.areas_for_improvement:
            lines.append(f"- {d.label}: {fmt(d.metric, d.you)} against history's {fmt(d.metric, d.history)}")
        for decision, lessons in by_decision(t.faulted_decisions):
            if len(lessons) == 1:
                lines.append(f"- {decision}: {lessons[0].quote} — *{lessons[0].source}*")
            else:
                lines.append(f"- {decision}:")
                lines += [f"  - {f.quote} — *{f.source}*" for f in lessons]
        if not t.areas_for_improvement and not t.faulted_decisions:
            lines.append("- none found against history or the sources")
        lines.append("")
        if t.notes:
            lines += [f"*What the evaluators saw of {t.team}:*", ""]
            lines += [f"- {fmt_clock(n.minute)} ({n.by}): {n.text}" for n in t.notes]
            lines.append("")
        if t.said_back:
            lines += [f"*What the crowd said back to {t.team}:*", ""]
            for c in t.said_back:
                lines.append(
                    f"- **{c.move}** at {fmt_clock(c.minute)} ({fmt_count(c.replies, 'reply', 'replies')}): “{c.text}”"
                )
                lines += [f"  - {reply}" for reply in c.shown]
            lines.append("")
        if t.written:
            lines += [f"*{t.team}'s own words, as the game read them:*", ""]
            for w in t.written:
                when = "the opening" if w.minute is None else fmt_clock(w.minute)
                lines.append(f"- **{w.move}** at {when}: “{w.text}”  ")
                lines.append(f"  {w.reading}")
                lines += [f"  - {lesson}" for lesson in w.lessons]
            lines.append("")
    lines += ["## 7. Improvement plan", ""]
    plan = [
        f"| {t.team} | {p.area} | {p.observation} | {p.corrective_action} | {p.source} | {p.owner} | {p.due} |"
        for t in r.teams
        for p in t.improvement_plan
    ]
    if plan:
        lines += [
            "| team | area | observation | corrective action | source | owner | due |",
            "|---|---|---|---|---|---|---|",
        ]
        lines += plan
    else:
        lines.append(NOTHING_TO_CORRECT)
    return "\n".join(lines) + "\n"
