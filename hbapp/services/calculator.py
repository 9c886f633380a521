"""What the cost calculator needs from the database: the organizer's values, hourly services and
the approved providers' prices. The arithmetic is in `hbapp.domain.calculator`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import select

from hbapp.db import read_session
from hbapp.domain.timebands import TimeBand
from hbapp.domain.units import Unit
from hbapp.models import (
    ApprovalStatus,
    Client,
    Organizer,
    Provider,
    ServiceType,
)
from hbapp.services.access import AccessDenied, Actor, require_client_access
from hbapp.services.budget import ServiceNames
from hbapp.services.catalog import BASE_BAND, unit_values_on
from hbapp.services.prices import prices_on


@dataclass(frozen=True)
class CalcProvider:
    provider_id: int
    name: str
    price_by_band: dict[str, int]


@dataclass(frozen=True)
class CalcService:
    code: str
    names: ServiceNames
    self_pay_applies: bool
    value_by_band: dict[str, int]
    providers: list[CalcProvider]


@dataclass(frozen=True)
class CalculatorSetup:
    own_fee_cents_per_hour: int
    own_cost_cents_per_hour: int
    voucher_max_cents_per_hour: int
    services: list[CalcService]


def calculator_setup(engine: Engine, actor: Actor, client_id: int, today: date) -> CalculatorSetup:
    with read_session(engine) as session:
        require_client_access(session, actor, client_id, "view", today)
        client = session.get(Client, client_id)
        if client is None:
            raise AccessDenied("no_client")
        organizer = session.get(Organizer, client.organizer_id)
        services = []
        for service in session.exec(
            select(ServiceType).where(ServiceType.organizer_id == organizer.id,
                                      ServiceType.unit == Unit.HOUR.value)
            .order_by(ServiceType.sort_order, ServiceType.code)
        ).all():
            # The catalog's values in force today (they change every January).
            current = unit_values_on(session, service, date.today())
            values = {band.value: current.get(band.value, current[BASE_BAND])
                      for band in TimeBand}
            prices: dict[int, dict[str, int]] = {}
            names: dict[int, str] = {}
            approved = session.exec(
                select(Provider).where(Provider.approval_status == ApprovalStatus.APPROVED.value)
                .order_by(Provider.name)).all()
            in_force = prices_on(session, [p.id for p in approved], today,
                                 service_type_ids=[service.id])
            for provider in approved:
                for band in (b.value for b in TimeBand):
                    cents = in_force.get((provider.id, service.id, band))
                    if cents is not None:
                        prices.setdefault(provider.id, {})[band] = cents
                        names[provider.id] = provider.name
            providers = [CalcProvider(pid, names[pid], prices[pid]) for pid in names
                         if TimeBand.WEEKDAY_DAY.value in prices[pid]]
            if providers:
                services.append(CalcService(
                    service.code, ServiceNames(service.name_fi, service.name_sv, service.name_en),
                    service.self_pay_applies, values, providers,
                ))
        return CalculatorSetup(organizer.own_production_fee_cents_per_hour,
                               organizer.own_production_cost_cents_per_hour,
                               organizer.voucher_max_cents_per_hour, services)
