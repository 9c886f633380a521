"""`route_allows`: the authorization registry for HTTP endpoints (see `hbapp.authz`).

For an audience that a browser session can satisfy, the endpoint is wrapped: the session cookie
is resolved and checked before the endpoint runs, and a refusal is a JSON 401 or 403 with a
machine code. A `PROVIDER_TOKEN` endpoint is wrapped too: its `Authorization: Bearer` token is
verified (and rate-limited) by `hbapp.web.provider_api.token_gate` before it runs, which leaves
`request.state.provider_token` = (provider_id, token_id); a browser session never counts.
`ANYONE` endpoints only carry the declaration.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hbapp.authz import ATTRIBUTE, Audience, permits, refusal_message
from hbapp.db import get_engine
from hbapp.i18n import Translator
from hbapp.web.locale import request_locale

Endpoint = Callable[[Request], Awaitable[Response]]


def _signed_in(request: Request):
    from hbapp.services.identity import signed_in
    from hbapp.services.sessions import token_from_cookie_header
    from hbapp.state import today

    return signed_in(get_engine(), token_from_cookie_header(request.headers.get("cookie")),
                     today())


def route_allows(audience: Audience) -> Callable[[Endpoint], Endpoint]:
    def declare(endpoint: Endpoint) -> Endpoint:
        if audience is Audience.ANYONE:
            setattr(endpoint, ATTRIBUTE, audience)
            return endpoint
        if audience is Audience.PROVIDER_TOKEN:
            @functools.wraps(endpoint)
            async def token_guarded(request: Request) -> Response:
                from hbapp.web.provider_api import token_gate

                refused = await token_gate(request)
                return refused if refused is not None else await endpoint(request)

            setattr(token_guarded, ATTRIBUTE, audience)
            return token_guarded

        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            current = await run_in_threadpool(_signed_in, request)
            reason = permits(audience, current)
            if reason is not None:
                status = 401 if reason == "not_signed_in" else 403
                message = Translator(request_locale(request))(refusal_message(reason))
                return JSONResponse({"error": reason, "message": message}, status_code=status,
                                    headers={"cache-control": "no-store"})
            return await endpoint(request)

        setattr(guarded, ATTRIBUTE, audience)
        return guarded

    return declare
