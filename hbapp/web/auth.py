"""OpenID Connect sign-in (authorization code flow with PKCE S256, state and nonce).

Works with any OpenID provider found by discovery at HB_OIDC_ISSUER, including the bundled
development provider (hbapp.web.dev_oidc). Mount `build_auth_app()` at `/auth`:

- GET  /auth/login?login_hint=&next=&lang=   → redirect to the provider
- GET  /auth/callback                         → session cookie, redirect to `next`
- GET|POST /auth/logout                       → end the session (and at the provider)

The OIDC transaction (state, nonce, PKCE verifier, `next`) lives in a short-lived signed
cookie `hb_oidc` limited to /auth; the login itself is a server-side session whose random
token is the `hb_session` cookie (see hbapp.services.sessions).
"""

from __future__ import annotations

import html
import logging
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from joserfc.errors import JoseError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from hbapp.config import SUPPORTED_LOCALES, Settings, get_settings
from hbapp.db import get_engine
from hbapp.authz import Audience
from hbapp.i18n import N_, gettext_for
from hbapp.services.landing import workspace_for_person
from hbapp.services.sessions import (
    SESSION_COOKIE,
    create_session,
    end_session,
    token_from_cookie_header,
    upsert_person,
)
from hbapp.web.guard import route_allows
from hbapp.web.locale import request_locale
from hbapp.web.origin import from_own_pages
from hbapp.web.session_status import session_extend, session_status


log = logging.getLogger(__name__)

OIDC_COOKIE = "hb_oidc"
OIDC_COOKIE_MAX_AGE = 600  # seconds to complete a sign-in at the provider
LANG_COOKIE = "hb_lang"
_PROVIDER_NAME = "hb"
# Errors of discovery, the token request and id_token validation (signature, iss, aud,
# exp, nonce): Authlib's own, joserfc's, and the HTTP client's.
_OIDC_ERRORS = (AuthlibBaseError, JoseError, httpx.HTTPError, ValueError, KeyError, RuntimeError)


# --- messages ----------------------------------------------------------------------------

MSG_TITLE = N_("Sign-in failed")
MSG_FAILED = N_(
    "Signing in did not succeed. Please try again. "
    "If the problem continues, contact your case worker."
)
MSG_CANCELLED = N_("Sign-in was cancelled.")
MSG_UNAVAILABLE = N_(
    "The sign-in service is not available right now. Please try again in a moment."
)
MSG_RETRY = N_("Try signing in again")
MSG_HOME = N_("Back to the front page")

def _translate(locale: str, msgid: str) -> str:
    return gettext_for(locale, msgid)


def _error_page(request: Request, settings: Settings, message: str, status: int) -> HTMLResponse:
    locale = request_locale(request)

    def t(msgid: str) -> str:
        return html.escape(_translate(locale, msgid))

    home = html.escape(settings.public_url + "/")
    retry = html.escape(settings.public_url + "/auth/login")
    document = f"""<!doctype html>
<html lang="{locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{t(MSG_TITLE)} – HB</title>
<style>
body {{ margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       font-size: 1.125rem; line-height: 1.5; color: #1a1a1a; background: #ffffff; }}
main {{ max-width: 40rem; margin: 0 auto; padding: 2rem 1rem; }}
h1 {{ font-size: 1.6rem; line-height: 1.25; }}
a {{ display: inline-block; min-height: 44px; padding: .5rem 0; color: #0b4fa3; }}
a:focus-visible {{ outline: 4px solid #1a1a1a; outline-offset: 3px; }}
ul {{ list-style: none; padding: 0; }}
</style>
</head>
<body>
<main>
<h1>{t(MSG_TITLE)}</h1>
<p>{t(message)}</p>
<ul>
<li><a href="{retry}">{t(MSG_RETRY)}</a></li>
<li><a href="{home}">{t(MSG_HOME)}</a></li>
</ul>
</main>
</body>
</html>
"""
    return HTMLResponse(
        document,
        status_code=status,
        headers={
            "Cache-Control": "no-store",
            "Content-Security-Policy": (
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
            ),
        },
    )


