"""Swapping services in the browser: demo-client swaps within the rules (applies at once, the
budget shows it), sends an over-limit request that demo-worker approves on /worker/swaps, sees
it approved, and finally cancels both swaps so the shared database is as it was.

Money agrees with itself (issue 12 A): what the preview says is left after a swap is exactly what
the budget page and the home page say after confirming; the history says what was confirmed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hbapp.i18n import Translator
from tests.browser.helpers import assert_no_axe_violations, sign_in, wait_until_loaded
from hbapp.views.budget import line_texts
from tests.browser.test_client_budget import ledger_month


def granted(app_server, code: str):
    month = ledger_month(app_server, "demo-client", date.today())
    return next(line for line in month.statement.lines if line.service_code == code), month


def this_month() -> str:
    return date.today().strftime("%Y-%m")


def choose_month(page, value: str | None = None) -> None:
    """The first step when the budget covers next month too: this month unless told."""
    page.locator("#month-" + (value or this_month())).check()
    page.locator("main form button[type=submit]").click()


def choose_swap(page, from_code: str, to_code: str) -> None:
    page.get_by_role("button", name="Aloita vaihto").click()
    choose_month(page)
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
    assert "Siivous" in summary.inner_text() and "35,00" in summary.inner_text()
    assert page.get_by_text("Vaihto on sääntöjen mukainen. Se tulee voimaan heti.").is_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Jatka").click()
    page.get_by_role("heading", name="Tarkista tiedot ennen vaihtoa").wait_for()
    assert_no_axe_violations(page)
    page.locator("#confirm-swap").click()
    page.get_by_role("heading", name="Valmis: vaihto on tehty").wait_for()
    assert_no_axe_violations(page)

    cleaning_after, month_after = granted(app_server, "cleaning")
    home_care_after, _ = granted(app_server, "home_care")
    moved = home_care_before.value_cents - home_care_after.value_cents
    assert moved == home_care_before.unit_charge_cents  # one hour at the chosen provider's price
    assert cleaning_after.value_cents == cleaning_before.value_cents + moved
    assert month_after.statement.budget_cents == month_before.statement.budget_cents
    page.get_by_role("link", name="Katso budjettisi").click()
    page.wait_for_url(app_server.url("/budget") + "**")
    wait_until_loaded(page)
    card = page.locator(".card", has=page.get_by_role("heading", name="Siivous", exact=True))
    assert t.money(cleaning_after.value_cents) in card.inner_text()

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
    assert granted(app_server, "cleaning")[0].value_cents == cleaning_after.value_cents

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
    assert approved.value_cents > cleaning_after.value_cents

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
    assert restored.value_cents == cleaning_before.value_cents
    assert granted(app_server, "home_care")[0].value_cents == home_care_before.value_cents
    assert month_restored.statement.budget_cents == month_before.statement.budget_cents


def _line(app_server, subject: str, code: str):
    month = ledger_month(app_server, subject, date.today())
    return month, next(b for b in month.statement.lines if b.service_code == code)


def _swap_and_compare(page, app_server, subject, from_code, to_code, refused, amount, lang):
    """Preview a swap, confirm it, and check that the preview, /budget, / and the history say
    the same; then cancel it so the shared demo data is as it was."""
    t = Translator(lang)
    sign_in(page, app_server, subject, "/swap")
    wait_until_loaded(page)
    page.locator("#start-swap").click()
    choose_month(page)
    page.locator(f"#from-{from_code}").check()
    page.locator("main form button[type=submit]").click()
    page.locator(f"#to-{to_code}").check()
    page.locator("main form button[type=submit]").click()
    field = page.locator("#amount")
    if refused is not None:
        field.fill(refused)  # a day cannot be split
        page.locator("main form button[type=submit]").click()
        page.locator("#amount-error").wait_for()
        assert t("This service is swapped in whole units. Enter a whole number, for example "
                 "{example}.", example=t.quantity(Decimal(1), "day")) in \
            page.locator("#amount-error").inner_text()
    field.fill(amount)
    page.locator("main form button[type=submit]").click()
    page.locator("#swap-summary").wait_for()
    preview_after = page.locator(".fact-list li").all_inner_texts()
    assert_no_axe_violations(page)
    page.locator("#to-check").click()
    page.locator("#confirm-swap").wait_for()
    asked = page.locator("#check-asked").inner_text()
    gets = page.locator("#check-gets").inner_text()
    page.locator("#confirm-swap").click()
    page.locator(".notice-success").wait_for()

    # What the preview said is left is what the saved ledger says, word for word.
    month, _ = _line(app_server, subject, from_code)
    texts = {b.service_code: line_texts(t, month, b) for b in month.statement.lines}
    expected = [t("{service}: {amount} left, {buys}", service=texts[code]["name"],
                  amount=texts[code]["remaining_money"], buys=texts[code]["buys"])
                if texts[code]["buys"] else
                t("{service}: {amount} left", service=texts[code]["name"],
                  amount=texts[code]["remaining_money"])
                for code in (from_code, to_code)]
    assert preview_after == expected
    # The budget page and the home page say the same.
    page.goto(app_server.url("/budget"))
    wait_until_loaded(page)
    for code in (from_code, to_code):
        card = page.locator(".card", has=page.get_by_role("heading", name=texts[code]["name"],
                                                          exact=True))
        assert texts[code]["remaining_money"] in card.inner_text()
        assert texts[code]["buys"] in card.inner_text()
    page.goto(app_server.url("/"))
    wait_until_loaded(page)
    for code in (from_code, to_code):
        card = page.locator(".card", has=page.get_by_role("heading", name=texts[code]["name"],
                                                          exact=True))
        assert texts[code]["left"] in card.inner_text()

    # The history says what was confirmed; then the swap is cancelled again.
    page.goto(app_server.url("/swap"))
    wait_until_loaded(page)
    first = page.locator(".swap-card").first
    history = first.inner_text()
    assert asked in history and gets.split(" (")[0] in history
    assert gets.split(" (")[1].rstrip(")") in history  # the money moved
    first.get_by_role("button").click()
    page.locator("main .button-row button").first.click()
    page.locator(".notice-success").wait_for()
    return history


def test_carers_leave_into_home_care_agrees_everywhere(page, app_server):
    # The case: 0,5 days is refused (days are whole); 1 day is swapped.
    _, before = _line(app_server, "demo-client", "carers_leave")
    _swap_and_compare(page, app_server, "demo-client", "carers_leave", "home_care", "0,5", "1",
                      "fi")
    _, after = _line(app_server, "demo-client", "carers_leave")
    assert after.value_cents == before.value_cents


def test_day_activity_into_transport_agrees_everywhere_in_swedish(page, app_server):
    _, before = _line(app_server, "demo-client-2", "day_activity")
    history = _swap_and_compare(page, app_server, "demo-client-2", "day_activity", "transport",
                                None, "1", "sv")
    _, after = _line(app_server, "demo-client-2", "day_activity")
    assert after.value_cents == before.value_cents
    assert "dag" in history


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


def test_hours_left_are_the_same_on_home_and_providers(page, app_server):
    # Bengt's personal assistance: the home page and the providers page derive the hours from
    # the same money at the chosen provider's price, so they say the same (issue 12 A2).
    t = Translator("sv")
    month, line = _line(app_server, "demo-client-2", "personal_assistance")
    texts = line_texts(t, month, line)
    sign_in(page, app_server, "demo-client-2", "/")
    wait_until_loaded(page)
    card = page.locator(".card", has=page.get_by_role("heading", name=texts["name"], exact=True))
    assert texts["left"] in card.inner_text()
    quantity = t.quantity(line.remaining_buys, "hour")
    assert quantity in card.inner_text()
    page.goto(app_server.url("/providers?service=personal_assistance"))
    wait_until_loaded(page)
    chosen = page.locator(".offer-chosen")
    assert t("Your {amount} buys {quantity}", amount=t.money(line.remaining_cents),
             quantity=quantity) in chosen.inner_text()


def test_the_phones_back_button_goes_one_step_back_and_keeps_the_answers(page, app_server):
    # Issue 18.2: each step has an address; Back returns one step with what was entered.
    sign_in(page, app_server, "demo-client", "/swap")
    wait_until_loaded(page)
    page.locator("#start-swap").click()
    choose_month(page)
    page.locator("#from-home_care").check()
    page.locator("main form button[type=submit]").click()
    page.locator("#to-cleaning").check()
    page.locator("main form button[type=submit]").click()
    page.locator("#amount").fill("1,5")
    page.locator("main form button[type=submit]").click()
    page.locator("#swap-summary").wait_for()
    assert "step=preview" in page.url
    page.go_back()
    page.locator("#amount").wait_for()
    assert page.locator("#amount").input_value() == "1,5"
    page.go_back()
    page.locator("#to-cleaning").wait_for()
    assert page.locator("#to-cleaning").is_checked()
    page.go_back()
    page.locator("#from-home_care").wait_for()
    assert page.locator("#from-home_care").is_checked()
    assert_no_axe_violations(page)
    # Forward again, then the in-page Back link behaves the same way.
    page.go_forward()
    page.locator("#to-cleaning").wait_for()
    page.locator("main form button[type=submit]").click()
    page.locator("#amount").wait_for()
    assert page.locator("#amount").input_value() == "1,5"
    page.locator("main button.back-link").click()
    page.locator("#to-cleaning").wait_for()
    page.go_back()
    page.go_back()
    page.locator("#month-" + this_month()).wait_for()
    page.go_back()
    page.locator("#start-swap").wait_for()  # the list: the answers are forgotten there
    assert "step=" not in page.url


def test_a_swap_for_next_month(page, app_server):
    # Issue 18.9: on the last days of a month a swap that needs approval is useless; next
    # month is offered too, and the swap changes next month's budget, not this month's.
    next_month = date.today().replace(day=28) + timedelta(days=5)
    next_value = next_month.strftime("%Y-%m")
    month_now, line_now = _line(app_server, "demo-client", "home_care")
    before = ledger_month(app_server, "demo-client", next_month.replace(day=1))
    sign_in(page, app_server, "demo-client", "/swap")
    wait_until_loaded(page)
    page.locator("#start-swap").click()
    page.locator("#month-" + next_value).wait_for()  # the step's own address has loaded
    assert_no_axe_violations(page)
    choose_month(page, next_value)
    page.locator("#from-home_care").check()
    page.locator("main form button[type=submit]").click()
    page.locator("#to-cleaning").check()
    page.locator("main form button[type=submit]").click()
    page.locator("#amount").fill("1")
    page.locator("main form button[type=submit]").click()
    page.locator("#to-check").click()
    assert Translator("fi").month(next_month) in page.locator(".summary-list").inner_text()
    page.locator("#confirm-swap").click()
    page.locator(".notice-success").wait_for()
    after = ledger_month(app_server, "demo-client", next_month.replace(day=1))
    moved = {b.service_code: b.value_cents for b in after.statement.lines}
    was = {b.service_code: b.value_cents for b in before.statement.lines}
    assert moved["cleaning"] - was["cleaning"] == was["home_care"] - moved["home_care"] > 0
    assert _line(app_server, "demo-client", "home_care")[1].value_cents == line_now.value_cents
    # Cancel it again for the other tests.
    page.goto(app_server.url("/swap"))
    wait_until_loaded(page)
    page.locator(".swap-card").first.get_by_role("button").click()
    page.locator("main .button-row button").first.click()
    page.locator(".notice-success").wait_for()
