"""Every shipped scenario validates, matches the published JSON Schema, and says where its schema is."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from simulator.cli.main import main
from simulator.scenario.reference import scenario_json_schema
from tests.conftest import SCENARIOS

FILES = sorted(SCENARIOS.glob("*.yaml"))


def test_there_are_scenarios():
    assert any(f.stem == "askjpm" for f in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_validates(path, capsys):
    assert main(["validate", str(path)]) == 0
    assert f"ok    {path}" in capsys.readouterr().out


def test_validate_takes_an_id_as_the_other_commands_do(capsys):
    assert main(["validate", "askjpm"]) == 0
    assert f"ok    {SCENARIOS / 'askjpm.yaml'} (askjpm)" in capsys.readouterr().out
    assert main(["validate", "askjmp", "--json"]) == 2  # a typo: the known ids are listed
    problem = json.loads(capsys.readouterr().out)["files"][0]["problems"][0]
    assert problem["file"] == "askjmp" and "no scenario 'askjmp'; known: " in problem["message"]
    assert "askjpm" in problem["message"]
    assert main(["validate", "scenarios/askjmp.yaml"]) == 2  # a path stays a path
    assert "scenarios/askjmp.yaml: file not found" in capsys.readouterr().err


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_matches_json_schema(path):
    schema = scenario_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_starts_with_schema_comment(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=./scenario.schema.json"


def test_json_schema_rejects_what_pydantic_rejects():
    schema = scenario_json_schema()
    data = yaml.safe_load((SCENARIOS / "askjpm.yaml").read_text(encoding="utf-8"))
    data["clock"]["turn_minuts"] = 5
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_published_schema_file_is_current(capsys):
    """scenarios/scenario.schema.json is what `backfire schema` prints (regenerate with -o)."""
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    on_disk = json.loads((SCENARIOS / "scenario.schema.json").read_text(encoding="utf-8"))
    assert printed == on_disk, "run: backfire schema -o scenarios/scenario.schema.json"


def test_every_field_has_a_description():
    schema = scenario_json_schema()
    missing = []
    for name, definition in schema.get("$defs", {}).items():
        for field, spec in definition.get("properties", {}).items():
            if "description" not in spec:
                missing.append(f"{name}.{field}")
    for field, spec in schema["properties"].items():
        if "description" not in spec:
            missing.append(f"Scenario.{field}")
    assert not missing


def test_list_shows_askjpm(capsys):
    assert main(["list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    ids = {s.get("id") for s in data["scenarios"]}
    assert "askjpm" in ids
    jpm = next(s for s in data["scenarios"] if s.get("id") == "askjpm")
    assert jpm["hashtag"] == "#AskJPM" and jpm["date"] == "November 2013"


def test_user_folder_scenarios_are_listed(tmp_path, monkeypatch, capsys):
    text = (SCENARIOS / "askjpm.yaml").read_text(encoding="utf-8").replace("id: askjpm\n", "id: mycase\n", 1)
    (tmp_path / "mycase.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    monkeypatch.setenv("BACKFIRE_SCENARIOS", str(tmp_path))
    assert main(["list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "mycase" in {s.get("id") for s in data["scenarios"]}
    assert any("broken.yaml" in s["path"] and "YAML syntax" in s["error"] for s in data["scenarios"] if "error" in s)
    from simulator.scenario import resolve

    assert resolve("mycase").scenario.id == "mycase"
