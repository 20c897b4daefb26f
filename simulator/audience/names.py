"""Handles, display names and bios from Faker's own word lists (see `wordlists`).

Faker's weighted en_US providers make a few thousand names a second; a crowd
of a million cannot wait for that. We read Faker's lists (and their weights)
once, and make a persona's text only when it is shown, from counter-based
draws of (run seed, persona index): the same persona always has the same name.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from simulator.seeds import hashed_unit

_IDENTITY_SALT = 7919  # keeps a persona's name draws apart from its style's


@dataclass(frozen=True)
class Identity:
    """What the feed shows about a persona."""

    handle: str
    name: str
    bio: str


class _Words:
    def __init__(self, lists: dict[str, list]) -> None:
        def weighted(names: list[str], weights: list[float]) -> tuple[list[str], np.ndarray]:
            w = np.array(weights, dtype=np.float64)
            return list(names), w / w.sum()

        self.first, self.first_p = weighted(lists["first"], lists["first_weights"])
        self.last, self.last_p = weighted(lists["last"], lists["last_weights"])
        self.first_cdf = _cdf(self.first_p)
        self.last_cdf = _cdf(self.last_p)
        self.first_cum = self.first_cdf.tolist()  # for bisect: a persona's name is drawn one at a time
        self.last_cum = self.last_cdf.tolist()
        self.cities = list(_BIG_CITIES)
        self.states = list(lists["states"])
        self.jobs = list(lists["jobs"])
        self.words = list(_NAME_WORDS)
        self.company_suffixes = list(lists["company_suffixes"])


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
    """Return Faker's word lists, loaded once (from the kept copy while it matches the installed Faker)."""
    from simulator.audience.wordlists import faker_lists, snapshot_lists

    return _Words(snapshot_lists() or faker_lists())


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
    # Counter-based draws (splitmix64 of seed, index, k): a persona's words cost no generator.
    u = [hashed_unit(seed, index, k, _IDENTITY_SALT) for k in range(9)]
    first = w.first[bisect_right(w.first_cum, u[0])]
    last = w.last[bisect_right(w.last_cum, u[1])]
    cities = places or w.cities
    states = places or w.states
    city = cities[int(u[2] * len(cities))]  # = home_city(seed, index, places)
    state = states[int(u[3] * len(states))]
    word = w.words[int(u[4] * len(w.words))].capitalize()
    job = w.jobs[int(u[5] * len(w.jobs))]
    fill = {"First": first, "Last": last, "City": city, "State": state, "Word": word}
    if style in ("outlet", "group") or names:
        patterns = names or NAME_PATTERNS[style]
        name = patterns[int(u[6] * len(patterns))].format(**fill)
        if style == "group":
            handle = "".join(part.capitalize() for part in name.split())[:15]
        else:
            handle = "".join(part for part in name.split() if part[0].isalnum())[:15]
    else:
        name = f"{first} {last}"
        pattern = int(u[6] * 4)
        digits = 1 + int(u[7] * 998)
        handle = [f"{first}{last}", f"{first[0]}{last}{digits}", f"{first}_{last[:4]}", f"{last}{digits}"][pattern]
    bio_patterns = bios or BIO_PATTERNS.get(style, BIO_PATTERNS["person"])
    bio = bio_patterns[int(u[8] * len(bio_patterns))].format(job=job, city=city, state=state)
    return Identity(handle="@" + "".join(c for c in handle if c.isalnum() or c == "_")[:15], name=name, bio=bio)


def home_city(seed: int, index: int, places: tuple[str, ...] = ()) -> str:
    """The city of persona `index` (in its bio and some names): the one its posts speak of."""
    cities = places or words().cities
    return cities[int(hashed_unit(seed, index, 2, _IDENTITY_SALT) * len(cities))]


def draw_word(rng: np.random.Generator, name: str, places: tuple[str, ...] = (), year: int = 2013) -> str | None:
    """Draw the Faker-backed word a template slot names ({first_name}, {city}, {job}…); None for any other name.

    Only the slot asked for is drawn, so a post pays for the words it uses.
    `places` are the scenario's city names (empty: large US cities), which also stand in for states;
    `year` is the case's year.
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
    if name == "year":  # one of the five years before the case's own (`year`)
        return str(int(rng.integers(year - 5, year)))
    if name == "company":
        last = w.last[int(rng.integers(len(w.last)))]
        return f"{last} {w.company_suffixes[int(rng.integers(len(w.company_suffixes)))]}"
    return None
