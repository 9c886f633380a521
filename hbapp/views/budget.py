"""Budget figures turned into the texts people read, in their language (no Reflex here)."""

from __future__ import annotations

from decimal import Decimal

from hbapp.domain.ledger import LineBalance
from hbapp.domain.units import SMALLEST_USEFUL, Unit
from hbapp.i18n import Translator, unit_price_label
from hbapp.models import EventStatus
from hbapp.services.budget import BudgetMonth, EventView
from hbapp.views.events import band_name


def percent(fraction: Decimal) -> int:
    """Whole percent for a progress bar, kept within 0–100."""
    return max(0, min(100, int((fraction * 100).to_integral_value())))


def buys_text(t: Translator, cents: int, buys: Decimal, unit: str, charge_cents: int) -> str:
    """What money buys of a service, as every page says it: "enough for 2 h 57 min"."""
    if unit == Unit.EURO.value:
        return ""
    if cents > 0 and buys < SMALLEST_USEFUL[Unit(unit)]:
        return t("not enough for {smallest}", smallest=t.quantity(SMALLEST_USEFUL[Unit(unit)], unit))
    return t("enough for {quantity} at {price}", quantity=t.quantity(buys, unit),
             price=unit_price_label(charge_cents, unit, t))


def line_texts(t: Translator, month: BudgetMonth, balance: LineBalance) -> dict[str, str]:
    """One line in money, with what the money left buys (`units_for_money` via the ledger)."""
    view = month.lines[balance.line_id]
    name = view.names.get(t.locale)
    over = balance.remaining_cents < 0
    buys = ("" if over else buys_text(t, balance.remaining_cents, balance.remaining_buys,
                                      view.unit, balance.unit_charge_cents))
    in_euros = view.unit == Unit.EURO.value  # the quantity is the money: say it once
    parts = [] if in_euros else [
        t("{quantity} at {price}", quantity=t.quantity(balance.granted_units, view.unit),
          price=unit_price_label(balance.unit_value_cents, view.unit, t))]
    if balance.adjustment_cents > 0:
        parts.append(t("{amount} added by swaps", amount=t.money(balance.adjustment_cents)))
    elif balance.adjustment_cents < 0:
        parts.append(t("{amount} swapped to other services",
                       amount=t.money(-balance.adjustment_cents)))
    decided = ", ".join(parts)
    if over:
        left = t("Over by {amount}", amount=t.money(-balance.remaining_cents))
    elif buys:
        left = t("Left: {amount}, {buys}", amount=t.money(balance.remaining_cents), buys=buys)
    else:
        left = t("Left: {amount}", amount=t.money(balance.remaining_cents))
    return {
        "id": str(balance.line_id),
        "code": view.service_code,
        "name": name,
        "used_of": (t("{used} of {granted} used", used=t.money(balance.used_cents),
                      granted=t.money(balance.value_cents)) if in_euros else
                    t("{used} of {granted} used ({quantity})",
                      used=t.money(balance.used_cents), granted=t.money(balance.value_cents),
                      quantity=t.quantity(balance.used_units, view.unit))),
        "granted_money": t.money(balance.value_cents),
        "decided": decided,
        "used": "" if in_euros else t.quantity(balance.used_units, view.unit),
        "used_money": t.money(balance.used_cents),
        "remaining_money": t.money(balance.remaining_cents),
        "buys": buys,
        "leftover": (t("The money stays in your budget: you can use it for your other services.")
                     if balance.leftover_only else ""),
        "left": left,
        "provider": view.chosen_provider or "",
        "voucher": view.voucher_code or "",
        "provider_href": (f"/providers/{view.chosen_provider_id}"
                          if view.chosen_provider_id else ""),
        "provider_notice": (
            t("This provider has been suspended since {date}. Your case worker will contact "
              "you. You can still reach the provider and give feedback.",
              date=t.date(view.provider_suspended_at))
            if view.provider_suspended_at else ""),
        "provider_suspended": (t("The provider has been suspended since {date}.",
                                 date=t.date(view.provider_suspended_at))
                               if view.provider_suspended_at else ""),
        "percent": str(percent(balance.used_fraction)),
        "over": "1" if over else "",
    }


