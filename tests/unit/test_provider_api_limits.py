"""The provider API's rate limit (in-process bucket and Redis window) and the upload body limit."""

from __future__ import annotations

from tests.loops import run as run_async
import uuid

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from hbapp.web.api import MAX_UPLOAD_BODY, UploadLimit
from hbapp.web.rate_limit import RateLimiter, TokenBucket


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_the_bucket_allows_a_burst_then_refills_per_key():
    clock = Clock()
    bucket = TokenBucket(capacity=3, period=60, clock=clock)
    assert [bucket.take("a") for _ in range(3)] == [0, 0, 0]
    wait = bucket.take("a")
    assert 19 < wait <= 20  # one request every 20 s
    assert bucket.take("b") == 0  # another token, its own bucket
    clock.now += 20
    assert bucket.take("a") == 0
    assert bucket.take("a") > 0


def test_retry_after_is_whole_seconds():
    limiter = RateLimiter(per_minute=1)
    assert run_async(limiter.wait_seconds(1)) == 0
    assert run_async(limiter.wait_seconds(1)) >= 1


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_timeout=1).ping())
    except Exception:  # noqa: BLE001
        return False


@pytest.mark.skipif(not _redis_up(), reason="no local Redis")
def test_with_redis_the_workers_share_one_window():
    url = "redis://127.0.0.1:6379/15"
    key = f"test-{uuid.uuid4().hex}"

    async def run():
        first, second = RateLimiter(per_minute=2, redis_url=url), \
            RateLimiter(per_minute=2, redis_url=url)
        return [await first.wait_seconds(key), await second.wait_seconds(key),
                await first.wait_seconds(key)]

    waits = run_async(run())
    assert waits[:2] == [0, 0] and 1 <= waits[2] <= 60


def test_redis_trouble_falls_back_to_the_bucket():
    limiter = RateLimiter(per_minute=1, redis_url="redis://127.0.0.1:1/0")
    assert run_async(limiter.wait_seconds("k")) == 0
    assert run_async(limiter.wait_seconds("k")) >= 1


async def _echo(request: Request):
    body = await request.body()
    return PlainTextResponse(str(len(body)))


def _client() -> TestClient:
    app = Starlette(routes=[Route("/_upload", _echo, methods=["POST"]),
                            Route("/other", _echo, methods=["POST"])])
    return TestClient(UploadLimit(app))


def test_upload_bodies_over_the_limit_are_refused_before_they_are_read():
    client = _client()
    assert client.post("/_upload", content=b"x" * 1000).text == "1000"
    assert client.post("/_upload", content=b"x" * (MAX_UPLOAD_BODY + 1)).status_code == 413
    # Other addresses are not this middleware's business.
    assert client.post("/other", content=b"x" * (MAX_UPLOAD_BODY + 1)).status_code == 200


def test_an_upload_body_without_a_length_is_refused():
    client = _client()

    def chunks():
        for _ in range(40):
            yield b"x" * (128 * 1024)

    assert client.post("/_upload", content=chunks()).status_code == 411
