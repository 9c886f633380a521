"""Case-worker alerts: pure rules over a client's survey scores, surveys, feedback, swaps, budget.

Standard library only. Thresholds come from the issue and instruments.md: a PROMIS Global Health
T-score (GPH or GMH) 5 or more points lower than in the previous answer; a WHOQOL-BREF domain
(0–100) 10 or more lower; an overdue survey; an unhandled feedback flag; a swap request waiting; a reported problem with an event (dispute) waiting;
a month-end budget use projected under 30 % or over 100 %.
"""

from __future__ import annotations

import re

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction

PROMIS_DROP = 5.0  # T-points
WHOQOL_DROP = 10.0  # points on the 0–100 scale
BUDGET_LOW = Fraction(30, 100)
BUDGET_HIGH = Fraction(1)
# Before this day of the month the pace says little: a low forecast is not yet an alert.
BUDGET_LOW_FROM_DAY = 7

PROMIS_DROP_ALERT = "promis_drop"
WHOQOL_DROP_ALERT = "whoqol_drop"
SURVEY_OVERDUE_ALERT = "survey_overdue"
FEEDBACK_FLAG_ALERT = "feedback_flag"
SWAP_PENDING_ALERT = "swap_pending"
DISPUTE_OPEN_ALERT = "dispute_open"
BUDGET_LOW_ALERT = "budget_low"
BUDGET_HIGH_ALERT = "budget_high"

ALERT_TYPES = (
    PROMIS_DROP_ALERT,
    WHOQOL_DROP_ALERT,
    SURVEY_OVERDUE_ALERT,
    FEEDBACK_FLAG_ALERT,
    SWAP_PENDING_ALERT,
    DISPUTE_OPEN_ALERT,
    BUDGET_LOW_ALERT,
    BUDGET_HIGH_ALERT,
)

PROMIS_SUBSCALES = ("gph", "gmh")
WHOQOL_DOMAINS = ("physical", "psychological", "social", "environment")

SORT_KEYS = ("name", "alerts", "budget")


@dataclass(frozen=True)
class Alert:
    """One reason to look at a client. `part` names the subscale or domain when there is one;
    `before`/`after` are the scores or, for the budget, the projected use in whole percent;
    `count` is how many surveys, flags or swaps wait."""

    kind: str
    part: str = ""
    before: float | None = None
    after: float | None = None
    count: int = 1


@dataclass(frozen=True)
class ScoredResponse:
    instrument_id: str
    submitted_at: datetime
    scores: Mapping


@dataclass(frozen=True)
class OpenSurvey:
    due_on: date
    completed: bool = False
    cancelled: bool = False


@dataclass(frozen=True)
class ClientFacts:
    """What the alert rules need about one client (all optional: missing data, no alert)."""

    responses: Sequence[ScoredResponse] = ()
    surveys: Sequence[OpenSurvey] = ()
    open_flags: int = 0
    pending_swaps: int = 0
    open_disputes: int = 0  # problems reported with events, waiting for the worker
    budget_cents: int | None = None
    projected_used_cents: int | None = None


def _latest_two(responses: Iterable[ScoredResponse], instrument_id: str):
    ordered = sorted(
        (r for r in responses if r.instrument_id == instrument_id), key=lambda r: r.submitted_at
    )
    if len(ordered) < 2:
        return None
    return ordered[-2], ordered[-1]


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def promis_drops(responses: Iterable[ScoredResponse]) -> list[Alert]:
    """GPH or GMH T-score down by PROMIS_DROP or more from the previous PROMIS-10 answer."""
    pair = _latest_two(responses, "promis10")
    if pair is None:
        return []
    previous, latest = pair
    alerts = []
    for subscale in PROMIS_SUBSCALES:
        before = _number((previous.scores.get(subscale) or {}).get("t"))
        after = _number((latest.scores.get(subscale) or {}).get("t"))
        if before is None or after is None:
            continue
        if round(before - after, 6) >= PROMIS_DROP:
            alerts.append(Alert(PROMIS_DROP_ALERT, subscale, before, after))
    return alerts


def whoqol_drops(responses: Iterable[ScoredResponse]) -> list[Alert]:
    """A WHOQOL-BREF domain (0–100) down by WHOQOL_DROP or more from the previous answer."""
    pair = _latest_two(responses, "whoqol-bref")
    if pair is None:
        return []
    previous, latest = pair
    alerts = []
    for domain in WHOQOL_DOMAINS:
        before = _number((previous.scores.get(domain) or {}).get("score"))
        after = _number((latest.scores.get(domain) or {}).get("score"))
        if before is None or after is None:
            continue
        if round(before - after, 6) >= WHOQOL_DROP:
            alerts.append(Alert(WHOQOL_DROP_ALERT, domain, before, after))
    return alerts


