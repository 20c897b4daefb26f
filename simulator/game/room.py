"""The room's view of a workshop, read from the store: what the projector board and `backfire sessions` show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from simulator.errors import BackfireError
from simulator.game import menus
from simulator.game.seat import load_workshop_scenario

if TYPE_CHECKING:
    from simulator.scenario.schema import Scenario
    from simulator.store import Store, WorkshopRecord

STATES = {
    "briefing": "briefing: teams choose their openings",
    "running": "running",
    "computing": "playing the turn",
    "away": "facilitator away",
    "over": "over",
}


@dataclass
class TeamColumn:
    """One team on the board."""

    team: str
    code: str
    game_id: int | None
    status: str  # "deciding", "decided", "—"
    move: str | None
    volume: list[float] = field(default_factory=list)
    share_negative: list[float] = field(default_factory=list)
    decisions: list[tuple[str, str]] = field(default_factory=list)  # (clock, move), moves other than wait
    cancelled: bool = False
    seen: float | None = None


@dataclass
class Room:
    """A workshop as the room sees it."""

    id: str
    hashtag: str
    title: str
    seed: int
    state: str
    turn: int
    turns: int
    clock: str
    clock_mode: str
    deadline: float | None
    teams: list[TeamColumn]
    injects: list[dict[str, Any]]

    @property
    def state_words(self) -> str:
        """The state in words."""
        return STATES.get(self.state, self.state)


def find_workshop(store: Store, ref: str) -> str:
    """A workshop id from a join code, a workshop id, or the start of one; a clear error otherwise."""
    ref = ref.strip()
    seat = store.seat(ref)
    if seat is not None:
        return seat.workshop_id
    matches = [w.id for w in store.workshops(limit=10_000) if w.id.startswith(ref.lower())] if ref else []
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise BackfireError(f"{ref!r} starts {len(matches)} workshops' ids; give more of it (see `backfire sessions`)")
    raise BackfireError(f"no workshop or join code {ref!r} in {store.path} (see `backfire sessions`)")


class RoomReader:
    """Reads a workshop for the board, fetching only the turns it has not read yet."""

    def __init__(self, store: Store, workshop_id: str):
        self.store = store
        self.record: WorkshopRecord = store.workshop(workshop_id)
        self.scenario: Scenario = load_workshop_scenario(self.record).scenario
        self._turns: dict[int, list[dict[str, Any]]] = {}

    def read(self) -> Room:
        """The workshop as it is now."""
        self.record = w = self.store.workshop(self.record.id)
        columns = []
        for seat in self.store.seats(w.id, views=False):
            metrics = self._metrics(seat.game_id, w.turn)
            decided = seat.pending is not None and seat.pending_turn == w.turn and w.state == "running"
            columns.append(
                TeamColumn(
                    seat.team,
                    seat.code,
                    seat.game_id,
                    ("decided" if decided else "deciding") if w.state == "running" else "—",
                    seat.pending if decided else (seat.opening if w.state == "briefing" else None),
                    [float(m["volume"]) for m in metrics],
                    [float(m["share_negative"]) for m in metrics],
                    [
                        (menus.clock_text(self.scenario, int(m["turn"])), str(m["decision"]))
                        for m in metrics
                        if m.get("decision") not in (None, "wait")
                    ],
                    bool(metrics and metrics[-1].get("cancelled")),
                    seat.seen_at,
                )
            )
        return Room(
            w.id,
            self.scenario.campaign.hashtag,
            self.scenario.title,
            w.seed,
            w.state,
            w.turn,
            self.scenario.clock.turns,
            menus.clock_text(self.scenario, min(w.turn, self.scenario.clock.turns - 1)),
            w.clock,
            w.deadline,
            columns,
            self.store.log_lines(w.id, "inject", limit=5),
        )

    def _metrics(self, game_id: int | None, upto: int) -> list[dict[str, Any]]:
        if game_id is None:
            return []
        have = self._turns.get(game_id, [])
        if len(have) < upto:
            have = [m for _, _, m in self.store.turns(game_id)]
            self._turns[game_id] = have
        return have
