"""`/providers`: compare the approved providers of one service and what the budget buys there."""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import client_page, page
from hbapp.db import get_engine
from hbapp.domain.inputs import text_param
from hbapp.i18n import N_, of_each_unit
from hbapp.services.access import AccessDenied
from hbapp.services.providers import SORTS, Filters, list_providers
from hbapp.state import AppState, T, today
from hbapp.views.provider_side import facts_confirmed_text, intake_text
from hbapp.views.providers import band_rows, km_text, languages_text, nps_text, price_text

SORT_LABELS = {
    "price": N_("Price, cheapest first"),
    "nps": N_("Recommendation score"),
    "name": N_("Name"),
}


def _on(form: dict, name: str) -> bool:
    return form.get(name) in ("on", True, "true")


class ProvidersState(AppState):
    ready: bool = False
    denied: bool = False
    service: str = ""
    municipality: str = ""
    language: str = ""
    new_only: bool = False
    evening: bool = False
    weekend: bool = False
    sort: str = "price"
    services: list[dict[str, str]] = []
    municipalities: list[dict[str, str]] = []
    offers: list[dict[str, str]] = []
    offer_bands: list[dict[str, str]] = []
    km_note: str = ""
    result_text: str = ""

    def _fetch(self, current, keep_municipality: bool):
        t = self._t()
        self.denied = False
        self.offers, self.offer_bands = [], []
        try:
            result = list_providers(
                get_engine(),
                current.actor,
                current.acting_for.client_id,
                self.service,
                Filters(
                    self.municipality,
                    self.language,
                    self.new_only,
                    self.evening,
                    self.weekend,
                    self.sort,
                ),
                today(),
            )
        except AccessDenied:
            self.denied = True
            return
        if not keep_municipality:
            self.municipality = result.client_municipality
            return self._fetch(current, True)
        self.service = result.service_code
        name_field = 2 if t.locale == "sv" else 1
        self.municipalities = [{"code": m[0], "name": m[name_field]} for m in result.municipalities]
        self.services = [
            {
                "code": s.code,
                "name": s.names.get(t.locale)
                + ("" if s.on_budget else " – " + t("not in your budget")),
            }
            for s in result.services
        ]
        self.km_note = (
            km_text(t, result.km_rule.rate_cents, result.km_rule.free_km, result.km_rule.max_km)
            if result.km_rule
            else ""
        )
        self.offers = [
            {
                "id": str(o.provider_id),
                "href": f"/providers/{o.provider_id}?service={result.service_code}",
                "name": o.name,
                "city": o.city,
                "price": price_text(t, o.price_cents, o.unit),
                "buys": (
                    t(
                        "Your {amount} buys {quantity}",
                        amount=t.money(o.remaining_cents),
                        quantity=t.quantity(o.buys_units, o.unit),
                    )
                    if o.buys_units is not None and o.remaining_cents > 0
                    else t("There is no money left for this service this month.")
                    if o.remaining_cents is not None
                    else ""
                ),
                "self_pay": (
                    t(
                        "You pay yourself {amount}, because the price is higher than the "
                        "budget's value {value}.",
                        amount=of_each_unit(o.self_pay_per_unit_cents, o.unit, t),
                        value=price_text(t, o.unit_value_cents, o.unit),
                    )
                    if o.self_pay_per_unit_cents
                    else ""
                ),
                "nps": nps_text(t, o.nps),
                "capacity": intake_text(t, o.intake, o.expected_wait_weeks),
                "confirmed": facts_confirmed_text(t, o.facts_confirmed_at),
                "hours": ", ".join(
                    [
                        t("Evenings") if o.evening_service else t("No evenings"),
                        t("Weekends") if o.weekend_service else t("No weekends"),
                    ]
                ),
                "languages": t("Languages: {languages}", languages=languages_text(t, o.languages)),
                "chosen": "1" if o.chosen else "",
            }
            for o in result.offers
        ]
        # Every band's price and this person's self-pay, shown compactly on each card.
        self.offer_bands = [
            {**row, "offer": str(o.provider_id)}
            for o in result.offers for row in band_rows(t, o.bands, o.unit)
        ]
        self.result_text = t.ngettext(
            "{n} provider found", "{n} providers found", len(self.offers), n=len(self.offers)
        )

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        current = self._refresh_session()
        params = self.router.page.params
        self.service = text_param(params.get("service", ""))
        self.language = ""
        self.new_only = self.evening = self.weekend = False
        self.sort = "price"
        if current is not None and current.acting_for is not None:
            self._fetch(current, keep_municipality=False)
        self.ready = True
        return self._page_ready(N_("Providers"))

    @rx.event
    @allow(Audience.CLIENT_VIEW)
    def apply_filters(self, form: dict):
        current = self._refresh_session()
        if current is None or current.acting_for is None:
            return
        self.service = str(form.get("service", self.service))
        municipality = str(form.get("municipality", ""))
        self.municipality = (
            municipality if any(m["code"] == municipality for m in self.municipalities) else ""
        )
        self.language = (
            str(form.get("language", "")) if form.get("language") in ("fi", "sv", "en") else ""
        )
        self.new_only = _on(form, "new_only")
        self.evening = _on(form, "evening")
        self.weekend = _on(form, "weekend")
        self.sort = str(form.get("sort")) if form.get("sort") in SORTS else "price"
        self._fetch(current, keep_municipality=True)
        return rx.set_focus("results-heading")


