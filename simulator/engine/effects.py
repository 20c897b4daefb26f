"""Effects: they start when a move, an opening or an inject lands, expire, and fold into this turn's levers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.engine.params import EffectSpec, EngineParams
from simulator.engine.state import ActiveEffect, EngineState


@dataclass(frozen=True)
class Levers:
    """The model's parameters this turn, after every effect in force."""

    invitation: np.ndarray  # float[S]: the campaign's call to post, per segment
    rate: np.ndarray  # float[S, K]: multiplier on posting each kind
    trend: float  # multiplier on a trending tag's reach
    attention: float  # multiplier on how long attention lasts
    spread: np.ndarray  # float[K]: multiplier on how far each kind travels
    promotion: float  # share of the crowd shown the tag each hour by paid placement


def start(
    params: EngineParams,
    state: EngineState,
    segment: np.ndarray,
    effects: tuple[EffectSpec, ...],
    turn: int,
    segments: np.ndarray | None = None,
    viewers: np.ndarray | None = None,
) -> None:
    """Start effects now: stance and novelty change at once, the others stay in force for their turns."""
    for e in effects:
        segs = segments if e.segments is None else e.segments
        if e.param == "stance":
            _shift_stance(params, state, segment, e, segs, viewers)
            continue
        if e.param == "novelty":
            state.novelty = min(1.0, state.novelty + e.value)
            continue
        state.effects.append(ActiveEffect(e, None if e.turns is None else turn + e.turns, segs))


def _shift_stance(
    params: EngineParams,
    state: EngineState,
    segment: np.ndarray,
    e: EffectSpec,
    segs: np.ndarray | None,
    viewers: np.ndarray | None,
) -> None:
    seg_mask = np.ones(params.s, dtype=bool) if segs is None else np.isin(np.arange(params.s), segs)
    who = np.flatnonzero(seg_mask[segment]) if e.everyone or viewers is None else viewers[seg_mask[segment[viewers]]]
    state.set_stance(segment, who, np.clip(state.stance[who] + e.value, -1.0, 1.0))


def fold(params: EngineParams, state: EngineState, turn: int) -> Levers:
    """Return this turn's levers; effects that have expired leave the state."""
    invitation = params.invitation * params.seg_invitation.copy()
    rate = np.ones((params.s, params.k))
    trend, attention, spread, promotion = 1.0, 1.0, np.ones(params.k), 0.0
    keep = []
    for ae in state.effects:
        if ae.until is not None and turn >= ae.until:
            continue
        keep.append(ae)
        e = ae.effect
        segs = slice(None) if ae.segments is None else ae.segments
        kinds = slice(None) if e.kinds is None else e.kinds

        def combine(current: Any, e: EffectSpec = e) -> Any:
            return current * e.value if e.op == "multiply" else current + e.value

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
    state.effects = keep
    if not state.live:
        invitation[:] = 0.0
    return Levers(
        invitation=np.maximum(invitation, 0),
        rate=np.maximum(rate, 0),
        trend=max(trend, 0.0),
        attention=max(attention, 0.01),
        spread=np.maximum(spread, 0),
        promotion=min(max(promotion, 0.0), 1.0),
    )
