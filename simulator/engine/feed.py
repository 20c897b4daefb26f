"""The feed: a deterministic sample of each turn's posts, weighted by reach, given text.

Only sampled posts get text. Sampling uses the run's feed generator, separate
from the engine's, so asking for the feed never changes the numbers.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from simulator.audience import Audience
from simulator.audience.names import fill_words
from simulator.engine.params import EngineParams
from simulator.engine.state import BrandPost, TurnRecord
from simulator.scenario.schema import Inject, Scenario, Template

PER_TURN = 6


@dataclass
class FeedItem:
    """A post as the feed shows it."""

    id: str
    turn: int
    minute: int
    handle: str
    name: str
    segment: str
    kind: str
    text: str
    followers: int
    reposts: int = 0
    replies: int = 0
    real: bool = False
    source: str | None = None
    is_reply: bool = False
    is_repost: bool = False
    is_brand: bool = False
    inject: str | None = None
    poster: int = -1

    def as_dict(self) -> dict[str, Any]:
        """Return the item as JSON-ready data."""
        return asdict(self)


class Feed:
    """Makes feed items from turn records."""

    def __init__(
        self, scenario: Scenario, params: EngineParams, audience: Audience, opening: str, rng: np.random.Generator
    ):
        self.scenario = scenario
        self.params = params
        self.audience = audience
        self.followers = audience.graph.followers_count()
        self.rng = rng
        sc = scenario
        self.items: list[FeedItem] = []
        self._pending: list[FeedItem] = []
        self.amount_words = [c.amount for c in sc.brand.context if c.amount] or ["$1"]
        self.quotes_by_kind: dict[str, list[int]] = {}
        first_hostile = next((k.id for k in sc.kinds if k.tone == "hostile"), sc.kinds[0].id)
        for i, _ in enumerate(sc.voices.quotes):
            kind = sc.voices.quote_kinds.get(i, first_hostile)
            self.quotes_by_kind.setdefault(kind, []).append(i)
        self.used_quotes: set[int] = set()
        self._shown_injects: set[str] = set()
        # The brand's moves so far, as `answer` and `answer:ID`: some templates fit only after one.
        self.moves: set[str] = {"open", f"open:{opening}"}
        self._kinds: dict[str, str] = {}  # feed post id -> kind, for answers to a post

    def kind_of(self, post_id: str) -> str | None:
        """Return the kind of a crowd post shown in the feed (None for an unknown id)."""
        return self._kinds.get(post_id)

    def _fill(self, template: str) -> str:
        sc = self.scenario
        words = fill_words(self.rng, self.audience.places)
        words.update(
            hashtag=sc.campaign.hashtag,
            brand=sc.brand.name,
            handle=sc.brand.handle,
            amount=self.amount_words[int(self.rng.integers(len(self.amount_words)))],
        )
        return re.sub(r"\{(\w+)\}", lambda m: words.get(m.group(1), m.group(0)), template)

    def _fitting(self, templates: list[str | Template] | None) -> list[str]:
        """The templates that fit what the brand has done so far (plain ones always fit)."""
        if not templates:
            return []
        return [
            t if isinstance(t, str) else t.text
            for t in templates
            if isinstance(t, str) or any(m in self.moves for m in t.after)
        ]

    def _text(self, segment: str, kind: str) -> tuple[str, bool, str | None, str | None, str | None]:
        """Return (text, real, source, handle, name) for a post of this segment and kind."""
        sc = self.scenario
        quotes = [i for i in self.quotes_by_kind.get(kind, []) if i not in self.used_quotes]
        if quotes and self.rng.random() < sc.voices.quote_rate:
            i = quotes[int(self.rng.integers(len(quotes)))]
            self.used_quotes.add(i)
            q = sc.voices.quotes[i]
            return q.text, True, q.source, q.handle, q.author
        templates = self._fitting(sc.voices.templates.get(segment, {}).get(kind))
        if not templates:
            for by_kind in sc.voices.templates.values():
                templates = self._fitting(by_kind.get(kind))
                if templates:
                    break
        template = templates[int(self.rng.integers(len(templates)))] if templates else "{hashtag}"
        return self._fill(template), False, None, None, None

    def add_turn(self, rec: TurnRecord) -> list[FeedItem]:
        """Sample this turn's posts into the feed; settle last turn's repost counts; return new items."""
        sc, p, audience = self.scenario, self.params, self.audience
        minute = rec.turn * p.turn_minutes
        self._settle_reposts(rec)
        if rec.decision.action != "wait":
            self.moves.add(rec.decision.action)
            if rec.decision.option:
                self.moves.add(f"{rec.decision.action}:{rec.decision.option.split('@')[0]}")
        new: list[FeedItem] = []
        if rec.brand_post is not None:
            bp = rec.brand_post
            new.append(
                FeedItem(
                    f"#{rec.turn}-b",
                    rec.turn,
                    minute,
                    sc.brand.handle,
                    sc.brand.name,
                    "brand",
                    bp.action,
                    bp.text,
                    len(audience.graph.brand_followers),
                    real=False,
                    is_brand=True,
                )
            )
        new.extend(self._inject_items(rec.turn, [i for i in rec.injects if i not in self._shown_injects]))
        originals = np.flatnonzero(~rec.repost)
        if len(originals):
            w = self.followers[rec.poster[originals]].astype(np.float64) + 1.0
            take = min(PER_TURN, len(originals))
            picks = self.rng.choice(len(originals), size=take, replace=False, p=w / w.sum())
            for j, row in enumerate(sorted(picks.tolist(), key=lambda r: -w[r])):
                idx = int(originals[row])
                poster = int(rec.poster[idx])
                kind = p.kind_ids[int(rec.kind[idx])]
                segment = audience.segment_of(poster)
                text, real, source, qhandle, qname = self._text(segment, kind)
                ident = audience.identity(poster)
                item = FeedItem(
                    f"#{rec.turn}-{j}",
                    rec.turn,
                    minute,
                    qhandle or ident.handle,
                    qname or ident.name,
                    segment,
                    kind,
                    text,
                    int(self.followers[poster]),
                    real=real,
                    source=source,
                    is_reply=bool(rec.reply[idx]),
                    poster=poster,
                )
                new.append(item)
                self._kinds[item.id] = kind
        self.items.extend(new)
        self._pending = [i for i in new if i.poster >= 0]
        return new

    def _inject_items(self, turn: int, inject_ids: list[str], extra: dict[str, Inject] | None = None) -> list[FeedItem]:
        sc, audience = self.scenario, self.audience
        items = []
        for inj_id in inject_ids:
            self._shown_injects.add(inj_id)
            inj = next((i for i in sc.injects if i.id == inj_id), None) or (extra or {}).get(inj_id)
            if inj is None:
                continue
            handle, name, followers = "", "", 0
            if inj.post and inj.post.hub:
                node = audience.hubs[inj.post.hub]
                ident = audience.identity(node)
                handle, name, followers = ident.handle, ident.name, int(self.followers[node])
            items.append(
                FeedItem(
                    f"#{turn}-i{inj_id}",
                    turn,
                    turn * self.params.turn_minutes,
                    handle,
                    name or "Alert",
                    "inject",
                    inj.post.kind if inj.post else "inject",
                    inj.post.text if inj.post else inj.label,
                    followers,
                    inject=inj.id,
                    source=inj.source,
                )
            )
        return items

    def add_injects(self, turn: int, inject_ids: list[str], extra: dict[str, Inject] | None = None) -> list[FeedItem]:
        """Add items for injects that fired at the end of a turn or by hand (their posts spread next turn)."""
        items = self._inject_items(turn, inject_ids, extra)
        self.items.extend(items)
        return items

    def _settle_reposts(self, rec: TurnRecord) -> None:
        """A feed post's reposts: its author's followers who reposted that kind the next turn."""
        if not self._pending:
            return
        reposters = rec.poster[rec.repost]
        rkinds = rec.kind[rec.repost]
        for item in self._pending:
            k = self.params.kind_index.get(item.kind)
            if k is None:
                continue
            same = np.sort(reposters[rkinds == k])
            item.reposts = (
                int(np.isin(self.audience.graph.followers_of(item.poster), same, assume_unique=False).sum())
                if len(same)
                else 0
            )
        self._pending = []

    def brand_replies(self, replies_by_post: dict[int, int], brand_posts: list[BrandPost]) -> None:
        """Update reply counts shown on the brand's posts."""
        for item in self.items:
            if item.is_brand:
                post = next((p for p in brand_posts if p.turn == item.turn), None)
                if post is not None:
                    item.replies = replies_by_post.get(post.id, 0)
