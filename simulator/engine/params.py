"""Scenario parameters compiled once per run into frozen arrays and lookups.

The engine, its metric reporters and the feed read `EngineParams`; none of them
walks the YAML tree during a run, and an effect's segments and kinds are
already indices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np

from simulator.errors import BackfireError
from simulator.scenario.schema import Effect, Inject, Scenario


@dataclass(frozen=True)
class EffectSpec:
    """An effect with its segments and kinds as indices."""

    param: str
    op: str
    value: float
    turns: int | None
    segments: np.ndarray | None  # int64 segment indices; None: all
    kinds: np.ndarray | None  # int64 kind indices; None: all
    everyone: bool


@dataclass(frozen=True)
class BrandOption:
    """One option under a move (open, answer, pause, cancel) as the engine uses it."""

    move: str
    id: str
    label: str
    text: str | None
    texts: Mapping[str, str]
    provocation: float
    effects: tuple[EffectSpec, ...]
    target_effects: tuple[EffectSpec, ...] = ()
    turns: int = 0  # pause length

    def text_for(self, kind: str | None) -> str:
        """Return the wording for answering a post of this kind (the option's text for any other)."""
        text = self.text or ""
        return self.texts.get(kind, text) if kind else text


@dataclass(frozen=True)
class InjectSpec:
    """An inject: when it fires, what it changes and what it posts."""

    id: str
    label: str
    at: float | None
    metric: str | None
    above: float | None
    below: float | None
    effects: tuple[EffectSpec, ...]
    post_kind: int | None
    post_text: str | None
    hub: str | None
    reach: Mapping[int, float]
    source: str | None


@dataclass(frozen=True)
class Rates:
    """The scenario's `dynamics`, as plain numbers."""

    attention_half_life: float
    exposure_gain: float
    novelty_half_life: float
    novelty_half_volume: float | None
    imitation: float
    stance_weight: float
    fatigue: float
    reply_rate: float
    brand_post_half_life: float
    quote_share: float
    brand_post_reach: float
    trending_threshold: float
    trending_share: float
    spontaneous: float


@dataclass(frozen=True)
class EngineParams:
    """Everything a run reads from its scenario, compiled once."""

    scenario_id: str
    turns: int
    turn_minutes: int
    kind_ids: tuple[str, ...]
    kind_index: Mapping[str, int]
    hostile: np.ndarray  # bool[K]
    supportive: np.ndarray  # bool[K]
    story: np.ndarray  # bool[K]: press stories
    appeal: np.ndarray  # float[K]
    influence: np.ndarray  # float[K]
    repost_share: np.ndarray  # float[K]
    segment_ids: tuple[str, ...]
    seg_index: Mapping[str, int]
    base_mix: np.ndarray  # float[S, K]: each segment's mix of kinds
    seg_invitation: np.ndarray  # float[S]
    seg_tag_interest: np.ndarray  # float[S]
    invitation: float  # the campaign's call to post
    on_topic: np.ndarray  # bool[K]: kinds that serve the campaign's goal
    on_topic_ids: tuple[str, ...]
    intended: np.ndarray  # bool[S]: segments the campaign was for
    rates: Rates
    options: Mapping[str, Mapping[str, BrandOption]]  # move -> id -> option
    default_opening: str
    injects: tuple[InjectSpec, ...]
    max_chars: int | None = None  # the era's longest post: a canned answer's quote of the question fits it

    @property
    def k(self) -> int:
        """Number of kinds of post."""
        return len(self.kind_ids)

    @property
    def s(self) -> int:
        """Number of segments."""
        return len(self.segment_ids)

    @property
    def dt_hours(self) -> float:
        """One turn in hours."""
        return self.turn_minutes / 60

    def option(self, move: str, option_id: str) -> BrandOption:
        """Return an option; an unknown one is a BackfireError naming the valid ids."""
        by_id = self.options.get(move, {})
        if option_id not in by_id:
            raise BackfireError(f"unknown {move} option {option_id!r}; valid: {', '.join(by_id)}")
        return by_id[option_id]

    def compile_inject(self, inj: Inject) -> InjectSpec:
        """Return an inject (the scenario's or a facilitator's, written during play) compiled for the engine."""
        return _inject(inj, self.seg_index, self.kind_index)


def _effects(
    effects: list[Effect], seg_index: Mapping[str, int], kind_index: Mapping[str, int]
) -> tuple[EffectSpec, ...]:
    """Return effects with their segments and kinds as indices."""
    return tuple(
        EffectSpec(
            param=e.param,
            op=e.op,
            value=e.value,
            turns=e.turns,
            segments=None if e.segments is None else np.array([seg_index[s] for s in e.segments], dtype=np.int64),
            kinds=None if e.kinds is None else np.array([kind_index[k] for k in e.kinds]),
            everyone=e.everyone,
        )
        for e in effects
    )


def _inject(inj: Inject, seg_index: Mapping[str, int], kind_index: Mapping[str, int]) -> InjectSpec:
    post = inj.post
    return InjectSpec(
        id=inj.id,
        label=inj.label,
        at=inj.trigger.at,
        metric=inj.trigger.metric,
        above=inj.trigger.above,
        below=inj.trigger.below,
        effects=_effects(inj.effects, seg_index, kind_index),
        post_kind=kind_index[post.kind] if post else None,
        post_text=post.text if post else None,
        hub=post.hub if post else None,
        reach={seg_index[s]: v for s, v in post.reach.items()} if post else {},
        source=inj.source,
    )


def compile_params(scenario: Scenario) -> EngineParams:
    """Compile a scenario's parameters for the engine (once per run, or once per crowd in a sweep)."""
    kinds = scenario.kinds
    segs = scenario.audience.segments
    kind_index = {k.id: i for i, k in enumerate(kinds)}
    seg_index = {sg.id: i for i, sg in enumerate(segs)}
    base_mix = np.zeros((len(segs), len(kinds)))
    for i, sg in enumerate(segs):
        for kid, w in sg.posts.items():
            base_mix[i, kind_index[kid]] = w
    base_mix /= base_mix.sum(axis=1, keepdims=True)
    on_topic = np.zeros(len(kinds), bool)
    on_topic[[kind_index[k] for k in scenario.campaign.on_topic]] = True
    intended = np.zeros(len(segs), bool)
    intended[[seg_index[s] for s in scenario.campaign.intended_audience]] = True

    def fx(effects: list[Effect]) -> tuple[EffectSpec, ...]:
        return _effects(effects, seg_index, kind_index)

    options: dict[str, dict[str, BrandOption]] = {
        "open": {
            o.id: BrandOption("open", o.id, o.label, o.text, {}, o.provocation, fx(o.effects))
            for o in scenario.campaign.openings
        },
        "answer": {
            o.id: BrandOption(
                "answer", o.id, o.label, o.text, dict(o.texts), o.provocation, fx(o.effects), fx(o.target_effects)
            )
            for o in scenario.actions.answer
        },
        "pause": {
            o.id: BrandOption("pause", o.id, o.label, o.text, {}, o.provocation, fx(o.effects), turns=o.turns)
            for o in scenario.actions.pause
        },
        "cancel": {
            o.id: BrandOption("cancel", o.id, o.label, o.text, {}, o.provocation, fx(o.effects))
            for o in scenario.actions.cancel
        },
    }
    dyn = scenario.dynamics
    return EngineParams(
        scenario_id=scenario.id,
        turns=scenario.clock.turns,
        turn_minutes=scenario.clock.turn_minutes,
        kind_ids=tuple(k.id for k in kinds),
        kind_index=kind_index,
        hostile=np.array([k.tone == "hostile" for k in kinds]),
        supportive=np.array([k.tone == "supportive" for k in kinds]),
        story=np.array([k.story for k in kinds]),
        appeal=np.array([k.appeal for k in kinds], dtype=np.float64),
        influence=np.array([k.influence for k in kinds], dtype=np.float64),
        repost_share=np.array([k.repost_share for k in kinds], dtype=np.float64),
        segment_ids=tuple(sg.id for sg in segs),
        seg_index=seg_index,
        base_mix=base_mix,
        seg_invitation=np.array([sg.invitation for sg in segs], dtype=np.float64),
        seg_tag_interest=np.array([sg.tag_interest for sg in segs], dtype=np.float64),
        invitation=scenario.campaign.invitation,
        on_topic=on_topic,
        on_topic_ids=tuple(scenario.campaign.on_topic),
        intended=intended,
        rates=Rates(**{f.name: getattr(dyn, f.name) for f in fields(Rates)}),
        options=options,
        default_opening=scenario.default_opening().id,
        injects=tuple(_inject(i, seg_index, kind_index) for i in scenario.injects),
        max_chars=scenario.language.max_chars,
    )
