"""Requests per API token: a token bucket in this process, or a shared window in Redis.

Without `HB_REDIS_URL` every worker process keeps its own buckets, so with N workers a token
may make up to N times the rate (requests are spread over the workers). With `HB_REDIS_URL`
the workers share one counter per token and minute (fixed window), so the limit holds for the
whole deployment. Redis trouble never blocks the API: the in-process bucket answers instead.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)

RATE_PER_MINUTE = 120


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBucket:
    """`capacity` requests at once, refilled at `capacity` per `period` seconds."""

    def __init__(self, capacity: int = RATE_PER_MINUTE, period: float = 60.0,
                 clock=time.monotonic):
        self.capacity = capacity
        self.rate = capacity / period
        self.clock = clock
        self._buckets: dict[object, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: object) -> float:
        """0 when the request may go ahead, else the seconds to wait before the next one."""
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(float(self.capacity), now)
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            if len(self._buckets) > 10_000:  # forget full buckets of tokens gone quiet
                for other in [k for k, b in self._buckets.items()
                              if b.tokens + (now - b.updated) * self.rate >= self.capacity]:
                    del self._buckets[other]
            return (1 - bucket.tokens) / self.rate

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()


class RateLimiter:
    def __init__(self, per_minute: int = RATE_PER_MINUTE, redis_url: str | None = None):
        self.per_minute = per_minute
        self.local = TokenBucket(per_minute)
        self.redis_url = redis_url
        self._redis = None

    async def _redis_wait(self, key: object) -> float | None:
        try:
            if self._redis is None:
                import redis.asyncio as redis_asyncio

                self._redis = redis_asyncio.from_url(self.redis_url, socket_connect_timeout=1,
                                                     socket_timeout=1)
            now = time.time()
            window = int(now // 60)
            name = f"hb:api-rate:{key}:{window}"
            pipe = self._redis.pipeline()
            pipe.incr(name)
            pipe.expire(name, 120)
            count, _ = await pipe.execute()
            if int(count) <= self.per_minute:
                return 0.0
            return (window + 1) * 60 - now
        except Exception:  # noqa: BLE001 - fall back to this process's buckets
            log.warning("rate limit: Redis unavailable, using the in-process bucket")
            self._redis = None
            return None

    async def wait_seconds(self, key: object) -> int:
        """0 to go ahead, else whole seconds for Retry-After (at least 1)."""
        wait: float | None = None
        if self.redis_url:
            wait = await self._redis_wait(key)
        if wait is None:
            wait = self.local.take(key)
        return 0 if wait <= 0 else max(1, math.ceil(wait))
