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
from hbapp.domain.mandates import (
    CLIENT_RELATIONS,
    SCOPES,
    InvalidMandate,
    check_birth_date,
    parse_day_month_year,
    parse_scopes,
)
from hbapp.i18n import N_
from hbapp.services import mandates as service
from hbapp.services.access import AccessDenied
from hbapp.state import AppState, T, today
from hbapp.views.access import RELATION_TEXTS, SCOPE_TEXTS, error_text, mandate_texts
from hbapp.views.access import scopes_text as scope_words
from hbapp.views.access import valid_until


GRANT_STEPS = ("who", "pick", "relation", "what", "until", "check")
REQUEST_STEPS = ("client", "birth", "relation", "what", "until", "check")
MORE_STEPS = ("more", "check")
FLOWS = {"grant": GRANT_STEPS, "request": REQUEST_STEPS, "more": MORE_STEPS}


class MandatesState(AppState):
    ready: bool = False
    can_manage: bool = False
    client_name: str = ""
    given_heading: str = ""
    held_scopes: list[str] = []
    mandates: list[dict[str, str]] = []
    own: list[dict[str, str]] = []
    step: str = "list"
    flow: str = ""  # "grant", "request" or "more" (more rights on one's own mandate)
    notice: str = ""
    error: str = ""
    error_field: str = ""
    # answers so far
    agent_query: str = ""
    matches: list[dict[str, str]] = []  # id, name, year (of birth; "" when unknown)
    too_many: bool = False
    agent_id: str = ""
    agent_name: str = ""
    client_query: str = ""
    birth_day: str = ""
    birth_month: str = ""
    birth_year: str = ""
    birth_ok: bool = False
    relation: str = ""
    scopes: list[str] = []
    until: str = "none"
    until_day: str = ""
    until_month: str = ""
    until_year: str = ""
    until_done: bool = False
    # the mandate a confirmation step (or a request for more rights) is about
    target: dict[str, str] = {}
    target_scopes: list[str] = []
    _carry_notice: bool = False

    @rx.var
    def scopes_text(self) -> str:
        return scope_words(self._t(), tuple(s for s in SCOPES if s in self.scopes))

    @rx.var
    def until_text(self) -> str:
        try:
            return valid_until(self._t(), self._valid_to())
        except InvalidMandate:
            return ""

    @rx.var
    def relation_text(self) -> str:
        t = self._t()
        return t(RELATION_TEXTS[self.relation]) if self.relation in RELATION_TEXTS else ""

    @rx.var
    def birth_text(self) -> str:
        try:
            return self._t().date(
                parse_day_month_year(self.birth_day, self.birth_month, self.birth_year))
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
        pending = {m.client_id for m in result.own if m.status == "requested"}
        self.own = [
            {**mandate_texts(t, m),
             # more rights can be asked for on a mandate in force given in the app
             "more": "1" if (m.in_force and m.source != "suomifi" and m.relation != "guardian"
                             and set(m.scopes) != set(SCOPES)
                             and m.client_id not in pending) else ""}
            for m in result.own if m.status != "declined"
        ]
        return current

    def _fail(self, reason: str, field: str = ""):
        self.error = error_text(self._t(), reason)
        self.error_field = field or "form"

    def _clear_error(self):
        self.error, self.error_field = "", ""

    def _reset_answers(self):
        self.agent_query = self.agent_name = self.agent_id = self.client_query = ""
        self.matches, self.too_many = [], False
        self.birth_day = self.birth_month = self.birth_year = ""
        self.birth_ok = self.until_done = False
        self.relation = ""
        self.scopes, self.until = [], "none"
        self.until_day = self.until_month = self.until_year = ""
        self.target, self.target_scopes = {}, []

    def _valid_to(self) -> date | None:
        if self.until != "date":
            return None
        return parse_day_month_year(self.until_day, self.until_month, self.until_year)

    def _answered(self, step: str) -> bool:
        return {
            "who": bool(self.matches) or bool(self.agent_id),
            "pick": bool(self.agent_id),
            "client": bool(" ".join(self.client_query.split())),
            "birth": self.birth_ok,
            "relation": self.relation in CLIENT_RELATIONS,
            "what": bool(self.scopes),
            "until": self.until_done,
            "more": bool(self.scopes) and bool(self.target),
        }.get(step, False)

    def _allowed(self, wanted: str) -> str:
        """`wanted`, or the first step of the flow whose earlier answers are missing."""
        steps = FLOWS.get(self.flow)
        if steps is None or wanted not in steps:
            return "list"
        for index, step in enumerate(steps[:steps.index(wanted)]):
            if step == "pick" and self.agent_id:
                continue  # one exact match: nothing to choose
            if not self._answered(step):
                return step
        return wanted

    def _go(self, step: str):
        """Move to a step: a new address, so the browser's Back returns here."""
        self._clear_error()
        self.step = step
        return rx.redirect("/mandates" if step == "list" else f"/mandates?step={step}")

    # -- events ----------------------------------------------------------------------------

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        """Every step has its own address (`/mandates?step=what`): the phone's Back goes one
        step back with the answers kept. `/mandates` alone is the list and forgets the
        answers. `/mandates?revoke=<id>` and `?decide=<id>` open a confirmation step. Also
        the language-changed hook (see AppState.set_language)."""
        self.ready = False
        params = self.router.page.params
        wanted = str(params.get("step", "") or "")
        self._clear_error()
        if not self._carry_notice:
            self.notice = ""
        self._carry_notice = False
        current = self._reload()
        revoke_id = str(params.get("revoke", "") or "")
        decide_id = str(params.get("decide", "") or "")
        self.step = "list"
        if current is not None and (revoke_id or decide_id):
            self._open_target(current, revoke_id or decide_id, "revoke" if revoke_id else "decide")
        elif current is not None and wanted:
            if self.flow == "more" and self.target:
                self._refresh_target(current)
            self.step = self._allowed(wanted)
        else:
            self.flow = ""
            self._reset_answers()
        self.ready = True
        events = [self._page_ready(N_("Mandates"))]
        if wanted and self.step != wanted and not (revoke_id or decide_id):
            shown = "/mandates" if self.step == "list" else f"/mandates?step={self.step}"
            events.append(rx.call_script(f"history.replaceState(null, '', '{shown}')"))
        if self.step != "list":
            events.append(rx.call_script("window.scrollTo(0, 0)"))
        return events

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

    def _refresh_target(self, current):
        """The own mandate more rights are asked for, in the language now chosen."""
        mine = next((m for m in self.own if m["id"] == self.target.get("id")), None)
        if mine is None:
            self.target, self.target_scopes = {}, []
        else:
            self.target = mine

    @rx.event
    @allow(Audience.SIGNED_IN)
    def start(self, flow: str):
        self._reset_answers()
        self.notice = ""
        self.flow = "grant" if flow == "grant" else "request"
        return self._go("who" if self.flow == "grant" else "client")

    @rx.event
    @allow(Audience.SIGNED_IN)
    def ask_more(self, mandate_id: str):
        """Ask the client for more rights on one's own mandate (issue 18.5)."""
        mine = next((m for m in self.own if m["id"] == mandate_id and m["more"]), None)
        if mine is None:
            self._fail("no_mandate")
            return
        self._reset_answers()
        self.notice = ""
        self.flow = "more"
        self.target = mine
        self.target_scopes = [s for s in mine.get("scope_codes", "").split(",") if s]
        return self._go("more")

    @rx.event
    @allow(Audience.SIGNED_IN)
    def go(self, step: str):
        if step == "list":
            self.flow = ""
            self._reset_answers()
            return self._go("list")
        if step in FLOWS.get(self.flow, ()):
            return self._go(step)

    @rx.event
    @allow(Audience.SIGNED_IN)
    def back(self):
        # The previous step is the previous address: the in-page Back and the browser's agree.
        return rx.call_script("history.back()")

    @rx.event
    @allow(Audience.SIGNED_IN)
    def submit_who(self, form_data: dict):
        if self.flow != "grant":
            return
        current = self._refresh_session()
        query = str(form_data.get("agent", ""))[:200]
        if query != self.agent_query:
            self.agent_id, self.agent_name = "", ""
        self.agent_query = query
        if current is None or current.acting_for is None:
            self._fail("not_signed_in", "agent")
            return
        try:
            found = service.search_agents(get_engine(), current.actor,
                                          current.acting_for.client_id, query, today())
        except (AccessDenied, InvalidMandate) as refused:
            self._fail(refused.reason, "agent")
            return
        if not found:
            self._fail("agent_not_found", "agent")
            return
        self.too_many = len(found) > service.SEARCH_LIMIT
        self.matches = [{"id": str(m.person_id), "name": m.name,
                         "year": str(m.birth_year or "")} for m in found[:service.SEARCH_LIMIT]]
        if len(found) == 1:
            return self._choose(current, found[0].person_id, "agent")
        self.agent_id = ""
        return self._go("pick")

    def _choose(self, current, person_id: int, field: str):
        try:
            choice = service.check_agent_id(get_engine(), current.actor,
                                            current.acting_for.client_id, person_id, today())
        except (AccessDenied, InvalidMandate) as refused:
            self._fail(refused.reason, field)
            return
        self.agent_id, self.agent_name = str(choice.person_id), choice.name
        return self._go("relation")

    @rx.event
    @allow(Audience.SIGNED_IN)
    def submit_pick(self, form_data: dict):
        current = self._refresh_session()
        wanted = str(form_data.get("agent_id", ""))
        if self.step != "pick" or current is None or current.acting_for is None:
            return
        if wanted not in {m["id"] for m in self.matches}:
            self._fail("agent_not_chosen", "agent_id")
            return
        return self._choose(current, int(wanted), "agent_id")

    @rx.event
    @allow(Audience.SIGNED_IN)
    def submit_client(self, form_data: dict):
        if self.flow != "request":
            return
        self.client_query = str(form_data.get("client", ""))[:200]
        if not " ".join(self.client_query.split()):
            self._fail("client_missing", "client")
            return
        return self._go("birth")

    @rx.event
    @allow(Audience.SIGNED_IN)
    def submit_birth(self, form_data: dict):
        """The date of birth is checked here, at its own step, not only at the end."""
        if self.flow != "request":
            return
        self.birth_day = str(form_data.get("birth_day", ""))[:10]
        self.birth_month = str(form_data.get("birth_month", ""))[:10]
        self.birth_year = str(form_data.get("birth_year", ""))[:10]
        try:
            check_birth_date(
                parse_day_month_year(self.birth_day, self.birth_month, self.birth_year), today())
        except InvalidMandate as bad:
            self.birth_ok = False
            self._fail(bad.reason, "birth")
            return
        self.birth_ok = True
        return self._go("relation")

    @rx.event
    @allow(Audience.SIGNED_IN)
    def submit_relation(self, form_data: dict):
        if self.flow not in ("grant", "request"):
            return
        value = str(form_data.get("relation", ""))
        if value not in CLIENT_RELATIONS:
            self._fail("bad_relation", "relation")
            return
        self.relation = value
        return self._go("what")

    @rx.event
    @allow(Audience.SIGNED_IN)
    def submit_what(self, form_data: dict):
        if self.flow not in ("grant", "request", "more"):
            return
        offered = self.held_scopes if self.flow == "grant" else list(SCOPES)
        self.scopes = [s for s in SCOPES if form_data.get(f"scope_{s}") and s in offered]
        if self.flow == "more":
            self.scopes = [s for s in self.scopes if s not in self.target_scopes]
            if not self.scopes:
                self._fail("nothing_more", "scope")
                return
            return self._go("check")
        try:
            parse_scopes(self.scopes)
        except InvalidMandate as bad:
            self._fail(bad.reason, "scope")
            return
        return self._go("until")

    @rx.event
    @allow(Audience.SIGNED_IN)
    def submit_until(self, form_data: dict):
        self.until = "date" if form_data.get("until") == "date" else "none"
        self.until_day = str(form_data.get("until_day", ""))[:10]
        self.until_month = str(form_data.get("until_month", ""))[:10]
        self.until_year = str(form_data.get("until_year", ""))[:10]
        try:
            valid_to = self._valid_to()
            if valid_to is not None and valid_to < today():
                raise InvalidMandate("ends_in_past")
        except InvalidMandate as bad:
            self.until_done = False
            self._fail(bad.reason, "until")
            return
        self.until_done = True
        return self._go("check")

    @rx.event
    @allow(Audience.SIGNED_IN)
    def send(self):
        """The check-answers page's button: the only place a mandate is created."""
        if self.step != "check" or self.flow not in FLOWS:
            return  # only from the check-answers step, once: a double click sends nothing twice
        current = self._refresh_session()
        if current is None:
            self._fail("not_signed_in")
            return
        t = self._t()
        try:
            if self.flow == "more":
                client_id = parse_id(self.target.get("client_id", ""))
                if client_id is None:
                    raise AccessDenied("no_mandate")
                service.request_more(get_engine(), current.actor, client_id,
                                     [*self.target_scopes, *self.scopes], today())
                self.notice = t("Your request was sent to {name}. You get the new rights when "
                                "they accept it.", name=self.target.get("client", ""))
            elif self.flow == "grant":
                if current.acting_for is None or parse_id(self.agent_id) is None:
                    raise AccessDenied("no_mandate")
                service.grant(get_engine(), current.actor, current.acting_for.client_id,
                              "", self.scopes, self._valid_to(), today(),
                              relation=self.relation, agent_person_id=int(self.agent_id))
                self.notice = t("{name} now has a mandate.", name=self.agent_name)
            else:
                birth = check_birth_date(
                    parse_day_month_year(self.birth_day, self.birth_month, self.birth_year),
                    today())
                service.request(get_engine(), current.actor, self.client_query, birth,
                                self.scopes, self._valid_to(), today(), relation=self.relation)
                # The same words whether or not a client was found (nobody can probe).
                self.notice = t("Thank you. If {name} uses this service and the date of birth "
                                "is right, they will see your request and can accept it. You "
                                "can act for them only after they accept.",
                                name=" ".join(self.client_query.split()))
        except (AccessDenied, InvalidMandate) as refused:
            self._fail(refused.reason)
            return
        self._reset_answers()
        self.flow = ""
        self.step = "list"
        self._carry_notice = True
        return self._go("list")

    @rx.event
    @allow(Audience.SIGNED_IN)
    def ask_revoke(self, mandate_id: str):
        if parse_id(mandate_id) is not None:
            return rx.redirect(f"/mandates?revoke={mandate_id}")

    @rx.event
    @allow(Audience.SIGNED_IN)
    def ask_decide(self, mandate_id: str):
        if parse_id(mandate_id) is not None:
            return rx.redirect(f"/mandates?decide={mandate_id}")

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
        self._carry_notice = True
        return self._go("list")


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
            rx.el.div(rx.el.dt(T("Relation")), rx.el.dd(mandate["relation"])),
            rx.el.div(rx.el.dt(T("May")), rx.el.dd(mandate["scopes"])),
            rx.el.div(rx.el.dt(T("Valid")), rx.el.dd(mandate["until"])),
            rx.el.div(rx.el.dt(T("Source")), rx.el.dd(mandate["source"])),
            rx.el.div(rx.el.dt(T("Status")), rx.el.dd(mandate["status"])),
            class_name="figures",
        ),
        rx.cond(
            mandate["more"] != "",
            rx.el.button(T("Ask for more rights"),
                         rx.el.span(" ", mandate["client"], class_name="visually-hidden"),
                         type="button", class_name="button button-secondary",
                         on_click=S.ask_more(mandate["id"])),
        ) if own else rx.cond(
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
            hint=rx.el.p(T("Enter the person's personal identity code, or their e-mail address, "
                           "or their name or a part of it. The person must have signed in to "
                           "this service once."), class_name="hint"),
            autocomplete="off",
        ),
        submit_button(T("Search")),
        on_submit=S.submit_who,
    )


