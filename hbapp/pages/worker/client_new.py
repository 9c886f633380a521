"""`/worker/clients/new`: a case worker registers a client (GOV.UK steps).

identity code → name → municipality → language → contact details → consent → check answers →
confirm. A code already in the register stops at the first step: the worker is shown that client
(when they may see them) or told whose client it is. Nothing is written before the confirmation;
the registering worker becomes the own worker, and consent is recorded in the same step or left
to be asked later.
"""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.forms import (
    back_button,
    choice_group,
    radio,
    submit_button,
    summary_row,
    text_field,
)
from hbapp.components.layout import loading, message_box, page
from hbapp.db import get_engine
from hbapp.domain.decisions import DecisionError
from hbapp.i18n import LANGUAGE_NAMES, N_
from hbapp.services import decisions as service
from hbapp.services.access import AccessDenied
from hbapp.state import AppState, T, today
from hbapp.views.decisions import error_text

BACK = {"name": "code", "municipality": "name", "language": "municipality",
        "contact": "language", "consent": "contact", "check": "consent", "exists": "code"}
LANGUAGES = ("fi", "sv", "en")


class NewClientState(AppState):
    # Its on_load starts the registration afresh: a language switch must not lose it.
    RELOAD_ON_LANGUAGE: ClassVar[bool] = False
    ready: bool = False
    status: str = ""  # ok, signed_out, denied
    step: str = "code"
    error: str = ""
    error_field: str = ""
    identity_code: str = ""
    first_name: str = ""
    last_name: str = ""
    municipality: str = ""
    language: str = ""
    street_address: str = ""
    phone: str = ""
    consent: str = ""  # yes / no
    consent_note: str = ""
    municipalities: list[dict[str, str]] = []
    existing_id: str = ""
    existing_name: str = ""
    existing_worker: str = ""
    existing_may_see: bool = False
    new_client_id: str = ""
    new_client_name: str = ""

    def _current(self):
        current = self._refresh_session()
        if current is None or not current.actor.is_worker:
            return None
        return current

    def _go(self, step: str):
        self.step = step
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")

    def _fail(self, error: DecisionError):
        self.error = error_text(self._t(), error)
        self.error_field = error.field or "form"

    def _ok(self, step: str):
        self.error = self.error_field = ""
        return self._go(step)

    def _draft(self) -> service.ClientDraft:
        return service.ClientDraft(self.identity_code, self.first_name, self.last_name,
                                   self.municipality, self.language, self.street_address,
                                   self.phone)

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        self.step, self.error, self.error_field = "code", "", ""
        for name in ("identity_code", "first_name", "last_name", "municipality", "language",
                     "street_address", "phone", "consent", "consent_note", "existing_id",
                     "existing_name", "existing_worker", "new_client_id", "new_client_name"):
            setattr(self, name, "")
        self.existing_may_see = False
        current = self._refresh_session()
        if current is None:
            self.status = "signed_out"
        elif not current.actor.is_worker:
            self.status = "denied"
        else:
            self.status = "ok"
            t = self._t()
            self.municipalities = [
                {"code": code, "name": sv if t.locale == "sv" else fi}
                for code, fi, sv in service.municipalities(get_engine(), current.actor)
            ]
        self.ready = True
        return self._page_ready(N_("Register a client"))

    @rx.event
    @allow(Audience.WORKER)
    def back(self):
        self.error = self.error_field = ""
        return self._go(BACK.get(self.step, "code"))

    @rx.event
    @allow(Audience.WORKER)
    def change_step(self, step: str):
        if step in BACK or step == "code":
            self.error = self.error_field = ""
            return self._go(step)

    @rx.event
    @allow(Audience.WORKER)
    def submit_code(self, form_data: dict):
        current = self._current()
        if current is None:
            return
        self.identity_code = str(form_data.get("identity_code", "")).strip()[:20]
        try:
            found = service.find_by_identity_code(get_engine(), current.actor,
                                                  self.identity_code, today())
        except DecisionError as error:
            self._fail(error)
            return
        except AccessDenied:
            self.status = "denied"
            return
        self.identity_code = self.identity_code.upper()
        if found is not None:
            self.existing_id = str(found.client_id)
            self.existing_name = found.name
            self.existing_worker = found.own_worker
            self.existing_may_see = found.may_see
            return self._ok("exists")
        return self._ok("name")

    @rx.event
    @allow(Audience.WORKER)
    def submit_name(self, form_data: dict):
        self.first_name = str(form_data.get("first_name", ""))[:120]
        self.last_name = str(form_data.get("last_name", ""))[:120]
        for field, code in (("first_name", "first_name_missing"),
                            ("last_name", "last_name_missing")):
            text = " ".join(getattr(self, field).split())
            if not text:
                self._fail(DecisionError(code, field))
                return
            if len(text) > 100:
                self._fail(DecisionError("text_too_long", field, limit=100))
                return
        return self._ok("municipality")

    @rx.event
    @allow(Audience.WORKER)
    def submit_municipality(self, form_data: dict):
        code = str(form_data.get("municipality", ""))[:3]
        if code not in {m["code"] for m in self.municipalities}:
            self._fail(DecisionError("municipality_missing", "municipality"))
            return
        self.municipality = code
        return self._ok("language")

    @rx.event
    @allow(Audience.WORKER)
    def submit_language(self, form_data: dict):
        language = str(form_data.get("language", ""))
        if language not in LANGUAGES:
            self._fail(DecisionError("language_missing", "language"))
            return
        self.language = language
        return self._ok("contact")

    @rx.event
    @allow(Audience.WORKER)
    def submit_contact(self, form_data: dict):
        self.street_address = str(form_data.get("street_address", ""))[:220]
        self.phone = str(form_data.get("phone", ""))[:60]
        try:
            service.check_client_draft(self._draft())
        except DecisionError as error:
            if error.field in ("street_address", "phone"):
                self._fail(error)
                return
            return self._ok("code")  # an earlier answer is missing: start from there
        return self._ok("consent")

    @rx.event
    @allow(Audience.WORKER)
    def submit_consent(self, form_data: dict):
        consent = str(form_data.get("consent", ""))
        self.consent_note = str(form_data.get("consent_note", ""))[:300]
        if consent not in ("yes", "no"):
            self._fail(DecisionError("consent_missing", "consent"))
            return
        self.consent = consent
        return self._ok("check")

    @rx.event
    @allow(Audience.WORKER)
    def confirm(self):
        current = self._current()
        if current is None:
            return
        try:
            client_id = service.register_client(get_engine(), current.actor, self._draft(),
                                                 self.consent == "yes", self.consent_note,
                                                 today())
        except service.DuplicateClient as duplicate:
            found = duplicate.existing
            self.existing_id, self.existing_name = str(found.client_id), found.name
            self.existing_worker, self.existing_may_see = found.own_worker, found.may_see
            return self._ok("exists")
        except DecisionError as error:
            self._fail(error)
            return
        except AccessDenied:
            self.status = "denied"
            return
        self.new_client_id = str(client_id)
        self.new_client_name = f"{' '.join(self.first_name.split())} " \
                               f"{' '.join(self.last_name.split())}"
        return self._ok("done")


