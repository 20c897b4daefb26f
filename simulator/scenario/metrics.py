"""The metric vocabulary: every name a trigger, a target or a score dimension may read.

Names are `Literal` types, so a misspelt metric is a validation error with its
file and line, and an editor autocompletes the names from the JSON Schema. The
engine's reporters are keyed by these same names (a test keeps the two sets
equal), and formatting reads the declared unit instead of guessing from a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal["count", "share", "hours", "stance", "flag"]

TurnMetric = Literal[
    "volume",
    "hostile",
    "share_negative",
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
    "hostile_total",
    "hostile_last_hour",
    "cancelled",
    "active",
    "hostile_replies",
]
"""A value measured each turn (what an inject's trigger watches)."""

SummaryMetric = Literal[
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
    "goal_questions",
    "goal_share",
    "press_stories",
    "trending_turns",
    "first_trending_hours",
    "peak_hour_start_hours",
]
"""A value measured over a whole run (what targets and score dimensions read)."""

WindowedMetric = Literal["posts_total", "tag_posts_total", "hostile_total"]
"""Summary metrics a target may count within a time window (`since`, `until`)."""


@dataclass(frozen=True)
class MetricInfo:
    """What a metric means and how to read it."""

    name: str
    unit: Unit
    description: str
    per_crowd: bool = False  # a count of posts or accounts: scales with the crowd's size
    series: str | None = None  # the per-turn series a windowed target sums


def _info(name: str, unit: Unit, description: str, per_crowd: bool = False, series: str | None = None) -> MetricInfo:
    return MetricInfo(name, unit, description, per_crowd, series)


TURN_METRICS: dict[str, MetricInfo] = {
    m.name: m
    for m in (
        _info("volume", "count", "Posts this turn: on the tag and replies to the brand.", True),
        _info("hostile", "count", "Hostile posts this turn.", True),
        _info("share_negative", "share", "Share of this turn's posts that are hostile."),
        _info("reposts", "count", "Reposts this turn.", True),
        _info("replies", "count", "Replies to the brand's posts this turn.", True),
        _info("tag_posts", "count", "Posts on the tag this turn (not replies).", True),
        _info("replies_to_latest", "count", "Replies so far to the brand's latest post.", True),
        _info("reach", "count", "Personas who have seen the tag so far.", True),
        _info("reach_share", "share", "Share of the crowd who have seen the tag so far."),
        _info("hostile_reach_share", "share", "Share of the crowd who have seen a hostile post so far."),
        _info("trending", "flag", "1 while the tag trends, else 0."),
        _info("press_stories", "count", "Press stories this turn.", True),
        _info("on_topic_questions", "count", "On-topic posts from the intended audience this turn.", True),
        _info("mean_stance", "stance", "Mean stance of the crowd towards the brand (-1..1)."),
        _info("hostile_total", "count", "Hostile posts so far.", True),
        _info("hostile_last_hour", "count", "Hostile posts in the last hour.", True),
        _info("cancelled", "flag", "1 once the campaign is cancelled, else 0."),
        _info("active", "count", "Personas paying attention to the tag now.", True),
        _info("hostile_replies", "count", "Hostile replies to the brand this turn.", True),
    )
}

SUMMARY_METRICS: dict[str, MetricInfo] = {
    m.name: m
    for m in (
        _info("posts_total", "count", "Posts on the tag and replies to the brand.", True, "volume_by_turn"),
        _info(
            "tag_posts_total",
            "count",
            "Posts on the tag, without direct replies to the brand.",
            True,
            "tag_posts_by_turn",
        ),
        _info("hostile_total", "count", "Hostile posts.", True, "hostile_by_turn"),
        _info("hostile_share", "share", "Share of all posts that are hostile."),
        _info(
            "share_negative_text",
            "share",
            "Share of original posts whose text VADER reads as negative (estimated from the feed's sample, weighted "
            "back to every post); it may differ from hostile_share: sarcasm reads as positive, a plain complaint "
            "can read as neutral.",
        ),
        _info("hostile_before_cancel", "count", "Hostile posts before the cancellation (none if not cancelled).", True),
        _info("cancel_hours", "hours", "Hours from the opening post to the cancellation."),
        _info("replies_to_cancel", "count", "Replies to the cancellation post.", True),
        _info("tag_hostile_after_cancel", "count", "Hostile posts on the tag from the cancellation on.", True),
        _info("peak_share_negative", "share", "Highest hostile share over busy rolling hours."),
        _info("peak_volume_per_hour", "count", "Most posts in any rolling hour.", True),
        _info("reach_share", "share", "Share of the crowd who saw the tag."),
        _info("hostile_reach_share", "share", "Share of the crowd who saw a hostile post."),
        _info("replies_to_last_brand_post", "count", "Replies to the brand's last post.", True),
        _info("brand_posts", "count", "Posts the brand made."),
        _info("stance_change", "stance", "Change in the crowd's mean stance towards the brand (reputation)."),
        _info(
            "goal_questions", "count", "On-topic posts from the intended audience while the campaign was live.", True
        ),
        _info(
            "goal_share",
            "share",
            "On-topic posts from the intended audience while the campaign was live, as a share of all posts of the run "
            "(a storm cannot inflate it, and calling the campaign off early ends it).",
        ),
        _info("press_stories", "count", "Press stories.", True),
        _info("trending_turns", "count", "Turns the tag trended."),
        _info("first_trending_hours", "hours", "Hours to the first trending turn."),
        _info("peak_hour_start_hours", "hours", "Hours to the start of the busiest hour."),
    )
}

WINDOWED_SERIES: dict[str, str] = {name: info.series for name, info in SUMMARY_METRICS.items() if info.series}


def unit_of(name: str) -> Unit:
    """Return a metric's declared unit (a summary metric's when both vocabularies have the name)."""
    info = SUMMARY_METRICS.get(name) or TURN_METRICS.get(name)
    return info.unit if info else "count"


def scales_with_crowd(name: str) -> bool:
    """True for counts of posts or accounts, which grow with the crowd's size."""
    info = SUMMARY_METRICS.get(name) or TURN_METRICS.get(name)
    return bool(info and info.per_crowd)