def _select(label: rx.Var, name: str, value: rx.Var, *options) -> rx.Component:
    return rx.el.div(
        rx.el.label(label, html_for=f"filter-{name}"),
        rx.el.select(
            *options, id=f"filter-{name}", name=name, default_value=value, class_name="input-select"
        ),
        class_name="form-group",
    )


def _checkbox(label: rx.Var, name: str, checked: rx.Var) -> rx.Component:
    return rx.el.div(
        rx.el.input(
            type="checkbox",
            id=f"filter-{name}",
            name=name,
            default_checked=checked,
            class_name="checkbox-input",
        ),
        rx.el.label(label, html_for=f"filter-{name}"),
        class_name="checkbox-item",
    )


def filter_form() -> rx.Component:
    s = ProvidersState
    return rx.el.form(
        _select(
            T("Service"),
            "service",
            s.service,
            rx.foreach(s.services, lambda o: rx.el.option(o["name"], value=o["code"])),
        ),
        rx.el.details(
            rx.el.summary(T("Filter and sort")),
            _select(
                T("Municipality"),
                "municipality",
                s.municipality,
                rx.el.option(T("All municipalities"), value=""),
                rx.foreach(s.municipalities, lambda m: rx.el.option(m["name"], value=m["code"])),
            ),
            _select(
                T("Language of service"),
                "language",
                s.language,
                rx.el.option(T("Any language"), value=""),
                rx.el.option(T("Finnish"), value="fi"),
                rx.el.option(T("Swedish"), value="sv"),
                rx.el.option(T("English"), value="en"),
            ),
            rx.el.fieldset(
                rx.el.legend(T("Show only providers that")),
                _checkbox(T("take new clients"), "new_only", s.new_only),
                _checkbox(T("work in the evening"), "evening", s.evening),
                _checkbox(T("work at weekends"), "weekend", s.weekend),
                class_name="fieldset",
            ),
            _select(
                T("Sort by"),
                "sort",
                s.sort,
                *[rx.el.option(T(label), value=key) for key, label in SORT_LABELS.items()],
            ),
            open=True,
            class_name="filters",
        ),
        rx.el.button(T("Show providers"), type="submit", class_name="button"),
        on_submit=ProvidersState.apply_filters,
        class_name="card",
        aria_label=T("Choose service and filters"),
    )


def offer_card(offer: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.h3(rx.el.a(offer["name"], href=offer["href"])),
        rx.cond(
            offer["chosen"] != "",
            rx.el.p(rx.el.strong(T("Your current provider")), class_name="tag"),
        ),
        rx.el.p(offer["city"], class_name="muted"),
        rx.el.p(T("Price:"), " ", rx.el.strong(offer["price"]), class_name="offer-price"),
        rx.el.dl(
            rx.foreach(ProvidersState.offer_bands, lambda b: rx.cond(
                b["offer"] == offer["id"],
                rx.el.div(
                    rx.el.dt(b["band"]),
                    rx.el.dd(b["price"], rx.el.br(), T("You pay yourself"), ": ", b["self_pay"]),
                    custom_attrs={"data-band": b["band_code"]},
                ),
            )),
            class_name="band-prices",
            aria_label=T("Prices by time of day"),
        ),
        rx.cond(offer["buys"] != "", rx.el.p(offer["buys"], class_name="offer-buys")),
        rx.cond(offer["self_pay"] != "", rx.el.p(offer["self_pay"], class_name="warning-text")),
        rx.el.p(offer["nps"]),
        rx.el.ul(
            rx.el.li(offer["capacity"]),
            rx.el.li(offer["hours"]),
            rx.el.li(offer["languages"]),
            class_name="fact-list",
        ),
        rx.el.p(offer["confirmed"], class_name="muted facts-confirmed"),
        rx.el.p(
            rx.el.a(
                rx.cond(ProvidersState.acting_for_scopes.contains("manage"),
                        T("See details and choose"), T("See details")),
                " ",
                rx.el.span(offer["name"], class_name="visually-hidden"),
                href=offer["href"],
                class_name="button button-secondary",
            )
        ),
        class_name=rx.cond(offer["chosen"] != "", "card offer offer-chosen", "card offer"),
    )


def content() -> rx.Component:
    s = ProvidersState
    return rx.fragment(
        rx.el.p(
            T(
                "Compare the approved providers. Open a provider to see all prices, contact "
                "details and to choose it."
            ),
            class_name="lead",
        ),
        filter_form(),
        rx.el.section(
            rx.el.h2(T("Providers"), id="results-heading", tab_index=-1),
            rx.el.p(s.result_text, role="status", class_name="result-count"),
            rx.cond(s.km_note != "", rx.el.p(s.km_note, class_name="notice")),
            rx.cond(
                s.offers.length() > 0,
                rx.el.ul(rx.foreach(s.offers, offer_card), class_name="card-list"),
                rx.el.p(
                    T(
                        "No provider matches these choices. Try another municipality or "
                        "fewer filters."
                    )
                ),
            ),
            aria_labelledby="results-heading",
        ),
    )


@rx.page(route="/providers", title="HB – Palveluntuottajat", on_load=ProvidersState.load)
def providers() -> rx.Component:
    s = ProvidersState
    return page(
        rx.el.h1(T("Compare providers")),
        client_page(
            s,
            content(),
            "/providers",
            T("You do not have the right to see this."),
        ),
    )