def overdue_surveys(surveys: Iterable[OpenSurvey], today: date) -> int:
    """Surveys whose due date has passed and that are neither completed nor cancelled."""
    return sum(1 for s in surveys if s.due_on < today and not s.completed and not s.cancelled)


def budget_alert(
    budget_cents: int | None, projected_used_cents: int | None, today: date
) -> Alert | None:
    """Projected month-end use under 30 % (from day 7 of the month) or over 100 %."""
    if not budget_cents or budget_cents <= 0 or projected_used_cents is None:
        return None
    share = Fraction(projected_used_cents, budget_cents)
    percent = float(round(share * 100))
    if share > BUDGET_HIGH:
        return Alert(BUDGET_HIGH_ALERT, after=percent)
    if share < BUDGET_LOW and today.day >= BUDGET_LOW_FROM_DAY:
        return Alert(BUDGET_LOW_ALERT, after=percent)
    return None


def client_alerts(facts: ClientFacts, today: date) -> list[Alert]:
    """Every alert for one client, in the order of ALERT_TYPES."""
    alerts = [*promis_drops(facts.responses), *whoqol_drops(facts.responses)]
    overdue = overdue_surveys(facts.surveys, today)
    if overdue:
        alerts.append(Alert(SURVEY_OVERDUE_ALERT, count=overdue))
    if facts.open_flags:
        alerts.append(Alert(FEEDBACK_FLAG_ALERT, count=facts.open_flags))
    if facts.pending_swaps:
        alerts.append(Alert(SWAP_PENDING_ALERT, count=facts.pending_swaps))
    if facts.open_disputes:
        alerts.append(Alert(DISPUTE_OPEN_ALERT, count=facts.open_disputes))
    budget = budget_alert(facts.budget_cents, facts.projected_used_cents, today)
    if budget is not None:
        alerts.append(budget)
    return alerts


def count_by_type(alert_lists: Iterable[Iterable[Alert]]) -> dict[str, int]:
    """How many clients have each alert type (a client counts once per type)."""
    counts = dict.fromkeys(ALERT_TYPES, 0)
    for alerts in alert_lists:
        for kind in {a.kind for a in alerts}:
            counts[kind] = counts.get(kind, 0) + 1
    return counts


@dataclass(frozen=True)
class CaseloadRow:
    """What sorting and filtering need of one caseload entry."""

    client_id: int
    last_name: str
    first_name: str
    consent: bool
    alerts: tuple[Alert, ...] = field(default=())
    used_share: Fraction | None = None  # projected month-end use / budget


def filter_rows(rows: Iterable[CaseloadRow], alert_type: str | None) -> list[CaseloadRow]:
    """Only clients with an alert of `alert_type` (no filter for None or empty)."""
    if not alert_type:
        return list(rows)
    return [r for r in rows if any(a.kind == alert_type for a in r.alerts)]


IDENTITY_CODE_SHAPE = re.compile(r"^\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]$")
SEARCH_MAX = 100


def caseload_matches(query: str, first_name: str, last_name: str, identity_code: str) -> bool:
    """The caseload search: a personal identity code matches exactly (whatever the case of
    its letters), anything else is a case-insensitive part of the name ("aino", "virtanen
    aino", "VIRT"). An empty query matches everyone."""
    wanted = " ".join((query or "").split())[:SEARCH_MAX]
    if not wanted:
        return True
    if IDENTITY_CODE_SHAPE.match(wanted.upper()):
        return wanted.upper() == (identity_code or "").upper()
    wanted = wanted.casefold()
    names = (f"{first_name} {last_name}".casefold(), f"{last_name} {first_name}".casefold())
    return any(wanted in name for name in names)


def sort_rows(rows: Iterable[CaseloadRow], key: str = "name") -> list[CaseloadRow]:
    """Sort by name (last, first), by number of alerts (most first) or by budget use (highest
    first). Clients without consent or budget data go last in the last two, by name."""
    if key not in SORT_KEYS:
        raise ValueError(f"unknown sort key {key!r}")

    def by_name(r: CaseloadRow):
        return (r.last_name.casefold(), r.first_name.casefold(), r.client_id)

    rows = sorted(rows, key=by_name)
    if key == "alerts":
        return sorted(rows, key=lambda r: (not r.consent, -len(r.alerts)))
    if key == "budget":
        return sorted(rows, key=lambda r: (r.used_share is None, -(r.used_share or 0)))
    return rows
