"""The hot wash: every team against history and each other, with the lessons."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Markdown, Static

from simulator.formatting import fmt_signed
from simulator.game.facilitation import Facilitation
from simulator.scoring.score import HISTORY
from simulator.tui.widgets import ComparisonChart, Header, OtherPlays

if TYPE_CHECKING:
    from simulator.tui.app import BackfireApp


def _clock(minute: int) -> str:
    return f"{minute // 60}h{minute % 60:02d}"


class HotWashScreen(Screen):
    """Every team against history and against each other, with the lessons."""

    BINDINGS = [
        Binding("e", "export", "Export report"),
        Binding("question_mark", "app.help", "Help"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, facilitation: Facilitation) -> None:
        super().__init__()
        self.f = facilitation

    def compose(self) -> ComposeResult:
        rows = self.f.hot_wash()
        self.rows = rows
        history = next(iter(self.f.sessions.values())).history_run()
        yield Header()
        with VerticalScroll(id="debrief"):
            yield Static(
                Text("Hot wash: every team on the same crowd, against history and each other", style="bold"),
                id="verdict",
            )
            table: DataTable[str] = DataTable(id="hotwash-table", cursor_type="none", zebra_stripes=True)
            table.add_columns(
                "rank", "team", "score", "history", "hostile posts", "replies to last post", "reputation Δ", "decisions"
            )
            for r in rows:
                d = {x["metric"]: x for x in r["dimensions"]}
                table.add_row(
                    str(r["rank"]),
                    r["team"],
                    f"{r['score']:.1f}",
                    f"{r['history']:.1f}",
                    f"{int(d['hostile_total']['you']):,}",
                    f"{int(d['replies_to_last_brand_post']['you']):,}",
                    fmt_signed(d["stance_change"]["you"], 3),
                    r["script"],
                )
            yield table
            players = [(str(r["team"]), float(r["score"])) for r in rows]
            yield OtherPlays(
                next(iter(self.f.sessions.values())),
                players,
                float(rows[0]["history"]) if rows else HISTORY,
                id="others",
            )
            for r in rows:
                s = self.f.sessions[r["team"]]
                yield Label(f"{r['team']}: hostile posts per turn against history", classes="metric-title")
                yield ComparisonChart(
                    [t["hostile"] for t in s.metrics()],
                    [t["hostile"] for t in history.turns],
                    "hostile posts in a turn",
                )
            lines = []
            for r in rows:
                report = self.f.sessions[r["team"]].debrief()
                lines.append(f"## {r['team']}")
                if r["notes"]:
                    lines.append("**Evaluator notes**")
                    lines += [f"- {_clock(n['minute'])} ({n['by']}): {n['text']}" for n in r["notes"]]
                    lines.append("")
                for rev in report.reviews:
                    if rev.lessons:
                        lines.append(
                            f"**{rev.headline()}**"
                            + (
                                " — the sources disagree: one praises this move, another faults it"
                                if rev.disagreement
                                else ""
                            )
                        )
                        if rev.reading:
                            lines.append(f"> {rev.reading}")
                        lines += [
                            f"- {lesson.label}: {lesson.cited} — *{lesson.source_title}*  \n  {lesson.summary}"
                            for lesson in rev.lessons[:3]
                        ]
                lines.append("")
            yield Markdown("\n".join(lines), id="lessons")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OtherPlays).play()

    def action_export(self) -> None:
        cast("BackfireApp", self.app).export_report(next(iter(self.f.sessions.values())).game_id)
