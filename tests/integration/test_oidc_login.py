"""OpenID Connect sign-in end to end: hbapp.web.auth against the bundled development provider.

A real HTTP server (granian, embedded) runs the two Starlette apps on a free local port, so
discovery, the token request and the JWKS fetch are real HTTP calls, as in production.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from granian.constants import Interfaces
from granian.server.embed import Server
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy.engine import Engine
from sqlmodel import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from hbapp import config
from hbapp.config import get_settings
from hbapp.db import get_engine, read_session, write_session
from hbapp.demo_people import DEMO_PEOPLE
from hbapp.migrations import upgrade
from hbapp.models import AuditLog, LoginSession, Person, utcnow
from hbapp.services.sessions import (
    SESSION_COOKIE,
    create_session,
    end_session,
    extend_session,
    resolve_session,
    set_acting_for,
    token_from_cookie_header,
    upsert_person,
)
from hbapp.web.auth import build_auth_app, safe_next
from hbapp.web.dev_oidc import build_dev_oidc_app, load_or_create_signing_key

CLIENT_ID = "hb-dev"
_ENV_KEYS = (
    "HB_PUBLIC_URL",
    "HB_DEV_OIDC",
    "HB_DATA_DIR",
    "HB_DATABASE_URL",
    "HB_SECRET_KEY",
    "HB_OIDC_ISSUER",
    "HB_OIDC_CLIENT_ID",
    "HB_OIDC_CLIENT_SECRET",
    "HB_OIDC_SCOPES",
    "HB_SESSION_MINUTES",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _clear_caches() -> None:
    get_settings.cache_clear()
    get_engine.cache_clear()


def build_test_app() -> Starlette:
    """What the real app does: /auth always, /dev-oidc only when the dev provider is on."""

    async def page(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"page {request.url.path}")

    routes: list = [
        Route("/", page),
        Route("/budget", page),
        Route("/settings", page),
        Mount("/auth", app=build_auth_app()),
    ]
    if get_settings().dev_oidc_enabled:
        routes.append(Mount("/dev-oidc", app=build_dev_oidc_app()))
    return Starlette(routes=routes)


@dataclass
class Live:
    base: str
    issuer: str
    engine: Engine
    data_dir: Path


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("oidc")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    database_url = f"sqlite:///{tmp / 'hb.db'}"
    patch = pytest.MonkeyPatch()
    for key in _ENV_KEYS:
        patch.delenv(key, raising=False)
    patch.setenv("HB_PUBLIC_URL", base)
    patch.setenv("HB_DEV_OIDC", "1")
    patch.setenv("HB_DATA_DIR", str(tmp))
    patch.setenv("HB_DATABASE_URL", database_url)
    patch.setenv("HB_SECRET_KEY", secrets.token_urlsafe(32))
    # DATA_DIR is read when hbapp.config is imported, which may have happened already.
    patch.setattr(config, "DATA_DIR", tmp)
    _clear_caches()
    upgrade(database_url)

    server = Server(
        build_test_app(),
        address="127.0.0.1",
        port=port,
        interface=Interfaces.ASGI,
        log_enabled=False,
    )
    loop = asyncio.new_event_loop()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.serve())

    thread = threading.Thread(target=run, name="oidc-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while True:
        try:
            httpx.get(f"{base}/", timeout=1)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
    try:
        yield Live(base=base, issuer=f"{base}/dev-oidc", engine=get_engine(), data_dir=tmp)
    finally:
        loop.call_soon_threadsafe(server.stop)
        thread.join(15)
        get_engine().dispose()
        patch.undo()
        _clear_caches()


class _Forms(HTMLParser):
    """The first form of a page: its action and the fields a browser would send."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.hidden: dict[str, str] = {}
        self.buttons: list[tuple[str, str]] = []
        self.html_lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.html_lang = values.get("lang", "")
        elif tag == "form" and not self.action:
            self.action = values.get("action", "")
        elif tag == "input" and values.get("type") == "hidden":
            self.hidden[values["name"]] = values.get("value", "")
        elif tag == "button" and values.get("type") == "submit":
            self.buttons.append((values.get("name", ""), values.get("value", "")))


def _parse(text: str) -> _Forms:
    parser = _Forms()
    parser.feed(text)
    return parser


def _set_cookie_headers(response: httpx.Response, name: str) -> list[str]:
    return [
        value for value in response.headers.get_list("set-cookie") if value.startswith(f"{name}=")
    ]


