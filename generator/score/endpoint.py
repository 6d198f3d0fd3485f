"""The OpenAI-compatible endpoint seen from the scorer: its client, and facts read off replies.

The openai SDK's timeout is per socket operation, and it buffers a reply whole: a server
that trickles a byte every few seconds never times out, and one that streams without end
fills memory. The client made here reads replies through :class:`BoundedClient`, which
stops a reply past a size cap (:class:`ReplyTooLarge`) or past an overall deadline counted
from the request, headers included (:class:`ReplyDeadline`, a timeout to the SDK). Both
surface as a failed attempt with a clear reason, never as a hang.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import httpx
import openai

from generator.fetch.http import parse_retry_after
from generator.schema import Usage

# A reply for 20 papers is about 20 KB; 8 MiB is room for any honest batch.
MAX_REPLY_BYTES = 8 * 1024 * 1024


class ReplyTooLarge(httpx.ReadError):
    """The endpoint sent more than the cap allows."""

    def __init__(self, limit: int, request: httpx.Request) -> None:
        self.limit = limit
        super().__init__(f"reply larger than {limit:,} bytes", request=request)


class ReplyDeadline(httpx.ReadTimeout):
    """The reply was not complete within the overall deadline."""

    def __init__(self, deadline: float, request: httpx.Request) -> None:
        self.deadline = deadline
        super().__init__(f"reply not complete within {deadline:g} s", request=request)


class _Watchdog:
    """Shuts a request's socket down at its deadline, wherever the reply is stuck.

    A per-read timeout restarts with every byte, headers included; shutting the socket
    down from a timer unblocks the read at the deadline. The socket comes from httpcore's
    ``trace`` extension as the connection opens (the client keeps no idle connections, so
    every request opens one).
    """

    def __init__(self, deadline: float) -> None:
        self.fired = threading.Event()
        self._stream: Any = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(deadline, self._fire)
        self._timer.daemon = True

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        # "connection." for direct and HTTP-proxied requests, "socks." through a SOCKS proxy.
        if event.endswith(".connect_tcp.complete"):
            with self._lock:
                self._stream = info.get("return_value")

    def start(self) -> None:
        self._timer.start()

    def _fire(self) -> None:
        self.fired.set()
        with self._lock:
            stream = self._stream
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        self._timer.cancel()


class _BoundedStream(httpx.SyncByteStream):
    def __init__(
        self,
        inner: httpx.SyncByteStream,
        request: httpx.Request,
        watchdog: _Watchdog,
        *,
        max_bytes: int,
        deadline: float,
    ) -> None:
        self._inner = inner
        self._request = request
        self._watchdog = watchdog
        self._max_bytes = max_bytes
        self._deadline = deadline

    def __iter__(self) -> Iterator[bytes]:
        received = 0
        try:
            for chunk in self._inner:
                received += len(chunk)
                if received > self._max_bytes:
                    raise ReplyTooLarge(self._max_bytes, self._request)
                if self._watchdog.fired.is_set():
                    raise ReplyDeadline(self._deadline, self._request)
                yield chunk
        except (httpx.TransportError, OSError) as exc:
            if self._watchdog.fired.is_set() and not isinstance(exc, ReplyTooLarge):
                raise ReplyDeadline(self._deadline, self._request) from exc
            raise

    def close(self) -> None:
        self._watchdog.stop()
        self._inner.close()


class BoundedClient(httpx.Client):
    """An httpx client whose every reply is capped in size and in total time.

    It wraps :meth:`httpx.Client.send` (the one call the openai SDK makes), so the client's
    own transport, proxies from the environment included, stays as httpx builds it. Bytes
    are counted as they come off the wire: the client asks for an uncompressed reply. It
    keeps no idle connections, so every request opens one that its watchdog can shut (a
    new connection per batch costs little next to the model's answer).
    """

    def __init__(self, *, max_bytes: int = MAX_REPLY_BYTES, deadline: float, **kwargs: Any):
        kwargs.setdefault("limits", httpx.Limits(max_keepalive_connections=0))
        kwargs.setdefault("timeout", deadline)
        super().__init__(**kwargs)
        self.headers["Accept-Encoding"] = "identity"
        self.max_bytes = max_bytes
        self.deadline = deadline

    def send(
        self, request: httpx.Request, *, stream: bool = False, **kwargs: Any
    ) -> httpx.Response:
        watchdog = _Watchdog(self.deadline)
        request.extensions = {**request.extensions, "trace": watchdog.trace}
        watchdog.start()
        try:
            response = super().send(request, stream=True, **kwargs)
        except (httpx.TransportError, OSError) as exc:
            watchdog.stop()
            if watchdog.fired.is_set():
                raise ReplyDeadline(self.deadline, request) from exc
            raise
        except BaseException:
            watchdog.stop()
            raise
        inner = response.stream
        assert isinstance(inner, httpx.SyncByteStream)
        response.stream = _BoundedStream(
            inner, request, watchdog, max_bytes=self.max_bytes, deadline=self.deadline
        )
        if not stream:
            try:
                response.read()
            except BaseException:
                response.close()
                raise
        return response


def make_client(
    *, api_key: str, base_url: str | None, timeout: float, max_reply_bytes: int
) -> openai.OpenAI:
    """The SDK client: our retry policy (``max_retries=0``) over a :class:`BoundedClient`.

    ``timeout`` is both the per-operation timeout and the overall deadline of one request.
    """
    return openai.OpenAI(
        api_key=api_key,
        base_url=base_url,
        timeout=timeout,
        max_retries=0,
        http_client=BoundedClient(max_bytes=max_reply_bytes, deadline=timeout),
    )


def bounded_failure(exc: BaseException) -> str | None:
    """The reason an SDK error came from :class:`BoundedClient`'s bounds, or None."""
    cause = exc.__cause__
    if isinstance(cause, ReplyTooLarge | ReplyDeadline):
        return str(cause)
    return None


def estimate_tokens(messages: Sequence[Mapping[str, str]]) -> int:
    """Rough prompt tokens (~4 characters each) for the limiter and the budget."""
    return sum(len(m["content"]) for m in messages) // 4 + 8 * len(messages)


def retry_after(response: Any) -> float | None:
    """Seconds an endpoint asks us to wait: OpenAI's ``retry-after-ms``, else Retry-After."""
    headers = getattr(response, "headers", None) or {}
    value = headers.get("retry-after-ms")
    if value:
        try:
            return max(float(value) / 1000, 0.0)
        except ValueError:
            pass
    return parse_retry_after(headers.get("retry-after"))


def public_url(url: str) -> str:
    """``url`` without user info or query (they may hold credentials): safe in errors."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def usage_of(completion: Any) -> Usage:
    """Tokens of one reply (fields some endpoints omit, or fill with junk, count as zero)."""

    def count(owner: Any, name: str) -> int:
        value = getattr(owner, name, 0) or 0
        return value if isinstance(value, int) and 0 <= value < 10**12 else 0

    raw = getattr(completion, "usage", None)
    if raw is None:
        return Usage(requests=1)
    return Usage(
        requests=1,
        prompt_tokens=count(raw, "prompt_tokens"),
        completion_tokens=count(raw, "completion_tokens"),
        cached_prompt_tokens=count(getattr(raw, "prompt_tokens_details", None), "cached_tokens"),
        reasoning_tokens=count(getattr(raw, "completion_tokens_details", None), "reasoning_tokens"),
    )
