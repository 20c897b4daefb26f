"""The turn step: exposure through the follower graph, attention, posting, replies, effects.

Rules only; the numbers reported each turn are computed by `metrics.py` from
the `TurnRecord` a step returns. Every random draw comes from the run's own
generator; nothing here knows a scenario id or an option name: moves and
injects act only through the effects and provocation the scenario declares.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulator.audience import Audience
from simulator.engine.decisions import Decision, Plan, check_decision
from simulator.errors import BackfireError
from simulator.scenario.schema import Effect, Scenario

ATTENTION_FLOOR = 0.02  # below this a persona has lost interest and leaves the active set
DENSE_FRACTION = 0.125  # gather size (as a share of N) above which dense bincount beats sorting


def merge_unique(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Union of two int32 index arrays, sorted (sort-based: numpy's hash unique is slow on big arrays)."""
    if len(b) == 0:
        return a
    if len(a) == 0:
        c = np.sort(b)
    else:
        c = np.concatenate([a, b])
        c.sort()
    if len(c) > 1:
        c = c[np.concatenate([[True], c[1:] != c[:-1]])]
    return c.astype(np.int32, copy=False)


@dataclass
class ActiveEffect:
    effect: Effect
    until: int | None  # first turn it no longer applies (None: to the end)
    segments: np.ndarray | None = None  # explicit segment indices (target effects)


@dataclass(frozen=True)
class BrandPost:
    """A post by the brand: the latest one is the reply target."""

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
    attention: np.ndarray
    posts_made: np.ndarray
    seen: np.ndarray
    seen_hostile: np.ndarray
    saw_brand_post: np.ndarray  # int32: id of the latest brand post each persona saw (-1 none)
    active: np.ndarray  # int32 sorted: personas with attention above the floor
    viewers: np.ndarray  # int32 sorted: personas who saw a brand post that is still fresh
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


