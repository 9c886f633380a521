"""Month-end settlements on real SQLite and PostgreSQL: idempotent and concurrent closing, late
events as corrections, cancelled settled events as credits, references, and totals that equal
the clients' ledgers."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlmodel import func, select

from hbapp.db import read_session, write_session
from hbapp.domain.reference import is_valid_reference, is_valid_rf, rf_to_national
from hbapp.models import (
    Client,
    EventStatus,
    Provider,
    ServiceEvent,
    SettledEvent,
    Settlement,
    SettlementRow,
)
from hbapp.seed import seed_demo
from hbapp.services.access import AccessDenied
from hbapp.services.budget import load_month
from hbapp.services.settlements import (
    ACCOUNTS_PAYABLE_COLUMNS,
    SettlementError,
    accounts_payable_csv,
    close_month,
    month_is_settled,
    month_overview,
    provider_settlements,
    settlement_csv,
    settlement_detail,
    settlement_json,
)
from tests.integration.test_swaps import actor
from tests.integration.test_swaps_concurrency import run_together

TODAY = date(2026, 11, 16)
OCTOBER = date(2026, 10, 1)
NOVEMBER = date(2026, 11, 1)
AFTER_NOVEMBER = date(2026, 12, 2)


@pytest.fixture
def engine(empty_engine):
    seed_demo(empty_engine, TODAY)
    return empty_engine


def kotihelmi(engine) -> int:
    with read_session(engine) as session:
        return session.exec(select(Provider.id).where(
            Provider.name == "Saimaan Kotihelmi Oy")).one()


def ledger_sums(engine, month: date) -> dict[int, tuple[int, int, int]]:
    """provider id -> (services, self-pay, km) summed from every client's ledger."""
    sums: dict[int, list[int]] = {}
    with read_session(engine) as session:
        for client in session.exec(select(Client)).all():
            result = load_month(session, client, month, TODAY)
            if result is None:
                continue
            for event in [e for e in result.events if e.counted]:
                row = sums.setdefault(event.provider_id, [0, 0, 0])
                row[0] += event.amount_cents
                row[1] += event.self_pay_cents
                row[2] += event.km_compensation_cents
            # The ledger's own total agrees with its events (services + km).
            assert result.statement.used_cents == sum(
                e.amount_cents + e.km_compensation_cents for e in result.events if e.counted)
    return {k: tuple(v) for k, v in sums.items()}


def test_closing_twice_gives_one_settlement_per_provider_equal_to_the_ledgers(engine):
    ledgers = ledger_sums(engine, OCTOBER)
    assert ledgers, "the demo data has October events"
    first = close_month(engine, OCTOBER, TODAY)
    assert first.created
    by_provider = {s.provider_id: s for s in first.settlements}
    assert set(by_provider) == set(ledgers)  # providers with nothing get none
    for provider_id, (services, self_pay, km) in ledgers.items():
        settlement = by_provider[provider_id]
        assert (settlement.organizer_cents, settlement.self_pay_cents, settlement.km_cents) == (
            services, self_pay, km)
        assert settlement.payable_cents == services + km
        assert is_valid_reference(settlement.reference)
        assert is_valid_rf(settlement.rf_reference)
        assert rf_to_national(settlement.rf_reference) == settlement.reference
        assert settlement.reference.startswith(f"202610{provider_id:04d}")

    again = close_month(engine, OCTOBER, TODAY)
    assert not again.created
    assert [s.settlement_id for s in again.settlements] == [
        s.settlement_id for s in first.settlements]
    with read_session(engine) as session:
        assert session.exec(select(func.count(Settlement.id))).one() == len(ledgers)
        settled = session.exec(select(func.count(SettledEvent.id))).one()
        october_events = session.exec(select(func.count(ServiceEvent.id)).where(
            ServiceEvent.status == EventStatus.RECORDED.value,
            ServiceEvent.started_at >= datetime(2026, 10, 1),
            ServiceEvent.started_at < datetime(2026, 11, 1))).one()
        assert settled == october_events
        # Rows: one per client voucher and service, all normal.
        rows = session.exec(select(SettlementRow)).all()
        assert {r.kind for r in rows} == {"normal"}
        keys = Counter((r.settlement_id, r.client_id, r.voucher_code, r.service_type_id)
                       for r in rows)
        assert max(keys.values()) == 1
        assert sum(r.event_count for r in rows) == october_events
        assert month_is_settled(session, kotihelmi(engine), OCTOBER)
        assert not month_is_settled(session, kotihelmi(engine), NOVEMBER)


