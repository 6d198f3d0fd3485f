"""One error hierarchy for the whole pipeline.

Each error carries the context a user needs to fix the problem (file and key, URL and
status, ...). They are translated only at the boundaries: the CLI turns them into an exit
code and a message, the MkDocs plugin into a ``PluginError``.
"""

from __future__ import annotations

from pathlib import Path


class DigestError(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigError(DigestError):
    """The configuration (digest.yaml, prompt file, environment) is invalid."""

    def __init__(self, source: str | Path, key: str | None, problem: str) -> None:
        self.source = str(source)
        self.key = key
        self.problem = problem
        where = f"{self.source}: {key}" if key else self.source
        super().__init__(f"{where}: {problem}")


class DataError(DigestError):
    """A data file (a day file under data/, a cache file) is unreadable or invalid."""

    def __init__(self, path: str | Path, key: str | None, problem: str) -> None:
        self.path = str(path)
        self.key = key
        self.problem = problem
        where = f"{self.path}: {key}" if key else self.path
        super().__init__(f"{where}: {problem}")


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
