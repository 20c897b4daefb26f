"""Metric reporters (Mesa's DataCollector idea): one function per name in `scenario/metrics.py`.

Reporters read a `TurnRecord` and the engine state; they never change them. The
collector keeps the running totals the reporters need, and lays each turn's
values and the run's summary out in a fixed order (saved games and `--json`
depend on it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.audience import Audience
from simulator.engine.params import EngineParams
from simulator.engine.state import EngineState, TurnRecord


@dataclass(frozen=True)
class TurnView:
    """One turn as its reporters read it: the record, the state after it, and the collector's running totals."""

    rec: TurnRecord
    state: EngineState
    totals: Collector
    by_kind: np.ndarray
    volume: int
    hostile: int
    replies: int
    on_topic: int
    press: int
    size: int


TURN_REPORTERS: dict[str, Callable[[TurnView], Any]] = {
    "volume": lambda v: v.volume,
    "hostile": lambda v: v.hostile,
    "share_negative": lambda v: v.hostile / v.volume if v.volume else 0.0,
    "reposts": lambda v: int(v.rec.repost.sum()),
    "replies": lambda v: v.replies,
    "tag_posts": lambda v: v.volume - v.replies,
    "replies_to_latest": lambda v: (
        v.totals.replies_by_post.get(v.state.brand_posts[-1].id, 0) if v.state.brand_posts else 0
    ),
    "reach": lambda v: v.totals.reach,
    "reach_share": lambda v: v.totals.reach / v.size,
    "hostile_reach_share": lambda v: v.totals.hostile_reach / v.size,
    "trending": lambda v: v.rec.trending,
    "press_stories": lambda v: v.press,
    "on_topic_questions": lambda v: v.on_topic,
    "mean_stance": lambda v: float(v.state.stance_sums.sum() / v.size),
    "hostile_total": lambda v: v.totals.hostile_total,
    "hostile_last_hour": lambda v: v.totals.hostile_last_hour(v.hostile),
    "cancelled": lambda v: 0.0 if v.rec.live else 1.0,
    "active": lambda v: v.state.active_count,
    "hostile_replies": lambda v: int((v.totals.params.hostile[v.rec.kind] & v.rec.reply).sum()),
}

# Each turn's values in saved order: record fields (in lower case) between the metrics.
TURN_LAYOUT = (
    "turn",
    "minute",
    "decision",
    "brand_post",
    "injects",
    "volume",
    "hostile",
    "share_negative",
    "posts_by_kind",
    "posts_by_segment",
    "reposts",
    "replies",
    "tag_posts",
    "replies_to_latest",
    "reach",
    "reach_share",
    "hostile_reach_share",
    "trending",
    "press_stories",
    "on_topic_questions",
    "mean_stance",
    "stance_by_segment",
    "live",
    "hostile_total",
    "hostile_last_hour",
    "cancelled",
    "active",
    "hostile_replies",
)


@dataclass(frozen=True)
class RunView:
    """A whole run as the summary reporters read it."""

    state: EngineState
    totals: Collector
    hourly_volume: np.ndarray
    hourly_hostile: np.ndarray
    stance_now: np.ndarray
    size: int
    text_negative: float | None = None


def _before_cancel(v: RunView) -> int | None:
    cancel = v.state.cancelled_turn
    if cancel is None:
        return None
    return int(sum(t["hostile"] for t in v.totals.turns if t["turn"] < cancel))


def _tag_hostile_after_cancel(v: RunView) -> int | None:
    cancel = v.state.cancelled_turn
    if cancel is None:
        return None
    after = sum(t["hostile"] for t in v.totals.turns if t["turn"] >= cancel)
    return int(after - sum(t["hostile_replies"] for t in v.totals.turns if t["turn"] >= cancel))


def _replies_to_cancel(v: RunView) -> int | None:
    post = next((p for p in v.state.brand_posts if p.action == "cancel"), None)
    return v.totals.replies_by_post.get(post.id, 0) if post else None


def _peak_share_negative(v: RunView) -> float:
    # Share negative over rolling hours that carry at least a tenth of the busiest hour's volume,
    # so a near-empty hour at 3am does not read as "100% negative".
    vol, hos = v.hourly_volume, v.hourly_hostile
    busy = vol >= 0.1 * vol.max() if len(vol) and vol.max() > 0 else np.zeros(0, bool)
    return float((hos[busy] / vol[busy]).max()) if busy.any() else 0.0


