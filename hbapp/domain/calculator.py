"""The cost calculator: one planned month of hourly help under three ways of arranging it.

- own production: the organizer's own staff; the client pays the client fee per hour, the
  organizer pays its own cost less the fee;
- an ordinary service voucher: the organizer pays the provider's price up to the voucher's
  maximum value per hour, the client pays the rest (self-pay share);
- the personal budget (HB): the organizer pays what `charge_for` charges to the budget (the unit
  value of the band when a self-pay share applies, else the whole price); the client pays the
  self-pay share.

Also "what the budget buys": how much of a service the money left on a budget line pays for at a
provider's price, rounded down so the client is never promised more than the money covers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from hbapp.domain.money import cents_for
from hbapp.domain.pricing import charge_for
from hbapp.domain.units import units_for_money

__all__ = [
    "CalculatorInput",
    "CalculatorResult",
    "OptionCost",
    "budget_buys",
    "budget_share_per_unit",
    "compare_costs",
]


@dataclass(frozen=True)
class CalculatorInput:
    hours_by_band: Mapping[str, Decimal]  # planned hours per TimeBand value
    price_by_band: Mapping[str, int]  # the provider's price per hour in cents, per band
    hb_value_by_band: Mapping[str, int]  # the budget's unit value per hour in cents, per band
    hb_self_pay_applies: bool
    own_fee_cents_per_hour: int  # client fee of own production
    own_cost_cents_per_hour: int  # what an hour of own production costs the organizer
    voucher_max_cents_per_hour: int


@dataclass(frozen=True)
class OptionCost:
    client_cents: int
    organizer_cents: int

    @property
    def total_cents(self) -> int:
        return self.client_cents + self.organizer_cents


@dataclass(frozen=True)
class CalculatorResult:
    hours: Decimal
    own_production: OptionCost
    voucher: OptionCost
    hb: OptionCost


def _hours(value: Decimal | int) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError("hours must be a Decimal or an int")
    hours = Decimal(value)
    if not hours.is_finite() or hours < 0:
        raise ValueError("hours must be a finite, non-negative number")
    return hours


def compare_costs(plan: CalculatorInput) -> CalculatorResult:
    """Cost to the client and to the organizer of the planned month under each arrangement.

    Every band with planned hours needs a provider price and an HB unit value (KeyError if not).
    Each band is rounded to whole cents separately, as each band is invoiced on its own row.
    """
    if plan.own_fee_cents_per_hour > plan.own_cost_cents_per_hour:
        raise ValueError("the client fee cannot exceed the cost of own production")
    total_hours = Decimal(0)
    own_client = own_org = voucher_client = voucher_org = hb_client = hb_org = 0
    for band, raw in plan.hours_by_band.items():
        hours = _hours(raw)
        if hours == 0:
            continue
        total_hours += hours
        price = plan.price_by_band[band]
        own_client += cents_for(hours, plan.own_fee_cents_per_hour)
        own_org += cents_for(hours, plan.own_cost_cents_per_hour - plan.own_fee_cents_per_hour)
        covered = min(price, plan.voucher_max_cents_per_hour)
        voucher_org += cents_for(hours, covered)
        voucher_client += cents_for(hours, price - covered)
        budget, self_pay = charge_for(hours, price, plan.hb_value_by_band[band],
                                      plan.hb_self_pay_applies)
        hb_org += budget
        hb_client += self_pay
    return CalculatorResult(
        hours=total_hours,
        own_production=OptionCost(own_client, own_org),
        voucher=OptionCost(voucher_client, voucher_org),
        hb=OptionCost(hb_client, hb_org),
    )


def budget_share_per_unit(price_cents: int, unit_value_cents: int, self_pay_applies: bool) -> int:
    """What one unit bought at `price_cents` takes from the budget (see pricing.charge_for)."""
    budget, _ = charge_for(1, price_cents, unit_value_cents, self_pay_applies)
    return budget


def budget_buys(
    remaining_cents: int, price_cents: int, unit_value_cents: int, self_pay_applies: bool,
    unit: str,
) -> Decimal:
    """How much of a service `remaining_cents` pays for at a provider's price, rounded down
    (`hbapp.domain.units.units_for_money` at what one unit takes from the budget there)."""
    per_unit = budget_share_per_unit(price_cents, unit_value_cents, self_pay_applies)
    if per_unit <= 0:
        raise ValueError("price must be positive")
    return units_for_money(remaining_cents, unit, per_unit)
