"""Month end: one settlement per provider and month, frozen, with invoicing references.

Closing a month (`close_month`) settles every provider's `recorded` events of that month in
one transaction:

* **normal rows**: the month's events summed per client voucher and service (one row per
  client, voucher and service: the organizer pays per voucher, and a row per event would make
  a settlement of a home-care month hundreds of lines long);
* **correction rows**: one per event of an earlier *closed* month that was not settled then
  (recorded late, or accepted by a case worker after review) — marked with the month it
  happened in;
* **credit rows**: one per event settled earlier and no longer recorded (cancelled through a
  dispute), with negative amounts.

Each settled or credited event is written to `SettledEvent` (unique per event and kind), so an
event is paid once and credited once whatever happens later. A closed settlement never changes:
later changes wait for the provider's next settlement. Providers with nothing to settle get
none.

Closing is idempotent and safe to run twice at once: the month's `MonthClose` row (its primary
key is the month) is inserted first, and on PostgreSQL every close first takes one
transaction-level advisory lock, so two closes never settle the same late event twice; on
SQLite `BEGIN IMMEDIATE` serialises them. The second run finds the month closed and returns
the settlements the first made.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from hbapp.db import read_session, write_session
from hbapp.domain.ledger import add_months, month_start
from hbapp.domain.reference import rf_reference, settlement_reference
from hbapp.models import (
    Client,
    EventStatus,
    MonthClose,
    Person,
    Provider,
    ProviderStaff,
    ServiceEvent,
    ServiceType,
    SettledEvent,
    Settlement,
    SettlementRow,
    SettlementRowKind,
    Voucher,
    utcnow,
)
from hbapp.services import audit, messages
from hbapp.services.access import AccessDenied, Actor
from hbapp.services.provider_access import require_staff

ADVISORY_LOCK_KEY = 1_504_202_6  # any constant: one lock for every month close
SETTLED, CREDITED = "settled", "credited"


class SettlementError(Exception):
    """`code`: not_past (only months that are over can be closed)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class _Draft:
    kind: str
    client_id: int
    voucher_code: str
    service_type_id: int
    event_month: date
    event_id: int | None = None
    event_ids: list[int] = field(default_factory=list)
    units: Decimal = Decimal(0)
    organizer_cents: int = 0
    self_pay_cents: int = 0
    km: Decimal = Decimal(0)
    km_cents: int = 0

    def add(self, event: ServiceEvent, sign: int = 1) -> None:
        self.event_ids.append(event.id)
        self.units += sign * Decimal(event.units)
        self.organizer_cents += sign * event.amount_cents
        self.self_pay_cents += sign * event.self_pay_cents
        self.km += sign * Decimal(event.km)
        self.km_cents += sign * event.km_compensation_cents


@dataclass(frozen=True)
class ProviderTotals:
    provider_id: int
    provider_name: str
    business_id: str
    month: date
    organizer_cents: int
    self_pay_cents: int
    km_cents: int
    row_count: int
    event_count: int
    correction_rows: int
    credit_rows: int
    settlement_id: int | None = None  # None: a preview of an open month
    reference: str = ""
    rf_reference: str = ""
    closed_at: datetime | None = None

    @property
    def payable_cents(self) -> int:
        """What the organizer pays the provider: the services' part and the km compensation."""
        return self.organizer_cents + self.km_cents


@dataclass(frozen=True)
class CloseResult:
    month: date
    created: bool  # False: the month was already closed; these are the earlier settlements
    settlements: tuple[ProviderTotals, ...]


@dataclass(frozen=True)
class RowView:
    kind: str
    event_id: int | None
    voucher_code: str
    client_name: str  # never the identity code
    service_code: str
    service_names: dict[str, str]
    unit: str
    event_month: date
    event_count: int
    units: Decimal
    organizer_cents: int
    self_pay_cents: int
    km: Decimal
    km_cents: int


@dataclass(frozen=True)
class SettlementView:
    totals: ProviderTotals
    rows: tuple[RowView, ...]


def _start(month: date) -> datetime:
    return datetime.combine(month, time.min)


