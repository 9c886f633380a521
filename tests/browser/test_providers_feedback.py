"""Compare, choose and give feedback as demo-client; demo-worker sees the flag."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from hbapp.db import make_engine, read_session
from hbapp.models import Client, Person, Provider
from hbapp.services.access import load_actor
from hbapp.services.providers import choose_provider
from tests.browser.helpers import assert_no_axe_violations, sign_in, wait_until_loaded

COMMENT = "Kortti ei käynyt uudessa salissa (selaintesti)."


def restore_home_care_choice(app_server) -> None:
    """Give Aino back the demo data's home-care provider, so other tests see the seed."""
    engine = make_engine(app_server.database_url)
    try:
        with read_session(engine) as session:
            person = session.exec(select(Person).where(Person.oidc_subject == "demo-client")).one()
            actor = load_actor(session, person.id)
            client = session.exec(select(Client).where(Client.person_id == person.id)).one()
            kotihelmi = session.exec(
                select(Provider.id).where(Provider.name == "Saimaan Kotihelmi Oy")).one()
        choose_provider(engine, actor, client.id, kotihelmi, "home_care", date.today())
    finally:
        engine.dispose()


def test_client_compares_chooses_and_flags_worker_sees_it(page, app_server, browser):
    sign_in(page, app_server, "demo-client", "/providers")
    wait_until_loaded(page)
    cards = page.locator("li.offer")
    page.wait_for_selector("li.offer")
    assert page.get_by_role("link", name="Kotihoito Kaislaranta Oy").first.is_visible()
    assert page.locator(".offer-buys").first.inner_text().startswith("Sinun ")
    assert_no_axe_violations(page)

    # Filter: only providers that take new clients (Kaislaranta does not), sorted by name.
    page.get_by_label("ottavat uusia asiakkaita").check()
    page.get_by_label("Järjestä").select_option("name")
    page.get_by_role("button", name="Näytä palveluntuottajat").click()
    page.wait_for_function(
        "() => !document.body.innerText.includes('Kotihoito Kaislaranta Oy')")
    names = cards.locator("h3").all_inner_texts()
    assert names == sorted(names, key=str.casefold) and "Hoiva-Saima Oy" in names
    saima = cards.filter(has_text="Hoiva-Saima Oy")
    assert "Maksat itse" in saima.inner_text()  # 42,50 €/h is above the 39,90 € value

    try:
        saima.get_by_role("link", name="Hoiva-Saima Oy", exact=True).click()
        page.wait_for_url("**/providers/*")
        wait_until_loaded(page)
        page.wait_for_selector("#provider-nps")
        assert page.get_by_role("heading", name="Hoiva-Saima Oy", level=1).is_visible()
        assert page.locator("a[href^='tel:']").get_attribute("href") == "tel:0407182264"
        assert "Vielä liian vähän vastauksia" in page.locator("#provider-nps").inner_text()
        assert_no_axe_violations(page)

        page.get_by_role("link", name="Valitse Hoiva-Saima Oy: Kotihoito").click()
        page.wait_for_url("**/choose-provider**")
        wait_until_loaded(page)
        page.wait_for_selector(".summary-list")
        summary = page.locator(".summary-list").inner_text()
        assert "Saimaan Kotihelmi Oy" in summary and "Hoiva-Saima Oy" in summary
        assert_no_axe_violations(page)
        page.get_by_role("button", name="Vahvista valinta").click()
        page.get_by_role("heading", name="Valinta on tallennettu").wait_for()
        assert_no_axe_violations(page)

        page.goto(app_server.url("/"))
        wait_until_loaded(page)
        page.get_by_text("Hoiva-Saima Oy").first.wait_for()
    finally:
        restore_home_care_choice(app_server)

    # Feedback with a flag, one question per step.
    page.goto(app_server.url("/feedback"))
    wait_until_loaded(page)
    page.get_by_label("Kuntokeskus Voimala Oy").check()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Jatka").click()
    page.get_by_role("button", name="Jatka").click()  # no score chosen: an error, nothing lost
    page.get_by_text("Valitse numero 0–10.").or_(page.locator(".error-message")).first.wait_for()
    page.locator("#score-3").check()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Jatka").click()
    page.get_by_label("Kommenttisi (voit jättää tyhjäksi)").fill(COMMENT)
    page.get_by_role("button", name="Jatka").click()
    page.get_by_label("Valitsemani palveluntuottaja ei toimi").check()
    page.get_by_role("button", name="Jatka").click()
    page.get_by_role("heading", name="Tarkista vastauksesi").wait_for()
    check = page.locator(".summary-list").inner_text()
    assert "Kuntokeskus Voimala Oy" in check and COMMENT in check and "3" in check
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Lähetä palaute").click()
    page.get_by_role("heading", name="Kiitos palautteestasi").wait_for()

    # The case worker sees the flag.
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fi-FI")
    try:
        worker = context.new_page()
        worker.set_default_timeout(15000)
        sign_in(worker, app_server, "demo-worker", "/worker/providers")
        wait_until_loaded(worker)
        flags = worker.locator("#flag-list")
        flags.wait_for()
        flag = flags.locator("li").filter(has_text=COMMENT)
        assert "Valitsemani palveluntuottaja ei toimi" in flag.inner_text()
        assert "Aino Virtanen" in flag.inner_text()
        assert_no_axe_violations(worker)
    finally:
        context.close()


def test_view_only_relative_cannot_choose_or_give_feedback(page, app_server):
    sign_in(page, app_server, "demo-relative-view", "/feedback")
    wait_until_loaded(page)
    assert page.get_by_text("Sinulla ei ole oikeutta antaa palautetta").is_visible()
    page.goto(app_server.url("/choose-provider?provider=1&service=home_care"))
    wait_until_loaded(page)
    assert page.get_by_text("Sinulla ei ole oikeutta valita palveluntuottajaa").is_visible()
    assert page.get_by_role("button", name="Vahvista valinta").count() == 0


def test_calculator_compares_three_ways(page, app_server):
    sign_in(page, app_server, "demo-client", "/calculator")
    wait_until_loaded(page)
    page.get_by_label("Lauantait").fill("abc")
    page.get_by_role("button", name="Laske").click()
    page.locator("#hours-saturday-error").wait_for()
    assert page.get_by_label("Lauantait").input_value() == "abc"  # nothing typed is lost
    page.get_by_label("Lauantait").fill("4")
    page.get_by_role("button", name="Laske").click()
    page.get_by_role("heading", name="Kuukauden kustannukset").wait_for()
    rows = page.locator(".calc-table tbody tr")
    assert rows.count() == 3
    assert "hyvinvointialueen asettama arvo" in page.locator(".assumptions").inner_text()
    assert_no_axe_violations(page)


def test_admin_register_and_worker_only_pages(page, app_server):
    sign_in(page, app_server, "demo-admin", "/admin/providers")
    wait_until_loaded(page)
    page.get_by_role("heading", name="Pölyhuiska Siivous Oy").wait_for()
    assert page.get_by_text("Odottaa hyväksymistä").first.is_visible()
    assert_no_axe_violations(page)
    page.goto(app_server.url("/worker/providers"))
    wait_until_loaded(page)
    assert page.get_by_text("Tämä sivu on työntekijöille.").is_visible()
