"""Persona style: each persona writes in a stable way, drawn from its id and the seed.

The same grammar then reads differently in different mouths: casing,
punctuation, emoji, where the hashtag goes, length, the odd typo. Traits come
from a generator seeded with (seed, persona), so a persona keeps its voice for
the whole run and across runs with the same seed; the per-post touches (which
emoji, which typo) come from the feed's generator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from simulator.language.reader import STOPWORDS
from simulator.seeds import hashed_unit

_STYLE_SALT = 0x5717E  # keeps the style stream apart from any other use of (seed, persona)

EMOJI = {
    "hostile": ["🙄", "😂", "🤡", "💀", "😡", "🤦", "👏", "🔥", "😬", "🤔"],
    "neutral": [],  # questions, news and survivors' stories get no emoji and no sign-off
    "supportive": ["👍", "🙏", "💪", "👏", "🙌"],
}
SIGN_OFFS = {"hostile": ["smh", "lol", "unreal", "wow", "jfc", "ugh"], "neutral": [], "supportive": []}


@dataclass(frozen=True)
class Style:
    """How one persona writes."""

    case: str  # "as is", "lower", "shouty" (a word in capitals now and then)
    end: str  # "keep", "bare" (no final full stop), "bang" (!!), "query" (?!)
    emoji: float  # chance of an emoji at the end
    tag: str  # "keep", "front", "end", "drop" (when the post has the tag more than once, or it is a reply)
    terse: bool  # drops a trailing clause when the post has two sentences
    typo: float  # chance of one swapped pair of letters
    sign_off: float  # chance of a word such as "smh" at the end


def _unit(seed: int, persona: int, k: int) -> float:
    """A uniform number in [0, 1) from (seed, persona, k): splitmix64, so a style costs no generator."""
    return hashed_unit(seed, persona, k, _STYLE_SALT)


def _pick(u: float, options: tuple[object, ...], weights: tuple[float, ...]) -> object:
    acc = 0.0
    for option, weight in zip(options, weights, strict=True):
        acc += weight
        if u < acc:
            return option
    return options[-1]


def style_of(seed: int, persona: int) -> Style:
    """The persona's style: the same for the same seed and persona."""
    u = [_unit(int(seed), int(persona), k) for k in range(7)]
    return Style(
        case=str(_pick(u[0], ("as is", "lower", "shouty"), (0.62, 0.28, 0.10))),
        end=str(_pick(u[1], ("keep", "bare", "bang", "query"), (0.5, 0.3, 0.12, 0.08))),
        emoji=float(_pick(u[2], (0.0, 0.3, 0.8), (0.55, 0.3, 0.15))),  # type: ignore[arg-type]
        tag=str(_pick(u[3], ("keep", "front", "end"), (0.6, 0.2, 0.2))),
        terse=u[4] < 0.25,
        typo=float(_pick(u[5], (0.0, 0.15), (0.8, 0.2))),  # type: ignore[arg-type]
        sign_off=float(_pick(u[6], (0.0, 0.25), (0.75, 0.25))),  # type: ignore[arg-type]
    )


_TAG = re.compile(r"(?<!\w)#\w+")
_QUOTE = re.compile(r"“[^”]*”|\"[^\"]*\"")
_KEPT = re.compile(r"\x00(\d+)\x00")
_SENTENCES = re.compile(r"(?<=[.!?])\s+")
_HANDLES = re.compile(r"((?<!\w)[#@]\w+)")
_SPACES = re.compile(r"\s{2,}")
_BEFORE_PUNCTUATION = re.compile(r" ([,.!?;:])")


