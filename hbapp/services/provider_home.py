"""The provider's side: which providers a person works for, and the provider's vouchers.

A provider's staff see only the clients who chose it, for the chosen services, while the choice
lasts (and, marked ended, for `ENDED_SHOWN_DAYS` after it ended so that the last visits can be
recorded and checked). The client's identity code is never read here: name and voucher suffice.
Every listing of clients is audited per client, so the client reads it on `/privacy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import func, or_, select

from hbapp.db import read_session, write_session
from hbapp.domain.inputs import MAX_ID
from hbapp.models import Client, Provider, ProviderStaff, ServiceType, Voucher, utcnow
from hbapp.services import audit
from hbapp.services.access import AccessDenied, Actor
from hbapp.services.budget import ServiceNames

ENDED_SHOWN_DAYS = 60


@dataclass(frozen=True)
class StaffProvider:
    provider_id: int
    name: str
    business_id: str
    approval_status: str
    is_main_user: bool
    active_vouchers: int
    facts_confirmed_at: datetime | None


def my_providers(engine: Engine, actor: Actor) -> list[StaffProvider]:
    """The providers whose staff the actor is, by name, with their count of active vouchers."""
    with read_session(engine) as session:
        rows = session.exec(
            select(Provider, ProviderStaff.is_main_user)
            .join(ProviderStaff, ProviderStaff.provider_id == Provider.id)
            .where(ProviderStaff.person_id == actor.person_id)
            .order_by(Provider.name)
        ).all()
        ids = [p.id for p, _ in rows]
        counts = dict(session.exec(
            select(Voucher.provider_id, func.count(Voucher.id))
            .where(Voucher.provider_id.in_(ids or [0]), Voucher.ended_at.is_(None))
            .group_by(Voucher.provider_id)
        ).all())
        return [StaffProvider(p.id, p.name, p.business_id, p.approval_status, bool(main),
                              int(counts.get(p.id, 0)), p.facts_confirmed_at)
                for p, main in rows]


class ProviderDenied(AccessDenied):
    """A refusal on the provider side; the audit entry names the provider asked for."""

    def __init__(self, reason: str, actor_person_id: int | None, provider_id: object):
        super().__init__(reason, actor_person_id)
        self.provider_id = provider_id

    def audit_entry(self):
        entry = super().audit_entry()
        if entry is None:
            return None
        actor, client, details = entry
        return actor, client, {**details, "provider_id": self.provider_id}


def staff_provider(session, actor: Actor, provider_id: int | None,
                   main_user: bool = False) -> Provider:
    """The provider, when the actor is (a main user of) its staff; else ProviderDenied.

    An id out of range or of no provider is refused like another provider's id, so that the
    answer says nothing about which providers exist."""
    if provider_id is None or not 0 < provider_id <= MAX_ID:
        raise ProviderDenied("not_provider_staff", actor.person_id, provider_id)
    row = session.get(ProviderStaff, (provider_id, actor.person_id))
    if row is None:
        raise ProviderDenied("not_provider_staff", actor.person_id, provider_id)
    if main_user and not row.is_main_user:
        raise ProviderDenied("not_main_user", actor.person_id, provider_id)
    provider = session.get(Provider, provider_id)
    if provider is None:  # pragma: no cover - a staff row always has its provider (FK)
        raise ProviderDenied("not_provider_staff", actor.person_id, provider_id)
    return provider


def require_provider_staff(engine: Engine, actor: Actor, provider_id: int | None) -> None:
    """Refuse (audited) a person who is not this provider's staff."""
    with read_session(engine) as session:
        staff_provider(session, actor, provider_id)


@dataclass(frozen=True)
class VoucherRow:
    code: str
    client_name: str
    service_code: str
    service_names: ServiceNames
    unit: str
    issued_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class ProviderVouchers:
    provider_id: int
    provider_name: str
    active: list[VoucherRow]
    ended: list[VoucherRow]  # ended within ENDED_SHOWN_DAYS, newest first


def provider_vouchers(engine: Engine, actor: Actor, provider_id: int | None,
                      now: datetime | None = None) -> ProviderVouchers:
    """The provider's active vouchers (by client name) and those ended in the last 60 days."""
    now = now or utcnow()
    since = now - timedelta(days=ENDED_SHOWN_DAYS)
    with write_session(engine) as session:
        provider = staff_provider(session, actor, provider_id)
        rows = session.exec(
            select(Voucher, Client.first_name, Client.last_name, ServiceType)
            .join(Client, Client.id == Voucher.client_id)
            .join(ServiceType, ServiceType.id == Voucher.service_type_id)
            .where(Voucher.provider_id == provider.id,
                   or_(Voucher.ended_at.is_(None), Voucher.ended_at >= since))
            .order_by(Client.last_name, Client.first_name, ServiceType.sort_order)
        ).all()
        active, ended = [], []
        for voucher, first, last, service in rows:
            row = VoucherRow(voucher.code, f"{first} {last}", service.code,
                             ServiceNames(service.name_fi, service.name_sv, service.name_en),
                             service.unit, voucher.issued_at, voucher.ended_at)
            (active if voucher.ended_at is None else ended).append(row)
        for client_id in sorted({voucher.client_id for voucher, *_ in rows}):
            audit.record(session, actor.person_id, "provider_view_vouchers", client_id,
                         provider_id=provider.id)
        ended.sort(key=lambda r: r.ended_at, reverse=True)
        return ProviderVouchers(provider.id, provider.name, active, ended)
