"""demo-provider manages API tokens on /provider/api and sends a CSV file on
/provider/events/import; the token works against the running app's API until revoked."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlmodel import select

from hbapp.db import make_engine, read_session
from hbapp.models import Person, Provider, ServiceEvent, Voucher
from hbapp.services.access import load_actor
from hbapp.services.provider_events import cancel_event, local_now
from tests.browser.helpers import assert_no_axe_violations, sign_in, wait_until_loaded


def _kotihelmi(app_server):
    engine = make_engine(app_server.database_url)
    with read_session(engine) as session:
        provider = session.exec(select(Provider).where(
            Provider.name == "Saimaan Kotihelmi Oy")).one()
        voucher = session.exec(select(Voucher).where(Voucher.provider_id == provider.id,
                                                     Voucher.ended_at.is_(None))).one()
    return engine, provider.id, voucher.code


def test_a_token_is_shown_once_works_and_is_revoked(page, app_server):
    engine, _pid, _code = _kotihelmi(app_server)
    try:
        sign_in(page, app_server, "demo-provider", "/provider/api")
        wait_until_loaded(page)
        assert_no_axe_violations(page)
        page.locator("#f-label").fill("Kirjausjärjestelmä")
        page.locator("form button[type=submit]").click()
        token_field = page.locator("#new-token")
        token_field.wait_for()
        token = token_field.input_value()
        assert token.startswith("hbp_") and len(token) > 40
        assert_no_axe_violations(page)
        api = app_server.url("/api/provider/v1/vouchers")
        answer = httpx.get(api, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert answer.status_code == 200 and len(answer.json()["vouchers"]) == 1
        # Shown once: after "stored" or a new page load it is gone.
        page.get_by_role("button", name="Olen tallentanut sen").click()
        token_field.wait_for(state="detached")
        page.reload()
        wait_until_loaded(page)
        assert page.locator("#new-token").count() == 0
        assert token not in page.content()
        row = page.locator("li.token", has_text="Kirjausjärjestelmä")
        assert token[:12] in row.inner_text()
        row.get_by_role("button").click()
        page.get_by_role("heading", name="Perutaanko avain?").wait_for()
        assert_no_axe_violations(page)
        page.get_by_role("button", name="Kyllä, peru avain").click()
        page.locator("li.token-revoked", has_text="Kirjausjärjestelmä").wait_for()
        refused = httpx.get(api, headers={"Authorization": f"Bearer {token}",
                                          "Accept-Language": "sv"}, timeout=10)
        assert refused.status_code == 401
        assert refused.json()["error"]["message"].startswith("API-nyckeln")
    finally:
        engine.dispose()


def test_a_csv_with_one_good_and_one_bad_row_is_reported(page, app_server):
    engine, pid, code = _kotihelmi(app_server)
    day = local_now().date() - timedelta(days=2)
    text = ("voucher;service_code;start;end;date;units;km;external_id\n"
            f"{code};home_care;07:00;07:30;{day.day}.{day.month}.{day.year};;;browser-csv-1\n"
            f"{code};home_care;07:00;07:30;31.2.2026;;;browser-csv-2\n")
    try:
        sign_in(page, app_server, "demo-provider", "/provider/events/import")
        wait_until_loaded(page)
        assert_no_axe_violations(page)
        page.locator("input[type=file]").set_input_files(files=[{
            "name": "tapahtumat.csv", "mimeType": "text/csv", "buffer": text.encode("utf-8")}])
        page.locator(".chosen-file", has_text="tapahtumat.csv").wait_for()
        page.get_by_role("button", name="Lähetä tiedosto").click()
        page.locator("#import-result").wait_for()
        recorded = int(page.locator("#count-recorded").inner_text())
        review = int(page.locator("#count-review").inner_text())
        assert recorded + review == 1
        assert page.locator("#count-refused").inner_text() == "1"
        assert "Rivi 3" in page.locator(".refusal-list").inner_text()
        assert_no_axe_violations(page)
        with page.expect_download() as download:
            page.get_by_role("button", name="Lataa hylätyt rivit (CSV)").click()
        content = open(download.value.path(), encoding="utf-8-sig").read()
        assert content.splitlines()[0].endswith(";error")
        assert "browser-csv-2" in content and "browser-csv-1" not in content
    finally:
        # Leave the shared demo data as it was: cancel what this test recorded.
        with read_session(engine) as session:
            staff = session.exec(select(Person).where(
                Person.oidc_subject == "demo-provider")).one()
            actor = load_actor(session, staff.id)
            events = session.exec(select(ServiceEvent).where(
                ServiceEvent.external_id == "browser-csv-1")).all()
        for event in events:
            cancel_event(engine, provider_id=pid, event_id=event.id, reason="test",
                         actor=actor)
        engine.dispose()