def _callback_response(response: httpx.Response) -> httpx.Response:
    return next(r for r in response.history if r.url.path == "/auth/callback")


def _login(client: httpx.Client, live: Live, **params: str) -> httpx.Response:
    return client.get(f"{live.base}/auth/login", params=params, follow_redirects=True)


def _person(engine: Engine, subject: str) -> Person | None:
    with read_session(engine) as session:
        return session.exec(select(Person).where(Person.oidc_subject == subject)).first()


def _sessions_of(engine: Engine, person_id: int) -> list[LoginSession]:
    with read_session(engine) as session:
        return list(session.exec(select(LoginSession).where(LoginSession.person_id == person_id)))


def _audit_actions(engine: Engine, person_id: int) -> list[str]:
    with read_session(engine) as session:
        rows = session.exec(select(AuditLog).where(AuditLog.actor_person_id == person_id))
        return [row.action for row in rows]


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


# --- (a) login with a hint --------------------------------------------------------------


def test_login_with_hint_ends_at_next_with_session_cookie(live: Live) -> None:
    with httpx.Client() as client:
        response = _login(client, live, login_hint="demo-client", next="/budget")
        assert response.status_code == 200
        assert response.url == httpx.URL(f"{live.base}/budget")

        callback = _callback_response(response)
        assert callback.status_code == 303
        cookies = _set_cookie_headers(callback, SESSION_COOKIE)
        assert len(cookies) == 1
        attributes = [part.strip().lower() for part in cookies[0].split(";")]
        assert "httponly" in attributes
        assert "samesite=lax" in attributes
        assert "path=/" in attributes
        assert "secure" not in attributes  # http:// public URL
        assert not any(a.startswith(("max-age", "expires")) for a in attributes)

        token = client.cookies.get(SESSION_COOKIE)
        assert token

    person = _person(live.engine, "demo-client")
    assert person is not None and person.display_name == "Aino Virtanen"
    assert person.identity_code == "140345-9025"  # from the identity-code claim
    info = resolve_session(live.engine, token)
    assert info is not None and info.person_id == person.id
    sessions = _sessions_of(live.engine, person.id)
    assert any(s.id == info.session_id and s.id_token_hint for s in sessions)
    # Only the hash is stored.
    assert all(s.token_hash != token for s in sessions)
    assert "login" in _audit_actions(live.engine, person.id)


def test_login_passes_language_to_provider(live: Live) -> None:
    with httpx.Client() as client:
        response = client.get(
            f"{live.base}/auth/login", params={"login_hint": "demo-client", "lang": "sv"}
        )
        assert response.status_code == 302
        location = urlsplit(response.headers["location"])
        query = parse_qs(location.query)
        assert f"{location.scheme}://{location.netloc}{location.path}" == f"{live.issuer}/authorize"
        assert query["ui_locales"] == ["sv"]
        assert query["login_hint"] == ["demo-client"]
        assert query["code_challenge_method"] == ["S256"]
        assert query["redirect_uri"] == [f"{live.base}/auth/callback"]
        assert query["state"] and query["nonce"] and query["code_challenge"]
        oidc_cookie = _set_cookie_headers(response, "hb_oidc")
        assert oidc_cookie and "path=/auth" in oidc_cookie[0].lower()
        assert "httponly" in oidc_cookie[0].lower()


# --- (b) the picker ---------------------------------------------------------------------


def test_picker_lists_demo_people_and_completes_login(live: Live) -> None:
    with httpx.Client() as client:
        picker = _login(client, live, next="/settings")
        assert picker.status_code == 200
        assert picker.url.path == "/dev-oidc/authorize"
        assert "Development sign-in — not for production" in picker.text
        form = _parse(picker.text)
        assert form.html_lang == "en"
        assert [value for _, value in form.buttons] == [p.subject for p in DEMO_PEOPLE]
        for person in DEMO_PEOPLE:
            assert person.name in picker.text
        assert form.hidden["client_id"] == CLIENT_ID
        assert form.hidden["code_challenge_method"] == "S256"

        response = client.post(
            form.action, data={**form.hidden, "subject": "demo-worker"}, follow_redirects=True
        )
        assert response.status_code == 200
        assert response.url == httpx.URL(f"{live.base}/settings")
        token = client.cookies.get(SESSION_COOKIE)

    person = _person(live.engine, "demo-worker")
    assert person is not None
    info = resolve_session(live.engine, token)
    assert info is not None and info.person_id == person.id


