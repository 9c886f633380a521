"""Money arithmetic: integer cents and Decimal quantities, never floats.

Floats cannot represent most cent amounts exactly, so every amount is an int of cents and every
quantity of service units is a Decimal. Rounding to cents is ROUND_HALF_UP, as in Finnish invoicing.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "MoneyFormatError",
    "cents_for",
    "hours_minutes",
    "parse_euros",
    "units_for_amount",
]


class MoneyFormatError(ValueError):
    """User input could not be read as a non-negative euro amount."""


def _as_decimal(value: Decimal | int, name: str) -> Decimal:
    # Refuse floats: a float quantity would already carry a binary rounding error.
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{name} must be a Decimal or an int, not {type(value).__name__}")
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{name} must be finite")
    return result


def _as_cents(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int of cents, not {type(value).__name__}")
    return value


def cents_for(units: Decimal | int, unit_value_cents: int) -> int:
    """Value in cents of `units` at `unit_value_cents` each, rounded half-up to whole cents."""
    quantity = _as_decimal(units, "units")
    price = _as_cents(unit_value_cents, "unit_value_cents")
    return int((quantity * price).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# Spaces people (and number formatters) put between thousands: ordinary, no-break, narrow no-break,
# thin and figure space. Babel's Finnish format uses the no-break space.
_SPACES = re.compile("[ \u00a0\u202f\u2009\u2007]+")
_CURRENCY = re.compile(r"^(?:€|eur)|(?:€|eur)$", re.IGNORECASE)
# Either plain digits or digits grouped by threes with one space; a stray space such as "12 5" is
# more likely a typo than a thousands separator, so it is refused rather than read as 125.
_AMOUNT = re.compile(
    r"^(?:(?P<int>[0-9]{1,3}(?: [0-9]{3})+|[0-9]+)|(?=[.,][0-9]))"
    r"(?:[.,](?P<frac>[0-9]+))?$"
)


def parse_euros(text: str) -> int:
    """Parse a euro amount typed by a user ("12,50", "1 564,00 €", "0.5") into cents.

    Comma and point are both accepted as the decimal separator. Negative amounts, more than two
    decimals and anything that is not a number raise MoneyFormatError.
    """
    if not isinstance(text, str):
        raise MoneyFormatError("amount must be text")
    cleaned = _SPACES.sub(" ", text).strip()
    cleaned = _CURRENCY.sub("", cleaned).strip()
    if not cleaned:
        raise MoneyFormatError("amount is empty")
    if cleaned[0] in "-\u2212":
        raise MoneyFormatError("amount is negative")
    if cleaned[0] == "+":
        cleaned = cleaned[1:].lstrip()
    match = _AMOUNT.match(cleaned)
    if match is None:
        raise MoneyFormatError(f"not a euro amount: {text!r}")
    digits = (match.group("int") or "0").replace(" ", "")
    if len(digits) > 15:  # beyond any budget; and int() refuses 4 300 digits with ValueError
        raise MoneyFormatError("amount is too large")
    whole = int(digits)
    fraction = match.group("frac") or ""
    if len(fraction) > 2:
        raise MoneyFormatError("more than two decimals")
    return whole * 100 + int(fraction.ljust(2, "0"))


def units_for_amount(amount_cents: int, unit_value_cents: int) -> Decimal:
    """How many units `amount_cents` buys at `unit_value_cents` each, rounded down to 2 decimals.

    Rounding down never promises a client more than the money covers. Integer arithmetic keeps the
    result exact; a negative amount (an overspent budget) truncates toward zero.
    """
    amount = _as_cents(amount_cents, "amount_cents")
    price = _as_cents(unit_value_cents, "unit_value_cents")
    if price <= 0:
        raise ValueError("unit value must be positive")
    hundredths = abs(amount) * 100 // price
    return Decimal(-hundredths if amount < 0 else hundredths).scaleb(-2)


def hours_minutes(hours: Decimal | int) -> tuple[int, int]:
    """Split hours into whole hours and minutes, minutes rounded half-up (10.5 -> (10, 30))."""
    quantity = _as_decimal(hours, "hours")
    if quantity < 0:
        raise ValueError("hours must not be negative")
    minutes = int((quantity * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    # Rounding happens on total minutes, so 0.9999 h becomes (1, 0) and never (0, 60).
    whole, rest = divmod(minutes, 60)
    return whole, rest