def test_only_past_months_close(engine):
    with pytest.raises(SettlementError):
        close_month(engine, NOVEMBER, TODAY)
    with pytest.raises(SettlementError):
        close_month(engine, date(2026, 12, 1), TODAY)


def test_concurrent_closes_make_one_settlement_per_provider(engine):
    results = run_together(engine, [lambda: close_month(engine, OCTOBER, TODAY)] * 4)
    assert all(not isinstance(r, Exception) for r in results), results
    assert sum(r.created for r in results) == 1
    ids = {tuple(s.settlement_id for s in r.settlements) for r in results}
    assert len(ids) == 1
    with read_session(engine) as session:
        counts = session.exec(select(Settlement.provider_id, func.count(Settlement.id))
                              .group_by(Settlement.provider_id)).all()
        assert counts and all(n == 1 for _, n in counts)
        duplicates = session.exec(select(SettledEvent.event_id, func.count(SettledEvent.id))
                                  .group_by(SettledEvent.event_id)
                                  .having(func.count(SettledEvent.id) > 1)).all()
        assert duplicates == []


def test_late_event_is_a_correction_and_a_cancelled_one_a_credit(engine):
    provider_id = kotihelmi(engine)
    close_month(engine, OCTOBER, TODAY)
    with read_session(engine) as session:
        october = session.exec(select(Settlement).where(
            Settlement.provider_id == provider_id, Settlement.month == OCTOBER)).one()
        frozen = (october.organizer_cents, october.self_pay_cents, october.row_count)
        settled = session.exec(select(ServiceEvent).where(
            ServiceEvent.provider_id == provider_id,
            ServiceEvent.started_at >= datetime(2026, 10, 1),
            ServiceEvent.started_at < datetime(2026, 11, 1)).order_by(ServiceEvent.id)).first()
    with write_session(engine) as session:
        # Recorded late for October (as the event service allows within 60 days).
        late = ServiceEvent(
            provider_id=provider_id, client_id=settled.client_id,
            budget_line_id=settled.budget_line_id, service_type_id=settled.service_type_id,
            started_at=datetime(2026, 10, 30, 9, 0), units=Decimal("1.5"), band="weekday_day",
            amount_cents=5985, self_pay_cents=150, voucher_id=settled.voucher_id, source="page",
        )
        session.add(late)
        # A settled October event cancelled afterwards (the dispute path).
        event = session.get(ServiceEvent, settled.id)
        event.status = EventStatus.CANCELLED.value
        event.cancelled_at = datetime(2026, 11, 20, 12, 0)
        event.cancel_reason = "did not happen"
        session.add(event)
        session.flush()
        late_id = late.id

    november = close_month(engine, NOVEMBER, AFTER_NOVEMBER)
    mine = next(s for s in november.settlements if s.provider_id == provider_id)
    assert mine.correction_rows == 1 and mine.credit_rows == 1
    with read_session(engine) as session:
        rows = session.exec(select(SettlementRow).where(
            SettlementRow.settlement_id == mine.settlement_id)).all()
        correction = next(r for r in rows if r.kind == "correction")
        credit = next(r for r in rows if r.kind == "credit")
        assert correction.event_id == late_id and correction.event_month == OCTOBER
        assert correction.organizer_cents == 5985 and correction.self_pay_cents == 150
        assert credit.event_id == settled.id and credit.event_month == OCTOBER
        assert credit.organizer_cents == -settled.amount_cents
        assert credit.self_pay_cents == -settled.self_pay_cents
        assert Decimal(credit.units) == -Decimal(settled.units)
        assert mine.organizer_cents == sum(r.organizer_cents for r in rows)
        # October's settlement never changed.
        october = session.get(Settlement, october.id)
        assert (october.organizer_cents, october.self_pay_cents, october.row_count) == frozen
    # November's normal rows still equal November's ledgers for this provider.
    november_ledger = ledger_sums(engine, NOVEMBER)[provider_id]
    normal_cents = mine.organizer_cents - 5985 + settled.amount_cents
    assert normal_cents == november_ledger[0]
    # Nothing is taken twice: closing again or closing another month adds no such rows.
    assert not close_month(engine, NOVEMBER, AFTER_NOVEMBER).created
    december = close_month(engine, date(2026, 12, 1), date(2027, 1, 5))
    assert all(s.correction_rows == 0 and s.credit_rows == 0 for s in december.settlements)


