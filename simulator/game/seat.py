"""A team's seat in a workshop: its screen reads the team's turns and feed from the store and writes its moves.

The facilitator's process is the only one that steps simulations. A seat steps
nothing: it reads what the facilitator published (the team's feed, its turns'
metrics, the clock) and writes the team's opening and its move for the open
turn. Everything lives in the games database, so a team screen that crashes or
closes rejoins with its code and finds everything as it was.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import TYPE_CHECKING, Any

from simulator.engine import Decision, parse_script
from simulator.engine.decisions import check_decision, check_text, quote
from simulator.engine.feed import FeedItem
from simulator.errors import BackfireError
from simulator.game import menus
from simulator.game.menus import MoveOption
from simulator.language.choice import Choice, choose
from simulator.language.reader import Lexicon, scenario_lexicon
from simulator.scenario.loader import LoadedScenario
from simulator.scenario.registry import resolve

if TYPE_CHECKING:
    from simulator.store import SeatRecord, Store, WorkshopRecord

CODE_RE = re.compile(r"^[A-Z0-9]{1,8}-\d{4}$")


def make_codes(teams: list[str], taken: set[str]) -> dict[str, str]:
    """One short join code per team, e.g. RED-4821: the team's name (letters and digits, up to 8) and 4 random digits.

    Codes are not part of the simulation, so they come from `secrets`, not the run's seed.
    """
    codes: dict[str, str] = {}
    for i, team in enumerate(teams):
        stem = re.sub(r"[^A-Z0-9]", "", team.upper())[:8] or f"TEAM{i + 1}"
        while True:
            code = f"{stem}-{1000 + secrets.randbelow(9000)}"
            if code not in taken and code not in codes.values():
                break
        codes[team] = code
    return codes


def load_workshop_scenario(record: WorkshopRecord) -> LoadedScenario:
    """The workshop's scenario, checked against the version it was started on."""
    loaded = resolve(record.scenario)
    if record.scenario_hash and loaded.content_hash != record.scenario_hash:
        raise BackfireError(
            f"workshop {record.id} was started on a different version of {record.scenario!r} "
            f"({loaded.path} has changed since); its teams' turns cannot be shown"
        )
    return loaded


def workshop_ref(loaded: LoadedScenario) -> str:
    """How another process finds this scenario again: its library id, or its file's full path."""
    try:
        if resolve(loaded.scenario.id).content_hash == loaded.content_hash:
            return loaded.scenario.id
    except BackfireError:
        pass
    return str(loaded.path.resolve())


