"""The pure decision rules: numbers, units, periods, totals and what a change changed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from hbapp.demo_people import DEMO_CLIENT_NEW_CODE, DEMO_PEOPLE
from hbapp.domain.decisions import (
    AdditionDraft,
    DecisionDraft,
    DecisionError,
    LineDraft,
    PricedLine,
    check_draft,
    end_of_month,
    format_number,
    line_changes,
    monthly_total_cents,
    number_sequence,
    parse_month_year,
    parse_units,
)
from hbapp.domain.identifiers import is_temporary_identity_code, is_valid_personal_identity_code

TODAY = date(2026, 11, 20)


def draft(**changes) -> DecisionDraft:
    values = dict(decision_date=TODAY, valid_from=date(2026, 12, 1), valid_to=None,
                  reason="Tarvitset apua kotona.",
                  lines=(LineDraft("home_care", Decimal(20)),), additions=())
    values.update(changes)
    return DecisionDraft(**values)


def test_numbers_are_prefix_year_and_a_zero_padded_sequence():
    assert format_number(2026, 42) == "HB-2026-0042"
    assert format_number(2027, 12345) == "HB-2027-12345"
    assert number_sequence("HB-2026-0042") == (2026, 42)
    assert number_sequence("OLD/17") is None


@pytest.mark.parametrize("text,expected", [("20", Decimal(20)), ("2,5", Decimal("2.5")),
                                           (" 1 000 ", Decimal(1000)), ("0.125", Decimal("0.125"))])
def test_units_typed_by_people(text, expected):
    assert parse_units(text) == expected


@pytest.mark.parametrize("text,code", [("", "units_missing"), ("abc", "units_not_a_number"),
                                       ("-3", "units_not_a_number"), ("0", "units_not_positive"),
                                       ("1e9", "units_not_a_number"),
                                       ("100001", "units_too_large"),
                                       ("1,2345", "units_too_precise")])
def test_bad_units_are_refused_with_a_reason(text, code):
    with pytest.raises(DecisionError) as error:
        parse_units(text, "units_x")
    assert (error.value.code, error.value.field) == (code, "units_x")


def test_months_and_their_last_days():
    assert parse_month_year("3", "2026", "valid_from") == date(2026, 3, 1)
    assert end_of_month(date(2028, 2, 10)) == date(2028, 2, 29)
    for month, year in (("13", "2026"), ("x", "2026"), ("3", "26"), ("0", "2026")):
        with pytest.raises(DecisionError):
            parse_month_year(month, year, "valid_from")


def test_a_good_draft_passes_and_each_rule_is_checked():
    check_draft(draft(), TODAY)
    cases = [
        (dict(decision_date=date(2026, 11, 21)), "decision_date_in_future"),
        (dict(valid_from=date(2026, 12, 2)), "start_not_first_day"),
        (dict(valid_from=date(2026, 10, 1)), "start_in_past"),
        (dict(valid_to=date(2026, 12, 30)), "end_not_last_day"),
        (dict(valid_to=date(2026, 11, 30)), "end_before_start"),
        (dict(reason="   "), "reason_missing"),
        (dict(lines=()), "no_lines"),
        (dict(lines=(LineDraft("home_care", Decimal(1)), LineDraft("home_care", Decimal(2)))),
         "service_twice"),
        (dict(lines=(LineDraft("home_care", Decimal(1), {"weekday_day": 4100}, ""),)),
         "value_reason_missing"),
        (dict(additions=(AdditionDraft("Matka", 0, date(2026, 12, 1)),)),
         "addition_not_positive"),
        (dict(valid_to=date(2026, 12, 31),
              additions=(AdditionDraft("Matka", 100, date(2027, 1, 1)),)),
         "addition_outside_period"),
    ]
    for changes, code in cases:
        with pytest.raises(DecisionError) as error:
            check_draft(draft(**changes), TODAY)
        assert error.value.code == code, changes
    check_draft(draft(valid_from=date(2020, 1, 1)), TODAY, allow_past=True)


def test_the_months_total_counts_one_off_and_monthly_additions():
    lines = [PricedLine("home_care", Decimal(20), 3990), PricedLine("cleaning", Decimal(5), 3500)]
    additions = [AdditionDraft("Matka", 18_000, date(2026, 12, 1)),
                 AdditionDraft("Kuntosali", 4_100, date(2027, 1, 1), monthly=True)]
    assert monthly_total_cents(lines, additions, date(2026, 12, 1)) == 79_800 + 17_500 + 18_000
    assert monthly_total_cents(lines, additions, date(2027, 3, 1)) == 79_800 + 17_500 + 4_100


def test_what_a_change_changed():
    old = [PricedLine("home_care", Decimal(20), 3990), PricedLine("carers_leave", Decimal(4),
                                                                   10_000)]
    new = [PricedLine("home_care", Decimal(25), 4150), PricedLine("cleaning", Decimal(5), 3500)]
    changes = [(c.kind, c.service_code) for c in line_changes(old, new)]
    assert changes == [("units", "home_care"), ("value", "home_care"), ("added", "cleaning"),
                       ("removed", "carers_leave")]
    assert line_changes(old, old) == []


def test_every_demo_person_has_a_distinct_valid_temporary_identity_code():
    codes = [person.identity_code for person in DEMO_PEOPLE]
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert is_valid_personal_identity_code(code) and is_temporary_identity_code(code)
    assert DEMO_CLIENT_NEW_CODE in codes
    assert [p.subject for p in DEMO_PEOPLE if not p.seeded] == ["demo-client-new"]
