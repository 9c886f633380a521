"""The client's journey: sign in, see what is left this month, open the budget, switch month."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from hbapp.db import make_engine, read_session
from hbapp.domain.ledger import add_months
from hbapp.i18n import Translator
from hbapp.models import Client, Person
from hbapp.services.budget import load_month
from tests.browser.helpers import assert_no_axe_violations, sign_in, wait_until_loaded
from tests.browser.test_a11y_pwa import open_menu


def ledger_month(app_server, subject: str, month: date):
    engine = make_engine(app_server.database_url)
    try:
        with read_session(engine) as session:
            client = session.exec(
                select(Client).join(Person, Person.id == Client.person_id)
                .where(Person.oidc_subject == subject)
            ).one()
            return load_month(session, client, month, date.today())
    finally:
        engine.dispose()


def test_signed_out_home_offers_sign_in(page, app_server):
    page.goto(app_server.url("/"))
    wait_until_loaded(page)
    assert page.locator("html").get_attribute("lang") == "fi"
    assert page.get_by_role("link", name="Kirjaudu sisään").first.is_visible()
    assert_no_axe_violations(page)


def test_budget_page_asks_to_sign_in(page, app_server):
    page.goto(app_server.url("/budget"))
    wait_until_loaded(page)
    assert page.get_by_text("Kirjaudu sisään nähdäksesi budjettisi.").is_visible()


def test_client_sees_remaining_amount_equal_to_ledger(page, app_server):
    sign_in(page, app_server, "demo-client")
    wait_until_loaded(page)
    expected = ledger_month(app_server, "demo-client", date.today())
    t = Translator("fi")
    assert page.locator("#remaining-amount").inner_text() == t.money(
        expected.statement.remaining_cents
    )
    assert page.get_by_role("heading", name="Palvelusi tässä kuussa").is_visible()
    # Every line of the month is shown with its use in its own unit.
    for line in expected.statement.lines:
        name = expected.lines[line.line_id].names.fi
        assert page.get_by_role("heading", name=name, exact=True).is_visible()
    assert_no_axe_violations(page)


def test_client_budget_page_lines_events_and_month_switch(page, app_server):
    sign_in(page, app_server, "demo-client", "/budget")
    wait_until_loaded(page)
    t = Translator("fi")
    this_month = ledger_month(app_server, "demo-client", date.today())
    assert page.locator("#budget-remaining").inner_text() == t.money(
        this_month.statement.remaining_cents
    )
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Edellinen kuukausi").click()
    previous = add_months(date.today().replace(day=1), -1)
    page.wait_for_function(
        "label => document.querySelector('.month-label').innerText.toLowerCase() === label",
        arg=t.month(previous).lower(),
    )
    last_month = ledger_month(app_server, "demo-client", previous)
    assert page.locator("#budget-remaining").inner_text() == t.money(
        last_month.statement.remaining_cents
    )
    events = page.locator(".event-list > li")
    assert events.count() == len(last_month.events)
    page.wait_for_url(f"**/budget*month={previous:%Y-%m}")  # a link to this month can be shared
    assert_no_axe_violations(page)


def test_language_switch_to_swedish_and_english(page, app_server):
    sign_in(page, app_server, "demo-client")
    wait_until_loaded(page)
    open_menu(page)
    page.get_by_role("button", name="Svenska").click()
    page.wait_for_function("() => document.documentElement.lang === 'sv'")
    assert page.get_by_role("heading", name="Pengar kvar denna månad").is_visible()
    assert_no_axe_violations(page)
    open_menu(page)
    page.get_by_role("button", name="English").click()
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert page.get_by_role("heading", name="Money left this month").is_visible()
    # The choice is remembered for the person: a reload keeps English.
    page.reload()
    wait_until_loaded(page)
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert page.get_by_role("heading", name="Money left this month").is_visible()
    open_menu(page)
    page.get_by_role("button", name="Suomi").click()
    page.wait_for_function("() => document.documentElement.lang === 'fi'")


def test_relative_acts_for_client(page, app_server):
    sign_in(page, app_server, "demo-relative")
    wait_until_loaded(page)
    assert page.get_by_text("Asioit henkilön puolesta").is_visible()
    assert page.get_by_role("heading", level=1, name="Aino Virtanen").is_visible()
    expected = ledger_month(app_server, "demo-client", date.today())
    assert page.locator("#remaining-amount").inner_text() == Translator("fi").money(
        expected.statement.remaining_cents
    )


def test_sign_out(page, app_server):
    sign_in(page, app_server, "demo-client")
    wait_until_loaded(page)
    page.get_by_role("button", name="Valikko").click()  # the compact header on a phone
    with page.expect_navigation(url=app_server.url("/")):
        page.get_by_role("button", name="Kirjaudu ulos").click()
    wait_until_loaded(page)
    assert page.get_by_role("link", name="Kirjaudu sisään").first.is_visible()
    page.goto(app_server.url("/budget"))
    wait_until_loaded(page)
    assert page.get_by_text("Kirjaudu sisään nähdäksesi budjettisi.").is_visible()


def test_home_lists_the_surveys_due(page, app_server):
    from hbapp.models import SurveyAssignment

    sign_in(page, app_server, "demo-client")
    wait_until_loaded(page)
    engine = make_engine(app_server.database_url)
    try:
        with read_session(engine) as session:
            aino = session.exec(
                select(Client.id).join(Person, Person.id == Client.person_id)
                .where(Person.oidc_subject == "demo-client")
            ).one()
            open_count = len(session.exec(
                select(SurveyAssignment).where(
                    SurveyAssignment.client_id == aino,
                    SurveyAssignment.completed_at.is_(None),
                    SurveyAssignment.cancelled_at.is_(None),
                )
            ).all())
    finally:
        engine.dispose()
    assert open_count > 0  # the demo data gives Aino a PROMIS-10 to answer
    card = page.locator("#home-surveys-due")
    assert card.get_by_role("heading", name="Vastaa näihin kyselyihin").is_visible()
    assert card.locator("li").count() == open_count
