"""The provider's side turned into texts in one language: errors, intake, confirmed dates."""

from __future__ import annotations

from datetime import datetime, timezone

from hbapp.i18n import N_, Translator
from hbapp.views.access import HELSINKI

INTAKE_LABELS = {
    "yes": N_("Yes, we take new clients"),
    "waiting_list": N_("Waiting list"),
    "no": N_("No, we do not take new clients now"),
}

STAFF_ERRORS = {
    "missing_person": N_("Enter the personal identity code or the e-mail address."),
    "bad_identity_code": N_("Check the personal identity code. It looks like 010203A123B."),
    "bad_email": N_("Enter the e-mail address, for example name@example.fi."),
    "bad_name": N_("Check the name. Use at most 200 characters."),
    "name_needed": N_("Nobody with this identity code has used HB yet. Enter their name too: "
                      "they are linked when they first sign in."),
    "unknown_email": N_("Nobody in HB has this e-mail address. Add the person by identity "
                        "code instead."),
    "ambiguous_email": N_("Several people in HB have this e-mail address. Add the person by "
                          "identity code instead."),
    "already_staff": N_("This person is already on the staff."),
    "last_main_user": N_("A provider needs at least one main user. Mark another main user "
                         "first."),
    "not_staff": N_("This person is no longer on the staff."),
}

PROFILE_ERRORS = {
    "bad_intake": N_("Choose whether you take new clients."),
    "wait_needed": N_("Enter the expected wait in weeks."),
    "bad_wait": N_("Enter the expected wait as whole weeks, from 1 to 104."),
    "no_language": N_("Choose at least one language."),
    "too_long": N_("The text is too long."),
    "bad_characters": N_("The text contains characters that cannot be saved."),
    "bad_phone": N_("Enter the phone number with digits, for example 040 123 4567."),
    "bad_email": N_("Enter the e-mail address, for example name@example.fi."),
    "contact_needed": N_("Enter a phone number or an e-mail address for clients."),
    "bad_postal_code": N_("Enter the postal code as five digits."),
    "description_needed": N_("Describe your service in Finnish."),
}

PRICE_ERRORS = {
    "bad_price": N_("Enter the price in euros, for example 41,50."),
    "price_out_of_range": N_("Enter a price above zero and at most 10 000 euros."),
    "bad_date": N_("Enter a real date, for example 1 1 2027."),
    "date_in_past": N_("The date must be today or later."),
    "unknown_service": N_("Choose the service."),
    "bad_band": N_("Choose the time of day."),
    "note_needed": N_("Write a note to the provider: why the request is rejected."),
    "bad_note": N_("The note is too long or contains characters that cannot be saved."),
    "not_found": N_("The request was not found."),
    "already_decided": N_("The request has already been decided."),
    "effective_date_passed": N_("The day the price would apply from has passed. Reject the "
                                "request; the provider can ask again from a later day."),
}

REQUEST_STATUS = {
    "pending": N_("Waiting for approval"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
}


def local_date_text(t: Translator, at_utc: datetime | None) -> str:
    """The Finnish calendar day of a naive-UTC moment, formatted for the language."""
    if at_utc is None:
        return ""
    return t.date(at_utc.replace(tzinfo=timezone.utc).astimezone(HELSINKI).date())


def facts_confirmed_text(t: Translator, at_utc: datetime | None) -> str:
    if at_utc is None:
        return t("The provider has not confirmed these facts in HB yet.")
    return t("Facts confirmed on {date}", date=local_date_text(t, at_utc))


def intake_text(t: Translator, intake: str, weeks: int | None) -> str:
    """What a client reads about taking new clients."""
    if intake == "waiting_list":
        if weeks:
            return t.ngettext("Waiting list: expected wait about {n} week",
                              "Waiting list: expected wait about {n} weeks", weeks, n=weeks)
        return t("Waiting list")
    if intake == "no":
        return t("Does not take new clients now")
    return t("Takes new clients")
