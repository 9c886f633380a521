"""Messages from the provider side and month end: an event waiting for review (to the client's
own worker), an event the provider cancels (to the client), a settlement closed (to the
provider's staff); and a dispute upheld for a settled month, credited in the next settlement
(SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlmodel import select

from hbapp.db import read_session
from hbapp.models import (
    AuditLog,
    Client,
    EventStatus,
    Message,
    Person,
    Provider,
    ServiceEvent,
    ServiceType,
    SettlementRow,
    SettlementRowKind,
)
from hbapp.seed import seed_demo
from hbapp.services import messages
from hbapp.services.access import load_actor
from hbapp.services.disputes import decide_dispute, open_dispute
from hbapp.services.provider_events import EventInput, cancel_event, record_event
from hbapp.services.settlements import close_month, month_is_settled
from tests.integration.test_provider_events import NOW, TODAY as EVENTS_TODAY, TUESDAY, local

TODAY = date(2026, 11, 16)
OCTOBER = date(2026, 10, 1)
NOVEMBER = date(2026, 11, 1)


def _actor(engine, subject):
    with read_session(engine) as session:
        person = session.exec(select(Person).where(Person.oidc_subject == subject)).one()
        return load_actor(session, person.id)


def _kotihelmi(engine) -> int:
    with read_session(engine) as session:
        return session.exec(select(Provider.id).where(
            Provider.name == "Saimaan Kotihelmi Oy")).one()


def _aino(engine) -> Client:
    with read_session(engine) as session:
        return session.exec(select(Client).where(Client.first_name == "Aino")).one()


def _messages(engine, person_id, kind):
    with read_session(engine) as session:
        return session.exec(select(Message).where(Message.recipient_person_id == person_id,
                                                  Message.kind == kind)).all()


@pytest.fixture
def engine(empty_engine, monkeypatch):
    monkeypatch.delenv("HB_SMTP_URL", raising=False)
    return empty_engine


def test_event_needing_review_and_cancelled_event_send_messages(engine):
    seed_demo(engine, today=EVENTS_TODAY)
    kotihelmi = _kotihelmi(engine)
    staff = _actor(engine, "demo-provider")
    aino = _aino(engine)
    with read_session(engine) as session:
        from hbapp.models import Voucher

        voucher = session.exec(select(Voucher.code).join(
            ServiceType, ServiceType.id == Voucher.service_type_id).where(
            Voucher.provider_id == kotihelmi, ServiceType.code == "home_care")).one()
    # A 20-hour visit is over what is left: it waits for the client's own worker.
    big = record_event(engine, provider_id=kotihelmi, source="page", actor=staff, now=NOW,
                       data=EventInput(voucher=voucher, service_code="home_care",
                                       start=local(TUESDAY, 0), end=local(TUESDAY, 20)))
    assert big.status == "needs_review"
    [waiting] = _messages(engine, aino.own_worker_id, "event_needs_review")
    assert waiting.link == "/worker/events" and waiting.subject_client_id == aino.id
    assert json.loads(waiting.params)["event_date"] == TUESDAY.isoformat()
    assert _messages(engine, aino.person_id, "event_needs_review") == []

    cancel_event(engine, provider_id=kotihelmi, event_id=big.id, reason="Kirjattu väärin",
                 actor=staff, now=NOW)
    [told] = _messages(engine, aino.person_id, "event_cancelled")
    assert told.link == "/budget?month=2026-11"
    relative = _actor(engine, "demo-relative")
    assert len(_messages(engine, relative.person_id, "event_cancelled")) == 1


def test_closing_a_month_tells_the_staff_and_a_dispute_of_a_settled_month_is_credited(engine):
    seed_demo(engine, TODAY)
    kotihelmi = _kotihelmi(engine)
    staff = _actor(engine, "demo-provider")
    other_staff = _actor(engine, "demo-provider-2")
    close_month(engine, OCTOBER, TODAY)
    [closed] = _messages(engine, staff.person_id, "settlement_closed")
    assert closed.link == "/provider/settlements"
    assert json.loads(closed.params) == {"month": OCTOBER.isoformat()}
    # A provider with nothing to settle gets no settlement and no message.
    assert _messages(engine, other_staff.person_id, "settlement_closed") == []
    # Closing again changes nothing and sends nothing.
    close_month(engine, OCTOBER, TODAY)
    assert len(_messages(engine, staff.person_id, "settlement_closed")) == 1

    # Aino disputes a settled October visit; her worker upholds it.
    aino = _aino(engine)
    with read_session(engine) as session:
        assert month_is_settled(session, kotihelmi, OCTOBER)
        event = session.exec(
            select(ServiceEvent).join(ServiceType, ServiceType.id == ServiceEvent.service_type_id)
            .where(ServiceEvent.client_id == aino.id, ServiceEvent.provider_id == kotihelmi,
                   ServiceType.code == "home_care",
                   ServiceEvent.status == EventStatus.RECORDED.value,
                   ServiceEvent.started_at >= datetime(2026, 10, 1),
                   ServiceEvent.started_at < datetime(2026, 11, 1))
            .order_by(ServiceEvent.started_at.desc())).first()
    client = _actor(engine, "demo-client")
    dispute_id = open_dispute(engine, client, aino.id, event.id, "did_not_happen", "", TODAY)
    decide_dispute(engine, _actor(engine, "demo-worker"), dispute_id, True, "", TODAY)
    with read_session(engine) as session:
        assert session.get(ServiceEvent, event.id).status == EventStatus.CANCELLED.value
        decided = session.exec(select(AuditLog).where(
            AuditLog.action == "dispute_decided")).one()
        assert json.loads(decided.details)["credit_in_next_settlement"] is True
    # The October settlement is not changed; November's carries the credit.
    november = close_month(engine, NOVEMBER, date(2026, 12, 3))
    mine = next(s for s in november.settlements if s.provider_id == kotihelmi)
    with read_session(engine) as session:
        [credit] = session.exec(select(SettlementRow).where(
            SettlementRow.event_id == event.id,
            SettlementRow.kind == SettlementRowKind.CREDIT.value)).all()
        assert credit.organizer_cents == -event.amount_cents
    assert mine.provider_id == kotihelmi
    assert len(_messages(engine, staff.person_id, "settlement_closed")) == 2
    assert {m.kind for m in messages.inbox(engine, staff)} >= {"settlement_closed",
                                                               "dispute_opened"}
