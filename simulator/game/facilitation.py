"""A facilitated session: several teams face the same crowd (one seed), each with its own game.

With a store, the session is a workshop in the games database: each team has a
join code and a seat (`game/seat.py`) that its own screen reads and writes. This
process is the only one that steps simulations: it reads the teams' moves
(`sync`), plays the turn for every team, and publishes each team's screen.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from simulator.audience import Audience
from simulator.engine import Decision, parse_script
from simulator.engine.decisions import quote
from simulator.engine.feed import threads
from simulator.errors import BackfireError
from simulator.game.open import open_game
from simulator.game.seat import load_workshop_scenario, make_codes, workshop_ref
from simulator.game.session import Progress, Session
from simulator.scenario.loader import LoadedScenario
from simulator.store import Store

FEED_SHOWN = 40  # the posts a team's screen shows: the newest (and as many of its own and their replies)


@dataclass(frozen=True)
class BoardRow:
    """One team on the side-by-side board."""

    team: str
    turn: int
    volume: int
    hostile_total: int
    share_negative: float
    replies_to_latest: int
    stance_change: float
    cancelled: bool
    pending: str
    code: str = ""
    decided: str | None = None  # who entered this turn's move: "team", "facilitator", or None (still deciding)


class Facilitation:
    """Teams, their pending decisions for this turn, and the shared clock."""

    def __init__(
        self,
        loaded: LoadedScenario,
        teams: list[str],
        seed: int = 1,
        size: int | None = None,
        store: Store | None = None,
    ):
        names = [t.strip() for t in teams if t.strip()]
        if not names:
            raise BackfireError('--teams needs at least one team name, e.g. --teams "Red,Blue,Green"')
        if len(set(names)) != len(names):
            raise BackfireError(f"team names must differ: {', '.join(names)}")
        self.scenario = loaded.scenario
        self.seed = seed
        self.size = size or loaded.scenario.audience.size
        self.id = uuid.uuid4().hex[:12]
        self.store = store
        self.sessions = {t: open_game(loaded, seed, size, team=t, store=store) for t in names}
        self.pending: dict[str, Decision] = {t: Decision("wait") for t in names}
        self.decided: dict[str, str | None] = dict.fromkeys(names)  # who entered each team's move this turn
        self.codes: dict[str, str] = {}
        self.clock = "manual"  # manual, realtime (every `seconds`), or all-decided (as soon as every team has a move)
        self.seconds: float | None = None
        self.deadline: float | None = None
        if store is not None:
            self.codes = make_codes(names, store.codes())
            store.new_workshop(
                self.id,
                workshop_ref(loaded),
                loaded.content_hash,
                seed,
                self.size,
                [(t, self.codes[t]) for t in names],
            )

    @classmethod
    def resume(cls, store: Store, workshop_id: str) -> Facilitation:
        """Resume a saved workshop: every team's game is replayed (and checked) to where it stopped, codes unchanged."""
        from simulator.game.replay import restore

        record = store.workshop(workshop_id)
        seats = store.seats(workshop_id, views=False)
        loaded = load_workshop_scenario(record)
        f = cls(loaded, [s.team for s in seats], record.seed, record.size, store=None)
        f.id, f.store = record.id, store
        f.codes = {s.team: s.code for s in seats}
        if record.state != "briefing":
            first: Session | None = None
            for seat in seats:
                if seat.game_id is None:
                    raise BackfireError(f"workshop {workshop_id}: {seat.team} has no saved game to resume")
                session = restore(store, seat.game_id, crowd=first)
                first = first or session
                f.sessions[seat.team] = session
            turns = {s.turn for s in f.sessions.values()}
            if len(turns) != 1:
                raise BackfireError(
                    f"workshop {workshop_id}: the teams' saved games stop at different turns ({sorted(turns)})"
                )
        else:
            for seat in seats:
                f.sessions[seat.team].store = store
        state = "briefing" if record.state == "briefing" else ("over" if f.over else "running")
        store.update_workshop(f.id, state=state, turn=f.turn, clock="manual", deadline=None)
        f.sync()
        if f.started:
            f.publish()
        return f

    @property
    def teams(self) -> list[str]:
        """Team names in order."""
        return list(self.sessions)

    def build_crowd(self, progress: Progress | None = None) -> Audience:
        """Build the one crowd every team faces."""
        first = next(iter(self.sessions.values()))
        audience = first.build_crowd(progress)
        for s in self.sessions.values():
            if s is not first:
                s.share_crowd(first)
        return audience

    @property
    def started(self) -> bool:
        """True once every team's clock has started (the openings are posted and fixed)."""
        return all(s.started for s in self.sessions.values())

    def choose_opening(self, team: str, opening: str, text: str | None = None) -> None:
        """Set a team's opening before the clock starts: an option, or `text` in the team's own words."""
        self._session(team).choose_opening(opening, text)
        if self.store is not None:
            self.store.choose_opening(self.codes[team], self.opening_of(team))

    def opening_of(self, team: str) -> str:
        """A team's opening as a script token (open:ID, or its own words in quotes)."""
        s = self._session(team)
        return f"open:{quote(s.opening_text)}" if s.opening_text is not None else f"open:{s.opening}"

    def start(self) -> None:
        """Start every team's clock (each team's opening as its seat last chose it)."""
        self.build_crowd()
        if self.store is not None:
            self.store.update_workshop(self.id, state="computing")  # openings are fixed from here
        self.sync()
        for team, s in self.sessions.items():
            s.start()
            if self.store is not None and s.game_id is not None:
                self.store.set_facilitation(s.game_id, self.id)
                self.store.update_seat(self.id, team, game_id=s.game_id)
        if self.store is not None:
            self.store.log(self.id, 0, "clock", "Clock started: every team's opening is posted.")
            self.store.update_workshop(self.id, state="running", turn=self.turn, deadline=self._next_deadline())
        self.publish()

    @property
    def turn(self) -> int:
        """The next turn (the same for every team)."""
        return next(iter(self.sessions.values())).turn

    @property
    def over(self) -> bool:
        """True when every turn has been played."""
        return all(s.over for s in self.sessions.values())

    def set_decision(self, team: str, decision: Decision, by: str = "facilitator") -> None:
        """Enter (or override) a team's decision for this turn: checked now, played when the clock advances."""
        self._session(team).check(decision)
        self.pending[team] = decision
        self.decided[team] = by
        if self.store is not None and self.started:
            self.store.submit(self.codes[team], self.turn, str(decision), by)

    @property
    def all_decided(self) -> bool:
        """True when every team has a move for this turn."""
        return all(self.decided[t] is not None for t in self.teams)

    def sync(self) -> list[str]:
        """Read the teams' openings (before the clock) or moves (this turn) from their seats; say what changed.

        A move that cannot be played (a cancel after a cancel) is refused here and reported.
        """
        if self.store is None:
            return []
        changes = []
        for seat in self.store.seats(self.id, views=False):
            team = seat.team
            if team not in self.sessions:
                continue
            if not self.started:
                if seat.opening and seat.opening != self.opening_of(team):
                    plan = parse_script(self.scenario, seat.opening)
                    self._session(team).choose_opening(plan.opening, plan.opening_text)
                    changes.append(f"{team} chose its opening: {self.opening_of(team)}")
            elif seat.pending is not None and seat.pending_turn == self.turn:
                if seat.pending == str(self.pending[team]) and self.decided[team] == seat.pending_by:
                    continue
                try:
                    decision = parse_script(self.scenario, seat.pending).decisions[0]
                    self._session(team).check(decision)
                except BackfireError as exc:
                    changes.append(f"{team}'s move {seat.pending} was refused: {exc}")
                    continue
                self.pending[team], self.decided[team] = decision, seat.pending_by or "team"
                changes.append(
                    f"{team} decided: {decision}"
                    + (" (by the facilitator)" if seat.pending_by == "facilitator" else "")
                )
        return changes

    def advance(self) -> dict[str, dict[str, Any]]:
        """Play this turn for every team with its pending decision; reset them to wait; publish every team's screen."""
        if self.over:
            raise BackfireError("the session is over")
        if self.store is not None:
            self.store.update_workshop(self.id, state="computing")  # a move arriving now is refused, not lost
        self.sync()
        played = {}
        for team, session in self.sessions.items():
            played[team] = session.play(self.pending[team])
            self.pending[team] = Decision("wait")
            self.decided[team] = None
        if self.store is not None:
            self.store.update_workshop(
                self.id, state="over" if self.over else "running", turn=self.turn, deadline=self._next_deadline()
            )
        self.publish()
        return played

    def finish(self) -> None:
        """Wait out the remaining turns for every team."""
        while not self.over:
            self.advance()

    def set_clock(self, clock: str, seconds: float | None = None) -> None:
        """How the clock moves: manual, realtime (every `seconds`; teams see a countdown) or all-decided."""
        if clock not in ("manual", "realtime", "all-decided"):
            raise BackfireError(f"unknown clock {clock!r}; valid: manual, realtime, all-decided")
        if clock == "realtime" and not seconds:
            raise BackfireError("a realtime clock needs its seconds per turn")
        self.clock, self.seconds = clock, seconds if clock == "realtime" else None
        self.deadline = self._next_deadline()
        if self.store is not None:
            self.store.update_workshop(self.id, clock=clock, seconds=self.seconds, deadline=self.deadline)

    def _next_deadline(self) -> float | None:
        self.deadline = time.time() + self.seconds if self.clock == "realtime" and self.seconds else None
        return self.deadline

    def leave(self) -> None:
        """The facilitator leaves: teams' screens say so and refuse moves until the session is resumed."""
        if self.store is not None and not self.over:
            self.store.update_workshop(
                self.id, state="away" if self.started else "briefing", clock="manual", deadline=None
            )

    def publish(self) -> None:
        """Write each team's screen (its feed, stance baseline, state) to its seat, for the team's own screen."""
        if self.store is None:
            return
        for team, s in self.sessions.items():
            if not s.started:
                continue
            # The newest posts, then older posts of the team's and the replies to them (its `r` view) after them.
            recent = s.feed(FEED_SHOWN)
            older = threads(s.feed(10 * FEED_SHOWN)[len(recent) :])
            view = {
                "feed": [item.as_dict() for item in recent + older[:FEED_SHOWN]],
                "start_stance": s.start_stance_by_segment,
                "start_mean": s.start_mean_stance,
                "cancelled": s.cancelled,
                "paused_until": s.paused_until,
                "turn": s.turn,
            }
            self.store.update_seat(self.id, team, view=view)

    def fire_inject(self, inject_id: str, team: str | None = None) -> None:
        """Fire a scenario inject now for one team or all."""
        for t in [team] if team else self.teams:
            self._session(t).fire_inject(inject_id)
        label = next((i.label for i in self.scenario.injects if i.id == inject_id), inject_id)
        self._logged("inject", label, team)

    def custom_inject(self, text: str, team: str | None = None) -> None:
        """A facilitator's own event, to one team or all."""
        for t in [team] if team else self.teams:
            self._session(t).custom_inject(text)
        self._logged("inject", text.strip(), team)

    def _logged(self, kind: str, text: str, team: str | None) -> None:
        if self.store is not None:
            self.store.log(self.id, self.turn, kind, text, team)
            self.publish()

    def add_note(self, team: str, text: str, by: str = "facilitator") -> dict[str, Any]:
        """An evaluator's note on one team at this turn (it changes nothing in the run)."""
        return self._session(team).add_note(text, by)

    def board(self) -> list[BoardRow]:
        """The side-by-side board: each team's latest numbers."""
        rows = []
        for team, s in self.sessions.items():
            last = s.latest()
            start = s.start_mean_stance
            rows.append(
                BoardRow(
                    team,
                    s.turn,
                    last["volume"] if last else 0,
                    last["hostile_total"] if last else 0,
                    last["share_negative"] if last else 0.0,
                    last["replies_to_latest"] if last else 0,
                    (last["mean_stance"] - start) if last else 0.0,
                    s.cancelled,
                    str(self.pending[team]) if s.started else self.opening_of(team),
                    self.codes.get(team, ""),
                    self.decided[team],
                )
            )
        return rows

    @property
    def saved_note(self) -> str:
        """One line for leaving the session: each team's saved game and how to continue it."""
        saved = [(t, s.game_id) for t, s in self.sessions.items() if s.game_id is not None and s.store is not None]
        problems = [s.save_problem for s in self.sessions.values() if s.save_problem]
        if problems:
            return problems[0]
        if not saved:
            return "This session was not saved."
        games = ", ".join(f"{t} game {g}" for t, g in saved)
        return f"Every team's game is saved ({games}) at turn {self.turn}. Continue a team's game with: backfire resume {saved[0][1]}"

    def session(self, team: str) -> Session:
        """Return a team's game."""
        return self._session(team)

    def hot_wash(self) -> list[dict[str, Any]]:
        """Every team against history and against each other, ranked by score."""
        rows: list[dict[str, Any]] = []
        for team, s in self.sessions.items():
            score = s.score()
            rows.append(
                {
                    "team": team,
                    "score": score.total,
                    "history": score.history_total,
                    "script": score.script,
                    "dimensions": [d.__dict__ for d in score.dimensions],
                    "game_id": s.game_id,
                    "notes": list(s.notes),
                }
            )
        rows.sort(key=lambda r: -float(r["score"]))
        for rank, r in enumerate(rows, start=1):
            r["rank"] = rank
        return rows

    def _session(self, team: str) -> Session:
        if team not in self.sessions:
            raise BackfireError(f"no team {team!r}; teams: {', '.join(self.teams)}")
        return self.sessions[team]
