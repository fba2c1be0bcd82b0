"""Admission of work: analyses one at a time with a bounded wait, corrections at a bounded rate,
and an honest "come back later" for both.

The engine already uses every core for one analysis, so analyses run one after another. A
request joins the queue only when the work ahead of it (in LM tokens, at the measured speed)
would let it start within `max_wait_s`; otherwise it is refused at once with 503 and a
`Retry-After` of the expected wait, so a waiting request never holds a server thread for long
and `/api/v1/health`, which never queues, is always answered.
"""

from __future__ import annotations

import math
import threading
import time
from contextlib import contextmanager

from ..contract.errors import ApiError

# The expected cost of any analysis beyond its tokens, ms (a 14-token sentence takes 117 ms in
# bf16 on 2 AMD EPYC cores, the server warm).
FIXED_MS = 100.0
MIN_LEARN_TOKENS = 256  # shorter analyses do not update the cost per token
# An analysis costs about this many times the start-up estimate of one LM pass over its tokens
# (model card 1.4, bf16: 231 ms per 512 tokens estimated; a clean 1,000-word article about 3x
# that per token, a spun one about 7x, with its restoration).
ANALYSIS_PASSES = 5.0


class Busy(ApiError):
    """503: the queue would make this request wait longer than allowed."""

    def __init__(self, retry_after_s: float):
        self.retry_after = max(1, math.ceil(retry_after_s))
        super().__init__(503, f"The server is busy with other analyses; try again in {self.retry_after} s.",
                         headers={"Retry-After": str(self.retry_after)})


class Admission:
    """A FIFO of analyses sized in LM tokens, one running at a time (thread-safe).

    An analysis is expected to take `fixed_ms` + `ms_per_token` x its tokens. ms_per_token starts
    from the engine's measurement at start (`seed_ms_per_token`) and follows every finished
    analysis of at least `min_learn_tokens` (exponential moving average, weight `learning`): a
    short text's time is mostly the fixed cost and says nothing of the cost per token (six
    one-word analyses once made a 900-token article look like 397 s of work). max_queued:
    analyses running or waiting at most."""

    def __init__(self, max_wait_s: float, ms_per_token: float, max_queued: int, fixed_ms: float = FIXED_MS,
                 learning: float = 0.3, min_learn_tokens: int = MIN_LEARN_TOKENS):
        self.max_wait_s = max_wait_s
        self.max_queued = max_queued
        self.ms_per_token = ms_per_token
        self.fixed_ms = fixed_ms
        self.learning = learning
        self.min_learn_tokens = min_learn_tokens
        self._lock = threading.Lock()
        self._turn = threading.Condition(self._lock)
        self._queue: list[tuple[int, int]] = []  # (ticket, tokens) waiting or running, in order
        self._tickets = 0

    def __len__(self) -> int:
        """Analyses running or waiting."""
        with self._lock:
            return len(self._queue)

    def waiting_s(self) -> float:
        """Expected seconds before a request arriving now could start."""
        with self._lock:
            return self._ahead_s(len(self._queue))

    def expected_ms(self, tokens: int) -> float:
        """The expected time of an analysis of `tokens` LM tokens, in ms."""
        return self.fixed_ms + tokens * self.ms_per_token

    def _ahead_s(self, position: int) -> float:
        return sum(self.expected_ms(tokens) for _, tokens in self._queue[:position]) / 1000

    @contextmanager
    def slot(self, tokens: int, learn: bool = True):
        """Wait for this request's turn (raises Busy at once when that would take longer than
        max_wait_s), run the body, then let the next one in. learn: its time may update the speed
        estimate (not for work that is not an analysis of its `tokens`, such as suggestions on
        demand, whose `tokens` is only an estimate)."""
        with self._lock:
            wait = self._ahead_s(len(self._queue))
            if wait > self.max_wait_s or len(self._queue) >= self.max_queued:
                raise Busy(wait)
            self._tickets += 1
            ticket = self._tickets
            self._queue.append((ticket, tokens))
            while self._queue[0][0] != ticket:
                self._turn.wait()
        started = time.monotonic()
        finished = False
        try:
            yield
            finished = True
        finally:
            elapsed_ms = 1000 * (time.monotonic() - started)
            with self._lock:
                self._queue.pop(0)
                # an abandoned analysis says nothing of the speed, nor does a short one
                if finished and learn and tokens >= self.min_learn_tokens:
                    per_token = max(0.0, elapsed_ms - self.fixed_ms) / tokens
                    self.ms_per_token += self.learning * (per_token - self.ms_per_token)
                self._turn.notify_all()


def seed_ms_per_token(precision: dict, fallback: float) -> float:
    """The starting cost per token of an analysis: ANALYSIS_PASSES x the chosen numeric path's
    estimated ms per token at start (precision.pass_times, in the engine's `precision`), or
    `fallback` when the path was not timed (a forced path, a test model)."""
    estimated = (precision.get("estimated_ms") or {}).get(precision.get("path"))
    return ANALYSIS_PASSES * estimated / 512 if estimated else fallback


class RateLimit:
    """At most `per_minute` events in any 60 s (a sliding window; thread-safe). `take()` counts
    one, or raises ApiError 429 with the seconds until the oldest one leaves the window."""

    def __init__(self, per_minute: int, clock=time.monotonic):
        self.per_minute = per_minute
        self.clock = clock
        self._lock = threading.Lock()
        self._times: list[float] = []

    def take(self) -> None:
        with self._lock:
            now = self.clock()
            self._times = [t for t in self._times if now - t < 60.0]
            if len(self._times) >= self.per_minute:
                wait = max(1, math.ceil(60.0 - (now - self._times[0])))
                raise ApiError(429, f"Too many corrections at once; try again in {wait} s.",
                               headers={"Retry-After": str(wait)})
            self._times.append(now)
