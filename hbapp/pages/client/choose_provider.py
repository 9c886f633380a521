"""`/choose-provider?provider=ID&service=CODE`: check your answers, then confirm the choice."""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import client_page, message_box, page
from hbapp.db import get_engine
from hbapp.domain.inputs import parse_id, text_param
from hbapp.i18n import N_, of_each_unit
from hbapp.services.access import AccessDenied
from hbapp.services.providers import (
    ChoiceError,
    ProviderNotFound,
    choice_preview,
    choose_provider,
)
from hbapp.state import AppState, T, today
from hbapp.views.providers import band_rows, price_text, refusal_text


class ChooseProviderState(AppState):
    ready: bool = False
    denied: bool = False
    missing: bool = False
    done: bool = False
    error: str = ""
    provider_id: int = 0
    service: str = ""
    summary: dict[str, str] = {}
    bands: list[dict[str, str]] = []
    refusal: str = ""
    refusal_href: str = ""

    def _preview(self, current) -> bool:
        t = self._t()
        try:
            preview = choice_preview(
                get_engine(),
                current.actor,
                current.acting_for.client_id,
                self.provider_id,
                self.service,
                today(),
            )
        except AccessDenied:
            self.denied = True
            return False
        except ChoiceError as error:
            if error.code in ("not_taking_clients", "waiting_list"):
                self.refusal = refusal_text(t, error.code, error.provider_name, error.wait_weeks)
                self.refusal_href = f"/providers/{self.provider_id}?service={self.service}"
            else:
                self.missing = True
            return False
        except ProviderNotFound:
            self.missing = True
            return False
        self.bands = band_rows(t, preview.bands, preview.unit)
        self.summary = {
            "service": preview.service_names.get(t.locale),
            "provider": preview.provider_name,
            "price": price_text(t, preview.price_cents, preview.unit),
            "self_pay": (
                of_each_unit(preview.self_pay_per_unit_cents, preview.unit, t)
                if preview.self_pay_per_unit_cents
                else t("none")
            ),
            "current": preview.current_provider or t("none"),
            "already": "1" if preview.already_chosen else "",
            "voucher": preview.voucher_code or "",
            "provider_href": f"/providers/{preview.provider_id}?service={preview.service_code}",
            "list_href": f"/providers?service={preview.service_code}",
        }
        return True

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        self.denied = self.missing = self.done = False
        self.error = ""
        self.summary, self.bands, self.refusal, self.refusal_href = {}, [], "", ""
        params = self.router.page.params
        self.provider_id = parse_id(params.get("provider", "")) or 0
        self.service = text_param(params.get("service", ""))
        current = self._refresh_session()
        if current is not None and current.acting_for is not None:
            self._preview(current)
        self.ready = True
        return self._page_ready(N_("Check your choice"))

    @rx.event
    @allow(Audience.CLIENT_MANAGE)
    def confirm(self):
        if self.done or not self.summary or self.summary.get("already"):
            return  # confirmed once already (a double click), or nothing to confirm
        current = self._refresh_session()
        if current is None or current.acting_for is None:
            return
        try:
            choose_provider(
                get_engine(),
                current.actor,
                current.acting_for.client_id,
                self.provider_id,
                self.service,
                today(),
            )
        except AccessDenied:
            self.denied = True
            return
        except ChoiceError as error:
            t = self._t()
            self.error = (refusal_text(t, error.code, error.provider_name, error.wait_weeks)
                          if error.code in ("not_taking_clients", "waiting_list")
                          else t("This provider cannot be chosen for this service."))
            return
        except ProviderNotFound:
            t = self._t()
            self.error = t("This provider cannot be chosen for this service.")
            return
        # The saved choice's voucher code, for the confirmation (the preview reads it back).
        voucher = self.summary.get("voucher", "")
        if self._preview(current):
            voucher = self.summary.get("voucher", "")
        self.summary = {**self.summary, "already": "", "voucher": voucher}
        self.done = True
        return rx.set_focus("choice-done")


def summary_row(label, value, change_href=None, change_label=None) -> rx.Component:
    return rx.el.div(
        rx.el.dt(label),
        rx.el.dd(value),
        rx.el.dd(
            rx.el.a(
                T("Change"),
                rx.el.span(" ", change_label, class_name="visually-hidden"),
                href=change_href,
            )
        )
        if change_href is not None
        else rx.el.dd(""),
        class_name="summary-row",
    )


