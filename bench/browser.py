"""Chromium for the benchmarks: signed-in contexts, routes, "content ready" detection."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = os.environ.get("HB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-gpu"]
VIEWPORT = {"width": 360, "height": 740}
PAGES_DIR = Path(__file__).resolve().parent.parent / "hbapp" / "pages"

# The page's own data is shown: the heading exists and the loading notice has gone. Reflex
# shows it only after the websocket is up and the page's on_load event has answered, so from
# then on the buttons respond (see hbapp/components/layout.py `loading`).
CONTENT_READY_JS = ("() => !!document.querySelector('main h1') && "
                    "!document.querySelector('main [role=status].muted')")


def routes() -> list[str]:
    """Every static route of hbapp/pages (dynamic `[param]` routes need data: left out)."""
    found = set()
    for path in sorted(PAGES_DIR.glob("*/*.py")):
        for route in re.findall(r"route\s*=\s*[\"']([^\"']+)[\"']", path.read_text()):
            if "[" not in route:
                found.add(route)
    return sorted(found, key=lambda r: (r != "/", r))


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def signed_in_context(browser, app, subject: str = "demo-client"):
    context = browser.new_context(viewport=VIEWPORT, locale="fi-FI")
    host = urlsplit(app.base_url).hostname
    context.add_cookies([{"name": "hb_session", "value": app.session_token(subject),
                          "domain": host, "path": "/", "httpOnly": True, "sameSite": "Lax"}])
    return context
