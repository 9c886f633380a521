"""Swapping granted services within the budget's limits: preview, validation, approval need.

How euros become units. A swap takes an amount in the from-service's natural unit ("2 days"),
values it at the from-line's unit value (200,00 €) and buys the to-service with it, rounded DOWN
to what can be bought exactly. Units are stored with 3 decimals, so a line's value can only move
in whole "quanta": the smallest number of cents that is a whole number of thousandths of a unit
(39,90 €/h → 3,99 € = 0.1 h; 100 €/day → 0,10 €). The money moved is the largest multiple of both
lines' quanta not above the requested value, so the from-line gives up EXACTLY the cents the
to-line receives: the month's total never changes, and what could not be bought stays in the
from-line. Example: 2 days of carer's leave = 200,00 € → 5 h of home care = 199,50 €; the
from-line gives 1.995 days, 0,50 € stays as carer's leave.

Rules checked (stable machine codes in `SwapError.code`, the form field in `SwapError.field`):
unknown service, same service, forbidden conversion, rulebook/line mismatch, zero, negative,
too many decimals, more than remains this month, too small to buy anything, below the rulebook
minimum, over the monthly conversion maximum. Pure: no database, no dates, no I/O.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from hbapp.domain.money import cents_for
from hbapp.domain.rulebook import ConversionRule, Rulebook
from hbapp.domain.units import Unit

__all__ = [
    "ERROR_CODES",
    "LineState",
    "MonthConversions",
    "SwapError",
    "SwapPreview",
    "apply_swap",
    "month_total_cents",
    "parse_amount",
    "preview_swap",
    "quantum_cents",
]

THOUSANDTH = Decimal("0.001")

# Every code a person can meet; the UI has one translated message per code.
ERROR_CODES = (
    "amount_missing",
    "not_a_number",
    "zero",
    "negative",
    "too_many_decimals",
    "unknown_service",
    "same_service",
    "forbidden_conversion",
    "rulebook_mismatch",
    "more_than_available",
    "too_small",
    "below_minimum",
    "over_monthly_max",
)


class SwapError(ValueError):
    """A swap that the rules do not allow. `code` is one of ERROR_CODES."""

    def __init__(self, code: str, field: str = "amount", **details):
        super().__init__(code)
        self.code = code
        self.field = field  # "from", "to" or "amount": where the UI shows the message
        self.details = details


@dataclass(frozen=True)
class LineState:
    """One budget line in one month, swaps already included in `granted_units`."""

    code: str
    unit: Unit
    unit_value_cents: int
    granted_units: Decimal
    used_units: Decimal

    @property
    def remaining_units(self) -> Decimal:
        return self.granted_units - self.used_units

    @property
    def value_cents(self) -> int:
        return cents_for(self.granted_units, self.unit_value_cents)


@dataclass(frozen=True)
class MonthConversions:
    """Money already converted in the month through one conversion (from → to)."""

    settled_cents: int = 0  # applied at once or approved
    pending_cents: int = 0  # waiting for the case worker


@dataclass(frozen=True)
class SwapPreview:
    from_code: str
    to_code: str
    from_unit: Unit
    to_unit: Unit
    from_unit_value_cents: int
    to_unit_value_cents: int
    requested_units: Decimal  # what the person asked, in the from-service's unit
    requested_cents: int  # its value
    moved_cents: int  # what actually moves: out of the from-line = into the to-line
    from_units: Decimal  # taken from the from-line (may be less than requested)
    to_units: Decimal  # added to the to-line
    remainder_cents: int  # requested − moved: stays in the from-line
    from_granted_after: Decimal
    from_remaining_after: Decimal
    to_granted_after: Decimal
    to_remaining_after: Decimal
    needs_approval: bool
    rule: ConversionRule


def quantum_cents(unit_value_cents: int) -> int:
    """Smallest cents that are a whole number of thousandths of a unit at this value."""
    if unit_value_cents <= 0:
        raise ValueError("unit value must be positive")
    return unit_value_cents // math.gcd(unit_value_cents, 1000)


_NUMBER = re.compile(
    r"^(?P<sign>[-\u2212+]?)\s*(?P<number>[0-9]+(?:[.,][0-9]+)?|[.,][0-9]+)\s*"
    r"(?:[^\W\d_]+\.?|€)?$"
)


def parse_amount(text: str) -> Decimal:
    """Read a quantity typed by a person: "2", "2,5", "1.5 h", "3 pv". Raises SwapError."""
    cleaned = (text or "").replace("\u00a0", " ").strip()
    if not cleaned:
        raise SwapError("amount_missing")
    match = _NUMBER.match(cleaned)
    if match is None:
        raise SwapError("not_a_number")
    try:
        value = Decimal(match.group("number").replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise SwapError("not_a_number") from None
    if match.group("sign") in ("-", "\u2212") and value != 0:
        raise SwapError("negative")
    return value


def _line(lines: Mapping[str, LineState], rulebook: Rulebook, code: str, field: str) -> LineState:
    if code not in lines or code not in rulebook.services:
        raise SwapError("unknown_service", field, service=code)
    line = lines[code]
    rule = rulebook.services[code]
    if rule.unit != line.unit or rule.unit_value_cents != line.unit_value_cents:
        # Converting at any other value than the ledger's would change the month's total.
        raise SwapError("rulebook_mismatch", field, service=code)
    return line


def _exact_units(cents: int, unit_value_cents: int) -> Decimal:
    units = Decimal(cents) / Decimal(unit_value_cents)
    exact = units.quantize(THOUSANDTH)
    if exact != units:  # pragma: no cover - guaranteed by the quanta
        raise AssertionError("swap units are not exact")
    return exact


def preview_swap(
    rulebook: Rulebook,
    lines: Mapping[str, LineState],
    from_code: str,
    to_code: str,
    amount: Decimal,
    converted: MonthConversions = MonthConversions(),
    approving: bool = False,
) -> SwapPreview:
    """What a swap would do, or SwapError. `lines` are the month's lines by service code.

    `approving`: a case worker is approving a pending request, so the limit for applying at once
    does not matter and the request's own pending money is not counted twice.
    """
    source = _line(lines, rulebook, from_code, "from")
    target = _line(lines, rulebook, to_code, "to")
    if from_code == to_code:
        raise SwapError("same_service", "to")
    rule = rulebook.conversion(from_code, to_code)
    if rule is None:
        raise SwapError("forbidden_conversion", "to", service=from_code, target=to_code)
    if isinstance(amount, bool) or not isinstance(amount, (Decimal, int)):
        raise TypeError("amount must be a Decimal")
    amount = Decimal(amount)
    if not amount.is_finite():
        raise SwapError("not_a_number")
    if amount == 0:
        raise SwapError("zero")
    if amount < 0:
        raise SwapError("negative")
    if amount != amount.quantize(THOUSANDTH):
        raise SwapError("too_many_decimals")
    if amount > source.remaining_units:
        raise SwapError("more_than_available", available=max(source.remaining_units, Decimal(0)))

    # Rounded down: a fraction of a cent of the request can never be spent.
    requested_cents = int(amount * source.unit_value_cents)
    quantum = math.lcm(quantum_cents(source.unit_value_cents),
                       quantum_cents(target.unit_value_cents))
    moved = requested_cents // quantum * quantum
    if moved == 0:
        raise SwapError("too_small", smallest=_smallest_amount(quantum, source.unit_value_cents))
    from_units = _exact_units(moved, source.unit_value_cents)
    to_units = _exact_units(moved, target.unit_value_cents)

    minimum = rulebook.services[from_code].min_keep_per_month
    if source.granted_units - from_units < minimum:
        raise SwapError("below_minimum", minimum=minimum,
                        swappable=max(source.granted_units - minimum, Decimal(0)))
    if rule.max_per_month_cents is not None:
        already = converted.settled_cents + (0 if approving else converted.pending_cents)
        if already + moved > rule.max_per_month_cents:
            raise SwapError("over_monthly_max", maximum_cents=rule.max_per_month_cents,
                            left_cents=max(rule.max_per_month_cents - already, 0))
    needs_approval = not approving and (
        rule.always_needs_approval
        or (rule.automatic_up_to_cents is not None
            and converted.settled_cents + moved > rule.automatic_up_to_cents)
    )
    return SwapPreview(
        from_code=from_code,
        to_code=to_code,
        from_unit=source.unit,
        to_unit=target.unit,
        from_unit_value_cents=source.unit_value_cents,
        to_unit_value_cents=target.unit_value_cents,
        requested_units=amount,
        requested_cents=requested_cents,
        moved_cents=moved,
        from_units=from_units,
        to_units=to_units,
        remainder_cents=requested_cents - moved,
        from_granted_after=source.granted_units - from_units,
        from_remaining_after=source.remaining_units - from_units,
        to_granted_after=target.granted_units + to_units,
        to_remaining_after=target.remaining_units + to_units,
        needs_approval=needs_approval,
        rule=rule,
    )


def _smallest_amount(quantum: int, unit_value_cents: int) -> Decimal:
    """The smallest request (in from-units, 3 decimals, rounded up) that buys something."""
    units = Decimal(quantum) / Decimal(unit_value_cents)
    return units.quantize(THOUSANDTH, rounding="ROUND_CEILING")


def apply_swap(lines: Mapping[str, LineState], preview: SwapPreview) -> dict[str, LineState]:
    """The lines after the swap (for checks and tests; the database stores adjustments)."""
    result = dict(lines)
    source, target = lines[preview.from_code], lines[preview.to_code]
    result[preview.from_code] = replace(source,
                                        granted_units=source.granted_units - preview.from_units)
    result[preview.to_code] = replace(target, granted_units=target.granted_units + preview.to_units)
    return result


def month_total_cents(lines: Mapping[str, LineState]) -> int:
    """The month's budget from the lines, computed as the ledger computes it."""
    return sum(line.value_cents for line in lines.values())
