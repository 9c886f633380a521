"""WCAG 2.2 AA and PWA checks across routes, roles and languages.

- axe finds no violations on every route: signed out every route in Finnish and the public and
  client pages in Swedish and English; signed in, every demo person (but two, `AXE_PEOPLE`) the
  public pages and their own side page by page in Finnish; one person per side (`IN_EVERY_LANGUAGE`) also one page of
  each other side (the refusal) in Finnish and their own side in Swedish and English (the other
  people differ by their data, not their words);
- a keyboard-only journey (Tab, Enter, Space): skip link, nav to /budget, month switch,
  language switch;
- reflow at 320 CSS px, also as 1280 px at 400 % zoom, with normal and extra large text;
- every visible link, button and input is at least 24 × 24 px;
- the manifest, the service worker, Chromium's installability and an offline reload.

Add a new page to SIDES (or ROLE_ROUTES); every route listed must exist.
"""

from __future__ import annotations

import json
import re
import struct

import httpx
import pytest
from sqlmodel import select

from hbapp.db import make_engine, read_session, write_session
from hbapp.demo_people import DEMO_PEOPLE
from hbapp.models import Person
from tests.browser.helpers import assert_no_axe_violations, sign_in, wait_until_loaded

# Every page, by the side it belongs to. A role's own side is checked page by page in every
# language; of the other sides one page each (they show the same refusal), which keeps the
# browser suite within its time as pages are added.
SIDES = {
    "public": ["/help", "/accessibility", "/settings", "/messages"],
    # "/budget" first: it is the client page other roles sample ("/" sends them to their own).
    "client": ["/budget", "/", "/providers", "/providers/1", "/calculator", "/feedback", "/swap",
               "/surveys", "/mandates", "/privacy", "/decisions", "/disputes/new"],
    "worker": ["/worker", "/worker/swaps", "/worker/providers", "/worker/clients/1",
               "/worker/clients/1/access", "/worker/clients/1/surveys", "/worker/clients/new",
               "/worker/clients/1/budget", "/worker/events", "/worker/disputes"],
    "admin": ["/admin/providers", "/admin/services", "/admin/settlements"],
    "provider": ["/provider/events", "/provider/events/new", "/provider/api",
                 "/provider/events/import", "/provider/disputes", "/provider/settlements"],
}
# Pages for some roles only, with the roles that may see them (everyone else gets the page's
# refusal, which ROUTES checks too).
ROLE_ROUTES = {
    "/provider": ("demo-provider", "demo-provider-2"),
    "/provider/clients": ("demo-provider", "demo-provider-2"),
    "/provider/profile": ("demo-provider", "demo-provider-2"),
    "/provider/prices": ("demo-provider", "demo-provider-2"),
    "/provider/staff": ("demo-provider", "demo-provider-2"),
    "/admin/providers/1/staff": ("demo-admin",),
    "/admin/price-requests": ("demo-admin",),
}
ROUTES = [route for routes in SIDES.values() for route in routes] + list(ROLE_ROUTES)


def side_of(subject: str) -> str:
    for prefix, side in (("demo-worker", "worker"), ("demo-admin", "admin"),
                         ("demo-provider", "provider")):
        if subject.startswith(prefix):
            return side
    return "client"


def routes_for(subject: str | None) -> list[str]:
    """The public pages, every page of the role's own side and one page of each other side
    (signed out: every client page)."""
    own = "client" if subject is None else side_of(subject)
    routes = list(SIDES["public"]) + list(SIDES[own])
    routes += [pages[0] for side, pages in SIDES.items() if side not in ("public", own)]
    return routes


# One person per side reads their pages in every language; the others (a relative, a guardian,
# a new client, a second worker or provider) differ by their data, not by their words.
IN_EVERY_LANGUAGE = {"demo-client", "demo-worker", "demo-admin", "demo-provider"}


def axe_routes(subject: str | None, lang: str) -> list[str]:
    if subject is None:
        return ROUTES if lang == "fi" else SIDES["public"] + SIDES["client"]
    if lang == "fi":
        # Other sides only show their refusal: the person per side checks it.
        return routes_for(subject) if subject in IN_EVERY_LANGUAGE \
            else SIDES["public"] + SIDES[side_of(subject)]
    return SIDES["public"] + SIDES[side_of(subject)] if subject in IN_EVERY_LANGUAGE else []


