"""Saved games: rebuild one by replaying its decisions, verify every turn against what was saved, or branch from a turn."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from simulator.engine import ENGINES, Asked, known_engines, parse_script
from simulator.engine.decisions import unquote
from simulator.errors import BackfireError
from simulator.game.open import open_game
from simulator.game.session import Session
from simulator.language.choice import Played
from simulator.scenario.registry import resolve

if TYPE_CHECKING:
    from simulator.store import Store


_QUOTES = str.maketrans("‘’", "“”")


def same_metrics(saved: object, replayed: object) -> bool:
    """True when a replayed turn matches what was saved.

    Counts, decisions and injects must be equal. Floats may differ in the last
    digits (a newer version may sum in another order), text may differ in spacing
    (a newer version tidies the brand's posts) and in single against double
    quotation marks (a quote inside an answer's quote became single on
    2026-12-06), and keys only one side has (a metric added or renamed since the
    game was saved) are not compared.
    """
    if isinstance(saved, dict) and isinstance(replayed, dict):
        return all(same_metrics(saved[k], replayed[k]) for k in saved.keys() & replayed.keys())
    if isinstance(saved, list) and isinstance(replayed, list):
        return len(saved) == len(replayed) and all(same_metrics(a, b) for a, b in zip(saved, replayed, strict=False))
    if isinstance(saved, float) or isinstance(replayed, float):
        return (
            isinstance(saved, (int, float))
            and isinstance(replayed, (int, float))
            and abs(saved - replayed) <= 1e-9 * max(1.0, abs(saved))
        )
    if isinstance(saved, str) and isinstance(replayed, str):
        return saved.translate(_QUOTES).split() == replayed.translate(_QUOTES).split()
    return saved == replayed


def _asked(saved: object) -> Asked | None:
    """The answered post's kind and words saved with a turn (games saved before 2026-12 have none: the feed says)."""
    asked = saved.get("asked") if isinstance(saved, dict) else None
    if isinstance(asked, dict) and isinstance(asked.get("kind"), str):
        text = asked.get("text")
        return asked["kind"], text if isinstance(text, str) else None
    return None


def _played(saved: object, key: str = "played") -> Played | None:
    """What a turn's written post was played as, saved with it (games saved before 2026-12-06 have none: read again).

    A value that is not an option id and a number is returned as it is, for `as_played` to refuse.
    """
    played = saved.get(key) if isinstance(saved, dict) else None
    if isinstance(played, dict) and "option" in played:
        return played["option"], played.get("provocation")  # type: ignore[return-value]
    return None


def restore(
    store: Store, game_id: int, upto: int | None = None, branch: bool = False, crowd: Session | None = None
) -> Session:
    """Rebuild a saved game by replaying its decisions; check every turn against what was saved.

    With `upto`, stop after that many turns. With `branch`, the result is a new
    game linked to its parent (rewind to here and choose differently); otherwise
    it continues the saved game. With `crowd`, a restored session of the same
    seed and size, its crowd is shared instead of built again (a workshop's teams).
    """
    record = store.game(game_id)
    loaded = resolve(record.scenario_id)
    # A case's file may have changed since (new lines for the crowd, a reworded summary): the game goes on
    # if every saved turn replays the same on it, and is refused at the first turn that does not.
    changed = bool(record.scenario_hash) and loaded.content_hash != record.scenario_hash
    if record.engine not in ENGINES:
        raise BackfireError(
            f"game {game_id} was played on engine version {record.engine}, which this Backfire does not know "
            f"(it knows {known_engines()}): it was saved by a newer Backfire"
        )
    saved = store.turns(game_id)
    if upto is not None:
        if not 0 <= upto <= len(saved):
            raise BackfireError(f"game {game_id} has {len(saved)} saved turns; --turn must be 0..{len(saved)}")
        saved = saved[:upto]
    session = open_game(loaded, record.seed, record.size, team=record.team)
    session.engine = record.engine  # an engine-1 game replays, and goes on, on engine 1 (its own crowd and streams)
    if crowd is not None and (crowd.seed, crowd.size, crowd.engine) == (session.seed, session.size, session.engine):
        session.share_crowd(crowd)
    if record.opening.startswith('"'):  # an opening in the player's own words, played as it was (turn 0 says how)
        try:
            session.choose_opening(
                "", unquote(record.opening), _played(saved[0][2], "opening_played") if saved else None
            )
        except BackfireError as exc:
            raise BackfireError(f"game {game_id}, its opening: {exc}") from None
    else:
        session.opening = record.opening
    session.start()
    events = store.events(game_id)
    for turn, decision_text, metrics in saved:
        for event_turn, kind, payload in events:
            if event_turn == turn:
                if kind == "inject":
                    session.fire_inject(payload["id"])
                elif kind == "custom":
                    session.custom_inject(payload["text"], payload.get("reach", 0.05))
        decision = parse_script(loaded.scenario, decision_text).decisions[0]
        asked = _asked(metrics)
        if asked is not None and asked[0] not in loaded.scenario.kind_ids():
            raise BackfireError(
                f"game {game_id}, turn {turn}: the saved answer replies to a post of kind {asked[0]!r}, which "
                f"{record.scenario_id!r} does not have (known: {', '.join(loaded.scenario.kind_ids())})"
            )
        try:
            replayed = session.play(decision, asked, _played(metrics))
        except BackfireError as exc:
            if decision.text is None:
                raise
            raise BackfireError(f"game {game_id}, turn {turn}: {exc}") from None
        if not same_metrics(metrics, json.loads(json.dumps(replayed, sort_keys=True))):
            if changed:
                raise BackfireError(
                    f"game {game_id} was played on a different version of {record.scenario_id!r} "
                    f"({loaded.path} has changed since), and its turn {turn} does not replay the same on it: "
                    "the game cannot go on with this file"
                )
            raise BackfireError(f"game {game_id}, turn {turn}: replaying the saved decisions gave different metrics")
    if not branch and upto is None:
        # Injects fired in the turn that was open when the game stopped: they are part of it already.
        for event_turn, kind, payload in events:
            if event_turn == len(saved):
                if kind == "inject":
                    session.fire_inject(payload["id"])
                elif kind == "custom":
                    session.custom_inject(payload["text"], payload.get("reach", 0.05))
    minutes = loaded.scenario.clock.turn_minutes
    session.notes = [  # evaluators' notes change nothing in the run: they are read back, not replayed
        {"turn": t, "minute": t * minutes, "text": p["text"], "by": p.get("by", "facilitator")}
        for t, kind, p in events
        if kind == "note" and t <= len(saved)
    ]
    session.store = store
    if changed:
        session.version_note = (
            f"{loaded.path} has changed since game {game_id} was played; its {len(saved)} saved turns replay the "
            "same numbers on it, so the game goes on (the crowd's words may read differently)"
        )
    if branch:
        session.parent_id, session.branch_turn = game_id, len(saved)
        session.game_id = store.new_game(
            loaded.scenario.id,
            loaded.content_hash,
            record.seed,
            record.size,
            record.opening,
            record.team,
            game_id,
            len(saved),
            engine=record.engine,
        )
        for turn, decision_text, metrics in saved:
            store.save_turn(session.game_id, turn, decision_text, metrics)
        for event_turn, kind, payload in events:
            if event_turn < len(saved):
                store.save_event(session.game_id, event_turn, kind, payload)
    else:
        session.game_id = game_id
    return session
