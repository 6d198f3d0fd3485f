"""The polite client against a real loopback server: retries, Retry-After, timeouts, pacing."""

from __future__ import annotations

import time

import pytest
from support.arxiv import FakeArxiv, Reply

from generator.errors import FetchError
from generator.fetch.http import USER_AGENT, PoliteClient, describe_error_body, parse_retry_after


class Sleeps:
    """Records requested sleeps instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def client(sleeps: Sleeps, **options: object) -> PoliteClient:
    defaults: dict[str, object] = {
        "min_interval": 0.0,
        "timeout": 2.0,
        "retries": 3,
        "sleep": sleeps,
        "jitter": lambda: 0.5,
    }
    defaults.update(options)
    return PoliteClient(**defaults)  # type: ignore[arg-type]


def test_503_then_success_backs_off_exponentially() -> None:
    sleeps = Sleeps()
    with FakeArxiv() as fake:
        fake.script("/x", Reply(503, "busy"), Reply(503, "busy"), Reply(200, "ok"))
        response = client(sleeps, backoff_base=2.0).get(fake.url + "/x")
    assert response.text == "ok" and response.attempts == 3
    assert len(fake.log) == 3
    # equal jitter with jitter()=0.5: 0.75 * 2 * 2**(n-1)
    assert sleeps.calls == [1.5, 3.0]
    assert fake.log[0].headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("arxiv-digest/")


def test_429_retry_after_is_honoured_and_capped() -> None:
    sleeps = Sleeps()
    with FakeArxiv() as fake:
        fake.script(
            "/x",
            Reply(429, "slow down", {"Retry-After": "7"}),
            Reply(429, "slow down", {"Retry-After": "100000"}),
            Reply(200, "ok"),
        )
        client(sleeps, retry_after_max=30.0).get(fake.url + "/x")
    assert sleeps.calls == [7.0, 30.0]


def test_retries_exhausted_names_url_status_and_attempts() -> None:
    sleeps = Sleeps()
    with FakeArxiv() as fake:
        fake.script("/x", Reply(503, "<html><title>Service Unavailable</title></html>"))
        with pytest.raises(FetchError) as info:
            client(sleeps, retries=2).get(fake.url + "/x")
    error = info.value
    assert error.status == 503 and error.attempt == 3 and error.url == fake.url + "/x"
    assert "Service Unavailable" in str(error) and fake.url in str(error)


def test_client_errors_are_not_retried() -> None:
    with FakeArxiv() as fake:
        fake.script("/x", Reply(404, "gone"))
        with pytest.raises(FetchError) as info:
            client(Sleeps()).get(fake.url + "/x")
    assert info.value.status == 404 and len(fake.log) == 1


def test_hanging_response_times_out_then_recovers() -> None:
    sleeps = Sleeps()
    with FakeArxiv() as fake:
        fake.script("/x", Reply(200, "late", delay=1.5), Reply(200, "ok"))
        started = time.monotonic()
        response = client(sleeps, timeout=0.3).get(fake.url + "/x")
    assert response.text == "ok" and response.attempts == 2
    assert time.monotonic() - started < 1.5


def test_hanging_response_fails_with_timeout_error() -> None:
    with FakeArxiv() as fake:
        fake.script("/x", Reply(200, "late", delay=1.0))
        with pytest.raises(FetchError) as info:
            client(Sleeps(), timeout=0.2, retries=1).get(fake.url + "/x")
    assert "timed out" in str(info.value) and info.value.attempt == 2


def test_connection_refused_is_a_fetch_error() -> None:
    with FakeArxiv() as fake:
        url = fake.url + "/x"
    with pytest.raises(FetchError) as info:
        client(Sleeps(), retries=1).get(url)
    assert "connection failed" in str(info.value) and url in str(info.value)


def test_min_interval_spaces_requests_on_the_monotonic_clock() -> None:
    sleeps = Sleeps()
    now = [100.0]
    polite = client(sleeps, min_interval=3.0, clock=lambda: now[0])
    with FakeArxiv() as fake:
        fake.script("/x", Reply(200, "ok"))
        polite.get(fake.url + "/x")
        now[0] += 1.0
        polite.get(fake.url + "/x")
        now[0] += 5.0
        polite.get(fake.url + "/x")
    assert sleeps.calls == [pytest.approx(2.0)]


def test_real_pacing_with_a_small_interval() -> None:
    polite = PoliteClient(min_interval=0.2, timeout=2.0, retries=0)
    with FakeArxiv() as fake:
        fake.script("/x", Reply(200, "ok"))
        for _ in range(3):
            polite.get(fake.url + "/x")
    gaps = [b.at - a.at for a, b in zip(fake.log, fake.log[1:], strict=False)]
    # Paced at the client; the server sees arrivals, which a busy machine (the suite runs on
    # every core) can shift by tens of milliseconds. Unpaced requests would be ~1 ms apart.
    assert all(gap >= 0.12 for gap in gaps), gaps


def test_api_key_header_is_sent_but_never_in_errors() -> None:
    with FakeArxiv() as fake:
        fake.script("/graph/v1/author/batch", Reply(500, "oops"))
        with pytest.raises(FetchError) as info:
            client(Sleeps(), retries=0).post_json(
                fake.url + "/graph/v1/author/batch", {"ids": ["1"]}, {"x-api-key": "s3cret"}
            )
    assert fake.log[0].headers["x-api-key"] == "s3cret"
    assert "s3cret" not in str(info.value)


def test_describe_error_body_and_retry_after_parsing() -> None:
    assert describe_error_body(b"<html><title>Oops &amp; more</title></html>") == "Oops & more"
    assert describe_error_body(b"") == "(empty body)"
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=lambda: 1445412470.0) == 10.0
    assert parse_retry_after("soon") is None