LANGUAGES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
HEADINGS = {  # the h1 of /help per language: proves the page really is in that language
    "fi": "Ohjeet", "sv": "Hjälp", "en": "Help",
}
ALL_ROLES = [person.subject for person in DEMO_PEOPLE]


# ----------------------------------------------------------------------------- helpers


def person_preferences(app_server, subject: str) -> tuple[str | None, str]:
    engine = make_engine(app_server.database_url)
    try:
        with read_session(engine) as session:
            person = session.exec(select(Person).where(Person.oidc_subject == subject)).first()
            # demo-client-new has no row until their first sign-in.
            return (person.locale, person.text_size) if person else (None, "normal")
    finally:
        engine.dispose()


def restore_preferences(app_server, subject: str, locale: str | None, text_size: str) -> None:
    """Browser tests share one database: put back what a test changed."""
    engine = make_engine(app_server.database_url)
    try:
        with write_session(engine) as session:
            person = session.exec(select(Person).where(Person.oidc_subject == subject)).one()
            person.locale, person.text_size = locale, text_size
            session.add(person)
    finally:
        engine.dispose()


def open_route(page, app_server, route: str, lang: str = "fi") -> None:
    page.goto(app_server.url(route))
    wait_until_loaded(page)
    page.wait_for_function("lang => document.documentElement.lang === lang", arg=lang)


def open_menu(page) -> None:
    """On a phone the language, the account and the main menu are behind the Menu button."""
    button = page.locator("#menu-button")
    if button.is_visible() and button.get_attribute("aria-expanded") != "true":
        button.click()


def switch_language(page, lang: str) -> None:
    open_menu(page)
    page.locator(".lang-switch").get_by_role("button", name=LANGUAGES[lang]).click()
    page.wait_for_function("lang => document.documentElement.lang === lang", arg=lang)


def focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return {tag: e.tagName, id: e.id, href: e.getAttribute('href'),
                           text: (e.innerText || '').trim(), cls: e.className || ''}; }"""
    )


def tab_to(page, predicate, limit: int = 60) -> dict:
    """Press Tab until the focused element matches; fail if it is never reached."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = focused(page)
        if predicate(element):
            return element
    raise AssertionError("the element was not reachable with the Tab key")


def horizontal_overflow(page) -> int:
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


SMALL_TARGETS_JS = """
() => {
  const small = [];
  for (const e of document.querySelectorAll('a, button, input, select, textarea, summary')) {
    const style = getComputedStyle(e);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right <= 0 || r.bottom <= 0) continue;      // parked off screen (the skip link)
    if (r.width < 24 || r.height < 24) {
      small.push(`${e.tagName} "${(e.innerText || e.value || e.id || '').trim()}" `
                 + `${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  return small;
}
"""


# ----------------------------------------------------------------------------- axe


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_axe_every_route_signed_out(context, page, app_server, lang):
    context.add_cookies([{"name": "hb_lang", "value": lang, "url": app_server.base_url}])
    # Every page in Finnish (each shows its own sign-in prompt); the others in the client's.
    for route in axe_routes(None, lang):
        open_route(page, app_server, route, lang)
        assert_no_axe_violations(page)


# Every demo person but two whose pages another person already shows with the same data and
# the same parts: demo-relative sees Aino's pages as demo-client does (with the acting-for
# banner that demo-guardian and demo-relative-view show), demo-client-2 Bengt's as the guardian.
AXE_PEOPLE = [s for s in ALL_ROLES if s not in {"demo-relative", "demo-client-2"}]


@pytest.mark.parametrize("subject", AXE_PEOPLE)
def test_axe_every_route_every_role(page, app_server, subject):
    original = person_preferences(app_server, subject)
    try:
        sign_in(page, app_server, subject)
        wait_until_loaded(page)
        for lang in ("fi", "sv", "en") if subject in IN_EVERY_LANGUAGE else ("fi",):
            switch_language(page, lang)
            for route in axe_routes(subject, lang):
                open_route(page, app_server, route, lang)
                assert_no_axe_violations(page)
            open_route(page, app_server, "/help", lang)
            assert page.locator("main h1").inner_text() == HEADINGS[lang]
    finally:
        restore_preferences(app_server, subject, *original)


