"""What every request goes through, against real loopback servers: a bounded reply (size cap,
overall deadline), no credentials across origins on a redirect, no retries of a DNS failure."""

from __future__ import annotations

import contextlib
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from support.arxiv import FakeArxiv, Reply

from generator.config import parse_config
from generator.doctor import urllib_get
from generator.errors import FetchError
from generator.fetch.http import PoliteClient
from generator.fetch.rss import fetch_announcement
from generator.fetch.transport import endpoint_setting

SECRET = "sk-SECRET-redirect-1234"
Handler = Callable[[BaseHTTPRequestHandler], None]


class Server:
    """A loopback server whose GET handler is one function; records each request's headers."""

    def __init__(self, handle: Handler, protocol: str = "HTTP/1.1") -> None:
        received = self.received = []  # type: list[dict[str, str]]

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = protocol

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                received.append({k.lower(): v for k, v in self.headers.items()})
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    handle(self)  # (the client may give up, as it should)

            do_POST = do_GET  # noqa: N815

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def start(handle: Handler, protocol: str = "HTTP/1.1") -> Server:
        servers.append(Server(handle, protocol))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def quick(**options: object) -> PoliteClient:
    defaults: dict[str, object] = {"min_interval": 0.0, "timeout": 2.0, "retries": 0}
    defaults.update(options)
    return PoliteClient(sleep=lambda s: None, **defaults)  # type: ignore[arg-type]


def trickle(handler: BaseHTTPRequestHandler) -> None:
    """A 20-byte reply, one byte every 0.5 s (10 s in all, each read well inside a timeout)."""
    handler.send_response(200)
    handler.send_header("Content-Length", "20")
    handler.end_headers()
    for _ in range(20):
        handler.wfile.write(b"x")
        handler.wfile.flush()
        time.sleep(0.5)


