"""Providers for clients (compare, view, choose), case workers (feedback) and administrators.

Only approved providers are offered to a client: every listing and choice here filters on
`approval_status = approved`, so a page cannot offer a pending or suspended provider by mistake.
The one exception (issue 18): a suspended provider's page stays open to the clients who still
have it as their chosen provider, with the suspension notice and its contact details.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.engine import Engine
from sqlmodel import Session, or_, select

from hbapp.db import lock_row, read_session, write_session
from hbapp.domain.calculator import budget_buys
from hbapp.domain.inputs import MAX_ID
from hbapp.domain.nps import NpsSummary, nps_summary
from hbapp.domain.pricing import self_pay_per_unit
from hbapp.domain.timebands import TimeBand
from hbapp.domain.units import Unit
from hbapp.models import (
    ApprovalStatus,
    CaseWorkerAssignment,
    Client,
    Feedback,
    Intake,
    Mandate,
    MandateStatus,
    Municipality,
    Organizer,
    Person,
    Provider,
    ProviderChoice,
    ProviderMunicipality,
    ServiceType,
    Voucher,
    utcnow,
)
from hbapp.services import audit
from hbapp.services.access import AccessDenied, Actor, require_client_access, worker_serves
from hbapp.services.budget import ServiceNames, load_month
from hbapp.services.catalog import BASE_BAND, unit_values_on
from hbapp.services.messages import notify
from hbapp.services.prices import price_on, priced_provider_ids, prices_on
from hbapp.services.vouchers import end_vouchers, issue_voucher

APPROVED = ApprovalStatus.APPROVED.value
SUSPENDED = ApprovalStatus.SUSPENDED.value
BAND_ORDER = [band.value for band in TimeBand]
SORTS = ("price", "nps", "name")
# Trips are priced per visit; their kilometres over the free part are paid from the budget.
KM_COMPENSATED_UNITS = {Unit.VISIT.value}
RECENT_COMMENTS = 5


class ProviderNotFound(LookupError):
    """No approved provider with this id (pending and suspended ones do not exist for clients)."""


class ChoiceError(ValueError):
    """The provider cannot be chosen for this service. `code` is a stable reason; for
    `not_taking_clients` and `waiting_list` the provider's name and expected wait come along
    so the page can say so plainly."""

    def __init__(self, code: str, provider_name: str = "", wait_weeks: int | None = None):
        super().__init__(code)
        self.code = code
        self.provider_name = provider_name
        self.wait_weeks = wait_weeks


# --------------------------------------------------------------------------- shared reads


@dataclass(frozen=True)
class ServiceOption:
    code: str
    names: ServiceNames
    unit: str
    on_budget: bool
    chosen_provider_id: int | None


@dataclass(frozen=True)
class KmRule:
    rate_cents: int
    free_km: int
    max_km: int


@dataclass(frozen=True)
class Filters:
    municipality: str = ""  # "" = every municipality
    language: str = ""  # "" = any language
    takes_new_clients: bool = False
    evening_service: bool = False
    weekend_service: bool = False
    sort: str = "price"


@dataclass(frozen=True)
class Offer:
    provider_id: int
    name: str
    city: str
    languages: tuple[str, ...]
    takes_new_clients: bool
    evening_service: bool
    weekend_service: bool
    price_cents: int  # the weekday daytime price per unit
    unit: str
    unit_value_cents: int
    self_pay_per_unit_cents: int
    remaining_cents: int | None  # None: the service is not on the client's budget
    buys_units: Decimal | None
    nps: NpsSummary
    chosen: bool
    intake: str = "yes"
    expected_wait_weeks: int | None = None
    facts_confirmed_at: datetime | None = None  # when its staff last confirmed these facts
    bands: tuple["BandPrice", ...] = ()  # every time band's price and this person's self-pay


@dataclass(frozen=True)
class ProviderList:
    client_municipality: str
    municipalities: list[tuple[str, str, str]]  # (code, name_fi, name_sv)
    services: list[ServiceOption]
    service_code: str
    offers: list[Offer]
    km_rule: KmRule | None  # set when the chosen service has kilometre compensation


def _client(session: Session, client_id: int) -> Client:
    client = session.get(Client, client_id)
    if client is None:
        raise AccessDenied("no_client")
    return client


def _active_choices(session: Session, client_id: int) -> dict[int, int]:
    """service_type_id -> provider_id of the client's current choices."""
    return dict(
        session.exec(
            select(ProviderChoice.service_type_id, ProviderChoice.provider_id).where(
                ProviderChoice.client_id == client_id, ProviderChoice.ended_at.is_(None)
            )
        ).all()
    )