@pytest.mark.parametrize("subject", sorted({s for roles in ROLE_ROUTES.values() for s in roles}))
def test_axe_role_routes_for_their_roles_in_every_language(page, app_server, subject):
    original = person_preferences(app_server, subject)
    try:
        sign_in(page, app_server, subject)
        wait_until_loaded(page)
        for lang in ("fi", "sv", "en") if subject in IN_EVERY_LANGUAGE else ("fi",):
            switch_language(page, lang)
            for route, roles in ROLE_ROUTES.items():
                if subject in roles:
                    open_route(page, app_server, route, lang)
                    assert page.locator("main .notice-error").count() == 0, route
                    assert_no_axe_violations(page)
    finally:
        restore_preferences(app_server, subject, *original)


def test_help_names_the_own_worker_and_the_organizer(page, app_server):
    open_route(page, app_server, "/help")
    assert page.get_by_text("Kirjaudu sisään, niin näet omatyöntekijäsi nimen.").is_visible()
    assert page.locator("#organizer-name").inner_text() == "Etelä-Karjalan hyvinvointialue"
    sign_in(page, app_server, "demo-relative", "/help")
    wait_until_loaded(page)
    assert page.get_by_role(
        "heading", name="Sen henkilön omatyöntekijä, jonka asioita hoidat").is_visible()
    assert page.locator("#own-worker-name").inner_text() == "Sari Mäkinen"


def test_accessibility_statement_has_the_required_parts(page, app_server):
    open_route(page, app_server, "/accessibility")
    for heading in ("Kuinka saavutettava palvelu on?", "Sisältö, joka ei ole saavutettavaa",
                    "Anna palautetta saavutettavuudesta", "Valvontaviranomainen"):
        assert page.get_by_role("heading", name=heading).is_visible()
    assert page.get_by_text("vain englanniksi").is_visible()
    assert page.locator("#feedback-email").get_attribute("href") == (
        "mailto:henkilokohtainen.budjetti@ekhva.example")
    assert page.locator("#enforcement-link").get_attribute("href") == (
        "https://www.saavutettavuusvaatimukset.fi")
    assert page.get_by_text("Seloste on laadittu 23. marraskuuta 2026.").is_visible()


# ----------------------------------------------------------------------------- keyboard


def test_keyboard_only_journey(page, app_server):
    original = person_preferences(app_server, "demo-client")
    try:
        page.goto(app_server.url("/"))
        wait_until_loaded(page)
        # The first Tab reaches the skip link; Enter moves to the main content.
        page.keyboard.press("Tab")
        assert "skip-link" in focused(page)["cls"]
        page.keyboard.press("Enter")
        page.wait_for_function("() => location.hash === '#main'")

        sign_in(page, app_server, "demo-client")
        wait_until_loaded(page)
        # On a phone the main menu opens from the Menu button (Enter), then Tab reaches it.
        tab_to(page, lambda e: e["id"] == "menu-button")
        page.keyboard.press("Enter")
        tab_to(page, lambda e: (e["href"] or "").rstrip("/") == "/budget"
               and e["text"] == "Budjetti")
        page.keyboard.press("Enter")
        page.wait_for_url(app_server.url("/budget"))
        wait_until_loaded(page)
        label = page.locator(".month-label")
        this_month = label.inner_text()

        tab_to(page, lambda e: e["tag"] == "BUTTON" and "Edellinen kuukausi" in e["text"])
        page.keyboard.press("Enter")
        page.wait_for_function(
            "m => document.querySelector('.month-label').innerText !== m", arg=this_month)
        tab_to(page, lambda e: e["tag"] == "BUTTON" and "Seuraava kuukausi" in e["text"])
        page.keyboard.press("Space")
        page.wait_for_function(
            "m => document.querySelector('.month-label').innerText === m", arg=this_month)

        # Language: from the top of the page, Tab to "English" and press Enter.
        page.goto(app_server.url("/budget"))
        wait_until_loaded(page)
        tab_to(page, lambda e: e["id"] == "menu-button")
        page.keyboard.press("Enter")
        tab_to(page, lambda e: e["tag"] == "BUTTON" and e["text"] == "English")
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.documentElement.lang === 'en'")
        assert page.get_by_role("button", name="Previous month").is_visible()
        page.goto(app_server.url("/budget"))
        wait_until_loaded(page)
        tab_to(page, lambda e: e["id"] == "menu-button")
        page.keyboard.press("Space")
        tab_to(page, lambda e: e["tag"] == "BUTTON" and e["text"] == "Suomi")
        page.keyboard.press("Space")
        page.wait_for_function("() => document.documentElement.lang === 'fi'")
    finally:
        restore_preferences(app_server, "demo-client", *original)


