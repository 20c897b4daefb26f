"""Authoring: the skeleton validates, the guide's reference is current, and the scenario checks catch bad cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.cli.main import main
from simulator.errors import ScenarioError
from simulator.scenario import parse_scenario_text
from simulator.scenario.reference import schema_reference_markdown
from simulator.scenario.skeleton import skeleton
from simulator.scoring.checks import check_scenario
from tests.conftest import SCENARIOS, askjpm_text, mutate


def test_new_writes_a_skeleton_that_validates(tmp_path, capsys):
    path = tmp_path / "mycase.yaml"
    assert main(["new", "mycase", "-o", str(path)]) == 0
    assert main(["validate", str(path)]) == 0
    assert (tmp_path / "scenario.schema.json").exists()
    assert main(["new", "mycase", "-o", str(path)]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["new", "Bad Id", "-o", str(tmp_path / "x.yaml")]) == 2


def test_guide_reference_is_current():
    text = (SCENARIOS / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- reference:start -->\n", 1)[1].split("<!-- reference:end -->", 1)[0]
    assert block.strip() == schema_reference_markdown().strip(), "regenerate with: backfire schema --markdown"


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_scenario_passes_its_checks(path):
    from simulator.scenario import load_scenario

    scenario = load_scenario(path).scenario
    checks = check_scenario(scenario, list(range(4)), workers=2)
    failed = [f"{c.name}: {c.detail}" for c in checks if not (c.passed or c.warning)]
    assert not failed, failed


def _checks(text: str, size: int = 20_000) -> dict:
    scenario = parse_scenario_text(text, "fixture.yaml")
    return {c.name: c for c in check_scenario(scenario, [0, 1, 2], size=size, required=0.0, workers=2)}


def test_checks_fail_an_unwinnable_scenario():
    start = askjpm_text().index("strategies:\n")
    end = askjpm_text().index("scoring:\n")
    text = (
        askjpm_text()[:start]
        + 'strategies:\n  - {id: same, label: The same as history, script: "wait*22,cancel:badidea"}\n\n'
        + askjpm_text()[end:]
    )
    checks = _checks(text)
    assert not checks["winnable"].passed


def test_checks_fail_an_inject_that_never_fires():
    text = mutate(
        "  - id: hostile_hour\n",
        "  - id: never\n    label: Never\n    trigger: {metric: hostile_total, above: 1.0e12}\n  - id: hostile_hour\n",
    )
    checks = _checks(text)
    assert not checks["every inject can fire"].passed and "never" in checks["every inject can fire"].detail


def test_a_missing_source_fails_before_any_run():
    with pytest.raises(ScenarioError, match="unknown source id 'gone'"):
        parse_scenario_text(
            mutate(
                '    source: three_things\n    quote: "Less than six hours',
                '    source: gone\n    quote: "Less than six hours',
            ),
            "x.yaml",
        )


def test_the_skeleton_passes_its_own_checks():
    checks = check_scenario(parse_scenario_text(skeleton("sk"), "sk.yaml"), [0, 1], workers=1)
    assert all(c.passed or c.warning for c in checks)


def test_validate_takes_a_folder_as_its_scenario_files(tmp_path, capsys):
    """`backfire validate scenarios/` checks every YAML file in it; an empty folder is a clear problem."""
    (tmp_path / "good.yaml").write_text(askjpm_text(), encoding="utf-8")
    (tmp_path / "bad.yml").write_text("id: [", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a scenario", encoding="utf-8")
    assert main(["validate", str(tmp_path), "--json"]) == 2
    files = {Path(f["file"]).name: f["ok"] for f in json.loads(capsys.readouterr().out)["files"]}
    assert files == {"bad.yml": False, "good.yaml": True}
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["validate", str(empty)]) == 2
    assert "is a folder with no scenario files (*.yaml) in it" in capsys.readouterr().err


def test_validate_a_name_too_long_for_the_system_is_a_clear_error(capsys):
    """Found by the fuzzer: `validate` asked whether a 5,000-letter name is a folder, and the OS refused."""
    assert main(["validate", "x" * 5000]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "FAIL" in err


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_library_case_has_an_option_for_each_kind_of_written_answer_and_cancellation(path):
    from simulator.scenario import load_scenario
    from simulator.scoring.checks import written_coverage

    check = written_coverage(load_scenario(path).scenario)
    assert check.passed and check.warning, check.detail


def test_the_new_skeleton_gives_written_posts_an_option_of_each_kind(tmp_path):
    from simulator.scenario import load_scenario
    from simulator.scoring.checks import written_coverage

    path = tmp_path / "mycase.yaml"
    assert main(["new", "mycase", "-o", str(path)]) == 0
    assert written_coverage(load_scenario(path).scenario).passed


def test_a_case_with_one_worded_cancellation_is_warned_which_kinds_it_misses():
    from simulator.scenario import resolve
    from simulator.scoring.checks import written_coverage

    sc = resolve("askjpm").scenario
    only_apology = [o for o in sc.actions.cancel if o.id == "apology"]
    fixture = sc.model_copy(update={"actions": sc.actions.model_copy(update={"cancel": only_apology})})
    check = written_coverage(fixture)
    assert not check.passed and check.warning
    assert check.detail.startswith("cancel: nothing for a defence or a joke")


@pytest.mark.parametrize("case", ["askjpm", "askbg", "askseaworld", "mcdstories", "whyistayed"])
def test_a_written_joke_or_blame_when_cancelling_plays_as_a_joke_or_a_defence(case):
    """Found in play: a case with no such option played a flippant or blaming cancellation as its apology."""
    from simulator.language.choice import choose
    from simulator.language.reader import scenario_lexicon
    from simulator.scenario import resolve

    sc = resolve(case).scenario
    families = scenario_lexicon(sc.language).families
    options = {o.id: o for o in sc.actions.cancel}

    def family(text: str) -> set[str]:
        chosen = options[choose(sc, "cancel", text).option]
        return {families[p] for p in chosen.postures}

    assert "humour" in family("LOL well that escalated quickly. We're out!")
    assert family("We're ending this. Trolls ruined it for everyone.") & {"deny", "diminish"}
