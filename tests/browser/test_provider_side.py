"""The provider's side in the browser: landing per role, vouchers, staff, the offer and prices.

The browser tests share one database: what a test adds (a staff member, a price) it removes.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import select

from hbapp.db import make_engine, read_session, write_session
from hbapp.models import (
    AuditLog,
    Person,
    PriceChangeRequest,
    Provider,
    ProviderPrice,
    ProviderStaff,
    Voucher,
)
from tests.browser.test_a11y_pwa import open_menu
from tests.browser.helpers import assert_no_axe_violations, sign_in, wait_until_loaded

KOTIHELMI = "Saimaan Kotihelmi Oy"
NEW_STAFF_CODE = "150385-951P"  # a valid temporary code nobody in the demo data has


def _db(app_server):
    return make_engine(app_server.database_url)


def _kotihelmi(app_server) -> tuple[int, str]:
    engine = _db(app_server)
    try:
        with read_session(engine) as session:
            provider = session.exec(select(Provider).where(Provider.name == KOTIHELMI)).one()
            code = session.exec(select(Voucher.code).where(
                Voucher.provider_id == provider.id, Voucher.ended_at.is_(None))).one()
            return provider.id, code
    finally:
        engine.dispose()


def _goto(page, app_server, path: str) -> None:
    page.goto(app_server.url(path))
    wait_until_loaded(page)


def test_each_role_lands_on_its_workspace(page, app_server):
    for subject, path in (("demo-provider", "/provider"), ("demo-worker", "/worker"),
                          ("demo-admin", "/admin/providers"), ("demo-client", "/"),
                          ("demo-relative", "/")):
        page.goto(app_server.url(f"/auth/login?login_hint={subject}"))
        page.wait_for_url(lambda url, p=path: url.rstrip("/") == app_server.url(p).rstrip("/"))
        wait_until_loaded(page)
    # The front page sends a signed-in non-client to their workspace too.
    sign_in(page, app_server, "demo-provider-2", "/help")
    wait_until_loaded(page)
    page.goto(app_server.url("/"))
    page.wait_for_url(re.compile(r".*/provider/?$"))
    wait_until_loaded(page)
    assert page.get_by_role("heading", name="Palveluntuottajan etusivu", level=1).is_visible()


def test_provider_sees_vouchers_keeps_offer_and_staff(page, app_server, browser):
    kotihelmi, voucher = _kotihelmi(app_server)
    page.goto(app_server.url("/auth/login?login_hint=demo-provider"))
    page.wait_for_url(re.compile(r".*/provider/?$"))
    wait_until_loaded(page)
    assert page.locator("#voucher-count").inner_text() == "1 voimassa oleva palveluseteli"
    assert page.locator("#provider-name").inner_text().endswith(KOTIHELMI)
    open_menu(page)  # on a phone the main menu is behind the Menu button
    nav = page.get_by_role("navigation", name="Päävalikko")
    for label in ("Asiakkaat ja palvelusetelit", "Tarjontamme", "Hinnat", "Henkilökunta"):
        assert nav.get_by_role("link", name=label).is_visible()
    assert_no_axe_violations(page)

    nav.get_by_role("link", name="Asiakkaat ja palvelusetelit").click()
    page.wait_for_url(re.compile(r".*/provider/clients/?$"))
    wait_until_loaded(page)
    row = page.locator("#active-vouchers tbody tr")
    assert row.count() == 1
    assert "Aino Virtanen" in row.inner_text() and voucher in row.inner_text()
    assert "140345" not in page.locator("main").inner_text()  # never the identity code
    assert_no_axe_violations(page)

    # The offer: a bad e-mail is refused with its message and nothing typed is lost.
    _goto(page, app_server, "/provider/profile")
    assert "ei ole vielä vahvistettu" in page.locator("#facts-confirmed").inner_text()
    page.locator("#f-opening_hours").fill("toimisto ma–pe 8–16, kotikäynnit joka päivä 7–21")
    page.locator("#f-email").fill("kotihoito-at-kotihelmi")
    page.locator("#save-profile").click()
    page.locator("#profile-errors").wait_for()
    assert "sähköpostiosoite" in page.locator("#f-email-error").inner_text()
    assert page.locator("#f-email").input_value() == "kotihoito-at-kotihelmi"
    assert_no_axe_violations(page)
    page.locator("#f-email").fill("kotihoito@kotihelmi.example")
    page.locator("#save-profile").click()
    page.locator("#profile-notice").wait_for()
    day = datetime.now(ZoneInfo("Europe/Helsinki")).date()  # the date shown is Finnish time
    today_fi = f"{day.day}.{day.month}.{day.year}"
    assert today_fi in page.locator("#facts-confirmed").inner_text()
    page.locator("#confirm-profile").click()
    page.get_by_text("Tiedot vahvistettiin sellaisinaan.").wait_for()

    # Staff: a new person by identity code (linked at their first sign-in), then removed.
    _goto(page, app_server, "/provider/staff")
    page.locator("#f-identity_code").fill(NEW_STAFF_CODE)
    page.get_by_role("button", name="Lisää henkilökuntaan").click()
    page.locator("#f-name-error.field-error").wait_for()
    assert "Anna myös nimi" in page.locator("#f-name-error").inner_text()
    page.locator("#f-name").fill("Testi Hoitaja")
    page.get_by_role("button", name="Lisää henkilökuntaan").click()
    page.locator("#staff-notice").wait_for()
    card = page.locator("#staff-list li").filter(has_text="Testi Hoitaja")
    assert "Ei ole vielä kirjautunut" in card.inner_text()
    assert_no_axe_violations(page)
    # The last main user cannot be removed.
    me = page.locator("#staff-list li").filter(has_text="Hanna Hoivaaja")
    me.get_by_role("button", name="Poista").click()
    page.get_by_text("vähintään yksi pääkäyttäjä").wait_for()
    card.get_by_role("button", name="Poista").click()
    page.get_by_text("Testi Hoitaja poistettiin henkilökunnasta.").wait_for()

    # demo-client sees the confirmed date on the provider's page and the voucher on /budget.
    client = browser.new_context(viewport={"width": 360, "height": 740}, locale="fi-FI")
    try:
        other = client.new_page()
        sign_in(other, app_server, "demo-client", f"/providers/{kotihelmi}")
        wait_until_loaded(other)
        assert other.locator("#facts-confirmed").inner_text() == f"Tiedot vahvistettu {today_fi}"
        _goto(other, app_server, "/budget")
        assert voucher in other.locator("main").inner_text()
    finally:
        client.close()
        engine = _db(app_server)
        try:
            with write_session(engine) as session:
                person = session.exec(select(Person).where(
                    Person.identity_code == NEW_STAFF_CODE)).first()
                if person is not None:
                    session.exec(sa.delete(ProviderStaff).where(
                        ProviderStaff.person_id == person.id))
                    session.delete(person)
        finally:
            engine.dispose()


def test_price_request_approved_by_the_administrator(page, app_server, browser):
    kotihelmi, _ = _kotihelmi(app_server)
    start = date.today() + timedelta(days=20)
    sign_in(page, app_server, "demo-provider", "/provider/prices")
    wait_until_loaded(page)
    assert page.locator("#price-table tbody tr").count() >= 4
    assert_no_axe_violations(page)
    page.locator("#f-service").select_option("home_care")
    page.locator("#f-band").select_option("saturday")
    page.locator("#f-price").fill("47,9")
    page.locator("#f-effective_from-day").fill(str(start.day))
    page.locator("#f-effective_from-month").fill(str(start.month))
    page.locator("#f-effective_from-year").fill(str(start.year))
    page.get_by_role("button", name="Lähetä pyyntö").click()
    page.locator("#price-notice").wait_for()
    assert "Odottaa hyväksymistä" in page.locator("#price-requests").inner_text()

    admin = browser.new_context(viewport={"width": 360, "height": 740}, locale="fi-FI")
    try:
        other = admin.new_page()
        sign_in(other, app_server, "demo-admin", "/admin/price-requests")
        wait_until_loaded(other)
        card = other.locator("#pending-requests li").filter(has_text=KOTIHELMI)
        assert "47,90" in card.inner_text()
        assert_no_axe_violations(other)
        card.get_by_text("Hyväksy", exact=True).click()
        card.get_by_role("button", name="Tallenna päätös").click()
        other.locator("#price-request-notice").wait_for()

        _goto(page, app_server, "/provider/prices")
        assert "Hyväksytty" in page.locator("#price-requests").inner_text()
        assert "47,90" in page.locator("#price-table").inner_text()  # coming, from its date
    finally:
        admin.close()
        engine = _db(app_server)
        try:
            with write_session(engine) as session:
                session.exec(sa.delete(ProviderPrice).where(
                    ProviderPrice.provider_id == kotihelmi, ProviderPrice.valid_from == start))
                session.exec(sa.delete(PriceChangeRequest).where(
                    PriceChangeRequest.provider_id == kotihelmi))
        finally:
            engine.dispose()


def test_other_provider_sees_no_aino_and_is_refused_her_provider(page, app_server):
    kotihelmi, voucher = _kotihelmi(app_server)
    sign_in(page, app_server, "demo-provider-2", "/provider/clients")
    wait_until_loaded(page)
    assert page.locator("#no-vouchers").is_visible()
    assert "Aino" not in page.locator("main").inner_text()
    _goto(page, app_server, f"/provider/clients?provider={kotihelmi}")
    assert page.get_by_text("Tämä sivu on tämän palveluntuottajan henkilökunnalle.").is_visible()
    assert voucher not in page.locator("main").inner_text()
    _goto(page, app_server, f"/provider/staff?provider={kotihelmi}")
    assert page.locator("#staff-list").count() == 0
    engine = _db(app_server)
    try:
        with read_session(engine) as session:
            person = session.exec(select(Person).where(
                Person.oidc_subject == "demo-provider-2")).one()
            refusals = [json.loads(a.details) for a in session.exec(select(AuditLog).where(
                AuditLog.actor_person_id == person.id, AuditLog.action == "refused")).all()]
        assert {"reason": "not_provider_staff", "provider_id": kotihelmi,
                "operation": "provider_home.provider_vouchers"} in refusals
    finally:
        engine.dispose()
