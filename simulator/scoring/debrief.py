"""Debrief: each decision matched to what the sources say about it, and what really happened."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from simulator.engine import Plan, RunResult
from simulator.engine.decisions import WAIT, Decision, describe
from simulator.formatting import fmt_clock
from simulator.language.choice import Choice, choose
from simulator.scenario.schema import Lesson, Scenario


@dataclass(frozen=True)
class LessonCited:
    """A lesson as cited in the debrief."""

    id: str
    stance: str
    quote: str
    summary: str
    source: str
    source_title: str
    publisher: str | None
    paraphrase: bool = False
    own_view: bool = False  # the company's own view of its move, not a source's judgement

    @property
    def label(self) -> str:
        """The stance as shown: "praised", "faulted", "advice", or "own view" for a company's self-assessment."""
        return "own view" if self.own_view else self.stance

    @property
    def cited(self) -> str:
        """The quote in curly quotes, or a paraphrase marked as one (never dressed up as the source's words)."""
        return f"{self.quote} (summary, not the source's words)" if self.paraphrase else f"“{self.quote}”"


@dataclass
class DecisionReview:
    """One decision and the lessons that speak to it."""

    decision: str  # the decision as a script token (answer:candid@grievance)
    turn: int | None
    minute: int | None
    lessons: list[LessonCited] = field(default_factory=list)
    label: str = ""  # the decision in words (Answered the grievance posts: Candid and accountable)
    disagreement: bool = False
    times: int = 1  # consecutive turns with this same move
    last_minute: int | None = None
    written: str | None = None  # the player's own words, when they wrote the post
    reading: str | None = None  # how those words read, and the option they were played as

    def headline(self, words: bool = True) -> str:
        """Return the decision in words with its time: 'Cancelled: “#Badidea!…” at 5h30'.

        `words=False` leaves out the player's own words (for a heading that cannot wrap: show them below it).
        """
        label = self.label or self.decision
        if not words and self.written is not None:
            label = label.replace(f": “{self.written}”", "")
        return f"{label}{self.when_text()}"

    def when_text(self) -> str:
        """Return ' at 5h30', ' ×8, 0h00–1h45', or '' for the opening."""
        if self.minute is None:
            return ""
        if self.times > 1 and self.last_minute is not None:
            return f" ×{self.times}, {fmt_clock(self.minute)}–{fmt_clock(self.last_minute)}"
        return f" at {fmt_clock(self.minute)}"


@dataclass
class Debrief:
    """The debrief of a run."""

    reviews: list[DecisionReview]
    what_happened: list[dict[str, Any]]
    history_figures: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return {
            "reviews": [asdict(r) for r in self.reviews],
            "what_happened": self.what_happened,
            "history_figures": self.history_figures,
        }


def _cite(scenario: Scenario, lesson: Lesson) -> LessonCited:
    src = scenario.source(lesson.source)
    return LessonCited(
        lesson.id,
        lesson.stance,
        lesson.quote,
        lesson.summary,
        lesson.source,
        src.title,
        src.publisher,
        lesson.paraphrase,
        lesson.own_view,
    )


def _matches(ref: str, move: str, option: str | None) -> bool:
    ref_move, _, ref_opt = ref.partition(":")
    return ref_move == move and (not ref_opt or ref_opt == option)


