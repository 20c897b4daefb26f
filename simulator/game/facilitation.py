"""A facilitated session: several teams face the same crowd (one seed), each with its own game."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from simulator.audience import Audience
from simulator.engine import Decision
from simulator.engine.decisions import quote
from simulator.errors import BackfireError
from simulator.game.open import open_game
from simulator.game.session import Progress, Session
from simulator.scenario.loader import LoadedScenario
from simulator.store import Store


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
        self.id = uuid.uuid4().hex[:12]
        self.store = store
        self.sessions = {t: open_game(loaded, seed, size, team=t, store=store) for t in names}
        self.pending: dict[str, Decision] = {t: Decision("wait") for t in names}

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

    def opening_of(self, team: str) -> str:
        """A team's opening as a script token (open:ID, or its own words in quotes)."""
        s = self._session(team)
        return f"open:{quote(s.opening_text)}" if s.opening_text is not None else f"open:{s.opening}"

    def start(self) -> None:
        """Start every team's clock."""
        self.build_crowd()
        for s in self.sessions.values():
            s.start()
            if self.store is not None and s.game_id is not None:
                self.store.set_facilitation(s.game_id, self.id)

    @property
    def turn(self) -> int:
        """The next turn (the same for every team)."""
        return next(iter(self.sessions.values())).turn

    @property
    def over(self) -> bool:
        """True when every turn has been played."""
        return all(s.over for s in self.sessions.values())

    def set_decision(self, team: str, decision: Decision) -> None:
        """Enter a team's decision for this turn (checked now, played when the clock advances)."""
        self._session(team).check(decision)
        self.pending[team] = decision

    def advance(self) -> dict[str, dict[str, Any]]:
        """Play this turn for every team with its pending decision; reset them to wait."""
        if self.over:
            raise BackfireError("the session is over")
        played = {}
        for team, session in self.sessions.items():
            played[team] = session.play(self.pending[team])
            self.pending[team] = Decision("wait")
        return played

    def finish(self) -> None:
        """Wait out the remaining turns for every team."""
        while not self.over:
            self.advance()

    def fire_inject(self, inject_id: str, team: str | None = None) -> None:
        """Fire a scenario inject now for one team or all."""
        for t in [team] if team else self.teams:
            self._session(t).fire_inject(inject_id)

    def custom_inject(self, text: str, team: str | None = None) -> None:
        """A facilitator's own event, to one team or all."""
        for t in [team] if team else self.teams:
            self._session(t).custom_inject(text)

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
