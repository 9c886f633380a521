"""Budget figures turned into the texts people read, in their language (no Reflex here)."""

from __future__ import annotations

from decimal import Decimal

from hbapp.domain.ledger import LineBalance
from hbapp.domain.units import Unit
from hbapp.i18n import Translator, unit_price_label
from hbapp.services.budget import BudgetMonth


def percent(fraction: Decimal) -> int:
    """Whole percent for a progress bar, kept within 0–100."""
    return max(0, min(100, int((fraction * 100).to_integral_value())))


def line_texts(t: Translator, month: BudgetMonth, balance: LineBalance) -> dict[str, str]:
    view = month.lines[balance.line_id]
    name = view.names.get(t.locale)
    used = t.quantity(balance.used_units, view.unit)
    granted = t.quantity(balance.granted_units, view.unit)
    over = balance.remaining_cents < 0
    return {
        "id": str(balance.line_id),
        "code": view.service_code,
        "name": name,
        "used_of": t("{used} of {granted} used", used=used, granted=granted),
        "granted": granted,
        "granted_money": t.money(balance.value_cents),
        "used": used,
        "used_money": t.money(balance.used_cents),
        "remaining": t.quantity(balance.remaining_units, view.unit),
        "remaining_money": t.money(balance.remaining_cents),
        "left": (
            t("Over by {amount}", amount=t.money(-balance.remaining_cents))
            if over
            else t("Left: {amount}", amount=t.money(balance.remaining_cents))
            if view.unit == Unit.EURO.value
            else t(
                "Left: {quantity} ({amount})",
                quantity=t.quantity(balance.remaining_units, view.unit),
                amount=t.money(balance.remaining_cents),
            )
        ),
        "unit_value": unit_price_label(view.unit_value_cents, view.unit, t),
        "provider": view.chosen_provider or "",
        "percent": str(percent(balance.used_fraction)),
        "over": "1" if over else "",
    }


def summary_texts(t: Translator, month: BudgetMonth) -> dict[str, str]:
    statement = month.statement
    if statement.projected_overspend and not statement.overspent:
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
        "warning": "1" if statement.projected_overspend or statement.overspent else "",
        "decision": month.decision_reference,
    }


def event_texts(t: Translator, month: BudgetMonth) -> list[dict[str, str]]:
    rows = []
    for event in month.events:
        view = month.lines[event.line_id]
        rows.append(
            {
                "when": t("{date} at {time}", date=t.weekday_date(event.started_at),
                          time=t.time(event.started_at)),
                "iso": event.started_at.isoformat(timespec="minutes"),
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
            }
        )
    return rows
