"""`/worker/disputes`: problems the case worker's own clients (with consent) reported with
service events; uphold (the event is cancelled) or keep the event with an explanation."""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import loading, message_box, page, sign_in_prompt
from hbapp.db import get_engine
from hbapp.domain.inputs import parse_id
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.disputes import MAX_TEXT, DisputeError, decide_dispute, worker_disputes
from hbapp.state import AppState, T, today
from hbapp.views.disputes import dispute_texts, error_text

FOCUS_MAIN = "window.scrollTo(0, 0); document.getElementById('main')?.focus()"


class WorkerDisputesState(AppState):
    ready: bool = False
    denied: bool = False
    step: str = "list"
    open_items: list[dict[str, str]] = []
    decided_items: list[dict[str, str]] = []
    chosen: dict[str, str] = {}
    decision: str = ""
    explanation: str = ""
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
        t = self._t()
        rows = [dispute_texts(t, d) for d in worker_disputes(get_engine(), current.actor, today())]
        self.open_items = [r for r in rows if r["status"] == "open"]
        self.decided_items = [r for r in rows if r["status"] != "open"]

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = self.denied = False
        self.step, self.notice, self.error, self.error_field = "list", "", "", ""
        self.open_items, self.decided_items, self.chosen = [], [], {}
        current = self._worker()
        if current is not None:
            self._list(current)
        self.ready = True
        return self._page_ready(N_("Reported problems"))

    @rx.event
    @allow(Audience.WORKER)
    def open_dispute(self, dispute_id: str):
        row = next((r for r in self.open_items if r["id"] == dispute_id), None)
        if row is None:
            return
        self.chosen, self.decision, self.explanation = row, "", ""
        self.error = self.error_field = self.notice = ""
        self.step = "decide"
        return rx.call_script(FOCUS_MAIN)

    @rx.event
    @allow(Audience.WORKER)
    def back(self):
        self.step, self.error, self.error_field = "list", "", ""
        return rx.call_script(FOCUS_MAIN)

    @rx.event
    @allow(Audience.WORKER)
    def submit_decision(self, form_data: dict):
        dispute_id = parse_id(self.chosen.get("id", ""))
        if self.step != "decide" or dispute_id is None:
            return  # only from an open dispute, once
        current = self._worker()
        if current is None:
            return
        t = self._t()
        self.decision = str(form_data.get("decision", ""))
        self.explanation = str(form_data.get("explanation", ""))[: MAX_TEXT + 100]
        if self.decision not in ("uphold", "keep"):
            self.error, self.error_field = t("Choose whether the event is cancelled or kept."), \
                "decision"
            return
        try:
            view = decide_dispute(get_engine(), current.actor, dispute_id,
                                  self.decision == "uphold", self.explanation, today())
        except AccessDenied:
            self.error, self.error_field = t("You do not have the right to do this."), "decision"
            return
        except DisputeError as error:
            self.error = error_text(t, error.code)
            self.error_field = "explanation" if error.field == "explanation" else "decision"
            return
        self.notice = (t("The event was cancelled: {client}, {event}", client=view.client_name,
                         event=self.chosen["event_when"])
                       if view.status == "upheld" else
                       t("The event was kept: {client}, {event}", client=view.client_name,
                         event=self.chosen["event_when"]))
        self._list(current)
        self.step = "list"
        return rx.call_script(FOCUS_MAIN)


def dispute_details(row) -> list[rx.Component]:
    return [
        rx.el.p(rx.el.strong(row["event_service"]), " · ", row["event_quantity"]),
        rx.el.p(rx.el.time(row["event_when"], date_time=row["event_iso"]), " · ",
                row["event_provider"]),
        rx.el.p(T("From the budget:"), " ", row["event_amount"], class_name="muted"),
        rx.el.p(T("Reported problem:"), " ", rx.el.strong(row["reason"])),
        rx.cond(row["comment"] != "", rx.el.p(T("Comment:"), " ", row["comment"])),
        rx.el.p(T("Reported on"), " ", row["opened"], class_name="muted"),
    ]


def open_item(row) -> rx.Component:
    return rx.el.li(
        rx.el.h3(row["client"]),
        *dispute_details(row),
        rx.el.button(T("Decide"), rx.el.span(" ", row["client"], " ", row["event_when"],
                                             class_name="visually-hidden"),
                     type="button", on_click=WorkerDisputesState.open_dispute(row["id"]),
                     class_name="button"),
        class_name="card",
        custom_attrs={"data-dispute-id": row["id"]},
    )


