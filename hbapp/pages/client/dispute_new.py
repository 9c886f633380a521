"""`/disputes/new?event=ID`: report a problem with one service event, one question per step
(what is wrong, tell more, check answers), then send. From the event on `/budget`."""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import client_page, message_box, page
from hbapp.db import get_engine
from hbapp.domain.inputs import parse_id
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.disputes import (
    MAX_TEXT,
    REASONS,
    DisputeError,
    check_comment,
    dispute_target,
    open_dispute,
)
from hbapp.state import AppState, T, today
from hbapp.views.disputes import REASON_LABELS, error_text, event_texts

STEPS = ("reason", "comment", "check")


class DisputeNewState(AppState):
    ready: bool = False
    denied: bool = False
    problem: str = ""  # the event cannot be disputed (why, translated)
    step: str = "reason"
    event: dict[str, str] = {}
    event_id: str = ""
    reason: str = ""
    reason_text: str = ""
    comment: str = ""
    error: str = ""
    budget_href: str = "/budget"

    def _current(self):
        current = self._refresh_session()
        if current is None or current.acting_for is None:
            return None
        return current

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = self.denied = False
        self.problem = self.error = self.reason = self.reason_text = self.comment = ""
        self.step, self.event, self.event_id = "reason", {}, ""
        self.budget_href = "/budget"
        current = self._current()
        if current is not None:
            t = self._t()
            event_id = parse_id(self.router.page.params.get("event", ""))
            if event_id is None:
                self.problem = t("Choose the event on the budget page.")
            else:
                try:
                    summary = dispute_target(get_engine(), current.actor,
                                             current.acting_for.client_id, event_id, today())
                except AccessDenied:
                    self.denied = True
                except DisputeError as error:
                    self.problem = error_text(t, error.code)
                else:
                    self.event = event_texts(t, summary)
                    self.event_id = str(event_id)
                    self.budget_href = f"/budget?month={summary.started_at:%Y-%m}"
        self.ready = True
        return self._page_ready(N_("Report a problem"))

    def _go(self, step: str):
        self.error = ""
        self.step = step
        return rx.set_focus("step-heading")

    @rx.event
    @allow(Audience.CLIENT_MANAGE)
    def back(self):
        index = STEPS.index(self.step) if self.step in STEPS else 0
        return self._go(STEPS[max(0, index - 1)])

    @rx.event
    @allow(Audience.CLIENT_MANAGE)
    def submit_reason(self, form: dict):
        if self.step != "reason" or not self.event_id:
            return
        value = str(form.get("reason", ""))
        t = self._t()
        if value not in REASONS:
            self.error = t("Choose what is wrong.")
            return
        self.reason = value
        self.reason_text = t(REASON_LABELS[value])
        return self._go("comment")

    @rx.event
    @allow(Audience.CLIENT_MANAGE)
    def submit_comment(self, form: dict):
        if self.step != "comment" or not self.reason:
            return
        self.comment = str(form.get("comment", ""))[: MAX_TEXT + 100]
        try:
            self.comment = check_comment(self.reason, self.comment)
        except DisputeError as error:
            self.error = error_text(self._t(), error.code)
            return
        return self._go("check")

    @rx.event
    @allow(Audience.CLIENT_MANAGE)
    def change(self, step: str):
        if step in STEPS and self.step == "check":
            return self._go(step)

    @rx.event
    @allow(Audience.CLIENT_MANAGE)
    def send(self):
        if self.step != "check":
            return  # only from the check-answers step, once: a double click sends one report
        current = self._current()
        event_id = parse_id(self.event_id)
        if current is None or event_id is None:
            return
        try:
            open_dispute(get_engine(), current.actor, current.acting_for.client_id, event_id,
                         self.reason, self.comment, today())
        except AccessDenied:
            self.denied = True
            return
        except DisputeError as error:
            self.error = error_text(self._t(), error.code)
            return
        return self._go("done")


def back_button() -> rx.Component:
    return rx.el.button(T("Back"), type="button", on_click=DisputeNewState.back,
                        class_name="link-button back-link")


def error_text_box(field_id: str) -> rx.Component:
    s = DisputeNewState
    return rx.cond(s.error != "", rx.el.p(rx.el.span(T("Error:"), class_name="visually-hidden"),
                                          " ", s.error, id=f"{field_id}-error",
                                          class_name="error-message"))


def event_card() -> rx.Component:
    e = DisputeNewState.event
    return rx.el.div(
        rx.el.p(rx.el.time(e["when"], date_time=e["iso"]), class_name="event-when"),
        rx.el.p(rx.el.strong(e["service"]), " · ", e["quantity"]),
        rx.el.p(e["provider"], class_name="muted"),
        rx.el.p(T("From the budget:"), " ", e["amount"]),
        class_name="card",
    )