SUMMARY_REPORTERS: dict[str, Callable[[RunView], Any]] = {
    "posts_total": lambda v: v.totals.posts_total,
    "tag_posts_total": lambda v: v.totals.posts_total - sum(t["replies"] for t in v.totals.turns),
    "hostile_total": lambda v: v.totals.hostile_total,
    "hostile_share": lambda v: v.totals.hostile_total / v.totals.posts_total if v.totals.posts_total else 0.0,
    "share_negative_text": lambda v: v.text_negative,
    "hostile_before_cancel": _before_cancel,
    "cancel_hours": lambda v: (
        v.state.cancelled_turn * v.totals.params.turn_minutes / 60 if v.state.cancelled_turn is not None else None
    ),
    "replies_to_cancel": _replies_to_cancel,
    "tag_hostile_after_cancel": _tag_hostile_after_cancel,
    "peak_share_negative": _peak_share_negative,
    "peak_volume_per_hour": lambda v: int(v.hourly_volume.max()) if len(v.hourly_volume) else 0,
    "reach_share": lambda v: v.totals.reach / v.size,
    "hostile_reach_share": lambda v: v.totals.hostile_reach / v.size,
    "replies_to_last_brand_post": lambda v: (
        v.totals.replies_by_post.get(v.state.brand_posts[-1].id, 0) if v.state.brand_posts else 0
    ),
    "brand_posts": lambda v: len(v.state.brand_posts),
    "stance_change": lambda v: float(v.state.stance.mean()) - v.totals.stance0_mean,
    "goal_questions": lambda v: v.totals.goal_questions,
    "goal_share": lambda v: v.totals.goal_questions / max(1, v.totals.posts_total),
    "press_stories": lambda v: v.totals.press_total,
    "trending_turns": lambda v: int(sum(1 for t in v.totals.turns if t["trending"])),
    "first_trending_hours": lambda v: next((t["minute"] / 60 for t in v.totals.turns if t["trending"]), None),
    "peak_hour_start_hours": lambda v: (
        float(np.argmax(v.hourly_volume)) * v.totals.params.turn_minutes / 60 if len(v.hourly_volume) else None
    ),
}

# The summary in saved order: metrics, then the series and lists charts and windowed targets read.
SUMMARY_LAYOUT = (
    "posts_total",
    "tag_posts_total",
    "hostile_total",
    "hostile_share",
    "share_negative_text",
    "hostile_before_cancel",
    "cancel_hours",
    "replies_to_cancel",
    "tag_hostile_after_cancel",
    "peak_share_negative",
    "peak_volume_per_hour",
    "reach_share",
    "hostile_reach_share",
    "replies_to_last_brand_post",
    "brand_posts",
    "stance_change",
    "stance_change_by_segment",
    "goal_questions",
    "goal_share",
    "press_stories",
    "trending_turns",
    "first_trending_hours",
    "peak_hour_start_hours",
    "volume_by_turn",
    "tag_posts_by_turn",
    "hostile_by_turn",
    "injects_fired",
)


