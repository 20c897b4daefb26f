"""The scenario format: a pydantic model with a description on every field.

`backfire schema` prints the JSON Schema generated from these models, so an
editor's YAML plugin can autocomplete and check scenario files. Cross-field
checks (source ids exist, shares sum to 1, ...) live in `rules.py`, so that
each problem keeps its own field path, and so its own file line.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from simulator.scenario.metrics import SummaryMetric, TurnMetric
from simulator.scenario.postures import PostureId, SignalId

_DURATION = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*h)?\s*(?:(\d+(?:\.\d+)?)\s*m(?:in)?)?\s*$")


# The placeholders a segment's name and bio patterns may use (filled in simulator.audience.names).
NAME_FIELDS = frozenset({"First", "Last", "City", "State", "Word"})
BIO_FIELDS = frozenset({"job", "city", "state"})


def _check_fields(patterns: list[str], allowed: frozenset[str]) -> list[str]:
    """Refuse a pattern with an unknown placeholder, naming it and the ones allowed."""
    import string

    for pattern in patterns:
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None]
        except ValueError as exc:
            raise ValueError(f"{pattern!r} is not a valid pattern ({exc}); write a brace as {{{{ or }}}}") from None
        unknown = sorted(set(fields) - allowed)
        if unknown:
            raise ValueError(
                f"{pattern!r} uses {{{unknown[0]}}}; the placeholders are "
                + ", ".join(f"{{{a}}}" for a in sorted(allowed))
            )
    return patterns


def parse_duration(value: object) -> float:
    """Return minutes from an int/float of minutes or a string like '5h30m', '90m', '22h'."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as '5h30m' or a number of minutes")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError(f"a duration must be a finite number of minutes, got {value!r}")
        if value < 0:
            raise ValueError(f"a duration cannot be negative, got {value!r}")
        return float(value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match and (match.group(1) or match.group(2)):
            hours = float(match.group(1) or 0)
            minutes = float(match.group(2) or 0)
            return hours * 60 + minutes
    raise ValueError(f"expected a duration such as '5h30m', '90m' or a number of minutes, got {value!r}")


Minutes = Annotated[
    float,
    BeforeValidator(parse_duration),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": r"^\s*(\d+(\.\d+)?\s*h)?\s*(\d+(\.\d+)?\s*m(in)?)?\s*$"},
            ],
            "description": "A duration: minutes as a number, or text such as '5h30m', '90m', '22h'.",
        }
    ),
]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


SourceId = Annotated[str, Field(description="Id of an entry in `sources`.")]
SegmentId = Annotated[str, Field(description="Id of an entry in `audience.segments`.")]
KindId = Annotated[str, Field(description="Id of an entry in `kinds`.")]
Share = Annotated[float, Field(ge=0, le=1)]


class Source(Model):
    """An article or page that facts, quotes and targets cite."""

    id: str = Field(description="Short id that other fields cite, e.g. `fastco_snark`.", pattern=r"^[a-z0-9_]+$")
    title: str = Field(description="Title as the page gives it.")
    publisher: str | None = Field(None, description="Who published it, when the text names them.")
    author: str | None = Field(None, description="Author, when the text names one.")
    date: str | None = Field(None, description="Publication date as the text gives it (free text when only implied).")
    url: str | None = Field(None, description="Web address, when known. Never invented.")
    archive_file: str | None = Field(
        None, description="File name of the archived text in the shared sources folder (used to check quotes verbatim)."
    )
    note: str | None = Field(None, description="What this source is and how far to trust it.")


class ContextItem(Model):
    """A fact about the brand's recent record that colours how the crowd sees it."""

    when: str = Field(description="When it happened, as the source gives it (e.g. 'July 2013').")
    text: str = Field(description="The fact in a sentence.")
    amount: str | None = Field(None, description="A sum of money or count, as the source states it.")
    source: SourceId = Field(description="Source the fact comes from.")


class Brand(Model):
    """The organisation the player speaks for."""

    name: str = Field(description="Display name of the brand.")
    handle: str = Field(description="The brand's account handle, with @.")
    role: str = Field(description="Who the player is, in a sentence (shown on the briefing).")
    context: list[ContextItem] = Field(default_factory=list, description="Recent record: fines, scandals, grievances.")
    followers: dict[SegmentId, Share] = Field(
        default_factory=dict,
        description="Share of each segment that follows the brand account (modelling assumption).",
    )


class Effect(Model):
    """A change to one of the engine's parameters, made by a move, an opening or an inject."""

    param: Literal["invitation", "rate", "stance", "trend", "attention", "spread", "novelty", "promotion"] = Field(
        description=(
            "Which parameter: `invitation` (multiplies the campaign's call to post), `rate` (multiplies the rate of "
            "posting the given kinds), `stance` (adds to the stance of those who see the brand's post, or of the "
            "whole segment with `everyone: true`), `trend` (multiplies the share of the crowd a trending tag reaches), "
            "`attention` (multiplies how long attention lasts), `spread` (multiplies how far the given kinds travel), "
            "`novelty` (op add: renews the tag's pull on newcomers, up to 1; a cancellation can become the story), "
            "`promotion` (paid placement beside the tag, a promoted trend or an ad campaign: op add gives the share of "
            "the crowd shown the tag each hour whether or not it trends; starts at 0; `value: 0` with op multiply "
            "pulls it)."
        )
    )
    op: Literal["multiply", "add"] = Field("multiply", description="How `value` combines with the current value.")
    value: float = Field(description="The factor (multiply) or the amount (add).")
    turns: int | None = Field(
        None, ge=1, description="How many turns the effect lasts; omitted means until the end of the run."
    )
    segments: list[SegmentId] | None = Field(None, description="Segments affected; omitted means all.")
    kinds: list[KindId] | None = Field(None, description="Kinds of post affected (for `rate` and `spread`).")
    everyone: bool = Field(
        False, description="For `stance`: apply to the whole segment, not only those who saw the brand's post."
    )

    @model_validator(mode="after")
    def _op_fits_param(self) -> Effect:
        if self.param in ("stance", "novelty") and self.op != "add":
            raise ValueError(f"a `{self.param}` effect must use op: add")
        if self.param != "stance" and self.op == "multiply" and self.value < 0:
            raise ValueError("a multiply effect needs a value >= 0")
        return self