def endless(handler: BaseHTTPRequestHandler) -> None:
    """A reply without a length that streams fast (stops at 256 MiB so a broken client ends)."""
    handler.send_response(200)
    handler.end_headers()
    block = b"<item>" * 10_000
    for _ in range(256 * 2**20 // len(block)):
        handler.wfile.write(block)


def test_a_trickling_reply_stops_at_the_deadline(serve: Callable[..., Server]) -> None:
    server = serve(trickle)
    started = time.monotonic()
    with pytest.raises(FetchError) as info:
        quick(timeout=1.0, deadline=2.0).get(server.url + "/rss/cs.LG")
    elapsed = time.monotonic() - started
    assert "no complete reply within 2 s" in str(info.value)
    assert server.url + "/rss/cs.LG" in str(info.value)
    assert 1.9 < elapsed < 4.0, elapsed


def test_the_deadline_defaults_to_twice_the_timeout() -> None:
    assert PoliteClient(timeout=30.0).deadline == 60.0


def test_an_endless_reply_stops_at_the_size_cap_with_bounded_memory(
    serve: Callable[..., Server],
) -> None:
    server = serve(endless, protocol="HTTP/1.0")
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(FetchError) as info:
            quick(max_bytes=2**20).get(server.url + "/api/query")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "reply larger than 1 MiB" in str(info.value) and server.url in str(info.value)
    assert info.value.attempt == 1
    assert peak < 8 * 2**20, peak  # a few chunks past the cap, not the stream
    assert time.monotonic() - started < 5


def test_a_declared_length_over_the_cap_fails_before_reading(
    serve: Callable[..., Server],
) -> None:
    def huge(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(3 * 2**20))
        handler.end_headers()
        handler.wfile.write(b"x" * 3 * 2**20)

    server = serve(huge)
    with pytest.raises(FetchError, match="reply larger than 1 MiB"):
        quick(max_bytes=2**20).get(server.url + "/x")


def test_a_huge_error_page_is_still_described(serve: Callable[..., Server]) -> None:
    def error_page(handler: BaseHTTPRequestHandler) -> None:
        body = b"<html><title>Down</title>" + b" " * (3 * 2**20) + b"</html>"
        handler.send_response(500)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    server = serve(error_page)
    with pytest.raises(FetchError) as info:
        quick(max_bytes=2**20).get(server.url + "/x")
    assert info.value.status == 500 and "Down" in str(info.value)


def redirect_to(target: str) -> Handler:
    def handle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", target + handler.path)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return handle


def answer(body: bytes) -> Handler:
    def handle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return handle


def secrets_in(headers: dict[str, str]) -> list[str]:
    return sorted(name for name, value in headers.items() if SECRET in value)


def test_polite_client_drops_credentials_on_a_redirect_to_another_origin(
    serve: Callable[..., Server],
) -> None:
    landing = serve(answer(b"[]"))
    first = serve(redirect_to(landing.url))  # another port: another origin
    headers = {"x-api-key": SECRET, "Authorization": f"Bearer {SECRET}", "Cookie": SECRET}
    response = quick().get(first.url + "/graph/v1/paper/batch", headers=headers)
    assert response.body == b"[]"
    assert secrets_in(first.received[0]) == ["authorization", "cookie", "x-api-key"]
    assert len(landing.received) == 1 and secrets_in(landing.received[0]) == []
    assert quick().post_json(first.url + "/author", {"ids": []}, headers) == []
    assert secrets_in(landing.received[1]) == []


def test_polite_client_keeps_credentials_on_a_same_origin_redirect(
    serve: Callable[..., Server],
) -> None:
    def moved(handler: BaseHTTPRequestHandler) -> None:
        if handler.path == "/new":
            answer(b"ok")(handler)
        else:
            handler.send_response(301)
            handler.send_header("Location", "/new")
            handler.send_header("Content-Length", "0")
            handler.end_headers()

    server = serve(moved)
    assert quick().get(server.url + "/old", headers={"x-api-key": SECRET}).body == b"ok"
    assert [h["x-api-key"] for h in server.received] == [SECRET, SECRET]


def test_doctor_drops_the_bearer_key_on_a_redirect_to_another_origin(
    serve: Callable[..., Server],
) -> None:
    landing = serve(answer(b'{"data": []}'))
    first = serve(redirect_to(landing.url))
    got = urllib_get(first.url + "/v1/models", {"Authorization": f"Bearer {SECRET}"}, 2.0)
    assert got.status == 200 and got.body == b'{"data": []}'
    assert secrets_in(first.received[0]) == ["authorization"]
    assert secrets_in(landing.received[0]) == []


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("no_proxy")
def test_an_unresolvable_host_is_not_retried_and_says_what_to_check() -> None:
    # RFC 6761: names under .invalid never resolve, so this fails at once, online or not.
    sleeps: list[float] = []
    client = PoliteClient(min_interval=0.0, timeout=5.0, retries=4, sleep=sleeps.append)
    config = parse_config({"arxiv": {"rss_base": "http://arxiv-digest.invalid"}}, env={})
    with pytest.raises(FetchError) as info:
        fetch_announcement(config, client)
    message = str(info.value)
    assert "cannot resolve arxiv-digest.invalid" in message
    assert "check the network or proxy" in message
    assert "arxiv.rss_base / DIGEST_ARXIV_RSS_URL" in message
    assert "`arxiv-digest doctor` checks each endpoint" in message
    assert info.value.attempt == 1 and client.requests_made == 1 and sleeps == []


def test_endpoint_setting_names_the_key_and_the_variable() -> None:
    assert endpoint_setting("arxiv", "api_base") == "arxiv.api_base / DIGEST_ARXIV_API_URL"
    assert endpoint_setting("semantic_scholar", "base_url") == (
        "semantic_scholar.base_url / DIGEST_S2_API_URL"
    )


def test_escape_sequences_in_an_error_page_are_not_passed_on() -> None:
    page = "<html><title>\x1b]0;pwned\x07\x1b[2J Maintenance\r\nback soon</title></html>"
    with FakeArxiv() as fake:
        fake.script("/x", Reply(404, page, content_type="text/html"))
        with pytest.raises(FetchError) as info:
            quick().get(fake.url + "/x")
    message = str(info.value)
    assert "\x1b" not in message and "\x07" not in message and "\n" not in message
    assert "Maintenance back soon" in message
