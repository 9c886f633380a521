"""`/swap`: swap granted services within the budget (GOV.UK steps), the client's swaps, cancel.

Steps: list → month → from → to → amount → preview → check answers → result. Each step has its
own address (`/swap?step=amount`), so the phone's Back button goes one step back and keeps what
was entered. A step opened without the answers it needs falls back to the list. Nothing is
written before the person confirms on the check-answers page; the service checks the rules and
rights again. A repeated or out-of-order event (a double tap on Confirm) changes nothing.
"""

from __future__ import annotations

from datetime import date

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import client_page, message_box, page
from hbapp.db import get_engine
from hbapp.domain.ledger import add_months, month_start
from hbapp.domain.swaps import SwapError, parse_amount
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.swaps import (
    cancel_swap,
    preview_swap_for_client,
    request_swap,
    swap_options,
    swaps_for_client,
)
from hbapp.state import AppState, T, today
from hbapp.views.swaps import UNIT_HINTS, error_message, option_rows, preview_texts, swap_rows

STEPS = ("list", "month", "from", "to", "amount", "preview", "check", "result", "cancel")


def _month_value(month: date) -> str:
    return month.strftime("%Y-%m")


class SwapState(AppState):
    ready: bool = False
    denied: bool = False
    can_manage: bool = False
    has_budget: bool = False
    step: str = "list"
    swaps: list[dict[str, str]] = []
    months: list[dict[str, str]] = []  # the months a swap can be made for: this and next
    month: str = ""  # "YYYY-MM" chosen
    month_label: str = ""
    sources: list[dict[str, str]] = []
    targets: list[dict[str, str]] = []
    from_code: str = ""
    to_code: str = ""
    amount_text: str = ""
    amount_label: str = ""
    amount_hint: str = ""
    error: str = ""
    preview: dict[str, str] = {}
    notice: str = ""
    notice_error: bool = False
    result_pending: bool = False
    result_shown: bool = False
    cancel_id: str = ""
    cancel_title: str = ""
    _carry_notice: bool = False
    _carry_error: bool = False

    # -- reading ---------------------------------------------------------------------------

    def _who(self):
        current = self._refresh_session()
        if current is None or current.acting_for is None:
            return None
        return current

    def _chosen_month(self) -> date:
        try:
            year, month = (int(part) for part in self.month.split("-"))
            return date(year, month, 1)
        except ValueError:
            return month_start(today())

    def _options(self, current, month: date | None = None):
        return swap_options(get_engine(), current.actor, current.acting_for.client_id,
                            month or self._chosen_month(), today())

    def _safe_options(self, current, month: date | None = None):
        """The options now, or None (and the page says why) when they cannot be read."""
        try:
            return self._options(current, month)
        except AccessDenied:
            self.denied = True
        except SwapError:
            pass
        return None

    def _list(self, current) -> None:
        """The swaps so far, and the months a new swap can be made for."""
        t = self._t()
        try:
            self.swaps = swap_rows(
                t, swaps_for_client(get_engine(), current.actor, current.acting_for.client_id,
                                    today()))
        except AccessDenied:
            self.denied, self.swaps = True, []
            return
        this_month = month_start(today())
        self.months, self.can_manage = [], True
        for month in (this_month, add_months(this_month, 1)):
            try:
                options = self._options(current, month)
            except (AccessDenied, SwapError):
                self.can_manage = False
                break
            if options is not None and options.sources:
                self.months.append({
                    "code": _month_value(month), "name": t.month(month),
                    "price": t("This month") if month == this_month else t("Next month"),
                    "hint": (t("A swap that needs your case worker's approval may not be "
                               "decided before the month ends.")
                             if month == this_month else
                             t("You can plan next month's services now.")),
                })
        self.has_budget = bool(self.months)

    def _unit(self, options) -> str:
        choice = options.services.get(self.from_code) if options else None
        return choice.unit if choice else "hour"

    def _forget(self) -> None:
        self.month = self.month_label = self.from_code = self.to_code = self.amount_text = ""
        self.preview, self.sources, self.targets = {}, [], []
        self.cancel_id = self.cancel_title = ""
        self.result_shown = False

    def _prepare(self, current, step: str) -> str:
        """Fill in what `step` shows; the step to show (an earlier one when answers are missing
        or no longer hold)."""
        t = self._t()
        if step == "list":
            return step
        if step in ("result",):
            return step if self.result_shown else "list"
        if step == "cancel":
            return step if self.cancel_id else "list"
        if not (self.can_manage and self.has_budget):
            return "list"
        if step == "month":
            return step
        if not self.month:
            return "list"
        options = self._safe_options(current)
        if options is None:
            return "list"
        self.month_label = t.month(self._chosen_month())
        self.sources = option_rows(t, options, options.sources)
        if step == "from":
            return step
        source = options.services.get(self.from_code)
        if source is None or self.from_code not in options.sources:
            return "from"
        self.targets = option_rows(t, options, source.targets)
        if step == "to":
            return step
        if self.to_code not in source.targets:
            return "to"
        self.amount_label = t("How much {service} do you want to swap?",
                              service=source.names.get(t.locale))
        self.amount_hint = (t(UNIT_HINTS[source.unit]) + " "
                            + option_rows(t, options, [self.from_code])[0]["hint"])
        if step == "amount":
            return step
        if not self.amount_text or not self._preview(current, options):
            return "amount"
        return step  # preview or check, with figures as of now

    def _preview(self, current, options) -> bool:
        t = self._t()
        try:
            preview = preview_swap_for_client(
                get_engine(), current.actor, current.acting_for.client_id,
                self._chosen_month(), self.from_code, self.to_code,
                parse_amount(self.amount_text), today())
        except SwapError as error:
            self.error = error_message(t, error, unit=self._unit(options))
            return False
        self.preview = preview_texts(t, options, preview)
        return True

    def _go(self, step: str):
        """Move to a step: a new address, so the browser's Back returns here."""
        self.error = ""
        return rx.redirect(f"/swap?step={step}" if step != "list" else "/swap")

    def _at(self, *steps: str) -> bool:
        """Each step answers only on its own page: a repeated or out-of-order event (a double
        tap on Confirm, a crafted event) changes nothing."""
        return self.step in steps

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        self.denied = self.can_manage = self.has_budget = False
        wanted = str(self.router.page.params.get("step", "list"))
        if wanted not in STEPS:
            wanted = "list"
        # A message belongs to the step it was given on; only a refused confirm carries one.
        if not self._carry_error:
            self.error = ""
        if not self._carry_notice:
            self.notice = ""
        self._carry_notice = self._carry_error = False
        current = self._who()
        if current is None:
            self._forget()
            self.swaps, self.months, self.step = [], [], "list"
            self.ready = True
            return self._page_ready(N_("Swap services"))
        self._list(current)
        if wanted == "list":
            self._forget()
        shown = self._prepare(current, wanted)
        self.step = shown
        if shown == "list" and wanted != "list":
            self._forget()
        self.ready = True
        events = [self._page_ready(N_("Swap services"))]
        if shown != wanted:
            events.append(rx.call_script(
                f"history.replaceState(null, '', '{'/swap' if shown == 'list' else '/swap?step=' + shown}')"))
        if shown != "list":
            events.append(rx.call_script(
                "window.scrollTo(0, 0); document.getElementById('main')?.focus()"))
        return events

    # -- steps -----------------------------------------------------------------------------

    @rx.event
    @allow(Audience.CLIENT_MANAGE)
    def start(self):
        if not self._at("list", "result") or not (self.can_manage and self.has_budget):
            return
        self._forget()
        self.notice = ""
        if len(self.months) == 1:
            self.month = self.months[0]["code"]
            return self._go("from")
        return self._go("month")

    @rx.event
    @allow(Audience.CLIENT_MANAGE)
    def back(self):
        # The previous step is the previous address: the in-page Back and the browser's agree.
        return rx.call_script("history.back()")

    @rx.event
    @allow(Audience.CLIENT_MANAGE)
    def change(self, step: str):
        if self._at("check") and step in ("month", "from", "to", "amount"):
            return self._go(step)

    @rx.event
    @allow(Audience.CLIENT_MANAGE)
    def submit_month(self, form_data: dict):
        if not self._at("month"):
            return
        value = str(form_data.get("month", ""))
        if value not in {m["code"] for m in self.months}:
            t = self._t()
            self.error = t("Choose the month of the swap.")
            return
        if value != self.month:
            self.from_code = self.to_code = self.amount_text = ""
        self.month = value
        return self._go("from")

    @rx.event
    @allow(Audience.CLIENT_MANAGE)
    def submit_from(self, form_data: dict):
        if not self._at("from"):
            return
        code = str(form_data.get("from", ""))
        if code not in {row["code"] for row in self.sources}:
            t = self._t()
            self.error = t("Choose the service you want to swap from.")
            return
        if code != self.from_code:
            self.to_code, self.amount_text = "", ""
        self.from_code = code
        return self._go("to")

    @rx.event
    @allow(Audience.CLIENT_MANAGE)
    def submit_to(self, form_data: dict):
        if not self._at("to"):
            return
        code = str(form_data.get("to", ""))
        if code not in {row["code"] for row in self.targets}:
            t = self._t()
            self.error = t("Choose the service you want to swap into.")
            return
        self.to_code = code
        return self._go("amount")

    @rx.event
    @allow(Audience.CLIENT_MANAGE)
    def submit_amount(self, form_data: dict):
        current = self._who()
        if current is None or not self._at("amount") or not (self.from_code and self.to_code):
            return
        self.amount_text = str(form_data.get("amount", ""))[:40]
        options = self._safe_options(current)
        if options is not None and self._preview(current, options):
            return self._go("preview")

    @rx.event
    @allow(Audience.CLIENT_MANAGE)
    def to_check(self):
        if self._at("preview"):
            return self._go("check")

    @rx.event
    @allow(Audience.CLIENT_MANAGE)
    def confirm(self):
        current = self._who()
        if current is None or not self._at("check"):
            return
        t = self._t()
        try:
            outcome = request_swap(
                get_engine(), current.actor, current.acting_for.client_id,
                self._chosen_month(), self.from_code, self.to_code,
                parse_amount(self.amount_text), today())
        except AccessDenied:
            self.denied = True
            return
        except SwapError as error:
            # The balances changed since the preview: ask again, keeping what was typed.
            self.error = error_message(t, error, unit=self._unit(self._safe_options(current)))
            self._carry_error = True
            return rx.redirect("/swap?step=amount")
        # Done: the answers go, so Back cannot confirm the same swap twice.
        self._forget()
        self.step = "result"
        self.result_shown = True
        self.result_pending = outcome.status == "pending"
        return self._go("result")

    @rx.event
    @allow(Audience.CLIENT_MANAGE)
    def ask_cancel(self, swap_id: str):
        if not self._at("list"):
            return
        row = next((s for s in self.swaps if s["id"] == swap_id), None)
        if row is None:
            return
        self.cancel_id, self.cancel_title = swap_id, row["title"] + " · " + row["what"]
        return self._go("cancel")

    @rx.event
    @allow(Audience.CLIENT_MANAGE)
    def confirm_cancel(self):
        current = self._who()
        if current is None or not self._at("cancel") or not self.cancel_id.isdigit():
            return
        t = self._t()
        try:
            cancel_swap(get_engine(), current.actor, int(self.cancel_id), today())
            self.notice, self.notice_error = t("The swap is cancelled."), False
        except AccessDenied:
            self.notice, self.notice_error = t("You do not have the right to do this."), True
        except SwapError as error:
            self.notice, self.notice_error = error_message(t, error), True
        self.cancel_id = ""
        self.step = "list"
        self._carry_notice = True
        return self._go("list")


