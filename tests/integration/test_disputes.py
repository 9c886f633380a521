"""Disputes end to end and their denials, with messages and the audit log (SQLite and
PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select

from hbapp.db import read_session, write_session
from hbapp.models import (
    AuditLog,
    Client,
    Dispute,
    EventStatus,
    Message,
    Person,
    Provider,
    ServiceEvent,
    ServiceType,
)
from hbapp.domain.ledger import add_months
from hbapp.seed import seed_demo
from hbapp.services import messages
from hbapp.services.access import AccessDenied, load_actor
from hbapp.services.budget import load_month
from hbapp.services.caseload import worker_caseload
from hbapp.services.disputes import (
    DisputeError,
    budget_month_with_disputes,
    client_disputes,
    decide_dispute,
    dispute_target,
    open_dispute,
    open_dispute_count,
    provider_disputes,
    worker_disputes,
)

TODAY = date.today()


def _actor(engine, subject):
    with read_session(engine) as session:
        person = session.exec(select(Person).where(Person.oidc_subject == subject)).one()
        return load_actor(session, person.id)


def _client(engine, first_name):
    with read_session(engine) as session:
        return session.exec(select(Client).where(Client.first_name == first_name)).one()


def _provider(engine, name):
    with read_session(engine) as session:
        return session.exec(select(Provider).where(Provider.name == name)).one()


def _home_care_events(engine, client_id, provider_id, n=3):
    """The client's latest recorded home-care events of this provider (before today)."""
    with read_session(engine) as session:
        return list(session.exec(
            select(ServiceEvent).join(ServiceType, ServiceType.id == ServiceEvent.service_type_id)
            .where(ServiceEvent.client_id == client_id, ServiceEvent.provider_id == provider_id,
                   ServiceEvent.status == EventStatus.RECORDED.value,
                   ServiceType.code == "home_care")
            .order_by(ServiceEvent.started_at.desc()).limit(n)).all())


def _audit(engine, action):
    with read_session(engine) as session:
        return session.exec(select(AuditLog).where(AuditLog.action == action)
                            .order_by(AuditLog.id)).all()


def _kinds(engine, person_id):
    with read_session(engine) as session:
        return [m.kind for m in session.exec(select(Message).where(
            Message.recipient_person_id == person_id).order_by(Message.id)).all()]


@pytest.fixture
def demo(empty_engine, monkeypatch):
    monkeypatch.delenv("HB_SMTP_URL", raising=False)
    seed_demo(empty_engine)
    return empty_engine


