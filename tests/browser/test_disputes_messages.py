"""Disputes and messages in the browser: demo-client reports that a home-care visit did not
happen (from /budget, one question per page, check answers), demo-provider (Saimaan Kotihelmi
Oy's staff) sees the report on /provider/disputes, demo-worker upholds it on /worker/disputes,
and demo-client sees the event cancelled on /budget and a message saying so on /messages.

The browser tests share one database: the test puts the event back as it was at the end."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import select

from hbapp.db import make_engine, read_session, write_session
from hbapp.models import (
    Client,
    Dispute,
    EventStatus,
    Message,
    Provider,
    ServiceEvent,
    ServiceType,
)
from tests.browser.helpers import assert_no_axe_violations, sign_in, wait_until_loaded
from tests.browser.test_a11y_pwa import open_menu


def _home_care_event(app_server) -> ServiceEvent:
    """Aino's latest recorded home-care visit by Saimaan Kotihelmi Oy (before today)."""
    engine = make_engine(app_server.database_url)
    try:
        with read_session(engine) as session:
            aino = session.exec(select(Client).where(Client.first_name == "Aino")).one()
            kotihelmi = session.exec(select(Provider).where(
                Provider.name == "Saimaan Kotihelmi Oy")).one()
            return session.exec(
                select(ServiceEvent)
                .join(ServiceType, ServiceType.id == ServiceEvent.service_type_id)
                .where(ServiceEvent.client_id == aino.id,
                       ServiceEvent.provider_id == kotihelmi.id,
                       ServiceEvent.status == EventStatus.RECORDED.value,
                       ServiceType.code == "home_care",
                       ServiceEvent.started_at < date.today())
                .order_by(ServiceEvent.started_at.desc())).first()
    finally:
        engine.dispose()


def _restore(app_server, event_id: int) -> None:
    engine = make_engine(app_server.database_url)
    try:
        with write_session(engine) as session:
            ids = session.exec(select(Dispute.id).where(Dispute.event_id == event_id)).all()
            session.exec(sa.delete(Message).where(Message.kind.like("dispute_%")))
            if ids:
                session.exec(sa.delete(Dispute).where(Dispute.id.in_(ids)))
            event = session.get(ServiceEvent, event_id)
            event.status = EventStatus.RECORDED.value
            event.cancelled_at = event.cancelled_by_person_id = None
            event.cancel_reason = ""
            session.add(event)
    finally:
        engine.dispose()


