from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hbapp.domain.money import (
    MoneyFormatError,
    cents_for,
    hours_minutes,
    parse_euros,
    units_for_amount,
)

HOME_CARE_HOUR = 3990  # Kainuu: home care at most 39.90 €/h
CARERS_LEAVE_DAY = 10_000  # carer's leave 100 €/day


def test_cents_for_home_care_hours():
    assert cents_for(Decimal(20), HOME_CARE_HOUR) == 79_800
    assert cents_for(Decimal("14.5"), HOME_CARE_HOUR) == 57_855


def test_cents_for_rounds_half_up_not_to_even():
    # Banker's rounding would give 0 and 2 here.
    assert cents_for(Decimal("0.5"), 1) == 1
    assert cents_for(Decimal("2.5"), 1) == 3
    assert cents_for(Decimal("0.49"), 1) == 0
    # 0.25 h * 39.90 € = 9.975 € -> 9.98 €
    assert cents_for(Decimal("0.25"), HOME_CARE_HOUR) == 998


def test_cents_for_refuses_floats():
    with pytest.raises(TypeError):
        cents_for(0.1, 100)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cents_for(Decimal(1), 39.9)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("12,50", 1250),
        ("12.50", 1250),
        ("1 564,00 €", 156_400),
        ("1564", 156_400),
        ("0,5", 50),
        ("1\u00a0564,00\u00a0€", 156_400),  # no-break spaces, as Babel formats fi_FI
        ("1\u202f564,00 €", 156_400),  # narrow no-break space
        ("€39.90", 3990),
        ("39,90€", 3990),
        ("EUR 100", 10_000),
        ("100 eur", 10_000),
        ("  0,24  ", 24),
        ("0", 0),
        ("1 000 000", 100_000_000),
    ],
)
def test_parse_euros_accepts_common_inputs(text, cents):
    assert parse_euros(text) == cents


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "€",
        "abc",
        "12,345",
        "0.001",
        "-5",
        "-5,00 €",
        "\u22125",
        "12,",
        "12 5",
        "1.564,00",
        "1,2,3",
        "12e3",
        "NaN",
        "١٢",
    ],
)
def test_parse_euros_rejects_bad_input(text):
    with pytest.raises(MoneyFormatError):
        parse_euros(text)


def test_money_format_error_is_a_value_error():
    assert issubclass(MoneyFormatError, ValueError)


@pytest.mark.parametrize("text", ["-5", "- 12,50 €", "\u221239,90"])
def test_negative_amounts_are_reported_as_negative(text):
    # The reason is for logs; a refund is not something a client types in.
    with pytest.raises(MoneyFormatError, match="negative"):
        parse_euros(text)


def _format_fi(cents: int, thousands: str, decimal_sep: str, suffix: str) -> str:
    euros, rest = divmod(cents, 100)
    grouped = f"{euros:,}".replace(",", thousands)
    return f"{grouped}{decimal_sep}{rest:02d}{suffix}"


@settings(database=None, max_examples=200)
@given(
    cents=st.integers(min_value=0, max_value=10**11),
    thousands=st.sampled_from(["", " ", "\u00a0", "\u202f"]),
    decimal_sep=st.sampled_from([",", "."]),
    suffix=st.sampled_from(["", " €", "\u00a0€", "€", " EUR"]),
)
def test_parse_euros_round_trips_formatted_cents(cents, thousands, decimal_sep, suffix):
    assert parse_euros(_format_fi(cents, thousands, decimal_sep, suffix)) == cents


def test_units_for_amount_rounds_down():
    assert units_for_amount(42_000, HOME_CARE_HOUR) == Decimal("10.52")  # 10.526...
    # A carer's leave day swapped into home care buys 2.50 h (2.506...), never 2.51.
    assert units_for_amount(CARERS_LEAVE_DAY, HOME_CARE_HOUR) == Decimal("2.50")
    assert units_for_amount(79_800, HOME_CARE_HOUR) == Decimal(20)
    assert units_for_amount(3989, HOME_CARE_HOUR) == Decimal("0.99")
    assert units_for_amount(0, HOME_CARE_HOUR) == 0


@pytest.mark.parametrize("unit_value", [0, -1])
def test_units_for_amount_needs_positive_unit_value(unit_value):
    with pytest.raises(ValueError):
        units_for_amount(1000, unit_value)


@settings(database=None)
@given(
    amount=st.integers(min_value=0, max_value=10**9),
    unit_value=st.integers(min_value=1, max_value=10**6),
)
def test_units_for_amount_never_costs_more_than_the_amount(amount, unit_value):
    units = units_for_amount(amount, unit_value)
    assert units * unit_value <= amount
    assert (units + Decimal("0.01")) * unit_value > amount


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (Decimal("10.5"), (10, 30)),
        (Decimal("0.9999"), (1, 0)),
        (Decimal("14.5"), (14, 30)),  # "14 h 30 min of 20 h home care used"
        (Decimal(20), (20, 0)),
        (Decimal(0), (0, 0)),
        (Decimal("0.25"), (0, 15)),
        (Decimal(1) / 3, (0, 20)),
        (Decimal("0.0083"), (0, 0)),  # 0.498 min
        (Decimal("0.00834"), (0, 1)),  # 0.5004 min
        (Decimal("1.9917"), (2, 0)),  # 119.502 min -> 120 min
    ],
)
def test_hours_minutes(hours, expected):
    assert hours_minutes(hours) == expected


def test_hours_minutes_rounds_half_minute_up():
    # 0.075 h is exactly 4.5 min: half-up gives 5, banker's rounding would give 4.
    assert hours_minutes(Decimal("0.075")) == (0, 5)
    assert hours_minutes(Decimal("2.025")) == (2, 2)  # 121.5 min


def test_hours_minutes_rejects_negative():
    with pytest.raises(ValueError):
        hours_minutes(Decimal("-0.5"))
