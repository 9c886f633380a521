"""Service events recorded by providers: record, cancel, list; the case worker's review.

Used by the provider's pages, the CSV import and the HTTP API alike, so every rule is here once.

Recording (`record_event`) runs in ONE transaction:
1. the provider's staff check (`require_staff`) when a person records; the API layer has
   verified its token for `provider_id` before calling;
2. a repeat with an `external_id` this provider has used returns the first event
   (`created=False`), whatever else it says;
3. the voucher must be this provider's (another provider's code reads as unknown) and valid on
   the event's date, the service the voucher's, the time or units valid (`hbapp.domain.events`),
   not in the future and at most 60 days back;
4. the client's money is locked first, in the order the decision service uses (Client, then the
   Budget row the swap service locks), then the month is read inside the lock: if the event's
   charge plus kilometre compensation is more than what is left of the budget line this month,
   the event is stored as `needs_review` (not counted until the case worker approves it), else
   `recorded`. So a provider recording and a client swapping at the same moment are served one
   after the other and the month never goes over the budget unnoticed;
5. the row is inserted inside a savepoint: a concurrent repeat of the same external_id that got
   past step 2 hits the unique constraint and gets the first event instead.

Times. Event times are naive local Finnish time (how providers record them and how time bands
are defined); instants in the model (created_at, Voucher.issued_at / ended_at) are naive UTC.
`now` is an instant (naive UTC, or aware); it is turned into Finnish local time for the "no
future, at most 60 days back" rules. A voucher is valid for an event when it was issued on or
before the event's local date and had not ended when the event started (a day-unit event
starts at the midnight that begins its day: a voucher that ended during the day still covers it).

Money. The price is the provider's dated price for the band on the event's day
(`hbapp.services.prices.price_on`: newest `valid_from` on or before it; a provider with one price for all times has only the weekday
daytime price, which then applies to every band; a provider with band prices but none for this
band does not offer that time: `no_price`). The unit value is the budget line's (the decision's
value, per band for a time-banded line: `budget.line_unit_value`), the value the ledger measures
the line's money in; the charge and the self-pay share are `pricing.charge_for`, per band part
of an hour visit (see `hbapp.domain.events`). Kilometre compensation (one one-way trip, the
organizer's rate) applies to travel services only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from hbapp.db import read_session, write_session
from hbapp.domain.events import (
    EventRuleError,
    EventTiming,
    check_km,
    check_window,
    timing_for_day,
    timing_for_hours,
    travel_applies,
)
from hbapp.domain.ledger import add_months, month_start
from hbapp.domain.pricing import charge_for
from hbapp.domain.timebands import TimeBand
from hbapp.domain.travel import km_compensation_cents
from hbapp.domain.units import Unit
from hbapp.domain.vouchers import normalize_voucher_code
from hbapp.i18n import N_
from hbapp.models import (
    Budget,
    BudgetLine,
    Client,
    EventStatus,
    Organizer,
    Provider,
    ProviderStaff,
    ServiceEvent,
    ServiceType,
    Voucher,
    utcnow,
)
from hbapp.services import audit
from hbapp.services.access import AccessDenied, Actor, require_client_access, worker_serves
from hbapp.services.budget import _budget_for_month, line_unit_value, load_month
from hbapp.services.prices import price_on, prices_on
from hbapp.services.provider_access import require_staff

__all__ = [
    "EventInput",
    "EventRefused",
    "RecordedEvent",
    "ReviewItem",
    "cancel_event",
    "events_needing_review",
    "local_now",
    "month_is_settled",
    "provider_events",
    "provider_vouchers",
    "count_needing_review",
    "record_event",
    "review_event",
    "staff_providers",
]

HELSINKI = ZoneInfo("Europe/Helsinki")
MAX_REASON = 500
MAX_EXTERNAL_ID = 100
SOURCES = ("page", "csv", "api")

# Messages of the refusals (msgids; the pages and the API translate them).
MESSAGES = {
    "missing_field": N_("This information is missing."),
    "unknown_voucher": N_("No voucher of yours has this code."),
    "voucher_ended": N_("The voucher was not valid on that date."),
    "unknown_service": N_("There is no service with this code."),
    "service_not_on_voucher": N_("The voucher is not for this service."),
    "no_budget": N_("The client's budget has no money for this service in that month."),
    "no_price": N_("You have no price for this service at that time."),
    "future": N_("A service cannot be recorded before it has been given."),
    "too_old": N_("A service can be recorded at most {days} days afterwards."),
    "bad_time": N_("Check the times: the end must be after the start, within 24 hours, "
                   "in whole minutes."),
    "bad_units": N_("Give a number greater than zero (whole days and visits)."),
    "bad_km": N_("Give the kilometres of a trip (0–2000), only for transport."),
    "bad_external_id": N_("The external id may be at most 100 characters."),
    "bad_reason": N_("The reason may be at most 500 characters."),
    "already_cancelled": N_("This event has already been cancelled."),
    "not_cancellable": N_("This event can no longer be cancelled."),
    "not_found": N_("No such event."),
    "month_settled": N_("The month has been settled: it cannot change any more."),
    "not_pending": N_("This event is not waiting for a review any more."),
}


class EventRefused(Exception):
    """code: stable machine code; message: an N_() msgid; field: the input field at fault;
    params: values for the message's {placeholders}."""

    def __init__(self, code: str, message: str | None = None, field: str | None = None,
                 **params):
        super().__init__(code)
        self.code = code
        self.message = message if message is not None else MESSAGES.get(code, code)
        self.field = field
        self.params = params


