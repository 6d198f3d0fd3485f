"""Health checks behind ``arxiv-digest doctor``: is this setup able to produce a digest?

Each check returns a :class:`Check` (ok / warn / fail / skip, what was found, how to fix it).
HTTP goes through an injected ``get`` callable so the checks are plain functions; the default
uses urllib with short timeouts, one request per endpoint (arXiv asks for politeness), and
the fetch stage's rules for every request (:mod:`generator.fetch.transport`): the same
reply-size cap and deadline, and no credentials sent on to another origin by a redirect.
Secrets are never printed: not the value, not a prefix. Every text shown passes through
:func:`redact`, which also hides the key if an endpoint echoes it back in an error.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from generator import text
from generator.config import Settings, load_settings
from generator.errors import ConfigError, FetchError
from generator.fetch.rss import parse_feed, rss_url
from generator.fetch.transport import (
    DEADLINE_FACTOR,
    DEFAULT_MAX_BYTES,
    is_unresolved_host,
    open_url,
    read_body,
)
from generator.store import DayStore

Status = Literal["ok", "warn", "fail", "skip"]
DEFAULT_LLM_BASE_URL = "https://api.openai.com/v1"  # the openai SDK's default
SECRET_VARS = ("OPENAI_API_KEY", "S2_API_KEY")
# "//user:password@" (or "//token@") in a URL: everything from "//" to the last "@" before
# the host ends.
_USERINFO_RE = re.compile(r"//[^/\s@]+@")
_GUIDE = "docs/guide"


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: bytes  # the whole reply, at most the fetch stage's cap

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


HttpGet = Callable[[str, Mapping[str, str], float], HttpAnswer]
# What a check catches from ``get``: no answer (OSError), or one too large or too slow.
_NO_ANSWER = (OSError, FetchError)


def urllib_get(url: str, headers: Mapping[str, str], timeout: float) -> HttpAnswer:
    """GET with a timeout; HTTP errors are answers, network failures raise OSError, a reply
    past the size cap raises FetchError."""
    request = urllib.request.Request(url, headers={"User-Agent": "arxiv-digest-doctor", **headers})
    started = time.monotonic()
    deadline = DEADLINE_FACTOR * timeout
    try:
        with open_url(request, timeout) as response:
            body = read_body(response, url, DEFAULT_MAX_BYTES, deadline, started)
            return HttpAnswer(response.status, body)
    except urllib.error.HTTPError as exc:
        body = read_body(exc, url, DEFAULT_MAX_BYTES, deadline, started) if exc.fp else b""
        return HttpAnswer(exc.code, body)


def redact(message: str, env: Mapping[str, str]) -> str:
    """Hide every secret value (from ``env``) and every URL's ``user:password@`` in
    ``message``: the one redaction rule, used by these checks and by the CLI's logging."""
    message = _USERINFO_RE.sub("//***@", message)
    for var in SECRET_VARS:
        value = env.get(var, "")
        if len(value) >= 4:  # a 1-3 character "secret" would blank out ordinary words
            message = message.replace(value, f"<{var}>")
    return message


