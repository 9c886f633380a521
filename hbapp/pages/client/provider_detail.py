"""`/providers/[provider_id]`: one approved provider in plain language, prices, contact, NPS.

A suspended provider's page stays open to its current clients (issue 18): a notice says since
when and why, the contact details and feedback stay, and nothing new can be chosen there."""

from __future__ import annotations

import reflex as rx

from hbapp.domain.opening_hours import localize_opening_hours
from hbapp.authz import Audience, allow
from hbapp.components.layout import client_page, message_box, page
from hbapp.db import get_engine
from hbapp.domain.inputs import parse_id, text_param
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.providers import ProviderNotFound, provider_detail
from hbapp.state import AppState, T, today
from hbapp.views.provider_side import facts_confirmed_text, intake_text
from hbapp.views.providers import BAND_LABELS, languages_text, nps_text, price_text, refusal_text


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit() or ch == "+")


class ProviderDetailState(AppState):
    ready: bool = False
    denied: bool = False
    missing: bool = False
    info: dict[str, str] = {}
    services: list[dict[str, str]] = []
    prices: list[dict[str, str]] = []
    municipalities: str = ""
    comments: list[dict[str, str]] = []

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        self.denied = self.missing = False
        self.info, self.services, self.prices, self.comments = {}, [], [], []
        current = self._refresh_session()
        if current is not None and current.acting_for is not None:
            self._show(current)
        self.ready = True
        return self._page_ready(N_("Provider"))

    def _show(self, current):
        t = self._t()
        provider_id = parse_id(self.router.page.params.get("provider_id", ""))
        try:
            if provider_id is None:
                raise ProviderNotFound(provider_id)
            detail = provider_detail(
                get_engine(), current.actor, current.acting_for.client_id, provider_id, today()
            )
        except ProviderNotFound:
            self.missing = True
            return
        except AccessDenied:
            self.denied = True
            return
        wanted = text_param(self.router.page.params.get("service", ""))
        self.info = {
            "name": detail.name,
            "description": detail.descriptions.get(t.locale) or detail.descriptions["fi"],
            "languages": t("Languages: {languages}", languages=languages_text(t, detail.languages)),
            "capacity": intake_text(t, detail.intake, detail.expected_wait_weeks),
            "confirmed": facts_confirmed_text(t, detail.facts_confirmed_at),
            "closed_note": (refusal_text(t, detail.intake if detail.intake == "waiting_list"
                                         else "not_taking_clients", detail.name,
                                         detail.expected_wait_weeks)
                            if not detail.takes_new_clients and not detail.suspended_at
                            else ""),
            "evening": (
                t("Works in the evening")
                if detail.evening_service
                else t("Does not work in the evening")
            ),
            "weekend": (
                t("Works at weekends") if detail.weekend_service else t("Does not work at weekends")
            ),
            "phone": detail.phone,
            "tel": "tel:" + _digits(detail.phone),
            "email": detail.email,
            "mailto": "mailto:" + detail.email,
            "address": ", ".join(
                p
                for p in (detail.street_address, f"{detail.postal_code} {detail.city}".strip())
                if p
            ),
            "opening_hours": localize_opening_hours(detail.opening_hours, t.locale),
            "nps": nps_text(t, detail.nps),
            "back": f"/providers?service={wanted}" if wanted else "/providers",
            "suspended": (
                t("Suspended since {date}. Reason: {reason}. Your case worker will contact you "
                  "about a new provider.", date=t.date(detail.suspended_at),
                  reason=detail.suspended_reason or "–")
                if detail.suspended_at else ""),
        }
        name_index = 2 if t.locale == "sv" else 1
        self.municipalities = ", ".join(m[name_index] for m in detail.municipalities)
        self.services = []
        self.prices = []
        for service in detail.services:
            self.services.append(
                {
                    "code": service.code,
                    "name": service.names.get(t.locale),
                    "chosen": "1" if service.chosen else "",
                    # A suspended provider is not offered, and one that takes no new clients
                    # cannot be chosen: no new choice starts here (the note says why).
                    "closed": "1" if detail.suspended_at or not detail.takes_new_clients
                    else "",
                    "choose": f"/choose-provider?provider={detail.provider_id}&service={service.code}",
                    "choose_label": t(
                        "Choose {provider} for {service}",
                        provider=detail.name,
                        service=service.names.get(t.locale),
                    ),
                }
            )
            for band in service.bands:
                self.prices.append(
                    {
                        "service": service.code,
                        "band": t(BAND_LABELS[band.band]),
                        "price": price_text(t, band.price_cents, service.unit),
                        "self_pay": (
                            t.money(band.self_pay_cents) if band.self_pay_cents else t("none")
                        ),
                    }
                )
        self.comments = [
            {"text": c.text, "when": t.month(c.created_at.date())} for c in detail.comments
        ]