def nps_by_provider(session: Session, provider_ids: list[int]) -> dict[int, NpsSummary]:
    """NPS of each provider's current answers (answers replaced by a later one are left out)."""
    scores: dict[int, list[int]] = defaultdict(list)
    if provider_ids:
        for provider_id, score in session.exec(
            select(Feedback.provider_id, Feedback.score).where(
                Feedback.provider_id.in_(provider_ids), Feedback.replaced_at.is_(None)
            )
        ).all():
            scores[provider_id].append(score)
    return {pid: nps_summary(scores.get(pid, [])) for pid in provider_ids}


def takes_new_clients(provider: Provider) -> bool:
    """A provider is open to new clients only when both its yes/no and its intake say so."""
    return provider.takes_new_clients and provider.intake == Intake.YES.value


def _intake(provider: Provider) -> str:
    """yes, waiting_list or no (a "yes" intake of a provider marked full is a no)."""
    if takes_new_clients(provider):
        return Intake.YES.value
    return Intake.WAITING_LIST.value if provider.intake == Intake.WAITING_LIST.value \
        else Intake.NO.value


def _band_values(session: Session, service: ServiceType, line_value: int | None) -> dict[str, int]:
    """The unit value per time band for this person: the catalog's band values for a banded
    service, else the budget line's one value (or the catalog's) for every band."""
    values = _unit_values(session, service)
    if line_value is not None and not service.time_banded:
        values = dict.fromkeys(BAND_ORDER, line_value)
    return values


def _current_band_prices(session: Session, provider_ids: list[int], service_id: int,
                         today: date) -> dict[int, dict[str, int]]:
    """provider id -> band -> the price in force today (`services.prices`)."""
    prices: dict[int, dict[str, int]] = defaultdict(dict)
    for (provider_id, _, band), cents in prices_on(session, provider_ids, today,
                                                    service_type_ids=[service_id]).items():
        prices[provider_id][band] = cents
    return prices


def _bands(service: ServiceType, prices: dict[str, int],
           values: dict[str, int]) -> tuple["BandPrice", ...]:
    return tuple(
        BandPrice(band, prices[band], values[band],
                  self_pay_per_unit(prices[band], values[band], service.self_pay_applies))
        for band in BAND_ORDER if band in prices
    )


def _unit_values(session: Session, service: ServiceType) -> dict[str, int]:
    # The catalog's values in force today (they change every January).
    current = unit_values_on(session, service, date.today())
    return {band: current.get(band, current[BASE_BAND]) for band in BAND_ORDER}


def _remaining_by_service(session: Session, client: Client, today: date):
    """service code -> (remaining cents this month, the line's unit value)."""
    month = load_month(session, client, today, today)
    if month is None:
        return {}
    return {
        month.lines[balance.line_id].service_code: (
            balance.remaining_cents, month.lines[balance.line_id].unit_value_cents,
        )
        for balance in month.statement.lines
    }


# --------------------------------------------------------------------------- the client's list


def list_providers(
    engine: Engine, actor: Actor, client_id: int, service_code: str | None, filters: Filters,
    today: date,
) -> ProviderList:
    """Approved providers of one service, filtered and sorted, with what the budget buys there."""
    if filters.sort not in SORTS:
        raise ValueError(f"unknown sort {filters.sort!r}")
    with write_session(engine) as session:
        require_client_access(session, actor, client_id, "view", today)
        client = _client(session, client_id)
        remaining = _remaining_by_service(session, client, today)
        choices = _active_choices(session, client_id)
        services = session.exec(
            select(ServiceType).where(ServiceType.organizer_id == client.organizer_id)
            .order_by(ServiceType.sort_order, ServiceType.code)
        ).all()
        options = [
            ServiceOption(s.code, ServiceNames(s.name_fi, s.name_sv, s.name_en), s.unit,
                          s.code in remaining, choices.get(s.id))
            for s in services
        ]
        by_code = {s.code: s for s in services}
        if service_code not in by_code:
            on_budget = [o.code for o in options if o.on_budget]
            service_code = on_budget[0] if on_budget else (options[0].code if options else "")
        municipalities = [
            (m.code, m.name_fi, m.name_sv)
            for m in session.exec(
                select(Municipality).where(Municipality.organizer_id == client.organizer_id)
                .order_by(Municipality.name_fi)
            ).all()
        ]
        offers: list[Offer] = []
        km_rule = None
        service = by_code.get(service_code)
        if service is not None:
            offers = _offers(session, client, service, filters, remaining, choices, today)
            if service.unit in KM_COMPENSATED_UNITS:
                organizer = session.get(Organizer, client.organizer_id)
                km_rule = KmRule(organizer.km_rate_cents, organizer.km_free_km,
                                 organizer.km_max_km)
        audit.record(session, actor.person_id, "view_providers", client_id,
                     service=service_code, municipality=filters.municipality)
        return ProviderList(client.municipality_code, municipalities, options, service_code,
                            offers, km_rule)


