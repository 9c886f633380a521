"""`/swap`: swap granted services within the budget (GOV.UK steps), the client's swaps, cancel.

Steps: list → from → to → amount → preview → check answers → result. Nothing is written before
the person confirms on the check-answers page; the service checks the rules and rights again.
"""

from __future__ import annotations


import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import client_page, message_box, page
from hbapp.db import get_engine
from hbapp.domain.ledger import month_start
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

BACK = {
    "from": "list",
    "to": "from",
    "amount": "to",
    "preview": "amount",
    "check": "preview",
    "cancel": "list",
    "result": "list",
}


class SwapState(AppState):
    ready: bool = False
    denied: bool = False
    can_manage: bool = False
    has_budget: bool = False
    step: str = "list"
    swaps: list[dict[str, str]] = []
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
    cancel_id: str = ""
    cancel_title: str = ""

    def _who(self):
        current = self._refresh_session()
        if current is None or current.acting_for is None:
            return None
        return current

    def _options(self, current):
        return swap_options(
            get_engine(), current.actor, current.acting_for.client_id, month_start(today()), today()
        )

    def _list(self, current) -> None:
        t = self._t()
        try:
            self.swaps = swap_rows(
                t,
                swaps_for_client(
                    get_engine(), current.actor, current.acting_for.client_id, today()
                ),
            )
        except AccessDenied:
            self.denied = True
            self.swaps = []
            return
        try:
            options = self._options(current)
            self.can_manage = True
        except (AccessDenied, SwapError):
            self.can_manage, options = False, None
        self.has_budget = options is not None
        if options is not None:
            self.sources = option_rows(t, options, options.sources)

    def _go(self, step: str):
        self.step = step
        self.error = ""
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        self.denied = self.can_manage = self.has_budget = False
        self.step, self.notice, self.error = "list", "", ""
        self.swaps, self.sources, self.targets = [], [], []
        current = self._who()
        if current is not None:
            self._list(current)
        self.ready = True
        return self._page_ready(N_("Swap services"))

    def _at(self, *steps: str) -> bool:
        """Each step answers only on its own page: a repeated or out-of-order event (a double
        tap on Confirm, a crafted event) changes nothing."""
        return self.step in steps

    @rx.event
    @allow(Audience.CLIENT_MANAGE)
    def start(self):
        if not self._at("list", "result") or not self.can_manage:
            return
        self.from_code = self.to_code = self.amount_text = ""
        self.notice = ""
        return self._go("from")

    @rx.event
    @allow(Audience.CLIENT_MANAGE)
    def back(self):
        return self._go(BACK.get(self.step, "list"))

    @rx.event
    @allow(Audience.CLIENT_MANAGE)
    def change(self, step: str):
        if self._at("check") and step in ("from", "to", "amount"):
            return self._go(step)

    @rx.event
    @allow(Audience.CLIENT_MANAGE)
    def submit_from(self, form_data: dict):
        current = self._who()
        if current is None or not self._at("from"):
            return
        code = str(form_data.get("from", ""))
        options = self._safe_options(current)
        if options is None or code not in options.sources:
            t = self._t()
            self.error = t("Choose the service you want to swap from.")
            return
        if code != self.from_code:
            self.to_code, self.amount_text = "", ""
        self.from_code = code
        self.targets = option_rows(self._t(), options, options.services[code].targets)
        return self._go("to")

    @rx.event
    @allow(Audience.CLIENT_MANAGE)
    def submit_to(self, form_data: dict):
        current = self._who()
        if current is None or not self._at("to"):
            return
        code = str(form_data.get("to", ""))
        options = self._safe_options(current)
        source = options.services.get(self.from_code) if options else None
        if source is None or code not in source.targets:
            t = self._t()
            self.error = t("Choose the service you want to swap into.")
            return
        self.to_code = code
        t = self._t()
        source = options.services[self.from_code]
        self.amount_label = t(
            "How much {service} do you want to swap?", service=source.names.get(t.locale)
        )
        self.amount_hint = (
            t(UNIT_HINTS[source.unit]) + " " + option_rows(t, options, [self.from_code])[0]["hint"]
        )
        return self._go("amount")

    def _safe_options(self, current):
        """The options now, or None (and the page says why) when they cannot be read."""
        try:
            return self._options(current)
        except AccessDenied:
            self.denied = True
        except SwapError:
            pass
        return None

    def _unit(self, options) -> str:
        choice = options.services.get(self.from_code) if options else None
        return choice.unit if choice else "hour"

    def _preview(self, current) -> bool:
        t = self._t()
        options = self._options(current)
        unit = self._unit(options)
        try:
            amount = parse_amount(self.amount_text)
            preview = preview_swap_for_client(
                get_engine(),
                current.actor,
                current.acting_for.client_id,
                month_start(today()),
                self.from_code,
                self.to_code,
                amount,
                today(),
            )
        except SwapError as error:
            self.error = error_message(t, error, unit=unit)
            return False
        self.preview = preview_texts(t, options, preview)
        return True

    @rx.event
    @allow(Audience.CLIENT_MANAGE)
    def submit_amount(self, form_data: dict):
        current = self._who()
        if current is None or not self._at("amount") or not (self.from_code and self.to_code):
            return
        self.amount_text = str(form_data.get("amount", ""))[:40]
        try:
            if self._preview(current):
                return self._go("preview")
        except AccessDenied:
            self.denied = True

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
                get_engine(),
                current.actor,
                current.acting_for.client_id,
                month_start(today()),
                self.from_code,
                self.to_code,
                parse_amount(self.amount_text),
                today(),
            )
        except AccessDenied:
            self.denied = True
            return
        except SwapError as error:
            # The balances changed since the preview: ask again, keeping what was typed.
            unit = self._unit(self._safe_options(current))
            message = error_message(t, error, unit=unit)
            self._go("amount")
            self.error = message
            return
        self.result_pending = outcome.status == "pending"
        self._list(current)
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
        self._list(current)
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
        rx.el.p(
            rx.el.button(
                T("See your swaps"),
                type="button",
                on_click=SwapState.back,
                class_name="button button-secondary",
            )
        ),
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