def test_client_disputes_worker_upholds_event_cancelled_and_everyone_told(demo):
    engine = demo
    aino = _client(engine, "Aino")
    kotihelmi = _provider(engine, "Saimaan Kotihelmi Oy")
    client = _actor(engine, "demo-client")
    worker = _actor(engine, "demo-worker")
    staff = _actor(engine, "demo-provider")
    relative = _actor(engine, "demo-relative")
    event, *_ = _home_care_events(engine, aino.id, kotihelmi.id)
    month = date(event.started_at.year, event.started_at.month, 1)
    with read_session(engine) as session:
        used_before = load_month(session, aino, month, TODAY).statement.used_cents

    target = dispute_target(engine, client, aino.id, event.id, TODAY)
    assert target.id == event.id and target.provider_name == "Saimaan Kotihelmi Oy"
    # "other" needs a comment; an unknown reason is refused before anything is written.
    with pytest.raises(DisputeError) as missing:
        open_dispute(engine, client, aino.id, event.id, "other", "  ", TODAY)
    assert missing.value.code == "comment_missing"
    with pytest.raises(DisputeError):
        open_dispute(engine, client, aino.id, event.id, "nonsense", "", TODAY)
    dispute_id = open_dispute(engine, client, aino.id, event.id, "did_not_happen",
                              "Nobody came that day.", TODAY)
    # One open dispute per event.
    with pytest.raises(DisputeError) as twice:
        open_dispute(engine, relative, aino.id, event.id, "other", "again", TODAY)
    assert twice.value.code == "already_open"

    # The case worker and the provider's staff are told; the worker sees an alert and a count.
    assert "dispute_opened" in _kinds(engine, worker.person_id)
    assert "dispute_opened" in _kinds(engine, staff.person_id)
    assert open_dispute_count(engine, worker, TODAY) == 1
    caseload = worker_caseload(engine, worker, TODAY)
    assert caseload.counts["dispute_open"] == 1
    [open_view] = [d for d in worker_disputes(engine, worker, TODAY) if d.id == dispute_id]
    assert open_view.status == "open" and open_view.comment == "Nobody came that day."
    # The provider sees it with the client's name and voucher, never the identity code.
    [seen] = provider_disputes(engine, staff, kotihelmi.id)
    assert seen.client_name == "Aino Virtanen" and seen.voucher.startswith("HB-")
    assert aino.personal_identity_code not in repr(seen)

    # Rejecting needs an explanation.
    with pytest.raises(DisputeError) as no_reason:
        decide_dispute(engine, worker, dispute_id, False, "", TODAY)
    assert no_reason.value.code == "explanation_missing"
    decided = decide_dispute(engine, worker, dispute_id, True, "", TODAY)
    assert decided.status == "upheld"
    with pytest.raises(DisputeError) as again:
        decide_dispute(engine, worker, dispute_id, False, "changed my mind", TODAY)
    assert again.value.code == "already_decided"

    with read_session(engine) as session:
        cancelled = session.get(ServiceEvent, event.id)
        assert cancelled.status == EventStatus.CANCELLED.value
        assert cancelled.cancel_reason.startswith(f"dispute {dispute_id}")
        assert cancelled.cancelled_by_person_id == worker.person_id
        used_after = load_month(session, aino, month, TODAY).statement.used_cents
    assert used_before - used_after == event.amount_cents + event.km_compensation_cents
    # The client (and the relative who manages) see the outcome and get a message.
    [outcome] = client_disputes(engine, client, aino.id, month, TODAY)
    assert outcome.status == "upheld"
    # The budget page reads the month and its disputes in one transaction, with one check.
    shown, [same] = budget_month_with_disputes(engine, client, aino.id, month, TODAY,
                                               "view_budget")
    assert shown.statement.used_cents == used_after and same.id == dispute_id
    assert budget_month_with_disputes(engine, client, aino.id, add_months(month, -1), TODAY,
                                      "view_budget")[1] == []
    with pytest.raises(AccessDenied):
        budget_month_with_disputes(engine, _actor(engine, "demo-client-2"), aino.id, month,
                                   TODAY, "view_budget")
    assert "dispute_upheld" in _kinds(engine, client.person_id)
    assert "dispute_upheld" in _kinds(engine, relative.person_id)
    [unread] = [m for m in messages.inbox(engine, client) if m.kind == "dispute_upheld"]
    assert unread.link == f"/budget?month={month:%Y-%m}"
    # A cancelled event cannot be disputed again.
    with pytest.raises(DisputeError) as gone:
        dispute_target(engine, client, aino.id, event.id, TODAY)
    assert gone.value.code == "not_disputable"
    # Audited end to end.
    [opened] = _audit(engine, "dispute_opened")
    assert opened.actor_person_id == client.person_id and opened.subject_client_id == aino.id
    [decided_row] = _audit(engine, "dispute_decided")
    assert json.loads(decided_row.details)["status"] == "upheld"
    assert decided_row.actor_person_id == worker.person_id