def _offers(session, client, service, filters, remaining, choices, today) -> list[Offer]:
    base = TimeBand.WEEKDAY_DAY.value
    priced = priced_provider_ids(session, service.id, base, today)
    query = select(Provider).where(Provider.approval_status == APPROVED,
                                   Provider.id.in_(priced or {0}))
    if filters.municipality:
        query = query.join(
            ProviderMunicipality, ProviderMunicipality.provider_id == Provider.id
        ).where(ProviderMunicipality.municipality_code == filters.municipality)
    if filters.takes_new_clients:
        query = query.where(Provider.takes_new_clients.is_(True),
                            Provider.intake == Intake.YES.value)
    if filters.evening_service:
        query = query.where(Provider.evening_service.is_(True))
    if filters.weekend_service:
        query = query.where(Provider.weekend_service.is_(True))
    providers = session.exec(query).all()
    price_of = prices_on(session, [p.id for p in providers], today,
                         service_type_ids=[service.id], band=base)
    rows = [(p, price_of[(p.id, service.id, base)]) for p in providers
            if (p.id, service.id, base) in price_of]
    if filters.language:
        rows = [(p, c) for p, c in rows if filters.language in p.languages.split(",")]
    nps = nps_by_provider(session, [p.id for p, _ in rows])
    left, line_value = remaining.get(service.code, (None, None))
    unit_value = line_value if line_value is not None else _unit_values(session, service)[
        TimeBand.WEEKDAY_DAY.value]
    band_values = _band_values(session, service, line_value)
    band_prices = _current_band_prices(session, [p.id for p, _ in rows], service.id, today)
    offers = []
    for provider, price in rows:
        price = band_prices[provider.id].get(TimeBand.WEEKDAY_DAY.value, price)
        offers.append(Offer(
            provider_id=provider.id, name=provider.name, city=provider.city,
            languages=tuple(provider.languages.split(",")),
            takes_new_clients=provider.takes_new_clients,
            evening_service=provider.evening_service, weekend_service=provider.weekend_service,
            price_cents=price, unit=service.unit, unit_value_cents=unit_value,
            self_pay_per_unit_cents=self_pay_per_unit(price, unit_value, service.self_pay_applies),
            remaining_cents=left,
            buys_units=(budget_buys(left, price, unit_value, service.self_pay_applies,
                                    service.unit) if left is not None and price > 0 else None),
            nps=nps[provider.id],
            chosen=choices.get(service.id) == provider.id,
            bands=_bands(service, band_prices[provider.id], band_values),
            intake=_intake(provider), expected_wait_weeks=provider.expected_wait_weeks,
            facts_confirmed_at=provider.facts_confirmed_at,
        ))
    return sort_offers(offers, filters.sort)


def sort_offers(offers: list[Offer], sort: str) -> list[Offer]:
    if sort == "name":
        return sorted(offers, key=lambda o: o.name.casefold())
    if sort == "nps":
        # Providers with too few answers for an NPS go last, then by name.
        return sorted(offers, key=lambda o: (
            o.nps.nps is None or o.nps.n < 5, -(o.nps.nps or 0), o.name.casefold()))
    return sorted(offers, key=lambda o: (o.price_cents, o.name.casefold()))


# --------------------------------------------------------------------------- one provider


@dataclass(frozen=True)
class BandPrice:
    band: str
    price_cents: int
    unit_value_cents: int
    self_pay_cents: int


