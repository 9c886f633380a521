"""/healthz answers 200 only when the database and Redis (when configured) both answer."""

from __future__ import annotations

import uuid

import pytest
from starlette.testclient import TestClient

from tests.conftest import PG_URL_PREFIX

REDIS_URL = "redis://127.0.0.1:6379/0"
# Nothing listens on port 1: the connection is refused at once.
UNREACHABLE_REDIS_URL = "redis://127.0.0.1:1/0"


@pytest.fixture
def healthz(monkeypatch):
    """GET /healthz of an API built from the given environment (settings and engine fresh)."""
    from hbapp.config import get_settings
    from hbapp.db import get_engine

    def call(database_url: str, redis_url: str | None):
        monkeypatch.setenv("HB_DATABASE_URL", database_url)
        if redis_url is None:
            monkeypatch.delenv("HB_REDIS_URL", raising=False)
        else:
            monkeypatch.setenv("HB_REDIS_URL", redis_url)
        get_settings.cache_clear()
        get_engine.cache_clear()
        from hbapp.web.api import build_api

        with TestClient(build_api()) as client:
            return client.get("/healthz")

    yield call
    get_engine().dispose()
    monkeypatch.undo()
    get_settings.cache_clear()
    get_engine.cache_clear()


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_healthy_with_database_and_redis(healthz, seeded_engine):
    response = healthz(_url(seeded_engine), REDIS_URL)
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}
    assert response.headers["cache-control"] == "no-store"


def test_healthy_without_redis_configured(healthz, seeded_engine):
    response = healthz(_url(seeded_engine), None)
    assert response.status_code == 200
    assert "redis" not in response.json()


@pytest.mark.postgres
def test_503_when_the_database_does_not_exist(healthz):
    missing = f"{PG_URL_PREFIX}/hb_missing_{uuid.uuid4().hex[:10]}"
    response = healthz(missing, REDIS_URL)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"].startswith("error:")
    assert body["redis"] == "ok"


def test_503_when_redis_is_unreachable(healthz, seeded_engine):
    response = healthz(_url(seeded_engine), UNREACHABLE_REDIS_URL)
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["redis"].startswith("error:")
