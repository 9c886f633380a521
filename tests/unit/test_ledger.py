from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hbapp.domain.ledger import (
    LineGrant,
    UsageEvent,
    add_months,
    month_start,
    month_statement,
)
from hbapp.domain.money import hours_minutes
from hbapp.domain.units import INDIVISIBLE, Unit

JUNE = date(2026, 6, 1)

HOME_CARE = LineGrant(1, "home_care", Unit.HOUR, Decimal(20), 3990)  # 798.00 €
CARERS_LEAVE = LineGrant(2, "carers_leave", Unit.DAY, Decimal(3), 10_000)  # 300.00 €
ASSISTANCE = LineGrant(3, "personal_assistance", Unit.HOUR, Decimal(21), 2200)  # 462.00 €
LINES = (HOME_CARE, CARERS_LEAVE, ASSISTANCE)
ADDITIONS = 400  # other additions; with the lines, the Kainuu average of 1 564 €/month


def event(line_id, day, units, amount, self_pay=0, km=0, month=JUNE, hour=10):
    return UsageEvent(
        line_id=line_id,
        occurred_at=datetime(month.year, month.month, day, hour),
        units=Decimal(units),
        amount_cents=amount,
        self_pay_cents=self_pay,
        km_compensation_cents=km,
    )


def test_line_and_event_values():
    assert HOME_CARE.value_cents == 79_800
    assert LineGrant(9, "home_care", Unit.HOUR, Decimal("0.25"), 3990).value_cents == 998
    assert event(1, 1, 2, 7980, self_pay=1500, km=360).budget_charge_cents == 8340


def test_statement_of_an_average_kainuu_budget():
    events = [
        # 14 h 30 min of 20 h home care, with a self-pay share paid to the provider.
        event(1, 2, "4", 15_960, self_pay=2000),
        event(1, 9, "6.5", 25_935, self_pay=2000),
        event(1, 16, "4", 15_960, self_pay=2000, km=360),  # a 25 km trip
        event(2, 20, 1, 10_000),
    ]
    st_ = month_statement(JUNE, LINES, events, additions_cents=ADDITIONS, today=date(2026, 7, 3))
    assert st_.month == JUNE
    assert st_.budget_cents == 156_400
    assert st_.used_cents == 15_960 + 25_935 + 15_960 + 360 + 10_000
    assert st_.remaining_cents == 156_400 - 68_215
    assert st_.self_pay_cents == 6000  # not charged to the budget
    assert st_.projected_used_cents == st_.used_cents  # a past month is complete
    assert not st_.overspent and not st_.projected_overspend
    assert st_.used_fraction == Decimal(68_215) / Decimal(156_400)

    home_care, leave, assistance = st_.lines
    assert home_care.used_units == Decimal("14.5")
    assert hours_minutes(home_care.used_units) == (14, 30)
    assert hours_minutes(home_care.granted_units) == (20, 0)
    assert home_care.used_cents == 58_215
    assert home_care.remaining_cents == 79_800 - 58_215
    # 215,85 € left at 39,90 €/h buys 5 h 24 min (324.6 min, rounded down): derived from money,
    # not 20 h − 14.5 h, because the events were charged at the providers' real prices.
    assert hours_minutes(home_care.remaining_buys) == (5, 24)
    assert home_care.value_cents == 79_800
    assert not home_care.overspent
    assert leave.used_units == 1 and leave.remaining_buys == 2 and leave.remaining_cents == 20_000
    assert leave.used_fraction == Decimal(1) / 3
    assert assistance.used_cents == 0 and assistance.used_fraction == 0
    assert assistance.remaining_cents == assistance.value_cents == 46_200


def test_one_line_may_be_overspent_while_the_pooled_budget_is_not():
    # The cap is the pooled voucher, not each service: extra home care is paid from the pool.
    events = [event(1, 5, 25, 99_750)]
    st_ = month_statement(JUNE, LINES, events, today=date(2026, 7, 1))
    home_care = st_.lines[0]
    assert home_care.overspent
    assert home_care.remaining_buys == 0  # nothing left to buy on the line
    assert home_care.remaining_cents == 79_800 - 99_750
    assert not st_.overspent
    assert st_.remaining_cents == 156_000 - 99_750


