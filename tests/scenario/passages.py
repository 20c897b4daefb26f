"""Short passages of the sources, kept under tests/fixtures/ so the quote checks run in any checkout.

The project does not copy the articles. For each fact the tests check (a quote
fragment, a handle, a date, an amount), it keeps the normalised words with a
little context and the id of the source they come from. With ../shared/ beside
the checkout, a test checks every kept passage against the archived article,
so the fixture cannot drift from the sources.

Regenerate after changing a quote (needs ../shared/):
    python -m tests.scenario.passages
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
SHARED_SOURCES = ROOT.parent / "shared" / "sources"
SHARED_RESEARCH = ROOT.parent / "shared" / "research"
FIXTURE = ROOT / "tests" / "fixtures" / "source_passages.json"
NOTES = "research-notes"  # pages with no archive were read through the research notes
CONTEXT = 30  # characters of context kept on each side of a checked fact

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def normalise(text: str) -> str:
    """Return text with typographic quotes and dashes made plain, spaces folded, lower case."""
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).strip().lower()


def fragments(quote: str) -> list[str]:
    """A quote may elide with an ellipsis; each fragment must appear."""
    return [normalise(part) for part in re.split(r"\s*(?:…|\.\.\.)\s*", quote) if part.strip()]


def scenarios() -> list[Any]:
    """Every scenario in scenarios/."""
    from simulator.scenario import load_scenario

    return [load_scenario(p).scenario for p in sorted(SCENARIOS.glob("*.yaml"))]


def quoted_items(scenario: Any) -> Iterator[tuple[str, str, str]]:
    """Yield (where, text, source id) for every text a scenario presents as a source's own words."""
    for i, q in enumerate(scenario.voices.quotes):
        yield f"voices.quotes[{i}]", q.text, q.source
    for o in scenario.campaign.openings:
        if o.real:
            yield f"opening {o.id}", o.text, o.source
    for c in scenario.actions.cancel:
        if c.real:
            yield f"cancel {c.id}", c.text, c.source
    for t in scenario.targets:
        yield f"target {t.id}", t.quote, t.source
    for a in scenario.actions.answer:
        if a.real:
            yield f"answer {a.id}", a.text, a.source
    for lesson in scenario.lessons:
        yield f"lesson {lesson.id}", lesson.quote, lesson.source


def where_read(scenario: Any, source_id: str) -> str:
    """Return the key a source's passages are kept under: its own id, or the research notes for unarchived pages."""
    return source_id if scenario.source(source_id).archive_file else NOTES


def facts(scenario: Any) -> Iterator[tuple[str, str]]:
    """Yield (passage key, normalised text) for every fact the source tests check."""
    for _, text, source_id in quoted_items(scenario):
        for frag in fragments(text):
            yield where_read(scenario, source_id), frag
    for q in scenario.voices.quotes:
        key = where_read(scenario, q.source)
        if q.handle:
            yield key, normalise(f"({q.handle})")
        if q.date:
            yield key, normalise(q.date)
    for item in scenario.brand.context:
        if item.amount:
            yield where_read(scenario, item.source), normalise(item.amount)


EXTRA = [
    ("snarkpocalypse", "#askjpm - j.p. morgan (@jpmorgan) november 13, 2013"),  # the opening tweet's embed date
    ("hashtag_fail", "nov. 6"),  # the other date, which the clock does not use
]


@functools.cache
def article(key: str) -> str:
    """Return a source's archived text (or the research notes), normalised."""
    if key == NOTES:
        return normalise(" ".join(p.read_text(encoding="utf-8") for p in sorted(SHARED_RESEARCH.glob("*.md"))))
    from simulator.scenario import load_scenario

    for path in sorted(SCENARIOS.glob("*.yaml")):
        sc = load_scenario(path).scenario
        for s in sc.sources:
            if s.id == key and s.archive_file:
                return normalise((SHARED_SOURCES / s.archive_file).read_text(encoding="utf-8"))
    raise KeyError(key)


def passage(body: str, fact: str) -> str:
    """Return the fact with up to CONTEXT characters either side, cut at spaces."""
    at = body.index(fact)
    start = max(0, at - CONTEXT)
    end = min(len(body), at + len(fact) + CONTEXT)
    if start > 0 and " " in body[start:at]:
        start = body.index(" ", start) + 1
    if end < len(body) and " " in body[at + len(fact) : end]:
        end = body.rindex(" ", at + len(fact), end)
    return body[start:end]


def build() -> dict[str, list[str]]:
    """Return the passages every fact needs, from ../shared/ (KeyError or ValueError when a fact is not in its source)."""
    wanted: dict[str, set[str]] = {}
    for sc in scenarios():
        for key, fact in facts(sc):
            wanted.setdefault(key, set()).add(fact)
    for key, fact in EXTRA:
        wanted.setdefault(key, set()).add(fact)
    out: dict[str, list[str]] = {}
    for key in sorted(wanted):
        body = article(key)
        out[key] = sorted({passage(body, fact) for fact in wanted[key] if fact in body})
    return out


def load() -> dict[str, list[str]]:
    """Return the kept passages, by source id."""
    data: dict[str, list[str]] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


if __name__ == "__main__":
    FIXTURE.write_text(json.dumps(build(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {FIXTURE}")
