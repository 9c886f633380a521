"""Security headers on every HTTP response: pages, assets and API alike.

`SecurityHeaders` wraps the whole backend (it is the last of `api_transformer` in
`hbapp/hbapp.py`, so Reflex's frontend files pass through it too) and adds:

- a Content-Security-Policy with `frame-ancestors 'none'` (no other site may frame HB, against
  clickjacking). Scripts come only from HB itself: the inline scripts Reflex and React Router
  put into each prerendered HTML page are allowed one by one by their SHA-256 hashes, computed
  from the page that is being sent, so any other inline script (an injected one) does not run.
  `'unsafe-eval'` stays because Reflex runs `rx.call_script` through `eval`; styles may be
  inline because React and Radix set style attributes;
- `X-Frame-Options: DENY` for browsers without CSP level 2, `X-Content-Type-Options: nosniff`
  and `Referrer-Policy: same-origin`.

An HTML page may be served pre-compressed. So that its scripts can be read, requests for
anything but the hashed build assets accept only gzip (which the standard library reads) or no
compression.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import os
import re
import stat
import zlib
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hbapp.config import get_settings

_INLINE_SCRIPT = re.compile(rb"<script\b([^>]*)>(.*?)</script\s*>", re.DOTALL | re.IGNORECASE)
_SRC_ATTRIBUTE = re.compile(rb"\ssrc\s*=", re.IGNORECASE)
_READABLE = ("gzip", "identity")
CSP = "content-security-policy"


def protect_state_files(states_dir: Path | None = None) -> None:
    """Files the app writes are readable by its own user only.

    Reflex's disk state manager pickles every tab's page states (a client's budget and survey
    answers among them) into `.states/*.pkl` with the default mode, world-readable under the
    usual umask 022. A umask of 077 makes every file this process creates (states, SQLite,
    keys) private; the states directory and the pickles already there are tightened too.
    """
    os.umask(0o077)
    if states_dir is None:
        from reflex.utils.prerequisites import get_states_dir

        states_dir = get_states_dir()
    if not states_dir.is_dir():
        return
    states_dir.chmod(stat.S_IRWXU)
    for path in states_dir.glob("*.pkl"):
        try:
            path.chmod(stat.S_IRUSR | stat.S_IWUSR)
        except FileNotFoundError:  # purged meanwhile
            pass


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


@lru_cache(maxsize=1)
def _policy_parts() -> tuple[str, str]:
    """(connect-src sources, form-action sources) from the settings."""
    settings = get_settings()
    public = urlsplit(settings.public_url)
    websocket = f"{'wss' if public.scheme == 'https' else 'ws'}://{public.netloc}"
    connect = f"'self' {websocket}"
    form_action = "'self'"
    issuer = _origin(settings.oidc_issuer)
    if issuer and issuer != _origin(settings.public_url):
        # /auth/logout redirects to the provider's logout page; a form that posts there
        # may only be redirected to origins that form-action names.
        form_action += f" {issuer}"
    return connect, form_action


def content_security_policy(script_hashes: tuple[str, ...] = ()) -> str:
    connect, form_action = _policy_parts()
    scripts = " ".join(["'self'", "'unsafe-eval'", *(f"'sha256-{h}'" for h in script_hashes)])
    return "; ".join((
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        f"connect-src {connect}",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        f"form-action {form_action}",
        "frame-ancestors 'none'",
    ))


@lru_cache(maxsize=256)
def inline_script_hashes(document: bytes) -> tuple[str, ...]:
    """Base64 SHA-256 of every inline <script> of an HTML document, in order, without repeats."""
    found: list[str] = []
    for attributes, body in _INLINE_SCRIPT.findall(document):
        if _SRC_ATTRIBUTE.search(attributes):
            continue
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")
        if digest not in found:
            found.append(digest)
    return tuple(found)


def _decoded(body: bytes, encoding: str) -> bytes | None:
    try:
        if encoding in ("", "identity"):
            return body
        if encoding == "gzip":
            return gzip.decompress(body)
        if encoding == "deflate":
            return zlib.decompress(body)
    except (OSError, EOFError, zlib.error):
        return None
    return None


def _readable_only(scope: Scope) -> Scope:
    """Ask for encodings this module can read, except for the hashed build assets."""
    if scope.get("path", "").startswith("/assets/"):
        return scope
    headers = []
    for name, value in scope.get("headers", []):
        if name == b"accept-encoding":
            wanted = [part for part in value.decode("latin-1").split(",")
                      if part.split(";")[0].strip().lower() in _READABLE]
            value = ",".join(wanted).encode("latin-1")
        headers.append((name, value))
    return {**scope, "headers": headers}


def _add_headers(headers: MutableHeaders, policy: str | None) -> None:
    if policy is not None and CSP not in headers:  # a response's own (stricter) policy stays
        headers[CSP] = policy
    headers.setdefault("x-frame-options", "DENY")
    headers.setdefault("x-content-type-options", "nosniff")
    headers.setdefault("referrer-policy", "same-origin")


class SecurityHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: Message | None = None  # an HTML response's start, until its body is read
        chunks: list[bytes] = []

        async def send_with_headers(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if message.get("status") == 304:
                    # Not Modified: the browser keeps the page it has and updates that page's
                    # stored headers with these, so a policy here (which could not know the
                    # page's scripts) would replace the one with their hashes.
                    _add_headers(headers, None)
                    await send(message)
                    return
                if headers.get("content-type", "").startswith("text/html"):
                    held = message
                    return
                _add_headers(headers, content_security_policy())
                await send(message)
                return
            if held is None:
                await send(message)
                return
            if message["type"] == "http.response.pathsend":
                # The server sends the file itself (Granian's pathsend): read it for the hashes.
                body = Path(message["path"]).read_bytes()
                forward = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = b"".join(chunks)
                forward = {"type": "http.response.body", "body": body, "more_body": False}
            else:
                await send(message)
                return
            headers = MutableHeaders(scope=held)
            document = _decoded(body, headers.get("content-encoding", "").strip().lower())
            hashes = inline_script_hashes(document) if document else ()
            _add_headers(headers, content_security_policy(hashes))
            start, held = held, None
            await send(start)
            await send(forward)

        await self.app(_readable_only(scope), receive, send_with_headers)