# ------------------------------------------------------------------------------ components


def back_button() -> rx.Component:
    return rx.el.button(
        T("Back"), type="button", on_click=SwapState.back, class_name="link-button back-link"
    )


def error_text(field_id: str) -> rx.Component:
    return rx.cond(
        SwapState.error != "",
        rx.el.p(
            rx.el.span(T("Error:"), class_name="visually-hidden"),
            " ",
            SwapState.error,
            id=f"{field_id}-error",
            class_name="error-message",
        ),
    )


def radio_step(name: str, legend: str, rows, selected, on_submit) -> rx.Component:
    return rx.fragment(
        back_button(),
        rx.el.form(
            rx.el.fieldset(
                rx.el.legend(rx.el.h2(T(legend), id="step-heading")),
                error_text(name),
                rx.foreach(
                    rows,
                    lambda r: rx.el.div(
                        rx.el.input(
                            type="radio",
                            name=name,
                            value=r["code"],
                            id=f"{name}-" + r["code"],
                            default_checked=selected == r["code"],
                            class_name="radio-input",
                            aria_describedby=f"{name}-hint-" + r["code"],
                        ),
                        rx.el.label(
                            rx.el.strong(r["name"]),
                            rx.el.br(),
                            rx.el.span(
                                r["price"],
                                " · ",
                                r["hint"],
                                id=f"{name}-hint-" + r["code"],
                                class_name="muted",
                            ),
                            html_for=f"{name}-" + r["code"],
                        ),
                        class_name="radio-item swap-radio",
                    ),
                ),
                aria_describedby=rx.cond(SwapState.error != "", f"{name}-error", ""),
                class_name=rx.cond(SwapState.error != "", "fieldset fieldset-error", "fieldset"),
            ),
            rx.el.button(T("Continue"), type="submit", class_name="button"),
            on_submit=on_submit,
            reset_on_submit=False,
        ),
    )


