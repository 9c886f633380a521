"""The pure swap rules and the rulebook loader, with property tests of the invariants."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hbapp.domain.money import cents_for
from hbapp.domain.rulebook import RulebookError, load_rulebook, parse_rulebook
from hbapp.domain.swaps import (
    LineState,
    MonthConversions,
    SwapError,
    apply_swap,
    month_total_cents,
    parse_amount,
    preview_swap,
    quantum_cents,
)
from hbapp.domain.units import Unit

D = Decimal
RULEBOOK_PATH = Path(__file__).resolve().parents[2] / "hbapp" / "rulebooks" / "9000105-7.json"
RULEBOOK = load_rulebook(RULEBOOK_PATH)
RAW = json.loads(RULEBOOK_PATH.read_text(encoding="utf-8"))

AINO = {
    "home_care": LineState("home_care", Unit.HOUR, 3990, D(20), D(6)),
    "carers_leave": LineState("carers_leave", Unit.DAY, 10000, D(4), D(1)),
    "cleaning": LineState("cleaning", Unit.HOUR, 3500, D(5), D("2.5")),
    "transport": LineState("transport", Unit.VISIT, 2500, D(6), D(2)),
    "gym_card": LineState("gym_card", Unit.EURO, 100, D(41), D(24)),
    "day_activity": LineState("day_activity", Unit.DAY, 6500, D(3), D(0)),
}


def code_of(*args, **kwargs) -> str:
    with pytest.raises(SwapError) as caught:
        preview_swap(RULEBOOK, AINO, *args, **kwargs)
    return caught.value.code


# ---------------------------------------------------------------------- preview


def test_two_carers_leave_days_buy_five_home_care_hours():
    p = preview_swap(RULEBOOK, AINO, "carers_leave", "home_care", D(2))
    assert p.requested_cents == 20_000
    assert p.moved_cents == 19_950
    assert p.to_units == D(5)
    assert p.from_units == D("1.995")
    assert p.remainder_cents == 50
    assert p.from_granted_after == D("2.005")
    assert p.to_remaining_after == D(19)
    assert not p.needs_approval


def test_quanta():
    assert quantum_cents(3990) == 399  # 0.1 h of home care
    assert quantum_cents(10_000) == 10
    assert quantum_cents(100) == 1
    assert quantum_cents(2500) == 5


def test_home_care_to_cleaning_is_exact_to_the_cent():
    p = preview_swap(RULEBOOK, AINO, "home_care", "cleaning", D(2))
    assert (p.moved_cents, p.from_units, p.to_units, p.remainder_cents) == (7980, D(2),
                                                                            D("2.28"), 0)


def test_approval_needed_above_the_automatic_limit_and_for_case_worker_conversions():
    assert not preview_swap(RULEBOOK, AINO, "home_care", "cleaning", D(2)).needs_approval
    assert preview_swap(RULEBOOK, AINO, "home_care", "cleaning", D(1),
                        MonthConversions(settled_cents=7980)).needs_approval
    assert preview_swap(RULEBOOK, AINO, "carers_leave", "gym_card", D("0.5")).needs_approval
    # The worker approving: the limit for applying at once no longer matters.
    assert not preview_swap(RULEBOOK, AINO, "carers_leave", "gym_card", D("0.5"),
                            approving=True).needs_approval


@pytest.mark.parametrize(
    "args, code",
    [
        (("home_care", "cleaning", D(0)), "zero"),
        (("home_care", "cleaning", D(-1)), "negative"),
        (("home_care", "cleaning", D("0.0001")), "too_many_decimals"),
        (("home_care", "cleaning", D("14.001")), "more_than_available"),
        (("sauna", "cleaning", D(1)), "unknown_service"),
        (("home_care", "sauna", D(1)), "unknown_service"),
        (("gym_card", "home_care", D(1)), "forbidden_conversion"),
        (("cleaning", "cleaning", D(1)), "same_service"),
        (("carers_leave", "home_care", D("0.39")), "too_small"),
        (("carers_leave", "home_care", D("2.5")), "below_minimum"),
        (("home_care", "cleaning", D("5.1")), "over_monthly_max"),
    ],
)
def test_refusal_codes(args, code):
    assert code_of(*args) == code


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


def test_a_line_whose_value_differs_from_the_rulebook_is_refused():
    lines = dict(AINO, cleaning=LineState("cleaning", Unit.HOUR, 3600, D(5), D(0)))
    with pytest.raises(SwapError) as caught:
        preview_swap(RULEBOOK, lines, "home_care", "cleaning", D(1))
    assert caught.value.code == "rulebook_mismatch"


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
     ("kaksi", "not_a_number"), ("1 h 30 min", "not_a_number"), ("1,2,3", "not_a_number")],
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
        granted = D(draw(st.integers(min_value=0, max_value=60_000))).scaleb(-3)
        used_share = draw(st.integers(min_value=0, max_value=100))
        used = (granted * used_share / 100).quantize(D("0.001"), rounding="ROUND_DOWN")
        lines[code] = LineState(code, rule.unit, rule.unit_value_cents, granted, used)
    from_code, to_code = draw(st.sampled_from(sorted(RULEBOOK.conversions)))
    amount = D(draw(st.integers(min_value=-2000, max_value=40_000))).scaleb(-3)
    settled = draw(st.integers(min_value=0, max_value=50_000))
    pending = draw(st.integers(min_value=0, max_value=50_000))
    return lines, from_code, to_code, amount, MonthConversions(settled, pending)


@settings(max_examples=600, deadline=None)
@given(situations())
def test_a_swap_never_changes_the_total_or_overspends(situation):
    lines, from_code, to_code, amount, converted = situation
    try:
        preview = preview_swap(RULEBOOK, lines, from_code, to_code, amount, converted)
    except SwapError as error:
        assert error.code in {"zero", "negative", "more_than_available", "too_small",
                              "below_minimum", "over_monthly_max"}
        return
    after = apply_swap(lines, preview)
    assert month_total_cents(after) == month_total_cents(lines)
    # Euros out of the from-line = euros into the to-line, never more than asked.
    source, target = lines[from_code], lines[to_code]
    assert source.value_cents - after[from_code].value_cents == preview.moved_cents
    assert after[to_code].value_cents - target.value_cents == preview.moved_cents
    assert 0 < preview.moved_cents <= cents_for(amount, source.unit_value_cents)
    assert preview.from_units <= amount
    assert preview.remainder_cents == preview.requested_cents - preview.moved_cents
    # No balance goes negative, no minimum breaks, the monthly maximum holds.
    assert after[from_code].remaining_units >= 0
    assert after[to_code].remaining_units >= target.remaining_units
    assert after[from_code].granted_units >= RULEBOOK.services[from_code].min_keep_per_month
    maximum = preview.rule.max_per_month_cents
    if maximum is not None:
        assert converted.settled_cents + converted.pending_cents + preview.moved_cents <= maximum
    # Stored with 3 decimals, exactly.
    assert preview.from_units == preview.from_units.quantize(D("0.001"))
    assert preview.to_units == preview.to_units.quantize(D("0.001"))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(RULEBOOK.conversions)),
                          st.integers(min_value=1, max_value=8000)), max_size=12))
def test_a_series_of_swaps_keeps_the_total(steps):
    lines = dict(AINO, personal_assistance=LineState("personal_assistance", Unit.HOUR, 2200,
                                                     D(40), D(10)))
    total = month_total_cents(lines)
    for (from_code, to_code), thousandths in steps:
        try:
            preview = preview_swap(RULEBOOK, lines, from_code, to_code, D(thousandths).scaleb(-3))
        except SwapError:
            continue
        lines = apply_swap(lines, preview)
        assert month_total_cents(lines) == total
        assert lines[from_code].remaining_units >= 0


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
