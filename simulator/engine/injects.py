"""Injects: which fire this turn (by time, or by a metric crossing a bound), and what firing one does."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from simulator.engine import effects
from simulator.engine.params import EngineParams, InjectSpec
from simulator.engine.state import EngineState


def due(
    params: EngineParams, state: EngineState, turn: int, metric_values: Mapping[str, object] | None
) -> list[InjectSpec]:
    """Return the injects that fire now: timed ones before the turn (no values), metric ones after it (with values)."""
    minute = turn * params.turn_minutes
    fire = []
    for inj in params.injects:
        if inj.id in state.fired:
            continue
        if metric_values is None:
            if inj.metric is not None or inj.at is None or inj.at > minute:
                continue
        else:
            if inj.metric is None:
                continue
            value = metric_values.get(inj.metric)
            if value is None:
                continue
            if inj.at is not None and inj.at > minute:
                continue
            v = float(value)  # type: ignore[arg-type]
            if not ((inj.above is not None and v > inj.above) or (inj.below is not None and v < inj.below)):
                continue
        fire.append(inj)
    return fire


def fire(
    params: EngineParams, state: EngineState, segment: np.ndarray, hubs: Mapping[str, int], inj: InjectSpec, turn: int
) -> None:
    """Fire an inject: its effects start now; its post spreads next turn, from its hub and to the readers it reaches."""
    state.fired.add(inj.id)
    effects.start(params, state, segment, inj.effects, turn)
    if inj.post_kind is not None:
        if inj.hub is not None:
            state.hub_posts.append((hubs[inj.hub], inj.post_kind))
        if inj.reach:
            state.broadcasts.append((inj.post_kind, dict(inj.reach)))
