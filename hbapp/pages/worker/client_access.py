"""`/worker/clients/[client_id]/access`: a case worker records a mandate and records or
withdraws the client's consent. Needs an assignment to the client; without consent only the
client's name and how to ask for consent are shown (never budget data)."""

from __future__ import annotations

from typing import ClassVar

import json
from datetime import date

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.forms import (
    checkbox,
    choice_group,
    date_fields,
    radio,
    text_field,
)
from hbapp.components.layout import loading, page, sign_in_prompt
from hbapp.db import get_engine
from hbapp.domain.identifiers import is_valid_personal_identity_code
from hbapp.domain.inputs import parse_id
from hbapp.domain.mandates import RELATIONS, SCOPES, InvalidMandate, parse_day_month_year
from hbapp.i18n import N_
from hbapp.services import mandates as service
from hbapp.services.access import AccessDenied
from hbapp.state import AppState, T, today
from hbapp.views.access import (
    RELATION_TEXTS,
    SCOPE_TEXTS,
    consent_texts,
    ended_mandate_texts,
    error_text,
    mandate_texts,
)


class WorkerAccessState(AppState):
    # Its on_load starts afresh (forgetting what was typed): a language switch re-renders
    # the labels only (see AppState.RELOAD_ON_LANGUAGE).
    RELOAD_ON_LANGUAGE: ClassVar[bool] = False
    ready: bool = False
    denied: str = ""  # translated reason when the page may not be shown
    client_id: int = 0
    client_name: str = ""
    status: str = ""  # ok / no_consent
    consents: list[dict[str, str]] = []
    mandates: list[dict[str, str]] = []
    ended: list[dict[str, str]] = []
    agents: list[dict[str, str]] = []
    givers: list[dict[str, str]] = []
    notice: str = ""
    error: str = ""
    error_field: str = ""
    confirm: str = ""  # "consent" or a mandate id awaiting "are you sure"
    # the record-mandate form's answers, kept after an error
    agent_choice: str = ""
    agent_email: str = ""
    agent_code: str = ""
    agent_name: str = ""
    relation: str = "relative"
    scopes: list[str] = []
    from_day: str = ""
    from_month: str = ""
    from_year: str = ""
    to_day: str = ""
    to_month: str = ""
    to_year: str = ""
    consent_note: str = ""
    # The last form recorded, so that a double submit of it records nothing twice.
    _recorded_form: str = ""

    def _client_param(self) -> int | None:
        return parse_id(self.router.page.params.get("client_id", ""))

    def _show(self):
        current = self._refresh_session()
        t = self._t()
        self.denied, self.status, self.client_name = "", "", ""
        self.consents, self.mandates, self.agents, self.givers = [], [], [], []
        self.ended = []
        client_id = self._client_param()
        if current is None:
            return None
        if client_id is None:
            self.denied = error_text(t, "not_assigned")
            return None
        self.client_id = client_id
        try:
            result = service.worker_access(get_engine(), current.actor, client_id, today())
        except AccessDenied as refused:
            self.denied = error_text(t, refused.reason)
            return None
        self.client_name = result.client_name
        self.status = result.status
        self.consents = [consent_texts(t, c) for c in result.consents]
        self.mandates = [mandate_texts(t, m) for m in result.mandates]
        self.ended = [ended_mandate_texts(t, m) for m in result.ended]
        self.agents = [{"value": str(p.person_id), "label": p.name} for p in result.agents]
        self.givers = [{"value": str(p.person_id), "label": p.name} for p in result.consent_givers]
        return current

    def _fail(self, reason: str, field: str = "form"):
        self.error = error_text(self._t(), reason)
        self.error_field = field

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        self.notice = self.error = self.error_field = self.confirm = ""
        self.agent_choice = self.agent_email = self.consent_note = ""
        self.agent_code = self.agent_name = ""
        self.relation, self.scopes = "relative", []
        self._recorded_form = ""
        start = today()
        self.from_day, self.from_month, self.from_year = (str(start.day), str(start.month),
                                                          str(start.year))
        self.to_day = self.to_month = self.to_year = ""
        self._show()
        self.ready = True
        return self._page_ready(N_("Mandates and consent"))

    @rx.event
    @allow(Audience.WORKER)
    def record_consent(self, form_data: dict):
        current = self._refresh_session()
        if current is None or self.status != "no_consent":
            return  # the form is not shown: a repeated or stale submit
        giver = str(form_data.get("giver", ""))
        self.consent_note = str(form_data.get("note", ""))
        giver_id = parse_id(giver)
        if giver_id is None and giver != "other":
            self._fail("giver_not_found", "consent")
            return
        try:
            service.record_consent(get_engine(), current.actor, self.client_id, giver_id,
                                   self.consent_note, today())
        except (AccessDenied, InvalidMandate) as refused:
            self._fail(refused.reason, "consent")
            return
        self.error = self.error_field = self.consent_note = ""
        t = self._t()
        self.notice = t("Consent has been recorded.")
        self._show()

    @rx.event
    @allow(Audience.WORKER)
    def ask_confirm(self, what: str):
        self.error = self.error_field = ""
        self.confirm = what

    @rx.event
    @allow(Audience.WORKER)
    def cancel_confirm(self):
        self.confirm = ""

    @rx.event
    @allow(Audience.WORKER)
    def revoke_consent(self):
        current = self._refresh_session()
        if current is None or self.confirm != "consent":
            return  # only from the open confirmation step, once
        self.confirm = ""
        try:
            service.revoke_consent(get_engine(), current.actor, self.client_id, today())
        except (AccessDenied, InvalidMandate) as refused:
            self._fail(refused.reason)
            return
        t = self._t()
        self.notice = t("The withdrawal of consent has been recorded.")
        self._show()

    @rx.event
    @allow(Audience.WORKER)
    def revoke_mandate(self, mandate_id: str):
        current = self._refresh_session()
        wanted = parse_id(mandate_id)
        if current is None or wanted is None or self.confirm != mandate_id:
            return  # only from the open confirmation step of this mandate, once
        self.confirm = ""
        try:
            service.revoke(get_engine(), current.actor, wanted, today())
        except (AccessDenied, InvalidMandate) as refused:
            self._fail(refused.reason)
            return
        t = self._t()
        self.notice = t("The mandate has ended.")
        self._show()

    @rx.event
    @allow(Audience.WORKER)
    def record_mandate(self, form_data: dict):
        current = self._refresh_session()
        if current is None:
            return
        submitted = json.dumps(form_data, sort_keys=True, default=str)
        if submitted == self._recorded_form:
            return  # the same form again (a double submit): recorded once already
        self.agent_choice = str(form_data.get("agent", ""))
        self.agent_email = str(form_data.get("agent_email", ""))[:200]
        self.agent_code = str(form_data.get("agent_code", "")).strip()[:20]
        self.agent_name = str(form_data.get("agent_name", ""))[:200]
        relation = str(form_data.get("relation", ""))
        self.relation = relation if relation in RELATIONS else "relative"
        self.scopes = [s for s in SCOPES if form_data.get(f"scope_{s}")]
        for name in ("from_day", "from_month", "from_year", "to_day", "to_month", "to_year"):
            setattr(self, name, str(form_data.get(name, "")))
        agent: int | str | None = (parse_id(self.agent_choice) if self.agent_choice
                                   else self.agent_code or self.agent_email)
        if agent is None:
            self._fail("agent_not_found", "agent")
            return
        if self.agent_code and not is_valid_personal_identity_code(self.agent_code):
            self._fail("identity_code_invalid", "agent_code")
            return
        try:
            valid_from = parse_day_month_year(self.from_day, self.from_month, self.from_year)
        except InvalidMandate as bad:
            self._fail(bad.reason, "from")
            return
        valid_to: date | None = None
        if any(v.strip() for v in (self.to_day, self.to_month, self.to_year)):
            try:
                valid_to = parse_day_month_year(self.to_day, self.to_month, self.to_year)
            except InvalidMandate as bad:
                self._fail(bad.reason, "to")
                return
        try:
            service.record_mandate(get_engine(), current.actor, self.client_id, agent,
                                   self.scopes, self.relation, valid_from, valid_to, today(),
                                   agent_name=self.agent_name)
        except (AccessDenied, InvalidMandate) as refused:
            field = {"no_scopes": "scope", "unknown_scope": "scope",
                     "ends_before_start": "to", "ends_in_past": "to",
                     "agent_name_missing": "agent_code", "agent_name_too_long": "agent_code",
                     }.get(refused.reason, "agent_code" if self.agent_code else "agent")
            self._fail(refused.reason, field)
            return
        self._recorded_form = submitted
        self.error = self.error_field = ""
        self.agent_choice = self.agent_email = self.agent_code = self.agent_name = ""
        self.scopes = []
        t = self._t()
        self.notice = t("The mandate has been recorded.")
        self._show()