S = NewClientState


def form_error() -> rx.Component:
    return rx.cond((S.error != "") & (S.error_field == "form"),
                   rx.el.div(rx.el.p(S.error), class_name="notice notice-error", role="alert"))


def heading(text: str) -> rx.Component:
    return rx.el.h2(T(text), id="step-heading", class_name="question")


def step_code() -> rx.Component:
    return rx.fragment(
        rx.el.form(
            text_field("identity_code", rx.el.span(T("What is the client's personal identity "
                                                     "code?"), class_name="question"),
                       S.identity_code, S.error, S.error_field,
                       hint=rx.el.p(T("For example 140345-9025. Temporary codes (900–999) are "
                                      "accepted."), class_name="hint")),
            submit_button(T("Continue")),
            on_submit=S.submit_code, reset_on_submit=False,
        ),
    )


def step_exists() -> rx.Component:
    return rx.fragment(
        back_button(S.back),
        heading(N_("This client is already registered")),
        rx.cond(
            S.existing_may_see,
            rx.fragment(
                rx.el.p(T("The identity code belongs to your client"), " ",
                        rx.el.strong(S.existing_name), "."),
                rx.el.p(rx.el.a(T("Open the client"), href="/worker/clients/" + S.existing_id,
                                class_name="button", id="open-existing")),
            ),
            rx.el.div(
                rx.el.p(T("The identity code is already in the register, but the client is not "
                          "yours.")),
                rx.cond(S.existing_worker != "",
                        rx.el.p(T("Ask their own case worker:"), " ",
                                rx.el.strong(S.existing_worker)),
                        rx.el.p(T("Ask an administrator to assign the client to you."))),
                class_name="notice notice-warning", role="status", id="not-yours",
            ),
        ),
    )


