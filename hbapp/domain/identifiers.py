"""Finnish identifiers: personal identity code (henkilötunnus) and business ID (Y-tunnus).

Errors are InvalidIdentifier with a short English reason for logs; the UI shows its own translated
text by catching the exception type.
"""

from __future__ import annotations

import re
from datetime import date

__all__ = [
    "InvalidIdentifier",
    "birth_date_from_identity_code",
    "is_valid_business_id",
    "is_valid_personal_identity_code",
    "validate_business_id",
    "validate_personal_identity_code",
]


class InvalidIdentifier(ValueError):
    """The text is not a valid Finnish identifier."""


# Century signs; Y X W V U and B-F were added in 2023 next to the older - and A.
_CENTURY = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}
_CONTROL_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_IDENTITY_CODE = re.compile(
    r"^(?P<dd>[0-9]{2})(?P<mm>[0-9]{2})(?P<yy>[0-9]{2})(?P<sign>.)(?P<nnn>[0-9]{3})(?P<check>.)$"
)


def _parse_identity_code(code: str) -> tuple[str, date]:
    if not isinstance(code, str):
        raise InvalidIdentifier("identity code must be text")
    normalized = code.strip().upper()
    match = _IDENTITY_CODE.fullmatch(normalized)
    if match is None:
        raise InvalidIdentifier("identity code must look like DDMMYYCNNNX")
    century = _CENTURY.get(match["sign"])
    if century is None:
        raise InvalidIdentifier("unknown century sign")
    try:
        born = date(century + int(match["yy"]), int(match["mm"]), int(match["dd"]))
    except ValueError:
        raise InvalidIdentifier("birth date does not exist") from None
    # 000-001 are not used for people. 900-999 are temporary codes, which social and health
    # care give to people without a permanent one, so a client record must accept them.
    if not 2 <= int(match["nnn"]) <= 999:
        raise InvalidIdentifier("individual number out of range 002-999")
    expected = _CONTROL_CHARS[int(match["dd"] + match["mm"] + match["yy"] + match["nnn"]) % 31]
    if match["check"] != expected:
        raise InvalidIdentifier("control character does not match")
    return normalized, born


def validate_personal_identity_code(code: str) -> str:
    """Return the code upper-cased and stripped, or raise InvalidIdentifier."""
    return _parse_identity_code(code)[0]


def is_temporary_identity_code(code: str) -> bool:
    """A valid code with an individual number 900–999 (a temporary identity code)."""
    return int(_parse_identity_code(code)[0][7:10]) >= 900


def birth_date_from_identity_code(code: str) -> date:
    """Date of birth encoded in a valid personal identity code."""
    return _parse_identity_code(code)[1]


def is_valid_personal_identity_code(code: object) -> bool:
    try:
        _parse_identity_code(code)  # type: ignore[arg-type]
    except InvalidIdentifier:
        return False
    return True


_BUSINESS_ID = re.compile(r"^(?P<digits>[0-9]{6,7})-(?P<check>[0-9])$")
_BUSINESS_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def validate_business_id(code: str) -> str:
    """Return the Y-tunnus as "NNNNNNN-C" (old 6-digit IDs get a leading zero), or raise."""
    if not isinstance(code, str):
        raise InvalidIdentifier("business ID must be text")
    match = _BUSINESS_ID.fullmatch(code.strip())
    if match is None:
        raise InvalidIdentifier("business ID must look like 1234567-8")
    digits = match["digits"].rjust(7, "0")
    remainder = sum(w * int(d) for w, d in zip(_BUSINESS_ID_WEIGHTS, digits, strict=True)) % 11
    if remainder == 1:
        # No check digit exists for remainder 1, so such numbers are never issued.
        raise InvalidIdentifier("business ID number cannot have a check digit")
    expected = 0 if remainder == 0 else 11 - remainder
    if int(match["check"]) != expected:
        raise InvalidIdentifier("business ID check digit does not match")
    return f"{digits}-{expected}"


def is_valid_business_id(code: object) -> bool:
    try:
        validate_business_id(code)  # type: ignore[arg-type]
    except InvalidIdentifier:
        return False
    return True
