"""The reader: a brand post in the player's own words, read the way the crowd would.

A reading is deterministic and explainable: the same text always gives the same
reading, and every part of it carries the words that led to it. It has
- postures (LANGUAGE.md): one primary, any secondary, each scored by the
  weighted phrases and single cue words of the lexicon (`data/postures.yaml`)
  that the post contains (what follows a "but" weighs 1.5 times; a negated
  phrase of an apology, a compensation or a corrective action does not count);
- signals, each from 0 to 1: sentiment (VADER), responsibility taken,
  specificity, empathy, whether it answers the post it replies to, shouting,
  and the scenario's inflaming and soothing words;
- evidence: for each posture and signal, the phrases found.

A reading has no consequences of its own: `simulator.language.choice` maps it to
the scenario's declared options and modifiers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from simulator.language.quoting import own_words
from simulator.language.sentiment import NEGATIVE, compound
from simulator.scenario.postures import POSTURES

BUT = re.compile(r"\b(?:but|however|yet|although|though)\b", re.IGNORECASE)
WORD = re.compile(r"[#@]?[A-Za-z][A-Za-z'’\-]*|\d[\d,.:]*")
NEGATION_WINDOW = 3  # words before a phrase that can negate it
WORD_WEIGHT, WORD_CAP = 0.5, 1.5
DEFLECT_WHEN_ANSWERING = 0.9  # a pointer elsewhere weighs less than the answer in a reply that answers the question
SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
SUBSTANCE_WORDS = 5  # content words besides the pointer that make a reply more than a pointer
URL = re.compile(r"(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)+(?:/\S*)?|[\w.+-]+@[\w-]+\.[\w.]+")  # links, addresses
ANSWERS_WEIGHT = 1.0  # what sharing the question's topic adds to `answer`  # what each single cue word adds to a posture, and the most words can add
SECONDARY_SHARE = 0.4  # a secondary posture scores at least this share of the primary (and 1)
HANDLE = re.compile(r"^(?:\W*@\w+)?\W*")  # "@bob " before a reply's first words
TIE_ORDER = POSTURES  # ties go to the posture listed first

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "so",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "from",
        "by",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "it",
        "its",
        "it's",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "we",
        "our",
        "us",
        "you",
        "your",
        "yours",
        "i",
        "me",
        "my",
        "mine",
        "he",
        "she",
        "they",
        "them",
        "their",
        "his",
        "her",
        "do",
        "does",
        "did",
        "doing",
        "have",
        "has",
        "had",
        "having",
        "will",
        "would",
        "can",
        "could",
        "should",
        "shall",
        "may",
        "might",
        "must",
        "not",
        "no",
        "yes",
        "if",
        "then",
        "than",
        "too",
        "very",
        "just",
        "about",
        "what",
        "which",
        "who",
        "whom",
        "why",
        "how",
        "when",
        "where",
        "all",
        "any",
        "some",
        "more",
        "most",
        "other",
        "such",
        "only",
        "own",
        "same",
        "into",
        "over",
        "under",
        "again",
        "further",
        "once",
        "up",
        "down",
        "out",
        "off",
        "also",
        "get",
        "got",
        "rt",
        "via",
        "amp",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "im",
        "youre",
        "were",
        "well",
        "ok",
        "okay",
        "thanks",
        "thank",
        "please",
    ]
)


@dataclass(frozen=True)
class Lexicon:
    """Compiled phrases per posture and per signal, with the scenario's own words."""

    postures: dict[str, tuple[tuple[re.Pattern[str], float], ...]]
    words: dict[str, frozenset[str]]
    negatable: frozenset[str]
    not_after: dict[str, frozenset[str]]  # per posture: a cue word right after one of these is someone else's
    labels: dict[str, str]
    families: dict[str, str]
    signals: dict[str, tuple[re.Pattern[str], ...]]
    negation: re.Pattern[str]
    inflame: tuple[re.Pattern[str], ...] = ()
    soothe: tuple[re.Pattern[str], ...] = ()
    topics: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _phrase(pattern: str) -> re.Pattern[str]:
    """A phrase matched case-insensitively on word boundaries (where the phrase starts or ends with a word)."""
    start = r"(?<![\w#@])" if re.match(r"[\w(\[]", pattern) else ""
    return re.compile(f"{start}(?:{pattern})(?![\\w])", re.IGNORECASE)