def _refused(code: str, field: str | None = None) -> EventRefused:
    if code == "too_old":
        from hbapp.domain.events import MAX_DAYS_BACK

        return EventRefused(code, MESSAGES[code], field, days=MAX_DAYS_BACK)
    return EventRefused(code, MESSAGES.get(code, code), field)


@dataclass(frozen=True)
class EventInput:
    voucher: str  # as typed; normalized with domain.vouchers
    service_code: str
    start: datetime | None = None  # naive local Finnish time; hour-based services
    end: datetime | None = None
    day: date | None = None  # day / visit / euro / km units
    units: Decimal | None = None
    km: Decimal = Decimal(0)
    external_id: str | None = None  # idempotency key per provider


@dataclass(frozen=True)
class RecordedEvent:
    id: int
    status: str  # EventStatus value
    voucher: str
    client_name: str  # never the identity code
    service_code: str
    started_at: datetime
    ended_at: datetime | None
    units: Decimal
    band: str
    amount_cents: int
    self_pay_cents: int
    km: Decimal
    km_compensation_cents: int
    external_id: str | None
    cancelled_at: datetime | None
    cancel_reason: str
    created: bool  # False: an earlier event with this external_id was returned
    unit: str = ""  # the service's unit (hour, day, visit, euro, km)
    service_names: tuple[str, str, str] = ("", "", "")  # fi, sv, en
    review_note: str = ""
    source: str = ""
    price_cents: int = 0  # the provider's price of one unit in the event's (dominant) band


@dataclass(frozen=True)
class ReviewItem:
    """A needs-review event in a case worker's queue."""

    event_id: int
    client_id: int
    client_name: str
    provider_name: str
    service_code: str
    service_names: tuple[str, str, str]
    unit: str
    started_at: datetime
    ended_at: datetime | None
    units: Decimal
    band: str
    amount_cents: int  # charge + km compensation that would be taken from the budget
    self_pay_cents: int
    line_remaining_cents: int  # what is left of the line this month without this event
    month_remaining_cents: int  # what is left of the whole month
    created_at: datetime


@dataclass(frozen=True)
class VoucherChoice:
    """One of the provider's active vouchers, for the recording form (no identity code)."""

    code: str
    client_name: str
    service_code: str
    service_names: tuple[str, str, str]
    unit: str
    travel: bool


# --------------------------------------------------------------------------- time


def local_now(now: datetime | None = None) -> datetime:
    """Finnish local wall-clock time (naive) of an instant (naive UTC, aware, or now)."""
    instant = now if now is not None else utcnow()
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=timezone.utc)
    return instant.astimezone(HELSINKI).replace(tzinfo=None)


def _local(instant_utc: datetime) -> datetime:
    return local_now(instant_utc)


