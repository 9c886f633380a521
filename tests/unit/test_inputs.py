"""Untrusted input to bounded values (hbapp.domain.inputs), shared by pages, API and CLI."""

from __future__ import annotations

import json
from datetime import date

import pytest

from hbapp.domain.inputs import (
    MAX_ID,
    JsonInputError,
    bounded_step,
    loads_json,
    parse_id,
    parse_month,
    text_param,
)
from hbapp.domain.money import MoneyFormatError, parse_euros


@pytest.mark.parametrize(("value", "expected"), [
    ("1", 1), (" 42 ", 42), (str(MAX_ID), MAX_ID), (7, 7),
    ("0", None), ("-1", None), (str(MAX_ID + 1), None), ("99999999999999999999999", None),
    ("²", None), ("١٢", None), ("1e3", None), ("", None), ("0x1f", None), (["1", "2"], None),
    (True, None), (None, None), (2**80, None), (0, None), ("1" * 5000, None),
])
def test_parse_id(value, expected):
    assert parse_id(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-11", date(2026, 11, 1)), ("2100-12", date(2100, 12, 1)),
    ("9999-12", None), ("0001-01", None), ("2026-13", None), ("2026-1", None),
    ("2026-11-01", None), ("", None), (["2026-11"], None), ("２０２６-11", None),
])
def test_parse_month(value, expected):
    assert parse_month(value) == expected


def test_bounded_step_and_text_param():
    assert [bounded_step(v) for v in (1, -1, 2**62, -(2**62), True, "1", 1.5)] == \
        [1, -1, 12, -12, 0, 0, 0]
    assert text_param("home_care") == "home_care"
    assert text_param(["a", "b"]) == "" and text_param("x" * 101) == ""


def test_loads_json_accepts_ordinary_documents():
    text = '{"a": [1, 2.5, "x]}{[", null, true], "b": {"c": "\\u00e4"}}'
    assert loads_json(text) == json.loads(text)
    assert loads_json(text.encode()) == json.loads(text)
    assert loads_json("[" * 32 + "]" * 32) is not None


@pytest.mark.parametrize(("text", "code"), [
    ("[" * 20_000 + "]" * 20_000, "too_deep"),
    ('{"a":' * 20_000 + "1" + "}" * 20_000, "too_deep"),
    ("[" * 33 + "]" * 33, "too_deep"),
    ("1" * 5000, "number"),
    ('{"a": -' + "9" * 31 + "}", "number"),
    ("1e999", "number"),
    ("NaN", "number"),
    ('["\\ud800"]', "text"),
    ('{"\\udfff": 1}', "text"),
    (b'["\xff"]', "text"),
    ("{", "syntax"),
    ("", "syntax"),
])
def test_loads_json_refuses_what_would_crash_or_echo_badly(text, code):
    with pytest.raises(JsonInputError) as refused:
        loads_json(text)
    assert refused.value.code == code


def test_parse_euros_refuses_huge_amounts_as_a_format_error():
    assert parse_euros("1 000 000 000,00") == 100_000_000_000
    for text in ("9" * 5000, "99999999999999999999"):
        with pytest.raises(MoneyFormatError):
            parse_euros(text)
