"""A bundled DEVELOPMENT OpenID provider with real endpoints (discovery, authorize, token, JWKS).

It lets the app, the demos and the browser tests sign in through exactly the same OpenID
Connect code (authorization code + PKCE S256, state, nonce, signed id_token) that a real
provider is used with, without any external service. Mounted at `/dev-oidc` only when
HB_DEV_OIDC is on. It signs anyone in as any demo person without a password, so it must
never be enabled in production.

Codes and access tokens are signed, timestamped payloads (itsdangerous) rather than
database rows, so the provider needs no tables and survives restarts (apart from the
single-use bookkeeping, see `_CodeLedger`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import logging
import os
import re
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from hbapp import config
from hbapp.config import Settings, get_settings
from hbapp.authz import Audience
from hbapp.demo_people import DEMO_PEOPLE, DEMO_PEOPLE_BY_SUBJECT
from hbapp.web.guard import route_allows

log = logging.getLogger(__name__)

CODE_TTL_SECONDS = 120
ACCESS_TOKEN_TTL_SECONDS = 600
ID_TOKEN_TTL_SECONDS = 600
KEY_FILE_NAME = "dev_oidc_key.pem"
SCOPES_SUPPORTED = ["openid", "profile"]
CLAIMS_SUPPORTED = ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "name", "at_hash"]
# RFC 7636: a challenge is base64url(sha256) = 43 characters; verifiers are 43–128 unreserved.
_CHALLENGE_RE = re.compile(r"[A-Za-z0-9_-]{43,128}")
_VERIFIER_RE = re.compile(r"[A-Za-z0-9._~-]{43,128}")
# The parameters of an authorization request that the picker form carries along.
_AUTHORIZE_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "ui_locales",
)
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_PAGE_HEADERS = {
    **_NO_STORE,
    # No external assets, no framing (the picker signs people in with one click).
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


# --- signing key -------------------------------------------------------------------------


def load_or_create_signing_key(path: Path) -> RSAKey:
    """The provider's RSA key, generated once and shared by every server worker.

    Creation is atomic: the key is written to a temporary file and hard-linked to its
    final name. If another worker linked first, os.link fails and we read theirs, so all
    workers sign with (and publish) the same key.
    """
    if path.exists():
        return RSAKey.import_key(path.read_bytes())
    path.parent.mkdir(parents=True, exist_ok=True)
    key = RSAKey.generate_key(2048, private=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".dev_oidc_key.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:  # mkstemp creates the file with mode 0600
            handle.write(key.as_pem(private=True))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp_name, path)
        except FileExistsError:
            return RSAKey.import_key(path.read_bytes())
    finally:
        os.unlink(tmp_name)
    return key


# --- helpers -----------------------------------------------------------------------------


def _b64url_sha256(value: str) -> str:
    digest = hashlib.sha256(value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _at_hash(access_token: str) -> str:
    """OIDC Core 3.1.3.6: base64url of the left half of the SHA-256 of the access token."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")


def _add_query(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def _is_own_url(settings: Settings, uri: str) -> bool:
    """True for URLs of this app only. A bare prefix test would also accept
    "http://localhost:3000.evil.example/", so the next character must be "/" (or nothing)."""
    base = settings.public_url
    return uri == base or uri.startswith(base + "/")


def _oauth_error(error: str, description: str, status: int = 400, **headers: str) -> JSONResponse:
    # RFC 6749 section 5.2 error response.
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status,
        headers={**_NO_STORE, **headers},
    )


_STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       font-size: 1.125rem; line-height: 1.5; background: #ffffff; color: #1a1a1a; }
main { max-width: 40rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 1rem; }
.warning { border: 3px solid #8a4b00; background: #fff4e0; color: #3d2300;
           padding: .75rem 1rem; border-radius: .5rem; font-weight: 600; }
fieldset { border: 0; padding: 0; margin: 1.5rem 0 0; min-width: 0; }
legend { font-size: 1.25rem; font-weight: 700; margin-bottom: .75rem; padding: 0; }
ul { list-style: none; margin: 0; padding: 0; display: grid; gap: .75rem; }
button { display: block; width: 100%; min-height: 44px; padding: .75rem 1rem; font: inherit;
         text-align: left; color: #0b2a52; background: #f2f6fc; border: 2px solid #1d4f91;
         border-radius: .5rem; cursor: pointer; }
