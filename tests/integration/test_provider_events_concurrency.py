"""Sixteen recordings and a client's swap against one month at the same moment: the month never
goes over the budget unnoticed (SQLite and PostgreSQL, real threads and connections)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlmodel import select

from hbapp.db import read_session
from hbapp.models import Client, EventStatus, ServiceEvent
from hbapp.seed import seed_demo
from hbapp.services.budget import load_month
from hbapp.services.provider_events import EventInput, RecordedEvent, record_event
from hbapp.services.swaps import SwapOutcome, request_swap
from tests.integration.test_provider_events import (
    MONTH,
    NOW,
    TODAY,
    TUESDAY,
    local,
    provider_id,
    voucher_code,
)
from tests.integration.test_swaps import actor, client_id
from tests.integration.test_swaps_concurrency import UNLIMITED, run_together

THREADS = 16


def test_simultaneous_recordings_and_a_swap_never_overspend_unnoticed(empty_engine):
    engine = empty_engine
    seed_demo(engine, today=TODAY)
    aino = client_id(engine, "Aino")
    kotihelmi = provider_id(engine, "Saimaan Kotihelmi Oy")
    code = voucher_code(engine, kotihelmi, "home_care")
    staff, client = actor(engine, "demo-provider"), actor(engine, "demo-client")

    def visit(i: int):
        start = local(TUESDAY, 6) + timedelta(minutes=30 * i)
        return lambda: record_event(
            engine, provider_id=kotihelmi, source="api", actor=staff, now=NOW,
            data=EventInput(voucher=code, service_code="home_care", start=start,
                            end=start + timedelta(hours=2), external_id=f"t-{i}"))

    calls = [visit(i) for i in range(THREADS)]
    calls.insert(THREADS // 2, lambda: request_swap(engine, client, aino, MONTH, "home_care",
                                                    "cleaning", Decimal(3), TODAY,
                                                    rulebook=UNLIMITED))
    results = run_together(engine, calls)
    events = [r for r in results if isinstance(r, RecordedEvent)]
    swaps = [r for r in results if isinstance(r, SwapOutcome)]
    others = [r for r in results if not isinstance(r, (RecordedEvent, SwapOutcome))]
    # Every recording is stored (recorded within the money, or waiting for the worker); the
    # swap either went through or was refused for lack of money, never an error.
    assert len(events) == THREADS, [repr(r) for r in others][:3]
    assert all(getattr(r, "code", None) == "more_than_available" for r in others), others
    assert {e.status for e in events} <= {"recorded", "needs_review"}
    recorded = [e for e in events if e.status == "recorded"]
    waiting = [e for e in events if e.status == "needs_review"]
    # 16 two-hour visits are far more than what is left: some must wait for the worker.
    assert recorded and waiting
    with read_session(engine) as session:
        ledger = load_month(session, session.get(Client, aino), MONTH, TODAY)
        line = next(b for b in ledger.statement.lines if b.service_code == "home_care")
        assert line.remaining_cents >= 0  # nothing counted went over the line's money
        stored = session.exec(select(ServiceEvent).where(
            ServiceEvent.external_id.like("t-%"))).all()
        assert len(stored) == THREADS
        assert sum(1 for e in stored if e.status == EventStatus.RECORDED.value) == len(recorded)
    # What is left is less than one more visit, or the waiting ones would have fitted when
    # they were recorded: every waiting visit is more than was left at its moment.
    assert all(w.amount_cents > line.remaining_cents for w in waiting)
    assert len(swaps) <= 1
