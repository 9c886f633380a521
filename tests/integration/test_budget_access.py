"""The budget view on a real database: the ledger's figures, authorization and the audit trail."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import func, select

from hbapp.db import read_session, write_session
from hbapp.domain.ledger import add_months, month_start
from hbapp.models import AuditLog, Client, Mandate, Person, ServiceEvent
from hbapp.services.access import AccessDenied, load_actor, represented_clients
from hbapp.services.budget import budget_month

TODAY = date.today()


def person_id(engine, subject: str) -> int:
    with read_session(engine) as session:
        return session.exec(select(Person.id).where(Person.oidc_subject == subject)).one()


def actor(engine, subject: str):
    with read_session(engine) as session:
        return load_actor(session, person_id(engine, subject))


def client_id(engine, subject: str) -> int:
    with read_session(engine) as session:
        return session.exec(
            select(Client.id).join(Person, Person.id == Client.person_id)
            .where(Person.oidc_subject == subject)
        ).one()


def test_month_totals_reconcile_with_recorded_events(seeded_engine):
    aino = client_id(seeded_engine, "demo-client")
    for offset in (0, -1, -2):
        month = add_months(month_start(TODAY), offset)
        result = budget_month(seeded_engine, actor(seeded_engine, "demo-client"), aino, month,
                              TODAY, action="test_view")
        with read_session(seeded_engine) as session:
            events = session.exec(
                select(ServiceEvent).where(ServiceEvent.client_id == aino)
            ).all()
        in_month = [e for e in events if month_start(e.started_at.date()) == month]
        charged = sum(e.amount_cents + e.km_compensation_cents for e in in_month)
        statement = result.statement
        assert statement.used_cents == charged
        assert statement.remaining_cents == statement.budget_cents - charged
        assert statement.self_pay_cents == sum(e.self_pay_cents for e in in_month)
        assert sum(line.used_units for line in statement.lines) == sum(
            Decimal(e.units) for e in in_month
        )
        assert len(result.events) == len(in_month)


def test_aino_has_the_kainuu_average_budget(seeded_engine):
    result = budget_month(seeded_engine, actor(seeded_engine, "demo-client"),
                          client_id(seeded_engine, "demo-client"), TODAY, TODAY, action="test")
    assert result.statement.budget_cents == 156_400


@pytest.mark.parametrize(
    "subject, client_subject, allowed",
    [
        ("demo-client", "demo-client", True),
        ("demo-client", "demo-client-2", False),
        ("demo-relative", "demo-client", True),
        ("demo-relative", "demo-client-2", False),
        ("demo-relative-view", "demo-client", True),
        ("demo-guardian", "demo-client-2", True),
        ("demo-guardian", "demo-client", False),
        ("demo-worker", "demo-client", False),  # workers use the worker scope, not a mandate
        ("demo-worker-2", "demo-client", False),
        ("demo-admin", "demo-client", False),
    ],
)
def test_view_access_matrix(seeded_engine, subject, client_subject, allowed):
    target = client_id(seeded_engine, client_subject)
    who = actor(seeded_engine, subject)
    if allowed:
        assert budget_month(seeded_engine, who, target, TODAY, TODAY, action="test") is not None
    else:
        with pytest.raises(AccessDenied):
            budget_month(seeded_engine, who, target, TODAY, TODAY, action="test")


def test_view_is_audited_with_actor_and_subject(seeded_engine):
    who = actor(seeded_engine, "demo-relative")
    aino = client_id(seeded_engine, "demo-client")
    with read_session(seeded_engine) as session:
        before = session.exec(
            select(func.count()).select_from(AuditLog).where(
                AuditLog.action == "view_budget", AuditLog.actor_person_id == who.person_id,
                AuditLog.subject_client_id == aino)
        ).one()
    budget_month(seeded_engine, who, aino, TODAY, TODAY, action="view_budget")
    with read_session(seeded_engine) as session:
        after = session.exec(
            select(func.count()).select_from(AuditLog).where(
                AuditLog.action == "view_budget", AuditLog.actor_person_id == who.person_id,
                AuditLog.subject_client_id == aino)
        ).one()
    assert after == before + 1


def test_denied_view_writes_no_view_entry(seeded_engine):
    who = actor(seeded_engine, "demo-worker-2")
    aino = client_id(seeded_engine, "demo-client")
    with pytest.raises(AccessDenied):
        budget_month(seeded_engine, who, aino, TODAY, TODAY, action="view_budget_denied_probe")
    with read_session(seeded_engine) as session:
        assert session.exec(
            select(AuditLog).where(AuditLog.action == "view_budget_denied_probe")
        ).first() is None


def test_expired_and_revoked_mandates_give_no_access(empty_engine):
    from hbapp.seed import seed_demo

    seed_demo(empty_engine)
    relative = person_id(empty_engine, "demo-relative")
    aino = client_id(empty_engine, "demo-client")
    with write_session(empty_engine) as session:
        mandate = session.exec(select(Mandate).where(Mandate.agent_person_id == relative)).one()
        mandate.valid_to = TODAY - timedelta(days=1)
        session.add(mandate)
    who = actor(empty_engine, "demo-relative")
    with pytest.raises(AccessDenied):
        budget_month(empty_engine, who, aino, TODAY, TODAY, action="test")
    with write_session(empty_engine) as session:
        mandate = session.exec(select(Mandate).where(Mandate.agent_person_id == relative)).one()
        mandate.valid_to = None
        mandate.status = "revoked"
        session.add(mandate)
    with pytest.raises(AccessDenied):
        budget_month(empty_engine, who, aino, TODAY, TODAY, action="test")
    with read_session(empty_engine) as session:
        assert represented_clients(session, who, TODAY) == []


def test_month_outside_budget_period_has_no_budget(seeded_engine):
    who = actor(seeded_engine, "demo-client")
    aino = client_id(seeded_engine, "demo-client")
    long_ago = add_months(month_start(TODAY), -24)
    assert budget_month(seeded_engine, who, aino, long_ago, TODAY, action="test") is None
