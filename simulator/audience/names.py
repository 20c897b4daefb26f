"""Handles, display names and bios from Faker's own word lists, sampled with numpy.

Faker's weighted en_US providers make a few thousand names a second; a crowd
of a million cannot wait for that. We read Faker's lists (and their weights)
once, and make a persona's text only when it is shown, from a generator seeded
by (run seed, persona index): the same persona always has the same name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np


@dataclass(frozen=True)
class Identity:
    """What the feed shows about a persona."""

    handle: str
    name: str
    bio: str


class _Words:
    def __init__(self) -> None:
        from faker.providers.address.en_US import Provider as Address
        from faker.providers.company.en_US import Provider as Company
        from faker.providers.job.en_US import Provider as Job
        from faker.providers.lorem.en_US import Provider as Lorem
        from faker.providers.person.en_US import Provider as Person

        def weighted(table) -> tuple[list[str], np.ndarray]:
            names = list(table.keys())
            w = np.array(list(table.values()), dtype=np.float64)
            return names, w / w.sum()

        self.first, self.first_p = weighted({**Person.first_names_female, **Person.first_names_male})
        self.last, self.last_p = weighted(Person.last_names)
        self.cities = list(_BIG_CITIES)
        self.states = list(Address.states)
        self.jobs = list(Job.jobs)
        self.words = [w for w in Lorem.word_list if w.isalpha() and 3 <= len(w) <= 8]
        self.company_suffixes = list(Company.company_suffixes)


# Real US city names for text (Faker's en_US cities are invented compounds).
_BIG_CITIES = ("Columbus", "Fresno", "Memphis", "Newark", "Oakland", "Charlotte", "Denver", "Houston", "Cleveland", "Phoenix", "Detroit", "Atlanta", "Tampa", "Sacramento", "Las Vegas", "Stockton", "Riverside", "Baltimore", "Chicago", "Miami")


@lru_cache(maxsize=1)
def words() -> _Words:
    """Return Faker's word lists, loaded once."""
    return _Words()


_OUTLET = ("{City} Business Journal", "The {Last} Report", "{Word} Street Daily", "Finance {Word}", "{City} Money Desk", "The {Word} Ledger")
_GROUP = ("Occupy {City}", "{City} Housing Justice", "{Word} Not Banks", "Homes Before Banks {City}", "{State} Debt Strike")
_BIOS = {
    "person": ("{job} in {city}.", "{job}. Opinions my own.", "{city} | {job} | coffee", "Student. {city}.", "Dad, {job}, {state}."),
    "outlet": ("Business and markets news from {city}.", "Finance reporting. Tips: DM open.", "Markets, banks, money."),
    "group": ("Organizing for housing justice in {city}.", "People over profits.", "We are the 99%."),
}


def identity(seed: int, index: int, style: str, segment_label: str) -> Identity:
    """Return the handle, display name and bio of persona `index` in the run with `seed`."""
    w = words()
    rng = np.random.default_rng([seed, index, 7919])
    first = w.first[int(rng.choice(len(w.first), p=w.first_p))]
    last = w.last[int(rng.choice(len(w.last), p=w.last_p))]
    city = w.cities[int(rng.integers(len(w.cities)))]
    state = w.states[int(rng.integers(len(w.states)))]
    word = w.words[int(rng.integers(len(w.words)))].capitalize()
    job = w.jobs[int(rng.integers(len(w.jobs)))]
    fill = {"First": first, "Last": last, "City": city, "State": state, "Word": word}
    if style == "outlet":
        name = _OUTLET[int(rng.integers(len(_OUTLET)))].format(**fill)
        handle = "".join(part for part in name.split() if part[0].isalnum())[:15]
    elif style == "group":
        name = _GROUP[int(rng.integers(len(_GROUP)))].format(**fill)
        handle = "".join(part.capitalize() for part in name.split())[:15]
    else:
        name = f"{first} {last}"
        pattern = int(rng.integers(4))
        digits = int(rng.integers(1, 999))
        handle = [f"{first}{last}", f"{first[0]}{last}{digits}", f"{first}_{last[:4]}", f"{last}{digits}"][pattern]
    bio = _BIOS.get(style, _BIOS["person"])[int(rng.integers(3))].format(job=job, city=city, state=state)
    return Identity(handle="@" + "".join(c for c in handle if c.isalnum() or c == "_")[:15], name=name, bio=bio)


def fill_words(rng: np.random.Generator) -> dict[str, str]:
    """Return Faker-drawn words for template placeholders ({first_name}, {city}, {job}, ...)."""
    w = words()
    return {
        "first_name": w.first[int(rng.choice(len(w.first), p=w.first_p))],
        "city": w.cities[int(rng.integers(len(w.cities)))],
        "state": w.states[int(rng.integers(len(w.states)))],
        "job": w.jobs[int(rng.integers(len(w.jobs)))].split(",")[0].lower(),
        "year": str(int(rng.integers(2008, 2013))),
        "company": f"{w.last[int(rng.integers(len(w.last)))]} {w.company_suffixes[int(rng.integers(len(w.company_suffixes)))]}",
    }
