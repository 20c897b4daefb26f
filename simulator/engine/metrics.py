"""Metric reporters: read a TurnRecord and the engine state, never change them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulator.engine.model import Simulation, TurnRecord


@dataclass
class Collector:
    """Collects per-turn metrics and running totals for the summary."""

    sim: Simulation
    turns: list[dict] = field(default_factory=list)
    hostile_total: int = 0
    posts_total: int = 0
    reach: int = 0
    hostile_reach: int = 0
    replies_by_post: dict[int, int] = field(default_factory=dict)
    goal_questions: int = 0
    press_total: int = 0

    def __post_init__(self) -> None:
        sim = self.sim
        self.stance0_by_segment = self._stance_by_segment()
        self.stance0_mean = float(sim.state.stance.mean())
        intended = [sim.seg_index[s] for s in sim.scenario.campaign.intended_audience]
        self.intended = np.zeros(sim.s, bool)
        self.intended[intended] = True
        self.on_topic = np.zeros(sim.k, bool)
        self.on_topic[[sim.kind_index[k] for k in sim.scenario.campaign.on_topic]] = True
        self.press_kinds = np.array([k.story for k in sim.scenario.kinds])

    def _stance_by_segment(self) -> np.ndarray:
        sim = self.sim
        sums = np.bincount(sim.audience.segment, weights=sim.state.stance, minlength=sim.s)
        counts = np.bincount(sim.audience.segment, minlength=sim.s)
        return sums / np.maximum(counts, 1)

    def collect(self, rec: TurnRecord) -> dict:
        """Return this turn's metrics (and keep them)."""
        sim = self.sim
        kinds = rec.kind
        seg = sim.audience.segment[rec.poster]
        by_kind = np.bincount(kinds, minlength=sim.k)
        by_segment = np.bincount(seg, minlength=sim.s)
        hostile = int(by_kind[sim.hostile].sum())
        volume = int(len(kinds))
        replies = int(rec.reply.sum())
        if replies:
            counts = np.bincount(rec.reply_post[rec.reply], minlength=len(sim.state.brand_posts))
            for pid in np.flatnonzero(counts).tolist():
                self.replies_by_post[pid] = self.replies_by_post.get(pid, 0) + int(counts[pid])
        self.hostile_total += hostile
        self.posts_total += volume
        self.reach += rec.newly_reached
        self.hostile_reach += rec.newly_reached_hostile
        on_topic = int((self.on_topic[kinds] & self.intended[seg]).sum())
        if rec.live:
            self.goal_questions += on_topic
        press = int(by_kind[self.press_kinds].sum()) if self.press_kinds.any() else 0
        self.press_total += press
        stance = sim.stance_by_segment()
        n = sim.audience.size
        per_hour = int(round(60 / sim.scenario.clock.turn_minutes))
        hostile_hist = [t["hostile"] for t in self.turns[-(per_hour - 1):]] + [hostile] if per_hour > 1 else [hostile]
        latest = sim.state.brand_posts[-1] if sim.state.brand_posts else None
        values = {
            "turn": rec.turn,
            "minute": rec.turn * sim.scenario.clock.turn_minutes,
            "decision": str(rec.decision),
            "brand_post": rec.brand_post.text if rec.brand_post else None,
            "injects": rec.injects,
            "volume": volume,
            "hostile": hostile,
            "share_negative": hostile / volume if volume else 0.0,
            "posts_by_kind": {k: int(v) for k, v in zip(sim.kind_ids, by_kind)},
            "posts_by_segment": {s: int(v) for s, v in zip(sim.audience.segment_ids, by_segment)},
            "reposts": int(rec.repost.sum()),
            "replies": replies,
            "tag_posts": volume - replies,
            "replies_to_latest": self.replies_by_post.get(latest.id, 0) if latest else 0,
            "reach": self.reach,
            "reach_share": self.reach / n,
            "hostile_reach_share": self.hostile_reach / n,
            "trending": rec.trending,
            "press_stories": press,
            "on_topic_questions": on_topic,
            "mean_stance": sim.mean_stance(),
            "stance_by_segment": {s: float(v) for s, v in zip(sim.audience.segment_ids, stance)},
            "live": rec.live,
            "hostile_total": self.hostile_total,
            "hostile_last_hour": int(sum(hostile_hist)),
            "cancelled": 0.0 if rec.live else 1.0,
            "active": int(len(sim.state.active)),
            "hostile_replies": int((sim.hostile[kinds] & rec.reply).sum()),
        }
        self.turns.append(values)
        return values

    def summary(self) -> dict:
        """Return the run's summary metrics (what targets and scores read)."""
        sim = self.sim
        st = sim.state
        cancel_turn = st.cancelled_turn
        turn_minutes = sim.scenario.clock.turn_minutes
        cancel_post = next((p for p in st.brand_posts if p.action == "cancel"), None)
        before = sum(t["hostile"] for t in self.turns if cancel_turn is None or t["turn"] < cancel_turn) if cancel_turn is not None else None
        if cancel_turn is not None:
            after_tag = 0
            for t in self.turns:
                if t["turn"] >= cancel_turn:
                    after_tag += t["hostile"]
            after_tag -= self._hostile_replies_after(cancel_turn)
        else:
            after_tag = None
        volumes = np.array([t["volume"] for t in self.turns], dtype=np.float64)
        hostiles = np.array([t["hostile"] for t in self.turns], dtype=np.float64)
        per_hour = max(1, int(round(60 / turn_minutes)))
        window = np.ones(per_hour)
        hourly_volume = np.convolve(volumes, window, mode="valid") if len(volumes) >= per_hour else volumes
        hourly_hostile = np.convolve(hostiles, window, mode="valid") if len(volumes) >= per_hour else hostiles
        # Share negative over rolling hours that carry at least a tenth of the busiest hour's volume,
        # so a near-empty hour at 3am does not read as "100% negative".
        busy = hourly_volume >= 0.1 * hourly_volume.max() if len(hourly_volume) and hourly_volume.max() > 0 else np.zeros(0, bool)
        peak_share = float((hourly_hostile[busy] / hourly_volume[busy]).max()) if busy.any() else 0.0
        last = st.brand_posts[-1] if st.brand_posts else None
        stance_now = self._stance_by_segment()
        return {
            "posts_total": self.posts_total,
            "tag_posts_total": self.posts_total - sum(t["replies"] for t in self.turns),
            "hostile_total": self.hostile_total,
            "hostile_share": self.hostile_total / self.posts_total if self.posts_total else 0.0,
            "hostile_before_cancel": before,
            "cancel_hours": cancel_turn * turn_minutes / 60 if cancel_turn is not None else None,
            "replies_to_cancel": self.replies_by_post.get(cancel_post.id, 0) if cancel_post else None,
            "tag_hostile_after_cancel": after_tag,
            "peak_share_negative": peak_share,
            "peak_volume_per_hour": int(hourly_volume.max()) if len(hourly_volume) else 0,
            "reach_share": self.reach / sim.audience.size,
            "hostile_reach_share": self.hostile_reach / sim.audience.size,
            "replies_to_last_brand_post": self.replies_by_post.get(last.id, 0) if last else 0,
            "brand_posts": len(st.brand_posts),
            "stance_change": float(st.stance.mean()) - self.stance0_mean,
            "stance_change_by_segment": {s: float(a - b) for s, a, b in zip(sim.audience.segment_ids, stance_now, self.stance0_by_segment)},
            "goal_questions": self.goal_questions,
            "press_stories": self.press_total,
            "trending_turns": int(sum(1 for t in self.turns if t["trending"])),
            "first_trending_hours": next((t["minute"] / 60 for t in self.turns if t["trending"]), None),
            "peak_hour_start_hours": float(np.argmax(hourly_volume)) * turn_minutes / 60 if len(hourly_volume) else None,
            "volume_by_turn": [t["volume"] for t in self.turns],
            "tag_posts_by_turn": [t["tag_posts"] for t in self.turns],
            "hostile_by_turn": [t["hostile"] for t in self.turns],
            "injects_fired": [i for t in self.turns for i in t["injects"]],
        }

    def _hostile_replies_after(self, cancel_turn: int) -> int:
        return sum(t["hostile_replies"] for t in self.turns if t["turn"] >= cancel_turn)