def test_help_table_of_contents_by_keyboard(page, app_server):
    open_route(page, app_server, "/help")
    # React Router writes in-page links as "/help/#rights".
    tab_to(page, lambda e: (e["href"] or "").endswith("#rights"))
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.hash === '#rights'")
    assert page.get_by_role("heading", name="Oikeutesi").is_visible()


# ----------------------------------------------------------------------------- text size


def test_text_size_is_remembered_for_a_person(page, app_server):
    subject = "demo-worker-2"
    original = person_preferences(app_server, subject)
    try:
        sign_in(page, app_server, subject, "/settings")
        wait_until_loaded(page)
        assert not page.evaluate(
            "() => /text-(x?large)/.test(document.documentElement.className)")
        # A radio group is operated with the arrow keys; the form is sent with Enter.
        page.get_by_label("Normaali").focus()
        page.keyboard.press("ArrowDown")
        page.wait_for_function("() => document.getElementById('text_size-large').checked")
        page.keyboard.press("Enter")
        page.get_by_text("Tekstin koko tallennettu.").wait_for()
        page.wait_for_function("() => document.documentElement.classList.contains('text-large')")
        assert person_preferences(app_server, subject)[1] == "large"
        page.reload()
        wait_until_loaded(page)
        page.wait_for_function("() => document.documentElement.classList.contains('text-large')")
        page.wait_for_function("() => document.getElementById('text_size-large').checked")
    finally:
        restore_preferences(app_server, subject, *original)


def test_text_size_for_visitor_is_kept_in_a_cookie(context, page, app_server):
    open_route(page, app_server, "/settings")
    page.get_by_label("Erittäin suuri").check()
    page.get_by_role("button", name="Tallenna tekstin koko").click()
    page.wait_for_function("() => document.documentElement.classList.contains('text-xlarge')")
    cookies = {c["name"]: c["value"] for c in context.cookies()}
    assert cookies.get("hb_text_size") == "xlarge"
    open_route(page, app_server, "/help")
    page.wait_for_function("() => document.documentElement.classList.contains('text-xlarge')")
    assert not page.evaluate("() => document.documentElement.classList.contains('text-large')")
    # Back to normal removes the class again.
    open_route(page, app_server, "/settings")
    page.get_by_label("Normaali").check()
    page.get_by_role("button", name="Tallenna tekstin koko").click()
    page.wait_for_function("() => document.documentElement.className.indexOf('text-') === -1")


def test_language_saved_on_settings_page(context, page, app_server):
    open_route(page, app_server, "/settings")
    page.get_by_label("Svenska").check()
    page.get_by_role("button", name="Tallenna kieli").click()
    page.wait_for_function("() => document.documentElement.lang === 'sv'")
    page.get_by_text("Språket har sparats.").wait_for()
    assert {c["name"]: c["value"] for c in context.cookies()}.get("hb_lang") == "sv"


# ----------------------------------------------------------------------------- reflow, targets


@pytest.mark.parametrize(
    "viewport,scale",
    [({"width": 320, "height": 640}, 1),
     # A 1280 × 1024 window at 400 % zoom lays pages out in 320 × 256 CSS px at 4 dppx.
     ({"width": 320, "height": 256}, 4)],
    ids=["320px", "1280px-at-400pct"],
)
def test_reflow_without_horizontal_scrolling(browser, app_server, viewport, scale):
    context = browser.new_context(viewport=viewport, device_scale_factor=scale, locale="fi-FI")
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        sign_in(page, app_server, "demo-client")
        wait_until_loaded(page)
        for route in routes_for("demo-client"):
            open_route(page, app_server, route)
            for size in ("", "text-xlarge"):
                page.evaluate(
                    "c => { const l = document.documentElement.classList;"
                    " l.remove('text-large', 'text-xlarge'); if (c) l.add(c); }", size)
                assert horizontal_overflow(page) <= 0, f"{route} {size or 'normal'} scrolls sideways"
    finally:
        context.close()


