"""`/worker/clients/[client_id]/surveys`: a case worker assigns outcome surveys to a client
they serve with consent, and sees the assignments and responses."""

from __future__ import annotations

import json
from datetime import date, timedelta

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import loading, message_box, page, sign_in_prompt
from hbapp.db import get_engine
from hbapp.domain.inputs import parse_id
from hbapp.domain.scoring import INSTRUMENT_IDS
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.surveys import TIMEPOINTS, SurveyError, assign_survey, client_assignments, \
    client_name, mark_answered_with_help
from hbapp.state import AppState, T, today
from hbapp.views.surveys import assignment_texts, instrument_name, response_texts, timepoint_name

DENIALS = {
    "no_consent": N_("The client has not given consent. Record the consent first."),
    "not_assigned": N_("You are not this client's case worker."),
    "not_a_worker": N_("Only case workers can assign surveys."),
}
FORM_ERRORS = {
    "due_in_past": N_("Enter a due date that is today or later."),
    "bad_date": N_("Enter the due date as a date, for example 31.12.2026."),
    "unknown_instrument": N_("Choose a survey."),
    "unknown_timepoint": N_("Choose when the survey is answered."),
    "already_assigned": N_("This survey is already waiting for the client's answers for this "
                           "time point."),
}


def _denial(reason: str) -> str:
    return DENIALS.get(reason, DENIALS["not_assigned"])


def _form_error(code: str) -> str:
    return FORM_ERRORS.get(code, FORM_ERRORS["unknown_instrument"])


class WorkerSurveysState(AppState):
    ready: bool = False
    denial: str = ""
    client_id: str = ""
    client: str = ""
    instruments: list[dict[str, str]] = []
    timepoints: list[dict[str, str]] = []
    assignments: list[dict[str, str]] = []
    responses: list[dict[str, str]] = []
    default_due: str = ""
    form_error: str = ""
    confirmation: str = ""
    help_message: str = ""
    _assigned_form: str = ""  # the last form assigned: a double submit assigns it once

    def _reload(self) -> bool:
        current = self._refresh_session()
        t = self._t()
        self.denial = ""
        self.assignments, self.responses = [], []
        if current is None:
            return False
        client_id = parse_id(self.router.page.params.get("client_id", ""))
        if client_id is None:
            self.denial = t(_denial("not_assigned"))
            return False
        self.client_id = str(client_id)
        try:
            assignments, responses = client_assignments(get_engine(), current.actor, client_id,
                                                        today())
        except AccessDenied as exc:
            self.denial = t(_denial(exc.reason))
            return False
        self.client = client_name(get_engine(), client_id)
        self.assignments = [
            {**assignment_texts(t, a), "due": t.date(a.due_on)} for a in assignments
        ]
        self.responses = [response_texts(t, r) for r in responses]
        self.instruments = [{"id": i, "name": instrument_name(t, i)} for i in INSTRUMENT_IDS]
        self.timepoints = [{"id": p, "name": timepoint_name(t, p)} for p in TIMEPOINTS]
        self.default_due = (today() + timedelta(days=14)).isoformat()
        return True

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        self.form_error = self.confirmation = self._assigned_form = self.help_message = ""
        self._reload()
        self.ready = True
        return self._page_ready(N_("Client's surveys"))

    @rx.event
    @allow(Audience.WORKER)
    def assign(self, form: dict):
        t = self._t()
        submitted = json.dumps(form, sort_keys=True, default=str)
        if submitted == self._assigned_form:
            return  # the same form again right after it was assigned (a double submit)
        self.form_error = self.confirmation = ""
        current = self._refresh_session()
        client_id = parse_id(self.client_id)
        if current is None or client_id is None:
            return
        try:
            due_on = date.fromisoformat(str(form.get("due_on", "")))
        except ValueError:
            self.form_error = t(_form_error("bad_date"))
            return
        try:
            assign_survey(get_engine(), current.actor, client_id,
                          str(form.get("instrument", "")), due_on,
                          str(form.get("timepoint", "")), today())
        except AccessDenied as exc:
            self.denial = t(_denial(exc.reason))
            return
        except SurveyError as exc:
            self.form_error = t(_form_error(exc.code))
            return
        self._assigned_form = submitted
        self._reload()
        self.confirmation = t("The survey {name} was assigned. Due {date}.",
                              name=instrument_name(t, str(form.get("instrument"))),
                              date=t.date(due_on))

    @rx.event
    @allow(Audience.WORKER)
    def mark_help(self, response_id: str, with_help: bool):
        """Mark that the client answered with help (the service checks access again)."""
        t = self._t()
        self.help_message = ""
        current = self._refresh_session()
        wanted = parse_id(response_id)
        if current is None or wanted is None:
            return
        try:
            mark_answered_with_help(get_engine(), current.actor, wanted, bool(with_help),
                                    today())
        except AccessDenied as exc:
            self.denial = t(_denial(exc.reason))
            return
        self._reload()
        self.help_message = (t("Marked as answered with help.") if with_help
                             else t("The mark was removed."))


