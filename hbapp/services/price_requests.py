"""Price changes: a provider's staff ask, an administrator approves or rejects.

A request names a service, a time band, the new price and the day it applies from (today or
later). Approval adds the `ProviderPrice` row with `valid_from = effective_from` in the same
transaction, so from that day on `hbapp.services.prices.price_on` answers the new price and
earlier days keep the old one. A request whose day has passed while it waited cannot be
approved (that would change prices already used): the administrator rejects it and the
provider asks again. Everything is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from hbapp.db import lock_row, read_session, write_session
from hbapp.domain.inputs import MAX_ID
from hbapp.domain.money import MoneyFormatError, parse_euros
from hbapp.domain.timebands import TimeBand
from hbapp.models import (
    ApprovalStatus,
    Person,
    PriceChangeRequest,
    Provider,
    ProviderPrice,
    ServiceType,
    utcnow,
)
from hbapp.services import audit
from hbapp.services.access import AccessDenied, Actor
from hbapp.services.budget import ServiceNames
from hbapp.services.prices import prices_on
from hbapp.services.provider_home import staff_provider

PENDING = ApprovalStatus.PENDING.value
APPROVED = ApprovalStatus.APPROVED.value
REJECTED = "rejected"
MAX_PRICE_CENTS = 1_000_000  # 10 000 € per unit, as the provider import allows
MAX_NOTE = 1000
BAND_ORDER = [band.value for band in TimeBand]


class PriceRequestError(ValueError):
    """A request or decision that cannot be made; `code` is stable, `field` names the input."""

    def __init__(self, code: str, field: str = ""):
        super().__init__(code)
        self.code = code
        self.field = field


@dataclass(frozen=True)
class PriceRow:
    service_code: str
    names: ServiceNames
    unit: str
    band: str
    price_cents: int | None  # in force today; None: not offered in this band today
    upcoming: tuple[tuple[date, int], ...]  # approved later prices (valid_from, cents)


@dataclass(frozen=True)
class RequestRow:
    request_id: int
    provider_id: int
    provider_name: str
    service_code: str
    names: ServiceNames
    unit: str
    band: str
    price_cents: int
    current_cents: int | None  # the price in force when the request was listed
    effective_from: date
    status: str
    requested_at: datetime
    requested_by: str
    decided_at: datetime | None
    note: str


@dataclass(frozen=True)
class ProviderPrices:
    provider_id: int
    provider_name: str
    prices: list[PriceRow]
    requests: list[RequestRow]  # newest first


def _service_rows(session: Session, provider: Provider) -> list[ServiceType]:
    return list(session.exec(select(ServiceType).where(
        ServiceType.organizer_id == provider_organizer(session, provider))
        .order_by(ServiceType.sort_order, ServiceType.code)).all())


def provider_organizer(session: Session, provider: Provider) -> int | None:
    """Providers are not tied to one organizer in the model; the services are the catalog's of
    the organizer whose services the provider prices (the first one, as there is one)."""
    service_id = session.exec(select(ProviderPrice.service_type_id).where(
        ProviderPrice.provider_id == provider.id)).first()
    if service_id is not None:
        return session.get(ServiceType, service_id).organizer_id
    return session.exec(select(ServiceType.organizer_id)).first()


def _request_rows(session: Session, query, today: date) -> list[RequestRow]:
    rows = session.exec(
        query.join(Provider, Provider.id == PriceChangeRequest.provider_id)
        .join(ServiceType, ServiceType.id == PriceChangeRequest.service_type_id)
        .join(Person, Person.id == PriceChangeRequest.requested_by_person_id)
        .order_by(PriceChangeRequest.requested_at.desc(), PriceChangeRequest.id.desc())
    ).all()
    current = prices_on(session, {r.provider_id for r, *_ in rows}, today)
    return [
        RequestRow(r.id, provider.id, provider.name, service.code,
                   ServiceNames(service.name_fi, service.name_sv, service.name_en), service.unit,
                   r.band, r.price_cents, current.get((provider.id, service.id, r.band)),
                   r.effective_from, r.status, r.requested_at, person.display_name,
                   r.decided_at, r.note)
        for r, provider, service, person in rows
    ]


def _request_query():
    return select(PriceChangeRequest, Provider, ServiceType, Person)


def provider_prices(engine: Engine, actor: Actor, provider_id: int | None,
                    today: date) -> ProviderPrices:
    """The provider's prices today per service and band, later approved ones, and requests."""
    with read_session(engine) as session:
        provider = staff_provider(session, actor, provider_id)
        rows = session.exec(select(ProviderPrice).where(
            ProviderPrice.provider_id == provider.id)).all()
        now = prices_on(session, [provider.id], today)
        offered = {r.service_type_id for r in rows}
        prices = []
        for service in _service_rows(session, provider):
            if service.id not in offered:
                continue
            bands = sorted({r.band for r in rows if r.service_type_id == service.id},
                           key=BAND_ORDER.index)
            for band in bands:
                later = tuple(sorted((r.valid_from, r.price_cents) for r in rows
                                     if r.service_type_id == service.id and r.band == band
                                     and r.valid_from > today))
                prices.append(PriceRow(
                    service.code, ServiceNames(service.name_fi, service.name_sv, service.name_en),
                    service.unit, band, now.get((provider.id, service.id, band)), later))
        requests = _request_rows(
            session, _request_query().where(PriceChangeRequest.provider_id == provider.id), today)
        return ProviderPrices(provider.id, provider.name, prices, requests)


