"""Budget decisions as pure rules: numbers, periods, lines, totals and what changed.

A decision has a number (`HB-2026-0042`: prefix, the year of the decision date, a sequence per
organizer and year), a decision date, a reason in plain language and versions. Each version is
in force for whole months, from its first day to the last day of its last month (or open-ended),
and has lines (a service, granted units per month, unit values) and additions (one-off or
monthly amounts). No database and no UI here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from hbapp.domain.ledger import add_months, month_start
from hbapp.domain.money import cents_for

NUMBER_PREFIX = "HB"
MAX_UNITS = Decimal(100_000)  # per month; anything above is a typing error
MAX_CENTS = 100_000_000  # one million euros
MAX_REASON = 2000
MAX_DESCRIPTION = 200
MAX_VALUE_REASON = 300
GUIDELINE_MONTHLY_CENTS = 156_400  # the Kainuu pilot's average budget, 1 564 €/month
_NUMBER = re.compile(r"^[+]?(?P<number>[0-9]+(?:[.,][0-9]+)?)$")
_DECISION_NUMBER = re.compile(r"^[A-Z]{1,10}-[0-9]{4}-[0-9]{4,6}$")


class DecisionError(ValueError):
    """A decision that cannot be made as given. `code` is stable; `field` names the input."""

    def __init__(self, code: str, field: str = "", **params):
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params


@dataclass(frozen=True)
class LineDraft:
    service_code: str
    units: Decimal  # granted per month
    own_values: dict[str, int] | None = None  # band -> cents, when the decision fixes them
    own_reason: str = ""


@dataclass(frozen=True)
class AdditionDraft:
    description: str
    amount_cents: int
    month: date  # first day; for a monthly addition the first month it applies
    monthly: bool = False


@dataclass(frozen=True)
class DecisionDraft:
    decision_date: date
    valid_from: date  # first day of a month
    valid_to: date | None  # last day of a month, or None (open-ended)
    reason: str
    lines: tuple[LineDraft, ...]
    additions: tuple[AdditionDraft, ...] = field(default=())


def format_number(year: int, sequence: int, prefix: str = NUMBER_PREFIX) -> str:
    return f"{prefix}-{year}-{sequence:04d}"


def is_decision_number(text: str) -> bool:
    return bool(_DECISION_NUMBER.fullmatch(text or ""))


def number_sequence(number: str) -> tuple[int, int] | None:
    """(year, sequence) of a decision number like HB-2026-0042, else None."""
    if not is_decision_number(number):
        return None
    _prefix, year, sequence = number.split("-")
    return int(year), int(sequence)


def end_of_month(month: date) -> date:
    return add_months(month_start(month), 1) - timedelta(days=1)


def parse_units(text: str, field_name: str = "units") -> Decimal:
    """Granted units typed by a person ("20", "2,5"): above zero, at most three decimals."""
    cleaned = (text or "").replace("\u00a0", "").replace(" ", "").strip()
    if not cleaned:
        raise DecisionError("units_missing", field_name)
    match = _NUMBER.fullmatch(cleaned)
    if match is None:
        raise DecisionError("units_not_a_number", field_name)
    try:
        value = Decimal(match["number"].replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise DecisionError("units_not_a_number", field_name) from None
    if value <= 0:
        raise DecisionError("units_not_positive", field_name)
    if value > MAX_UNITS:
        raise DecisionError("units_too_large", field_name)
    if value != value.quantize(Decimal("0.001")):
        raise DecisionError("units_too_precise", field_name)
    return value


def parse_month_year(month: str, year: str, field_name: str) -> date:
    """The first day of the month given as two numbers ("3", "2026")."""
    month, year = (month or "").strip(), (year or "").strip()
    if not month and not year:
        raise DecisionError("month_missing", field_name)
    if not (month.isdigit() and year.isdigit() and len(year) == 4 and len(month) <= 2):
        raise DecisionError("month_invalid", field_name)
    if not 1 <= int(month) <= 12 or not 2000 <= int(year) <= 2100:
        raise DecisionError("month_invalid", field_name)
    return date(int(year), int(month), 1)


def clean_text(text: str, limit: int, code_missing: str, code_long: str, field_name: str) -> str:
    cleaned = " ".join((text or "").split())
    if not cleaned:
        raise DecisionError(code_missing, field_name)
    if len(cleaned) > limit:
        raise DecisionError(code_long, field_name, limit=limit)
    return cleaned


def check_draft(draft: DecisionDraft, today: date, allow_past: bool = False) -> None:
    """The rules every decision version keeps (raise DecisionError at the first broken one)."""
    if draft.decision_date > today:
        raise DecisionError("decision_date_in_future", "decision_date")
    if draft.decision_date.year < 2000:
        raise DecisionError("decision_date_invalid", "decision_date")
    if draft.valid_from != month_start(draft.valid_from):
        raise DecisionError("start_not_first_day", "valid_from")
    if not allow_past and draft.valid_from < month_start(today):
        raise DecisionError("start_in_past", "valid_from")
    if draft.valid_to is not None:
        if draft.valid_to != end_of_month(draft.valid_to):
            raise DecisionError("end_not_last_day", "valid_to")
        if draft.valid_to < draft.valid_from:
            raise DecisionError("end_before_start", "valid_to")
    clean_text(draft.reason, MAX_REASON, "reason_missing", "reason_too_long", "reason")
    if not draft.lines:
        raise DecisionError("no_lines", "lines")
    seen: set[str] = set()
    for line in draft.lines:
        if line.service_code in seen:
            raise DecisionError("service_twice", "lines", service=line.service_code)
        seen.add(line.service_code)
        if not isinstance(line.units, Decimal) or not 0 < line.units <= MAX_UNITS:
            raise DecisionError("units_not_positive", "lines", service=line.service_code)
        if line.own_values is not None:
            if not line.own_values or any(
                    not isinstance(v, int) or not 0 < v <= MAX_CENTS
                    for v in line.own_values.values()):
                raise DecisionError("value_not_positive", "lines", service=line.service_code)
            clean_text(line.own_reason, MAX_VALUE_REASON, "value_reason_missing",
                       "value_reason_too_long", "lines")
    for addition in draft.additions:
        clean_text(addition.description, MAX_DESCRIPTION, "addition_description_missing",
                   "addition_description_too_long", "additions")
        if not 0 < addition.amount_cents <= MAX_CENTS:
            raise DecisionError("addition_not_positive", "additions")
        if addition.month != month_start(addition.month) or addition.month < draft.valid_from or (
                draft.valid_to is not None and addition.month > draft.valid_to):
            raise DecisionError("addition_outside_period", "additions")


@dataclass(frozen=True)
class PricedLine:
    service_code: str
    units: Decimal
    unit_value_cents: int  # the base (weekday day) value for banded services

    @property
    def value_cents(self) -> int:
        return cents_for(self.units, self.unit_value_cents)


def monthly_total_cents(lines: list[PricedLine] | tuple[PricedLine, ...],
                        additions: list[AdditionDraft] | tuple[AdditionDraft, ...],
                        month: date) -> int:
    """The budget of one month: the lines' values plus the additions that fall in it."""
    total = sum(line.value_cents for line in lines)
    for addition in additions:
        if addition.month == month or (addition.monthly and addition.month <= month):
            total += addition.amount_cents
    return total


