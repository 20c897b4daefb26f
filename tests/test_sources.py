"""Every quote shown as real appears verbatim in the source it names (modulo typographic quotes and spaces)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import SCENARIOS, SHARED_RESEARCH, SHARED_SOURCES

pytestmark = pytest.mark.skipif(
    not SHARED_SOURCES.is_dir(),
    reason=f"the archived articles are not in this checkout ({SHARED_SOURCES}); the project does not copy them",
)

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).strip().lower()


def archived(scenario, source_id: str) -> str:
    source = scenario.source(source_id)
    assert source.archive_file, f"source {source_id} has no archive_file"
    return normalise((SHARED_SOURCES / source.archive_file).read_text(encoding="utf-8"))


def fragments(quote: str) -> list[str]:
    """A quote may elide with an ellipsis; each fragment must appear."""
    return [normalise(part) for part in re.split(r"\s*(?:…|\.\.\.)\s*", quote) if part.strip()]


def quoted_items(scenario):
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


def scenarios():
    from simulator.scenario import load_scenario

    return [load_scenario(p).scenario for p in sorted(SCENARIOS.glob("*.yaml"))]


@pytest.mark.parametrize("scenario", scenarios(), ids=lambda s: s.id)
def test_quotes_are_verbatim(scenario):
    missing = []
    for where, text, source_id in quoted_items(scenario):
        if not scenario.source(source_id).archive_file:
            continue
        body = archived(scenario, source_id)
        for frag in fragments(text):
            if frag not in body:
                missing.append(f"{where}: {frag!r} not in {source_id}")
    assert not missing, "\n".join(missing)


def research_notes() -> str:
    return normalise(" ".join(p.read_text(encoding="utf-8") for p in sorted(SHARED_RESEARCH.glob("*.md"))))


@pytest.mark.skipif(not SHARED_RESEARCH.is_dir(), reason=f"the research notes are not in this checkout ({SHARED_RESEARCH})")
@pytest.mark.parametrize("scenario", scenarios(), ids=lambda s: s.id)
def test_quotes_from_unarchived_pages_are_in_the_research_notes(scenario):
    """Pages with no archived text were read through the research notes: a quote must appear there verbatim."""
    notes = research_notes()
    missing = []
    for where, text, source_id in quoted_items(scenario):
        if scenario.source(source_id).archive_file:
            continue
        for frag in fragments(text):
            if frag not in notes:
                missing.append(f"{where}: {frag!r} (source {source_id}) is not in the research notes")
    assert not missing, "\n".join(missing)


def test_quote_check_catches_an_invented_quote(askjpm):
    body = archived(askjpm, "snarkpocalypse")
    assert normalise("Can I have my house back? #AskJPM") in body
    assert normalise("Can I have my yacht back? #AskJPM") not in body


def test_real_quotes_have_authors_as_the_source_gives_them(askjpm):
    body = archived(askjpm, "snarkpocalypse")
    for q in askjpm.voices.quotes:
        if q.handle:
            assert normalise(f"({q.handle})") in body
        if q.date:
            assert normalise(q.date) in body


def test_context_amounts_are_in_the_source(askjpm):
    for item in askjpm.brand.context:
        if item.amount:
            assert normalise(item.amount) in archived(askjpm, item.source)


def test_opening_tweet_date_chosen_from_the_embed(askjpm):
    body = archived(askjpm, "snarkpocalypse")
    assert "#askjpm - j.p. morgan (@jpmorgan) november 13, 2013" in body
    assert askjpm.clock.start.startswith("2013-11-13")
    assert "nov. 6" in archived(askjpm, "hashtag_fail")


@pytest.mark.skipif(not SHARED_RESEARCH.is_dir(), reason="the research notes are not in this checkout")
def test_notes_check_catches_an_invented_quote():
    notes = research_notes()
    assert normalise("“incredibly naive”") in notes
    assert normalise("incredibly brave") not in notes
