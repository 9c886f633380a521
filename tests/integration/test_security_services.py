"""Issue 12 B in the services, on SQLite and PostgreSQL: consent cannot be bypassed (B1),
nobody can probe who is a client (B4), confirm steps write once even from two tabs at once
(B6), refusals and research exports reach the audit log and /privacy reads it a page at a
time (B9)."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from hbapp.commands.export import export_research
from hbapp.db import read_session, write_session
from hbapp.domain.mandates import InvalidMandate
from hbapp.models import (
    AuditLog,
    Client,
    Consent,
    Feedback,
    Mandate,
    Person,
    Provider,
    ProviderChoice,
    SurveyAssignment,
    utcnow,
)
from hbapp.seed import seed_demo
from hbapp.services import mandates
from hbapp.services.access import (
    AccessDenied,
    load_actor,
    represented_clients,
    require_client_access,
    worker_serves,
)
from hbapp.services.budget import budget_month
from hbapp.services.caseload import worker_caseload
from hbapp.services.feedback import give_feedback
from hbapp.services.privacy import PAGE_SIZE, access_log
from hbapp.services.providers import choose_provider, set_approval
from hbapp.services.surveys import SurveyError, assign_survey

TODAY = date.today()


def person(engine, subject: str) -> Person:
    with read_session(engine) as session:
        return session.exec(select(Person).where(Person.oidc_subject == subject)).one()


def actor(engine, subject: str):
    with read_session(engine) as session:
        return load_actor(session, person(engine, subject).id)


def client(engine, first_name: str) -> Client:
    with read_session(engine) as session:
        return session.exec(select(Client).where(Client.first_name == first_name)).one()


def count(engine, model, *where) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def audit_rows(engine, *where) -> list[AuditLog]:
    with read_session(engine) as session:
        return session.exec(select(AuditLog).where(*where).order_by(AuditLog.id)).all()


def run_together(calls):
    """Run the calls in threads released at the same moment; results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def work(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - collected and asserted by the caller
            results[index] = error

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


@pytest.fixture
def engine(empty_engine):
    seed_demo(empty_engine)
    return empty_engine


# ------------------------------------------------------------------ B1: consent stays consent


def test_a_worker_can_never_be_the_agent_of_a_mandate_they_record(engine):
    sari = actor(engine, "demo-worker")
    greta = client(engine, "Greta")  # assigned to Sari, no consent
    for agent in (sari.person_id, person(engine, "demo-worker-2").id,
                  person(engine, "demo-admin").id, "Sari Mäkinen"):
        with pytest.raises(AccessDenied, match="agent_is_staff"):
            mandates.record_mandate(engine, sari, greta.id, agent, ["view", "manage"],
                                    "relative", TODAY, None, TODAY)
    assert count(engine, Mandate, Mandate.client_id == greta.id) == 0
    with read_session(engine) as session:
        assert represented_clients(session, sari, TODAY) == []
    with pytest.raises(AccessDenied):
        budget_month(engine, sari, greta.id, TODAY, TODAY, action="view_budget")
    # Each attempt left a refusal with the client as its subject.
    refused = audit_rows(engine, AuditLog.action == "refused",
                         AuditLog.actor_person_id == sari.person_id)
    assert len(refused) == 5 and {r.subject_client_id for r in refused} == {greta.id}
    assert json.loads(refused[0].details) == {"reason": "agent_is_staff",
                                              "operation": "mandates.record_mandate"}


def test_consent_is_given_by_the_client_or_the_guardian_only(engine):
    sari = actor(engine, "demo-worker")
    greta, aino, bengt = client(engine, "Greta"), client(engine, "Aino"), client(engine, "Bengt")
    # Greta has no account and no guardian: staff and anyone else are refused as givers.
    for giver in (sari.person_id, person(engine, "demo-admin").id,
                  person(engine, "demo-worker-2").id, person(engine, "demo-relative").id):
        with pytest.raises(AccessDenied, match="giver_not_allowed"):
            mandates.record_consent(engine, sari, greta.id, giver, "", TODAY)
    assert count(engine, Consent, Consent.client_id == greta.id) == 0
    with read_session(engine) as session:
        assert worker_serves(session, sari.person_id, greta.id, TODAY) == "no_consent"
    # Given in person by a client without an account: recorded with no giver.
    mandates.record_consent(engine, sari, greta.id, None, "Kotikäynnillä", TODAY)
    with read_session(engine) as session:
        assert worker_serves(session, sari.person_id, greta.id, TODAY) == "ok"

    # Aino has an account: she is named; "nobody" is not enough, and neither is Mikko.
    mandates.revoke_consent(engine, sari, aino.id, TODAY)
    with pytest.raises(InvalidMandate, match="giver_not_found"):
        mandates.record_consent(engine, sari, aino.id, None, "", TODAY)
    with pytest.raises(AccessDenied, match="giver_not_allowed"):
        mandates.record_consent(engine, sari, aino.id, person(engine, "demo-relative").id, "",
                                TODAY)
    mandates.record_consent(engine, sari, aino.id, aino.person_id, "", TODAY)
    # Bengt's guardian may give it.
    mandates.revoke_consent(engine, sari, bengt.id, TODAY)
    mandates.record_consent(engine, sari, bengt.id, person(engine, "demo-guardian").id, "",
                            TODAY)
    with read_session(engine) as session:
        assert worker_serves(session, sari.person_id, bengt.id, TODAY) == "ok"


def test_mandates_never_stand_in_for_consent(engine):
    """Rows written before the rules (or by hand) give staff nothing."""
    sari = actor(engine, "demo-worker")
    admin = actor(engine, "demo-admin")
    greta, raili = client(engine, "Greta"), client(engine, "Raili")
    with write_session(engine) as session:
        for agent in (sari.person_id, admin.person_id):
            session.add(Mandate(client_id=greta.id, agent_person_id=agent,
                                scopes="view,manage", relation="relative",
                                source="worker_recorded", valid_from=TODAY,
                                created_by_person_id=sari.person_id))
        session.add(Consent(client_id=raili.id, given_by_person_id=sari.person_id,
                            recorded_by_person_id=sari.person_id, given_on=TODAY))
    for staff in (sari, admin):
        with read_session(engine) as session:
            assert represented_clients(session, staff, TODAY) == []
        with pytest.raises(AccessDenied):
            budget_month(engine, staff, greta.id, TODAY, TODAY, action="view_budget")
    with read_session(engine) as session:
        assert worker_serves(session, sari.person_id, raili.id, TODAY) == "no_consent"
        with pytest.raises(AccessDenied, match="no_consent"):
            require_client_access(session, sari, raili.id, "worker", TODAY)
    caseload = worker_caseload(engine, sari, TODAY)
    raili_row = next(e for e in caseload.entries if e.client_id == raili.id)
    assert not raili_row.consent
    # A mandate the client gave herself does count, for anyone.
    aino = actor(engine, "demo-client")
    mandates.grant(engine, aino, aino.own_client_id, "Jukka Nieminen", ["view"], None, TODAY)
    jukka = actor(engine, "demo-worker-2")
    budget_month(engine, jukka, aino.own_client_id, TODAY, TODAY, action="view_budget")


# ------------------------------------------------------------------ B4: no probing


def test_a_mandate_request_answers_the_same_in_every_case(engine):
    outi = Person(oidc_subject="test-outi", display_name="Outi Ulkopuolinen")
    with write_session(engine) as session:
        session.add(outi)
    asker = actor(engine, "test-outi")
    cases = [
        ("Aino Virtanen", date(1945, 3, 15)),  # no such client (wrong birth date)
        ("Nobody Here", date(1950, 1, 1)),  # nobody
        ("Greta Nyström", date(1949, 6, 5)),  # a client without an account
        ("Aino Virtanen", date(1945, 3, 14)),  # found: a request is made
    ]
    answers = [mandates.request(engine, asker, name, born, ["view"], None, TODAY)
               for name, born in cases]
    assert answers == [None, None, None, None]
    rows = audit_rows(engine, AuditLog.actor_person_id == asker.person_id)
    assert [r.action for r in rows] == ["request_mandate_attempt"] * 3 + ["request_mandate"]
    assert [json.loads(r.details).get("outcome") for r in rows[:3]] == [
        "not_found", "not_found", "no_account"]
    assert rows[3].subject_client_id == client(engine, "Aino").id
    assert all(r.subject_client_id is None for r in rows[:3])  # failed guesses name nobody
    # Asking again while the request waits: the same answer, nothing new.
    assert mandates.request(engine, asker, "Aino Virtanen", date(1945, 3, 14), ["view"], None,
                            TODAY) is None
    assert count(engine, Mandate, Mandate.agent_person_id == asker.person_id) == 1
    # The fifth attempt was the last one of the day; the sixth is refused, found or not.
    with pytest.raises(InvalidMandate, match="too_many_requests"):
        mandates.request(engine, asker, "Bengt Lindholm", date(1958, 9, 2), ["view"], None,
                         TODAY)
    assert count(engine, Mandate, Mandate.agent_person_id == asker.person_id) == 1
    assert audit_rows(engine, AuditLog.actor_person_id == asker.person_id)[-1].action == \
        "request_mandate_limited"
    # The count lives in the database: a day later the person may ask again.
    with write_session(engine) as session:
        for row in session.exec(select(AuditLog).where(
                AuditLog.actor_person_id == asker.person_id)).all():
            row.at = row.at - timedelta(hours=25)
            session.add(row)
    mandates.request(engine, asker, "Bengt Lindholm", date(1958, 9, 2), ["view"], None, TODAY)
    assert count(engine, Mandate, Mandate.agent_person_id == asker.person_id) == 2


def test_parallel_requests_are_all_counted(engine):
    with write_session(engine) as session:
        session.add(Person(oidc_subject="test-many", display_name="Monta Kertaa"))
    asker = actor(engine, "test-many")
    results = run_together([
        (lambda: mandates.request(engine, asker, "Nobody Here", date(1950, 1, 1), ["view"],
                                  None, TODAY)) for _ in range(8)])
    refused = [r for r in results if isinstance(r, InvalidMandate)]
    assert len(refused) == 3 and all(r.reason == "too_many_requests" for r in refused)


# ------------------------------------------------------------------ B6: once, even from two tabs


def test_two_tabs_choosing_the_same_provider_choose_once(engine):
    aino, mikko = actor(engine, "demo-client"), actor(engine, "demo-relative")
    with read_session(engine) as session:
        saima = session.exec(select(Provider.id).where(Provider.name == "Hoiva-Saima Oy")).one()
    results = run_together([
        (lambda who=who: choose_provider(engine, who, aino.own_client_id, saima, "home_care",
                                         TODAY)) for who in (aino, mikko, aino, mikko)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 1  # every tab got the one choice
    assert count(engine, ProviderChoice, ProviderChoice.client_id == aino.own_client_id,
                 ProviderChoice.ended_at.is_(None), ProviderChoice.provider_id == saima) == 1
    assert len(audit_rows(engine, AuditLog.action == "choose_provider")) == 1


def test_the_same_feedback_sent_twice_is_kept_once(engine):
    aino = actor(engine, "demo-client")
    with read_session(engine) as session:
        kyyti = session.exec(select(Provider.id).where(Provider.name == "Karjalan Kyyti Oy")).one()
    results = run_together([
        (lambda: give_feedback(engine, aino, aino.own_client_id, kyyti, 8, "Hyvä.", None, TODAY))
        for _ in range(3)])
    assert len(set(results)) == 1, results
    with read_session(engine) as session:
        rows = session.exec(select(Feedback).where(
            Feedback.client_id == aino.own_client_id, Feedback.provider_id == kyyti,
            Feedback.comment == "Hyvä.")).all()
    assert len(rows) == 1 and rows[0].replaced_at is None
    # A different answer is a new answer and replaces it.
    give_feedback(engine, aino, aino.own_client_id, kyyti, 6, "Ihan hyvä.", None, TODAY)
    with read_session(engine) as session:
        assert session.get(Feedback, rows[0].id).replaced_at is not None


def test_a_survey_is_assigned_once_while_it_waits(engine):
    sari = actor(engine, "demo-worker")
    elsa = client(engine, "Elsa")
    due = TODAY + timedelta(days=14)
    before = count(engine, SurveyAssignment, SurveyAssignment.client_id == elsa.id)
    results = run_together([
        (lambda: assign_survey(engine, sari, elsa.id, "whodas12", due, "end", TODAY))
        for _ in range(4)])
    done = [r for r in results if not isinstance(r, Exception)]
    failed = [r for r in results if isinstance(r, Exception)]
    assert len(done) == 1
    assert all(isinstance(r, SurveyError) and r.code == "already_assigned" for r in failed)
    assert count(engine, SurveyAssignment, SurveyAssignment.client_id == elsa.id) == before + 1
    # Another time point is another survey.
    assign_survey(engine, sari, elsa.id, "whodas12", due, "6_months", TODAY)


def test_consent_and_mandates_recorded_once_from_two_tabs(engine):
    sari = actor(engine, "demo-worker")
    greta = client(engine, "Greta")
    results = run_together([
        (lambda: mandates.record_consent(engine, sari, greta.id, None, "Puhelimessa", TODAY))
        for _ in range(4)])
    assert len([r for r in results if isinstance(r, int)]) == 1
    assert count(engine, Consent, Consent.client_id == greta.id) == 1
    liisa = person(engine, "demo-relative-view").id
    results = run_together([
        (lambda: mandates.record_mandate(engine, sari, greta.id, liisa, ["view"], "relative",
                                         TODAY, None, TODAY)) for _ in range(4)])
    assert len([r for r in results if isinstance(r, int)]) == 1
    assert count(engine, Mandate, Mandate.client_id == greta.id) == 1
    aino = actor(engine, "demo-client")
    results = run_together([
        (lambda: mandates.grant(engine, aino, aino.own_client_id, "Eeva Korhonen", ["view"],
                                None, TODAY)) for _ in range(4)])
    assert len([r for r in results if isinstance(r, int)]) == 1


def test_approving_twice_records_once(engine):
    admin = actor(engine, "demo-admin")
    with read_session(engine) as session:
        pending = session.exec(select(Provider.id).where(
            Provider.approval_status == "pending")).first()
    set_approval(engine, admin, pending, "approved")
    set_approval(engine, admin, pending, "approved")
    assert len(audit_rows(engine, AuditLog.action == "provider_approval")) == 1


# ------------------------------------------------------------------ B9: refusals and exports


def test_refusals_are_audited_once_after_the_rollback(engine):
    liisa = actor(engine, "demo-relative-view")  # may only view Aino's budget
    aino = client(engine, "Aino")
    with pytest.raises(AccessDenied):
        mandates.grant(engine, liisa, aino.id, "Eeva Korhonen", ["view"], None, TODAY)
    # Raised inside an outer session: written once, when the outermost session ends.
    with pytest.raises(AccessDenied):
        with read_session(engine) as session:
            with write_session(engine):
                require_client_access(session, liisa, aino.id, "manage", TODAY)
    rows = audit_rows(engine, AuditLog.actor_person_id == liisa.person_id)
    assert [(r.action, r.subject_client_id) for r in rows] == [("refused", aino.id)] * 2
    assert json.loads(rows[0].details)["operation"] == "mandates.grant"
    assert count(engine, Mandate, Mandate.agent_person_id == person(engine, "demo-guardian").id,
                 Mandate.client_id == aino.id) == 0
    # The client reads it among other people's actions.
    log = access_log(engine, actor(engine, "demo-client"), aino.id, TODAY, kind="refused")
    assert [e.action for e in log.entries] == ["refused", "refused"]
    assert log.entries[0].actor_name == "Liisa Virtanen"


def test_research_export_is_on_every_clients_privacy_page(engine, tmp_path):
    result = export_research(engine, tmp_path / "out")
    rows = audit_rows(engine, AuditLog.action == "research_export")
    subjects = [r.subject_client_id for r in rows if r.subject_client_id is not None]
    with read_session(engine) as session:
        every = session.exec(select(Client.id).order_by(Client.id)).all()
    assert sorted(subjects) == list(every) and result.clients == len(every)
    assert len([r for r in rows if r.subject_client_id is None]) == 1  # the summary row
    exports = {json.loads(r.details)["export_id"] for r in rows}
    assert len(exports) == 1  # one export, one id on every row
    aino = actor(engine, "demo-client")
    log = access_log(engine, aino, aino.own_client_id, TODAY, kind="view")
    assert "research_export" in [e.action for e in log.entries]


def test_privacy_log_pages_and_keeps_own_actions_apart(engine):
    aino = actor(engine, "demo-client")
    cid = aino.own_client_id
    mikko = actor(engine, "demo-relative")
    start = utcnow() - timedelta(days=2)
    with write_session(engine) as session:
        for minute in range(130):  # her own sign-ins and views: a flood
            session.add(AuditLog(at=start + timedelta(minutes=minute),
                                 actor_person_id=aino.person_id, subject_client_id=cid,
                                 action="survey_due_view"))
        for minute in range(60):
            session.add(AuditLog(at=start + timedelta(minutes=minute, seconds=30),
                                 actor_person_id=mikko.person_id, subject_client_id=cid,
                                 action="view_budget"))
    others = access_log(engine, aino, cid, TODAY)
    assert others.whose == "others" and len(others.entries) == PAGE_SIZE
    assert aino.person_id not in {e.actor_person_id for e in others.entries}
    assert others.pages >= 2 and others.page == 1
    last = access_log(engine, aino, cid, TODAY, page=others.pages)
    assert 0 < len(last.entries) <= PAGE_SIZE
    assert access_log(engine, aino, cid, TODAY, page=10**6).page == others.pages
    seen = {e.id for p in range(1, others.pages + 1)
            for e in access_log(engine, aino, cid, TODAY, page=p).entries}
    assert len(seen) == others.total  # every entry on exactly one page
    own = access_log(engine, aino, cid, TODAY, whose="own")
    assert {e.actor_person_id for e in own.entries} == {aino.person_id}
    assert own.total >= 130
    # Her own survey list views are views, not changes of her data.
    assert {e.kind for e in own.entries if e.action == "survey_due_view"} == {"view"}
    changes = access_log(engine, aino, cid, TODAY, kind="change", whose="own")
    assert "survey_due_view" not in {e.action for e in changes.entries}
