"""Reading a client's budget for one month: authorization, audit, then the pure ledger."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, or_, select

from hbapp.db import write_session
from hbapp.domain.ledger import (
    LineGrant,
    MonthStatement,
    UsageEvent,
    add_months,
    month_start,
    month_statement,
)
from hbapp.domain.pricing import charge_for
from hbapp.domain.timebands import TimeBand
from hbapp.domain.units import Unit
from hbapp.models import (
    ApprovalStatus,
    Budget,
    BudgetAddition,
    BudgetLine,
    BudgetLineBandValue,
    BudgetStatus,
    Client,
    EventStatus,
    LineAdjustment,
    Provider,
    ProviderChoice,
    ServiceEvent,
    ServiceType,
    Voucher,
    utcnow,
)
from hbapp.services import audit
from hbapp.services.access import Actor, require_client_access
from hbapp.services.catalog import unit_values_on
from hbapp.services.prices import prices_on


@dataclass(frozen=True)
class ServiceNames:
    fi: str
    sv: str
    en: str

    def get(self, locale: str) -> str:
        return getattr(self, locale, self.fi)


@dataclass(frozen=True)
class LineView:
    line_id: int
    service_code: str
    names: ServiceNames
    unit: str
    unit_value_cents: int
    chosen_provider: str | None
    chosen_provider_id: int | None
    unit_charge_cents: int  # what one unit takes from the budget at the chosen provider
    voucher_code: str | None = None  # of the current choice: the provider records with it
    # The chosen provider was suspended (issue 18): since when; the client keeps its contact.
    provider_suspended_at: datetime | None = None


@dataclass(frozen=True)
class EventView:
    started_at: datetime
    provider_name: str
    line_id: int
    unit: str
    units: Decimal
    amount_cents: int
    self_pay_cents: int
    km: Decimal
    km_compensation_cents: int
    # Only recorded events count; a cancelled one is shown as a correction, a needs-review one
    # as waiting for the case worker, a rejected one as not accepted.
    status: str = EventStatus.RECORDED.value
    band: str = TimeBand.WEEKDAY_DAY.value
    ended_at: datetime | None = None
    cancel_reason: str = ""
    review_note: str = ""
    provider_id: int | None = None
    id: int = 0  # the ServiceEvent's id (e.g. to report a problem with it)

    @property
    def counted(self) -> bool:
        return self.status == EventStatus.RECORDED.value


@dataclass(frozen=True)
class BudgetMonth:
    client_id: int
    client_name: str
    month: date
    decision_reference: str
    statement: MonthStatement
    lines: dict[int, LineView]
    events: tuple[EventView, ...]
    first_month: date  # of the decision (over all its versions)
    last_month: date | None  # None: the budget is open-ended
    decision_version: int = 1


def _budget_for_month(session: Session, client_id: int, month: date) -> Budget | None:
    next_month = add_months(month, 1)
    return session.exec(
        select(Budget)
        .where(
            Budget.client_id == client_id,
            Budget.status.in_([BudgetStatus.ACTIVE.value, BudgetStatus.ENDED.value]),
            Budget.valid_from < next_month,
            or_(Budget.valid_to.is_(None), Budget.valid_to >= month),
        )
        .order_by(Budget.valid_from.desc())
    ).first()


def unit_charges(
    session: Session, lines: list[tuple[BudgetLine, ServiceType]],
    chosen: dict[int, tuple[int, str]], day: date | None = None,
) -> dict[int, int]:
    """line id -> what one unit takes from the budget: the chosen provider's weekday daytime
    price in force on `day` (default today) as `charge_for` charges it (the unit value caps it
    where a self-pay share applies), else the line's unit value. The price every page uses to
    turn money into units."""
    day = day or date.today()
    wanted = {(chosen[service.id][0], service.id) for _, service in lines if service.id in chosen}
    prices: dict[tuple[int, int], int] = {}
    if wanted:
        for (provider_id, service_type_id, _), price in prices_on(
                session, {p for p, _ in wanted}, day,
                service_type_ids={s for _, s in wanted},
                band=TimeBand.WEEKDAY_DAY.value).items():
            prices[(provider_id, service_type_id)] = price
    result = {}
    for line, service in lines:
        price = prices.get((chosen[service.id][0], service.id)) if service.id in chosen else None
        if price:
            result[line.id] = charge_for(1, price, line.unit_value_cents,
                                         service.self_pay_applies)[0]
        else:
            result[line.id] = line.unit_value_cents
    return result


def price_day(month: date, today: date) -> date:
    """The day whose provider prices a month's figures use: today for the current month, the
    month's last day for a past month and its first day for a coming one."""
    month = month_start(month)
    last = add_months(month, 1) - timedelta(days=1)
    return min(max(today, month), last)


