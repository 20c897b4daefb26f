"""The state of one run: arrays over N personas, the brand's posts, the campaign, and what a turn produced."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulator.engine.attention import Attention
from simulator.engine.decisions import Decision
from simulator.engine.params import EffectSpec
from simulator.engine.viewers import Viewers

ATTENTION_FLOOR = 0.02  # below this a persona has lost interest and leaves the active set


@dataclass
class ActiveEffect:
    """An effect in force: it applies until the turn `until` (None: to the end)."""

    effect: EffectSpec
    until: int | None
    segments: np.ndarray | None = None  # segment indices it applies to (None: all)


@dataclass(frozen=True)
class BrandPost:
    """A post by the brand; each persona reacts to the latest one it saw."""

    id: int
    turn: int
    action: str
    option: str
    text: str
    provocation: float


@dataclass
class TurnRecord:
    """What happened in one turn (read by the metric reporters and the feed)."""

    turn: int
    poster: np.ndarray  # int32: who posted (one row per post)
    kind: np.ndarray  # int8: kind of each post
    reply: np.ndarray  # bool: post is a reply to a brand post
    reply_post: np.ndarray  # int32: id of the brand post replied to (-1 when not a reply)
    repost: np.ndarray  # bool: post is a repost
    brand_post: BrandPost | None
    decision: Decision
    injects: list[str]
    newly_reached: int
    newly_reached_hostile: int
    trending: bool
    live: bool


@dataclass
class EngineState:
    """Arrays over N personas plus the brand's and the campaign's state."""

    stance: np.ndarray
    attention: Attention  # attention and the active set, updated where something happens
    posts_made: np.ndarray
    seen: np.ndarray
    seen_hostile: np.ndarray
    saw_brand_post: np.ndarray  # int32: id of the latest brand post each persona saw (-1 none)
    viewers: Viewers  # each fresh brand post's audience
    seg_counts: np.ndarray  # personas per segment
    stance_sums: np.ndarray  # running sum of stance per segment (updated where stance changes)
    effects: list[ActiveEffect] = field(default_factory=list)
    brand_posts: list[BrandPost] = field(default_factory=list)
    live: bool = True
    cancelled_turn: int | None = None
    paused_until: int = -1
    last_posts: tuple[np.ndarray, np.ndarray] | None = None
    hub_posts: list[tuple[int, int]] = field(default_factory=list)  # (hub persona, kind) posted by injects this turn
    broadcasts: list[tuple[int, dict[int, float]]] = field(default_factory=list)  # (kind, {segment: share})
    fired: set[str] = field(default_factory=set)
    novelty: float = 1.0  # the tag's pull on newcomers, 0..1
    volume_history: list[int] = field(default_factory=list)
    hostile_history: list[int] = field(default_factory=list)

    @classmethod
    def start(cls, stance: np.ndarray, segment: np.ndarray, segments: int, engine: int = 3) -> EngineState:
        """Return the state before the first turn, from the crowd's starting stance (`engine`: see `Attention`)."""
        n = len(stance)
        stance = stance.astype(np.float64).copy()
        counts = np.bincount(segment, minlength=segments).astype(np.float64)
        sums = np.bincount(segment, weights=stance, minlength=segments)
        return cls(
            stance=stance,
            attention=Attention(n, segments, ATTENTION_FLOOR, engine),
            posts_made=np.zeros(n, dtype=np.int32),
            seen=np.zeros(n, dtype=bool),
            seen_hostile=np.zeros(n, dtype=bool),
            saw_brand_post=np.full(n, -1, dtype=np.int32),
            viewers=Viewers(),
            seg_counts=counts,
            stance_sums=sums,
        )

    def set_stance(self, segment: np.ndarray, who: np.ndarray, values: np.ndarray) -> None:
        """Set the stance of some personas, keeping the per-segment sums current."""
        delta = values - self.stance[who]
        self.stance_sums += np.bincount(segment[who], weights=delta, minlength=len(self.stance_sums))
        self.stance[who] = values

    def stance_by_segment(self) -> np.ndarray:
        """Return the mean stance of each segment now."""
        means: np.ndarray = self.stance_sums / np.maximum(self.seg_counts, 1)
        return means

    @property
    def active_count(self) -> int:
        """Personas paying attention to the tag now (attention above the floor)."""
        return self.attention.count

    @property
    def cancelled(self) -> bool:
        """True once the campaign was cancelled."""
        return self.cancelled_turn is not None
