"""What every HTTP request of the package goes through, in one place each: the redirect
policy (:func:`open_url`), the bounded body-reading loop (:func:`read_body`) and the hint for
a host name that does not resolve. Used by :class:`~generator.fetch.http.PoliteClient` and by
``doctor``.
"""

from __future__ import annotations

import logging
import socket
import time
import urllib.parse
import urllib.request
from typing import Any

from generator.config import ENV_OVERRIDES
from generator.errors import FetchError

log = logging.getLogger(__name__)

# The largest reply we accept. A day's cs.LG+cs.AI feed (859 items, 2025-10-07) is 1.7 MB,
# about 2 KB an item, so even every cs.* list at once (a few thousand items) stays near 10 MB,
# and an API page at its 2,000-entry maximum near 4 MB. 64 MiB leaves a wide margin and still
# stops a runaway stream long before memory runs out.
DEFAULT_MAX_BYTES = 64 * 2**20
# Overall time for one attempt (connect, headers, whole body), as a multiple of the socket
# timeout, which alone bounds only each single read: a byte every few seconds never ends.
DEADLINE_FACTOR = 2.0
_CHUNK = 64 * 1024
# Headers that carry credentials: never sent to another origin on a redirect.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "x-api-key", "cookie"})


def endpoint_setting(section: str, key: str) -> str:
    """How a user changes an endpoint: ``arxiv.rss_base / DIGEST_ARXIV_RSS_URL``."""
    names = [var for var, where in ENV_OVERRIDES.items() if where == (section, key)]
    return " / ".join([f"{section}.{key}", *names])


def unresolved_host_problem(url: str, setting: str | None = None) -> str:
    """What to check when the host of ``url`` has no address (a DNS failure)."""
    host = urllib.parse.urlsplit(url).hostname or url
    where = setting or "the configured base URL"
    return (
        f"cannot resolve {host}: check the network or proxy, or {where}; "
        "`arxiv-digest doctor` checks each endpoint"
    )


def is_unresolved_host(exc: BaseException) -> bool:
    """A name-resolution failure (``socket.gaierror``), bare or inside urllib's URLError."""
    return isinstance(getattr(exc, "reason", exc), socket.gaierror)


def _mib(size: int) -> str:
    return f"{size / 2**20:g} MiB"


class ReplyDeadline(TimeoutError):
    """The whole reply did not arrive within the per-attempt deadline."""


def read_body(
    reply: Any,
    url: str,
    max_bytes: int,
    deadline: float,
    started: float,
    *,
    truncate: bool = False,
) -> bytes:
    """The body of ``reply`` (an urllib response or HTTPError), read in chunks: FetchError
    once it passes ``max_bytes`` (or, with ``truncate``, its first ``max_bytes``), and
    :class:`ReplyDeadline` when ``deadline`` seconds from ``started`` (monotonic) have gone by.

    ``read1`` returns what one socket read brings (``read(n)`` would wait for all n
    bytes), so the deadline is checked at least once per socket timeout.
    """
    length = (reply.headers.get("Content-Length") or "").strip()
    if not truncate and length.isdigit() and int(length) > max_bytes:
        raise FetchError(url, f"reply larger than {_mib(max_bytes)} ({int(length):,} bytes)")
    read = getattr(reply, "read1", reply.read)
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() - started > deadline:
            raise ReplyDeadline(f"no complete reply within {deadline:g} s")
        chunk = read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            if truncate:
                return b"".join(chunks)[:max_bytes]
            raise FetchError(url, f"reply larger than {_mib(max_bytes)}")


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port or default


class _CredentialSafeRedirects(urllib.request.HTTPRedirectHandler):
    """urllib copies every request header to the redirect target; here credentials
    (``Authorization``, ``x-api-key``, cookies) go only to the origin they were meant for."""

    def redirect_request(  # type: ignore[override]
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and _origin(req.full_url) != _origin(new.full_url):
            dropped = [k for k in new.headers if k.lower() in CREDENTIAL_HEADERS]
            for name in dropped:
                del new.headers[name]
            if dropped:
                log.info(
                    "redirected to another origin (%s): credentials not forwarded",
                    _origin(new.full_url)[1],
                )
        return new


def open_url(request: urllib.request.Request, timeout: float) -> Any:
    """``urlopen`` with the redirect policy above (the one place requests are opened)."""
    # Built per call (cheap) so proxy settings are read from the environment each time.
    opener = urllib.request.build_opener(_CredentialSafeRedirects())
    return opener.open(request, timeout=timeout)