@dataclass(frozen=True)
class ServicePrices:
    code: str
    names: ServiceNames
    unit: str
    bands: list[BandPrice]
    chosen: bool  # the client's current provider for this service


@dataclass(frozen=True)
class Comment:
    text: str
    created_at: datetime


@dataclass(frozen=True)
class ProviderDetail:
    provider_id: int
    name: str
    descriptions: dict[str, str]
    languages: tuple[str, ...]
    takes_new_clients: bool
    evening_service: bool
    weekend_service: bool
    phone: str
    email: str
    street_address: str
    postal_code: str
    city: str
    opening_hours: str
    municipalities: list[tuple[str, str, str]]
    services: list[ServicePrices]
    nps: NpsSummary
    comments: list[Comment] = field(default_factory=list)
    intake: str = "yes"  # yes / waiting_list / no
    expected_wait_weeks: int | None = None
    facts_confirmed_at: datetime | None = None
    suspended_at: datetime | None = None  # set for a suspended provider (its clients only)
    suspended_reason: str = ""


def provider_detail(
    engine: Engine, actor: Actor, client_id: int, provider_id: int, today: date
) -> ProviderDetail:
    """An approved provider's page for a client, or a suspended one's for a client who still
    has it as a chosen provider; ProviderNotFound for any other provider."""
    with write_session(engine) as session:
        require_client_access(session, actor, client_id, "view", today)
        client = _client(session, client_id)
        provider = session.get(Provider, provider_id) if 0 < provider_id <= MAX_ID else None
        choices = _active_choices(session, client_id)
        suspended = provider is not None and provider.approval_status == SUSPENDED
        if provider is None or not (provider.approval_status == APPROVED or (
                suspended and provider_id in choices.values())):
            raise ProviderNotFound(provider_id)
        lines = _remaining_by_service(session, client, today)
        priced = {service_type_id for (_, service_type_id, _) in
                  prices_on(session, [provider_id], today)}
        services = []
        for service in session.exec(
            select(ServiceType).where(ServiceType.id.in_(list(priced)))
            .order_by(ServiceType.sort_order, ServiceType.code)
        ).all():
            values = _band_values(session, service,
                                  lines[service.code][1] if service.code in lines else None)
            bands = list(_bands(service, _current_band_prices(
                session, [provider_id], service.id, today)[provider_id], values))
            services.append(ServicePrices(
                service.code, ServiceNames(service.name_fi, service.name_sv, service.name_en),
                service.unit, bands, choices.get(service.id) == provider.id,
            ))
        municipalities = [
            (m.code, m.name_fi, m.name_sv)
            for m in session.exec(
                select(Municipality).join(
                    ProviderMunicipality,
                    ProviderMunicipality.municipality_code == Municipality.code,
                ).where(ProviderMunicipality.provider_id == provider_id)
                .order_by(Municipality.name_fi)
            ).all()
        ]
        comments = [
            Comment(text, created)
            for text, created in session.exec(
                select(Feedback.comment, Feedback.created_at).where(
                    Feedback.provider_id == provider_id, Feedback.replaced_at.is_(None),
                    Feedback.comment != "",
                ).order_by(Feedback.created_at.desc()).limit(RECENT_COMMENTS)
            ).all()
        ]
        audit.record(session, actor.person_id, "view_provider", client_id,
                     provider_id=provider_id)
        return ProviderDetail(
            provider_id=provider.id, name=provider.name,
            descriptions={"fi": provider.description_fi, "sv": provider.description_sv,
                          "en": provider.description_en},
            languages=tuple(provider.languages.split(",")),
            takes_new_clients=takes_new_clients(provider),
            evening_service=provider.evening_service, weekend_service=provider.weekend_service,
            phone=provider.phone, email=provider.email, street_address=provider.street_address,
            postal_code=provider.postal_code, city=provider.city,
            opening_hours=provider.opening_hours, municipalities=municipalities,
            services=services, nps=nps_by_provider(session, [provider_id])[provider_id],
            comments=comments,
            suspended_at=(provider.suspended_at or provider.created_at) if suspended else None,
            suspended_reason=provider.suspended_reason if suspended else "",
            intake=_intake(provider), expected_wait_weeks=provider.expected_wait_weeks,
            facts_confirmed_at=provider.facts_confirmed_at,
        )


# --------------------------------------------------------------------------- choosing