def summary_texts(t: Translator, month: BudgetMonth) -> dict[str, str]:
    statement = month.statement
    if statement.period == "past":
        forecast = (t("The budget was overspent by {amount}.",
                      amount=t.money(-statement.remaining_cents))
                    if statement.overspent else
                    t("The month is over. {amount} was left unused.",
                      amount=t.money(statement.remaining_cents)))
    elif statement.period == "future":
        forecast = t("This month has not started yet.")
    elif statement.projected_overspend and not statement.overspent:
        forecast = t(
            "At this pace you will use {amount} this month, more than the budget.",
            amount=t.money(statement.projected_used_cents),
        )
    elif statement.overspent:
        forecast = t(
            "The budget is overspent by {amount}. Talk to your case worker.",
            amount=t.money(-statement.remaining_cents),
        )
    else:
        forecast = t(
            "At this pace you will use {amount} this month. The budget is enough.",
            amount=t.money(statement.projected_used_cents),
        )
    return {
        "month": t.month(month.month),
        "budget": t.money(statement.budget_cents),
        "used": t.money(statement.used_cents),
        "remaining": t.money(statement.remaining_cents),
        "self_pay": t.money(statement.self_pay_cents),
        "used_of": t(
            "{used} of {budget} used",
            used=t.money(statement.used_cents),
            budget=t.money(statement.budget_cents),
        ),
        "percent": str(percent(statement.used_fraction)),
        "forecast": forecast,
        "warning": "1" if statement.overspent or (
            statement.period == "current" and statement.projected_overspend) else "",
        "additions": t.money(statement.additions_cents) if statement.additions_cents else "",
        "decision": month.decision_reference,
    }


# How hbapp.services.disputes marks an event it cancelled ("dispute <id>: <reason>").
DISPUTE_CANCEL_PREFIX = "dispute "


def _event_note(t: Translator, event: EventView) -> str:
    """How an event that does not count is explained to the client (plain language)."""
    if event.status == EventStatus.CANCELLED.value and event.cancel_reason.startswith(
            DISPUTE_CANCEL_PREFIX):
        return t("Cancelled because your report was accepted. This is not taken from your "
                 "budget.")
    if event.status == EventStatus.CANCELLED.value:
        return t("cancelled: {reason}. This is not taken from your budget.",
                 reason=event.cancel_reason)
    if event.status == EventStatus.NEEDS_REVIEW.value:
        return t("Waiting for your case worker. This is not taken from your budget yet.")
    if event.status == EventStatus.REJECTED.value:
        return (t("Your case worker did not accept this: {note}. It is not taken from your "
                  "budget.", note=event.review_note) if event.review_note else
                t("Your case worker did not accept this. It is not taken from your budget."))
    return ""


def event_texts(t: Translator, month: BudgetMonth) -> list[dict[str, str]]:
    rows = []
    for event in month.events:
        view = month.lines[event.line_id]
        rows.append(
            {
                "when": t("{date} at {time}", date=t.weekday_date(event.started_at),
                          time=t.time(event.started_at)),
                "iso": event.started_at.isoformat(timespec="minutes"),
                "id": str(event.id),
                "service": view.names.get(t.locale),
                "provider": event.provider_name,
                "quantity": t.quantity(event.units, event.unit),
                "amount": t.money(event.amount_cents + event.km_compensation_cents),
                "self_pay": t.money(event.self_pay_cents) if event.self_pay_cents else "",
                "km": (
                    t("{km} km, compensation {amount}", km=t.number(event.km),
                      amount=t.money(event.km_compensation_cents))
                    if event.km
                    else ""
                ),
                "band": band_name(t, event.band) if event.unit == Unit.HOUR.value else "",
                "status": event.status,
                "note": _event_note(t, event),
            }
        )
    return rows
