"""`/admin/settlements`: close a past month for every provider, and export it.

Pick a month (only months that are over), see per provider what closing settles (or what was
settled), check, close; then download the accounts-payable CSV. The settlement service checks
the administrator's right again, closes idempotently and audits.
"""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.downloads import download_button
from hbapp.components.forms import back_button
from hbapp.components.layout import loading, message_box, page, sign_in_prompt
from hbapp.db import get_engine
from hbapp.domain.inputs import parse_month
from hbapp.domain.ledger import add_months, month_start
from hbapp.domain.reference import format_reference, format_rf
from hbapp.i18n import N_
from hbapp.services import settlements
from hbapp.services.access import AccessDenied
from hbapp.state import AppState, T, today

MONTHS_SHOWN = 12


class AdminSettlementsState(AppState):
    ready: bool = False
    denied: bool = False
    step: str = "list"  # list, check
    months: list[dict[str, str]] = []
    month: str = ""
    month_label: str = ""
    closed: bool = False
    closed_text: str = ""
    providers: list[dict[str, str]] = []
    total: str = ""
    notice: str = ""

    def _show(self, current, wanted) -> None:
        t = self._t()
        self.month, self.month_label = wanted.strftime("%Y-%m"), t.month(wanted)
        try:
            overview = settlements.month_overview(get_engine(), current.actor, wanted, today())
        except AccessDenied:
            self.denied = True
            return
        self.closed = overview.closed
        self.closed_text = (t("Closed on {date}.", date=t.date(overview.closed_at))
                            if overview.closed_at else "")
        self.providers = [{
            "id": str(p.provider_id),
            "name": p.provider_name,
            "business_id": p.business_id,
            "payable": t.money(p.payable_cents),
            "services": t.money(p.organizer_cents),
            "km": t.money(p.km_cents),
            "self_pay": t.money(p.self_pay_cents),
            "rows": t("{rows} rows, {events} events", rows=p.row_count, events=p.event_count),
            "changes": (t("{corrections} corrections, {credits} credits",
                          corrections=p.correction_rows, credits=p.credit_rows)
                        if p.correction_rows or p.credit_rows else ""),
            "reference": format_reference(p.reference) if p.reference else "",
            "rf": format_rf(p.rf_reference) if p.rf_reference else "",
        } for p in overview.providers]
        self.total = t.money(sum(p.payable_cents for p in overview.providers))

    def _go(self, step: str):
        self.step = step
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = self.denied = False
        self.step, self.notice, self.providers = "list", "", []
        current = self._refresh_session()
        t = self._t()
        last = add_months(month_start(today()), -1)
        self.months = [{"value": m.strftime("%Y-%m"), "label": t.month(m)}
                       for m in (add_months(last, -i) for i in range(MONTHS_SHOWN))]
        wanted = parse_month(self.router.page.params.get("month", "")) or last
        if wanted > last or wanted < add_months(last, -(MONTHS_SHOWN - 1)):
            wanted = last
        if current is not None:
            self._show(current, wanted)
        self.ready = True
        return self._page_ready(N_("Settlements"))

    @rx.event
    @allow(Audience.ADMIN)
    def choose(self, form_data: dict):
        current = self._refresh_session()
        wanted = parse_month(str(form_data.get("month", ""))[:10])
        if current is None or wanted is None or wanted >= month_start(today()):
            return
        self.notice = ""
        self._show(current, wanted)
        return rx.call_script(
            f"history.replaceState(null, '', '/admin/settlements?month={self.month}')")

    @rx.event
    @allow(Audience.ADMIN)
    def check(self):
        if self.closed or not self.providers:
            return
        return self._go("check")

    @rx.event
    @allow(Audience.ADMIN)
    def back(self):
        return self._go("list")

    @rx.event
    @allow(Audience.ADMIN)
    def close(self):
        current = self._refresh_session()
        wanted = parse_month(self.month)
        if current is None or wanted is None:
            return
        t = self._t()
        try:
            result = settlements.close_month(get_engine(), wanted, today(), actor=current.actor)
        except AccessDenied:
            self.denied = True
            return
        except settlements.SettlementError:
            return self._go("list")
        self._show(current, wanted)
        self.notice = (t("{month} was closed: {count} settlements.", month=self.month_label,
                         count=len(result.settlements)) if result.created else
                       t("{month} had already been closed.", month=self.month_label))
        return self._go("list")