def test_picker_rejects_unknown_choice(live: Live) -> None:
    with httpx.Client() as client:
        form = _parse(_login(client, live).text)
        response = client.post(form.action, data={**form.hidden, "subject": "nobody"})
        assert response.status_code == 400
        assert "location" not in response.headers


# --- (c) errors at the callback ---------------------------------------------------------


def test_tampered_state_shows_error_page_and_creates_no_session(live: Live) -> None:
    with httpx.Client() as client:
        to_provider = client.get(
            f"{live.base}/auth/login", params={"login_hint": "demo-client-2"}
        )
        to_callback = client.get(to_provider.headers["location"])
        assert to_callback.status_code == 302
        location = to_callback.headers["location"]
        query = parse_qs(urlsplit(location).query)
        assert query["iss"] == [live.issuer]
        tampered = location.replace(f"state={query['state'][0]}", "state=forged-state")
        assert tampered != location

        response = client.get(tampered, headers={"Accept-Language": "en-GB,en;q=0.9"})
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("text/html")
        page = response.text
        assert '<html lang="en">' in page
        assert "<main>" in page and "<h1>" in page
        assert f'href="{live.base}/"' in page
        assert "Sign-in failed" in page
        assert not _set_cookie_headers(response, SESSION_COOKIE)
        assert client.cookies.get(SESSION_COOKIE) is None

    assert _person(live.engine, "demo-client-2") is None


def test_provider_error_is_shown_in_the_users_language(live: Live) -> None:
    with httpx.Client(cookies={"hb_lang": "sv"}) as client:
        response = client.get(
            f"{live.base}/auth/callback", params={"error": "access_denied", "state": "x"}
        )
    assert response.status_code == 400
    assert '<html lang="sv">' in response.text
    assert "Sign-in was cancelled." not in response.text  # translated, not the English msgid


def test_callback_without_transaction_is_rejected(live: Live) -> None:
    # A code from a login this browser did not start (login CSRF) must not sign anyone in.
    with httpx.Client() as victim, httpx.Client() as attacker:
        to_provider = attacker.get(f"{live.base}/auth/login", params={"login_hint": "demo-admin"})
        to_callback = attacker.get(to_provider.headers["location"])
        response = victim.get(to_callback.headers["location"])
        assert response.status_code == 400
        assert victim.cookies.get(SESSION_COOKIE) is None


# --- (d) the token endpoint -------------------------------------------------------------


def _authorize(
    client: httpx.Client, live: Live, challenge: str, redirect_uri: str | None = None
) -> str:
    response = client.get(
        f"{live.issuer}/authorize",
        params={
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": redirect_uri or f"{live.base}/auth/callback",
            "scope": "openid profile",
            "state": "s1",
            "nonce": "n1",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "login_hint": "demo-relative",
        },
    )
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["state"] == ["s1"]
    return query["code"][0]


def _exchange(
    client: httpx.Client, live: Live, code: str, verifier: str, redirect_uri: str | None = None
) -> httpx.Response:
    return client.post(
        f"{live.issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": verifier,
            "redirect_uri": redirect_uri or f"{live.base}/auth/callback",
            "client_id": CLIENT_ID,
        },
    )


def test_token_endpoint_issues_signed_id_token_once(live: Live) -> None:
    with httpx.Client() as client:
        verifier, challenge = _pkce()
        code = _authorize(client, live, challenge)
        response = _exchange(client, live, code, verifier)
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] > 0 and "openid" in body["scope"].split()

        discovery = client.get(f"{live.issuer}/.well-known/openid-configuration").json()
        assert discovery["issuer"] == live.issuer
        assert discovery["code_challenge_methods_supported"] == ["S256"]
        jwks = client.get(discovery["jwks_uri"]).json()
        assert all("d" not in key for key in jwks["keys"])  # never the private part
        token = jwt.decode(body["id_token"], KeySet.import_key_set(jwks), algorithms=["RS256"])
        assert token.header["kid"] == jwks["keys"][0]["kid"]
        claims = token.claims
        assert claims["iss"] == live.issuer
        assert claims["aud"] == CLIENT_ID
        assert claims["sub"] == "demo-relative"
        assert claims["nonce"] == "n1"
        assert claims["name"] == "Mikko Virtanen"
        # The verified identity code, as Suomi.fi sends it (HB_OIDC_ID_CLAIM).
        assert claims["nationalIdentificationNumber"] == "030572-9130"
        assert claims["exp"] > claims["iat"] and "auth_time" in claims

        userinfo = client.get(
            discovery["userinfo_endpoint"],
            headers={"Authorization": f"Bearer {body['access_token']}"},
        )
        assert userinfo.json() == {"sub": "demo-relative", "name": "Mikko Virtanen",
                                   "nationalIdentificationNumber": "030572-9130"}
        assert client.get(
            discovery["userinfo_endpoint"], headers={"Authorization": "Bearer forged"}
        ).status_code == 401

        again = _exchange(client, live, code, verifier)
        assert again.status_code == 400
        assert again.json()["error"] == "invalid_grant"


