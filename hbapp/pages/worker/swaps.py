"""`/worker/swaps`: pending swap requests of the case worker's own clients (with consent only);
approve, or decline with a reason the client will read; below, the history of decided requests,
filtered by decision (issue 18)."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import loading, message_box, page, sign_in_prompt
from hbapp.db import get_engine
from hbapp.domain.inputs import parse_id
from hbapp.domain.swaps import SwapError
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.swaps import (
    DECIDED, decide_swap, decided_swaps_for_worker, pending_swaps_for_worker,
)
from hbapp.state import AppState, T, today
from hbapp.views.swaps import DECISION_LABELS, decided_rows, error_message, swap_rows


class WorkerSwapsState(AppState):
    # Its on_load starts afresh (forgetting what was typed): a language switch re-renders
    # the labels only (see AppState.RELOAD_ON_LANGUAGE).
    RELOAD_ON_LANGUAGE: ClassVar[bool] = False
    ready: bool = False
    denied: bool = False
    step: str = "list"
    requests: list[dict[str, str]] = []
    history: list[dict[str, str]] = []
    history_filter: str = ""
    chosen: dict[str, str] = {}
    decision: str = ""
    reason: str = ""
    error: str = ""
    error_field: str = ""
    notice: str = ""
    notice_error: bool = False

    def _worker(self):
        current = self._refresh_session()
        if current is None or not current.actor.is_worker:
            self.denied = current is not None
            return None
        return current

    def _list(self, current) -> None:
        t = self._t()
        self.requests = swap_rows(t, pending_swaps_for_worker(get_engine(), current.actor,
                                                              today()))
        self.history = decided_rows(t, decided_swaps_for_worker(
            get_engine(), current.actor, today(), self.history_filter))

    @rx.event
    @allow(Audience.WORKER)
    def filter_history(self, form_data: dict):
        current = self._worker()
        if current is None:
            return
        wanted = str(form_data.get("decision", ""))
        self.history_filter = wanted if wanted in DECIDED else ""
        self.notice = ""
        self._list(current)

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = self.denied = False
        self.step, self.notice, self.error = "list", "", ""
        self.requests, self.history, self.history_filter = [], [], ""
        current = self._worker()
        if current is not None:
            self._list(current)
        self.ready = True
        return self._page_ready(N_("Swap requests"))

    @rx.event
    @allow(Audience.WORKER)
    def open_request(self, swap_id: str):
        row = next((r for r in self.requests if r["id"] == swap_id), None)
        if row is None:
            return
        self.chosen, self.decision, self.reason = row, "", ""
        self.error = self.error_field = self.notice = ""
        self.step = "decide"
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")

    @rx.event
    @allow(Audience.WORKER)
    def back(self):
        self.step, self.error = "list", ""
        # The pressed button is gone with the form: keep keyboard focus in the page.
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")

    @rx.event
    @allow(Audience.WORKER)
    def submit_decision(self, form_data: dict):
        swap_id = parse_id(self.chosen.get("id", ""))
        if self.step != "decide" or swap_id is None:
            return  # only from an open request, once: a double click decides once
        current = self._worker()
        if current is None:
            return
        t = self._t()
        self.decision = str(form_data.get("decision", ""))
        self.reason = str(form_data.get("reason", ""))[:1200]
        if self.decision not in ("approve", "decline"):
            self.error, self.error_field = t("Choose approve or decline."), "decision"
            return
        try:
            view = decide_swap(get_engine(), current.actor, swap_id,
                               self.decision == "approve", self.reason, today())
        except AccessDenied:
            self.error, self.error_field = t("You do not have the right to do this."), "decision"
            return
        except SwapError as error:
            self.error = error_message(t, error)
            self.error_field = "reason" if error.field == "reason" else "decision"
            return
        self.notice_error = False
        self.notice = (t("Approved: {client}, {swap}", client=view.client_name,
                         swap=self.chosen["title"]) if view.status == "approved" else
                       t("Declined: {client}, {swap}", client=view.client_name,
                         swap=self.chosen["title"]))
        self._list(current)
        self.step = "list"
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")


def request_item(row) -> rx.Component:
    return rx.el.li(
        rx.el.h3(row["client"]),
        rx.el.p(rx.el.strong(row["title"])),
        rx.el.p(row["what"]),
        rx.el.p(row["month"], " · ", row["requested"], class_name="muted"),
        rx.el.button(T("Handle the request"), rx.el.span(" ", row["client"],
                                                         class_name="visually-hidden"),
                     type="button", on_click=WorkerSwapsState.open_request(row["id"]),
                     class_name="button"),
        class_name="card swap-card",
    )


def request_list() -> rx.Component:
    s = WorkerSwapsState
    return rx.fragment(
        rx.cond(s.notice != "", rx.el.div(rx.el.p(s.notice), role="status",
                                          class_name="notice notice-success")),
        rx.el.p(T("Requests of your own clients who have given consent."), class_name="lead"),
        rx.el.h2(T("Waiting for your decision")),
        rx.cond(s.requests.length() > 0,
                rx.el.ul(rx.foreach(s.requests, request_item), class_name="card-list"),
                rx.el.p(T("No requests are waiting."))),
        history_section(),
    )


def history_item(row) -> rx.Component:
    return rx.el.li(
        rx.el.h3(row["client"]),
        rx.el.p(rx.el.strong(row["title"])),
        rx.el.p(row["what"]),
        rx.el.p(row["month"], " · ", row["requested"], class_name="muted"),
        rx.el.p(rx.el.strong(row["decided"]), class_name="swap-decided"),
        rx.cond(row["reason"] != "", rx.el.blockquote(row["reason"])),
        class_name="card swap-history-item",
        custom_attrs={"data-status": row["status"]},
    )


def history_section() -> rx.Component:
    s = WorkerSwapsState
    return rx.el.section(
        rx.el.h2(T("Decided requests"), id="swap-history-heading"),
        rx.el.form(
            rx.el.div(
                rx.el.label(T("Show"), html_for="history-decision"),
                rx.el.select(
                    rx.el.option(T("All decisions"), value=""),
                    *[rx.el.option(T(label), value=key) for key, label in DECISION_LABELS.items()],
                    id="history-decision", name="decision", default_value=s.history_filter,
                ),
                class_name="wk-field",
            ),
            rx.el.button(T("Filter"), type="submit", class_name="button button-secondary"),
            on_submit=s.filter_history,
            reset_on_submit=False,
            class_name="caseload-controls",
        ),
        rx.cond(s.history.length() > 0,
                rx.el.ul(rx.foreach(s.history, history_item), class_name="card-list",
                         id="swap-history"),
                rx.el.p(T("No decided requests."), id="swap-history")),
        aria_labelledby="swap-history-heading",
    )


def field_error(field: str) -> rx.Component:
    s = WorkerSwapsState
    return rx.cond((s.error != "") & (s.error_field == field),
                   rx.el.p(rx.el.span(T("Error:"), class_name="visually-hidden"), " ", s.error,
                           id=f"{field}-error", class_name="error-message"))


def decide_form() -> rx.Component:
    s = WorkerSwapsState
    has = lambda field: (s.error != "") & (s.error_field == field)  # noqa: E731
    return rx.fragment(
        rx.el.button(T("Back"), type="button", on_click=s.back, class_name="link-button back-link"),
        rx.el.h2(s.chosen["client"], id="step-heading"),
        rx.el.section(
            rx.el.p(rx.el.strong(s.chosen["title"])),
            rx.el.p(s.chosen["what"]),
            rx.el.p(s.chosen["month"], " · ", s.chosen["requested"], class_name="muted"),
            class_name="card",
        ),
        rx.el.form(
            rx.el.fieldset(
                rx.el.legend(T("Your decision")),
                field_error("decision"),
                *[rx.el.div(
                    rx.el.input(type="radio", name="decision", value=value, id=f"decision-{value}",
                                default_checked=s.decision == value, class_name="radio-input"),
                    rx.el.label(T(label), html_for=f"decision-{value}"),
                    class_name="radio-item",
                ) for value, label in (("approve", N_("Approve")), ("decline", N_("Decline")))],
                aria_describedby=rx.cond(has("decision"), "decision-error", ""),
                class_name=rx.cond(has("decision"), "fieldset fieldset-error", "fieldset"),
            ),
            rx.el.div(
                rx.el.label(T("Reason"), html_for="reason"),
                rx.el.p(T("Needed when you decline. The client and their relatives see it."),
                        id="reason-hint", class_name="muted"),
                field_error("reason"),
                rx.el.textarea(id="reason", name="reason", default_value=s.reason, rows=4,
                               aria_describedby=rx.cond(has("reason"), "reason-hint reason-error",
                                                        "reason-hint"),
                               aria_invalid=rx.cond(has("reason"), "true", "false"),
                               class_name=rx.cond(has("reason"), "textarea input-error",
                                                  "textarea")),
                class_name="form-group",
            ),
            rx.el.button(T("Save the decision"), type="submit", class_name="button"),
            on_submit=s.submit_decision,
            reset_on_submit=False,
        ),
    )


@rx.page(route="/worker/swaps", title="HB – Vaihtopyynnöt", on_load=WorkerSwapsState.load)
def worker_swaps() -> rx.Component:
    s = WorkerSwapsState
    return page(
        rx.el.h1(T("Swap requests")),
        rx.cond(
            s.ready,
            rx.cond(
                s.signed_in,
                rx.cond(s.denied,
                        message_box(T("This page is for case workers."), "error"),
                        rx.cond(s.step == "decide", decide_form(), request_list())),
                sign_in_prompt("/worker/swaps"),
            ),
            loading(),
        ),
    )
