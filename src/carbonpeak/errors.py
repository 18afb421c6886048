"""Errors a user can act on.

Every error that reaches a user names the place it comes from (file, sheet, row, column, field)
and what was wrong. The CLI turns a `CarbonpeakError` into a message and exit code 2; the API
into HTTP 4xx. Anything else is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Place:
    """Where a problem sits in an input: any of file, sheet, row, column, field."""

    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        if self.field:
            parts.append(f"field {self.field}")
        return ", ".join(parts)


def N_(template: str) -> str:
    """Mark a message template for translation: Babel extracts the `N_` calls, and the text is
    translated where it is shown (`Problem.template` filled with `Problem.values`)."""
    return template


class Term(str):
    """A value of a problem that is itself a catalogue message (a state name such as
    `under_review`): `i18n.problem_text` says it in the reader's language too."""

    __slots__ = ()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, at one place. `message` is in English; when it was made
    from a template (`Problem.of`), `template` and `values` let a reader's language say it."""

    place: Place
    message: str
    template: str = ""
    values: tuple[Any, ...] = ()

    @classmethod
    def of(cls, place: Place, template: str, *values: Any) -> Problem:
        """A problem whose message is `template.format(*values)`."""
        return cls(place, template.format(*values), template, values)

    def __str__(self) -> str:
        where = str(self.place)
        return f"{where}: {self.message}" if where else self.message

    def as_dict(self) -> dict[str, str | int | None]:
        """The problem as JSON-ready data (API responses, job outcomes)."""
        return {
            "file": self.place.file,
            "sheet": self.place.sheet,
            "row": self.place.row,
            "column": self.place.column,
            "field": self.place.field,
            "message": self.message,
        }


class CarbonpeakError(Exception):
    """An error caused by the input or the request, not by a bug."""


class InputError(CarbonpeakError):
    """One or more problems in an input; all of them are listed."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(Place(), problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class Conflict(InputError):
    """A request that contradicts what is stored (a batch id sent again with other content):
    HTTP 409, the problems placed."""


class TooLarge(CarbonpeakError):
    """A request larger than a limit the platform sets (HTTP 413)."""


class UnitError(CarbonpeakError):
    """A unit that the registry cannot parse, or two units that do not convert."""


class CodeError(CarbonpeakError):
    """An identifier (USCC, region code, industry code, item code) that is not valid."""


class NotFoundError(CarbonpeakError):
    """Nothing there, or nothing the caller may see: the two are not told apart."""


class PermissionDenied(CarbonpeakError):
    """The caller may see the thing but not do this to it."""


class AuthenticationError(CarbonpeakError):
    """No valid credential."""


class TooManyAttempts(CarbonpeakError):
    """Too many failed logins of an account, or from an address: try again in `retry_after`
    seconds (HTTP 429 with Retry-After)."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(f"too many failed logins; try again in {self.retry_after} s")