def _option(item: rx.Var) -> rx.Component:
    return rx.el.option(item["name"], value=item["id"])


def assign_form() -> rx.Component:
    has_error = WorkerSurveysState.form_error != ""
    return rx.el.section(
        rx.el.h2(T("Assign a survey"), id="assign-heading"),
        rx.cond(has_error, rx.el.p(WorkerSurveysState.form_error, id="assign-error",
                                   class_name="notice notice-error", role="alert")),
        rx.cond(WorkerSurveysState.confirmation != "",
                rx.el.p(WorkerSurveysState.confirmation, class_name="notice", role="status",
                        id="assign-confirmation")),
        rx.el.form(
            rx.el.div(
                rx.el.label(T("Survey"), html_for="assign-instrument"),
                rx.el.select(rx.foreach(WorkerSurveysState.instruments, _option),
                             id="assign-instrument", name="instrument"),
                class_name="survey-field",
            ),
            rx.el.div(
                rx.el.label(T("When"), html_for="assign-timepoint"),
                rx.el.select(rx.foreach(WorkerSurveysState.timepoints, _option),
                             id="assign-timepoint", name="timepoint"),
                class_name="survey-field",
            ),
            rx.el.div(
                rx.el.label(T("Due date"), html_for="assign-due"),
                rx.el.input(type="date", id="assign-due", name="due_on",
                            default_value=WorkerSurveysState.default_due,
                            aria_describedby=rx.cond(has_error, "assign-error", ""),
                            aria_invalid=rx.cond(has_error, "true", "false")),
                class_name="survey-field",
            ),
            rx.el.button(T("Assign"), type="submit", class_name="button"),
            on_submit=WorkerSurveysState.assign,
            reset_on_submit=False,
        ),
        class_name="card",
        aria_labelledby="assign-heading",
    )


def assignment_row(item: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.strong(item["name"]),
        rx.el.p(item["timepoint"], " · ", item["status"],
                class_name=rx.cond(item["overdue"] != "", "warning-text", "muted")),
    )


def response_row(item: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.strong(item["name"]),
        rx.el.p(item["timepoint"], " · ", item["date"], class_name="muted"),
        rx.cond(item["proxy"] != "", rx.el.p(item["proxy"], class_name="muted")),
        rx.cond(item["helped"] != "", rx.el.p(item["helped"], class_name="tag")),
        rx.el.button(
            rx.cond(item["helped"] != "", T("Remove the mark"),
                    T("Mark as answered with help")),
            rx.el.span(" ", item["name"], " ", item["date"], class_name="visually-hidden"),
            type="button", class_name="link-button",
            on_click=WorkerSurveysState.mark_help(item["id"], item["helped"] == ""),
        ),
    )


def content() -> rx.Component:
    return rx.fragment(
        rx.el.p(rx.el.strong(WorkerSurveysState.client)),
        assign_form(),
        rx.el.section(
            rx.el.h2(T("Assigned surveys"), id="assignments-heading"),
            rx.cond(
                WorkerSurveysState.assignments.length() > 0,
                rx.el.ul(rx.foreach(WorkerSurveysState.assignments, assignment_row),
                         class_name="survey-history", id="worker-assignments"),
                rx.el.p(T("No surveys have been assigned.")),
            ),
            aria_labelledby="assignments-heading",
        ),
        rx.el.section(
            rx.el.h2(T("Answers received"), id="responses-heading"),
            rx.el.p(WorkerSurveysState.help_message, role="status", id="help-status",
                    class_name=rx.cond(WorkerSurveysState.help_message != "", "notice", "")),
            rx.cond(
                WorkerSurveysState.responses.length() > 0,
                rx.el.ul(rx.foreach(WorkerSurveysState.responses, response_row),
                         class_name="survey-history"),
                rx.el.p(T("No answers yet.")),
            ),
            aria_labelledby="responses-heading",
        ),
    )


@rx.page(route="/worker/clients/[client_id]/surveys", title="HB – Asiakkaan kyselyt",
         on_load=WorkerSurveysState.load)
def worker_client_surveys() -> rx.Component:
    return page(
        rx.el.h1(T("Client's surveys")),
        rx.cond(
            WorkerSurveysState.ready,
            rx.cond(
                WorkerSurveysState.signed_in,
                rx.cond(
                    WorkerSurveysState.denial != "",
                    message_box(WorkerSurveysState.denial, "error"),
                    content(),
                ),
                sign_in_prompt("/worker"),
            ),
            loading(),
        ),
    )
