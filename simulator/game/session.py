"""One player's game: the scenario, the crowd, the clock, the decisions, and the score at the end.

The app, the CLI and facilitation drive a game through this class; it exposes
what a screen needs (the clock, the feed, the series, whether the campaign is
cancelled) so no caller reaches into the engine. Build one with `game.open`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from simulator.audience import Audience, build_audience
from simulator.engine import ENGINE_VERSION, Asked, Decision, Run, RunResult
from simulator.engine.decisions import check_decision, check_text, quote
from simulator.engine.feed import FeedItem
from simulator.engine.params import EngineParams, compile_params
from simulator.errors import BackfireError
from simulator.game import menus
from simulator.game.menus import MoveOption
from simulator.language.choice import Choice, Played, as_played, choose
from simulator.scenario.schema import Inject, InjectPost, Scenario, Trigger
from simulator.scoring.debrief import Debrief, debrief
from simulator.scoring.paired import OtherPlay, ScoreRange, history_run, other_plays, score_range
from simulator.scoring.score import Score, paired_score
from simulator.store import StoreError, default_db_path

if TYPE_CHECKING:
    from simulator.store import Store

Progress = Callable[[str, float, float], None]
RANGE_CROWDS = 10  # crowds the debrief scores your decisions on, to say how often they beat history
NOTE_MAX_CHARS = 500  # an evaluator's note: a line or two, not an essay


class Session:
    """One player's (or one team's) game on one crowd."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int = 1,
        size: int | None = None,
        team: str | None = None,
        store: Store | None = None,
        scenario_hash: str | None = None,
    ):
        self.scenario = scenario
        self.store = store
        self.scenario_hash = scenario_hash
        self.game_id: int | None = None
        self.save_problem: str | None = None  # why saving stopped (disk full, read-only…), once it has
        self.version_note: str | None = None  # a restored game whose case file changed since, yet replays the same
        self.parent_id: int | None = None
        self.branch_turn: int | None = None
        self.seed = seed
        self.size = size or scenario.audience.size
        self.team = team
        self.opening = scenario.default_opening().id
        self.opening_text: str | None = None  # an opening in the player's own words (`opening`: its nearest option)
        self.opening_played: Played | None = None  # how a restored game's written opening was played (see `play`)
        self.audience: Audience | None = None
        self._params: EngineParams | None = None
        self._run: Run | None = None
        self._history: RunResult | None = None
        self._lock = threading.Lock()
        self.notes: list[dict[str, Any]] = []  # evaluators' notes: turn, minute, text, by
        self.engine = ENGINE_VERSION  # a game saved on an older engine is restored on it (see replay.py)

    # ---------------------------------------------------------------- set-up
    def build_crowd(self, progress: Progress | None = None) -> Audience:
        """Build (once) the crowd for this seed and size; safe to call from a worker thread."""
        with self._lock:
            if self.audience is None:
                self.audience = build_audience(
                    self.scenario, self.seed, self.size, progress=progress, engine=self.engine
                )
            return self.audience

    def share_crowd(self, other: Session) -> None:
        """Face the same crowd as another session of the same seed and size (built once for both)."""
        if (other.seed, other.size) != (self.seed, self.size):
            raise BackfireError("only a session of the same seed and size can share its crowd")
        self.audience = other.build_crowd()
        self._params = other.params

    @property
    def params(self) -> EngineParams:
        """The scenario's parameters, compiled once for this session."""
        if self._params is None:
            self._params = compile_params(self.scenario)
        return self._params

    def choose_opening(self, opening: str, text: str | None = None, played: Played | None = None) -> None:
        """Pick how the campaign opens (before the clock starts): an option, or `text` in the player's own words.

        `played` (option, provocation) is how a saved game's written opening was played: it is played so again.
        """
        if self._run is not None:
            raise BackfireError("the clock has started; the opening is fixed")
        if text is not None:
            choice = self.read(Decision("open", text=text))
            if played is not None:
                choice = as_played(self.scenario, choice, played)
            self.opening, self.opening_text, self.opening_played = choice.option, text, played
            return
        if opening not in self.scenario.option_ids()["open"]:
            raise BackfireError(f"unknown opening {opening!r}; valid: {', '.join(self.scenario.option_ids()['open'])}")
        self.opening, self.opening_text, self.opening_played = opening, None, None

    def read(self, decision: Decision) -> Choice:
        """How a post in the player's own words reads, and the option it would be played as (for the preview).

        Raises BackfireError when the words cannot be posted (empty, too long) or the move posts nothing.
        """
        if decision.text is None:
            raise BackfireError("this move posts no words of its own")
        check_text(self.scenario, decision.text)
        if decision.action == "open":
            return choose(self.scenario, "open", decision.text)
        if self._run is not None:
            return self._run.written(decision)
        return choose(self.scenario, decision.action, decision.text)

    def start(self) -> None:
        """Start the clock: the opening post goes out."""
        audience = self.build_crowd()
        if self._run is None:
            self._run = Run(
                self.scenario,
                audience,
                self.seed,
                self.opening,
                self.params,
                self.opening_text,
                engine=self.engine,
                opening_played=self.opening_played,
            )
            if self.store is not None and self.game_id is None:
                self.game_id = self.store.new_game(
                    self.scenario.id,
                    self.scenario_hash,
                    self.seed,
                    self.size,
                    quote(self.opening_text) if self.opening_text is not None else self.opening,
                    self.team,
                    self.parent_id,
                    self.branch_turn,
                    engine=self.engine,
                )

    def _started(self) -> Run:
        if self._run is None:
            raise BackfireError("start the game first")
        return self._run

    @property
    def started(self) -> bool:
        """True once the clock runs."""
        return self._run is not None

    @property
    def over(self) -> bool:
        """True when every turn has been played."""
        return self._run is not None and self._run.over

    # ---------------------------------------------------------------- play
    def check(self, decision: Decision) -> None:
        """Raise BackfireError when a decision cannot be played now (unknown option, or cancel after a cancel)."""
        check_decision(self.scenario, decision)
        if decision.action in ("cancel", "pause") and self.cancelled:
            if self.team:
                raise BackfireError(f"{self.team} already cancelled the campaign; they can answer or wait")
            raise BackfireError("the campaign is already cancelled; you can still answer or wait")

    def play(self, decision: Decision, asked: Asked | None = None, played: Played | None = None) -> dict[str, Any]:
        """Play one turn with a decision (checked here, where it enters the game); return its metrics.

        An answer to a feed post is saved with that post's kind and words (`asked` in the turn's record), so
        the turn replays the same even where another version of Backfire writes the feed differently; a
        replay passes them back as `asked`. Likewise a post in the player's own words is saved with what it
        was played as (`played`: option and provocation; the first turn also keeps the written opening's),
        so a newer reader that reads the words otherwise does not change a saved game.
        """
        game = self._started()
        if game.over:
            raise BackfireError("the game is over")
        self.check(decision)
        if asked is None and decision.action == "answer" and decision.target and decision.target.startswith("#"):
            asked = game.asked(decision)  # before the turn: the feed is what the player answered
        metrics = game.play(decision, asked, played)
        if self.store is not None and self.game_id is not None:
            saved = dict(metrics)
            if asked is not None and decision.target and decision.target.startswith("#"):
                saved["asked"] = {"post": decision.target, "kind": asked[0], "text": asked[1]}
            readings = dict(game.readings)
            if decision.text is not None and metrics["turn"] in readings:
                saved["played"] = _played(readings[metrics["turn"]])
            if metrics["turn"] == 0 and -1 in readings:
                saved["opening_played"] = _played(readings[-1])
            try:
                self.store.save_turn(self.game_id, metrics["turn"], str(decision), saved)
                if game.over:
                    score = self.score()
                    self.store.finish(self.game_id, score.total, score.history_total, self.debrief().as_dict())
            except StoreError as exc:
                # The turn is played; the saved game stays whole up to the last saved turn.
                # Saving stops here, so later turns cannot leave a gap in it.
                self.store = None
                self.save_problem = (
                    f"Saving stopped at turn {metrics['turn'] + 1}: {exc}. Game {self.game_id} is saved up to "
                    f"turn {metrics['turn']} (resume it with `backfire resume {self.game_id}`); this game goes on unsaved."
                )
        return metrics

    @property
    def saved_note(self) -> str:
        """One line for leaving the game: where it is saved and how to continue it."""
        if self.save_problem:
            return self.save_problem
        if self.store is None or self.game_id is None:
            return "This game was not saved."
        db = "" if self.store.path == default_db_path() else f" --db {self.store.path}"
        if self.over:
            return f"Game {self.game_id} is saved and finished. See it again with: backfire replay {self.game_id}{db}"
        return (
            f"Game {self.game_id} is saved at turn {self.turn} of {self.turns}. "
            f"Continue it with: backfire resume {self.game_id}{db}"
        )

    def finish_with_waits(self) -> None:
        """Play the remaining turns with `wait`."""
        while not self.over:
            self.play(Decision("wait"))

    @property
    def turn(self) -> int:
        """The next turn to play (0 before the clock starts)."""
        return self._run.turn if self._run else 0

    @property
    def turns(self) -> int:
        """Turns in a game."""
        return self.scenario.clock.turns

    @property
    def cancelled(self) -> bool:
        """True once the campaign was cancelled."""
        return bool(self._run and self._run.cancelled)

    @property
    def paused_until(self) -> int:
        """The turn the current pause ends (-1: no pause)."""
        return self._run.paused_until if self._run else -1

    @property
    def start_stance_by_segment(self) -> dict[str, float]:
        """Each segment's mean stance when the clock started (the baseline for reputation)."""
        if self._run is None:
            return {}
        values = self._run.metrics.stance0_by_segment.tolist()
        return dict(zip(self.params.segment_ids, values, strict=True))

    @property
    def start_mean_stance(self) -> float:
        """The crowd's mean stance when the clock started."""
        return self._run.metrics.stance0_mean if self._run else 0.0

    @property
    def segment_labels(self) -> dict[str, str]:
        """Segment id -> label."""
        return {s.id: s.label for s in self.scenario.audience.segments}

    @property
    def extra_injects(self) -> dict[str, Inject]:
        """Injects written by a facilitator during play, by id."""
        return dict(self._run.extra_injects) if self._run else {}

    def clock_text(self, turn: int | None = None) -> str:
        """Return 'T+2:15 · Wed 17:15' for a turn (the next to play by default)."""
        return menus.clock_text(self.scenario, self.turn if turn is None else turn)

    def metrics(self) -> list[dict[str, Any]]:
        """Per-turn metrics so far."""
        return self._run.metrics.turns if self._run else []

    def latest(self) -> dict[str, Any] | None:
        """Metrics of the last turn played."""
        m = self.metrics()
        return m[-1] if m else None

    def feed(self, last: int = 60) -> list[FeedItem]:
        """The most recent feed items, newest first."""
        if not self._run or self.audience is None:
            return []
        if not self._run.feed.items:
            # Before the first turn is played, the feed holds your opening post.
            sc = self.scenario
            opening = next(o for o in sc.campaign.openings if o.id == self.opening)
            text = self.opening_text if self.opening_text is not None else opening.text
            return [
                FeedItem(
                    "#0-b",
                    0,
                    0,
                    sc.brand.handle,
                    sc.brand.name,
                    "brand",
                    "open",
                    text,
                    len(self.audience.graph.brand_followers),
                    is_brand=True,
                )
            ]
        return list(reversed(self._run.feed.items[-last:]))

    def all_feed(self) -> list[FeedItem]:
        """Every feed item so far, oldest first."""
        return list(self._run.feed.items) if self._run else []

    def series(self, key: str) -> list[float]:
        """A per-turn series (e.g. 'volume', 'share_negative') for charts."""
        return [float(t[key]) for t in self.metrics()]

    def decisions(self) -> list[Decision]:
        """Decisions so far."""
        return list(self._run.decisions) if self._run else []

    # ---------------------------------------------------------------- injects
    def fire_inject(self, inject_id: str) -> None:
        """Fire one of the scenario's injects now (a facilitator's call)."""
        game = self._started()
        inj = next((i for i in self.scenario.injects if i.id == inject_id), None)
        if inj is None:
            raise BackfireError(
                f"unknown inject {inject_id!r}; valid: {', '.join(i.id for i in self.scenario.injects)}"
            )
        if self.store is not None and self.game_id is not None:
            self.store.save_event(self.game_id, self.turn, "inject", {"id": inject_id})
        game.fire_now(inj)

    def custom_inject(self, text: str, reach: float = 0.05) -> str:
        """A facilitator's own event (a reporter's call, a leaked memo): a story seen by `reach` of every segment."""
        game = self._started()
        text = text.strip()
        if not text:
            raise BackfireError("a custom inject needs some text")
        stories = [k for k in self.scenario.kinds if k.story]
        neutral = [k for k in self.scenario.kinds if k.tone == "neutral"] or list(self.scenario.kinds)
        kind = (stories or [max(neutral, key=lambda k: k.appeal)])[
            0
        ].id  # a declared story kind, else the most spreadable neutral one
        inj_id = f"custom_{self.turn}_{len(game.extra_injects)}"
        inj = Inject(
            id=inj_id,
            label=text,
            trigger=Trigger(at=self.turn * self.scenario.clock.turn_minutes),
            post=InjectPost(kind=kind, text=text, reach=dict.fromkeys(self.scenario.segment_ids(), reach)),
            note="written by the facilitator during play",
        )
        if self.store is not None and self.game_id is not None:
            self.store.save_event(self.game_id, self.turn, "custom", {"text": text, "reach": reach})
        game.fire_now(inj)
        return inj_id

    # ---------------------------------------------------------------- evaluator notes
    def add_note(self, text: str, by: str = "facilitator") -> dict[str, Any]:
        """An evaluator's note on this team at this turn (HSEEP's evaluator role): saved, shown in the hot wash and report.

        A note changes nothing in the run; replaying the game skips it.
        """
        text = " ".join(text.split())
        if not text:
            raise BackfireError("a note needs some text")
        if len(text) > NOTE_MAX_CHARS:
            raise BackfireError(f"a note is at most {NOTE_MAX_CHARS} characters ({len(text)} given)")
        note = {"turn": self.turn, "minute": self.turn * self.scenario.clock.turn_minutes, "text": text, "by": by}
        self.notes.append(note)
        if self.store is not None and self.game_id is not None:
            self.store.save_event(self.game_id, self.turn, "note", {"text": text, "by": by})
        return note

    # ---------------------------------------------------------------- menus
    def options(self, move: str) -> list[MoveOption]:
        """The options under a move, with a preview of what each posts."""
        return menus.options(self.scenario, move)

    def preview(self, decision: Decision, question: str | None = None) -> str:
        """What a move would post, worded for the post it answers and filled in with the question."""
        kind = None
        if decision.action == "answer" and self._run is not None:
            try:
                kind = self._run.answer_kind(decision.target)
            except BackfireError:
                kind = None
        return menus.preview(self.scenario, decision, kind, question)

    # ---------------------------------------------------------------- end
    def history_run(self) -> RunResult:
        """The historical decisions on this same crowd and seed (computed once)."""
        if self._history is None:
            self._history = history_run(self.scenario, self.seed, self.build_crowd(), self.params, self.engine)
        return self._history

    def result(self, with_feed: bool = False) -> RunResult:
        """This game's run so far."""
        if not self._run:
            raise BackfireError("the game has not started")
        return self._run.result(with_feed)

    def score(self) -> Score:
        """Paired score against history on the same crowd."""
        return paired_score(self.scenario, self.result(), self.history_run())

    def debrief(self) -> Debrief:
        """Lessons for each decision, and what really happened."""
        authors = {item.id: item.handle for item in self.all_feed() if item.poster >= 0}
        run = self._started()
        return debrief(self.scenario, run.plan(), self.history_run(), authors, dict(run.readings))

    def score_range(self, runs: int = RANGE_CROWDS, progress: Progress | None = None) -> ScoreRange:
        """Score this game's decisions against history on `runs` crowds like this one (this seed and the next ones)."""
        seeds = list(range(self.seed, self.seed + runs))
        return score_range(
            self.scenario, self._started().portable_plan(), seeds, self.size, workers=1, progress=progress
        )

    def other_plays(self) -> list[OtherPlay]:
        """The scenario's named strategies on this game's crowd and seed, scored against history; best first.

        None are played for a game restored on an older engine (its crowd and streams are that engine's).
        """
        if self.engine != ENGINE_VERSION:
            return []
        return other_plays(self.scenario, self.seed, self.build_crowd(), self.params)

    def replay(self, new_crowd: bool = False) -> Session:
        """A fresh session on the same crowd, or on a new one (seed + 1)."""
        other = Session(
            self.scenario,
            self.seed + 1 if new_crowd else self.seed,
            self.size,
            self.team,
            self.store,
            self.scenario_hash,
        )
        if not new_crowd:
            other.audience, other._params, other._history = self.audience, self._params, self._history
        return other


def _played(choice: Choice) -> dict[str, Any]:
    """What a written post was played as, for its turn's saved record."""
    return {"option": choice.option, "provocation": choice.provocation}
