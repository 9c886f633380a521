"""The pure swap rules and the rulebook loader, with property tests of the invariants."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hbapp.domain.rulebook import RulebookError, load_rulebook, parse_rulebook
from hbapp.domain.swaps import (
    LineState,
    MonthConversions,
    SwapError,
    apply_swap,
    month_total_cents,
    parse_amount,
    preview_swap,
    swappable_units,
)
from hbapp.domain.units import Unit

D = Decimal
RULEBOOK_PATH = Path(__file__).resolve().parents[2] / "hbapp" / "rulebooks" / "9000105-7.json"
RULEBOOK = load_rulebook(RULEBOOK_PATH)
RAW = json.loads(RULEBOOK_PATH.read_text(encoding="utf-8"))

AINO = {
    # code: (unit, price per unit, granted money this month, money used)
    "home_care": LineState("home_care", Unit.HOUR, 3990, 79_800, 6 * 3990),
    "carers_leave": LineState("carers_leave", Unit.DAY, 10_000, 40_000, 10_000),
    "cleaning": LineState("cleaning", Unit.HOUR, 3500, 17_500, 8750),
    "transport": LineState("transport", Unit.VISIT, 2500, 15_000, 5000),
    "gym_card": LineState("gym_card", Unit.EURO, 100, 4100, 2400),
    "day_activity": LineState("day_activity", Unit.DAY, 6500, 19_500, 0),
}


def code_of(*args, lines=AINO, **kwargs) -> str:
    with pytest.raises(SwapError) as caught:
        preview_swap(RULEBOOK, lines, *args, **kwargs)
    return caught.value.code


# ---------------------------------------------------------------------- preview


def test_two_carers_leave_days_buy_five_home_care_hours():
    p = preview_swap(RULEBOOK, AINO, "carers_leave", "home_care", D(2))
    assert p.requested_cents == p.moved_cents == 20_000  # hours are bought with all of it
    assert p.to_units == D(5)  # 200 € / 39,90 € = 5 h 0 min (rounded down to minutes)
    assert p.remainder_cents == 0
    assert p.from_remaining_after_cents == 10_000 and p.from_remaining_after == 1
    assert p.to_remaining_after_cents == 79_800 - 23_940 + 20_000
    assert p.to_remaining_after == D(19)
    assert not p.needs_approval


def test_whole_trips_only_and_the_rest_stays_where_it_was():
    lines = dict(AINO, carers_leave=LineState("carers_leave", Unit.DAY, 9900, 39_600, 0),
                 transport=LineState("transport", Unit.VISIT, 2300, 13_800, 0))
    p = preview_swap(RULEBOOK, lines, "carers_leave", "transport", D(1))
    assert p.requested_cents == 9900  # one day at the chosen provider's 99,00 €
    assert p.to_units == 4 and p.moved_cents == 9200
    assert p.remainder_cents == 700  # stays as carer's leave
    assert p.from_remaining_after_cents == 39_600 - 9200
    assert p.from_remaining_after == 3  # 304,00 € buys three whole days at 99 €


def test_days_are_swapped_whole():
    assert code_of("carers_leave", "home_care", D("0.5")) == "not_whole"


def test_home_care_to_cleaning_moves_all_the_money():
    p = preview_swap(RULEBOOK, AINO, "home_care", "cleaning", D(2))
    assert (p.moved_cents, p.to_units, p.remainder_cents) == (7980, D(2) + D(16) / 60, 0)


def test_approval_needed_above_the_automatic_limit_and_for_case_worker_conversions():
    assert not preview_swap(RULEBOOK, AINO, "home_care", "cleaning", D(2)).needs_approval
    assert preview_swap(RULEBOOK, AINO, "home_care", "cleaning", D(1),
                        MonthConversions(settled_cents=7980)).needs_approval
    assert preview_swap(RULEBOOK, AINO, "carers_leave", "gym_card", D(1)).needs_approval
    # The worker approving: the limit for applying at once no longer matters.
    assert not preview_swap(RULEBOOK, AINO, "carers_leave", "gym_card", D(1),
                            approving=True).needs_approval


@pytest.mark.parametrize(
    "args, code",
    [
        (("home_care", "cleaning", D(0)), "zero"),
        (("home_care", "cleaning", D(-1)), "negative"),
        (("home_care", "cleaning", D("0.001")), "too_many_decimals"),
        (("home_care", "cleaning", D("14.01")), "more_than_available"),
        (("sauna", "cleaning", D(1)), "unknown_service"),
        (("home_care", "sauna", D(1)), "unknown_service"),
        (("gym_card", "home_care", D(1)), "forbidden_conversion"),
        (("cleaning", "cleaning", D(1)), "same_service"),
        (("cleaning", "home_care", D("0.01")), "too_small"),
        (("carers_leave", "home_care", D(3)), "below_minimum"),
        (("home_care", "cleaning", D("5.01")), "over_monthly_max"),
        (("transport", "gym_card", D("1.5")), "not_whole"),
    ],
)
def test_refusal_codes(args, code):
    assert code_of(*args) == code


def test_what_can_be_swapped_respects_what_is_left_and_the_minimum():
    # 3 days left of 4, but 2 must stay carer's leave: 2 days can go.
    assert swappable_units(RULEBOOK, AINO["carers_leave"]) == 2
    # 1 day left of 4 (3 used): the minimum is met by what was used; the 1 day can go, and the
    # text never says "1 day left, you must keep 2" while allowing it.
    used_three = LineState("carers_leave", Unit.DAY, 10_000, 40_000, 30_000)
    assert swappable_units(RULEBOOK, used_three) == 1
    preview_swap(RULEBOOK, dict(AINO, carers_leave=used_three), "carers_leave", "home_care", D(1))


def test_too_small_says_the_smallest_request():
    with pytest.raises(SwapError) as caught:
        preview_swap(RULEBOOK, AINO, "cleaning", "home_care", D("0.1"))
    # A quarter of an hour of home care costs 9,975 → 9,98 €; at 35 €/h that is 0.29 h.
    assert caught.value.details["smallest"] == D("0.29")
    preview_swap(RULEBOOK, AINO, "cleaning", "home_care", D("0.29"))


def test_errors_name_the_field():
    with pytest.raises(SwapError) as caught:
        preview_swap(RULEBOOK, AINO, "gym_card", "home_care", D(1))
    assert caught.value.field == "to"
    with pytest.raises(SwapError) as caught:
        preview_swap(RULEBOOK, AINO, "sauna", "home_care", D(1))
    assert caught.value.field == "from"


def test_monthly_maximum_counts_pending_unless_approving():
    pending = MonthConversions(settled_cents=7980, pending_cents=11_970)
    assert code_of("home_care", "cleaning", D(1), pending) == "over_monthly_max"
    preview_swap(RULEBOOK, AINO, "home_care", "cleaning", D(1),
                 MonthConversions(settled_cents=7980), approving=True)


@pytest.mark.parametrize(
    "text, expected",
    [("2", D(2)), ("2,5", D("2.5")), (" 1.25 h", D("1.25")), ("3 pv", D(3)), (",5", D("0.5")),
     ("0", D(0)), ("45 €", D(45))],
)
def test_parse_amount(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    "text, code",
    [("", "amount_missing"), ("  ", "amount_missing"), ("-2", "negative"), ("−1", "negative"),
     ("kaksi", "not_a_number"), ("1 h 30 min", "not_a_number"), ("1,2,3", "not_a_number"),
     ("9" * 5000, "not_a_number"), (None, "not_a_number"), (12, "not_a_number")],
)
def test_parse_amount_refuses(text, code):
    with pytest.raises(SwapError) as caught:
        parse_amount(text)
    assert caught.value.code == code


# ---------------------------------------------------------------------- invariants

@st.composite
def situations(draw):
    lines = {}
    for code in RULEBOOK.services:
        rule = RULEBOOK.services[code]
        # The chosen provider's price may differ from the unit value either way.
        price = draw(st.integers(min_value=max(rule.unit_value_cents // 2, 1),
                                 max_value=rule.unit_value_cents * 2))
        value = draw(st.integers(min_value=0, max_value=300_000))
        used = draw(st.integers(min_value=0, max_value=value))
        lines[code] = LineState(code, rule.unit, price, value, used)
    from_code, to_code = draw(st.sampled_from(sorted(RULEBOOK.conversions)))
    amount = D(draw(st.integers(min_value=-200, max_value=4000))).scaleb(-2)
    settled = draw(st.integers(min_value=0, max_value=50_000))
    pending = draw(st.integers(min_value=0, max_value=50_000))
    return lines, from_code, to_code, amount, MonthConversions(settled, pending)


@settings(max_examples=600, deadline=None)
@given(situations())
def test_a_swap_never_changes_the_total_and_the_preview_is_the_result(situation):
    lines, from_code, to_code, amount, converted = situation
    try:
        preview = preview_swap(RULEBOOK, lines, from_code, to_code, amount, converted)
    except SwapError as error:
        assert error.code in {"zero", "negative", "not_whole", "too_many_decimals",
                              "more_than_available", "too_small", "below_minimum",
                              "over_monthly_max"}
        return
    after = apply_swap(lines, preview)
    assert month_total_cents(after) == month_total_cents(lines)
    # Euros out of the from-line = euros into the to-line, never more than asked.
    source, target = lines[from_code], lines[to_code]
    assert source.value_cents - after[from_code].value_cents == preview.moved_cents
    assert after[to_code].value_cents - target.value_cents == preview.moved_cents
    assert 0 < preview.moved_cents <= preview.requested_cents
    assert preview.requested_cents <= amount * source.unit_charge_cents
    assert preview.remainder_cents == preview.requested_cents - preview.moved_cents
    # What the preview says is left is what the ledger will say: same money, same function.
    assert after[from_code].remaining_cents == preview.from_remaining_after_cents >= 0
    assert after[from_code].remaining_buys == preview.from_remaining_after
    assert after[to_code].remaining_cents == preview.to_remaining_after_cents
    assert after[to_code].remaining_buys == preview.to_remaining_after
    # What the person is told they get can really be bought with the money moved.
    assert preview.to_units * target.unit_charge_cents <= preview.moved_cents
    if target.unit in (Unit.DAY, Unit.VISIT):
        assert preview.to_units == preview.to_units.to_integral_value()
        assert preview.moved_cents == preview.to_units * target.unit_charge_cents
    # The rulebook's monthly minimum and maximum hold.
    keep = RULEBOOK.services[from_code].min_keep_per_month * source.unit_charge_cents
    assert after[from_code].value_cents >= int(keep)
    maximum = preview.rule.max_per_month_cents
    if maximum is not None:
        assert converted.settled_cents + converted.pending_cents + preview.moved_cents <= maximum


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(RULEBOOK.conversions)),
                          st.integers(min_value=1, max_value=800)), max_size=12))
def test_a_series_of_swaps_keeps_the_total(steps):
    lines = dict(AINO, personal_assistance=LineState("personal_assistance", Unit.HOUR, 2200,
                                                     88_000, 22_000))
    total = month_total_cents(lines)
    for (from_code, to_code), hundredths in steps:
        try:
            preview = preview_swap(RULEBOOK, lines, from_code, to_code, D(hundredths).scaleb(-2))
        except SwapError:
            continue
        lines = apply_swap(lines, preview)
        assert month_total_cents(lines) == total
        assert lines[from_code].remaining_cents >= 0


# ---------------------------------------------------------------------- rulebook loader


def test_demo_rulebook_loads():
    assert RULEBOOK.version == "EKHVA-2026.1"
    assert RULEBOOK.organizer_business_id == "9000105-7"
    assert RULEBOOK.targets("carers_leave")[:2] == ["home_care", "day_activity"]
    assert RULEBOOK.conversion("home_care", "cleaning").max_per_month_cents == 19_950
    assert RULEBOOK.conversion("gym_card", "home_care") is None


def broken(change) -> RulebookError:
    data = copy.deepcopy(RAW)
    change(data)
    with pytest.raises(RulebookError) as caught:
        parse_rulebook(data)
    return caught.value


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda d: d.pop("version"), "version"),
        (lambda d: d.update(format="v2"), "format"),
        (lambda d: d.update(valid_from="1.1.2026"), "valid_from"),
        (lambda d: d["services"]["home_care"].update(unit="hours"), "services.home_care.unit"),
        (lambda d: d["services"]["home_care"].update(unit_value_cents=39.9),
         "services.home_care.unit_value_cents"),
        (lambda d: d["services"]["carers_leave"].update(min_keep_per_month=2),
         "services.carers_leave.min_keep_per_month"),
        (lambda d: d["services"]["carers_leave"].update(min_keep_per_month="-1"),
         "services.carers_leave.min_keep_per_month"),
        (lambda d: d["services"]["cleaning"].update(colour="red"), "services.cleaning.colour"),
        (lambda d: d["conversions"][0].update(to="sauna"), "conversions[0].to"),
        (lambda d: d["conversions"][1].update(approval="maybe"), "conversions[1].approval"),
        (lambda d: d["conversions"][2].update(max_per_month_units="2"),
         "conversions[2].max_per_month_units"),
        (lambda d: d["conversions"][0].update(automatic_up_to_cents=50_000),
         "conversions[0].automatic_up_to_cents"),
        (lambda d: d["conversions"].append(dict(d["conversions"][0])), "conversions[12]"),
        (lambda d: d["conversions"][3].update({"from": "transport", "to": "transport"}),
         "conversions[3].to"),
    ],
)
def test_bad_rulebook_names_the_field(change, field):
    error = broken(change)
    assert error.field == field
    assert field in str(error)


def test_rulebook_file_that_is_not_json(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{version: 1", encoding="utf-8")
    with pytest.raises(RulebookError) as caught:
        load_rulebook(path)
    assert caught.value.field == "(file)"
