"""`/calculator`: a planned month of hourly help as own production, service voucher or HB."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import client_page, page
from hbapp.db import get_engine
from hbapp.domain.calculator import CalculatorInput, compare_costs
from hbapp.domain.timebands import TimeBand
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.calculator import calculator_setup
from hbapp.state import AppState, T, today
from hbapp.views.providers import BAND_LABELS

BANDS = [band.value for band in TimeBand]
MAX_HOURS = Decimal(744)  # every hour of a 31-day month


def parse_hours(text: str) -> Decimal | None:
    """ "10", "10,5" or "" (0) → hours; None when not a number from 0 to 744."""
    cleaned = (text or "").strip().replace(",", ".").replace(" ", "")
    if not cleaned:
        return Decimal(0)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value > MAX_HOURS or value.as_tuple().exponent < -2:
        return None
    return value


class CalculatorState(AppState):
    ready: bool = False
    denied: bool = False
    services: list[dict[str, str]] = []
    providers: list[dict[str, str]] = []  # of every service; "service" tells which
    service: str = ""
    provider: str = ""
    hours: dict[str, str] = {band: "" for band in BANDS}
    errors: dict[str, str] = {}
    results: list[dict[str, str]] = []
    assumptions: list[str] = []
    _last_form: dict = {}  # the last form calculated, to calculate again in a new language

    def _setup(self):
        current = self._refresh_session()
        if current is None or current.acting_for is None:
            return None
        try:
            return calculator_setup(
                get_engine(), current.actor, current.acting_for.client_id, today()
            )
        except AccessDenied:
            self.denied = True
            return None

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        self.denied = False
        # Loaded again in this tab (the language changed, or the person came back): keep what
        # was typed and compute the results again, in the language now chosen.
        again = bool(self.services)
        self.results, self.assumptions, self.errors = [], [], {}
        if not again:
            self.hours = {band: "" for band in BANDS}
            self.hours[TimeBand.WEEKDAY_DAY.value] = "20"
        kept_service, kept_provider = self.service, self.provider
        setup = self._setup()
        if setup is not None:
            t = self._t()
            self.services = [
                {"code": s.code, "name": s.names.get(t.locale)} for s in setup.services
            ]
            self.providers = [
                {"service": s.code, "id": str(p.provider_id), "name": p.name}
                for s in setup.services
                for p in s.providers
            ]
            self.service = setup.services[0].code if setup.services else ""
            self.provider = next(
                (p["id"] for p in self.providers if p["service"] == self.service), ""
            )
            if again and any(p["service"] == kept_service and p["id"] == kept_provider
                             for p in self.providers):
                self.service, self.provider = kept_service, kept_provider
        self.ready = True
        events = [self._page_ready(N_("Cost calculator"))]
        if again and self._last_form and setup is not None:
            events.append(CalculatorState.calculate(self._last_form))
        return events

    @rx.event
    @allow(Audience.CLIENT_VIEW)
    def pick_service(self, code: str):
        if any(s["code"] == code for s in self.services):
            self.service = code
            self.provider = next((p["id"] for p in self.providers if p["service"] == code), "")
            self.results = []

    @rx.event
    @allow(Audience.CLIENT_VIEW)
    def calculate(self, form: dict):
        setup = self._setup()
        if setup is None:
            return
        t = self._t()
        self.errors, self.results, self.assumptions = {}, [], []
        service = next((s for s in setup.services if s.code == form.get("service")), None)
        if service is None:
            self.errors = {"service": t("Choose a service.")}
            return
        self.service = service.code
        provider = next(
            (p for p in service.providers if str(p.provider_id) == str(form.get("provider"))), None
        )
        if provider is None:
            provider = service.providers[0]
        self.provider = str(provider.provider_id)
        planned: dict[str, Decimal] = {}
        for band in BANDS:
            text = str(form.get(f"hours_{band}", ""))
            self.hours[band] = text
            value = parse_hours(text)
            if value is None:
                self.errors[band] = t("Enter hours as a number from 0 to 744, for example 10,5.")
            else:
                planned[band] = value
        if self.errors:
            return rx.set_focus(f"hours-{next(iter(self.errors))}")
        self._last_form = {key: str(value) for key, value in form.items()}
        prices = {}
        for band in BANDS:
            if band in provider.price_by_band:
                prices[band] = provider.price_by_band[band]
            else:
                prices[band] = provider.price_by_band[TimeBand.WEEKDAY_DAY.value]
                if planned[band]:
                    self.assumptions.append(
                        t(
                            "{provider} has no own price for “{band}”, so its weekday price is used.",
                            provider=provider.name,
                            band=t(BAND_LABELS[band]),
                        )
                    )
        result = compare_costs(
            CalculatorInput(
                hours_by_band=planned,
                price_by_band=prices,
                hb_value_by_band=service.value_by_band,
                hb_self_pay_applies=service.self_pay_applies,
                own_fee_cents_per_hour=setup.own_fee_cents_per_hour,
                own_cost_cents_per_hour=setup.own_cost_cents_per_hour,
                voucher_max_cents_per_hour=setup.voucher_max_cents_per_hour,
            )
        )
        rows = [
            (N_("Own production of the wellbeing services county"), result.own_production),
            (N_("Service voucher"), result.voucher),
            (N_("Personal budget (HB)"), result.hb),
        ]
        self.results = [
            {
                "option": t(label),
                "client": t.money(cost.client_cents),
                "organizer": t.money(cost.organizer_cents),
                "total": t.money(cost.total_cents),
            }
            for label, cost in rows
        ]
        price_list = ", ".join(
            f"{t(BAND_LABELS[b])} {t('{price}/h', price=t.money(prices[b]))}"
            for b in BANDS
            if planned[b]
        )
        self.assumptions = [
            t("Hours in the month: {hours}", hours=t.quantity(result.hours, "hour")),
            t(
                "Provider: {provider}. Prices: {prices}",
                provider=provider.name,
                prices=price_list or "–",
            ),
            t(
                "Own production: you pay the client fee {fee}; an hour costs the county {cost}.",
                fee=t("{price}/h", price=t.money(setup.own_fee_cents_per_hour)),
                cost=t("{price}/h", price=t.money(setup.own_cost_cents_per_hour)),
            ),
            t(
                "Service voucher: the county pays at most {value}; you pay the rest of the price.",
                value=t("{price}/h", price=t.money(setup.voucher_max_cents_per_hour)),
            ),
            (
                t(
                    "Personal budget: the budget pays at most {value}; you pay the rest of the price.",
                    value=t(
                        "{price}/h",
                        price=t.money(service.value_by_band[TimeBand.WEEKDAY_DAY.value]),
                    ),
                )
                if service.self_pay_applies
                else t("Personal budget: the budget pays the whole price of this service.")
            ),
            t(
                "The client fee of own production depends on your income. The figure is the "
                "county's configured value."
            ),
            *self.assumptions,
        ]
        return rx.set_focus("results-heading")


def hours_input(band: str) -> rx.Component:
    s = CalculatorState
    field_id = f"hours-{band}"
    return rx.el.div(
        rx.el.label(T(BAND_LABELS[band]), html_for=field_id),
        rx.cond(
            s.errors.contains(band),
            rx.el.p(s.errors[band], id=f"{field_id}-error", class_name="error-message"),
        ),
        rx.el.input(
            id=field_id,
            name=f"hours_{band}",
            type="text",
            input_mode="decimal",
            default_value=s.hours[band],
            auto_complete="off",
            aria_describedby=rx.cond(s.errors.contains(band), f"{field_id}-error", "hours-hint"),
            class_name=rx.cond(s.errors.contains(band), "input input-error", "input"),
        ),
        class_name="form-group",
    )


def calculator_form() -> rx.Component:
    s = CalculatorState
    return rx.el.form(
        rx.el.div(
            rx.el.label(T("Service"), html_for="calc-service"),
            rx.el.select(
                rx.foreach(s.services, lambda o: rx.el.option(o["name"], value=o["code"])),
                id="calc-service",
                name="service",
                value=s.service,
                on_change=CalculatorState.pick_service,
                class_name="input-select",
            ),
            class_name="form-group",
        ),
        rx.el.div(
            rx.el.label(T("Provider whose prices are used"), html_for="calc-provider"),
            rx.el.select(
                rx.foreach(
                    s.providers,
                    lambda p: rx.cond(
                        p["service"] == s.service, rx.el.option(p["name"], value=p["id"])
                    ),
                ),
                id="calc-provider",
                name="provider",
                key=s.service,
                default_value=s.provider,
                class_name="input-select",
            ),
            class_name="form-group",
        ),
        rx.el.fieldset(
            rx.el.legend(T("Planned hours in one month")),
            rx.el.p(T("Leave empty if none."), id="hours-hint", class_name="muted"),
            *[hours_input(band) for band in BANDS],
            class_name="fieldset",
        ),
        rx.el.button(T("Calculate"), type="submit", class_name="button"),
        on_submit=CalculatorState.calculate,
        class_name="card",
    )


def results() -> rx.Component:
    s = CalculatorState
    return rx.el.section(
        rx.el.h2(T("Costs for the month"), id="results-heading", tab_index=-1),
        rx.el.table(
            rx.el.thead(
                rx.el.tr(
                    rx.el.th(T("Option"), scope="col"),
                    rx.el.th(T("You pay"), scope="col"),
                    rx.el.th(T("The county pays"), scope="col"),
                    rx.el.th(T("Total"), scope="col"),
                )
            ),
            rx.el.tbody(
                rx.foreach(
                    s.results,
                    lambda r: rx.el.tr(
                        rx.el.th(r["option"], scope="row"),
                        rx.el.td(r["client"], custom_attrs={"data-label": T("You pay")}),
                        rx.el.td(r["organizer"],
                                 custom_attrs={"data-label": T("The county pays")}),
                        rx.el.td(r["total"], custom_attrs={"data-label": T("Total")}),
                    ),
                )
            ),
            class_name="price-table calc-table stack-table",
        ),
        rx.el.h3(T("Assumptions")),
        rx.el.ul(rx.foreach(s.assumptions, lambda a: rx.el.li(a)), class_name="assumptions"),
        aria_labelledby="results-heading",
    )


@rx.page(route="/calculator", title="HB – Kustannuslaskuri", on_load=CalculatorState.load)
def calculator() -> rx.Component:
    s = CalculatorState
    return page(
        rx.el.h1(T("Cost calculator")),
        client_page(
            s,
            rx.fragment(
                rx.el.p(
                    T(
                        "Compare what a month of help costs you and the county: "
                        "the county's own service, a service voucher or your "
                        "personal budget."
                    ),
                    class_name="lead",
                ),
                calculator_form(),
                rx.cond(s.results.length() > 0, results()),
            ),
            "/calculator",
            T("You do not have the right to see this."),
        ),
    )
