"""Budget decisions turned into plain-language texts in one language (no Reflex here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from hbapp.domain.decisions import GUIDELINE_MONTHLY_CENTS, DecisionError
from hbapp.domain.ledger import month_start
from hbapp.i18n import N_, Translator, unit_price_label
from hbapp.views.providers import BAND_LABELS
from hbapp.services.decisions import (
    ClientDecisions,
    ConflictView,
    DecisionView,
    ServiceOption,
    VersionView,
)

BAND_NAMES = BAND_LABELS
UNIT_NAMES = {
    "hour": N_("hours a month"),
    "day": N_("days a month"),
    "visit": N_("visits a month"),
    "km": N_("kilometres a month"),
    "euro": N_("euros a month"),
}
ERRORS = {
    "changed_meanwhile": N_("Someone else changed this client's decisions while you were "
                            "editing. Nothing of yours was saved. Review the decision again "
                            "and confirm."),
    "identity_code_invalid": N_("Check the identity code. It must look like 140345-9025 and "
                                "its last character must match."),
    "first_name_missing": N_("Enter the first name."),
    "last_name_missing": N_("Enter the last name."),
    "text_too_long": N_("The text is too long. Use at most {limit} characters."),
    "municipality_missing": N_("Choose the municipality."),
    "language_missing": N_("Choose the language."),
    "phone_invalid": N_("Enter the phone number with digits only, for example 040 123 4567."),
    "consent_missing": N_("Choose whether the client gave consent."),
    "decision_date_in_future": N_("The decision date cannot be in the future."),
    "decision_date_invalid": N_("Enter a real date, for example 24 2 2026."),
    "date_missing": N_("Enter the day, month and year."),
    "month_missing": N_("Enter the month and year."),
    "month_invalid": N_("Enter a real month and year, for example 3 2026."),
    "start_not_first_day": N_("A decision starts on the first day of a month."),
    "start_in_past": N_("A new decision starts this month or later."),
    "end_not_last_day": N_("A decision ends on the last day of a month."),
    "end_before_start": N_("The last month cannot be before the first month."),
    "reason_missing": N_("Write the reason in plain language. The client reads it."),
    "reason_too_long": N_("The reason is too long. Use at most 2000 characters."),
    "no_lines": N_("Grant at least one service: enter the units per month."),
    "service_twice": N_("A service can be in the decision only once."),
    "units_missing": N_("Enter the units per month."),
    "units_not_a_number": N_("Enter the units as a number, for example 20 or 2,5."),
    "units_not_positive": N_("The units must be more than zero."),
    "units_too_large": N_("The units are too large. Check the number."),
    "units_too_precise": N_("Use at most three decimals."),
    "value_not_a_number": N_("Enter the unit value in euros, for example 41,50."),
    "value_not_positive": N_("The unit value must be more than zero."),
    "value_reason_missing": N_("Write why the decision has its own unit value."),
    "value_reason_too_long": N_("The reason is too long. Use at most 300 characters."),
    "addition_description_missing": N_("Describe the addition, for example a trip with an "
                                       "assistant."),
    "addition_description_too_long": N_("The description is too long. Use at most 200 "
                                        "characters."),
    "addition_not_positive": N_("Enter the amount in euros, more than zero."),
    "addition_outside_period": N_("The addition's month must be within the decision's "
                                  "period."),
    "overlaps": N_("The client already has a budget decision for this period ({number}). "
                   "Change or end that decision instead."),
    "change_not_future": N_("A change applies from next month or later: this month's "
                            "budget is already in use."),
    "change_before_start": N_("The change cannot apply before the decision starts."),
    "change_after_end": N_("The decision has ended by then. Grant a new budget instead."),
    "end_in_past": N_("The last month must be this month or later."),
    "already_ends": N_("The decision already ends on {last}. Choose an earlier last month."),
    "no_decision": N_("This decision was not found. Reload the page."),
    "unknown_service": N_("A service is no longer in the catalog. Reload the page."),
    "note_missing": N_("Write how the conflict was resolved."),
    "note_too_long": N_("The text is too long. Use at most 1000 characters."),
    "conflict_not_open": N_("This conflict has already been resolved."),
}
GENERIC = N_("Something in the form could not be read. Please check it and try again.")


def error_text(t: Translator, error: DecisionError) -> str:
    params = dict(error.params)
    if "last" in params and isinstance(params["last"], date):
        params["last"] = t.date(params["last"])
    return t(ERRORS.get(error.code, GENERIC), **params)


def guideline_text(t: Translator) -> str:
    return t("Guideline: the average budget in the Kainuu pilot was {amount} a month.",
             amount=t.money(GUIDELINE_MONTHLY_CENTS))


def period_text(t: Translator, valid_from: date, valid_to: date | None) -> str:
    if valid_to is None:
        return t("From {start}, until further notice", start=t.date(valid_from))
    return t("{start} – {end}", start=t.date(valid_from), end=t.date(valid_to))


def values_text(t: Translator, unit: str, values: dict[str, int]) -> str:
    if len(values) == 1:
        return unit_price_label(next(iter(values.values())), unit, t)
    return ", ".join(f"{t(BAND_NAMES[band])} {unit_price_label(cents, unit, t)}"
                     for band, cents in values.items() if band in BAND_NAMES)


def option_rows(t: Translator, options: list[ServiceOption]) -> list[dict[str, str]]:
    return [{
        "code": o.code,
        "name": o.names.get(t.locale),
        "unit": t(UNIT_NAMES[o.unit]),
        "banded": "1" if o.time_banded else "",
        "catalog": t("Catalog value: {values}", values=values_text(t, o.unit, o.values)),
    } for o in options]


@dataclass
class VersionText:
    key: str = ""
    heading: str = ""
    period: str = ""
    decided: str = ""
    reason: str = ""
    lines: list[str] = field(default_factory=list)
    additions: list[str] = field(default_factory=list)
    total: str = ""
    changes: list[str] = field(default_factory=list)
    ended: str = ""
    current: str = ""


def _change_text(t: Translator, version: VersionView, change) -> str:
    line = next((x for x in version.lines if x.service_code == change.service_code), None)
    if change.kind == "removed":
        return t("{service} is no longer in the budget.", service=change.service_code) \
            if line is None else ""
    name = line.names.get(t.locale) if line else change.service_code
    unit = line.unit if line else "hour"
    if change.kind == "added":
        return t("New: {service}, {amount} a month.", service=name,
                 amount=t.quantity(change.new_units, unit))
    if change.kind == "units":
        return t("{service}: {old} → {new} a month.", service=name,
                 old=t.quantity(change.old_units, unit), new=t.quantity(change.new_units, unit))
    return t("{service}: unit value {old} → {new}.", service=name,
             old=unit_price_label(change.old_cents, unit, t),
             new=unit_price_label(change.new_cents, unit, t))


def _removed_names(decision: DecisionView, index: int) -> dict[str, str]:
    names: dict[str, object] = {}
    for version in decision.versions[:index]:
        for line in version.lines:
            names[line.service_code] = line.names
    return names  # type: ignore[return-value]


def version_text(t: Translator, decision: DecisionView, index: int, today: date) -> VersionText:
    version = decision.versions[index]
    lines = []
    for line in version.lines:
        value = values_text(t, line.unit, line.band_values or {"weekday_day":
                                                               line.unit_value_cents})
        text = t("{service}: {amount} a month ({value})", service=line.names.get(t.locale),
                 amount=t.quantity(line.units, line.unit), value=value)
        if line.own_reason:
            text += " " + t("Own unit value: {reason}", reason=line.own_reason)
        lines.append(text)
    additions = [
        (t("{description}: {amount} a month from {month}", description=a.description,
           amount=t.money(a.amount_cents), month=t.month(a.month)) if a.monthly
         else t("{description}: {amount} in {month}", description=a.description,
                amount=t.money(a.amount_cents), month=t.month(a.month)))
        for a in version.additions
    ]
    changes = []
    names = _removed_names(decision, index)
    for change in version.changes:
        if change.kind == "removed":
            removed = names.get(change.service_code)
            changes.append(t("{service} is no longer in the budget.",
                             service=removed.get(t.locale) if removed else change.service_code))
        else:
            changes.append(_change_text(t, version, change))
    ended = ""
    if version.end_decision_date is not None and version.valid_to is not None:
        ended = t("The budget ends after {month}. Decided on {date}. Why: {reason}",
                  month=t.month(month_start(version.valid_to)),
                  date=t.date(version.end_decision_date), reason=version.end_reason)
    in_force = version.valid_from <= today and (version.valid_to is None
                                                or today <= version.valid_to)
    return VersionText(
        key=f"{decision.number}-{version.version}",
        heading=(t("Decision {number}", number=decision.number) if version.version == 1
                 else t("Decision {number}, change {version}", number=decision.number,
                        version=version.version - 1)),
        period=period_text(t, version.valid_from, version.valid_to),
        decided=(t("Decided on {date}", date=t.date(version.decision_date))
                 if version.decision_date else ""),
        reason=version.reason,
        lines=lines,
        additions=additions,
        total=t("Budget per month: {amount}", amount=t.money(version.monthly_cents)),
        changes=[c for c in changes if c],
        ended=ended,
        current=t("In force now") if in_force else "",
    )


def history_texts(t: Translator, result: ClientDecisions, today: date) -> list[VersionText]:
    """Every version, newest first, each saying what changed, from when and why."""
    texts: list[VersionText] = []
    for decision in result.decisions:
        for index in reversed(range(len(decision.versions))):
            texts.append(version_text(t, decision, index, today))
    return texts


def conflict_rows(t: Translator, conflicts: tuple[ConflictView, ...]) -> list[dict[str, str]]:
    rows = []
    for c in conflicts:
        service = c.service.get(t.locale) if c.service else t("a service")
        if c.kind == "below_moved":
            text = t("{month}: {service} is granted less than the client had already swapped "
                     "away. Check the swaps of that month with the client.",
                     month=t.month(c.month), service=service)
        elif c.kind == "after_end":
            text = t("{month}: the budget has ended, but a swap was made or asked for "
                     "{service} in that month.", month=t.month(c.month), service=service)
        else:
            text = t("{month}: the new decision has no {service}, which a swap used.",
                     month=t.month(c.month), service=service)
        rows.append({
            "id": str(c.id),
            "text": text,
            "action": (t("Resolving declines the waiting swap request with your text.")
                       if c.swap_pending else t("Write what you agreed with the client.")),
        })
    return rows
