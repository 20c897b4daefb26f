"""The feed: a deterministic sample of each turn's posts, weighted by reach, given text.

Only sampled posts get text. Sampling uses the run's feed generator, separate
from the engine's, so asking for the feed never changes the numbers.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any, get_args

import numpy as np

from simulator.audience import Audience
from simulator.audience.names import draw_word
from simulator.engine.params import EngineParams
from simulator.engine.state import BrandPost, TurnRecord
from simulator.language.grammar import Alternative, Grammar, Moment, fitting
from simulator.language.quoting import own_words, phrases
from simulator.language.sentiment import is_negative
from simulator.language.style import reads_as, restyle, style_of
from simulator.scenario.schema import Inject, ReplyEntry, Scenario, TemplateEntry, Tone

PER_TURN = 6
FRESH_SHOWN = 2  # replies to the brand's newest move shown a turn, at least, for an hour after it
REDRAWS = 8  # draws of a crowd line after the first, while they land on lines the feed has shown
MOVE_WORDS = {"open": "opening post", "answer": "answer", "pause": "holding line", "cancel": "cancellation"}


def fresh_turns(turn_minutes: int) -> int:
    """How many turns, from a move's own, the feed keeps places for its replies: an hour, and two turns at least."""
    return max(2, -(-60 // turn_minutes))


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
    reply_to: str | None = (
        None  # the feed id of the brand post a reply answers (of the post the brand's answer answers)
    )
    reply_about: str | None = None  # that post in words: "cancellation at 5:30" ("@Miguel_Carp at 2:00")

    @property
    def headline(self) -> bool:
        """An event's post with no account behind it (a news headline): it has no followers to show."""
        return self.inject is not None and not self.handle

    def as_dict(self) -> dict[str, Any]:
        """Return the item as JSON-ready data (every field is a plain value: no deep copy needed)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def threads(items: list[FeedItem]) -> list[FeedItem]:
    """The brand's posts among `items`, the crowd's replies to them, and the posts its answers answer (in order)."""
    answered = {i.reply_to for i in items if i.is_brand and i.reply_to}
    return [i for i in items if i.is_brand or i.reply_to or i.id in answered]


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
        self._brand_items: list[tuple[FeedItem, int]] = []  # the brand's items and their posts' ids (reply counts)
        self._pending: list[FeedItem] = []
        self.amount_words = [c.amount for c in sc.brand.context if c.amount] or ["$1"]
        self.quotes_by_kind: dict[str, list[int]] = {}
        first_hostile = next((k.id for k in sc.kinds if k.tone == "hostile"), sc.kinds[0].id)
        for i, _ in enumerate(sc.voices.quotes):
            kind = sc.voices.quote_kinds.get(i, first_hostile)
            self.quotes_by_kind.setdefault(kind, []).append(i)
        self.used_quotes: set[int] = set()
        self._shown: Counter[str] = Counter()  # how often each crowd line has been shown
        self._shown_injects: set[str] = set()
        # The brand's moves so far (`answer`, `answer:ID`…) and the turn each was first made: parts may need one.
        self.moves: dict[str, int] = {"open": 0, f"open:{opening}": 0}
        self._kinds: dict[str, str] = {}  # feed post id -> kind, for answers to a post
        self._texts: dict[str, str] = {}  # feed post id -> text, for the question an answer quotes
        self._posted_by: dict[
            str, tuple[str, int]
        ] = {}  # feed post id -> (its handle, its minute): who an answer answers
        self._rules = {name: _alternatives(alts) for name, alts in sc.voices.grammar.items()}
        self._templates = {
            seg: {kind: _alternatives(ts) for kind, ts in by_kind.items()}
            for seg, by_kind in sc.voices.templates.items()
        }
        # Replies by move, and by the voice they are written in: lines for some kinds (`kinds`) go to replies of
        # those kinds first. Otherwise a reply of a supportive kind takes only lines marked supportive; hostile and
        # neutral kinds take unmarked lines and lines marked with their own tone.
        self._tones = {k.id: k.tone for k in sc.kinds}
        self._replies = {
            (key, voice): _alternatives([e for e in alts if _written_for(e, voice)])
            for key, alts in sc.voices.replies.items()
            for voice in (*get_args(Tone), *(f"kind:{k}" for k in self._tones))
        }
        self._labels = {
            f"{move}:{o.id}": o.label
            for move, opts in (
                ("answer", sc.actions.answer),
                ("pause", sc.actions.pause),
                ("cancel", sc.actions.cancel),
            )
            for o in opts
        } | {f"open:{o.id}": o.label for o in sc.campaign.openings}
        self.moment = Moment(turn_minutes=params.turn_minutes, moves=self.moves)
        self._fitting: dict[tuple[str, ...], list[str]] = {}  # templates and replies that fit this turn's moment
        self._said: dict[str, Moment] = {}  # this turn's moment for replies, by the words of the post they answer
        self._phrases: dict[str, list[str]] = {}  # a brand post's quotable phrases, by its text
        self._fixed = {"hashtag": sc.campaign.hashtag, "brand": sc.brand.name, "handle": sc.brand.handle}
        self._extra: dict[str, str] = {}  # words of the reply being written: {quote}, {asked}, {tone}
        self._home: str | None = None  # the city of the persona whose post is being written
        self._year = datetime.fromisoformat(sc.clock.start).year  # {year}: a year before the case's
        self._grammar = Grammar(self._rules, self._word)
        self._posts_total = 0
        # Sentiment on text, estimated over every original post (see `share_negative_text`).
        self._neg_weighted = 0.0
        self._originals = 0

    def text_of(self, post_id: str) -> str | None:
        """Return the text of a post shown in the feed (None for an unknown id)."""
        return self._texts.get(post_id)

    def kind_of(self, post_id: str) -> str | None:
        """Return the kind of a crowd post shown in the feed (None for an unknown id)."""
        return self._kinds.get(post_id)

    def _word(self, name: str) -> str | None:
        """A built-in word, drawn only when a slot asks for it (most posts use one or two)."""
        if name in self._extra:
            return self._extra[name]
        if name in self._fixed:
            return self._fixed[name]
        if name == "amount":
            return self.amount_words[int(self.rng.integers(len(self.amount_words)))]
        # Drawn even when replaced below, so the feed's stream (and every other word) stays as it was.
        word = draw_word(self.rng, name, self.audience.places, self._year)
        if name == "city" and self._home is not None:
            return self._home  # a persona speaks of its own town
        return word

    def _compose(self, text: str, extra: dict[str, str] | None = None, moment: Moment | None = None) -> str:
        self._extra = extra or {}
        try:
            return self._grammar.expand(text, self.rng, moment or self.moment)
        finally:
            self._extra = {}

    def _templates_for(self, segment: str, kind: str) -> list[str]:
        """The templates that fit this moment, the segment's own first, else any segment's for the kind."""
        key = (segment, kind)
        if key not in self._fitting:
            own = fitting(self._templates.get(segment, {}).get(kind, []), self.moment)
            if not own:
                for by_kind in self._templates.values():
                    own = fitting(by_kind.get(kind, []), self.moment)
                    if own:
                        break
            self._fitting[key] = own
        return self._fitting[key]

    def _text(
        self, segment: str, kind: str, quoting: bool = True
    ) -> tuple[str, bool, str | None, str | None, str | None]:
        """Return (text, real, source, handle, name) for a post of this segment and kind.

        With `quoting`, a real post of the kind is shown instead at the scenario's `quote_rate`.
        """
        sc = self.scenario
        quotes = [i for i in self.quotes_by_kind.get(kind, []) if i not in self.used_quotes] if quoting else []
        if quotes and self.rng.random() < sc.voices.quote_rate:
            i = quotes[int(self.rng.integers(len(quotes)))]
            self.used_quotes.add(i)
            q = sc.voices.quotes[i]
            # A real post is shown as the source gives it, never under a synthetic persona's name.
            return q.text, True, q.source, q.handle or "", q.author or "Real post, author not named"
        templates = self._templates_for(segment, kind)
        template = templates[int(self.rng.integers(len(templates)))] if templates else "{hashtag}"
        return self._compose(template), False, None, None, None

    def _reply_text(self, post: BrandPost, segment: str, kind: str) -> str | None:
        """A reply about the brand's post: its move, its tone, its words, in the voice of the reply's kind.

        None when the scenario has no reply line for that voice (the reply is then written as its kind's post).
        """
        tone = self._tones.get(kind, "hostile")
        moves = (f"{post.action}:{post.option.split('@')[0]}", post.action, "any")
        keys = (*moves, kind, post.text)
        moment = self._said.get(post.text)
        if moment is None:  # replies read the brand's own words in the post they answer (`When.says`)
            moment = self._said[post.text] = replace(self.moment, said=own_words(post.text))
        if keys not in self._fitting:
            # The kind's own lines first (its voice), then its tone's; each by the most specific move key.
            self._fitting[keys] = next(
                (
                    found
                    for voice in (f"kind:{kind}", tone)
                    for key in moves
                    if (found := fitting(self._replies.get((key, voice), []), moment))
                ),
                [],
            )
        options = self._fitting[keys]
        if not options:
            return None
        if post.text not in self._phrases:
            self._phrases[post.text] = phrases(post.text) or [post.text]
        pieces = self._phrases[post.text]
        asked = re.search(r"“([^”]+)”", post.text)
        extra = {
            "quote": pieces[int(self.rng.integers(len(pieces)))],
            "asked": asked.group(1) if asked else "the question",
            "tone": self._labels.get(f"{post.action}:{post.option.split('@')[0]}", post.action).lower(),
        }
        return self._compose(options[int(self.rng.integers(len(options)))], extra, moment)

    def _styled(self, text: str, poster: int, kind: str) -> str:
        return restyle(
            text,
            style_of(self.audience.seed, poster),
            self._tones.get(kind, "neutral"),
            self.rng,
            self.scenario.campaign.hashtag,
        )

    @property
    def share_negative_text(self) -> float | None:
        """The share of original posts (not reposts) whose text VADER reads as negative, over the whole run.

        Every turn's sampled posts are scored with VADER, weighted back to all
        of the turn's posts (each sampled post stands for the posts its
        sampling weight under-represents), then turns are added by their
        number of posts: a ratio estimate over all posts, not the shown ones.
        """
        return self._neg_weighted / self._originals if self._originals else None

    def add_turn(
        self, rec: TurnRecord, paused: bool = False, brand_posts: list[BrandPost] | None = None
    ) -> list[FeedItem]:
        """Sample this turn's posts into the feed; settle last turn's repost counts; return new items."""
        sc, p, audience = self.scenario, self.params, self.audience
        minute = rec.turn * p.turn_minutes
        self._settle_reposts(rec)
        if rec.decision.action != "wait":
            self.moves.setdefault(rec.decision.action, rec.turn)
            if rec.decision.option:
                self.moves.setdefault(f"{rec.decision.action}:{rec.decision.option.split('@')[0]}", rec.turn)
        self._posts_total += len(rec.poster)
        self.moment = Moment(
            turn=rec.turn,
            turn_minutes=p.turn_minutes,
            moves=self.moves,
            cancelled="cancel" in self.moves,
            paused=paused,
            trending=bool(rec.trending),
            posts_total=self._posts_total,
        )
        self._fitting = {}
        self._said = {}
        posts = {bp.id: bp for bp in (brand_posts or [])}
        if rec.brand_post is not None:
            posts[rec.brand_post.id] = rec.brand_post
        new: list[FeedItem] = []
        shown_brand = [rec.brand_post] if rec.brand_post is not None else []
        if rec.turn == 0 and brand_posts and brand_posts[0].action == "open" and brand_posts[0] not in shown_brand:
            # A move in the first turn went out with the opening: the feed shows both, the opening first.
            shown_brand.insert(0, brand_posts[0])
        for bp in shown_brand:
            item_id = f"#{rec.turn}-b" if bp is rec.brand_post else f"#{rec.turn}-o"
            # An answer to a post of the feed says whose: the thread reads question, answer, replies.
            answered = rec.decision.target if bp is rec.brand_post and bp.action == "answer" else None
            asker = self._posted_by.get(answered or "")
            brand_item = FeedItem(
                item_id,
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
                reply_to=answered if asker else None,
                reply_about=f"{asker[0]} at {asker[1] // 60}:{asker[1] % 60:02d}" if asker else None,
            )
            self._brand_items.append((brand_item, bp.id))
            new.append(brand_item)
        new.extend(self._inject_items(rec.turn, [i for i in rec.injects if i not in self._shown_injects]))
        originals = np.flatnonzero(~rec.repost)
        if len(originals):
            take = min(PER_TURN, len(originals))
            parts, sizes = self._sample_parts(rec, originals, take, brand_posts or [])
            picked: list[tuple[int, float, int]] = []  # (row in originals, its weight, its part)
            for part_id, (part, size) in enumerate(zip(parts, sizes, strict=True)):
                if size <= 0:
                    continue
                w = self.followers[rec.poster[originals[part]]].astype(np.float64) + 1.0
                rows = self.rng.choice(len(part), size=size, replace=False, p=w / w.sum())
                picked += [(int(part[r]), float(w[r]), part_id) for r in rows.tolist()]
            picked.sort(key=lambda x: -x[1])
            tallies = [[0.0, 0.0] for _ in parts]  # part -> [weighted negatives, weights]
            this_turn: set[str] = set()  # the lines shown this turn, as words and as read (`keys` below)
            for j, (row, weight, part_id) in enumerate(picked):
                idx = int(originals[row])
                poster = int(rec.poster[idx])
                kind = p.kind_ids[int(rec.kind[idx])]
                segment = audience.segment_of(poster)
                text = ""
                real, source, qhandle, qname = False, None, None, None
                target = posts.get(int(rec.reply_post[idx])) if rec.reply[idx] else None
                reply_to = reply_about = None
                if target is not None:
                    reply_to = f"#{target.turn}-b"
                    at = target.turn * p.turn_minutes
                    reply_about = f"{MOVE_WORDS.get(target.action, target.action)} at {at // 60}:{at % 60:02d}"
                # A line the feed has already shown is drawn again, up to REDRAWS times, and the least repeated
                # draw is shown: a grammar can land on one string by chance, and a reader learns nothing from a
                # second copy in one turn or a fourth in a day. A line counts as its words before styling and as
                # what it reads after (`reads_as`): a persona's casing, emoji or typo does not make a line new,
                # and a style that drops a last sentence can make two lines one. Only the feed's stream is used.
                best: tuple[tuple[bool, int], tuple[str, ...], str, bool, str | None, str | None, str | None] | None
                best = None
                self._home = audience.city_of(poster)
                for attempt in range(REDRAWS + 1):
                    real = False
                    line = self._reply_text(target, segment, kind) if target is not None else None
                    if line is None:  # a real post has its one chance, at the first draw (`quote_rate` holds)
                        line, real, source, qhandle, qname = self._text(segment, kind, quoting=attempt == 0)
                    text = line if real else self._styled(line, poster, kind)
                    keys = () if real else (line, reads_as(text))
                    repeats = (any(k in this_turn for k in keys), max((self._shown[k] for k in keys), default=0))
                    if best is None or repeats < best[0]:
                        best = (repeats, keys, text, real, source, qhandle, qname)
                    if repeats == (False, 0):
                        break
                self._home = None
                assert best is not None
                _, keys, text, real, source, qhandle, qname = best
                for key in keys:
                    self._shown[key] += 1
                    this_turn.add(key)
                ident = audience.identity(poster)
                item = FeedItem(
                    f"#{rec.turn}-{j}",
                    rec.turn,
                    minute,
                    ident.handle if qhandle is None else qhandle,
                    qname or ident.name,
                    segment,
                    kind,
                    text,
                    0 if real else int(self.followers[poster]),  # a real author's following is not in the model
                    real=real,
                    source=source,
                    is_reply=bool(rec.reply[idx]),
                    poster=poster,
                    reply_to=reply_to,
                    reply_about=reply_about,
                )
                new.append(item)
                self._kinds[item.id] = kind
                self._texts[item.id] = text
                if item.handle:
                    self._posted_by[item.id] = (item.handle, minute)
                tallies[part_id][0] += is_negative(text) / weight
                tallies[part_id][1] += 1.0 / weight
            # Each part's share, weighted back to all its posts (a ratio estimate), then the parts added by size.
            for part, (negative, weights) in zip(parts, tallies, strict=True):
                if weights:
                    self._neg_weighted += negative / weights * len(part)
            self._originals += len(originals)
        self.items.extend(new)
        self._pending = [i for i in new if i.poster >= 0]
        return new

    def _sample_parts(
        self, rec: TurnRecord, originals: np.ndarray, take: int, brand_posts: list[BrandPost]
    ) -> tuple[list[np.ndarray], list[int]]:
        """Split the turn's `take` shown posts between replies to the brand's newest move, other replies, the tag.

        Replies get their fair share of the shown posts, in proportion to their numbers. For the hour after a
        move (its own turn and the next, at least), replies to it get at least `FRESH_SHOWN` places, as long as
        there are that many: a player watches what the crowd says back, and one reply in ten would rarely be
        shown. Each part is drawn by reach (`add_turn`) and weighted back to its own size for the words' share.
        Returns the three parts (rows of `originals`) and how many posts each shows.
        """
        is_reply = rec.reply[originals]
        n_replies = int(is_reply.sum())
        want = take * n_replies / len(originals)
        k = min(n_replies, int(want) + int(self.rng.random() < want - int(want)))
        k = max(k, take - (len(originals) - n_replies))
        window = fresh_turns(self.params.turn_minutes)
        moves = [bp for bp in brand_posts if bp.action != "open"]
        newest = moves[-1] if moves and rec.turn - moves[-1].turn < window else None
        to_newest = is_reply & (rec.reply_post[originals] == newest.id) if newest is not None else is_reply & False
        n_newest = int(to_newest.sum())
        if n_newest == 0:
            return [np.flatnonzero(is_reply), np.flatnonzero(~is_reply)], [k, take - k]
        share = k * n_newest / n_replies
        shown = min(n_newest, int(share) + int(self.rng.random() < share - int(share)))
        shown = max(shown, min(FRESH_SHOWN, n_newest, take))
        k = max(k, shown)
        shown = max(shown, k - (n_replies - n_newest))  # the other replies may be too few to fill theirs
        parts = [np.flatnonzero(to_newest), np.flatnonzero(is_reply & ~to_newest), np.flatnonzero(~is_reply)]
        return parts, [shown, k - shown, take - k]

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
        by_kind: dict[int, np.ndarray] = {}
        for item in self._pending:
            k = self.params.kind_index.get(item.kind)
            if k is None:
                continue
            if k not in by_kind:
                by_kind[k] = np.sort(reposters[rkinds == k])
            same = by_kind[k]
            if not len(same):
                item.reposts = 0
                continue
            # Which of the author's followers are among the sorted reposters: a binary search each.
            followers = self.audience.graph.followers_of(item.poster)
            at = np.minimum(np.searchsorted(same, followers), len(same) - 1)
            item.reposts = int(np.count_nonzero(same[at] == followers))
        self._pending = []

    def brand_replies(self, replies_by_post: dict[int, int], brand_posts: list[BrandPost]) -> None:
        """Update reply counts shown on the brand's posts."""
        for item, post_id in self._brand_items:
            item.replies = replies_by_post.get(post_id, 0)


def _written_for(entry: ReplyEntry, voice: str) -> bool:
    """Whether a reply line is written in this voice: `kind:ID` (a line for that kind) or a tone.

    A tone takes the lines marked with it, and unmarked lines unless it is `supportive`; a line for some kinds is
    only theirs.
    """
    if isinstance(entry, str):
        return voice in ("hostile", "neutral")
    if entry.kinds is not None:
        return voice.startswith("kind:") and voice[5:] in entry.kinds
    if voice.startswith("kind:"):
        return False
    return entry.tone == voice or (entry.tone is None and voice != "supportive")


def _alternatives(entries: Sequence[TemplateEntry | ReplyEntry]) -> list[Alternative]:
    """A scenario's templates (strings or `{text, after, says, when}`) as grammar alternatives with their conditions."""
    return [Alternative(e) if isinstance(e, str) else Alternative(e.text, e.condition()) for e in entries]
