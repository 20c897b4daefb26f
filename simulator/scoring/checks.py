"""Scenario checks every case must pass: its history meets its targets, it can be won and lost, every inject can
fire, and the score agrees with the judgements its `validity` block declares.

(Validation, source ids and real-quote sources are checked when the file loads.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.scenario.schema import Scenario
from simulator.scoring.calibrate import calibration_table
from simulator.scoring.sweep import SeedResult, sweep

MOST = 0.5  # "most crowds": more than this share


@dataclass(frozen=True)
class Check:
    """One check's outcome."""

    name: str
    passed: bool
    detail: str
    warning: bool = False  # a warning does not fail the scenario


VARIETY = 0.9  # distinct share of crowd texts a full run should reach
MOST_REPEATS = 3  # times any one text may be shown in a run


def feed_variety(scenario: Scenario, seed: int, size: int | None = None) -> Check:
    """The history run's feed: the share of distinct crowd texts and the most repeated one (a warning under 90%).

    Texts are compared as a reader compares them (`reads_as`): one line in two personas' styles is one text.
    """
    from collections import Counter

    from simulator.engine import run, strategy_plan
    from simulator.language.style import reads_as

    result = run(scenario, seed, strategy_plan(scenario, "history"), size=size, with_feed=True)
    items = [i for i in result.feed or [] if not i.is_brand and not i.inject]
    if not items:
        return Check("the feed reads as a varied crowd", False, "no crowd posts in the feed", warning=True)
    texts = [i.text for i in items]
    counts = Counter(reads_as(t) for t in texts)
    distinct = len(counts) / len(texts)
    words, times = counts.most_common(1)[0]
    top = next(t for t in texts if reads_as(t) == words)  # shown as it first appeared
    return Check(
        "the feed reads as a varied crowd",
        distinct >= VARIETY and times <= MOST_REPEATS,
        f"{distinct:.0%} of {len(texts):,} crowd texts distinct (want ≥ {VARIETY:.0%}); most shown: {times}× “{top}”"
        + ("" if times <= MOST_REPEATS else f" (want ≤ {MOST_REPEATS}×)"),
        warning=True,
    )


# What a trainee commonly writes, by move, as the lexicon's families (`simulator/language/data/postures.yaml`).
WRITTEN_KINDS = {"an apology or fix": {"rebuild"}, "a defence": {"deny", "diminish"}, "a joke": {"humour"}}


def written_coverage(scenario: Scenario) -> Check:
    """A warning when an answer or a cancellation in the player's words may find no option of its kind.

    Such a post is played as the option that shares most of its words, with that option's effects: a flippant
    deletion played as the apology. The warning names the missing kinds, so the author can add options for them.
    """
    from simulator.language.choice import candidates
    from simulator.language.reader import scenario_lexicon

    families = scenario_lexicon(scenario.language).families
    gaps = []
    for move in ("answer", "cancel"):
        options = candidates(scenario, move)
        if not options:
            continue
        have = {families[p] for option in options for p in option.postures}
        missing = [kind for kind, group in WRITTEN_KINDS.items() if not group & have]
        if missing:
            listed = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " or " + missing[-1]
            gaps.append(f"{move}: nothing for {listed}")
    return Check(
        "written posts find an option of their kind",
        not gaps,
        "every answer and cancellation a player writes has an option of its kind"
        if not gaps
        else "; ".join(gaps)
        + " (such a post plays as the option sharing most of its words, with that option's effects; add options"
        " with `postures`)",
        warning=True,
    )


def win_share(results: list[SeedResult], better: str, worse: str) -> float:
    """Return the share of crowds in which plan `better` scores above plan `worse`."""
    return float(np.mean([r.totals[better] > r.totals[worse] for r in results]))


def validity_checks(scenario: Scenario, results: list[SeedResult]) -> list[Check]:
    """Return one check per declared judgement: `better` beats `worse` in at least the declared share of crowds."""
    checks = []
    for v in scenario.validity:
        share = win_share(results, v.better, v.worse)
        cited = scenario.source(v.source).title if v.source else "common sense"
        checks.append(
            Check(
                f"validity: {v.id}",
                share >= v.share,
                f"{v.better} beats {v.worse} in {share:.0%} of crowds (needs {v.share:.0%}); {v.why} ({cited})",
            )
        )
    return checks


def plans_needed(scenario: Scenario) -> tuple[str, ...]:
    """Return history, every named strategy, and every plan a validity check names, once each."""
    names = ["history", *(s.id for s in scenario.strategies)]
    for v in scenario.validity:
        names += [p for p in (v.better, v.worse) if p not in names]
    return tuple(names)


def check_scenario(
    scenario: Scenario, seeds: list[int], size: int | None = None, required: float = 0.75, workers: int | None = None
) -> list[Check]:
    """Run history, every named strategy and every validity plan on `seeds`; return the checks."""
    names = plans_needed(scenario)
    results = sweep(scenario, seeds, names, size, workers)
    checks = []
    rows = calibration_table(scenario, results, required)
    failing = [
        f"{r['target']} (median {r['median']}, {r['share_meeting']:.0%} of seeds)" for r in rows if not r["passes"]
    ]
    checks.append(
        Check(
            "history meets its targets",
            not failing,
            "all targets met" if not failing else "not met: " + "; ".join(failing),
        )
    )
    strategies = [s.id for s in scenario.strategies]
    beats = {name: win_share(results, name, "history") for name in strategies}
    best = max(beats, key=lambda n: beats[n], default=None)
    checks.append(
        Check(
            "winnable",
            best is not None and beats[best] > MOST,
            f"best strategy {best!r} beats history in {beats[best]:.0%} of crowds"
            if best
            else "no strategies besides history",
        )
    )
    worst = min(beats, key=lambda n: beats[n], default=None)
    checks.append(
        Check(
            "losable",
            worst is not None and beats[worst] < 1 - MOST,
            f"worst strategy {worst!r} beats history in only {beats[worst]:.0%} of crowds"
            if worst
            else "no strategies besides history",
        )
    )
    fired = {i for r in results for s in r.summaries.values() for i in s["injects_fired"]}
    never = [i.id for i in scenario.injects if i.id not in fired]
    checks.append(
        Check(
            "every inject can fire",
            not never,
            "all fired on some strategy" if not never else f"never fired: {', '.join(never)}",
        )
    )
    return [
        *checks,
        *validity_checks(scenario, results),
        written_coverage(scenario),
        feed_variety(scenario, seeds[0], size),
    ]
