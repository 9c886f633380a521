"""Pure rules for mandates and the audit trail a client reads (no database, no Reflex)."""

from __future__ import annotations

import unicodedata
from datetime import date

SCOPES = ("view", "manage", "feedback", "surveys")
# "guardian" is the court-appointed edunvalvoja (recorded by a case worker, gives consent);
# "custodian" is a child's huoltaja (a parent).
RELATIONS = ("relative", "custodian", "guardian", "other")
# What a client (or a relative asking) may state: guardianship comes from a court, via a worker.
CLIENT_RELATIONS = ("relative", "custodian", "other")

# Filter groups of the privacy page; every audit action code belongs to exactly one.
ACTION_KINDS = ("view", "change", "mandate", "sign_in", "refused")
# Codes of reading (not changing) a client's data that do not start with "view".
_VIEW_ACTIONS = frozenset({"preview_swap", "research_export"})


class InvalidMandate(ValueError):
    """Bad input for a mandate; `reason` is a stable code the pages translate."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_scopes(scopes: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Known scopes in canonical order; 'no_scopes' when none, 'unknown_scope' for others."""
    items = scopes.split(",") if isinstance(scopes, str) else list(scopes)
    wanted = {item.strip() for item in items if item.strip()}
    if not wanted:
        raise InvalidMandate("no_scopes")
    if wanted - set(SCOPES):
        raise InvalidMandate("unknown_scope")
    return tuple(scope for scope in SCOPES if scope in wanted)


def stored_scopes(text: str) -> tuple[str, ...]:
    """Scopes of a stored row, ignoring anything unknown (never raises)."""
    return tuple(scope for scope in SCOPES if scope in {s.strip() for s in text.split(",")})


def check_period(valid_from: date, valid_to: date | None, today: date) -> None:
    """A new mandate must not end before it starts, nor already be over."""
    if valid_to is not None and valid_to < today:
        raise InvalidMandate("ends_in_past")
    if valid_to is not None and valid_to < valid_from:
        raise InvalidMandate("ends_before_start")


def is_in_force(status: str, valid_from: date, valid_to: date | None, today: date) -> bool:
    return status == "active" and valid_from <= today and (valid_to is None or valid_to >= today)


def parse_day_month_year(day: str, month: str, year: str) -> date:
    """GOV.UK-style date fields → date; 'date_missing' or 'date_invalid' on bad input."""
    parts = [part.strip() for part in (day, month, year)]
    if not all(parts):
        raise InvalidMandate("date_missing")
    try:
        d, m, y = (int(part) for part in parts)
        if y < 1900 or y > 2200:
            raise ValueError(y)
        return date(y, m, d)
    except ValueError:
        raise InvalidMandate("date_invalid") from None


def check_birth_date(value: date, today: date) -> date:
    """A date of birth typed by a person: not in the future, not before 1900."""
    if value > today or value.year < 1900:
        raise InvalidMandate("birth_date_invalid")
    return value


def fold_name(text: str) -> str:
    """A name for searching: case- and accent-insensitive ("Mäkinen" → "makinen"),
    one space between words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.split())


def name_matches(query: str, name: str) -> bool:
    """Every word of the query is a part of the name, in any order ("virt aino" finds
    "Aino Virtanen"), ignoring case and accents."""
    words = fold_name(query).split()
    folded = fold_name(name)
    return bool(words) and all(word in folded for word in words)


def action_kind(action: str) -> str:
    """Which filter group an audit action code belongs to."""
    if action in ("login", "logout"):
        return "sign_in"
    if action == "refused":
        return "refused"
    if "mandate" in action or "consent" in action:
        return "mandate"
    if (action.startswith("view") or action.endswith("_view") or "_view_" in action
            or action in _VIEW_ACTIONS):
        return "view"
    return "change"


def actions_of_kind(kind: str, actions: list[str] | tuple[str, ...]) -> list[str]:
    """The codes among `actions` that belong to a filter group (for a database filter)."""
    return [action for action in actions if action_kind(action) == kind]
