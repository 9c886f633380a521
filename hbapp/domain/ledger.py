"""The budget ledger of one client for one month (Kainuu model).

The budget is money. All granted services are pooled: the cap is the month's budget (sum of the
line values plus other additions), not the amount granted of each service. A line's value is its
decided units at the decided unit value, plus the money swaps moved in or out of it this month.
Per-line balances are still shown, because clients and workers asked to see, say, how many
home-care hours are left: those units are derived from the money left with
`hbapp.domain.units.units_for_money`, at what one unit will actually take from the budget.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from hbapp.domain.money import cents_for
from hbapp.domain.units import SMALLEST_USEFUL, Unit, units_for_money

__all__ = [
    "LineBalance",
    "LineGrant",
    "MonthStatement",
    "UsageEvent",
    "add_months",
    "month_start",
    "month_statement",
]


def month_start(d: date) -> date:
    """First day of the month of `d`."""
    return date(d.year, d.month, 1)


def add_months(month: date, n: int) -> date:
    """First day of the month `n` months after the month of `month` (n may be negative)."""
    index = month.year * 12 + (month.month - 1) + n
    year, month0 = divmod(index, 12)
    return date(year, month0 + 1, 1)


def _days_in_month(month: date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def _fraction(part: int, whole: int) -> Decimal:
    # A zero budget has nothing to use up; 0 keeps progress bars sane instead of dividing by zero.
    return Decimal(part) / Decimal(whole) if whole else Decimal(0)


def _div_half_up(numerator: int, denominator: int) -> int:
    # Exact integer division rounded half away from zero, as ROUND_HALF_UP does for Decimals.
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return -quotient if numerator < 0 else quotient


@dataclass(frozen=True)
class LineGrant:
    """One granted service for the month, as decided, plus the money swaps moved."""

    line_id: int
    service_code: str
    unit: Unit
    granted_units: Decimal  # as decided for the month, before swaps
    unit_value_cents: int  # the decided value of one unit
    adjustment_cents: int = 0  # money swaps moved into (+) or out of (−) the line this month
    # What one unit will take from the budget: the chosen provider's price as charged (see
    # pricing.charge_for), else the unit value. Used only to say what the money left buys.
    unit_charge_cents: int | None = None

    @property
    def decided_cents(self) -> int:
        return cents_for(self.granted_units, self.unit_value_cents)

    @property
    def value_cents(self) -> int:
        return self.decided_cents + self.adjustment_cents

    @property
    def charge_per_unit_cents(self) -> int:
        return self.unit_charge_cents or self.unit_value_cents


@dataclass(frozen=True)
class UsageEvent:
    """A delivered service recorded against a line."""

    line_id: int
    occurred_at: datetime
    units: Decimal
    amount_cents: int  # charged to the budget for the units
    self_pay_cents: int = 0  # paid by the client to the provider, NOT charged to the budget
    km_compensation_cents: int = 0  # charged to the budget on top of amount_cents

    @property
    def budget_charge_cents(self) -> int:
        return self.amount_cents + self.km_compensation_cents


@dataclass(frozen=True)
class LineBalance:
    line_id: int
    service_code: str
    unit: Unit
    granted_units: Decimal  # as decided
    unit_value_cents: int
    decided_cents: int  # granted_units at the unit value
    adjustment_cents: int  # moved by swaps this month
    value_cents: int  # decided + swaps: the line's money this month
    used_units: Decimal
    used_cents: int
    remaining_cents: int  # negative when the line is overspent
    unit_charge_cents: int  # what one unit takes from the budget (provider's price or unit value)
    remaining_buys: Decimal  # units_for_money(remaining_cents): what is left, in units
    overspent: bool
    used_fraction: Decimal  # used / value; 0 when the value is 0

    @property
    def leftover_only(self) -> bool:
        """Money is left, but less than the smallest amount of the service one can buy."""
        return self.remaining_cents > 0 and self.remaining_buys < SMALLEST_USEFUL[self.unit]


@dataclass(frozen=True)
class MonthStatement:
    month: date  # first day of the month
    budget_cents: int
    used_cents: int
    remaining_cents: int  # negative when the budget is overspent
    self_pay_cents: int
    lines: tuple[LineBalance, ...]
    additions_cents: int  # money outside the lines; lines + additions = budget
    period: str  # "past", "current" or "future" month, seen from `today`
    projected_used_cents: int  # a forecast only for the current month; else what is recorded
    overspent: bool
    projected_overspend: bool
    used_fraction: Decimal


def _projected_used(month: date, used_cents: int, today: date) -> int:
    if month_start(today) == month:
        # Straight-line forecast from the pace so far; today counts as an elapsed day.
        return _div_half_up(used_cents * _days_in_month(month), today.day)
    # A past month is complete. A future month has no pace to extrapolate: its usage is 0 unless
    # something is already recorded, and a forecast below what is recorded would make no sense.
    return used_cents


def month_statement(
    month: date,
    lines: Sequence[LineGrant],
    events: Sequence[UsageEvent],
    additions_cents: int = 0,
    today: date | None = None,
) -> MonthStatement:
    """Balance of the month containing `month`.

    Events outside the month are ignored, so callers may pass a client's whole history. An event in
    the month whose line is not among `lines` raises ValueError: its money would otherwise vanish.
    """
    first = month_start(month)
    today = date.today() if today is None else today
    by_id: dict[int, LineGrant] = {}
    for line in lines:
        if line.line_id in by_id:
            raise ValueError(f"line {line.line_id} appears twice")
        by_id[line.line_id] = line

    used_units = {line_id: Decimal(0) for line_id in by_id}
    used_cents = dict.fromkeys(by_id, 0)
    self_pay = 0
    for event in events:
        if (event.occurred_at.year, event.occurred_at.month) != (first.year, first.month):
            continue
        if event.line_id not in by_id:
            raise ValueError(f"event refers to line {event.line_id}, which is not granted")
        used_units[event.line_id] += event.units
        used_cents[event.line_id] += event.budget_charge_cents
        self_pay += event.self_pay_cents

    balances = []
    for line_id, line in by_id.items():
        value = line.value_cents
        used = used_cents[line_id]
        charge = line.charge_per_unit_cents
        balances.append(
            LineBalance(
                line_id=line_id,
                service_code=line.service_code,
                unit=line.unit,
                granted_units=line.granted_units,
                unit_value_cents=line.unit_value_cents,
                decided_cents=line.decided_cents,
                adjustment_cents=line.adjustment_cents,
                value_cents=value,
                used_units=used_units[line_id],
                used_cents=used,
                remaining_cents=value - used,
                unit_charge_cents=charge,
                # A line without a price (value 0) buys nothing.
                remaining_buys=(units_for_money(value - used, line.unit, charge) if charge > 0
                                else Decimal(0)),
                overspent=used > value,
                used_fraction=_fraction(used, value),
            )
        )

    budget = sum(b.value_cents for b in balances) + additions_cents
    total_used = sum(used_cents.values())
    projected = _projected_used(first, total_used, today)
    this_month = month_start(today)
    period = "current" if first == this_month else "past" if first < this_month else "future"
    return MonthStatement(
        month=first,
        budget_cents=budget,
        used_cents=total_used,
        remaining_cents=budget - total_used,
        self_pay_cents=self_pay,
        lines=tuple(balances),
        additions_cents=additions_cents,
        period=period,
        projected_used_cents=projected,
        overspent=total_used > budget,
        projected_overspend=projected > budget,
        used_fraction=_fraction(total_used, budget),
    )