def step_name() -> rx.Component:
    return rx.fragment(
        back_button(S.back),
        heading(N_("What is the client's name?")),
        rx.el.form(
            text_field("first_name", T("First name"), S.first_name, S.error, S.error_field,
                       autocomplete="off"),
            text_field("last_name", T("Last name"), S.last_name, S.error, S.error_field,
                       autocomplete="off"),
            submit_button(T("Continue")),
            on_submit=S.submit_name, reset_on_submit=False,
        ),
    )


def step_municipality() -> rx.Component:
    has_error = S.error_field == "municipality"
    return rx.fragment(
        back_button(S.back),
        rx.el.form(
            rx.el.div(
                rx.el.h2(rx.el.label(T("In which municipality does the client live?"),
                                     html_for="f-municipality"), id="step-heading",
                         class_name="question"),
                rx.cond(has_error, rx.el.p(rx.el.span(T("Error:"), class_name="visually-hidden"),
                                           " ", S.error, id="f-municipality-error",
                                           class_name="field-error")),
                rx.el.select(
                    rx.el.option(T("Choose a municipality"), value=""),
                    rx.foreach(S.municipalities,
                               lambda m: rx.el.option(m["name"], value=m["code"])),
                    id="f-municipality", name="municipality", default_value=S.municipality,
                    class_name="field-input",
                    aria_invalid=rx.cond(has_error, "true", "false"),
                ),
                class_name=rx.cond(has_error, "field field-has-error", "field"),
            ),
            submit_button(T("Continue")),
            on_submit=S.submit_municipality, reset_on_submit=False,
        ),
    )


def step_language() -> rx.Component:
    return rx.fragment(
        back_button(S.back),
        rx.el.form(
            choice_group(
                "language", rx.el.span(T("In which language does the client want to be "
                                         "served?"), class_name="question"),
                [radio("language", code, LANGUAGE_NAMES[code], S.language == code)
                 for code in LANGUAGES],
                S.error, S.error_field,
            ),
            submit_button(T("Continue")),
            on_submit=S.submit_language, reset_on_submit=False,
        ),
    )


def step_contact() -> rx.Component:
    return rx.fragment(
        back_button(S.back),
        heading(N_("How can the client be reached?")),
        rx.el.p(T("Both are optional."), class_name="hint"),
        rx.el.form(
            text_field("street_address", T("Street address"), S.street_address, S.error,
                       S.error_field),
            text_field("phone", T("Phone number"), S.phone, S.error, S.error_field,
                       input_type="tel"),
            submit_button(T("Continue")),
            on_submit=S.submit_contact, reset_on_submit=False,
        ),
    )