def band_table(bands) -> rx.Component:
    """The price in every time band and the self-pay for this person: evenings and weekends
    often cost more than the budget's unit value, and the person pays the difference."""
    return rx.el.section(
        rx.el.h2(T("Prices and what you pay yourself"), id="band-prices-heading"),
        rx.el.table(
            rx.el.thead(rx.el.tr(
                rx.el.th(T("When"), scope="col"),
                rx.el.th(T("Price"), scope="col"),
                rx.el.th(T("You pay yourself"), scope="col"),
            )),
            rx.el.tbody(rx.foreach(bands, lambda b: rx.el.tr(
                rx.el.th(b["band"], scope="row"),
                rx.el.td(b["price"], custom_attrs={"data-label": T("Price")}),
                rx.el.td(b["self_pay"], custom_attrs={"data-label": T("You pay yourself")}),
                custom_attrs={"data-band": b["band_code"]},
            ))),
            class_name="price-table stack-table",
            id="band-prices",
        ),
        aria_labelledby="band-prices-heading",
    )


def refusal_panel() -> rx.Component:
    s = ChooseProviderState
    return rx.el.div(
        rx.el.p(s.refusal),
        rx.el.ul(
            rx.el.li(rx.el.a(T("Contact details of the provider"), href=s.refusal_href)),
            rx.el.li(rx.el.a(T("Choose another provider"), href="/providers")),
            class_name="link-list",
        ),
        class_name="notice notice-warning",
        role="status",
        id="choice-refused",
    )


def check_answers() -> rx.Component:
    s = ChooseProviderState
    return rx.fragment(
        rx.el.p(T("Check that these are right. Nothing changes before you confirm.")),
        rx.el.dl(
            summary_row(T("Service"), s.summary["service"], s.summary["list_href"], T("service")),
            summary_row(
                T("New provider"), s.summary["provider"], s.summary["list_href"], T("provider")
            ),
            summary_row(T("Provider until now"), s.summary["current"]),
            class_name="summary-list",
        ),
        band_table(s.bands),
        rx.cond(s.error != "", rx.el.p(s.error, class_name="notice notice-error", role="alert")),
        rx.cond(
            s.summary["already"] != "",
            rx.fragment(
                rx.el.p(T("This is already your provider for this service.")),
                rx.cond(s.summary["voucher"] != "",
                        rx.el.p(T("Your voucher code:"), " ", rx.el.strong(s.summary["voucher"]))),
            ),
            rx.el.button(
                T("Confirm choice"),
                type="button",
                on_click=ChooseProviderState.confirm,
                class_name="button",
            ),
        ),
        rx.el.p(T("You can change the provider later on the providers page."), class_name="muted"),
    )


def done_panel() -> rx.Component:
    s = ChooseProviderState
    return rx.el.div(
        rx.el.h2(T("Choice saved"), id="choice-done", tab_index=-1),
        rx.el.p(s.summary["provider"], " – ", s.summary["service"]),
        rx.cond(s.summary["voucher"] != "",
                rx.el.p(T("Your voucher code:"), " ", rx.el.strong(s.summary["voucher"]),
                        id="choice-voucher")),
        rx.el.p(
            T(
                "Tell the provider when you want the service to start. Their contact "
                "details are on the provider page."
            )
        ),
        rx.el.ul(
            rx.el.li(
                rx.el.a(T("Contact details of the provider"), href=s.summary["provider_href"])
            ),
            rx.el.li(rx.el.a(T("Back to the front page"), href="/")),
            class_name="link-list",
        ),
        class_name="notice notice-success",
        role="status",
    )


@rx.page(
    route="/choose-provider",
    title="HB – Valitse palveluntuottaja",
    on_load=ChooseProviderState.load,
)
def choose_provider_page() -> rx.Component:
    s = ChooseProviderState
    return page(
        rx.el.p(
            rx.el.a(
                T("Back"),
                href=rx.cond(s.summary["provider_href"], s.summary["provider_href"], "/providers"),
            ),
            class_name="back-link",
        ),
        rx.el.h1(T("Check your choice")),
        client_page(
            s,
            rx.cond(
                s.refusal != "",
                refusal_panel(),
                rx.cond(
                    s.missing,
                    message_box(T("This provider cannot be chosen for this service."), "error"),
                    rx.cond(s.done, done_panel(), check_answers()),
                ),
            ),
            "/providers",
            T("You do not have the right to choose providers for this person."),
        ),
    )