def load_month(session: Session, client: Client, month: date, today: date) -> BudgetMonth | None:
    """The month's statement for a client, or None when no budget covers the month.

    No authorization here: callers check access first (see `budget_month`).
    """
    month = month_start(month)
    budget = _budget_for_month(session, client.id, month)
    if budget is None:
        return None
    rows = session.exec(
        select(BudgetLine, ServiceType)
        .join(ServiceType, ServiceType.id == BudgetLine.service_type_id)
        .where(BudgetLine.budget_id == budget.id)
        .order_by(ServiceType.sort_order, ServiceType.code)
    ).all()
    line_ids = [line.id for line, _ in rows]
    adjustments: dict[int, int] = defaultdict(int)
    if line_ids:
        for line_id, delta in session.exec(
            select(LineAdjustment.budget_line_id, func.sum(LineAdjustment.delta_cents))
            .where(LineAdjustment.budget_line_id.in_(line_ids), LineAdjustment.month == month)
            .group_by(LineAdjustment.budget_line_id)
        ).all():
            adjustments[line_id] = int(delta)
    chosen: dict[int, tuple[int, str]] = {}
    voucher_codes: dict[int, str] = {}  # service_type_id -> the current choice's voucher
    suspended_at: dict[int, datetime] = {}
    for service_type_id, provider_id, name, code, status, since in session.exec(
        select(ProviderChoice.service_type_id, Provider.id, Provider.name, Voucher.code,
               Provider.approval_status, Provider.suspended_at)
        .join(Provider, Provider.id == ProviderChoice.provider_id)
        .outerjoin(Voucher, Voucher.choice_id == ProviderChoice.id)
        .where(ProviderChoice.client_id == client.id, ProviderChoice.ended_at.is_(None))
    ).all():
        chosen[service_type_id] = (provider_id, name)
        if code:
            voucher_codes[service_type_id] = code
        if status == ApprovalStatus.SUSPENDED.value:
            suspended_at[service_type_id] = since or utcnow()
    charges = unit_charges(session, [(line, service) for line, service in rows], chosen,
                           price_day(month, today))
    grants = [
        LineGrant(
            line_id=line.id,
            service_code=service.code,
            unit=Unit(service.unit),
            granted_units=Decimal(line.granted_units_per_month),
            unit_value_cents=line.unit_value_cents,
            adjustment_cents=adjustments[line.id],
            unit_charge_cents=charges[line.id],
        )
        for line, service in rows
    ]
    views = {
        line.id: LineView(
            line_id=line.id,
            service_code=service.code,
            names=ServiceNames(service.name_fi, service.name_sv, service.name_en),
            unit=service.unit,
            unit_value_cents=line.unit_value_cents,
            chosen_provider=chosen[service.id][1] if service.id in chosen else None,
            chosen_provider_id=chosen[service.id][0] if service.id in chosen else None,
            unit_charge_cents=charges[line.id],
            voucher_code=voucher_codes.get(service.id),
            provider_suspended_at=suspended_at.get(service.id),
        )
        for line, service in rows
    }
    start = datetime.combine(month, time.min)
    end = datetime.combine(add_months(month, 1), time.min)
    event_rows = (
        session.exec(
            select(ServiceEvent, Provider.name)
            .join(Provider, Provider.id == ServiceEvent.provider_id)
            .where(
                ServiceEvent.client_id == client.id,
                ServiceEvent.budget_line_id.in_(line_ids),
                ServiceEvent.started_at >= start,
                ServiceEvent.started_at < end,
            )
            .order_by(ServiceEvent.started_at.desc())
        ).all()
        if line_ids
        else []
    )
    usage = [
        UsageEvent(
            line_id=event.budget_line_id,
            occurred_at=event.started_at,
            units=Decimal(event.units),
            amount_cents=event.amount_cents,
            self_pay_cents=event.self_pay_cents,
            km_compensation_cents=event.km_compensation_cents,
        )
        for event, _ in event_rows
        if event.status == EventStatus.RECORDED.value
    ]
    # One-off additions of this month, and monthly ones of this version from their month on.
    additions = session.exec(
        select(func.coalesce(func.sum(BudgetAddition.amount_cents), 0)).where(
            BudgetAddition.budget_id == budget.id,
            or_(BudgetAddition.month == month,
                BudgetAddition.monthly.is_(True) & (BudgetAddition.month <= month)),
        )
    ).one()
    statement = month_statement(month, grants, usage, int(additions), today=today)
    # The decision's whole period over its versions (a change starts a version, not a budget).
    first, open_ended, last = session.exec(
        select(func.min(Budget.valid_from), func.count(Budget.id) - func.count(Budget.valid_to),
               func.max(Budget.valid_to))
        .where(Budget.client_id == client.id,
               Budget.decision_reference == budget.decision_reference,
               Budget.status.in_([BudgetStatus.ACTIVE.value, BudgetStatus.ENDED.value]))
    ).one()
    last = None if open_ended else last
    events = tuple(
        EventView(
            started_at=event.started_at,
            provider_name=provider_name,
            line_id=event.budget_line_id,
            unit=views[event.budget_line_id].unit,
            units=Decimal(event.units),
            amount_cents=event.amount_cents,
            self_pay_cents=event.self_pay_cents,
            km=Decimal(event.km),
            km_compensation_cents=event.km_compensation_cents,
            status=event.status,
            band=event.band,
            ended_at=event.ended_at,
            cancel_reason=event.cancel_reason,
            review_note=event.review_note,
            provider_id=event.provider_id,
            id=event.id,
        )
        for event, provider_name in event_rows
    )
    return BudgetMonth(
        client_id=client.id,
        client_name=client.full_name,
        month=month,
        decision_reference=budget.decision_reference,
        statement=statement,
        lines=views,
        events=events,
        first_month=month_start(first),
        last_month=month_start(last) if last else None,
        decision_version=budget.decision_version,
    )