S = WorkerAccessState


def form_error() -> rx.Component:
    return rx.cond(
        S.error_field == "form",
        rx.el.div(rx.el.p(S.error), class_name="notice notice-error", role="alert"),
    )


def consent_section() -> rx.Component:
    return rx.el.section(
        rx.el.h2(T("Consent"), id="consent-heading"),
        rx.cond(
            S.status == "ok",
            rx.fragment(
                rx.el.ul(
                    rx.foreach(S.consents, lambda c: rx.el.li(
                        rx.el.p(T("Consent given"), " ", c["given_on"], " · ", c["given_by"]),
                        rx.cond(c["note"] != "", rx.el.p(c["note"], class_name="muted")),
                        class_name="card",
                    )),
                    class_name="card-list",
                ),
                rx.cond(
                    S.confirm == "consent",
                    rx.el.div(
                        rx.el.p(T("After this you no longer see the client's data. Record this "
                                  "only when the client or guardian has withdrawn consent.")),
                        rx.el.button(T("Yes, record the withdrawal"), type="button",
                                     class_name="button", on_click=S.revoke_consent),
                        rx.el.button(T("Cancel"), type="button",
                                     class_name="button button-secondary",
                                     on_click=S.cancel_confirm),
                        class_name="notice notice-warning button-row",
                    ),
                    rx.el.button(T("Record that consent was withdrawn"), type="button",
                                 class_name="button button-secondary",
                                 on_click=S.ask_confirm("consent")),
                ),
            ),
            rx.fragment(
                rx.el.div(
                    rx.el.p(rx.el.strong(T("There is no consent from this client.")), " ",
                            T("You see only the client's name until consent is recorded.")),
                    rx.el.p(T("How to ask for consent: tell the client (or their guardian) what "
                              "data you would see and why. Ask them to say yes in person, by "
                              "phone or on paper. Then record the consent below.")),
                    class_name="notice notice-warning",
                ),
                rx.el.form(
                    choice_group(
                        "giver",
                        rx.el.span(T("Who gave the consent?")),
                        [
                            rx.foreach(S.givers, lambda g: rx.el.div(
                                rx.el.input(type="radio", id="f-giver-" + g["value"],
                                            name="giver", value=g["value"],
                                            class_name="choice-input"),
                                rx.el.label(g["label"], html_for="f-giver-" + g["value"],
                                            class_name="choice-label"),
                                class_name="choice",
                            )),
                            rx.cond(
                                S.givers.length() == 0,
                                radio("giver", "other",
                                      T("The client in person (write in the note how)"), True),
                            ),
                        ],
                        S.error, S.error_field,
                    ),
                    text_field("note", T("Note (how and when consent was given)"),
                               S.consent_note, S.error, S.error_field),
                    rx.cond(
                        S.error_field == "consent",
                        rx.el.div(rx.el.p(S.error), class_name="notice notice-error",
                                  role="alert"),
                    ),
                    rx.el.button(T("Record consent"), type="submit", class_name="button"),
                    on_submit=S.record_consent,
                    reset_on_submit=False,
                    class_name="step-form",
                ),
            ),
        ),
        aria_labelledby="consent-heading",
    )


