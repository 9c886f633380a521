"""`/mandates`: who may act for the client; give, end, accept or decline; ask for one.

One question per step (GOV.UK): who → what they may do → until when → check answers.
Every step's handler asks the services again, so nothing hidden here is trusted.
`/mandates?revoke=<id>` opens the confirmation step for ending one mandate (a link the
client can follow); the service refuses it for anyone who may not change it.
"""

from __future__ import annotations

from datetime import date

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.forms import (
    back_button,
    checkbox,
    choice_group,
    date_fields,
    radio,
    submit_button,
    summary_row,
    text_field,
)
from hbapp.components.layout import loading, message_box, page, sign_in_prompt
from hbapp.db import get_engine
from hbapp.domain.inputs import parse_id
from hbapp.domain.mandates import SCOPES, InvalidMandate, parse_day_month_year, parse_scopes
from hbapp.i18n import N_
from hbapp.services import mandates as service
from hbapp.services.access import AccessDenied
from hbapp.state import AppState, T, today
from hbapp.views.access import SCOPE_TEXTS, error_text, mandate_texts
from hbapp.views.access import scopes_text as scope_words
from hbapp.views.access import valid_until


class MandatesState(AppState):
    ready: bool = False
    can_manage: bool = False
    client_name: str = ""
    given_heading: str = ""
    held_scopes: list[str] = []
    mandates: list[dict[str, str]] = []
    own: list[dict[str, str]] = []
    step: str = "list"
    flow: str = ""  # "grant" or "request"
    notice: str = ""
    error: str = ""
    error_field: str = ""
    # answers so far
    agent_query: str = ""
    agent_name: str = ""
    client_query: str = ""
    birth_day: str = ""
    birth_month: str = ""
    birth_year: str = ""
    scopes: list[str] = []
    until: str = "none"
    until_day: str = ""
    until_month: str = ""
    until_year: str = ""
    # the mandate a confirmation step is about
    target: dict[str, str] = {}

    @rx.var
    def scopes_text(self) -> str:
        return scope_words(self._t(), tuple(s for s in SCOPES if s in self.scopes))

    @rx.var
    def until_text(self) -> str:
        try:
            return valid_until(self._t(), self._valid_to())
        except InvalidMandate:
            return ""

    # -- helpers ---------------------------------------------------------------------------

    def _reload(self):
        current = self._refresh_session()
        self.mandates, self.own, self.held_scopes = [], [], []
        self.can_manage, self.client_name = False, ""
        if current is None:
            return None
        t = self._t()
        client_id = current.acting_for.client_id if current.acting_for else None
        result = service.overview(get_engine(), current.actor, client_id, today())
        self.can_manage = result.can_manage
        self.client_name = result.client_name
        self.given_heading = t("Who may handle the matters of {name}", name=result.client_name)
        self.held_scopes = list(result.held_scopes)
        self.mandates = [mandate_texts(t, m) for m in result.mandates]
        self.own = [mandate_texts(t, m) for m in result.own if m.status != "declined"]
        return current

    def _fail(self, reason: str, field: str = ""):
        self.error = error_text(self._t(), reason)
        self.error_field = field or "form"

    def _clear_error(self):
        self.error, self.error_field = "", ""

    def _reset_answers(self):
        self.agent_query = self.agent_name = self.client_query = ""
        self.birth_day = self.birth_month = self.birth_year = ""
        self.scopes, self.until = [], "none"
        self.until_day = self.until_month = self.until_year = ""
        self.target = {}

    def _valid_to(self) -> date | None:
        if self.until != "date":
            return None
        return parse_day_month_year(self.until_day, self.until_month, self.until_year)

    # -- events ----------------------------------------------------------------------------

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        self.step, self.flow, self.notice = "list", "", ""
        self._clear_error()
        self._reset_answers()
        current = self._reload()
        revoke_id = self.router.page.params.get("revoke", "")
        if current is not None and revoke_id:
            self._open_target(current, revoke_id, "revoke")
        self.ready = True
        return self._page_ready(N_("Mandates"))

    def _open_target(self, current, mandate_id: str, step: str):
        wanted = parse_id(mandate_id)
        if wanted is None:
            self._fail("no_mandate")
            return
        try:
            view = service.mandate_for_decision(get_engine(), current.actor, wanted, today())
        except (AccessDenied, InvalidMandate) as refused:
            self._fail(refused.reason)
            return
        self.target = mandate_texts(self._t(), view)
        self.step = step

    @rx.event
    @allow(Audience.SIGNED_IN)
    def start(self, flow: str):
        self._reset_answers()
        self._clear_error()
        self.notice = ""
        self.flow = "grant" if flow == "grant" else "request"
        self.step = "who" if self.flow == "grant" else "client"
        return rx.call_script("window.scrollTo(0, 0)")

    @rx.event
    @allow(Audience.SIGNED_IN)
    def go(self, step: str):
        if step in ("list", "who", "client", "what", "until", "check"):
            self._clear_error()
            self.step = step
            if step == "list":
                self.flow = ""
                self._reset_answers()

    @rx.event
    @allow(Audience.SIGNED_IN)
    def back(self):
        order = ["who" if self.flow == "grant" else "client", "what", "until", "check"]
        self._clear_error()
        if self.step in order and order.index(self.step) > 0:
            self.step = order[order.index(self.step) - 1]
        else:
            self.step, self.flow = "list", ""
            self._reset_answers()

    @rx.event
    @allow(Audience.SIGNED_IN)
    def submit_who(self, form_data: dict):
        current = self._refresh_session()
        self.agent_query = str(form_data.get("agent", ""))
        if current is None or current.acting_for is None:
            self._fail("not_signed_in", "agent")
            return
        try:
            choice = service.check_agent(get_engine(), current.actor,
                                         current.acting_for.client_id, self.agent_query, today())
        except (AccessDenied, InvalidMandate) as refused:
            self._fail(refused.reason, "agent")
            return
        self.agent_name = choice.name
        self._clear_error()
        self.step = "what"

    @rx.event
    @allow(Audience.SIGNED_IN)
    def submit_client(self, form_data: dict):
        self.client_query = str(form_data.get("client", ""))
        self.birth_day = str(form_data.get("birth_day", ""))
        self.birth_month = str(form_data.get("birth_month", ""))
        self.birth_year = str(form_data.get("birth_year", ""))
        if not " ".join(self.client_query.split()):
            self._fail("client_missing", "client")
            return
        try:
            parse_day_month_year(self.birth_day, self.birth_month, self.birth_year)
        except InvalidMandate as bad:
            self._fail(bad.reason, "birth")
            return
        self._clear_error()
        self.step = "what"

    @rx.event
    @allow(Audience.SIGNED_IN)
    def submit_what(self, form_data: dict):
        offered = self.held_scopes if self.flow == "grant" else list(SCOPES)
        self.scopes = [s for s in SCOPES if form_data.get(f"scope_{s}") and s in offered]
        try:
            parse_scopes(self.scopes)
        except InvalidMandate as bad:
            self._fail(bad.reason, "scope")
            return
        self._clear_error()
        self.step = "until"

    @rx.event
    @allow(Audience.SIGNED_IN)
    def submit_until(self, form_data: dict):
        self.until = "date" if form_data.get("until") == "date" else "none"
        self.until_day = str(form_data.get("until_day", ""))
        self.until_month = str(form_data.get("until_month", ""))
        self.until_year = str(form_data.get("until_year", ""))
        try:
            valid_to = self._valid_to()
            if valid_to is not None and valid_to < today():
                raise InvalidMandate("ends_in_past")
        except InvalidMandate as bad:
            self._fail(bad.reason, "until")
            return
        self._clear_error()
        self.step = "check"

    @rx.event
    @allow(Audience.SIGNED_IN)
    def send(self):
        """The check-answers page's button: the only place a mandate is created."""
        if self.step != "check" or self.flow not in ("grant", "request"):
            return  # only from the check-answers step, once: a double click sends nothing twice
        current = self._refresh_session()
        if current is None:
            self._fail("not_signed_in")
            return
        t = self._t()
        try:
            valid_to = self._valid_to()
            if self.flow == "grant":
                if current.acting_for is None:
                    raise AccessDenied("no_mandate")
                service.grant(get_engine(), current.actor, current.acting_for.client_id,
                              self.agent_query, self.scopes, valid_to, today())
                self.notice = t("{name} now has a mandate.", name=self.agent_name)
            else:
                birth = parse_day_month_year(self.birth_day, self.birth_month, self.birth_year)
                service.request(get_engine(), current.actor, self.client_query, birth,
                                self.scopes, valid_to, today())
                # The same words whether or not a client was found (nobody can probe).
                self.notice = t("Thank you. If {name} uses this service and the date of birth "
                                "is right, they will see your request and can accept it. You "
                                "can act for them only after they accept.",
                                name=" ".join(self.client_query.split()))
        except (AccessDenied, InvalidMandate) as refused:
            self._fail(refused.reason)
            return
        self._reset_answers()
        self._clear_error()
        self.step, self.flow = "list", ""
        self._reload()
        return rx.call_script("window.scrollTo(0, 0)")

    @rx.event
    @allow(Audience.SIGNED_IN)
    def ask_revoke(self, mandate_id: str):
        current = self._refresh_session()
        self.notice = ""
        self._clear_error()
        if current is not None:
            self._open_target(current, mandate_id, "revoke")

    @rx.event
    @allow(Audience.SIGNED_IN)
    def ask_decide(self, mandate_id: str):
        current = self._refresh_session()
        self.notice = ""
        self._clear_error()
        if current is not None:
            self._open_target(current, mandate_id, "decide")

    @rx.event
    @allow(Audience.SIGNED_IN)
    def decide(self, action: str):
        """Revoke, confirm or decline the mandate of the confirmation step."""
        mandate_id = parse_id(self.target.get("id", ""))
        if self.step not in ("revoke", "decide") or mandate_id is None:
            return  # only from an open confirmation step, once
        current = self._refresh_session()
        if current is None:
            self._fail("not_signed_in")
            return
        t = self._t()
        handlers = {
            "revoke": (service.revoke, N_("The mandate of {name} has ended.")),
            "confirm": (service.confirm_request, N_("{name} now has a mandate.")),
            "decline": (service.decline_request, N_("You declined the request of {name}.")),
        }
        if action not in handlers or (action == "revoke") != (self.step == "revoke"):
            return
        handler, done = handlers[action]
        try:
            handler(get_engine(), current.actor, mandate_id, today())
        except (AccessDenied, InvalidMandate) as refused:
            self._fail(refused.reason)
            return
        self.notice = t(done, name=self.target.get("agent", ""))
        self.target = {}
        self.step = "list"
        self._reload()
        return rx.call_script("window.scrollTo(0, 0)")


