"""`/admin/price-requests`: administrators approve or reject providers' price requests, with a
note. Approval adds the dated price in the same transaction (services/price_requests.py)."""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import loading, message_box, page, sign_in_prompt
from hbapp.db import get_engine
from hbapp.domain.inputs import parse_id
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.price_requests import (
    PriceRequestError,
    admin_price_requests,
    decide_price_request,
)
from hbapp.state import AppState, T, today
from hbapp.views.provider_side import PRICE_ERRORS, REQUEST_STATUS, local_date_text
from hbapp.views.providers import BAND_LABELS, price_text


class AdminPriceRequestsState(AppState):
    ready: bool = False
    denied: bool = False
    pending: list[dict[str, str]] = []
    decided: list[dict[str, str]] = []
    notice: str = ""
    error: str = ""
    error_id: str = ""

    def _list(self, current) -> None:
        t = self._t()
        try:
            pending, decided = admin_price_requests(get_engine(), current.actor, today())
        except AccessDenied:
            self.denied = True
            return

        def row(r) -> dict[str, str]:
            return {
                "id": str(r.request_id), "provider": r.provider_name,
                "service": r.names.get(t.locale), "band": t(BAND_LABELS[r.band]),
                "price": price_text(t, r.price_cents, r.unit),
                "current": price_text(t, r.current_cents, r.unit)
                if r.current_cents is not None else t("not offered"),
                "from": t.date(r.effective_from),
                "asked": t("Asked by {name} on {date}", name=r.requested_by,
                           date=local_date_text(t, r.requested_at)),
                "status": t(REQUEST_STATUS.get(r.status, "")), "note": r.note,
            }
        self.pending = [row(r) for r in pending]
        self.decided = [row(r) for r in decided]

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = self.denied = False
        self.pending, self.decided = [], []
        self.notice = self.error = self.error_id = ""
        current = self._refresh_session()
        if current is not None:
            self._list(current)
        self.ready = True
        return self._page_ready(N_("Price requests"))

    @rx.event
    @allow(Audience.ADMIN)
    def decide(self, form_data: dict):
        current = self._refresh_session()
        if current is None:
            return
        t = self._t()
        request_id = str(form_data.get("request_id", ""))[:12]
        decision = str(form_data.get("decision", ""))
        if decision not in ("approve", "reject"):
            self.error = t("Choose whether to approve or reject the request.")
            self.error_id = request_id
            self.notice = ""
            return
        approve = decision == "approve"
        note = str(form_data.get("note", ""))[:2000]
        try:
            decide_price_request(get_engine(), current.actor, parse_id(request_id), approve,
                                 note, today())
        except AccessDenied:
            self.denied = True
            return
        except PriceRequestError as error:
            self.error = t(PRICE_ERRORS.get(error.code, PRICE_ERRORS["not_found"]))
            self.error_id = request_id
            self.notice = ""
            self._list(current)
            return
        self.error = self.error_id = ""
        self._list(current)
        self.notice = (t("The price request was approved. The new price applies from its date.")
                       if approve else t("The price request was rejected."))
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")


S = AdminPriceRequestsState


def request_card(r: rx.Var) -> rx.Component:
    has_error = S.error_id == r["id"]
    return rx.el.li(
        rx.el.h3(r["provider"]),
        rx.el.p(rx.el.strong(r["service"]), " · ", r["band"]),
        rx.el.p(T("Now:"), " ", r["current"], " → ", rx.el.strong(r["price"]), " ", T("from"),
                " ", r["from"]),
        rx.el.p(r["asked"], class_name="muted"),
        rx.el.form(
            rx.el.input(type="hidden", name="request_id", value=r["id"]),
            rx.el.div(
                rx.el.label(T("Note to the provider (needed when rejecting)"),
                            html_for="note-" + r["id"], class_name="field-label"),
                rx.el.p(rx.cond(has_error, S.error, ""), id="note-error-" + r["id"],
                        class_name=rx.cond(has_error, "field-error", "field-error-empty")),
                rx.el.textarea(id="note-" + r["id"], name="note", rows=2,
                               class_name="field-input textarea",
                               aria_describedby="note-error-" + r["id"]),
                class_name=rx.cond(has_error, "field field-has-error", "field"),
            ),
            rx.el.fieldset(
                rx.el.legend(T("Decision"), class_name="field-legend"),
                rx.el.div(
                    rx.el.input(type="radio", id="approve-" + r["id"], name="decision",
                                value="approve", class_name="choice-input"),
                    rx.el.label(T("Approve"), html_for="approve-" + r["id"],
                                class_name="choice-label"),
                    class_name="choice"),
                rx.el.div(
                    rx.el.input(type="radio", id="reject-" + r["id"], name="decision",
                                value="reject", class_name="choice-input"),
                    rx.el.label(T("Reject"), html_for="reject-" + r["id"],
                                class_name="choice-label"),
                    class_name="choice"),
                class_name="field",
            ),
            rx.el.button(T("Save the decision"), rx.el.span(" ", r["provider"], " ",
                                                            r["service"],
                                                            class_name="visually-hidden"),
                         type="submit", class_name="button"),
            on_submit=S.decide, reset_on_submit=False,
        ),
        class_name="card",
    )


def decided_card(r: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.p(rx.el.strong(r["provider"]), " · ", r["service"], " · ", r["band"]),
        rx.el.p(r["price"], " ", T("from"), " ", r["from"], " · ", rx.el.strong(r["status"])),
        rx.cond(r["note"] != "", rx.el.p(T("Note:"), " ", r["note"])),
        class_name="card",
    )


def content() -> rx.Component:
    return rx.el.div(
        rx.el.p(T("Providers ask for new prices here. An approved price applies from its date; "
                  "earlier days keep the old price."), class_name="lead"),
        rx.cond(S.notice != "", rx.el.div(rx.el.p(S.notice), class_name="notice notice-success",
                                          role="status", id="price-request-notice")),
        rx.el.h2(T("Waiting for a decision")),
        rx.cond(S.pending.length() > 0,
                rx.el.ul(rx.foreach(S.pending, request_card), class_name="card-list-plain",
                         id="pending-requests"),
                rx.el.p(T("No price requests are waiting."), id="no-pending")),
        rx.cond(S.decided.length() > 0, rx.fragment(
            rx.el.h2(T("Decided lately")),
            rx.el.ul(rx.foreach(S.decided, decided_card), class_name="card-list-plain"),
        )),
        class_name="access-pages",
    )


@rx.page(route="/admin/price-requests", title="HB – Hintapyynnöt", on_load=S.load)
def admin_price_requests_page() -> rx.Component:
    return page(
        rx.el.h1(T("Price requests")),
        rx.cond(
            S.ready,
            rx.cond(
                S.signed_in,
                rx.cond(S.denied, message_box(T("This page is for administrators."), "error"),
                        content()),
                sign_in_prompt("/admin/price-requests"),
            ),
            loading(),
        ),
    )
