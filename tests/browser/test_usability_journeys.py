"""Issue 18, items 3, 4, 7 and 10, walked at 360 × 740 by the role named, axe clean.

- 3: the administrator suspends Aino's cleaning provider with a reason after seeing the affected
  clients; Aino's home names it with the notice and its page keeps the contact details (fi, sv,
  en); it is no longer offered;
- 4: the check page shows every time band's price and Aino's self-pay; a provider that takes no
  new clients is refused with the reason (fi, sv, en); the list shows the bands;
- 7: the case worker records contact with the provider and resolves a flag with a note; the
  alert clears;
- 10: the caseload search, the history of decided swaps, ended mandates as history.

The browser tests share one database: what a test changes is put back in `finally`.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import delete, select

from hbapp.db import make_engine, read_session, write_session
from hbapp.i18n import Translator
from hbapp.models import (
    ApprovalStatus, Budget, BudgetLine, Client, Feedback, Mandate, MandateSource, MandateStatus,
    Message, Person, Provider, ServiceType, SwapRequest, SwapStatus,
)
from tests.browser.helpers import assert_no_axe_violations, sign_in, wait_until_loaded
from tests.browser.test_a11y_pwa import person_preferences, restore_preferences
from tests.browser.test_phone_layout import switch_language_by_menu

FI = Translator("fi")
CASE_WORKER_WORD = {"fi": "Omatyöntekijäsi", "sv": "kontaktperson", "en": "case worker"}
TEXTS = {lang: Translator(lang) for lang in ("fi", "sv", "en")}


def engine_of(app_server):
    return make_engine(app_server.database_url)


def provider_id(app_server, name: str) -> int:
    engine = engine_of(app_server)
    try:
        with read_session(engine) as session:
            return session.exec(select(Provider.id).where(Provider.name == name)).one()
    finally:
        engine.dispose()


def client_id(app_server, first_name: str) -> int:
    engine = engine_of(app_server)
    try:
        with read_session(engine) as session:
            return session.exec(select(Client.id).where(Client.first_name == first_name)).one()
    finally:
        engine.dispose()


# ----------------------------------------------------------------------------- item 3


def test_suspending_a_provider_keeps_its_clients_informed(browser, page, app_server):
    name = "Siivouspalvelu Puhdas Pirtti Oy"
    pirtti = provider_id(app_server, name)
    reason = "Valvontakäynnillä havaittiin puutteita."
    original = person_preferences(app_server, "demo-client")
    try:
        sign_in(page, app_server, "demo-admin", "/admin/providers")
        wait_until_loaded(page)
        page.get_by_role("button", name=f"{FI('Suspend…')} {name}").click()
        page.locator("#affected-clients").wait_for()
        assert "Aino Virtanen" in page.locator("#affected-clients").inner_text()
        assert_no_axe_violations(page)
        # No reason: refused, nothing written.
        page.get_by_role("button", name=FI("Suspend the provider")).click()
        page.locator("#suspend-error").wait_for()
        assert page.get_by_label(FI("Reason for the suspension")).get_attribute(
            "aria-invalid") == "true"
        page.get_by_label(FI("Reason for the suspension")).fill(reason)
        page.get_by_role("button", name=FI("Suspend the provider")).click()
        page.locator("#admin-status").filter(has_text=name).wait_for()
        assert_no_axe_violations(page)

        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fi-FI")
        try:
            aino = context.new_page()
            aino.set_default_timeout(15000)
            sign_in(aino, app_server, "demo-client")
            wait_until_loaded(aino)
            for lang in ("fi", "sv", "en"):
                t = TEXTS[lang]
                switch_language_by_menu(aino, lang)
                aino.goto(app_server.url("/"))
                wait_until_loaded(aino)
                notice = aino.locator("[data-provider-suspended]")
                notice.wait_for()
                assert CASE_WORKER_WORD[lang] in notice.inner_text()
                aino.get_by_role("link", name=name).click()
                aino.wait_for_url(f"**/providers/{pirtti}")
                wait_until_loaded(aino)
                box = aino.locator("#provider-suspended")
                box.wait_for()
                assert t("This provider has been suspended") in box.inner_text()
                assert reason in box.inner_text()
                assert aino.locator("a[href^='tel:']").first.is_visible()
                # It is no longer offered: nothing can be chosen on its page.
                assert aino.locator("a[href^='/choose-provider']").count() == 0
                assert_no_axe_violations(aino)
            # Feedback stays open for it.
            aino.goto(app_server.url("/feedback"))
            wait_until_loaded(aino)
            aino.get_by_text(name).first.wait_for()
        finally:
            context.close()
    finally:
        restore_preferences(app_server, "demo-client", *original)
        engine = engine_of(app_server)
        try:
            with write_session(engine) as session:
                provider = session.get(Provider, pirtti)
                provider.approval_status = ApprovalStatus.APPROVED.value
                provider.suspended_at, provider.suspended_reason = None, ""
                provider.suspended_by_person_id = None
                session.add(provider)
                session.exec(delete(Message).where(Message.kind.in_(
                    ("provider_suspended", "provider_suspended_worker"))))
        finally:
            engine.dispose()


# ----------------------------------------------------------------------------- item 4


def test_check_page_shows_every_band_and_full_providers_are_refused(page, app_server):
    imatra = provider_id(app_server, "Imatran Hoivapalvelu Vuoksi Oy")
    full = provider_id(app_server, "Kotihoito Kaislaranta Oy")
    original = person_preferences(app_server, "demo-client")
    try:
        sign_in(page, app_server, "demo-client")
        wait_until_loaded(page)
        for lang in ("fi", "sv", "en"):
            t = TEXTS[lang]
            switch_language_by_menu(page, lang)
            page.goto(app_server.url(f"/choose-provider?provider={imatra}&service=home_care"))
            wait_until_loaded(page)
            table = page.locator("#band-prices")
            table.wait_for()
            assert table.locator("tbody tr").count() == 4
            sunday = table.locator("tr[data-band=sunday_holiday]").inner_text()
            assert t("none") not in sunday  # 49,00 €/h is above the 39,90 € value
            assert t("none") in table.locator("tr[data-band=weekday_day]").inner_text()
            assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
            assert_no_axe_violations(page)

            page.goto(app_server.url(f"/choose-provider?provider={full}&service=home_care"))
            wait_until_loaded(page)
            refused = page.locator("#choice-refused")
            refused.wait_for()
            assert "Kotihoito Kaislaranta Oy" in refused.inner_text()
            assert page.get_by_role("button", name=t("Confirm choice")).count() == 0
            assert_no_axe_violations(page)

            page.goto(app_server.url("/providers?service=home_care"))
            wait_until_loaded(page)
            card = page.locator(".offer").filter(has_text="Saimaan Kotihelmi Oy")
            assert card.locator(".band-prices [data-band]").count() == 4
            assert_no_axe_violations(page)
    finally:
        restore_preferences(app_server, "demo-client", *original)


# ----------------------------------------------------------------------------- item 7


def test_worker_contacts_the_provider_and_resolves_a_flag(page, app_server):
    engine = engine_of(app_server)
    try:
        with read_session(engine) as session:
            seeded = session.exec(select(Feedback).where(
                Feedback.flag.is_not(None), Feedback.flag_handled_at.is_(None))
                .order_by(Feedback.id)).first()
            flag_id = seeded.id
            # The count is of clients: it drops only if this was the client's last open flag.
            others = len(session.exec(select(Feedback.id).where(
                Feedback.client_id == seeded.client_id, Feedback.id != flag_id,
                Feedback.flag.is_not(None), Feedback.flag_handled_at.is_(None))).all())
    finally:
        engine.dispose()
    try:
        sign_in(page, app_server, "demo-worker", "/worker")
        wait_until_loaded(page)
        before = int(page.locator(".alert-count[data-kind=feedback_flag] dd").inner_text())
        assert before >= 1
        page.goto(app_server.url("/worker/providers"))
        wait_until_loaded(page)
        card = page.locator(f"[data-flag-id='{flag_id}']")
        card.wait_for()
        assert card.locator("a[href^='tel:']").count() == 1
        card.get_by_role("button", name=FI("I contacted the provider"), exact=False).click()
        card.locator(".flag-contacted").wait_for()
        assert "Sari Mäkinen" in card.locator(".flag-contacted").inner_text()
        # Resolving needs a note.
        card.get_by_role("button", name=FI("Mark as resolved"), exact=False).click()
        card.locator(".wk-error").wait_for()
        assert_no_axe_violations(page)
        card.get_by_label(FI("How was the problem resolved?")).fill(
            "Palveluntuottaja pahoitteli, käynti korvattiin.")
        card.get_by_role("button", name=FI("Mark as resolved"), exact=False).click()
        page.wait_for_function(
            f"() => !document.querySelector(\"[data-flag-id='{flag_id}']\")")
        assert "Aino Virtanen" in page.locator("#flag-status").inner_text()
        assert_no_axe_violations(page)
        page.goto(app_server.url("/worker"))
        wait_until_loaded(page)
        after = page.locator(".alert-count[data-kind=feedback_flag] dd")
        assert (int(after.inner_text()) if after.count() else 0) == \
            (before if others else before - 1)
    finally:
        engine = engine_of(app_server)
        try:
            with write_session(engine) as session:
                fb = session.get(Feedback, flag_id)
                fb.flag_handled_at = fb.flag_contacted_at = None
                fb.flag_handled_by_person_id = fb.flag_contacted_by_person_id = None
                fb.flag_handled_note = ""
                session.add(fb)
        finally:
            engine.dispose()


# ----------------------------------------------------------------------------- item 10


def test_caseload_search(page, app_server):
    sign_in(page, app_server, "demo-worker", "/worker")
    wait_until_loaded(page)
    total = page.locator(".caseload-item").count()
    assert total > 2
    search = page.get_by_label(FI("Search by name or identity code"))
    search.fill("aINO")
    page.get_by_role("button", name=FI("Show"), exact=True).click()
    page.wait_for_function("() => document.querySelectorAll('.caseload-item').length === 1")
    assert page.get_by_role("heading", name="Aino Virtanen").is_visible()
    search.fill("020958-913y")
    page.get_by_role("button", name=FI("Show"), exact=True).click()
    page.get_by_role("heading", name="Bengt Lindholm").wait_for()
    assert page.locator(".caseload-item").count() == 1
    assert "020958" not in page.url  # an identity code never goes into the address
    search.fill("Nobody Here")
    page.get_by_role("button", name=FI("Show"), exact=True).click()
    page.get_by_text(FI("No client matches the search.")).wait_for()
    assert_no_axe_violations(page)


def test_decided_swaps_and_ended_mandates_stay_as_history(page, app_server):
    toivo = client_id(app_server, "Toivo")
    engine = engine_of(app_server)
    try:
        with write_session(engine) as session:
            lines = {code: line for line, code in session.exec(
                select(BudgetLine, ServiceType.code)
                .join(ServiceType, ServiceType.id == BudgetLine.service_type_id)
                .join(Budget, Budget.id == BudgetLine.budget_id)
                .where(Budget.client_id == toivo)).all()}
            worker = session.exec(select(Person).where(Person.oidc_subject == "demo-worker")).one()
            liisa = session.exec(
                select(Person).where(Person.oidc_subject == "demo-relative-view")).one()
            swap = SwapRequest(
                budget_id=lines["cleaning"].budget_id, client_id=toivo,
                month=date.today().replace(day=1), from_line_id=lines["cleaning"].id,
                to_line_id=lines["transport"].id, from_units=1, to_units=1, amount_cents=2500,
                status=SwapStatus.PENDING.value, requested_by_person_id=worker.id,
            )
            mandate = Mandate(client_id=toivo, agent_person_id=liisa.id, scopes="view",
                              relation="relative", source=MandateSource.WORKER_RECORDED.value,
                              status=MandateStatus.ACTIVE.value, valid_from=date.today(),
                              created_by_person_id=worker.id)
            session.add(swap)
            session.add(mandate)
            session.flush()
            swap_id, mandate_id = swap.id, mandate.id
    finally:
        engine.dispose()
    try:
        sign_in(page, app_server, "demo-worker", "/worker/swaps")
        wait_until_loaded(page)
        page.get_by_role("button", name=f"{FI('Handle the request')} Toivo Hämäläinen").click()
        page.get_by_label(FI("Decline")).check()
        page.get_by_label(FI("Reason")).fill("Siivousta tarvitaan edelleen.")
        page.get_by_role("button", name=FI("Save the decision")).click()
        history = page.locator("#swap-history")
        history.get_by_text("Siivousta tarvitaan edelleen.").wait_for()
        item = history.locator(".swap-history-item").filter(
            has_text="Siivousta tarvitaan edelleen.")
        assert "Sari Mäkinen" in item.inner_text()
        assert item.get_attribute("data-status") == "declined"
        # Filter by decision.
        page.get_by_label(FI("Show"), exact=True).select_option("approved")
        page.get_by_role("button", name=FI("Filter")).click()
        page.wait_for_function(
            "() => !document.body.innerText.includes('Siivousta tarvitaan edelleen.')")
        page.get_by_label(FI("Show"), exact=True).select_option("declined")
        page.get_by_role("button", name=FI("Filter")).click()
        history.get_by_text("Siivousta tarvitaan edelleen.").wait_for()
        assert page.locator("#swap-history [data-status=approved]").count() == 0
        assert_no_axe_violations(page)

        # ... and on the client's page.
        page.goto(app_server.url(f"/worker/clients/{toivo}"))
        wait_until_loaded(page)
        page.locator("#client-swap-history").get_by_text(
            "Siivousta tarvitaan edelleen.").wait_for()

        # A mandate ended on the access page stays as history.
        page.goto(app_server.url(f"/worker/clients/{toivo}/access"))
        wait_until_loaded(page)
        page.get_by_role("button", name=f"{FI('End mandate')} Liisa Virtanen").click()
        page.get_by_role("button", name=FI("Yes, end the mandate")).click()
        ended = page.locator("#ended-mandates")
        ended.wait_for()
        assert "Liisa Virtanen" in ended.inner_text()
        assert "Sari Mäkinen" in ended.inner_text()
        assert page.get_by_text(FI("Nobody has a mandate yet.")).count() == 0
        assert_no_axe_violations(page)
    finally:
        engine = engine_of(app_server)
        try:
            with write_session(engine) as session:
                session.exec(delete(SwapRequest).where(SwapRequest.id == swap_id))
                session.exec(delete(Mandate).where(Mandate.id == mandate_id))
        finally:
            engine.dispose()