def test_a_proxy_with_manage_reports_and_the_worker_keeps_the_event(demo):
    engine = demo
    aino = _client(engine, "Aino")
    kotihelmi = _provider(engine, "Saimaan Kotihelmi Oy")
    relative = _actor(engine, "demo-relative")
    worker = _actor(engine, "demo-worker")
    event = _home_care_events(engine, aino.id, kotihelmi.id)[1]
    dispute_id = open_dispute(engine, relative, aino.id, event.id, "wrong_time_or_length",
                              "It was 30 minutes, not an hour.", TODAY)
    view = decide_dispute(engine, worker, dispute_id, False,
                          "The visit log shows a full hour.", TODAY)
    assert view.status == "rejected" and view.explanation == "The visit log shows a full hour."
    with read_session(engine) as session:
        assert session.get(ServiceEvent, event.id).status == EventStatus.RECORDED.value
        assert session.get(Dispute, dispute_id).decided_by_person_id == worker.person_id
    assert "dispute_rejected" in _kinds(engine, relative.person_id)
    assert "dispute_rejected" in _kinds(engine, _client(engine, "Aino").person_id)
    # Decided, the event may be reported again (e.g. with new facts).
    assert dispute_target(engine, relative, aino.id, event.id, TODAY).id == event.id


def test_denials(demo):
    engine = demo
    aino = _client(engine, "Aino")
    bengt = _client(engine, "Bengt")
    kotihelmi = _provider(engine, "Saimaan Kotihelmi Oy")
    client = _actor(engine, "demo-client")
    bengt_self = _actor(engine, "demo-client-2")
    viewer = _actor(engine, "demo-relative-view")
    worker = _actor(engine, "demo-worker")
    other_worker = _actor(engine, "demo-worker-2")
    other_staff = _actor(engine, "demo-provider-2")
    event = _home_care_events(engine, aino.id, kotihelmi.id)[2]

    # Another client's event: Bengt cannot dispute Aino's event, neither as himself nor by
    # claiming it is his own.
    for client_id in (aino.id, bengt.id):
        with pytest.raises(AccessDenied):
            open_dispute(engine, bengt_self, client_id, event.id, "did_not_happen", "", TODAY)
    # A view-only proxy may not report.
    with pytest.raises(AccessDenied) as view_only:
        open_dispute(engine, viewer, aino.id, event.id, "did_not_happen", "", TODAY)
    assert view_only.value.reason == "missing_scope"
    # Nothing was written by the refusals, and they were audited.
    with read_session(engine) as session:
        assert session.exec(select(Dispute)).all() == []
    assert len(_audit(engine, "refused")) >= 3

    dispute_id = open_dispute(engine, client, aino.id, event.id, "did_not_happen", "", TODAY)
    # Another provider's staff see nothing of it and cannot read Kotihelmi's list.
    with pytest.raises(AccessDenied):
        provider_disputes(engine, other_staff, kotihelmi.id)
    other_provider = _provider_of(engine, other_staff)
    assert provider_disputes(engine, other_staff, other_provider) == []
    # A worker not serving the client neither sees nor decides it.
    assert worker_disputes(engine, other_worker, TODAY) == []
    assert open_dispute_count(engine, other_worker, TODAY) == 0
    with pytest.raises(AccessDenied):
        decide_dispute(engine, other_worker, dispute_id, True, "", TODAY)
    # Nor do the client, a proxy or provider staff decide.
    for actor in (client, viewer, _actor(engine, "demo-provider")):
        with pytest.raises(AccessDenied):
            decide_dispute(engine, actor, dispute_id, True, "", TODAY)
    with pytest.raises(AccessDenied):
        worker_disputes(engine, client, TODAY)
    with read_session(engine) as session:
        assert session.get(Dispute, dispute_id).status == "open"
        assert session.get(ServiceEvent, event.id).status == EventStatus.RECORDED.value
    # The serving worker can.
    assert decide_dispute(engine, worker, dispute_id, True, "", TODAY).status == "upheld"


def _provider_of(engine, actor):
    from hbapp.services.provider_access import staff_provider_ids

    with read_session(engine) as session:
        [provider_id] = staff_provider_ids(session, actor.person_id)
        return provider_id


