"""A person's display preferences: the text size (normal, large, extra large).

Signed-in people keep their choice in `Person.text_size`; everyone also gets the cookie
`hb_text_size`, so the choice works before signing in and on the next visit.
"""

from __future__ import annotations

import json
from http.cookies import SimpleCookie

from sqlalchemy.engine import Engine

from hbapp.services import identity

TEXT_SIZES = ("normal", "large", "xlarge")
TEXT_SIZE_COOKIE = "hb_text_size"
# Classes on <html>; assets/hb.css scales the root font size with them.
TEXT_SIZE_CLASSES = {"normal": "", "large": "text-large", "xlarge": "text-xlarge"}


def valid_text_size(value: str | None) -> str:
    """The size itself when known, else "normal" (cookies and old rows can hold anything)."""
    return value if value in TEXT_SIZES else "normal"


def save_text_size(engine: Engine, person_id: int, size: str) -> str:
    """Remember a signed-in person's text size; returns the size stored."""
    if size not in TEXT_SIZES:
        raise ValueError(f"unknown text size {size!r}")
    identity.save_preferences(engine, person_id, text_size=size)
    return size


def text_size_from_cookie(cookie_header: str | None) -> str:
    """The size an anonymous visitor chose earlier in this browser."""
    if not cookie_header:
        return "normal"
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except Exception:  # noqa: BLE001 - a malformed header must not break a page load
        return "normal"
    morsel = jar.get(TEXT_SIZE_COOKIE)
    return valid_text_size(morsel.value if morsel else None)


def text_size_script(size: str) -> str:
    """JavaScript that puts exactly one text-size class (or none) on <html>."""
    wanted = TEXT_SIZE_CLASSES[valid_text_size(size)]
    others = json.dumps([c for c in TEXT_SIZE_CLASSES.values() if c])
    return (
        f"(function(c){{var l=document.documentElement.classList;"
        f"{others}.forEach(function(x){{l.remove(x)}});if(c)l.add(c)}})({json.dumps(wanted)})"
    )
