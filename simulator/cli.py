"""`backfire`: the command line, headless twin of everything the app does.

User mistakes (bad files, unknown options) raise BackfireError; they are caught
once here, printed without a traceback, and exit with code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from simulator import __version__
from simulator.errors import BackfireError, ScenarioError

Handler = Callable[[argparse.Namespace], int]
_COMMANDS: dict[str, Handler] = {}


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit 2 with usage, as argparse does, no traceback
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _add(sub: argparse._SubParsersAction, name: str, help: str, example: str) -> argparse.ArgumentParser:
    return sub.add_parser(
        name, help=help, description=help, epilog=f"example:\n  {example}", formatter_class=_Formatter
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every command."""
    parser = _Parser(
        prog="backfire",
        description="Backfire: practise crisis response to a hashtag storm, on a seeded synthetic crowd.",
        epilog="examples:\n  backfire play askjpm\n  backfire run askjpm --strategy history --seed 7\n  backfire list",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"backfire {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = _add(sub, "validate", "Check scenario files; print every problem with file, line and field.", "backfire validate scenarios/*.yaml")
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario files (YAML)")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = _add(sub, "schema", "Print the JSON Schema of scenario files (for editors' YAML plugins).", "backfire schema -o scenarios/scenario.schema.json")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.add_argument("--markdown", action="store_true", help="print the field reference as Markdown instead (for the authoring guide)")

    p = _add(sub, "list", "List the scenarios found in scenarios/ and in your scenario folder.", "backfire list")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    from simulator import commands

    commands.register(sub, _add)
    return parser


def command(name: str) -> Callable[[Handler], Handler]:
    """Register a handler for a subcommand."""

    def wrap(fn: Handler) -> Handler:
        _COMMANDS[name] = fn
        return fn

    return wrap


@command("validate")
def _validate(args: argparse.Namespace) -> int:
    from simulator.scenario import load_scenario

    results = []
    failed = False
    for name in args.files:
        try:
            loaded = load_scenario(name)
            results.append({"file": name, "ok": True, "id": loaded.scenario.id, "problems": []})
        except ScenarioError as exc:
            failed = True
            results.append({"file": name, "ok": False, "problems": [p.__dict__ for p in exc.problems]})
    if args.json:
        from simulator.output import print_json

        print_json({"ok": not failed, "files": results})
    else:
        for r in results:
            if r["ok"]:
                print(f"ok    {r['file']} ({r['id']})")
            else:
                from simulator.errors import Problem

                n = len(r["problems"])
                print(f"FAIL  {r['file']}: {n} problem{'s' if n != 1 else ''}", file=sys.stderr)
                for p in r["problems"]:
                    print(f"  {Problem(**p)}", file=sys.stderr)
    return 2 if failed else 0


def scenario_json_schema() -> dict:
    """Return the JSON Schema of the scenario format."""
    from simulator.scenario.schema import Scenario

    schema = Scenario.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://backfire.invalid/scenario.schema.json"
    schema["title"] = "Backfire scenario"
    return schema


def _type_of(spec: dict) -> str:
    if "$ref" in spec:
        return spec["$ref"].rsplit("/", 1)[-1]
    if "oneOf" in spec:
        return " or ".join(_type_of(s) for s in spec["oneOf"])
    if "anyOf" in spec:
        return " or ".join(_type_of(s) for s in spec["anyOf"] if s.get("type") != "null") + (" (optional)" if any(s.get("type") == "null" for s in spec["anyOf"]) else "")
    if spec.get("type") == "array":
        return f"list of {_type_of(spec.get('items', {}))}"
    if spec.get("type") == "object" and "additionalProperties" in spec:
        return f"map to {_type_of(spec['additionalProperties'])}"
    if "enum" in spec:
        return " / ".join(f"`{v}`" for v in spec["enum"])
    if "const" in spec:
        return f"`{spec['const']}`"
    return str(spec.get("type", "any"))


def schema_reference_markdown() -> str:
    """Return the scenario format, field by field, as Markdown (generated from the schema)."""
    schema = scenario_json_schema()
    defs = schema.get("$defs", {})
    sections = [("Scenario", schema)] + sorted(defs.items())
    lines = []
    for name, model in sections:
        lines.append(f"### {name}")
        lines.append("")
        if model.get("description"):
            lines.append(model["description"].strip().splitlines()[0])
            lines.append("")
        required = set(model.get("required", []))
        lines.append("| field | type | required | what it is |")
        lines.append("|---|---|---|---|")
        for field, spec in model.get("properties", {}).items():
            desc = (spec.get("description") or "").replace("|", "\\|").replace("\n", " ")
            lines.append(f"| `{field}` | {_type_of(spec)} | {'yes' if field in required else ''} | {desc} |")
        lines.append("")
    return "\n".join(lines)


@command("schema")
def _schema(args: argparse.Namespace) -> int:
    if args.markdown:
        sys.stdout.write(schema_reference_markdown())
        return 0
    from simulator.output import write_text

    write_text(json.dumps(scenario_json_schema(), indent=2) + "\n", args.output)
    return 0


@command("list")
def _list(args: argparse.Namespace) -> int:
    from simulator.scenario.registry import discover, scenario_folders, user_scenario_folder

    found = discover()
    if args.json:
        from simulator.output import print_json

        print_json(
            {
                "folders": [str(f) for f in scenario_folders()],
                "user_folder": str(user_scenario_folder()),
                "scenarios": [
                    {
                        "id": l.loaded.scenario.id,
                        "title": l.loaded.scenario.title,
                        "date": l.loaded.scenario.date,
                        "hashtag": l.loaded.scenario.campaign.hashtag,
                        "brand": l.loaded.scenario.brand.name,
                        "path": str(l.path),
                    }
                    if l.loaded
                    else {"path": str(l.path), "error": l.error}
                    for l in found
                ],
            }
        )
        return 0
    from simulator.output import console, table

    rows = [
        [l.loaded.scenario.id, l.loaded.scenario.title, l.loaded.scenario.date, l.loaded.scenario.campaign.hashtag]
        for l in found
        if l.loaded
    ]
    out = console()
    out.print(table("Scenarios", ["id", "title", "date", "hashtag"], rows))
    for l in found:
        if l.error:
            out.print(f"[yellow]skipped[/] {l.error}")
    out.print(f"Searched: {', '.join(str(f) for f in scenario_folders())}. Your folder: {user_scenario_folder()}")
    out.print("Play one with: backfire play ID")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 0
    from simulator import commands  # noqa: F401  (registers handlers)

    handler = _COMMANDS[args.command]
    try:
        return handler(args)
    except ScenarioError as exc:
        print(f"backfire: {exc}", file=sys.stderr)
        return exc.exit_code
    except BackfireError as exc:
        print(f"backfire: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("backfire: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
