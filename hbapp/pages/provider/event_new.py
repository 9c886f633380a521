"""`/provider/events/new`: record a delivered service. The voucher is chosen from the provider's
active vouchers and the service follows from it; an hour-based service asks for the date, start
and end, other services for the date and the amount, transport also for kilometres. After saving,
the page shows what the server derived: band, price, charge, self-pay, km compensation, status."""

from __future__ import annotations

from decimal import Decimal

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.forms import error_message
from hbapp.components.layout import message_box, page
from hbapp.components.provider import provider_frame
from hbapp.db import get_engine
from hbapp.domain.events import parse_clock, parse_day, parse_quantity, visit_times
from hbapp.domain.inputs import parse_id
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.provider_events import (
    EventInput,
    EventRefused,
    local_now,
    provider_vouchers,
    record_event,
)
from hbapp.state import AppState, T
from hbapp.views.events import receipt_texts, refusal_message, voucher_options
from hbapp.pages.provider.events import provider_choice

FIELDS = ("voucher", "day", "start", "end", "units", "km")


class ProviderEventNewState(AppState):
    ready: bool = False
    denied: bool = False
    provider_id: str = ""
    provider_name: str = ""
    vouchers: list[dict[str, str]] = []
    voucher: str = ""
    unit: str = ""
    travel: bool = False
    values: dict[str, str] = {}
    error: str = ""
    error_field: str = ""
    step: str = "form"
    receipt: dict[str, str] = {}

    def _staff(self):
        current = self._refresh_session()
        if current is None:
            return None
        if not current.provider_ids or parse_id(self.provider_id) is None:
            self.denied = True
            return None
        return current

    def _choose(self, code: str) -> None:
        option = next((v for v in self.vouchers if v["code"] == code), None)
        self.voucher = option["code"] if option else ""
        self.unit = option["unit"] if option else ""
        self.travel = bool(option and option["travel"])

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = self.denied = False
        self.step, self.error, self.error_field = "form", "", ""
        self.values = {name: "" for name in FIELDS} | {"day": local_now().date().isoformat()}
        self.receipt, self.vouchers = {}, []
        current = self._refresh_session()
        pid, self.provider_name = provider_choice(self, current)
        self.provider_id = str(pid) if pid is not None and pid > 0 else ""
        if current is not None:
            try:
                if not self.provider_id:
                    raise AccessDenied("not_provider_staff")
                self.vouchers = voucher_options(self._t(), provider_vouchers(
                    get_engine(), provider_id=pid, actor=current.actor))
            except AccessDenied:
                self.denied = True
            self._choose(self.vouchers[0]["code"] if len(self.vouchers) == 1 else "")
        self.ready = True
        return self._page_ready(N_("Record a service event"))

    @rx.event
    @allow(Audience.PROVIDER_STAFF)
    def choose_voucher(self, code: str):
        self._choose(str(code))

    @rx.event
    @allow(Audience.PROVIDER_STAFF)
    def another(self):
        self.step, self.error, self.error_field, self.receipt = "form", "", "", {}
        self.values = {name: "" for name in FIELDS} | {"voucher": self.voucher,
                                                       "day": self.values.get("day", "")}
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")

    def _fail(self, field: str, message: str):
        self.error, self.error_field = message, field
        return rx.call_script(f"document.getElementById('f-{field}')?.focus()")

    @rx.event
    @allow(Audience.PROVIDER_STAFF)
    def submit(self, form_data: dict):
        if self.step != "form":
            return  # a double click records once
        current = self._staff()
        if current is None:
            return
        t = self._t()
        self.values = {name: str(form_data.get(name, ""))[:100] for name in FIELDS}
        self._choose(self.values["voucher"])
        self.error = self.error_field = ""
        if not self.voucher:
            return self._fail("voucher", t("Choose the voucher."))
        day = parse_day(self.values["day"])
        if day is None:
            return self._fail("day", t("Give the date, for example 30.11.2026."))
        start = end = units = None
        if self.unit == "hour":
            begins = parse_clock(self.values["start"])
            if begins is None:
                return self._fail("start", t("Give the start time, for example 18.30."))
            ends = parse_clock(self.values["end"])
            if ends is None:
                return self._fail("end", t("Give the end time, for example 19.30."))
            start, end = visit_times(day, begins, ends)
        else:
            units = parse_quantity(self.values["units"])
            if units is None:
                return self._fail("units", t("Give the amount as a number, for example 1."))
        km = Decimal(0)
        if self.travel and self.values["km"].strip():
            km = parse_quantity(self.values["km"])
            if km is None:
                return self._fail("km", t("Give the kilometres as a number, for example 12,5."))
        option = next(v for v in self.vouchers if v["code"] == self.voucher)
        try:
            event = record_event(
                get_engine(), provider_id=parse_id(self.provider_id) or 0, source="page",
                actor=current.actor,
                data=EventInput(voucher=self.voucher, service_code=option["service"],
                                start=start, end=end, day=None if start else day, units=units,
                                km=km))
        except AccessDenied:
            return self._fail("voucher", t("You do not have the right to do this."))
        except EventRefused as error:
            field = {"service_code": "voucher", "event": "voucher"}.get(error.field or "",
                                                                        error.field or "voucher")
            if field not in FIELDS:
                field = "voucher"
            return self._fail(field, refusal_message(t, error))
        self.receipt = receipt_texts(t, event)
        self.step = "done"
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")


