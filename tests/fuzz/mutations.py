"""Small edits to the shipped scenarios, as Hypothesis strategies: the fuzz tests' raw material.

Each edit is one a person (or a bad copy-paste) makes: a line deleted,
duplicated or moved; a value swapped for junk (wrong types, NaN and inf, huge
numbers, unicode, YAML tags, anchors, aliases, merge keys); a stray bracket; an
indentation change; a truncation; binary junk. A scenario file is one of the
shipped ones with one to four edits, as bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from hypothesis import strategies as st

SCENARIOS = Path(__file__).resolve().parent.parent.parent / "scenarios"
TEXTS: dict[str, bytes] = {p.stem: p.read_bytes() for p in sorted(SCENARIOS.glob("*.yaml"))}

# Values a field might be given by mistake: each is a YAML fragment.
JUNK_VALUES = [
    "",
    "~",
    "null",
    "yes",
    "no",
    "on",
    "0",
    "-1",
    "-0",
    "1",
    "2",
    "0.5",
    "1.5",
    "-0.5",
    "1e400",
    "-1e400",
    ".nan",
    ".NaN",
    ".inf",
    "-.inf",
    "1e-320",
    "99999999999999999999999999999999999999",
    "-99999999999999999999",
    "0x1F",
    "0o17",
    "1_000",
    "12:30",
    "2013-11-13",
    "2013-11-13T15:00:00Z",
    "[]",
    "{}",
    "[1, 2]",
    "[[[]]]",
    "{a: 1}",
    "{a: {b: {c: []}}}",
    "[a, [b, [c]]]",
    "'",
    '"',
    '"unterminated',
    "[unclosed",
    "{unclosed",
    "|",
    ">",
    "|-\n  block\n",
    "? a",
    "- item",
    "!!binary aGVsbG8=",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!python/object/apply:os.system ['echo hi']",
    "!!int abc",
    "!!float x",
    "!!str 1",
    "!!null ''",
    "!custom tag",
    "&anchor 1",
    "*anchor",
    "*undefined_alias",
    "&loop [*loop]",
    "&m {a: *m}",
    "<<: *anchor",
    "'#AskJPM'",
    "#comment",
    "a #tag",
    "%",
    "@",
    "`",
    "\t",
    "é",
    "😀😀😀",
    "\u202eevil",
    "\u0000",
    "\ufeff",
    "x" * 5000,
    "{" * 200,
    "[" * 200 + "]" * 200,
    "- " * 100 + "x",
]

# Whole lines to insert.
JUNK_LINES = [
    "---",
    "...",
    "%YAML 1.1",
    "%TAG ! tag:example.com,2000:",
    "<<: *a",
    "a: &a [*a]",
    "b: &b {c: *b}",
    "<<: {id: other}",
    "<<: [*x, *y]",
    "? [1, 2]\n: complex key",
    "? {a: 1}\n: mapping key",
    "id: duplicate",
    "x: !!python/object:os.system ls",
    "  - orphan item",
    "\tindented: with a tab",
    "key without colon",
    ":",
    "- - - -",
    "&anchor_only",
    "*alias_only",
    "anchors: [&x 1, &y 2]",
]

BRACKETS = list("[]{}:&*!|>%@`\"',#-? \t\\")


def _line_index(draw: st.DrawFn, lines: list[bytes]) -> int:
    return draw(st.integers(0, max(len(lines) - 1, 0)))


def _yaml_text(draw: st.DrawFn) -> str:
    """A YAML value made from arbitrary text, quoted or not."""
    text = draw(st.text(max_size=30))
    return json.dumps(text, ensure_ascii=False) if draw(st.booleans()) else text


def _junk_value(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(st.sampled_from(JUNK_VALUES))
    if kind == 1:
        return str(draw(st.integers(-(10**30), 10**30)))
    if kind == 2:
        f = draw(st.floats(allow_nan=True, allow_infinity=True))
        return ".nan" if f != f else ".inf" if f == float("inf") else "-.inf" if f == float("-inf") else repr(f)
    return _yaml_text(draw)


def delete_line(draw: st.DrawFn, lines: list[bytes]) -> list[bytes]:
    if lines:
        del lines[_line_index(draw, lines)]
    return lines


def duplicate_line(draw: st.DrawFn, lines: list[bytes]) -> list[bytes]:
    if lines:
        i = _line_index(draw, lines)
        lines.insert(i, lines[i])
    return lines


def move_line(draw: st.DrawFn, lines: list[bytes]) -> list[bytes]:
    if len(lines) > 1:
        i, j = _line_index(draw, lines), _line_index(draw, lines)
        lines.insert(j, lines.pop(i))
    return lines


def replace_value(draw: st.DrawFn, lines: list[bytes]) -> list[bytes]:
    """Swap the value after `key:` (or after `- `) on a line for junk."""
    if not lines:
        return lines
    i = _line_index(draw, lines)
    line = lines[i].decode("utf-8", "replace")
    junk = _junk_value(draw)
    end = "\n" if line.endswith("\n") else ""
    if ": " in line:
        head = line.split(": ", 1)[0]
        lines[i] = f"{head}: {junk}{end}".encode()
    elif line.lstrip().startswith("- "):
        indent = line[: len(line) - len(line.lstrip())]
        lines[i] = f"{indent}- {junk}{end}".encode()
    else:
        lines[i] = f"{line.rstrip()} {junk}{end}".encode()
    return lines


def replace_key(draw: st.DrawFn, lines: list[bytes]) -> list[bytes]:
    """Misspell or replace a key."""
    if not lines:
        return lines
    i = _line_index(draw, lines)
    line = lines[i].decode("utf-8", "replace")
    if ":" not in line:
        return lines
    head, rest = line.split(":", 1)
    indent = head[: len(head) - len(head.lstrip())]
    key = head.strip().lstrip("- ")
    choice = draw(st.integers(0, 3))
    if choice == 0 and len(key) > 1:
        k = draw(st.integers(0, len(key) - 1))
        key = key[:k] + key[k + 1 :]  # a letter dropped: `hostile_totl`
    elif choice == 1:
        key = key + draw(st.sampled_from(["s", "_", "[", "]", "{", "x"]))
    elif choice == 2:
        key = draw(st.text(min_size=1, max_size=12)).replace("\n", "")
    else:
        key = key.upper()
    dash = "- " if head.strip().startswith("- ") else ""
    lines[i] = f"{indent}{dash}{key}:{rest}".encode()
    return lines


def insert_character(draw: st.DrawFn, lines: list[bytes]) -> list[bytes]:
    if not lines:
        return lines
    i = _line_index(draw, lines)
    line = lines[i]
    col = draw(st.integers(0, len(line)))
    ch = draw(st.sampled_from(BRACKETS)).encode()
    lines[i] = line[:col] + ch + line[col:]
    return lines


def reindent(draw: st.DrawFn, lines: list[bytes]) -> list[bytes]:
    if not lines:
        return lines
    i = _line_index(draw, lines)
    delta = draw(st.sampled_from([-4, -2, -1, 1, 2, 4]))
    line = lines[i]
    lines[i] = b" " * delta + line if delta > 0 else line[min(-delta, len(line) - len(line.lstrip(b" "))) :]
    return lines


def insert_line(draw: st.DrawFn, lines: list[bytes]) -> list[bytes]:
    i = draw(st.integers(0, len(lines)))
    indent = draw(st.sampled_from(["", "  ", "    "]))
    junk = draw(st.sampled_from(JUNK_LINES)) if draw(st.booleans()) else f"key: {_junk_value(draw)}"
    lines.insert(i, f"{indent}{junk}\n".encode())
    return lines


def truncate(draw: st.DrawFn, lines: list[bytes]) -> list[bytes]:
    data = b"".join(lines)
    cut = draw(st.integers(0, len(data)))
    return data[:cut].splitlines(keepends=True)


def binary_junk(draw: st.DrawFn, lines: list[bytes]) -> list[bytes]:
    data = b"".join(lines)
    at = draw(st.integers(0, len(data)))
    junk = draw(st.binary(min_size=1, max_size=16))
    return (data[:at] + junk + data[at:]).splitlines(keepends=True)


def unicode_junk(draw: st.DrawFn, lines: list[bytes]) -> list[bytes]:
    data = b"".join(lines)
    at = draw(st.integers(0, len(data)))
    text = draw(st.text(min_size=1, max_size=8)).encode("utf-8", "surrogatepass")
    return (data[:at] + text + data[at:]).splitlines(keepends=True)


EDITS: list[Callable[[st.DrawFn, list[bytes]], list[bytes]]] = [
    delete_line,
    duplicate_line,
    move_line,
    replace_value,
    replace_value,
    replace_value,
    replace_key,
    insert_character,
    reindent,
    insert_line,
    truncate,
    binary_junk,
    unicode_junk,
]


class Mutated:
    """A fuzzed scenario file: where it came from, the edits made, and its bytes (shown short in reports)."""

    def __init__(self, name: str, edits: list[str], data: bytes):
        self.name = name
        self.edits = edits
        self.data = data

    def __repr__(self) -> str:
        diff = [line for line in self.data.splitlines() if line + b"\n" not in TEXTS[self.name]]
        return f"Mutated({self.name!r}, edits={self.edits}, {len(self.data):,} bytes, new lines={diff[:6]!r})"


@st.composite
def mutated_scenarios(draw: st.DrawFn) -> Mutated:
    """One of the shipped scenarios with one to four small edits, as bytes."""
    name = draw(st.sampled_from(sorted(TEXTS)))
    lines = TEXTS[name].splitlines(keepends=True)
    edits = []
    for _ in range(draw(st.integers(1, 4))):
        edit = draw(st.sampled_from(EDITS))
        edits.append(edit.__name__)
        lines = edit(draw, lines)
    return Mutated(name, edits, b"".join(lines))
