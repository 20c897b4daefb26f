"""Phrases of a brand's post that the crowd quotes or turns back."""

from __future__ import annotations

import re

_CUT = re.compile(r"[.!?;:—–()\n]+|,\s+|\s+-\s+")
_NOISE = re.compile(r"https?://\S+|(?<!\w)[#@]\w+|[“”\"]")


def phrases(text: str, shortest: int = 2, longest: int = 9) -> list[str]:
    """Pieces of the text worth quoting: clauses of 2 to 9 words, without tags, handles, links or quote marks."""
    out = []
    for piece in _CUT.split(_NOISE.sub(" ", text)):
        words = piece.split()
        if shortest <= len(words) <= longest:
            out.append(" ".join(words))
        elif len(words) > longest:
            out.append(" ".join(words[:longest]))
    if not out:
        words = _NOISE.sub(" ", text).split()
        if words:
            out.append(" ".join(words[:longest]))
    return out
