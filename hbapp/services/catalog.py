"""The organizer's service catalog: service types and their unit values with effective dates.

A service's unit value (per time band for time-banded services) is a list of dated values; the
value in force on a day is the latest one from that day or before. Decision versions copy the
value in force on their first day (see `hbapp.services.decisions`); a decision may fix its own.
Only administrators of the organizer change the catalog; every change is audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from hbapp.db import read_session, write_session
from hbapp.domain.timebands import TimeBand
from hbapp.domain.units import Unit
from hbapp.models import Person, ServiceBandValue, ServiceType, ServiceUnitValue
from hbapp.services import audit
from hbapp.services.access import AccessDenied, Actor

BANDS = tuple(band.value for band in TimeBand)
BASE_BAND = TimeBand.WEEKDAY_DAY.value
MAX_CENTS = 100_000_000  # one million euros: anything above is a typing error
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


class CatalogError(ValueError):
    """A catalog change that cannot be made; `code` is stable, `field` names the input."""

    def __init__(self, code: str, field: str = ""):
        super().__init__(code)
        self.code = code
        self.field = field


@dataclass(frozen=True)
class DatedValue:
    band: str
    valid_from: date
    unit_value_cents: int


@dataclass(frozen=True)
class CatalogService:
    id: int
    code: str
    name_fi: str
    name_sv: str
    name_en: str
    unit: str
    time_banded: bool
    values_today: dict[str, int]  # band -> cents in force today
    history: tuple[DatedValue, ...]  # newest first

    def name(self, locale: str) -> str:
        return {"fi": self.name_fi, "sv": self.name_sv}.get(locale, self.name_en)


def is_service_code(code: str) -> bool:
    return bool(_CODE.fullmatch(code or ""))


def service_bands(service: ServiceType) -> tuple[str, ...]:
    return BANDS if service.time_banded else (BASE_BAND,)


def unit_values_on(session: Session, service: ServiceType, on: date) -> dict[str, int]:
    """The catalog's unit value of each band of `service` in force on `on` (cents).

    Falls back to the service type's undated values when no dated value starts on or before
    `on` (a catalog without history).
    """
    values = {band: service.unit_value_cents for band in service_bands(service)}
    if service.time_banded:
        for row in session.exec(select(ServiceBandValue).where(
                ServiceBandValue.service_type_id == service.id)).all():
            values[row.band] = row.unit_value_cents
    rows = session.exec(
        select(ServiceUnitValue)
        .where(ServiceUnitValue.service_type_id == service.id, ServiceUnitValue.valid_from <= on)
        .order_by(ServiceUnitValue.valid_from)
    ).all()
    for row in rows:  # later dates overwrite earlier ones
        if row.band in values:
            values[row.band] = row.unit_value_cents
    return values


def _require_admin(session: Session, actor: Actor) -> int:
    person = session.get(Person, actor.person_id)
    if person is None or not person.is_admin or person.organizer_id is None:
        raise AccessDenied("not_an_admin")
    return person.organizer_id


def catalog_for_organizer(session: Session, organizer_id: int, today: date) -> list[CatalogService]:
    services = session.exec(
        select(ServiceType).where(ServiceType.organizer_id == organizer_id)
        .order_by(ServiceType.sort_order, ServiceType.code)
    ).all()
    result = []
    for service in services:
        history = session.exec(
            select(ServiceUnitValue).where(ServiceUnitValue.service_type_id == service.id)
            .order_by(ServiceUnitValue.valid_from.desc(), ServiceUnitValue.band)
        ).all()
        result.append(CatalogService(
            service.id, service.code, service.name_fi, service.name_sv, service.name_en,
            service.unit, service.time_banded, unit_values_on(session, service, today),
            tuple(DatedValue(r.band, r.valid_from, r.unit_value_cents) for r in history),
        ))
    return result


def admin_catalog(engine: Engine, actor: Actor, today: date) -> list[CatalogService]:
    """The catalog of the administrator's organizer."""
    with read_session(engine) as session:
        organizer_id = _require_admin(session, actor)
        return catalog_for_organizer(session, organizer_id, today)


def _check_cents(cents: int, field: str) -> int:
    if not isinstance(cents, int) or isinstance(cents, bool) or not 0 < cents <= MAX_CENTS:
        raise CatalogError("bad_value", field)
    return cents