class Quote(Model):
    """Words that really appeared, with who said them and where we read them."""

    text: str = Field(description="The words, verbatim from the source (typographic quotes may differ).")
    author: str | None = Field(None, description="Who wrote it, as the source gives it.")
    handle: str | None = Field(None, description="Their account handle, with @, as the source gives it.")
    date: str | None = Field(None, description="Date as the source shows it.")
    source: SourceId = Field(description="Source where the quote appears verbatim.")
    real: Literal[True] = Field(True, description="Always true: marks the text as a real quote, shown as such.")


class Opening(Model):
    """A way to word and scope the opening post (the first decision, before the clock starts)."""

    id: str = Field(description="Id used in decision scripts as `open:ID`.", pattern=r"^[a-z0-9_]+$")
    label: str = Field(description="Short label for menus.")
    text: str = Field(description="The opening post as it would appear.")
    real: bool = Field(False, description="True when this is the brand's real opening post.")
    source: SourceId | None = Field(None, description="Source for a real opening post or for the idea behind it.")
    effects: list[Effect] = Field(default_factory=list, description="How this opening changes the model's parameters.")
    provocation: float = Field(1.0, ge=0, description="How strongly the post draws replies (1 = ordinary).")
    postures: list[PostureId] = Field(
        default_factory=list,
        description=(
            "The response postures this option stands for, the main one first (see the guide). A written post is "
            "matched to the nearest option by posture; omitted: the reader's reading of `text`."
        ),
    )


class ScheduledEvent(Model):
    """The scheduled Q&A or event the campaign announced."""

    host: str = Field(description="Who was to answer.")
    starts_at: Minutes = Field(description="When it starts, after the opening post (duration).")
    length: Minutes = Field(description="How long it was to last (duration).")
    source: SourceId = Field(description="Source for the schedule.")


class Campaign(Model):
    """What the brand set out to do."""

    hashtag: str = Field(description="The campaign hashtag, with #.", pattern=r"^#\w+$")
    premise: str = Field(description="One line for the scenario picker.")
    goal: str = Field(description="What the campaign was meant to achieve.")
    goal_source: SourceId = Field(description="Source for the goal.")
    intended_audience: list[SegmentId] = Field(min_length=1, description="Segments the campaign was for.")
    on_topic: list[KindId] = Field(min_length=1, description="Kinds of post that serve the campaign's goal.")
    event: ScheduledEvent = Field(description="The scheduled event.")
    openings: list[Opening] = Field(
        min_length=1, description="Ways to open; the one marked `real` (or the first) is the default."
    )
    invitation: float = Field(
        ge=0,
        description="How strongly the opening post invites everyone who sees the tag to post (modelling parameter).",
    )


class Clock(Model):
    """The game clock: turn length and horizon, both from the opening post."""

    start: str = Field(description="Date and time of the opening post (ISO 8601 with zone), as chosen for the model.")
    start_note: str = Field(description="Why this start was chosen, citing the sources.")
    turn_minutes: int = Field(ge=1, le=24 * 60, description="Length of one turn in minutes.")
    horizon_hours: float = Field(gt=0, le=24 * 14, description="How long the run lasts after the opening post.")

    @property
    def turns(self) -> int:
        """Number of turns in a run."""
        return int(round(self.horizon_hours * 60 / self.turn_minutes))

    @property
    def horizon_minutes(self) -> float:
        """The horizon in minutes."""
        return self.horizon_hours * 60

    @property
    def turn_words(self) -> str:
        """One turn in words: '15 minutes', '1 hour', '90 minutes', '2 hours'."""
        m = self.turn_minutes
        if m % 60:
            return f"{m} minutes"
        return "1 hour" if m == 60 else f"{m // 60} hours"


class Distribution(Model):
    """A normal distribution clipped to a range."""

    mean: float = Field(description="Mean.")
    sd: float = Field(0.0, ge=0, description="Standard deviation.")


class Activity(Model):
    """Posts per hour when fully engaged: log-normal around the mean."""

    mean: float = Field(
        ge=0, le=60, description="Mean posts per hour when fully engaged (up to 60: a post a minute, all day)."
    )
    sd: float = Field(0.0, ge=0, le=60, description="Standard deviation (posts per hour).")


