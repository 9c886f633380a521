"""Mandates, consent and the audit trail turned into plain-language texts (no Reflex here)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from hbapp.i18n import N_, Translator
from hbapp.services.mandates import ConsentView, EndedMandate, MandateView
from hbapp.services.privacy import AccessEntry

HELSINKI = ZoneInfo("Europe/Helsinki")

SCOPE_TEXTS = {
    "view": N_("see the budget and the services"),
    "manage": N_("choose providers and swap services"),
    "feedback": N_("give feedback on services"),
    "surveys": N_("answer surveys"),
}
SOURCE_TEXTS = {
    "worker_recorded": N_("Recorded by a case worker"),
    "client_granted": N_("Given in this service"),
    "relative_requested": N_("Asked for in this service"),
    "suomifi": N_("Suomi.fi mandate"),
}
RELATION_TEXTS = {
    "relative": N_("relative"),
    "custodian": N_("custodian (parent of a child)"),
    "guardian": N_("guardian"),
    "other": N_("other person"),
}
ROLE_TEXTS = {
    "self": N_("you"),
    "case_worker": N_("case worker"),
    "guardian": N_("guardian"),
    "custodian": N_("custodian (parent of a child)"),
    "relative": N_("relative"),
    "other": N_("other person"),
    "admin": N_("administrator"),
}
KIND_TEXTS = {
    "view": N_("Looked at your data"),
    "change": N_("Changed your data"),
    "mandate": N_("Mandates and consent"),
    "sign_in": N_("Signing in and out"),
    "refused": N_("Refused attempts"),
}

# Audit action codes → what the client reads. {who} is the person, {agent} a mandate's agent.
ACTION_TEXTS = {
    "view_budget": N_("{who} looked at your budget"),
    "view_budget_summary": N_("{who} looked at what is left of your budget"),
    "view_mandates": N_("{who} looked at your mandates"),
    "view_privacy_log": N_("{who} looked at who has seen your data"),
    "view_client_access": N_("{who} looked at your consent and mandates"),
    "view_survey_results": N_("{who} looked at your survey answers"),
    "view_feedback": N_("{who} looked at your feedback"),
    "view_providers": N_("{who} looked at service providers for you"),
    "login": N_("{who} signed in"),
    "logout": N_("{who} signed out"),
    "grant_mandate": N_("{who} gave a mandate to {agent}"),
    "request_mandate": N_("{who} asked for a mandate to handle your matters"),
    "request_mandate_upgrade": N_("{who} asked for more rights to handle your matters"),
    "survey_help_mark": N_("{who} marked that you answered a survey with help"),
    "confirm_mandate": N_("{who} accepted the mandate request of {agent}"),
    "decline_mandate": N_("{who} turned down the mandate request of {agent}"),
    "revoke_mandate": N_("{who} ended the mandate of {agent}"),
    "record_mandate": N_("{who} recorded a mandate for {agent}"),
    "sync_suomifi_mandate": N_("A Suomi.fi mandate for {agent} was updated"),
    "record_consent": N_("{who} recorded your consent to case workers"),
    "revoke_consent": N_("{who} recorded that you withdrew your consent"),
    "choose_provider": N_("{who} chose a service provider for you"),
    "request_swap": N_("{who} asked to swap services in your budget"),
    "submit_survey": N_("{who} answered a survey for you"),
    "give_feedback": N_("{who} gave feedback for you"),
    # the codes the services write (hbapp/services/*)
    "survey_due_view": N_("{who} looked at the surveys waiting for your answers"),
    "survey_view": N_("{who} opened a survey for you"),
    "survey_results_view": N_("{who} looked at your survey answers"),
    "survey_assignments_view": N_("{who} looked at your surveys"),
    "survey_assign": N_("{who} asked you to answer a survey"),
    "survey_save": N_("{who} saved survey answers for you"),
    "survey_submit": N_("{who} answered a survey for you"),
    "view_feedback_providers": N_("{who} looked at the providers you can give feedback on"),
    "view_provider": N_("{who} looked at a service provider for you"),
    "view_contacts": N_("{who} looked at the contact details of your case worker"),
    "view_swap_options": N_("{who} looked at the swaps possible in your budget"),
    "view_swaps": N_("{who} looked at your swap requests"),
    "view_pending_swaps": N_("{who} looked at your swap requests"),
    "preview_swap": N_("{who} looked at a swap in your budget"),
    "swap_requested": N_("{who} asked to swap services in your budget"),
    "swap_decided": N_("{who} decided on a swap request in your budget"),
    "swap_cancelled": N_("{who} cancelled a swap request in your budget"),
    "swap_refused": N_("{who} tried a swap that the budget rules do not allow"),
    "swap_approval_refused": N_("{who} could not approve a swap request because the budget "
                                "no longer allows it"),
    "worker_view_client": N_("{who} looked at your data"),
    "worker_view_caseload": N_("{who} looked at the list of their clients, with you in it"),
    "worker_view_provider_feedback": N_("{who} looked at your feedback on providers"),
    "dispute_opened": N_("{who} reported a problem with a service event"),
    "dispute_decided": N_("{who} decided a reported problem with a service event"),
    "view_disputes": N_("{who} looked at the problems you reported"),
    "provider_view_disputes": N_("{who} looked at the problems you reported about their "
                                 "services"),
    "refused": N_("{who} tried to see or change your data and was not allowed"),
    "research_export": N_("Your data was included in a research export without your name or "
                          "personal identity code"),
}
FALLBACK_VIEW = N_("{who} looked at your data")
FALLBACK_CHANGE = N_("{who} changed your data")


def day(t: Translator, value: date | None) -> str:
    """The locale's own date ("30.11.2026", "30 nov. 2026", "Nov 30, 2026"), never a
    Finnish pattern in another language (issue 18.13)."""
    return t.date(value) if value else ""


def when(t: Translator, at_utc: datetime) -> str:
    """'12.11.2026 klo 10.15', 'Nov 12, 2026 at 10:15 AM', in Finnish time."""
    local = at_utc.replace(tzinfo=timezone.utc).astimezone(HELSINKI)
    return t("{date} at {time}", date=day(t, local.date()), time=t.time(local))


def scopes_text(t: Translator, scopes: tuple[str, ...]) -> str:
    return ", ".join(t(SCOPE_TEXTS[s]) for s in scopes)


def valid_until(t: Translator, value: date | None) -> str:
    return t("Until {date}", date=day(t, value)) if value else t("Until further notice")


def mandate_texts(t: Translator, mandate: MandateView) -> dict[str, str]:
    if mandate.status == "requested":
        status = t("Waiting for confirmation")
    elif mandate.status == "active" and mandate.expired:
        status = t("Expired")
    elif mandate.status == "active" and mandate.in_force:
        status = t("In force")
    elif mandate.status == "active":
        status = t("Starts {date}", date=day(t, mandate.valid_from))
    elif mandate.status == "declined":
        status = t("Declined")
    else:
        status = t("Ended")
    return {
        "id": str(mandate.id),
        "client_id": str(mandate.client_id),
        "scope_codes": ",".join(mandate.scopes),
        "agent": mandate.agent_name,
        "client": mandate.client_name,
        "relation": t(RELATION_TEXTS.get(mandate.relation, RELATION_TEXTS["other"])),
        "scopes": scopes_text(t, mandate.scopes),
        "until": valid_until(t, mandate.valid_to),
        "source": t(SOURCE_TEXTS.get(mandate.source, SOURCE_TEXTS["worker_recorded"])),
        "status": status,
        "requested": "1" if mandate.status == "requested" else "",
        "guardian": "1" if mandate.relation == "guardian" else "",
        "suomifi": "1" if mandate.source == "suomifi" else "",
    }


def ended_mandate_texts(t: Translator, mandate: EndedMandate) -> dict[str, str]:
    """One line of the mandate history: who, as what, what they could do, and how it ended."""
    return {
        "agent": mandate.agent_name,
        "relation": t(RELATION_TEXTS.get(mandate.relation, RELATION_TEXTS["other"])),
        "scopes": scopes_text(t, mandate.scopes),
        "ended": (t("Ended on {date}, by {name}", date=day(t, mandate.ended_on),
                    name=mandate.ended_by) if mandate.ended_by
                  else t("Ended on {date} (its period ran out)", date=day(t, mandate.ended_on))),
        "from": t("Valid from {date}", date=day(t, mandate.valid_from)),
    }


def consent_texts(t: Translator, consent: ConsentView) -> dict[str, str]:
    return {
        "id": str(consent.id),
        "given_on": day(t, consent.given_on),
        "given_by": consent.given_by_name or t("not named"),
        "recorded_by": consent.recorded_by_name or "",
        "note": consent.note,
    }


def entry_texts(t: Translator, entry: AccessEntry) -> dict[str, str]:
    if entry.actor_person_id is None:
        who = t("The system")
    else:
        role = t(ROLE_TEXTS.get(entry.role, ROLE_TEXTS["other"]))
        who = t("{name} ({role})", name=entry.actor_name, role=role)
    msgid = ACTION_TEXTS.get(entry.action)
    if msgid is None:
        msgid = FALLBACK_VIEW if entry.kind == "view" else FALLBACK_CHANGE
    agent = str(entry.details.get("agent") or t("another person"))
    local = entry.at.replace(tzinfo=timezone.utc).astimezone(HELSINKI)
    return {
        "id": str(entry.id),
        "text": t(msgid, who=who, agent=agent),
        "when": when(t, entry.at),
        "iso": local.isoformat(timespec="minutes"),
        "kind": t(KIND_TEXTS[entry.kind]),
    }


# Stable reason codes from the services → what the person reads.
ERROR_TEXTS = {
    "no_scopes": N_("Choose at least one thing the person may do."),
    "unknown_scope": N_("Choose at least one thing the person may do."),
    "ends_before_start": N_("The end date must be after the start date."),
    "ends_in_past": N_("The end date must be today or later."),
    "date_missing": N_("Enter the day, month and year."),
    "date_invalid": N_("Enter a real date, for example 31 12 2027."),
    "agent_missing": N_("Enter the person's identity code, e-mail address or name."),
    "agent_not_found": N_("We did not find anyone with this identity code, e-mail address "
                          "or name. The person must have signed in to this service once."),
    "agent_ambiguous": N_("Several people have this name. Enter their e-mail address instead."),
    "identity_code_invalid": N_("Check the identity code: it is not a valid personal "
                                "identity code."),
    "agent_name_missing": N_("Enter the name of the person with this identity code."),
    "agent_name_too_long": N_("The name is too long. Use at most 200 characters."),
    "agent_is_client": N_("A person cannot have a mandate for themself."),
    "already_has_mandate": N_("This person already has a mandate or a request waiting."),
    "client_missing": N_("Enter the person's first and last name."),
    "client_not_found": N_("We did not find a client with this name and date of birth. "
                           "Check them, or ask the case worker for help."),
    "client_has_no_account": N_("This client does not use the service. Ask the case worker "
                                "to record the mandate."),
    "bad_relation": N_("Choose how you are related."),
    "agent_too_short": N_("Enter at least two letters of the name."),
    "agent_not_chosen": N_("Choose the person from the list."),
    "birth_date_invalid": N_("Check the date of birth: it cannot be in the future."),
    "nothing_more": N_("Choose at least one thing you cannot do yet."),
    "already_requested": N_("You have already asked for this. Wait until it is accepted "
                            "or declined."),
    "not_requested": N_("This request has already been handled."),
    "not_open": N_("This mandate has already ended."),
    "consent_exists": N_("Consent has already been recorded."),
    "no_consent": N_("There is no consent to withdraw."),
    "giver_not_found": N_("Choose who gave the consent."),
    "scope_not_held": N_("You cannot give more rights than you have yourself."),
    "guardianship_by_worker": N_("A guardianship can only be ended by the case worker."),
    "suomifi_mandate": N_("A Suomi.fi mandate can only be changed at Suomi.fi."),
    "missing_scope": N_("You do not have the right to change mandates for this person."),
    "no_mandate": N_("You do not have the right to do this."),
    "not_assigned": N_("This client is not assigned to you."),
    "not_a_worker": N_("Only case workers can use this page."),
    "not_signed_in": N_("Sign in first."),
    "agent_is_staff": N_("A case worker or an administrator cannot be given a mandate here."),
    "giver_not_allowed": N_("Consent can be given only by the client or their guardian."),
    "too_many_requests": N_("You have asked for mandates too many times today. Try again "
                            "tomorrow, or ask the case worker for help."),
}
GENERIC_ERROR = N_("You do not have the right to do this.")


def error_text(t: Translator, reason: str) -> str:
    return t(ERROR_TEXTS.get(reason, GENERIC_ERROR))