def step_consent() -> rx.Component:
    return rx.fragment(
        back_button(S.back),
        rx.el.form(
            choice_group(
                "consent", rx.el.span(T("Has the client agreed that their case worker may see "
                                        "their data?"), class_name="question"),
                [radio("consent", "yes", T("Yes, record the consent now"), S.consent == "yes"),
                 radio("consent", "no", T("Not yet: I will ask later"), S.consent == "no")],
                S.error, S.error_field,
                hint=rx.el.p(T("Without consent you can make the budget decision, but you do "
                               "not see the client's other data."), class_name="hint"),
            ),
            text_field("consent_note", T("Note about the consent (optional)"), S.consent_note,
                       S.error, S.error_field),
            submit_button(T("Continue")),
            on_submit=S.submit_consent, reset_on_submit=False,
        ),
    )


def step_check() -> rx.Component:
    return rx.fragment(
        back_button(S.back),
        heading(N_("Check the details before registering")),
        form_error(),
        rx.el.dl(
            summary_row(T("Personal identity code"), S.identity_code, S.change_step("code"),
                        T("the identity code")),
            summary_row(T("Name"), rx.fragment(S.first_name, " ", S.last_name),
                        S.change_step("name"), T("the name")),
            summary_row(T("Municipality"), rx.foreach(
                S.municipalities, lambda m: rx.cond(m["code"] == S.municipality, m["name"], "")),
                S.change_step("municipality"), T("the municipality")),
            summary_row(T("Language"), rx.match(S.language, *[
                (code, LANGUAGE_NAMES[code]) for code in LANGUAGES], ""),
                S.change_step("language"), T("the language")),
            summary_row(T("Street address"), S.street_address, S.change_step("contact"),
                        T("the street address")),
            summary_row(T("Phone number"), S.phone, S.change_step("contact"),
                        T("the phone number")),
            summary_row(T("Consent"), rx.cond(S.consent == "yes", T("Recorded now"),
                                              T("Asked later")),
                        S.change_step("consent"), T("the consent")),
            class_name="summary-list",
        ),
        rx.el.p(T("You become the client's own case worker.")),
        rx.el.button(T("Register the client"), type="button", on_click=S.confirm,
                     class_name="button", id="confirm-register"),
    )


def step_done() -> rx.Component:
    return rx.fragment(
        rx.el.div(
            rx.el.h2(T("The client is registered"), id="step-heading"),
            rx.el.p(S.new_client_name),
            class_name="notice notice-success", role="status",
        ),
        rx.el.p(rx.el.a(T("Grant a budget"), href="/worker/clients/" + S.new_client_id + "/budget",
                        class_name="button", id="to-budget")),
        rx.el.p(rx.el.a(T("Open the client"), href="/worker/clients/" + S.new_client_id)),
    )


def steps() -> rx.Component:
    return rx.match(
        S.step,
        ("exists", step_exists()),
        ("name", step_name()),
        ("municipality", step_municipality()),
        ("language", step_language()),
        ("contact", step_contact()),
        ("consent", step_consent()),
        ("check", step_check()),
        ("done", step_done()),
        step_code(),
    )


@rx.page(route="/worker/clients/new", title="HB – Uusi asiakas", on_load=S.load)
def worker_client_new() -> rx.Component:
    return page(
        rx.el.h1(T("Register a client")),
        rx.el.div(
            rx.cond(
                S.ready,
                rx.match(
                    S.status,
                    ("ok", steps()),
                    ("signed_out", rx.el.section(
                        rx.el.p(T("Sign in to see your clients.")),
                        rx.el.a(T("Sign in"), href="/auth/login?next=/worker/clients/new",
                                class_name="button"),
                        class_name="notice",
                    )),
                    message_box(T("This page is for case workers. You do not have access."),
                                "error"),
                ),
                loading(),
            ),
            class_name="access-pages decision-pages",
        ),
    )