class Segment(Model):
    """A group of accounts that behave alike."""

    id: str = Field(description="Short id used elsewhere.", pattern=r"^[a-z0-9_]+$")
    label: str = Field(description="Name shown in tables.")
    description: str = Field("", description="Who they are.")
    share: Share = Field(description="Share of the crowd (all segments sum to 1).")
    stance: Distribution = Field(description="Starting stance toward the brand, from -1 (hostile) to 1 (loyal).")
    activity: Activity = Field(description="Posts per hour when fully engaged (log-normal around the mean).")
    following: float = Field(gt=0, description="Mean number of accounts each member follows inside this crowd.")
    popularity: float = Field(
        gt=1.0,
        description=(
            "Exponent of the power law of followers inside the segment (density ~ k^-popularity): lower means a "
            "heavier tail of big accounts. Keep it above 2 (finite mean); declare the giant accounts as hubs."
        ),
    )
    follows: dict[SegmentId, Share] = Field(
        description="Where this segment's follows go: share of its follows into each segment (sums to 1)."
    )
    posts: dict[KindId, float] = Field(description="Relative weight of each kind of post this segment writes.")
    invitation: float = Field(1.0, ge=0, description="How much this segment answers an open invitation (1 = fully).")
    tag_interest: float = Field(
        0.0,
        ge=0,
        description=(
            "How strongly this segment posts on the tag for its own reasons, whatever the brand does (added to the "
            "invitation's pull, not tied to stance toward the brand, and not withdrawn by a cancellation). Use it "
            "for a hashtag that belongs to others, such as one a brand newsjacks; 0 for a tag the brand owns."
        ),
    )
    voice_names: Literal["person", "outlet", "group"] = Field(
        "person", description="What its display names look like: people's names, or patterns for outlets and groups."
    )
    names: list[str] = Field(
        default_factory=list,
        description=(
            'Display-name patterns for this segment\'s accounts, such as "{City} Animal Save" (synthetic names, a '
            "modelling choice). Placeholders: {First}, {Last}, {City}, {State}, {Word}. Empty: people's names for "
            "`person`, plain news or community-group names for `outlet` and `group`."
        ),
    )
    bios: list[str] = Field(
        default_factory=list,
        description="Bio patterns for this segment's accounts. Placeholders: {job}, {city}, {state}. Empty: built-in bios for its `voice_names`.",
    )

    @field_validator("names")
    @classmethod
    def _name_fields(cls, value: list[str]) -> list[str]:
        return _check_fields(value, NAME_FIELDS)

    @field_validator("bios")
    @classmethod
    def _bio_fields(cls, value: list[str]) -> list[str]:
        return _check_fields(value, BIO_FIELDS)


class Hub(Model):
    """A big account inside a segment: an outlet, an activist hub, a comedian."""

    id: str = Field(description="Short id.", pattern=r"^[a-z0-9_]+$")
    label: str = Field(description="What it is (shown on the feed).")
    segment: SegmentId = Field(description="Segment it belongs to.")
    handle: str = Field(description="Handle shown on the feed (fictional unless a source names it).")
    name: str = Field(description="Display name shown on the feed.")
    followers: dict[SegmentId, Share] = Field(
        description="Share of each segment that follows this account (modelling assumption)."
    )


class Audience(Model):
    """The synthetic crowd: size, segments, and who follows whom."""

    size: int = Field(gt=0, le=20_000_000, description="Default number of personas (each one is one account).")
    size_note: str = Field(description="Why this size (a modelling assumption).")
    segments: list[Segment] = Field(min_length=1, description="The groups in the crowd.")
    hubs: list[Hub] = Field(default_factory=list, description="Big accounts with declared followings.")
    places: list[str] = Field(
        default_factory=list,
        description=(
            "City names for the crowd's names, bios and voice templates ({city}, {City}; they stand in for {state} "
            "too). Empty: large US cities and US states. Give them for a case set elsewhere, such as the UK."
        ),
    )


Tone = Literal["hostile", "neutral", "supportive"]  # how a kind of post reads for the brand


class Kind(Model):
    """A kind of post the crowd writes."""

    id: str = Field(description="Short id.", pattern=r"^[a-z0-9_]+$")
    label: str = Field(description="Name shown in tables.")
    tone: Tone = Field(description="How it reads for the brand.")
    appeal: float = Field(gt=0, description="How strongly seeing it makes people post (spread weight).")
    influence: float = Field(0.0, description="Stance change per exposure (negative pulls toward hostile).")
    repost_share: Share = Field(0.3, description="Share of posts of this kind that are reposts rather than new text.")
    story: bool = Field(
        False,
        description="A news story: counted in `press_stories`, and the kind a facilitator's custom inject posts as.",
    )


# Words any template can use, filled by the feed; replies can also use REPLY_WORDS.
TEMPLATE_WORDS = ("hashtag", "brand", "handle", "first_name", "city", "state", "job", "amount", "year", "company")
REPLY_WORDS = ("quote", "asked", "tone")


class Since(Model):
    """Time since a move: at least `min`, at most `max` (durations)."""

    move: str = Field(description="The move: `cancel`, `answer:candid`, `open:ID`…")
    min: Minutes | None = Field(None, description="At least this long after the move was first made.")
    max: Minutes | None = Field(None, description="At most this long after it.")


# A word or phrase a brand post must say (`When.says`): not blank, and no line breaks.
Said = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"^[^\n]+$")]


@functools.lru_cache(maxsize=512)
def _says_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    # From the start of a word; a word that starts with a sign (".com", an emoji) anywhere.
    return re.compile("|".join(("(?<!\\w)" if w[0].isalnum() else "") + re.escape(w) for w in words), re.IGNORECASE)


def _says_any(words: tuple[str, ...], said: str | None) -> bool:
    """Whether the text `said` has one of the words, each from the start of a word (None: no post to read)."""
    return said is not None and _says_pattern(words).search(said) is not None


