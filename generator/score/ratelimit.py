"""Client-side requests-per-minute and tokens-per-minute limiter (thread-safe).

A sliding one-minute window over monotonic time: a request waits until both the number of
requests and the estimated tokens sent in the last 60 s leave room for it. Endpoints enforce
their own limits too (429 + Retry-After, handled by the caller); this keeps us under them
instead of bouncing off them.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW = 60.0


class RateLimiter:
    def __init__(
        self,
        requests_per_minute: int,
        tokens_per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rpm = requests_per_minute
        self.tpm = tokens_per_minute
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[tuple[float, int]] = deque()
        self._tokens = 0
        self._lock = threading.Lock()

    def _wait_time(self, now: float, tokens: int) -> float:
        while self._sent and self._sent[0][0] <= now - WINDOW:
            self._tokens -= self._sent.popleft()[1]
        waits = [0.0]
        if len(self._sent) >= self.rpm:
            waits.append(self._sent[0][0] + WINDOW - now)
        # A request larger than the whole budget goes alone once the window is empty.
        if self._sent and self._tokens + tokens > self.tpm:
            budget = self._tokens + tokens - self.tpm
            for sent_at, used in self._sent:
                budget -= used
                if budget <= 0:
                    waits.append(sent_at + WINDOW - now)
                    break
        return max(waits)

    def acquire(self, tokens: int = 0) -> float:
        """Block until a request of ``tokens`` estimated tokens may go; returns seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                wait = self._wait_time(now, tokens)
                if wait <= 0:
                    self._sent.append((now, tokens))
                    self._tokens += tokens
                    return waited
            self._sleep(min(wait, WINDOW))
            waited += wait