@lru_cache(maxsize=64)
def _tag_places(tag: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Where a hashtag stands apart from the sentence: at the front before a capital or a quote, or at the end."""
    return re.compile(re.escape(tag) + r" [A-Z“\"\x00]"), re.compile(r"[.?!”\x00] " + re.escape(tag) + "$")


def restyle(text: str, style: Style, tone: str, rng: np.random.Generator, hashtag: str | None = None) -> str:
    """Write the text in the persona's style. A quoted phrase (“…” or "…") is never altered."""
    if not text:
        return text
    protected: list[str] = []

    def keep(m: re.Match[str]) -> str:
        protected.append(m.group(0))
        return f"\x00{len(protected) - 1}\x00"

    out = _QUOTE.sub(keep, text)
    # The tag moves only where it is not part of the sentence: at the front before a capital or a quote
    # ("#AskJPM How did you…"), at the end after a full stop or a question mark ("…again? #AskJPM").
    tag = hashtag or ""
    movable = bool(tag) and (_tag_places(tag)[0].match(out) is not None or _tag_places(tag)[1].search(out) is not None)
    if hashtag and movable and style.tag in ("front", "end") and out.count(hashtag) == 1:
        bare = tidy_spaces(out.replace(hashtag, ""))
        if bare:
            out = f"{hashtag} {bare}" if style.tag == "front" else f"{bare} {hashtag}"
    if style.terse:
        parts = _SENTENCES.split(out)
        if len(parts) > 1 and len(parts[0]) > 25 and (not hashtag or hashtag not in parts[-1]):
            out = " ".join(parts[:-1])
    if style.typo and rng.random() < style.typo:
        out = _typo(out, rng)
    if style.case == "lower":
        out = _outside_tags(out, str.lower)
    elif style.case == "shouty":
        words = out.split(" ")
        plain = [i for i, w in enumerate(words) if w.isalpha() and len(w) > 3]
        if plain:
            pick = int(rng.integers(len(plain)))  # drawn over all the words: the feed's stream stays as it was
            # People shout a word for emphasis ("a $920 MILLION fine"), not a name or "FROM": "JPMORGAN Chase" read
            # as a glitch.
            emphasis = [i for i in plain if i > 0 and words[i].islower() and words[i] not in STOPWORDS] or plain
            i = emphasis[pick % len(emphasis)]
            words[i] = words[i].upper()
        out = " ".join(words)
    out = out.rstrip()
    if style.end == "bare" and out.endswith(".") and not out.endswith(".."):
        out = out[:-1]
    elif style.end == "bang" and out[-1:] in ".!":
        out = out.rstrip(".!") + "!!"
    elif style.end == "query" and out.endswith("?"):
        out += "!"
    offs = SIGN_OFFS.get(tone, [])
    if offs and style.sign_off and rng.random() < style.sign_off:
        out += " " + offs[int(rng.integers(len(offs)))]
    icons = EMOJI.get(tone, [])
    if icons and style.emoji and rng.random() < style.emoji:
        out += " " + icons[int(rng.integers(len(icons)))]
    return _KEPT.sub(lambda m: protected[int(m.group(1))], out) if protected else out


def reads_as(text: str) -> str:
    """A post as a reader compares posts: its words in lower case, without emoji, punctuation or a hashtag's #.

    Two posts that differ only in a persona's style (casing, emoji, "!!") read as one.
    """
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def tidy_spaces(text: str) -> str:
    """One space between words, none at the ends or before punctuation."""
    return _BEFORE_PUNCTUATION.sub(r"\1", _SPACES.sub(" ", text)).strip()


def _outside_tags(text: str, change: object) -> str:
    """Apply a change to everything but hashtags and handles (`#AskJPM` keeps its case)."""
    pieces = _HANDLES.split(text)
    return "".join(p if p[:1] in "#@" else change(p) for p in pieces)  # type: ignore[operator]


def _typo(text: str, rng: np.random.Generator) -> str:
    """Swap two neighbouring letters in one longer word (never in a tag, a handle or a number)."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if w.isalpha() and len(w) >= 5 and w[:1] not in "#@"]
    if not long:
        return text
    i = long[int(rng.integers(len(long)))]
    w = words[i]
    j = int(rng.integers(1, len(w) - 2))
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)
