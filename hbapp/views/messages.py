"""Messages rendered in the reader's language: each kind has a title and a text (msgids).

A message is stored as its kind and parameters (`hbapp.services.messages.notify`). Parameters
are formatted here by name: `*_date` (ISO date) as a date, `month` / `*_month` (ISO date) as a
month, `*_cents` as money; a dict keyed by language (e.g. a service's names) is read in the
reader's language. Add a kind here with its parameters before calling `notify` with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from hbapp.i18n import N_, Translator

HELSINKI = ZoneInfo("Europe/Helsinki")

# kind: (title, text). Plain language: the client reads most of these.
KINDS: dict[str, tuple[str, str]] = {
    "decision_made": (
        N_("A decision on your personal budget"),
        N_("A decision was made on your personal budget ({number}). It applies from "
           "{from_date}."),
    ),
    "decision_changed": (
        N_("Your personal budget was changed"),
        N_("Your personal budget decision {number} was changed. The change applies from "
           "{from_date}."),
    ),
    "decision_ended": (
        N_("Your personal budget ends"),
        N_("A decision was made to end your personal budget ({number}). The last month is "
           "{month}."),
    ),
    "swap_approved": (
        N_("Your swap was approved"),
        N_("Your request to swap services in {month} was approved."),
    ),
    "swap_declined": (
        N_("Your swap was declined"),
        N_("Your request to swap services in {month} was declined. Open the swap page to "
           "read why."),
    ),
    "survey_assigned": (
        N_("A survey for you"),
        N_("You have a new survey to answer. Please answer it by {due_date}."),
    ),
    "dispute_opened": (
        N_("A problem was reported with a service event"),
        N_("A problem was reported with a service event of {event_date} ({service})."),
    ),
    "dispute_upheld": (
        N_("Your report was accepted"),
        N_("Your report about the service event of {event_date} ({service}) was accepted. "
           "The event was cancelled and it is not taken from your budget."),
    ),
    "dispute_rejected": (
        N_("Your report was not accepted"),
        N_("Your report about the service event of {event_date} ({service}) was not "
           "accepted. The event stays in your budget. Open the budget to read why."),
    ),
    "event_needs_review": (
        N_("A service event needs your review"),
        N_("A service event of {event_date} ({service}) would go over what is left of the "
           "budget. Please review it."),
    ),
    "event_cancelled": (
        N_("A service event was cancelled"),
        N_("The provider cancelled the service event of {event_date} ({service}). It is not "
           "taken from your budget."),
    ),
    "provider_suspended": (
        N_("Your provider was suspended"),
        N_("{provider} was suspended on {since_date}. Reason: {reason}. Your case worker will "
           "contact you. You can still see the provider's contact details and give feedback."),
    ),
    "provider_suspended_worker": (
        N_("A provider of your client was suspended"),
        N_("{provider} was suspended on {since_date}. Reason: {reason}. {client} has chosen "
           "it: please contact them about a new provider."),
    ),
    "settlement_closed": (
        N_("A settlement was closed"),
        N_("The settlement of {month} was closed. You can see it on the settlements page."),
    ),
}


@dataclass(frozen=True)
class MessageText:
    title: str
    text: str


def _format(name: str, value, t: Translator):
    if isinstance(value, dict):
        return value.get(t.locale) or value.get("fi") or next(iter(value.values()), "")
    if isinstance(value, str) and (name == "month" or name.endswith("_month")):
        try:
            return t.month(date.fromisoformat(value[:10]))
        except ValueError:
            return value
    if isinstance(value, str) and name.endswith("_date"):
        try:
            return t.date(date.fromisoformat(value[:10]))
        except ValueError:
            return value
    if isinstance(value, int) and name.endswith("_cents"):
        return t.money(value)
    return value


class _Missing(dict):
    def __missing__(self, key):
        return ""


def render(kind: str, params: dict, t: Translator) -> MessageText:
    """The title and text of a message in the reader's language. An unknown kind (e.g. one
    removed from the code) still shows, with a general title."""
    title_id, text_id = KINDS.get(kind, (N_("Message"), N_("You have a message in HB.")))
    values = _Missing({name: _format(name, value, t) for name, value in params.items()})
    return MessageText(t(title_id), t(text_id).format_map(values))


def received(value: datetime, t: Translator) -> str:
    """When a message arrived (stored in UTC), in Finnish local time."""
    local = value.replace(tzinfo=timezone.utc).astimezone(HELSINKI).replace(tzinfo=None)
    return f"{t.date(local)} {t.time(local)}"
