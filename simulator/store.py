"""Saved games: SQLite (standard library), WAL, one transaction per turn, versioned schema.

Every game is saved as it goes. A crash loses at most the turn being computed:
each finished turn is committed on its own, and WAL keeps readers and a second
writer working while a game is in progress.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from simulator.errors import BackfireError

DB_ENV = "BACKFIRE_DB"

# Each entry upgrades the schema from version i to i + 1. Never edit a released
# entry: add a new one.
MIGRATIONS: list[str] = [
    # 0 -> 1: games and their turns
    """
    CREATE TABLE games (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at REAL NOT NULL,
        scenario_id TEXT NOT NULL,
        seed INTEGER NOT NULL,
        size INTEGER NOT NULL,
        opening TEXT NOT NULL,
        finished INTEGER NOT NULL DEFAULT 0,
        score REAL,
        history_score REAL
    );
    CREATE TABLE turns (
        game_id INTEGER NOT NULL REFERENCES games(id),
        turn INTEGER NOT NULL,
        decision TEXT NOT NULL,
        metrics TEXT NOT NULL,
        PRIMARY KEY (game_id, turn)
    );
    """,
    # 1 -> 2: scenario content hash, team, branches, injects fired, the debrief
    """
    ALTER TABLE games ADD COLUMN scenario_hash TEXT;
    ALTER TABLE games ADD COLUMN team TEXT;
    ALTER TABLE games ADD COLUMN parent_id INTEGER REFERENCES games(id);
    ALTER TABLE games ADD COLUMN branch_turn INTEGER;
    ALTER TABLE games ADD COLUMN debrief TEXT;
    ALTER TABLE turns ADD COLUMN injects TEXT NOT NULL DEFAULT '[]';
    CREATE INDEX games_created ON games(created_at);
    """,
    # 2 -> 3: facilitator events (injects fired by hand) and facilitated sessions
    """
    CREATE TABLE events (
        game_id INTEGER NOT NULL REFERENCES games(id),
        turn INTEGER NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL
    );
    ALTER TABLE games ADD COLUMN facilitation TEXT;
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def default_db_path() -> Path:
    """$BACKFIRE_DB, or backfire.db in the user's data folder."""
    if os.environ.get(DB_ENV):
        return Path(os.environ[DB_ENV])
    import platformdirs

    return Path(platformdirs.user_data_dir("backfire", appauthor=False)) / "backfire.db"


@dataclass(frozen=True)
class GameRecord:
    """A saved game's header."""

    id: int
    created_at: float
    scenario_id: str
    scenario_hash: str | None
    seed: int
    size: int
    opening: str
    team: str | None
    finished: bool
    score: float | None
    history_score: float | None
    parent_id: int | None
    branch_turn: int | None
    turns: int


