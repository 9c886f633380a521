from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hbapp.domain.timebands import (
    TimeBand,
    band_for,
    easter_sunday,
    finnish_public_holidays,
    split_hours_by_band,
)

# Personal assistance, Kainuu: 22 €/h basic hour, 44 €/h on a Sunday or public holiday.
ASSISTANCE_PRICES = {TimeBand.WEEKDAY_DAY: 2200, TimeBand.SUNDAY_HOLIDAY: 4400}


def test_holidays_2026():
    holidays = finnish_public_holidays(2026)
    assert holidays == {
        date(2026, 1, 1): "New Year's Day",
        date(2026, 1, 6): "Epiphany",
        date(2026, 4, 3): "Good Friday",
        date(2026, 4, 5): "Easter Sunday",
        date(2026, 4, 6): "Easter Monday",
        date(2026, 5, 1): "May Day",
        date(2026, 5, 14): "Ascension Day",
        date(2026, 5, 24): "Whit Sunday",
        date(2026, 6, 19): "Midsummer Eve",
        date(2026, 6, 20): "Midsummer Day",
        date(2026, 10, 31): "All Saints' Day",
        date(2026, 12, 6): "Independence Day",
        date(2026, 12, 24): "Christmas Eve",
        date(2026, 12, 25): "Christmas Day",
        date(2026, 12, 26): "Boxing Day",
    }


def test_holidays_2025():
    holidays = finnish_public_holidays(2025)
    assert holidays[date(2025, 4, 18)] == "Good Friday"
    assert holidays[date(2025, 4, 20)] == "Easter Sunday"
    assert holidays[date(2025, 4, 21)] == "Easter Monday"
    assert holidays[date(2025, 5, 29)] == "Ascension Day"
    assert holidays[date(2025, 6, 8)] == "Whit Sunday"
    assert holidays[date(2025, 6, 20)] == "Midsummer Eve"
    assert holidays[date(2025, 6, 21)] == "Midsummer Day"
    assert holidays[date(2025, 11, 1)] == "All Saints' Day"
    assert len(holidays) == 15


@pytest.mark.parametrize(
    "easter",
    [
        date(2000, 4, 23),
        date(2008, 3, 23),
        date(2011, 4, 24),
        date(2019, 4, 21),
        date(2024, 3, 31),
        date(2025, 4, 20),
        date(2026, 4, 5),
        date(2038, 4, 25),  # latest possible
        date(2285, 3, 22),  # earliest possible
    ],
)
def test_easter_sunday_known_dates(easter):
    assert easter_sunday(easter.year) == easter


def test_may_day_and_ascension_day_on_the_same_date_keep_both_names():
    holidays = finnish_public_holidays(2008)  # Easter 23 March 2008
    assert holidays[date(2008, 5, 1)] == "May Day / Ascension Day"
    assert len(holidays) == 14


@settings(database=None, max_examples=100)
@given(year=st.integers(min_value=1992, max_value=2200))
def test_movable_holidays_fall_on_the_right_weekdays(year):
    by_name = {name: day for day, name in finnish_public_holidays(year).items()}
    easter = easter_sunday(year)
    assert easter.weekday() == 6 and date(year, 3, 22) <= easter <= date(year, 4, 25)
    eve = by_name["Midsummer Eve"]
    assert eve.weekday() == 4 and date(year, 6, 19) <= eve <= date(year, 6, 25)
    midsummer = by_name["Midsummer Day"]
    assert midsummer.weekday() == 5 and date(year, 6, 20) <= midsummer <= date(year, 6, 26)
    all_saints = by_name["All Saints' Day"]
    assert all_saints.weekday() == 5 and date(year, 10, 31) <= all_saints <= date(year, 11, 6)
    assert by_name["Good Friday"].weekday() == 4
    assert by_name["Whit Sunday"].weekday() == 6


def test_callers_cannot_corrupt_the_cached_holidays():
    finnish_public_holidays(2026).clear()
    assert len(finnish_public_holidays(2026)) == 15