# -- components -----------------------------------------------------------------------------

S = MandatesState


def form_error() -> rx.Component:
    return rx.cond(
        S.error_field == "form",
        rx.el.div(rx.el.p(S.error), class_name="notice notice-error", role="alert"),
    )


def mandate_card(mandate: rx.Var, own: bool) -> rx.Component:
    return rx.el.li(
        rx.el.h3(mandate["client"] if own else mandate["agent"]),
        rx.el.dl(
            rx.fragment() if own else rx.el.div(rx.el.dt(T("Relation")),
                                                rx.el.dd(mandate["relation"])),
            rx.el.div(rx.el.dt(T("May")), rx.el.dd(mandate["scopes"])),
            rx.el.div(rx.el.dt(T("Valid")), rx.el.dd(mandate["until"])),
            rx.el.div(rx.el.dt(T("Source")), rx.el.dd(mandate["source"])),
            rx.el.div(rx.el.dt(T("Status")), rx.el.dd(mandate["status"])),
            class_name="figures",
        ),
        rx.fragment() if own else rx.cond(
                mandate["requested"] != "",
                rx.el.button(T("Accept or decline"),
                             rx.el.span(" ", mandate["agent"], class_name="visually-hidden"),
                             type="button", class_name="button",
                             on_click=S.ask_decide(mandate["id"])),
                rx.cond(
                    (mandate["guardian"] == "") & (mandate["suomifi"] == ""),
                    rx.el.button(T("End mandate"),
                                 rx.el.span(" ", mandate["agent"], class_name="visually-hidden"),
                                 type="button", class_name="button button-secondary",
                                 on_click=S.ask_revoke(mandate["id"])),
                    rx.el.p(rx.cond(mandate["guardian"] != "",
                                    T("A guardianship can only be ended by the case worker."),
                                    T("A Suomi.fi mandate can only be changed at Suomi.fi.")),
                            class_name="muted"),
                ),
        ),
        class_name="card",
    )


