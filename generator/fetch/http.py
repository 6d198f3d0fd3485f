"""A polite HTTP client for arXiv (and Semantic Scholar).

- At most one request per ``min_interval`` seconds (arXiv's terms ask for 3 s), measured on
  ``time.monotonic()`` so clock changes cannot shorten it.
- A timeout on every request; retries with exponential backoff and jitter on 429, 5xx and
  connection errors; ``Retry-After`` honoured (capped, so a bad header cannot stall a run).
- A User-Agent naming the project.
- Failures raise :class:`~generator.errors.FetchError` naming the URL, the cause, the HTTP
  status and the number of attempts. Request headers (API keys) never appear in errors.

Built on the standard library's ``urllib.request``: the fetch stage makes a handful of
sequential requests a day, so a pooled async client (httpx) would add a dependency for
nothing, and urllib's timeout covers both connecting and every read of a hanging response.
Sleep, clock and jitter are injected so tests never really wait.
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

from generator.errors import FetchError

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


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
    page's title, or the start of the text."""
    text = body.decode("utf-8", errors="replace")
    for pattern in (
        r"<summary[^>]*>(.*?)</summary>",  # arXiv API error entries
        r"<title[^>]*>(Feed error.*?)</title>",  # arXiv RSS bad-query feed
        r"<title[^>]*>(.*?)</title>",
    ):
        match = re.search(pattern, text, re.S | re.I)
        if match and match.group(1).strip():
            found = unescape(re.sub(r"\s+", " ", match.group(1))).strip()
            return found[:limit]
    flat = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()
    return flat[:limit] or "(empty body)"


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
    ) -> Response:
        if params:
            url = f"{url}{'&' if '?' in url else '?'}{urllib.parse.urlencode(params)}"
        return self.request("GET", url, headers=headers)

    def post_json(self, url: str, body: Any, headers: Mapping[str, str] | None = None) -> Any:
        """POST a JSON body and decode the JSON reply."""
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        response = self.request("POST", url, data=json.dumps(body).encode(), headers=all_headers)
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
    ) -> Response:
        """Send with retries; return a 2xx response or raise FetchError."""
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            self._respect_interval()
            self.requests_made += 1
            request = urllib.request.Request(url, data=data, method=method)
            request.add_header("User-Agent", self.user_agent)
            for key, value in (headers or {}).items():
                request.add_header(key, value)
            retry_after: float | None = None
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as reply:
                    body = reply.read()
                    return Response(
                        url,
                        reply.status,
                        body,
                        {k.lower(): v for k, v in reply.headers.items()},
                        attempt,
                    )
            except urllib.error.HTTPError as exc:
                status = exc.code
                body = _read_quietly(exc)
                problem = f"{exc.reason or 'error'}: {describe_error_body(body)}"
                if status not in RETRY_STATUSES or attempt == attempts:
                    raise FetchError(url, problem, status, attempt) from None
                retry_after = parse_retry_after(exc.headers.get("Retry-After"))
                log.info("%s: HTTP %s, retrying (attempt %d of %d)", url, status, attempt, attempts)
            except TimeoutError as exc:
                if attempt == attempts:
                    raise FetchError(
                        url, f"timed out after {self.timeout:g} s", None, attempt
                    ) from exc
                log.info("%s: timed out, retrying (attempt %d of %d)", url, attempt, attempts)
            except (urllib.error.URLError, ConnectionError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                if isinstance(reason, TimeoutError):
                    problem = f"timed out after {self.timeout:g} s"
                else:
                    problem = f"connection failed: {reason}"
                if attempt == attempts:
                    raise FetchError(url, problem, None, attempt) from exc
                log.info("%s: %s, retrying (attempt %d of %d)", url, problem, attempt, attempts)
            delay = self._backoff(attempt)
            if retry_after is not None:
                delay = min(max(retry_after, 0.0), self.retry_after_max)
            self._wait(delay)
        raise AssertionError("unreachable")  # pragma: no cover


def _read_quietly(exc: urllib.error.HTTPError) -> bytes:
    try:
        return exc.read()
    except OSError:
        return b""
