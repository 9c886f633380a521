"""Untrusted input turned into bounded values: ids from addresses and forms, months, JSON.

Everything that comes from a URL, a form, an API body or a file is parsed here first, so that
a 20-digit id never reaches the database (PostgreSQL's `integer` overflows and the request
crashes), `/budget?month=9999-12` never reaches date arithmetic past year 9999, and a JSON
body cannot exhaust the interpreter's stack or smuggle a lone surrogate into a response.
Pure functions: no Reflex, no database.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date

__all__ = [
    "MAX_ID",
    "MAX_YEAR",
    "MIN_YEAR",
    "JsonInputError",
    "bounded_step",
    "loads_json",
    "parse_id",
    "parse_month",
    "read_stdin",
    "text_param",
]

MAX_ID = 2**31 - 1  # the largest value of an SQL `integer` column (PostgreSQL's int4)
MIN_YEAR, MAX_YEAR = 2000, 2100  # months outside these years are not budget months
MAX_JSON_DEPTH = 32
MAX_JSON_INT_DIGITS = 30

_DIGITS = re.compile(r"[0-9]{1,10}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def parse_id(value: object) -> int | None:
    """A database id from an address, a form or a payload: 1..MAX_ID, else None.

    Only ASCII digits count: `str.isdigit` also accepts "²" or Arabic-Indic digits, some of
    which `int()` then refuses. Lists (a repeated query parameter) and bools are not ids.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= MAX_ID else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def text_param(value: object, max_length: int = 100) -> str:
    """A short text from an address (a repeated parameter arrives as a list): "" unless a str."""
    if not isinstance(value, str) or len(value) > max_length:
        return ""
    return value


def parse_month(value: object) -> date | None:
    """'2026-11' → date(2026, 11, 1); None for anything else or a year outside the bounds."""
    if not isinstance(value, str):
        return None
    match = _MONTH.fullmatch(value.strip())
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def bounded_step(value: object, limit: int = 12) -> int:
    """A step (e.g. months to move) clamped to ±limit; 0 for anything that is not an int."""
    if isinstance(value, bool) or not isinstance(value, int):
        return 0
    return max(-limit, min(limit, value))


class JsonInputError(ValueError):
    """The text is not acceptable JSON. `code`: syntax, too_deep, number, text."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def _check_depth(text: str, max_depth: int) -> None:
    """Refuse nesting deeper than max_depth before the parser recurses into it."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                raise JsonInputError("too_deep", f"nested deeper than {max_depth} levels")
        elif char in "]}":
            depth -= 1


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_INT_DIGITS:
        raise JsonInputError("number", f"an integer with more than {MAX_JSON_INT_DIGITS} digits")
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonInputError("number", "a number too large to represent")
    return value


def _reject_constant(name: str) -> None:
    raise JsonInputError("number", f"{name} is not allowed")


def _check_text(value: object) -> None:
    """Every string and key must be encodable as UTF-8 (no lone surrogates from \\ud800)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise JsonInputError("text", "a string with a lone surrogate") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)
    elif isinstance(value, list):
        for item in value:
            _check_text(item)


def read_stdin() -> bytes | str:
    """Standard input as bytes when it has them (so bad UTF-8 is a JsonInputError, not a
    crash while reading), else as text (a replaced sys.stdin, as in tests)."""
    import sys

    buffer = getattr(sys.stdin, "buffer", None)
    return buffer.read() if buffer is not None else sys.stdin.read()


def loads_json(data: str | bytes, max_depth: int = MAX_JSON_DEPTH) -> object:
    """`json.loads` for untrusted input: JsonInputError instead of RecursionError, of a
    5 000-digit integer's ValueError, of NaN/Infinity, or of text that cannot be sent back."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise JsonInputError("text", "not UTF-8") from None
    _check_depth(data, max_depth)
    try:
        value = json.loads(data, parse_int=_parse_int, parse_float=_parse_float,
                           parse_constant=_reject_constant)
    except JsonInputError:
        raise
    except (ValueError, RecursionError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise JsonInputError("syntax", first_line) from None
    _check_text(value)
    return value
