from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hbapp.domain.pricing import charge_for, self_pay_per_unit

HOME_CARE_VALUE = 3990  # Kainuu: the HB value of a home-care hour, 39.90 €


def test_home_care_evening_price_above_value_gives_self_pay():
    # 2 h at 46.00 €/h: the budget pays 2 × 39.90, the client 2 × 6.10.
    assert charge_for(Decimal(2), 4600, HOME_CARE_VALUE, True) == (7980, 1220)


def test_home_care_price_below_value_is_paid_by_the_budget_in_full():
    assert charge_for(Decimal("1.5"), 3600, HOME_CARE_VALUE, True) == (5400, 0)


def test_price_equal_to_value_has_no_self_pay():
    assert charge_for(Decimal(1), 3990, HOME_CARE_VALUE, True) == (3990, 0)


def test_no_self_pay_when_the_service_has_none():
    # Personal assistance on a Sunday: the budget pays the whole price.
    assert charge_for(Decimal(3), 4400, 2200, False) == (13200, 0)


def test_half_up_rounding_of_both_parts():
    # 0.25 h × 39.90 = 9.975 → 9.98; 0.25 h × 2.10 = 0.525 → 0.53 (half-up, not to even).
    assert charge_for(Decimal("0.25"), 4200, HOME_CARE_VALUE, True) == (998, 53)


def test_euro_unit():
    assert charge_for(Decimal(45), 100, 100, False) == (4500, 0)


def test_int_units_and_zero_units():
    assert charge_for(3, 2500, 2500, False) == (7500, 0)
    assert charge_for(Decimal(0), 4600, HOME_CARE_VALUE, True) == (0, 0)


def test_self_pay_per_unit():
    assert self_pay_per_unit(4600, HOME_CARE_VALUE, True) == 610
    assert self_pay_per_unit(3600, HOME_CARE_VALUE, True) == 0
    assert self_pay_per_unit(4600, HOME_CARE_VALUE, False) == 0


@pytest.mark.parametrize("units", [1.5, "2", None, True])
def test_refuses_non_decimal_units(units):
    with pytest.raises(TypeError):
        charge_for(units, 4000, HOME_CARE_VALUE, True)


def test_refuses_negative_units_and_prices():
    with pytest.raises(ValueError):
        charge_for(Decimal(-1), 4000, HOME_CARE_VALUE, True)
    with pytest.raises(ValueError):
        charge_for(Decimal(1), -1, HOME_CARE_VALUE, True)
    with pytest.raises(ValueError):
        self_pay_per_unit(4000, -5, True)
    with pytest.raises(TypeError):
        self_pay_per_unit(40.0, HOME_CARE_VALUE, True)


@given(
    units=st.decimals(min_value=0, max_value=1000, places=3),
    price=st.integers(min_value=0, max_value=20_000),
    value=st.integers(min_value=0, max_value=20_000),
    applies=st.booleans(),
)
def test_budget_never_pays_more_than_the_price_and_self_pay_only_above_value(
    units, price, value, applies
):
    amount, self_pay = charge_for(units, price, value, applies)
    assert amount >= 0 and self_pay >= 0
    if applies and price > value:
        assert amount == round_half_up(units * value)
        assert self_pay == round_half_up(units * (price - value))
    else:
        assert (amount, self_pay) == (round_half_up(units * price), 0)
    # Together the two parts are the price of the units, give or take one cent of rounding.
    assert abs(amount + self_pay - units * price) <= 1


def round_half_up(x: Decimal) -> int:
    from decimal import ROUND_HALF_UP

    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))
