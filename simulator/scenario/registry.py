"""Find scenarios by id or path: the repository's scenarios/, the bundled copy, the user's folder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.errors import BackfireError, ScenarioError

if TYPE_CHECKING:
    from simulator.scenario.loader import LoadedScenario

USER_FOLDER_ENV = "BACKFIRE_SCENARIOS"


def user_scenario_folder() -> Path:
    """Return the user's scenario folder ($BACKFIRE_SCENARIOS or the platform data folder)."""
    if os.environ.get(USER_FOLDER_ENV):
        return Path(os.environ[USER_FOLDER_ENV])
    import platformdirs

    return Path(platformdirs.user_data_dir("backfire", appauthor=False)) / "scenarios"


def _bundled_folder() -> Path | None:
    try:
        import backfire_scenarios  # shipped from the repository's scenarios/
    except ImportError:
        return None
    paths = list(getattr(backfire_scenarios, "__path__", []))
    return Path(paths[0]) if paths else None


def scenario_folders() -> list[Path]:
    """Return the folders searched, in order (earlier wins on equal ids)."""
    folders: list[Path] = []
    local = Path.cwd() / "scenarios"
    for folder in (local, _bundled_folder(), user_scenario_folder()):
        if folder is not None and folder.is_dir() and folder.resolve() not in [f.resolve() for f in folders]:
            folders.append(folder)
    return folders


@dataclass(frozen=True)
class Listing:
    """One scenario file found: its id and title, or the problem that stopped it loading."""

    path: Path
    loaded: LoadedScenario | None
    error: str | None


def discover() -> list[Listing]:
    """Return every scenario file found in the search folders, valid or not."""
    from simulator.scenario.loader import load_scenario

    found: list[Listing] = []
    seen_ids: set[str] = set()
    for folder in scenario_folders():
        for path in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")):
            try:
                loaded = load_scenario(path)
            except ScenarioError as exc:
                found.append(Listing(path, None, str(exc.problems[0]) if exc.problems else str(exc)))
                continue
            if loaded.scenario.id in seen_ids:
                continue
            seen_ids.add(loaded.scenario.id)
            found.append(Listing(path, loaded, None))
    return found


def _is_file(path: Path) -> bool:
    """Path.is_file, but False for a name the system cannot even look up (too long, a NUL byte)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _shown(name: str) -> str:
    """A name as shown in an error: quoted, and cut if it is long."""
    return repr(name if len(name) <= 60 else name[:57] + "...")


def resolve(name: str) -> LoadedScenario:
    """Load a scenario named by path or by id; raise BackfireError listing what exists."""
    from simulator.scenario.loader import load_scenario

    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") or os.sep in name or _is_file(candidate):
        return load_scenario(candidate)
    for folder in scenario_folders():
        for suffix in (".yaml", ".yml"):
            path = folder / f"{name}{suffix}"
            if _is_file(path):
                loaded = load_scenario(path)
                if loaded.scenario.id == name:
                    return loaded
    for listing in discover():
        if listing.loaded is not None and listing.loaded.scenario.id == name:
            return listing.loaded
    known = [item.loaded.scenario.id for item in discover() if item.loaded is not None]
    raise BackfireError(
        f"no scenario {_shown(name)}; known: {', '.join(known) or '(none)'} "
        f"(searched {', '.join(str(f) for f in scenario_folders())})"
    )


def locate(name: str) -> Path | None:
    """Return the file a scenario name points to, without parsing it (None when only a parse could tell)."""
    candidate = Path(name)
    if _is_file(candidate):
        return candidate
    if candidate.suffix in (".yaml", ".yml") or os.sep in name:
        raise BackfireError(f"{_shown(name)}: file not found")
    for folder in scenario_folders():
        for suffix in (".yaml", ".yml"):
            path = folder / f"{name}{suffix}"
            if _is_file(path):
                return path
    return None