def test_token_endpoint_rejects_wrong_verifier(live: Live) -> None:
    with httpx.Client() as client:
        _, challenge = _pkce()
        code = _authorize(client, live, challenge)
        wrong_verifier, _ = _pkce()
        response = _exchange(client, live, code, wrong_verifier)
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"


def test_token_endpoint_rejects_wrong_redirect_uri(live: Live) -> None:
    with httpx.Client() as client:
        verifier, challenge = _pkce()
        code = _authorize(client, live, challenge)
        response = _exchange(client, live, code, verifier, redirect_uri=f"{live.base}/elsewhere")
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"


def test_token_endpoint_rejects_forged_code_and_other_errors(live: Live) -> None:
    with httpx.Client() as client:
        verifier, _ = _pkce()
        forged = _exchange(client, live, "not-a-code", verifier)
        assert forged.status_code == 400 and forged.json()["error"] == "invalid_grant"

        wrong_grant = client.post(f"{live.issuer}/token", data={"grant_type": "password"})
        assert wrong_grant.json()["error"] == "unsupported_grant_type"

        wrong_client = client.post(
            f"{live.issuer}/token",
            data={"grant_type": "authorization_code", "code": "x", "client_id": "other"},
        )
        assert wrong_client.status_code == 401
        assert wrong_client.json()["error"] == "invalid_client"


def test_authorize_never_redirects_to_unvalidated_uris(live: Live) -> None:
    _, challenge = _pkce()
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "scope": "openid",
        "state": "s",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "login_hint": "demo-client",
    }
    with httpx.Client() as client:
        for bad in (
            "https://evil.example/cb",
            f"{live.base}.evil.example/cb",  # a bare prefix test would accept this
        ):
            response = client.get(
                f"{live.issuer}/authorize", params={**params, "redirect_uri": bad}
            )
            assert response.status_code == 400 and "location" not in response.headers
        unknown_client = client.get(
            f"{live.issuer}/authorize",
            params={**params, "client_id": "other", "redirect_uri": f"{live.base}/auth/callback"},
        )
        assert unknown_client.status_code == 400 and "location" not in unknown_client.headers

        # With a trusted redirect URI, request errors go back to the client (RFC 6749 4.1.2.1).
        no_pkce = client.get(
            f"{live.issuer}/authorize",
            params={
                **params,
                "code_challenge_method": "plain",
                "redirect_uri": f"{live.base}/auth/callback",
            },
        )
        assert no_pkce.status_code == 302
        query = parse_qs(urlsplit(no_pkce.headers["location"]).query)
        assert query["error"] == ["invalid_request"] and query["state"] == ["s"]
        assert "code" not in query


# --- (e) the next parameter -------------------------------------------------------------


@pytest.mark.parametrize(
    "next_value", ["//evil.example", "https://evil.example/", "/\\evil.example"]
)
def test_next_outside_the_app_falls_back_to_front_page(live: Live, next_value: str) -> None:
    with httpx.Client() as client:
        response = _login(client, live, login_hint="demo-client", next=next_value)
        assert response.status_code == 200
        assert response.url == httpx.URL(f"{live.base}/")


def test_safe_next() -> None:
    assert safe_next("/budget?month=2026-11") == "/budget?month=2026-11"
    assert safe_next(None) == "/"
    assert safe_next("") == "/"
    assert safe_next("budget") == "/"
    assert safe_next("//evil.example") == "/"
    assert safe_next("/\\evil.example") == "/"
    assert safe_next("/a\nb") == "/"


