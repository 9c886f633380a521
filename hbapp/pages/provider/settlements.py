"""`/provider/settlements`: a provider's staff see their closed months and each month's rows.

The months with totals and invoicing references; a month's rows (client name and voucher, never
an identity code) and its CSV. The settlement service checks `require_staff` again for every
provider shown and audits the view of the rows.
"""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.downloads import download_button
from hbapp.components.forms import back_button
from hbapp.components.layout import loading, message_box, page, sign_in_prompt
from hbapp.db import get_engine
from hbapp.domain.inputs import parse_id, parse_month
from hbapp.domain.reference import format_reference, format_rf
from hbapp.i18n import N_
from hbapp.services import settlements
from hbapp.services.access import AccessDenied
from hbapp.state import AppState, T

KIND_NAMES = {
    "normal": N_("Services of the month"),
    "correction": N_("Correction: recorded after the month was settled"),
    "credit": N_("Credit: cancelled after the month was settled"),
}


class ProviderSettlementsState(AppState):
    ready: bool = False
    denied: bool = False
    step: str = "list"  # list, detail
    items: list[dict[str, str]] = []
    detail: dict[str, str] = {}
    rows: list[dict[str, str]] = []

    def _list(self, current) -> None:
        t = self._t()
        items = []
        for provider_id in current.provider_ids:
            try:
                found = settlements.provider_settlements(get_engine(), provider_id,
                                                         actor=current.actor)
            except AccessDenied:
                continue
            for s in found:
                items.append({
                    "provider_id": str(s.provider_id), "provider": s.provider_name,
                    "month": s.month.strftime("%Y-%m"), "label": t.month(s.month),
                    "payable": t.money(s.payable_cents),
                    "reference": format_reference(s.reference), "rf": format_rf(s.rf_reference),
                    "rows": t("{rows} rows, {events} events", rows=s.row_count,
                              events=s.event_count),
                })
        self.items = items

    def _go(self, step: str):
        self.step = step
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = self.denied = False
        self.step, self.items, self.rows, self.detail = "list", [], [], {}
        current = self._refresh_session()
        if current is not None:
            if not current.provider_ids:
                self.denied = True
            else:
                self._list(current)
        self.ready = True
        return self._page_ready(N_("Settlements"))

    @rx.event
    @allow(Audience.PROVIDER_STAFF)
    def show(self, provider_id: str, month: str):
        current = self._refresh_session()
        pid, wanted = parse_id(provider_id), parse_month(month)
        if current is None or pid is None or wanted is None:
            return
        t = self._t()
        try:
            view = settlements.settlement_detail(get_engine(), pid, wanted, actor=current.actor)
        except AccessDenied:
            self.denied = True
            return
        if view is None:
            return
        s = view.totals
        self.detail = {
            "provider": s.provider_name, "label": t.month(s.month),
            "month": s.month.strftime("%Y-%m"), "provider_id": str(s.provider_id),
            "reference": format_reference(s.reference), "rf": format_rf(s.rf_reference),
            "payable": t.money(s.payable_cents), "services": t.money(s.organizer_cents),
            "km": t.money(s.km_cents), "self_pay": t.money(s.self_pay_cents),
            "closed": t.date(s.closed_at) if s.closed_at else "",
        }
        self.rows = [{
            "kind": t(KIND_NAMES.get(r.kind, r.kind)),
            "credit": "1" if r.kind == "credit" else "",
            "client": r.client_name, "voucher": r.voucher_code or "–",
            "service": r.service_names.get(t.locale, r.service_code),
            "event_month": t.month(r.event_month),
            "units": t.quantity(r.units, r.unit),
            "services": t.money(r.organizer_cents),
            "self_pay": t.money(r.self_pay_cents),
            "km": t.money(r.km_cents),
        } for r in view.rows]
        return self._go("detail")

    @rx.event
    @allow(Audience.PROVIDER_STAFF)
    def back(self):
        return self._go("list")


S = ProviderSettlementsState


