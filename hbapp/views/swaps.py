"""Swap previews, refusals and swap lists turned into texts for one language (no Reflex here)."""

from __future__ import annotations

from decimal import Decimal

from hbapp.domain.swaps import SwapError, SwapPreview
from hbapp.i18n import N_, Translator, unit_price_label
from hbapp.services.swaps import SwapOptions, SwapView
from hbapp.views.budget import buys_text

STATUS_LABELS = {
    "applied": N_("Done"),
    "pending": N_("Waiting for your case worker"),
    "approved": N_("Approved by your case worker"),
    "declined": N_("Declined by your case worker"),
    "cancelled": N_("Cancelled"),
}

UNIT_HINTS = {
    "hour": N_("In hours, for example 2 or 1,5."),
    "day": N_("In days, for example 1 or 0,5."),
    "visit": N_("In trips or visits, for example 2."),
    "km": N_("In kilometres, for example 20."),
    "euro": N_("In euros, for example 20."),
}


def error_message(t: Translator, error: SwapError, names: dict[str, str] | None = None,
                  unit: str = "hour") -> str:
    """One plain sentence for each refusal code."""
    d = error.details
    code = error.code
    if code == "more_than_available":
        return t("That is more than is left this month. You have {available} left.",
                 available=t.quantity(Decimal(d.get("available", 0)), unit))
    if code == "too_small":
        return t("That is too little to buy anything. Swap at least {smallest}.",
                 smallest=t.quantity(Decimal(d.get("smallest", 0)), unit))
    if code == "below_minimum":
        return t("At least {minimum} a month must stay as this service. You can swap at most "
                 "{most}.",
                 minimum=t.quantity(Decimal(d.get("minimum", 0)), unit),
                 most=t.quantity(Decimal(d.get("swappable", 0)), unit))
    if code == "not_whole":
        return t("This service is swapped in whole units. Enter a whole number, for example "
                 "{example}.", example=t.quantity(Decimal(1), unit))
    if code == "over_monthly_max":
        return t("That is more than can be swapped this month. You can still swap {amount}.",
                 amount=t.money(int(d.get("left_cents", 0))))
    messages = {
        "amount_missing": N_("Enter how much you want to swap."),
        "not_a_number": N_("Enter the amount as a number, for example 2 or 1,5."),
        "zero": N_("Enter an amount greater than zero."),
        "negative": N_("The amount cannot be negative."),
        "too_many_decimals": N_("Use at most 2 decimals."),
        "unknown_service": N_("Choose a service from the list."),
        "same_service": N_("Choose a different service to swap into."),
        "forbidden_conversion": N_("This service cannot be swapped into that one. "
                                   "Choose another service."),
        "month_closed": N_("This month is over. Swaps cannot be made for it any more."),
        "no_budget": N_("There is no active budget for this month."),
        "no_rulebook": N_("Your organizer has no rules for swaps yet."),
        "already_used": N_("This swap cannot be cancelled: what it added is already used."),
        "not_cancellable": N_("This swap cannot be cancelled any more."),
        "not_pending": N_("This request has already been handled."),
        "reason_required": N_("Write the reason for declining. The client will see it."),
        "reason_too_long": N_("The reason is too long. Use at most 1000 characters."),
    }
    return t(messages.get(code, N_("This swap cannot be made now. Contact your case worker.")))


def _left_text(t: Translator, choice) -> str:
    """What is left of a line, said exactly as the budget page says it."""
    buys = buys_text(t, choice.remaining_cents, choice.remaining_buys, choice.unit,
                     choice.unit_charge_cents)
    if buys:
        return t("Left this month: {amount}, {buys}", amount=t.money(choice.remaining_cents),
                 buys=buys)
    return t("Left this month: {amount}", amount=t.money(choice.remaining_cents))