def list_view() -> rx.Component:
    return rx.fragment(
        rx.cond(S.notice != "", rx.el.div(rx.el.p(S.notice), class_name="notice notice-success",
                                          role="status")),
        form_error(),
        rx.cond(
            S.can_manage,
            rx.el.section(
                rx.el.h2(S.given_heading, id="given-heading"),
                rx.cond(
                    S.mandates.length() > 0,
                    rx.el.ul(rx.foreach(S.mandates, lambda m: mandate_card(m, False)),
                             class_name="card-list"),
                    rx.el.p(T("Nobody has a mandate yet.")),
                ),
                rx.el.button(T("Give a mandate"), type="button", class_name="button",
                             on_click=S.start("grant")),
                aria_labelledby="given-heading",
            ),
            rx.cond(
                (S.acting_for_id != 0) & ~S.acting_for_self,
                message_box(T("You may look at these matters, but you cannot change the "
                              "mandates. Only the client or a person who may manage their "
                              "matters can do that.")),
            ),
        ),
        rx.el.section(
            rx.el.h2(T("Your mandates to act for others"), id="own-heading"),
            rx.cond(
                S.own.length() > 0,
                rx.el.ul(rx.foreach(S.own, lambda m: mandate_card(m, True)),
                         class_name="card-list"),
                rx.el.p(T("You cannot act for anyone else yet.")),
            ),
            rx.el.p(T("Do you handle the matters of a relative? Ask them for a mandate here. "
                      "They accept it in this service.")),
            rx.el.button(T("Ask for a mandate"), type="button", class_name="button button-secondary",
                         on_click=S.start("request")),
            aria_labelledby="own-heading",
        ),
    )


