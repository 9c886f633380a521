"""Swap previews, refusals and swap lists turned into texts for one language (no Reflex here)."""

from __future__ import annotations

from decimal import Decimal

from hbapp.domain.swaps import SwapError, SwapPreview
from hbapp.i18n import N_, Translator, unit_price_label
from hbapp.services.swaps import SwapOptions, SwapView

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
        return t("You must keep at least {minimum} of this service. You can swap at most {most}.",
                 minimum=t.quantity(Decimal(d.get("minimum", 0)), unit),
                 most=t.quantity(Decimal(d.get("swappable", 0)), unit))
    if code == "over_monthly_max":
        return t("That is more than can be swapped this month. You can still swap {amount}.",
                 amount=t.money(int(d.get("left_cents", 0))))
    messages = {
        "amount_missing": N_("Enter how much you want to swap."),
        "not_a_number": N_("Enter the amount as a number, for example 2 or 1,5."),
        "zero": N_("Enter an amount greater than zero."),
        "negative": N_("The amount cannot be negative."),
        "too_many_decimals": N_("Use at most 3 decimals."),
        "unknown_service": N_("Choose a service from the list."),
        "same_service": N_("Choose a different service to swap into."),
        "forbidden_conversion": N_("This service cannot be swapped into that one. "
                                   "Choose another service."),
        "rulebook_mismatch": N_("This swap cannot be made now. Contact your case worker."),
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


def option_rows(t: Translator, options: SwapOptions, codes) -> list[dict[str, str]]:
    rows = []
    for code in codes:
        choice = options.services[code]
        left = t("Left this month: {quantity}", quantity=t.quantity(choice.remaining_units,
                                                                       choice.unit))
        if choice.min_keep_units > 0:
            left += " " + t("(you must keep at least {minimum})",
                            minimum=t.quantity(choice.min_keep_units, choice.unit))
        rows.append({"code": code, "name": choice.names.get(t.locale), "hint": left,
                     "price": unit_price_label(choice.unit_value_cents, choice.unit, t)})
    return rows


def preview_texts(t: Translator, options: SwapOptions, preview: SwapPreview) -> dict[str, str]:
    source = options.services[preview.from_code]
    target = options.services[preview.to_code]
    from_name, to_name = source.names.get(t.locale), target.names.get(t.locale)
    asked = t.quantity(preview.requested_units, preview.from_unit.value)
    gets = t.quantity(preview.to_units, preview.to_unit.value)
    return {
        "from_name": from_name,
        "to_name": to_name,
        "asked": asked,
        "gets": gets,
        "summary": t("{asked} of {source} = {value} = {gets} of {target} at {price}",
                     asked=asked, source=from_name, value=t.money(preview.requested_cents),
                     gets=gets, target=to_name,
                     price=unit_price_label(preview.to_unit_value_cents,
                                            preview.to_unit.value, t)),
        "moved": t.money(preview.moved_cents),
        "remainder": (t("{amount} could not buy a whole part and stays in {service}.",
                        amount=t.money(preview.remainder_cents), service=from_name)
                      if preview.remainder_cents else ""),
        "from_left": t("{service}: {quantity} left ({amount})", service=from_name,
                       quantity=t.quantity(preview.from_remaining_after, preview.from_unit.value),
                       amount=t.money(int(preview.from_remaining_after
                                          * preview.from_unit_value_cents))),
        "to_left": t("{service}: {quantity} left ({amount})", service=to_name,
                     quantity=t.quantity(preview.to_remaining_after, preview.to_unit.value),
                     amount=t.money(int(preview.to_remaining_after
                                        * preview.to_unit_value_cents))),
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
            "status": v.status,
            "status_label": t(STATUS_LABELS[v.status]),
            "reason": v.reason,
            "requested": t("Asked by {name} on {date}", name=v.requested_by,
                           date=t.date(v.created_at)),
            "can_cancel": "1" if v.can_cancel else "",
        }
        for v in views
    ]