def test_overspent_budget_has_negative_remaining():
    events = [event(3, 7, 80, 176_000)]
    st_ = month_statement(JUNE, LINES, events, additions_cents=ADDITIONS, today=date(2026, 7, 1))
    assert st_.overspent
    assert st_.remaining_cents == 156_400 - 176_000 < 0
    assert st_.used_fraction > 1


def test_using_exactly_the_budget_is_not_overspending():
    events = [event(2, 7, 3, 30_000)]
    st_ = month_statement(JUNE, [CARERS_LEAVE], events, today=date(2026, 7, 1))
    assert st_.remaining_cents == 0
    assert not st_.overspent and not st_.lines[0].overspent
    assert st_.used_fraction == 1


def test_only_events_of_the_month_count():
    events = [
        event(1, 31, 1, 3990, month=date(2026, 5, 1), hour=23),  # May
        UsageEvent(1, datetime(2026, 6, 1, 0, 0), Decimal(1), 3990),  # first instant of June
        UsageEvent(1, datetime(2026, 6, 30, 23, 59, 59), Decimal(1), 3990),  # last second
        UsageEvent(1, datetime(2026, 7, 1, 0, 0), Decimal(1), 3990),  # July
        UsageEvent(1, datetime(2025, 6, 15, 12, 0), Decimal(1), 3990),  # June a year earlier
    ]
    st_ = month_statement(JUNE, LINES, events, today=date(2026, 8, 1))
    assert st_.used_cents == 2 * 3990
    assert st_.lines[0].used_units == 2


def test_month_may_be_given_as_any_day_of_it():
    st_ = month_statement(date(2026, 6, 17), LINES, [event(1, 3, 1, 3990)], today=date(2026, 8, 1))
    assert st_.month == JUNE
    assert st_.used_cents == 3990


def test_event_of_an_unknown_line_is_an_error():
    with pytest.raises(ValueError):
        month_statement(JUNE, LINES, [event(99, 3, 1, 3990)], today=date(2026, 6, 10))


def test_event_of_an_unknown_line_in_another_month_is_ignored():
    other = event(99, 3, 1, 3990, month=date(2026, 5, 1))
    assert month_statement(JUNE, LINES, [other], today=date(2026, 6, 10)).used_cents == 0


def test_duplicate_line_ids_are_an_error():
    with pytest.raises(ValueError):
        month_statement(JUNE, [HOME_CARE, HOME_CARE], [], today=date(2026, 6, 10))


def test_projection_in_the_current_month():
    events = [event(3, 2, 10, 22_000), event(1, 8, 7.5, 29_925), event(2, 9, 0, 75)]
    assert sum(e.budget_charge_cents for e in events) == 52_000
    # 10 of 30 days elapsed (today counts): 520 € * 30 / 10 = 1 560 €, just under 1 564 €.
    on_10th = month_statement(JUNE, LINES, events, ADDITIONS, today=date(2026, 6, 10))
    assert on_10th.projected_used_cents == 156_000
    assert not on_10th.projected_overspend and not on_10th.overspent
    # On the 9th the same spending is a faster pace: 520 € * 30 / 9 = 1 733.333... €.
    on_9th = month_statement(JUNE, LINES, events, ADDITIONS, today=date(2026, 6, 9))
    assert on_9th.projected_used_cents == 173_333
    assert on_9th.projected_overspend and not on_9th.overspent


def test_projection_rounds_half_up():
    line = LineGrant(1, "home_care", Unit.HOUR, Decimal(1), 3990)
    july = date(2026, 7, 1)
    used_one_cent = [UsageEvent(1, datetime(2026, 7, 1, 9), Decimal(0), 1)]
    # 1 c * 31 days / 2 days = 15.5 c -> 16 c
    st_ = month_statement(july, [line], used_one_cent, today=date(2026, 7, 2))
    assert st_.projected_used_cents == 16


def test_projection_on_the_last_day_equals_used():
    events = [event(1, 3, 2, 7980)]
    st_ = month_statement(JUNE, LINES, events, today=date(2026, 6, 30))
    assert st_.projected_used_cents == st_.used_cents == 7980


