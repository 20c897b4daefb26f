"""The turn step: exposure through the follower graph, the brand post's effects, attention, posting, replies.

Engine 3 updates the touched in one compiled pass (attention, reach, stance, chance to post), after the
brand post's effects land; engine 2 (kept to replay its games) lands them after the stance update.

Rules only: the numbers reported each turn are computed by `metrics.py` from
the `TurnRecord` a step returns, and the text by `feed.py`. Every random draw
comes from the run's own generator; nothing here knows a scenario id or an
option name: moves and injects act only through the effects and provocation
the scenario declares, compiled in `params.py`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import numpy as np

from simulator.audience import Audience
from simulator.engine import effects, injects, kernels
from simulator.engine.decisions import Decision, fill_answer
from simulator.engine.effects import Levers
from simulator.engine.exposure import Scratch, expose
from simulator.engine.params import BrandOption, EffectSpec, EngineParams, InjectSpec
from simulator.engine.state import BrandPost, EngineState, TurnRecord
from simulator.errors import BackfireError

# What a touched persona's chance to post reads (`kernels.post_chances`'s arguments after its floor):
# segment, stance, activity, posts made, invitation, tag interest, fatigue table; fatigue, stance weight, imitation, dt.
Posting = tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, float, float, float
]
STALE_POST = 1e-3  # a brand post fresher than this still draws replies; below it, its audience is dropped
# A rate a turn above which acting at least once is certain in double precision (1 − e^(−40) rounds to 1):
# reply rates and their bounds are capped here, which changes no chance and keeps the draws at most 40 a
# viewer, whatever a scenario's numbers multiply to.
RATE_CAP = 40.0


def bernoulli_indices(n: int, chance: float, rng: np.random.Generator) -> np.ndarray:
    """Return the indices 0..n−1 picked by independent trials of probability `chance`, drawn as geometric gaps.

    The gaps between successes of Bernoulli trials are geometric, so the picks have the law of n trials
    at a cost that follows the picks. Gaps are drawn in blocks; those past n are discarded.
    """
    if n == 0 or chance <= 0:
        return np.zeros(0, np.int64)
    if chance >= 1:
        return np.arange(n)
    picked, last = [], -1
    while True:
        expected = (n - 1 - last) * chance
        gaps = rng.geometric(chance, int(expected + 4 * np.sqrt(expected)) + 8)
        at = last + np.cumsum(gaps)
        picked.append(at[at < n])
        if at[-1] >= n:
            return np.concatenate(picked)
        last = int(at[-1])


class Simulation:
    """One run in progress: call `step(decision)` once per turn."""

    def __init__(
        self,
        params: EngineParams,
        audience: Audience,
        rng: np.random.Generator,
        opening: str | None = None,
        opening_post: tuple[str, float] | None = None,
        engine: int = 3,
    ):
        """`opening_post` is an opening in the player's words and its provocation (`opening` is its nearest option).

        `engine` 2 replays games saved on it: the active set kept as that engine kept it (see `Attention`).
        """
        self.params = params
        self.audience = audience
        self.rng = rng
        self.turn = 0
        self.edges_touched = 0
        # Seconds spent in each part of the step, summed over the run (`backfire bench engine` reports them).
        self.timings = dict.fromkeys(("exposure", "attention", "posts", "replies", "records"), 0.0)
        self.followers = audience.graph.followers_count()
        self.opening: BrandOption = params.option("open", opening or params.default_opening)
        self.engine = engine
        self.state = EngineState.start(audience.stance, audience.segment, params.s, engine)
        self.scratch = Scratch(audience.size, audience.graph.brand_followers)
        self._fatigue_table = params.rates.fatigue ** np.arange(64)
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
        clock = time.perf_counter
        started = clock()
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
        ex = expose(p, st, self.audience, rng, trend_share, lv.spread, brand_post, promoted_share, self.scratch)
        self.edges_touched += ex.edges
        touched, exp_k, exp_brand = ex.touched, ex.by_kind, ex.brand
        lap = clock()
        self.timings["exposure"] += lap - started
        # Attention: the active set decays (one number for everyone), then rises with what was seen this turn.
        gain = d.exposure_gain * st.novelty
        st.attention.decay(turn, 0.5 ** (p.turn_minutes / (d.attention_half_life * lv.attention)))
        total_exp = ex.total
        keep: np.ndarray | None
        post: np.ndarray | None
        if self.engine >= 3:
            # The brand post's effects land first (they change this turn's levers, and stance at once); then
            # one pass over the touched: attention, reach, the pull on stance, and each one's trial to post.
            lv = self._brand_post_lands(brand_post, touched, exp_brand, lv, turn)
            attention, exits, keep, post, newly, newly_hostile = self._touched_pass(
                touched, exp_k, total_exp, gain, lv.invitation
            )
            st.attention.settle()
        else:
            attention = exits = np.zeros(0)
            if len(touched):
                attention, exits = st.attention.touch(touched, total_exp, gain)
            st.attention.settle()
            # Who is reached (and reached by hostile posts) for the first time; social influence on stance from
            # what was seen (saturating in the amount seen).
            newly = newly_hostile = 0
            if len(touched):
                pull = (exp_k @ p.influence) / (1 + 0.25 * total_exp)
                newly, newly_hostile = kernels.seen_and_stance(
                    touched,
                    exp_k,
                    pull,
                    p.hostile,
                    st.seen,
                    st.seen_hostile,
                    st.stance,
                    self.audience.segment,
                    st.stance_sums,
                )
            lv = self._brand_post_lands(brand_post, touched, exp_brand, lv, turn)
            keep = post = None

        st.novelty *= 0.5 ** (p.turn_minutes / d.novelty_half_life)

        now = clock()
        self.timings["attention"] += now - lap
        # Posting by the attentive.
        posters, kinds = self._draw_posts(touched, attention, exp_k, total_exp, lv.invitation, lv.rate, keep, post)
        lap = clock()
        self.timings["posts"] += lap - now
        # Reactions to the brand's latest post, from those who saw it: most are
        # replies to it, some are quotes posted on the tag.
        reply_posters, reply_kinds, reply_ids = self._draw_replies(turn, touched, lv.rate)
        now = clock()
        self.timings["replies"] += now - lap
        quoted = self.rng.random(len(reply_posters)) < d.quote_share
        all_posters = np.concatenate([posters, reply_posters]).astype(np.int32)
        all_kinds = np.concatenate([kinds, reply_kinds]).astype(np.int8)
        is_reply = np.concatenate([np.zeros(len(posters), bool), ~quoted])
        reply_post = np.concatenate([np.full(len(posters), -1, np.int32), np.where(quoted, -1, reply_ids)]).astype(
            np.int32
        )
        is_repost = (rng.random(len(all_posters)) < p.repost_share[all_kinds]) & ~is_reply
        kernels.count_posts(all_posters, st.posts_made)
        # The touched who stay attentive join the active set with a bound on their posting rate.
        if len(touched):
            if keep is None:
                keep = np.flatnonzero(attention > st.attention.floor)
            who, segment, weight, exit_of, past = kernels.entering(
                touched, keep, attention, exits, self.audience.activity, st.posts_made, self.audience.segment,
                self._fatigue_table,
            )  # fmt: skip
            if past:  # posts beyond the table of powers: the table grows (`_fatigue`)
                over = np.flatnonzero(np.isnan(weight))
                weight[over] = (
                    self.audience.activity[who[over]] * attention[keep[over]] * self._fatigue(st.posts_made[who[over]])
                )
            st.attention.add(who, segment, weight, exit_of)  # ids run segment by segment
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
            newly_reached=newly,
            newly_reached_hostile=newly_hostile,
            trending=trending,
            live=st.live,
        )
        self.turn += 1
        self.timings["records"] += clock() - now
        return record

    def _brand_post_lands(
        self, brand_post: BrandPost | None, touched: np.ndarray, exp_brand: np.ndarray, lv: Levers, turn: int
    ) -> Levers:
        """Who saw the brand's post joins its audience; the move's effects start. Return the levers after them."""
        st = self.state
        if brand_post is not None:
            viewers = touched[exp_brand > 0]
            st.viewers.add(brand_post.id, viewers)
            st.saw_brand_post[viewers] = brand_post.id
            for fx, segs in self._deferred:
                self._start_effects(fx, turn, segments=segs, viewers=viewers)
            return self.levers(turn)
        if self._deferred:
            for fx, segs in self._deferred:
                self._start_effects(fx, turn, segments=segs, viewers=None)
            return self.levers(turn)
        return lv

    def _touched_pass(
        self, touched: np.ndarray, exp_k: np.ndarray, total_exp: np.ndarray, gain: float, invitation: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, int]:
        """Engine 3's pass over the touched (`kernels.touched_pass`); return attention, exits, keep, post, reach."""
        p, st, at = self.params, self.state, self.state.attention
        if len(touched) == 0:
            empty = np.zeros(0)
            return empty, empty, np.zeros(0, np.int64), np.zeros(0, bool), 0, 0
        levels = at.levels.data[: at.levels.size]
        values, exits, keep, post, counts = kernels.touched_pass(
            touched,
            exp_k,
            total_exp,
            gain,
            at.value,
            at.since,
            at.exit,
            levels,
            at.turn,
            at.floor,
            at.oldest(),
            p.influence,
            p.hostile,
            st.seen,
            st.seen_hostile,
            st.stance_sums,
            *self._posting(invitation),
            self.rng,
        )
        was_active, stale, active, newly, newly_hostile = counts.tolist()
        at.touched(was_active, stale, active)
        return values, exits, keep, post, newly, newly_hostile

    def _posting(self, invitation: np.ndarray) -> Posting:
        """What a touched persona's chance to post reads: `post_chances`'s arguments after its floor."""
        p, st, d = self.params, self.state, self.params.rates
        return (
            self.audience.segment,
            st.stance,
            self.audience.activity,
            st.posts_made,
            invitation,
            p.seg_tag_interest,
            self._fatigue_table,
            d.fatigue,
            d.stance_weight,
            d.imitation,
            p.dt_hours,
        )

    # ------------------------------------------------------------------ draws
    def _kinds(
        self, who: np.ndarray, exp_k: np.ndarray | None, total_exp: np.ndarray | None, rate: np.ndarray
    ) -> np.ndarray:
        """Draw the kind each of `who` posts, from its segment's mix, its stance and (for posts) what it saw."""
        p = self.params
        return kernels.choose_kinds(
            who,
            self.audience.segment,
            self.state.stance,
            p.base_mix,
            rate,
            p.hostile,
            p.supportive,
            p.rates.stance_weight,
            exp_k,
            total_exp,
            p.rates.imitation,
            self.rng.random(len(who)),
        )

    def _draw_posts(
        self,
        touched: np.ndarray,
        attention: np.ndarray,
        exp_k: np.ndarray,
        total_exp: np.ndarray,
        invitation: np.ndarray,
        rate: np.ndarray,
        keep: np.ndarray | None = None,
        post: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Who posts this turn, and what kind: a trial for each touched persona, events for the rest of the active set.

        A persona's rate is activity × attention × drive × fatigue^posts per hour. The touched are
        drawn one by one (their exposure is this turn's work anyway). The other active personas'
        rates are bounded by their chunk's weight (`Attention.candidates`): candidate events are
        drawn at the bound and each kept with probability rate / bound, so each persona posts with
        probability 1 − exp(−rate), as in a trial per persona, at a cost that follows the posts.
        """
        p, st, d = self.params, self.state, self.params.rates
        seg_all = self.audience.segment
        # An open invitation pulls hardest on people with strong feelings about the
        # brand ("people who have a bone to pick with you will take opportunities
        # to air their grievances if you give them a chance").
        # A tag that belongs to others keeps its own pull (`tag_interest`), whatever the brand does.
        if keep is None or post is None:  # engine 2 (engine 3 drew these trials in its pass over the touched)
            keep, chance = kernels.post_chances(
                touched, attention, total_exp, st.attention.floor, *self._posting(invitation)
            )
            post = self.rng.random(len(keep)) < chance
        posted = keep[post]  # rows of the touched who post
        # The rest of the active set: events at the bound, thinned to the true rate.
        top = np.exp(d.stance_weight)  # motive ≤ e^w, so drive ≤ e^w · (invitation + tag interest)
        factor = p.dt_hours * top * (invitation + p.seg_tag_interest)
        cand, bound, cand_att = st.attention.candidates(factor, self.rng)
        cseg = seg_all[cand]
        cdrive = invitation[cseg] * np.exp(d.stance_weight * np.abs(st.stance[cand])) + p.seg_tag_interest[cseg]
        clam = self.audience.activity[cand] * p.dt_hours * cand_att * cdrive * self._fatigue(st.posts_made[cand])
        accepted = self.rng.random(len(cand)) * bound < clam
        others = kernels.distinct(cand[accepted])
        posters = np.concatenate([touched[posted], others]).astype(np.int32)
        if len(posters) == 0:
            return posters, np.zeros(0, np.int8)
        ek_all = np.concatenate([exp_k[posted], np.zeros((len(others), p.k))])
        te_all = np.concatenate([total_exp[posted], np.zeros(len(others))])
        order = np.argsort(posters, kind="stable")
        posters = posters[order]
        return posters, self._kinds(posters, ek_all[order], te_all[order], rate)

    def _fatigue(self, posts: np.ndarray) -> np.ndarray:
        """Return fatigue ** posts (a lookup: posts are small counts)."""
        table = self._fatigue_table
        if len(posts) and int(posts.max()) >= len(table):
            table = self._fatigue_table = self.params.rates.fatigue ** np.arange(2 * int(posts.max()) + 1)
        powers: np.ndarray = table[posts]
        return powers

    def _draw_replies(
        self, turn: int, touched: np.ndarray, rate: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each viewer may react to the latest brand post they saw, by its provocation and freshness.

        A viewer's reply rate is reply_rate × provocation × freshness × e^(−w·stance) × fatigue^posts;
        candidate events are drawn per post at its bound (stance −1, no posts yet) and each kept with
        probability rate / bound: each viewer replies with probability 1 − exp(−rate), at a cost that
        follows the replies.
        """
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
            chance = float(d.brand_post_reach * fresh_by_post[-1])
            if self.engine >= 3:  # draw who comes across it, not a trial for everyone touched
                seen = touched[bernoulli_indices(len(touched), chance, self.rng)]
                late = seen[st.saw_brand_post[seen] != latest.id]
                st.saw_brand_post[late] = latest.id
            else:
                uniform = self.rng.random(len(touched))
                late = kernels.late_viewers(touched, uniform, chance, st.saw_brand_post, latest.id)
            st.viewers.add(latest.id, late)
        bounds: dict[int, float] = {}
        for b in st.viewers.posts():
            if fresh_by_post[b] < STALE_POST:  # a stale post draws nobody: drop its audience
                st.viewers.drop(b)
            else:
                bounds[b] = min(
                    RATE_CAP, float(d.reply_rate * post_prov[b] * fresh_by_post[b] * np.exp(d.stance_weight))
                )
        cand, cand_post = st.viewers.events(bounds, st.saw_brand_post, self.rng)
        if len(cand) == 0:
            return none
        lam = np.minimum(
            RATE_CAP,
            d.reply_rate
            * post_prov[cand_post]
            * fresh_by_post[cand_post]
            * np.exp(-d.stance_weight * st.stance[cand])
            * self._fatigue(st.posts_made[cand]),
        )
        bound = np.minimum(
            RATE_CAP, d.reply_rate * post_prov[cand_post] * fresh_by_post[cand_post] * np.exp(d.stance_weight)
        )
        accepted = self.rng.random(len(cand)) * bound < lam
        who, first = kernels.first_occurrences(cand[accepted], self.scratch.mark)
        if len(who) == 0:
            return who.astype(np.int32), np.zeros(0, np.int8), np.zeros(0, np.int32)
        return who.astype(np.int32), self._kinds(who, None, None, rate), cand_post[accepted][first]