class Store:
    """The games database."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else default_db_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise BackfireError(f"{self.path}: not a Backfire games database ({exc})") from None

    @property
    def version(self) -> int:
        """The schema version of the open database."""
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.version
        if current > SCHEMA_VERSION:
            raise BackfireError(
                f"{self.path} was written by a newer Backfire (schema {current}, this one knows {SCHEMA_VERSION})"
            )
        while True:
            # Read the version inside the write lock: another process may have just migrated.
            with self.transaction():
                version = self.version
                if version >= SCHEMA_VERSION:
                    break
                for statement in _statements(MIGRATIONS[version]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {version + 1}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT (or ROLLBACK on error)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    # ------------------------------------------------------------------ writes
    def new_game(
        self,
        scenario_id: str,
        scenario_hash: str | None,
        seed: int,
        size: int,
        opening: str,
        team: str | None = None,
        parent_id: int | None = None,
        branch_turn: int | None = None,
    ) -> int:
        """Create a game; return its id."""
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO games (created_at, scenario_id, scenario_hash, seed, size, opening, team, parent_id, branch_turn) VALUES (?,?,?,?,?,?,?,?,?)",
                (time.time(), scenario_id, scenario_hash, seed, size, opening, team, parent_id, branch_turn),
            )
            return int(cur.lastrowid or 0)

    def save_turn(self, game_id: int, turn: int, decision: str, metrics: dict) -> None:
        """Save one finished turn, in its own transaction."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO turns (game_id, turn, decision, metrics, injects) VALUES (?,?,?,?,?)",
                (game_id, turn, decision, json.dumps(metrics, sort_keys=True), json.dumps(metrics.get("injects", []))),
            )

    def save_event(self, game_id: int, turn: int, kind: str, payload: dict) -> None:
        """Save a facilitator's event (an inject fired by hand) before the turn it affects."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO events (game_id, turn, kind, payload) VALUES (?,?,?,?)",
                (game_id, turn, kind, json.dumps(payload)),
            )

    def events(self, game_id: int) -> list[tuple[int, str, dict]]:
        """(turn, kind, payload) of a game's facilitator events, in order."""
        rows = self.db.execute(
            "SELECT turn, kind, payload FROM events WHERE game_id = ? ORDER BY rowid", (game_id,)
        ).fetchall()
        return [(r[0], r[1], json.loads(r[2])) for r in rows]

    def set_facilitation(self, game_id: int, facilitation: str) -> None:
        """Mark a game as one team's game in a facilitated session."""
        with self.transaction() as db:
            db.execute("UPDATE games SET facilitation = ? WHERE id = ?", (facilitation, game_id))

    def facilitation_games(self, facilitation: str) -> list[int]:
        """Ids of the games of one facilitated session."""
        return [
            r[0] for r in self.db.execute("SELECT id FROM games WHERE facilitation = ? ORDER BY id", (facilitation,))
        ]

    def facilitation_of(self, game_id: int) -> str | None:
        """The facilitated session a game belongs to, if any."""
        row = self.db.execute("SELECT facilitation FROM games WHERE id = ?", (game_id,)).fetchone()
        return row[0] if row else None

    def debrief_of(self, game_id: int) -> dict | None:
        """The saved debrief of a finished game."""
        row = self.db.execute("SELECT debrief FROM games WHERE id = ?", (game_id,)).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    def finish(self, game_id: int, score: float, history_score: float, debrief: dict) -> None:
        """Mark a game finished with its score and debrief."""
        with self.transaction() as db:
            db.execute(
                "UPDATE games SET finished = 1, score = ?, history_score = ?, debrief = ? WHERE id = ?",
                (score, history_score, json.dumps(debrief), game_id),
            )

    # ------------------------------------------------------------------ reads
    _SELECT = (
        "SELECT g.id, g.created_at, g.scenario_id, g.scenario_hash, g.seed, g.size, g.opening, g.team, g.finished, g.score, g.history_score, "
        "g.parent_id, g.branch_turn, (SELECT COUNT(*) FROM turns t WHERE t.game_id = g.id) FROM games g "
    )

    def games(self, limit: int = 100) -> list[GameRecord]:
        """The most recent games first."""
        rows = self.db.execute(self._SELECT + "ORDER BY g.created_at DESC, g.id DESC LIMIT ?", (limit,)).fetchall()
        return [_record(r) for r in rows]

    def game(self, game_id: int) -> GameRecord:
        """One game's header; a clear error when there is none."""
        row = self.db.execute(self._SELECT + "WHERE g.id = ?", (game_id,)).fetchone()
        if row is None:
            raise BackfireError(f"no saved game {game_id} in {self.path} (see `backfire history`)")
        return _record(row)

    def turns(self, game_id: int) -> list[tuple[int, str, dict]]:
        """(turn, decision, metrics) of every saved turn, in order."""
        rows = self.db.execute(
            "SELECT turn, decision, metrics FROM turns WHERE game_id = ? ORDER BY turn", (game_id,)
        ).fetchall()
        return [(r[0], r[1], json.loads(r[2])) for r in rows]


def _record(r: tuple) -> GameRecord:
    return GameRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]), r[9], r[10], r[11], r[12], r[13])


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
