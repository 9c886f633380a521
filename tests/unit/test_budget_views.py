"""What the budget and swap pages say: money first, units derived from it, no contradictions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from hbapp.domain.ledger import LineGrant, UsageEvent, month_statement
from hbapp.domain.rulebook import parse_rulebook
from hbapp.domain.swaps import LineState, swappable_units
from hbapp.domain.units import Unit
from hbapp.i18n import Translator
from hbapp.services.budget import BudgetMonth, LineView, ServiceNames
from hbapp.services.swaps import SwapChoice, SwapOptions
from hbapp.views.budget import line_texts, summary_texts
from hbapp.views.swaps import option_rows

EN = Translator("en")
NOV = date(2026, 11, 1)
NAMES = {
    1: ServiceNames("Siivous", "Städning", "Cleaning"),
    2: ServiceNames("Omaishoidon vapaa", "Ledighet", "Carer's leave"),
    3: ServiceNames("Kuljetus", "Färdtjänst", "Transport"),
}
UNITS = {1: "hour", 2: "day", 3: "visit"}


def month_of(lines, events, today):
    statement = month_statement(NOV, lines, events, today=today)
    views = {
        line.line_id: LineView(line.line_id, line.service_code, NAMES[line.line_id],
                               UNITS[line.line_id], line.unit_value_cents, None, None,
                               line.charge_per_unit_cents)
        for line in lines
    }
    return BudgetMonth(1, "Aino Virtanen", NOV, "HB-2026-0001", statement, views, (), NOV, None)


def event(line_id, units, cents, day=3):
    return UsageEvent(line_id, datetime(2026, 11, day, 10), Decimal(units), cents)


def test_a_leftover_too_small_to_buy_anything_is_said_plainly():
    cleaning = LineGrant(1, "cleaning", Unit.HOUR, Decimal(1), 3500)
    month = month_of([cleaning], [event(1, "0.9", 3192)], date(2026, 11, 20))
    texts = line_texts(EN, month, month.statement.lines[0])
    # Not "5 min (3,08 €)": 3,08 € does not buy a quarter of an hour.
    assert texts["left"] == "Left: €3.08, not enough for 15 min"
    assert texts["leftover"].startswith("The money stays in your budget")


def test_left_is_money_and_what_it_buys_at_the_price_charged():
    # 4 days at 100 € decided; the chosen provider charges 99 €; 1 day used.
    leave = LineGrant(2, "carers_leave", Unit.DAY, Decimal(4), 10_000, unit_charge_cents=9_900)
    month = month_of([leave], [event(2, 1, 9_900)], date(2026, 11, 20))
    texts = line_texts(EN, month, month.statement.lines[0])
    assert texts["left"] == "Left: €301.00, enough for 3 days at €99.00/day"
    assert texts["decided"] == "4 days at €100.00/day"
    assert texts["granted_money"] == "€400.00"


def test_trips_left_are_whole():
    transport = LineGrant(3, "transport", Unit.VISIT, Decimal(4), 2500, unit_charge_cents=2300)
    month = month_of([transport], [event(3, 1, 2300)], date(2026, 11, 20))
    texts = line_texts(EN, month, month.statement.lines[0])
    assert texts["left"] == "Left: €77.00, enough for 3 visits at €23.00/visit"  # never 3,3


def test_past_and_future_months_do_not_forecast():
    cleaning = LineGrant(1, "cleaning", Unit.HOUR, Decimal(5), 3500)
    past = month_of([cleaning], [event(1, 2, 7000)], date(2026, 12, 5))
    assert summary_texts(EN, past)["forecast"] == "The month is over. €105.00 was left unused."
    future = month_of([cleaning], [], date(2026, 10, 5))
    assert summary_texts(EN, future)["forecast"] == "This month has not started yet."
    current = month_of([cleaning], [event(1, 2, 7000)], date(2026, 11, 10))
    assert summary_texts(EN, current)["forecast"].startswith("At this pace")


RULEBOOK = parse_rulebook({
    "format": "hb-rulebook/1", "version": "t", "organizer_business_id": "9000105-7",
    "organizer_name": "t", "valid_from": "2026-01-01",
    "services": {"carers_leave": {"unit": "day", "unit_value_cents": 10000,
                                  "min_keep_per_month": "2"},
                 "home_care": {"unit": "hour", "unit_value_cents": 3990}},
    "conversions": [{"from": "carers_leave", "to": "home_care", "approval": "automatic"}],
})


def _options(used_days: int) -> SwapOptions:
    line = LineState("carers_leave", Unit.DAY, 10_000, 40_000, used_days * 10_000)
    choice = SwapChoice("carers_leave", NAMES[2], "day", 10_000, line.remaining_cents,
                        line.remaining_buys, swappable_units(RULEBOOK, line), Decimal(2),
                        ("home_care",))
    return SwapOptions("Aino", NOV, "t", {"carers_leave": choice}, ("carers_leave",))


def test_the_swap_hint_never_contradicts_itself():
    # 1 day left of 4: the 2-day minimum is already met by the days used, so the day can go and
    # the hint does not say "you must keep 2" next to "1 day left".
    (row,) = option_rows(EN, _options(3), ["carers_leave"])
    assert row["hint"] == "Left this month: €100.00, enough for 1 day at €100.00/day"
    # 4 days left: only 2 can go, and the hint says why.
    (row,) = option_rows(EN, _options(0), ["carers_leave"])
    assert row["hint"].endswith("You can swap up to 2 days: at least 2 days a month must stay as "
                                "this service.")
