"""`/budget`: every line granted, used and left in € and units, a month switcher, the events."""

from __future__ import annotations

from datetime import date

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.budget import progress_bar
from hbapp.components.downloads import download_button
from hbapp.components.layout import client_page, message_box, page
from hbapp.db import get_engine
from hbapp.domain.inputs import bounded_step, parse_month
from hbapp.domain.ledger import add_months, month_start
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.disputes import budget_month_with_disputes
from hbapp.state import AppState, T, today
from hbapp.views.budget import event_texts, line_texts, summary_texts
from hbapp.views.disputes import dispute_texts


class BudgetState(AppState):
    ready: bool = False
    has_budget: bool = False
    denied: bool = False
    month: str = ""  # "YYYY-MM" shown; empty = this month
    month_label: str = ""
    can_go_back: bool = False
    can_go_forward: bool = False
    summary: dict[str, str] = {}
    lines: list[dict[str, str]] = []
    events: list[dict[str, str]] = []
    # Problems reported with this month's events (and their outcome); may the person report?
    disputes: list[dict[str, str]] = []
    can_dispute: bool = False
    can_download: bool = False  # a statement exists for the current and past months

    def _show(self, wanted: date):
        current = self._refresh_session()
        t = self._t()
        self.month = wanted.strftime("%Y-%m")
        self.month_label = t.month(wanted)
        self.has_budget = self.denied = False
        self.summary, self.lines, self.events, self.disputes = {}, [], [], []
        self.can_dispute = False
        self.can_go_back = self.can_go_forward = self.can_download = False
        if current is None or current.acting_for is None:
            return
        try:
            result, disputes = budget_month_with_disputes(
                get_engine(),
                current.actor,
                current.acting_for.client_id,
                wanted,
                today(),
                action="view_budget",
            )
        except AccessDenied:
            self.denied = True
            return
        this_month = month_start(today())
        if result is None:
            # Outside the budget's period: still allow going back to the current month.
            self.can_go_back = wanted > this_month
            self.can_go_forward = wanted < this_month
            return
        self.has_budget = True
        self.can_download = wanted <= this_month
        self.summary = summary_texts(t, result)
        self.lines = [line_texts(t, result, line) for line in result.statement.lines]
        self.disputes = [dispute_texts(t, d) for d in disputes]
        open_events = {d.event.id for d in disputes if d.status == "open"}
        self.can_dispute = "manage" in current.acting_for.scopes
        self.events = [{**e, "disputed": "1" if int(e["id"]) in open_events else ""}
                       for e in event_texts(t, result)]
        self.can_go_back = wanted > result.first_month
        last = result.last_month or this_month
        self.can_go_forward = wanted < min(last, add_months(this_month, 1))

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        wanted = parse_month(self.router.page.params.get("month", "")) or month_start(today())
        self._show(wanted)
        self.ready = True
        return self._page_ready(N_("Budget"))

    @rx.event
    @allow(Audience.CLIENT_VIEW)
    def change_month(self, step: int):
        current = parse_month(self.month) or month_start(today())
        wanted = add_months(current, bounded_step(step))
        self._show(wanted if parse_month(wanted.strftime("%Y-%m")) else current)
        return rx.call_script(f"history.replaceState(null, '', '/budget?month={self.month}')")


def month_switcher() -> rx.Component:
    return rx.el.nav(
        rx.el.button(
            "‹ ",
            T("Previous month"),
            type="button",
            on_click=BudgetState.change_month(-1),
            disabled=~BudgetState.can_go_back,
            class_name="button button-secondary",
        ),
        rx.el.h2(BudgetState.month_label, aria_live="polite", class_name="month-label"),
        rx.el.button(
            T("Next month"),
            " ›",
            type="button",
            on_click=BudgetState.change_month(1),
            disabled=~BudgetState.can_go_forward,
            class_name="button button-secondary",
        ),
        class_name="month-switcher",
        aria_label=T("Choose month"),
    )