button:hover { background: #dfe9f7; }
button:focus-visible, a:focus-visible { outline: 4px solid #1a1a1a; outline-offset: 3px; }
.name { display: block; font-weight: 700; }
.role { display: block; }
.id { display: block; font-family: ui-monospace, monospace; font-size: 1rem; color: #333333; }
a { color: #0b4fa3; }
a { display: inline-block; min-height: 44px; padding: .5rem 0; }
"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    document = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
    return HTMLResponse(document, status_code=status, headers=_PAGE_HEADERS)


def _error_page(message: str) -> HTMLResponse:
    # Used when the client or redirect URI cannot be trusted: never redirect then.
    body = (
        "<h1>Development sign-in: invalid request</h1>\n"
        f"<p>{html.escape(message)}</p>\n"
        '<p class="warning">Development OpenID provider — not for production.</p>'
    )
    return _page("Invalid sign-in request", body, status=400)


# --- the provider ------------------------------------------------------------------------


class _CodeLedger:
    """Ids (jti) of authorization codes already exchanged, to make codes single use.

    Kept in this process only: with several server workers a code could be redeemed once
    per worker. That is acceptable for a development provider (a real provider keeps this
    in shared storage); the codes also expire after CODE_TTL_SECONDS.
    """

    def __init__(self) -> None:
        self._used: dict[str, float] = {}

    def use(self, jti: str) -> bool:
        """Mark a code used; False if it was used before."""
        now = time.monotonic()
        # Forget codes that have expired anyway, so the ledger stays small.
        for old, at in list(self._used.items()):
            if now - at > CODE_TTL_SECONDS * 2:
                del self._used[old]
        if jti in self._used:
            return False
        self._used[jti] = now
        return True


class DevProvider:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.issuer = settings.oidc_issuer
        self.codes = URLSafeTimedSerializer(settings.secret_key, salt="dev-oidc-code")
        self.access_tokens = URLSafeTimedSerializer(settings.secret_key, salt="dev-oidc-access")
        self.ledger = _CodeLedger()
        self._key: RSAKey | None = None

    async def key(self) -> RSAKey:
        # Loaded lazily (and off the event loop: key generation takes a moment), so merely
        # importing or building the app has no side effects on disk.
        if self._key is None:
            path = config.DATA_DIR / KEY_FILE_NAME
            key = await run_in_threadpool(load_or_create_signing_key, path)
            key.ensure_kid()
            self._key = key
        return self._key

    # -- discovery and keys --

    @route_allows(Audience.ANYONE)
    async def discovery(self, request: Request) -> JSONResponse:
        issuer = self.issuer
        return JSONResponse(
            {
                "issuer": issuer,
                "authorization_endpoint": f"{issuer}/authorize",
                "token_endpoint": f"{issuer}/token",
                "userinfo_endpoint": f"{issuer}/userinfo",
                "jwks_uri": f"{issuer}/jwks",
                "end_session_endpoint": f"{issuer}/logout",
                "response_types_supported": ["code"],
                "response_modes_supported": ["query"],
                "grant_types_supported": ["authorization_code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": [
                    "none",
                    "client_secret_post",
                    "client_secret_basic",
                ],
                "scopes_supported": SCOPES_SUPPORTED,
                "claims_supported": [*CLAIMS_SUPPORTED, self.settings.oidc_id_claim],
                "ui_locales_supported": list(config.SUPPORTED_LOCALES),
                "authorization_response_iss_parameter_supported": True,
            }
        )

    @route_allows(Audience.ANYONE)
    async def jwks(self, request: Request) -> JSONResponse:
        key = await self.key()
        public = dict(key.as_dict(private=False))
        public.update({"kid": key.kid, "use": "sig", "alg": "RS256"})
        return JSONResponse({"keys": [public]})

    # -- authorization endpoint --

    def _check_authorize(self, params: dict[str, str]) -> Response | None:
        """None when the request is acceptable, else the response to give.

        The client and redirect URI are checked first: until they are known good, errors
        are shown here and never sent to the (untrusted) redirect URI.
        """
        if params.get("client_id") != self.settings.oidc_client_id:
            return _error_page("Unknown client_id.")
        redirect_uri = params.get("redirect_uri", "")
        if not _is_own_url(self.settings, redirect_uri):
            return _error_page("The redirect_uri is not registered for this client.")

        error: tuple[str, str] | None = None
        if params.get("response_type") != "code":
            error = ("unsupported_response_type", "Only response_type=code is supported.")
        elif "openid" not in params.get("scope", "").split():
            error = ("invalid_scope", "The openid scope is required.")
        elif params.get("code_challenge_method") != "S256" or not _CHALLENGE_RE.fullmatch(
            params.get("code_challenge", "")
        ):
            error = ("invalid_request", "PKCE with code_challenge_method=S256 is required.")
        if error is None:
            return None
        reply = {"error": error[0], "error_description": error[1], "iss": self.issuer}
        if params.get("state"):
            reply["state"] = params["state"]
        return RedirectResponse(_add_query(redirect_uri, reply), status_code=302)

    def _issue_code(self, params: dict[str, str], subject: str, status: int) -> RedirectResponse:
        payload = {
            "sub": subject,
            "client_id": params["client_id"],
            "redirect_uri": params["redirect_uri"],
            "code_challenge": params["code_challenge"],
            "scope": params.get("scope", "openid"),
            "nonce": params.get("nonce", ""),
            "auth_time": int(time.time()),
            "jti": secrets.token_urlsafe(16),
        }
        reply = {"code": self.codes.dumps(payload), "iss": self.issuer}
        if params.get("state"):
            reply["state"] = params["state"]
        return RedirectResponse(
            _add_query(params["redirect_uri"], reply), status_code=status, headers=_NO_STORE
        )

    def _picker(self, params: dict[str, str], status: int = 200) -> HTMLResponse:
        hidden = "\n".join(
            f'<input type="hidden" name="{name}" value="{html.escape(params[name])}">'
            for name in _AUTHORIZE_PARAMS
            if params.get(name)
        )
        choices = "\n".join(
            "<li>"
            f'<button type="submit" name="subject" value="{html.escape(person.subject)}">'
            f'<span class="name">{html.escape(person.name)}</span>'
            f'<span class="role">{html.escape(person.role)}</span>'
            f'<span class="id">{html.escape(person.subject)}</span>'
            "</button></li>"
            for person in DEMO_PEOPLE
        )
        body = f"""<h1>Development sign-in — not for production</h1>
<p class="warning" role="note">This is the bundled development OpenID provider. It signs you
in as a demo person without any identification. It must never be enabled in production.</p>
<form method="post" action="{html.escape(self.issuer)}/authorize">
{hidden}
<fieldset>
<legend>Sign in as</legend>
<ul>
{choices}
</ul>
</fieldset>
</form>"""
        return _page("Development sign-in — not for production", body, status=status)

    @route_allows(Audience.ANYONE)
    async def authorize(self, request: Request) -> Response:
        if request.method == "POST":
            async with request.form() as form:
                fields = (*_AUTHORIZE_PARAMS, "subject")
                params = {name: str(form.get(name) or "") for name in fields}
            subject = params.pop("subject")
        else:
            params = {name: request.query_params.get(name, "") for name in _AUTHORIZE_PARAMS}
            subject = request.query_params.get("login_hint", "")

        problem = self._check_authorize(params)
        if problem is not None:
            return problem
        if subject in DEMO_PEOPLE_BY_SUBJECT:
            # 303 after the picker's POST so the browser follows with GET.
            return self._issue_code(params, subject, 303 if request.method == "POST" else 302)
        if request.method == "POST":
            return self._picker(params, status=400)  # unknown choice: show the choices again
        return self._picker(params)

    # -- token endpoint --

    def _client_credentials(self, request: Request, form: dict[str, str]) -> tuple[str, str | None]:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                return "", None
            client_id, _, secret = decoded.partition(":")
            # RFC 6749 2.3.1: both parts are form-urlencoded before Basic encoding.
            return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))
        return form.get("client_id", ""), form.get("client_secret")

    @route_allows(Audience.ANYONE)
    async def token(self, request: Request) -> JSONResponse:
        async with request.form() as raw_form:
            form = {key: str(value) for key, value in raw_form.items()}

        if form.get("grant_type") != "authorization_code":
            return _oauth_error("unsupported_grant_type", "Only authorization_code is supported.")

        client_id, client_secret = self._client_credentials(request, form)
        expected_secret = self.settings.oidc_client_secret
        secret_ok = expected_secret is None or (
            client_secret is not None
            and hmac.compare_digest(client_secret.encode(), expected_secret.encode())
        )
        if client_id != self.settings.oidc_client_id or not secret_ok:
            return _oauth_error(
                "invalid_client",
                "Client authentication failed.",
                401,
                **{"WWW-Authenticate": 'Basic realm="dev-oidc"'},
            )

        code = form.get("code", "")
        if not code:
            return _oauth_error("invalid_request", "The code parameter is required.")
        try:
            payload: dict[str, Any] = self.codes.loads(code, max_age=CODE_TTL_SECONDS)
        except SignatureExpired:
            return _oauth_error("invalid_grant", "The authorization code has expired.")
        except BadSignature:
            return _oauth_error("invalid_grant", "The authorization code is not valid.")

        # Burn the code at its first presentation, even if a check below fails: a stolen
        # code then gives an attacker at most one guess of the PKCE verifier.
        if not self.ledger.use(str(payload.get("jti"))):
            return _oauth_error("invalid_grant", "The authorization code has already been used.")
        if payload.get("client_id") != client_id:
            return _oauth_error("invalid_grant", "The code was issued to another client.")
        if form.get("redirect_uri") != payload.get("redirect_uri"):
            return _oauth_error("invalid_grant", "The redirect_uri does not match.")
        verifier = form.get("code_verifier", "")
        if not _VERIFIER_RE.fullmatch(verifier) or not hmac.compare_digest(
            _b64url_sha256(verifier), str(payload.get("code_challenge", ""))
        ):
            return _oauth_error("invalid_grant", "PKCE verification failed.")

        subject = str(payload["sub"])
        person = DEMO_PEOPLE_BY_SUBJECT.get(subject)
        scope = str(payload.get("scope", "openid"))
        access_token = self.access_tokens.dumps(
            {"sub": subject, "scope": scope, "jti": secrets.token_urlsafe(12)}
        )
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": subject,
            "aud": client_id,
            "iat": now,
            "exp": now + ID_TOKEN_TTL_SECONDS,
            "auth_time": int(payload.get("auth_time", now)),
            "at_hash": _at_hash(access_token),
            "name": person.name if person else subject,
        }
        if person is not None:
            # As Suomi.fi e-identification does: the verified personal identity code.
            claims[self.settings.oidc_id_claim] = person.identity_code
        if payload.get("nonce"):
            claims["nonce"] = payload["nonce"]
        key = await self.key()
        id_token = jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key)
        return JSONResponse(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": ACCESS_TOKEN_TTL_SECONDS,
                "id_token": id_token,
                "scope": scope,
            },
            headers=_NO_STORE,
        )

    # -- userinfo and logout --

    @route_allows(Audience.ANYONE)
    async def userinfo(self, request: Request) -> JSONResponse:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        invalid = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        if scheme.lower() != "bearer" or not token.strip():
            return JSONResponse({"error": "invalid_token"}, status_code=401, headers=invalid)
        try:
            payload = self.access_tokens.loads(token.strip(), max_age=ACCESS_TOKEN_TTL_SECONDS)
        except BadSignature:  # includes SignatureExpired
            return JSONResponse({"error": "invalid_token"}, status_code=401, headers=invalid)
        subject = str(payload["sub"])
        person = DEMO_PEOPLE_BY_SUBJECT.get(subject)
        return JSONResponse(
            {"sub": subject, "name": person.name if person else subject}
            | ({self.settings.oidc_id_claim: person.identity_code} if person else {}),
            headers=_NO_STORE
        )

    @route_allows(Audience.ANYONE)
    async def logout(self, request: Request) -> Response:
        target = request.query_params.get("post_logout_redirect_uri", "")
        if target and _is_own_url(self.settings, target):
            state = request.query_params.get("state")
            return RedirectResponse(
                _add_query(target, {"state": state}) if state else target, status_code=302
            )
        body = (
            "<h1>Signed out</h1>\n"
            "<p>You have been signed out of the development OpenID provider.</p>\n"
            f'<p><a href="{html.escape(self.settings.public_url)}/">Back to HB</a></p>'
        )
        return _page("Signed out", body)


def build_dev_oidc_app() -> Starlette:
    """The development OpenID provider; mount it at `/dev-oidc` only when HB_DEV_OIDC is on."""
    settings = get_settings()
    if not settings.dev_oidc_enabled:
        raise RuntimeError("The development OpenID provider is disabled (HB_DEV_OIDC is off).")
    provider = DevProvider(settings)
    return Starlette(
        routes=[
            Route("/.well-known/openid-configuration", provider.discovery, methods=["GET"]),
            Route("/authorize", provider.authorize, methods=["GET", "POST"]),
            Route("/token", provider.token, methods=["POST"]),
            Route("/jwks", provider.jwks, methods=["GET"]),
            Route("/userinfo", provider.userinfo, methods=["GET", "POST"]),
            Route("/logout", provider.logout, methods=["GET"]),
        ]
    )
