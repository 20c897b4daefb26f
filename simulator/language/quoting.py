"""Phrases of a brand's post that the crowd quotes or turns back."""

from __future__ import annotations

import re

# Clauses end at punctuation, but not inside a number, a time or a range ("9.2%", "1:30pm", "1–2pm").
# A full stop ends a clause where a space or the end follows: not inside an address ("care@mcd.com", "AskSeaWorld.com").
_CUT = re.compile(
    r"[!?;()\n]+|(?:\.(?=[\s\"”’)]|$)|(?:(?<!\d)[:—–]|[:—–](?!\d)))+|,\s+|\s+-\s+"
    r"|\s+(?:and|but|because|until|unless|while|so that|which)\s+"
)
_LEADING = re.compile(r"^(?:and|but|so|because|or)\s+", re.IGNORECASE)
_NOISE = re.compile(r"https?://\S+|(?<!\w)[#@]\w+|[“”\"]")
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")  # someone else's words inside the post (the question it answers)
# Words a quoted phrase may not end on: a tag or a handle cut from its end leaves "Tweet your Q early using".
_DANGLING = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "so",
        "to",
        "of",
        "for",
        "in",
        "on",
        "at",
        "by",
        "with",
        "using",
        "via",
        "from",
        "into",
        "than",
        "your",
        "our",
        "my",
        "their",
        "its",
        "this",
        "that",
        "as",
        "is",
        "are",
    ]
)


# A clause made only of these is courtesy, not content: the crowd quotes what the post says, not its "Fair point".
_COURTESY = frozenset(
    [
        "fair",
        "point",
        "points",
        "great",
        "good",
        "question",
        "questions",
        "thanks",
        "thank",
        "you",
        "for",
        "asking",
        "sorry",
        "hi",
        "hello",
        "hey",
        "ok",
        "okay",
        "right",
        "you're",
        "you’re",
        "hear",
        "true",
        "totally",
        "absolutely",
        "sure",
        "yes",
        "no",
        "well",
        "so",
        "indeed",
        "noted",
        "understood",
        "enough",
        "all",
        "everyone",
    ]
)


# Words that carry no content of their own: a clause made only of these ("we will", "got them") says nothing to quote.
_FUNCTION = frozenset(
    [
        "a",
        "an",
        "the",
        "we",
        "you",
        "they",
        "it",
        "them",
        "us",
        "i",
        "me",
        "he",
        "she",
        "him",
        "her",
        "this",
        "that",
        "these",
        "those",
        "will",
        "would",
        "can",
        "could",
        "shall",
        "should",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "got",
        "get",
        "be",
        "been",
        "am",
        "is",
        "are",
        "was",
        "were",
        "we're",
        "we'll",
        "we've",
        "we'd",
        "it's",
        "that's",
        "they're",
        "there",
        "here",
    ]
)


def _whole(words: list[str]) -> list[str]:
    """The words without a trailing word that needs more after it."""
    while words and words[-1].lower() in _DANGLING:
        words = words[:-1]
    return words


_TAG = re.compile(r"[#@]\w+[^\w\s]*$")
_LINK = re.compile(r"https?://\S+")
_REMOVED = "\x00"  # where a link or someone else's quoted words were taken out
_PIECES = re.compile(f"({_CUT.pattern}|{_REMOVED})")


def _untagged(words: list[str]) -> tuple[list[str], bool]:
    """The clause's words without the tags and handles at its ends; one inside it is a word of the sentence.

    "Today's #AskBG is cancelled" keeps its tag (cut, it reads "Today's is cancelled"), as does a leading tag
    that is the clause's subject ("#AskBG is off for today") and a trailing one after a possessive ("We're
    moving today's #AskBG"); "#AskBG Do I pay?" and "…the drawing board #AskJPM" lose theirs. Also returns
    whether a tag was cut from its end.
    """
    while words and _TAG.match(words[0]) and not (len(words) > 1 and words[1][:1].islower()):
        words = words[1:]
    cut = False
    while words and _TAG.match(words[-1]) and not (len(words) > 1 and words[-2].lower().endswith(("'s", "’s"))):
        words, cut = words[:-1], True
    return words, cut