def test_decisions_swaps_and_surveys_send_messages(demo):
    from datetime import timedelta

    from hbapp.services.surveys import assign_survey

    engine = demo
    aino = _client(engine, "Aino")
    worker = _actor(engine, "demo-worker")
    relative = _actor(engine, "demo-relative")  # has the surveys scope
    viewer = _actor(engine, "demo-relative-view")  # view only
    assign_survey(engine, worker, aino.id, "hb-experience", TODAY + timedelta(days=14),
                  "end", TODAY)
    for person in (aino.person_id, relative.person_id):
        assert "survey_assigned" in _kinds(engine, person)
    assert "survey_assigned" not in _kinds(engine, viewer.person_id)
    [message] = [m for m in messages.inbox(engine, relative) if m.kind == "survey_assigned"]
    assert message.link.startswith("/surveys/") and message.subject_client_id == aino.id
    with write_session(engine) as session:
        assert set(messages.client_and_agents(session, aino.id, "view")) == {
            aino.person_id, relative.person_id, viewer.person_id}


def test_decisions_and_swap_decisions_send_messages(demo):
    from decimal import Decimal

    from hbapp.demo_people import DEMO_CLIENT_NEW_CODE
    from hbapp.domain.decisions import DecisionDraft, LineDraft
    from hbapp.domain.ledger import add_months, month_start
    from hbapp.services import decisions
    from hbapp.services.swaps import decide_swap, request_swap

    engine = demo
    worker = _actor(engine, "demo-worker")
    cid = decisions.register_client(engine, worker, decisions.ClientDraft(
        DEMO_CLIENT_NEW_CODE, "Tuula", "Laine", "405", "fi"), True, "", TODAY)
    with write_session(engine) as session:  # Tuula signs in: her account is linked
        tuula = Person(display_name="Tuula Laine", locale="fi")
        session.add(tuula)
        session.flush()
        session.get(Client, cid).person_id = tuula.id
        tuula_id = tuula.id
    this_month = month_start(TODAY)
    draft = DecisionDraft(decision_date=TODAY, valid_from=this_month, valid_to=None,
                          reason="Tarvitset apua kotona.",
                          lines=(LineDraft("home_care", Decimal(20)),), additions=())
    number = decisions.grant(engine, worker, cid, draft, 0, TODAY)
    later = add_months(this_month, 2)
    decisions.change(engine, worker, cid, number, DecisionDraft(
        decision_date=TODAY, valid_from=later, valid_to=None, reason="Enemmän apua.",
        lines=(LineDraft("home_care", Decimal(25)),), additions=()), 1, TODAY)
    decisions.end(engine, worker, cid, number, add_months(later, 1), TODAY, "Muutit pois.", 2,
                  TODAY)
    assert _kinds(engine, tuula_id) == ["decision_made", "decision_changed", "decision_ended"]
    tuula_actor = _actor_by_id(engine, tuula_id)
    [ended, changed, made] = messages.inbox(engine, tuula_actor)
    assert made.params == {"number": number, "from_date": this_month.isoformat()}
    assert changed.params["from_date"] == later.isoformat() and ended.link == "/decisions"

    # A swap the worker declines: the requester (the relative) and the client hear of it.
    aino = _client(engine, "Aino")
    relative = _actor(engine, "demo-relative")
    outcome = request_swap(engine, relative, aino.id, this_month, "carers_leave", "gym_card",
                           Decimal(1), TODAY)
    assert outcome.status == "pending"
    decide_swap(engine, worker, outcome.swap_id, False, "Ei tässä kuussa.", TODAY)
    assert "swap_declined" in _kinds(engine, relative.person_id)
    assert "swap_declined" in _kinds(engine, aino.person_id)


def _actor_by_id(engine, person_id):
    with read_session(engine) as session:
        return load_actor(session, person_id)
