"""Swapping granted services within the budget's limits: preview, validation, approval need.

The budget is money, so a swap moves MONEY from one line to another; the month's total never
changes. A person asks in the from-service's own unit ("2 days", "1,5 h"). That request is valued
at what one unit of the from-service takes from the budget (`LineState.unit_charge_cents`: the
chosen provider's price as charged, else the unit value), the same price every page uses to say
what is left (`hbapp.domain.units.units_for_money`). The money buys the to-service at its own
price per unit:

- a day or a visit cannot be split (`units.INDIVISIBLE`): the from-service is asked in whole
  units, and only whole units of the to-service are bought; the part of the request that buys no
  whole unit stays where it was, and the preview says so plainly;
- hours, kilometres and euros are bought with all of the money.

Example: 1 day of carer's leave at 99,00 € → 4 trips at 23,00 € = 92,00 € move; 7,00 € stays as
carer's leave. What the preview says is left after the swap is computed by the same function, from
the same money, as the budget page will show after it: the preview equals the saved result.

Rules checked (stable machine codes in `SwapError.code`, the form field in `SwapError.field`):
unknown service, same service, forbidden conversion, zero, negative, not whole (indivisible
units), too many decimals, more than is left this month, too small to buy anything, below the
rulebook's monthly minimum, over the monthly conversion maximum. Pure: no database, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from hbapp.domain.rulebook import ConversionRule, Rulebook
from hbapp.domain.units import INDIVISIBLE, SMALLEST_USEFUL, Unit, units_for_money

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
    "swappable_units",
]

# Every code a person can meet; the UI has one translated message per code.
ERROR_CODES = (
    "amount_missing",
    "not_a_number",
    "zero",
    "negative",
    "not_whole",
    "too_many_decimals",
    "unknown_service",
    "same_service",
    "forbidden_conversion",
    "more_than_available",
    "too_small",
    "below_minimum",
    "over_monthly_max",
)

# The finest amount a person may ask for, per unit: a minute of an hour, a cent of a euro.
_DECIMALS = {Unit.HOUR: 2, Unit.DAY: 0, Unit.VISIT: 0, Unit.KM: 1, Unit.EURO: 2}


class SwapError(ValueError):
    """A swap that the rules do not allow. `code` is one of ERROR_CODES."""

    def __init__(self, code: str, field: str = "amount", **details):
        super().__init__(code)
        self.code = code
        self.field = field  # "from", "to" or "amount": where the UI shows the message
        self.details = details


@dataclass(frozen=True)
class LineState:
    """One budget line in one month: its money (swaps included) and its price per unit."""

    code: str
    unit: Unit
    unit_charge_cents: int  # what one unit takes from the budget (provider's price or value)
    value_cents: int  # the line's money this month, earlier swaps included
    used_cents: int

    @property
    def remaining_cents(self) -> int:
        return self.value_cents - self.used_cents

    @property
    def remaining_buys(self) -> Decimal:
        return units_for_money(self.remaining_cents, self.unit, self.unit_charge_cents)


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
    from_unit_charge_cents: int
    to_unit_charge_cents: int
    requested_units: Decimal  # what the person asked, in the from-service's unit
    requested_cents: int  # its value at the from-service's price
    moved_cents: int  # what actually moves: out of the from-line = into the to-line
    to_units: Decimal  # what the moved money buys of the to-service
    remainder_cents: int  # requested − moved: stays in the from-line
    from_remaining_after_cents: int
    from_remaining_after: Decimal  # in from-units, as the budget page will show it
    to_remaining_after_cents: int
    to_remaining_after: Decimal
    needs_approval: bool
    rule: ConversionRule


_NUMBER = re.compile(
    r"^(?P<sign>[-\u2212+]?)\s*(?P<number>[0-9]{1,9}(?:[.,][0-9]{1,9})?|[.,][0-9]{1,9})\s*"
    r"(?:[^\W\d_]{1,12}\.?|€)?$"
)


def parse_amount(text: str) -> Decimal:
    """Read a quantity typed by a person: "2", "2,5", "1.5 h", "3 pv". Raises SwapError."""
    if not isinstance(text, str):
        raise SwapError("not_a_number")
    cleaned = text.replace("\u00a0", " ").strip()
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
    return lines[code]


def _keep_cents(rulebook: Rulebook, line: LineState) -> int:
    """The money that must stay on the line: the rulebook's minimum units at the line's price."""
    minimum = rulebook.services[line.code].min_keep_per_month
    return int(minimum * line.unit_charge_cents)


def swappable_units(rulebook: Rulebook, line: LineState) -> Decimal:
    """The most of this line one can swap now: what is left, within the monthly minimum."""
    if line.code not in rulebook.services:
        return Decimal(0)
    cents = min(line.remaining_cents, line.value_cents - _keep_cents(rulebook, line))
    return units_for_money(cents, line.unit, line.unit_charge_cents)


def _check_amount(amount, unit: Unit) -> Decimal:
    if isinstance(amount, bool) or not isinstance(amount, (Decimal, int)):
        raise TypeError("amount must be a Decimal")
    amount = Decimal(amount)
    if not amount.is_finite():
        raise SwapError("not_a_number")
    if amount == 0:
        raise SwapError("zero")
    if amount < 0:
        raise SwapError("negative")
    decimals = _DECIMALS[unit]
    if amount != amount.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_FLOOR):
        raise SwapError("not_whole" if decimals == 0 else "too_many_decimals", decimals=decimals)
    return amount


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
    amount = _check_amount(amount, source.unit)

    # Rounded down: a fraction of a cent of the request can never be spent.
    requested_cents = int(amount * source.unit_charge_cents)
    if requested_cents > source.remaining_cents:
        raise SwapError("more_than_available", available=max(source.remaining_buys, Decimal(0)))
    keep = _keep_cents(rulebook, source)
    if source.value_cents - requested_cents < keep:
        raise SwapError("below_minimum",
                        minimum=rulebook.services[from_code].min_keep_per_month,
                        swappable=swappable_units(rulebook, source))

    if target.unit in INDIVISIBLE:
        bought = Decimal(requested_cents // target.unit_charge_cents)
        moved = int(bought) * target.unit_charge_cents
    else:
        moved = requested_cents
        bought = units_for_money(moved, target.unit, target.unit_charge_cents)
    if moved == 0 or bought < SMALLEST_USEFUL[target.unit]:
        raise SwapError("too_small", smallest=_smallest_request(source, target))

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
    from_after = source.remaining_cents - moved
    to_after = target.remaining_cents + moved
    return SwapPreview(
        from_code=from_code,
        to_code=to_code,
        from_unit=source.unit,
        to_unit=target.unit,
        from_unit_charge_cents=source.unit_charge_cents,
        to_unit_charge_cents=target.unit_charge_cents,
        requested_units=amount,
        requested_cents=requested_cents,
        moved_cents=moved,
        to_units=bought,
        remainder_cents=requested_cents - moved,
        from_remaining_after_cents=from_after,
        from_remaining_after=units_for_money(from_after, source.unit, source.unit_charge_cents),
        to_remaining_after_cents=to_after,
        to_remaining_after=units_for_money(to_after, target.unit, target.unit_charge_cents),
        needs_approval=needs_approval,
        rule=rule,
    )


def _smallest_request(source: LineState, target: LineState) -> Decimal:
    """The smallest request, in from-units, that buys the smallest useful amount of the target."""
    need = int((SMALLEST_USEFUL[target.unit] * target.unit_charge_cents)
               .to_integral_value(rounding="ROUND_CEILING"))
    units = Decimal(need) / Decimal(source.unit_charge_cents)
    step = Decimal(1).scaleb(-_DECIMALS[source.unit])
    return units.quantize(step, rounding="ROUND_CEILING")


def apply_swap(lines: Mapping[str, LineState], preview: SwapPreview) -> dict[str, LineState]:
    """The lines after the swap (for checks and tests; the database stores adjustments)."""
    result = dict(lines)
    source, target = lines[preview.from_code], lines[preview.to_code]
    result[preview.from_code] = replace(source, value_cents=source.value_cents - preview.moved_cents)
    result[preview.to_code] = replace(target, value_cents=target.value_cents + preview.moved_cents)
    return result


def month_total_cents(lines: Mapping[str, LineState]) -> int:
    """The month's budget from the lines, computed as the ledger computes it."""
    return sum(line.value_cents for line in lines.values())