def test_targets_are_at_least_24px(page, app_server):
    sign_in(page, app_server, "demo-client")
    wait_until_loaded(page)
    for route in routes_for("demo-client"):
        open_route(page, app_server, route)
        small = page.evaluate(SMALL_TARGETS_JS)
        assert small == [], f"{route}: {small}"
    page.goto(app_server.url("/offline.html"))
    assert page.evaluate(SMALL_TARGETS_JS) == []


def test_offline_page_is_accessible(page, app_server):
    page.goto(app_server.url("/offline.html"))
    assert page.get_by_role("heading", level=1, name="Ei verkkoyhteyttä").is_visible()
    assert page.locator("section[lang=sv] h2").inner_text() == "Ingen internetanslutning"
    assert page.locator("section[lang=en] h2").inner_text() == "No internet connection"
    assert_no_axe_violations(page)


# ----------------------------------------------------------------------------- PWA


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_manifest_is_valid_and_icons_exist(app_server):
    response = httpx.get(app_server.url("/manifest.webmanifest"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(response.content)
    assert manifest["name"] and manifest["short_name"] == "HB"
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert manifest["theme_color"].lower() == "#003479" and manifest["lang"] == "fi"
    sizes = set()
    for icon in manifest["icons"]:
        data = httpx.get(app_server.url(icon["src"])).raise_for_status().content
        if icon["type"] == "image/png":
            width, height = png_size(data)
            assert icon["sizes"] == f"{width}x{height}"
            sizes.add((width, icon["purpose"]))
        else:
            assert b"<svg" in data
    assert {(192, "any"), (512, "any"), (512, "maskable")} <= sizes
    assert httpx.get(app_server.url("/favicon.ico")).status_code == 200


def test_hashed_assets_are_immutable_and_the_worker_is_not(app_server):
    html = httpx.get(app_server.url("/")).text
    assets = re.findall(r'"(/assets/[^"]+\.js)"', html)
    assert assets, "no hashed assets referenced by the page"
    response = httpx.get(app_server.url(assets[0]))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    worker = httpx.get(app_server.url("/sw.js"))
    assert worker.status_code == 200 and "javascript" in worker.headers["content-type"]
    assert "immutable" not in worker.headers.get("cache-control", "")


def wait_for_service_worker(page) -> None:
    state = page.evaluate(
        "() => navigator.serviceWorker.ready.then(r => r.active && r.active.scriptURL)")
    assert state.endswith("/sw.js")
    page.wait_for_function(
        "() => navigator.serviceWorker.controller && "
        "navigator.serviceWorker.controller.state === 'activated'")


def test_service_worker_active_and_app_installable(browser, app_server, tmp_path):
    # Chromium never offers installation in an incognito context (Playwright's default), so
    # this test uses a profile of its own.
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
        viewport={"width": 360, "height": 740}, locale="fi-FI",
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(15000)
        open_route(page, app_server, "/")
        wait_for_service_worker(page)
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"].endswith("/manifest.webmanifest") and not manifest["errors"]
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == []
    finally:
        context.close()


def test_offline_reload_shows_the_offline_page(context, page, app_server):
    sign_in(page, app_server, "demo-client", "/budget")
    wait_until_loaded(page)
    wait_for_service_worker(page)
    assert page.locator("#budget-remaining").is_visible()
    context.set_offline(True)
    try:
        # Every view needs the server: the offline page, never an old copy of personal data.
        page.reload()
        page.locator("main[data-offline-page]").wait_for()
        assert page.get_by_role("heading", level=1, name="Ei verkkoyhteyttä").is_visible()
        assert page.locator("#budget-remaining").count() == 0
        page.goto(app_server.url("/help"))
        page.locator("main[data-offline-page]").wait_for()
        # The app shell stays in the cache: the offline page is styled by hb.css.
        assert page.evaluate(
            "() => getComputedStyle(document.querySelector('.site-header')).backgroundColor"
        ) == "rgb(0, 52, 121)"
    finally:
        context.set_offline(False)
    open_route(page, app_server, "/budget")
    assert page.locator("#budget-remaining").is_visible()
