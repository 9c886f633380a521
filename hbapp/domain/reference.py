"""Finnish invoicing references (viitenumero) and their RF creditor-reference form.

The national reference (Finanssiala's "kotimainen viite"): a base of 3–19 digits and one check
digit. The check digit weights the base's digits 7, 3, 1, 7, 3, 1 … from the right; it is the
difference of the weighted sum to the next multiple of ten (0 when the sum is one). It is
printed in groups of five digits from the right, e.g. ``12 34561 4`` → ``123 45614``.

The international form is the ISO 11649 creditor reference: ``RF``, two check digits and the
reference (here the national reference without leading zeros). The check digits are computed as
in IBAN (ISO 7064 mod 97-10): move ``RF00`` to the end, letters become 10–35, and the check is
98 minus the number mod 97. It is printed in groups of four, e.g. ``RF18 5390 0754 7034``.
"""

from __future__ import annotations

import re

WEIGHTS = (7, 3, 1)
MIN_BASE, MAX_BASE = 3, 19
RF_MAX_REFERENCE = 21  # ISO 11649: at most 21 characters after RF and the check digits

_SPACES = re.compile(r"[\s]+")
_ALNUM = re.compile(r"[0-9A-Z]+")


class ReferenceError(ValueError):
    """A base that cannot be made into a reference (not digits, too short or too long)."""


def _compact(text: str) -> str:
    return _SPACES.sub("", text or "").upper()


def check_digit(base: str) -> int:
    """The 7-3-1 check digit of a base of 3–19 digits."""
    if not base.isascii() or not base.isdigit() or not MIN_BASE <= len(base) <= MAX_BASE:
        raise ReferenceError(f"a reference base is 3–19 digits, not {base!r}")
    total = sum(int(digit) * WEIGHTS[i % 3] for i, digit in enumerate(reversed(base)))
    return (10 - total % 10) % 10


def make_reference(base: str) -> str:
    """The base with its check digit appended, compact (no spaces)."""
    base = _compact(base)
    return base + str(check_digit(base))


def is_valid_reference(text: str) -> bool:
    """A national reference (spaces allowed between the digits) with a right check digit."""
    compact = _compact(text)
    if not compact.isascii() or not compact.isdigit() or not 4 <= len(compact) <= 20:
        return False
    if compact[:-1].strip("0") == "":
        return False  # an all-zero base carries no information
    return check_digit(compact[:-1]) == int(compact[-1])


def format_reference(reference: str) -> str:
    """Groups of five from the right: 1234561 4 → '123 45614'."""
    compact = _compact(reference)
    groups = []
    while compact:
        groups.append(compact[-5:])
        compact = compact[:-5]
    return " ".join(reversed(groups))


def _mod97(text: str) -> int:
    """ISO 7064 mod 97-10 of an alphanumeric string, letters A=10 … Z=35."""
    remainder = 0
    for char in text:
        for digit in str(int(char, 36)):
            remainder = (remainder * 10 + int(digit)) % 97
    return remainder


def rf_reference(reference: str) -> str:
    """The ISO 11649 form of a reference (compact): 'RF' + check digits + the reference.

    A national reference is carried without its leading zeros, as Finnish banks convert it.
    """
    body = _compact(reference)
    if body.isdigit():
        body = body.lstrip("0") or "0"
    if not body or not _ALNUM.fullmatch(body) or len(body) > RF_MAX_REFERENCE:
        raise ReferenceError(f"an RF reference carries 1–21 letters or digits, not {reference!r}")
    check = 98 - _mod97(body + "RF00")
    return f"RF{check:02d}{body}"


def is_valid_rf(text: str) -> bool:
    """An ISO 11649 creditor reference (spaces allowed, any case) with right check digits."""
    compact = _compact(text)
    if (len(compact) < 5 or len(compact) > 4 + RF_MAX_REFERENCE or not compact.startswith("RF")
            or not compact[2:4].isdigit() or not _ALNUM.fullmatch(compact[4:])):
        return False
    return _mod97(compact[4:] + compact[:4]) == 1


def format_rf(reference: str) -> str:
    """Groups of four from the left: 'RF18 5390 0754 7034'."""
    compact = _compact(reference)
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def rf_to_national(rf: str) -> str | None:
    """The national reference inside an RF reference, when it is one (digits, valid)."""
    if not is_valid_rf(rf):
        return None
    body = _compact(rf)[4:]
    if body.isdigit() and len(body) < 4:
        body = body.zfill(4)  # the leading zeros the RF form dropped
    return body if is_valid_reference(body) else None


def settlement_reference(year: int, month: int, provider_id: int) -> str:
    """The reference of one provider's settlement of one month: base YYYYMM + the provider id
    (at least 4 digits), then the check digit. Unique per provider and month, and readable: a
    clerk sees the month and the provider in it."""
    if not 1 <= month <= 12 or not 1000 <= year <= 9999 or provider_id < 0:
        raise ReferenceError("bad month or provider for a settlement reference")
    return make_reference(f"{year:04d}{month:02d}{provider_id:04d}")
