"""Disputes and the events they are about, as texts for one language."""

from __future__ import annotations

from hbapp.i18n import N_, Translator
from hbapp.services.disputes import DisputeView, EventSummary

REASON_LABELS = {
    "did_not_happen": N_("The service did not happen"),
    "wrong_time_or_length": N_("The time or length is wrong"),
    "other": N_("Something else is wrong"),
}
STATUS_LABELS = {
    "open": N_("Waiting for the case worker's decision"),
    "upheld": N_("Accepted: the event was cancelled"),
    "rejected": N_("Not accepted: the event stays"),
}
# Why a dispute could not be opened or decided (DisputeError codes).
ERRORS = {
    "reason_missing": N_("Choose what is wrong."),
    "comment_missing": N_("Tell what is wrong."),
    "comment_too_long": N_("Write at most 2000 characters."),
    "explanation_missing": N_("Write why the event stays. The client will read it."),
    "explanation_too_long": N_("Write at most 2000 characters."),
    "bad_text": N_("The text contains characters that cannot be saved."),
    "already_open": N_("A problem with this event has already been reported. The case "
                       "worker will decide it."),
    "not_disputable": N_("A problem cannot be reported with this event."),
    "too_old": N_("This event is too old: contact your case worker."),
    "already_decided": N_("This report has already been decided."),
}


def error_text(t: Translator, code: str) -> str:
    return t(ERRORS.get(code, N_("This could not be done. Please try again.")))


def event_when(t: Translator, event: EventSummary) -> str:
    if event.ended_at is not None and event.ended_at.date() == event.started_at.date():
        return t("{date} {start}–{end}", date=t.weekday_date(event.started_at),
                 start=t.time(event.started_at), end=t.time(event.ended_at))
    return t("{date} at {time}", date=t.weekday_date(event.started_at),
             time=t.time(event.started_at))


def event_texts(t: Translator, event: EventSummary) -> dict[str, str]:
    return {
        "id": str(event.id),
        "when": event_when(t, event),
        "iso": event.started_at.isoformat(timespec="minutes"),
        "service": event.service.get(t.locale),
        "quantity": t.quantity(event.units, event.unit),
        "provider": event.provider_name,
        "amount": t.money(event.amount_cents),
    }


def dispute_texts(t: Translator, dispute: DisputeView) -> dict[str, str]:
    return {
        **{f"event_{k}": v for k, v in event_texts(t, dispute.event).items()},
        "id": str(dispute.id),
        "client": dispute.client_name,
        "voucher": dispute.voucher,
        "reason": t(REASON_LABELS.get(dispute.reason, dispute.reason)),
        "comment": dispute.comment,
        "status": dispute.status,
        "status_text": t(STATUS_LABELS.get(dispute.status, dispute.status)),
        "opened": t.date(dispute.opened_at),
        "decided": t.date(dispute.decided_at) if dispute.decided_at else "",
        "explanation": dispute.explanation,
    }
