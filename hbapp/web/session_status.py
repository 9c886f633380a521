"""Session expiry for the browser: how long is left, and extending it (assets/session.js)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from hbapp.db import get_engine
from hbapp.authz import Audience
from hbapp.i18n import N_, Translator
from hbapp.models import utcnow
from hbapp.services.sessions import extend_session, resolve_session, token_from_cookie_header
from hbapp.web.guard import route_allows
from hbapp.web.locale import request_locale
from hbapp.web.origin import from_own_pages

TEXTS = {
    "title": N_("Your session is about to end"),
    "body": N_("For your safety you will be signed out soon unless you continue."),
    "continue": N_("Continue"),
    "sign_out": N_("Sign out"),
    "ended": N_("Your session has ended. Sign in again to continue."),
    "sign_in": N_("Sign in"),
}


def _payload(request: Request, expires_at) -> dict:
    t = Translator(request_locale(request))
    seconds = max(0, int((expires_at - utcnow()).total_seconds())) if expires_at else 0
    return {
        "signed_in": expires_at is not None,
        "expires_in": seconds,
        "texts": {key: t(msgid) for key, msgid in TEXTS.items()},
    }


@route_allows(Audience.ANYONE)
async def session_status(request: Request) -> JSONResponse:
    token = token_from_cookie_header(request.headers.get("cookie"))
    info = await run_in_threadpool(resolve_session, get_engine(), token) if token else None
    return JSONResponse(_payload(request, info.expires_at if info else None),
                        headers={"Cache-Control": "no-store"})


@route_allows(Audience.ANYONE)
async def session_extend(request: Request) -> JSONResponse:
    if not from_own_pages(request):
        return JSONResponse({"error": "forbidden"}, status_code=403,
                            headers={"Cache-Control": "no-store"})
    token = token_from_cookie_header(request.headers.get("cookie"))
    expires_at = await run_in_threadpool(extend_session, get_engine(), token) if token else None
    return JSONResponse(_payload(request, expires_at), status_code=200 if expires_at else 401,
                        headers={"Cache-Control": "no-store"})
