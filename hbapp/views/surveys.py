"""Survey results and assignments as plain-language texts in one language."""

from __future__ import annotations

from decimal import Decimal

from hbapp.domain.scoring import promis_band
from hbapp.i18n import N_, Translator
from hbapp.services.surveys import AssignmentView, ResponseView

# Instrument names people understand; the official name goes alongside.
INSTRUMENT_NAMES = {
    "promis10": N_("Your health (PROMIS-10)"),
    "whoqol-bref": N_("Your quality of life (WHOQOL-BREF)"),
    "whodas12": N_("Coping in daily life (WHODAS 2.0)"),
    "hb-experience": N_("Your experience of the personal budget"),
}
TIMEPOINT_NAMES = {
    "baseline": N_("At the start"),
    "6_months": N_("After 6 months"),
    "end": N_("At the end"),
    "other": N_("Follow-up"),
}
BAND_NAMES = {
    "excellent": N_("excellent"),
    "very_good": N_("very good"),
    "good": N_("good"),
    "fair": N_("fair"),
    "poor": N_("poor"),
}
PROMIS_SCALES = (
    ("gph", N_("Your physical health score")),
    ("gmh", N_("Your mental health score")),
)
WHOQOL_DOMAINS = (
    ("physical", N_("Physical health")),
    ("psychological", N_("Mental wellbeing")),
    ("social", N_("Relationships")),
    ("environment", N_("Living environment")),
)
WOULD_KEEP = {
    "yes": N_("You want to keep the personal budget."),
    "no": N_("You do not want to keep the personal budget."),
    "dont_know": N_("You did not know yet whether you want to keep the personal budget."),
}


def instrument_name(t: Translator, instrument_id: str) -> str:
    return t(INSTRUMENT_NAMES.get(instrument_id, instrument_id))


def timepoint_name(t: Translator, timepoint: str) -> str:
    msgid = TIMEPOINT_NAMES.get(timepoint) or TIMEPOINT_NAMES["other"]
    return t(msgid)


def _promis(t: Translator, scale: str, scores: dict | None) -> str:
    value = (scores or {}).get(scale) or {}
    if value.get("t") is None:
        return ""
    band = t(BAND_NAMES[promis_band(scale, value["t"])])
    # One decimal as published: rounding 34.9 to 35 would contradict its band (fair ≥ 35).
    return t("{score} ({band})", score=t.number(Decimal(str(value["t"])), 1), band=band)


def _whoqol(t: Translator, domain: str, scores: dict | None) -> str:
    value = (scores or {}).get(domain) or {}
    if value.get("score") is None:
        return ""
    return t("{score} out of 100", score=round(value["score"]))


def _whodas(t: Translator, scores: dict | None) -> str:
    total = (scores or {}).get("total")
    return "" if total is None else t("{score} out of 60", score=total)


def _hb_mean(t: Translator, scores: dict | None) -> str:
    mean = (scores or {}).get("mean")
    return "" if mean is None else t("{score} out of 5", score=t.number(Decimal(str(mean)), 1))


def summary_rows(t: Translator, instrument_id: str, scores: dict,
                 previous: ResponseView | None) -> list[dict[str, str]]:
    """Rows {name, now, before, note} comparing this result with the previous one."""
    before_scores = previous.scores if previous else None
    when = t.date(previous.submitted_at) if previous else ""
    not_counted = t("Could not be counted, because some questions were not answered.")

    def row(name: str, now: str, before: str) -> dict[str, str]:
        return {
            "name": name,
            "now": now or not_counted,
            "before": t("Last time ({date}): {score}", date=when, score=before) if before else "",
        }

    if instrument_id == "promis10":
        return [row(t(label), _promis(t, key, scores), _promis(t, key, before_scores))
                for key, label in PROMIS_SCALES]
    if instrument_id == "whoqol-bref":
        return [row(t(label), _whoqol(t, key, scores), _whoqol(t, key, before_scores))
                for key, label in WHOQOL_DOMAINS]
    if instrument_id == "whodas12":
        return [row(t("Difficulties in daily life"), _whodas(t, scores),
                    _whodas(t, before_scores))]
    if instrument_id == "hb-experience":
        rows = [row(t("How much you agreed, on average"), _hb_mean(t, scores),
                    _hb_mean(t, before_scores))]
        keep = scores.get("would_keep")
        if keep in WOULD_KEEP:
            rows.append({"name": t("Keeping the budget"), "now": t(WOULD_KEEP[keep]),
                         "before": ""})
        return rows
    return []


SUMMARY_NOTES = {
    "promis10": N_("50 is the average in the population. A higher score is better."),
    "whoqol-bref": N_("The scores are from 0 to 100. A higher score is better."),
    "whodas12": N_("The score is from 12 to 60. 12 means no difficulties. "
                   "A lower score is better."),
    "hb-experience": N_("1 means you completely disagree and 5 that you completely agree."),
}


def summary_note(t: Translator, instrument_id: str) -> str:
    return t(SUMMARY_NOTES[instrument_id]) if instrument_id in SUMMARY_NOTES else ""


def assignment_texts(t: Translator, a: AssignmentView) -> dict[str, str]:
    if a.completed_at is not None:
        status = t("Answered {date}", date=t.date(a.completed_at))
    elif a.cancelled_at is not None:
        status = t("Cancelled")
    elif a.overdue:
        status = t("Was due {date}", date=t.date(a.due_on))
    else:
        status = t("Answer by {date}", date=t.date(a.due_on))
    return {
        "id": str(a.id),
        "href": f"/surveys/{a.id}",
        "name": instrument_name(t, a.instrument_id),
        "timepoint": timepoint_name(t, a.timepoint),
        "status": status,
        "overdue": "1" if a.overdue else "",
        "started": "1" if a.is_open and a.draft else "",
    }


def response_texts(t: Translator, r: ResponseView) -> dict[str, str]:
    return {
        "id": str(r.id),
        "href": f"/surveys/{r.assignment_id}" if r.assignment_id else "",
        "name": instrument_name(t, r.instrument_id),
        "timepoint": timepoint_name(t, r.timepoint),
        "date": t.date(r.submitted_at),
        "proxy": t("Answered by a representative") if r.proxy_reported else "",
        "helped": t("Answered with help (marked by the case worker)")
        if r.answered_with_help else "",
    }
