"""Providers' dated prices: the one place that reads `ProviderPrice`.

A provider's price for a service and time band is the newest `ProviderPrice` row of that key
with `valid_from` on or before the day asked about. A price change is a new row (added when an
administrator approves a `PriceChangeRequest`, see `hbapp.services.price_requests`), so earlier
days keep their price and events recorded for them are priced as they were.

These functions run inside the caller's session (and transaction); they check nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlmodel import Session, select

from hbapp.models import ProviderPrice

PriceKey = tuple[int, int, str]  # (provider_id, service_type_id, band)


def price_on(session: Session, provider_id: int, service_type_id: int, band: str,
             day: date) -> int | None:
    """The provider's price (cents per unit) for the service in the band on `day`, or None
    when it has no price in force then (it does not offer the service in that band)."""
    return session.exec(
        select(ProviderPrice.price_cents)
        .where(ProviderPrice.provider_id == provider_id,
               ProviderPrice.service_type_id == service_type_id,
               ProviderPrice.band == str(getattr(band, "value", band)),
               ProviderPrice.valid_from <= day)
        .order_by(ProviderPrice.valid_from.desc())
        .limit(1)
    ).first()


def prices_on(session: Session, provider_ids: Iterable[int], day: date, *,
              service_type_ids: Iterable[int] | None = None,
              band: str | None = None) -> dict[PriceKey, int]:
    """{(provider_id, service_type_id, band): cents} of every price in force on `day` of the
    given providers (optionally only some services, or one band)."""
    providers = set(provider_ids)
    if not providers:
        return {}
    query = select(ProviderPrice).where(ProviderPrice.provider_id.in_(providers),
                                        ProviderPrice.valid_from <= day)
    if service_type_ids is not None:
        services = set(service_type_ids)
        if not services:
            return {}
        query = query.where(ProviderPrice.service_type_id.in_(services))
    if band is not None:
        query = query.where(ProviderPrice.band == str(getattr(band, "value", band)))
    result: dict[PriceKey, int] = {}
    # Oldest first: a later valid_from overwrites an earlier one of the same key.
    for row in session.exec(query.order_by(ProviderPrice.valid_from)).all():
        result[(row.provider_id, row.service_type_id, row.band)] = row.price_cents
    return result


def priced_provider_ids(session: Session, service_type_id: int, band: str,
                        day: date) -> set[int]:
    """Providers with a price in force on `day` for the service in the band (any provider)."""
    rows = session.exec(
        select(ProviderPrice.provider_id)
        .where(ProviderPrice.service_type_id == service_type_id,
               ProviderPrice.band == str(getattr(band, "value", band)),
               ProviderPrice.valid_from <= day)
        .distinct()
    ).all()
    return set(rows)
