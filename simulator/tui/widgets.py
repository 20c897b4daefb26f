"""Widgets of the play screen: the feed, the metrics panel, the clock bar."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, ListItem, ListView, Static

from simulator.engine.feed import FeedItem
from simulator.errors import BackfireError
from simulator.formatting import fmt_count, fmt_signed
from simulator.scoring.paired import OtherPlay
from simulator.tui.header import Header  # noqa: F401  (the screens import it from here)

KIND_STYLE = {"hostile": "bold red", "neutral": "", "supportive": "green"}


def _fmt(n: float) -> str:
    return f"{int(round(n)):,}"


class FeedView(ListView):
    """The live feed; the highlighted post is the one an answer replies to."""

    class PostHighlighted(Message):
        """The player moved to another post."""

        def __init__(self, item: FeedItem | None) -> None:
            self.item = item
            super().__init__()

    def __init__(self, tones: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tones = tones
        self.items_shown: list[FeedItem] = []

    def set_items(self, items: list[FeedItem]) -> None:
        """Replace the feed with these items (newest first)."""
        self.items_shown = items
        self.clear()
        for item in items:
            self.append(ListItem(Static(self._render_item(item)), classes=self._item_class(item)))
        if items:
            self.index = 0

    def _item_class(self, item: FeedItem) -> str:
        if item.is_brand:
            return "brand"
        if item.inject:
            return "inject"
        if item.real:
            return "real"
        return self.tones.get(item.kind, "neutral")

    compact = False  # small terminals: one header line, the text, no stats, no gap (six posts at 80x24)

    def set_compact(self, compact: bool) -> None:
        """Switch between the full and the compact rendering of posts."""
        if compact != self.compact:
            self.compact = compact
            self.set_class(compact, "compact")
            if self.items_shown:
                index = self.index
                self.set_items(self.items_shown)
                self.index = index

    def _render_item(self, item: FeedItem) -> Text:
        if self.compact:
            return self._render_compact(item)
        t = self._opening(item)
        t.append(item.name or "", style="bold")
        if item.handle:
            t.append(f" {item.handle}", style="dim")
        t.append(f"  [{item.kind}]", style=KIND_STYLE.get(self.tones.get(item.kind, ""), "") or "dim")
        if item.real:
            t.append(f"  REAL POST ({item.source})", style="bold yellow")
        t.append("\n")
        if item.reply_about:  # a reply to your post; on yours, the post it answers
            t.append(f"↳ replying to {'' if item.is_brand else 'your '}{item.reply_about}\n", style="italic dim")
        t.append(item.text)
        if item.real:
            stats = "\nreal post, as the source quotes it"
        elif item.headline:
            stats = "\nheadline" + (f" ({item.source})" if item.source else "")
        else:
            stats = "\n" + fmt_count(item.followers, "follower")
        if item.reposts:
            stats += " · " + fmt_count(item.reposts, "repost")
        if item.is_brand:
            stats += " · " + fmt_count(item.replies, "reply", "replies")
        t.append(stats, style="dim")
        return t

    @staticmethod
    def _opening(item: FeedItem) -> Text:
        """The time, and the mark of an event or of your own post."""
        t = Text()
        t.append(f"{item.minute // 60}:{item.minute % 60:02d} ", style="dim")
        if item.inject:
            t.append("⚑ EVENT ", style="bold reverse")
        if item.is_brand:
            t.append("YOU ", style="bold reverse")
        return t

    def _render_compact(self, item: FeedItem) -> Text:
        """One run of text: time, who (and ↳ for a reply to you), then the post; the border shows its tone."""
        t = self._opening(item)
        if item.real:
            t.append("REAL POST ", style="bold yellow")
        t.append(item.name or "", style="bold")
        if item.reply_about:
            t.append(f" ↳{item.reply_about.split()[0]}" if item.is_brand else " ↳you", style="italic dim")
        t.append(": ", style="dim")
        t.append(item.text)
        return t

    def selected(self) -> FeedItem | None:
        """The highlighted post."""
        if self.index is None or not self.items_shown or self.index >= len(self.items_shown):
            return None
        return self.items_shown[self.index]

    def on_list_view_highlighted(self, event: ListView.Highlighted) -> None:
        event.stop()
        self.post_message(self.PostHighlighted(self.selected()))


def _title(title: str, detail: str, width: int) -> str:
    """A chart's title with its detail when both fit on one line (a small terminal keeps the title alone)."""
    return title + detail if len(title) + len(detail) <= width else title