@dataclass(frozen=True)
class ChoicePreview:
    provider_id: int
    provider_name: str
    service_code: str
    service_names: ServiceNames
    unit: str
    price_cents: int
    self_pay_per_unit_cents: int
    current_provider: str | None  # the choice this one replaces
    already_chosen: bool
    voucher_code: str | None = None  # when already chosen: the voucher of that choice
    bands: tuple[BandPrice, ...] = ()  # every band's price and the self-pay for this person


def _choice_target(session: Session, client: Client, provider_id: int, service_code: str,
                   today: date):
    provider = session.get(Provider, provider_id) if 0 < provider_id <= MAX_ID else None
    if provider is None or provider.approval_status != APPROVED:
        raise ProviderNotFound(provider_id)
    service = session.exec(
        select(ServiceType).where(ServiceType.organizer_id == client.organizer_id,
                                  ServiceType.code == service_code)
    ).first()
    if service is None:
        raise ChoiceError("unknown_service")
    if not takes_new_clients(provider) and \
            _active_choices(session, client.id).get(service.id) != provider.id:
        # A waiting list or a full provider: refused with its own reason (issue 18).
        raise ChoiceError("waiting_list" if _intake(provider) == Intake.WAITING_LIST.value
                          else "not_taking_clients", provider.name,
                          provider.expected_wait_weeks)
    price = price_on(session, provider_id, service.id, TimeBand.WEEKDAY_DAY.value, today)
    if price is None:
        raise ChoiceError("service_not_offered")
    return provider, service, price


def choice_preview(
    engine: Engine, actor: Actor, client_id: int, provider_id: int, service_code: str, today: date
) -> ChoicePreview:
    """What the check-answers step shows; refuses as the choice itself would."""
    with read_session(engine) as session:
        require_client_access(session, actor, client_id, "manage", today)
        client = _client(session, client_id)
        provider, service, price = _choice_target(session, client, provider_id, service_code, today)
        current_id = _active_choices(session, client_id).get(service.id)
        current = session.get(Provider, current_id) if current_id else None
        lines = _remaining_by_service(session, client, today)
        line_value = lines[service.code][1] if service.code in lines else None
        unit_value = (line_value if line_value is not None
                      else _unit_values(session, service)[TimeBand.WEEKDAY_DAY.value])
        voucher = session.exec(
            select(Voucher.code).join(ProviderChoice, ProviderChoice.id == Voucher.choice_id)
            .where(ProviderChoice.client_id == client_id,
                   ProviderChoice.service_type_id == service.id,
                   ProviderChoice.provider_id == provider.id,
                   ProviderChoice.ended_at.is_(None))).first()
        bands = _bands(service, _current_band_prices(session, [provider.id], service.id,
                                                     today)[provider.id],
                       _band_values(session, service, line_value))
        return ChoicePreview(
            provider.id, provider.name, service.code,
            ServiceNames(service.name_fi, service.name_sv, service.name_en), service.unit, price,
            self_pay_per_unit(price, unit_value, service.self_pay_applies),
            current.name if current else None, current_id == provider.id, voucher, bands,
        )


def choose_provider(
    engine: Engine, actor: Actor, client_id: int, provider_id: int, service_code: str, today: date
) -> int:
    """Make `provider_id` the client's provider of a service; ends the earlier choice.

    Returns the new ProviderChoice id (or the current one when it is already chosen).
    """
    with write_session(engine) as session:
        require_client_access(session, actor, client_id, "manage", today)
        # One choice at a time per client: a second tab's confirm waits here and then finds
        # the first one's choice (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises).
        lock_row(session, Client, client_id)
        client = _client(session, client_id)
        provider, service, _ = _choice_target(session, client, provider_id, service_code, today)
        current = session.exec(
            select(ProviderChoice).where(
                ProviderChoice.client_id == client_id,
                ProviderChoice.service_type_id == service.id,
                ProviderChoice.ended_at.is_(None),
            ).with_for_update()
        ).all()
        for choice in current:
            if choice.provider_id == provider.id:
                return choice.id
        now = utcnow()
        for choice in current:
            choice.ended_at = now
            session.add(choice)
        end_vouchers(session, [c.id for c in current], now)
        new = ProviderChoice(client_id=client_id, service_type_id=service.id,
                             provider_id=provider.id, chosen_by_person_id=actor.person_id,
                             chosen_at=now)
        session.add(new)
        session.flush()
        voucher = issue_voucher(session, new)
        audit.record(session, actor.person_id, "choose_provider", client_id,
                     provider_id=provider.id, service=service.code, voucher=voucher.code,
                     previous_provider_ids=[c.provider_id for c in current])
        return new.id