def month_is_settled(session: Session, provider_id: int, month: date) -> bool:
    """Whether the month is closed for this provider: its events are (or, recorded late, will
    be) in a settlement, so the provider may no longer cancel them (a dispute credits them)."""
    month = month_start(month)
    if session.get(MonthClose, month) is not None:
        return True
    return session.exec(select(Settlement.id).where(
        Settlement.provider_id == provider_id, Settlement.month == month)).first() is not None


def _closed_months(session: Session) -> set[date]:
    return set(session.exec(select(MonthClose.month)).all())


def _not_in(kind: str):
    """The event has no SettledEvent of this kind (an alias: the query may join the table)."""
    other = aliased(SettledEvent)
    return ~sa.exists().where(other.event_id == ServiceEvent.id, other.kind == kind)


def _drafts(session: Session, month: date) -> dict[int, list[_Draft]]:
    """provider id -> the rows a close of `month` would write now (nothing is written)."""
    closed = _closed_months(session) - {month}
    voucher_codes = dict(session.exec(select(Voucher.id, Voucher.code)).all())
    result: dict[int, list[_Draft]] = defaultdict(list)
    normal: dict[tuple, _Draft] = {}
    events = session.exec(
        select(ServiceEvent).where(
            ServiceEvent.status == EventStatus.RECORDED.value,
            ServiceEvent.started_at >= _start(month),
            ServiceEvent.started_at < _start(add_months(month, 1)),
            _not_in(SETTLED),
        ).order_by(ServiceEvent.provider_id, ServiceEvent.client_id, ServiceEvent.started_at,
                   ServiceEvent.id)
    ).all()
    for event in events:
        code = voucher_codes.get(event.voucher_id, "")
        key = (event.provider_id, event.client_id, code, event.service_type_id)
        if key not in normal:
            normal[key] = _Draft(SettlementRowKind.NORMAL.value, event.client_id, code,
                                 event.service_type_id, month)
            result[event.provider_id].append(normal[key])
        normal[key].add(event)
    if closed:
        late = session.exec(
            select(ServiceEvent).where(
                ServiceEvent.status == EventStatus.RECORDED.value,
                ServiceEvent.started_at < _start(add_months(max(closed), 1)),
                _not_in(SETTLED),
            ).order_by(ServiceEvent.provider_id, ServiceEvent.started_at, ServiceEvent.id)
        ).all()
        for event in late:
            event_month = month_start(event.started_at.date())
            if event_month not in closed:
                continue  # a month not closed yet is settled when it is
            draft = _Draft(SettlementRowKind.CORRECTION.value, event.client_id,
                           voucher_codes.get(event.voucher_id, ""), event.service_type_id,
                           event_month, event_id=event.id)
            draft.add(event)
            result[event.provider_id].append(draft)
    credited = session.exec(
        select(ServiceEvent)
        .join(SettledEvent, (SettledEvent.event_id == ServiceEvent.id)
              & (SettledEvent.kind == SETTLED))
        .where(ServiceEvent.status != EventStatus.RECORDED.value, _not_in(CREDITED))
        .order_by(ServiceEvent.provider_id, ServiceEvent.started_at, ServiceEvent.id)
    ).all()
    for event in credited:
        draft = _Draft(SettlementRowKind.CREDIT.value, event.client_id,
                       voucher_codes.get(event.voucher_id, ""), event.service_type_id,
                       month_start(event.started_at.date()), event_id=event.id)
        draft.add(event, sign=-1)
        result[event.provider_id].append(draft)
    return dict(result)


def _totals_of(provider: Provider, month: date, drafts: list[_Draft]) -> ProviderTotals:
    return ProviderTotals(
        provider_id=provider.id, provider_name=provider.name, business_id=provider.business_id,
        month=month,
        organizer_cents=sum(d.organizer_cents for d in drafts),
        self_pay_cents=sum(d.self_pay_cents for d in drafts),
        km_cents=sum(d.km_cents for d in drafts),
        row_count=len(drafts),
        event_count=sum(len(d.event_ids) for d in drafts),
        correction_rows=sum(d.kind == SettlementRowKind.CORRECTION.value for d in drafts),
        credit_rows=sum(d.kind == SettlementRowKind.CREDIT.value for d in drafts),
    )


