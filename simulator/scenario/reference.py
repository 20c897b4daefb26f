"""The scenario format described for people and editors: its JSON Schema and a Markdown field reference."""

from __future__ import annotations

from typing import Any


def scenario_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of the scenario format."""
    from simulator.scenario.schema import Scenario

    schema = Scenario.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://backfire.invalid/scenario.schema.json"
    schema["title"] = "Backfire scenario"
    return schema


def _type_of(spec: dict[str, Any]) -> str:
    if "$ref" in spec:
        return str(spec["$ref"]).rsplit("/", 1)[-1]
    if "oneOf" in spec:
        return " or ".join(_type_of(s) for s in spec["oneOf"])
    if "anyOf" in spec:
        return " or ".join(_type_of(s) for s in spec["anyOf"] if s.get("type") != "null") + (
            " (optional)" if any(s.get("type") == "null" for s in spec["anyOf"]) else ""
        )
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
    sections = [("Scenario", schema), *sorted(defs.items())]
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
