"""`/provider/prices`: the provider's prices in force today per service and time band, later
approved ones, and price change requests (an administrator approves them)."""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.forms import date_fields, error_message, submit_button, text_field
from hbapp.components.layout import page
from hbapp.components.provider import provider_frame, wanted_provider
from hbapp.db import get_engine
from hbapp.domain.mandates import InvalidMandate, parse_day_month_year
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.price_requests import (
    BAND_ORDER,
    PriceRequestError,
    provider_prices,
    request_options,
    request_price_change,
)
from hbapp.state import AppState, T, today
from hbapp.views.provider_side import PRICE_ERRORS, REQUEST_STATUS, local_date_text
from hbapp.views.providers import BAND_LABELS, price_text


class ProviderPricesState(AppState):
    ready: bool = False
    denied: bool = False
    provider_id: int = 0
    provider_name: str = ""
    prices: list[dict[str, str]] = []
    requests: list[dict[str, str]] = []
    services: list[dict[str, str]] = []
    notice: str = ""
    error: str = ""
    error_field: str = ""
    service: str = ""
    band: str = "weekday_day"
    price: str = ""
    day: str = ""
    month: str = ""
    year: str = ""

    def _show(self, current) -> None:
        t = self._t()
        try:
            wish = self.provider_id or wanted_provider(self, current)
            shown = provider_prices(get_engine(), current.actor, wish, today())
            options = request_options(get_engine(), current.actor, wish)
        except AccessDenied:
            self.denied = True
            return
        self.provider_id, self.provider_name = shown.provider_id, shown.provider_name
        self.prices = [{
            "service": p.names.get(t.locale), "band": t(BAND_LABELS[p.band]),
            "price": price_text(t, p.price_cents, p.unit) if p.price_cents is not None
            else t("not offered"),
            "upcoming": "; ".join(t("from {date}: {price}", date=t.date(day),
                                    price=price_text(t, cents, p.unit))
                                  for day, cents in p.upcoming),
        } for p in shown.prices]
        self.requests = [{
            "id": str(r.request_id), "service": r.names.get(t.locale),
            "band": t(BAND_LABELS[r.band]), "price": price_text(t, r.price_cents, r.unit),
            "from": t.date(r.effective_from), "status": t(REQUEST_STATUS.get(r.status, "")),
            "status_code": r.status, "note": r.note,
            "asked": t("Asked by {name} on {date}", name=r.requested_by,
                       date=local_date_text(t, r.requested_at)),
        } for r in shown.requests]
        self.services = [{"code": code, "name": names.get(t.locale)}
                         for code, names, _unit, _bands in options]

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = self.denied = False
        self.provider_id, self.provider_name = 0, ""
        self.prices, self.requests, self.services = [], [], []
        self.notice = self.error = self.error_field = ""
        self.service, self.band, self.price = "", "weekday_day", ""
        self.day = self.month = self.year = ""
        current = self._refresh_session()
        if current is not None:
            self._show(current)
        self.ready = True
        return self._page_ready(N_("Prices"))

    def _fail(self, code: str, field: str) -> None:
        self.error = self._t()(PRICE_ERRORS.get(code, PRICE_ERRORS["bad_price"]))
        self.error_field = field
        self.notice = ""

    @rx.event
    @allow(Audience.PROVIDER_STAFF)
    def ask(self, form_data: dict):
        current = self._refresh_session()
        if current is None or not self.provider_id:
            return
        t = self._t()
        self.service = str(form_data.get("service", ""))[:60]
        self.band = str(form_data.get("band", ""))[:30]
        self.price = str(form_data.get("price", ""))[:30]
        self.day = str(form_data.get("effective_from_day", ""))[:4]
        self.month = str(form_data.get("effective_from_month", ""))[:4]
        self.year = str(form_data.get("effective_from_year", ""))[:6]
        try:
            effective_from = parse_day_month_year(self.day, self.month, self.year)
        except InvalidMandate:
            effective_from = None
        try:
            request_price_change(get_engine(), current.actor, self.provider_id, self.service,
                                 self.band, self.price, effective_from, today())
        except AccessDenied:
            self.denied = True
            return
        except PriceRequestError as error:
            self._fail(error.code, error.field)
            return
        self.error = self.error_field = ""
        self.price = self.day = self.month = self.year = ""
        self._show(current)
        self.notice = t("Your price request was sent. An administrator approves it; clients "
                        "see the new price from its date.")
        return rx.call_script("document.getElementById('price-form')?.reset()")