# --------------------------------------------------------------------------- case workers


@dataclass(frozen=True)
class FlagView:
    feedback_id: int
    client_id: int
    client_name: str
    flag: str
    score: int
    comment: str
    created_at: datetime
    proxy_reported: bool
    contacted_at: datetime | None = None
    contacted_by: str = ""


@dataclass(frozen=True)
class WorkerProviderRow:
    provider_id: int
    name: str
    approval_status: str
    nps: NpsSummary
    flags: list[FlagView]  # open flags only: a resolved flag no longer counts anywhere
    comments: list[Comment]
    phone: str = ""
    email: str = ""


def worker_overview(engine: Engine, actor: Actor, today: date) -> list[WorkerProviderRow]:
    """NPS of every provider; flags and comments only from the worker's consenting clients."""
    with write_session(engine) as session:
        if not actor.is_worker:
            raise AccessDenied("not_a_worker", actor.person_id)
        assigned = session.exec(
            select(CaseWorkerAssignment.client_id).where(
                CaseWorkerAssignment.worker_person_id == actor.person_id)
        ).all()
        clients = {
            c.id: c for c in session.exec(select(Client).where(Client.id.in_(set(assigned)))).all()
            if worker_serves(session, actor.person_id, c.id, today) == "ok"
        }
        providers = session.exec(select(Provider).order_by(Provider.name)).all()
        nps = nps_by_provider(session, [p.id for p in providers])
        flags: dict[int, list[FlagView]] = defaultdict(list)
        comments: dict[int, list[Comment]] = defaultdict(list)
        shown: set[int] = set()
        if clients:
            for fb in session.exec(
                select(Feedback).where(Feedback.client_id.in_(list(clients)),
                                       Feedback.replaced_at.is_(None))
                .order_by(Feedback.created_at.desc())
            ).all():
                if fb.flag and fb.flag_handled_at is None:
                    contacted_by = ""
                    if fb.flag_contacted_by_person_id is not None:
                        person = session.get(Person, fb.flag_contacted_by_person_id)
                        contacted_by = person.display_name if person else ""
                    flags[fb.provider_id].append(FlagView(
                        fb.id, fb.client_id, clients[fb.client_id].full_name, fb.flag, fb.score,
                        fb.comment, fb.created_at, fb.proxy_reported, fb.flag_contacted_at,
                        contacted_by,
                    ))
                    shown.add(fb.client_id)
                elif fb.flag:
                    continue  # resolved: neither an open problem nor a comment any more
                elif fb.comment and len(comments[fb.provider_id]) < RECENT_COMMENTS:
                    comments[fb.provider_id].append(Comment(fb.comment, fb.created_at))
                    shown.add(fb.client_id)
        for client_id in sorted(shown):
            audit.record(session, actor.person_id, "worker_view_provider_feedback", client_id)
        return [
            WorkerProviderRow(p.id, p.name, p.approval_status, nps[p.id], flags.get(p.id, []),
                              comments.get(p.id, []), p.phone, p.email)
            for p in providers
        ]


