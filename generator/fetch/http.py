"""A polite HTTP client for arXiv (and Semantic Scholar).

- At most one request per ``min_interval`` seconds (arXiv's terms ask for 3 s), measured on
  ``time.monotonic()`` so clock changes cannot shorten it.
- A timeout on every request; retries with exponential backoff and jitter on 429, 5xx and
  connection errors; ``Retry-After`` honoured (capped, so a bad header cannot stall a run).
- A bounded reply: the body is read in chunks up to ``max_bytes`` and within an overall
  per-attempt ``deadline``, so a server that trickles a byte at a time or streams without end
  cannot stall or exhaust a run; credentials never follow a redirect to another origin. Both
  rules live in :mod:`generator.fetch.transport`, which ``doctor`` uses too.
- A host name that does not resolve is not retried; the error says what to check.
- A User-Agent naming the project.
- Failures raise :class:`~generator.errors.FetchError` naming the URL, the cause, the HTTP
  status and the number of attempts. Request headers (API keys) never appear in errors.

Built on the standard library's ``urllib.request``: the fetch stage makes a handful of
sequential requests a day, so a pooled async client (httpx) would add a dependency for
nothing, and urllib's timeout covers both connecting and every read of a hanging response.
Sleep, clock and jitter are injected so tests never really wait; the reply deadline runs on
the real ``time.monotonic()`` because it bounds real socket reads.
"""

from __future__ import annotations

import email.utils
import importlib.metadata
import json
import logging
import random
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import unescape
from typing import Any

from generator import text
from generator.errors import FetchError
from generator.fetch.transport import (
    DEADLINE_FACTOR,
    DEFAULT_MAX_BYTES,
    ReplyDeadline,
    is_unresolved_host,
    open_url,
    read_body,
    unresolved_host_problem,
)

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# An error page is only described (its title), so a little of it is enough.
ERROR_BODY_BYTES = 64 * 1024


def _version() -> str:
    try:
        return importlib.metadata.version("arxiv-digest")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - not installed
        return "0"


USER_AGENT = f"arxiv-digest/{_version()} (personalized daily arXiv digest; python-urllib)"


@dataclass(frozen=True)
class Response:
    """A successful (2xx) reply."""

    url: str
    status: int
    body: bytes
    headers: Mapping[str, str]
    attempts: int

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def describe_error_body(body: bytes, limit: int = 200) -> str:
    """A short human description of an error reply: an XML feed's title/summary, an HTML
    page's title, or the start of the text; safe to print (:func:`generator.text.for_terminal`)."""
    decoded = body.decode("utf-8", errors="replace")
    for pattern in (
        r"<summary[^>]*>(.*?)</summary>",  # arXiv API error entries
        r"<title[^>]*>(Feed error.*?)</title>",  # arXiv RSS bad-query feed
        r"<title[^>]*>(.*?)</title>",
    ):
        match = re.search(pattern, decoded, re.S | re.I)
        if match and match.group(1).strip():
            found = text.for_terminal(unescape(match.group(1)), limit)
            if found:
                return found
    flat = text.for_terminal(re.sub(r"<[^>]+>", " ", decoded), limit)
    return flat or "(empty body)"


def parse_retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())


