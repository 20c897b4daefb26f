"""After-action report data (HSEEP shape), typed, from saved games.

Overview, the campaign's goal, a timeline of injects and decisions, outcomes per
team against history, strengths, areas for improvement with the sources'
lessons, and an improvement plan. `markdown.py` and `html.py` render it; its
JSON is `dataclasses.asdict` of the same object, so all three carry the same facts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from simulator.engine import RunResult, parse_script
from simulator.engine.decisions import describe
from simulator.engine.feed import MOVE_WORDS
from simulator.errors import BackfireError
from simulator.formatting import fmt_clock, fmt_metric
from simulator.game.replay import restore
from simulator.game.session import Session
from simulator.scenario.schema import Scenario
from simulator.store import Store

STRENGTH_POINTS = 5.0  # a dimension counts as a strength (or an area for improvement) past this many points


@dataclass(frozen=True)
class TimelineEvent:
    """A decision or an inject, at its turn."""

    turn: int
    minute: int
    team: str
    type: str
    text: str


@dataclass(frozen=True)
class DimensionRow:
    """One score dimension for a team against history."""

    metric: str
    label: str
    weight: float
    better: str
    kind: str
    you: float
    history: float
    difference: float
    points: float
    you_score: float
    history_score: float


@dataclass(frozen=True)
class LessonItem:
    """A source's lesson on one of the team's decisions."""

    decision: str  # the decision in words
    minute: int | None
    quote: str
    summary: str
    source: str
    move: str = ""  # the decision as a script token (cancel:badidea)


def by_decision(items: list[LessonItem]) -> list[tuple[str, list[LessonItem]]]:
    """The lessons grouped under the decision they speak to, in order: ("Cancelled: … at 2h45", its lessons)."""
    groups: dict[tuple[str, int | None], list[LessonItem]] = {}
    for item in items:
        groups.setdefault((item.decision, item.minute), []).append(item)
    return [
        (decision + ("" if minute is None else " at " + fmt_clock(minute)), lessons)
        for (decision, minute), lessons in groups.items()
    ]


@dataclass(frozen=True)
class WrittenPost:
    """A post the team wrote in its own words, how it read, and what the sources say about that posture."""

    minute: int | None  # None: the opening
    move: str
    text: str
    reading: str
    lessons: list[str] = field(default_factory=list)  # "stance: “quote” — source"


@dataclass(frozen=True)
class CrowdReply:
    """A post of the team's and a few of the crowd's replies to it, as its feed showed them."""

    minute: int
    move: str  # the post in words: "answer", "cancellation"
    text: str
    replies: int  # how many replies it drew in all
    shown: list[str] = field(default_factory=list)  # "kind: words", the first few the feed showed


@dataclass(frozen=True)
class Note:
    """An evaluator's note on a team at a turn."""

    minute: int
    by: str
    text: str


@dataclass(frozen=True)
class PlanRow:
    """A row of the improvement plan: what to change, and who owns it by when (left for the team to fill)."""

    area: str
    observation: str
    corrective_action: str
    source: str
    owner: str = ""
    due: str = ""


@dataclass(frozen=True)
class TeamReport:
    """One team's (or one player's) game against history."""

    team: str
    game_id: int
    finished: bool
    turns_played: int
    score: float
    history_score: float
    script: str
    dimensions: list[DimensionRow]
    strengths: list[DimensionRow]
    areas_for_improvement: list[DimensionRow]
    faulted_decisions: list[LessonItem]
    advice: list[LessonItem]
    improvement_plan: list[PlanRow]
    timeline: list[TimelineEvent]
    hostile_series: list[int]
    stance_by_segment: dict[str, tuple[float, float]]
    reasons: list[str] = field(default_factory=list)  # why the score came out as it did, in words
    verdict: str = ""  # better than, worse than or level with history
    written: list[WrittenPost] = field(default_factory=list)  # posts in the team's own words, with their readings
    notes: list[Note] = field(default_factory=list)  # what evaluators saw, in their words
    said_back: list[CrowdReply] = field(default_factory=list)  # what the crowd said back to each of its posts