def pick_step() -> rx.Component:
    def match(person: rx.Var) -> rx.Component:
        label = rx.fragment(
            person["name"], " ",
            rx.el.span(rx.cond(person["year"] != "",
                               rx.fragment("(", T("born"), " ", person["year"], ")"),
                               rx.fragment("(", T("year of birth not known"), ")")),
                       class_name="muted"),
        )
        return rx.el.div(
            rx.el.input(type="radio", id="f-agent_id-" + person["id"], name="agent_id",
                        value=person["id"], default_checked=S.agent_id == person["id"],
                        class_name="choice-input"),
            rx.el.label(label, html_for="f-agent_id-" + person["id"], class_name="choice-label"),
            class_name="choice",
        )

    return step_frame(
        choice_group(
            "agent_id",
            rx.el.span(T("Which person do you mean?"), class_name="question"),
            [rx.foreach(S.matches, match)],
            S.error, S.error_field,
            hint=rx.el.p(
                T("Several people match. The year of birth helps to tell them apart."),
                rx.cond(S.too_many, rx.fragment(" ", T("Only the first ten are shown: go back "
                                                       "and write more of the name."))),
                class_name="hint"),
        ),
        submit_button(T("Continue")),
        on_submit=S.submit_pick,
    )


def client_step() -> rx.Component:
    return step_frame(
        text_field("client",
                   rx.el.span(T("Whose matters do you want to handle?"), class_name="question"),
                   S.client_query, S.error, S.error_field,
                   hint=rx.el.p(T("First and last name"), class_name="hint"),
                   autocomplete="off"),
        submit_button(T("Continue")),
        on_submit=S.submit_client,
    )


