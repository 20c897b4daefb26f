"""Saved games: SQLite (standard library), WAL, one transaction per turn, versioned schema.

Every game is saved as it goes. A crash loses at most the turn being computed:
each finished turn is committed on its own, and WAL keeps readers and a second
writer working while a game is in progress.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from simulator.errors import BackfireError

DB_ENV = "BACKFIRE_DB"
DATA_ENV = "BACKFIRE_DATA"

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
    # 3 -> 4: the engine version a game was played on (games saved before it: version 1)
    """
    ALTER TABLE games ADD COLUMN engine INTEGER NOT NULL DEFAULT 1;
    """,
    # 4 -> 5: workshops across screens: the session, each team's seat (join code, pending move, its screen)
    """
    CREATE TABLE workshops (
        id TEXT PRIMARY KEY,
        created_at REAL NOT NULL,
        scenario TEXT NOT NULL,
        scenario_hash TEXT,
        seed INTEGER NOT NULL,
        size INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'briefing',
        turn INTEGER NOT NULL DEFAULT 0,
        clock TEXT NOT NULL DEFAULT 'manual',
        seconds REAL,
        deadline REAL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE seats (
        workshop_id TEXT NOT NULL REFERENCES workshops(id),
        team TEXT NOT NULL,
        position INTEGER NOT NULL,
        code TEXT NOT NULL UNIQUE,
        game_id INTEGER REFERENCES games(id),
        opening TEXT,
        pending TEXT,
        pending_turn INTEGER,
        pending_by TEXT,
        seen_at REAL,
        view TEXT,
        PRIMARY KEY (workshop_id, team)
    );
    CREATE TABLE workshop_log (
        workshop_id TEXT NOT NULL REFERENCES workshops(id),
        at REAL NOT NULL,
        turn INTEGER NOT NULL,
        kind TEXT NOT NULL,
        team TEXT,
        text TEXT NOT NULL
    );
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def data_dir() -> Path:
    """$BACKFIRE_DATA, or the user's data folder for Backfire (not created here)."""
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    import platformdirs

    return Path(platformdirs.user_data_dir("backfire", appauthor=False))


def default_db_path() -> Path:
    """$BACKFIRE_DB, or backfire.db in the data folder."""
    if os.environ.get(DB_ENV):
        return Path(os.environ[DB_ENV])
    return data_dir() / "backfire.db"


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
    engine: int = 1  # the engine version it was played on (its random streams)


@dataclass(frozen=True)
class CasePlayed:
    """What has been played of one case in this database: for the case picker."""

    games: int
    finished: int
    best: float | None  # the best finished score
    best_history: float | None = None  # history's score on that game's crowd


@dataclass(frozen=True)
class WorkshopRecord:
    """A workshop: one facilitated session, its clock and its state (briefing, running, over)."""

    id: str
    created_at: float
    scenario: str
    scenario_hash: str | None
    seed: int
    size: int
    state: str
    turn: int
    clock: str
    seconds: float | None
    deadline: float | None
    updated_at: float


@dataclass(frozen=True)
class SeatRecord:
    """One team's seat in a workshop: its join code, its game, its move for this turn, its screen."""

    workshop_id: str
    team: str
    position: int
    code: str
    game_id: int | None
    opening: str | None
    pending: str | None
    pending_turn: int | None
    pending_by: str | None
    seen_at: float | None
    view: dict | None


class StoreError(BackfireError):
    """The games database cannot be used: missing, a folder, read-only, damaged, full, locked or too new."""


_F = TypeVar("_F", bound=Callable[..., Any])


LOCK_WAIT = 30.0  # seconds a Backfire waits for another one's write lock (sqlite3's timeout)


def _write_ahead(db: sqlite3.Connection) -> None:
    """Switch the database to write-ahead logging, waiting for other processes as every write does.

    SQLite does not wait for the lock this switch needs: processes that open a new database at the
    same moment (teams joining a workshop) got "database is locked" at once. It is retried here,
    within the same 30 s as any other lock.
    """
    deadline = time.monotonic() + LOCK_WAIT
    pause = 0.005
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(2 * pause, 0.1)


def _explain(path: Path, exc: sqlite3.Error) -> str:
    text = str(exc)
    low = text.lower()
    if "full" in low:
        return f"{path}: the disk is full ({text}); nothing was half-written: free some space and try again"
    if "readonly" in low or "read-only" in low:
        return f"{path} is read-only ({text}); saving there is impossible: pass --db with a writable file"
    if "locked" in low or "busy" in low:
        return f"{path} is busy: another Backfire kept it locked for over 30 s ({text}); try again"
    if "malformed" in low or "not a database" in low or "corrupt" in low:
        return f"{path} is not a Backfire games database, or it is damaged ({text}); pass --db with another file"
    if "unable to open" in low:
        return f"{path}: cannot open the database file ({text})"
    return f"{path}: the games database failed ({text})"


def _guarded(method: _F) -> _F:
    """Turn SQLite's errors into a StoreError that names the file and what to do."""

    @functools.wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise StoreError(_explain(self.path, exc)) from None
        except (ValueError, TypeError) as exc:  # a row edited by hand: bad JSON or a wrong type
            raise StoreError(f"{self.path}: a saved record is damaged ({exc}); pass --db with another file") from None

    return wrapper  # type: ignore[return-value]


class Store:
    """The games database.

    `create=False` is for commands that only read: a missing file is an error
    and nothing is created. Every SQLite error becomes a StoreError naming the
    file; a failed write rolls back, so saved turns are never half-written.
    """

    def __init__(self, path: str | Path | None = None, create: bool = True):
        self.path = Path(path) if path else default_db_path()
        if self.path.is_dir():
            raise StoreError(
                f"{self.path} is a folder, not a games database; give a file, e.g. {self.path / 'backfire.db'}"
            )
        if not self.path.exists():
            if not create:
                raise StoreError(
                    f"no games database at {self.path}: nothing has been saved there (check the path; `backfire play` creates it)"
                )
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder {self.path.parent}: {exc.strerror}") from None
        elif not os.access(self.path, os.R_OK):
            raise StoreError(f"{self.path}: permission denied (cannot read it)")
        try:
            self.db = sqlite3.connect(self.path, timeout=LOCK_WAIT, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(_explain(self.path, exc)) from None
        try:
            _write_ahead(self.db)
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except StoreError:
            self.db.close()
            raise
        except sqlite3.Error as exc:
            self.db.close()
            raise StoreError(_explain(self.path, exc)) from None

    @property
    def version(self) -> int:
        """The schema version of the open database."""
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.version
        if current > SCHEMA_VERSION:
            raise StoreError(
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
            self.db.execute("COMMIT")
        except BaseException:
            # SQLite may already have rolled back (a full disk does); never raise from here.
            if self.db.in_transaction:
                with suppress(sqlite3.Error):
                    self.db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    # ------------------------------------------------------------------ writes
    @_guarded
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
        engine: int = 1,
    ) -> int:
        """Create a game played on engine version `engine`; return its id."""
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO games (created_at, scenario_id, scenario_hash, seed, size, opening, team, parent_id, branch_turn, engine) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (time.time(), scenario_id, scenario_hash, seed, size, opening, team, parent_id, branch_turn, engine),
            )
            return int(cur.lastrowid or 0)

    @_guarded
    def save_turn(self, game_id: int, turn: int, decision: str, metrics: dict) -> None:
        """Save one finished turn, in its own transaction."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO turns (game_id, turn, decision, metrics, injects) VALUES (?,?,?,?,?)",
                (game_id, turn, decision, json.dumps(metrics, sort_keys=True), json.dumps(metrics.get("injects", []))),
            )

    @_guarded
    def save_event(self, game_id: int, turn: int, kind: str, payload: dict) -> None:
        """Save a facilitator's event (an inject fired by hand) before the turn it affects."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO events (game_id, turn, kind, payload) VALUES (?,?,?,?)",
                (game_id, turn, kind, json.dumps(payload)),
            )

    @_guarded
    def events(self, game_id: int) -> list[tuple[int, str, dict]]:
        """(turn, kind, payload) of a game's facilitator events, in order."""
        rows = self.db.execute(
            "SELECT turn, kind, payload FROM events WHERE game_id = ? ORDER BY rowid", (game_id,)
        ).fetchall()
        return [(r[0], r[1], json.loads(r[2])) for r in rows]

    @_guarded
    def set_facilitation(self, game_id: int, facilitation: str) -> None:
        """Mark a game as one team's game in a facilitated session."""
        with self.transaction() as db:
            db.execute("UPDATE games SET facilitation = ? WHERE id = ?", (facilitation, game_id))

    @_guarded
    def facilitation_games(self, facilitation: str) -> list[int]:
        """Ids of the games of one facilitated session."""
        return [
            r[0] for r in self.db.execute("SELECT id FROM games WHERE facilitation = ? ORDER BY id", (facilitation,))
        ]

    @_guarded
    def facilitation_of(self, game_id: int) -> str | None:
        """The facilitated session a game belongs to, if any."""
        row = self.db.execute("SELECT facilitation FROM games WHERE id = ?", (game_id,)).fetchone()
        return row[0] if row else None

    @_guarded
    def debrief_of(self, game_id: int) -> dict | None:
        """The saved debrief of a finished game."""
        row = self.db.execute("SELECT debrief FROM games WHERE id = ?", (game_id,)).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    @_guarded
    def finish(self, game_id: int, score: float, history_score: float, debrief: dict) -> None:
        """Mark a game finished with its score and debrief."""
        with self.transaction() as db:
            db.execute(
                "UPDATE games SET finished = 1, score = ?, history_score = ?, debrief = ? WHERE id = ?",
                (score, history_score, json.dumps(debrief), game_id),
            )

    # ------------------------------------------------------------------ workshops
    @_guarded
    def new_workshop(
        self,
        workshop_id: str,
        scenario: str,
        scenario_hash: str | None,
        seed: int,
        size: int,
        seats: list[tuple[str, str]],
    ) -> None:
        """Create a workshop and its teams' seats, (team, join code) in order, in one transaction."""
        now = time.time()
        with self.transaction() as db:
            db.execute(
                "INSERT INTO workshops (id, created_at, scenario, scenario_hash, seed, size, updated_at) VALUES (?,?,?,?,?,?,?)",
                (workshop_id, now, scenario, scenario_hash, seed, size, now),
            )
            for position, (team, code) in enumerate(seats):
                db.execute(
                    "INSERT INTO seats (workshop_id, team, position, code) VALUES (?,?,?,?)",
                    (workshop_id, team, position, code),
                )

    _WORKSHOP_FIELDS = frozenset({"state", "turn", "clock", "seconds", "deadline"})
    _SEAT_FIELDS = frozenset({"game_id", "opening", "view", "pending", "pending_turn", "pending_by"})

    @_guarded
    def update_workshop(self, workshop_id: str, **fields: Any) -> None:
        """Set a workshop's state, turn or clock (one transaction)."""
        bad = set(fields) - self._WORKSHOP_FIELDS
        if bad:
            raise ValueError(f"not a workshop field: {', '.join(sorted(bad))}")
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self.transaction() as db:
            db.execute(
                f"UPDATE workshops SET {sets}, updated_at = ? WHERE id = ?",
                (*fields.values(), time.time(), workshop_id),
            )

    @_guarded
    def update_seat(self, workshop_id: str, team: str, **fields: Any) -> None:
        """Set a seat's game, opening, screen (`view`, JSON) or pending move (one transaction)."""
        bad = set(fields) - self._SEAT_FIELDS
        if bad:
            raise ValueError(f"not a seat field: {', '.join(sorted(bad))}")
        if "view" in fields and fields["view"] is not None:
            fields["view"] = json.dumps(fields["view"])
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self.transaction() as db:
            db.execute(
                f"UPDATE seats SET {sets} WHERE workshop_id = ? AND team = ?", (*fields.values(), workshop_id, team)
            )

    @_guarded
    def submit(self, code: str, turn: int, decision: str, by: str = "team") -> bool:
        """A team's move for `turn`, written only while that turn is open (the session runs and is at `turn`).

        Returns False when the clock has moved on (or the session is not running): the move is not written.
        """
        with self.transaction() as db:
            row = db.execute(
                "SELECT w.state, w.turn FROM seats s JOIN workshops w ON w.id = s.workshop_id WHERE s.code = ?", (code,)
            ).fetchone()
            if row is None or row[0] != "running" or row[1] != turn:
                return False
            db.execute(
                "UPDATE seats SET pending = ?, pending_turn = ?, pending_by = ?, seen_at = ? WHERE code = ?",
                (decision, turn, by, time.time(), code),
            )
            return True

    @_guarded
    def choose_opening(self, code: str, opening: str) -> bool:
        """A team's opening (a script token), written only before the clock starts; False once it has."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT w.state FROM seats s JOIN workshops w ON w.id = s.workshop_id WHERE s.code = ?", (code,)
            ).fetchone()
            if row is None or row[0] != "briefing":
                return False
            db.execute("UPDATE seats SET opening = ?, seen_at = ? WHERE code = ?", (opening, time.time(), code))
            return True

    @_guarded
    def seen(self, code: str) -> None:
        """A team's screen checked in (the board shows who is connected)."""
        with self.transaction() as db:
            db.execute("UPDATE seats SET seen_at = ? WHERE code = ?", (time.time(), code))

    @_guarded
    def log(self, workshop_id: str, turn: int, kind: str, text: str, team: str | None = None) -> None:
        """Add a line to a workshop's log (injects, decisions, the clock) for the board."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO workshop_log (workshop_id, at, turn, kind, team, text) VALUES (?,?,?,?,?,?)",
                (workshop_id, time.time(), turn, kind, team, text),
            )

    @_guarded
    def log_lines(self, workshop_id: str, kind: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """A workshop's latest log lines (of one kind, when given), oldest first."""
        where, params = ("AND kind = ?", (workshop_id, kind, limit)) if kind else ("", (workshop_id, limit))
        rows = self.db.execute(
            f"SELECT at, turn, kind, team, text FROM workshop_log WHERE workshop_id = ? {where} ORDER BY rowid DESC LIMIT ?",
            params,
        ).fetchall()
        return [{"at": r[0], "turn": r[1], "kind": r[2], "team": r[3], "text": r[4]} for r in reversed(rows)]

    _WORKSHOP_SELECT = (
        "SELECT id, created_at, scenario, scenario_hash, seed, size, state, turn, clock, seconds, deadline, updated_at "
        "FROM workshops "
    )
    _SEAT_SELECT = (
        "SELECT workshop_id, team, position, code, game_id, opening, pending, pending_turn, pending_by, seen_at, view "
        "FROM seats "
    )

    @_guarded
    def workshops(self, limit: int = 50) -> list[WorkshopRecord]:
        """The most recent workshops first."""
        rows = self.db.execute(self._WORKSHOP_SELECT + "ORDER BY created_at DESC LIMIT ?", (limit,)).fetchall()
        return [WorkshopRecord(*r) for r in rows]

    @_guarded
    def workshop(self, workshop_id: str) -> WorkshopRecord:
        """One workshop; a clear error when there is none."""
        row = self.db.execute(self._WORKSHOP_SELECT + "WHERE id = ?", (workshop_id,)).fetchone()
        if row is None:
            raise BackfireError(f"no workshop {workshop_id!r} in {self.path} (see `backfire sessions`)")
        return WorkshopRecord(*row)

    @_guarded
    def seats(self, workshop_id: str, views: bool = True) -> list[SeatRecord]:
        """A workshop's seats, in team order (`views=False`: without the teams' published screens, for polling)."""
        select = self._SEAT_SELECT if views else self._SEAT_SELECT.replace(", view ", ", NULL ")
        rows = self.db.execute(select + "WHERE workshop_id = ? ORDER BY position", (workshop_id,)).fetchall()
        return [_seat(r) for r in rows]

    @_guarded
    def seat(self, code: str) -> SeatRecord | None:
        """The seat with this join code (codes are matched without case), or None."""
        row = self.db.execute(self._SEAT_SELECT + "WHERE code = ?", (code.strip().upper(),)).fetchone()
        return _seat(row) if row else None

    @_guarded
    def codes(self) -> set[str]:
        """Every join code in use."""
        return {r[0] for r in self.db.execute("SELECT code FROM seats")}

    # ------------------------------------------------------------------ reads
    @_guarded
    def integrity(self) -> str:
        """`PRAGMA integrity_check`: 'ok' when the file is sound."""
        return str(self.db.execute("PRAGMA integrity_check").fetchone()[0])

    _SELECT = (
        "SELECT g.id, g.created_at, g.scenario_id, g.scenario_hash, g.seed, g.size, g.opening, g.team, g.finished, g.score, g.history_score, "
        "g.parent_id, g.branch_turn, (SELECT COUNT(*) FROM turns t WHERE t.game_id = g.id), g.engine FROM games g "
    )

    @_guarded
    def games(self, limit: int = 100) -> list[GameRecord]:
        """The most recent games first."""
        rows = self.db.execute(self._SELECT + "ORDER BY g.created_at DESC, g.id DESC LIMIT ?", (limit,)).fetchall()
        return [_record(r) for r in rows]

    @_guarded
    def played_by_case(self) -> dict[str, CasePlayed]:
        """Per scenario id: games with a turn played, games finished, and the best finished score (and history's)."""
        rows = self.db.execute(
            "SELECT scenario_id, COUNT(*), SUM(finished), MAX(CASE WHEN finished THEN score END) FROM games g "
            "WHERE EXISTS (SELECT 1 FROM turns t WHERE t.game_id = g.id) GROUP BY scenario_id"
        ).fetchall()
        # float(): a score edited by hand into text is a damaged record (a StoreError), not a crash later.
        out = {r[0]: CasePlayed(int(r[1]), int(r[2] or 0), None if r[3] is None else float(r[3])) for r in rows}
        for case, played in out.items():
            if played.best is not None:
                row = self.db.execute(
                    "SELECT history_score FROM games WHERE scenario_id = ? AND finished AND score = ? LIMIT 1",
                    (case, played.best),
                ).fetchone()
                history = None if row is None or row[0] is None else float(row[0])
                out[case] = CasePlayed(played.games, played.finished, played.best, history)
        return out

    @_guarded
    def game(self, game_id: int) -> GameRecord:
        """One game's header; a clear error when there is none."""
        row = self.db.execute(self._SELECT + "WHERE g.id = ?", (game_id,)).fetchone()
        if row is None:
            raise BackfireError(f"no saved game {game_id} in {self.path} (see `backfire history`)")
        return _record(row)

    @_guarded
    def turns(self, game_id: int) -> list[tuple[int, str, dict]]:
        """(turn, decision, metrics) of every saved turn, in order."""
        rows = self.db.execute(
            "SELECT turn, decision, metrics FROM turns WHERE game_id = ? ORDER BY turn", (game_id,)
        ).fetchall()
        return [(r[0], r[1], json.loads(r[2])) for r in rows]


def _record(r: tuple) -> GameRecord:
    return GameRecord(
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]), r[9], r[10], r[11], r[12], r[13], r[14]
    )


def _seat(r: tuple) -> SeatRecord:
    return SeatRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], json.loads(r[10]) if r[10] else None)


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
