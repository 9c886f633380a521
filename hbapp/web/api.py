"""The Starlette app that Reflex mounts itself into: our own HTTP routes come first.

`/auth/*` OpenID Connect login, `/dev-oidc/*` the bundled development provider (only
when enabled), `/healthz`, the provider API `/api/provider/v1/*`, and long-lived caching headers for hashed frontend assets.
"""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hbapp.authz import Audience
from hbapp.config import get_settings
from hbapp.db import get_engine
from hbapp.web.guard import route_allows

HEALTH_TIMEOUT_SECONDS = 3
# A provider's CSV file is at most 2 MB (hbapp.domain.event_csv.MAX_BYTES); with the multipart
# wrapping and Reflex's fields a request stays well under this.
MAX_UPLOAD_BODY = 2 * 1024 * 1024 + 64 * 1024


def _check_database() -> None:
    with get_engine().connect() as connection:
        connection.execute(sa.text("SELECT 1"))


@route_allows(Audience.ANYONE)
async def healthz(_request: Request) -> JSONResponse:
    """Liveness and readiness: the database (and Redis, when configured) answer.

    The database is asked in a thread so a slow database never stalls the event loop that
    also serves the websockets; Redis gets short timeouts so an unreachable host fails fast.
    """
    checks: dict[str, str] = {}
    try:
        await asyncio.wait_for(run_in_threadpool(_check_database), HEALTH_TIMEOUT_SECONDS)
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - report any failure as unhealthy
        checks["database"] = f"error: {type(exc).__name__}"
    redis_url = get_settings().redis_url
    if redis_url:
        try:
            import redis.asyncio as redis_asyncio

            client = redis_asyncio.from_url(redis_url, socket_connect_timeout=HEALTH_TIMEOUT_SECONDS,
                                            socket_timeout=HEALTH_TIMEOUT_SECONDS)
            try:
                await client.ping()
            finally:
                await client.aclose()
            checks["redis"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["redis"] = f"error: {type(exc).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JSONResponse({"status": "ok" if healthy else "error", **checks},
                        status_code=200 if healthy else 503,
                        headers={"cache-control": "no-store"})


class UploadLimit:
    """Bodies sent to Reflex's upload endpoint (`/_upload`: the provider's CSV file) are at
    most `MAX_UPLOAD_BODY` bytes: a larger declared length is refused (413) before it is read,
    a body without a length too (411), and reading stops at the declared length."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").rstrip("/").endswith("/_upload"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if not declared.isdigit():
            # Browsers send a file upload with its length; without one it cannot be bounded
            # before it is read.
            await _refuse(send, 411, b"Length required")
            return
        if int(declared) > MAX_UPLOAD_BODY:
            await _refuse(send, 413, b"Request body too large")
            return
        seen = 0

        async def bounded_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > int(declared):  # more than it said: stop reading
                    return {"type": "http.disconnect"}
            return message

        await self.app(scope, bounded_receive, send)


async def _refuse(send: Send, status: int, text: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": text})


class AssetCacheHeaders:
    """Hashed build assets never change under the same name: let browsers keep them a year."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith("/assets/"):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"cache-control"]
                headers.append((b"cache-control", b"public, max-age=31536000, immutable"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def build_api() -> Starlette:
    from hbapp.web.auth import build_auth_app
    from hbapp.web.provider_api import PREFIX as PROVIDER_API, build_provider_api
    from hbapp.web.survey_api import survey_routes

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Mount("/auth", app=build_auth_app()),
        *survey_routes(),
        Mount(PROVIDER_API, app=build_provider_api()),
    ]
    if get_settings().dev_oidc_enabled:
        from hbapp.web.dev_oidc import build_dev_oidc_app

        routes.append(Mount("/dev-oidc", app=build_dev_oidc_app()))
    return Starlette(routes=routes)