class Collector:
    """Collects per-turn metrics and the running totals the summary reads."""

    params: EngineParams
    turns: list[dict[str, Any]]
    hostile_total: int
    posts_total: int
    reach: int
    hostile_reach: int
    replies_by_post: dict[int, int]
    goal_questions: int
    press_total: int
    stance0_by_segment: np.ndarray
    stance0_mean: float

    def __init__(self, params: EngineParams, audience: Audience, state: EngineState):
        self.params = params
        self.audience = audience
        self.turns: list[dict[str, Any]] = []
        self.hostile_total = 0
        self.posts_total = 0
        self.reach = 0
        self.hostile_reach = 0
        self.replies_by_post: dict[int, int] = {}
        self.goal_questions = 0
        self.press_total = 0
        # The crowd's stance when the clock starts (after the opening's effects), for reputation.
        self.stance0_by_segment = self._stance_by_segment(state)
        self.stance0_mean = float(state.stance.mean())

    def _stance_by_segment(self, state: EngineState) -> np.ndarray:
        segment, s = self.audience.segment, self.params.s
        sums = np.bincount(segment, weights=state.stance, minlength=s)
        counts = np.bincount(segment, minlength=s)
        return sums / np.maximum(counts, 1)

    def hostile_last_hour(self, hostile_now: int) -> int:
        """Return hostile posts over the last hour of turns, this one included."""
        per_hour = int(round(60 / self.params.turn_minutes))
        hist = [t["hostile"] for t in self.turns[-(per_hour - 1) :]] + [hostile_now] if per_hour > 1 else [hostile_now]
        return int(sum(hist))

    def collect(self, rec: TurnRecord, state: EngineState) -> dict[str, Any]:
        """Return this turn's metrics (and keep them)."""
        p = self.params
        kinds = rec.kind
        seg = self.audience.segment[rec.poster]
        by_kind = np.bincount(kinds, minlength=p.k)
        by_segment = np.bincount(seg, minlength=p.s)
        hostile = int(by_kind[p.hostile].sum())
        volume = len(kinds)
        replies = int(rec.reply.sum())
        if replies:
            counts = np.bincount(rec.reply_post[rec.reply], minlength=len(state.brand_posts))
            for pid in np.flatnonzero(counts).tolist():
                self.replies_by_post[pid] = self.replies_by_post.get(pid, 0) + int(counts[pid])
        self.hostile_total += hostile
        self.posts_total += volume
        self.reach += rec.newly_reached
        self.hostile_reach += rec.newly_reached_hostile
        on_topic = int((p.on_topic[kinds] & p.intended[seg]).sum())
        if rec.live:
            self.goal_questions += on_topic
        press = int(by_kind[p.story].sum()) if p.story.any() else 0
        self.press_total += press
        view = TurnView(rec, state, self, by_kind, volume, hostile, replies, on_topic, press, self.audience.size)
        fields = {
            "turn": rec.turn,
            "minute": rec.turn * p.turn_minutes,
            "decision": str(rec.decision),
            "brand_post": rec.brand_post.text if rec.brand_post else None,
            "injects": rec.injects,
            "posts_by_kind": {k: int(v) for k, v in zip(p.kind_ids, by_kind, strict=True)},
            "posts_by_segment": {s: int(v) for s, v in zip(self.audience.segment_ids, by_segment, strict=True)},
            "stance_by_segment": {
                s: float(v) for s, v in zip(self.audience.segment_ids, state.stance_by_segment(), strict=True)
            },
            "live": rec.live,
        }
        values = {key: fields[key] if key in fields else TURN_REPORTERS[key](view) for key in TURN_LAYOUT}
        self.turns.append(values)
        return values

    def summary(self, state: EngineState, text_negative: float | None = None) -> dict[str, Any]:
        """Return the run's summary metrics (what targets and scores read); the feed measures `text_negative`."""
        volumes = np.array([t["volume"] for t in self.turns], dtype=np.float64)
        hostiles = np.array([t["hostile"] for t in self.turns], dtype=np.float64)
        per_hour = max(1, int(round(60 / self.params.turn_minutes)))
        window = np.ones(per_hour)
        hourly_volume = np.convolve(volumes, window, mode="valid") if len(volumes) >= per_hour else volumes
        hourly_hostile = np.convolve(hostiles, window, mode="valid") if len(volumes) >= per_hour else hostiles
        stance_now = self._stance_by_segment(state)
        view = RunView(state, self, hourly_volume, hourly_hostile, stance_now, self.audience.size, text_negative)
        fields = {
            "stance_change_by_segment": {
                s: float(a - b)
                for s, a, b in zip(self.audience.segment_ids, stance_now, self.stance0_by_segment, strict=True)
            },
            "volume_by_turn": [t["volume"] for t in self.turns],
            "tag_posts_by_turn": [t["tag_posts"] for t in self.turns],
            "hostile_by_turn": [t["hostile"] for t in self.turns],
            "injects_fired": [i for t in self.turns for i in t["injects"]],
        }
        return {key: fields[key] if key in fields else SUMMARY_REPORTERS[key](view) for key in SUMMARY_LAYOUT}
