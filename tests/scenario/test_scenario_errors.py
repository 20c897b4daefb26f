"""Broken scenario files: each gets the specific message, the right line, exit 2, no traceback."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from simulator.cli.main import main
from tests.conftest import askjpm_text, line_of, mutate


def run_validate(tmp_path, text: str | bytes, capsys, name: str = "broken.yaml"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    code = main(["validate", str(path)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err, path


def test_bad_yaml_syntax(tmp_path, capsys):
    text = mutate("  turn_minutes: 15\n", "  turn_minutes: [15\n")
    code, err, path = run_validate(tmp_path, text, capsys)
    assert code == 2
    assert "YAML syntax" in err
    assert f"{path}:{line_of(text, 'turn_minutes: [15') + 1}:" in err


def test_wrong_type(tmp_path, capsys):
    text = mutate("  size: 100000\n", "  size: lots\n")
    code, err, path = run_validate(tmp_path, text, capsys)
    assert code == 2
    assert f"{path}:{line_of(text, 'size: lots')}:9: audience.size: Input should be a valid integer" in err


def test_unknown_key_suggests_the_right_one(tmp_path, capsys):
    text = mutate("  turn_minutes: 15\n", "  turn_minutes: 15\n  turn_minuts: 15\n")
    code, err, path = run_validate(tmp_path, text, capsys)
    assert code == 2
    assert (
        f"{path}:{line_of(text, 'turn_minuts')}:3: clock.turn_minuts: unknown field 'turn_minuts'; did you mean 'turn_minutes'?"
        in err
    )


def test_missing_field_points_at_its_parent(tmp_path, capsys):
    text = mutate("  horizon_hours: 24\n", "")
    code, err, path = run_validate(tmp_path, text, capsys)
    assert code == 2
    clock_line = line_of(text, "  start: ")
    assert f"{path}:{clock_line}:3: clock.horizon_hours: missing required field 'horizon_hours'" in err


def test_duplicate_key(tmp_path, capsys):
    text = mutate("  turn_minutes: 15\n", "  turn_minutes: 15\n  turn_minutes: 30\n")
    code, err, path = run_validate(tmp_path, text, capsys)
    first = line_of(text, "turn_minutes: 15")
    assert code == 2
    assert f"{path}:{first + 1}:3: clock.turn_minutes: duplicate key 'turn_minutes' (first at line {first})" in err


def test_unknown_source_id(tmp_path, capsys):
    text = mutate(
        '    source: three_things\n    quote: "Less than six hours',
        '    source: nowhere\n    quote: "Less than six hours',
    )
    code, err, path = run_validate(tmp_path, text, capsys)
    assert code == 2
    assert f"{path}:{line_of(text, 'source: nowhere')}:13: targets[1].source: unknown source id 'nowhere'" in err


def test_shares_not_summing_to_one(tmp_path, capsys):
    text = mutate("      share: 0.12\n", "      share: 0.22\n")
    code, err, path = run_validate(tmp_path, text, capsys)
    assert code == 2
    assert f"{path}:{line_of(text, '    - id: students')}:" in err
    assert "audience.segments: segment shares sum to 1.1, expected 1" in err


def test_all_problems_reported_at_once(tmp_path, capsys):
    text = mutate("  size: 100000\n", "  size: -5\n")
    text = text.replace("  turn_minutes: 15\n", "  turn_minutes: 15\n  turn_minuts: 1\n")
    text = text.replace('    source: three_things\n    quote: "Less', '    source: nowhere\n    quote: "Less')
    code, err, _ = run_validate(tmp_path, text, capsys)
    assert code == 2
    assert "3 problems" in err
    assert "audience.size" in err and "turn_minuts" in err and "'nowhere'" in err


def test_alias_bomb_refused_at_once(tmp_path, capsys):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    text = "\n".join(lines) + "\n"
    start = time.perf_counter()
    code, err, path = run_validate(tmp_path, text, capsys)
    elapsed = time.perf_counter() - start
    assert code == 2
    assert f"{path}:9:" in err and "refused as a possible alias bomb" in err
    assert elapsed < 1.0


def test_huge_file_refused_unread(tmp_path, capsys):
    text = "id: x\n" + "#" * 79 + "\n"
    big = text * (20 * 1024 * 1024 // len(text))
    start = time.perf_counter()
    code, err, path = run_validate(tmp_path, big, capsys)
    elapsed = time.perf_counter() - start
    assert code == 2
    assert f"{path}: file is {len(big):,} bytes; scenario files are limited to 2,097,152 bytes" in err
    assert elapsed < 1.0


def test_non_utf8(tmp_path, capsys):
    data = askjpm_text().encode("utf-8").replace(b'title: "#AskJPM', b'title: "#AskJPM caf\xe9', 1)
    code, err, path = run_validate(tmp_path, data, capsys)
    line = data[: data.index(b"\xe9")].count(b"\n") + 1
    assert code == 2
    assert f"{path}:{line}:" in err and "not valid UTF-8 (byte 0xe9)" in err


def test_empty_and_non_mapping(tmp_path, capsys):
    code, err, _ = run_validate(tmp_path, "", capsys)
    assert code == 2 and "empty" in err
    code, err, _ = run_validate(tmp_path, "- a\n- b\n", capsys, name="list.yaml")
    assert code == 2 and "expected a mapping" in err


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("      follows: {students: 0.70,", "      follows: {nobody: 0.70,", "unknown segment 'nobody'"),
        ("      option: badidea\n", "      option: shrug\n", "unknown cancel option 'shrug'"),
        ('    options: ["open:narrow"]\n', '    options: ["open:wide"]\n', "unknown open option 'wide'"),
        ("    - at: 5h30m\n", "    - at: 30h\n", "after the horizon"),
        ("    trigger: {at: 1h30m}\n", "    trigger: {at: 1h30m, metric: volume}\n", "needs `above` or `below`"),
    ],
)
def test_cross_field_rules(tmp_path, capsys, old, new, message):
    text = mutate(old, new)
    code, err, path = run_validate(tmp_path, text, capsys)
    assert code == 2
    assert message in err
    assert f"{path}:{line_of(text, new.strip().split(chr(10))[0])}:" in err


def test_subprocess_exit_code_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(mutate("  size: 100000\n", "  size: -1\n"), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "simulator", "validate", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "audience.size: Input should be greater than 0" in proc.stderr


def test_unknown_scenario_id_lists_known():
    from simulator.errors import BackfireError
    from simulator.scenario import resolve

    with pytest.raises(BackfireError, match=r"no scenario 'nosuchcase'; known: .*askjpm"):
        resolve("nosuchcase")


def test_a_real_wording_needs_its_source(tmp_path, capsys):
    text = mutate("      real: true\n      source: american_genius\n", "      real: true\n")
    code, err, path = run_validate(tmp_path, text, capsys)
    assert code == 2
    assert "actions.cancel[0].source" in err and "needs the `source` it was read in" in err
    assert f"{path}:{line_of(text, '    - id: badidea')}:" in err


def test_an_unquoted_hashtag_is_not_silently_dropped(tmp_path, capsys):
    """`label: Posts on #Tag` would load as "Posts on": the loader names the line instead."""
    text = mutate(
        'summary: "Denial backfires when the brand is seen as responsible (research, not about #AskJPM)."',
        "summary: Denial backfires when the brand is seen as responsible (research, not about #AskJPM).",
    )
    code, err, path = run_validate(tmp_path, text, capsys)
    assert code == 2
    line = line_of(text, "(research, not about #AskJPM).")
    assert f"{path}:{line}:" in err and "#AskJPM). after a space starts a YAML comment" in err
    # a real comment ("# words") and a quoted hashtag are fine
    assert run_validate(tmp_path, mutate("  invitation: 1.0\n", "  invitation: 1.0   # calibrated\n"), capsys)[0] == 0


def test_unknown_placeholder_in_a_name_pattern(tmp_path, capsys):
    text = mutate('names: ["Occupy {City}"', 'names: ["Occupy {Town}"')
    code, err, path = run_validate(tmp_path, text, capsys)
    assert code == 2
    line = line_of(text, "Occupy {Town}")
    assert f"{path}:{line}:" in err
    assert "names" in err and "{Town}" in err and "{City}" in err


def test_a_template_after_an_unknown_move(tmp_path, capsys):
    old = '        - "Came to {hashtag} for {career advice|networking tips|recruiting info}, stayed for the {roast|bloodbath|comedy}"\n'
    text = mutate(old, '        - {text: "{hashtag} Thanks for answering!", after: ["answer:kindly"]}\n')
    code, err, path = run_validate(tmp_path, text, capsys)
    assert code == 2
    assert f"{path}:{line_of(text, 'answer:kindly')}:" in err
    assert "voices.templates.students.snark[1].after[0]" in err
    assert "unknown answer option 'kindly'" in err
    text = mutate(old, '        - {text: "{hashtag} Still waiting.", after: [wait]}\n')
    code, err, path = run_validate(tmp_path, text, capsys)
    assert code == 2 and "`wait` posts nothing, so no text can follow it" in err


def test_a_misspelt_template_mapping_names_one_form_only(tmp_path, capsys):
    old = '        - "Came to {hashtag} for {career advice|networking tips|recruiting info}, stayed for the {roast|bloodbath|comedy}"\n'
    text = mutate(old, '        - {txt: "{hashtag} Thanks!", after: [cancel]}\n')
    code, err, path = run_validate(tmp_path, text, capsys)
    assert code == 2
    assert (
        f"{path}:{line_of(text, 'txt:')}:12: voices.templates.students.snark[1].txt: unknown field 'txt'; did you mean 'text'?"
        in err
    )
    assert "valid string" not in err and "union" not in err and "Template." not in err
    text = mutate(old, "        - 42\n")
    code, err, path = run_validate(tmp_path, text, capsys)
    assert "snark[1]: expected a template string, or a mapping {text, after, when} (got 42)" in err


def test_a_kind_with_only_after_templates_is_refused(tmp_path, capsys):
    text = askjpm_text()
    start = text.index("  templates:\n")
    end = text.index("  # Replies to the brand's posts", start)
    block = text[start:end]
    # Every `criticism` template becomes conditional: a run with no answer would show a bare hashtag.
    import re

    new_block, n = re.subn(
        r"(\n      criticism:\n(?:        - .*\n)+)",
        lambda m: re.sub(r'        - (".*")', r"        - {text: \1, after: [answer]}", m.group(1)),
        block,
    )
    assert n >= 2
    text = text[:start] + new_block + text[end:]
    code, err, _path = run_validate(tmp_path, text, capsys)
    assert code == 2
    assert "every `criticism` template has a condition; add a plain one that fits any run" in err
    assert err.count("every `criticism` template") == 1


def test_a_placeholder_in_a_brand_post_is_refused(tmp_path, capsys):
    old = 'text: "We walked into that one. {question} Serious answer tomorrow at 1pm, promise."'
    text = mutate(old, 'text: "We walked into that one in {city}. {question} Serious answer tomorrow at 1pm, promise."')
    code, err, path = run_validate(tmp_path, text, capsys)
    assert code == 2
    assert f"{path}:{line_of(text, 'walked into that one in')}:" in err
    assert "{city} would be posted as it stands: only {question} is filled in an answer" in err


def test_answer_texts_name_known_kinds(tmp_path, capsys):
    text = mutate("      texts:\n        question:", "      texts:\n        questions:")
    code, err, _path = run_validate(tmp_path, text, capsys)
    assert code == 2
    assert "actions.answer[0].texts.questions: unknown kind 'questions'" in err


def _tree(node):
    """A node tree as plain data: tag, value and where each node starts and ends."""
    from yaml.nodes import ScalarNode

    where = (node.start_mark.line, node.start_mark.column, node.end_mark.line, node.end_mark.column)
    if isinstance(node, ScalarNode):
        return (node.tag, node.value, node.style or None, where)  # plain: None in PyYAML, "" in libyaml
    if isinstance(node.value, list) and node.value and isinstance(node.value[0], tuple):
        return (node.tag, [(_tree(k), _tree(v)) for k, v in node.value], where)
    return (node.tag, [_tree(n) for n in node.value], where)


def test_libyaml_reads_every_scenario_as_the_guarded_loader_does():
    """The fast reader gives the same nodes, positions included, as the guarded Python loader, on every file."""
    from pathlib import Path

    from simulator.scenario.loader import _compose_fast, _GuardedLoader

    files = sorted(Path("scenarios").glob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        fast = _compose_fast(text)
        assert fast is not None, path
        loader = _GuardedLoader(text)
        try:
            slow = loader.get_single_node()
        finally:
            loader.dispose()
        assert _tree(fast) == _tree(slow), path


@pytest.mark.parametrize(
    "text",
    [
        "a: [1\n",  # a syntax error
        "a: 1\n---\nb: 2\n",  # two documents
        "a: \x01\n",  # a character PyYAML refuses
        "a: &x [1]\n" + "".join(f"b{i}: *x\n" for i in range(40)),  # aliases near the limit
        "a: " + "[" * 40 + "]" * 40 + "\n",  # nesting near the limit
    ],
)
def test_files_near_a_guard_or_broken_are_left_to_the_guarded_loader(text):
    from simulator.scenario.loader import _compose_fast

    assert _compose_fast(text) is None
