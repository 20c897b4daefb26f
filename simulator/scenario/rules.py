"""Cross-field rules: what pydantic's per-field checks cannot see.

Every source id exists, shares sum to 1, moves and kinds named anywhere exist,
times fall inside the clock. Each problem keeps its own field path, so the
loader can name its file line.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from simulator.scenario.metrics import WINDOWED_SERIES
from simulator.scenario.schema import (
    REPLY_WORDS,
    TEMPLATE_WORDS,
    AnswerOption,
    CancelOption,
    Effect,
    Opening,
    Scenario,
    Template,
)

Path = tuple[str | int, ...]


def _walk_source_refs(value: object, path: Path, out: list[tuple[Path, str]]) -> None:
    """Collect (path, id) for every field named `source` or `goal_source` below value."""
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            child = getattr(value, name)
            if name in ("source", "goal_source") and isinstance(child, str):
                out.append(((*path, name), child))
            else:
                _walk_source_refs(child, (*path, name), out)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _walk_source_refs(item, (*path, i), out)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk_source_refs(item, (*path, key), out)


def _effects_in(sc: Scenario) -> list[tuple[Path, Effect]]:
    found: list[tuple[Path, Effect]] = []
    for i, o in enumerate(sc.campaign.openings):
        found += [(("campaign", "openings", i, "effects", j), e) for j, e in enumerate(o.effects)]
    for move in ("answer", "pause", "cancel"):
        for i, o in enumerate(getattr(sc.actions, move)):
            found += [(("actions", move, i, "effects", j), e) for j, e in enumerate(o.effects)]
            for j, e in enumerate(getattr(o, "target_effects", [])):
                found.append((("actions", move, i, "target_effects", j), e))
    for i, inj in enumerate(sc.injects):
        found += [(("injects", i, "effects", j), e) for j, e in enumerate(inj.effects)]
    return found


def cross_field_problems(sc: Scenario) -> list[tuple[Path, str]]:
    """Return (field path, message) for every cross-field rule the scenario breaks."""
    problems: list[tuple[Path, str]] = []
    source_ids = {s.id for s in sc.sources}
    segments = sc.segment_ids()
    kinds = sc.kind_ids()
    seg_set, kind_set = set(segments), set(kinds)

    def unique(items: list[str], path: Path, what: str) -> None:
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item in seen:
                problems.append(((*path, i, "id"), f"duplicate {what} id {item!r}"))
            seen.add(item)

    unique([s.id for s in sc.sources], ("sources",), "source")
    unique(segments, ("audience", "segments"), "segment")
    unique(kinds, ("kinds",), "kind")
    unique([h.id for h in sc.audience.hubs], ("audience", "hubs"), "hub")
    unique([i.id for i in sc.injects], ("injects",), "inject")
    unique([t.id for t in sc.targets], ("targets",), "target")
    unique([s.id for s in sc.strategies], ("strategies",), "strategy")
    for move, opts in sc.option_ids().items():
        at: Path = ("campaign", "openings") if move == "open" else ("actions", move)
        unique(opts, at, f"{move} option")

    refs: list[tuple[Path, str]] = []
    _walk_source_refs(sc, (), refs)
    real_wordings: list[tuple[Path, Opening | AnswerOption | CancelOption]] = [
        (("campaign", "openings", i), o) for i, o in enumerate(sc.campaign.openings)
    ]
    real_wordings += [(("actions", "answer", i), o) for i, o in enumerate(sc.actions.answer)]
    real_wordings += [(("actions", "cancel", i), o) for i, o in enumerate(sc.actions.cancel)]
    for path, option in real_wordings:
        if option.real and option.source is None:
            problems.append(((*path, "source"), "a wording marked `real: true` needs the `source` it was read in"))
    for path, ref in refs:
        if ref not in source_ids:
            problems.append((path, f"unknown source id {ref!r}; known: {', '.join(sorted(source_ids))}"))

    total = sum(s.share for s in sc.audience.segments)
    if abs(total - 1.0) > 1e-6:
        problems.append((("audience", "segments"), f"segment shares sum to {total:.4g}, expected 1"))

    def check_segment(path: Path, seg: str) -> None:
        if seg not in seg_set:
            problems.append((path, f"unknown segment {seg!r}; known: {', '.join(segments)}"))

    def check_kind(path: Path, kind: str) -> None:
        if kind not in kind_set:
            problems.append((path, f"unknown kind {kind!r}; known: {', '.join(kinds)}"))

    for i, segment in enumerate(sc.audience.segments):
        base: Path = ("audience", "segments", i)
        for followed in segment.follows:
            check_segment((*base, "follows", followed), followed)
        follow_total = sum(segment.follows.values())
        if abs(follow_total - 1.0) > 1e-6:
            problems.append(((*base, "follows"), f"follow shares sum to {follow_total:.4g}, expected 1"))
        for kind in segment.posts:
            check_kind((*base, "posts", kind), kind)
        if not any(w > 0 for w in segment.posts.values()):
            problems.append(((*base, "posts"), "needs at least one kind with a weight above 0"))
    for seg in sc.brand.followers:
        check_segment(("brand", "followers", seg), seg)
    for i, hub in enumerate(sc.audience.hubs):
        check_segment(("audience", "hubs", i, "segment"), hub.segment)
        for seg in hub.followers:
            check_segment(("audience", "hubs", i, "followers", seg), seg)
    for i, seg in enumerate(sc.campaign.intended_audience):
        check_segment(("campaign", "intended_audience", i), seg)
    for i, kind in enumerate(sc.campaign.on_topic):
        check_kind(("campaign", "on_topic", i), kind)
    for kind in sc.language.topics:
        check_kind(("language", "topics", kind), kind)
    for i, opt in enumerate(sc.actions.answer):
        for kind in opt.texts:
            check_kind(("actions", "answer", i, "texts", kind), kind)
    # The brand's own posts are written as they stand: only an answer's {question} is filled in.
    brand_texts: list[tuple[Path, str | None, set[str]]] = [
        (("campaign", "openings", i, "text"), o.text, set()) for i, o in enumerate(sc.campaign.openings)
    ]
    for i, o in enumerate(sc.actions.answer):
        brand_texts.append((("actions", "answer", i, "text"), o.text, {"question"}))
        brand_texts += [(("actions", "answer", i, "texts", k), t, {"question"}) for k, t in o.texts.items()]
    brand_texts += [(("actions", "pause", i, "text"), o.text, set()) for i, o in enumerate(sc.actions.pause)]
    brand_texts += [(("actions", "cancel", i, "text"), o.text, set()) for i, o in enumerate(sc.actions.cancel)]
    for path, text, allowed in brand_texts:
        for name in re.findall(r"\{(\w+)\}", text or ""):
            if name not in allowed:
                where = "only {question} is filled in an answer" if allowed else "the brand's posts are not templates"
                problems.append((path, f"{{{name}}} would be posted as it stands: {where}"))
    for seg, by_kind in sc.voices.templates.items():
        check_segment(("voices", "templates", seg), seg)
        for kind in by_kind:
            check_kind(("voices", "templates", seg, kind), kind)
    for key, lines in sc.voices.replies.items():
        for i, line in enumerate(lines):
            for j, kind in enumerate(getattr(line, "kinds", None) or []):
                check_kind(("voices", "replies", key, i, "kinds", j), kind)
    for idx, kind in sc.voices.quote_kinds.items():
        check_kind(("voices", "quote_kinds", idx), kind)
        if not 0 <= idx < len(sc.voices.quotes):
            problems.append((("voices", "quote_kinds", idx), f"no quote with index {idx}"))

    for path, effect in _effects_in(sc):
        for j, seg in enumerate(effect.segments or []):
            check_segment((*path, "segments", j), seg)
        for j, kind in enumerate(effect.kinds or []):
            check_kind((*path, "kinds", j), kind)

    hub_ids = {h.id for h in sc.audience.hubs}
    horizon = sc.clock.horizon_minutes
    for i, inj in enumerate(sc.injects):
        if inj.trigger.at is not None and inj.trigger.at > horizon:
            problems.append(
                (("injects", i, "trigger", "at"), f"{inj.trigger.at:g} min is after the horizon ({horizon:g} min)")
            )
        if inj.post is not None:
            if inj.post.hub is not None and inj.post.hub not in hub_ids:
                problems.append(
                    (
                        ("injects", i, "post", "hub"),
                        f"unknown hub {inj.post.hub!r}; known: {', '.join(sorted(hub_ids))}",
                    )
                )
            check_kind(("injects", i, "post", "kind"), inj.post.kind)
            for seg in inj.post.reach:
                check_segment(("injects", i, "post", "reach", seg), seg)
    if sc.campaign.event.starts_at > horizon:
        problems.append((("campaign", "event", "starts_at"), "the event starts after the horizon"))

    options = sc.option_ids()
    if sc.history.opening not in options["open"]:
        problems.append(
            (("history", "opening"), f"unknown opening {sc.history.opening!r}; known: {', '.join(options['open'])}")
        )
    last = -1.0
    for i, dec in enumerate(sc.history.decisions):
        if dec.at > horizon:
            problems.append(
                (("history", "decisions", i, "at"), f"{dec.at:g} min is after the horizon ({horizon:g} min)")
            )
        if dec.at < last:
            problems.append((("history", "decisions", i, "at"), "decisions must be in time order"))
        last = dec.at
        if dec.action != "wait":
            if dec.option is None:
                problems.append(
                    (
                        ("history", "decisions", i, "option"),
                        f"`{dec.action}` needs an option: {', '.join(options[dec.action])}",
                    )
                )
            elif dec.action != "pause" or not dec.option.isdigit():
                base_option = dec.option.split("@")[0]
                if base_option not in options[dec.action]:
                    problems.append(
                        (
                            ("history", "decisions", i, "option"),
                            f"unknown {dec.action} option {dec.option!r}; known: {', '.join(options[dec.action])}",
                        )
                    )
    for i, target in enumerate(sc.targets):
        for key in ("since", "until"):
            when = getattr(target, key)
            if when is None:
                continue
            if target.metric not in WINDOWED_SERIES:
                problems.append((("targets", i, key), f"`{key}` works with {', '.join(WINDOWED_SERIES)}"))
            if when > horizon:
                problems.append((("targets", i, key), f"{when:g} min is after the horizon ({horizon:g} min)"))
        if target.since is not None and target.until is not None and target.since >= target.until:
            problems.append((("targets", i, "since"), "`since` must be before `until`"))
    scored = {d.metric for d in sc.scoring.dimensions}
    for i, metric in enumerate(sc.scoring.gate):
        if metric not in scored:
            problems.append(
                (
                    ("scoring", "gate", i),
                    f"{metric!r} is not one of the score's dimensions ({', '.join(sorted(scored))})",
                )
            )
    plans = {"history", *(s.id for s in sc.strategies)}
    for i, check in enumerate(sc.validity):
        for key in ("better", "worse"):
            plan = getattr(check, key)
            if not any(c in plan for c in ",:*") and plan not in plans:
                problems.append(
                    (
                        ("validity", i, key),
                        f"unknown plan {plan!r}; use history, a strategy ({', '.join(sorted(plans - {'history'}))}) or a decision script",
                    )
                )
        if check.better == check.worse:
            problems.append((("validity", i, "worse"), "a plan cannot be checked against itself"))
    for i, lesson in enumerate(sc.lessons):
        for j, ref in enumerate(lesson.options):
            _check_move_ref(ref, ("lessons", i, "options", j), options, problems)
    plain_kinds = {
        kind
        for by_kind in sc.voices.templates.values()
        for kind, ts in by_kind.items()
        if any(isinstance(t, str) for t in ts)
    } | _kinds_covered_live_and_cancelled(sc)
    problems.extend(_voice_problems(sc, options))
    for seg, by_kind in sc.voices.templates.items():
        for kind in by_kind:
            if kind not in plain_kinds:
                problems.append(
                    (
                        ("voices", "templates", seg, kind),
                        f"every `{kind}` template has a condition; add a plain one that fits any run (or one for `state: live` and one for after `cancel`)",
                    )
                )
                plain_kinds.add(kind)  # say it once
    return problems


def _kinds_covered_live_and_cancelled(sc: Scenario) -> set[str]:
    """Kinds with a template for any live moment (`state: live` alone) and one for any cancelled one."""
    live: set[str] = set()
    cancelled: set[str] = set()
    for by_kind in sc.voices.templates.values():
        for kind, templates in by_kind.items():
            for t in templates:
                if isinstance(t, str):
                    continue
                w = t.condition()
                others = (w.not_after, w.since, w.paused, w.trending, w.min_posts)
                if any(o not in (None, []) for o in others):
                    continue
                if w.state == "live" and not w.after:
                    live.add(kind)
                elif (w.state in (None, "cancelled") and w.after == ["cancel"]) or (
                    w.state == "cancelled" and not w.after
                ):
                    cancelled.add(kind)
    return live & cancelled


def _voice_problems(sc: Scenario, options: dict[str, list[str]]) -> list[tuple[Path, str]]:
    """Templates, grammar rules and replies: their conditions name real moves, their slots are known, no rule loops."""
    from simulator.scenario.templates import cycle, slot_names

    problems: list[tuple[Path, str]] = []
    rules = sc.voices.grammar
    for name in rules:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            problems.append(
                (("voices", "grammar", name), f"rule names use lowercase letters, digits and _; got {name!r}")
            )
        elif name in TEMPLATE_WORDS or name in REPLY_WORDS:
            problems.append((("voices", "grammar", name), f"{{{name}}} is a built-in word; name the rule otherwise"))
    entries: list[tuple[Path, Any, set[str]]] = []
    for seg, by_kind in sc.voices.templates.items():
        for kind, templates in by_kind.items():
            entries += [(("voices", "templates", seg, kind, j), t, set()) for j, t in enumerate(templates)]
    for name, alternatives in rules.items():
        entries += [(("voices", "grammar", name, j), t, set(REPLY_WORDS)) for j, t in enumerate(alternatives)]
    for key, replies in sc.voices.replies.items():
        move = key.partition(":")[0]
        if key != "any" and move not in ("open", "answer", "pause", "cancel"):
            problems.append(
                (
                    ("voices", "replies", key),
                    f"replies are keyed by a move (answer, answer:ID, pause, cancel:ID…) or `any`; got {key!r}",
                )
            )
        elif key != "any":
            _check_move_ref(key, ("voices", "replies", key), options, problems)
        entries += [(("voices", "replies", key, j), t, set(REPLY_WORDS)) for j, t in enumerate(replies)]
    known = set(TEMPLATE_WORDS) | set(rules)
    for path, entry, extra in entries:
        text = entry if isinstance(entry, str) else entry.text
        for name in slot_names(text):
            if name not in known and name not in extra:
                where = (
                    "only replies (and rules) can use {quote}, {asked} and {tone}"
                    if name in REPLY_WORDS
                    else (f"known: {', '.join(sorted(known))}")
                )
                problems.append(
                    ((*path, "text") if not isinstance(entry, str) else path, f"unknown slot {{{name}}}; {where}")
                )
        if isinstance(entry, Template):
            named: list[tuple[Path, str]] = [((*path, "after", k), ref) for k, ref in enumerate(entry.after or [])]
            if entry.when is not None:
                w = entry.when
                named += [((*path, "when", "after", k), ref) for k, ref in enumerate(w.after)]
                named += [((*path, "when", "not_after", k), ref) for k, ref in enumerate(w.not_after)]
                named += [((*path, "when", "since", "move"), w.since.move)] if w.since else []
            for at, ref in named:
                if ref.partition(":")[0] == "wait":
                    problems.append(
                        (
                            at,
                            "`wait` posts nothing, so no text can follow it; name a move: open, answer, pause or cancel",
                        )
                    )
                else:
                    _check_move_ref(ref, at, options, problems)
    loop = cycle({name: [t if isinstance(t, str) else t.text for t in alts] for name, alts in rules.items()})
    if loop:
        problems.append((("voices", "grammar", loop[0]), f"rules refer back to themselves: {' → '.join(loop)}"))
    return problems


def _check_move_ref(ref: str, path: Path, options: dict[str, list[str]], problems: list[tuple[Path, str]]) -> None:
    """Check a move reference such as `cancel`, `answer:candid` or `open:promoted`."""
    move, _, opt = ref.partition(":")
    if move == "wait" and not opt:
        return
    if move not in options:
        problems.append((path, f"unknown move {move!r}; expected open, answer, pause, cancel or wait"))
    elif opt and opt not in options[move]:
        problems.append((path, f"unknown {move} option {opt!r}; known: {', '.join(options[move])}"))


def raw_problems(data: dict[str, Any]) -> list[tuple[Path, str]]:
    """Cross-field checks that need only the raw mapping (when the model could not be built): source ids and segment shares."""
    problems: list[tuple[Path, str]] = []
    sources = data.get("sources")
    ids = (
        {s["id"] for s in sources if isinstance(s, dict) and isinstance(s.get("id"), str)}
        if isinstance(sources, list)
        else set()
    )

    def walk(value: object, path: Path) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                if key in ("source", "goal_source") and isinstance(child, str) and path[:1] != ("sources",):
                    if ids and child not in ids:
                        problems.append(
                            ((*path, key), f"unknown source id {child!r}; known: {', '.join(sorted(map(str, ids)))}")
                        )
                else:
                    walk(child, (*path, key))
        elif isinstance(value, list):
            for i, child in enumerate(value):
                walk(child, (*path, i))

    walk(data, ())
    segments = (data.get("audience") or {}).get("segments") if isinstance(data.get("audience"), dict) else None
    if isinstance(segments, list):
        shares = [s.get("share") for s in segments if isinstance(s, dict)]
        numbers = [float(x) for x in shares if isinstance(x, int | float) and not isinstance(x, bool)]
        if shares and len(numbers) == len(shares):
            total = sum(numbers)
            if abs(total - 1.0) > 1e-6:
                problems.append((("audience", "segments"), f"segment shares sum to {total:.4g}, expected 1"))
    return problems