def step_frame(*children: rx.Component, on_submit=None) -> rx.Component:
    return rx.fragment(
        back_button(S.back),
        rx.el.form(*children, on_submit=on_submit, class_name="step-form",
                   reset_on_submit=False) if on_submit is not None else rx.el.div(*children),
    )


def who_step() -> rx.Component:
    return step_frame(
        text_field(
            "agent",
            rx.el.span(T("Who do you give the mandate to?"), class_name="question"),
            S.agent_query, S.error, S.error_field,
            hint=rx.el.p(T("Enter the person's e-mail address or their name as it is in this "
                           "service. The person must have signed in once."), class_name="hint"),
            autocomplete="off",
        ),
        submit_button(T("Continue")),
        on_submit=S.submit_who,
    )


def client_step() -> rx.Component:
    return step_frame(
        rx.el.h2(T("Whose matters do you want to handle?"), class_name="question"),
        text_field("client", T("First and last name"), S.client_query, S.error, S.error_field,
                   autocomplete="off"),
        date_fields("birth", T("Date of birth"), S.birth_day, S.birth_month, S.birth_year,
                    S.error, S.error_field,
                    hint=rx.el.p(T("For example 14 3 1945"), class_name="hint")),
        submit_button(T("Continue")),
        on_submit=S.submit_client,
    )