class FlagError(Exception):
    """A flag cannot be handled as asked; `code` is stable: not_found, handled, note_missing,
    note_too_long."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


FLAG_NOTE_MAX = 1000


def _open_flag_for_worker(session: Session, actor: Actor, feedback_id: int,
                          today: date) -> Feedback:
    """The flag, locked, when this worker serves its client (assigned and consent)."""
    if not actor.is_worker:
        raise AccessDenied("not_a_worker", actor.person_id)
    fb = lock_row(session, Feedback, feedback_id) if 0 < feedback_id <= MAX_ID else None
    if fb is None or not fb.flag or fb.replaced_at is not None:
        raise FlagError("not_found")
    serves = worker_serves(session, actor.person_id, fb.client_id, today)
    if serves != "ok":
        raise AccessDenied(serves, actor.person_id, fb.client_id)
    if fb.flag_handled_at is not None:
        raise FlagError("handled")
    return fb


def resolve_flag(engine: Engine, actor: Actor, feedback_id: int, note: str, today: date,
                 now: datetime | None = None) -> None:
    """Mark a client's flagged problem with a provider as resolved, with a note saying how.
    Once resolved it leaves the open problems on /worker/providers and the caseload alert."""
    note = (note or "").strip()
    if not note:
        raise FlagError("note_missing")
    if len(note) > FLAG_NOTE_MAX:
        raise FlagError("note_too_long")
    with write_session(engine) as session:
        fb = _open_flag_for_worker(session, actor, feedback_id, today)
        fb.flag_handled_at = now or utcnow()
        fb.flag_handled_by_person_id = actor.person_id
        fb.flag_handled_note = note
        session.add(fb)
        audit.record(session, actor.person_id, "provider_flag_resolved", fb.client_id,
                     feedback_id=fb.id, provider_id=fb.provider_id, flag=fb.flag)


def record_flag_contact(engine: Engine, actor: Actor, feedback_id: int, today: date,
                        now: datetime | None = None) -> None:
    """Record that the worker contacted the provider about an open flag (it stays open)."""
    with write_session(engine) as session:
        fb = _open_flag_for_worker(session, actor, feedback_id, today)
        fb.flag_contacted_at = now or utcnow()
        fb.flag_contacted_by_person_id = actor.person_id
        session.add(fb)
        audit.record(session, actor.person_id, "provider_flag_contacted", fb.client_id,
                     feedback_id=fb.id, provider_id=fb.provider_id, flag=fb.flag)


# --------------------------------------------------------------------------- administrators


@dataclass(frozen=True)
class AdminProviderRow:
    provider_id: int
    name: str
    business_id: str
    city: str
    approval_status: str


def _require_admin(actor: Actor) -> None:
    """Inside a session, so that the refusal is audited (see hbapp.db)."""
    if not actor.is_admin:
        raise AccessDenied("not_an_admin", actor.person_id)


def admin_providers(engine: Engine, actor: Actor) -> list[AdminProviderRow]:
    with read_session(engine) as session:
        _require_admin(actor)
        return [
            AdminProviderRow(p.id, p.name, p.business_id, p.city, p.approval_status)
            for p in session.exec(select(Provider).order_by(Provider.name)).all()
        ]


@dataclass(frozen=True)
class AffectedClient:
    client_id: int
    name: str
    services: tuple[ServiceNames, ...]  # the services the client has chosen this provider for
    agent_person_ids: tuple[int, ...]  # people with a mandate in force for the client
    worker_person_ids: tuple[int, ...]  # the client's case workers (assigned today)
    person_id: int | None  # the client's own account, when they have one


@dataclass(frozen=True)
class SuspensionPreview:
    provider_id: int
    name: str
    approval_status: str
    affected: tuple[AffectedClient, ...]


SUSPEND_REASON_MAX = 1000


class SuspendError(Exception):
    """A suspension that cannot be made; `code`: reason_missing, reason_too_long,
    not_approved."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _affected_clients(session: Session, provider_id: int, today: date) -> list[AffectedClient]:
    """The clients with an active choice of this provider, with whom to notify."""
    rows = session.exec(
        select(ProviderChoice, Client, ServiceType)
        .join(Client, Client.id == ProviderChoice.client_id)
        .join(ServiceType, ServiceType.id == ProviderChoice.service_type_id)
        .where(ProviderChoice.provider_id == provider_id, ProviderChoice.ended_at.is_(None))
        .order_by(Client.last_name, Client.first_name, ServiceType.sort_order)
    ).all()
    by_client: dict[int, tuple[Client, list[ServiceNames]]] = {}
    for _, client, service in rows:
        by_client.setdefault(client.id, (client, []))[1].append(
            ServiceNames(service.name_fi, service.name_sv, service.name_en))
    if not by_client:
        return []
    ids = list(by_client)
    agents: dict[int, set[int]] = defaultdict(set)
    for client_id, agent_id in session.exec(
        select(Mandate.client_id, Mandate.agent_person_id).where(
            Mandate.client_id.in_(ids), Mandate.status == MandateStatus.ACTIVE.value,
            Mandate.valid_from <= today,
            or_(Mandate.valid_to.is_(None), Mandate.valid_to >= today))
    ).all():
        agents[client_id].add(agent_id)
    workers: dict[int, set[int]] = defaultdict(set)
    for client_id, worker_id in session.exec(
        select(CaseWorkerAssignment.client_id, CaseWorkerAssignment.worker_person_id).where(
            CaseWorkerAssignment.client_id.in_(ids), CaseWorkerAssignment.starts_on <= today,
            or_(CaseWorkerAssignment.ends_on.is_(None), CaseWorkerAssignment.ends_on >= today))
    ).all():
        workers[client_id].add(worker_id)
    for client, _ in by_client.values():
        if client.own_worker_id:
            workers[client.id].add(client.own_worker_id)
    return [
        AffectedClient(client.id, client.full_name, tuple(services),
                       tuple(sorted(agents[client.id])), tuple(sorted(workers[client.id])),
                       client.person_id)
        for client, services in by_client.values()
    ]