def step_amount() -> rx.Component:
    return rx.fragment(
        back_button(),
        rx.el.form(
            rx.el.div(
                rx.el.h2(rx.el.label(SwapState.amount_label, html_for="amount"), id="step-heading"),
                rx.el.p(SwapState.amount_hint, id="amount-hint", class_name="muted"),
                error_text("amount"),
                rx.el.input(
                    id="amount",
                    name="amount",
                    type="text",
                    input_mode="decimal",
                    autocomplete="off",
                    default_value=SwapState.amount_text,
                    aria_describedby=rx.cond(
                        SwapState.error != "", "amount-hint amount-error", "amount-hint"
                    ),
                    aria_invalid=rx.cond(SwapState.error != "", "true", "false"),
                    class_name=rx.cond(
                        SwapState.error != "", "input input-error", "input swap-amount"
                    ),
                ),
                class_name=rx.cond(
                    SwapState.error != "", "form-group fieldset-error", "form-group"
                ),
            ),
            rx.el.button(T("Show what I get"), type="submit", class_name="button"),
            on_submit=SwapState.submit_amount,
            reset_on_submit=False,
        ),
    )


def step_preview() -> rx.Component:
    p = SwapState.preview
    return rx.fragment(
        back_button(),
        rx.el.h2(T("What you get"), id="step-heading"),
        rx.el.section(
            rx.el.p(p["summary"], class_name="lead", id="swap-summary"),
            rx.cond(p["remainder"] != "", rx.el.p(p["remainder"])),
            rx.el.h3(T("Left this month after the swap")),
            rx.el.ul(rx.el.li(p["from_left"]), rx.el.li(p["to_left"]), class_name="fact-list"),
            rx.el.p(
                p["approval"], class_name=rx.cond(p["needs_approval"] != "", "warning-text", "")
            ),
            class_name="card highlight",
        ),
        rx.el.button(
            T("Continue"), type="button", on_click=SwapState.to_check, class_name="button",
            id="to-check",
        ),
    )


