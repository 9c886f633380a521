"""The case worker's caseload and client view on real databases: alerts, consent, denials, audit."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlmodel import func, select

from hbapp.db import read_session, write_session
from hbapp.models import (
    AuditLog,
    Budget,
    BudgetLine,
    Client,
    Consent,
    Person,
    ServiceType,
    SwapRequest,
    SwapStatus,
)
from hbapp.seed import seed_demo
from hbapp.services.access import AccessDenied, load_actor
from hbapp.services.caseload import worker_caseload
from hbapp.services.worker_client import assigned_client_name, client_overview

TODAY = date.today()


def actor(engine, subject: str):
    with read_session(engine) as session:
        person_id = session.exec(select(Person.id).where(Person.oidc_subject == subject)).one()
        return load_actor(session, person_id)


def client(engine, first_name: str) -> Client:
    with read_session(engine) as session:
        return session.exec(select(Client).where(Client.first_name == first_name)).one()


def by_name(caseload):
    return {e.first_name: e for e in caseload.entries}


def test_seeded_score_drops_raise_alerts(seeded_engine):
    caseload = worker_caseload(seeded_engine, actor(seeded_engine, "demo-worker"), TODAY)
    entries = by_name(caseload)
    assert caseload.total == 7
    aino = {(a.kind, a.part): a for a in entries["Aino"].alerts}
    # Aino's mental health T-score fell from 50.8 to 38.8; physical from 39.8 to 34.9 (< 5).
    assert aino[("promis_drop", "gmh")].before == 50.8
    assert aino[("promis_drop", "gmh")].after == 38.8
    assert ("promis_drop", "gph") not in aino
    assert ("feedback_flag", "") in aino  # the cleaner did not come
    bengt = {(a.kind, a.part): a for a in entries["Bengt"].alerts}
    assert bengt[("whoqol_drop", "environment")].before - bengt[
        ("whoqol_drop", "environment")].after >= 10
    assert ("promis_drop", "gmh") not in bengt  # his PROMIS improved
    assert [a.kind for a in entries["Matti"].alerts] == ["survey_overdue"]
    assert caseload.counts["promis_drop"] == 1
    assert caseload.counts["whoqol_drop"] == 1
    assert caseload.counts["survey_overdue"] == 1
    assert caseload.counts["feedback_flag"] == 1
    assert caseload.counts["swap_pending"] == 0


def test_clients_without_consent_show_name_only(seeded_engine):
    entries = by_name(worker_caseload(seeded_engine, actor(seeded_engine, "demo-worker"), TODAY))
    for name in ("Greta", "Raili"):
        entry = entries[name]
        assert entry.consent is False
        assert entry.alerts == ()
        assert entry.budget_cents is None and entry.projected_used_cents is None
    assert entries["Aino"].consent is True
    assert entries["Aino"].budget_cents == 156_400


def test_sort_and_filter(seeded_engine):
    worker = actor(seeded_engine, "demo-worker")
    names = [e.last_name for e in worker_caseload(seeded_engine, worker, TODAY, "name").entries]
    assert names == sorted(names, key=str.casefold)
    by_alerts = worker_caseload(seeded_engine, worker, TODAY, "alerts").entries
    assert by_alerts[0].first_name == "Aino"  # two alerts
    assert [e.consent for e in by_alerts][-2:] == [False, False]
    by_budget = worker_caseload(seeded_engine, worker, TODAY, "budget").entries
    shares = [e.projected_share for e in by_budget if e.projected_share is not None]
    assert shares == sorted(shares, reverse=True)
    filtered = worker_caseload(seeded_engine, worker, TODAY, "name", "whoqol_drop")
    assert [e.first_name for e in filtered.entries] == ["Bengt"]
    assert filtered.total == 7 and filtered.counts["promis_drop"] == 1
    # Unknown parameters fall back to the defaults instead of failing.
    odd = worker_caseload(seeded_engine, worker, TODAY, "shoe_size", "nonsense")
    assert odd.sort == "name" and odd.alert_filter == "" and len(odd.entries) == 7


def test_worker_without_clients_and_non_workers(seeded_engine):
    caseload = worker_caseload(seeded_engine, actor(seeded_engine, "demo-worker-2"), TODAY)
    assert caseload.entries == () and caseload.total == 0
    for subject in ("demo-client", "demo-relative", "demo-admin"):
        with pytest.raises(AccessDenied) as denied:
            worker_caseload(seeded_engine, actor(seeded_engine, subject), TODAY)
        assert denied.value.reason == "not_a_worker"


def test_caseload_views_are_audited_for_consented_clients_only(seeded_engine):
    greta = client(seeded_engine, "Greta")
    aino = client(seeded_engine, "Aino")
    worker = actor(seeded_engine, "demo-worker")

    def count(client_id):
        with read_session(seeded_engine) as session:
            return session.exec(select(func.count()).select_from(AuditLog).where(
                AuditLog.action == "worker_view_caseload",
                AuditLog.subject_client_id == client_id,
                AuditLog.actor_person_id == worker.person_id)).one()

    before = count(aino.id), count(greta.id)
    worker_caseload(seeded_engine, worker, TODAY)
    assert (count(aino.id), count(greta.id)) == (before[0] + 1, before[1])


def test_client_overview_for_own_worker_with_consent(seeded_engine):
    worker = actor(seeded_engine, "demo-worker")
    aino = client(seeded_engine, "Aino")
    with read_session(seeded_engine) as session:
        views_before = session.exec(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "worker_view_client", AuditLog.subject_client_id == aino.id)).one()
    overview = client_overview(seeded_engine, worker, aino.id, TODAY)
    assert overview.name == "Aino Virtanen"
    assert overview.budget.statement.budget_cents == 156_400
    assert [s.instrument_id for s in overview.surveys] == ["promis10", "promis10"]
    assert overview.surveys[0].scores["gmh"]["t"] == 50.8
    assert {m.agent_name for m in overview.mandates} >= {"Mikko Virtanen", "Liisa Virtanen"}
    assert len(overview.providers) == 2
    assert any(a.kind == "promis_drop" for a in overview.alerts)
    assert len(overview.open_surveys) == 1 and not overview.open_surveys[0].overdue
    with read_session(seeded_engine) as session:
        views_after = session.exec(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "worker_view_client", AuditLog.subject_client_id == aino.id)).one()
    assert views_after == views_before + 1
    bengt = client_overview(seeded_engine, worker, client(seeded_engine, "Bengt").id, TODAY)
    proxy = [s for s in bengt.surveys if s.proxy_reported]
    assert len(proxy) == 1 and proxy[0].instrument_id == "whoqol-bref"
    assert proxy[0].answered_by == "Eeva Korhonen"


@pytest.mark.parametrize(
    "subject, first_name, reason",
    [
        ("demo-worker", "Greta", "no_consent"),
        ("demo-worker", "Raili", "no_consent"),
        ("demo-worker-2", "Aino", "not_assigned"),
        ("demo-relative", "Aino", "not_a_worker"),
        ("demo-client", "Aino", "not_a_worker"),
    ],
)
def test_client_overview_denied(seeded_engine, subject, first_name, reason):
    target = client(seeded_engine, first_name)
    who = actor(seeded_engine, subject)
    with pytest.raises(AccessDenied) as denied:
        client_overview(seeded_engine, who, target.id, TODAY)
    assert denied.value.reason == reason
    with read_session(seeded_engine) as session:
        assert session.exec(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "worker_view_client", AuditLog.subject_client_id == target.id,
            AuditLog.actor_person_id == who.person_id)).one() == 0
    name = assigned_client_name(seeded_engine, who, target.id, TODAY)
    assert name == (target.full_name if reason == "no_consent" else None)


def test_revoked_consent_hides_data_and_a_pending_swap_raises_an_alert(empty_engine):
    seed_demo(empty_engine)
    worker = actor(empty_engine, "demo-worker")
    aino = client(empty_engine, "Aino")
    with write_session(empty_engine) as session:
        lines = session.exec(
            select(BudgetLine, ServiceType.code)
            .join(ServiceType, ServiceType.id == BudgetLine.service_type_id)
            .join(Budget, Budget.id == BudgetLine.budget_id)
            .where(Budget.client_id == aino.id)
        ).all()
        codes = {code: line for line, code in lines}
        session.add(SwapRequest(
            budget_id=codes["carers_leave"].budget_id, client_id=aino.id,
            month=TODAY.replace(day=1), from_line_id=codes["carers_leave"].id,
            to_line_id=codes["home_care"].id, from_units=1, to_units=2, amount_cents=7980,
            status=SwapStatus.PENDING.value, requested_by_person_id=worker.person_id,
        ))
    entries = by_name(worker_caseload(empty_engine, worker, TODAY))
    assert any(a.kind == "swap_pending" for a in entries["Aino"].alerts)
    overview = client_overview(empty_engine, worker, aino.id, TODAY)
    assert len(overview.pending_swaps) == 1
    assert overview.pending_swaps[0].from_service.en == "Carer's leave"

    with write_session(empty_engine) as session:
        for consent in session.exec(select(Consent).where(Consent.client_id == aino.id)).all():
            consent.revoked_at = datetime.now() - timedelta(minutes=1)
            session.add(consent)
    entries = by_name(worker_caseload(empty_engine, worker, TODAY))
    assert entries["Aino"].consent is False and entries["Aino"].alerts == ()
    with pytest.raises(AccessDenied) as denied:
        client_overview(empty_engine, worker, aino.id, TODAY)
    assert denied.value.reason == "no_consent"
