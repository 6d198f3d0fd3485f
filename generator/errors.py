"""One error hierarchy for the whole pipeline.

Each error carries the context a user needs to fix the problem (file and key, URL and
status, ...). They are translated only at the boundaries: the CLI turns them into an exit
code and a message, the MkDocs plugin into a ``PluginError``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

from pydantic import ValidationError

# Where a validation error points: the key path (``papers[0].title``) and its line, if known.
LineOf = Callable[[tuple[Any, ...]], int | None]


class DigestError(Exception):
    """Base class of every error this package raises on purpose."""

    def lines(self) -> list[str]:
        """The error as one line per problem (``arxiv-digest validate`` prints each)."""
        return [str(self)]


class _InputError(DigestError):
    """A bad input file: where it is, the first key at fault, and one or more problems.

    ``details`` holds one entry per problem, each naming its own key (and line), as in
    ``status (line 3): Input should be 'published'``; ``problem`` joins them.
    """

    # What a misspelt or unknown key is told (the reference it should be checked against).
    UNKNOWN_KEY: ClassVar[str] = "unknown key"

    def __init__(
        self, source: str | Path, key: str | None, problem: str, details: Sequence[str] = ()
    ) -> None:
        self.source = str(source)
        self.key = key
        self.problem = problem
        self.details = list(details)
        # With details, each names its own key: the key is not repeated in front of them.
        where = f"{self.source}: {key}" if key and not details else self.source
        super().__init__(f"{where}: {problem}")

    def lines(self) -> list[str]:
        if not self.details:
            return [str(self)]
        return [f"{self.source}: {detail}" for detail in self.details]

    def __reduce__(self) -> tuple[Any, ...]:
        # Picklable with its context (site workers send errors back to the main process).
        return (type(self), (self.source, self.key, self.problem, self.details))

    @classmethod
    def from_validation(
        cls, source: str | Path, exc: ValidationError, line_of: LineOf | None = None
    ) -> Self:
        """One error listing every problem pydantic found, each with its key and line."""
        details = validation_problems(exc, line_of, cls.UNKNOWN_KEY)
        first = exc.errors(include_url=False)[0]["loc"] if exc.error_count() else ()
        return cls(source, format_loc(tuple(first)) or None, "; ".join(details), details)


class ConfigError(_InputError):
    """The configuration (digest.yaml, prompt file, environment) is invalid."""

    UNKNOWN_KEY = "unknown key (see the configuration reference)"


class DataError(_InputError):
    """A data file (a day file under data/, a cache file) is unreadable or invalid."""

    UNKNOWN_KEY = "unknown key (not in the day-file schema)"

    @property
    def path(self) -> str:
        return self.source


def format_loc(loc: tuple[Any, ...]) -> str:
    """A pydantic location as the key a user looks for: ``papers[0].authors[2]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def validation_problems(
    exc: ValidationError, line_of: LineOf | None = None, unknown_key: str = "unknown key"
) -> list[str]:
    """Each problem of ``exc`` as ``key (line N): what was expected``, one line each.

    The value at fault is shown only for a choice (``got 'publishd'``), and shortened: a
    value may be huge or carry a secret, and the message must stay one line.
    """
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        key = format_loc(loc) or "(top level)"
        line = line_of(loc) if line_of is not None else None
        expected = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "missing":
            expected = "required key is missing"
        elif err["type"] == "extra_forbidden":
            expected = unknown_key
        elif err["type"] in ("enum", "literal_error"):
            expected = f"{expected} (got {short_repr(err.get('input'))})"
        expected = " ".join(expected.split())
        problems.append(f"{key}" + (f" (line {line})" if line else "") + f": {expected}")
    return problems


def short_repr(value: object, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters: safe to put in a one-line message."""
    text = repr(value) if not isinstance(value, int) or abs(value) < 10**limit else "a huge number"
    if len(text) <= limit:
        return text
    quote = text[-1] if text[-1] in "'\"" else ""  # keep a cut string visibly quoted
    return text[: limit - 1 - len(quote)] + "…" + quote


class FetchError(DigestError):
    """Fetching from arXiv (or Semantic Scholar) failed after retries."""

    def __init__(
        self, url: str, problem: str, status: int | None = None, attempt: int | None = None
    ) -> None:
        self.url = url
        self.status = status
        self.attempt = attempt
        self.problem = problem
        parts = [f"{url}: {problem}"]
        if status is not None:
            parts.append(f"(HTTP {status})")
        if attempt is not None:
            parts.append(f"after {attempt} attempt(s)")
        super().__init__(" ".join(parts))


class ScoreError(DigestError):
    """The scoring endpoint is unusable (bad key, every call failing)."""


class ScheduleError(DigestError):
    """A date that has no arXiv announcement (weekend, holiday) was asked for."""

    def __init__(self, date: object, reason: str) -> None:
        self.date = date
        self.reason = reason
        super().__init__(f"arXiv made no announcement on {date}: {reason}")


class SearchIndexError(DigestError):
    """Pagefind failed or is missing; names the year and what Pagefind said."""

    def __init__(self, year: int | None, problem: str) -> None:
        self.year = year
        self.problem = problem
        where = f"search index of {year}" if year is not None else "search index"
        super().__init__(f"{where}: {problem}")


class RunLocked(DigestError):
    """Another run holds the data directory's lock (two runs would pay twice)."""

    def __init__(self, path: str | Path, pid: int | None, since: str | None) -> None:
        self.path = str(path)
        self.pid = pid
        self.since = since
        holder = f"pid {pid if pid is not None else 'unknown'}, since {since or 'unknown'}"
        super().__init__(
            f"another arxiv-digest run ({holder}) holds {self.path}; try again when it finishes"
        )