def display_url(url: str) -> str:
    """The URL without any user:password part (mirrors sometimes carry credentials)."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def check_config(
    config_file: str | Path | None, env: Mapping[str, str]
) -> tuple[Check, Settings | None]:
    try:
        settings = load_settings(config_file, env)
    except ConfigError as exc:
        return Check(
            "config",
            "fail",
            str(exc),
            f"fix the key named above; every key is listed in {_GUIDE}/configuration "
            "(the site's Guide > Configuration page)",
        ), None
    source = settings.source.name if settings.source else "built-in defaults (no digest.yaml)"
    topics = len(settings.prompt.topics)
    return Check(
        "config",
        "ok",
        f"{source} and {settings.config.scoring.prompt_file} are valid ({topics} topic(s))",
    ), settings


def check_secrets(settings: Settings, env: Mapping[str, str]) -> list[Check]:
    config = settings.config
    checks = []
    scorer = config.scoring.scorer
    if scorer == "local":
        checks.append(Check("OPENAI_API_KEY", "ok", "not needed (scoring.scorer: local)"))
    elif env.get("OPENAI_API_KEY"):
        checks.append(Check("OPENAI_API_KEY", "ok", "set (value not shown)"))
    elif scorer == "llm":
        checks.append(
            Check(
                "OPENAI_API_KEY",
                "fail",
                "not set, but scoring.scorer is 'llm'",
                "export OPENAI_API_KEY=... locally; on GitHub add it under Settings > "
                "Secrets and variables > Actions (or set scoring.scorer: auto)",
            )
        )
    else:
        checks.append(
            Check(
                "OPENAI_API_KEY",
                "warn",
                "not set: papers will be scored by the local scorer",
                "set OPENAI_API_KEY to score with an LLM (see the setup guide)",
            )
        )
    needs_s2 = config.semantic_scholar.h_index_gate or any(a.s2_id for a in config.followed_authors)
    if env.get("S2_API_KEY"):
        checks.append(Check("S2_API_KEY", "ok", "set (value not shown)"))
    elif needs_s2:
        checks.append(
            Check(
                "S2_API_KEY",
                "warn",
                "not set: Semantic Scholar lookups share the public rate limit",
                "optional: request a key from Semantic Scholar, set S2_API_KEY",
            )
        )
    else:
        checks.append(Check("S2_API_KEY", "ok", "not needed (no author lookups configured)"))
    return checks


def check_arxiv_rss(settings: Settings, get: HttpGet, timeout: float) -> Check:
    url = rss_url(settings.config)
    shown = display_url(url)
    try:
        answer = get(url, {}, timeout)
    except _NO_ANSWER as exc:
        return Check(
            "arXiv RSS",
            "fail",
            f"{shown} did not answer: {_reason(exc)}",
            "check the network or proxy, or arxiv.rss_base / DIGEST_ARXIV_RSS_URL",
        )
    if answer.status == 400:
        return Check(
            "arXiv RSS",
            "fail",
            f"{shown} answered HTTP 400 (arXiv rejects the query)",
            "check `categories` in digest.yaml: names such as cs.LG, stat.ML",
        )
    if answer.status != 200:
        return Check(
            "arXiv RSS",
            "fail",
            f"{shown} answered HTTP {answer.status}, not a feed",
            "check arxiv.rss_base / DIGEST_ARXIV_RSS_URL",
        )
    try:
        announcement = parse_feed(answer.body, url)
    except FetchError as exc:
        return Check(
            "arXiv RSS",
            "fail",
            f"{shown} answered, but not with a usable feed: {exc.problem}",
            "check arxiv.rss_base / DIGEST_ARXIV_RSS_URL",
        )
    items = announcement.total
    note = f"{items} item(s)" if items else "no items (normal on weekends and holidays)"
    if announcement.skipped:
        note += f", {len(announcement.skipped)} unusable item(s) skipped"
    return Check("arXiv RSS", "ok", f"{shown} answers: {note} for {announcement.date}")


def check_arxiv_api(settings: Settings, get: HttpGet, timeout: float) -> Check:
    config = settings.config
    query = urllib.parse.urlencode(
        {"search_query": f"cat:{config.categories[0]}", "max_results": 1}
    )
    url = f"{config.arxiv.api_base.rstrip('/')}/api/query?{query}"
    shown = display_url(url)
    try:
        answer = get(url, {}, timeout)
    except _NO_ANSWER as exc:
        return Check(
            "arXiv API",
            "warn",
            f"{shown} did not answer: {_reason(exc)}",
            "only backfill needs it; check the network or arxiv.api_base / DIGEST_ARXIV_API_URL",
        )
    if answer.status != 200 or b"<feed" not in answer.body:
        return Check(
            "arXiv API",
            "warn",
            f"{shown} answered HTTP {answer.status}, not an Atom feed",
            "only backfill needs it; check arxiv.api_base / DIGEST_ARXIV_API_URL",
        )
    return Check("arXiv API", "ok", f"{shown} answers")


def check_llm(settings: Settings, env: Mapping[str, str], get: HttpGet, timeout: float) -> Check:
    config = settings.config
    if config.scoring.scorer == "local":
        return Check("LLM endpoint", "skip", "not used (scoring.scorer: local)")
    key = env.get("OPENAI_API_KEY")
    if not key:
        return Check("LLM endpoint", "skip", "not checked: OPENAI_API_KEY is not set")
    base = (config.llm.base_url or DEFAULT_LLM_BASE_URL).rstrip("/")
    url, shown = f"{base}/models", display_url(f"{base}/models")
    try:
        answer = get(url, {"Authorization": f"Bearer {key}"}, timeout)
    except _NO_ANSWER as exc:
        return Check(
            "LLM endpoint",
            "fail",
            f"{shown} did not answer: {_reason(exc)}",
            "check llm.base_url / OPENAI_BASE_URL (include the /v1 part if the provider uses one)",
        )
    if answer.status in (401, 403):
        return Check(
            "LLM endpoint",
            "fail",
            f"{shown} rejected the API key (HTTP {answer.status}): {_api_message(answer)}",
            "check the OPENAI_API_KEY secret, and that OPENAI_BASE_URL is the endpoint "
            "this key belongs to",
        )
    if answer.status == 404:
        return Check(
            "LLM endpoint",
            "warn",
            f"{shown} answered HTTP 404: the endpoint has no "
            "model list, so the key could not be verified",
            "check llm.base_url if scoring then fails",
        )
    if answer.status != 200:
        return Check(
            "LLM endpoint",
            "fail",
            f"{shown} answered HTTP {answer.status}: {_api_message(answer)}",
            "retry later; check llm.base_url / OPENAI_BASE_URL",
        )
    models = _model_ids(answer.body)
    if models is not None and config.llm.model not in models:
        return Check(
            "LLM endpoint",
            "warn",
            f"{shown} accepts the key but does not list model {config.llm.model!r}",
            "check llm.model in digest.yaml against the provider's model names",
        )
    return Check("LLM endpoint", "ok", f"{shown} accepts the key; model {config.llm.model!r}")


def check_data(data_dir: Path) -> Check:
    store = DayStore(data_dir)
    paths = store.paths()
    if not paths:
        return Check(
            "data", "ok", f"{data_dir.name}/ has no day files yet (the first run adds one)"
        )
    problems: list[str] = []
    for error in store.validate_all():
        details = getattr(error, "problems", None)
        where = Path(error.path).name
        problems.extend([f"{where}: {d}" for d in details] if details else [str(error)])
    if problems:
        shown = "; ".join(problems[:3]) + (
            f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
        )
        return Check(
            "data",
            "fail",
            f"{len(problems)} problem(s) in {data_dir.name}/: {shown}",
            "run `arxiv-digest validate` for the full list; fix the keys named, or "
            "delete the day file and run that day again",
        )
    return Check("data", "ok", f"{len(paths)} day file(s) in {data_dir.name}/ are valid")


def run_checks(
    config_file: str | Path | None,
    env: Mapping[str, str],
    *,
    get: HttpGet = urllib_get,
    timeout: float = 5.0,
    network: bool = True,
) -> list[Check]:
    """All checks, in the order a newcomer should fix them."""
    config_check, settings = check_config(config_file, env)
    checks = [config_check]
    if settings is None:
        checks.append(Check("network", "skip", "not checked until the config is valid"))
        checks.append(check_data(Path("data")))
    else:
        checks.extend(check_secrets(settings, env))
        if network:
            checks.append(check_arxiv_rss(settings, get, timeout))
            checks.append(check_arxiv_api(settings, get, timeout))
            checks.append(check_llm(settings, env, get, timeout))
        else:
            checks.append(Check("network", "skip", "endpoints not checked (offline)"))
        checks.append(check_data(settings.data_dir))
    return [replace(c, detail=redact(c.detail, env), fix=redact(c.fix, env)) for c in checks]


_MARKS = {"ok": "[ ok ]", "warn": "[warn]", "fail": "[FAIL]", "skip": "[skip]"}


def render(checks: list[Check]) -> str:
    """The checklist shown by the CLI, ending with a one-line verdict."""
    lines = []
    for check in checks:
        lines.append(f"{_MARKS[check.status]} {check.name}: {check.detail}")
        if check.fix and check.status in ("fail", "warn"):
            lines.append(f"       fix: {check.fix}")
    failed = sum(c.status == "fail" for c in checks)
    warned = sum(c.status == "warn" for c in checks)
    verdict = "all good" if not failed else f"{failed} problem(s) to fix"
    lines.append(f"{verdict} ({len(checks)} checks, {warned} warning(s))")
    return "\n".join(lines)


def _reason(exc: OSError | FetchError) -> str:
    if isinstance(exc, FetchError):
        return exc.problem
    if is_unresolved_host(exc):
        return "the host name does not resolve (DNS)"
    reason = getattr(exc, "reason", None) or exc
    return text.for_terminal(str(reason)) or type(exc).__name__


def _api_message(answer: HttpAnswer) -> str:
    """The provider's error message (OpenAI format) if there is one, cut short."""
    try:
        data = json.loads(answer.body)
        message = data.get("error", {}).get("message") if isinstance(data, dict) else None
    except (ValueError, AttributeError):
        message = None
    return text.for_terminal(str(message), 200) if message else "no error message"


def _model_ids(body: bytes) -> set[str] | None:
    try:
        data = json.loads(body)
        return {str(m["id"]) for m in data["data"]}
    except (ValueError, KeyError, TypeError):
        return None
