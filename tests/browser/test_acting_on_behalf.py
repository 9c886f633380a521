"""Acting on behalf in the browser: a relative who manages, a relative who may only look,
a guardian, a case worker with no clients, the worker's access page, and /privacy listing
the accesses made earlier in the same test. Every change made here is undone."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from hbapp.db import make_engine, read_session, write_session
from hbapp.i18n import Translator
from hbapp.models import Client, Consent, Mandate, MandateStatus, Person, utcnow
from tests.browser.helpers import (assert_no_axe_violations, sign_in, wait_for_step,
                                   wait_until_loaded)

FI = Translator("fi")
SV = Translator("sv")


class Db:
    def __init__(self, app_server):
        self.engine = make_engine(app_server.database_url)

    def client(self, first_name: str) -> int:
        with read_session(self.engine) as session:
            return session.exec(select(Client.id).where(Client.first_name == first_name)).one()

    def person(self, subject: str) -> Person:
        with read_session(self.engine) as session:
            return session.exec(select(Person).where(Person.oidc_subject == subject)).one()

    def mandate(self, agent_subject: str, client_first_name: str) -> Mandate | None:
        with read_session(self.engine) as session:
            return session.exec(
                select(Mandate).where(
                    Mandate.agent_person_id == self.person(agent_subject).id,
                    Mandate.client_id == self.client(client_first_name),
                ).order_by(Mandate.id.desc())
            ).first()

    def end_open_mandates(self, agent_subject: str, client_first_name: str) -> None:
        """Undo what a failed test may have left behind."""
        with write_session(self.engine) as session:
            for row in session.exec(select(Mandate).where(
                Mandate.agent_person_id == self.person(agent_subject).id,
                Mandate.client_id == self.client(client_first_name),
                Mandate.status.in_(("active", "requested")),
            )).all():
                row.status, row.revoked_at = MandateStatus.REVOKED.value, utcnow()
                session.add(row)


def new_page(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fi-FI")
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def test_relative_manages_aino_and_privacy_lists_it(page, app_server, browser):
    sign_in(page, app_server, "demo-relative", "/budget")
    wait_until_loaded(page)
    assert "Aino Virtanen" in page.locator(".acting-for").inner_text()
    assert page.locator("#budget-remaining").is_visible()  # Mikko sees Aino's budget

    page.goto(app_server.url("/mandates"))
    wait_until_loaded(page)
    heading = FI("Who may handle the matters of {name}", name="Aino Virtanen")
    assert page.get_by_role("heading", name=heading).is_visible()
    assert page.get_by_text("Liisa Virtanen").first.is_visible()
    assert_no_axe_violations(page)
    # He may give on only what he holds (all four); the journey starts with "who".
    page.get_by_role("button", name=FI("Give a mandate")).click()
    wait_for_step(page, "who")
    page.get_by_label(FI("Who do you give the mandate to?")).fill("nobody@example.fi")
    page.get_by_role("button", name=FI("Search")).click()
    error = page.locator("#f-agent-error")
    error.get_by_text(FI("We did not find anyone with this identity code, e-mail address or "
                         "name. The person must have signed in to this service once.")).wait_for()
    assert page.get_by_label(FI("Who do you give the mandate to?")).input_value() == \
        "nobody@example.fi"  # nothing typed is lost
    assert_no_axe_violations(page)
    page.get_by_role("button", name=FI("Back")).click()
    page.get_by_role("button", name=FI("Give a mandate")).wait_for()

    # Aino signs in elsewhere and sees that Mikko looked at her budget.
    context, aino = new_page(browser)
    try:
        sign_in(aino, app_server, "demo-client", "/privacy")
        wait_until_loaded(aino)
        who = FI("{name} ({role})", name="Mikko Virtanen", role=FI("relative"))
        looked = FI("{who} looked at your budget", who=who)
        entry = aino.locator(".entry-text", has_text=looked).first
        entry.wait_for()
        assert entry.is_visible()
        assert_no_axe_violations(aino)
        # filter by person: only Mikko's entries remain
        mikko_id = str(Db(app_server).person("demo-relative").id)
        aino.get_by_label(FI("Who"), exact=True).select_option(mikko_id)
        aino.get_by_role("button", name=FI("Show")).click()
        aino.wait_for_url("**person=" + mikko_id)
        texts = aino.locator(".entry-text").all_inner_texts()
        assert texts and all(text.startswith("Mikko Virtanen") for text in texts)
    finally:
        context.close()


def test_view_only_relative_can_only_look(page, app_server):
    db = Db(app_server)
    mikko_mandate = db.mandate("demo-relative", "Aino")
    sign_in(page, app_server, "demo-relative-view", "/budget")
    wait_until_loaded(page)
    assert page.locator("#budget-remaining").is_visible()

    page.goto(app_server.url("/mandates"))
    wait_until_loaded(page)
    assert page.get_by_text(FI("You may look at these matters, but you cannot change the "
                               "mandates. Only the client or a person who may manage their "
                               "matters can do that.")).is_visible()
    assert page.get_by_role("button", name=FI("Give a mandate")).count() == 0
    assert page.get_by_role("button", name=FI("End mandate")).count() == 0
    assert_no_axe_violations(page)

    # A forced attempt: the address that opens "end this mandate" is refused by the server.
    page.goto(app_server.url(f"/mandates?revoke={mikko_mandate.id}"))
    wait_until_loaded(page)
    assert page.get_by_text(FI("You do not have the right to change mandates for this "
                               "person.")).is_visible()
    assert page.get_by_role("button", name=FI("Yes, end the mandate")).count() == 0
    assert db.mandate("demo-relative", "Aino").status == "active"

    page.goto(app_server.url("/privacy"))
    wait_until_loaded(page)
    assert page.get_by_text(FI("Only the client, or a person who may manage their matters, "
                               "can see who has seen their data.")).is_visible()
    assert page.locator(".entry-text").count() == 0


def test_guardian_acts_for_bengt_and_gives_and_ends_a_mandate(page, app_server):
    db = Db(app_server)
    admin = db.person("demo-admin")
    try:
        sign_in(page, app_server, "demo-guardian", "/budget")
        wait_until_loaded(page)
        assert "Bengt Lindholm" in page.locator(".acting-for").inner_text()
        assert page.locator("#budget-remaining").is_visible()

        page.goto(app_server.url("/mandates"))
        wait_until_loaded(page)
        page.get_by_role("button", name=FI("Give a mandate")).click()
        wait_for_step(page, "who")
        page.get_by_label(FI("Who do you give the mandate to?")).fill(admin.email)
        page.get_by_role("button", name=FI("Search")).click()
        wait_for_step(page, "relation")
        # One exact match: straight to the relationship
        page.get_by_label(FI("Someone else")).check()
        page.get_by_role("button", name=FI("Continue")).click()
        wait_for_step(page, "what")
        # What: nothing chosen is an error on the same step
        page.get_by_role("group", name=FI("What may the person do?")).wait_for()
        page.get_by_role("button", name=FI("Continue")).click()
        page.locator("#f-scope-error").get_by_text(
            FI("Choose at least one thing the person may do.")).wait_for()
        assert_no_axe_violations(page)
        page.get_by_label(FI("see the budget and the services")).check()
        page.get_by_role("button", name=FI("Continue")).click()
        wait_for_step(page, "until")
        # Until when: a date
        page.get_by_label(FI("Until a date")).check()
        until = date.today() + timedelta(days=60)
        page.locator("#f-until-day").fill(str(until.day))
        page.locator("#f-until-month").fill(str(until.month))
        page.locator("#f-until-year").fill(str(until.year))
        page.get_by_role("button", name=FI("Continue")).click()
        page.get_by_role("heading", name=FI("Check your answers")).wait_for()
        summary = page.locator(".summary-list").inner_text()
        assert admin.display_name in summary and FI("other person") in summary, summary
        assert page.get_by_text(FI("Until {date}", date=f"{until.day}.{until.month}."
                                                       f"{until.year}")).is_visible()
        assert_no_axe_violations(page)
        assert db.mandate("demo-admin", "Bengt") is None  # nothing before confirming
        page.get_by_role("button", name=FI("Give the mandate")).click()
        page.get_by_text(FI("{name} now has a mandate.", name=admin.display_name)).wait_for()
        granted = db.mandate("demo-admin", "Bengt")
        assert (granted.status, granted.scopes, granted.source, granted.valid_to,
                granted.relation) == ("active", "view", "client_granted", until, "other")

        # End it, with a confirmation step
        page.get_by_role("button", name=f"{FI('End mandate')} {admin.display_name}").click()
        page.get_by_role("heading", name=FI("Do you want to end this mandate?")).wait_for()
        assert_no_axe_violations(page)
        page.get_by_role("button", name=FI("Yes, end the mandate")).click()
        page.get_by_text(FI("The mandate of {name} has ended.",
                            name=admin.display_name)).wait_for()
        assert db.mandate("demo-admin", "Bengt").status == "revoked"
        # The guardianship itself cannot be ended in the app (the list is loaded again)
        page.get_by_text(FI("A guardianship can only be ended by the case worker.")).first \
            .wait_for()
    finally:
        db.end_open_mandates("demo-admin", "Bengt")


def test_relative_requests_and_the_client_declines(page, app_server, browser):
    db = Db(app_server)
    try:
        sign_in(page, app_server, "demo-relative-view", "/mandates")
        wait_until_loaded(page)
        page.get_by_role("button", name=FI("Ask for a mandate")).click()
        wait_for_step(page, "client")
        page.get_by_label(FI("Whose matters do you want to handle?")).fill("Bengt Lindholm")
        page.get_by_role("button", name=FI("Continue")).click()
        wait_for_step(page, "birth")
        page.locator("#f-birth-day").fill("2")
        page.locator("#f-birth-month").fill("9")
        page.locator("#f-birth-year").fill("1958")
        page.get_by_role("button", name=FI("Continue")).click()
        wait_for_step(page, "relation")
        page.get_by_label(FI("A relative or someone close")).check()
        page.get_by_role("button", name=FI("Continue")).click()
        wait_for_step(page, "what")
        page.get_by_label(FI("see the budget and the services")).check()
        page.get_by_role("button", name=FI("Continue")).click()
        wait_for_step(page, "until")
        page.get_by_role("button", name=FI("Continue")).click()  # until further notice
        page.get_by_role("heading", name=FI("Check your answers")).wait_for()
        page.get_by_role("button", name=FI("Send the request")).click()
        page.locator(".notice-success").wait_for()
        assert db.mandate("demo-relative-view", "Bengt").status == "requested"

        context, bengt = new_page(browser)
        try:
            sign_in(bengt, app_server, "demo-client-2", "/mandates")
            wait_until_loaded(bengt)
            bengt.get_by_role("button", name=f"{SV('Accept or decline')} Liisa Virtanen").click()
            bengt.get_by_role("heading", name=SV("Do you accept this request?")).wait_for()
            bengt.get_by_role("button", name=SV("Decline"), exact=True).click()
            bengt.get_by_text(SV("You declined the request of {name}.",
                                 name="Liisa Virtanen")).wait_for()
        finally:
            context.close()
        assert db.mandate("demo-relative-view", "Bengt").status == "declined"
    finally:
        db.end_open_mandates("demo-relative-view", "Bengt")


def test_worker_2_sees_no_client_data(page, app_server):
    db = Db(app_server)
    aino = db.client("Aino")
    sign_in(page, app_server, "demo-worker-2", "/budget")
    wait_until_loaded(page)
    assert page.get_by_text(FI("You have no personal budget to show.")).is_visible()
    assert page.locator("#budget-remaining").count() == 0
    page.goto(app_server.url(f"/worker/clients/{aino}/access"))
    wait_until_loaded(page)
    assert page.get_by_text(FI("This client is not assigned to you.")).is_visible()
    assert "Aino" not in page.locator("main").inner_text()
    page.goto(app_server.url("/privacy"))
    wait_until_loaded(page)
    assert page.locator(".entry-text").count() == 0


def test_worker_access_page_consent_and_mandates(page, app_server):
    db = Db(app_server)
    greta, raili, aino = db.client("Greta"), db.client("Raili"), db.client("Aino")
    try:
        sign_in(page, app_server, "demo-worker", f"/worker/clients/{greta}/access")
        wait_until_loaded(page)
        main = page.locator("main")
        assert "Greta Nyström" in main.inner_text()
        assert page.get_by_text(FI("There is no consent from this client.")).is_visible()
        assert page.get_by_role("button", name=FI("Record consent")).is_visible()
        assert "€" not in main.inner_text()  # never budget data
        assert_no_axe_violations(page)

        page.goto(app_server.url(f"/worker/clients/{aino}/access"))
        wait_until_loaded(page)
        assert page.get_by_text("Mikko Virtanen").first.is_visible()
        assert page.get_by_role("button", name=FI("Record that consent was withdrawn")).is_visible()
        assert_no_axe_violations(page)

        # Record Raili's consent, then record that she withdrew it (back as it was).
        page.goto(app_server.url(f"/worker/clients/{raili}/access"))
        wait_until_loaded(page)
        page.get_by_label(FI("Note (how and when consent was given)")).fill("Puhelimessa")
        page.get_by_role("button", name=FI("Record consent")).click()
        page.get_by_text(FI("Consent has been recorded.")).wait_for()
        page.get_by_role("button", name=FI("Record that consent was withdrawn")).click()
        page.get_by_role("button", name=FI("Yes, record the withdrawal")).click()
        page.get_by_text(FI("The withdrawal of consent has been recorded.")).wait_for()
        assert page.get_by_text(FI("There is no consent from this client.")).is_visible()
    finally:
        with write_session(db.engine) as session:
            for row in session.exec(select(Consent).where(Consent.client_id == raili,
                                                          Consent.revoked_at.is_(None))).all():
                row.revoked_at = utcnow()
                session.add(row)