def _totals(session: Session, settlement: Settlement, provider: Provider) -> ProviderTotals:
    kinds = dict(session.exec(
        select(SettlementRow.kind, sa.func.count(SettlementRow.id))
        .where(SettlementRow.settlement_id == settlement.id).group_by(SettlementRow.kind)
    ).all())
    return ProviderTotals(
        provider_id=provider.id, provider_name=provider.name, business_id=provider.business_id,
        month=settlement.month, organizer_cents=settlement.organizer_cents,
        self_pay_cents=settlement.self_pay_cents, km_cents=settlement.km_cents,
        row_count=settlement.row_count, event_count=settlement.event_count,
        correction_rows=int(kinds.get(SettlementRowKind.CORRECTION.value, 0)),
        credit_rows=int(kinds.get(SettlementRowKind.CREDIT.value, 0)),
        settlement_id=settlement.id, reference=settlement.reference,
        rf_reference=settlement.rf_reference, closed_at=settlement.closed_at,
    )


def _settlements_of_month(session: Session, month: date) -> tuple[ProviderTotals, ...]:
    rows = session.exec(
        select(Settlement, Provider).join(Provider, Provider.id == Settlement.provider_id)
        .where(Settlement.month == month).order_by(Provider.name, Provider.id)
    ).all()
    return tuple(_totals(session, settlement, provider) for settlement, provider in rows)


def _require_admin(session: Session, actor: Actor) -> None:
    person = session.get(Person, actor.person_id)
    if person is None or not person.is_admin:
        raise AccessDenied("not_an_admin", actor.person_id)


def _check_past(month: date, today: date) -> date:
    month = month_start(month)
    if month >= month_start(today):
        raise SettlementError("not_past")
    return month


def _write(session: Session, month: date, by: int | None, now: datetime) -> list[int]:
    ids = []
    for provider_id, drafts in sorted(_drafts(session, month).items()):
        reference = settlement_reference(month.year, month.month, provider_id)
        settlement = Settlement(
            provider_id=provider_id, month=month, closed_at=now, closed_by_person_id=by,
            reference=reference, rf_reference=rf_reference(reference),
            organizer_cents=sum(d.organizer_cents for d in drafts),
            self_pay_cents=sum(d.self_pay_cents for d in drafts),
            km_cents=sum(d.km_cents for d in drafts), row_count=len(drafts),
            event_count=sum(len(d.event_ids) for d in drafts),
        )
        session.add(settlement)
        session.flush()
        for draft in drafts:
            row = SettlementRow(
                settlement_id=settlement.id, kind=draft.kind, event_id=draft.event_id,
                voucher_code=draft.voucher_code, client_id=draft.client_id,
                service_type_id=draft.service_type_id, event_month=draft.event_month,
                event_count=len(draft.event_ids), units=draft.units,
                organizer_cents=draft.organizer_cents, self_pay_cents=draft.self_pay_cents,
                km=draft.km, km_cents=draft.km_cents,
            )
            session.add(row)
            session.flush()
            kind = CREDITED if draft.kind == SettlementRowKind.CREDIT.value else SETTLED
            for event_id in draft.event_ids:
                session.add(SettledEvent(event_id=event_id, kind=kind,
                                         settlement_id=settlement.id, settlement_row_id=row.id))
        ids.append(settlement.id)
        # The provider's staff hear of it (in the same transaction: a concurrent close that
        # loses rolls its messages back too).
        staff = session.exec(select(ProviderStaff.person_id).where(
            ProviderStaff.provider_id == provider_id).order_by(ProviderStaff.person_id)).all()
        messages.notify(session, staff, "settlement_closed",
                        link="/provider/settlements", month=month)
    session.flush()
    return ids