def review_plan(
    scenario: Scenario,
    plan: Plan,
    authors: Mapping[str, str] | None = None,
    readings: Mapping[int, Choice] | None = None,
) -> list[DecisionReview]:
    """Match the opening and every move (waits summarised) to the scenario's lessons, each lesson cited once.

    A lesson appears under the first decision it speaks to; `authors` (feed post id -> handle) names whom an
    answer to a feed post replied to. A post in the player's own words is matched through its reading: the
    lessons on the option it was played as, and those on its postures. `readings` (turn -> choice, from the
    run) give the reading as it was made in play; without them the words are read again, without the question.
    """
    turn_minutes = scenario.clock.turn_minutes
    first_history = min((d.at for d in scenario.history.decisions if d.action != "wait"), default=None)
    reviews: list[DecisionReview] = []
    cited: set[str] = set()

    def collect(move: str, option: str | None, minute: int | None, postures: tuple[str, ...] = ()) -> list[LessonCited]:
        found = []
        for lesson in scenario.lessons:
            speaks = any(_matches(ref, move, option) for ref in lesson.options) or bool(
                set(lesson.postures) & set(postures)
            )
            if lesson.id in cited or not speaks:
                continue
            if lesson.when != "any" and minute is not None and first_history is not None:
                early = minute < first_history
                if (lesson.when == "early") != early:
                    continue
            found.append(_cite(scenario, lesson))
            cited.add(lesson.id)
        return found

    def words(decision: Decision) -> str:
        target = decision.target
        return describe(scenario, decision, (authors or {}).get(target) if target else None)

    def read_again(turn: int, decision: Decision) -> Choice:
        if readings is not None and turn in readings:
            return readings[turn]
        target = decision.target
        kind = target if target and not target.startswith("#") else None
        return choose(scenario, decision.action, decision.text or "", kind=kind)

    if plan.opening_text is not None:
        choice = read_again(-1, Decision("open", text=plan.opening_text))
        opening = DecisionReview(
            str(Decision("open", text=plan.opening_text)),
            None,
            None,
            collect("open", plan.opening, None, choice.reading.postures),
            label=words(Decision("open", text=plan.opening_text)),
            written=plan.opening_text,
            reading=choice.summary(),
        )
    else:
        opening = DecisionReview(
            f"open:{plan.opening}",
            None,
            None,
            collect("open", plan.opening, None),
            label=words(Decision("open", plan.opening)),
        )
    reviews.append(opening)
    acted = False
    previous = None
    for turn, decision in enumerate(plan.decisions):
        if decision == WAIT:
            previous = None
            continue
        acted = True
        minute = turn * turn_minutes
        if previous is not None and reviews[-1].decision == str(decision) and previous == turn - 1:
            reviews[-1].times += 1
            reviews[-1].last_minute = minute
        elif decision.text is not None:
            choice = read_again(turn, decision)
            reviews.append(
                DecisionReview(
                    str(decision),
                    turn,
                    minute,
                    collect(decision.action, choice.option, minute, choice.reading.postures),
                    label=words(decision),
                    written=decision.text,
                    reading=choice.summary(),
                )
            )
        else:
            reviews.append(
                DecisionReview(
                    str(decision),
                    turn,
                    minute,
                    collect(decision.action, decision.option, minute),
                    label=words(decision),
                )
            )
        previous = turn
    if not acted or all(d.action in ("wait", "cancel") for d in plan.decisions):
        # Never answering anyone is a decision too.
        lessons = list(collect("wait", None, None))
        if lessons:
            reviews.append(
                DecisionReview(
                    "never answered the questions", None, None, lessons, label="Never answered the questions"
                )
            )
    for r in reviews:
        stances = {lesson.stance for lesson in r.lessons if not lesson.own_view}  # a self-assessment is no source's
        r.disagreement = "praised" in stances and "faulted" in stances
    return reviews


def crowd_size_note(scenario: Scenario, size: int) -> str | None:
    """Why counts differ from the documented figures on a smaller or larger crowd (None at the declared size)."""
    declared = scenario.audience.size
    if size == declared:
        return None
    return (
        f"Counts scale with the crowd: the documented figures are matched at {declared:,} personas "
        f"(one per account); this crowd has {size:,}, so its counts are not on the documented scale."
    )


def debrief(
    scenario: Scenario,
    plan: Plan,
    history: RunResult | None,
    authors: Mapping[str, str] | None = None,
    readings: Mapping[int, Choice] | None = None,
) -> Debrief:
    """Return the debrief of a plan: lessons per decision, and the real timeline with its figures."""
    what = []
    for entry in scenario.history.timeline:
        src = scenario.source(entry.source)
        what.append({"when": entry.when, "text": entry.text, "source": entry.source, "source_title": src.title})
    figures = {}
    if history is not None:
        from simulator.scoring.calibrate import meets, target_value

        targets = []
        for t in scenario.targets:
            value = target_value(scenario, t, history.summary)
            targets.append(
                {
                    "target": t.id,
                    "label": t.label,
                    "value": value,
                    "min": t.bound.min,
                    "max": t.bound.max,
                    "meets": meets(value, t.bound),
                    "source": t.source,
                    "source_title": scenario.source(t.source).title,
                }
            )
        # The scenario's own targets, read on this crowd: what the real decisions give here against what was documented.
        figures = {
            "seed": history.seed,
            "size": history.size,
            "targets": targets,
            "note": crowd_size_note(scenario, history.size),
        }
    return Debrief(review_plan(scenario, plan, authors, readings), what, figures)
