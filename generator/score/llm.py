"""The LLM scorer: any OpenAI-compatible endpoint through the openai SDK.

Papers go in batches to concurrent workers under a requests/tokens-per-minute limiter. The
SDK's own retries are off (``max_retries=0``) so the retry policy is ours and testable:
backoff with jitter on 429 (honouring Retry-After), 5xx, timeouts, connection errors and
truncated bodies. Papers missing or invalid in a reply are asked again in halved batches,
up to ``llm.max_tries`` times; what still fails ends unscored with the reason. A 401/403/404
or every call failing makes the endpoint unusable: :class:`ScoreError`.

Papers share a request, so one paper's text must not steer its batch-mates' scores
(:mod:`generator.score.injection`): a paper that looks addressed to the model is scored
alone, and a reply that looks obeyed rather than judged is not trusted, its papers asked
again one per request. A clean day costs nothing extra.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import openai

from generator.config import LlmSettings, SelectionPrompt
from generator.errors import ConfigError, ScoreError
from generator.models import Paper, Score
from generator.schema import Usage
from generator.score.base import BUDGET_REASON, TITLE_PREFILTER_REASON, Progress, ScoringOutcome
from generator.score.cache import ScoreCache
from generator.score.endpoint import (
    MAX_REPLY_BYTES,
    ReplyTooLarge,
    bounded_failure,
    estimate_tokens,
    make_client,
    public_url,
    retry_after,
    usage_of,
)
from generator.score.injection import reply_anomaly, suspicious_papers
from generator.score.pricing import Price, price_for, priced
from generator.score.prompt import (
    build_messages,
    build_title_messages,
    prompt_hash,
    render_prompt_text,
    reply_json_schema,
)
from generator.score.ratelimit import RateLimiter
from generator.score.reply import parse_id_list, parse_reply

log = logging.getLogger(__name__)

TITLE_BATCH = 100  # titles are short: one screening request covers many papers
# Completion tokens per paper before any reply has been seen (gpt-5 on a recorded day:
# 106,795 completion tokens for 866 papers, reasoning included).
DEFAULT_COMPLETION_PER_PAPER = 125


class _BatchFailed(Exception):
    """A request for one batch failed for good (the papers may be asked again)."""


@dataclass
class _Stats:
    requests_tried: int = 0
    requests_ok: int = 0
    foreign_records: int = 0
    invalid_records: int = 0
    suspicious_papers: int = 0  # scored alone: their text looks addressed to the model
    distrusted_replies: int = 0  # looked obeyed, not judged: their papers asked again alone
    retries: int = 0
    last_error: str = ""


@dataclass
class _BatchResult:
    scores: dict[str, Score] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # paper id -> why not scored
    distrusted: bool = False  # ask each of these papers again alone


def _batches(papers: Sequence[Paper], size: int, alone: set[str]) -> list[list[Paper]]:
    """``papers`` in batches of ``size``, except those in ``alone``: a batch of one each."""
    shared = [p for p in papers if p.id not in alone]
    batches = [shared[i : i + size] for i in range(0, len(shared), size)]
    return batches + [[p] for p in papers if p.id in alone]


class LlmScorer:
    """Scores papers with an LLM; see the module docstring for the policy."""

    name = "llm"

    def __init__(
        self,
        prompt: SelectionPrompt,
        llm: LlmSettings,
        *,
        api_key: str,
        cache: ScoreCache | None = None,
        pricing: Mapping[str, Mapping[str, float]] | None = None,
        budget_usd: float | None = None,
        title_prefilter: bool = False,
        client: Any | None = None,
        max_attempts: int = 5,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        max_reply_bytes: int = MAX_REPLY_BYTES,
    ) -> None:
        self.prompt = prompt
        self.llm = llm
        self.model = llm.model
        self.cache = cache
        self.budget_usd = budget_usd
        self.title_prefilter = title_prefilter
        self.price: Price | None = price_for(llm.model, pricing)
        if budget_usd is not None and self.price is None:
            raise ConfigError(
                "digest.yaml",
                "scoring.budget_usd",
                f"a budget needs the price of model {llm.model!r}: add it under scoring.pricing",
            )
        self.prompt_hash = prompt_hash(render_prompt_text(prompt))
        self.client = client or make_client(
            api_key=api_key,
            base_url=llm.base_url,
            timeout=llm.timeout,
            max_reply_bytes=max_reply_bytes,
        )
        self.endpoint = public_url(llm.base_url) if llm.base_url else "the OpenAI API"
        self.limiter = RateLimiter(llm.requests_per_minute, llm.tokens_per_minute)
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        self._structured = llm.structured_output != "off"
        self._lock = threading.Lock()
        self._abort: ScoreError | None = None
        self._budget_stopped = False
        self._spent = 0.0
        self._reserved = 0.0
        self._completion_per_paper = float(DEFAULT_COMPLETION_PER_PAPER)
        self.stats = _Stats()
        self._usage = Usage()

    # -- one request ---------------------------------------------------------------------
    def _backoff(self, attempt: int) -> float:
        delay = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return delay * (0.5 + random.random() / 2)

    def _request(self, messages: list[dict[str, str]], structured: bool) -> tuple[str, Usage]:
        """One chat completion with our retry policy; returns (reply text, usage)."""
        estimate = estimate_tokens(messages)
        last = ""
        for attempt in range(1, self.max_attempts + 1):
            if self._abort:
                raise self._abort
            self.limiter.acquire(estimate)
            kwargs: dict[str, Any] = {"model": self.model, "messages": messages}
            # Reasoning models (gpt-5, o-series) reject temperature: only send it when set.
            if self.llm.temperature is not None:
                kwargs["temperature"] = self.llm.temperature
            use_schema = structured and self._structured
            if use_schema:
                kwargs["response_format"] = reply_json_schema(self.prompt)
            with self._lock:
                self.stats.requests_tried += 1
            try:
                completion = self.client.chat.completions.create(**kwargs)
            except (
                openai.AuthenticationError,
                openai.PermissionDeniedError,
                openai.NotFoundError,
            ) as exc:
                self._abort = ScoreError(
                    f"{self.endpoint} refused the request for model {self.model!r} "
                    f"(HTTP {exc.status_code}): check OPENAI_API_KEY, OPENAI_BASE_URL and llm.model"
                )
                raise self._abort from None
            except openai.BadRequestError as exc:
                if use_schema:
                    # Endpoints without structured output answer 400: fall back to plain
                    # text for the rest of the run (the reply parser copes with both).
                    log.info("%s rejected response_format; using plain text", self.endpoint)
                    self._structured = False
                    continue
                raise _BatchFailed(f"rejected by the endpoint (HTTP {exc.status_code})") from None
            except openai.RateLimitError as exc:
                wait = retry_after(exc.response)
                wait = self._backoff(attempt) if wait is None else min(wait, self.max_backoff)
                last = "rate limited (HTTP 429)"
            except openai.APIStatusError as exc:
                if exc.status_code < 500:
                    raise _BatchFailed(f"HTTP {exc.status_code} from the endpoint") from None
                wait, last = self._backoff(attempt), f"server error (HTTP {exc.status_code})"
            except openai.APITimeoutError as exc:
                last = bounded_failure(exc) or f"timed out after {self.llm.timeout:g} s"
                wait = self._backoff(attempt)
            except (openai.APIConnectionError, openai.APIResponseValidationError) as exc:
                if isinstance(exc.__cause__, ReplyTooLarge):
                    # Asking the same batch again would only fetch the same flood.
                    raise _BatchFailed(str(exc.__cause__)) from None
                # Includes truncated bodies and connections dropped mid-reply.
                wait, last = self._backoff(attempt), f"connection error ({type(exc).__name__})"
            except ValueError as exc:  # a body that is not JSON at all
                wait, last = self._backoff(attempt), f"unreadable reply ({exc.__class__.__name__})"
            else:
                choices = getattr(completion, "choices", None) or []
                text = (choices[0].message.content or "") if choices else ""
                with self._lock:
                    self.stats.requests_ok += 1
                return text, usage_of(completion)
            with self._lock:
                self.stats.retries += 1
                self.stats.last_error = last
            if attempt < self.max_attempts:
                log.debug("retrying in %.1f s: %s", wait, last)
                self._sleep(wait)
        raise _BatchFailed(f"request failed {self.max_attempts} times: {last}")

    # -- budget --------------------------------------------------------------------------
    def _reserve(self, messages: list[dict[str, str]], n_papers: int) -> float | None:
        """Reserve the estimated dollars of a request; None when the budget would be exceeded."""
        if self.budget_usd is None or self.price is None:
            return 0.0
        with self._lock:
            if self._budget_stopped:
                return None
            estimate = self.price.estimate(
                estimate_tokens(messages), int(self._completion_per_paper * n_papers)
            )
            if self._spent + self._reserved + estimate > self.budget_usd:
                self._budget_stopped = True
                return None
            self._reserved += estimate
            return estimate

    def _settle(self, reserved: float, usage: Usage, n_papers: int) -> None:
        with self._lock:
            self._reserved -= reserved
            cost = usage.total_cost
            self._spent += cost or 0.0
            if usage.completion_tokens and n_papers:
                observed = usage.completion_tokens / n_papers
                self._completion_per_paper = 0.7 * self._completion_per_paper + 0.3 * observed

    # -- one batch -----------------------------------------------------------------------
    def _add_usage(self, usage: Usage) -> None:
        with self._lock:
            self._usage = self._usage.plus(usage)

    def _score_batch(self, batch: list[Paper]) -> _BatchResult:
        result = _BatchResult()
        messages = build_messages(self.prompt, batch)
        reserved = self._reserve(messages, len(batch))
        if reserved is None:
            result.problems = {p.id: BUDGET_REASON for p in batch}
            return result
        try:
            text, usage = self._request(messages, structured=True)
        except _BatchFailed as exc:
            self._settle(reserved, Usage(requests=0), 0)
            result.problems = {p.id: str(exc) for p in batch}
            return result
        except ScoreError:
            self._settle(reserved, Usage(requests=0), 0)
            result.problems = {p.id: "endpoint unusable" for p in batch}
            return result
        usage = priced(usage, self.price)
        self._settle(reserved, usage, len(batch))
        by_id = {p.id: p for p in batch}
        parsed = parse_reply(text, by_id, self.prompt.tag_names)
        anomaly = reply_anomaly(list(by_id), parsed.scores, parsed.duplicated)
        if anomaly and len(batch) > 1:
            # One paper may have spoken for all: trust none of this reply.
            log.warning("distrusted a reply for %d papers: %s", len(batch), anomaly)
            result.problems = {p.id: f"distrusted reply ({anomaly})" for p in batch}
            result.distrusted = True
            with self._lock:
                self.stats.distrusted_replies += 1
            self._add_usage(usage)
            return result
        for paper_id, record in parsed.scores.items():
            result.scores[paper_id] = record.to_score(by_id[paper_id].version)
        for paper in batch:
            if paper.id not in result.scores:
                problem = parsed.invalid.get(paper.id)
                result.problems[paper.id] = (
                    f"invalid reply ({problem})"
                    if problem
                    else ("empty reply" if not text.strip() else "missing from the reply")
                )
        self._add_usage(usage)
        with self._lock:
            self.stats.foreign_records += parsed.foreign
            self.stats.invalid_records += len(parsed.invalid)
        if parsed.foreign:
            log.info("ignored %d record(s) with ids not in the batch", parsed.foreign)
        # Commit per batch: a crash after this line never pays for these papers again.
        if self.cache is not None:
            self.cache.put_many(result.scores.values(), self.prompt_hash, self.model)
        return result

    # -- title screening (optional) ------------------------------------------------------
    def _screen_titles(self, papers: list[Paper]) -> set[str]:
        """Ids the model calls clearly irrelevant from their titles alone."""
        cut: set[str] = set()
        for start in range(0, len(papers), TITLE_BATCH):
            batch = papers[start : start + TITLE_BATCH]
            messages = build_title_messages(self.prompt, batch)
            if self._reserve(messages, 0) is None:
                break
            try:
                text, usage = self._request(messages, structured=False)
            except _BatchFailed as exc:
                log.warning("title screening skipped for %d papers: %s", len(batch), exc)
                continue
            usage = priced(usage, self.price)
            self._settle(0.0, usage, 0)
            self._add_usage(usage)
            cut |= parse_id_list(text, [p.id for p in batch])
        return cut

    # -- the whole set -------------------------------------------------------------------
    def score(self, papers: Sequence[Paper], progress: Progress | None = None) -> ScoringOutcome:
        advance = progress or (lambda n: None)
        unique = list({p.id: p for p in papers}.values())
        outcome = ScoringOutcome(scorer="llm", model=self.model, prompt_hash=self.prompt_hash)
        self._usage = priced(Usage(), self.price)
        if self.cache is not None:
            outcome.scores.update(self.cache.get_many(unique, self.prompt_hash, self.model))
            advance(len(outcome.scores))
        pending = [p for p in unique if p.id not in outcome.scores]
        suspicious = suspicious_papers(pending)
        for paper_id, why in suspicious.items():
            log.info("%s is scored alone: %s", paper_id, why)
        self.stats.suspicious_papers += len(suspicious)
        alone = set(suspicious)
        if self.title_prefilter and pending:
            # The screening request holds a hundred titles: a suspicious one is not among
            # them (it could have the others cut); it is scored in full, alone.
            cut = self._screen_titles([p for p in pending if p.id not in alone])
            for paper in pending:
                if paper.id in cut:
                    outcome.scores[paper.id] = Score.unscored(paper, TITLE_PREFILTER_REASON)
            advance(len(cut))
            pending = [p for p in pending if p.id not in cut]
        tries: dict[str, int] = {}
        batch_size = self.llm.batch_size
        with ThreadPoolExecutor(max_workers=self.llm.workers, thread_name_prefix="llm") as pool:
            while pending and not self._abort:
                batches = _batches(pending, batch_size, alone)
                results = list(pool.map(self._score_batch, batches))
                next_round: list[Paper] = []
                for batch, result in zip(batches, results, strict=True):
                    outcome.scores.update(result.scores)
                    if result.distrusted:
                        alone |= {p.id for p in batch}
                    finished = len(result.scores)
                    for paper in batch:
                        problem = result.problems.get(paper.id)
                        if problem is None:
                            continue
                        tries[paper.id] = tries.get(paper.id, 0) + 1
                        if problem == BUDGET_REASON or tries[paper.id] >= self.llm.max_tries:
                            reason = (
                                problem
                                if problem == BUDGET_REASON
                                else (f"{problem} (asked {tries[paper.id]} times)")
                            )
                            outcome.scores[paper.id] = Score.unscored(paper, reason)
                            finished += 1
                        else:
                            next_round.append(paper)
                    advance(finished)
                pending = next_round
                # Smaller batches are more likely to come back whole.
                batch_size = max(1, batch_size // 2)
        # Dollars from the summed tokens (prices are linear): the same day file whatever
        # order the concurrent batches finished in, where summed floats would differ.
        outcome.usage = priced(self._usage, self.price)
        if self._abort:
            raise self._abort
        if self.stats.requests_tried and not self.stats.requests_ok:
            raise ScoreError(
                f"every call to {self.endpoint} failed ({self.stats.requests_tried} tries); "
                f"last error: {self.stats.last_error or 'rejected'}"
            )
        return outcome
