"""Service events turned into texts: the provider's list and receipt, the worker's review queue,
refusals (no Reflex here)."""

from __future__ import annotations

from datetime import datetime

from hbapp.i18n import N_, Translator, unit_price_label
from hbapp.services.provider_events import EventRefused, RecordedEvent, ReviewItem, VoucherChoice

# Short band names, as a client reads them next to an event ("ilta" / "evening").
BAND_NAMES = {
    "weekday_day": N_("daytime"),
    "weekday_evening": N_("evening"),
    "saturday": N_("Saturday"),
    "sunday_holiday": N_("Sunday or holiday"),
}
STATUS_NAMES = {
    "recorded": N_("Recorded"),
    "needs_review": N_("Waiting for the case worker's review"),
    "rejected": N_("Rejected by the case worker"),
    "cancelled": N_("Cancelled"),
}
FIELD_NAMES = {
    "voucher": N_("Voucher"),
    "service_code": N_("Service"),
    "start": N_("Start"),
    "end": N_("End"),
    "day": N_("Date"),
    "units": N_("Amount"),
    "km": N_("Kilometres"),
    "reason": N_("Reason"),
    "note": N_("Note"),
}


def band_name(t: Translator, band: str) -> str:
    return t(BAND_NAMES[band]) if band in BAND_NAMES else band


def status_name(t: Translator, status: str) -> str:
    return t(STATUS_NAMES[status]) if status in STATUS_NAMES else status


def refusal_message(t: Translator, error: EventRefused) -> str:
    return t(error.message, **error.params)


def when_text(t: Translator, started_at: datetime, ended_at: datetime | None) -> str:
    """"ma 23.11.2026 klo 18.30–19.30" for a visit, the date alone for a day event."""
    if ended_at is None:
        return t.weekday_date(started_at)
    if ended_at.date() == started_at.date():
        return t("{date} at {start}–{end}", date=t.weekday_date(started_at),
                 start=t.time(started_at), end=t.time(ended_at))
    return t("{date} at {start} – {end_date} at {end}", date=t.weekday_date(started_at),
             start=t.time(started_at), end_date=t.weekday_date(ended_at), end=t.time(ended_at))


def _service(t: Translator, names: tuple[str, str, str]) -> str:
    return dict(zip(("fi", "sv", "en"), names)).get(t.locale, names[0])


def provider_event_rows(t: Translator, events: list[RecordedEvent]) -> list[dict[str, str]]:
    rows = []
    for event in events:
        rows.append({
            "id": str(event.id),
            "when": when_text(t, event.started_at, event.ended_at),
            "iso": event.started_at.isoformat(timespec="minutes"),
            "client": event.client_name,
            "voucher": event.voucher,
            "service": _service(t, event.service_names),
            "quantity": t.quantity(event.units, event.unit),
            "band": band_name(t, event.band),
            "amount": t.money(event.amount_cents + event.km_compensation_cents),
            "self_pay": t.money(event.self_pay_cents) if event.self_pay_cents else "",
            "status": event.status,
            "status_text": status_name(t, event.status),
            "reason": event.cancel_reason or event.review_note,
            "can_cancel": "1" if event.status in ("recorded", "needs_review") else "",
        })
    return rows


def receipt_texts(t: Translator, event: RecordedEvent) -> dict[str, str]:
    """What the server derived for a saved event."""
    return {
        "id": str(event.id),
        "client": event.client_name,
        "service": _service(t, event.service_names),
        "when": when_text(t, event.started_at, event.ended_at),
        "quantity": t.quantity(event.units, event.unit),
        "band": band_name(t, event.band),
        "price": unit_price_label(event.price_cents, event.unit, t) if event.price_cents else "",
        "amount": t.money(event.amount_cents),
        "self_pay": t.money(event.self_pay_cents),
        "km": (t("{km} km, compensation {amount}", km=t.number(event.km),
                 amount=t.money(event.km_compensation_cents)) if event.km else ""),
        "total": t.money(event.amount_cents + event.km_compensation_cents),
        "status": event.status,
        "status_text": status_name(t, event.status),
        "created": "1" if event.created else "",
    }


def voucher_options(t: Translator, vouchers: list[VoucherChoice]) -> list[dict[str, str]]:
    return [{
        "code": voucher.code,
        "label": t("{client}: {service} ({code})", client=voucher.client_name,
                   service=_service(t, voucher.service_names), code=voucher.code),
        "service": voucher.service_code,
        "unit": voucher.unit,
        "travel": "1" if voucher.travel else "",
    } for voucher in vouchers]


def review_rows(t: Translator, items: list[ReviewItem]) -> list[dict[str, str]]:
    rows = []
    for item in items:
        left = item.line_remaining_cents
        rows.append({
            "id": str(item.event_id),
            "client": item.client_name,
            "provider": item.provider_name,
            "service": _service(t, item.service_names),
            "when": when_text(t, item.started_at, item.ended_at),
            "quantity": t.quantity(item.units, item.unit),
            "band": band_name(t, item.band),
            "amount": t.money(item.amount_cents),
            "left": (t("{amount} left of this service this month", amount=t.money(left))
                     if left >= 0 else
                     t("this service is already over by {amount} this month",
                       amount=t.money(-left))),
            "if_approved": t("If you approve, the event counts, and this service goes over "
                             "what was left this month by {amount}.",
                             amount=t.money(max(0, item.amount_cents - max(left, 0)))),
        })
    return rows