def close_month(engine: Engine, month: date, today: date, actor: Actor | None = None,
                now: datetime | None = None) -> CloseResult:
    """Close `month` (a past month) for every provider; with `actor` an administrator (the
    command line passes None). Idempotent: a month closed before returns its settlements."""
    month = _check_past(month, today)
    now = now or utcnow()
    try:
        with write_session(engine) as session:
            if actor is not None:
                _require_admin(session, actor)
            if engine.dialect.name == "postgresql":
                session.execute(sa.select(sa.func.pg_advisory_xact_lock(ADVISORY_LOCK_KEY)))
            if session.get(MonthClose, month) is None:
                by = actor.person_id if actor else None
                session.add(MonthClose(month=month, closed_at=now, closed_by_person_id=by))
                session.flush()  # the primary key: a concurrent close stops here
                ids = _write(session, month, by, now)
                settlements = _settlements_of_month(session, month)
                audit.record(session, by, "settlement_close", None, month=month.isoformat(),
                             settlement_ids=ids, source="page" if actor else "cli",
                             totals_cents={s.provider_id: s.payable_cents for s in settlements})
                return CloseResult(month, True, settlements)
    except IntegrityError:
        pass  # another close inserted the month first: return what it made
    with read_session(engine) as session:
        return CloseResult(month, False, _settlements_of_month(session, month))


@dataclass(frozen=True)
class MonthOverview:
    month: date
    closed: bool
    closed_at: datetime | None
    providers: tuple[ProviderTotals, ...]  # the settlements, or what closing would settle


def month_overview(engine: Engine, actor: Actor, month: date, today: date) -> MonthOverview:
    """For administrators: a closed month's settlements, or what closing it now would settle."""
    month = _check_past(month, today)
    with read_session(engine) as session:
        _require_admin(session, actor)
        closed = session.get(MonthClose, month)
        if closed is not None:
            return MonthOverview(month, True, closed.closed_at,
                                 _settlements_of_month(session, month))
        drafts = _drafts(session, month)
        providers = {p.id: p for p in session.exec(
            select(Provider).where(Provider.id.in_(list(drafts) or [-1]))).all()}
        totals = sorted((_totals_of(providers[pid], month, rows) for pid, rows in drafts.items()),
                        key=lambda t: (t.provider_name, t.provider_id))
        return MonthOverview(month, False, None, tuple(totals))


def closed_months(engine: Engine, actor: Actor) -> list[date]:
    with read_session(engine) as session:
        _require_admin(session, actor)
        return sorted(_closed_months(session), reverse=True)


# ----------------------------------------------------------------- providers' view


def _provider(session: Session, provider_id: int) -> Provider:
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise AccessDenied("not_provider_staff")
    return provider


def provider_settlements(engine: Engine, provider_id: int, actor: Actor | None = None,
                         month: date | None = None) -> list[ProviderTotals]:
    """A provider's settlements, newest first (or only `month`'s). With `actor` the staff
    check is made here; without, the caller authenticated the provider (an API token)."""
    with read_session(engine) as session:
        if actor is not None:
            require_staff(session, actor, provider_id)
        provider = _provider(session, provider_id)
        query = select(Settlement).where(Settlement.provider_id == provider_id)
        if month is not None:
            query = query.where(Settlement.month == month_start(month))
        return [_totals(session, s, provider)
                for s in session.exec(query.order_by(Settlement.month.desc())).all()]


def settlement_detail(engine: Engine, provider_id: int, month: date, actor: Actor | None = None,
                      api_token_id: int | None = None) -> SettlementView | None:
    """One settlement with its rows (client names and vouchers, never identity codes);
    audited, since it shows who received services."""
    month = month_start(month)
    with write_session(engine) as session:
        if actor is not None:
            require_staff(session, actor, provider_id)
        provider = _provider(session, provider_id)
        settlement = session.exec(select(Settlement).where(
            Settlement.provider_id == provider_id, Settlement.month == month)).first()
        if settlement is None:
            return None
        rows = session.exec(
            select(SettlementRow, Client.first_name, Client.last_name, ServiceType)
            .join(Client, Client.id == SettlementRow.client_id)
            .join(ServiceType, ServiceType.id == SettlementRow.service_type_id)
            .where(SettlementRow.settlement_id == settlement.id)
            .order_by(SettlementRow.id)
        ).all()
        audit.record(session, actor.person_id if actor else None, "provider_view_settlement",
                     None, provider_id=provider_id, settlement_id=settlement.id,
                     api_token_id=api_token_id)
        return SettlementView(
            _totals(session, settlement, provider),
            tuple(RowView(
                kind=row.kind, event_id=row.event_id, voucher_code=row.voucher_code,
                client_name=f"{first} {last}", service_code=service.code,
                service_names={"fi": service.name_fi, "sv": service.name_sv,
                               "en": service.name_en},
                unit=service.unit, event_month=row.event_month, event_count=row.event_count,
                units=Decimal(row.units), organizer_cents=row.organizer_cents,
                self_pay_cents=row.self_pay_cents, km=Decimal(row.km), km_cents=row.km_cents,
            ) for row, first, last, service in rows),
        )


