"""Faker's en_US word lists (names with their weights, states, jobs), and a kept copy of them.

Faker is where the personas' names come from. Importing it scans every locale
it ships (about 70 ms), so the lists are also kept in `data/faker_en_US.json`
with a digest of the provider files they were read from: the copy is used only
while the installed Faker's files have that digest, and Faker itself is read
otherwise. When Faker changes its lists, `python -m simulator.audience.wordlists`
writes the copy again.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

_PROVIDERS = ("person", "address", "job", "company")
_SNAPSHOT = Path(__file__).parent / "data" / "faker_en_US.json"


def _faker_files() -> list[Path] | None:
    """The installed Faker's en_US provider files (found without importing Faker), or None."""
    spec = importlib.util.find_spec("faker")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations))) / "providers"
    files = [root / p / "en_US" / "__init__.py" for p in _PROVIDERS]
    return files if all(f.is_file() for f in files) else None


def _digest(files: list[Path]) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(f.read_bytes())
    return h.hexdigest()


def faker_lists() -> dict[str, list]:
    """Read the word lists (and the names' weights) from Faker's en_US providers."""
    from faker.providers.address.en_US import Provider as Address
    from faker.providers.company.en_US import Provider as Company
    from faker.providers.job.en_US import Provider as Job
    from faker.providers.person.en_US import Provider as Person

    first = {**Person.first_names_female, **Person.first_names_male}
    return {
        "first": list(first),
        "first_weights": [float(v) for v in first.values()],
        "last": list(Person.last_names),
        "last_weights": [float(v) for v in Person.last_names.values()],
        "states": list(Address.states),
        "jobs": list(Job.jobs),
        "company_suffixes": list(Company.company_suffixes),
    }


def snapshot_lists() -> dict[str, list] | None:
    """The kept copy of Faker's lists, when the installed Faker's provider files are the ones it was read from."""
    files = _faker_files()
    try:
        data = json.loads(_SNAPSHOT.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if files is None or data.get("digest") != _digest(files):
        return None
    return data["lists"]


def write_snapshot() -> Path:
    """Write the copy of the installed Faker's lists (a maintainer's step when Faker changes them)."""
    files = _faker_files()
    if files is None:
        raise SystemExit("Faker is not installed")
    _SNAPSHOT.parent.mkdir(exist_ok=True)
    data = {"digest": _digest(files), "lists": faker_lists()}
    _SNAPSHOT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    return _SNAPSHOT


if __name__ == "__main__":
    print(f"wrote {write_snapshot()}")