@dataclass(frozen=True)
class Overview:
    """What was played, when, on which crowd, by whom."""

    scenario: str
    scenario_title: str
    date_of_case: str
    brand: str
    played: str
    seed: int
    size: int
    facilitation: str | None
    teams: list[str]
    summary: str


@dataclass(frozen=True)
class Goal:
    """The campaign's goal and its source."""

    text: str
    source: str
    hashtag: str


@dataclass(frozen=True)
class HistoryEntry:
    """A line of what really happened."""

    when: str
    text: str
    source: str


@dataclass(frozen=True)
class HistorySection:
    """The brand's real decisions on the same crowd."""

    script: str
    hostile_series: list[int]
    summary: dict[str, Any]
    timeline: list[HistoryEntry]
    moves: list[TimelineEvent] = field(default_factory=list)  # history's decisions on this crowd, in words


@dataclass(frozen=True)
class OtherPlayRow:
    """A case's named strategy played on the report's crowd, and its score against history there."""

    id: str
    label: str
    score: float


@dataclass(frozen=True)
class Report:
    """An after-action report."""

    title: str
    generated: str
    overview: Overview
    goal: Goal
    history: HistorySection
    teams: list[TeamReport] = field(default_factory=list)
    others: list[OtherPlayRow] = field(default_factory=list)  # the case's named strategies on the same crowd

    def ranking(self) -> list[tuple[float, str, bool]]:
        """Every team, history and the named strategies on one crowd, best first: (score, name, is a team)."""
        rows = [(t.score, t.team, True) for t in self.teams] + [(o.score, o.label, False) for o in self.others]
        if self.teams:
            rows.append((self.teams[0].history_score, f"What {self.overview.brand} did", False))
        return sorted(rows, key=lambda row: -row[0])

    def as_dict(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return asdict(self)


def fmt(metric: str, value: float) -> str:
    """Return a dimension's value in its metric's unit."""
    return fmt_metric(metric, value)


# What to rehearse when a dimension came out worse than history and no source's advice is left for it.
DIMENSION_ACTIONS = {
    "hostile_total": (
        "Shorten the storm: `backfire compare {scenario}` ranks the moves that cut hostile posts on these crowds; "
        "rehearse the best one at the turn you would make it, and agree beforehand who may post it without sign-off."
    ),
    "hostile_reach_share": (
        "Keep hostile posts from travelling: decide before the tag trends (pause, answer or close); "
        "a holding line within the first hour stops feeding the tag."
    ),
    "replies_to_last_brand_post": (
        "Your last post drew the crowd onto it: read a draft with `backfire read` before posting "
        "(provocation above 1× invites replies), and prefer a short, specific line to a quip."
    ),
    "stance_change": (
        "Reputation fell further than history's: name what you will do and by when (accountability and "
        "corrective action) rather than defending the record."
    ),
}


def _alternative(scenario: Scenario, move: str) -> str | None:
    """A praised or advised lesson on the same kind of move as a faulted decision: what to do instead."""
    kind = move.split(":", 1)[0]
    for lesson in scenario.lessons:
        if lesson.stance == "faulted" or lesson.own_view or move in lesson.options or kind in lesson.options:
            continue  # it speaks to this very move (or to every move of its kind), or is the company's own view
        if any(o.startswith(kind + ":") for o in lesson.options):
            return f"{lesson.summary} ({scenario.source(lesson.source).title})"
    return None


def _plan(
    scenario: Scenario, weaker: list[DimensionRow], faulted: list[LessonItem], advice: list[LessonItem]
) -> list[PlanRow]:
    """Rows of the improvement plan: each weak dimension with a distinct lesson, then each faulted decision.

    A weak dimension without a lesson left gets an action for that dimension; a faulted decision gets the
    sources' alternative for that kind of move when they give one, else a step to rehearse that decision.
    """
    plan = []
    unused = list(advice)
    for d in weaker:
        fix = unused.pop(0) if unused else None
        generic = (
            f"Compare the alternatives that lower {d.label.lower()} on this crowd "
            f"(`backfire compare {scenario.id}`) and rehearse the best."
        )
        action = fix.summary if fix else DIMENSION_ACTIONS.get(d.metric, generic).format(scenario=scenario.id)
        plan.append(
            PlanRow(
                d.label,
                f"{fmt(d.metric, d.you)} against history's {fmt(d.metric, d.history)}",
                action,
                fix.source if fix else "",
            )
        )
    # One row a faulted decision: the sources' faults side by side, one action.
    by_decision: dict[tuple[str, int | None], list[LessonItem]] = {}
    for f in faulted:
        by_decision.setdefault((f.decision, f.minute), []).append(f)
    for (decision, minute), faults in by_decision.items():
        when = "" if minute is None else f" at {fmt_clock(minute)}"
        what = decision if "“" in decision else f"“{decision}”"
        move = faults[0].move
        instead = _alternative(scenario, move) if move else None
        action = (
            f"Instead of {what}{when}: {instead}"
            if instead
            else f"Write what you would post instead of {what}{when}, test it with `backfire read`, "
            "and agree it before the next exercise."
        )
        observation = " ".join(dict.fromkeys(f.summary for f in faults))
        sources = "; ".join(dict.fromkeys(f.source for f in faults))
        plan.append(PlanRow(f"Decision {decision}{when}", observation, action, sources))
    return plan


def _beaten_by(team: TeamReport, others: list[OtherPlayRow], scenario_id: str, seed: int, size: int) -> TeamReport:
    """The team's plan, with a row for the best named strategy when it beat the team on the same crowd.

    Beating history is not the ceiling: a play the case names may have done better on this very crowd.
    """
    best = max(others, key=lambda o: o.score, default=None)
    if best is None or best.score - team.score < STRENGTH_POINTS:
        return team
    row = PlanRow(
        "Best play on this crowd",
        f"“{best.label}” scored {best.score:.1f} on the same crowd; this run {team.score:.1f}",
        f"Play it and set its moves beside yours: `backfire run {scenario_id} --strategy {best.id} --seed {seed} "
        f"--size {size}`; `backfire compare {scenario_id}` shows whether it wins on other crowds too.",
        "",
    )
    return replace(team, improvement_plan=[*team.improvement_plan, row])


NOTHING_TO_CORRECT = (
    "Nothing to correct on this crowd: no dimension fell behind history, the sources fault no decision, "
    "and no named strategy did better. Try another crowd (`--seed`) before calling it a habit."
)


SAID_BACK = 3  # replies quoted for each of a team's posts


def said_back(session: Session) -> list[CrowdReply]:
    """Each post the team made after its opening, with the first replies its feed showed (one of a kind first)."""
    feed = session.all_feed()
    out = []
    for post in (i for i in feed if i.is_brand and i.kind != "open"):
        replies = [i for i in feed if i.reply_to == post.id and not i.real]
        first = list({r.kind: r for r in reversed(replies)}.values())[::-1]  # each kind's first reply
        first.sort(key=replies.index)
        picked = (first + [r for r in replies if r not in first])[:SAID_BACK]
        move = MOVE_WORDS.get(post.kind, post.kind)
        out.append(CrowdReply(post.minute, move, post.text, post.replies, [f"{r.kind}: {r.text}" for r in picked]))
    return out


def _team(store: Store, game_id: int) -> tuple[TeamReport, Scenario, RunResult, Session]:
    record = store.game(game_id)
    session = restore(store, game_id)
    scenario = session.scenario
    history = session.history_run()
    score = session.score()
    report = session.debrief()
    turns = session.metrics()
    name = record.team or f"Game {game_id}"
    extra = session.extra_injects
    authors = {item.id: item.handle for item in session.all_feed() if item.poster >= 0}
    timeline = []
    for t in turns:
        if t["decision"] != "wait":
            decision = parse_script(scenario, t["decision"]).decisions[0]
            timeline.append(
                TimelineEvent(
                    t["turn"],
                    t["minute"],
                    name,
                    "decision",
                    describe(scenario, decision, authors.get(decision.target or "")),
                )
            )
        for inj in t["injects"]:
            found = next((i for i in scenario.injects if i.id == inj), None) or extra.get(inj)
            timeline.append(
                TimelineEvent(t["turn"], t["minute"], name, "inject", found.label if found is not None else inj)
            )
    notes = [Note(n["minute"], n["by"], n["text"]) for n in session.notes]
    timeline += [TimelineEvent(n["turn"], n["minute"], name, "note", n["text"]) for n in session.notes]
    timeline.sort(key=lambda e: e.turn)
    dims = [DimensionRow(**d.__dict__) for d in score.dimensions]
    strengths = [d for d in dims if d.you_score - d.history_score >= STRENGTH_POINTS]
    weaker = [d for d in dims if d.history_score - d.you_score >= STRENGTH_POINTS]
    faulted: list[LessonItem] = []
    advice: list[LessonItem] = []
    for review in report.reviews:
        for lesson in review.lessons:
            item = LessonItem(
                review.label or review.decision,
                review.minute,
                lesson.cited,
                lesson.summary,
                lesson.source_title,
                review.decision,
            )
            if lesson.stance == "faulted":
                faulted.append(item)
            elif lesson.stance == "advice":
                advice.append(item)
    written = [
        WrittenPost(
            review.minute,
            review.decision.split(":", 1)[0],
            review.written,
            review.reading or "",
            [f"{lesson.label}: {lesson.cited} — {lesson.source_title}. {lesson.summary}" for lesson in review.lessons],
        )
        for review in report.reviews
        if review.written is not None
    ]
    team = TeamReport(
        team=name,
        game_id=game_id,
        finished=record.finished,
        turns_played=len(turns),
        score=score.total,
        history_score=score.history_total,
        script=score.script,
        dimensions=dims,
        strengths=strengths,
        areas_for_improvement=weaker,
        faulted_decisions=faulted,
        advice=advice,
        improvement_plan=_plan(scenario, weaker, faulted, advice),
        written=written,
        said_back=said_back(session),
        notes=notes,
        timeline=timeline,
        hostile_series=[t["hostile"] for t in turns],
        stance_by_segment=score.stance_change_by_segment,
        reasons=list(score.reasons),
        verdict=score.verdict,
    )
    return team, scenario, history, session


def build_report(store: Store, game_id: int) -> Report:
    """Collect a game, or every team of its facilitated session, into a report."""
    facilitation = store.facilitation_of(game_id)
    ids = store.facilitation_games(facilitation) if facilitation else [game_id]
    if not ids:
        raise BackfireError(f"no saved game {game_id}")
    built = [_team(store, gid) for gid in ids]
    teams = [team for team, _, _, _ in built]
    _, scenario, history, session = built[-1]
    try:
        others = [OtherPlayRow(o.id, o.label, o.score) for o in session.other_plays()]
    except BackfireError:  # the strategies cannot be played on this case (its rates): the report goes without them
        others = []
    first = store.game(ids[0])
    teams = [_beaten_by(t, others, scenario.id, first.seed, first.size) for t in teams]
    teams.sort(key=lambda t: -t.score)
    return Report(
        title=f"After-action report: {scenario.title}",
        generated=datetime.now().strftime("%Y-%m-%d %H:%M"),
        overview=Overview(
            scenario=scenario.id,
            scenario_title=scenario.title,
            date_of_case=scenario.date,
            brand=scenario.brand.name,
            played=datetime.fromtimestamp(first.created_at).strftime("%Y-%m-%d %H:%M"),
            seed=first.seed,
            size=first.size,
            facilitation=facilitation,
            teams=[t.team for t in teams],
            summary=scenario.summary,
        ),
        goal=Goal(
            scenario.campaign.goal, scenario.source(scenario.campaign.goal_source).title, scenario.campaign.hashtag
        ),
        history=HistorySection(
            script=history.script,
            hostile_series=[t["hostile"] for t in history.turns],
            summary={k: v for k, v in history.summary.items() if not isinstance(v, dict | list)},
            timeline=[HistoryEntry(e.when, e.text, scenario.source(e.source).title) for e in scenario.history.timeline],
            moves=[
                TimelineEvent(
                    t["turn"],
                    t["minute"],
                    "History",
                    "decision",
                    describe(scenario, parse_script(scenario, t["decision"]).decisions[0]),
                )
                for t in history.turns
                if t["decision"] != "wait"
            ],
        ),
        teams=teams,
        others=others,
    )