def _check_names(names: dict[str, str]) -> dict[str, str]:
    cleaned = {}
    for locale in ("fi", "sv", "en"):
        text = " ".join(str(names.get(locale, "")).split())
        if not text:
            raise CatalogError("name_missing", f"name_{locale}")
        if len(text) > 120:
            raise CatalogError("name_too_long", f"name_{locale}")
        cleaned[locale] = text
    return cleaned


def add_unit_values(engine: Engine, actor: Actor, service_id: int, valid_from: date,
                    values: dict[str, int], today: date) -> None:
    """New unit values of a service from `valid_from` on (one per band of a banded service).

    Decisions made or changed from that date take them; earlier versions keep theirs. A date in
    the past is refused: decisions already made from then on would silently disagree.
    """
    if valid_from < today:
        raise CatalogError("date_in_past", "valid_from")
    with write_session(engine) as session:
        organizer_id = _require_admin(session, actor)
        service = session.exec(select(ServiceType).where(ServiceType.id == service_id)
                               .with_for_update()).first()
        if service is None or service.organizer_id != organizer_id:
            raise AccessDenied("not_found")
        bands = service_bands(service)
        if set(values) != set(bands):
            raise CatalogError("bad_value", bands[0])
        for band in bands:
            _check_cents(values[band], band)
        for band in bands:
            row = session.exec(select(ServiceUnitValue).where(
                ServiceUnitValue.service_type_id == service.id, ServiceUnitValue.band == band,
                ServiceUnitValue.valid_from == valid_from)).first()
            if row is None:
                row = ServiceUnitValue(service_type_id=service.id, band=band,
                                       valid_from=valid_from, unit_value_cents=values[band],
                                       created_by_person_id=actor.person_id)
            row.unit_value_cents = values[band]
            session.add(row)
        audit.record(session, actor.person_id, "catalog_add_values", None,
                     service=service.code, valid_from=valid_from, values=values)


def add_service(engine: Engine, actor: Actor, code: str, names: dict[str, str], unit: str,
                time_banded: bool, valid_from: date, values: dict[str, int]) -> int:
    """A new service type with its first unit values (from `valid_from`)."""
    code = (code or "").strip().lower()
    if not _CODE.fullmatch(code):
        raise CatalogError("bad_code", "code")
    cleaned = _check_names(names)
    if unit not in {u.value for u in Unit}:
        raise CatalogError("bad_unit", "unit")
    bands = BANDS if time_banded else (BASE_BAND,)
    for band in bands:
        if band not in values:
            raise CatalogError("bad_value", band)
        _check_cents(values[band], band)
    try:
        with write_session(engine) as session:
            organizer_id = _require_admin(session, actor)
            if session.exec(select(ServiceType.id).where(
                    ServiceType.organizer_id == organizer_id, ServiceType.code == code)).first():
                raise CatalogError("code_taken", "code")
            last = session.exec(select(ServiceType.sort_order).where(
                ServiceType.organizer_id == organizer_id)
                .order_by(ServiceType.sort_order.desc())).first() or 0
            service = ServiceType(
                organizer_id=organizer_id, code=code, name_fi=cleaned["fi"],
                name_sv=cleaned["sv"], name_en=cleaned["en"], unit=unit,
                unit_value_cents=values[BASE_BAND], time_banded=time_banded,
                sort_order=last + 10,
            )
            session.add(service)
            session.flush()
            for band in bands:
                session.add(ServiceUnitValue(service_type_id=service.id, band=band,
                                             valid_from=valid_from,
                                             unit_value_cents=values[band],
                                             created_by_person_id=actor.person_id))
            audit.record(session, actor.person_id, "catalog_add_service", None, service=code,
                         unit=unit, time_banded=time_banded, valid_from=valid_from,
                         values=values)
            return service.id
    except IntegrityError:
        raise CatalogError("code_taken", "code") from None


def rename_service(engine: Engine, actor: Actor, service_id: int, names: dict[str, str]) -> None:
    cleaned = _check_names(names)
    with write_session(engine) as session:
        organizer_id = _require_admin(session, actor)
        service = session.exec(select(ServiceType).where(ServiceType.id == service_id)
                               .with_for_update()).first()
        if service is None or service.organizer_id != organizer_id:
            raise AccessDenied("not_found")
        service.name_fi, service.name_sv, service.name_en = (cleaned["fi"], cleaned["sv"],
                                                             cleaned["en"])
        session.add(service)
        audit.record(session, actor.person_id, "catalog_rename_service", None,
                     service=service.code, names=cleaned)
