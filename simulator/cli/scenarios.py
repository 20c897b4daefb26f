"""Scenario files: list, validate, schema, new, check."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.cli.args import RUNS, add_command, add_json, add_scenario, add_size, add_workers
from simulator.cli.console import Progress, console, print_json, save_file, table, write_text
from simulator.errors import BackfireError, Problem, ScenarioError

if TYPE_CHECKING:
    from simulator.scenario.loader import LoadedScenario


def register(sub: Any) -> None:
    """Add the scenario commands."""
    p = add_command(
        sub,
        "validate",
        "Check scenario files; print every problem with file, line and field.",
        "backfire validate scenarios/",
        _validate,
    )
    p.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="scenario files (YAML), folders of them, or ids of scenarios in the scenario folders",
    )
    add_json(p)

    p = add_command(
        sub,
        "schema",
        "Print the JSON Schema of scenario files (for editors' YAML plugins).",
        "backfire schema -o scenarios/scenario.schema.json",
        _schema,
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.add_argument(
        "--markdown",
        action="store_true",
        help="print the field reference as Markdown instead (for the authoring guide)",
    )

    p = add_command(
        sub, "list", "List the scenarios found in scenarios/ and in your scenario folder.", "backfire list", _list
    )
    add_json(p)

    p = add_command(
        sub,
        "check",
        "Check a scenario: its history meets its targets, it is winnable, every inject can fire.",
        "backfire check askjpm --runs 8",
        _check,
    )
    add_scenario(p)
    p.add_argument("--runs", type=RUNS, default=8, help="number of seeds (default 8)")
    add_size(p)
    add_workers(p)
    add_json(p)

    p = add_command(
        sub,
        "new",
        "Write a commented scenario skeleton that validates, to start a new case.",
        "backfire new mycase",
        _new,
    )
    p.add_argument("id", help="scenario id (lowercase letters, digits, - and _)")
    p.add_argument("-o", "--output", metavar="FILE", help="where to write it (default: scenarios/ID.yaml)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")


def _validate(args: argparse.Namespace) -> int:
    from simulator.scenario import load_scenario
    from simulator.scenario.registry import locate

    results: list[dict[str, Any]] = []
    failed = False
    names: list[str] = []
    for name in args.files:  # a folder stands for its scenario files (`validate scenarios/`)
        folder = Path(name)
        try:
            is_folder = folder.is_dir()
        except OSError:  # a name the system cannot look up (too long): the loader says what is wrong with it
            is_folder = False
        if not is_folder:
            names.append(name)
            continue
        inside = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
        names += [str(f) for f in inside]
        if not inside:
            failed = True
            problem = Problem(name, None, None, "", "is a folder with no scenario files (*.yaml) in it")
            results.append({"file": name, "ok": False, "problems": [problem.__dict__]})
    for name in names:
        try:
            try:
                found = locate(name)  # a file, or a scenario id in the scenario folders (`validate askjpm`)
            except BackfireError:
                found = None  # a path that is not there: load_scenario says so, as a problem of that file
            if found is None and not Path(name).suffix and "/" not in name:
                loaded = _by_id(name)  # an id whose file has another name, or no such id
                name = str(loaded.path)
            else:
                loaded = load_scenario(found or name)
                name = str(found or name)
            results.append({"file": name, "ok": True, "id": loaded.scenario.id, "problems": []})
        except ScenarioError as exc:
            failed = True
            results.append({"file": name, "ok": False, "problems": [p.__dict__ for p in exc.problems]})
    if args.json:
        print_json({"ok": not failed, "files": results})
    else:
        for r in results:
            if r["ok"]:
                print(f"ok    {r['file']} ({r['id']})")
            else:
                n = len(r["problems"])
                print(f"FAIL  {r['file']}: {n} problem{'s' if n != 1 else ''}", file=sys.stderr)
                for p in r["problems"]:
                    print(f"  {Problem(**p)}", file=sys.stderr)
    return 2 if failed else 0


def _by_id(name: str) -> LoadedScenario:
    """The scenario with this id, wherever its file; a ScenarioError naming the known ids when there is none."""
    from simulator.scenario.registry import resolve

    try:
        return resolve(name)
    except ScenarioError:
        raise
    except BackfireError as exc:
        raise ScenarioError([Problem(name, None, None, "", str(exc))]) from None


def _schema(args: argparse.Namespace) -> int:
    from simulator.scenario.reference import scenario_json_schema, schema_reference_markdown

    if args.markdown:
        sys.stdout.write(schema_reference_markdown())
        return 0
    write_text(json.dumps(scenario_json_schema(), indent=2) + "\n", args.output)
    return 0


def _list(args: argparse.Namespace) -> int:
    from simulator.scenario.registry import discover, scenario_folders, user_scenario_folder

    found = discover()
    if args.json:
        print_json(
            {
                "folders": [str(f) for f in scenario_folders()],
                "user_folder": str(user_scenario_folder()),
                "scenarios": [
                    {
                        "id": item.loaded.scenario.id,
                        "title": item.loaded.scenario.title,
                        "date": item.loaded.scenario.date,
                        "hashtag": item.loaded.scenario.campaign.hashtag,
                        "brand": item.loaded.scenario.brand.name,
                        "path": str(item.path),
                    }
                    if item.loaded
                    else {"path": str(item.path), "error": item.error}
                    for item in found
                ],
            }
        )
        return 0
    rows = [
        [
            item.loaded.scenario.id,
            item.loaded.scenario.title,
            item.loaded.scenario.date,
            item.loaded.scenario.campaign.hashtag,
        ]
        for item in found
        if item.loaded
    ]
    out = console()
    out.print(table("Scenarios", ["id", "title", "date", "hashtag"], rows))
    for item in found:
        if item.error:
            out.print(f"[yellow]skipped[/] {item.error}")
    out.print(f"Searched: {', '.join(str(f) for f in scenario_folders())}. Your folder: {user_scenario_folder()}")
    out.print("Play one with: backfire play ID")
    return 0


def _check(args: argparse.Namespace) -> int:
    from simulator.scenario import resolve
    from simulator.scoring.checks import check_scenario

    scenario = resolve(args.scenario).scenario
    progress = Progress(enabled=not args.json)
    with progress.running():
        checks = check_scenario(scenario, list(range(args.runs)), args.size, workers=args.workers)
    ok = all(c.passed or c.warning for c in checks)
    if args.json:
        print_json({"scenario": scenario.id, "passes": ok, "checks": [c.__dict__ for c in checks]})
    else:
        out = console()
        out.print(f"Checks of {scenario.id} (validation, sources and quotes passed on load; {args.runs} seeds):")
        for c in checks:
            mark = "pass" if c.passed else ("WARN" if c.warning else "FAIL")
            out.print(f"  {mark}  {c.name}: {c.detail}", markup=False)
    return 0 if ok else 1


def _new(args: argparse.Namespace) -> int:
    from simulator.scenario.reference import scenario_json_schema
    from simulator.scenario.skeleton import skeleton

    if not re.fullmatch(r"[a-z0-9_-]+", args.id):
        raise BackfireError(f"scenario ids use lowercase letters, digits, - and _; got {args.id!r}")
    path = Path(args.output) if args.output else Path("scenarios") / f"{args.id}.yaml"
    if path.exists() and not args.force:
        raise BackfireError(f"{path} exists; pick another id or use --force")
    save_file(path, skeleton(args.id))
    schema_file = path.parent / "scenario.schema.json"
    if not schema_file.exists():
        save_file(schema_file, json.dumps(scenario_json_schema(), indent=2) + "\n")
    print(f"wrote {path}; next: edit the TODOs, then backfire validate {path}", file=sys.stderr)
    return 0
