"""Load a scenario file: safe YAML, guarded, every problem with file, line and field.

`yaml.safe_load` semantics, plus:
- a duplicate key in a mapping is an error (YAML silently keeps the last);
- at most `MAX_ALIASES` aliases, counted while composing, so an alias bomb is
  refused before anything is expanded;
- files over `MAX_BYTES` are refused before they are read whole;
- bytes that are not UTF-8 are reported with their line and column.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from simulator.errors import Problem, ScenarioError
from simulator.scenario.rules import cross_field_problems, raw_problems
from simulator.scenario.schema import Scenario

MAX_BYTES = 2 * 1024 * 1024
MAX_ALIASES = 64
MAX_DEPTH = 64
MAX_NODES = 200_000
_TOO_DEEP = f"the file nests lists and mappings more than {MAX_DEPTH} deep; a scenario needs far fewer levels"

FieldPath = tuple[str | int, ...]


class _GuardedLoader(yaml.SafeLoader):
    """SafeLoader that counts aliases while composing and refuses too many."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.alias_count = 0
        self.depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise yaml.MarkedYAMLError(
                    problem=f"more than {MAX_ALIASES} aliases; refused as a possible alias bomb",
                    problem_mark=event.start_mark,
                )
        # Stop at the limit while composing: PyYAML's scanner slows down with every level of `[[[…`.
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise yaml.MarkedYAMLError(problem=_TOO_DEEP, problem_mark=event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


# libyaml reads a scenario about twenty times faster than PyYAML's own reader. It is used only for files
# that are well within the guards above; anything else (an error, an alias or nesting near a limit, a
# character PyYAML refuses) is read again by the guarded Python loader, so what a user is told is the same.
_CLOADER = getattr(yaml, "CSafeLoader", None)


def _compose_fast(text: str) -> Node | None:
    """The file's node tree from libyaml, or None when the guarded Python loader should read it."""
    if _CLOADER is None or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None
    try:
        aliases = depth = 0
        for event in yaml.parse(text, Loader=_CLOADER):
            if isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES // 2:
                    return None
            elif isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH // 2:
                    return None
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        loader = _CLOADER(text)
        try:
            node: Node | None = loader.get_single_node()
        finally:
            loader.dispose()
    except (yaml.YAMLError, ValueError, RecursionError):  # ValueError: UnicodeError, text libyaml cannot take
        return None
    return node


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with where it came from."""

    scenario: Scenario
    path: Path
    content_hash: str


def _position(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _index_nodes(
    node: Node, path: FieldPath, out: dict[FieldPath, tuple[int, int]], keys: dict[FieldPath, tuple[int, int]]
) -> None:
    """Map every field path to the position of its value (and of its key, for mappings)."""
    out.setdefault(path, _position(node))
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else str(key_node.value)
            child: FieldPath = (*path, key)
            # pydantic reports int keys of dicts as ints: keep both spellings.
            keys[child] = _position(key_node)
            _index_nodes(value_node, child, out, keys)
            if isinstance(key, str) and key.lstrip("-").isdigit():
                keys[(*path, int(key))] = _position(key_node)
                _index_nodes(value_node, (*path, int(key)), out, keys)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _index_nodes(item, (*path, i), out, keys)


def _duplicate_keys(node: Node, path: FieldPath, file: str, problems: list[Problem]) -> None:
    if isinstance(node, MappingNode):
        seen: dict[object, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if key is not None:
                line, col = _position(key_node)
                if key in seen:
                    problems.append(
                        Problem(
                            file, line, col, _dotted((*path, key)), f"duplicate key {key!r} (first at line {seen[key]})"
                        )
                    )
                else:
                    seen[key] = line
            _duplicate_keys(value_node, (*path, str(key)), file, problems)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _duplicate_keys(item, (*path, i), file, problems)


def _dotted(path: FieldPath) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def _locate(
    path: FieldPath, values: dict[FieldPath, tuple[int, int]], keys: dict[FieldPath, tuple[int, int]], prefer_key: bool
) -> tuple[int | None, int | None]:
    """Return the position of the longest prefix of path found in the file."""
    for n in range(len(path), -1, -1):
        prefix = path[:n]
        if prefer_key and prefix in keys:
            return keys[prefix]
        if prefix in values:
            return values[prefix]
    return None, None


def _read_text(path: Path, label: str) -> str:
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise ScenarioError([Problem(label, None, None, "", "is a folder, not a scenario file")])
    except FileNotFoundError:
        raise ScenarioError([Problem(label, None, None, "", "file not found")]) from None
    except ValueError:  # a NUL byte in the name
        raise ScenarioError([Problem(label, None, None, "", "not a usable file name")]) from None
    except OSError as exc:
        raise ScenarioError([Problem(label, None, None, "", f"cannot read: {exc.strerror}")]) from None
    if size > MAX_BYTES:
        raise ScenarioError(
            [
                Problem(
                    label, None, None, "", f"file is {size:,} bytes; scenario files are limited to {MAX_BYTES:,} bytes"
                )
            ]
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScenarioError([Problem(label, None, None, "", f"cannot read: {exc.strerror}")]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise ScenarioError(
            [
                Problem(
                    label, line, column, "", f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
                )
            ]
        ) from None


def _hashtags_cut_off(text: str, label: str, problems: list[Problem], fast: bool = False) -> None:
    """Flag an unquoted value followed by ` #Word`: YAML reads that as a comment and drops the hashtag silently.

    `fast`: libyaml already read this file without an error, so its scanner can read it again.
    """
    lines = text.splitlines()
    scanner = _CLOADER if fast and _CLOADER is not None else yaml.SafeLoader
    for token in yaml.scan(text, Loader=scanner):
        if not isinstance(token, yaml.ScalarToken) or not token.plain:
            continue
        end = token.end_mark
        rest = lines[end.line][end.column :] if end.line < len(lines) else ""
        if re.match(r"\s+#\w", rest):
            tag = rest.strip().split()[0]
            problems.append(
                Problem(
                    label,
                    end.line + 1,
                    end.column + len(rest) - len(rest.lstrip()) + 1,
                    "",
                    f"{tag} after a space starts a YAML comment, so the rest of the line is dropped; put the value in quotes",
                )
            )


def _yaml_problem(exc: yaml.YAMLError, label: str, text: str) -> Problem:
    """Turn a YAML error into a Problem with the line and column it happened at."""
    if isinstance(exc, yaml.reader.ReaderError):
        before = text[: exc.position]
        line = before.count("\n") + 1
        column = exc.position - (before.rfind("\n") + 1) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        return Problem(
            label,
            line,
            column,
            "",
            f"character U+{ord(char):04X} is not allowed in a YAML file (a control character, "
            "perhaps from a bad copy-paste); delete it",
        )
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if "alias bomb" in str(exc.problem) or exc.problem == _TOO_DEEP:
            message = str(exc.problem)
        else:
            kind = "YAML value" if isinstance(exc, yaml.constructor.ConstructorError) else "YAML syntax"
            context = exc.context or ""
            cm = exc.context_mark
            if context and cm is not None and mark is not None and (cm.line, cm.column) != (mark.line, mark.column):
                context += f" started at line {cm.line + 1}, column {cm.column + 1}"
            message = f"{kind}: {exc.problem or exc}" + (f" ({context})" if context else "")
        return Problem(label, line, col, "", message)
    return Problem(label, 1, 1, "", f"YAML: {exc}")


def _children(node: Node) -> list[Node]:
    """A mapping's keys and values, a sequence's items; a scalar has none."""
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _cycle(root: Node) -> Node | None:
    """Return a node that contains itself through an alias (`a: &a [*a]`), or None."""
    on_path: set[int] = set()
    done: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            on_path.discard(id(node))
            done.add(id(node))
            continue
        if id(node) in done:
            continue
        if id(node) in on_path:
            return node
        on_path.add(id(node))
        stack.append((node, True))
        children = _children(node)
        for child in reversed(children):
            if id(child) in on_path:
                return child
            stack.append((child, False))
    return None


def _shape(root: Node) -> tuple[int, int]:
    """Return (deepest nesting, node count with every alias expanded), without recursion.

    The root must have no alias loop. Counts are memoised per node, so a file
    whose aliases would expand to billions of nodes is measured, not expanded.
    """
    depth: dict[int, int] = {}
    size: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, ready = stack.pop()
        if id(node) in size:
            continue
        children = _children(node)
        if ready or not children:
            depth[id(node)] = 1 + max((depth[id(c)] for c in children), default=0)
            size[id(node)] = 1 + sum(size[id(c)] for c in children)
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)
    return depth[id(root)], size[id(root)]


def parse_scenario_text(text: str, label: str) -> Scenario:
    """Validate YAML text as a scenario; raise ScenarioError listing every problem."""
    root = _compose_fast(text)
    fast = root is not None
    try:
        if root is None:
            loader = _GuardedLoader(text)
            try:
                root = loader.get_single_node()
            finally:
                loader.dispose()
    except yaml.YAMLError as exc:
        raise ScenarioError([_yaml_problem(exc, label, text)]) from None
    except RecursionError:
        raise ScenarioError([Problem(label, 1, 1, "", _TOO_DEEP)]) from None
    if root is None:
        raise ScenarioError([Problem(label, 1, 1, "", "the file is empty; expected a scenario mapping")])
    looped = _cycle(root)
    if looped is not None:
        raise ScenarioError(
            [
                Problem(
                    label,
                    *_position(looped),
                    "",
                    "an alias refers to a node that contains it (a loop such as `a: &a [*a]`)",
                )
            ]
        )
    depth, nodes = _shape(root)
    if depth > MAX_DEPTH:
        raise ScenarioError([Problem(label, 1, 1, "", _TOO_DEEP)])
    if nodes > MAX_NODES:
        raise ScenarioError(
            [
                Problem(
                    label,
                    1,
                    1,
                    "",
                    f"the file expands to {nodes:,} values once its aliases are followed (limit {MAX_NODES:,}); "
                    "refused as a possible alias bomb",
                )
            ]
        )

    problems: list[Problem] = []
    _duplicate_keys(root, (), label, problems)
    try:
        _hashtags_cut_off(text, label, problems, fast)
        data = _ConstructOnly(root).construct_document(root)
    except yaml.YAMLError as exc:
        raise ScenarioError([*problems, _yaml_problem(exc, label, text)]) from None
    if not isinstance(data, dict):
        raise ScenarioError(
            [*problems, Problem(label, *_position(root), "", "expected a mapping of scenario fields at the top")]
        )

    values: dict[FieldPath, tuple[int, int]] = {}
    keys: dict[FieldPath, tuple[int, int]] = {}
    _index_nodes(root, (), values, keys)

    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = _field_path(tuple(err["loc"]), data)
            kind = err["type"]
            line, col = _locate(loc, values, keys, prefer_key=kind == "extra_forbidden")
            if kind == "missing":
                line, col = _locate(loc[:-1], values, keys, prefer_key=False)
                message = f"missing required field {loc[-1]!r}"
                field = _dotted(loc)
            elif kind == "extra_forbidden":
                message = f"unknown field {loc[-1]!r}" + _did_you_mean(loc, data)
                field = _dotted(loc)
            elif kind == "literal_error" and isinstance(err.get("input"), str):
                choices = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))
                close = difflib.get_close_matches(err["input"], choices, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                message = f"unknown value {err['input']!r}{hint} Expected one of: {', '.join(choices)}"
                field = _dotted(loc)
            else:
                message = err["msg"]
                if "input" in err and kind not in ("model_type",) and not isinstance(err["input"], (dict, list)):
                    message += f" (got {err['input']!r})"
                field = _dotted(loc)
            problems.append(Problem(label, line, col, field, message))
        # The model could not be built, so cross-field checks cannot run on it;
        # the ones that need only raw data still run, so one pass shows them all.
        for path, message in raw_problems(data):
            line, col = _locate(path, values, keys, prefer_key=False)
            problems.append(Problem(label, line, col, _dotted(path), message))
        raise ScenarioError(_sorted(problems)) from None

    for path, message in cross_field_problems(scenario):
        line, col = _locate(path, values, keys, prefer_key=False)
        problems.append(Problem(label, line, col, _dotted(path), message))
    if problems:
        raise ScenarioError(_sorted(problems))
    return scenario


def _field_path(loc: tuple[Any, ...], data: object) -> FieldPath:
    """Drop the tags pydantic adds for union and function steps (`function-after[…]`), keeping real keys.

    A part is kept when the data has it at that place, so a key that looks like
    a tag (`c[lock`) is still named.
    """
    kept: list[str | int] = []
    node: object = data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and -len(node) <= part < len(node)
        ):
            kept.append(part)
            node = node[part]
        elif isinstance(part, str) and ("[" in part or part.startswith(("function-", "union:"))):
            continue
        else:
            kept.append(part)
            node = None
    return tuple(kept)


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))


def _did_you_mean(loc: FieldPath, data: dict[str, Any]) -> str:
    from simulator.scenario import schema

    # Walk the schema to the model that owns the unknown key.
    model: type = schema.Scenario
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            continue  # a key of a mapping (a segment or kind id), not a field
        model = _inner_model(field.annotation) or model
    names = list(getattr(model, "model_fields", {}))
    if not loc:
        return ""
    close = difflib.get_close_matches(str(loc[-1]), names, n=1)
    return f"; did you mean {close[0]!r}?" if close else f"; expected one of: {', '.join(names)}"


def _inner_model(annotation: object) -> type | None:
    from typing import get_args

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


class _ConstructOnly(yaml.SafeLoader):
    """A SafeLoader used only to construct Python values from an already composed node.

    A value its tag cannot hold (`!!float x`, `!!int abc`) raises a YAML error
    with the node's position instead of a bare ValueError.
    """

    def __init__(self, node: Node):
        yaml.SafeLoader.__init__(self, "")
        self._node = node

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {node.value!r} as {node.tag.rsplit(':', 1)[-1]}: {exc}", node.start_mark
            ) from None


def load_scenario(path: str | Path) -> LoadedScenario:
    """Read, parse and validate a scenario file; raise ScenarioError with every problem."""
    path = Path(path)
    label = str(path)
    text = _read_text(path, label)
    scenario = parse_scenario_text(text, label)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return LoadedScenario(scenario=scenario, path=path, content_hash=digest)
