"""Month end in the browser: the client downloads last month's statement as PDF and CSV from
/budget; the administrator closes the month before; the provider sees the settlement."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from pypdf import PdfReader

from hbapp.domain.ledger import add_months, month_start
from hbapp.i18n import Translator
from tests.browser.helpers import assert_no_axe_violations, sign_in, wait_until_loaded
from tests.browser.test_client_budget import ledger_month

LAST_MONTH = add_months(month_start(date.today()), -1)
# The month the administrator closes: the one before last, so that other browser tests (which
# share the database and record or cancel events of the last weeks, also on the 1st of a month)
# never meet a settled month.
CLOSED_MONTH = add_months(LAST_MONTH, -1)


def download(page, button_id: str, tmp_path) -> Path:
    """Read the file a download button asks for, as the browser would get it.

    The request is built from the button's form (its action and fields) and sent with the
    browser's cookies through Playwright's request API: Playwright's download event does not
    arrive reliably with the Debian Chromium these tests run on (156, newer than Playwright's
    own build), so the file is fetched rather than caught from the click.
    """
    form = page.locator(f"#{button_id}").locator("xpath=ancestor::form")
    assert form.get_attribute("method") == "get"
    fields = form.locator("input[type=hidden]")
    query = "&".join(f"{fields.nth(i).get_attribute('name')}={fields.nth(i).get_attribute('value')}"
                     for i in range(fields.count()))
    response = page.context.request.get(app_url(page, form.get_attribute("action") + "?" + query),
                                        timeout=60_000)
    assert response.status == 200, response.text()
    assert "attachment" in response.headers["content-disposition"]
    target = tmp_path / response.headers["content-disposition"].split('filename="')[1][:-1]
    target.write_bytes(response.body())
    return target


def app_url(page, path: str) -> str:
    from urllib.parse import urljoin

    return urljoin(page.url, path)


def test_client_downloads_last_months_statement(page, app_server, tmp_path):
    month = ledger_month(app_server, "demo-client", LAST_MONTH)
    assert month.events
    t = Translator("fi")
    sign_in(page, app_server, "demo-client", "/budget")
    page.goto(app_server.url(f"/budget?month={LAST_MONTH:%Y-%m}"))
    wait_until_loaded(page)
    assert page.locator("#statement-pdf").is_visible()
    assert_no_axe_violations(page)

    pdf = PdfReader(download(page, "statement-pdf", tmp_path))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert month.decision_reference in text
    assert "Saimaan Kotihelmi Oy" in text
    assert " ".join(t.money(month.statement.used_cents).split()) in text
    for event in [e for e in month.events if e.counted]:
        assert t.date(event.started_at, "short") in text

    with open(download(page, "statement-csv", tmp_path), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header = next(i for i, row in enumerate(rows) if row and row[0] == t("Date"))
    assert len(rows[header + 1:]) == len([e for e in month.events if e.counted])
    assert any(row[4] == "Saimaan Kotihelmi Oy" for row in rows[header + 1:])
    assert [t("Decision"), month.decision_reference] in rows


def test_admin_closes_a_month_and_provider_sees_it(page, app_server, tmp_path):
    sign_in(page, app_server, "demo-admin", "/admin/settlements")
    wait_until_loaded(page)
    page.goto(app_server.url(f"/admin/settlements?month={CLOSED_MONTH:%Y-%m}"))
    wait_until_loaded(page)
    label = Translator("fi").month(CLOSED_MONTH)
    assert page.locator("#month-heading").inner_text() == label
    assert_no_axe_violations(page)
    if page.locator("#start-close").count():  # not closed by an earlier run of the suite
        page.locator("#start-close").click()
        page.locator("#confirm-close").wait_for()
        assert_no_axe_violations(page)
        page.locator("#confirm-close").click()
        page.locator("#settlement-notice").wait_for()
    page.get_by_text("Kuukausi on suljettu.").wait_for()
    assert "Saimaan Kotihelmi Oy" in page.locator("#settlement-list").inner_text()
    with open(download(page, "ap-csv", tmp_path), encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert any(row["provider"] == "Saimaan Kotihelmi Oy" and row["month"] ==
               f"{CLOSED_MONTH:%Y-%m}" and "." in row["payable_eur"] for row in rows)

    page.context.clear_cookies()
    sign_in(page, app_server, "demo-provider", "/provider/settlements")
    wait_until_loaded(page)
    listing = page.locator("#provider-settlements")
    listing.get_by_text(label).first.wait_for()
    assert_no_axe_violations(page)
    page.get_by_role("button", name=f"Näytä rivit {label}").click()
    page.locator("#settlement-rows").wait_for()
    rows_text = page.locator("#settlement-rows").inner_text()
    assert "Aino Virtanen" in rows_text
    assert "140345-9025" not in page.content()  # never an identity code
    assert_no_axe_violations(page)