def test_projection_on_the_first_day_extrapolates_the_whole_month():
    events = [event(1, 1, 1, 3990)]
    st_ = month_statement(JUNE, LINES, events, today=date(2026, 6, 1))
    assert st_.projected_used_cents == 30 * 3990


def test_future_month_has_nothing_used_or_projected():
    june_event = event(1, 3, 2, 7980)
    st_ = month_statement(date(2026, 7, 1), LINES, [june_event], today=date(2026, 6, 15))
    assert st_.used_cents == 0
    assert st_.projected_used_cents == 0
    assert st_.remaining_cents == st_.budget_cents == 156_000
    assert st_.used_fraction == 0


def test_empty_budget():
    st_ = month_statement(JUNE, [], [], today=date(2026, 6, 15))
    assert st_.budget_cents == st_.used_cents == st_.projected_used_cents == 0
    assert st_.used_fraction == 0 and st_.lines == ()
    assert not st_.overspent and not st_.projected_overspend


def test_zero_value_line_used_fraction_is_zero_but_overspent():
    line = LineGrant(5, "swimming_hall", Unit.VISIT, Decimal(0), 550)
    st_ = month_statement(JUNE, [line], [event(5, 4, 1, 550)], today=date(2026, 7, 1))
    assert st_.lines[0].used_fraction == 0
    assert st_.lines[0].overspent


def test_today_defaults_to_the_real_date():
    far_past = date(2000, 1, 1)
    events = [UsageEvent(1, datetime(2000, 1, 5), Decimal(1), 3990)]
    st_ = month_statement(far_past, [HOME_CARE], events)
    assert st_.projected_used_cents == st_.used_cents == 3990


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (date(2026, 6, 1), 1, date(2026, 7, 1)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
        (date(2026, 1, 31), 1, date(2026, 2, 1)),  # never an impossible 31 February
        (date(2026, 3, 15), -3, date(2025, 12, 1)),
        (date(2026, 6, 1), 0, date(2026, 6, 1)),
        (date(2026, 6, 1), -18, date(2024, 12, 1)),
        (date(2026, 6, 1), 24, date(2028, 6, 1)),
    ],
)
def test_add_months(day, n, expected):
    assert add_months(day, n) == expected


def test_month_start():
    assert month_start(date(2026, 2, 28)) == date(2026, 2, 1)
    assert month_start(date(2026, 2, 1)) == date(2026, 2, 1)


# --- properties -------------------------------------------------------------------------------

_units = st.decimals(min_value=0, max_value=200, places=2)
_line_ids = st.lists(
    st.integers(min_value=1, max_value=10_000), min_size=1, max_size=6, unique=True
)


@st.composite
def budgets(draw):
    ids = draw(_line_ids)
    lines = [
        LineGrant(
            line_id=line_id,
            service_code=f"service_{line_id}",
            unit=draw(st.sampled_from(list(Unit))),
            granted_units=draw(_units),
            unit_value_cents=draw(st.integers(min_value=0, max_value=20_000)),
            adjustment_cents=draw(st.integers(min_value=-20_000, max_value=20_000)),
            unit_charge_cents=draw(st.none() | st.integers(min_value=1, max_value=20_000)),
        )
        for line_id in ids
    ]
    moment = st.datetimes(min_value=datetime(2026, 4, 20), max_value=datetime(2026, 8, 10))
    events = draw(
        st.lists(
            st.builds(
                UsageEvent,
                line_id=st.sampled_from(ids),
                occurred_at=moment,
                units=_units,
                amount_cents=st.integers(min_value=0, max_value=100_000),
                self_pay_cents=st.integers(min_value=0, max_value=5_000),
                km_compensation_cents=st.integers(min_value=0, max_value=2_160),
            ),
            max_size=30,
        )
    )
    additions = draw(st.integers(min_value=0, max_value=50_000))
    return lines, events, additions


_todays = st.dates(min_value=date(2026, 4, 1), max_value=date(2026, 9, 30))


