"""Issue 18, the client's and the agent's journeys at 360 px (items 2, 5, 8, 13):

- the view-only relative (Liisa) is offered only what she may do, is told once on the home page
  how to get more, and asks Aino for more rights on her existing mandate; Aino accepts;
- Aino gives a mandate by a part of a name (a choice between namesakes shows years of birth,
  never identity codes) or by an identity code, and is asked the relationship, which the list
  then shows; the phone's Back goes one step back and keeps the answers;
- asking for a mandate checks the date of birth at its own step and shows it before sending;
- feedback steps have addresses: Back keeps the answers;
- opening hours and dates are in the reader's language.
Every change is undone at the end of its test.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from hbapp.db import write_session
from hbapp.i18n import Translator
from hbapp.models import Mandate
from tests.browser.helpers import (assert_no_axe_violations, sign_in, wait_for_step,
                                   wait_until_loaded)
from tests.browser.test_a11y_pwa import open_menu, person_preferences, restore_preferences
from tests.browser.test_acting_on_behalf import Db, new_page

FI, SV, EN = Translator("fi"), Translator("sv"), Translator("en")


def switch(page, locale: str) -> None:
    open_menu(page)  # on a phone the language buttons are behind the Menu button
    page.locator(f"button.lang-button[lang={locale}]").first.click()
    page.wait_for_function(f"document.documentElement.lang === '{locale}'")


def menu_hrefs(page) -> list[str]:
    return page.locator("nav.main-nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")


def note(t: Translator) -> str:
    return t("You may {what} for {name}. To do more, ask {name} for more rights: they accept "
             "your request in this service.", what=t("see the budget and the services"),
             name="Aino Virtanen")


def test_asking_for_a_mandate_checks_the_birth_date_at_its_own_step(page, app_server):
    sign_in(page, app_server, "demo-relative-view", "/mandates")
    wait_until_loaded(page)
    page.get_by_role("button", name=FI("Ask for a mandate")).click()
    # The step has its own address: answer once it has loaded, not on the way.
    wait_for_step(page, "client")
    page.get_by_label(FI("Whose matters do you want to handle?")).fill("Bengt Lindholm")
    page.get_by_role("button", name=FI("Continue")).click()
    wait_for_step(page, "birth")
    future = date.today() + timedelta(days=400)
    page.locator("#f-birth-day").fill(str(future.day))
    page.locator("#f-birth-month").fill(str(future.month))
    page.locator("#f-birth-year").fill(str(future.year))
    page.get_by_role("button", name=FI("Continue")).click()
    page.locator("#f-birth-error").get_by_text(
        FI("Check the date of birth: it cannot be in the future.")).wait_for()
    assert "step=birth" in page.url
    assert_no_axe_violations(page)
    page.locator("#f-birth-day").fill("2")
    page.locator("#f-birth-month").fill("9")
    page.locator("#f-birth-year").fill("1958")
    page.get_by_role("button", name=FI("Continue")).click()
    page.get_by_label(FI("A relative or someone close")).check()
    page.get_by_role("button", name=FI("Continue")).click()
    page.get_by_label(FI("see the budget and the services")).check()
    page.get_by_role("button", name=FI("Continue")).click()
    page.get_by_role("button", name=FI("Continue")).click()
    page.get_by_role("heading", name=FI("Check your answers")).wait_for()
    summary = page.locator(".summary-list").inner_text()
    assert FI.date(date(1958, 9, 2)) in summary and FI("relative") in summary
    # Nothing is sent: the journey is left here.


def test_view_only_relative_sees_what_she_may_do_and_asks_for_more(page, app_server, browser):
    db = Db(app_server)
    old = db.mandate("demo-relative-view", "Aino")
    saved = person_preferences(app_server, "demo-relative-view")
    try:
        sign_in(page, app_server, "demo-relative-view", "/")
        wait_until_loaded(page)
        hrefs = menu_hrefs(page)
        assert "/budget" in hrefs and "/providers" in hrefs
        assert not {"/swap", "/feedback", "/surveys"} & set(hrefs)
        page.get_by_text(note(FI)).wait_for()
        assert_no_axe_violations(page)
        for locale, t in (("sv", SV), ("en", EN), ("fi", FI)):
            switch(page, locale)
            page.get_by_text(note(t)).wait_for()

        # No "choose" on a provider's page either.
        page.goto(app_server.url("/providers/1"))
        wait_until_loaded(page)
        assert page.locator("a[href^='/choose-provider']").count() == 0

        page.goto(app_server.url("/"))
        wait_until_loaded(page)
        page.locator("#ask-more-rights").click()
        page.wait_for_url("**/mandates")
        wait_until_loaded(page)
        page.get_by_role("button", name=f"{FI('Ask for more rights')} Aino Virtanen").click()
        wait_for_step(page, "more")
        page.get_by_label(FI("give feedback on services")).check()
        assert page.get_by_label(FI("see the budget and the services")).count() == 0
        assert_no_axe_violations(page)
        page.get_by_role("button", name=FI("Continue")).click()
        page.get_by_role("heading", name=FI("Check your answers")).wait_for()
        assert FI("give feedback on services") in page.locator(".summary-list").inner_text()
        assert_no_axe_violations(page)
        page.get_by_role("button", name=FI("Send the request")).click()
        page.get_by_text(FI("Your request was sent to {name}. You get the new rights when "
                            "they accept it.", name="Aino Virtanen")).wait_for()
        assert db.mandate("demo-relative-view", "Aino").status == "requested"

        context, aino = new_page(browser)
        try:
            sign_in(aino, app_server, "demo-client", "/mandates")
            wait_until_loaded(aino)
            aino.get_by_role("button", name=f"{FI('Accept or decline')} Liisa Virtanen").click()
            aino.get_by_role("heading", name=FI("Do you accept this request?")).wait_for()
            aino.get_by_role("button", name=FI("Accept"), exact=True).click()
            aino.get_by_text(FI("{name} now has a mandate.", name="Liisa Virtanen")).wait_for()
        finally:
            context.close()
        new = db.mandate("demo-relative-view", "Aino")
        assert (new.status, new.scopes) == ("active", "view,feedback")
        page.goto(app_server.url("/"))
        wait_until_loaded(page)
        assert "/feedback" in menu_hrefs(page) and "/swap" not in menu_hrefs(page)
    finally:
        restore_preferences(app_server, "demo-relative-view", *saved)
        with write_session(db.engine) as session:
            for row in session.exec(select(Mandate).where(
                    Mandate.agent_person_id == db.person("demo-relative-view").id,
                    Mandate.client_id == db.client("Aino"), Mandate.id != old.id)).all():
                session.delete(row)
            first = session.get(Mandate, old.id)
            first.status, first.revoked_at, first.revoked_by_person_id = "active", None, None
            session.add(first)


def test_giving_a_mandate_by_name_or_identity_code_with_the_relationship(page, app_server):
    db = Db(app_server)
    saved = person_preferences(app_server, "demo-client")
    try:
        sign_in(page, app_server, "demo-client", "/mandates")
        wait_until_loaded(page)
        page.get_by_role("button", name=FI("Give a mandate")).click()
        wait_for_step(page, "who")
        # A part of a name, in capitals: a choice between namesakes, with years of birth.
        page.get_by_label(FI("Who do you give the mandate to?")).fill("VIRTANEN")
        page.get_by_role("button", name=FI("Search")).click()
        wait_for_step(page, "pick")
        # The list renders again when the step's load finishes: read it once it has settled.
        page.wait_for_function(
            "() => [...document.querySelectorAll('main .choice-label')]"
            ".some(e => e.innerText.includes('Mikko Virtanen'))")
        page.wait_for_timeout(300)
        page.locator("main .choice-label", has_text="Mikko Virtanen").first.wait_for()
        choices = page.locator("main .choice-label").all_inner_texts()
        assert any("Mikko Virtanen" in c and f"{FI('born')} 1972" in c for c in choices), \
            choices
        assert any("Liisa Virtanen" in c and "1975" in c for c in choices)
        assert "Aino Virtanen" not in " ".join(choices)
        assert "-9" not in page.locator("main").inner_text()  # no identity codes
        assert_no_axe_violations(page)
        # Liisa already has a mandate: said on this step.
        page.get_by_label("Liisa Virtanen").check()
        page.get_by_role("button", name=FI("Continue")).click()
        page.get_by_text(FI("This person already has a mandate or a request waiting.")).wait_for()
        # The phone's Back: the search with what was typed.
        page.go_back()
        wait_for_step(page, "who")
        wait_until_loaded(page)
        field = page.get_by_label(FI("Who do you give the mandate to?"))
        assert field.input_value() == "VIRTANEN"
        # An identity code finds exactly one person: straight to the relationship.
        field.fill("021168-926K")
        page.get_by_role("button", name=FI("Search")).click()
        wait_for_step(page, "relation")
        assert_no_axe_violations(page)
        page.get_by_label(FI("A custodian: the parent of a child")).check()
        page.get_by_role("button", name=FI("Continue")).click()
        wait_for_step(page, "what")
        page.get_by_label(FI("see the budget and the services")).check()
        page.get_by_role("button", name=FI("Continue")).click()
        wait_for_step(page, "until")
        page.go_back()
        wait_for_step(page, "what")
        assert page.get_by_label(FI("see the budget and the services")).is_checked()
        page.get_by_role("button", name=FI("Continue")).click()
        wait_for_step(page, "until")
        page.get_by_role("button", name=FI("Continue")).click()
        page.get_by_role("heading", name=FI("Check your answers")).wait_for()
        summary = page.locator(".summary-list").inner_text()
        assert "Eeva Korhonen" in summary and FI("custodian (parent of a child)") in summary
        assert_no_axe_violations(page)
        page.get_by_role("button", name=FI("Give the mandate")).click()
        page.get_by_text(FI("{name} now has a mandate.", name="Eeva Korhonen")).wait_for()
        granted = db.mandate("demo-guardian", "Aino")
        assert (granted.status, granted.relation, granted.scopes) == ("active", "custodian",
                                                                      "view")
        card = page.locator("li.card", has=page.get_by_role("heading", name="Eeva Korhonen"))
        assert FI("custodian (parent of a child)") in card.inner_text()
        switch(page, "en")
        card.get_by_text(EN("custodian (parent of a child)")).wait_for()
        switch(page, "fi")
    finally:
        db.end_open_mandates("demo-guardian", "Aino")
        restore_preferences(app_server, "demo-client", *saved)


def test_feedback_back_button_keeps_the_answers(page, app_server):
    sign_in(page, app_server, "demo-client", "/feedback")
    wait_until_loaded(page)
    page.get_by_label("Kuntokeskus Voimala Oy").check()
    page.get_by_role("button", name=FI("Continue")).click()
    wait_for_step(page, "score")
    page.locator("#score-8").check()
    page.get_by_role("button", name=FI("Continue")).click()
    wait_for_step(page, "comment")
    page.go_back()
    wait_for_step(page, "score")
    page.locator("#score-8").wait_for()
    assert page.locator("#score-8").is_checked()
    page.go_back()
    page.locator("#provider-1, input[name=provider]").first.wait_for()
    assert page.get_by_label("Kuntokeskus Voimala Oy").is_checked()
    assert_no_axe_violations(page)
    page.go_forward()
    wait_for_step(page, "score")
    assert page.locator("#score-8").is_checked()
    # The in-page Back behaves the same way.
    page.get_by_role("button", name=FI("Back")).click()
    page.locator("input[name=provider]").first.wait_for()
    assert "‹ ‹" not in page.locator("main").inner_text()


def test_opening_hours_and_dates_in_the_readers_language(page, app_server):
    saved = person_preferences(app_server, "demo-client")
    try:
        sign_in(page, app_server, "demo-client", "/privacy")
        wait_until_loaded(page)
        switch(page, "en")
        # The entries are formatted again in English: "Nov 30, 2026 at 8:34 PM", never
        # "30.11.2026 at 8:34 PM" (a Finnish date in English).
        page.locator(".entry-text", has_text="looked at").first.wait_for()
        shown = page.locator("main").inner_text()
        assert not re.search(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b", shown), shown
        page.goto(app_server.url("/providers/1"))
        wait_until_loaded(page)
        hours = page.locator("dd", has_text="Fri").first
        hours.wait_for()
        assert "ma–pe" not in page.locator("main").inner_text()
        switch(page, "sv")
        page.locator("dd", has_text="fre").first.wait_for()
        assert_no_axe_violations(page)
    finally:
        restore_preferences(app_server, "demo-client", *saved)


@pytest.mark.parametrize("locale", ["fi", "sv", "en"])
def test_next_months_swap_and_back_in_each_language(page, app_server, locale):
    """Items 2 and 9 as on main, verified in each language: next month can be chosen, each
    step is an address, Back keeps the answers, and the page speaks one language."""
    t = Translator(locale)
    saved = person_preferences(app_server, "demo-client")
    next_month = (date.today().replace(day=28) + timedelta(days=5)).replace(day=1)
    try:
        sign_in(page, app_server, "demo-client", "/swap")
        wait_until_loaded(page)
        if locale != "fi":
            switch(page, locale)
        page.locator("#start-swap").click()
        page.locator(f"#month-{next_month.strftime('%Y-%m')}").check()
        assert t.month(next_month) in page.locator("main").inner_text()
        page.locator("main form button[type=submit]").click()
        page.locator("#from-home_care").check()
        page.locator("main form button[type=submit]").click()
        page.locator("#to-cleaning").check()
        page.locator("main form button[type=submit]").click()
        page.locator("#amount").fill("1")
        page.locator("main form button[type=submit]").click()
        page.locator("#swap-summary").wait_for()
        assert_no_axe_violations(page)
        page.locator("#to-check").click()
        page.locator(".summary-list").wait_for()
        summary = page.locator(".summary-list").inner_text()
        assert t.month(next_month) in summary
        for other in {"fi", "sv", "en"} - {locale}:
            assert Translator(other).month(next_month) not in summary
        page.go_back()
        page.locator("#swap-summary").wait_for()
        page.go_back()
        page.locator("#amount").wait_for()
        assert page.locator("#amount").input_value() == "1"
        page.go_back()
        page.locator("#to-cleaning").wait_for()
        assert page.locator("#to-cleaning").is_checked()
        assert page.locator("main .back-link").first.inner_text().strip() == t("Back")
    finally:
        restore_preferences(app_server, "demo-client", *saved)