def budget_month(
    engine: Engine, actor: Actor, client_id: int, month: date, today: date, action: str
) -> BudgetMonth | None:
    """Check the actor may view the client's budget, record the view, return the month."""
    with write_session(engine) as session:
        return month_in_session(session, actor, client_id, month, today, action)


def month_in_session(session: Session, actor: Actor, client_id: int, month: date, today: date,
                     action: str) -> BudgetMonth | None:
    """`budget_month` inside a transaction the caller owns."""
    require_client_access(session, actor, client_id, "view", today)
    client = session.get(Client, client_id)
    result = load_month(session, client, month, today)
    audit.record(session, actor.person_id, action, client_id,
                 month=month_start(month).isoformat())
    return result


def line_unit_value(session: Session, line: BudgetLine, band: str | TimeBand) -> int:
    """The budget's value (cents) of one unit of `line` in time band `band`.

    A time-banded line (personal assistance) has a value per band, fixed when its decision
    version was made (copied from the catalog's values in force on the version's first day, or
    set by the decision); other lines have one value whatever the band. A banded line without
    its own band values (made before bands were recorded per line) takes the catalog's.
    Providers' events are priced with this (the charge to the budget is at most this per unit).
    """
    band = TimeBand(band).value
    service = session.get(ServiceType, line.service_type_id)
    if service is None or not service.time_banded:
        return line.unit_value_cents
    own = session.exec(select(BudgetLineBandValue.unit_value_cents).where(
        BudgetLineBandValue.budget_line_id == line.id, BudgetLineBandValue.band == band)).first()
    if own is not None:
        return int(own)
    budget = session.get(Budget, line.budget_id)
    values = unit_values_on(session, service, budget.valid_from if budget else date.today())
    return values.get(band, line.unit_value_cents)
