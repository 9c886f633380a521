"""Caseload and client-overview results turned into texts and chart data for one language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from babel import numbers

from hbapp.domain.alerts import (
    BUDGET_HIGH_ALERT,
    BUDGET_LOW_ALERT,
    DISPUTE_OPEN_ALERT,
    FEEDBACK_FLAG_ALERT,
    PROMIS_DROP_ALERT,
    SURVEY_OVERDUE_ALERT,
    SWAP_PENDING_ALERT,
    WHOQOL_DOMAINS,
    WHOQOL_DROP_ALERT,
    Alert,
)
from hbapp.domain.scoring import load_instrument, promis_band
from hbapp.i18n import N_, Translator
from hbapp.services.caseload import Caseload, CaseloadEntry
from hbapp.services.worker_client import ClientOverview, SurveyRecord

ALERT_LABELS = {
    PROMIS_DROP_ALERT: N_("PROMIS score dropped"),
    WHOQOL_DROP_ALERT: N_("WHOQOL-BREF domain dropped"),
    SURVEY_OVERDUE_ALERT: N_("Survey overdue"),
    FEEDBACK_FLAG_ALERT: N_("Feedback flag open"),
    SWAP_PENDING_ALERT: N_("Swap request waiting"),
    DISPUTE_OPEN_ALERT: N_("Reported problem waiting"),
    BUDGET_LOW_ALERT: N_("Budget use under 30 %"),
    BUDGET_HIGH_ALERT: N_("Budget use over 100 %"),
}
SORT_LABELS = {
    "name": N_("Name"),
    "alerts": N_("Number of alerts"),
    "budget": N_("Budget use"),
}
PROMIS_PARTS = {"gph": N_("physical health (GPH)"), "gmh": N_("mental health (GMH)")}
WHOQOL_PARTS = {
    "physical": N_("physical health"),
    "psychological": N_("psychological"),
    "social": N_("social relationships"),
    "environment": N_("environment"),
}
BAND_LABELS = {
    "excellent": N_("excellent"),
    "very_good": N_("very good"),
    "good": N_("good"),
    "fair": N_("fair"),
    "poor": N_("poor"),
}
TIMEPOINT_LABELS = {
    "baseline": N_("baseline"),
    "6_months": N_("6 months"),
    "end": N_("end"),
    "other": N_("follow-up"),
}
RELATION_LABELS = {
    "relative": N_("relative"),
    "custodian": N_("custodian (parent of a child)"),
    "guardian": N_("guardian"),
    "other": N_("other"),
}
SCOPE_LABELS = {
    "view": N_("view"),
    "manage": N_("manage"),
    "feedback": N_("feedback"),
    "surveys": N_("surveys"),
}
INSTRUMENT_NAMES = {
    "promis10": "PROMIS-10",
    "whoqol-bref": "WHOQOL-BREF",
    "whodas12": "WHODAS 2.0 (12)",
    "hb-experience": "HB",
}


def percent_text(t: Translator, value: float) -> str:
    return numbers.format_percent(value / 100, locale=t.locale)


def score_text(t: Translator, value) -> str:
    if value is None:
        return "–"
    return t.number(value, 1)


def alert_text(t: Translator, alert: Alert) -> str:
    if alert.kind == PROMIS_DROP_ALERT:
        return t("PROMIS {part}: down from {before} to {after}",
                 part=t(PROMIS_PARTS[alert.part]), before=score_text(t, alert.before),
                 after=score_text(t, alert.after))
    if alert.kind == WHOQOL_DROP_ALERT:
        return t("WHOQOL-BREF {part}: down from {before} to {after}",
                 part=t(WHOQOL_PARTS[alert.part]), before=score_text(t, alert.before),
                 after=score_text(t, alert.after))
    if alert.kind == SURVEY_OVERDUE_ALERT:
        return t.ngettext("{n} survey overdue", "{n} surveys overdue", alert.count, n=alert.count)
    if alert.kind == FEEDBACK_FLAG_ALERT:
        return t.ngettext("{n} feedback flag open", "{n} feedback flags open", alert.count,
                          n=alert.count)
    if alert.kind == SWAP_PENDING_ALERT:
        return t.ngettext("{n} swap request waiting", "{n} swap requests waiting", alert.count,
                          n=alert.count)
    if alert.kind == DISPUTE_OPEN_ALERT:
        return t.ngettext("{n} reported problem with a service event waiting",
                          "{n} reported problems with service events waiting", alert.count,
                          n=alert.count)
    if alert.kind == BUDGET_LOW_ALERT:
        return t("Budget forecast for the month: {percent} used (under 30 %)",
                 percent=percent_text(t, alert.after or 0))
    if alert.kind == BUDGET_HIGH_ALERT:
        return t("Budget forecast for the month: {percent} used (over 100 %)",
                 percent=percent_text(t, alert.after or 0))
    return t(ALERT_LABELS.get(alert.kind, alert.kind))


@dataclass
class CaseloadRowView:
    id: str = ""
    name: str = ""
    href: str = ""
    consent: bool = False
    alerts: list[str] = field(default_factory=list)
    alert_count: str = ""
    budget_use: str = ""


def caseload_row(t: Translator, entry: CaseloadEntry) -> CaseloadRowView:
    share = entry.projected_share
    budget_use = ""
    if share is not None:
        budget_use = t("Budget forecast for the month: {percent} used",
                       percent=percent_text(t, float(share * 100)))
    n = len(entry.alerts)
    return CaseloadRowView(
        id=str(entry.client_id),
        name=entry.name,
        href=f"/worker/clients/{entry.client_id}",
        consent=entry.consent,
        alerts=[alert_text(t, a) for a in entry.alerts],
        alert_count=t.ngettext("{n} alert", "{n} alerts", n, n=n) if entry.consent else "",
        budget_use=budget_use,
    )


def alert_counts(t: Translator, caseload: Caseload) -> list[dict[str, str]]:
    return [
        {"kind": kind, "label": t(label), "count": str(caseload.counts.get(kind, 0))}
        for kind, label in ALERT_LABELS.items()
    ]


# --------------------------------------------------------------------------- client page


def _when(t: Translator, moment: datetime) -> str:
    return t.date(moment, "short")


def _proxy_text(t: Translator, record: SurveyRecord) -> str:
    return t("Answered by a proxy: {name}", name=record.answered_by) if record.proxy_reported \
        else ""


def promis_points(t: Translator, overview: ClientOverview) -> list[dict]:
    points = []
    for r in overview.surveys:
        if r.instrument_id != "promis10":
            continue
        point: dict = {"date": _when(t, r.submitted_at)}
        for part in ("gph", "gmh"):
            sub = r.scores.get(part) or {}
            point[part] = sub.get("t")
            point[f"{part}_se"] = sub.get("se")
        points.append(point)
    return points


def promis_rows(t: Translator, overview: ClientOverview, part: str) -> list[dict[str, str]]:
    rows = []
    for r in overview.surveys:
        if r.instrument_id != "promis10":
            continue
        sub = r.scores.get(part) or {}
        value = sub.get("t")
        rows.append({
            "date": _when(t, r.submitted_at),
            "timepoint": t(TIMEPOINT_LABELS.get(r.timepoint, TIMEPOINT_LABELS["other"])),
            "t": score_text(t, value),
            "se": score_text(t, sub.get("se")),
            "band": t(BAND_LABELS[promis_band(part, value)]) if value is not None else "–",
            "proxy": t("yes") if r.proxy_reported else t("no"),
        })
    return rows


def promis_bands(t: Translator, part: str) -> list[dict[str, str]]:
    """Interpretation bands of a subscale, highest first, with lower and upper T limits."""
    bands = load_instrument("promis10")["scoring"]["subscales"][part]["bands"]
    result, upper = [], 100
    for band in bands:
        lower = band["min"] if band["min"] is not None else 0
        band_key = band["band"]
        label = t(BAND_LABELS[band_key])
        result.append({
            "label": label,
            "y1": str(lower),
            "y2": str(upper),
            "text": (t("{band}: {min} or more", band=label, min=t.number(band["min"]))
                     if band["min"] is not None
                     else t("{band}: under {max}", band=label, max=t.number(upper))),
        })
        upper = lower
    return result


def whoqol_points(t: Translator, overview: ClientOverview) -> list[dict]:
    points = []
    for r in overview.surveys:
        if r.instrument_id != "whoqol-bref":
            continue
        point: dict = {"date": _when(t, r.submitted_at)}
        for domain in WHOQOL_DOMAINS:
            point[domain] = (r.scores.get(domain) or {}).get("score")
        points.append(point)
    return points


def whoqol_rows(t: Translator, overview: ClientOverview) -> list[dict[str, str]]:
    rows = []
    for r in overview.surveys:
        if r.instrument_id != "whoqol-bref":
            continue
        row = {
            "date": _when(t, r.submitted_at),
            "timepoint": t(TIMEPOINT_LABELS.get(r.timepoint, TIMEPOINT_LABELS["other"])),
            "proxy": t("yes") if r.proxy_reported else t("no"),
        }
        for domain in WHOQOL_DOMAINS:
            row[domain] = score_text(t, (r.scores.get(domain) or {}).get("score"))
        rows.append(row)
    return rows


def whodas_points(t: Translator, overview: ClientOverview) -> list[dict]:
    return [
        {"date": _when(t, r.submitted_at), "total": r.scores.get("total")}
        for r in overview.surveys if r.instrument_id == "whodas12"
    ]


def whodas_rows(t: Translator, overview: ClientOverview) -> list[dict[str, str]]:
    return [
        {
            "date": _when(t, r.submitted_at),
            "timepoint": t(TIMEPOINT_LABELS.get(r.timepoint, TIMEPOINT_LABELS["other"])),
            "total": score_text(t, r.scores.get("total")),
            "proxy": t("yes") if r.proxy_reported else t("no"),
        }
        for r in overview.surveys if r.instrument_id == "whodas12"
    ]


@dataclass
class AnswerSetView:
    id: str = ""
    title: str = ""
    answered_by: str = ""
    proxy: str = ""
    questions: list[dict[str, str]] = field(default_factory=list)


def _answer_label(item: dict, value) -> str:
    if value is None:
        return ""
    if item.get("type") == "text":
        return str(value)
    if "scale" in item:
        scale = item["scale"]
        label = ""
        if value == scale["min"]:
            label = scale.get("min_label", {}).get("en", "")
        elif value == scale["max"]:
            label = scale.get("max_label", {}).get("en", "")
        return f"{value} ({label})" if label else str(value)
    for option in item.get("options", []):
        if option["value"] == value:
            return f"{option['label'].get('en', value)} ({value})"
    return str(value)


def answer_sets(t: Translator, overview: ClientOverview) -> list[AnswerSetView]:
    """Every answer set, newest first, item by item in print order with English item texts
    (the licensed instruments are shipped in English only)."""
    result = []
    for r in reversed(overview.surveys):
        instrument = load_instrument(r.instrument_id)
        items = []
        for item in instrument["items"]:
            value = r.answers.get(item["key"])
            text = item["text"].get("en") or next(iter(item["text"].values()), item["key"])
            items.append({
                "key": item["key"],
                "text": text,
                "answer": _answer_label(item, value) or t("Not answered"),
            })
        result.append(AnswerSetView(
            id=str(r.id),
            title=t("{instrument}, {timepoint}, {date}",
                    instrument=INSTRUMENT_NAMES.get(r.instrument_id, r.instrument_id),
                    timepoint=t(TIMEPOINT_LABELS.get(r.timepoint, TIMEPOINT_LABELS["other"])),
                    date=_when(t, r.submitted_at)),
            answered_by=t("Answered by {name}", name=r.answered_by),
            proxy=_proxy_text(t, r),
            questions=items,
        ))
    return result


def mandate_rows(t: Translator, overview: ClientOverview) -> list[dict[str, str]]:
    return [
        {
            "name": m.agent_name,
            "relation": t(RELATION_LABELS.get(m.relation, RELATION_LABELS["other"])),
            "scopes": ", ".join(t(SCOPE_LABELS[s]) for s in m.scopes if s in SCOPE_LABELS),
            "valid": (t("from {start} to {end}", start=t.date(m.valid_from),
                        end=t.date(m.valid_to)) if m.valid_to
                      else t("from {start}", start=t.date(m.valid_from))),
        }
        for m in overview.mandates
    ]


def provider_rows(t: Translator, overview: ClientOverview) -> list[dict[str, str]]:
    return [
        {"service": p.service.get(t.locale), "provider": p.provider_name,
         "since": t("chosen {date}", date=t.date(p.chosen_at))}
        for p in overview.providers
    ]


def open_survey_rows(t: Translator, overview: ClientOverview) -> list[dict[str, str]]:
    return [
        {
            "instrument": INSTRUMENT_NAMES.get(o.instrument_id, o.instrument_id),
            "timepoint": t(TIMEPOINT_LABELS.get(o.timepoint, TIMEPOINT_LABELS["other"])),
            "due": t("due {date}", date=t.date(o.due_on)),
            "overdue": t("Overdue") if o.overdue else "",
        }
        for o in overview.open_surveys
    ]


def swap_rows(t: Translator, overview: ClientOverview) -> list[dict[str, str]]:
    return [
        {
            "id": str(s.id),
            "month": t.month(s.month),
            "text": t("{from_quantity} of {from_service} into {to_quantity} of {to_service}",
                      from_quantity=t.quantity(s.from_units, s.from_unit),
                      from_service=s.from_service.get(t.locale),
                      to_quantity=t.quantity(s.to_units, s.to_unit),
                      to_service=s.to_service.get(t.locale)),
            "amount": t.money(s.amount_cents),
            "requested_by": t("Asked by {name}", name=s.requested_by),
        }
        for s in overview.pending_swaps
    ]