# --- helpers -----------------------------------------------------------------------------


def safe_next(value: str | None) -> str:
    """A local path to return to after sign-in; anything else becomes "/".

    "//host" and "/\\host" are protocol-relative URLs to other sites in browsers, so only a
    single leading slash and no backslashes or control characters are accepted.
    """
    if not value or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        return "/"
    return value


def _add_query(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


class _Provider:
    """The OAuth registry, built on first use (discovery is an async HTTP call, possibly to
    this same server when the development provider is mounted, so never at import time)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: StarletteOAuth2App | None = None

    def client(self) -> StarletteOAuth2App:
        if self._client is None:
            settings = self.settings
            if not settings.oidc_issuer:
                raise RuntimeError("HB_OIDC_ISSUER is not set and the development provider is off")
            client_kwargs: dict[str, Any] = {
                "scope": settings.oidc_scopes,
                "code_challenge_method": "S256",
                # A public client (no secret) authenticates with PKCE alone.
                "token_endpoint_auth_method": (
                    "client_secret_post" if settings.oidc_client_secret else "none"
                ),
            }
            oauth = OAuth()
            # Authlib caches the discovery document (and the JWKS) on this client object.
            self._client = oauth.register(
                _PROVIDER_NAME,
                client_id=settings.oidc_client_id,
                client_secret=settings.oidc_client_secret,
                server_metadata_url=f"{settings.oidc_issuer}/.well-known/openid-configuration",
                client_kwargs=client_kwargs,
            )
        return self._client


# --- the app -----------------------------------------------------------------------------


def build_auth_app() -> Starlette:
    """The sign-in routes; mount the result at `/auth`."""
    settings = get_settings()
    provider = _Provider(settings)
    redirect_uri = f"{settings.public_url}/auth/callback"

    def set_session_cookie(response: Response, token: str) -> None:
        # No max-age: the server-side expiry (sliding, session_minutes) governs.
        response.set_cookie(
            SESSION_COOKIE,
            token,
            path="/",
            httponly=True,
            samesite="lax",
            secure=settings.secure_cookies,
        )

    @route_allows(Audience.ANYONE)
    async def login(request: Request) -> Response:
        params = request.query_params
        extra: dict[str, str] = {}
        if login_hint := params.get("login_hint", "").strip():
            extra["login_hint"] = login_hint[:255]
        if (lang := params.get("lang", "")) in SUPPORTED_LOCALES:
            extra["ui_locales"] = lang
        try:
            client = provider.client()
            auth = await client.create_authorization_url(redirect_uri, **extra)
        except _OIDC_ERRORS as exc:
            log.warning("OpenID sign-in could not start (discovery failed?): %r", exc)
            return _error_page(request, settings, MSG_UNAVAILABLE, 502)
        # Authlib keeps state → {nonce, code_verifier, redirect_uri} in request.session (the
        # hb_oidc cookie); `next` rides along so concurrent logins cannot mix their targets.
        await client.save_authorize_data(
            request,
            state=auth["state"],
            redirect_uri=redirect_uri,
            nonce=auth.get("nonce"),
            code_verifier=auth.get("code_verifier"),
            next=safe_next(params.get("next")),
        )
        return RedirectResponse(auth["url"], status_code=302, headers={"Cache-Control": "no-store"})

    @route_allows(Audience.ANYONE)
    async def callback(request: Request) -> Response:
        if error := request.query_params.get("error"):
            log.info(
                "OpenID provider returned error=%s (%s)",
                error,
                request.query_params.get("error_description", ""),
            )
            request.session.clear()
            message = MSG_CANCELLED if error == "access_denied" else MSG_FAILED
            return _error_page(request, settings, message, 400)

        try:
            client = provider.client()
            state = request.query_params.get("state") or ""
            # Peek at our transaction before Authlib consumes it, for the saved `next`.
            state_data = (
                await client.framework.get_state_data(request.session, state) if state else None
            )
            next_path = safe_next((state_data or {}).get("next"))
            # Validates state (MismatchingStateError), exchanges the code with the PKCE
            # verifier, and checks the id_token's signature, iss, aud, exp and nonce.
            token = await client.authorize_access_token(request)
            userinfo = token.get("userinfo")
            if not userinfo or not userinfo.get("sub"):
                raise ValueError("the token response has no (valid) id_token")
        except _OIDC_ERRORS as exc:
            log.warning("OpenID callback failed: %r", exc)
            return _error_page(request, settings, MSG_FAILED, 400)
        finally:
            # The transaction is over either way; its cookie is not needed any more.
            request.session.clear()

        subject = str(userinfo["sub"])
        name = str(
            userinfo.get("name")
            or " ".join(
                part for part in (userinfo.get("given_name"), userinfo.get("family_name")) if part
            )
            or userinfo.get("preferred_username")
            or subject
        )
        email = str(userinfo.get("email") or "")
        engine = get_engine()
        # A fresh login replaces any session this browser still had (no session fixation).
        previous = token_from_cookie_header(request.headers.get("cookie"))
        if previous:
            await run_in_threadpool(end_session, engine, previous)
        # Linked by the verified identity-code claim only (never by name or e-mail).
        claimed_code = userinfo.get(settings.oidc_id_claim)
        person_id = await run_in_threadpool(
            upsert_person, engine, subject, name, email,
            str(claimed_code) if isinstance(claimed_code, str) else None,
        )
        session_token, _expires = await run_in_threadpool(
            create_session, engine, person_id, str(token.get("id_token") or "")
        )
        log.info("person %s signed in", person_id)
        if next_path == "/":
            # No page asked for: each role lands on its own workspace.
            next_path = await run_in_threadpool(workspace_for_person, engine, person_id,
                                                date.today())
        response = RedirectResponse(
            settings.public_url + next_path, status_code=303, headers={"Cache-Control": "no-store"}
        )
        set_session_cookie(response, session_token)
        return response

    @route_allows(Audience.ANYONE)
    async def logout(request: Request) -> Response:
        if not from_own_pages(request):
            # A link, a form or a script of another site (another port of this host
            # included) must not sign people out (logout CSRF): only HB's own pages may.
            log.info("logout refused: Origin %r, Sec-Fetch-Site %r",
                     request.headers.get("origin"), request.headers.get("sec-fetch-site"))
            return RedirectResponse(settings.public_url + "/", status_code=303,
                                    headers={"Cache-Control": "no-store"})
        token = token_from_cookie_header(request.headers.get("cookie"))
        id_token = await run_in_threadpool(end_session, get_engine(), token) if token else ""
        home = settings.public_url + "/"
        target = home
        if id_token:
            # RP-initiated logout: also end the session at the provider, when it offers that.
            try:
                metadata = await provider.client().load_server_metadata()
            except _OIDC_ERRORS as exc:
                log.warning("could not load provider metadata for logout: %r", exc)
                metadata = {}
            if end_session_endpoint := metadata.get("end_session_endpoint"):
                target = _add_query(
                    end_session_endpoint,
                    {
                        "id_token_hint": id_token,
                        "post_logout_redirect_uri": home,
                        "client_id": settings.oidc_client_id,
                    },
                )
        response = RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
        response.delete_cookie(
            SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=settings.secure_cookies
        )
        return response

    return Starlette(
        routes=[
            Route("/login", login, methods=["GET"]),
            Route("/callback", callback, methods=["GET"]),
            Route("/logout", logout, methods=["GET", "POST"]),
            Route("/session", session_status, methods=["GET"]),
            Route("/session/extend", session_extend, methods=["POST"]),
        ],
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie=OIDC_COOKIE,
                max_age=OIDC_COOKIE_MAX_AGE,
                path="/auth",
                same_site="lax",
                https_only=settings.secure_cookies,
            )
        ],
    )