@dataclass(frozen=True)
class LineChange:
    kind: str  # added, removed, units, value
    service_code: str
    old_units: Decimal | None = None
    new_units: Decimal | None = None
    old_cents: int | None = None
    new_cents: int | None = None


def line_changes(old: list[PricedLine] | tuple[PricedLine, ...],
                 new: list[PricedLine] | tuple[PricedLine, ...]) -> list[LineChange]:
    """What a new version changed in the lines, in the new version's order."""
    before = {line.service_code: line for line in old}
    after = {line.service_code: line for line in new}
    changes: list[LineChange] = []
    for line in new:
        previous = before.get(line.service_code)
        if previous is None:
            changes.append(LineChange("added", line.service_code, None, line.units, None,
                                      line.unit_value_cents))
            continue
        if previous.units != line.units:
            changes.append(LineChange("units", line.service_code, previous.units, line.units,
                                      previous.unit_value_cents, line.unit_value_cents))
        if previous.unit_value_cents != line.unit_value_cents:
            changes.append(LineChange("value", line.service_code, previous.units, line.units,
                                      previous.unit_value_cents, line.unit_value_cents))
    for line in old:
        if line.service_code not in after:
            changes.append(LineChange("removed", line.service_code, line.units, None,
                                      line.unit_value_cents, None))
    return changes
