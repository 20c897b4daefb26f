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
        from faker.providers.person.en_US import Provider as Person

        def weighted(table) -> tuple[list[str], np.ndarray]:
            names = list(table.keys())
            w = np.array(list(table.values()), dtype=np.float64)
            return names, w / w.sum()

        self.first, self.first_p = weighted({**Person.first_names_female, **Person.first_names_male})
        self.last, self.last_p = weighted(Person.last_names)
        self.first_cdf = _cdf(self.first_p)
        self.last_cdf = _cdf(self.last_p)
        self.cities = list(_BIG_CITIES)
        self.states = list(Address.states)
        self.jobs = list(Job.jobs)
        self.words = list(_NAME_WORDS)
        self.company_suffixes = list(Company.company_suffixes)


def _cdf(p: np.ndarray) -> np.ndarray:
    """The cumulative table numpy's `choice(p=...)` builds: cumsum, then divided by its last value."""
    cdf = p.cumsum()
    cdf /= cdf[-1]
    return cdf


# Words for `{Word}` in account names ("The {Word} Ledger", "{Word} Street Daily"): words a newsroom or a
# group would put in its name. Faker's lorem list gave "Until Not Banks" and "The Already Ledger".
_NAME_WORDS = (
    "Capital",
    "Main",
    "Harbor",
    "Summit",
    "Liberty",
    "Union",
    "Frontier",
    "Beacon",
    "Keystone",
    "Pioneer",
    "Civic",
    "Metro",
    "Evergreen",
    "Lakeside",
    "Northside",
    "Crossroads",
    "Granite",
    "Redwood",
    "Commons",
    "Bayside",
    "Heartland",
    "Gateway",
    "Riverside",
    "Meridian",
)


# Real US city names for text (Faker's en_US cities are invented compounds).
_BIG_CITIES = (
    "Columbus",
    "Fresno",
    "Memphis",
    "Newark",
    "Oakland",
    "Charlotte",
    "Denver",
    "Houston",
    "Cleveland",
    "Phoenix",
    "Detroit",
    "Atlanta",
    "Tampa",
    "Sacramento",
    "Las Vegas",
    "Stockton",
    "Riverside",
    "Baltimore",
    "Chicago",
    "Miami",
)


@lru_cache(maxsize=1)
def words() -> _Words:
    """Return Faker's word lists, loaded once."""
    return _Words()


# Built-in patterns, used when a segment declares none: plain news and community names,
# not tied to any one case. A scenario gives its own in `segments[].names` and `.bios`.
NAME_PATTERNS = {
    "outlet": (
        "{City} Daily News",
        "The {Last} Report",
        "{City} Business Journal",
        "The {Word} Post",
        "{City} News Desk",
        "The {Word} Ledger",
    ),
    "group": (
        "{City} Community Action",
        "{City} Citizens' Voice",
        "The {Word} Collective",
        "{State} Action Network",
        "{City} Campaign Group",
    ),
}
BIO_PATTERNS = {
    "person": (
        "{job} in {city}.",
        "{job}. Opinions my own.",
        "{city} | {job} | coffee",
        "Student. {city}.",
        "Parent. {job}. {state}.",
    ),
    "outlet": ("News from {city}.", "Reporting. Tips: DM open.", "News, business, culture."),
    "group": ("Organizing in {city}.", "People over profits.", "Volunteer-run, from {city}."),
}


def identity(
    seed: int,
    index: int,
    style: str,
    names: tuple[str, ...] = (),
    bios: tuple[str, ...] = (),
    places: tuple[str, ...] = (),
) -> Identity:
    """Return the handle, display name and bio of persona `index` in the run with `seed`.

    `names` and `bios` are the segment's patterns (empty: the built-in ones for `style`);
    `places` are the scenario's city names (empty: large US cities), which also stand in for states.
    """
    w = words()
    rng = np.random.default_rng([seed, index, 7919])
    # The same draws as rng.choice(n, p=...) (one uniform, then the cumulative table), without rebuilding the table.
    first = w.first[int(w.first_cdf.searchsorted(rng.random(), side="right"))]
    last = w.last[int(w.last_cdf.searchsorted(rng.random(), side="right"))]
    cities = places or w.cities
    states = places or w.states
    city = cities[int(rng.integers(len(cities)))]
    state = states[int(rng.integers(len(states)))]
    word = w.words[int(rng.integers(len(w.words)))].capitalize()
    job = w.jobs[int(rng.integers(len(w.jobs)))]
    fill = {"First": first, "Last": last, "City": city, "State": state, "Word": word}
    if style in ("outlet", "group") or names:
        patterns = names or NAME_PATTERNS[style]
        name = patterns[int(rng.integers(len(patterns)))].format(**fill)
        if style == "group":
            handle = "".join(part.capitalize() for part in name.split())[:15]
        else:
            handle = "".join(part for part in name.split() if part[0].isalnum())[:15]
    else:
        name = f"{first} {last}"
        pattern = int(rng.integers(4))
        digits = int(rng.integers(1, 999))
        handle = [f"{first}{last}", f"{first[0]}{last}{digits}", f"{first}_{last[:4]}", f"{last}{digits}"][pattern]
    bio_patterns = bios or BIO_PATTERNS.get(style, BIO_PATTERNS["person"])
    bio = bio_patterns[int(rng.integers(len(bio_patterns)))].format(job=job, city=city, state=state)
    return Identity(handle="@" + "".join(c for c in handle if c.isalnum() or c == "_")[:15], name=name, bio=bio)


def draw_word(rng: np.random.Generator, name: str, places: tuple[str, ...] = ()) -> str | None:
    """Draw the Faker-backed word a template slot names ({first_name}, {city}, {job}…); None for any other name.

    Only the slot asked for is drawn, so a post pays for the words it uses.
    `places` are the scenario's city names (empty: large US cities), which also stand in for states.
    """
    w = words()
    if name == "city":
        cities = places or w.cities
        return cities[int(rng.integers(len(cities)))]
    if name == "state":
        states = places or w.states
        return states[int(rng.integers(len(states)))]
    if name == "first_name":
        return w.first[int(w.first_cdf.searchsorted(rng.random(), side="right"))]
    if name == "job":
        return w.jobs[int(rng.integers(len(w.jobs)))].split(",")[0].lower()
    if name == "year":
        return str(int(rng.integers(2008, 2013)))
    if name == "company":
        last = w.last[int(rng.integers(len(w.last)))]
        return f"{last} {w.company_suffixes[int(rng.integers(len(w.company_suffixes)))]}"
    return None
