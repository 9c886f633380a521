"""Nothing stale ever flashes: not an earlier person's data in the same tab, not a string in
another language.

A MutationObserver (installed before any page script runs) records what the header, the
"whose matters" banner and `main` show after every change, with the page's hydration state, so a flash
that lasts a single frame is caught too. The tab keeps its Reflex token across the sign-out
and the next sign-in, as a real tab does; the server must reset the tab's states before the
next person's page shows anything (hbapp.middleware), even with the session cache
(hbapp.services.identity.SignedInCache) and the handlers running in threads (hbapp.authz).
"""

from __future__ import annotations

from datetime import date

from hbapp.i18n import Translator
from tests.browser.helpers import sign_in, wait_until_loaded
from tests.browser.test_a11y_pwa import open_menu
from tests.browser.test_client_budget import ledger_month

FI, SV, EN = Translator("fi"), Translator("sv"), Translator("en")

RECORDER = """
(() => {
  const key = 'hb-test-seen';
  const seen = JSON.parse(sessionStorage.getItem(key) || '[]');
  const record = () => {
    const main = document.querySelector('main');
    const parts = ['header', '.acting-for', 'main'].map((sel) => document.querySelector(sel));
    const text = parts.map((node) => node ? node.innerText : '').join('\\n');
    const entry = {path: location.pathname, ready: main ? main.dataset.ready || '' : '',
                   lang: document.documentElement.lang, text};
    const last = seen[seen.length - 1];
    if (!last || last.text !== entry.text || last.ready !== entry.ready || last.lang !== entry.lang) {
      seen.push(entry);
      sessionStorage.setItem(key, JSON.stringify(seen));
    }
  };
  new MutationObserver(record).observe(document, {subtree: true, childList: true,
                                                  characterData: true, attributes: true});
  document.addEventListener('DOMContentLoaded', record);
})();
"""


def seen(page) -> list[dict]:
    return page.evaluate("() => JSON.parse(sessionStorage.getItem('hb-test-seen') || '[]')")


def forget_seen(page) -> None:
    page.evaluate("() => sessionStorage.removeItem('hb-test-seen')")


def test_next_person_in_the_same_tab_never_sees_the_previous_one(context, page, app_server):
    """Aino's tab stays open while, in another tab of the same browser, she signs out and
    Bengt signs in. When her old tab loads a page again (its Reflex token still holds the
    states built for Aino), not one frame may show anything of hers."""
    context.add_init_script(RECORDER)
    sign_in(page, app_server, "demo-client", "/budget")
    wait_until_loaded(page)
    aino_left = FI.money(ledger_month(app_server, "demo-client", date.today())
                         .statement.remaining_cents)
    assert page.locator("#budget-remaining").inner_text() == aino_left
    assert page.locator(".person-name").inner_text() == "Aino Virtanen"
    token = page.evaluate("() => Object.entries(sessionStorage).find(([k]) => k.includes('token'))")

    other = context.new_page()
    other.set_default_timeout(15000)
    other.goto(app_server.url("/"))
    wait_until_loaded(other)
    open_menu(other)
    with other.expect_navigation(url=app_server.url("/")):
        other.get_by_role("button", name=FI("Sign out")).click()
    sign_in(other, app_server, "demo-client-2", "/")
    wait_until_loaded(other)
    other.close()

    forget_seen(page)
    page.reload()
    wait_until_loaded(page)
    page.wait_for_function("() => document.documentElement.lang === 'sv'")
    assert page.get_by_role("heading", level=1, name=SV("Budget")).is_visible()
    bengt_left = SV.money(ledger_month(app_server, "demo-client-2", date.today())
                          .statement.remaining_cents)
    page.locator("#budget-remaining", has_text=bengt_left).wait_for()
    assert token == page.evaluate(
        "() => Object.entries(sessionStorage).find(([k]) => k.includes('token'))"), \
        "the test must keep the tab (and its Reflex token) across the two people"

    snapshots = seen(page)
    assert snapshots, "the recorder saw nothing"
    for snapshot in snapshots:
        assert "Aino" not in snapshot["text"], snapshot
        assert aino_left not in snapshot["text"], snapshot
    # Once hydrated, Bengt's page is Swedish throughout: no Finnish or English string shows.
    budget_views = [s for s in snapshots if s["path"].startswith("/budget") and s["ready"] == "1"]
    assert budget_views
    for snapshot in budget_views:
        for msgid in ("Previous month", "Next month", "Loading…"):
            assert FI(msgid) not in snapshot["text"], snapshot
            assert EN(msgid) not in snapshot["text"], snapshot


def test_language_switch_changes_every_string_at_once(context, page, app_server):
    context.add_init_script(RECORDER)
    sign_in(page, app_server, "demo-client", "/budget")
    wait_until_loaded(page)
    page.wait_for_function("() => document.documentElement.lang === 'fi'")
    forget_seen(page)
    open_menu(page)
    page.get_by_role("button", name="Svenska").click()
    page.wait_for_function("() => document.documentElement.lang === 'sv'")
    page.get_by_role("button", name=SV("Previous month")).wait_for()
    open_menu(page)
    page.get_by_role("button", name="English").click()
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    page.get_by_role("button", name=EN("Previous month")).wait_for()
    open_menu(page)
    page.get_by_role("button", name="Suomi").click()
    page.wait_for_function("() => document.documentElement.lang === 'fi'")
    page.get_by_role("button", name=FI("Previous month")).wait_for()

    snapshots = [s for s in seen(page) if s["ready"] == "1"]
    assert len(snapshots) >= 3
    languages = {"fi": FI, "sv": SV, "en": EN}
    for snapshot in snapshots:
        # Each view shows the month switcher in exactly one language: never two at once,
        # never a string missing from the catalog.
        shown = {code for code, t in languages.items()
                 if t("Previous month") in snapshot["text"] and t("Next month") in snapshot["text"]}
        assert len(shown) == 1, snapshot
