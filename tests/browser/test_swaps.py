"""Swapping services in the browser: demo-client swaps within the rules (applies at once, the
budget shows it), sends an over-limit request that demo-worker approves on /worker/swaps, sees
it approved, and finally cancels both swaps so the shared database is as it was."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hbapp.i18n import Translator
from tests.browser.helpers import assert_no_axe_violations, sign_in, wait_until_loaded
from tests.browser.test_client_budget import ledger_month


def granted(app_server, code: str):
    month = ledger_month(app_server, "demo-client", date.today())
    return next(line for line in month.statement.lines if line.service_code == code), month


def choose_swap(page, from_code: str, to_code: str) -> None:
    page.get_by_role("button", name="Aloita vaihto").click()
    page.locator(f"#from-{from_code}").check()
    page.get_by_role("button", name="Jatka").click()
    page.locator(f"#to-{to_code}").check()
    page.get_by_role("button", name="Jatka").click()


def test_swap_apply_request_approve_and_cancel(page, app_server, browser):
    t = Translator("fi")
    cleaning_before, month_before = granted(app_server, "cleaning")
    home_care_before, _ = granted(app_server, "home_care")

    sign_in(page, app_server, "demo-client", "/swap")
    wait_until_loaded(page)
    assert page.get_by_role("heading", level=1, name="Vaihda palveluja").is_visible()
    assert_no_axe_violations(page)

    # 1. Within the rules: 1 h of home care into cleaning applies at once.
    choose_swap(page, "home_care", "cleaning")
    amount = page.get_by_label("Paljonko vaihdat palvelua: Kotihoito?")
    amount.fill("0")
    page.get_by_role("button", name="Näytä, mitä saan").click()
    error = page.locator("#amount-error")
    error.wait_for()
    assert "Kirjoita määrä, joka on suurempi kuin nolla." in error.inner_text()
    assert amount.input_value() == "0"  # nothing typed is lost
    assert "amount-error" in amount.get_attribute("aria-describedby")
    assert_no_axe_violations(page)
    amount.fill("1")
    page.get_by_role("button", name="Näytä, mitä saan").click()
    summary = page.locator("#swap-summary")
    summary.wait_for()
    assert "Siivous" in summary.inner_text() and "39,90" in summary.inner_text()
    assert page.get_by_text("Vaihto on sääntöjen mukainen. Se tulee voimaan heti.").is_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Jatka").click()
    page.get_by_role("heading", name="Tarkista tiedot ennen vaihtoa").wait_for()
    assert_no_axe_violations(page)
    page.locator("#confirm-swap").click()
    page.get_by_role("heading", name="Valmis: vaihto on tehty").wait_for()
    assert_no_axe_violations(page)

    cleaning_after, month_after = granted(app_server, "cleaning")
    assert cleaning_after.granted_units == cleaning_before.granted_units + Decimal("1.14")
    assert month_after.statement.budget_cents == month_before.statement.budget_cents
    page.get_by_role("link", name="Katso budjettisi").click()
    page.wait_for_url(app_server.url("/budget") + "**")
    wait_until_loaded(page)
    card = page.locator(".card", has=page.get_by_role("heading", name="Siivous", exact=True))
    assert t.quantity(cleaning_after.granted_units, "hour") in card.inner_text()

    # 2. Over the automatic limit: a request to the case worker.
    page.goto(app_server.url("/swap"))
    wait_until_loaded(page)
    choose_swap(page, "home_care", "cleaning")
    page.get_by_label("Paljonko vaihdat palvelua: Kotihoito?").fill("1,5")
    page.get_by_role("button", name="Näytä, mitä saan").click()
    page.get_by_text("Asiakasohjaajan pitää hyväksyä tämä vaihto.", exact=False).first.wait_for()
    page.get_by_role("button", name="Jatka").click()
    page.get_by_role("button", name="Lähetä pyyntö").click()
    page.get_by_role("heading", name="Lähetetty asiakasohjaajalle hyväksyttäväksi").wait_for()
    assert granted(app_server, "cleaning")[0].granted_units == cleaning_after.granted_units

    # 3. The case worker approves it.
    worker_context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fi-FI")
    try:
        worker = worker_context.new_page()
        worker.set_default_timeout(15000)
        sign_in(worker, app_server, "demo-worker", "/worker/swaps")
        wait_until_loaded(worker)
        assert_no_axe_violations(worker)
        request = worker.locator(".swap-card", has_text="Aino Virtanen")
        assert request.count() == 1
        request.get_by_role("button", name="Käsittele pyyntö").click()
        worker.locator("#decision-decline").check()
        worker.get_by_role("button", name="Tallenna päätös").click()
        worker.locator("#reason-error").wait_for()
        assert "Kirjoita, miksi hylkäät" in worker.locator("#reason-error").inner_text()
        assert_no_axe_violations(worker)
        worker.locator("#decision-approve").check()
        worker.get_by_role("button", name="Tallenna päätös").click()
        worker.get_by_text("Hyväksytty: Aino Virtanen", exact=False).wait_for()
        assert worker.locator(".swap-card", has_text="Aino Virtanen").count() == 0
    finally:
        worker_context.close()
    approved, _ = granted(app_server, "cleaning")
    assert approved.granted_units > cleaning_after.granted_units

    # 4. The client sees it approved, then cancels both swaps (restoring the demo data).
    page.goto(app_server.url("/swap"))
    wait_until_loaded(page)
    first = page.locator(".swap-card").first
    assert "Asiakasohjaaja hyväksyi" in first.inner_text()
    assert_no_axe_violations(page)
    for _ in range(2):
        page.locator(".swap-card").get_by_role("button", name="Peru tämä vaihto").first.click()
        page.get_by_role("heading", name="Haluatko perua tämän vaihdon?").wait_for()
        assert_no_axe_violations(page)
        page.get_by_role("button", name="Kyllä, peru vaihto").click()
        page.get_by_text("Vaihto on peruttu.").wait_for()
    restored, month_restored = granted(app_server, "cleaning")
    assert restored.granted_units == cleaning_before.granted_units
    assert granted(app_server, "home_care")[0].granted_units == home_care_before.granted_units
    assert month_restored.statement.budget_cents == month_before.statement.budget_cents


def test_view_only_relative_cannot_start_a_swap(page, app_server):
    sign_in(page, app_server, "demo-relative-view", "/swap")
    wait_until_loaded(page)
    assert page.get_by_text("Voit katsoa vaihtoja, mutta et voi tehdä niitä.").is_visible()
    assert page.get_by_role("button", name="Aloita vaihto").count() == 0
    assert_no_axe_violations(page)


def test_client_cannot_open_worker_swaps(page, app_server):
    sign_in(page, app_server, "demo-client", "/worker/swaps")
    wait_until_loaded(page)
    assert page.get_by_text("Tämä sivu on työntekijöille.").is_visible()