def suspension_preview(engine: Engine, actor: Actor, provider_id: int,
                       today: date) -> SuspensionPreview:
    """What suspending would touch: the clients who have chosen the provider (shown to the
    administrator before they confirm)."""
    with read_session(engine) as session:
        _require_admin(actor)
        provider = session.get(Provider, provider_id) if 0 < provider_id <= MAX_ID else None
        if provider is None:
            raise ProviderNotFound(provider_id)
        return SuspensionPreview(provider.id, provider.name, provider.approval_status,
                                 tuple(_affected_clients(session, provider_id, today)))


def suspend_provider(engine: Engine, actor: Actor, provider_id: int, reason: str, today: date,
                     now: datetime | None = None) -> SuspensionPreview:
    """Suspend a provider with a reason (the administrative decision), in one transaction:
    audited with the affected clients, and a message to each affected client, their agents and
    their case workers. The choices stay: the clients keep the provider's contact details and
    may give feedback; nobody new is offered it. Returns who was affected."""
    reason = (reason or "").strip()
    if not reason:
        raise SuspendError("reason_missing")
    if len(reason) > SUSPEND_REASON_MAX:
        raise SuspendError("reason_too_long")
    with write_session(engine) as session:
        _require_admin(actor)
        provider = lock_row(session, Provider, provider_id) if 0 < provider_id <= MAX_ID else None
        if provider is None:
            raise ProviderNotFound(provider_id)
        if provider.approval_status != APPROVED:
            raise SuspendError("not_approved")  # already suspended (a double submit) or pending
        previous = provider.approval_status
        when = now or utcnow()
        provider.approval_status = SUSPENDED
        provider.suspended_at = when
        provider.suspended_reason = reason
        provider.suspended_by_person_id = actor.person_id
        session.add(provider)
        affected = _affected_clients(session, provider_id, today)
        audit.record(session, actor.person_id, "provider_approval", None,
                     provider_id=provider_id, status=SUSPENDED, previous=previous,
                     reason=reason, affected_clients=[a.client_id for a in affected])
        link = f"/providers/{provider_id}"
        for client in affected:
            audit.record(session, actor.person_id, "provider_suspended_client_notified",
                         client.client_id, provider_id=provider_id)
            notify(session, [client.person_id, *client.agent_person_ids], "provider_suspended",
                   subject_client_id=client.client_id, link=link, provider=provider.name,
                   since_date=when.date(), reason=reason)
            notify(session, client.worker_person_ids, "provider_suspended_worker",
                   subject_client_id=client.client_id,
                   link=f"/worker/clients/{client.client_id}", provider=provider.name,
                   client=client.name, since_date=when.date(), reason=reason)
        return SuspensionPreview(provider.id, provider.name, provider.approval_status,
                                 tuple(affected))


def set_approval(engine: Engine, actor: Actor, provider_id: int, status: str) -> None:
    """Approve a provider (the administrative decision), audited. Suspending needs a reason
    and tells the affected people: `suspend_provider`."""
    if status != ApprovalStatus.APPROVED.value:
        raise ValueError(f"unknown status {status!r}")
    with write_session(engine) as session:
        _require_admin(actor)
        provider = lock_row(session, Provider, provider_id) if 0 < provider_id <= MAX_ID else None
        if provider is None:
            raise ProviderNotFound(provider_id)
        previous = provider.approval_status
        if previous == status:
            return  # already so (a double click): nothing to change or record
        provider.approval_status = status
        session.add(provider)
        audit.record(session, actor.person_id, "provider_approval", None,
                     provider_id=provider_id, status=status, previous=previous)
