"""Kilometre compensation for a provider's travel (Kainuu pilot rule)."""

from __future__ import annotations

from decimal import Decimal

from hbapp.domain.money import cents_for

__all__ = ["km_compensation_cents"]


def km_compensation_cents(
    one_way_km: Decimal | int,
    rate_cents: int = 24,
    free_km: int = 10,
    max_km: int = 100,
) -> int:
    """Cents for ONE one-way trip: `rate_cents` per km over `free_km`, counting at most `max_km`.

    Kainuu: 0.24 €/km for the part of a one-way trip over 10 km and at most 100 km, so the most one
    trip earns is 90 km. A return trip is two one-way trips (call this twice).
    """
    if isinstance(one_way_km, bool) or not isinstance(one_way_km, (Decimal, int)):
        raise TypeError("one_way_km must be a Decimal or an int")
    km = Decimal(one_way_km)
    if not km.is_finite() or km < 0:
        raise ValueError("kilometres must be a finite, non-negative number")
    compensated = max(Decimal(0), min(km, Decimal(max_km)) - free_km)
    return cents_for(compensated, rate_cents)
