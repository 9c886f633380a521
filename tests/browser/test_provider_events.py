"""Recording service events in the browser (issue 14, "Done when"):

demo-provider records an evening home-care visit for demo-client (Aino, voucher of Saimaan
Kotihelmi) and demo-client sees it on /budget with the evening price and the self-pay share; an
over-budget event lands in demo-worker's review queue and demo-worker approves it; demo-provider-2
cannot record for or see demo-client. At the end both events are cancelled on the provider's
page (the shared database's money is as it was; the client sees the corrections)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from hbapp.db import make_engine, read_session
from hbapp.domain.timebands import finnish_public_holidays
from hbapp.models import Client, Provider, ServiceEvent, ServiceType, Voucher
from hbapp.services.provider_events import local_now
from tests.browser.helpers import assert_no_axe_violations, sign_in, wait_until_loaded


def last_weekday() -> date:
    """The latest Monday–Friday before today that is not a public holiday (Finnish time)."""
    day = local_now().date() - timedelta(days=1)
    while day.weekday() >= 5 or day in finnish_public_holidays(day.year):
        day -= timedelta(days=1)
    return day


def aino_voucher(app_server) -> tuple[str, int]:
    engine = make_engine(app_server.database_url)
    try:
        with read_session(engine) as session:
            code, provider = session.exec(
                select(Voucher.code, Voucher.provider_id)
                .join(Client, Client.id == Voucher.client_id)
                .join(ServiceType, ServiceType.id == Voucher.service_type_id)
                .join(Provider, Provider.id == Voucher.provider_id)
                .where(Client.first_name == "Aino", ServiceType.code == "home_care",
                       Provider.name == "Saimaan Kotihelmi Oy", Voucher.ended_at.is_(None))
            ).one()
            return code, provider
    finally:
        engine.dispose()


def event_status(app_server, event_ids: list[int]) -> dict[int, str]:
    engine = make_engine(app_server.database_url)
    try:
        with read_session(engine) as session:
            return {e.id: e.status for e in session.exec(
                select(ServiceEvent).where(ServiceEvent.id.in_(event_ids))).all()}
    finally:
        engine.dispose()


def new_event_ids(app_server, before: int) -> list[int]:
    engine = make_engine(app_server.database_url)
    try:
        with read_session(engine) as session:
            return list(session.exec(select(ServiceEvent.id).where(ServiceEvent.id > before)
                                     .order_by(ServiceEvent.id)).all())
    finally:
        engine.dispose()


def last_event_id(app_server) -> int:
    ids = new_event_ids(app_server, 0)
    return ids[-1] if ids else 0


def fill_visit(page, code: str, day: date, start: str, end: str) -> None:
    page.locator("#f-voucher").select_option(code)
    page.locator("#f-start").wait_for()
    page.locator("#f-day").fill(day.isoformat())
    page.locator("#f-start").fill(start)
    page.locator("#f-end").fill(end)
    page.get_by_role("button", name="Tallenna tapahtuma").click()


def test_record_see_review_and_refuse(page, app_server, browser):
    code, kotihelmi = aino_voucher(app_server)
    day = last_weekday()
    before = last_event_id(app_server)
    month = day.strftime("%Y-%m")

    # 1. demo-provider records an evening home-care visit: the server derives band and money.
    sign_in(page, app_server, "demo-provider", "/provider/events/new")
    wait_until_loaded(page)
    assert page.get_by_role("heading", level=1, name="Kirjaa palvelutapahtuma").is_visible()
    assert_no_axe_violations(page)
    page.locator("#f-voucher").select_option(code)
    page.locator("#f-start").wait_for()  # an hour-based service asks for the times
    page.get_by_role("button", name="Tallenna tapahtuma").click()  # no times given
    page.locator("#f-start-error", has_text="Anna alkamisaika").wait_for()
    assert_no_axe_violations(page)
    # 23 hours are more than Aino's month has left of home care: it waits for the worker.
    fill_visit(page, code, day, "00:00", "23:00")
    page.locator(".receipt").wait_for()
    assert "odottaa asiakasohjaajan tarkistusta" in page.locator("main").inner_text().lower()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Kirjaa uusi tapahtuma").click()
    fill_visit(page, code, day, "18:30", "19:30")
    receipt = page.locator(".receipt")
    receipt.wait_for()
    page.get_by_text("Tapahtuma on kirjattu.").wait_for()
    text = receipt.inner_text()
    assert "Aino Virtanen" in text and "ilta" in text
    assert "44,50" in text and "39,90" in text and "4,60" in text  # price, charged, self-pay
    [waiting, evening] = new_event_ids(app_server, before)
    assert event_status(app_server, [waiting, evening]) == {waiting: "needs_review",
                                                            evening: "recorded"}
    try:
        # The provider's list of the month shows both, status in words.
        page.goto(app_server.url(f"/provider/events?month={month}"))
        wait_until_loaded(page)
        assert page.locator(".event[data-status=needs_review]").count() >= 1
        assert "Odottaa asiakasohjaajan tarkistusta" in page.locator("main").inner_text()
        assert_no_axe_violations(page)

        # 2. demo-client sees the evening visit on /budget with the price band and self-pay.
        client_context = browser.new_context(viewport={"width": 360, "height": 740},
                                             locale="fi-FI")
        try:
            client = client_context.new_page()
            client.set_default_timeout(15000)
            sign_in(client, app_server, "demo-client", "/budget")
            wait_until_loaded(client)
            client.goto(app_server.url(f"/budget?month={month}"))
            wait_until_loaded(client)
            shown = client.locator(".event[data-status=recorded]", has_text="ilta").filter(
                has_text="Saimaan Kotihelmi Oy").filter(has_text="4,60")
            assert shown.count() >= 1
            assert "39,90" in shown.first.inner_text()
            pending = client.locator(".event[data-status=needs_review]")
            assert "Odottaa asiakasohjaajaasi" in pending.first.inner_text()
            assert_no_axe_violations(client)
        finally:
            client_context.close()

        # 3. demo-worker finds the over-budget event in the queue and approves it.
        worker_context = browser.new_context(viewport={"width": 360, "height": 740},
                                             locale="fi-FI")
        try:
            worker = worker_context.new_page()
            worker.set_default_timeout(15000)
            sign_in(worker, app_server, "demo-worker", "/worker")
            wait_until_loaded(worker)
            worker.locator("#events-to-review").click()
            worker.wait_for_url("**/worker/events")
            wait_until_loaded(worker)
            assert_no_axe_violations(worker)
            worker.get_by_role("button", name="Tarkista tapahtuma Aino Virtanen").first.click()
            worker.get_by_role("button", name="Tallenna päätös").click()
            worker.locator("#decision-error").wait_for()
            worker.locator("#decision-error", has_text="Valitse hyväksy tai hylkää.").wait_for()
            assert_no_axe_violations(worker)
            worker.locator("#decision-approve").check()
            worker.get_by_role("button", name="Tallenna päätös").click()
            worker.get_by_text("Hyväksytty: Aino Virtanen", exact=False).wait_for()
        finally:
            worker_context.close()
        assert event_status(app_server, [waiting])[waiting] == "recorded"

        # 4. demo-provider-2 has no voucher of Aino and cannot see Kotihelmi's events.
        other_context = browser.new_context(viewport={"width": 360, "height": 740},
                                            locale="fi-FI")
        try:
            other = other_context.new_page()
            other.set_default_timeout(15000)
            sign_in(other, app_server, "demo-provider-2", "/provider/events/new")
            wait_until_loaded(other)
            assert other.locator("#f-voucher").count() == 0
            assert "Aino" not in other.locator("main").inner_text()
            other.goto(app_server.url(f"/provider/events?provider={kotihelmi}&month={month}"))
            wait_until_loaded(other)
            assert other.locator("main .notice-error").count() == 1
            assert "Aino" not in other.locator("main").inner_text()
            other.goto(app_server.url(f"/provider/events?month={month}"))
            wait_until_loaded(other)
            assert "Aino" not in other.locator("main").inner_text()
        finally:
            other_context.close()
    finally:
        # 5. demo-provider cancels both (a reason and a confirmation step): money as it was.
        page.goto(app_server.url(f"/provider/events?month={month}"))
        wait_until_loaded(page)
        for event_id in (evening, waiting):
            if event_status(app_server, [event_id])[event_id] == "cancelled":
                continue
            page.locator(f"#cancel-{event_id}").click()
            page.get_by_role("heading", name="Perutaanko tapahtuma?").wait_for()
            page.get_by_role("button", name="Kyllä, peru tapahtuma").click()
            page.locator("#f-reason-error").wait_for()
            assert_no_axe_violations(page)
            page.locator("#f-reason").fill("Testikirjaus")
            page.get_by_role("button", name="Kyllä, peru tapahtuma").click()
            page.get_by_text("Peruttu: Aino Virtanen", exact=False).wait_for()
        assert set(event_status(app_server, [waiting, evening]).values()) == {"cancelled"}
