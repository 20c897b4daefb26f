"""Every quote shown as real appears verbatim in the source it names (modulo typographic quotes and spaces).

The checks run in any checkout against the short passages kept in
tests/fixtures/source_passages.json; with ../shared/ beside the checkout, every
kept passage is itself checked against the archived article or research notes.
"""

from __future__ import annotations

import pytest

from tests.scenario.passages import (
    EXTRA,
    NOTES,
    SHARED_RESEARCH,
    SHARED_SOURCES,
    article,
    facts,
    fragments,
    load,
    normalise,
    quoted_items,
    scenarios,
    where_read,
)

PASSAGES = load()
REGENERATE = "regenerate the kept passages with `python -m tests.scenario.passages` (needs ../shared/)"


def kept(key: str) -> str:
    """Return the kept passages of a source, joined (a fact must lie inside one passage)."""
    return "\n".join(PASSAGES.get(key, []))


@pytest.mark.parametrize("scenario", scenarios(), ids=lambda s: s.id)
def test_quotes_are_verbatim(scenario):
    missing = []
    for where, text, source_id in quoted_items(scenario):
        key = where_read(scenario, source_id)
        for frag in fragments(text):
            if frag not in kept(key):
                missing.append(f"{where}: {frag!r} is not in {key}")
    assert not missing, "\n".join(missing) + f"\n({REGENERATE} if the source does say it)"


@pytest.mark.parametrize("scenario", scenarios(), ids=lambda s: s.id)
def test_handles_dates_and_amounts_are_the_sources(scenario):
    missing = [f"{key}: {fact!r}" for key, fact in facts(scenario) if fact not in kept(key)]
    assert not missing, "\n".join(missing)


def test_quote_check_catches_an_invented_quote():
    body = kept("snarkpocalypse")
    assert normalise("Can I have my house back? #AskJPM") in body
    assert normalise("Can I have my yacht back? #AskJPM") not in body


def test_notes_check_catches_an_invented_quote():
    notes = kept(NOTES)
    assert normalise("“incredibly naive”") in notes
    assert normalise("incredibly brave") not in notes


def test_opening_tweet_date_chosen_from_the_embed(askjpm):
    assert "#askjpm - j.p. morgan (@jpmorgan) november 13, 2013" in kept("snarkpocalypse")
    assert askjpm.clock.start.startswith("2013-11-13")
    assert "nov. 6" in kept("hashtag_fail")


@pytest.mark.skipif(
    not (SHARED_SOURCES.is_dir() and SHARED_RESEARCH.is_dir()),
    reason=f"the archived articles are not beside this checkout ({SHARED_SOURCES}); the kept passages are checked where they are",
)
def test_kept_passages_are_verbatim_in_the_sources():
    """The fixture cannot drift: every kept passage is in its archived article (or the research notes)."""
    missing = [f"{key}: {p!r}" for key, passages in PASSAGES.items() for p in passages if p not in article(key)]
    assert not missing, "\n".join(missing)
    assert all(fact in kept(key) for key, fact in EXTRA)