def test_only_administrators_close_and_only_staff_see(engine):
    provider_id = kotihelmi(engine)
    with pytest.raises(AccessDenied):
        close_month(engine, OCTOBER, TODAY, actor=actor(engine, "demo-worker"))
    with pytest.raises(AccessDenied):
        month_overview(engine, actor(engine, "demo-provider"), OCTOBER, TODAY)
    preview = month_overview(engine, actor(engine, "demo-admin"), OCTOBER, TODAY)
    assert not preview.closed and preview.providers
    result = close_month(engine, OCTOBER, TODAY, actor=actor(engine, "demo-admin"))
    closed = month_overview(engine, actor(engine, "demo-admin"), OCTOBER, TODAY)
    assert closed.closed
    # The preview said what closing settled.
    assert [(p.provider_id, p.payable_cents, p.row_count) for p in preview.providers] == [
        (p.provider_id, p.payable_cents, p.row_count) for p in closed.providers]
    assert {s.settlement_id for s in result.settlements} == {
        p.settlement_id for p in closed.providers}

    with pytest.raises(AccessDenied):
        provider_settlements(engine, provider_id, actor=actor(engine, "demo-provider-2"))
    with pytest.raises(AccessDenied):
        settlement_detail(engine, provider_id, OCTOBER, actor=actor(engine, "demo-client"))
    mine = provider_settlements(engine, provider_id, actor=actor(engine, "demo-provider"))
    assert [s.month for s in mine] == [OCTOBER]
    view = settlement_detail(engine, provider_id, OCTOBER, actor=actor(engine, "demo-provider"))
    with read_session(engine) as session:
        codes = set(session.exec(select(Client.personal_identity_code)).all())
    text = settlement_csv(view)
    assert "Aino Virtanen" in text
    assert not any(code in text for code in codes)
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert len(parsed) == view.totals.row_count
    assert sum(Decimal(r["services_eur"]) for r in parsed) * 100 == view.totals.organizer_cents
    data = settlement_json(view)
    assert data["reference"] == view.totals.reference
    assert data["totals"]["services_cents"] == sum(r["services_cents"] for r in data["rows"])

    exported = accounts_payable_csv(engine, actor(engine, "demo-admin"), OCTOBER, TODAY)
    assert exported.startswith(",".join(ACCOUNTS_PAYABLE_COLUMNS))
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == len(result.settlements)
    for row, settlement in zip(rows, closed.providers):
        assert row["reference"] == settlement.reference
        assert Decimal(row["payable_eur"]) * 100 == settlement.payable_cents
        assert "." in row["payable_eur"] and "," not in row["payable_eur"]
    with pytest.raises(AccessDenied):
        accounts_payable_csv(engine, actor(engine, "demo-worker"), OCTOBER, TODAY)