def what_step() -> rx.Component:
    def option(scope: str) -> rx.Component:
        box = checkbox("scope", scope, T(SCOPE_TEXTS[scope]), S.scopes.contains(scope))
        if scope == "view":
            return box
        return rx.cond((S.flow == "request") | S.held_scopes.contains(scope), box)

    return step_frame(
        choice_group(
            "scope",
            rx.el.span(T("What may the person do?"), class_name="question"),
            [option(scope) for scope in SCOPES],
            S.error, S.error_field,
            hint=rx.el.p(T("Choose all that apply."), class_name="hint"),
        ),
        submit_button(T("Continue")),
        on_submit=S.submit_what,
    )


def until_step() -> rx.Component:
    return step_frame(
        choice_group(
            "until",
            rx.el.span(T("Until when is the mandate valid?"), class_name="question"),
            [
                radio("until", "none", T("Until further notice"), S.until != "date"),
                radio("until", "date", T("Until a date"), S.until == "date"),
            ],
            S.error, S.error_field,
        ),
        date_fields("until", T("End date (if you chose a date)"), S.until_day, S.until_month,
                    S.until_year, S.error, S.error_field,
                    hint=rx.el.p(T("For example 31 12 2027"), class_name="hint")),
        submit_button(T("Continue")),
        on_submit=S.submit_until,
    )


def check_step() -> rx.Component:
    return step_frame(
        rx.el.h2(T("Check your answers"), class_name="question"),
        form_error(),
        rx.el.dl(
            rx.cond(
                S.flow == "grant",
                summary_row(T("Who"), S.agent_name, S.go("who"), T("who")),
                summary_row(T("Whose matters"), S.client_query, S.go("client"),
                            T("whose matters")),
            ),
            summary_row(T("May"), S.scopes_text, S.go("what"), T("what the person may do")),
            summary_row(T("Valid"), S.until_text, S.go("until"), T("until when")),
            class_name="summary-list",
        ),
        rx.el.p(rx.cond(S.flow == "grant",
                        T("The mandate is valid from today. You can end it at any time."),
                        T("The request is sent to the client. Nothing changes before they "
                          "accept it."))),
        rx.el.button(rx.cond(S.flow == "grant", T("Give the mandate"), T("Send the request")),
                     type="button", class_name="button", on_click=S.send),
    )


def decision_step() -> rx.Component:
    return rx.fragment(
        back_button(S.go("list")),
        form_error(),
        rx.el.h2(rx.cond(S.step == "revoke", T("Do you want to end this mandate?"),
                         T("Do you accept this request?")), class_name="question"),
        rx.el.dl(
            summary_row(T("Who"), S.target["agent"]),
            summary_row(T("Whose matters"), S.target["client"]),
            summary_row(T("May"), S.target["scopes"]),
            summary_row(T("Valid"), S.target["until"]),
            class_name="summary-list",
        ),
        rx.cond(
            S.step == "revoke",
            rx.el.div(
                rx.el.p(T("After this the person can no longer see or handle these matters.")),
                rx.el.button(T("Yes, end the mandate"), type="button", class_name="button",
                             on_click=S.decide("revoke")),
                rx.el.button(T("No, keep the mandate"), type="button", class_name="button button-secondary",
                             on_click=S.go("list")),
                class_name="button-row",
            ),
            rx.el.div(
                rx.el.button(T("Accept"), type="button", class_name="button",
                             on_click=S.decide("confirm")),
                rx.el.button(T("Decline"), type="button", class_name="button button-secondary",
                             on_click=S.decide("decline")),
                class_name="button-row",
            ),
        ),
    )


def mandates_content() -> rx.Component:
    return rx.el.div(
        rx.match(
            S.step,
            ("who", who_step()),
            ("client", client_step()),
            ("what", what_step()),
            ("until", until_step()),
            ("check", check_step()),
            ("revoke", decision_step()),
            ("decide", decision_step()),
            list_view(),
        ),
        class_name="access-pages",
    )


@rx.page(route="/mandates", title="HB – Valtuudet", on_load=MandatesState.load)
def mandates() -> rx.Component:
    return page(
        rx.el.h1(T("Mandates")),
        rx.cond(
            MandatesState.ready,
            rx.cond(MandatesState.signed_in, mandates_content(), sign_in_prompt("/mandates")),
            loading(),
        ),
    )