@pytest.mark.parametrize(
    ("moment", "band"),
    [
        (datetime(2026, 6, 17, 5, 59), TimeBand.WEEKDAY_EVENING),  # Wednesday night
        (datetime(2026, 6, 17, 6, 0), TimeBand.WEEKDAY_DAY),
        (datetime(2026, 6, 17, 17, 59, 59), TimeBand.WEEKDAY_DAY),
        (datetime(2026, 6, 17, 18, 0), TimeBand.WEEKDAY_EVENING),
        (datetime(2026, 6, 13, 12, 0), TimeBand.SATURDAY),  # ordinary Saturday
        (datetime(2026, 6, 13, 0, 0), TimeBand.SATURDAY),
        (datetime(2026, 6, 14, 12, 0), TimeBand.SUNDAY_HOLIDAY),  # Sunday
        (datetime(2026, 6, 19, 10, 0), TimeBand.SUNDAY_HOLIDAY),  # Midsummer Eve, a Friday
        (datetime(2026, 6, 20, 10, 0), TimeBand.SUNDAY_HOLIDAY),  # Midsummer Day, a Saturday
        (datetime(2026, 10, 31, 10, 0), TimeBand.SUNDAY_HOLIDAY),  # All Saints' Day, a Saturday
        (datetime(2026, 5, 14, 10, 0), TimeBand.SUNDAY_HOLIDAY),  # Ascension Day, a Thursday
        (datetime(2026, 12, 24, 10, 0), TimeBand.SUNDAY_HOLIDAY),  # Christmas Eve, a Thursday
        (datetime(2026, 12, 23, 23, 0), TimeBand.WEEKDAY_EVENING),
        (datetime(2026, 6, 15, 3, 0), TimeBand.WEEKDAY_EVENING),  # Monday before dawn
    ],
)
def test_band_for(moment, band):
    assert band_for(moment) == band


def test_band_for_refuses_aware_datetimes():
    with pytest.raises(ValueError):
        band_for(datetime(2026, 6, 17, 12, 0, tzinfo=UTC))


def test_split_friday_afternoon_into_saturday_night():
    split = split_hours_by_band(datetime(2026, 6, 12, 16, 0), datetime(2026, 6, 13, 2, 0))
    assert split == {
        TimeBand.WEEKDAY_DAY: Decimal(2),
        TimeBand.WEEKDAY_EVENING: Decimal(6),
        TimeBand.SATURDAY: Decimal(2),
    }


def test_split_sunday_night_into_monday_morning():
    split = split_hours_by_band(datetime(2026, 6, 14, 22, 30), datetime(2026, 6, 15, 7, 15))
    assert split == {
        TimeBand.WEEKDAY_DAY: Decimal("1.25"),
        TimeBand.WEEKDAY_EVENING: Decimal(6),
        TimeBand.SUNDAY_HOLIDAY: Decimal("1.5"),
    }


def test_split_within_one_band():
    split = split_hours_by_band(datetime(2026, 6, 17, 9, 0), datetime(2026, 6, 17, 10, 30))
    assert split == {TimeBand.WEEKDAY_DAY: Decimal("1.5")}


def test_split_whole_week_covers_every_band():
    monday = datetime(2026, 6, 8)  # an ordinary week, no holidays
    split = split_hours_by_band(monday, monday + timedelta(days=7))
    assert split == {
        TimeBand.WEEKDAY_DAY: Decimal(5 * 12),
        TimeBand.WEEKDAY_EVENING: Decimal(5 * 12),
        TimeBand.SATURDAY: Decimal(24),
        TimeBand.SUNDAY_HOLIDAY: Decimal(24),
    }


def test_personal_assistance_on_midsummer_day_costs_the_holiday_rate():
    split = split_hours_by_band(datetime(2026, 6, 20, 10, 0), datetime(2026, 6, 20, 14, 0))
    assert split == {TimeBand.SUNDAY_HOLIDAY: Decimal(4)}
    cost = sum(hours * ASSISTANCE_PRICES[band] for band, hours in split.items())
    assert cost == 4 * 4400


def test_personal_assistance_weekday_shift_costs_the_basic_rate():
    split = split_hours_by_band(datetime(2026, 6, 17, 8, 0), datetime(2026, 6, 17, 14, 0))
    cost = sum(hours * ASSISTANCE_PRICES[band] for band, hours in split.items())
    assert cost == 6 * 2200


@pytest.mark.parametrize("minutes", [0, -1])
def test_split_refuses_empty_or_reversed_intervals(minutes):
    start = datetime(2026, 6, 17, 8, 0)
    with pytest.raises(ValueError):
        split_hours_by_band(start, start + timedelta(minutes=minutes))


_moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31))


@settings(database=None, max_examples=150)
@given(
    start=_moments,
    length=st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=9)),
)
def test_split_adds_up_to_the_interval(start, length):
    split = split_hours_by_band(start, start + length)
    total_seconds = sum(hours * 3600 for hours in split.values())
    exact_seconds = Decimal(length // timedelta(microseconds=1)) / 10**6
    # Only the 28-digit Decimal division of each band's hours can differ from the exact length.
    assert abs(total_seconds - exact_seconds) < Decimal("1e-18")
    assert all(hours > 0 for hours in split.values())
    # The band of the first and the last instant are always present.
    assert band_for(start) in split
    assert band_for(start + length - timedelta(microseconds=1)) in split
