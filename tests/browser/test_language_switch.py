"""Issue 18.1: a language switched in the middle of a journey leaves nothing in the old language.

Amounts, months, service names and questions are formatted in Python when a page loads; the
switch must format them again (the page's on_load is the language-changed hook). Each page is
walked fi → en → sv → fi at 360 px, with the texts of the old language looked for and not found.
"""

from __future__ import annotations

import re
import time
from datetime import date

import pytest

from hbapp.i18n import Translator
from tests.browser.helpers import assert_no_axe_violations, sign_in, wait_until_loaded
from tests.browser.test_a11y_pwa import open_menu, person_preferences, restore_preferences
from tests.browser.test_decisions import client_id

SERVICE = {"fi": "Kotihoito", "sv": "Hemvård", "en": "Home care"}
CLEANING = {"fi": "Siivous", "sv": "Städning", "en": "Cleaning"}


def switch(page, locale: str) -> None:
    open_menu(page)  # on a phone the language buttons are behind the Menu button
    page.locator(f"button.lang-button[lang={locale}]").first.click()
    page.wait_for_function(f"document.documentElement.lang === '{locale}'")


def month_text(locale: str) -> str:
    return Translator(locale).month(date.today())


def assert_only(page, locale: str, texts) -> None:
    """Every text of `locale` is shown in main and none of the other languages' texts (the
    page formats them again after the switch: poll until it has, or fail with what it shows)."""
    wanted = texts(locale)
    others = [text for other in ("fi", "sv", "en") if other != locale
              for text in texts(other) if text not in wanted]
    shown = ""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        shown = page.locator("main").text_content() or ""
        # "Kotihoito Kaislaranta Oy" and "Siivouspalvelu Puhdas Pirtti Oy" are providers'
        # names, the same in every language.
        left = [text for text in others
                if re.search(re.escape(text) + "(?! Kaislaranta)(?!palvelu)", shown)]
        if all(text in shown for text in wanted) and not left:
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"{locale}: wanted {wanted}, none of {others}; shown:\n{shown}")


def _walk(page, texts) -> None:
    assert_only(page, "fi", texts)
    for locale in ("en", "sv", "fi"):
        switch(page, locale)
        assert_only(page, locale, texts)
    assert_no_axe_violations(page)


@pytest.fixture
def keep_language(app_server):
    saved = {s: person_preferences(app_server, s) for s in ("demo-client", "demo-worker")}
    yield
    for subject, (locale, size) in saved.items():
        restore_preferences(app_server, subject, locale, size)


def test_home_and_budget_follow_a_language_switch(page, app_server, keep_language):
    sign_in(page, app_server, "demo-client", "/")
    wait_until_loaded(page)
    _walk(page, lambda lo: [month_text(lo), SERVICE[lo]])
    page.goto(app_server.url("/budget"))
    wait_until_loaded(page)
    _walk(page, lambda lo: [month_text(lo), SERVICE[lo]])


def test_a_swap_step_follows_a_language_switch_and_keeps_the_answers(page, app_server,
                                                                     keep_language):
    sign_in(page, app_server, "demo-client", "/swap")
    wait_until_loaded(page)
    page.locator("#start-swap").click()
    page.locator(f"#month-{date.today().strftime('%Y-%m')}").check()
    page.locator("main form button[type=submit]").click()
    page.locator("#from-home_care").check()
    page.locator("main form button[type=submit]").click()
    page.locator("#to-cleaning").check()
    page.locator("main form button[type=submit]").click()
    page.locator("#amount").wait_for()

    def texts(locale):
        t = Translator(locale)
        return [t("How much {service} do you want to swap?", service=SERVICE[locale])]

    _walk(page, texts)
    assert "step=amount" in page.url


def test_the_workers_client_page_follows_a_language_switch(page, app_server, keep_language):
    aino = client_id(app_server, "Aino")
    sign_in(page, app_server, "demo-worker", f"/worker/clients/{aino}")
    wait_until_loaded(page)
    # The worker's page names no month: its service names and survey words tell the language.
    _walk(page, lambda lo: [SERVICE[lo], CLEANING[lo]])
