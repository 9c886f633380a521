"""Voucher codes (palveluseteli): `HB-XXXX-XXXX`, short, unambiguous and not guessable.

Eight characters from an alphabet without look-alikes (no 0/O, 1/I/L, U/V) give 28^8 ≈ 3.8·10^11
codes; they are drawn with `secrets`, so knowing one code says nothing about another. People type
them back, so `normalize_voucher_code` forgives case, spaces and missing dashes.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
_BODY = 8
_PATTERN = re.compile(rf"^HB-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")


def new_voucher_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(_BODY))
    return f"HB-{body[:4]}-{body[4:]}"


def is_voucher_code(code: str) -> bool:
    return bool(_PATTERN.match(code))


def normalize_voucher_code(text: str) -> str | None:
    """The canonical code for what a person or a system typed, or None when it cannot be one."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    compact = re.sub(r"[\s\-]", "", text).upper()
    if compact.startswith("HB"):
        compact = compact[2:]
    if len(compact) != _BODY or any(ch not in ALPHABET for ch in compact):
        return None
    return f"HB-{compact[:4]}-{compact[4:]}"
