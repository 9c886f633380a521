"""Time bands that set the price of an hour of help, and Finnish public holidays.

Personal assistance costs 22 €/h on a weekday daytime and up to 44 €/h on a Sunday or a public
holiday, so an hour must be placed in its band before it can be priced.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType

__all__ = [
    "TimeBand",
    "band_for",
    "easter_sunday",
    "finnish_public_holidays",
    "split_hours_by_band",
]

DAY_STARTS = time(6, 0)
EVENING_STARTS = time(18, 0)


class TimeBand(str, enum.Enum):
    WEEKDAY_DAY = "weekday_day"  # Mon-Fri 06:00-18:00
    WEEKDAY_EVENING = "weekday_evening"  # Mon-Fri 18:00-06:00 (evening and night)
    SATURDAY = "saturday"  # Saturday, whole day, unless a public holiday
    SUNDAY_HOLIDAY = "sunday_holiday"  # Sunday and public holidays, whole day


def easter_sunday(year: int) -> date:
    """Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_weekday_on_or_after(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7)


@lru_cache(maxsize=256)  # a few years are ever looked at
def _holidays(year: int) -> Mapping[date, str]:
    # Read-only view: the cached mapping is shared by every caller.
    easter = easter_sunday(year)
    midsummer_eve = _first_weekday_on_or_after(date(year, 6, 19), 4)  # Friday 19-25 June
    entries = [
        (date(year, 1, 1), "New Year's Day"),
        (date(year, 1, 6), "Epiphany"),
        (easter - timedelta(days=2), "Good Friday"),
        (easter, "Easter Sunday"),
        (easter + timedelta(days=1), "Easter Monday"),
        (date(year, 5, 1), "May Day"),
        (easter + timedelta(days=39), "Ascension Day"),
        (easter + timedelta(days=49), "Whit Sunday"),
        # Midsummer Eve and Christmas Eve are not public holidays by law, but collective agreements
        # treat them as holidays (work is paid at holiday rates), so the prices follow them.
        (midsummer_eve, "Midsummer Eve"),
        (midsummer_eve + timedelta(days=1), "Midsummer Day"),  # Saturday 20-26 June
        (_first_weekday_on_or_after(date(year, 10, 31), 5), "All Saints' Day"),  # Sat 31 Oct-6 Nov
        (date(year, 12, 6), "Independence Day"),
        (date(year, 12, 24), "Christmas Eve"),
        (date(year, 12, 25), "Christmas Day"),
        (date(year, 12, 26), "Boxing Day"),
    ]
    holidays: dict[date, str] = {}
    for day, name in entries:
        # Ascension Day falls on May Day when Easter is 23 March (e.g. 2008): keep both names.
        holidays[day] = f"{holidays[day]} / {name}" if day in holidays else name
    return MappingProxyType(dict(sorted(holidays.items())))


def finnish_public_holidays(year: int) -> dict[date, str]:
    """Finnish public holidays of `year` (current rules, in force since 1992), by date, in English.

    Computed once per year (cached); the caller gets its own copy to change freely.
    """
    return dict(_holidays(year))


def _require_naive(moment: datetime, name: str) -> None:
    # Bands are about local wall-clock time; an aware (e.g. UTC) value would be banded hours off.
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime")
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        raise ValueError(f"{name} must be a naive local time")


def band_for(moment: datetime) -> TimeBand:
    """The band of a naive local moment; whole-day bands run from midnight to midnight."""
    _require_naive(moment, "moment")
    day = moment.date()
    if day.weekday() == 6 or day in _holidays(day.year):
        return TimeBand.SUNDAY_HOLIDAY
    if day.weekday() == 5:
        return TimeBand.SATURDAY
    if DAY_STARTS <= moment.time() < EVENING_STARTS:
        return TimeBand.WEEKDAY_DAY
    return TimeBand.WEEKDAY_EVENING


def _next_boundary(moment: datetime) -> datetime:
    # A band can change only at 06:00, 18:00 or midnight.
    midnight = datetime.combine(moment.date(), time())
    for offset in (timedelta(hours=6), timedelta(hours=18), timedelta(days=1)):
        if midnight + offset > moment:
            return midnight + offset
    raise AssertionError("unreachable: midnight of the next day is always later")


_MICROSECONDS_PER_HOUR = Decimal(3_600_000_000)


def split_hours_by_band(start: datetime, end: datetime) -> dict[TimeBand, Decimal]:
    """Hours of [start, end) in each band; only bands with time in them are present.

    Time is summed in whole microseconds and turned into hours once per band, so the hours add up
    to the whole interval without rounding drift.
    """
    _require_naive(start, "start")
    _require_naive(end, "end")
    if end <= start:
        raise ValueError("end must be after start")
    microseconds: dict[TimeBand, int] = {}
    cursor = start
    while cursor < end:
        stop = min(_next_boundary(cursor), end)
        band = band_for(cursor)
        elapsed = (stop - cursor) // timedelta(microseconds=1)
        microseconds[band] = microseconds.get(band, 0) + elapsed
        cursor = stop
    return {
        band: Decimal(microseconds[band]) / _MICROSECONDS_PER_HOUR
        for band in TimeBand
        if band in microseconds
    }