S = AdminSettlementsState


def provider_card(p: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.h3(p["name"]),
        rx.el.p(T("Business ID"), ": ", p["business_id"], class_name="muted"),
        rx.el.dl(
            rx.el.div(rx.el.dt(T("To pay")), rx.el.dd(rx.el.strong(p["payable"]))),
            rx.el.div(rx.el.dt(T("Services")), rx.el.dd(p["services"])),
            rx.el.div(rx.el.dt(T("Kilometre compensation")), rx.el.dd(p["km"])),
            rx.el.div(rx.el.dt(T("Self-pay shares (paid by clients)")), rx.el.dd(p["self_pay"])),
            class_name="figures",
        ),
        rx.el.p(p["rows"]),
        rx.cond(p["changes"] != "", rx.el.p(p["changes"], class_name="warning-text")),
        rx.cond(p["reference"] != "",
                rx.el.p(T("Reference"), ": ", p["reference"], " · ", p["rf"])),
        class_name="card",
    )


def month_form() -> rx.Component:
    return rx.el.form(
        rx.el.div(
            rx.el.label(T("Month"), html_for="settlement-month", class_name="field-label"),
            rx.el.select(
                rx.foreach(S.months, lambda m: rx.el.option(m["label"], value=m["value"])),
                id="settlement-month", name="month", default_value=S.month, key=S.month,
                class_name="field-input",
            ),
            class_name="field",
        ),
        rx.el.button(T("Show"), type="submit", class_name="button button-secondary",
                     id="show-month"),
        on_submit=S.choose, reset_on_submit=False,
    )


def step_list() -> rx.Component:
    return rx.fragment(
        rx.el.p(T("Closing a month freezes every provider's recorded services of the month into "
                  "a settlement with an invoicing reference. Later changes go into the "
                  "provider's next settlement."), class_name="lead"),
        month_form(),
        rx.cond(S.notice != "", rx.el.div(rx.el.p(S.notice), class_name="notice notice-success",
                                          role="status", id="settlement-notice")),
        rx.el.h2(S.month_label, id="month-heading"),
        rx.cond(
            S.closed,
            rx.fragment(
                rx.el.p(T("This month is closed."), " ", S.closed_text, id="month-state"),
                download_button(T("Download the accounts-payable CSV"),
                                "/api/admin/settlements.csv", {"month": S.month}, "ap-csv"),
            ),
            rx.cond(
                S.providers.length() > 0,
                rx.fragment(
                    rx.el.p(T("This month is open. Closing it settles the following."),
                            id="month-state"),
                    rx.el.button(T("Close the month"), type="button", on_click=S.check,
                                 class_name="button", id="start-close"),
                ),
                rx.el.p(T("Nothing to settle for this month."), id="month-state"),
            ),
        ),
        rx.cond(S.providers.length() > 0,
                rx.fragment(
                    rx.el.p(T("Total to pay"), ": ", rx.el.strong(S.total)),
                    rx.el.ul(rx.foreach(S.providers, provider_card), class_name="card-list",
                             id="settlement-list"),
                )),
    )


def step_check() -> rx.Component:
    return rx.fragment(
        back_button(S.back),
        rx.el.h2(T("Check before closing"), id="step-heading"),
        rx.el.dl(
            rx.el.div(rx.el.dt(T("Month")), rx.el.dd(S.month_label)),
            rx.el.div(rx.el.dt(T("Providers")), rx.el.dd(S.providers.length())),
            rx.el.div(rx.el.dt(T("Total to pay")), rx.el.dd(S.total)),
            class_name="summary-list",
        ),
        rx.el.p(T("A closed settlement never changes.")),
        rx.el.button(T("Close the month"), type="button", on_click=S.close, class_name="button",
                     id="confirm-close"),
    )


@rx.page(route="/admin/settlements", title="HB – Tilitykset", on_load=S.load)
def admin_settlements() -> rx.Component:
    return page(
        rx.el.h1(T("Settlements")),
        rx.cond(
            S.ready,
            rx.cond(
                S.signed_in,
                rx.cond(
                    S.denied,
                    message_box(T("This page is for administrators."), "error"),
                    rx.el.div(rx.match(S.step, ("check", step_check()), step_list()),
                              class_name="access-pages"),
                ),
                sign_in_prompt("/admin/settlements"),
            ),
            loading(),
        ),
    )