class When(Model):
    """The moment a part of a post needs. Every condition given must hold; none given: always."""

    after: list[str] = Field(
        default_factory=list,
        description="Any one of these moves made earlier in the run (or this turn): `open:ID`, `answer`, `answer:ID`, `pause`, `pause:ID`, `cancel`, `cancel:ID`.",
    )
    not_after: list[str] = Field(default_factory=list, description="None of these moves made so far.")
    since: Since | None = Field(None, description="Time since a move (it must have been made).")
    state: Literal["live", "cancelled"] | None = Field(None, description="The campaign still live, or cancelled.")
    paused: bool | None = Field(None, description="True: only while a pause is in force; false: only when not.")
    trending: bool | None = Field(None, description="True: only while the tag trends; false: only when it does not.")
    min_posts: int | None = Field(
        None, ge=0, description="Only once the tag has at least this many posts (press lines need their moment)."
    )
    says: list[Said] = Field(
        default_factory=list,
        description=(
            "Only in a reply to a brand post whose words include one of these (case-insensitive, from the start of "
            "a word: `postpon` finds postpone, postponed, postponing). For a line that picks up the brand's words "
            '("So the answers are on the phone line"), so a reply to a post in the player\'s own words that never '
            "said so never reads it. A post on the tag is no reply: it never takes such a line."
        ),
    )

    def fits(self, moment: object) -> bool:
        """True when the moment (a `simulator.language.Moment`) meets every condition given."""
        m: Any = moment
        if self.says and not _says_any(tuple(self.says), getattr(m, "said", None)):
            return False
        moves = m.moves
        if self.after and not any(ref in moves for ref in self.after):
            return False
        if any(ref in moves for ref in self.not_after):
            return False
        if self.since is not None:
            elapsed = m.minutes_since(self.since.move)
            if elapsed is None or (self.since.min is not None and elapsed < self.since.min):
                return False
            if self.since.max is not None and elapsed > self.since.max:
                return False
        if self.state is not None and (self.state == "cancelled") != m.cancelled:
            return False
        if self.paused is not None and self.paused != m.paused:
            return False
        if self.trending is not None and self.trending != m.trending:
            return False
        return self.min_posts is None or m.posts_total >= self.min_posts


class Template(Model):
    """A part that fits only at some moments: after a move, some time after it, live or cancelled…"""

    text: str = Field(description="The text (same slots as any other).")
    after: list[str] | None = Field(
        None,
        min_length=1,
        description=(
            "Moves that make it fit, any one of them made earlier in the run (or this turn): `open:ID`, `answer`, "
            "`answer:ID`, `pause`, `pause:ID`, `cancel`, `cancel:ID`. Use it for text that mentions what the brand "
            "did (an apology, a pulled promotion), so a player who did something else never reads it. "
            "Short for `when: {after: [...]}`."
        ),
    )
    says: list[Said] | None = Field(
        None,
        min_length=1,
        description=(
            "Words the brand post it replies to must include, any one of them (see `When.says`): for a reply line "
            "that picks up the brand's words. Short for `when: {says: [...]}`."
        ),
    )
    when: When | None = Field(None, description="The moment it needs (see `When`); combined with `after` and `says`.")

    @model_validator(mode="after")
    def _a_condition(self) -> Template:
        if self.after is None and self.when is None and self.says is None:
            raise ValueError(
                "a template written as a mapping needs `after`, `says` or `when`; a plain string always fits"
            )
        return self

    def condition(self) -> When:
        """The whole condition: `when`, with `after` and `says` folded in."""
        when = self.when or When()
        if self.after:
            when = when.model_copy(update={"after": [*when.after, *self.after]})
        if self.says:
            when = when.model_copy(update={"says": [*when.says, *self.says]})
        return when


def _template_form(value: object) -> str | None:
    if isinstance(value, str):
        return "union:text"
    if isinstance(value, (dict, Template)):
        return "union:template"
    return None


# A template is a string or {text, after}; the tag tells pydantic which, so an error names one form only
# (the loader drops the "union:" part from the field path).
TemplateEntry = Annotated[
    Annotated[str, Tag("union:text")] | Annotated[Template, Tag("union:template")],
    Discriminator(
        _template_form,
        custom_error_type="template_form",
        custom_error_message="expected a template string, or a mapping {text, after, says, when}",
    ),
]


class TagTemplate(Template):
    """A template for a post on the tag: it answers no brand post, so it cannot ask what one said."""

    @model_validator(mode="after")
    def _no_says(self) -> TagTemplate:
        if self.condition().says:
            raise ValueError(
                "`says` reads the brand post a reply answers: a post on the tag answers none, so this line would "
                "never show (put it under `replies`)"
            )
        return self


TagTemplateEntry = Annotated[
    Annotated[str, Tag("union:text")] | Annotated[TagTemplate, Tag("union:template")],
    Discriminator(
        _template_form,
        custom_error_type="template_form",
        custom_error_message="expected a template string, or a mapping {text, after, when}",
    ),
]