def mandates_section() -> rx.Component:
    return rx.el.section(
        rx.el.h2(T("Mandates"), id="mandates-heading"),
        rx.cond(
            S.status == "ok",
            rx.cond(
                S.mandates.length() > 0,
                rx.el.ul(
                    rx.foreach(S.mandates, lambda m: rx.el.li(
                        rx.el.h3(m["agent"], " (", m["relation"], ")"),
                        rx.el.p(T("May"), ": ", m["scopes"]),
                        rx.el.p(m["until"], " · ", m["source"], " · ", m["status"],
                                class_name="muted"),
                        rx.cond(
                            m["suomifi"] == "",
                            rx.cond(
                                S.confirm == m["id"],
                                rx.el.div(
                                    rx.el.button(T("Yes, end the mandate"), type="button",
                                                 class_name="button",
                                                 on_click=S.revoke_mandate(m["id"])),
                                    rx.el.button(T("Cancel"), type="button",
                                                 class_name="button button-secondary",
                                                 on_click=S.cancel_confirm),
                                    class_name="button-row",
                                ),
                                rx.el.button(T("End mandate"),
                                             rx.el.span(" ", m["agent"],
                                                        class_name="visually-hidden"),
                                             type="button", class_name="button button-secondary",
                                             on_click=S.ask_confirm(m["id"])),
                            ),
                        ),
                        class_name="card",
                    )),
                    class_name="card-list",
                ),
                rx.cond(S.ended.length() > 0,
                        rx.el.p(T("Nobody has a mandate in force.")),
                        rx.el.p(T("Nobody has a mandate yet."))),
            ),
        ),
        rx.cond(
            (S.status == "ok") & (S.ended.length() > 0),
            rx.el.section(
                rx.el.h3(T("Ended mandates"), id="ended-mandates-heading"),
                rx.el.ul(
                    rx.foreach(S.ended, lambda m: rx.el.li(
                        rx.el.p(rx.el.strong(m["agent"]), " (", m["relation"], ")"),
                        rx.el.p(T("Could"), ": ", m["scopes"]),
                        rx.el.p(m["from"], " · ", m["ended"], class_name="muted"),
                        class_name="card ended-mandate",
                    )),
                    class_name="card-list-plain",
                    id="ended-mandates",
                ),
                aria_labelledby="ended-mandates-heading",
            ),
        ),
        rx.el.h3(T("Record a mandate")),
        rx.el.p(T("For a guardianship, or for a relative who cannot identify themself "
                  "electronically. Check the documents first."), class_name="muted"),
        rx.el.form(
            rx.el.div(
                rx.el.label(T("Person"), html_for="f-agent", class_name="field-label"),
                rx.el.select(
                    rx.el.option(T("Choose a person, or enter an e-mail address below"),
                                 value=""),
                    rx.foreach(S.agents, lambda a: rx.el.option(a["label"], value=a["value"])),
                    id="f-agent", name="agent", default_value=S.agent_choice,
                    class_name="field-input",
                    aria_describedby="f-agent_email-error",
                ),
                class_name="field",
            ),
            text_field("agent_email", T("Or the person's e-mail address"), S.agent_email,
                       S.error, rx.cond(S.error_field == "agent", "agent_email", ""),
                       input_type="email"),
            text_field("agent_code", T("Or the personal identity code of someone who has not "
                                       "signed in yet"), S.agent_code,
                       S.error, rx.cond(S.error_field == "agent_code", "agent_code", ""),
                       hint=rx.el.p(T("Their first sign-in with this identity code finds the "
                                      "mandate."), class_name="hint")),
            text_field("agent_name", T("Their name (with an identity code)"), S.agent_name,
                       S.error, rx.cond(S.error_field == "agent_code", "agent_name", "")),
            choice_group(
                "relation", rx.el.span(T("Relation to the client")),
                [radio("relation", r, T(RELATION_TEXTS[r]), S.relation == r) for r in RELATIONS],
                S.error, S.error_field,
            ),
            choice_group(
                "scope", rx.el.span(T("What may the person do?")),
                [checkbox("scope", s, T(SCOPE_TEXTS[s]), S.scopes.contains(s)) for s in SCOPES],
                S.error, S.error_field,
            ),
            date_fields("from", T("Valid from"), S.from_day, S.from_month, S.from_year,
                        S.error, S.error_field),
            date_fields("to", T("Valid until (leave empty if until further notice)"),
                        S.to_day, S.to_month, S.to_year, S.error, S.error_field),
            rx.el.button(T("Record the mandate"), type="submit", class_name="button"),
            on_submit=S.record_mandate,
            reset_on_submit=False,
            class_name="step-form",
        ),
        aria_labelledby="mandates-heading",
    )


def access_content() -> rx.Component:
    return rx.cond(
        S.denied != "",
        rx.el.div(rx.el.p(S.denied), class_name="notice notice-error", role="alert"),
        rx.el.div(
            rx.el.p(T("Client"), ": ", rx.el.strong(S.client_name)),
            rx.cond(S.notice != "", rx.el.div(rx.el.p(S.notice),
                                              class_name="notice notice-success", role="status")),
            form_error(),
            consent_section(),
            mandates_section(),
            class_name="access-pages",
        ),
    )


@rx.page(route="/worker/clients/[client_id]/access", title="HB – Valtuudet ja suostumus",
         on_load=WorkerAccessState.load)
def worker_access() -> rx.Component:
    return page(
        rx.el.h1(T("Mandates and consent")),
        rx.cond(
            WorkerAccessState.ready,
            rx.cond(WorkerAccessState.signed_in, access_content(),
                    sign_in_prompt("/worker")),
            loading(),
        ),
    )