def totals() -> rx.Component:
    return rx.el.section(
        rx.el.h2(T("Whole budget"), id="totals-heading", class_name="visually-hidden"),
        rx.el.dl(
            rx.el.div(rx.el.dt(T("Budget for the month")), rx.el.dd(BudgetState.summary["budget"])),
            rx.el.div(rx.el.dt(T("Used")), rx.el.dd(BudgetState.summary["used"])),
            rx.el.div(
                rx.el.dt(T("Left")),
                rx.el.dd(BudgetState.summary["remaining"], id="budget-remaining"),
            ),
            rx.el.div(
                rx.el.dt(T("Your self-pay shares")), rx.el.dd(BudgetState.summary["self_pay"])
            ),
            class_name="figures",
        ),
        progress_bar(
            BudgetState.summary["percent"],
            T("Share of this month's budget used"),
            BudgetState.summary["warning"] != "",
        ),
        rx.el.p(
            BudgetState.summary["forecast"],
            class_name=rx.cond(BudgetState.summary["warning"] != "", "warning-text", ""),
        ),
        rx.el.p(T("Decision"), ": ", BudgetState.summary["decision"], class_name="muted"),
        class_name="card highlight",
        aria_labelledby="totals-heading",
    )


def line_card(line: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.h3(line["name"]),
        rx.el.dl(
            rx.el.div(
                rx.el.dt(T("Granted")),
                rx.el.dd(line["granted_money"],
                         rx.cond(line["decided"] != "",
                                 rx.el.span(" (", line["decided"], ")", class_name="muted"))),
            ),
            # A service counted in euros (a gym card) has no price per unit nor a quantity
            # besides the money: each amount is said once.
            rx.el.div(rx.el.dt(T("Used")),
                      rx.el.dd(line["used_money"],
                               rx.cond(line["used"] != "", rx.fragment(" · ", line["used"])))),
            rx.el.div(
                rx.el.dt(T("Left")),
                rx.el.dd(
                    line["remaining_money"],
                    rx.cond(line["buys"] != "", rx.el.span(", ", line["buys"])),
                ),
            ),
            class_name="figures",
        ),
        progress_bar(line["percent"], line["name"], line["over"] != ""),
        rx.cond(line["over"] != "", rx.el.p(line["left"], class_name="warning-text")),
        rx.cond(line["leftover"] != "", rx.el.p(line["leftover"], class_name="muted")),
        rx.cond(
            line["provider"] != "",
            rx.el.p(T("Provider:"), " ", line["provider"], class_name="muted"),
        ),
        rx.cond(
            line["voucher"] != "",
            rx.el.p(T("Voucher code:"), " ", rx.el.strong(line["voucher"]),
                    class_name="voucher-code"),
        ),
        rx.el.p(rx.el.a(T("Compare providers"), href="/providers?service=" + line["code"])),
        class_name="card",
    )


def event_item(event: rx.Var) -> rx.Component:
    counted = event["status"] == "recorded"
    return rx.el.li(
        rx.el.p(rx.el.time(event["when"], date_time=event["iso"]), class_name="event-when"),
        rx.el.p(rx.el.strong(event["service"]), " · ", event["quantity"],
                rx.cond(event["band"] != "", rx.fragment(" · ", event["band"]))),
        rx.el.p(event["provider"], class_name="muted"),
        rx.cond(event["note"] != "", rx.el.p(event["note"], class_name="event-note")),
        rx.el.p(T("From the budget:"), " ", rx.cond(counted, event["amount"],
                                                     rx.el.s(event["amount"]))),
        rx.cond(
            event["self_pay"] != "",
            rx.el.p(T("Your self-pay share:"), " ",
                    rx.cond(counted, event["self_pay"], rx.el.s(event["self_pay"]))),
        ),
        rx.cond(event["km"] != "", rx.el.p(event["km"], class_name="muted")),
        rx.cond(
            event["disputed"] != "",
            rx.el.p(T("You reported a problem with this event. Your case worker will decide it."),
                    class_name="dispute-status"),
            rx.cond(
                BudgetState.can_dispute & counted,
                rx.el.p(rx.el.a(T("Report a problem"),
                                rx.el.span(" ", event["service"], " ", event["when"],
                                           class_name="visually-hidden"),
                                href="/disputes/new?event=" + event["id"],
                                class_name="dispute-link")),
            ),
        ),
        class_name=rx.cond(counted, "event", "event event-not-counted"),
        data_status=event["status"],
        custom_attrs={"data-event-id": event["id"]},
    )


