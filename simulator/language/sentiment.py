"""Sentiment measured on text, as the press measured it: VADER's compound score.

VADER (the `vaderSentiment` package) is a lexicon and rules tuned for social
media; it ships its lexicon, so nothing is downloaded. A text is negative when
its compound score is at or below -0.05 (VADER's own threshold).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

NEGATIVE = -0.05


@lru_cache(maxsize=1)
def _analyser() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=65536)
def compound(text: str) -> float:
    """VADER's compound score of a text, from -1 (most negative) to 1."""
    return float(_analyser().polarity_scores(text)["compound"])


def is_negative(text: str) -> bool:
    """True when VADER reads the text as negative."""
    return compound(text) <= NEGATIVE