@settings(database=None, max_examples=150, deadline=None)
@given(budget=budgets(), today=_todays)
def test_statement_adds_up(budget, today):
    lines, events, additions = budget
    st_ = month_statement(JUNE, lines, events, additions_cents=additions, today=today)
    in_june = [e for e in events if e.occurred_at.year == 2026 and e.occurred_at.month == 6]

    assert st_.used_cents == sum(e.budget_charge_cents for e in in_june)
    assert st_.self_pay_cents == sum(e.self_pay_cents for e in in_june)
    assert st_.remaining_cents == st_.budget_cents - st_.used_cents
    assert sum(b.used_cents for b in st_.lines) == st_.used_cents
    assert sum(b.value_cents for b in st_.lines) + additions == st_.budget_cents
    assert st_.overspent == (st_.used_cents > st_.budget_cents)
    assert st_.projected_overspend == (st_.projected_used_cents > st_.budget_cents)
    for line, balance in zip(lines, st_.lines, strict=True):
        mine = [e for e in in_june if e.line_id == line.line_id]
        assert balance.line_id == line.line_id
        assert balance.used_units == sum((e.units for e in mine), Decimal(0))
        # What is said to be left can really be bought, and nothing more than one more unit.
        charge = line.unit_charge_cents or line.unit_value_cents
        if charge > 0 and balance.remaining_cents > 0:
            # Exact products: hours are whole minutes, so compare in minutes.
            scale = 60 if line.unit is Unit.HOUR else 1 if line.unit in INDIVISIBLE else 100
            exact = balance.remaining_buys * scale
            steps = exact.to_integral_value()
            assert abs(exact - steps) < Decimal("1e-20")  # whole minutes (1/60 is inexact)
            assert steps * charge <= balance.remaining_cents * scale
            assert (steps + 1) * charge > balance.remaining_cents * scale
        else:
            assert balance.remaining_buys == 0
        assert balance.remaining_cents == balance.value_cents - balance.used_cents
        assert balance.overspent == (balance.used_cents > balance.value_cents)
    if today < JUNE or today >= date(2026, 7, 1) or today == date(2026, 6, 30):
        assert st_.projected_used_cents == st_.used_cents
    else:
        # The forecast is never below what is used, and is the pace over the whole month.
        assert st_.projected_used_cents >= st_.used_cents
        assert abs(st_.projected_used_cents * today.day - st_.used_cents * 30) <= today.day // 2


@settings(database=None, max_examples=100, deadline=None)
@given(budget=budgets())
def test_event_order_does_not_matter(budget):
    lines, events, additions = budget
    today = date(2026, 6, 15)
    forward = month_statement(JUNE, lines, events, additions, today=today)
    backward = month_statement(JUNE, lines, list(reversed(events)), additions, today=today)
    assert forward == backward


def test_swapped_money_and_the_chosen_providers_price():
    # 4 days of carer's leave at 100 € = 400 €; a swap moved 99 € out; the chosen provider
    # charges 99 €/day. One day used (99 €): 202 € left buys 2 days at that price.
    leave = LineGrant(2, "carers_leave", Unit.DAY, Decimal(4), 10_000, adjustment_cents=-9_900,
                      unit_charge_cents=9_900)
    st_ = month_statement(JUNE, [leave], [event(2, 3, 1, 9_900)], today=date(2026, 6, 20))
    (balance,) = st_.lines
    assert balance.decided_cents == 40_000 and balance.value_cents == 30_100
    assert balance.remaining_cents == 20_200 and balance.remaining_buys == 2
    assert not balance.leftover_only


def test_a_leftover_below_the_smallest_useful_amount_is_said_so():
    cleaning = LineGrant(4, "cleaning", Unit.HOUR, Decimal(1), 3_500)
    st_ = month_statement(JUNE, [cleaning], [event(4, 3, "0.9", 3_192)], today=date(2026, 6, 20))
    (balance,) = st_.lines
    assert balance.remaining_cents == 308
    assert hours_minutes(balance.remaining_buys) == (0, 5)
    assert balance.leftover_only


def test_period_of_the_month():
    assert month_statement(JUNE, LINES, [], today=date(2026, 7, 1)).period == "past"
    assert month_statement(JUNE, LINES, [], today=date(2026, 6, 30)).period == "current"
    assert month_statement(JUNE, LINES, [], today=date(2026, 5, 31)).period == "future"