def request_options(engine: Engine, actor: Actor, provider_id: int | None
                    ) -> list[tuple[str, ServiceNames, str, tuple[str, ...]]]:
    """(code, names, unit, bands) of the services a provider may ask a price for: every
    service of the catalog, in every time band."""
    with read_session(engine) as session:
        provider = staff_provider(session, actor, provider_id)
        return [(s.code, ServiceNames(s.name_fi, s.name_sv, s.name_en), s.unit,
                 tuple(BAND_ORDER)) for s in _service_rows(session, provider)]


def request_price_change(engine: Engine, actor: Actor, provider_id: int | None,
                         service_code: str, band: str, price: str, effective_from: date | None,
                         today: date) -> int:
    """Record a staff member's price request (pending); returns its id."""
    errors = []
    try:
        cents = parse_euros(price or "")
    except MoneyFormatError:
        cents = None
        errors.append(("bad_price", "price"))
    if cents is not None and not 0 < cents <= MAX_PRICE_CENTS:
        errors.append(("price_out_of_range", "price"))
    if effective_from is None:
        errors.append(("bad_date", "effective_from"))
    elif effective_from < today:
        errors.append(("date_in_past", "effective_from"))
    with write_session(engine) as session:
        provider = staff_provider(session, actor, provider_id)
        service = session.exec(select(ServiceType).where(
            ServiceType.code == (service_code or ""),
            ServiceType.organizer_id == provider_organizer(session, provider))).first()
        if service is None:
            raise PriceRequestError("unknown_service", "service")
        # A provider may price any service by time band (evenings and weekends cost more).
        if band not in BAND_ORDER:
            raise PriceRequestError("bad_band", "band")
        if errors:
            raise PriceRequestError(*errors[0])
        request = PriceChangeRequest(
            provider_id=provider.id, service_type_id=service.id, band=band, price_cents=cents,
            effective_from=effective_from, requested_by_person_id=actor.person_id)
        session.add(request)
        session.flush()
        audit.record(session, actor.person_id, "price_change_requested", None,
                     provider_id=provider.id, request_id=request.id, service=service.code,
                     band=band, price_cents=cents, effective_from=effective_from)
        return request.id


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise AccessDenied("not_an_admin", actor.person_id)


def admin_price_requests(engine: Engine, actor: Actor, today: date,
                         decided_limit: int = 20) -> tuple[list[RequestRow], list[RequestRow]]:
    """(pending requests oldest first, the latest decided ones)."""
    with read_session(engine) as session:
        _require_admin(actor)
        pending = _request_rows(session, _request_query().where(
            PriceChangeRequest.status == PENDING), today)
        decided = _request_rows(session, _request_query().where(
            PriceChangeRequest.status != PENDING), today)
        decided.sort(key=lambda r: r.decided_at or r.requested_at, reverse=True)
        return list(reversed(pending)), decided[:decided_limit]


def decide_price_request(engine: Engine, actor: Actor, request_id: int | None, approve: bool,
                         note: str, today: date) -> None:
    """Approve (adding the dated price) or reject a pending request, with a note."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE or any(ord(ch) < 0x20 and ch not in "\n\t" for ch in note):
        raise PriceRequestError("bad_note", "note")
    if not approve and not note:
        raise PriceRequestError("note_needed", "note")
    with write_session(engine) as session:
        _require_admin(actor)
        request = lock_row(session, PriceChangeRequest, request_id) \
            if request_id is not None and 0 < request_id <= MAX_ID else None
        if request is None:
            raise PriceRequestError("not_found")
        if request.status != PENDING:
            raise PriceRequestError("already_decided")
        if approve:
            if request.effective_from < today:
                raise PriceRequestError("effective_date_passed")
            row = session.exec(select(ProviderPrice).where(
                ProviderPrice.provider_id == request.provider_id,
                ProviderPrice.service_type_id == request.service_type_id,
                ProviderPrice.band == request.band,
                ProviderPrice.valid_from == request.effective_from)).first()
            if row is None:
                row = ProviderPrice(provider_id=request.provider_id,
                                    service_type_id=request.service_type_id, band=request.band,
                                    valid_from=request.effective_from,
                                    price_cents=request.price_cents)
            row.price_cents = request.price_cents  # a later approval for the same day wins
            session.add(row)
        request.status = APPROVED if approve else REJECTED
        request.decided_by_person_id = actor.person_id
        request.decided_at = utcnow()
        request.note = note
        session.add(request)
        audit.record(session, actor.person_id,
                     "price_request_approved" if approve else "price_request_rejected", None,
                     provider_id=request.provider_id, request_id=request.id,
                     band=request.band, price_cents=request.price_cents,
                     effective_from=request.effective_from, note=note)
