"""Reading a provider's CSV file of service events (pure: hbapp.domain.event_csv)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from hbapp.domain.event_csv import (
    COLUMNS,
    MAX_BYTES,
    MAX_ROWS,
    parse_events_csv,
    rejected_csv,
)

HEADER = "voucher;service_code;start;end;date;units;km;external_id\n"


def _one(text: str):
    parsed = parse_events_csv(text.encode("utf-8"))
    assert parsed.problem is None, parsed.problem
    return parsed.rows


def test_hour_and_day_rows_in_both_date_forms_and_decimal_comma():
    rows = _one(HEADER
                + "hb-abcd-efgh;home_care;2026-03-14 18:00;2026-03-14 19:30;;;;v-1\n"
                + "HB-ABCD-EFGH;home_care;18:00;19:30;14.3.2026;;;\n"
                + "HB-WXYZ-2345;carer_leave;;;1.2.2026;2,5;12,5;\n")
    first, second, third = rows
    assert first.line == 2 and first.problem is None
    assert first.fields["start"] == datetime(2026, 3, 14, 18, 0)
    assert first.fields["end"] == datetime(2026, 3, 14, 19, 30)
    assert first.fields["day"] is None and first.fields["external_id"] == "v-1"
    assert second.fields["start"] == datetime(2026, 3, 14, 18, 0)
    assert second.fields["external_id"].startswith("csv:")
    assert third.fields["day"] == date(2026, 2, 1)
    assert third.fields["units"] == Decimal("2.5") and third.fields["km"] == Decimal("12.5")


def test_comma_delimiter_bom_and_windows_1252():
    text = "voucher,service_code,date,units,external_id\nHB-ABCD-EFGH,cleaning,2.3.2026,1,Ä-1\n"
    for data in (text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode("utf-8"),
                 text.encode("cp1252")):
        parsed = parse_events_csv(data)
        assert parsed.problem is None and parsed.delimiter == ","
        assert parsed.rows[0].fields["external_id"] == "Ä-1"


def test_every_kind_of_bad_row_is_reported_by_its_line():
    rows = _one(HEADER
                + ";home_care;;;1.3.2026;1;;\n"  # 2 no voucher
                + "HB-ABCD-EFGH;;;;1.3.2026;1;;\n"  # 3 no service
                + "HB-ABCD-EFGH;x;;;31.2.2026;1;;\n"  # 4 no such date
                + "HB-ABCD-EFGH;x;25:00;26:00;1.3.2026;;;\n"  # 5 no such time
                + "HB-ABCD-EFGH;x;18:00;19:00;;;;\n"  # 6 a time without a day
                + "HB-ABCD-EFGH;x;;;1.3.2026;kaksi;;\n"  # 7 not a number
                + "HB-ABCD-EFGH;x;;;1.3.2026;-1;;\n"  # 8 negative
                + "HB-ABCD-EFGH;x;;;1.3.2026;1;99999;\n"  # 9 too many km
                + "HB-ABCD-EFGH;x;;;;1;;\n"  # 10 no date at all
                + "HB-ABCD-EFGH;x;;;1.3.2026;1;;" + "e" * 101 + "\n"  # 11 long id
                + "HB-ABCD-EFGH;x;;;1.3.2026;1;;;extra\n"  # 12 too many fields
                + "HB-ABCD-EFGH;x\x07;;;1.3.2026;1;;\n"  # 13 a control character
                + "HB-ABCD-EFGH;x;;19:00;1.3.2026;;;\n"  # 14 an end without a start
                + "HB-ABCD-EFGH;x;tomorrow;;;;;\n")  # 15 not a time
    problems = {row.line: (row.problem.code, row.problem.field) for row in rows}
    assert problems == {
        2: ("missing_field", "voucher"), 3: ("missing_field", "service_code"),
        4: ("bad_date", "date"), 5: ("bad_time_format", "start"),
        6: ("time_without_date", "start"), 7: ("bad_number", "units"),
        8: ("bad_number", "units"), 9: ("number_too_large", "km"),
        10: ("missing_field", "date"), 11: ("too_long", "external_id"),
        12: ("too_many_fields", None), 13: ("control_character", "service_code"),
        14: ("missing_field", "start"), 15: ("bad_datetime", "start"),
    }


def test_file_problems():
    assert parse_events_csv(b"").problem.code == "no_header"
    assert parse_events_csv(b"voucher;price\n").problem.code == "bad_header"
    assert parse_events_csv(b"voucher;service_code;voucher\n").problem.code == "repeated_column"
    assert parse_events_csv(HEADER.encode()).problem.code == "no_rows"
    assert parse_events_csv(b"voucher;service_code\n\x00\n").problem.code == "not_text"
    assert parse_events_csv(b"x" * (MAX_BYTES + 1)).problem.code == "file_too_large"
    assert parse_events_csv(b'voucher;service_code\n"HB;x\n').problem.code == "not_csv"


def test_quoted_fields_keep_their_line_numbers():
    rows = _one('voucher;service_code;date;units;external_id\n'
                '"HB-ABCD-EFGH";"cleaning";1.3.2026;1;"a\nb"\n'
                'HB-ABCD-EFGH;cleaning;x;1;\n')
    assert rows[0].problem.code == "control_character"  # a line break inside an id
    assert rows[1].line == 4 and rows[1].problem.code == "bad_date"


def test_ten_thousand_rows_are_within_the_limit_and_one_more_is_not():
    row = "HB-ABCD-EFGH;cleaning;;;1.3.2026;1;;\n"
    parsed = parse_events_csv((HEADER + row * MAX_ROWS).encode())
    assert parsed.problem is None and len(parsed.rows) == MAX_ROWS
    assert len(HEADER + row * MAX_ROWS) < MAX_BYTES
    assert parse_events_csv((HEADER + row * (MAX_ROWS + 1)).encode()).problem.code \
        == "too_many_rows"


def test_derived_ids_are_stable_and_identical_rows_stay_two():
    text = HEADER + "HB-ABCD-EFGH;cleaning;;;1.3.2026;1;;\n" * 2 \
        + "hb abcd efgh;cleaning;;;2026-03-01;1,0;0;\n"
    first = [row.fields["external_id"] for row in _one(text)]
    again = [row.fields["external_id"] for row in _one(text)]
    assert first == again
    assert first[0] != first[1]
    assert len(set(first)) == 3  # three rows, three events
    # The same row written another way is the same event (the first of its kind).
    alone = _one(HEADER + "hb abcd efgh;cleaning;;;2026-03-01;1,0;0;\n")
    assert alone[0].fields["external_id"] == first[0]


def test_rejected_csv_keeps_the_columns_and_adds_error_without_formulas():
    text = rejected_csv(["voucher", "units"], ";", [({"voucher": "=HYPERLINK()", "units": "-1"},
                                                      "2: bad")])
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows == [["voucher", "units", "error"], ["'=HYPERLINK()", "-1", "2: bad"]]


CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CELL, min_size=0, max_size=10), max_size=8),
       st.sampled_from([";", ","]))
def test_any_table_is_read_without_crashing(table, delimiter):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(COLUMNS)
    writer.writerows(table)
    parsed = parse_events_csv(out.getvalue().encode("utf-8"))
    for row in parsed.rows:
        assert (row.fields is None) != (row.problem is None)
        assert row.line >= 2


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=500))
def test_any_bytes_are_read_without_crashing(data):
    parsed = parse_events_csv(b"voucher;service_code;date;units\n" + data)
    assert parsed.problem is not None or all(row.line >= 2 for row in parsed.rows)


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
       st.integers(0, 23), st.integers(0, 59), st.booleans())
def test_dates_and_times_round_trip(day, hour, minute, finnish):
    written = f"{day.day}.{day.month}.{day.year}" if finnish else day.isoformat()
    rows = _one(f"voucher;service_code;start;end\nHB-ABCD-EFGH;home_care;{written} "
                f"{hour:02d}:{minute:02d};{written} 23:59\n")
    assert rows[0].fields["start"] == datetime(day.year, day.month, day.day, hour, minute)