class ReplyTemplate(Template):
    """A reply that fits only some moments, or only replies of one tone (a kind's `tone`) or of some kinds."""

    tone: Tone | None = Field(
        None,
        description=(
            "The tone of the replies it is written for: a reply of a kind with this tone. Unset: replies of hostile "
            "and neutral kinds (the crowd pushing back); a supportive reply takes only lines marked `supportive`."
        ),
    )
    kinds: list[KindId] | None = Field(
        None,
        min_length=1,
        description=(
            "The kinds of reply it is written for, such as a reporter's `press` reply. Only replies of these kinds "
            "take it, and they take it before any line for their tone (give `kinds` or `tone`, not both)."
        ),
    )

    @model_validator(mode="after")
    def _a_condition(self) -> ReplyTemplate:
        if self.after is None and self.when is None and self.says is None and self.tone is None and self.kinds is None:
            raise ValueError(
                "a reply written as a mapping needs `after`, `says`, `when`, `tone` or `kinds`; a plain string always "
                "fits"
            )
        if self.tone is not None and self.kinds is not None:
            raise ValueError("give `kinds` or `tone`, not both: a line for some kinds is written in their voice")
        return self


ReplyEntry = Annotated[
    Annotated[str, Tag("union:text")] | Annotated[ReplyTemplate, Tag("union:template")],
    Discriminator(
        _template_form,
        custom_error_type="template_form",
        custom_error_message="expected a reply string, or a mapping {text, after, says, when, tone, kinds}",
    ),
]


class Voices(Model):
    """Text for the feed: Faker-filled templates and real quotes."""

    templates: dict[SegmentId, dict[KindId, list[TagTemplateEntry]]] = Field(
        description=(
            "Templates per segment and kind: a string, or `{text, after}` for text that fits only after a given "
            "move. Placeholders: {hashtag}, {brand}, {handle}, {first_name}, {city}, {state}, {job}, {amount}, "
            "{year}, {company}."
        )
    )
    grammar: dict[str, list[TemplateEntry]] = Field(
        default_factory=dict,
        description=(
            "Rules for composing posts: each name is a slot, `{name}`, usable in any template, reply or other rule; "
            "its alternatives (strings or `{text, when}`) may hold slots in turn. Inline alternatives: `{a|b|}` "
            "(an empty one makes the slot optional)."
        ),
    )
    replies: dict[str, list[ReplyEntry]] = Field(
        default_factory=dict,
        description=(
            "Replies to the brand's posts, by the move the post made: `answer:ID`, `answer`, `pause:ID`, `pause`, "
            "`cancel:ID`, `cancel`, `open:ID`, `open`, or `any`. A reply takes lines for its kind first "
            "(`{text, kinds: [press]}`: a reporter's voice), then lines for its tone (`{text, tone: supportive}` for "
            "the brand's defenders), each from the most specific key that has one; a supportive reply with no line "
            "of its own is written as its kind's post. Slots as in templates, plus {quote} (a phrase of the brand's "
            "post), {asked} (the post it answered) and {tone} (the move's label)."
        ),
    )
    quotes: list[Quote] = Field(default_factory=list, description="Real posts quoted by the sources.")
    quote_kinds: dict[int, KindId] = Field(
        default_factory=dict, description="Kind of post for each quote index (default: the first hostile kind)."
    )
    quote_rate: Share = Field(0.08, description="Chance that a sampled feed post shows a real quote instead.")


class AnswerOption(Model):
    """A tone for answering a post or a category of questions."""

    id: str = Field(description="Id used in scripts as `answer:ID` or `answer:ID@KIND`.", pattern=r"^[a-z0-9_]+$")
    label: str = Field(description="Short label.")
    text: str = Field(description="Example of what it posts; {question} is the question it answers.")
    texts: dict[KindId, str] = Field(
        default_factory=dict,
        description=(
            "Wording for answering a given kind of post, so the same tone fits the question: a candid answer to a "
            "career question is not an apology. Any other kind gets `text`. {question} as in `text`."
        ),
    )
    real: bool = Field(False, description="True for a wording the brand really used.")
    source: SourceId | None = Field(None, description="Source for a real wording.")
    provocation: float = Field(1.0, ge=0, description="How strongly the answer draws replies.")
    postures: list[PostureId] = Field(
        default_factory=list,
        description=(
            "The response postures this option stands for, the main one first (see the guide). A written post is "
            "matched to the nearest option by posture; omitted: the reader's reading of `text`."
        ),
    )
    effects: list[Effect] = Field(default_factory=list, description="Parameter changes when this answer is posted.")
    target_effects: list[Effect] = Field(
        default_factory=list,
        description="Extra changes applied to the segments that mostly write the answered kind.",
    )

    def text_for(self, kind: str | None) -> str:
        """The wording for answering a post of this kind."""
        return self.texts.get(kind, self.text) if kind else self.text


class PauseOption(Model):
    """A way to go quiet."""

    id: str = Field(description="Id used in scripts as `pause:ID` (or `pause:N` for N turns).", pattern=r"^[a-z0-9_]+$")
    label: str = Field(description="Short label.")
    turns: int = Field(ge=1, description="How many turns the brand stays silent.")
    text: str | None = Field(None, description="What it posts first, if anything (a holding line).")
    provocation: float = Field(1.0, ge=0, description="How strongly the holding line draws replies.")
    postures: list[PostureId] = Field(
        default_factory=list,
        description=(
            "The response postures this option stands for, the main one first (see the guide). A written post is "
            "matched to the nearest option by posture; omitted: the reader's reading of `text`."
        ),
    )
    effects: list[Effect] = Field(default_factory=list, description="Parameter changes while paused.")