S = ProviderPricesState


def select_field(name: str, label, options: list[rx.Component] | rx.Component) -> rx.Component:
    has_error = S.error_field == name
    return rx.el.div(
        rx.el.label(label, html_for=f"f-{name}", class_name="field-label"),
        error_message(f"f-{name}-error", S.error, has_error),
        rx.el.select(options, id=f"f-{name}", name=name, class_name="field-input",
                     aria_describedby=f"f-{name}-error",
                     aria_invalid=rx.cond(has_error, "true", "false")),
        class_name=rx.cond(has_error, "field field-has-error", "field"),
    )


def price_table() -> rx.Component:
    return rx.el.div(
        rx.el.table(
            rx.el.caption(T("Prices in force today")),
            rx.el.thead(rx.el.tr(
                rx.el.th(T("Service"), scope="col"), rx.el.th(T("When"), scope="col"),
                rx.el.th(T("Price"), scope="col"), rx.el.th(T("Coming"), scope="col"))),
            rx.el.tbody(rx.foreach(S.prices, lambda p: rx.el.tr(
                rx.el.th(p["service"], scope="row"), rx.el.td(p["band"]),
                rx.el.td(p["price"]), rx.el.td(p["upcoming"])))),
            class_name="data-table", id="price-table",
        ),
        class_name="table-scroll", tab_index=0, role="region",
        aria_label=T("Prices in force today"),
    )


def request_form() -> rx.Component:
    return rx.el.section(
        rx.el.h2(T("Ask for a new price"), id="ask-heading"),
        rx.el.form(
            select_field("service", T("Service"), rx.foreach(
                S.services, lambda s: rx.el.option(s["name"], value=s["code"]))),
            select_field("band", T("When"), [rx.el.option(T(BAND_LABELS[band]), value=band)
                                            for band in BAND_ORDER]),
            text_field("price", T("New price in euros per unit"), S.price, S.error,
                       S.error_field, hint=rx.el.p(T("For example 41,50"), class_name="hint")),
            date_fields("effective_from", T("Valid from"), S.day, S.month, S.year, S.error,
                        S.error_field, hint=rx.el.p(T("Today or later."), class_name="hint")),
            submit_button(T("Send the request")),
            on_submit=S.ask, reset_on_submit=False, id="price-form",
        ),
        aria_labelledby="ask-heading",
    )


def request_list() -> rx.Component:
    return rx.cond(S.requests.length() > 0, rx.fragment(
        rx.el.h2(T("Your price requests")),
        rx.el.ul(rx.foreach(S.requests, lambda r: rx.el.li(
            rx.el.p(rx.el.strong(r["service"]), " · ", r["band"]),
            rx.el.p(r["price"], " · ", T("from"), " ", r["from"]),
            rx.el.p(T("Status:"), " ", rx.el.strong(r["status"])),
            rx.cond(r["note"] != "", rx.el.p(T("Note:"), " ", r["note"])),
            rx.el.p(r["asked"], class_name="muted"),
            class_name="card")), class_name="card-list-plain", id="price-requests"),
    ))


def content() -> rx.Component:
    return rx.el.div(
        rx.cond(S.notice != "", rx.el.div(rx.el.p(S.notice), class_name="notice notice-success",
                                          role="status", id="price-notice")),
        price_table(),
        request_form(),
        request_list(),
        class_name="access-pages",
    )


@rx.page(route="/provider/prices", title="HB – Hinnat", on_load=S.load)
def provider_prices_page() -> rx.Component:
    return page(
        rx.el.h1(T("Prices")),
        provider_frame(S, content(), "/provider/prices"),
    )
