"""An organizer's rulebook for swapping services (sääntökirja), read from a versioned JSON file.

The file says which services may be converted into which, how much of each service must be kept
per month (e.g. the statutory carer's leave days), how much may be converted per month, whether a
conversion applies at once or needs the case worker's approval, and the unit values used. The
loader refuses a bad file with an error naming the field, so a typo never reaches a client.

File layout (all money in integer cents, all quantities as decimal strings):

    {"format": "hb-rulebook/1", "version": "2025.1", "organizer_business_id": "9000105-7",
     "organizer_name": "...", "valid_from": "2025-01-01",
     "services": {"carers_leave": {"unit": "day", "unit_value_cents": 10000,
                                    "min_keep_per_month": "2"}, ...},
     "conversions": [{"from": "carers_leave", "to": "home_care", "approval": "automatic",
                      "automatic_up_to_cents": 20000, "max_per_month_cents": 40000}, ...]}

`approval` is "automatic" (applies at once while the month's conversions of that pair stay within
`automatic_up_to_cents`, or always when that is absent) or "case_worker" (always a request).
The monthly maximum is given either in cents (`max_per_month_cents`) or in the from-service's
units (`max_per_month_units`), or left out for no maximum.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from hbapp.domain.units import Unit

__all__ = [
    "APPROVAL_AUTOMATIC",
    "APPROVAL_CASE_WORKER",
    "ConversionRule",
    "FORMAT",
    "Rulebook",
    "RulebookError",
    "ServiceRule",
    "load_rulebook",
    "parse_rulebook",
]

FORMAT = "hb-rulebook/1"
APPROVAL_AUTOMATIC = "automatic"
APPROVAL_CASE_WORKER = "case_worker"
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")  # fits SwapRequest.rulebook_version


class RulebookError(ValueError):
    """The rulebook file is not valid. `field` is a path such as `conversions[2].approval`."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"rulebook field {field}: {problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class ServiceRule:
    code: str
    unit: Unit
    unit_value_cents: int  # must equal the budget line's value, or the total would change
    min_keep_per_month: Decimal  # granted units that no swap may go below


@dataclass(frozen=True)
class ConversionRule:
    from_code: str
    to_code: str
    approval: str
    automatic_up_to_cents: int | None  # None: no limit for applying at once
    max_per_month_cents: int | None  # None: no maximum

    @property
    def always_needs_approval(self) -> bool:
        return self.approval == APPROVAL_CASE_WORKER


@dataclass(frozen=True)
class Rulebook:
    version: str
    organizer_business_id: str
    organizer_name: str
    valid_from: date
    services: dict[str, ServiceRule]
    conversions: dict[tuple[str, str], ConversionRule]

    def conversion(self, from_code: str, to_code: str) -> ConversionRule | None:
        return self.conversions.get((from_code, to_code))

    def targets(self, from_code: str) -> list[str]:
        """Services `from_code` may be converted into, in the file's order."""
        return [to for (source, to) in self.conversions if source == from_code]

    def sources(self) -> list[str]:
        seen: list[str] = []
        for source, _ in self.conversions:
            if source not in seen:
                seen.append(source)
        return seen


def _require(data: dict, key: str, where: str) -> Any:
    if key not in data:
        raise RulebookError(f"{where}{key}", "missing")
    return data[key]


def _text(value: Any, field: str, pattern: re.Pattern | None = None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RulebookError(field, "must be a non-empty string")
    if pattern is not None and not pattern.match(value):
        raise RulebookError(field, f"{value!r} has characters that are not allowed")
    return value


def _cents(value: Any, field: str, positive: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RulebookError(field, "must be a whole number of cents")
    if value < 0 or (positive and value == 0):
        raise RulebookError(field, "must be positive" if positive else "must not be negative")
    return value


def _quantity(value: Any, field: str) -> Decimal:
    # Strings, not JSON numbers: a JSON float would already carry a binary rounding error.
    if not isinstance(value, str):
        raise RulebookError(field, 'must be a decimal number written as a string, e.g. "2"')
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise RulebookError(field, f"{value!r} is not a number") from None
    if not result.is_finite() or result < 0:
        raise RulebookError(field, "must be zero or more")
    if result != result.quantize(Decimal("0.001")):
        raise RulebookError(field, "may have at most 3 decimals")
    return result


def _object(value: Any, field: str) -> dict:
    if not isinstance(value, dict):
        raise RulebookError(field, "must be an object")
    return value


def _no_extra(data: dict, allowed: set[str], where: str) -> None:
    for key in data:
        if key not in allowed:
            raise RulebookError(f"{where}{key}", "unknown field")


def _service(code: str, data: Any) -> ServiceRule:
    where = f"services.{code}."
    if not _CODE.match(code):
        raise RulebookError(f"services.{code}", "service codes are lower-case letters, digits, _")
    data = _object(data, f"services.{code}")
    _no_extra(data, {"unit", "unit_value_cents", "min_keep_per_month", "note"}, where)
    unit_text = _require(data, "unit", where)
    try:
        unit = Unit(unit_text)
    except ValueError:
        allowed = ", ".join(u.value for u in Unit)
        raise RulebookError(f"{where}unit", f"{unit_text!r} is not one of {allowed}") from None
    value = _cents(_require(data, "unit_value_cents", where), f"{where}unit_value_cents", True)
    minimum = _quantity(data.get("min_keep_per_month", "0"), f"{where}min_keep_per_month")
    return ServiceRule(code, unit, value, minimum)


def _conversion(index: int, data: Any, services: dict[str, ServiceRule]) -> ConversionRule:
    where = f"conversions[{index}]."
    data = _object(data, f"conversions[{index}]")
    _no_extra(data, {"from", "to", "approval", "automatic_up_to_cents", "max_per_month_cents",
                     "max_per_month_units", "note"}, where)
    source = _text(_require(data, "from", where), f"{where}from")
    target = _text(_require(data, "to", where), f"{where}to")
    for key, code in (("from", source), ("to", target)):
        if code not in services:
            raise RulebookError(f"{where}{key}", f"{code!r} is not among the services")
    if source == target:
        raise RulebookError(f"{where}to", "a service cannot be converted into itself")
    approval = _require(data, "approval", where)
    if approval not in (APPROVAL_AUTOMATIC, APPROVAL_CASE_WORKER):
        raise RulebookError(
            f"{where}approval",
            f"{approval!r} is not {APPROVAL_AUTOMATIC!r} or {APPROVAL_CASE_WORKER!r}",
        )
    automatic = data.get("automatic_up_to_cents")
    if automatic is not None:
        automatic = _cents(automatic, f"{where}automatic_up_to_cents")
        if approval == APPROVAL_CASE_WORKER:
            raise RulebookError(f"{where}automatic_up_to_cents",
                                "means nothing when every conversion needs approval")
    if "max_per_month_cents" in data and "max_per_month_units" in data:
        raise RulebookError(f"{where}max_per_month_units",
                            "give the maximum in cents or in units, not both")
    maximum = None
    if "max_per_month_cents" in data:
        maximum = _cents(data["max_per_month_cents"], f"{where}max_per_month_cents", True)
    elif "max_per_month_units" in data:
        units = _quantity(data["max_per_month_units"], f"{where}max_per_month_units")
        # Whole cents at the from-service's value; rounding down never allows more.
        maximum = int(units * services[source].unit_value_cents)
    if maximum is not None and automatic is not None and automatic > maximum:
        raise RulebookError(f"{where}automatic_up_to_cents", "is above the monthly maximum")
    return ConversionRule(source, target, approval, automatic, maximum)


def parse_rulebook(data: Any) -> Rulebook:
    """Validate a decoded rulebook document; raise RulebookError naming the bad field."""
    data = _object(data, "(top level)")
    _no_extra(data, {"format", "version", "organizer_business_id", "organizer_name",
                     "valid_from", "services", "conversions", "note"}, "")
    if _require(data, "format", "") != FORMAT:
        raise RulebookError("format", f"must be {FORMAT!r}")
    version = _text(_require(data, "version", ""), "version", _VERSION)
    business_id = _text(_require(data, "organizer_business_id", ""), "organizer_business_id")
    name = _text(_require(data, "organizer_name", ""), "organizer_name")
    try:
        valid_from = date.fromisoformat(_text(_require(data, "valid_from", ""), "valid_from"))
    except ValueError:
        raise RulebookError("valid_from", "must be a date like 2025-01-01") from None
    services_data = _object(_require(data, "services", ""), "services")
    if not services_data:
        raise RulebookError("services", "must name at least one service")
    services = {code: _service(code, value) for code, value in services_data.items()}
    conversions_data = _require(data, "conversions", "")
    if not isinstance(conversions_data, list):
        raise RulebookError("conversions", "must be a list")
    conversions: dict[tuple[str, str], ConversionRule] = {}
    for index, item in enumerate(conversions_data):
        rule = _conversion(index, item, services)
        key = (rule.from_code, rule.to_code)
        if key in conversions:
            raise RulebookError(f"conversions[{index}]", f"{key[0]} → {key[1]} appears twice")
        conversions[key] = rule
    return Rulebook(version, business_id, name, valid_from, services, conversions)


def load_rulebook(path: str | Path) -> Rulebook:
    """Read and validate a rulebook file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise RulebookError("(file)", f"{path.name} is not valid JSON: {error}") from None
    return parse_rulebook(data)