class Seat:
    """One team's screen on a workshop, backed by the store. It steps no simulation."""

    def __init__(self, store: Store, code: str):
        code = code.strip().upper()
        record = store.seat(code)
        if record is None:
            hint = "" if CODE_RE.match(code) else " (a code looks like RED-4821)"
            raise BackfireError(
                f"no team has the join code {code!r} in {store.path}{hint}: read it again from the facilitator's "
                "board, or list them with `backfire sessions`"
            )
        self.store = store
        self.code = record.code
        self.team = record.team
        self.workshop_id = record.workshop_id
        self.workshop = store.workshop(record.workshop_id)
        loaded = load_workshop_scenario(self.workshop)
        self.scenario = loaded.scenario
        self.seed = self.workshop.seed
        self.size = self.workshop.size
        self.save_problem: str | None = None
        self.audience = None  # the crowd lives in the facilitator's process
        self.seat: SeatRecord = record
        self._metrics: list[dict[str, Any]] = []
        self._feed: list[FeedItem] = []
        self._stamp: tuple[Any, ...] = ()
        self._view: dict[str, Any] | None = {}  # the published screen last read ({}: not read yet)
        self.opening, self.opening_text = self._opening_of(record.opening)
        self.refresh()
        store.seen(self.code)

    @property
    def lexicon(self) -> Lexicon:
        """The phrases a written post is read by (built when the team's own words are first read)."""
        return scenario_lexicon(self.scenario.language)

    # ---------------------------------------------------------------- reading the store

    def refresh(self) -> bool:
        """Read the session's clock, this team's seat, turns and feed; True when anything changed."""
        self.workshop = self.store.workshop(self.workshop_id)
        seat = self.store.seat(self.code)
        if seat is None:  # pragma: no cover - seats are never deleted
            raise BackfireError(f"the seat of {self.team} is gone from {self.store.path}")
        self.seat = seat
        if seat.game_id is not None and len(self._metrics) < self.workshop.turn:
            self._metrics = [m for _, _, m in self.store.turns(seat.game_id)]
        # The published screen changes with every turn and every inject (a full feed keeps its length).
        view_changed = seat.view != self._view
        if view_changed:
            self._view = seat.view
            self._feed = [FeedItem(**item) for item in (seat.view or {}).get("feed", [])]
        stamp = (self.workshop.updated_at, seat.pending, seat.pending_turn, len(self._metrics))
        changed = view_changed or stamp != self._stamp
        self._stamp = stamp
        if not self.started:
            self.opening, self.opening_text = self._opening_of(seat.opening)
        return changed

    def _opening_of(self, token: str | None) -> tuple[str, str | None]:
        if not token:
            return self.scenario.default_opening().id, None
        plan = parse_script(self.scenario, token)
        return plan.opening, plan.opening_text

    @property
    def state(self) -> str:
        """briefing (before the clock), running, computing (a turn is being played), over, or away (the facilitator left)."""
        return self.workshop.state

    @property
    def started(self) -> bool:
        """True once the facilitator started the clock and published this team's screen."""
        return self.state != "briefing" and self.seat.view is not None

    @property
    def over(self) -> bool:
        """True once every turn has been played."""
        return self.state == "over" or self.turn >= self.turns

    @property
    def turn(self) -> int:
        """The open turn (the next to play)."""
        return self.workshop.turn

    @property
    def turns(self) -> int:
        """Turns in the session."""
        return self.scenario.clock.turns

    @property
    def view(self) -> dict[str, Any]:
        """What the facilitator published for this team's screen."""
        return self.seat.view or {}

    @property
    def cancelled(self) -> bool:
        """True once this team cancelled the campaign."""
        return bool(self.view.get("cancelled"))

    @property
    def paused_until(self) -> int:
        """The turn this team's pause ends (-1: none)."""
        return int(self.view.get("paused_until", -1))

    @property
    def start_stance_by_segment(self) -> dict[str, float]:
        """Each segment's mean stance when the clock started."""
        return dict(self.view.get("start_stance", {}))

    @property
    def start_mean_stance(self) -> float:
        """The crowd's mean stance when the clock started."""
        return float(self.view.get("start_mean", 0.0))

    @property
    def segment_labels(self) -> dict[str, str]:
        """Segment id -> label."""
        return {s.id: s.label for s in self.scenario.audience.segments}

    @property
    def game_id(self) -> int | None:
        """This team's saved game (once the clock started)."""
        return self.seat.game_id

    @property
    def pending(self) -> Decision | None:
        """The move this team sent for the open turn, if any."""
        if self.seat.pending is None or self.seat.pending_turn != self.turn:
            return None
        return parse_script(self.scenario, self.seat.pending).decisions[0]

    @property
    def pending_by(self) -> str | None:
        """Who entered the pending move: the team or the facilitator."""
        return self.seat.pending_by if self.pending is not None else None

    @property
    def seconds_left(self) -> float | None:
        """Seconds until the facilitator's realtime clock plays the open turn (None: no time limit)."""
        if self.workshop.clock != "realtime" or self.workshop.deadline is None or self.state != "running":
            return None
        return max(0.0, self.workshop.deadline - time.time())

    def clock_text(self, turn: int | None = None) -> str:
        """Return 'T+2:15 · Wed 17:15' for a turn (the open one by default)."""
        return menus.clock_text(self.scenario, self.turn if turn is None else turn)

    def metrics(self) -> list[dict[str, Any]]:
        """This team's per-turn metrics so far."""
        return list(self._metrics)

    def latest(self) -> dict[str, Any] | None:
        """Metrics of the last turn played."""
        return self._metrics[-1] if self._metrics else None

    def series(self, key: str) -> list[float]:
        """A per-turn series for charts."""
        return [float(t[key]) for t in self._metrics]

    def feed(self, last: int = 60) -> list[FeedItem]:
        """The team's feed as the facilitator last published it, newest first."""
        return self._feed[:last]

    def decisions(self) -> list[str]:
        """The moves played so far, as saved."""
        return [str(m.get("decision", "")) for m in self._metrics]

    # ---------------------------------------------------------------- writing moves
    def build_crowd(self, progress: Any = None) -> None:
        """The crowd is built by the facilitator's process: nothing to do here."""
        return None

    def start(self) -> None:
        """The facilitator starts the clock: nothing to do here."""

    def choose_opening(self, opening: str, text: str | None = None) -> None:
        """Send this team's opening (before the clock starts): an option, or `text` in the team's own words."""
        if text is not None:
            check_text(self.scenario, text)
            token = f"open:{quote(text)}"
        else:
            if opening not in self.scenario.option_ids()["open"]:
                raise BackfireError(
                    f"unknown opening {opening!r}; valid: {', '.join(self.scenario.option_ids()['open'])}"
                )
            token = f"open:{opening}"
        if not self.store.choose_opening(self.code, token):
            raise BackfireError("the clock has started; the opening is fixed")
        self.opening, self.opening_text = parse_script(self.scenario, token).opening, text

    def check(self, decision: Decision) -> None:
        """Raise BackfireError when a move cannot be played now."""
        check_decision(self.scenario, decision)
        if decision.action in ("cancel", "pause") and self.cancelled:
            raise BackfireError(f"{self.team} already cancelled the campaign; you can answer or wait")

    def submit(self, decision: Decision) -> None:
        """Send this team's move for the open turn; the facilitator's clock plays it."""
        self.refresh()
        if self.state == "briefing":
            raise BackfireError("the facilitator has not started the clock yet")
        if self.over:
            raise BackfireError("the session is over")
        self.check(decision)
        if not self.store.submit(self.code, self.turn, str(decision), "team"):
            raise BackfireError(
                "the clock moved on before your move arrived; it was not played. Decide again for this turn."
                if self.state in ("running", "computing")
                else "the facilitator has left the session; your move was not sent (rejoin when it resumes)"
            )
        self.refresh()

    # ---------------------------------------------------------------- dialogs
    def options(self, move: str) -> list[MoveOption]:
        """The options under a move, with a preview of what each posts."""
        return menus.options(self.scenario, move)

    def _kind_of(self, target: str | None) -> str | None:
        if target and not target.startswith("#"):
            return target
        return next((i.kind for i in self._feed if i.id == target), None) if target else None

    def preview(self, decision: Decision, question: str | None = None) -> str:
        """What a move would post, worded for the post it answers."""
        kind = self._kind_of(decision.target) if decision.action == "answer" else None
        return menus.preview(self.scenario, decision, kind, question)

    def read(self, decision: Decision) -> Choice:
        """How a post in the team's own words reads (the same reading the facilitator's run makes)."""
        if decision.text is None:
            raise BackfireError("this move posts no words of its own")
        check_text(self.scenario, decision.text)
        if decision.action == "open":
            return choose(self.scenario, "open", decision.text, lex=self.lexicon)
        kind = self._kind_of(decision.target) if decision.action == "answer" else None
        question = next((i.text for i in self._feed if i.id == decision.target), None) if decision.target else None
        return choose(self.scenario, decision.action, decision.text, question, kind, self.lexicon)

    @property
    def saved_note(self) -> str:
        """One line for leaving the seat: how to come back."""
        db = f" --db {self.store.path}"
        return f"You left {self.team}'s seat; nothing is lost. Rejoin with: backfire join {self.code}{db}"
