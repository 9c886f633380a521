"""Provider, NPS and feedback figures turned into texts in one language (no Reflex here)."""

from __future__ import annotations

from hbapp.domain.nps import MIN_ANSWERS_FOR_DISPLAY, NpsSummary
from hbapp.i18n import N_, Translator, unit_price_label

BAND_LABELS = {
    "weekday_day": N_("Weekdays 6–18"),
    "weekday_evening": N_("Weekday evenings and nights 18–6"),
    "saturday": N_("Saturdays"),
    "sunday_holiday": N_("Sundays and public holidays"),
}
FLAG_LABELS = {
    "choice_not_working": N_("My choice of provider is not working"),
    "no_provider_available": N_("No provider is available"),
    "service_not_delivered": N_("The service was not delivered as agreed"),
}
LANGUAGE_LABELS = {"fi": N_("Finnish"), "sv": N_("Swedish"), "en": N_("English")}
STATUS_LABELS = {
    "pending": N_("Waiting for approval"),
    "approved": N_("Approved"),
    "suspended": N_("Suspended"),
}


def nps_text(t: Translator, nps: NpsSummary) -> str:
    """ "Recommendation score 67 (9 answers). Few answers yet: the true score may be anywhere
    between 8 and 92." or "not enough answers yet" — the 95 % interval in plain words."""
    if nps.n < MIN_ANSWERS_FOR_DISPLAY or nps.nps is None:
        return t.ngettext(
            "Not enough answers yet ({n} answer)", "Not enough answers yet ({n} answers)",
            nps.n, n=nps.n,
        )
    score = t.ngettext("Recommendation score (NPS) {nps} from {n} answer.",
                       "Recommendation score (NPS) {nps} from {n} answers.",
                       nps.n, nps=round(nps.nps), n=nps.n)
    low, high = round(nps.low), round(nps.high)
    if high - low > WIDE_INTERVAL:
        spread = t("Few answers yet: the true score may be anywhere between {low} and {high}.",
                   low=low, high=high)
    else:
        spread = t("The true score is most likely between {low} and {high}.", low=low,
                   high=high)
    return f"{score} {spread}"


# An NPS interval wider than this (on the scale −100…100) is "few answers yet".
WIDE_INTERVAL = 40


def languages_text(t: Translator, codes) -> str:
    return ", ".join(t(LANGUAGE_LABELS[c]) for c in codes if c in LANGUAGE_LABELS)


def price_text(t: Translator, cents: int, unit: str) -> str:
    if unit == "euro":
        # A service counted in euros (a gym card) has no price per unit: "1,00 €" meant
        # "one euro of budget per euro charged", which reads as a price.
        return t("The amount charged is paid from the budget")
    return unit_price_label(cents, unit, t)


def km_text(t: Translator, rate_cents: int, free_km: int, max_km: int) -> str:
    return t(
        "Kilometre compensation: {rate} per km for the part of a one-way trip over {free} km, "
        "counting at most {max} km. It is paid from your budget.",
        rate=t.money(rate_cents), free=free_km, max=max_km,
    )


def refusal_text(t: Translator, code: str, provider: str, wait_weeks: int | None) -> str:
    """Why a provider cannot be chosen now, with what to do instead (issue 18)."""
    if code == "waiting_list" and wait_weeks:
        return t("{provider} has a waiting list: the wait is about {weeks} weeks. You cannot "
                 "choose it now. Ask {provider} to put you on its waiting list, or choose "
                 "another provider.", provider=provider, weeks=wait_weeks)
    if code == "waiting_list":
        return t("{provider} has a waiting list. You cannot choose it now. Ask {provider} to "
                 "put you on its waiting list, or choose another provider.", provider=provider)
    return t("{provider} does not take new clients now, so you cannot choose it. Choose "
             "another provider, or ask {provider} whether it keeps a waiting list.",
             provider=provider)


def band_rows(t: Translator, bands, unit: str) -> list[dict[str, str]]:
    """Each time band's price and what this person pays of it themself."""
    return [
        {"band": t(BAND_LABELS[b.band]), "band_code": b.band,
         "price": price_text(t, b.price_cents, unit),
         "self_pay": (t("{amount} of each unit", amount=t.money(b.self_pay_cents))
                      if b.self_pay_cents else t("none"))}
        for b in bands
    ]