def dispute_item(dispute: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.p(rx.el.time(dispute["event_when"], date_time=dispute["event_iso"]),
                class_name="event-when"),
        rx.el.p(rx.el.strong(dispute["event_service"]), " · ", dispute["event_quantity"]),
        rx.el.p(dispute["event_provider"], class_name="muted"),
        rx.el.p(T("Your report:"), " ", dispute["reason"]),
        rx.cond(dispute["comment"] != "", rx.el.p(dispute["comment"], class_name="muted")),
        rx.el.p(dispute["status_text"],
                class_name="dispute-status dispute-" + dispute["status"]),
        rx.cond(dispute["explanation"] != "",
                rx.el.p(T("Case worker's explanation:"), " ", dispute["explanation"])),
        class_name="event",
        custom_attrs={"data-dispute-status": dispute["status"]},
    )


def statement_links() -> rx.Component:
    """Downloads by plain GET requests (not the websocket), sent with the session cookie."""
    return rx.cond(
        BudgetState.can_download,
        rx.el.section(
            rx.el.h2(T("Statement of the month"), id="statement-heading"),
            rx.el.p(T("Keep the month's budget and services as a file.")),
            rx.el.div(
                download_button(T("Download as PDF"), "/api/statement.pdf",
                                {"month": BudgetState.month}, "statement-pdf",
                                BudgetState.month_label),
                download_button(T("Download as CSV"), "/api/statement.csv",
                                {"month": BudgetState.month}, "statement-csv",
                                BudgetState.month_label),
                class_name="button-row",
            ),
            rx.el.p(T("The CSV file opens in a spreadsheet such as Excel."), class_name="muted"),
            class_name="card",
            aria_labelledby="statement-heading",
        ),
    )


def budget_content() -> rx.Component:
    return rx.fragment(
        totals(),
        rx.el.section(
            rx.el.h2(T("Services"), id="lines-heading"),
            rx.el.ul(rx.foreach(BudgetState.lines, line_card), class_name="card-list"),
            rx.cond(
                BudgetState.summary["additions"] != "",
                rx.el.p(T("Other additions to the budget:"), " ", BudgetState.summary["additions"],
                        class_name="card"),
            ),
            aria_labelledby="lines-heading",
        ),
        rx.el.section(
            rx.el.h2(T("Services delivered this month"), id="events-heading"),
            rx.cond(
                BudgetState.events.length() > 0,
                rx.el.ul(rx.foreach(BudgetState.events, event_item), class_name="event-list"),
                rx.el.p(T("No services have been recorded for this month yet.")),
            ),
            aria_labelledby="events-heading",
        ),
        rx.cond(
            BudgetState.disputes.length() > 0,
            rx.el.section(
                rx.el.h2(T("Problems you reported"), id="disputes-heading"),
                rx.el.ul(rx.foreach(BudgetState.disputes, dispute_item), class_name="event-list"),
                aria_labelledby="disputes-heading",
            ),
        ),
        statement_links(),
    )


@rx.page(route="/budget", title="HB – Budjetti", on_load=BudgetState.load)
def budget() -> rx.Component:
    return page(
        rx.el.h1(T("Budget")),
        client_page(
            BudgetState,
            rx.fragment(
                month_switcher(),
                rx.cond(
                    BudgetState.has_budget,
                    budget_content(),
                    message_box(T("There is no active budget for this month.")),
                ),
            ),
            "/budget",
            T("You do not have the right to see this budget."),
        ),
    )