class MetricsPanel(Vertical):
    """Volume and share negative over the day, reach, trending, replies, reputation by segment."""

    def compose(self) -> ComposeResult:
        yield Label("Posts per turn", id="volume-title", classes="metric-title")
        yield Static(id="volume-chart", classes="turn-chart")
        yield Label("Share negative", id="negative-title", classes="metric-title")
        yield Static(id="negative-chart", classes="turn-chart")
        yield Static(id="numbers")
        yield Static(id="reputation")

    def set_metrics(
        self,
        turns: list[dict],
        segment_labels: dict[str, str],
        start_stance: dict[str, float],
        turn_words: str = "15 minutes",
        empty: str | None = None,
        day: int | None = None,
    ) -> None:
        """Update from the per-turn metrics (`empty`: what to say before the first turn).

        The charts span the whole day (`day` turns; default: the turns played), filling from the left, each
        on a fixed scale: posts up to the busiest turn so far, share negative from 0 to 100%.
        """
        if not turns:
            self.query_one("#numbers", Static).update(
                Text(empty or f"No turns played yet: press w to let {turn_words} pass.", style="dim")
            )
            return
        day = max(day or 0, len(turns))
        width = max(8, self.content_size.width - 1)
        volume = [float(t["volume"]) for t in turns]
        peak = max(volume)
        self.query_one("#volume-title", Label).update(_title("Posts per turn", f" (busiest: {_fmt(peak)})", width))
        self.query_one("#volume-chart", Static).update(Text(chart(volume, peak, day, width, rows=2), "cyan"))
        self.query_one("#negative-title", Label).update(_title("Share negative", " (0–100%)", width))
        negative = [float(t["share_negative"]) for t in turns]
        self.query_one("#negative-chart", Static).update(Text(chart(negative, 1.0, day, width, rows=2), "red"))
        last = turns[-1]
        text = Text()
        text.append(
            f"This turn: {fmt_count(last['volume'], 'post')}, {_fmt(last['hostile'])} hostile ({last['share_negative']:.0%})\n"
        )
        kinds = sorted(((n, k) for k, n in last.get("posts_by_kind", {}).items() if n), reverse=True)
        if kinds and last["volume"]:  # what the storm is made of: the kinds to answer, or to leave
            parts = [f"{k} {n / last['volume']:.0%}" for n, k in kinds[:3]]
            while len(parts) > 1 and len("Mostly: " + ", ".join(parts)) > width:
                parts.pop()  # the commonest kinds that fit on one line
            text.append("Mostly: " + ", ".join(parts) + "\n")
        text.append(f"Hostile so far: {_fmt(last['hostile_total'])}\n")
        text.append(f"Reach: {last['reach_share']:.0%} of the crowd\n")
        text.append(f"Replies to your last post: {_fmt(last['replies_to_latest'])}\n")
        text.append(
            "TRENDING\n" if last["trending"] else "not trending\n", style="bold red" if last["trending"] else "dim"
        )
        self.query_one("#numbers", Static).update(text)
        rep = Text("Reputation (stance −1…+1)\n", style="bold")
        for seg, value in last["stance_by_segment"].items():
            delta = value - start_stance.get(seg, value)
            style = "green" if delta > 0.005 else "red" if delta < -0.005 else ""
            width = max(10, min(32, self.content_size.width - 18))  # the figures (14) and a scrollbar
            label = segment_labels.get(seg, seg)
            if len(label) > width:  # never cut a label: it takes its own line, the figures the next
                rep.append(f"{label}\n{'':{width}s} {fmt_signed(value)} ", style="")
            else:
                rep.append(f"{label:{width}s} {fmt_signed(value)} ", style="")
            rep.append(f"({fmt_signed(delta)})\n", style=style)
        self.query_one("#reputation", Static).update(rep)


BLOCKS = " ▁▂▃▄▅▆▇█"


def chart(values: list[float], vmax: float, turns: int, width: int, rows: int = 3) -> str:
    """A bar chart `rows` high over the whole day (`turns` across `width` columns): played turns fill from the left."""
    if vmax <= 0:
        return "\n".join(" " * width for _ in range(rows))
    levels = []
    for c in range(width):
        lo, hi = c * turns // width, max((c + 1) * turns // width, c * turns // width + 1)
        seen = values[lo:hi]
        levels.append(round(rows * 8 * max(seen) / vmax) if seen else 0)
    return "\n".join(
        "".join(BLOCKS[min(8, max(0, level - (rows - 1 - r) * 8))] for level in levels) for r in range(rows)
    )


