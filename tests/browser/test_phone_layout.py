"""Issue 18, items 11 and 12: reading on a 360 × 740 phone.

- the compact header: a Menu button (disclosure: aria-expanded, keyboard, Escape returns focus)
  holds the language, the account and the main menu, so the money left is on the first screen
  at normal and at extra-large text, in fi, sv and en;
- no route of the role's side (a11y `routes_for`) scrolls sideways at 360 px, at normal and extra-large text,
  for the client, the case worker and the administrator; no number, amount or date is broken
  over two lines (the old `overflow-wrap: anywhere` made "39 ,8" and "10. 6.2 02 6");
- tables people read on a phone stack into labelled cards.
"""

from __future__ import annotations

import pytest

from tests.browser.helpers import assert_no_axe_violations, sign_in, wait_until_loaded
from tests.browser.test_a11y_pwa import (
    LANGUAGES, open_route, routes_for, person_preferences, restore_preferences,
)

MENU = {"fi": "Valikko", "sv": "Meny", "en": "Menu"}
BUDGET = {"fi": "Budjetti", "sv": "Budget", "en": "Budget"}

SET_TEXT_SIZE = (
    "c => { const l = document.documentElement.classList;"
    " l.remove('text-large', 'text-xlarge'); if (c) l.add(c); }"
)

# Every text token that is a number (with its decimal and group separators, a date or a time,
# optionally followed by its unit) must sit on one line: a Range over it has one line of boxes.
BROKEN_NUMBERS_JS = r"""
() => {
  const pattern = /\d[\d.,:\u00a0\u202f]*\d(?:\u00a0(?:€|%|h))?/g;
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue;
    let match;
    pattern.lastIndex = 0;
    while ((match = pattern.exec(text)) !== null) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set();
      for (const r of range.getClientRects()) {
        if (r.width > 0 && r.height > 0) tops.add(Math.round(r.top));
      }
      if (tops.size > 1) {
        const values = [...tops].sort((a, b) => a - b);
        if (values[values.length - 1] - values[0] > 3) broken.push(match[0]);
      }
    }
  }
  return broken;
}
"""


def set_text_size(page, size: str) -> None:
    page.evaluate(SET_TEXT_SIZE, size)


def switch_language_by_menu(page, lang: str) -> None:
    button = page.locator("#menu-button")
    if button.is_visible() and button.get_attribute("aria-expanded") != "true":
        button.click()
    page.locator(".lang-switch").get_by_role("button", name=LANGUAGES[lang]).click()
    page.wait_for_function("lang => document.documentElement.lang === lang", arg=lang)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_money_left_is_on_the_first_screen(page, app_server, lang):
    original = person_preferences(app_server, "demo-client")
    try:
        sign_in(page, app_server, "demo-client")
        wait_until_loaded(page)
        switch_language_by_menu(page, lang)
        open_route(page, app_server, "/", lang)
        for size in ("", "text-xlarge"):
            set_text_size(page, size)
            box = page.locator("#remaining-amount").bounding_box()
            assert box is not None
            assert box["y"] + box["height"] <= 740, f"{lang} {size}: the amount starts at {box}"
            assert box["x"] >= 0 and box["x"] + box["width"] <= 360, f"{lang} {size}: {box}"
            # The menu is closed on arrival: the header alone is small.
            header = page.locator(".site-header").bounding_box()
            assert header["height"] <= 120, f"{lang} {size}: header {header['height']} px"
        set_text_size(page, "")
        assert_no_axe_violations(page)
    finally:
        restore_preferences(app_server, "demo-client", *original)


def test_menu_button_is_a_keyboard_friendly_disclosure(page, app_server):
    sign_in(page, app_server, "demo-client")
    wait_until_loaded(page)
    button = page.get_by_role("button", name=MENU["fi"])
    assert button.get_attribute("aria-expanded") == "false"
    assert button.get_attribute("aria-controls") == "site-menu"
    nav = page.get_by_role("navigation", name="Päävalikko")
    assert not nav.is_visible()

    # Keyboard: focus the button, Enter opens, the menu follows it in the tab order.
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.getElementById('menu-button').getAttribute('aria-expanded') === 'true'")
    assert nav.is_visible()
    assert_no_axe_violations(page)
    page.keyboard.press("Tab")
    assert page.evaluate(
        "() => document.getElementById('site-menu').contains(document.activeElement)")
    # Escape closes it and gives the focus back to the button.
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false"
    assert page.evaluate("() => document.activeElement.id") == "menu-button"
    assert not nav.is_visible()

    # Space toggles too; following a link closes the menu on the next page.
    page.keyboard.press("Space")
    assert button.get_attribute("aria-expanded") == "true"
    nav.get_by_role("link", name=BUDGET["fi"]).click()
    page.wait_for_url(app_server.url("/budget"))
    wait_until_loaded(page)
    assert page.locator("#menu-button").get_attribute("aria-expanded") == "false"
    assert not page.get_by_role("navigation", name="Päävalikko").is_visible()


def test_wide_screens_show_the_menu_without_a_button(browser, app_server):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="fi-FI")
    try:
        page = context.new_page()
        sign_in(page, app_server, "demo-client")
        wait_until_loaded(page)
        assert not page.locator("#menu-button").is_visible()
        assert page.get_by_role("navigation", name="Päävalikko").is_visible()
        assert page.locator(".lang-switch").is_visible()
    finally:
        context.close()


@pytest.mark.parametrize(
    "subject,lang",
    [("demo-client", "fi"), ("demo-client", "sv"), ("demo-client", "en"),
     ("demo-worker", "fi"), ("demo-admin", "fi")],
)
def test_no_sideways_scrolling_and_no_broken_numbers(page, app_server, subject, lang):
    original = person_preferences(app_server, subject)
    try:
        sign_in(page, app_server, subject)
        wait_until_loaded(page)
        if lang != "fi":
            switch_language_by_menu(page, lang)
        problems = []
        for route in routes_for(subject):
            open_route(page, app_server, route, lang)
            for size in ("", "text-xlarge"):
                set_text_size(page, size)
                width = page.evaluate("() => document.documentElement.scrollWidth")
                if width > 360:
                    problems.append(f"{route} {size or 'normal'}: {width} px wide")
                broken = page.evaluate(BROKEN_NUMBERS_JS)
                if broken:
                    problems.append(f"{route} {size or 'normal'}: broken {broken}")
            set_text_size(page, "")
        assert problems == []
    finally:
        restore_preferences(app_server, subject, *original)


def test_worker_trend_tables_stack_into_labelled_cards(page, app_server):
    sign_in(page, app_server, "demo-worker", "/worker/clients/1")
    wait_until_loaded(page)
    table = page.locator("table.stack-table").first
    table.wait_for()
    assert page.evaluate(
        "t => getComputedStyle(t).display", table.element_handle()) == "block"
    cell = table.locator("td[data-label]").first
    assert cell.get_attribute("data-label") == "Päivä"
    label = page.evaluate(
        "c => getComputedStyle(c, '::before').content", cell.element_handle())
    assert "Päivä" in label