def field(name: str, label: str, input_type: str = "text", hint: str | None = None,
          **attrs) -> rx.Component:
    s = ProviderEventNewState
    has_error = s.error_field == name
    described = f"f-{name}-hint f-{name}-error" if hint else f"f-{name}-error"
    return rx.el.div(
        rx.el.label(T(label), html_for=f"f-{name}", class_name="field-label"),
        rx.el.p(T(hint), id=f"f-{name}-hint", class_name="muted") if hint else rx.fragment(),
        error_message(f"f-{name}-error", s.error, has_error),
        rx.el.input(id=f"f-{name}", name=name, type=input_type, default_value=s.values[name],
                    auto_complete="off", aria_describedby=described,
                    aria_invalid=rx.cond(has_error, "true", "false"),
                    class_name="field-input", **attrs),
        class_name=rx.cond(has_error, "field field-has-error", "field"),
    )


def voucher_field() -> rx.Component:
    s = ProviderEventNewState
    has_error = s.error_field == "voucher"
    return rx.el.div(
        rx.el.label(T("Client and service (voucher)"), html_for="f-voucher",
                    class_name="field-label"),
        error_message("f-voucher-error", s.error, has_error),
        rx.el.select(
            rx.el.option(T("Choose…"), value=""),
            rx.foreach(s.vouchers, lambda v: rx.el.option(v["label"], value=v["code"])),
            id="f-voucher", name="voucher", value=s.voucher,
            on_change=s.choose_voucher, aria_describedby="f-voucher-error",
            aria_invalid=rx.cond(has_error, "true", "false"), class_name="field-input",
        ),
        class_name=rx.cond(has_error, "field field-has-error", "field"),
    )


def event_form() -> rx.Component:
    s = ProviderEventNewState
    return rx.cond(
        s.vouchers.length() > 0,
        rx.el.form(
            voucher_field(),
            field("day", N_("Date"), "date"),
            rx.cond(
                s.unit == "hour",
                rx.fragment(
                    field("start", N_("Start time"), "time",
                          N_("For example 18.30. Finnish time.")),
                    field("end", N_("End time"), "time",
                          N_("An end before the start is on the next day.")),
                ),
                rx.cond(s.unit != "",
                        field("units", N_("Amount"), "text",
                              N_("Days and visits in whole numbers."), input_mode="decimal")),
            ),
            rx.cond(s.travel, field("km", N_("Kilometres, one way"), "text",
                                    N_("Leave empty if there was no travel."),
                                    input_mode="decimal")),
            rx.el.button(T("Save the event"), type="submit", class_name="button"),
            on_submit=s.submit,
            reset_on_submit=False,
        ),
        message_box(T("You have no clients with a valid voucher.")),
    )


def receipt_row(label: str, key: str) -> rx.Component:
    value = ProviderEventNewState.receipt[key]
    return rx.cond(value != "", rx.el.div(rx.el.dt(T(label)), rx.el.dd(value)))


def receipt() -> rx.Component:
    s = ProviderEventNewState
    return rx.fragment(
        rx.cond(
            s.receipt["status"] == "recorded",
            rx.el.div(rx.el.p(T("The event has been recorded.")), role="status",
                      class_name="notice notice-success"),
            rx.el.div(rx.el.p(T("The event was saved, but it would take the client's budget "
                                "over what is left this month. It waits for the case worker's "
                                "review and does not count until it is approved.")),
                      role="status", class_name="notice notice-warning"),
        ),
        rx.el.h2(T("What was recorded"), id="receipt-heading"),
        rx.el.dl(
            receipt_row(N_("Client"), "client"),
            receipt_row(N_("Service"), "service"),
            receipt_row(N_("When"), "when"),
            receipt_row(N_("Amount"), "quantity"),
            receipt_row(N_("Time band"), "band"),
            receipt_row(N_("Your price"), "price"),
            receipt_row(N_("Charged to the budget"), "amount"),
            receipt_row(N_("Client's self-pay share"), "self_pay"),
            receipt_row(N_("Kilometres"), "km"),
            receipt_row(N_("Status"), "status_text"),
            class_name="figures receipt", aria_labelledby="receipt-heading",
        ),
        rx.el.p(
            rx.el.button(T("Record another event"), type="button", on_click=s.another,
                         class_name="button"),
        ),
        rx.el.p(rx.el.a(T("Back to the service events"),
                        href="/provider/events?provider=" + s.provider_id)),
    )


@rx.page(route="/provider/events/new", title="HB – Kirjaa palvelutapahtuma",
         on_load=ProviderEventNewState.load)
def provider_event_new() -> rx.Component:
    s = ProviderEventNewState
    return page(
        rx.el.a("‹ ", T("Service events"), href="/provider/events?provider=" + s.provider_id,
                class_name="back-link"),
        rx.el.h1(T("Record a service event")),
        provider_frame(s, rx.cond(s.step == "done", receipt(), event_form()),
                       "/provider/events/new"),
    )
