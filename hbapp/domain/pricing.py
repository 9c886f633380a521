"""What a delivered service costs the budget and what the client pays herself.

Kainuu home-care rule: "the self-pay share is the difference between the voucher/HB value and the
provider's price". When a service has a self-pay share and the provider's price is above the unit
value, the budget pays the unit value and the client pays the rest to the provider. Otherwise the
budget pays the whole price (for example personal assistance, carer's leave, transport).
"""

from __future__ import annotations

from decimal import Decimal

from hbapp.domain.money import cents_for

__all__ = ["charge_for", "self_pay_per_unit"]


def _check_cents(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int of cents, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


def self_pay_per_unit(price_cents: int, unit_value_cents: int, self_pay_applies: bool) -> int:
    """The client's share of one unit in cents: price − unit value when positive and applicable."""
    price = _check_cents(price_cents, "price_cents")
    value = _check_cents(unit_value_cents, "unit_value_cents")
    if self_pay_applies and price > value:
        return price - value
    return 0


def charge_for(
    units: Decimal | int,
    price_cents: int,
    unit_value_cents: int,
    self_pay_applies: bool,
) -> tuple[int, int]:
    """(amount charged to the budget, self-pay paid by the client), both in cents, rounded half-up.

    `units` is an exact Decimal (or int) quantity, never a float and never negative.
    """
    if isinstance(units, bool) or not isinstance(units, (Decimal, int)):
        raise TypeError(f"units must be a Decimal or an int, not {type(units).__name__}")
    if not Decimal(units).is_finite() or units < 0:
        raise ValueError("units must be a finite, non-negative number")
    share = self_pay_per_unit(price_cents, unit_value_cents, self_pay_applies)
    if share:
        return cents_for(units, unit_value_cents), cents_for(units, share)
    return cents_for(units, price_cents), 0