def decided_item(row) -> rx.Component:
    return rx.el.li(
        rx.el.h3(row["client"]),
        *dispute_details(row),
        rx.el.p(row["status_text"], " (", row["decided"], ")",
                class_name="dispute-status dispute-" + row["status"]),
        rx.cond(row["explanation"] != "", rx.el.p(T("Explanation:"), " ", row["explanation"])),
        class_name="card",
    )


def dispute_list() -> rx.Component:
    s = WorkerDisputesState
    return rx.fragment(
        rx.cond(s.notice != "", rx.el.div(rx.el.p(s.notice), role="status",
                                          class_name="notice notice-success")),
        rx.el.p(T("Problems your own clients (with consent) reported with service events."),
                class_name="lead"),
        rx.el.h2(T("Waiting for your decision")),
        rx.cond(s.open_items.length() > 0,
                rx.el.ul(rx.foreach(s.open_items, open_item), class_name="card-list-plain"),
                rx.el.p(T("No reported problems are waiting."))),
        rx.cond(s.decided_items.length() > 0, rx.fragment(
            rx.el.h2(T("Decided in the last 30 days")),
            rx.el.ul(rx.foreach(s.decided_items, decided_item), class_name="card-list-plain"),
        )),
    )


def field_error(field: str) -> rx.Component:
    s = WorkerDisputesState
    return rx.cond((s.error != "") & (s.error_field == field),
                   rx.el.p(rx.el.span(T("Error:"), class_name="visually-hidden"), " ", s.error,
                           id=f"{field}-error", class_name="error-message"))


def decide_form() -> rx.Component:
    s = WorkerDisputesState
    has = lambda field: (s.error != "") & (s.error_field == field)  # noqa: E731
    return rx.fragment(
        rx.el.button(T("Back"), type="button", on_click=s.back, class_name="link-button back-link"),
        rx.el.h2(s.chosen["client"], id="step-heading"),
        rx.el.section(*dispute_details(s.chosen), class_name="card"),
        rx.el.form(
            rx.el.fieldset(
                rx.el.legend(T("Your decision")),
                field_error("decision"),
                *[rx.el.div(
                    rx.el.input(type="radio", name="decision", value=value, id=f"decision-{value}",
                                default_checked=s.decision == value, class_name="radio-input"),
                    rx.el.label(T(label), html_for=f"decision-{value}"),
                    class_name="radio-item",
                ) for value, label in (
                    ("uphold", N_("The report is right: cancel the event")),
                    ("keep", N_("Keep the event")))],
                aria_describedby=rx.cond(has("decision"), "decision-error", ""),
                class_name=rx.cond(has("decision"), "fieldset fieldset-error", "fieldset"),
            ),
            rx.el.div(
                rx.el.label(T("Explanation"), html_for="explanation"),
                rx.el.p(T("Needed when you keep the event. The client and their relatives "
                          "read it."), id="explanation-hint", class_name="muted"),
                field_error("explanation"),
                rx.el.textarea(id="explanation", name="explanation", default_value=s.explanation,
                               rows=4,
                               aria_describedby=rx.cond(has("explanation"),
                                                        "explanation-hint explanation-error",
                                                        "explanation-hint"),
                               aria_invalid=rx.cond(has("explanation"), "true", "false"),
                               class_name=rx.cond(has("explanation"), "textarea input-error",
                                                  "textarea")),
                class_name="form-group",
            ),
            rx.el.button(T("Save the decision"), type="submit", class_name="button"),
            on_submit=s.submit_decision,
            reset_on_submit=False,
        ),
    )


@rx.page(route="/worker/disputes", title="HB – Ilmoitetut ongelmat",
         on_load=WorkerDisputesState.load)
def worker_disputes_page() -> rx.Component:
    s = WorkerDisputesState
    return page(
        rx.el.h1(T("Reported problems")),
        rx.cond(
            s.ready,
            rx.cond(
                s.signed_in,
                rx.cond(s.denied,
                        message_box(T("This page is for case workers."), "error"),
                        rx.cond(s.step == "decide", decide_form(), dispute_list())),
                sign_in_prompt("/worker/disputes"),
            ),
            loading(),
        ),
    )