def summary_row(label: str, value, step: str, change_label: str,
                value_id: str = "") -> rx.Component:
    return rx.el.div(
        rx.el.dt(T(label)),
        rx.el.dd(value, id=value_id or None),
        rx.el.dd(
            rx.el.button(
                T("Change"),
                rx.el.span(" ", T(change_label), class_name="visually-hidden"),
                type="button",
                on_click=SwapState.change(step),
                class_name="link-button",
            )
        ),
        class_name="summary-row",
    )


def step_check() -> rx.Component:
    p = SwapState.preview
    return rx.fragment(
        back_button(),
        rx.el.h2(T("Check your answers before swapping"), id="step-heading"),
        rx.el.dl(
            summary_row(N_("Month"), SwapState.month_label, "month", N_("the month")),
            summary_row(N_("Swap from"), p["from_name"], "from", N_("the service to swap from")),
            summary_row(N_("Swap into"), p["to_name"], "to", N_("the service to swap into")),
            summary_row(N_("Amount"), p["asked"], "amount", N_("the amount"), "check-asked"),
            rx.el.div(
                rx.el.dt(T("You get")),
                rx.el.dd(p["gets"], " (", p["moved"], ")", id="check-gets"),
                class_name="summary-row",
            ),
            class_name="summary-list",
        ),
        rx.cond(p["remainder"] != "", rx.el.p(p["remainder"])),
        rx.el.p(p["approval"]),
        rx.el.button(
            rx.cond(p["needs_approval"] != "", T("Send the request"), T("Confirm the swap")),
            type="button",
            on_click=SwapState.confirm,
            class_name="button",
            id="confirm-swap",
        ),
    )


