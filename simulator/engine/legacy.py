"""Engine version 1, kept verbatim: games saved on it replay and resume on it, and it is the tests' oracle.

It draws a Bernoulli trial for every attentive persona and every viewer of a
brand post each turn, and keeps the active and viewer sets as sorted arrays
merged every turn. `Run` uses it only for a game saved on engine 1; the tests
run it beside engine 2 over many seeds, and the two must agree in law (same
model, different random streams). It reuses the engine's effects, injects,
params and records, so only the draws and the bookkeeping differ. Frozen: do
not improve it, or old games stop replaying.
"""

# ruff: noqa
# mypy: ignore-errors

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from simulator.audience import Audience
from simulator.engine import effects, injects
from simulator.engine.decisions import Decision, fill_answer
from simulator.engine.effects import Levers
from simulator.engine.params import BrandOption, EffectSpec, EngineParams, InjectSpec
from simulator.engine.state import ActiveEffect, BrandPost, TurnRecord
from simulator.errors import BackfireError


@dataclass
class LegacyState:
    """Arrays over N personas plus the brand's and the campaign's state."""

    stance: np.ndarray
    attention: np.ndarray
    posts_made: np.ndarray
    seen: np.ndarray
    seen_hostile: np.ndarray
    saw_brand_post: np.ndarray  # int32: id of the latest brand post each persona saw (-1 none)
    active: np.ndarray  # int32 sorted: personas with attention above the floor
    viewers: np.ndarray  # int32 sorted: personas who saw a brand post that is still fresh
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
    def start(cls, stance: np.ndarray, segment: np.ndarray, segments: int) -> LegacyState:
        """Return the state before the first turn, from the crowd's starting stance."""
        n = len(stance)
        stance = stance.astype(np.float64).copy()
        counts = np.bincount(segment, minlength=segments).astype(np.float64)
        sums = np.bincount(segment, weights=stance, minlength=segments)
        return cls(
            stance=stance,
            attention=np.zeros(n, dtype=np.float64),
            posts_made=np.zeros(n, dtype=np.int32),
            seen=np.zeros(n, dtype=bool),
            seen_hostile=np.zeros(n, dtype=bool),
            saw_brand_post=np.full(n, -1, dtype=np.int32),
            active=np.zeros(0, dtype=np.int32),
            viewers=np.zeros(0, dtype=np.int32),
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
        """Personas paying attention now."""
        return len(self.active)

    @property
    def cancelled(self) -> bool:
        """True once the campaign was cancelled."""
        return self.cancelled_turn is not None


DENSE_FRACTION = 0.125  # gather size (as a share of N) above which dense bincount beats sorting


def merge_unique(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the union of two int32 index arrays, sorted (sort-based: numpy's hash unique is slow on big arrays)."""
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


@dataclass(frozen=True)
class Exposure:
    """Who was touched this turn and by what: one row per touched persona."""

    touched: np.ndarray  # int32 sorted persona ids
    by_kind: np.ndarray  # float[T, K]: weighted exposure to each kind of post
    brand: np.ndarray  # float[T]: saw the brand's new post
    tag: np.ndarray  # float[T]: came across the tag itself (discovery, promotion)
    edges: int  # follower edges walked

    @property
    def total(self) -> np.ndarray:
        """Return each touched persona's total exposure."""
        total: np.ndarray = self.by_kind.sum(axis=1) + self.brand + self.tag
        return total


def gather(
    audience: Audience, posters: np.ndarray, weights: np.ndarray, kinds: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Return the followers of each poster, with the post's weight and kind (one row per edge), and the edge count."""
    g = audience.graph
    starts = g.indptr[posters]
    lens = g.indptr[posters + 1] - starts
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, np.int32), np.zeros(0), np.zeros(0, np.int8), 0
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
    positions = offsets + np.arange(total, dtype=np.int64)
    return g.indices[positions], np.repeat(weights, lens), np.repeat(kinds, lens), total


def expose(
    params: EngineParams,
    state: LegacyState,
    audience: Audience,
    rng: np.random.Generator,
    trend_share: float,
    spread: np.ndarray,
    brand_post: BrandPost | None,
    promoted_share: float = 0.0,
) -> Exposure:
    """Return this turn's exposure: last turn's posts along the graph, inject posts, trending, promotion, discovery and the brand's post."""
    st, n, k = state, audience.size, params.k
    appeal = params.appeal
    targets: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    kinds: list[np.ndarray] = []
    edges = 0
    if st.last_posts is not None and len(st.last_posts[0]):
        posters, pk = st.last_posts
        t, w, kk, e = gather(audience, posters, appeal[pk] * spread[pk], pk)
        targets.append(t)
        weights.append(w)
        kinds.append(kk)
        edges += e
        mix = np.bincount(pk, minlength=k).astype(float)
        mix /= mix.sum()
    else:
        mix = None
    for hub, kind in st.hub_posts:
        t, w, kk, e = gather(
            audience, np.array([hub], np.int32), np.array([appeal[kind] * spread[kind]]), np.array([kind], np.int8)
        )
        targets.append(t)
        weights.append(w)
        kinds.append(kk)
        edges += e
    for kind, shares in st.broadcasts:
        for s, share in shares.items():
            lo, hi = int(audience.seg_start[s]), int(audience.seg_start[s + 1])
            count = rng.binomial(hi - lo, share)
            targets.append(rng.integers(lo, hi, count).astype(np.int32))
            weights.append(np.full(count, appeal[kind] * spread[kind]))
            kinds.append(np.full(count, kind, np.int8))
    st.hub_posts, st.broadcasts = [], []
    if trend_share > 0 and mix is not None:
        count = rng.binomial(n, min(trend_share, 1.0))
        who = rng.integers(0, n, count).astype(np.int32)
        kind_draw = np.searchsorted(np.cumsum(mix), rng.random(count) * (1 - 1e-12), side="right").astype(np.int8)
        targets.append(who)
        weights.append(appeal[kind_draw] * spread[kind_draw])
        kinds.append(kind_draw)
    if promoted_share > 0:
        # A paid placement shows the tag itself (not any post on it) to a share of the crowd.
        count = rng.binomial(n, promoted_share)
        targets.append(rng.integers(0, n, count).astype(np.int32))
        weights.append(np.ones(count))
        kinds.append(np.full(count, -1, np.int8))
    discovery = rng.binomial(n, min(params.rates.spontaneous * params.dt_hours, 1.0))
    if discovery:
        who = rng.integers(0, n, discovery).astype(np.int32)
        targets.append(who)
        weights.append(np.ones(discovery))
        kinds.append(np.full(discovery, -1, np.int8))  # the tag itself
    brand_targets = None
    if brand_post is not None:
        reach = audience.graph.brand_followers
        if len(st.active):
            on_tag = st.active[rng.random(len(st.active)) < params.rates.brand_post_reach]
            reach = merge_unique(reach, on_tag)
        brand_targets = reach
    nothing = Exposure(np.zeros(0, np.int32), np.zeros((0, k)), np.zeros(0), np.zeros(0), edges)
    if not targets and brand_targets is None:
        return nothing
    t_all = np.concatenate(targets) if targets else np.zeros(0, np.int32)
    w_all = np.concatenate(weights) if weights else np.zeros(0)
    k_all = np.concatenate(kinds) if kinds else np.zeros(0, np.int8)
    if brand_targets is not None:
        t_all = np.concatenate([t_all, brand_targets])
        w_all = np.concatenate([w_all, np.ones(len(brand_targets))])
        k_all = np.concatenate([k_all, np.full(len(brand_targets), k, np.int8)])  # column k = brand
    if len(t_all) == 0:
        return nothing
    touched: np.ndarray
    exp: np.ndarray
    cols = k + 2  # kinds, brand post, tag discovery (-1 → last column)
    col = np.where(k_all < 0, k + 1, k_all).astype(np.int64)
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
    return Exposure(touched, exp[:, :k], exp[:, k], exp[:, k + 1], edges)


ATTENTION_FLOOR = 0.02  # below this a persona has lost interest and leaves the active set


class LegacySimulation:
    """One run in progress: call `step(decision)` once per turn."""

    def __init__(
        self,
        params: EngineParams,
        audience: Audience,
        rng: np.random.Generator,
        opening: str | None = None,
        opening_post: tuple[str, float] | None = None,
    ):
        """`opening_post` is an opening in the player's words and its provocation (`opening` is its nearest option)."""
        self.params = params
        self.audience = audience
        self.rng = rng
        self.turn = 0
        self.edges_touched = 0
        self.followers = audience.graph.followers_count()
        self.opening: BrandOption = params.option("open", opening or params.default_opening)
        self.state = LegacyState.start(audience.stance, audience.segment, params.s)
        self._deferred: list[tuple[tuple[EffectSpec, ...], np.ndarray | None]] = []
        self._start_effects(self.opening.effects, 0)
        text, provocation = opening_post or (self.opening.text or "", self.opening.provocation)
        self._pending_brand_post: BrandPost | None = self._post_brand("open", self.opening.id, text, provocation)

    @property
    def turns(self) -> int:
        """Turns in a run."""
        return self.params.turns

    @property
    def over(self) -> bool:
        """True when every turn has been played."""
        return self.turn >= self.params.turns

    # ------------------------------------------------------------------ stance and levers
    def _start_effects(
        self,
        fx: tuple[EffectSpec, ...],
        turn: int,
        segments: np.ndarray | None = None,
        viewers: np.ndarray | None = None,
    ) -> None:
        effects.start(self.params, self.state, self.audience.segment, fx, turn, segments, viewers)

    def stance_by_segment(self) -> np.ndarray:
        """Return the mean stance of each segment now."""
        return self.state.stance_by_segment()

    def mean_stance(self) -> float:
        """Return the mean stance of the whole crowd now."""
        return float(self.state.stance_sums.sum() / self.audience.size)

    def levers(self, turn: int) -> Levers:
        """Return the model's parameters for a turn after every effect in force."""
        return effects.fold(self.params, self.state, turn)

    # ------------------------------------------------------------------ brand
    def _post_brand(self, action: str, option: str, text: str, provocation: float) -> BrandPost:
        post = BrandPost(len(self.state.brand_posts), self.turn, action, option, text, provocation)
        self.state.brand_posts.append(post)
        return post

    def _apply_decision(
        self, decision: Decision, answer_kind: str | None, provocation: float | None = None, question: str | None = None
    ) -> BrandPost | None:
        """Make the brand's move; its effects land once we know who saw its post. Decisions arrive checked.

        A written decision (`decision.text`) arrives with its nearest option and the provocation its reading
        gives; the option's effects apply, the player's words are posted. `question` is the post an answer
        replies to, quoted where the option's wording says {question}.
        """
        p, st, turn = self.params, self.state, self.turn
        if decision.action == "wait":
            return None
        if decision.action not in ("answer", "pause", "cancel"):
            raise BackfireError(f"unknown move {decision.action!r}")
        if st.cancelled_turn is not None and decision.action in ("cancel", "pause"):
            raise BackfireError(
                f"the campaign was already cancelled at turn {st.cancelled_turn}; you can still answer or wait"
            )
        st.paused_until = -1  # any move breaks a pause
        option = decision.option or ""
        if decision.action == "answer":
            opt = p.option("answer", option)
            kind = answer_kind or p.on_topic_ids[0]
            text = (
                decision.text if decision.text is not None else fill_answer(opt.text_for(kind), question, p.max_chars)
            )
            post = self._post_brand("answer", opt.id, text, opt.provocation if provocation is None else provocation)
            self._deferred = [(opt.effects, None)]
            if opt.target_effects:
                col = p.base_mix[:, p.kind_index[kind]]
                writers = np.flatnonzero(col >= 0.25)
                if len(writers) == 0:
                    writers = np.array([int(np.argmax(col))])
                self._deferred.append((opt.target_effects, writers))
            return post
        if decision.action == "pause":
            fx: tuple[EffectSpec, ...]
            line: str | None
            if option.isdigit():
                turns, fx, line, prov = int(option), (), None, 1.0
            else:
                opt = p.option("pause", option)
                turns, fx, line, prov = opt.turns, opt.effects, opt.text, opt.provocation
            if decision.text is not None:
                line, prov = decision.text, prov if provocation is None else provocation
            st.paused_until = turn + turns
            self._deferred = [(fx, None)]
            return self._post_brand("pause", option, line, prov) if line else None
        opt = p.option("cancel", option)
        st.live = False
        st.cancelled_turn = turn
        self._deferred = [(opt.effects, None)]
        if decision.text is not None:
            return self._post_brand(
                "cancel", opt.id, decision.text, opt.provocation if provocation is None else provocation
            )
        return self._post_brand("cancel", opt.id, opt.text, opt.provocation) if opt.text else None

    def commonest_kind(self) -> str:
        """Return last turn's most common kind that is not supportive (what a category answer addresses)."""
        p = self.params
        if self.state.last_posts is not None and len(self.state.last_posts[1]):
            counts = np.bincount(self.state.last_posts[1], minlength=p.k).astype(float)
            counts[p.supportive] = -1
            return p.kind_ids[int(np.argmax(counts))]
        return p.on_topic_ids[0]

    # ------------------------------------------------------------------ injects
    def _fire_due(self, turn: int, metric_values: Mapping[str, object] | None) -> list[str]:
        due = injects.due(self.params, self.state, turn, metric_values)
        for inj in due:
            injects.fire(self.params, self.state, self.audience.segment, self.audience.hubs, inj, turn)
        return [inj.id for inj in due]

    def fire_now(self, inj: InjectSpec) -> None:
        """Fire an inject at once (a facilitator's call): its effects start now, its post spreads next turn."""
        injects.fire(self.params, self.state, self.audience.segment, self.audience.hubs, inj, self.turn)

    def after_metrics(self, turn: int, values: Mapping[str, object]) -> list[str]:
        """Fire metric-triggered injects (their posts spread next turn); return their ids."""
        return self._fire_due(turn, values)

    # ------------------------------------------------------------------ step
    def step(
        self,
        decision: Decision,
        answer_kind: str | None = None,
        provocation: float | None = None,
        question: str | None = None,
    ) -> TurnRecord:
        """Advance one turn with the player's decision; return what happened.

        `answer_kind` is the kind an answer addresses, `question` the post it replies to, and `provocation`
        replaces the option's for a post in the player's own words (read and matched by the run).
        """
        if self.over:
            raise BackfireError(f"the run is over ({self.params.turns} turns)")
        p, st, rng, d = self.params, self.state, self.rng, self.params.rates
        turn = self.turn
        self._deferred = []
        brand_post = self._pending_brand_post if turn == 0 else None
        self._pending_brand_post = None
        if turn > 0:
            brand_post = self._apply_decision(decision, answer_kind, provocation, question)
        elif decision.action != "wait":
            brand_post = self._apply_decision(decision, answer_kind, provocation, question) or brand_post
        fired = self._fire_due(turn, None)

        lv = self.levers(turn)
        per_hour = int(round(1 / p.dt_hours))
        last_hour = sum(st.volume_history[-per_hour:]) / max(min(len(st.volume_history), per_hour), 1) / p.dt_hours
        trending = len(st.volume_history) > 0 and last_hour >= d.trending_threshold
        trend_share = d.trending_share * lv.trend if trending else 0.0

        promoted_share = 1 - (1 - lv.promotion) ** p.dt_hours  # the declared share is per hour
        ex = expose(p, st, self.audience, rng, trend_share, lv.spread, brand_post, promoted_share)
        self.edges_touched += ex.edges
        touched, exp_k, exp_brand = ex.touched, ex.by_kind, ex.brand
        # Attention: decays, then rises with what was seen this turn.
        decay = 0.5 ** (p.turn_minutes / (d.attention_half_life * lv.attention))
        if len(st.active):
            st.attention[st.active] *= decay
        total_exp = ex.total
        if len(touched):
            gain = d.exposure_gain * st.novelty
            st.attention[touched] = 1 - (1 - st.attention[touched]) * np.exp(-gain * total_exp)
        newly = touched[~st.seen[touched]] if len(touched) else touched
        st.seen[touched] = True
        hostile_exp = exp_k[:, p.hostile].sum(axis=1) if len(touched) else np.zeros(0)
        hostile_touched = touched[(hostile_exp > 0) & ~st.seen_hostile[touched]] if len(touched) else touched
        st.seen_hostile[hostile_touched] = True
        # Social influence on stance from what was seen (saturating in the amount seen).
        if len(touched):
            pull = (exp_k * p.influence).sum(axis=1) / (1 + 0.25 * total_exp)
            st.set_stance(self.audience.segment, touched, np.clip(st.stance[touched] + pull, -1, 1))
        # The brand post: who saw it joins its audience; the move's effects land.
        if brand_post is not None:
            viewers = touched[exp_brand > 0]
            st.viewers = merge_unique(st.viewers, viewers)
            st.saw_brand_post[viewers] = brand_post.id
            for fx, segs in self._deferred:
                self._start_effects(fx, turn, segments=segs, viewers=viewers)
            lv = self.levers(turn)
        elif self._deferred:
            for fx, segs in self._deferred:
                self._start_effects(fx, turn, segments=segs, viewers=None)
            lv = self.levers(turn)

        st.novelty *= 0.5 ** (p.turn_minutes / d.novelty_half_life)
        active = merge_unique(st.active, touched)
        active = active[st.attention[active] > ATTENTION_FLOOR]
        st.active = active

        # Posting by the attentive.
        posters, kinds = self._draw_posts(active, touched, exp_k, total_exp, lv.invitation, lv.rate)
        # Reactions to the brand's latest post, from those who saw it: most are
        # replies to it, some are quotes posted on the tag.
        reply_posters, reply_kinds, reply_ids = self._draw_replies(turn, touched, lv.rate)
        quoted = self.rng.random(len(reply_posters)) < d.quote_share
        all_posters = np.concatenate([posters, reply_posters]).astype(np.int32)
        all_kinds = np.concatenate([kinds, reply_kinds]).astype(np.int8)
        is_reply = np.concatenate([np.zeros(len(posters), bool), ~quoted])
        reply_post = np.concatenate([np.full(len(posters), -1, np.int32), np.where(quoted, -1, reply_ids)]).astype(
            np.int32
        )
        is_repost = (rng.random(len(all_posters)) < p.repost_share[all_kinds]) & ~is_reply
        np.add.at(st.posts_made, all_posters, 1)
        if d.novelty_half_volume is not None:
            on_tag = len(all_posters) - int(is_reply.sum())  # replies go to the brand's post, not the tag
            st.novelty *= 0.5 ** (on_tag / d.novelty_half_volume)
        st.last_posts = (all_posters, all_kinds)
        st.volume_history.append(len(all_posters))
        st.hostile_history.append(int(p.hostile[all_kinds].sum()))
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

    # ------------------------------------------------------------------ draws
    def _mix(
        self, who: np.ndarray, exp_k: np.ndarray | None, total_exp: np.ndarray | None, rate: np.ndarray
    ) -> np.ndarray:
        p = self.params
        seg = self.audience.segment[who]
        w = p.base_mix[seg] * rate[seg]
        stance = self.state.stance[who][:, None]
        sw = p.rates.stance_weight
        w = w * np.where(p.hostile, np.exp(-sw * stance), np.where(p.supportive, np.exp(sw * stance), 1.0))
        if exp_k is not None and total_exp is not None:
            w = w * (1 + p.rates.imitation * exp_k / (1 + total_exp[:, None]))
        weights: np.ndarray = w
        return weights

    def _choose(self, weights: np.ndarray) -> np.ndarray:
        cum = np.cumsum(weights, axis=1)
        u = self.rng.random(len(weights)) * cum[:, -1]
        chosen: np.ndarray = np.minimum((cum < u[:, None]).sum(axis=1), self.params.k - 1).astype(np.int8)
        return chosen

    def _draw_posts(
        self,
        active: np.ndarray,
        touched: np.ndarray,
        exp_k: np.ndarray,
        total_exp: np.ndarray,
        invitation: np.ndarray,
        rate: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        p, st, d = self.params, self.state, self.params.rates
        if len(active) == 0:
            return np.zeros(0, np.int32), np.zeros(0, np.int8)
        seg = self.audience.segment[active]
        # exposure this turn for the active personas (0 for those not touched)
        pos = np.searchsorted(touched, active) if len(touched) else np.zeros(len(active), np.int64)
        hit = np.zeros(len(active), bool)
        if len(touched):
            inside = pos < len(touched)
            hit[inside] = touched[pos[inside]] == active[inside]
        ek = np.zeros((len(active), p.k))
        te = np.zeros(len(active))
        ek[hit] = exp_k[pos[hit]]
        te[hit] = total_exp[pos[hit]]
        # An open invitation pulls hardest on people with strong feelings about the
        # brand ("people who have a bone to pick with you will take opportunities
        # to air their grievances if you give them a chance").
        # A tag that belongs to others keeps its own pull (`tag_interest`), whatever the brand does.
        motive = np.exp(d.stance_weight * np.abs(st.stance[active]))
        drive = invitation[seg] * motive + p.seg_tag_interest[seg] + d.imitation * te / (1 + te)
        lam = self.audience.activity[active] * p.dt_hours * st.attention[active] * drive
        lam *= d.fatigue ** st.posts_made[active]
        post = self.rng.random(len(active)) < 1 - np.exp(-lam)
        who = active[post]
        if len(who) == 0:
            return who, np.zeros(0, np.int8)
        return who, self._choose(self._mix(who, ek[post], te[post], rate))

    def _draw_replies(
        self, turn: int, touched: np.ndarray, rate: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each viewer may react to the latest brand post they saw, by its provocation and freshness."""
        st, d = self.state, self.params.rates
        none = np.zeros(0, np.int32), np.zeros(0, np.int8), np.zeros(0, np.int32)
        if not st.brand_posts:
            return none
        minutes = self.params.turn_minutes
        post_turn = np.array([bp.turn for bp in st.brand_posts])
        post_prov = np.array([bp.provocation for bp in st.brand_posts])
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
            return none
        post = st.saw_brand_post[viewers]
        fresh = fresh_by_post[post]
        keep = fresh >= 1e-3  # a stale post draws nobody: drop its audience
        if not keep.all():
            viewers, post, fresh = viewers[keep], post[keep], fresh[keep]
            st.viewers = viewers
        if len(viewers) == 0:
            return none
        stance = st.stance[viewers]
        lam = (
            d.reply_rate
            * post_prov[post]
            * fresh
            * np.exp(-d.stance_weight * stance)
            * d.fatigue ** st.posts_made[viewers]
        )
        reply = self.rng.random(len(viewers)) < 1 - np.exp(-lam)
        who = viewers[reply]
        if len(who) == 0:
            return who, np.zeros(0, np.int8), np.zeros(0, np.int32)
        return who, self._choose(self._mix(who, None, None, rate)), post[reply].astype(np.int32)