def _voucher_valid(voucher: Voucher, timing: EventTiming) -> bool:
    if timing.day < _local(voucher.issued_at).date():
        return False
    if voucher.ended_at is None:
        return True
    return timing.started_at < _local(voucher.ended_at)


# --------------------------------------------------------------------------- hooks


def month_is_settled(session: Session, client_id: int, month: date) -> bool:
    """Whether the client's month has been settled with the providers (issue 15 fills this in:
    a settled month never changes, corrections go to a later month). No settlements yet."""
    return False


# --------------------------------------------------------------------------- helpers


def _price_on(session: Session, provider_id: int, service_type_id: int, band: TimeBand,
              day: date) -> int | None:
    """The provider's price for the band on the day (`prices.price_on`); a provider whose only
    price in force is the weekday daytime one has one price whatever the time."""
    price = price_on(session, provider_id, service_type_id, band.value, day)
    if price is not None:
        return price
    in_force = prices_on(session, [provider_id], day, service_type_ids=[service_type_id])
    if {key[2] for key in in_force} == {TimeBand.WEEKDAY_DAY.value}:
        return in_force[(provider_id, service_type_id, TimeBand.WEEKDAY_DAY.value)]
    return None


def _view(session: Session, event: ServiceEvent, created: bool = True) -> RecordedEvent:
    service = session.get(ServiceType, event.service_type_id)
    client = session.get(Client, event.client_id)
    voucher = session.get(Voucher, event.voucher_id) if event.voucher_id else None
    return RecordedEvent(
        id=event.id, status=event.status, voucher=voucher.code if voucher else "",
        client_name=client.full_name, service_code=service.code,
        started_at=event.started_at, ended_at=event.ended_at, units=Decimal(event.units),
        band=event.band, amount_cents=event.amount_cents, self_pay_cents=event.self_pay_cents,
        km=Decimal(event.km), km_compensation_cents=event.km_compensation_cents,
        external_id=event.external_id, cancelled_at=event.cancelled_at,
        cancel_reason=event.cancel_reason, created=created, unit=service.unit,
        service_names=(service.name_fi, service.name_sv, service.name_en),
        review_note=event.review_note, source=event.source,
        price_cents=_price_on(session, event.provider_id, event.service_type_id,
                              TimeBand(event.band), event.started_at.date()) or 0,
    )


def _by_external_id(session: Session, provider_id: int, external_id: str | None
                    ) -> ServiceEvent | None:
    if external_id is None:
        return None
    return session.exec(select(ServiceEvent).where(
        ServiceEvent.provider_id == provider_id,
        ServiceEvent.external_id == external_id)).first()


