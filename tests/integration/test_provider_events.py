"""Recording service events: prices by band, self-pay, km, every refusal, idempotency, the
60-day rule, needs-review and the worker's decision, cancelling (SQLite and PostgreSQL).

The demo data is seeded as of Wednesday 4.11.2026 and the clock is 4.11.2026 20:00 Finnish time.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import select

from hbapp.db import read_session, write_session
from hbapp.models import (
    AuditLog,
    Client,
    Provider,
    ProviderChoice,
    ProviderPrice,
    ProviderStaff,
    ServiceEvent,
    ServiceType,
    Voucher,
)
from hbapp.seed import seed_demo
from hbapp.services.access import AccessDenied
from hbapp.services.budget import load_month
from hbapp.services.provider_events import (
    EventInput,
    EventRefused,
    cancel_event,
    count_needing_review,
    events_needing_review,
    provider_events,
    provider_vouchers,
    record_event,
    review_event,
)
from hbapp.services.vouchers import issue_voucher
from tests.integration.test_swaps import actor, client_id

HELSINKI = ZoneInfo("Europe/Helsinki")
TODAY = date(2026, 11, 4)  # a Wednesday
MONTH = date(2026, 11, 1)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def instant(moment: datetime) -> datetime:
    """A Finnish local time as the naive UTC instant the service takes as `now`."""
    return moment.replace(tzinfo=HELSINKI).astimezone(timezone.utc).replace(tzinfo=None)


NOW = instant(local(TODAY, 20))
TUESDAY = date(2026, 11, 3)


def provider_id(engine, name: str) -> int:
    with read_session(engine) as session:
        return session.exec(select(Provider.id).where(Provider.name == name)).one()


def voucher_code(engine, provider: int, service: str) -> str:
    with read_session(engine) as session:
        return session.exec(
            select(Voucher.code).join(ServiceType, ServiceType.id == Voucher.service_type_id)
            .where(Voucher.provider_id == provider, ServiceType.code == service,
                   Voucher.ended_at.is_(None))).one()


@pytest.fixture
def demo(empty_engine):
    engine = empty_engine
    seed_demo(engine, today=TODAY)
    kotihelmi = provider_id(engine, "Saimaan Kotihelmi Oy")
    return {
        "engine": engine,
        "kotihelmi": kotihelmi,
        "voucher": voucher_code(engine, kotihelmi, "home_care"),
        "staff": actor(engine, "demo-provider"),
        "other": actor(engine, "demo-provider-2"),
        "worker": actor(engine, "demo-worker"),
        "worker2": actor(engine, "demo-worker-2"),
        "aino": client_id(engine, "Aino"),
    }


def record(demo, start=None, end=None, *, voucher=None, service="home_care", day=None,
           units=None, km=Decimal(0), external_id=None, provider=None, who=None,
           now=NOW, source="page"):
    return record_event(
        demo["engine"], provider_id=provider or demo["kotihelmi"], source=source,
        actor=who or demo["staff"], now=now,
        data=EventInput(voucher=voucher or demo["voucher"], service_code=service, start=start,
                        end=end, day=day, units=units, km=km, external_id=external_id))


def refusal(call, *args, **kwargs) -> EventRefused:
    with pytest.raises(EventRefused) as refused:
        call(*args, **kwargs)
    return refused.value


def line_left(engine, client: int, code: str, month: date = MONTH) -> int:
    with read_session(engine) as session:
        ledger = load_month(session, session.get(Client, client), month, TODAY)
        return next(b.remaining_cents for b in ledger.statement.lines if b.service_code == code)


def add_choice(engine, client: int, provider: int, service: str, staff_person: int) -> str:
    """A choice made on 1.11. (with its voucher), and the person made staff of the provider."""
    with write_session(engine) as session:
        service_id = session.exec(select(ServiceType.id).where(ServiceType.code == service)).one()
        choice = ProviderChoice(client_id=client, service_type_id=service_id,
                                provider_id=provider, chosen_by_person_id=staff_person,
                                chosen_at=instant(local(MONTH, 9)))
        session.add(choice)
        session.flush()
        code = issue_voucher(session, choice).code
        session.add(ProviderStaff(provider_id=provider, person_id=staff_person))
    return code


# --------------------------------------------------------------------------- prices and bands


def test_an_evening_visit_is_priced_at_the_evening_price_with_self_pay(demo):
    engine = demo["engine"]
    left_before = line_left(engine, demo["aino"], "home_care")
    event = record(demo, local(TUESDAY, 18, 30), local(TUESDAY, 19, 30))
    # Kotihelmi's evening price 44,50 €/h; the budget pays the unit value 39,90 €, the client
    # pays the difference 4,60 €.
    assert (event.band, event.units, event.amount_cents, event.self_pay_cents) == (
        "weekday_evening", Decimal(1), 3990, 460)
    assert event.status == "recorded" and event.created and event.client_name == "Aino Virtanen"
    assert event.price_cents == 4450
    assert line_left(engine, demo["aino"], "home_care") == left_before - 3990
    with read_session(engine) as session:
        ledger = load_month(session, session.get(Client, demo["aino"]), MONTH, TODAY)
        shown = next(e for e in ledger.events if e.started_at == local(TUESDAY, 18, 30))
        assert (shown.band, shown.status, shown.self_pay_cents) == ("weekday_evening",
                                                                    "recorded", 460)
        row = session.get(ServiceEvent, event.id)
        assert (row.source, row.recorded_by_person_id, row.ended_at) == (
            "page", demo["staff"].person_id, local(TUESDAY, 19, 30))
        entry = session.exec(select(AuditLog).where(AuditLog.action == "event_recorded")).one()
        assert entry.subject_client_id == demo["aino"]
        assert entry.actor_person_id == demo["staff"].person_id
        assert json.loads(entry.details)["event_id"] == event.id


def test_bands_sunday_holiday_and_a_visit_over_six(demo):
    sunday = record(demo, local(date(2026, 11, 1), 10), local(date(2026, 11, 1), 11))
    assert (sunday.band, sunday.amount_cents, sunday.self_pay_cents) == ("sunday_holiday",
                                                                         3990, 1210)
    # All Saints' Day, Saturday 31.10.2026: a public holiday, priced as a Sunday.
    saints = record(demo, local(date(2026, 10, 31), 10), local(date(2026, 10, 31), 11, 30))
    assert (saints.band, saints.units, saints.amount_cents, saints.self_pay_cents) == (
        "sunday_holiday", Decimal("1.5"), 5985, 1815)
    # 17.30–18.30: half an hour at the day price 38,50 (under the value: no self-pay), half an
    # hour in the evening at 44,50 (the budget pays 19,95, the client 2,30). A tie: day band.
    split = record(demo, local(TUESDAY, 17, 30), local(TUESDAY, 18, 30))
    assert (split.band, split.amount_cents, split.self_pay_cents) == ("weekday_day",
                                                                     1925 + 1995, 230)
    # Minutes: 9.00–9.50 is 50/60 h at 38,50 €.
    minutes = record(demo, local(TUESDAY, 9), local(TUESDAY, 9, 50))
    assert minutes.units == Decimal("0.833") and minutes.amount_cents == 3208


def test_transport_with_kilometres_and_whole_visits(demo):
    engine = demo["engine"]
    kyyti = provider_id(engine, "Karjalan Kyyti Oy")
    code = add_choice(engine, demo["aino"], kyyti, "transport", demo["staff"].person_id)
    trip = record(demo, voucher=code, service="transport", provider=kyyti, day=TUESDAY,
                  units=Decimal(1), km=Decimal("35.5"))
    # 23,00 € a trip (no self-pay for transport) and (35,5 − 10) km × 0,24 € = 6,12 €.
    assert (trip.amount_cents, trip.self_pay_cents, trip.km_compensation_cents) == (2300, 0, 612)
    assert trip.started_at == local(TUESDAY, 0) and trip.ended_at is None
    assert trip.km == Decimal("35.5") and trip.band == "weekday_day"
    assert refusal(record, demo, voucher=code, service="transport", provider=kyyti,
                   day=TUESDAY, units=Decimal("1.5")).code == "bad_units"
    assert refusal(record, demo, voucher=code, service="transport", provider=kyyti,
                   day=TUESDAY, units=Decimal(0)).code == "bad_units"
    assert refusal(record, demo, voucher=code, service="transport", provider=kyyti,
                   day=TUESDAY + timedelta(days=2), units=Decimal(1)).code == "future"
    # The voucher choices of the form: the provider's own, active vouchers only.
    [only] = provider_vouchers(engine, provider_id=kyyti, actor=demo["staff"])
    assert (only.code, only.service_code, only.travel) == (code, "transport", True)


# --------------------------------------------------------------------------- refusals


def test_every_refusal(demo):
    engine = demo["engine"]
    tue = (local(TUESDAY, 10), local(TUESDAY, 11))
    cases = {
        "missing_field": dict(voucher=" "),
        "unknown_voucher": dict(voucher="HB-2222-3333"),
        "unknown_service": dict(service="massage"),
        "service_not_on_voucher": dict(service="cleaning"),
        "bad_km": dict(km=Decimal(12)),
        "bad_external_id": dict(external_id="x" * 101),
    }
    for code, changes in cases.items():
        error = refusal(record, demo, *tue, **changes)
        assert error.code == code, (code, error.code)
        assert error.message and error.field
    assert refusal(record, demo, local(TUESDAY, 11), local(TUESDAY, 10)).code == "bad_time"
    assert refusal(record, demo, local(TUESDAY, 10), None).field == "end"
    assert refusal(record, demo, local(TODAY, 19), local(TODAY, 21)).code == "future"
    assert refusal(record, demo, local(TODAY, 21), local(TODAY, 22)).code == "future"
    record(demo, local(TODAY, 18), local(TODAY, 19, 30))  # ended before now: fine
    sixty = TODAY - timedelta(days=60)
    record(demo, local(sixty, 10), local(sixty, 11))
    too_old = refusal(record, demo, local(sixty - timedelta(days=1), 10),
                      local(sixty - timedelta(days=1), 11))
    assert (too_old.code, too_old.params) == ("too_old", {"days": 60})
    # Another provider's voucher reads as unknown; its staff cannot act for Kotihelmi at all.
    other_provider = provider_id(engine, "Siivouspalvelu Puhdas Pirtti Oy")
    cleaning = voucher_code(engine, other_provider, "cleaning")
    assert refusal(record, demo, *tue, voucher=cleaning,
                   service="cleaning").code == "unknown_voucher"
    with pytest.raises(AccessDenied) as denied:
        record(demo, *tue, who=demo["other"])
    assert denied.value.reason == "not_provider_staff"
    with read_session(engine) as session:
        staff2_provider = session.exec(select(ProviderStaff.provider_id).where(
            ProviderStaff.person_id == demo["other"].person_id)).one()
    assert refusal(record, demo, *tue, who=demo["other"],
                   provider=staff2_provider).code == "unknown_voucher"
    with pytest.raises(AccessDenied):
        provider_events(engine, provider_id=demo["kotihelmi"], month=MONTH, actor=demo["other"])
    assert provider_events(engine, provider_id=staff2_provider, month=MONTH,
                           actor=demo["other"]) == []
    # No price in that band: a provider with band prices but none for Sundays.
    with write_session(engine) as session:
        session.execute(sa.delete(ProviderPrice).where(
            ProviderPrice.provider_id == demo["kotihelmi"],
            ProviderPrice.band == "sunday_holiday"))
    assert refusal(record, demo, local(date(2026, 11, 1), 10),
                   local(date(2026, 11, 1), 11)).code == "no_price"
    # The voucher must be valid on the day: it ended at 10.00 UTC on Monday 2.11.
    with write_session(engine) as session:
        voucher = session.exec(select(Voucher).where(Voucher.code == demo["voucher"])).one()
        voucher.ended_at = datetime(2026, 11, 2, 10)
        session.add(voucher)
    monday = date(2026, 11, 2)
    record(demo, local(monday, 8), local(monday, 9))  # 6.00 UTC: before the end
    assert refusal(record, demo, local(monday, 13), local(monday, 14)).code == "voucher_ended"
    assert refusal(record, demo, *tue).code == "voucher_ended"
    with read_session(engine) as session:
        refused = session.exec(select(AuditLog).where(AuditLog.action == "event_refused")).all()
        codes = {json.loads(r.details)["code"] for r in refused}
    assert {"unknown_voucher", "future", "too_old", "voucher_ended", "no_price"} <= codes


# --------------------------------------------------------------------------- idempotency


def test_a_repeated_external_id_returns_the_first_event(demo):
    engine = demo["engine"]
    first = record(demo, local(TUESDAY, 10), local(TUESDAY, 11), external_id="pos-1",
                   source="api")
    again = record(demo, local(TUESDAY, 10), local(TUESDAY, 11), external_id="pos-1",
                   source="api")
    different = record(demo, local(TUESDAY, 12), local(TUESDAY, 14), external_id="pos-1",
                       source="api")
    assert first.created and not again.created and not different.created
    assert first.id == again.id == different.id and different.units == 1
    from tests.integration.test_swaps_concurrency import run_together

    results = run_together(engine, [
        (lambda: record(demo, local(TUESDAY, 15), local(TUESDAY, 16), external_id="pos-2",
                        source="api")) for _ in range(6)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({r.id for r in results}) == 1
    assert sorted(r.created for r in results) == [False] * 5 + [True]
    with read_session(engine) as session:
        assert len(session.exec(select(ServiceEvent).where(
            ServiceEvent.external_id.in_(["pos-1", "pos-2"]))).all()) == 2


# --------------------------------------------------------------------------- review


def test_over_the_budget_waits_for_the_worker_who_approves_or_rejects(demo):
    engine = demo["engine"]
    aino = demo["aino"]
    left = line_left(engine, aino, "home_care")
    # A 20-hour visit is more than what is left of home care this month.
    big = record(demo, local(TUESDAY, 0), local(TUESDAY, 20))
    assert big.amount_cents > left and big.status == "needs_review"
    assert line_left(engine, aino, "home_care") == left  # not counted
    with read_session(engine) as session:
        ledger = load_month(session, session.get(Client, aino), MONTH, TODAY)
        assert next(e for e in ledger.events if e.started_at == local(TUESDAY, 0)).status \
            == "needs_review"
    second = record(demo, local(date(2026, 11, 2), 0), local(date(2026, 11, 2), 20))
    assert second.status == "needs_review"

    queue = events_needing_review(engine, demo["worker"], TODAY)
    assert [item.event_id for item in queue] == [big.id, second.id]
    assert queue[0].line_remaining_cents == left and queue[0].provider_name.startswith("Saimaan")
    assert count_needing_review(engine, demo["worker"], TODAY) == 2
    assert events_needing_review(engine, demo["worker2"], TODAY) == []
    with pytest.raises(AccessDenied):
        review_event(engine, demo["worker2"], big.id, True, "", TODAY)
    with pytest.raises(AccessDenied):
        review_event(engine, demo["staff"], big.id, True, "", TODAY)
    assert refusal(review_event, engine, demo["worker"], big.id, False, " ",
                   TODAY).code == "missing_field"

    approved = review_event(engine, demo["worker"], big.id, True, "", TODAY)
    assert approved.status == "recorded"
    assert line_left(engine, aino, "home_care") == left - big.amount_cents  # over: accepted
    rejected = review_event(engine, demo["worker"], second.id, False, "Ei sovittu", TODAY)
    assert (rejected.status, rejected.review_note) == ("rejected", "Ei sovittu")
    assert line_left(engine, aino, "home_care") == left - big.amount_cents
    assert refusal(review_event, engine, demo["worker"], big.id, True, "",
                   TODAY).code == "not_pending"
    assert events_needing_review(engine, demo["worker"], TODAY) == []
    with read_session(engine) as session:
        reviews = session.exec(select(AuditLog).where(AuditLog.action == "event_reviewed")).all()
        assert {json.loads(r.details)["status"] for r in reviews} == {"recorded", "rejected"}
        assert {r.subject_client_id for r in reviews} == {aino}


# --------------------------------------------------------------------------- cancelling


def test_the_provider_cancels_with_a_reason_and_the_client_sees_it(demo):
    engine = demo["engine"]
    aino = demo["aino"]
    left = line_left(engine, aino, "home_care")
    event = record(demo, local(TUESDAY, 18, 30), local(TUESDAY, 19, 30))
    assert line_left(engine, aino, "home_care") == left - 3990
    kotihelmi = demo["kotihelmi"]
    assert refusal(cancel_event, engine, provider_id=kotihelmi, event_id=event.id, reason=" ",
                   actor=demo["staff"]).code == "missing_field"
    with read_session(engine) as session:
        staff2_provider = session.exec(select(ProviderStaff.provider_id).where(
            ProviderStaff.person_id == demo["other"].person_id)).one()
    assert refusal(cancel_event, engine, provider_id=staff2_provider, event_id=event.id,
                   reason="x", actor=demo["other"]).code == "not_found"
    with pytest.raises(AccessDenied):
        cancel_event(engine, provider_id=kotihelmi, event_id=event.id, reason="x",
                     actor=demo["other"])
    cancelled = cancel_event(engine, provider_id=kotihelmi, event_id=event.id,
                             reason="Väärä päivä", actor=demo["staff"])
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "Väärä päivä")
    assert cancelled.cancelled_at is not None
    assert line_left(engine, aino, "home_care") == left
    assert refusal(cancel_event, engine, provider_id=kotihelmi, event_id=event.id,
                   reason="again", actor=demo["staff"]).code == "already_cancelled"
    with read_session(engine) as session:
        ledger = load_month(session, session.get(Client, aino), MONTH, TODAY)
        shown = next(e for e in ledger.events if e.started_at == local(TUESDAY, 18, 30))
        assert (shown.status, shown.cancel_reason) == ("cancelled", "Väärä päivä")
        entry = session.exec(select(AuditLog).where(AuditLog.action == "event_cancelled")).one()
        assert entry.subject_client_id == aino
    # A waiting event can be withdrawn too: it leaves the worker's queue.
    waiting = record(demo, local(TUESDAY, 0), local(TUESDAY, 20))
    assert waiting.status == "needs_review"
    cancel_event(engine, provider_id=kotihelmi, event_id=waiting.id, reason="Kirjausvirhe",
                 actor=demo["staff"])
    assert events_needing_review(engine, demo["worker"], TODAY) == []
    listed = provider_events(engine, provider_id=kotihelmi, month=MONTH, actor=demo["staff"])
    assert {e.id: e.status for e in listed}[waiting.id] == "cancelled"
    assert all(e.voucher for e in listed if e.id in (event.id, waiting.id))
