"""The debrief: score by dimension, you against history over time, lessons, what really happened."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Footer, Label, Markdown, ProgressBar, Static

from simulator.engine import RunResult
from simulator.formatting import fmt_bound, fmt_metric, fmt_value
from simulator.game.session import RANGE_CROWDS, Session
from simulator.scoring.debrief import Debrief
from simulator.scoring.paired import ScoreRange
from simulator.scoring.score import Score
from simulator.tui.screens.base import WorkingScreen
from simulator.tui.widgets import ComparisonChart, Header, OtherPlays

if TYPE_CHECKING:
    from simulator.tui.app import BackfireApp


class DebriefScreen(WorkingScreen):
    """Score by dimension, you vs history over time, lessons, what really happened."""

    BINDINGS = [
        Binding("e", "export", "Export report"),
        Binding("r", "replay(False)", "Play again, same crowd"),
        Binding("n", "replay(True)", "New crowd"),
        Binding("question_mark", "app.help", "Help"),
        Binding("q", "quit_game", "Quit"),
    ]

    @dataclass
    class ReplayRequested(Message):
        """The player wants another game."""

        new_crowd: bool

    @dataclass
    class Scored(Message):
        """The score, history's run and the debrief are ready."""

        score: Score
        history: RunResult
        debrief: Debrief

    def __init__(self, session: Session, crowds: int | None = None) -> None:
        super().__init__()
        self.session = session
        self.crowds = RANGE_CROWDS if crowds is None else crowds  # crowds to score the same decisions on (0: skip)
        self.score: Score | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="debrief"):
            yield Static("Scoring your run against history on the same crowd…", id="verdict")
        yield Footer()

    def on_mount(self) -> None:
        self.compute()

    @work(thread=True, exclusive=True, group="score", exit_on_error=False)
    def compute(self) -> None:
        """Score the game and play history on the same crowd, off the UI thread."""
        s = self.session
        self.post_message(self.Scored(s.score(), s.history_run(), s.debrief()))

    @dataclass
    class Ranged(Message):
        """The game's decisions were scored on many crowds."""

        spread: ScoreRange

    @work(thread=True, exclusive=True, group="range", exit_on_error=False)
    def compute_range(self) -> None:
        """Score the same decisions on other crowds like this one, off the UI thread, with progress."""

        def progress(label: str, done: float, total: float) -> None:
            self.app.call_from_thread(self.query_one("#range-progress", ProgressBar).update, total=total, progress=done)

        self.post_message(self.Ranged(self.session.score_range(self.crowds, progress=progress)))

    @on(Ranged)
    def _ranged(self, message: Ranged) -> None:
        self.query_one("#range-progress", ProgressBar).display = False
        self.query_one("#range", Static).update(Text(message.spread.sentence(), style="bold"))
        self.query_one(OtherPlays).play()

    @on(Scored)
    def _scored(self, message: Scored) -> None:
        s, score, history = self.session, message.score, message.history
        self.score = score
        self.query_one("#verdict", Static).update(
            Text.assemble(
                ("Your score ", "bold"),
                (f"{score.total:.1f}", "bold reverse"),
                f"  vs history {score.history_total:.1f}: {score.verdict} what really happened, on the same crowd "
                f"(seed {s.seed}, {s.size:,} personas).",
                *[f"\n  {reason}" for reason in score.reasons],
            )
        )
        table: DataTable[str] = DataTable(id="score-table", cursor_type="none", zebra_stripes=True)
        table.add_columns("dimension", "you", "history", "points")
        for d in score.dimensions:
            table.add_row(d.label, fmt_metric(d.metric, d.you), fmt_metric(d.metric, d.history), f"{d.points:+.0f}")
        self.query_one("#debrief", VerticalScroll).mount_all(
            [
                Static(
                    f"Scoring the same decisions on {self.crowds} crowds like this one…" if self.crowds else "",
                    id="range",
                ),
                ProgressBar(id="range-progress", show_eta=False),
                table,
                OtherPlays(s, [("You", score.total)], score.history_total, id="others"),
                Label(
                    f"Hostile posts per turn, over the {s.scenario.clock.horizon_hours:g} hours", classes="metric-title"
                ),
                ComparisonChart(
                    [t["hostile"] for t in s.metrics()],
                    [t["hostile"] for t in history.turns],
                    "hostile posts in a turn",
                    you_moves=moves(s.metrics()),
                    history_moves=moves(history.turns),
                    id="hostile-chart",
                ),
                Label("Replies to the brand per turn", classes="metric-title"),
                ComparisonChart(
                    [t["replies"] for t in s.metrics()],
                    [t["replies"] for t in history.turns],
                    "replies in a turn",
                    id="replies-chart",
                ),
                Markdown(debrief_markdown(message.debrief), id="lessons"),
            ]
        )
        if self.crowds:
            self.compute_range()  # then the other plays
        else:
            self.query_one("#range-progress", ProgressBar).display = False
            self.query_one(OtherPlays).play()

    def action_replay(self, new_crowd: bool) -> None:
        self.post_message(self.ReplayRequested(new_crowd))

    def action_quit_game(self) -> None:
        """Leave, saying where the finished game is saved and how to see it again."""
        self.app.exit(message=self.session.saved_note)

    def action_export(self) -> None:
        cast("BackfireApp", self.app).export_report(self.session.game_id)


def moves(turns: list[dict[str, Any]]) -> list[int]:
    """Return the turns at which a move other than wait was made."""
    return [t["turn"] for t in turns if t["decision"] != "wait"]


def debrief_markdown(report: Debrief) -> str:
    """Return the lessons per decision and what really happened, as Markdown."""
    lines = ["## What the sources say about your decisions", ""]
    for r in report.reviews:
        lines += [f"### {r.headline(words=False)}", ""]  # a heading does not wrap: what is long goes below it
        if r.disagreement:
            lines += ["*The sources disagree: one praises this move, another faults it.*", ""]
        if r.written is not None:
            lines += [f"“{r.written}”", ""]
        if r.reading:
            lines.append(f"> {r.reading}")
            lines.append("")
        if not r.lessons:
            lines.append("No source speaks to this move directly.")
        for lesson in r.lessons:
            lines.append(f"- **{lesson.label}**: {lesson.cited} — *{lesson.source_title}*  \n  {lesson.summary}")
        lines.append("")
    lines += ["## What really happened", ""]
    for w in report.what_happened:
        lines.append(f"- **{w['when']}**: {w['text']} (*{w['source_title']}*)")
    f = report.history_figures
    if f and f["targets"]:
        lines += ["", "On this crowd, the real decisions gave:", ""]
        lines += [
            f"- {t['label']}: **{fmt_value(t['value'])}** (documented {fmt_bound(t['min'], t['max'])})"
            for t in f["targets"]
        ]
        if f["note"]:
            lines += ["", f"*{f['note']}*"]
    return "\n".join(lines)