def birth_step() -> rx.Component:
    return step_frame(
        date_fields("birth",
                    rx.el.span(T("Date of birth"), class_name="question"),
                    S.birth_day, S.birth_month, S.birth_year, S.error, S.error_field,
                    hint=rx.el.p(S.client_query, ": ", T("For example 14 3 1945"),
                                 class_name="hint")),
        submit_button(T("Continue")),
        on_submit=S.submit_birth,
    )


def relation_step() -> rx.Component:
    labels = {"relative": N_("A relative or someone close"),
              "custodian": N_("A custodian: the parent of a child"),
              "other": N_("Someone else")}
    return step_frame(
        choice_group(
            "relation",
            rx.el.span(rx.cond(S.flow == "grant", T("How is the person related to you?"),
                               T("How are you related?")), class_name="question"),
            [radio("relation", key, T(label), S.relation == key)
             for key, label in labels.items()],
            S.error, S.error_field,
            hint=rx.el.p(T("A guardian (edunvalvoja) appointed by a court is recorded by the "
                           "case worker."), class_name="hint"),
        ),
        submit_button(T("Continue")),
        on_submit=S.submit_relation,
    )


def more_step() -> rx.Component:
    def option(scope: str) -> rx.Component:
        return rx.cond(~S.target_scopes.contains(scope),
                       checkbox("scope", scope, T(SCOPE_TEXTS[scope]), S.scopes.contains(scope)))

    return step_frame(
        rx.el.p(T("You may now:"), " ", S.target["scopes"], class_name="hint"),
        choice_group(
            "scope",
            rx.el.span(T("What more do you want to be able to do?"), class_name="question"),
            [option(scope) for scope in SCOPES],
            S.error, S.error_field,
            hint=rx.el.p(T("Choose all that apply."), class_name="hint"),
        ),
        submit_button(T("Continue")),
        on_submit=S.submit_what,
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
        rx.cond(
            S.flow == "more",
            rx.el.dl(
                summary_row(T("Whose matters"), S.target["client"]),
                summary_row(T("You may now"), S.target["scopes"]),
                summary_row(T("You ask to also"), S.scopes_text, S.go("more"),
                            T("what more you ask for")),
                class_name="summary-list",
            ),
            rx.el.dl(
                rx.cond(
                    S.flow == "grant",
                    summary_row(T("Who"), S.agent_name, S.go("who"), T("who")),
                    rx.fragment(
                        summary_row(T("Whose matters"), S.client_query, S.go("client"),
                                    T("whose matters")),
                        summary_row(T("Date of birth"), S.birth_text, S.go("birth"),
                                    T("date of birth")),
                    ),
                ),
                summary_row(T("Relation"), S.relation_text, S.go("relation"), T("relation")),
                summary_row(T("May"), S.scopes_text, S.go("what"), T("what the person may do")),
                summary_row(T("Valid"), S.until_text, S.go("until"), T("until when")),
                class_name="summary-list",
            ),
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
            ("pick", pick_step()),
            ("client", client_step()),
            ("birth", birth_step()),
            ("relation", relation_step()),
            ("more", more_step()),
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