class CancelOption(Model):
    """A message to end the campaign with."""

    id: str = Field(description="Id used in scripts as `cancel:ID`.", pattern=r"^[a-z0-9_]+$")
    label: str = Field(description="Short label.")
    text: str | None = Field(
        None,
        description="The cancellation post; omitted: the campaign stops without a post (a promotion pulled quietly).",
    )
    real: bool = Field(False, description="True for a wording the brand really used.")
    source: SourceId | None = Field(None, description="Source for a real wording.")
    provocation: float = Field(1.0, ge=0, description="How strongly the post draws replies (modelling parameter).")
    postures: list[PostureId] = Field(
        default_factory=list,
        description=(
            "The response postures this option stands for, the main one first (see the guide). A written post is "
            "matched to the nearest option by posture; omitted: the reader's reading of `text`."
        ),
    )
    effects: list[Effect] = Field(default_factory=list, description="Parameter changes after cancelling.")


class Actions(Model):
    """The moves a player has each turn, besides `wait`."""

    answer: list[AnswerOption] = Field(min_length=1, description="Tones for answering.")
    pause: list[PauseOption] = Field(min_length=1, description="Ways to go quiet.")
    cancel: list[CancelOption] = Field(min_length=1, description="Messages to cancel with.")
    cancel_move: str = Field(
        "Cancel the campaign",
        min_length=1,
        max_length=40,
        description="What cancelling is called in this case, in menus ('Delete the post', 'Pull the promotion').",
    )


class Trigger(Model):
    """When something happens: at a time, or when a metric crosses a bound."""

    at: Minutes | None = Field(None, description="Time after the opening post (duration).")
    metric: TurnMetric | None = Field(
        None,
        description="Per-turn metric watched (the names in `scenario/metrics.py`; see `backfire run --json` turns).",
    )
    above: float | None = Field(None, description="Fires when the metric goes above this.")
    below: float | None = Field(None, description="Fires when the metric goes below this.")

    @model_validator(mode="after")
    def _one_kind(self) -> Trigger:
        if self.at is None and self.metric is None:
            raise ValueError("a trigger needs `at` (a time) or `metric` with `above` or `below`")
        if self.metric is not None and self.above is None and self.below is None:
            raise ValueError("a metric trigger needs `above` or `below`")
        return self


class InjectPost(Model):
    """A post an inject puts on the feed, from a hub or as a headline."""

    hub: str | None = Field(None, description="Hub that posts it (its followers see it); omitted: a headline only.")
    kind: KindId = Field(description="Kind of post.")
    text: str = Field(description="What it says.")
    reach: dict[SegmentId, Share] = Field(
        default_factory=dict, description="Extra share of each segment that sees it (readers, viewers)."
    )


class Inject(Model):
    """An event during play: a press story, a viral quote, an analytics alert."""

    id: str = Field(description="Short id.", pattern=r"^[a-z0-9_]+$")
    label: str = Field(description="Headline shown when it fires.")
    trigger: Trigger = Field(description="When it fires (once).")
    post: InjectPost | None = Field(None, description="The post it makes, if any.")
    effects: list[Effect] = Field(default_factory=list, description="Parameter changes when it fires.")
    source: SourceId | None = Field(None, description="Source, when the event is documented.")
    note: str | None = Field(None, description="Whether this is documented or an assumption, and why.")


class Decision(Model):
    """A decision the brand really made."""

    at: Minutes = Field(description="Time after the opening post (duration).")
    action: Literal["answer", "pause", "cancel", "wait"] = Field(description="The move.")
    option: str | None = Field(None, description="Option id under that move.")
    source: SourceId = Field(description="Source for the decision.")
    note: str | None = Field(None, description="What the source says and what is assumed.")


class TimelineEntry(Model):
    """A line of 'what really happened'."""

    when: str = Field(description="When, as the source gives it.")
    text: str = Field(description="What happened, with its figures.")
    source: SourceId = Field(description="Source.")


class History(Model):
    """What the brand really did."""

    opening: str = Field(description="Id of the opening it used.")
    decisions: list[Decision] = Field(description="Its decisions in time order.")
    timeline: list[TimelineEntry] = Field(default_factory=list, description="The real timeline for the debrief.")


