"""The template format's own rules: the slots a text uses and rules that refer back to themselves.

They belong to the scenario format (validation checks them); the grammar in
`simulator.language.grammar` expands the same slots.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

SLOT = re.compile(r"\{([^{}]*)\}")


def slot_names(text: str) -> list[str]:
    """The names used as `{name}` slots in a text (not inline alternatives)."""
    return [m for m in SLOT.findall(text) if "|" not in m]


def cycle(rules: Mapping[str, Sequence[str]]) -> list[str] | None:
    """A chain of rules that refer back to themselves (`a` → `b` → `a`), or None."""
    graph = {name: {s for text in texts for s in slot_names(text) if s in rules} for name, texts in rules.items()}
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> list[str] | None:
        state[name] = 1
        for nxt in sorted(graph[name]):
            if state.get(nxt) == 1:
                return [*path, name, nxt]
            if nxt not in state:
                found = visit(nxt, [*path, name])
                if found:
                    return found
        state[name] = 2
        return None

    for name in sorted(graph):
        if name not in state:
            found = visit(name, [])
            if found:
                return found[found.index(found[-1]) :]
    return None