# ----------------------------------------------------------------- exports


def euros(cents: int) -> str:
    """Cents as euros with a decimal point and two decimals, for other systems: -12.05."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _decimal(value: Decimal) -> str:
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


ACCOUNTS_PAYABLE_COLUMNS = (
    "business_id", "provider", "month", "reference", "rf_reference", "payable_eur",
    "services_eur", "km_eur", "self_pay_eur", "rows", "correction_rows", "credit_rows",
    "events", "closed_at",
)


def accounts_payable_csv(engine: Engine, actor: Actor, month: date, today: date) -> str:
    """The month's settlements for the accounts-payable system: one row per settlement."""
    overview = month_overview(engine, actor, month, today)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(ACCOUNTS_PAYABLE_COLUMNS)
    if overview.closed:
        for s in overview.providers:
            writer.writerow([
                s.business_id, s.provider_name, s.month.strftime("%Y-%m"), s.reference,
                s.rf_reference, euros(s.payable_cents), euros(s.organizer_cents),
                euros(s.km_cents), euros(s.self_pay_cents), s.row_count, s.correction_rows,
                s.credit_rows, s.event_count,
                s.closed_at.isoformat(timespec="seconds") if s.closed_at else "",
            ])
    with write_session(engine) as session:
        audit.record(session, actor.person_id, "settlement_export", None,
                     month=overview.month.isoformat(), settlements=len(overview.providers))
    return out.getvalue()


PROVIDER_CSV_COLUMNS = (
    "month", "reference", "rf_reference", "kind", "event_month", "event_id", "voucher",
    "client", "service_code", "events", "units", "services_eur", "self_pay_eur", "km",
    "km_eur",
)


def settlement_json(view: SettlementView) -> dict:
    """A settlement as the provider API answers it (amounts in cents and as euro strings)."""
    t = view.totals
    return {
        "month": t.month.strftime("%Y-%m"), "reference": t.reference,
        "rf_reference": t.rf_reference, "business_id": t.business_id,
        "provider": t.provider_name,
        "closed_at": t.closed_at.isoformat(timespec="seconds") + "Z" if t.closed_at else None,
        "totals": {"services_cents": t.organizer_cents, "self_pay_cents": t.self_pay_cents,
                   "km_cents": t.km_cents, "payable_cents": t.payable_cents,
                   "payable_eur": euros(t.payable_cents), "rows": t.row_count,
                   "events": t.event_count},
        "rows": [{
            "kind": r.kind, "event_month": r.event_month.strftime("%Y-%m"),
            "event_id": r.event_id, "voucher": r.voucher_code, "client": r.client_name,
            "service_code": r.service_code, "events": r.event_count, "units": _decimal(r.units),
            "services_cents": r.organizer_cents, "self_pay_cents": r.self_pay_cents,
            "km": _decimal(r.km), "km_cents": r.km_cents,
        } for r in view.rows],
    }


def settlement_csv(view: SettlementView) -> str:
    """A settlement's rows as CSV (UTF-8, comma separated, amounts in euros with a point)."""
    t = view.totals
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(PROVIDER_CSV_COLUMNS)
    for r in view.rows:
        writer.writerow([
            t.month.strftime("%Y-%m"), t.reference, t.rf_reference, r.kind,
            r.event_month.strftime("%Y-%m"), r.event_id or "", r.voucher_code, r.client_name,
            r.service_code, r.event_count, _decimal(r.units), euros(r.organizer_cents),
            euros(r.self_pay_cents), _decimal(r.km), euros(r.km_cents),
        ])
    return out.getvalue()
