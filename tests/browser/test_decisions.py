"""Decisions end to end: demo-worker registers a new client, grants a two-line budget and changes
it from next month; the new client (demo-client-new, linked by the identity-code claim at sign-in)
sees the budget on / and /budget for both months and the decision on /decisions; demo-worker-2 and
demo-client are denied; the administrator adds a dated unit value to the catalog.

Data changed here: the client registered with demo-client-new's identity code (no other test uses
them) and a catalog value far in the future (no decision of the other tests starts then).
"""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from hbapp.db import make_engine, read_session
from hbapp.demo_people import DEMO_CLIENT_NEW_CODE
from hbapp.domain.ledger import add_months, month_start
from hbapp.i18n import Translator
from hbapp.models import Client
from tests.browser.helpers import assert_no_axe_violations, sign_in, wait_until_loaded
from tests.browser.test_a11y_pwa import SMALL_TARGETS_JS

FI = Translator("fi")
THIS_MONTH = month_start(date.today())
NEXT_MONTH = add_months(THIS_MONTH, 1)


def client_id(app_server, first_name: str) -> int:
    engine = make_engine(app_server.database_url)
    try:
        with read_session(engine) as session:
            return session.exec(select(Client.id).where(Client.first_name == first_name)).one()
    finally:
        engine.dispose()


def continue_(page) -> None:
    page.get_by_role("button", name=FI("Continue"), exact=True).click()


def wait_step(page, heading: str) -> None:
    page.get_by_role("heading", name=heading).wait_for()


def fits_360px(page) -> None:
    """No sideways scrolling at the test viewport (360 px) and every target at least 24 px."""
    assert page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    assert page.evaluate(SMALL_TARGETS_JS) == []


def register_new_client(page, app_server) -> None:
    sign_in(page, app_server, "demo-worker", "/worker/clients/new")
    wait_until_loaded(page)
    assert_no_axe_violations(page)
    # A wrong check character is refused next to the field, input kept.
    page.get_by_label(FI("What is the client's personal identity code?")).fill("190852-936B")
    continue_(page)
    page.locator("#f-identity_code-error").get_by_text(FI(
        "Check the identity code. It must look like 140345-9025 and its last character must "
        "match.")).wait_for()
    assert page.locator("#f-identity_code").input_value() == "190852-936B"
    page.locator("#f-identity_code").fill(DEMO_CLIENT_NEW_CODE)
    continue_(page)
    wait_step(page, FI("What is the client's name?"))
    page.get_by_label(FI("First name")).fill("Tuula")
    page.get_by_label(FI("Last name")).fill("Laine")
    continue_(page)
    page.get_by_label(FI("In which municipality does the client live?")).select_option("405")
    continue_(page)
    page.get_by_label("Suomi").check()
    continue_(page)
    wait_step(page, FI("How can the client be reached?"))
    page.get_by_label(FI("Street address")).fill("Kauppakatu 3")
    continue_(page)
    page.get_by_label(FI("Yes, record the consent now")).check()
    continue_(page)
    wait_step(page, FI("Check the details before registering"))
    assert page.get_by_text(DEMO_CLIENT_NEW_CODE).is_visible()
    assert_no_axe_violations(page)
    page.locator("#confirm-register").click()
    wait_step(page, FI("The client is registered"))
    page.locator("#to-budget").click()
    page.wait_for_url("**/budget")
    wait_until_loaded(page)


def test_worker_registers_grants_and_changes_and_the_client_sees_it(page, app_server):
    register_new_client(page, app_server)
    # Grant: dates (defaults: today, this month) → reason → services → additions → check.
    page.locator("#start-grant").click()
    wait_step(page, FI("When is the budget granted?"))
    assert_no_axe_violations(page)
    continue_(page)
    page.get_by_label(FI("Why is the decision made?")).fill(
        "Tarvitset apua kotona ja siivouksessa.")
    continue_(page)
    wait_step(page, FI("Which services are granted?"))
    page.locator("#f-units_home_care").fill("20")
    page.locator("#f-units_cleaning").fill("4")
    page.locator("#f-units_cleaning").blur()
    granted = 20 * 3990 + 4 * 3500
    page.locator("#decision-total").get_by_text(FI.money(granted), exact=False).wait_for()
    assert page.get_by_text(FI.money(156_400), exact=False).is_visible()  # the guideline
    assert_no_axe_violations(page)
    fits_360px(page)
    continue_(page)
    wait_step(page, FI("Additions to the budget"))
    page.locator("#to-check").click()
    wait_step(page, FI("Check the decision before confirming"))
    assert_no_axe_violations(page)
    fits_360px(page)
    page.locator("#confirm-decision").click()
    page.locator("#decision-notice").wait_for()
    assert f"HB-{date.today().year}-" in page.locator("#decision-notice").inner_text()
    assert page.locator("#decision-history .decision-card").count() == 1

    # The new client signs in: the identity-code claim links them to the registered client.
    sign_in(page, app_server, "demo-client-new")
    wait_until_loaded(page)
    assert page.locator("#remaining-amount").inner_text() == FI.money(granted)
    page.goto(app_server.url("/decisions"))
    wait_until_loaded(page)
    assert page.get_by_text("Tarvitset apua kotona ja siivouksessa.").is_visible()
    assert_no_axe_violations(page)

    # The worker changes the decision from next month: cleaning 4 → 8 hours.
    cid = client_id(app_server, "Tuula")
    sign_in(page, app_server, "demo-worker", f"/worker/clients/{cid}/budget")
    wait_until_loaded(page)
    page.locator("#start-change").click()
    wait_step(page, FI("When does the change apply?"))
    assert page.locator("#f-valid_from-month").input_value() == str(NEXT_MONTH.month)
    continue_(page)
    page.get_by_label(FI("Why is the decision made?")).fill("Tarvitset enemmän siivousta.")
    continue_(page)
    wait_step(page, FI("Which services are granted?"))
    assert page.locator("#f-units_cleaning").input_value() == "4"
    page.locator("#f-units_cleaning").fill("8")
    continue_(page)
    page.locator("#to-check").click()
    wait_step(page, FI("Check the change before confirming"))
    page.locator("#confirm-decision").click()
    page.locator("#decision-notice").wait_for()
    assert page.locator("#decision-history .decision-card").count() == 2
    changed = 20 * 3990 + 8 * 3500

    # Both months show their own values to the client.
    sign_in(page, app_server, "demo-client-new", "/budget")
    wait_until_loaded(page)
    assert page.locator("#budget-remaining").inner_text() == FI.money(granted)
    page.goto(app_server.url(f"/budget?month={NEXT_MONTH:%Y-%m}"))
    wait_until_loaded(page)
    page.wait_for_function(
        "text => document.querySelector('#budget-remaining')?.innerText === text",
        arg=FI.money(changed))
    page.goto(app_server.url("/decisions"))
    wait_until_loaded(page)
    assert page.get_by_text("Tarvitset enemmän siivousta.").is_visible()
    history = page.locator("#decision-history").inner_text()
    assert FI("{service}: {old} → {new} a month.", service="Siivous",
              old=FI.quantity(4, "hour"), new=FI.quantity(8, "hour")) in history


