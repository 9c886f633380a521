"""`/worker/events`: service events that would take a client's month over what is left, waiting
for the case worker (own clients with consent only): approve (it counts, even over the budget),
or reject with a note the client reads."""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import loading, message_box, page, sign_in_prompt
from hbapp.db import get_engine
from hbapp.domain.inputs import parse_id
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.provider_events import EventRefused, events_needing_review, review_event
from hbapp.state import AppState, T, today
from hbapp.views.events import refusal_message, review_rows


class WorkerEventsState(AppState):
    ready: bool = False
    denied: bool = False
    step: str = "list"
    items: list[dict[str, str]] = []
    chosen: dict[str, str] = {}
    decision: str = ""
    note: str = ""
    error: str = ""
    error_field: str = ""
    notice: str = ""

    def _worker(self):
        current = self._refresh_session()
        if current is None or not current.actor.is_worker:
            self.denied = current is not None
            return None
        return current

    def _list(self, current) -> None:
        self.items = review_rows(self._t(), events_needing_review(get_engine(), current.actor,
                                                                  today()))

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = self.denied = False
        self.step, self.notice, self.error, self.items = "list", "", "", []
        current = self._worker()
        if current is not None:
            self._list(current)
        self.ready = True
        return self._page_ready(N_("Service events to review"))

    @rx.event
    @allow(Audience.WORKER)
    def open_item(self, event_id: str):
        row = next((r for r in self.items if r["id"] == event_id), None)
        if row is None:
            return
        self.chosen, self.decision, self.note = row, "", ""
        self.error = self.error_field = self.notice = ""
        self.step = "decide"
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")

    @rx.event
    @allow(Audience.WORKER)
    def back(self):
        self.step, self.error = "list", ""
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")

    @rx.event
    @allow(Audience.WORKER)
    def submit_decision(self, form_data: dict):
        event_id = parse_id(self.chosen.get("id", ""))
        if self.step != "decide" or event_id is None:
            return  # only from an open item, once
        current = self._worker()
        if current is None:
            return
        t = self._t()
        self.decision = str(form_data.get("decision", ""))
        self.note = str(form_data.get("note", ""))[:600]
        if self.decision not in ("approve", "reject"):
            self.error, self.error_field = t("Choose approve or reject."), "decision"
            return
        try:
            view = review_event(get_engine(), current.actor, event_id,
                                self.decision == "approve", self.note, today())
        except AccessDenied:
            self.error, self.error_field = t("You do not have the right to do this."), "decision"
            return
        except EventRefused as error:
            self.error = refusal_message(t, error)
            self.error_field = "note" if error.field == "note" else "decision"
            return
        self.notice = (t("Approved: {client}, {when}", client=view.client_name,
                         when=self.chosen["when"]) if view.status == "recorded" else
                       t("Rejected: {client}, {when}", client=view.client_name,
                         when=self.chosen["when"]))
        self._list(current)
        self.step = "list"
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")


def item_details(row) -> rx.Component:
    return rx.fragment(
        rx.el.p(rx.el.strong(row["service"]), " · ", row["provider"]),
        rx.el.p(row["when"], " · ", row["quantity"], " · ", row["band"]),
        rx.el.p(T("Charge to the budget:"), " ", row["amount"]),
        rx.el.p(row["left"], class_name="warning-text"),
    )


def review_item(row) -> rx.Component:
    return rx.el.li(
        rx.el.h3(row["client"]),
        item_details(row),
        rx.el.button(T("Review the event"), rx.el.span(" ", row["client"], ", ", row["when"],
                                                       class_name="visually-hidden"),
                     type="button", on_click=WorkerEventsState.open_item(row["id"]),
                     class_name="button"),
        class_name="card",
    )


def item_list() -> rx.Component:
    s = WorkerEventsState
    return rx.fragment(
        rx.cond(s.notice != "", rx.el.div(rx.el.p(s.notice), role="status",
                                          class_name="notice notice-success")),
        rx.el.p(T("Providers recorded these services, but they would take the month over what "
                  "is left of the client's budget. They do not count until you approve them."),
                class_name="lead"),
        rx.el.h2(T("Waiting for your review")),
        rx.cond(s.items.length() > 0,
                rx.el.ul(rx.foreach(s.items, review_item), class_name="card-list"),
                rx.el.p(T("No service events are waiting."))),
    )


def field_error(field: str) -> rx.Component:
    s = WorkerEventsState
    return rx.el.p(
        rx.cond((s.error != "") & (s.error_field == field),
                rx.fragment(rx.el.span(T("Error:"), class_name="visually-hidden"), " ",
                            s.error)),
        id=f"{field}-error",
        class_name=rx.cond((s.error != "") & (s.error_field == field), "error-message",
                           "field-error-empty"))


def decide_form() -> rx.Component:
    s = WorkerEventsState
    has = lambda field: (s.error != "") & (s.error_field == field)  # noqa: E731
    return rx.fragment(
        rx.el.button("‹ ", T("Back"), type="button", on_click=s.back,
                     class_name="link-button back-link"),
        rx.el.h2(s.chosen["client"], id="step-heading"),
        rx.el.section(item_details(s.chosen), class_name="card"),
        rx.el.p(s.chosen["if_approved"]),
        rx.el.form(
            rx.el.fieldset(
                rx.el.legend(T("Your decision")),
                field_error("decision"),
                *[rx.el.div(
                    rx.el.input(type="radio", name="decision", value=value, id=f"decision-{value}",
                                default_checked=s.decision == value, class_name="radio-input"),
                    rx.el.label(T(label), html_for=f"decision-{value}"),
                    class_name="radio-item",
                ) for value, label in (("approve", N_("Approve")), ("reject", N_("Reject")))],
                aria_describedby="decision-error",
                class_name=rx.cond(has("decision"), "fieldset fieldset-error", "fieldset"),
            ),
            rx.el.div(
                rx.el.label(T("Note"), html_for="note"),
                rx.el.p(T("Needed when you reject. The client and the provider see it."),
                        id="note-hint", class_name="muted"),
                field_error("note"),
                rx.el.textarea(id="note", name="note", default_value=s.note, rows=3,
                               aria_describedby="note-hint note-error",
                               aria_invalid=rx.cond(has("note"), "true", "false"),
                               class_name=rx.cond(has("note"), "textarea input-error",
                                                  "textarea")),
                class_name="form-group",
            ),
            rx.el.button(T("Save the decision"), type="submit", class_name="button"),
            on_submit=s.submit_decision,
            reset_on_submit=False,
        ),
    )


@rx.page(route="/worker/events", title="HB – Tarkistettavat palvelutapahtumat",
         on_load=WorkerEventsState.load)
def worker_events() -> rx.Component:
    s = WorkerEventsState
    return page(
        rx.el.h1(T("Service events to review")),
        rx.cond(
            s.ready,
            rx.cond(
                s.signed_in,
                rx.cond(s.denied,
                        message_box(T("This page is for case workers."), "error"),
                        rx.cond(s.step == "decide", decide_form(), item_list())),
                sign_in_prompt("/worker/events"),
            ),
            loading(),
        ),
    )