def settlement_item(item: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.h2(item["label"]),
        rx.el.p(item["provider"], class_name="muted"),
        rx.el.dl(
            rx.el.div(rx.el.dt(T("To pay")), rx.el.dd(rx.el.strong(item["payable"]))),
            rx.el.div(rx.el.dt(T("Reference")), rx.el.dd(item["reference"])),
            rx.el.div(rx.el.dt(T("RF reference")), rx.el.dd(item["rf"])),
            class_name="figures",
        ),
        rx.el.p(item["rows"]),
        rx.el.div(
            rx.el.button(T("Show the rows"), rx.el.span(" ", item["label"],
                                                        class_name="visually-hidden"),
                         type="button", on_click=S.show(item["provider_id"], item["month"]),
                         class_name="button button-secondary"),
            download_button(T("Download as CSV"), "/api/provider/settlements.csv",
                            {"month": item["month"], "provider": item["provider_id"]},
                            "csv-" + item["provider_id"] + "-" + item["month"], item["label"]),
            class_name="button-row",
        ),
        class_name="card",
    )


def row_item(row: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.h4(row["client"], " · ", row["voucher"]),
        rx.el.p(rx.el.strong(row["service"]), " · ", row["units"]),
        rx.el.p(row["kind"], " (", row["event_month"], ")",
                class_name=rx.cond(row["credit"] != "", "warning-text", "muted")),
        rx.el.p(T("Services"), ": ", row["services"], " · ", T("Self-pay"), ": ",
                row["self_pay"], " · ", T("Kilometre compensation"), ": ", row["km"]),
        class_name="card",
    )


def step_detail() -> rx.Component:
    return rx.fragment(
        back_button(S.back),
        rx.el.h2(S.detail["label"], id="step-heading"),
        rx.el.p(S.detail["provider"], class_name="muted"),
        rx.el.dl(
            rx.el.div(rx.el.dt(T("To pay")), rx.el.dd(rx.el.strong(S.detail["payable"]))),
            rx.el.div(rx.el.dt(T("Services")), rx.el.dd(S.detail["services"])),
            rx.el.div(rx.el.dt(T("Kilometre compensation")), rx.el.dd(S.detail["km"])),
            rx.el.div(rx.el.dt(T("Self-pay shares (paid by clients)")),
                      rx.el.dd(S.detail["self_pay"])),
            rx.el.div(rx.el.dt(T("Reference")), rx.el.dd(S.detail["reference"])),
            rx.el.div(rx.el.dt(T("RF reference")), rx.el.dd(S.detail["rf"])),
            class_name="summary-list",
        ),
        download_button(T("Download as CSV"), "/api/provider/settlements.csv",
                        {"month": S.detail["month"], "provider": S.detail["provider_id"]},
                        "settlement-csv"),
        rx.el.h3(T("Rows")),
        rx.el.ul(rx.foreach(S.rows, row_item), class_name="card-list", id="settlement-rows"),
    )


def step_list() -> rx.Component:
    return rx.fragment(
        rx.el.p(T("The organizer pays each month's services by its settlement. Use the "
                  "reference in your invoice."), class_name="lead"),
        rx.cond(
            S.items.length() > 0,
            rx.el.ul(rx.foreach(S.items, settlement_item), class_name="card-list",
                     id="provider-settlements"),
            rx.el.p(T("No months have been settled yet.")),
        ),
    )


@rx.page(route="/provider/settlements", title="HB – Tilitykset", on_load=S.load)
def provider_settlements() -> rx.Component:
    return page(
        rx.el.h1(T("Settlements")),
        rx.cond(
            S.ready,
            rx.cond(
                S.signed_in,
                rx.cond(
                    S.denied,
                    message_box(T("This page is for the staff of service providers."), "error"),
                    rx.el.div(rx.match(S.step, ("detail", step_detail()), step_list()),
                              class_name="access-pages"),
                ),
                sign_in_prompt("/provider/settlements"),
            ),
            loading(),
        ),
    )