def bars(values: list[float], vmax: float, width: int) -> str:
    """A one-line bar chart of `values` resampled to `width` columns, scaled to `vmax` (shared between charts)."""
    if not values or vmax <= 0:
        return " " * width
    n = len(values)
    cols = []
    for c in range(width):
        lo, hi = c * n // width, max((c + 1) * n // width, c * n // width + 1)
        v = max(values[lo:hi])
        cols.append(BLOCKS[min(8, int(round(8 * v / vmax)))] if v > 0 else " ")
    return "".join(cols)


def marks(turns: list[int], n: int, width: int) -> str:
    """A row with ▲ under the columns of the given turns (of n), resampled to `width` columns like `bars`."""
    row = [" "] * width
    for turn in turns:
        if 0 <= turn < n:
            row[min(width - 1, turn * width // n)] = "▲"
    return "".join(row)


class ComparisonChart(Static):
    """Two series on one shared scale, you and history, with each side's moves marked at their turns."""

    def __init__(
        self,
        you: list[float],
        history: list[float],
        unit: str,
        you_moves: list[int] | None = None,
        history_moves: list[int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.you, self.history, self.unit = you, history, unit
        self.you_moves, self.history_moves = you_moves, history_moves

    def render(self) -> Text:
        width = max(10, self.size.width - 10)
        vmax = max(self.you + self.history + [0])
        n = max(len(self.you), len(self.history), 1)
        t = Text()
        t.append("you     ", style="bold")
        t.append(bars(self.you, vmax, width) + "\n", style="bold green")
        if self.you_moves:
            t.append("  moves ", style="dim")
            t.append(marks(self.you_moves, n, width) + "\n", style="green")
        t.append("history ", style="bold")
        t.append(bars(self.history, vmax, width) + "\n", style="bold red")
        if self.history_moves:
            t.append("  moves ", style="dim")
            t.append(marks(self.history_moves, n, width) + "\n", style="red")
        t.append(f"        one scale: full bar = {int(vmax):,} {self.unit}", style="dim")
        return t


class ClockBar(Static):
    """The clock and the campaign's state."""

    def set_clock(self, clock: str, hashtag: str, status: str, turn: int, turns: int) -> None:
        """Update the bar."""
        t = Text()
        t.append(f" {hashtag} ", style="bold reverse")
        t.append(f"  {clock}  ", style="bold")
        t.append(f"turn {turn + 1}/{turns}  ", style="dim")
        t.append(
            status, style="bold red" if "CANCELLED" in status else "bold yellow" if "PAUSED" in status else "bold green"
        )
        self.update(t)


def others_table(plays: list[OtherPlay], yours: list[tuple[str, float]], history: float, brand: str) -> Table:
    """The players' runs (`yours`: name, score) among the case's named strategies and history, on one crowd, best first."""
    rows = [(p.score, p.label, "") for p in plays] + [(history, f"What {brand} did", "")]
    rows += [(score, name, "bold reverse") for name, score in yours]
    table = Table(
        title="Other plays on this same crowd (the case's named strategies)",
        title_justify="left",
        title_style="bold",
        box=None,
        header_style="dim",
    )
    table.add_column("score", justify="right")
    table.add_column("play")
    for score, label, style in sorted(rows, key=lambda row: -row[0]):
        table.add_row(f"{score:.1f}", label, style=style)
    return table


class OtherPlays(Static):
    """The case's named strategies played on a game's crowd, with the players' runs ranked among them.

    `play()` plays them off the UI thread (about a second at 100,000 personas); until then it says so.
    """

    def __init__(self, session: Any, players: list[tuple[str, float]], history: float, **kwargs: Any) -> None:
        super().__init__("Playing the case's named strategies on this same crowd…", **kwargs)
        self.session, self.players, self.history = session, players, history

    @work(thread=True, exclusive=True, group="others", exit_on_error=False)
    def play(self) -> None:
        """Play the strategies (`session.other_plays()`), then show the ranking."""
        try:
            plays = self.session.other_plays()
        except BackfireError as exc:  # a case whose strategies cannot be played to the end (its rates, say)
            self.app.call_from_thread(self.update, Text(f"The case's named strategies could not be played: {exc}"))
            return
        self.app.call_from_thread(self._show, plays)

    def _show(self, plays: list[OtherPlay]) -> None:
        if not plays:
            self.display = False
            return
        self.update(others_table(plays, self.players, self.history, self.session.scenario.brand.name))