def _literal(words: list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(_phrase(re.escape(w.strip())) for w in words if w.strip())


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    text = resources.files("simulator.language").joinpath("data/postures.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@lru_cache(maxsize=64)
def lexicon(
    extra: tuple[tuple[str, tuple[str, ...]], ...] = (),
    inflame: tuple[str, ...] = (),
    soothe: tuple[str, ...] = (),
    topics: tuple[tuple[str, tuple[str, ...]], ...] = (),
) -> Lexicon:
    """The shipped lexicon, plus a scenario's phrases per posture, case words and topic words (cached)."""
    data = _data()
    added = dict(extra)
    postures: dict[str, tuple[tuple[re.Pattern[str], float], ...]] = {}
    for posture in POSTURES:
        entry = data["postures"][posture]
        patterns = []
        for line in entry["phrases"]:
            weight, _, pattern = str(line).partition(" ")
            patterns.append((_phrase(pattern), float(weight)))
        patterns += [(_phrase(p), 1.0) for p in added.get(posture, ())]
        postures[posture] = tuple(patterns)
    return Lexicon(
        postures=postures,
        words={p: frozenset(str(w).lower() for w in data["postures"][p].get("words", [])) for p in POSTURES},
        negatable=frozenset(p for p in POSTURES if data["postures"][p].get("negatable")),
        not_after={p: frozenset(str(w).lower() for w in data["postures"][p].get("not_after", [])) for p in POSTURES},
        labels={p: str(data["postures"][p]["label"]) for p in POSTURES},
        families={p: str(data["postures"][p]["family"]) for p in POSTURES},
        signals={
            name: tuple(_phrase(str(p)) for p in patterns)
            for name, patterns in data["signals"].items()
            if name != "negation"
        },
        negation=_phrase(data["signals"]["negation"][0]),
        inflame=_literal(list(inflame)),
        soothe=_literal(list(soothe)),
        topics={kind: tuple(w.lower() for w in words) for kind, words in topics},
    )


def scenario_lexicon(language: Any) -> Lexicon:
    """The lexicon for a scenario's `language` block (a `simulator.scenario.schema.Language`)."""
    return lexicon(
        tuple((p, tuple(v)) for p, v in sorted(language.postures.items())),
        tuple(language.inflame),
        tuple(language.soothe),
        tuple((k, tuple(v)) for k, v in sorted(language.topics.items())),
    )


@dataclass(frozen=True)
class Reading:
    """What a post reads as, and why."""

    text: str
    posture: str
    postures: tuple[str, ...]
    scores: dict[str, float]
    signals: dict[str, Any]
    evidence: dict[str, list[str]]
    labels: dict[str, str]
    plain: bool = False  # no cue of any posture: a plain statement (its posture id is `answer`, the nearest engage)

    @property
    def label(self) -> str:
        """The postures in words, primary first: 'apology + corrective action'."""
        if self.plain:
            return "plain statement"
        return " + ".join(self.labels.get(p, p) for p in self.postures)

    def because(self, limit: int = 4) -> list[str]:
        """The phrases that led to the postures, the primary's first."""
        out: list[str] = []
        for p in self.postures:
            for phrase in self.evidence.get(p, []):
                if phrase.lower() not in (o.lower() for o in out):
                    out.append(phrase)
        return out[:limit]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "text": self.text,
            "posture": self.posture,
            "postures": list(self.postures),
            "label": self.label,
            "scores": {k: round(v, 3) for k, v in self.scores.items() if v},
            "signals": self.signals,
            "evidence": self.evidence,
        }


def _stem(word: str) -> str:
    w = word.lower().strip("#@'’.,:")
    for suffix in ("ing", "ies", "ed", "es", "s"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


def content_words(text: str) -> set[str]:
    """The words that carry a post's topic: no stopwords, tags, handles or numbers; lightly stemmed."""
    words = (w for w in WORD.findall(text) if w[0].isalpha())
    return {_stem(w) for w in words if w.lower() not in STOPWORDS and len(w) > 2}


def _negated(text: str, start: int, negation: re.Pattern[str]) -> bool:
    before = WORD.findall(text[:start])[-NEGATION_WINDOW:]
    return any(negation.fullmatch(w) for w in before)


def _count(patterns: tuple[re.Pattern[str], ...], text: str) -> list[str]:
    found: list[str] = []
    for pattern in patterns:
        found += [m.group(0) for m in pattern.finditer(text)]
    return found


def read(
    text: str,
    lex: Lexicon | None = None,
    question: str | None = None,
    kind: str | None = None,
) -> Reading:
    """Read a brand post. `question` is the text of the post it replies to, `kind` that post's kind (if known)."""
    lex = lex or lexicon()
    whole = text = text.strip()
    # The words it quotes from others (the question it answers, thrown back or agreed with) are not the brand's:
    # "“Why did you foreclose on me, trolls?” We got this wrong…" calls nobody a troll. A post that is all quote
    # is read as it is.
    own = own_words(text)
    if re.search(r"[^\W\d_]", own):
        text = own
    buts = [m.end() for m in BUT.finditer(text)]
    scores: dict[str, float] = dict.fromkeys(POSTURES, 0.0)
    evidence: dict[str, list[str]] = {}
    starts: dict[str, list[int]] = {}  # where each posture's counted phrases start
    for posture, patterns in lex.postures.items():
        found = [(weight, m) for pattern, weight in patterns for m in pattern.finditer(text)]
        taken: list[tuple[int, int]] = []
        # The heaviest phrase first; a phrase overlapping one already counted ("We're sorry" and "sorry") is not counted again.
        for weight, m in sorted(found, key=lambda f: (-f[0], f[1].start())):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            if posture in lex.negatable and _negated(text, m.start(), lex.negation):
                continue
            taken.append((m.start(), m.end()))
            starts.setdefault(posture, []).append(m.start())
            # What follows a "but" is what the post means (as VADER weighs it).
            scores[posture] += weight * (1.5 if any(b <= m.start() for b in buts) else 1.0)
            phrase = m.group(0).strip()
            if phrase not in evidence.setdefault(posture, []):
                evidence[posture].append(phrase)

    first = SENTENCE_END.search(text)
    leading = {p for p, at in starts.items() if any(a < (first.end() if first else len(text)) for a in at)}

    # Single words: each adds a little, so a post with no phrase of the lexicon still leans somewhere.
    tokens = [w.lower().strip("'’") for w in WORD.findall(text) if w[0].isalpha()]
    for posture, cues in lex.words.items():
        hits: list[str] = []
        counted = " ".join(evidence.get(posture, [])).lower()  # a word inside a phrase already counted adds nothing
        for i, token in enumerate(tokens):
            if token in cues and token not in hits and not re.search(rf"\b{re.escape(token)}", counted):
                if i and tokens[i - 1] in lex.not_after[posture]:  # "own your mistakes": not the brand's
                    continue
                if posture in lex.negatable and any(lex.negation.fullmatch(t) for t in tokens[max(0, i - 3) : i]):
                    continue
                hits.append(token)
        if hits:
            scores[posture] += min(WORD_CAP, WORD_WEIGHT * len(hits))
            evidence.setdefault(posture, []).extend(h for h in hits if h not in evidence[posture])

    signals: dict[str, Any] = {}
    sentiment = compound(text) if text else 0.0
    signals["sentiment"] = round(sentiment, 4)
    signals["negative"] = 1.0 if sentiment <= NEGATIVE else 0.0
    for name, cap in (("responsibility", 1), ("empathy", 2), ("specificity", 2)):
        phrases = _count(lex.signals[name], text)
        signals[name] = round(min(1.0, len(phrases) / cap), 3)
        if phrases:
            evidence[name] = list(dict.fromkeys(f.strip() for f in phrases))
    for name, case_words in (("inflame", lex.inflame), ("soothe", lex.soothe)):
        phrases = _count(case_words, text)
        signals[name] = min(1.0, float(len(phrases)))
        if phrases:
            evidence[name] = list(dict.fromkeys(phrases))
    words = WORD.findall(text)
    shouted = [w for w in words if len(w) >= 3 and w.isupper() and w[0].isalpha()]
    caps = len(shouted) / len(words) if words else 0.0
    bangs = text.count("!")
    signals["shouting"] = round(min(1.0, 2 * caps + 0.3 * max(0, bangs - 1)), 3)
    if shouted and caps >= 0.2:
        evidence["shouting"] = shouted[:4]
    signals["length"] = len(whole)
    signals["words"] = len(words)

    answers: bool | None = None
    if question is not None or kind is not None:
        mine = content_words(text)
        theirs = content_words(question or "")
        shared = sorted(mine & theirs)
        topic = [w for w in lex.topics.get(kind or "", ()) if re.search(rf"\b{re.escape(w)}", text, re.IGNORECASE)]
        need = 1 if len(theirs) <= 3 else 2
        conceded = _count(lex.signals["concede"], text)  # "Fair point": conceding a jab engages with it
        answers = len(shared) >= need or bool(topic) or bool(conceded)
        if shared or topic or conceded:
            evidence["answers"] = shared[:4] + topic[:2] + [HANDLE.sub("", c).strip() for c in conceded[:1]]
    signals["answers"] = answers
    signals["evasive"] = 1.0 if answers is False else 0.0
    if answers:
        scores["answer"] += ANSWERS_WEIGHT  # a reply on the question's own topic reads as an answer to it
        # and a link or a number beside such an answer is a pointer, not a brush-off: "Grades open the door…
        # apply by March at jpmorgan.com/careers" answers a student (found in play, #AskJPM). A post that says
        # little besides where to go ("See jpmorgan.com/careers for everything") is still the brush-off.
        rest = text
        for pointer in evidence.get("deflect", []):
            rest = rest.replace(pointer, " ")
        if len(content_words(URL.sub(" ", rest))) >= SUBSTANCE_WORDS:
            scores["deflect"] = min(scores["deflect"], DEFLECT_WHEN_ANSWERING * scores["answer"])

    ranked = sorted((p for p in POSTURES if scores[p] > 0), key=lambda p: (-scores[p], TIE_ORDER.index(p)))
    if ranked:
        primary = ranked[0]
        floor = max(1.0, SECONDARY_SHARE * scores[primary])
        postures = (primary, *(p for p in ranked[1:] if scores[p] >= floor))
    else:
        # No phrase of any posture: a plain statement, read as a straight answer.
        primary, postures = "answer", ("answer",)
    if leading == {"apologise"} and "apologise" in postures:
        # A post that opens with an apology and nothing else ("We're sorry. We've pulled the campaign…") is an
        # apology with its fixes, as a trainer reads it, not a fix with an apology.
        primary, postures = "apologise", ("apologise", *(p for p in postures if p != "apologise"))
    if "humour" in postures:
        self_words = re.search(r"\b(?:we|us|our|ourselves|i|me|my)\b", text, re.IGNORECASE)
        at_them = evidence.get("attack_accuser") or re.search(r"\b(?:chill|relax|haters|popcorn)\b", text, re.I)
        signals["humour"] = "self-deprecating" if self_words and not at_them else "flippant"
    else:
        signals["humour"] = None
    return Reading(
        text=whole,
        posture=primary,
        postures=tuple(postures),
        scores={p: round(s, 3) for p, s in scores.items()},
        signals=signals,
        evidence=evidence,
        labels=lex.labels,
        plain=not ranked,
    )