def _new_page(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fi-FI")
    other = context.new_page()
    other.set_default_timeout(15000)
    return context, other


def test_dispute_upheld_event_cancelled_and_message(page, app_server, browser):
    event = _home_care_event(app_server)
    assert event is not None, "the demo data has home-care visits"
    month = event.started_at.strftime("%Y-%m")
    try:
        # 1. demo-client reports a problem with the visit from the budget page.
        sign_in(page, app_server, "demo-client", "/budget")
        page.goto(app_server.url(f"/budget?month={month}"))
        wait_until_loaded(page)
        item = page.locator(f"li[data-event-id='{event.id}']")
        assert "Kotihoito" in item.inner_text()
        item.get_by_role("link", name="Ilmoita ongelmasta").click()
        page.wait_for_url(app_server.url("/disputes/new") + "**")
        wait_until_loaded(page)
        page.get_by_role("heading", name="Mikä tässä palvelutapahtumassa on väärin?").wait_for()
        assert_no_axe_violations(page)
        page.get_by_role("button", name="Jatka").click()
        page.locator("#reason-error").wait_for()
        assert "Valitse, mikä on väärin." in page.locator("#reason-error").inner_text()
        assert_no_axe_violations(page)
        page.locator("#reason-did_not_happen").check()
        page.get_by_role("button", name="Jatka").click()
        page.get_by_role("heading", name="Kerro ongelmasta tarkemmin").wait_for()
        assert_no_axe_violations(page)
        page.get_by_label("Mikä on väärin? (vapaaehtoinen)").fill("Kukaan ei tullut.")
        page.get_by_role("button", name="Jatka").click()
        page.get_by_role("heading", name="Tarkista vastauksesi").wait_for()
        summary = page.locator(".summary-list").inner_text()
        assert "Palvelua ei annettu" in summary and "Kukaan ei tullut." in summary
        assert_no_axe_violations(page)
        # Back keeps the answers.
        page.get_by_role("button", name="Takaisin").click()
        assert page.get_by_label("Mikä on väärin? (vapaaehtoinen)").input_value() \
            == "Kukaan ei tullut."
        page.get_by_role("button", name="Jatka").click()
        page.get_by_role("button", name="Lähetä ilmoitus").click()
        page.get_by_role("heading", name="Ilmoituksesi lähetettiin").wait_for()
        assert_no_axe_violations(page)
        page.get_by_role("link", name="Takaisin budjettiin").click()
        page.wait_for_url(app_server.url("/budget") + "**")
        wait_until_loaded(page)
        assert "Ilmoitit tästä palvelutapahtumasta ongelman" in page.locator(
            f"li[data-event-id='{event.id}']").inner_text()

        # 2. The provider's staff see it (name and voucher), read-only.
        context, provider = _new_page(browser)
        try:
            sign_in(provider, app_server, "demo-provider", "/provider/disputes")
            wait_until_loaded(provider)
            card = provider.locator("li[data-dispute-status='open']", has_text="Aino Virtanen")
            assert card.count() == 1
            text = card.inner_text()
            assert "Palvelua ei annettu" in text and "HB-" in text and "140345" not in text
            assert provider.get_by_role("button").filter(has_text="Ratkaise").count() == 0
            assert_no_axe_violations(provider)
        finally:
            context.close()

        # 3. The case worker upholds it.
        context, worker = _new_page(browser)
        try:
            sign_in(worker, app_server, "demo-worker", "/worker/disputes")
            wait_until_loaded(worker)
            assert_no_axe_violations(worker)
            card = worker.locator("li.card", has_text="Aino Virtanen").filter(
                has_text="Kukaan ei tullut.")
            card.get_by_role("button", name="Ratkaise").click()
            worker.locator("#decision-keep").check()
            worker.get_by_role("button", name="Tallenna päätös").click()
            worker.locator("#explanation-error").wait_for()
            assert_no_axe_violations(worker)
            worker.locator("#decision-uphold").check()
            worker.get_by_role("button", name="Tallenna päätös").click()
            worker.get_by_text("Palvelutapahtuma peruttiin: Aino Virtanen", exact=False).wait_for()
        finally:
            context.close()

        # 4. The client sees the event cancelled and a message about it.
        page.goto(app_server.url(f"/budget?month={month}"))
        wait_until_loaded(page)
        # The event stays in the list as cancelled, not counted, with the reason in plain words.
        cancelled = page.locator(f"li[data-event-id='{event.id}']")
        assert cancelled.get_attribute("data-status") == "cancelled"
        assert "Peruttu, koska ilmoituksesi hyväksyttiin" in cancelled.inner_text()
        assert cancelled.get_by_role("link", name="Ilmoita ongelmasta").count() == 0
        outcome = page.locator("li[data-dispute-status='upheld']")
        assert "Hyväksytty: palvelutapahtuma peruttiin" in outcome.inner_text()
        open_menu(page)  # on a phone the account links are behind the Menu button
        assert int(page.locator("#unread-count").inner_text()) >= 1
        page.locator("#messages-link").click()
        page.wait_for_url(app_server.url("/messages") + "**")
        wait_until_loaded(page)
        assert_no_axe_violations(page)
        page.get_by_role("button", name="Ilmoituksesi hyväksyttiin").first.click()
        text = page.locator("#message-text").inner_text()
        assert "peruttiin" in text and "Kotihoito" in text
        assert_no_axe_violations(page)
        page.get_by_role("link", name="Katso budjetti").click()
        page.wait_for_url(app_server.url("/budget") + "**")
        assert f"month={month}" in page.url
    finally:
        _restore(app_server, event.id)


def _open_dispute_and_messages(app_server):
    """A dispute about Aino's visit (opened by the service, as the page does) and its
    messages, so that the new pages show content for axe."""
    from hbapp.services import messages
    from hbapp.services.access import load_actor
    from hbapp.services.disputes import open_dispute
    from hbapp.models import Person

    event = _home_care_event(app_server)
    engine = make_engine(app_server.database_url)
    try:
        with read_session(engine) as session:
            person = session.exec(select(Person).where(Person.oidc_subject == "demo-client")).one()
            actor = load_actor(session, person.id)
        open_dispute(engine, actor, event.client_id, event.id, "wrong_time_or_length",
                     "Tunti oli puoli tuntia.", date.today())
        with write_session(engine) as session:  # the client's own message to open
            messages.notify(session, [person.id], "dispute_rejected",
                            subject_client_id=event.client_id,
                            link=f"/budget?month={event.started_at:%Y-%m}",
                            event_date=event.started_at.date(),
                            service={"fi": "Kotihoito", "sv": "Hemvård", "en": "Home care"})
    finally:
        engine.dispose()
    return event


def test_new_pages_pass_axe_in_three_languages(browser, app_server):
    from tests.browser.test_a11y_pwa import (open_route, person_preferences, restore_preferences,
                                             switch_language)

    event = _open_dispute_and_messages(app_server)
    pages = {
        "demo-client": ["/messages", f"/disputes/new?event={event.id}",
                        f"/budget?month={event.started_at:%Y-%m}"],
        "demo-worker": ["/worker/disputes", "/messages", "/worker"],
        "demo-provider": ["/provider/disputes", "/messages"],
    }
    try:
        for subject, routes in pages.items():
            original = person_preferences(app_server, subject)
            context, page = _new_page(browser)
            try:
                sign_in(page, app_server, subject)
                wait_until_loaded(page)
                # The staff pages' words are checked in every language by the a11y suite; here
                # they are checked with an open dispute and messages in them, in Finnish.
                for lang in ("fi", "sv", "en") if subject == "demo-client" else ("fi",):
                    switch_language(page, lang)
                    for route in routes:
                        open_route(page, app_server, route, lang)
                        assert_no_axe_violations(page)
                    if subject != "demo-client":
                        continue
                    # An opened message too, in this language.
                    open_route(page, app_server, "/messages", lang)
                    page.locator(".message-item button").first.click()
                    page.locator("#message-text").wait_for()
                    assert_no_axe_violations(page)
            finally:
                context.close()
                restore_preferences(app_server, subject, *original)
    finally:
        _restore(app_server, event.id)