def _external_id(value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _refused("bad_external_id", "external_id")
    value = value.strip()
    if len(value) > MAX_EXTERNAL_ID:
        raise _refused("bad_external_id", "external_id")
    return value or None


def _lock_money(session: Session, client_id: int, month: date) -> Budget | None:
    """Lock the client, then the budget row of the month (the order of the decision service;
    the swap service locks the same budget row), and return the budget."""
    # FOR NO KEY UPDATE (not FOR UPDATE): it serializes writers of this client, yet does not
    # block the foreign-key checks (FOR KEY SHARE) of a swap that already holds the budget row
    # and inserts a row referring to the client; FOR UPDATE would deadlock with it.
    session.exec(select(Client.id).where(Client.id == client_id)
                 .with_for_update(key_share=True)).first()
    budget = _budget_for_month(session, client_id, month)
    if budget is None:
        return None
    return session.exec(select(Budget).where(Budget.id == budget.id).with_for_update()
                        .execution_options(populate_existing=True)).one()


def _line_remaining(session: Session, client: Client, line_id: int, month: date,
                    today: date) -> tuple[int, int]:
    """(left of the line, left of the month) in cents, counting recorded events only."""
    ledger = load_month(session, client, month, today)
    if ledger is None:
        return 0, 0
    line = next((b for b in ledger.statement.lines if b.line_id == line_id), None)
    return (line.remaining_cents if line else 0), ledger.statement.remaining_cents


@dataclass(frozen=True)
class _Derived:
    timing: EventTiming
    amount_cents: int
    self_pay_cents: int
    km: Decimal
    km_compensation_cents: int


def _derive(session: Session, provider_id: int, service: ServiceType, line: BudgetLine,
            organizer: Organizer, timing: EventTiming, km: Decimal) -> _Derived:
    amount = self_pay = 0
    for band, units in timing.parts:
        price = _price_on(session, provider_id, service.id, band, timing.day)
        if price is None:
            raise _refused("no_price", "start" if timing.ended_at is not None else "day")
        value = line_unit_value(session, line, band)
        part_amount, part_self_pay = charge_for(units, price, value, service.self_pay_applies)
        amount += part_amount
        self_pay += part_self_pay
    km_cents = 0
    if km and travel_applies(service.code):
        km_cents = km_compensation_cents(km, organizer.km_rate_cents, organizer.km_free_km,
                                         organizer.km_max_km)
    return _Derived(timing, amount, self_pay, km, km_cents)


# --------------------------------------------------------------------------- recording


def _check_caller(session: Session, provider_id: int, actor: Actor | None,
                  api_token_id: int | None, source: str = "") -> None:
    if actor is not None:
        require_staff(session, actor, provider_id)
    elif api_token_id is None and source != "csv":
        # Only `hb events import` (the operator at the command line) records with neither.
        raise ValueError("a provider event needs an actor or a verified API token")


def _record(session: Session, provider_id: int, data: EventInput, source: str,
            actor: Actor | None, api_token_id: int | None, now_local: datetime,
            refusal_client: list) -> RecordedEvent:
    external_id = _external_id(data.external_id)
    first = _by_external_id(session, provider_id, external_id)
    if first is not None:
        return _view(session, first, created=False)
    if not data.voucher or not str(data.voucher).strip():
        raise _refused("missing_field", "voucher")
    code = normalize_voucher_code(str(data.voucher))
    voucher = None if code is None else session.exec(
        select(Voucher).where(Voucher.code == code)).first()
    if voucher is None or voucher.provider_id != provider_id:
        raise _refused("unknown_voucher", "voucher")  # another provider's code reads as unknown
    refusal_client.append(voucher.client_id)
    client = session.get(Client, voucher.client_id)
    if not data.service_code or not str(data.service_code).strip():
        raise _refused("missing_field", "service_code")
    service = session.exec(select(ServiceType).where(
        ServiceType.organizer_id == client.organizer_id,
        ServiceType.code == str(data.service_code).strip())).first()
    if service is None:
        raise _refused("unknown_service", "service_code")
    if service.id != voucher.service_type_id:
        raise _refused("service_not_on_voucher", "service_code")
    try:
        if Unit(service.unit) is Unit.HOUR:
            timing = timing_for_hours(data.start, data.end)
        else:
            day = data.day
            if day is None and isinstance(data.start, datetime):
                day = data.start.date()
            timing = timing_for_day(day, data.units, service.unit)
        km = check_km(data.km, service.code)
        check_window(timing, now_local)
    except EventRuleError as error:
        raise _refused(error.code, error.field) from None
    if not _voucher_valid(voucher, timing):
        raise _refused("voucher_ended", "voucher")
    month = month_start(timing.day)
    if month_is_settled(session, client.id, month):
        raise _refused("month_settled", "start" if timing.ended_at is not None else "day")

    # The client's money: locked first, read after.
    budget = _lock_money(session, client.id, month)
    again = _by_external_id(session, provider_id, external_id)  # a repeat committed meanwhile
    if again is not None:
        return _view(session, again, created=False)
    line = None if budget is None else session.exec(select(BudgetLine).where(
        BudgetLine.budget_id == budget.id,
        BudgetLine.service_type_id == service.id)).first()
    if line is None:
        raise _refused("no_budget", "voucher")
    organizer = session.get(Organizer, client.organizer_id)
    derived = _derive(session, provider_id, service, line, organizer, timing, km)
    line_left, _ = _line_remaining(session, client, line.id, month, now_local.date())
    charge = derived.amount_cents + derived.km_compensation_cents
    status = EventStatus.RECORDED if charge <= line_left else EventStatus.NEEDS_REVIEW
    event = ServiceEvent(
        provider_id=provider_id, client_id=client.id, budget_line_id=line.id,
        service_type_id=service.id, started_at=timing.started_at, ended_at=timing.ended_at,
        units=timing.units.quantize(Decimal("0.001")), band=timing.band.value,
        amount_cents=derived.amount_cents, self_pay_cents=derived.self_pay_cents,
        km=derived.km, km_compensation_cents=derived.km_compensation_cents,
        voucher_id=voucher.id, status=status.value, source=source, external_id=external_id,
        recorded_by_person_id=actor.person_id if actor else None, api_token_id=api_token_id,
    )
    try:
        with session.begin_nested():
            session.add(event)
            session.flush()
    except IntegrityError:
        # A concurrent repeat of this external_id was inserted first: answer with it.
        existing = _by_external_id(session, provider_id, external_id)
        if existing is None:
            raise
        return _view(session, existing, created=False)
    if status is EventStatus.RECORDED:
        budget.version += 1  # the budget's money changed
        session.add(budget)
    audit.record(session, actor.person_id if actor else None, "event_recorded", client.id,
                 event_id=event.id, provider_id=provider_id, status=status.value,
                 source=source, api_token_id=api_token_id, service=service.code,
                 started_at=timing.started_at.isoformat(), units=str(event.units),
                 band=event.band, amount_cents=event.amount_cents,
                 self_pay_cents=event.self_pay_cents,
                 km_compensation_cents=event.km_compensation_cents,
                 line_remaining_cents=line_left, external_id=external_id)
    return _view(session, event)


def record_event(engine: Engine, *, provider_id: int, data: EventInput, source: str,
                 actor: Actor | None = None, api_token_id: int | None = None,
                 now: datetime | None = None) -> RecordedEvent:
    """Record what the provider delivered (see the module's docstring).

    Raises AccessDenied (not the provider's staff) or EventRefused (the refusal is audited).
    `now`: an instant (naive UTC or aware), default the current time.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    now_local = local_now(now)
    refusal: EventRefused | None = None
    with write_session(engine) as session:
        _check_caller(session, provider_id, actor, api_token_id, source)
        client_ids: list[int] = []
        try:
            with session.begin_nested():
                result = _record(session, provider_id, data, source, actor, api_token_id,
                                 now_local, client_ids)
        except EventRefused as error:
            refusal = error
            audit.record(session, actor.person_id if actor else None, "event_refused",
                         client_ids[0] if client_ids else None, provider_id=provider_id,
                         code=error.code, field=error.field, source=source,
                         api_token_id=api_token_id, external_id=data.external_id)
    if refusal is not None:
        raise refusal
    return result


# --------------------------------------------------------------------------- cancelling


def cancel_event(engine: Engine, *, provider_id: int, event_id: int, reason: str,
                 actor: Actor | None = None, api_token_id: int | None = None,
                 now: datetime | None = None) -> RecordedEvent:
    """The provider withdraws an event (recorded or waiting for review), with a reason, while
    its month is not settled. The row stays (status `cancelled`): the client sees the
    correction."""
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    instant = now.astimezone(timezone.utc).replace(tzinfo=None) if (
        now is not None and now.tzinfo is not None) else (now or utcnow())
    refusal: EventRefused | None = None
    with write_session(engine) as session:
        _check_caller(session, provider_id, actor, api_token_id)
        client_id = None
        try:
            if not reason:
                raise _refused("missing_field", "reason")
            if len(reason) > MAX_REASON:
                raise _refused("bad_reason", "reason")
            found = session.get(ServiceEvent, event_id) if isinstance(event_id, int) and (
                0 < event_id < 2**63) else None
            if found is None or found.provider_id != provider_id:
                raise _refused("not_found", "event")
            client_id = found.client_id
            month = month_start(found.started_at.date())
            budget = _lock_money(session, found.client_id, month)
            event = session.exec(select(ServiceEvent).where(ServiceEvent.id == event_id)
                                 .with_for_update()
                                 .execution_options(populate_existing=True)).one()
            if event.status == EventStatus.CANCELLED.value:
                raise _refused("already_cancelled", "event")
            if event.status not in (EventStatus.RECORDED.value, EventStatus.NEEDS_REVIEW.value):
                raise _refused("not_cancellable", "event")
            if month_is_settled(session, event.client_id, month):
                raise _refused("month_settled", "event")
            previous = event.status
            event.status = EventStatus.CANCELLED.value
            event.cancelled_at = instant
            event.cancelled_by_person_id = actor.person_id if actor else None
            event.cancel_reason = reason
            session.add(event)
            if previous == EventStatus.RECORDED.value and budget is not None:
                budget.version += 1
                session.add(budget)
            audit.record(session, actor.person_id if actor else None, "event_cancelled",
                         event.client_id, event_id=event.id, provider_id=provider_id,
                         previous_status=previous, reason=reason, api_token_id=api_token_id)
            session.flush()
            result = _view(session, event)
        except EventRefused as error:
            refusal = error
            audit.record(session, actor.person_id if actor else None, "event_cancel_refused",
                         client_id, provider_id=provider_id, event_id=event_id,
                         code=error.code, api_token_id=api_token_id)
    if refusal is not None:
        raise refusal
    return result


# --------------------------------------------------------------------------- reading


def provider_events(engine: Engine, *, provider_id: int, month: date,
                    actor: Actor | None = None) -> list[RecordedEvent]:
    """The provider's events that started in the month, newest first (every status)."""
    first = month_start(month)
    start = datetime.combine(first, time())
    end = datetime.combine(add_months(first, 1), time())
    with write_session(engine) as session:
        if actor is not None:
            require_staff(session, actor, provider_id)
        events = session.exec(
            select(ServiceEvent).where(ServiceEvent.provider_id == provider_id,
                                       ServiceEvent.started_at >= start,
                                       ServiceEvent.started_at < end)
            .order_by(ServiceEvent.started_at.desc(), ServiceEvent.id.desc())
        ).all()
        views = [_view(session, event) for event in events]
        if actor is not None:
            audit.record(session, actor.person_id, "view_provider_events", None,
                         provider_id=provider_id, month=first.isoformat())
        return views


def provider_vouchers(engine: Engine, *, provider_id: int, actor: Actor | None = None,
                      now: datetime | None = None) -> list[VoucherChoice]:
    """The provider's active vouchers (choices that last), by client name."""
    with write_session(engine) as session:
        if actor is not None:
            require_staff(session, actor, provider_id)
        rows = session.exec(
            select(Voucher, Client, ServiceType)
            .join(Client, Client.id == Voucher.client_id)
            .join(ServiceType, ServiceType.id == Voucher.service_type_id)
            .where(Voucher.provider_id == provider_id, Voucher.ended_at.is_(None))
            .order_by(Client.last_name, Client.first_name, ServiceType.sort_order, Voucher.id)
        ).all()
        return [VoucherChoice(voucher.code, client.full_name, service.code,
                              (service.name_fi, service.name_sv, service.name_en),
                              service.unit, travel_applies(service.code))
                for voucher, client, service in rows]


def staff_providers(engine: Engine, actor: Actor) -> list[tuple[int, str]]:
    """(id, name) of the providers whose staff the actor is, by name."""
    with read_session(engine) as session:
        return [(pid, name) for pid, name in session.exec(
            select(Provider.id, Provider.name)
            .join(ProviderStaff, ProviderStaff.provider_id == Provider.id)
            .where(ProviderStaff.person_id == actor.person_id)
            .order_by(Provider.name, Provider.id)).all()]


# --------------------------------------------------------------------------- review


def events_needing_review(engine: Engine, actor: Actor, today: date) -> list[ReviewItem]:
    """Needs-review events of the worker's own clients who have given consent, oldest first."""
    with write_session(engine) as session:
        if not actor.is_worker:
            raise AccessDenied("not_a_worker", actor.person_id)
        rows = session.exec(
            select(ServiceEvent, Client, Provider.name, ServiceType)
            .join(Client, Client.id == ServiceEvent.client_id)
            .join(Provider, Provider.id == ServiceEvent.provider_id)
            .join(ServiceType, ServiceType.id == ServiceEvent.service_type_id)
            .where(ServiceEvent.status == EventStatus.NEEDS_REVIEW.value,
                   Client.own_worker_id == actor.person_id)
            .order_by(ServiceEvent.created_at, ServiceEvent.id)
        ).all()
        # Assignment and consent are decided by the access rules, never by own_worker_id alone.
        allowed = {cid for cid in {client.id for _, client, _, _ in rows}
                   if worker_serves(session, actor.person_id, cid, today) == "ok"}
        items = []
        for event, client, provider_name, service in rows:
            if client.id not in allowed:
                continue
            month = month_start(event.started_at.date())
            line_left, month_left = _line_remaining(session, client, event.budget_line_id,
                                                    month, today)
            items.append(ReviewItem(
                event_id=event.id, client_id=client.id, client_name=client.full_name,
                provider_name=provider_name, service_code=service.code,
                service_names=(service.name_fi, service.name_sv, service.name_en),
                unit=service.unit, started_at=event.started_at, ended_at=event.ended_at,
                units=Decimal(event.units), band=event.band,
                amount_cents=event.amount_cents + event.km_compensation_cents,
                self_pay_cents=event.self_pay_cents, line_remaining_cents=line_left,
                month_remaining_cents=month_left, created_at=event.created_at))
        for client_id in sorted(allowed):
            audit.record(session, actor.person_id, "view_events_needing_review", client_id)
        return items


def count_needing_review(engine: Engine, actor: Actor, today: date) -> int:
    """How many events wait for this worker's review (for the alerts on /worker)."""
    if not actor.is_worker:
        return 0
    with write_session(engine) as session:
        rows = session.exec(
            select(ServiceEvent.client_id)
            .join(Client, Client.id == ServiceEvent.client_id)
            .where(ServiceEvent.status == EventStatus.NEEDS_REVIEW.value,
                   Client.own_worker_id == actor.person_id)
        ).all()
        allowed = {cid for cid in set(rows)
                   if worker_serves(session, actor.person_id, cid, today) == "ok"}
        return sum(1 for cid in rows if cid in allowed)


def review_event(engine: Engine, actor: Actor, event_id: int, approve: bool, note: str,
                 today: date) -> RecordedEvent:
    """The client's case worker approves a needs-review event (it counts, even over the
    budget: the worker accepts the overspend) or rejects it (with a note)."""
    note = (note or "").strip() if isinstance(note, str) else ""
    refusal: EventRefused | None = None
    with write_session(engine) as session:
        found = session.get(ServiceEvent, event_id) if isinstance(event_id, int) and (
            0 < event_id < 2**63) else None
        if found is None:
            raise AccessDenied("not_found", actor.person_id)
        require_client_access(session, actor, found.client_id, "worker", today)
        try:
            if not approve and not note:
                raise _refused("missing_field", "note")
            if len(note) > MAX_REASON:
                raise _refused("bad_reason", "note")
            month = month_start(found.started_at.date())
            budget = _lock_money(session, found.client_id, month)
            event = session.exec(select(ServiceEvent).where(ServiceEvent.id == event_id)
                                 .with_for_update()
                                 .execution_options(populate_existing=True)).one()
            if event.status != EventStatus.NEEDS_REVIEW.value:
                raise _refused("not_pending", "event")
            if month_is_settled(session, event.client_id, month):
                raise _refused("month_settled", "event")
            client = session.get(Client, event.client_id)
            line_left, _ = _line_remaining(session, client, event.budget_line_id, month, today)
            event.status = (EventStatus.RECORDED if approve else EventStatus.REJECTED).value
            event.reviewed_by_person_id = actor.person_id
            event.reviewed_at = utcnow()
            event.review_note = note
            session.add(event)
            if approve and budget is not None:
                budget.version += 1
                session.add(budget)
            audit.record(session, actor.person_id, "event_reviewed", event.client_id,
                         event_id=event.id, status=event.status, note=note,
                         amount_cents=event.amount_cents + event.km_compensation_cents,
                         line_remaining_cents=line_left)
            session.flush()
            result = _view(session, event)
        except EventRefused as error:
            refusal = error
    if refusal is not None:
        raise refusal
    return result