class Bound(Model):
    """A documented range."""

    min: float | None = Field(None, description="Lower bound (inclusive).")
    max: float | None = Field(None, description="Upper bound (inclusive).")

    @model_validator(mode="after")
    def _some(self) -> Bound:
        if self.min is None and self.max is None:
            raise ValueError("a bound needs `min`, `max` or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("`min` is above `max`")
        return self


class Target(Model):
    """A documented outcome the historical replay must reproduce."""

    id: str = Field(description="Short id.", pattern=r"^[a-z0-9_]+$")
    label: str = Field(description="What is measured, in words.")
    metric: SummaryMetric = Field(
        description="Summary metric compared (the names in `scenario/metrics.py`; see `backfire run --json` summary)."
    )
    bound: Bound = Field(description="The documented range.")
    until: Minutes | None = Field(
        None,
        description="Count only up to this time after the opening post (for `posts_total`, `tag_posts_total` and `hostile_total`).",
    )
    since: Minutes | None = Field(
        None,
        description="Count only from this time after the opening post (for `posts_total`, `tag_posts_total` and `hostile_total`).",
    )
    source: SourceId = Field(description="Source of the figure.")
    quote: str = Field(
        description="The source's words for it (or, with `paraphrase: true`, the research notes' words)."
    )
    paraphrase: bool = Field(
        False, description="True when `quote` is the research notes' summary, not the source's own words."
    )
    interpretation: str | None = Field(
        None, description="How vague words ('thousands') became a bound (an assumption)."
    )


class Lesson(Model):
    """What a source says worked or failed."""

    id: str = Field(description="Short id.", pattern=r"^[a-z0-9_]+$")
    stance: Literal["praised", "faulted", "advice"] = Field(
        description="Whether the source praises, faults or advises."
    )
    quote: str = Field(
        description="The source's words, verbatim (or, with `paraphrase: true`, the research notes' summary of them)."
    )
    paraphrase: bool = Field(
        False,
        description=(
            "True when `quote` is a summary from the research notes, not the source's own words (a paper read only "
            "through the notes); it is then shown without quotation marks and labelled as a summary."
        ),
    )
    summary: str = Field(description="The lesson in a line.")
    own_view: bool = Field(
        False,
        description=(
            "True when the source reports the company's own view of its move (a self-assessment), not a judgement "
            "of it: shown as its own view, never counted as the sources disagreeing, never offered as what to do "
            "instead of a faulted move."
        ),
    )
    source: SourceId = Field(description="Source.")
    options: list[str] = Field(
        default_factory=list,
        description="Moves it speaks to: `open:ID`, `answer:ID`, `pause:ID`, `cancel:ID`, `wait`, or `answer`/`cancel`/... for any.",
    )
    when: Literal["early", "late", "any"] = Field("any", description="Whether it applies to early or late moves.")
    postures: list[PostureId] = Field(
        default_factory=list,
        description="Postures of a written post it speaks to (besides `options`): the debrief shows it beside such a post.",
    )


class Strategy(Model):
    """A named decision script, for `--strategy` and `compare`."""

    id: str = Field(description="Short id.", pattern=r"^[a-z0-9_-]+$")
    label: str = Field(description="What it does, in words.")
    script: str = Field(description="Decision script: comma-separated `ACTION[:OPTION][*REPEAT]`.")


class Assumption(Model):
    """A number or choice no source states."""

    id: str = Field(description="Short id.", pattern=r"^[a-z0-9_]+$")
    text: str = Field(description="What is assumed and why; 'calibrated' when set by `backfire calibrate`.")
    calibrated: bool = Field(False, description="True when the value was tuned to meet the targets.")


class Dynamics(Model):
    """Engine parameters shared by every segment (modelling assumptions, calibrated)."""

    attention_half_life: Minutes = Field(gt=0, description="How fast interest in the tag fades without new exposure.")
    exposure_gain: float = Field(gt=0, description="How much one weighted exposure raises attention.")
    novelty_half_life: Minutes = Field(
        gt=0, description="How fast the tag itself stops drawing newcomers (firestorms form and fade within hours)."
    )
    novelty_half_volume: float | None = Field(
        None,
        gt=0,
        description=(
            "Posts on the tag that halve its novelty: the joke wears out as it is told, so a storm that starts early "
            "burns out sooner. Omitted: novelty fades with time only."
        ),
    )
    imitation: float = Field(ge=0, description="How much seeing a kind of post raises the odds of writing that kind.")
    stance_weight: float = Field(
        ge=0,
        le=10,
        description="How strongly stance tilts hostile vs supportive posts, from 0 to 10 (a motive is at most e^weight).",
    )
    fatigue: Share = Field(
        description="Per-post factor on a persona's rate (0.8: each post makes the next 20% less likely)."
    )
    reply_rate: float = Field(
        ge=0, description="Chance per turn that a persona who saw a fresh brand post replies to it."
    )
    brand_post_half_life: Minutes = Field(gt=0, description="How fast a brand post stops drawing replies.")
    quote_share: Share = Field(
        description="Share of reactions to a brand post written as posts on the tag (quotes) instead of replies."
    )
    brand_post_reach: Share = Field(
        description="Share of the tag's followers (everyone attentive) who see a brand post while the tag is hot."
    )
    trending_threshold: float = Field(gt=0, description="Posts per hour that make the tag trend.")
    trending_share: Share = Field(description="Share of the whole crowd a trending tag reaches per turn.")
    spontaneous: float = Field(
        ge=0, description="Posts per hour per segment member with no exposure (background chatter)."
    )


class ScoreDimension(Model):
    """One dimension of the score: your run against history's on the same crowd."""

    metric: SummaryMetric = Field(description="Summary metric it reads (the names in `scenario/metrics.py`).")
    label: str = Field(description="Name shown in the debrief.")
    weight: float = Field(ge=0, description="Weight in the total.")
    better: Literal["lower", "higher"] = Field(description="Direction that is better.")
    kind: Literal["harm", "goal"] = Field(
        "harm", description="`harm`: what the storm did (it gates the goal); `goal`: what the campaign wanted."
    )
    scale: float = Field(
        gt=0,
        description=(
            "For a count or share: the floor added to both values before their log ratio, "
            "log2((history + scale) / (you + scale)), so differences far below it count little (counts at the "
            "scenario's crowd size). With `signed: true`: the difference that weighs as much as a doubling."
        ),
    )
    signed: bool = Field(
        False, description="For metrics around 0 (stance change): compare the difference, not the ratio."
    )


def _default_gate() -> list[SummaryMetric]:
    return ["hostile_total", "stance_change"]


class Scoring(Model):
    """How a run is scored against history (weights are the scenario author's judgement)."""

    dimensions: list[ScoreDimension] = Field(min_length=1, description="The dimensions.")
    gate: list[SummaryMetric] = Field(
        default_factory=_default_gate,
        description=(
            "Harm dimensions that gate the goal: a run worse than history on all of them cannot be called better, "
            "whatever its goal (each must be a dimension's metric)."
        ),
    )


class ValidityCheck(Model):
    """A judgement the score must agree with: one plan beats another in most crowds, as a source (or common sense) says."""

    id: str = Field(description="Short id.", pattern=r"^[a-z0-9_-]+$")
    better: str = Field(
        description="The plan that should score higher: `history`, a strategy id, or a decision script."
    )
    worse: str = Field(description="The plan that should score lower (same forms).")
    share: Share = Field(0.75, description="Share of crowds in which `better` must score above `worse`.")
    source: SourceId | None = Field(
        None, description="Source of the judgement; omitted only for common sense (say so in `why`)."
    )
    why: str = Field(description="The judgement in a line, with the source's words where it has them.")


class Modifier(Model):
    """How a signal of a written post scales its provocation: provocation × (1 + `provocation` × signal)."""

    signal: SignalId = Field(
        description=(
            "`specificity`, `empathy`, `responsibility`, `evasive` (a reply that does not answer), `shouting`, "
            "`inflame` or `soothe` (the case words below) or `negative` (VADER); each from 0 to 1."
        )
    )
    provocation: float = Field(
        ge=-1,
        le=10,
        description="Change in provocation per unit of the signal: -0.3 means a fully specific post draws 30% less.",
    )
    why: str = Field(description="Why, in a line: a source's finding or a modelling assumption.")
    source: SourceId | None = Field(None, description="Source of the finding, when a source states it.")


class Language(Model):
    """How this case reads the player's written posts: the era's length limit, case words and modifiers."""

    max_chars: int = Field(
        280, ge=20, le=280, description="Longest post the player may write (140 on Twitter in 2013)."
    )
    inflame: list[str] = Field(
        default_factory=list,
        description="Words and phrases that inflame in this case (e.g. 'trolls' toward activists).",
    )
    soothe: list[str] = Field(default_factory=list, description="Words and phrases that soothe in this case.")
    topics: dict[KindId, list[str]] = Field(
        default_factory=dict,
        description="Words that show a reply addresses a kind of post (its topic), besides the words of the post itself.",
    )
    postures: dict[PostureId, list[str]] = Field(
        default_factory=dict,
        description="Extra phrases (regular expressions, case-insensitive) that show a posture in this case.",
    )
    modifiers: list[Modifier] = Field(
        default_factory=list,
        description="How the post's signals scale the provocation of the option it is read as (see the guide).",
    )

    @field_validator("postures")
    @classmethod
    def _patterns_compile(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for posture, patterns in value.items():
            for pattern in patterns:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"{posture}: {pattern!r} is not a regular expression ({exc})") from None
        return value


class Scenario(Model):
    """A crisis case: everything the simulator, the scorer and the debrief need."""

    id: str = Field(description="Id used on the command line.", pattern=r"^[a-z0-9_-]+$")
    title: str = Field(description="Title shown in the picker.")
    date: str = Field(description="When it happened (free text, e.g. 'November 2013').")
    summary: str = Field(description="A paragraph for the briefing.")
    sources: list[Source] = Field(min_length=1, description="Every article a fact or quote comes from.")
    brand: Brand = Field(description="The brand and its context.")
    campaign: Campaign = Field(description="The campaign.")
    clock: Clock = Field(description="Turn length and horizon.")
    audience: Audience = Field(description="The crowd.")
    kinds: list[Kind] = Field(min_length=1, description="Kinds of post.")
    dynamics: Dynamics = Field(description="Engine parameters.")
    voices: Voices = Field(description="Feed text.")
    actions: Actions = Field(description="Moves.")
    language: Language = Field(
        default_factory=Language, description="How the player's written posts are read (length limit, case words)."
    )
    injects: list[Inject] = Field(default_factory=list, description="Events during play.")
    history: History = Field(description="What really happened.")
    targets: list[Target] = Field(min_length=1, description="Documented outcomes.")
    lessons: list[Lesson] = Field(min_length=1, description="What the sources say.")
    strategies: list[Strategy] = Field(default_factory=list, description="Named decision scripts (besides `history`).")
    scoring: Scoring = Field(description="Score weights.")
    validity: list[ValidityCheck] = Field(
        default_factory=list,
        description="Orders of plans the score must reproduce in most crowds (checked by `backfire check` and the tests).",
    )
    assumptions: list[Assumption] = Field(min_length=1, description="Every number no source states.")

    # Convenience lookups -------------------------------------------------
    def segment_ids(self) -> list[str]:
        """Return segment ids in declared order."""
        return [s.id for s in self.audience.segments]

    def kind_ids(self) -> list[str]:
        """Return kind ids in declared order."""
        return [k.id for k in self.kinds]

    def option_ids(self) -> dict[str, list[str]]:
        """Return option ids per move, including `open`."""
        return {
            "open": [o.id for o in self.campaign.openings],
            "answer": [o.id for o in self.actions.answer],
            "pause": [o.id for o in self.actions.pause],
            "cancel": [o.id for o in self.actions.cancel],
        }

    def default_opening(self) -> Opening:
        """Return the historical opening (or the first)."""
        for o in self.campaign.openings:
            if o.id == self.history.opening:
                return o
        return self.campaign.openings[0]

    def source(self, source_id: str) -> Source:
        """Return the source with this id."""
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)