# --- (f) logout -------------------------------------------------------------------------


def test_logout_ends_session_clears_cookie_and_logs_out_at_provider(live: Live) -> None:
    with httpx.Client() as client:
        _login(client, live, login_hint="demo-guardian", next="/")
        token = client.cookies.get(SESSION_COOKIE)
        info = resolve_session(live.engine, token)
        assert info is not None

        response = client.post(f"{live.base}/auth/logout")
        assert response.status_code == 303
        location = urlsplit(response.headers["location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == f"{live.issuer}/logout"
        query = parse_qs(location.query)
        assert query["post_logout_redirect_uri"] == [f"{live.base}/"]
        assert query["id_token_hint"][0].count(".") == 2

        deleted = _set_cookie_headers(response, SESSION_COOKIE)
        assert deleted and ("max-age=0" in deleted[0].lower() or "expires=" in deleted[0].lower())
        assert client.cookies.get(SESSION_COOKIE) is None
        assert resolve_session(live.engine, token) is None
        assert "logout" in _audit_actions(live.engine, info.person_id)

        back = client.get(response.headers["location"], follow_redirects=True)
        assert back.url == httpx.URL(f"{live.base}/")

        # Without a session (and with GET), logout just goes home.
        again = client.get(f"{live.base}/auth/logout")
        assert again.status_code == 303
        assert again.headers["location"] == f"{live.base}/"


def test_logout_link_from_another_site_keeps_the_session(live: Live) -> None:
    with httpx.Client() as client:
        _login(client, live, login_hint="demo-guardian", next="/")
        token = client.cookies.get(SESSION_COOKIE)
        response = client.get(f"{live.base}/auth/logout", headers={"Sec-Fetch-Site": "cross-site"})
        assert response.status_code == 303
        assert resolve_session(live.engine, token) is not None
        same_site = client.get(f"{live.base}/auth/logout", headers={"Sec-Fetch-Site": "same-origin"})
        assert same_site.status_code == 303
        assert resolve_session(live.engine, token) is None


def test_logout_from_another_origin_keeps_the_session(live: Live) -> None:
    """Logout CSRF: a form or script of another site (or of another port of this host, which
    browsers call same-site) cannot end the session; HB's own pages can."""
    port = int(live.base.rsplit(":", 1)[1])
    with httpx.Client() as client:
        _login(client, live, login_hint="demo-guardian", next="/")
        token = client.cookies.get(SESSION_COOKIE)
        for headers in (
            {"Origin": "https://evil.example"},
            {"Origin": f"http://127.0.0.1:{port + 1}"},
            {"Origin": "null"},
            {"Origin": live.base, "Sec-Fetch-Site": "same-site"},
            {"Sec-Fetch-Site": "cross-site"},
        ):
            response = client.post(f"{live.base}/auth/logout", headers=headers)
            assert response.status_code == 303, headers
            assert response.headers["location"] == f"{live.base}/"
            assert resolve_session(live.engine, token) is not None, headers
        same_site = client.get(f"{live.base}/auth/logout", headers={"Sec-Fetch-Site": "same-site"})
        assert same_site.status_code == 303 and resolve_session(live.engine, token) is not None
        extend = client.post(f"{live.base}/auth/session/extend",
                             headers={"Origin": "https://evil.example"})
        assert extend.status_code == 403
        own = client.post(f"{live.base}/auth/logout",
                          headers={"Origin": live.base, "Sec-Fetch-Site": "same-origin"})
        assert own.status_code == 303
        assert resolve_session(live.engine, token) is None


def test_ended_and_expired_sessions_keep_no_id_token(live: Live) -> None:
    engine = live.engine
    person_id = upsert_person(engine, "test-hint-person", "Testi Vihje")
    ended, _ = create_session(engine, person_id, id_token="a.b.c")
    expired, _ = create_session(engine, person_id, id_token="d.e.f")
    assert end_session(engine, ended) == "a.b.c"
    with write_session(engine) as session:
        row = session.exec(select(LoginSession).where(LoginSession.person_id == person_id,
                                                      LoginSession.ended_at.is_(None))).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        session.add(row)
    create_session(engine, person_id, id_token="g.h.i")  # the next sign-in sweeps expired ones
    hints = {row.id_token_hint for row in _sessions_of(engine, person_id)}
    assert hints == {"", "g.h.i"}
    assert resolve_session(engine, expired) is None


def test_provider_logout_refuses_foreign_redirect(live: Live) -> None:
    response = httpx.get(
        f"{live.issuer}/logout", params={"post_logout_redirect_uri": "https://evil.example/"}
    )
    assert response.status_code == 200
    assert "Signed out" in response.text


# --- (g) session service ----------------------------------------------------------------


def test_expired_session_is_not_resolved_and_extend_moves_expiry(live: Live) -> None:
    engine = live.engine
    person_id = upsert_person(engine, "test-session-person", "Testi Henkilö", "t@example.org")
    assert upsert_person(engine, "test-session-person", "Uusi Nimi") == person_id
    assert _person(engine, "test-session-person").display_name == "Uusi Nimi"

    token, expires_at = create_session(engine, person_id, id_token="id.token.value")
    info = resolve_session(engine, token)
    assert info is not None and info.expires_at == expires_at
    assert info.acting_for_client_id is None

    # Extend moves the expiry forward.
    with write_session(engine) as session:
        row = session.get(LoginSession, info.session_id)
        row.expires_at = utcnow() + timedelta(minutes=1)
        session.add(row)
    before = resolve_session(engine, token).expires_at
    extended = extend_session(engine, token)
    assert extended is not None and extended > before
    assert resolve_session(engine, token).expires_at == extended

    # An expired session is gone, and cannot be extended back to life.
    with write_session(engine) as session:
        row = session.get(LoginSession, info.session_id)
        row.expires_at = utcnow() - timedelta(seconds=1)
        session.add(row)
    assert resolve_session(engine, token) is None
    assert extend_session(engine, token) is None

    assert resolve_session(engine, None) is None
    assert resolve_session(engine, "unknown-token-value-123") is None


def test_end_session_returns_id_token_once(live: Live) -> None:
    engine = live.engine
    person_id = upsert_person(engine, "test-end-person", "Testi")
    token, _ = create_session(engine, person_id, id_token="header.payload.sig")
    set_acting_for(engine, token, None)
    assert end_session(engine, token) == "header.payload.sig"
    assert resolve_session(engine, token) is None
    assert end_session(engine, token) == ""
    assert _audit_actions(engine, person_id).count("logout") == 1


def test_signing_key_is_shared_through_its_file(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "dev_oidc_key.pem"
    first = load_or_create_signing_key(path)
    second = load_or_create_signing_key(path)
    assert first.thumbprint() == second.thumbprint()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in path.parent.iterdir()] == ["dev_oidc_key.pem"]  # no temp files left


# --- (h) without the development provider ------------------------------------------------


@pytest.fixture
def dev_oidc_off(live: Live, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Depends on `live` so its environment is in place first and is restored after.
    monkeypatch.delenv("HB_DEV_OIDC", raising=False)
    get_settings.cache_clear()
    try:
        yield
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_without_dev_oidc_the_provider_is_not_mounted(dev_oidc_off: None) -> None:
    settings = get_settings()
    assert not settings.dev_oidc_enabled
    assert settings.oidc_issuer == ""
    with pytest.raises(RuntimeError):
        build_dev_oidc_app()
    with TestClient(build_test_app()) as client:
        assert client.get("/dev-oidc/.well-known/openid-configuration").status_code == 404
        assert client.get("/dev-oidc/authorize").status_code == 404
        # No provider configured at all: sign-in explains that it is unavailable.
        response = client.get("/auth/login", follow_redirects=False)
        assert response.status_code == 502
        assert "<main>" in response.text


# --- token_from_cookie_header -----------------------------------------------------------


TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (f"hb_session={TOKEN}", TOKEN),
        (f"a=b; hb_session={TOKEN}; hb_lang=fi", TOKEN),
        (f'hb_session="{TOKEN}"', TOKEN),
        (f"junk; hb_session={TOKEN}", TOKEN),  # SimpleCookie alone would give up here
        (f'a="unterminated; hb_session={TOKEN}', TOKEN),
        (f"x=[1,2]; hb_session={TOKEN}", TOKEN),
        ("hb_session=", None),
        ("hb_session=not a token!", None),
        ("hb_sessionx=" + TOKEN, None),
        ("other=1", None),
        ("", None),
        (None, None),
        (";;;===", None),
    ],
)
def test_token_from_cookie_header(header: str | None, expected: str | None) -> None:
    assert token_from_cookie_header(header) == expected
