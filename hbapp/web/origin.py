"""Is a request from HB's own pages? Against cross-site request forgery (CSRF).

Browsers send `Origin` with every POST, PUT and DELETE and with cross-origin requests, and
`Sec-Fetch-Site` with every request; a page of another site — or of another port of the same
host, which browsers call "same-site" — cannot forge either. A request passes only when neither
header names anyone else: `Sec-Fetch-Site` is `same-origin` (or `none`: typed into the address
bar, a bookmark) and `Origin`, when sent, is HB's public origin or the origin the request came
to. Clients without the headers (curl, older browsers) pass; they are not a CSRF vector.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request

from hbapp.config import get_settings

OWN_SITE = ("same-origin", "none")


def public_origin() -> str:
    parts = urlsplit(get_settings().public_url)
    return f"{parts.scheme}://{parts.netloc}"


def from_own_pages(request: Request) -> bool:
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in OWN_SITE:
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    own = {public_origin(), f"{request.url.scheme}://{request.headers.get('host', '')}"}
    return origin in own