class PoliteClient:
    """Rate-limited, retrying HTTP client; one instance per service (its own interval)."""

    def __init__(
        self,
        *,
        min_interval: float = 3.0,
        timeout: float = 60.0,
        retries: int = 4,
        backoff_base: float = 2.0,
        backoff_max: float = 60.0,
        retry_after_max: float = 120.0,
        user_agent: str = USER_AGENT,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
        max_bytes: int = DEFAULT_MAX_BYTES,
        deadline: float | None = None,
    ) -> None:
        self.min_interval = min_interval
        self.timeout = timeout
        self.retries = retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.retry_after_max = retry_after_max
        self.user_agent = user_agent
        self.sleep = sleep
        self.clock = clock
        self.jitter = jitter
        self.max_bytes = max_bytes
        self.deadline = deadline if deadline is not None else DEADLINE_FACTOR * timeout
        self._last_request: float | None = None
        self.requests_made = 0  # every attempt, for logs and tests
        self.waited = 0.0  # seconds slept (rate limit + backoff)

    @classmethod
    def from_settings(cls, settings: Any, **overrides: Any) -> PoliteClient:
        """A client configured from ``ArxivSettings`` (min_interval, timeout, retries)."""
        options: dict[str, Any] = {
            "min_interval": settings.min_interval,
            "timeout": settings.timeout,
            "retries": getattr(settings, "retries", 4),
        }
        options.update(overrides)
        return cls(**options)

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self.waited += seconds
            self.sleep(seconds)

    def _respect_interval(self) -> None:
        if self._last_request is not None:
            self._wait(self._last_request + self.min_interval - self.clock())
        self._last_request = self.clock()

    def _backoff(self, attempt: int) -> float:
        # Exponential with "equal jitter": half fixed, half random, so concurrent clients
        # (several users' cron jobs at 20:00 ET) spread out.
        delay = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return delay / 2 + self.jitter() * delay / 2

    def get(
        self,
        url: str,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        setting: str | None = None,
    ) -> Response:
        if params:
            url = f"{url}{'&' if '?' in url else '?'}{urllib.parse.urlencode(params)}"
        return self.request("GET", url, headers=headers, setting=setting)

    def post_json(
        self,
        url: str,
        body: Any,
        headers: Mapping[str, str] | None = None,
        setting: str | None = None,
    ) -> Any:
        """POST a JSON body and decode the JSON reply."""
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        response = self.request(
            "POST", url, data=json.dumps(body).encode(), headers=all_headers, setting=setting
        )
        try:
            return json.loads(response.body)
        except ValueError as exc:
            raise FetchError(
                url, f"reply is not JSON: {exc}", response.status, response.attempts
            ) from exc

    def request(
        self,
        method: str,
        url: str,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        setting: str | None = None,
    ) -> Response:
        """Send with retries; return a 2xx response or raise FetchError.

        ``setting`` names the config key / variable behind ``url``, for the error hint.
        """
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            self._respect_interval()
            self.requests_made += 1
            request = urllib.request.Request(url, data=data, method=method)
            request.add_header("User-Agent", self.user_agent)
            for key, value in (headers or {}).items():
                request.add_header(key, value)
            retry_after: float | None = None
            started = time.monotonic()
            try:
                with open_url(request, self.timeout) as reply:
                    body = read_body(reply, url, self.max_bytes, self.deadline, started)
                    return Response(
                        url,
                        reply.status,
                        body,
                        {k.lower(): v for k, v in reply.headers.items()},
                        attempt,
                    )
            except FetchError as exc:  # the reply is larger than max_bytes: not retried
                raise FetchError(url, exc.problem, exc.status, attempt) from None
            except urllib.error.HTTPError as exc:
                status = exc.code
                body = _read_quietly(exc, url, self.deadline, started)
                phrase = text.for_terminal(str(exc.reason or "error"), 80)  # the server's words
                problem = f"{phrase}: {describe_error_body(body)}"
                if status not in RETRY_STATUSES or attempt == attempts:
                    raise FetchError(url, problem, status, attempt) from None
                retry_after = parse_retry_after(exc.headers.get("Retry-After"))
                log.info("%s: HTTP %s, retrying (attempt %d of %d)", url, status, attempt, attempts)
            except TimeoutError as exc:  # a read timed out, or the whole reply (ReplyDeadline)
                problem = (
                    str(exc)
                    if isinstance(exc, ReplyDeadline)
                    else f"timed out after {self.timeout:g} s"
                )
                if attempt == attempts:
                    raise FetchError(url, problem, None, attempt) from exc
                log.info("%s: %s, retrying (attempt %d of %d)", url, problem, attempt, attempts)
            except (urllib.error.URLError, ConnectionError, OSError) as exc:
                if is_unresolved_host(exc):
                    # Asking again will not make the name resolve; say what to check instead.
                    raise FetchError(
                        url, unresolved_host_problem(url, setting), None, attempt
                    ) from exc
                reason = getattr(exc, "reason", exc)
                if isinstance(reason, TimeoutError):
                    problem = f"timed out after {self.timeout:g} s"
                else:
                    problem = f"connection failed: {text.for_terminal(str(reason), 200)}"
                if attempt == attempts:
                    raise FetchError(url, problem, None, attempt) from exc
                log.info("%s: %s, retrying (attempt %d of %d)", url, problem, attempt, attempts)
            delay = self._backoff(attempt)
            if retry_after is not None:
                delay = min(max(retry_after, 0.0), self.retry_after_max)
            self._wait(delay)
        raise AssertionError("unreachable")  # pragma: no cover


def _read_quietly(exc: urllib.error.HTTPError, url: str, deadline: float, started: float) -> bytes:
    """The start of an error page (enough to describe it), or nothing if it will not come."""
    try:
        return read_body(exc, url, ERROR_BODY_BYTES, deadline, started, truncate=True)
    except (OSError, FetchError):
        return b""