def step_result() -> rx.Component:
    return rx.fragment(
        rx.cond(
            SwapState.result_pending,
            rx.el.div(
                rx.el.h2(T("Sent to your case worker for approval"), id="step-heading"),
                rx.el.p(T("Your case worker decides soon. You will see the answer here.")),
                class_name="notice",
                role="status",
            ),
            rx.el.div(
                rx.el.h2(T("Done: the swap is made"), id="step-heading"),
                rx.el.p(T("Your budget already shows the new amounts.")),
                class_name="notice notice-success",
                role="status",
            ),
        ),
        rx.el.p(rx.el.a(T("See your budget"), href="/budget", class_name="button")),
        rx.el.p(rx.el.a(T("See your swaps"), href="/swap", class_name="button button-secondary")),
    )


def step_cancel() -> rx.Component:
    return rx.fragment(
        back_button(),
        rx.el.h2(T("Do you want to cancel this swap?"), id="step-heading"),
        rx.el.p(SwapState.cancel_title, class_name="lead"),
        rx.el.p(T("The amounts go back to what they were before the swap.")),
        rx.el.div(
            rx.el.button(
                T("Yes, cancel the swap"),
                type="button",
                on_click=SwapState.confirm_cancel,
                class_name="button",
            ),
            rx.el.button(
                T("No, keep it"),
                type="button",
                on_click=SwapState.back,
                class_name="button button-secondary",
            ),
            class_name="button-row",
        ),
    )


def swap_item(row) -> rx.Component:
    return rx.el.li(
        rx.el.h3(row["title"]),
        rx.el.p(row["what"]),
        rx.cond(row["remainder"] != "", rx.el.p(row["remainder"], class_name="muted")),
        rx.el.p(row["month"], " · ", row["requested"], class_name="muted"),
        rx.el.p(
            rx.el.strong(T("Status:"), " ", row["status_label"]),
            class_name=rx.cond(row["status"] == "declined", "warning-text", ""),
        ),
        rx.cond(row["reason"] != "", rx.el.p(T("Case worker's reason:"), " ", row["reason"])),
        rx.cond(
            (row["can_cancel"] != "") & SwapState.can_manage,
            rx.el.button(
                T("Cancel this swap"),
                rx.el.span(" ", row["title"], class_name="visually-hidden"),
                type="button",
                on_click=SwapState.ask_cancel(row["id"]),
                class_name="button button-secondary",
            ),
        ),
        class_name="card swap-card",
    )


def step_list() -> rx.Component:
    return rx.fragment(
        rx.el.p(
            T(
                "You can turn a service you need less into one you need more. The whole "
                "budget stays the same."
            ),
            class_name="lead",
        ),
        rx.cond(
            SwapState.notice != "",
            rx.el.div(
                rx.el.p(SwapState.notice),
                role="status",
                class_name=rx.cond(
                    SwapState.notice_error, "notice notice-error", "notice notice-success"
                ),
            ),
        ),
        rx.cond(
            SwapState.can_manage & SwapState.has_budget,
            rx.el.button(
                T("Start a swap"),
                type="button",
                on_click=SwapState.start,
                class_name="button",
                id="start-swap",
            ),
            rx.cond(
                ~SwapState.can_manage, message_box(T("You may see the swaps but not make them."))
            ),
        ),
        rx.el.section(
            rx.el.h2(T("Your swaps"), id="swaps-heading"),
            rx.cond(
                SwapState.swaps.length() > 0,
                rx.el.ul(rx.foreach(SwapState.swaps, swap_item), class_name="card-list"),
                rx.el.p(T("No swaps yet.")),
            ),
            aria_labelledby="swaps-heading",
        ),
    )


def swap_steps() -> rx.Component:
    return rx.match(
        SwapState.step,
        (
            "month",
            radio_step(
                "month",
                N_("For which month do you want to swap?"),
                SwapState.months,
                SwapState.month,
                SwapState.submit_month,
            ),
        ),
        (
            "from",
            radio_step(
                "from",
                N_("Which service do you want to swap from?"),
                SwapState.sources,
                SwapState.from_code,
                SwapState.submit_from,
            ),
        ),
        (
            "to",
            radio_step(
                "to",
                N_("Which service do you want instead?"),
                SwapState.targets,
                SwapState.to_code,
                SwapState.submit_to,
            ),
        ),
        ("amount", step_amount()),
        ("preview", step_preview()),
        ("check", step_check()),
        ("result", step_result()),
        ("cancel", step_cancel()),
        step_list(),
    )


@rx.page(route="/swap", title="HB – Vaihda palveluja", on_load=SwapState.load)
def swap() -> rx.Component:
    return page(
        rx.el.h1(T("Swap services")),
        client_page(
            SwapState,
            swap_steps(),
            "/swap",
            T("You do not have the right to see this budget."),
        ),
    )