def test_the_second_of_two_editors_must_review_again(page, browser, app_server):
    toivo = client_id(app_server, "Toivo")
    sign_in(page, app_server, "demo-worker", f"/worker/clients/{toivo}/budget")
    wait_until_loaded(page)
    other = browser.new_context(viewport={"width": 360, "height": 740}, locale="fi-FI").new_page()
    other.set_default_timeout(15000)
    try:
        sign_in(other, app_server, "demo-worker", f"/worker/clients/{toivo}/budget")
        wait_until_loaded(other)
        for tab in (page, other):
            tab.locator("#start-end").click()
            wait_step(tab, FI("End the budget"))
            year = add_months(THIS_MONTH, 14)
            tab.locator("#f-last_month-month").fill(str(year.month))
            tab.locator("#f-last_month-year").fill(str(year.year))
            tab.get_by_label(FI("Why does the budget end?")).fill("Muutat toiselle "
                                                                  "paikkakunnalle.")
            continue_(tab)
            wait_step(tab, FI("Check before ending the budget"))
        page.locator("#confirm-end").click()
        page.locator("#decision-notice").wait_for()
        other.locator("#confirm-end").click()
        other.get_by_text(FI("Someone else changed this client's decisions while you were "
                             "editing. Nothing of yours was saved. Review the decision again "
                             "and confirm.")).wait_for()
    finally:
        other.context.close()


def test_other_workers_and_clients_are_denied(page, app_server):
    aino = client_id(app_server, "Aino")
    denied = FI("You do not have access to this client's decisions. Only the client's own case "
                "worker and administrators can see them.")
    for subject in ("demo-worker-2", "demo-client"):
        sign_in(page, app_server, subject, f"/worker/clients/{aino}/budget")
        wait_until_loaded(page)
        assert page.get_by_text(denied).is_visible()
        for button in ("#start-grant", "#start-change", "#start-end"):
            assert page.locator(button).count() == 0
        assert_no_axe_violations(page)
    # demo-client is no case worker: registering is refused too.
    page.goto(app_server.url("/worker/clients/new"))
    wait_until_loaded(page)
    assert page.get_by_text(FI("This page is for case workers. You do not have access."))\
        .is_visible()
    # demo-worker-2 finds Aino's code registered but is not shown her.
    sign_in(page, app_server, "demo-worker-2", "/worker/clients/new")
    wait_until_loaded(page)
    page.locator("#f-identity_code").fill("140345-9025")
    continue_(page)
    page.locator("#not-yours").wait_for()
    assert "Sari Mäkinen" in page.locator("#not-yours").inner_text()
    assert page.get_by_text("Aino").count() == 0


def test_administrator_adds_a_dated_unit_value(page, app_server):
    sign_in(page, app_server, "demo-admin", "/admin/services")
    wait_until_loaded(page)
    assert_no_axe_violations(page)
    card = page.locator("#catalog-list li", has=page.get_by_role("heading", name="Siivous"))
    card.get_by_role("button", name=FI("New unit value") + " Siivous").click()
    page.locator("#f-valid_from-year").fill(str(date.today().year + 3))
    page.locator("#f-value_weekday_day").fill("0")
    continue_(page)
    page.get_by_text(FI("Enter the unit value in euros, more than zero, for example 41,50."))\
        .wait_for()
    page.locator("#f-value_weekday_day").fill("36,50")
    continue_(page)
    wait_step(page, FI("Check before saving"))
    assert_no_axe_violations(page)
    page.locator("#confirm-catalog").click()
    page.locator("#catalog-notice").wait_for()
    card = page.locator("#catalog-list li", has=page.get_by_role("heading", name="Siivous"))
    card.locator("summary").click()
    assert FI.money(3650) in card.inner_text()