def service_prices(service: rx.Var) -> rx.Component:
    s = ProviderDetailState
    return rx.el.section(
        rx.el.h3(service["name"]),
        rx.el.table(
            rx.el.caption(T("Prices of"), " ", service["name"], class_name="visually-hidden"),
            rx.el.thead(
                rx.el.tr(
                    rx.el.th(T("When"), scope="col"),
                    rx.el.th(T("Price"), scope="col"),
                    rx.el.th(T("You pay yourself"), scope="col"),
                )
            ),
            rx.el.tbody(
                rx.foreach(
                    s.prices,
                    lambda p: rx.cond(
                        p["service"] == service["code"],
                        rx.el.tr(
                            rx.el.th(p["band"], scope="row"),
                            rx.el.td(p["price"], custom_attrs={"data-label": T("Price")}),
                            rx.el.td(p["self_pay"],
                                     custom_attrs={"data-label": T("You pay yourself")}),
                        ),
                    ),
                )
            ),
            class_name="price-table stack-table",
        ),
        rx.cond(
            service["chosen"] != "",
            rx.el.p(
                rx.el.strong(T("This is your current provider for this service.")), class_name="tag"
            ),
            rx.cond(
                service["closed"] != "",
                rx.cond(ProviderDetailState.info["closed_note"] != "",
                        rx.el.p(ProviderDetailState.info["closed_note"],
                                class_name="notice notice-warning")),
                rx.cond(
                    ProviderDetailState.acting_for_scopes.contains("manage"),
                    rx.el.p(rx.el.a(service["choose_label"], href=service["choose"],
                                    class_name="button")),
                ),
            ),
        ),
        class_name="card",
    )


def content() -> rx.Component:
    s = ProviderDetailState
    return rx.fragment(
        rx.cond(
            s.info["suspended"] != "",
            rx.el.div(
                rx.el.h2(T("This provider has been suspended"), id="suspended-heading"),
                rx.el.p(s.info["suspended"]),
                rx.el.p(T("You can still call or e-mail the provider, and give feedback.")),
                rx.el.p(rx.el.a(T("Give feedback"), href="/feedback")),
                class_name="notice notice-warning",
                id="provider-suspended",
                role="region",
                aria_labelledby="suspended-heading",
            ),
        ),
        rx.el.p(s.info["description"], class_name="lead"),
        rx.el.ul(
            rx.el.li(s.info["capacity"]),
            rx.el.li(s.info["evening"]),
            rx.el.li(s.info["weekend"]),
            rx.el.li(s.info["languages"]),
            rx.el.li(T("Serves:"), " ", s.municipalities),
            class_name="fact-list card",
        ),
        rx.el.p(s.info["confirmed"], class_name="muted", id="facts-confirmed"),
        rx.el.section(
            rx.el.h2(T("Contact"), id="contact-heading"),
            rx.el.dl(
                rx.el.div(
                    rx.el.dt(T("Phone")), rx.el.dd(rx.el.a(s.info["phone"], href=s.info["tel"]))
                ),
                rx.el.div(
                    rx.el.dt(T("Email")), rx.el.dd(rx.el.a(s.info["email"], href=s.info["mailto"]))
                ),
                rx.el.div(rx.el.dt(T("Address")), rx.el.dd(s.info["address"])),
                rx.el.div(rx.el.dt(T("Opening hours")), rx.el.dd(s.info["opening_hours"])),
                class_name="figures contact-list",
            ),
            class_name="card",
            aria_labelledby="contact-heading",
        ),
        rx.el.section(
            rx.el.h2(T("Services and prices"), id="prices-heading"),
            rx.el.p(
                T(
                    "The price depends on the time of day. If the price is higher than the "
                    "value in your budget, you pay the difference yourself."
                ),
                class_name="muted",
            ),
            rx.foreach(s.services, service_prices),
            aria_labelledby="prices-heading",
        ),
        rx.el.section(
            rx.el.h2(T("What other clients say"), id="nps-heading"),
            rx.el.p(s.info["nps"], id="provider-nps"),
            rx.el.p(
                T(
                    "The score is from −100 to 100. With few answers it is uncertain, so "
                    "the range shows where the true score is likely to be."
                ),
                class_name="muted",
            ),
            rx.cond(
                s.comments.length() > 0,
                rx.el.ul(
                    rx.foreach(
                        s.comments,
                        lambda c: rx.el.li(
                            rx.el.blockquote(c["text"]),
                            rx.el.p(c["when"], class_name="muted"),
                            class_name="comment",
                        ),
                    ),
                    class_name="card-list",
                ),
                rx.el.p(T("No comments yet.")),
            ),
            aria_labelledby="nps-heading",
        ),
    )


@rx.page(
    route="/providers/[provider_id]",
    title="HB – Palveluntuottaja",
    on_load=ProviderDetailState.load,
)
def provider_page() -> rx.Component:
    s = ProviderDetailState
    return page(
        rx.el.p(
            rx.el.a(
                T("Back to providers"),
                href=rx.cond(s.info["back"], s.info["back"], "/providers"),
            ),
            class_name="back-link",
        ),
        rx.el.h1(rx.cond(s.info["name"], s.info["name"], T("Provider"))),
        client_page(
            s,
            rx.cond(
                s.missing, message_box(T("This provider cannot be found."), "error"), content()
            ),
            "/providers",
            T("You do not have the right to see this."),
        ),
    )
