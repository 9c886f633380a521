"""The Content-Security-Policy and friends on every response (hbapp.web.security)."""

from __future__ import annotations

import base64
import gzip
import hashlib

from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from hbapp.web.security import SecurityHeaders, content_security_policy, inline_script_hashes

PAGE = (b'<!doctype html><html><head><script>window.a = 1;</script>'
        b'<script src="/assets/x.js"></script><script type="module">import "/m.js";</script>'
        b'</head><body><script>window.a = 1;</script></body></html>')


def sha(body: bytes) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(body).digest()).decode()}'"


def client() -> TestClient:
    async def page(_request):
        return HTMLResponse(PAGE)

    async def zipped(request):
        assert "br" not in request.headers.get("accept-encoding", "")
        return Response(gzip.compress(PAGE), media_type="text/html",
                        headers={"content-encoding": "gzip"})

    async def api(_request):
        return JSONResponse({"ok": True})

    async def strict(_request):
        return HTMLResponse("<p>x</p>", headers={"content-security-policy": "default-src 'none'"})

    async def not_modified(_request):
        return Response(status_code=304, headers={"etag": '"abc"'})

    app = Starlette(routes=[Route("/", page), Route("/zipped", zipped), Route("/api", api),
                            Route("/strict", strict), Route("/cached", not_modified)])
    return TestClient(SecurityHeaders(app))


def policy_sources(response, directive: str) -> list[str]:
    for part in response.headers["content-security-policy"].split(";"):
        name, *sources = part.split()
        if name == directive:
            return sources
    return []


def test_pages_allow_exactly_their_own_inline_scripts():
    with client() as http:
        for path in ("/", "/zipped"):
            response = http.get(path, headers={"Accept-Encoding": "br, gzip"})
            assert response.content == PAGE
            scripts = policy_sources(response, "script-src")
            assert sha(b"window.a = 1;") in scripts and sha(b'import "/m.js";') in scripts
            assert len([s for s in scripts if s.startswith("'sha256-")]) == 2
            assert "'unsafe-inline'" not in scripts
            assert policy_sources(response, "frame-ancestors") == ["'none'"]
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["x-content-type-options"] == "nosniff"


def test_every_other_response_gets_the_policy_and_a_stricter_one_is_kept():
    with client() as http:
        api = http.get("/api")
        assert api.json() == {"ok": True}
        assert policy_sources(api, "frame-ancestors") == ["'none'"]
        assert http.get("/missing").headers["content-security-policy"] == \
            content_security_policy()
        assert http.get("/strict").headers["content-security-policy"] == "default-src 'none'"


def test_inline_script_hashes_skip_external_scripts():
    assert inline_script_hashes(b'<script src="/a.js"></script><SCRIPT>x()</SCRIPT >') == (
        base64.b64encode(hashlib.sha256(b"x()").digest()).decode(),)


def test_not_modified_keeps_the_policy_the_browser_stored_with_the_page():
    """A 304's headers replace the cached page's: a policy without the page's script hashes
    would stop the page's own scripts the second time it is opened."""
    with client() as http:
        response = http.get("/cached")
        assert response.status_code == 304
        assert "content-security-policy" not in response.headers
        assert response.headers["x-frame-options"] == "DENY"
