"""The cost calculator and "what the budget buys" (pure domain code)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hbapp.domain.calculator import CalculatorInput, budget_buys, compare_costs
from hbapp.i18n import Translator

D = Decimal
BANDS = ("weekday_day", "weekday_evening", "saturday", "sunday_holiday")


def plan(hours, prices, values=None, self_pay=True, fee=1800, cost=3990, voucher=2700):
    return CalculatorInput(
        hours_by_band=hours, price_by_band=prices,
        hb_value_by_band=values or dict.fromkeys(BANDS, 3990), hb_self_pay_applies=self_pay,
        own_fee_cents_per_hour=fee, own_cost_cents_per_hour=cost,
        voucher_max_cents_per_hour=voucher,
    )


def test_home_care_month_under_three_arrangements():
    # 20 weekday hours at 38.50 and 4 evening hours at 44.50, Kainuu values.
    result = compare_costs(plan({"weekday_day": D(20), "weekday_evening": D(4)},
                                {"weekday_day": 3850, "weekday_evening": 4450}))
    assert result.hours == D(24)
    # Own production: 18 €/h fee; the county pays 39.90 − 18 = 21.90 €/h.
    assert result.own_production.client_cents == 24 * 1800
    assert result.own_production.organizer_cents == 24 * 2190
    # Voucher at most 27 €/h: the client pays 11.50 €/h by day and 17.50 €/h in the evening.
    assert result.voucher.organizer_cents == 24 * 2700
    assert result.voucher.client_cents == 20 * 1150 + 4 * 1750
    # HB 39.90 €/h: the day price is covered; the evening costs the client 4.60 €/h.
    assert result.hb.organizer_cents == 20 * 3850 + 4 * 3990
    assert result.hb.client_cents == 4 * 460
    assert result.hb.total_cents == 20 * 3850 + 4 * 4450


def test_hb_without_self_pay_pays_the_whole_banded_price():
    values = {"weekday_day": 2200, "weekday_evening": 2750, "saturday": 3300,
              "sunday_holiday": 4400}
    result = compare_costs(plan({"sunday_holiday": D("2.5")}, {"sunday_holiday": 4500},
                                values, self_pay=False))
    assert result.hb.client_cents == 0
    assert result.hb.organizer_cents == 11250


def test_half_hours_round_half_up_per_band():
    result = compare_costs(plan({"weekday_day": D("0.25")}, {"weekday_day": 3850}))
    assert result.voucher.client_cents == 288  # 0.25 × 11.50 = 2.875 → 2.88


def test_zero_hours_and_bad_input():
    empty = compare_costs(plan(dict.fromkeys(BANDS, D(0)), {}))
    assert empty.hb.total_cents == empty.voucher.total_cents == 0
    with pytest.raises(ValueError):
        compare_costs(plan({"weekday_day": D(-1)}, {"weekday_day": 3850}))
    with pytest.raises(TypeError):
        compare_costs(plan({"weekday_day": 1.5}, {"weekday_day": 3850}))
    with pytest.raises(KeyError):
        compare_costs(plan({"saturday": D(1)}, {"weekday_day": 3850}))
    with pytest.raises(ValueError):
        compare_costs(plan({"weekday_day": D(1)}, {"weekday_day": 3850}, fee=5000, cost=3990))


def test_420_euros_buy_10_h_30_min_at_40_euros():
    hours = budget_buys(42_000, 4000, 4000, True, "hour")
    assert hours == D("10.5")
    assert Translator("en").quantity(hours, "hour") == "10 h 30 min"


def test_budget_buys_counts_only_the_budget_share_when_self_pay_applies():
    # Price 44.50 above the value 39.90: the budget pays 39.90 per hour, the client the rest.
    assert budget_buys(39_900, 4450, 3990, True, "hour") == D(10)
    # Without a self-pay share the budget pays the whole price.
    assert budget_buys(44_500, 4450, 3990, False, "hour") == D(10)


def test_budget_buys_rounds_down_to_whole_minutes_and_units():
    hours = budget_buys(28_350, 3600, 3990, True, "hour")  # 7 h 52.5 min
    assert Translator("en").quantity(hours, "hour") == "7 h 52 min"
    assert budget_buys(29_999, 10_000, 10_000, False, "day") == D(2)
    assert budget_buys(7_400, 2300, 2500, False, "visit") == D(3)
    assert budget_buys(4_100, 100, 100, False, "euro") == D(41)


def test_budget_buys_nothing_from_an_overspent_line():
    assert budget_buys(-500, 3850, 3990, True, "hour") == D(0)
    assert budget_buys(0, 3850, 3990, True, "hour") == D(0)
    with pytest.raises(ValueError):
        budget_buys(1000, 0, 3990, True, "hour")
