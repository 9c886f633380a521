"""Pure rules of a provider's service event: times, units, bands, the 60-day window, typed input."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest

from hbapp.domain.events import (
    EventRuleError,
    check_km,
    check_window,
    parse_clock,
    parse_day,
    parse_quantity,
    timing_for_day,
    timing_for_hours,
    travel_applies,
    visit_times,
)
from hbapp.domain.timebands import TimeBand

MONDAY = date(2026, 11, 23)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))


def refused(call, *args) -> EventRuleError:
    with pytest.raises(EventRuleError) as error:
        call(*args)
    return error.value


def test_an_evening_visit_is_one_hour_in_the_evening_band():
    timing = timing_for_hours(at(MONDAY, 18, 30), at(MONDAY, 19, 30))
    assert timing.units == 1
    assert timing.band is TimeBand.WEEKDAY_EVENING
    assert timing.parts == ((TimeBand.WEEKDAY_EVENING, Decimal(1)),)
    assert timing.day == MONDAY


def test_a_visit_over_six_pm_is_split_by_band_and_the_dominant_band_is_kept():
    timing = timing_for_hours(at(MONDAY, 17, 15), at(MONDAY, 19, 0))
    assert timing.units == Decimal("1.75")
    assert timing.parts == ((TimeBand.WEEKDAY_DAY, Decimal("0.75")),
                            (TimeBand.WEEKDAY_EVENING, Decimal(1)))
    assert timing.band is TimeBand.WEEKDAY_EVENING
    # A tie goes to the part that came first.
    tie = timing_for_hours(at(MONDAY, 17, 0), at(MONDAY, 19, 0))
    assert tie.band is TimeBand.WEEKDAY_DAY


def test_minutes_give_exact_hours():
    timing = timing_for_hours(at(MONDAY, 9, 0), at(MONDAY, 9, 50))
    assert timing.units == Decimal(50) / Decimal(60)
    assert timing.band is TimeBand.WEEKDAY_DAY


def test_sunday_saturday_and_public_holiday_bands():
    sunday = date(2026, 11, 29)
    assert timing_for_hours(at(sunday, 10), at(sunday, 11)).band is TimeBand.SUNDAY_HOLIDAY
    saturday = date(2026, 11, 28)
    assert timing_for_hours(at(saturday, 19), at(saturday, 20)).band is TimeBand.SATURDAY
    independence_day = date(2026, 12, 6)  # a Sunday in 2026; Epiphany 6.1.2027 is a Wednesday
    assert timing_for_hours(at(independence_day, 9), at(independence_day, 10)).band \
        is TimeBand.SUNDAY_HOLIDAY
    epiphany = date(2027, 1, 6)
    assert timing_for_hours(at(epiphany, 9), at(epiphany, 10)).band is TimeBand.SUNDAY_HOLIDAY
    assert timing_for_day(epiphany, Decimal(1), "day").band is TimeBand.SUNDAY_HOLIDAY


def test_a_night_visit_over_midnight_into_a_saturday():
    friday = date(2026, 11, 27)
    start, end = visit_times(friday, time(22, 0), time(1, 0))
    assert end == at(date(2026, 11, 28), 1)
    timing = timing_for_hours(start, end)
    assert timing.parts == ((TimeBand.WEEKDAY_EVENING, Decimal(2)), (TimeBand.SATURDAY, Decimal(1)))


@pytest.mark.parametrize(("start", "end", "field"), [
    (None, at(MONDAY, 10), "start"),
    (at(MONDAY, 9), None, "end"),
    (at(MONDAY, 10), at(MONDAY, 10), "end"),
    (at(MONDAY, 10), at(MONDAY, 9), "end"),
    (at(MONDAY, 0), datetime(2026, 11, 24, 0, 1), "end"),
    (datetime(2026, 11, 23, 9, 0, 30), at(MONDAY, 10), "start"),
])
def test_bad_times_are_refused(start, end, field):
    error = refused(timing_for_hours, start, end)
    assert error.code == ("missing_field" if None in (start, end) else "bad_time")
    assert error.field == field


def test_exactly_24_hours_is_allowed():
    assert timing_for_hours(at(MONDAY, 8), at(date(2026, 11, 24), 8)).units == 24


def test_days_and_visits_are_whole_euros_and_km_two_decimals():
    assert timing_for_day(MONDAY, Decimal(2), "day").units == 2
    assert refused(timing_for_day, MONDAY, Decimal("1.5"), "visit").code == "bad_units"
    assert refused(timing_for_day, MONDAY, Decimal(0), "day").code == "bad_units"
    assert refused(timing_for_day, MONDAY, Decimal(-1), "euro").code == "bad_units"
    assert refused(timing_for_day, MONDAY, Decimal("12.345"), "euro").code == "bad_units"
    assert timing_for_day(MONDAY, Decimal("12.35"), "euro").units == Decimal("12.35")
    assert refused(timing_for_day, MONDAY, None, "day").code == "missing_field"
    assert refused(timing_for_day, None, Decimal(1), "day").field == "day"
    day = timing_for_day(MONDAY, Decimal(1), "visit")
    assert day.started_at == at(MONDAY, 0) and day.ended_at is None
    assert day.band is TimeBand.WEEKDAY_DAY


def test_km_only_for_travel_services():
    assert travel_applies("transport") and not travel_applies("home_care")
    assert check_km(Decimal("25.5"), "transport") == Decimal("25.5")
    assert check_km(Decimal(0), "home_care") == 0
    assert check_km(None, "home_care") == 0
    assert refused(check_km, Decimal(5), "home_care").code == "bad_km"
    assert refused(check_km, Decimal(-1), "transport").code == "bad_km"
    assert refused(check_km, Decimal(2001), "transport").code == "bad_km"


def test_the_window_no_future_at_most_60_days_back():
    now = at(MONDAY, 12)
    check_window(timing_for_hours(at(MONDAY, 10), at(MONDAY, 12)), now)
    error = refused(check_window, timing_for_hours(at(MONDAY, 11), at(MONDAY, 13)), now)
    assert (error.code, error.field) == ("future", "end")
    error = refused(check_window, timing_for_hours(at(MONDAY, 13), at(MONDAY, 14)), now)
    assert (error.code, error.field) == ("future", "start")
    check_window(timing_for_day(MONDAY, Decimal(1), "day"), now)  # today's day event is fine
    error = refused(check_window, timing_for_day(date(2026, 11, 24), Decimal(1), "day"), now)
    assert (error.code, error.field) == ("future", "day")
    check_window(timing_for_day(date(2026, 9, 24), Decimal(1), "day"), now)  # 60 days back
    error = refused(check_window, timing_for_day(date(2026, 9, 23), Decimal(1), "day"), now)
    assert (error.code, error.field) == ("too_old", "day")
    old = timing_for_hours(at(date(2026, 9, 23), 23), at(date(2026, 9, 24), 1))
    assert refused(check_window, old, now).code == "too_old"


def test_typed_input():
    assert parse_day("2026-11-30") == date(2026, 11, 30)
    assert parse_day("30.11.2026") == date(2026, 11, 30)
    assert parse_day("31.11.2026") is None
    assert parse_day("tomorrow") is None
    assert parse_clock("18:30") == time(18, 30)
    assert parse_clock("8.05") == time(8, 5)
    assert parse_clock("24:00") is None and parse_clock("18") is None
    assert parse_quantity("1,5") == Decimal("1.5")
    assert parse_quantity("12.40") == Decimal("12.40")
    assert parse_quantity("-1") is None and parse_quantity("1e3") is None
    assert parse_quantity("") is None
