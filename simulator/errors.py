"""Errors meant for users: caught once at the CLI's edge and printed without a traceback."""

from __future__ import annotations

from dataclasses import dataclass


class BackfireError(Exception):
    """A mistake a user can fix (bad file, unknown option, bad flag). Exit code 2."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One problem found in a file: where it is and what was expected."""

    file: str
    line: int | None
    column: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class ScenarioError(BackfireError):
    """A scenario file that cannot be used; carries every problem found in it."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        count = len(problems)
        head = f"{count} problem{'s' if count != 1 else ''} in {problems[0].file}" if problems else "invalid scenario"
        super().__init__(head + "\n" + "\n".join(f"  {p}" for p in problems))
