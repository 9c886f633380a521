"""Many people swapping from the same line at the same moment never overspend.

Real threads, each with its own database connection, released together by a barrier. On
PostgreSQL the budget row lock serializes them; on SQLite BEGIN IMMEDIATE does.
"""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

from sqlmodel import select

from hbapp.db import read_session
from hbapp.domain.rulebook import parse_rulebook
from hbapp.domain.swaps import SwapError
from hbapp.models import Budget, Client, LineAdjustment, SwapRequest
from hbapp.seed import AINO_MONTHLY_BUDGET_CENTS, seed_demo
from hbapp.services.budget import load_month
from hbapp.services.swaps import request_swap
from tests.integration.test_swaps import actor, client_id

TODAY = date(2026, 11, 1)
THREADS = 16

# No limits but the balance itself: only the lock can keep the threads from overspending.
UNLIMITED = parse_rulebook({
    "format": "hb-rulebook/1", "version": "test-unlimited", "organizer_business_id": "9000105-7",
    "organizer_name": "test", "valid_from": "2026-01-01",
    "services": {"home_care": {"unit": "hour", "unit_value_cents": 3990},
                 "cleaning": {"unit": "hour", "unit_value_cents": 3500},
                 "carers_leave": {"unit": "day", "unit_value_cents": 10000,
                                  "min_keep_per_month": "2"}},
    "conversions": [{"from": "home_care", "to": "cleaning", "approval": "automatic"}],
})


def run_together(engine, calls):
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def work(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            results[index] = error

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def aino_month(engine):
    with read_session(engine) as session:
        client = session.exec(select(Client).where(Client.first_name == "Aino")).one()
        month = load_month(session, client, TODAY, TODAY)
        lines = {b.service_code: b for b in month.statement.lines}
        version = session.exec(select(Budget.version).where(Budget.client_id == client.id)).one()
        swaps = session.exec(select(SwapRequest)).all()
        adjustments = session.exec(select(LineAdjustment)).all()
    return month.statement, lines, version, swaps, adjustments


def test_simultaneous_swaps_never_take_more_than_the_balance(empty_engine):
    engine = empty_engine
    seed_demo(engine, today=TODAY)
    aino = client_id(engine, "Aino")
    people = [actor(engine, "demo-client"), actor(engine, "demo-relative")]
    calls = [
        (lambda who=people[i % 2]: request_swap(engine, who, aino, TODAY, "home_care", "cleaning",
                                                Decimal(3), TODAY, rulebook=UNLIMITED))
        for i in range(THREADS)
    ]
    results = run_together(engine, calls)
    done = [r for r in results if not isinstance(r, Exception)]
    failed = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(r, SwapError) and r.code == "more_than_available" for r in failed), failed
    # 798 € of home care at the chosen provider's 38,50 €/h: 3 h take 115,50 € each, so six
    # fit and the seventh would overspend.
    assert len(done) == 6
    statement, lines, version, swaps, adjustments = aino_month(engine)
    assert sum(Decimal(s.from_units) for s in swaps) == Decimal(18)
    assert lines["home_care"].remaining_cents == 79_800 - 6 * 3 * 3850
    assert all(line.remaining_cents >= 0 for line in lines.values())
    assert statement.budget_cents == AINO_MONTHLY_BUDGET_CENTS
    assert version == 6
    assert len(adjustments) == 12


def test_simultaneous_swaps_never_break_the_minimum(empty_engine):
    engine = empty_engine
    seed_demo(engine, today=TODAY)
    aino = client_id(engine, "Aino")
    people = [actor(engine, "demo-client"), actor(engine, "demo-relative")]
    calls = [
        (lambda who=people[i % 2]: request_swap(engine, who, aino, TODAY, "carers_leave",
                                                "home_care", Decimal(1), TODAY))
        for i in range(12)
    ]
    results = run_together(engine, calls)
    done = [r for r in results if not isinstance(r, Exception)]
    failed = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(r, SwapError) and r.code == "below_minimum" for r in failed), failed
    # A day moves 100 €; two fit above the 2-day (200 €) minimum of 400 €, a third does not.
    assert [r.status for r in done] == ["applied", "applied"]
    statement, lines, version, swaps, _ = aino_month(engine)
    assert lines["carers_leave"].value_cents == 40_000 - 2 * 10_000 == 2 * 10_000
    assert statement.budget_cents == AINO_MONTHLY_BUDGET_CENTS
    assert version == 2 and len(swaps) == 2