def option_rows(t: Translator, options: SwapOptions, codes) -> list[dict[str, str]]:
    rows = []
    for code in codes:
        choice = options.services[code]
        hint = _left_text(t, choice)
        if choice.min_keep_units > 0 and choice.swappable_units < choice.remaining_buys:
            hint += " " + t("You can swap up to {most}: at least {minimum} a month must stay "
                            "as this service.",
                            most=t.quantity(choice.swappable_units, choice.unit),
                            minimum=t.quantity(choice.min_keep_units, choice.unit))
        rows.append({"code": code, "name": choice.names.get(t.locale), "hint": hint,
                     "price": unit_price_label(choice.unit_charge_cents, choice.unit, t)})
    return rows


def preview_texts(t: Translator, options: SwapOptions, preview: SwapPreview) -> dict[str, str]:
    source = options.services[preview.from_code]
    target = options.services[preview.to_code]
    from_name, to_name = source.names.get(t.locale), target.names.get(t.locale)
    from_unit, to_unit = preview.from_unit.value, preview.to_unit.value
    asked = t.quantity(preview.requested_units, from_unit)
    gets = t.quantity(preview.to_units, to_unit)

    def left(name: str, cents: int, units: Decimal, unit: str, charge: int) -> str:
        buys = buys_text(t, cents, units, unit, charge)
        if buys:
            return t("{service}: {amount} left, {buys}", service=name, amount=t.money(cents),
                     buys=buys)
        return t("{service}: {amount} left", service=name, amount=t.money(cents))

    return {
        "from_name": from_name,
        "to_name": to_name,
        "asked": asked,
        "gets": gets,
        "summary": t("{asked} of {source} ({value}) buys {gets} of {target} at {price}.",
                     asked=asked, source=from_name, value=t.money(preview.requested_cents),
                     gets=gets, target=to_name,
                     price=unit_price_label(preview.to_unit_charge_cents, to_unit, t)),
        "moved": t.money(preview.moved_cents),
        "remainder": (t("{amount} of it does not buy a whole unit and stays in {service}.",
                        amount=t.money(preview.remainder_cents), service=from_name)
                      if preview.remainder_cents else ""),
        "from_left": left(from_name, preview.from_remaining_after_cents,
                          preview.from_remaining_after, from_unit,
                          preview.from_unit_charge_cents),
        "to_left": left(to_name, preview.to_remaining_after_cents, preview.to_remaining_after,
                        to_unit, preview.to_unit_charge_cents),
        "approval": (t("Your case worker must approve this swap. Nothing changes before that.")
                     if preview.needs_approval else
                     t("This swap is within the rules. It takes effect at once.")),
        "needs_approval": "1" if preview.needs_approval else "",
    }


def swap_rows(t: Translator, views: list[SwapView]) -> list[dict[str, str]]:
    return [
        {
            "id": str(v.swap_id),
            "client": v.client_name,
            "month": t.month(v.month),
            "title": t("{source} → {target}", source=v.from_names.get(t.locale),
                       target=v.to_names.get(t.locale)),
            "what": t("{given} ({amount}) into {gets}",
                      given=t.quantity(v.from_units, v.from_unit), amount=t.money(v.amount_cents),
                      gets=t.quantity(v.to_units, v.to_unit)),
            "remainder": (t("{amount} did not buy a whole unit and stayed in {service}.",
                            amount=t.money(v.requested_cents - v.amount_cents),
                            service=v.from_names.get(t.locale))
                          if v.requested_cents > v.amount_cents else ""),
            "status": v.status,
            "status_label": t(STATUS_LABELS[v.status]),
            "reason": v.reason,
            "requested": t("Asked by {name} on {date}", name=v.requested_by,
                           date=t.date(v.created_at)),
            "can_cancel": "1" if v.can_cancel else "",
        }
        for v in views
    ]


DECISION_LABELS = {"approved": N_("Approved"), "declined": N_("Declined")}


def decided_rows(t: Translator, views: list[SwapView]) -> list[dict[str, str]]:
    """A worker's history of decided requests: the request, the decision, when and by whom."""
    rows = swap_rows(t, views)
    for row, v in zip(rows, views):
        row["decision"] = t(DECISION_LABELS.get(v.status, "Approved"))
        row["decided"] = (t("{decision} on {date} by {name}",
                            decision=row["decision"], date=t.date(v.decided_at),
                            name=v.decided_by or t("the system"))
                          if v.decided_at else row["decision"])
    return rows