def phrases(text: str, shortest: int = 2, longest: int = 12) -> list[str]:
    """Pieces of the post's own words worth quoting: clauses of 2 to 12 words, without links, quotes or the tags
    and handles at their ends (`_untagged`)."""
    out = []
    marked = _LINK.sub(f" {_REMOVED} ", _QUOTED.sub(f" {_REMOVED} ", text)).replace("“", " ").replace("”", " ")
    parts = _PIECES.split(marked.replace('"', " "))
    for piece, after in zip(parts[0::2], [*parts[1::2], ""], strict=True):
        words, cut = _untagged(_LEADING.sub("", piece.strip()).split())
        if cut or _REMOVED in after:  # a clause that ran on into what was cut ends on a whole word
            words = _whole(words)
        if shortest <= len(words) <= longest:
            out.append(" ".join(words))
    content = [p for p in out if any(w.lower().strip("'’") not in _COURTESY | _FUNCTION for w in p.split())]
    out = content or out
    if not out:
        words = _NOISE.sub(" ", text).split()
        words = _whole(words[:longest]) or words[:longest]
        if words:
            out.append(" ".join(words))
    return out


def own_words(text: str) -> str:
    """The post without the words it quotes from others (an answer's quote of the question it answers).

    A quote of one or two words is the post's own, in scare quotes or for emphasis: 'We are "sorry" you
    feel that way' still says sorry.
    """

    def others(m: re.Match[str]) -> str:
        return " " if len(m.group(0).split()) >= 3 else m.group(0)[1:-1]

    return " ".join(_QUOTED.sub(others, text).split())


_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+")  # where a sentence, or the lead-in before a colon, ends
_QUOTE_LEAST = 12  # a quote shorter than this (marks and ellipsis included) says nothing: leave it out


def _bare(word: str) -> bool:
    """A tag, a handle or a word with no letters or digits (an emoji, a dash): noise at a quote's edge."""
    return bool(_TAG.match(word)) or not re.search(r"\w", word)


def question_quote(question: str, room: int | None = None) -> str:
    """The crowd post an answer replies to, as the answer quotes it: “the question it asks”, within `room` characters.

    What the post asks is the span from the first sentence with a question mark to its last question
    mark ("OK, here's one: When will you stop breeding…?" quotes from "When"); a post that asks nothing
    is quoted whole. Words it quotes from someone else (the brand's own opening, thrown back) are left
    out when enough remains, as are tags, handles and emoji at its ends, and links. Past `room`
    (quotation marks included), whole questions are dropped from the end, then words, with an ellipsis;
    a quote with no room left is empty: the answer goes out without it. Quotation marks inside become
    single ones, as quotes inside quotes are written.
    """
    text = " ".join(_LINK.sub(" ", question).split())
    unquoted = " ".join(_QUOTED.sub(" ", text).split())
    if len([w for w in unquoted.split() if not _bare(w)]) >= 3:
        text = unquoted
    sentences = [s for s in _SENTENCE_END.split(text) if re.search(r"\w", s)]
    asking = [i for i, s in enumerate(sentences) if "?" in s]
    if asking:
        sentences = sentences[asking[0] : asking[-1] + 1]
        sentences[-1] = sentences[-1][: sentences[-1].rindex("?") + 1]
    # A one-word lead-in ("Great.", "OK.", "Wow.") is tone, not the point: the quote starts after it.
    while len(sentences) > 1 and len([w for w in sentences[0].split() if not _bare(w)]) <= 1:
        sentences = sentences[1:]
    words = " ".join(sentences).split()
    while words and _bare(words[0]):
        words = words[1:]
    while words and _bare(words[-1]) and "?" not in words[-1]:
        words = words[:-1]
    if not words:
        return ""

    def marked(body: str) -> str:
        return f"“{body.replace('“', '‘').replace('”', '’')}”"

    quote = marked(" ".join(words))
    if room is None or len(quote) <= room:
        return quote
    while len(sentences) > 1 and len(marked(" ".join(sentences))) > room:  # whole questions first
        sentences = sentences[:-1]
    words = [w for w in " ".join(sentences).split() if w]
    while words and _bare(words[0]):
        words = words[1:]
    if len(marked(" ".join(words))) <= room and words:
        return marked(" ".join(words))
    while words and len(marked(" ".join(words) + "…")) > room:
        words = words[:-1]
    words = _whole(words)
    kept = marked(" ".join(words).rstrip(",;:—–-") + "…") if words else ""
    return kept if len(kept) >= _QUOTE_LEAST else ""
