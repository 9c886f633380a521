"""Pure rules of a provider's service event: what was delivered, when, and in which time band.

A provider records an hour-based service with its start and end (naive local Finnish time, whole
minutes), and a day / visit / euro / km service with its date and units. These rules check the
input and derive the units and the time band; pricing and the budget are the services' work.

Band of an hour visit that crosses a band boundary (e.g. 17:00–19:00 over 18:00): the visit stays
ONE event, because that is what the provider delivered and what the client recognises. Its money
is exact: each band part is priced at that band's price and value (`EventTiming.parts`), and the
parts' charges are added. The event's `band` is the dominant one, the band with the most time
(a tie goes to the earlier part), which is what the pages show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from hbapp.domain.timebands import TimeBand, band_for, split_hours_by_band
from hbapp.domain.units import Unit

__all__ = [
    "MAX_DAYS_BACK",
    "MAX_HOURS",
    "TRAVEL_SERVICES",
    "EventRuleError",
    "EventTiming",
    "check_km",
    "check_window",
    "dominant_band",
    "parse_clock",
    "parse_day",
    "parse_quantity",
    "timing_for_day",
    "timing_for_hours",
    "travel_applies",
    "visit_times",
]

MAX_DAYS_BACK = 60  # a provider records at most 60 days back
MAX_HOURS = 24  # one hour-based event lasts at most a day
MAX_UNITS = Decimal(10_000)  # more than this in one event is a typing error
MAX_KM = Decimal(2_000)  # one-way kilometres of one trip

# Services whose events carry the provider's travel (kilometre compensation, Kainuu rule). Only
# transport has kilometres in the pilots' price lists; home care travel is within the hour price.
TRAVEL_SERVICES = frozenset({"transport"})


class EventRuleError(ValueError):
    """An input that breaks a rule: `code` is a stable machine code, `field` the input at fault."""

    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.field = field


@dataclass(frozen=True)
class EventTiming:
    started_at: datetime  # naive local time; a day-unit event starts at midnight of its day
    ended_at: datetime | None  # hour-based services only
    units: Decimal  # hours (exact) or the units given
    band: TimeBand  # the dominant band
    parts: tuple[tuple[TimeBand, Decimal], ...]  # (band, units) in time order of first use

    @property
    def day(self) -> date:
        return self.started_at.date()


def travel_applies(service_code: str) -> bool:
    return service_code in TRAVEL_SERVICES


def _whole_minutes(moment: datetime) -> bool:
    return moment.second == 0 and moment.microsecond == 0


def dominant_band(parts: dict[TimeBand, Decimal], order: list[TimeBand]) -> TimeBand:
    """The band with the most time; on a tie the one used first (`order`: bands by first use)."""
    most = max(parts.values())
    return next(band for band in order if parts[band] == most)


def timing_for_hours(start: datetime | None, end: datetime | None) -> EventTiming:
    """An hour-based event from its start and end (naive local time, whole minutes)."""
    if start is None:
        raise EventRuleError("missing_field", "start")
    if end is None:
        raise EventRuleError("missing_field", "end")
    for moment, name in ((start, "start"), (end, "end")):
        if not isinstance(moment, datetime) or (moment.tzinfo is not None
                                                 and moment.utcoffset() is not None):
            raise EventRuleError("bad_time", name)
        if not _whole_minutes(moment):
            raise EventRuleError("bad_time", name)
    if end <= start:
        raise EventRuleError("bad_time", "end")
    if end - start > timedelta(hours=MAX_HOURS):
        raise EventRuleError("bad_time", "end")
    split = split_hours_by_band(start, end)
    order: list[TimeBand] = []
    cursor = start
    while cursor < end:  # bands in the order the visit passes through them
        band = band_for(cursor)
        if band not in order:
            order.append(band)
        cursor += timedelta(minutes=1)
    minutes = (end - start) // timedelta(minutes=1)
    units = Decimal(minutes) / Decimal(60)
    return EventTiming(start, end, units, dominant_band(split, order),
                       tuple((band, split[band]) for band in order))


def timing_for_day(day: date | None, units: Decimal | None, unit: Unit | str) -> EventTiming:
    """A day / visit / euro / km event: its date and a positive number of units."""
    unit = Unit(unit)
    if day is None:
        raise EventRuleError("missing_field", "day")
    if isinstance(day, datetime) or not isinstance(day, date):
        raise EventRuleError("bad_time", "day")
    if units is None:
        raise EventRuleError("missing_field", "units")
    if isinstance(units, bool) or not isinstance(units, (Decimal, int)):
        raise EventRuleError("bad_units", "units")
    units = Decimal(units)
    if not units.is_finite() or units <= 0 or units > MAX_UNITS:
        raise EventRuleError("bad_units", "units")
    if unit in (Unit.DAY, Unit.VISIT) and units != units.to_integral_value():
        raise EventRuleError("bad_units", "units")
    if unit in (Unit.EURO, Unit.KM) and units != units.quantize(Decimal("0.01")):
        raise EventRuleError("bad_units", "units")
    started_at = datetime.combine(day, time())
    band = band_for(started_at.replace(hour=12))  # the day's band: weekday, Saturday, Sunday
    return EventTiming(started_at, None, units, band, ((band, units),))


def check_km(km: Decimal | int | None, service_code: str) -> Decimal:
    """Kilometres of one one-way trip: only for travel services, 0..MAX_KM, two decimals."""
    if km is None:
        return Decimal(0)
    if isinstance(km, bool) or not isinstance(km, (Decimal, int)):
        raise EventRuleError("bad_km", "km")
    km = Decimal(km)
    if not km.is_finite() or km < 0 or km > MAX_KM or km != km.quantize(Decimal("0.01")):
        raise EventRuleError("bad_km", "km")
    if km and not travel_applies(service_code):
        raise EventRuleError("bad_km", "km")
    return km


def check_window(timing: EventTiming, now_local: datetime) -> None:
    """No future events (an hour visit must have ended), none more than 60 days back."""
    if timing.ended_at is not None:
        if timing.ended_at > now_local:
            raise EventRuleError("future", "end" if timing.started_at <= now_local else "start")
    elif timing.day > now_local.date():
        raise EventRuleError("future", "day")
    if timing.day < now_local.date() - timedelta(days=MAX_DAYS_BACK):
        raise EventRuleError("too_old", "start" if timing.ended_at is not None else "day")


# --------------------------------------------------------------------------- typed input

_CLOCK = re.compile(r"^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$")
_QUANTITY = re.compile(r"^[0-9]{1,6}(?:[.,][0-9]{1,3})?$")
_FI_DATE = re.compile(r"^([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})$")


def parse_day(text: object) -> date | None:
    """A date as a browser's date field sends it (2026-11-30) or as typed (30.11.2026)."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    try:
        if _FI_DATE.match(text):
            day, month, year = (int(part) for part in _FI_DATE.match(text).groups())
            return date(year, month, day)
        if len(text) == 10:
            return date.fromisoformat(text)
    except ValueError:
        return None
    return None


def parse_clock(text: object) -> time | None:
    """A wall-clock time: 18:30 or 18.30 (Finnish style)."""
    if not isinstance(text, str):
        return None
    match = _CLOCK.match(text.strip())
    return time(int(match.group(1)), int(match.group(2))) if match else None


def parse_quantity(text: object) -> Decimal | None:
    """A non-negative number as typed: 2, 1,5 or 12.40 (at most three decimals)."""
    if not isinstance(text, str):
        return None
    text = text.strip().replace(" ", "")
    if not _QUANTITY.match(text):
        return None
    return Decimal(text.replace(",", "."))


def visit_times(day: date, start: time, end: time) -> tuple[datetime, datetime]:
    """Start and end of a visit given as a date and two clock times; an end at or before the
    start is on the next day (a night visit 22:00–01:00)."""
    started = datetime.combine(day, start)
    ended = datetime.combine(day, end)
    if ended <= started:
        ended += timedelta(days=1)
    return started, ended