def step_reason() -> rx.Component:
    s = DisputeNewState
    return rx.fragment(
        rx.el.a(T("Back to the budget"), href=s.budget_href, class_name="back-link"),
        event_card(),
        rx.el.form(
            rx.el.fieldset(
                rx.el.legend(rx.el.h2(T("What is wrong with this service event?"),
                                      id="step-heading", tab_index=-1)),
                error_text_box("reason"),
                *[
                    rx.el.div(
                        rx.el.input(type="radio", name="reason", value=key, id=f"reason-{key}",
                                    default_checked=s.reason == key, class_name="radio-input"),
                        rx.el.label(T(REASON_LABELS[key]), html_for=f"reason-{key}"),
                        class_name="radio-item",
                    )
                    for key in REASONS
                ],
                aria_describedby=rx.cond(s.error != "", "reason-error", ""),
                class_name=rx.cond(s.error != "", "fieldset fieldset-error", "fieldset"),
            ),
            rx.el.button(T("Continue"), type="submit", class_name="button"),
            on_submit=DisputeNewState.submit_reason,
            reset_on_submit=False,
        ),
    )


def step_comment() -> rx.Component:
    s = DisputeNewState
    return rx.fragment(
        back_button(),
        rx.el.form(
            rx.el.h2(T("Tell more about the problem"), id="step-heading", tab_index=-1),
            rx.el.label(rx.cond(s.reason == "other", T("What is wrong?"),
                                T("What is wrong? (optional)")), html_for="comment"),
            rx.el.p(T("For example the right time or length. Your case worker and the provider "
                      "read this."), id="comment-hint", class_name="muted"),
            error_text_box("comment"),
            rx.el.textarea(id="comment", name="comment", default_value=s.comment, rows=5,
                           aria_describedby=rx.cond(s.error != "", "comment-hint comment-error",
                                                    "comment-hint"),
                           aria_invalid=rx.cond(s.error != "", "true", "false"),
                           class_name="textarea"),
            rx.el.button(T("Continue"), type="submit", class_name="button"),
            on_submit=DisputeNewState.submit_comment,
            reset_on_submit=False,
        ),
    )


def check_row(label, value, step: str | None) -> rx.Component:
    return rx.el.div(
        rx.el.dt(label),
        rx.el.dd(value),
        rx.el.dd(
            rx.el.button(T("Change"), rx.el.span(" ", label, class_name="visually-hidden"),
                         type="button", on_click=DisputeNewState.change(step),
                         class_name="link-button")
        ) if step else rx.el.dd(),
        class_name="summary-row",
    )


def step_check() -> rx.Component:
    s = DisputeNewState
    e = s.event
    return rx.fragment(
        back_button(),
        rx.el.h2(T("Check your answers"), id="step-heading", tab_index=-1),
        rx.el.dl(
            check_row(T("Service event"), rx.fragment(e["service"], ", ", e["when"], ", ",
                                                      e["provider"]), None),
            check_row(T("What is wrong"), s.reason_text, "reason"),
            check_row(T("Comment"), rx.cond(s.comment != "", s.comment, "–"), "comment"),
            class_name="summary-list",
        ),
        rx.el.p(T("Your case worker decides. If the report is accepted, the event is cancelled "
                  "and it is not taken from the budget. You get a message about the decision.")),
        rx.cond(s.error != "", rx.el.p(s.error, class_name="notice notice-error", role="alert")),
        rx.el.button(T("Send the report"), type="button", on_click=DisputeNewState.send,
                     class_name="button"),
    )


def step_done() -> rx.Component:
    return rx.el.div(
        rx.el.h2(T("Your report was sent"), id="step-heading", tab_index=-1),
        rx.el.p(T("Your case worker will decide it. You get a message about the decision.")),
        rx.el.p(rx.el.a(T("Back to the budget"), href=DisputeNewState.budget_href)),
        class_name="notice notice-success",
        role="status",
    )


def content() -> rx.Component:
    s = DisputeNewState
    return rx.cond(
        s.problem != "",
        rx.fragment(message_box(s.problem, "error"),
                    rx.el.p(rx.el.a(T("Back to the budget"), href="/budget"))),
        rx.match(
            s.step,
            ("comment", step_comment()),
            ("check", step_check()),
            ("done", step_done()),
            step_reason(),
        ),
    )


@rx.page(route="/disputes/new", title="HB – Ilmoita ongelmasta", on_load=DisputeNewState.load)
def dispute_new() -> rx.Component:
    return page(
        rx.el.h1(T("Report a problem with a service")),
        client_page(DisputeNewState, content(), "/budget",
                    T("You do not have the right to report a problem for this person.")),
    )