class Simulation:
    """One run in progress: call `step(decision)` once per turn."""

    def __init__(self, scenario: Scenario, audience: Audience, rng: np.random.Generator, opening: str | None = None):
        self.scenario = scenario
        self.audience = audience
        self.rng = rng
        self.turn = 0
        self.edges_touched = 0
        self.turns = scenario.clock.turns
        self.dt_hours = scenario.clock.turn_minutes / 60
        n = audience.size
        kinds = scenario.kinds
        self.kind_ids = [k.id for k in kinds]
        self.k = len(kinds)
        self.hostile = np.array([k.tone == "hostile" for k in kinds])
        self.supportive = np.array([k.tone == "supportive" for k in kinds])
        self.appeal = np.array([k.appeal for k in kinds], dtype=np.float64)
        self.influence = np.array([k.influence for k in kinds], dtype=np.float64)
        self.repost_share = np.array([k.repost_share for k in kinds], dtype=np.float64)
        segs = scenario.audience.segments
        self.s = len(segs)
        self.seg_index = {sg.id: i for i, sg in enumerate(segs)}
        self.kind_index = {kid: i for i, kid in enumerate(self.kind_ids)}
        self.base_mix = np.zeros((self.s, self.k))
        for i, sg in enumerate(segs):
            for kid, w in sg.posts.items():
                self.base_mix[i, self.kind_index[kid]] = w
        self.base_mix /= self.base_mix.sum(axis=1, keepdims=True)
        self.seg_invitation = np.array([sg.invitation for sg in segs], dtype=np.float64)
        self.seg_tag_interest = np.array([sg.tag_interest for sg in segs], dtype=np.float64)
        self.followers = audience.graph.followers_count()
        d = scenario.dynamics
        self.dyn = d
        self.opening = next((o for o in scenario.campaign.openings if o.id == opening), None) if opening else scenario.default_opening()
        if self.opening is None:
            raise BackfireError(f"unknown opening {opening!r}; valid: {', '.join(scenario.option_ids()['open'])}")
        self.state = EngineState(
            stance=audience.stance.astype(np.float64).copy(),
            attention=np.zeros(n, dtype=np.float64),
            posts_made=np.zeros(n, dtype=np.int32),
            seen=np.zeros(n, dtype=bool),
            seen_hostile=np.zeros(n, dtype=bool),
            saw_brand_post=np.full(n, -1, dtype=np.int32),
            active=np.zeros(0, dtype=np.int32),
            viewers=np.zeros(0, dtype=np.int32),
        )
        # Stance by segment is kept as running sums, updated where stance changes, so
        # reporting it each turn costs what changed, not the whole crowd.
        self.seg_counts = np.bincount(audience.segment, minlength=self.s).astype(np.float64)
        self.stance_sums = np.bincount(audience.segment, weights=self.state.stance, minlength=self.s)
        self._pending_brand_post: BrandPost | None = None
        self._add_effects(self.opening.effects, 0)
        self._post_brand("open", self.opening.id, self.opening.text, self.opening.provocation)

    # ------------------------------------------------------------------ params
    def _add_effects(self, effects: list[Effect], turn: int, segments: np.ndarray | None = None, viewers: np.ndarray | None = None) -> None:
        for e in effects:
            segs = segments
            if e.segments is not None:
                segs = np.array([self.seg_index[s] for s in e.segments], dtype=np.int64)
            if e.param == "stance":
                self._shift_stance(e, segs, viewers)
                continue
            if e.param == "novelty":
                self.state.novelty = min(1.0, self.state.novelty + e.value)
                continue
            self.state.effects.append(ActiveEffect(e, None if e.turns is None else turn + e.turns, segs))

    def _shift_stance(self, e: Effect, segs: np.ndarray | None, viewers: np.ndarray | None) -> None:
        st = self.state
        seg_mask = np.ones(self.s, dtype=bool) if segs is None else np.isin(np.arange(self.s), segs)
        if e.everyone or viewers is None:
            who = np.flatnonzero(seg_mask[self.audience.segment])
        else:
            who = viewers[seg_mask[self.audience.segment[viewers]]]
        self._set_stance(who, np.clip(st.stance[who] + e.value, -1.0, 1.0))

    def _set_stance(self, who: np.ndarray, values: np.ndarray) -> None:
        """Set the stance of some personas, keeping the per-segment sums current."""
        delta = values - self.state.stance[who]
        self.stance_sums += np.bincount(self.audience.segment[who], weights=delta, minlength=self.s)
        self.state.stance[who] = values

    def stance_by_segment(self) -> np.ndarray:
        """Mean stance of each segment now."""
        return self.stance_sums / np.maximum(self.seg_counts, 1)

    def mean_stance(self) -> float:
        """Mean stance of the whole crowd now."""
        return float(self.stance_sums.sum() / self.audience.size)

    def _current(self, turn: int) -> tuple[np.ndarray, np.ndarray, float, float, np.ndarray, float]:
        """Return (invitation[S], rate[S,K], trend, attention multiplier, spread[K], promotion) for this turn."""
        st = self.state
        invitation = self.scenario.campaign.invitation * self.seg_invitation.copy()
        rate = np.ones((self.s, self.k))
        trend, attention, spread, promotion = 1.0, 1.0, np.ones(self.k), 0.0
        keep = []
        for ae in st.effects:
            if ae.until is not None and turn >= ae.until:
                continue
            keep.append(ae)
            e = ae.effect
            segs = slice(None) if ae.segments is None else ae.segments
            kinds = slice(None) if e.kinds is None else np.array([self.kind_index[k] for k in e.kinds])

            def combine(current, value=e.value):
                return current * value if e.op == "multiply" else current + value

            if e.param == "invitation":
                invitation[segs] = combine(invitation[segs])
            elif e.param == "rate":
                sub = rate[segs]
                if isinstance(kinds, slice):
                    sub = combine(sub)
                else:
                    sub[..., kinds] = combine(sub[..., kinds])
                rate[segs] = sub
            elif e.param == "trend":
                trend = combine(trend)
            elif e.param == "attention":
                attention = combine(attention)
            elif e.param == "spread":
                spread[kinds] = combine(spread[kinds])
            elif e.param == "promotion":
                promotion = combine(promotion)
        st.effects = keep
        if not st.live:
            invitation[:] = 0.0
        return (
            np.maximum(invitation, 0),
            np.maximum(rate, 0),
            max(trend, 0.0),
            max(attention, 0.01),
            np.maximum(spread, 0),
            min(max(promotion, 0.0), 1.0),
        )

    # ------------------------------------------------------------------ brand
    def _post_brand(self, action: str, option: str, text: str, provocation: float) -> BrandPost:
        post = BrandPost(len(self.state.brand_posts), self.turn, action, option, text, provocation)
        self.state.brand_posts.append(post)
        self._pending_brand_post = post
        return post

    def _apply_decision(self, decision: Decision) -> BrandPost | None:
        sc, st, turn = self.scenario, self.state, self.turn
        check_decision(sc, decision)
        if decision.action == "wait":
            return None
        if st.cancelled_turn is not None and decision.action in ("cancel", "pause"):
            raise BackfireError(f"the campaign was already cancelled at turn {st.cancelled_turn}; you can still answer or wait")
        st.paused_until = -1  # any move breaks a pause
        if decision.action == "answer":
            opt = next(o for o in sc.actions.answer if o.id == decision.option)
            kind = self.answer_kind(decision.target)
            text = " ".join(opt.text_for(kind).replace("{question}", "").split())
            post = self._post_brand("answer", opt.id, text, opt.provocation)
            self._deferred_effects = [(opt.effects, None)]
            if opt.target_effects:
                col = self.base_mix[:, self.kind_index[kind]]
                writers = np.flatnonzero(col >= 0.25)
                if len(writers) == 0:
                    writers = np.array([int(np.argmax(col))])
                self._deferred_effects.append((opt.target_effects, writers))
            self._answered_kind = kind
            return post
        if decision.action == "pause":
            if decision.option.isdigit():
                turns, effects, text, prov = int(decision.option), [], None, 1.0
            else:
                opt = next(o for o in sc.actions.pause if o.id == decision.option)
                turns, effects, text, prov = opt.turns, opt.effects, opt.text, opt.provocation
            st.paused_until = turn + turns
            self._deferred_effects = [(effects, None)]
            return self._post_brand("pause", decision.option, text, prov) if text else None
        opt = next(o for o in sc.actions.cancel if o.id == decision.option)
        st.live = False
        st.cancelled_turn = turn
        self._deferred_effects = [(opt.effects, None)]
        return self._post_brand("cancel", opt.id, opt.text, opt.provocation) if opt.text else None

    def answer_kind(self, target: str | None) -> str:
        """The kind of post an answer addresses: the target kind, the kind of a feed post, or last turn's commonest."""
        if target and not target.startswith("#"):
            return target
        if target and target.startswith("#"):
            kind = getattr(self, "feed_kinds", {}).get(target)
            if kind is None:
                raise BackfireError(f"no post {target} in the feed")
            return kind
        # A category answer with no target takes the most common non-supportive kind of last turn.
        if self.state.last_posts is not None and len(self.state.last_posts[1]):
            counts = np.bincount(self.state.last_posts[1], minlength=self.k).astype(float)
            counts[self.supportive] = -1
            return self.kind_ids[int(np.argmax(counts))]
        return self.scenario.campaign.on_topic[0]

    # ------------------------------------------------------------------ injects
    def _fire(self, turn: int, metric_values: dict[str, float] | None) -> list[str]:
        fired = []
        minute = turn * self.scenario.clock.turn_minutes
        for inj in self.scenario.injects:
            if inj.id in self.state.fired:
                continue
            trig = inj.trigger
            if metric_values is None:
                if trig.metric is not None or trig.at is None or trig.at > minute:
                    continue
            else:
                if trig.metric is None:
                    continue
                value = metric_values.get(trig.metric)
                if value is None:
                    continue
                if trig.at is not None and trig.at > minute:
                    continue
                if not ((trig.above is not None and value > trig.above) or (trig.below is not None and value < trig.below)):
                    continue
            self.state.fired.add(inj.id)
            fired.append(inj.id)
            self._apply_inject(inj, turn)
        return fired

    def _apply_inject(self, inj, turn: int) -> None:
        self._add_effects(inj.effects, turn)
        if inj.post is not None:
            kind = self.kind_index[inj.post.kind]
            if inj.post.hub is not None:
                self.state.hub_posts.append((self.audience.hubs[inj.post.hub], kind))
            if inj.post.reach:
                self.state.broadcasts.append((kind, {self.seg_index[s]: v for s, v in inj.post.reach.items()}))

    def fire_now(self, inj) -> None:
        """Fire an inject at once (a facilitator's call): its effects start now, its post spreads next turn."""
        self.state.fired.add(inj.id)
        self._apply_inject(inj, self.turn)

    # ------------------------------------------------------------------ exposure
    def _gather(self, posters: np.ndarray, weights: np.ndarray, kinds: np.ndarray):
        """Followers of each poster, with the post's weight and kind (one row per edge touched)."""
        g = self.audience.graph
        starts = g.indptr[posters]
        lens = g.indptr[posters + 1] - starts
        total = int(lens.sum())
        self.edges_touched += total
        if total == 0:
            return np.zeros(0, np.int32), np.zeros(0), np.zeros(0, np.int8)
        offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
        positions = offsets + np.arange(total, dtype=np.int64)
        return g.indices[positions], np.repeat(weights, lens), np.repeat(kinds, lens)

    def _exposure(self, turn: int, trend_share: float, spread: np.ndarray, brand_post: BrandPost | None, promoted_share: float = 0.0):
        """Return (touched personas, exposure per kind [T,K], brand exposure [T]) for this turn."""
        st, n, rng = self.state, self.audience.size, self.rng
        targets, weights, kinds = [], [], []
        if st.last_posts is not None and len(st.last_posts[0]):
            posters, pk = st.last_posts
            t, w, k = self._gather(posters, self.appeal[pk] * spread[pk], pk)
            targets.append(t), weights.append(w), kinds.append(k)
            mix = np.bincount(pk, minlength=self.k).astype(float)
            mix /= mix.sum()
        else:
            mix = None
        for hub, kind in st.hub_posts:
            t, w, k = self._gather(np.array([hub], np.int32), np.array([self.appeal[kind] * spread[kind]]), np.array([kind], np.int8))
            targets.append(t), weights.append(w), kinds.append(k)
        for kind, shares in st.broadcasts:
            for s, share in shares.items():
                lo, hi = int(self.audience.seg_start[s]), int(self.audience.seg_start[s + 1])
                count = rng.binomial(hi - lo, share)
                targets.append(rng.integers(lo, hi, count).astype(np.int32))
                weights.append(np.full(count, self.appeal[kind] * spread[kind]))
                kinds.append(np.full(count, kind, np.int8))
        st.hub_posts, st.broadcasts = [], []
        if trend_share > 0 and mix is not None:
            count = rng.binomial(n, min(trend_share, 1.0))
            who = rng.integers(0, n, count).astype(np.int32)
            kind_draw = np.searchsorted(np.cumsum(mix), rng.random(count) * (1 - 1e-12), side="right").astype(np.int8)
            targets.append(who), weights.append(self.appeal[kind_draw] * spread[kind_draw]), kinds.append(kind_draw)
        if promoted_share > 0:
            # A paid placement shows the tag itself (not any post on it) to a share of the crowd.
            count = rng.binomial(n, promoted_share)
            targets.append(rng.integers(0, n, count).astype(np.int32))
            weights.append(np.ones(count)), kinds.append(np.full(count, -1, np.int8))
        discovery = rng.binomial(n, min(self.dyn.spontaneous * self.dt_hours, 1.0))
        if discovery:
            who = rng.integers(0, n, discovery).astype(np.int32)
            weights_d = np.ones(discovery)
            kind_d = np.full(discovery, -1, np.int8)  # the tag itself, no particular kind
            targets.append(who), weights.append(weights_d), kinds.append(kind_d)
        brand_targets = None
        if brand_post is not None:
            reach = self.audience.graph.brand_followers
            if len(st.active):
                on_tag = st.active[rng.random(len(st.active)) < self.dyn.brand_post_reach]
                reach = merge_unique(reach, on_tag)
            brand_targets = reach
        if not targets and brand_targets is None:
            return np.zeros(0, np.int32), np.zeros((0, self.k)), np.zeros(0), np.zeros(0)
        t_all = np.concatenate(targets) if targets else np.zeros(0, np.int32)
        w_all = np.concatenate(weights) if weights else np.zeros(0)
        k_all = np.concatenate(kinds) if kinds else np.zeros(0, np.int8)
        if brand_targets is not None:
            t_all = np.concatenate([t_all, brand_targets])
            w_all = np.concatenate([w_all, np.ones(len(brand_targets))])
            k_all = np.concatenate([k_all, np.full(len(brand_targets), self.k, np.int8)])  # column k = brand
        if len(t_all) == 0:
            return np.zeros(0, np.int32), np.zeros((0, self.k)), np.zeros(0), np.zeros(0)
        cols = self.k + 2  # kinds, brand post, tag discovery (-1 → last column)
        col = np.where(k_all < 0, self.k + 1, k_all).astype(np.int64)
        if len(t_all) > DENSE_FRACTION * n:
            flat = np.bincount(t_all.astype(np.int64) * cols + col, weights=w_all, minlength=n * cols).reshape(n, cols)
            touched = np.flatnonzero(flat.any(axis=1)).astype(np.int32)
            exp = flat[touched]
        else:
            order = np.argsort(t_all, kind="stable")
            ts = t_all[order]
            starts = np.flatnonzero(np.concatenate([[True], ts[1:] != ts[:-1]]))
            touched = ts[starts]
            group = np.repeat(np.arange(len(starts)), np.diff(np.concatenate([starts, [len(ts)]])))
            exp = np.zeros((len(touched), cols))
            np.add.at(exp, (group, col[order]), w_all[order])
        return touched, exp[:, : self.k], exp[:, self.k], exp[:, self.k + 1]

    # ------------------------------------------------------------------ step
    def step(self, decision: Decision) -> TurnRecord:
        """Advance one turn with the player's decision; return what happened."""
        if self.turn >= self.turns:
            raise BackfireError(f"the run is over ({self.turns} turns)")
        sc, st, rng, d = self.scenario, self.state, self.rng, self.dyn
        turn = self.turn
        self._deferred_effects = []
        self._answered_kind = None
        brand_post = self._pending_brand_post if turn == 0 else None
        self._pending_brand_post = None
        if turn > 0:
            brand_post = self._apply_decision(decision)
            self._pending_brand_post = None
        elif decision.action != "wait":
            brand_post_now = self._apply_decision(decision)
            brand_post = brand_post_now or brand_post
        fired = self._fire(turn, None)

        invitation, rate, trend_mult, attention_mult, spread, promotion = self._current(turn)
        last_hour = sum(st.volume_history[-int(round(1 / self.dt_hours)) :]) / max(min(len(st.volume_history), int(round(1 / self.dt_hours))), 1) / self.dt_hours
        trending = len(st.volume_history) > 0 and last_hour >= d.trending_threshold
        trend_share = d.trending_share * trend_mult if trending else 0.0

        promoted_share = 1 - (1 - promotion) ** self.dt_hours  # the declared share is per hour
        touched, exp_k, exp_brand, exp_tag = self._exposure(turn, trend_share, spread, brand_post, promoted_share)
        # Attention: decays, then rises with what was seen this turn.
        decay = 0.5 ** (sc.clock.turn_minutes / (d.attention_half_life * attention_mult))
        if len(st.active):
            st.attention[st.active] *= decay
        total_exp = exp_k.sum(axis=1) + exp_brand + exp_tag
        if len(touched):
            gain = d.exposure_gain * st.novelty
            st.attention[touched] = 1 - (1 - st.attention[touched]) * np.exp(-gain * total_exp)
        newly = touched[~st.seen[touched]] if len(touched) else touched
        st.seen[touched] = True
        hostile_exp = exp_k[:, self.hostile].sum(axis=1) if len(touched) else np.zeros(0)
        hostile_touched = touched[(hostile_exp > 0) & ~st.seen_hostile[touched]] if len(touched) else touched
        st.seen_hostile[hostile_touched] = True
        # Social influence on stance from what was seen (saturating in the amount seen).
        if len(touched):
            pull = (exp_k * self.influence).sum(axis=1) / (1 + 0.25 * total_exp)
            self._set_stance(touched, np.clip(st.stance[touched] + pull, -1, 1))
        # The brand post: who saw it joins its audience; the move's effects land.
        if brand_post is not None:
            viewers = touched[exp_brand > 0]
            st.viewers = merge_unique(st.viewers, viewers)
            st.saw_brand_post[viewers] = brand_post.id
            for effects, segs in self._deferred_effects:
                self._add_effects(effects, turn, segments=segs, viewers=viewers)
            invitation, rate, *_ = self._current(turn)
        elif self._deferred_effects:
            for effects, segs in self._deferred_effects:
                self._add_effects(effects, turn, segments=segs, viewers=None)
            invitation, rate, *_ = self._current(turn)

        st.novelty *= 0.5 ** (sc.clock.turn_minutes / d.novelty_half_life)
        active = merge_unique(st.active, touched)
        active = active[st.attention[active] > ATTENTION_FLOOR]
        st.active = active

        # Posting by the attentive.
        posters, kinds = self._draw_posts(active, touched, exp_k, total_exp, invitation, rate)
        # Reactions to the brand's latest post, from those who saw it: most are
        # replies to it, some are quotes posted on the tag.
        reply_posters, reply_kinds, reply_ids = self._draw_replies(turn, touched, rate)
        quoted = self.rng.random(len(reply_posters)) < d.quote_share
        all_posters = np.concatenate([posters, reply_posters]).astype(np.int32)
        all_kinds = np.concatenate([kinds, reply_kinds]).astype(np.int8)
        is_reply = np.concatenate([np.zeros(len(posters), bool), ~quoted])
        reply_post = np.concatenate([np.full(len(posters), -1, np.int32), np.where(quoted, -1, reply_ids)]).astype(np.int32)
        is_repost = (rng.random(len(all_posters)) < self.repost_share[all_kinds]) & ~is_reply
        np.add.at(st.posts_made, all_posters, 1)
        if d.novelty_half_volume is not None:
            on_tag = len(all_posters) - int(is_reply.sum())  # replies go to the brand's post, not the tag
            st.novelty *= 0.5 ** (on_tag / d.novelty_half_volume)
        st.last_posts = (all_posters, all_kinds)
        st.volume_history.append(len(all_posters))
        st.hostile_history.append(int(self.hostile[all_kinds].sum()))
        record = TurnRecord(
            turn=turn,
            poster=all_posters,
            kind=all_kinds,
            reply=is_reply,
            reply_post=reply_post,
            repost=is_repost,
            brand_post=brand_post,
            decision=decision,
            injects=fired,
            newly_reached=len(newly),
            newly_reached_hostile=len(hostile_touched),
            trending=trending,
            live=st.live,
        )
        self.turn += 1
        return record

    def after_metrics(self, turn: int, values: dict[str, float]) -> list[str]:
        """Fire metric-triggered injects (their posts spread next turn); return their ids."""
        return self._fire(turn, values)

    def _mix(self, who: np.ndarray, exp_k: np.ndarray | None, total_exp: np.ndarray | None, rate: np.ndarray) -> np.ndarray:
        seg = self.audience.segment[who]
        w = self.base_mix[seg] * rate[seg]
        stance = self.state.stance[who][:, None]
        sw = self.dyn.stance_weight
        w = w * np.where(self.hostile, np.exp(-sw * stance), np.where(self.supportive, np.exp(sw * stance), 1.0))
        if exp_k is not None:
            w = w * (1 + self.dyn.imitation * exp_k / (1 + total_exp[:, None]))
        return w

    def _choose(self, weights: np.ndarray) -> np.ndarray:
        cum = np.cumsum(weights, axis=1)
        u = self.rng.random(len(weights)) * cum[:, -1]
        return np.minimum((cum < u[:, None]).sum(axis=1), self.k - 1).astype(np.int8)

    def _draw_posts(self, active, touched, exp_k, total_exp, invitation, rate):
        st, d = self.state, self.dyn
        if len(active) == 0:
            return np.zeros(0, np.int32), np.zeros(0, np.int8)
        seg = self.audience.segment[active]
        # exposure this turn for the active personas (0 for those not touched)
        pos = np.searchsorted(touched, active) if len(touched) else np.zeros(len(active), np.int64)
        hit = np.zeros(len(active), bool)
        if len(touched):
            inside = pos < len(touched)
            hit[inside] = touched[pos[inside]] == active[inside]
        ek = np.zeros((len(active), self.k))
        te = np.zeros(len(active))
        ek[hit] = exp_k[pos[hit]]
        te[hit] = total_exp[pos[hit]]
        # An open invitation pulls hardest on people with strong feelings about the
        # brand ("people who have a bone to pick with you will take opportunities
        # to air their grievances if you give them a chance").
        # A tag that belongs to others keeps its own pull (`tag_interest`), whatever the brand does.
        motive = np.exp(d.stance_weight * np.abs(st.stance[active]))
        drive = invitation[seg] * motive + self.seg_tag_interest[seg] + d.imitation * te / (1 + te)
        lam = self.audience.activity[active] * self.dt_hours * st.attention[active] * drive
        lam *= d.fatigue ** st.posts_made[active]
        post = self.rng.random(len(active)) < 1 - np.exp(-lam)
        who = active[post]
        if len(who) == 0:
            return who, np.zeros(0, np.int8)
        kinds = self._choose(self._mix(who, ek[post], te[post], rate))
        return who, kinds

    def _draw_replies(self, turn, touched, rate):
        """Each viewer may react to the latest brand post they saw, by its provocation and freshness."""
        st, d = self.state, self.dyn
        if not st.brand_posts:
            return np.zeros(0, np.int32), np.zeros(0, np.int8), np.zeros(0, np.int32)
        minutes = self.scenario.clock.turn_minutes
        post_turn = np.array([p.turn for p in st.brand_posts])
        post_prov = np.array([p.provocation for p in st.brand_posts])
        fresh_by_post = 0.5 ** ((turn - post_turn) * minutes / d.brand_post_half_life)
        latest = st.brand_posts[-1]
        # People who come across the tag while the latest post is fresh see it too.
        if turn > latest.turn and len(touched):
            seen_latest = st.saw_brand_post[touched] == latest.id
            late = touched[(self.rng.random(len(touched)) < d.brand_post_reach * fresh_by_post[-1]) & ~seen_latest]
            if len(late):
                st.saw_brand_post[late] = latest.id
                st.viewers = merge_unique(st.viewers, late)
        viewers = st.viewers
        if len(viewers) == 0:
            return np.zeros(0, np.int32), np.zeros(0, np.int8), np.zeros(0, np.int32)
        post = st.saw_brand_post[viewers]
        fresh = fresh_by_post[post]
        keep = fresh >= 1e-3  # a stale post draws nobody: drop its audience
        if not keep.all():
            viewers, post, fresh = viewers[keep], post[keep], fresh[keep]
            st.viewers = viewers
        if len(viewers) == 0:
            return np.zeros(0, np.int32), np.zeros(0, np.int8), np.zeros(0, np.int32)
        stance = st.stance[viewers]
        lam = d.reply_rate * post_prov[post] * fresh * np.exp(-d.stance_weight * stance) * d.fatigue ** st.posts_made[viewers]
        reply = self.rng.random(len(viewers)) < 1 - np.exp(-lam)
        who = viewers[reply]
        if len(who) == 0:
            return who, np.zeros(0, np.int8), np.zeros(0, np.int32)
        kinds = self._choose(self._mix(who, None, None, rate))
        return who, kinds, post[reply].astype(np.int32)
