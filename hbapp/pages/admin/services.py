"""`/admin/services`: the organizer's service catalog (administrators).

Service types with names in Finnish, Swedish and English, their unit, and unit values with
effective dates (per time band for banded services). A new value applies to decisions (and
changes of decisions) from its date; decisions made earlier keep their values, and a decision
may fix its own. Every change goes through a check step; the catalog service checks the
administrator's right again and audits it.
"""

from __future__ import annotations

from typing import ClassVar

from datetime import date

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.forms import (
    back_button,
    checkbox,
    choice_group,
    date_fields,
    radio,
    submit_button,
    summary_row,
    text_field,
)
from hbapp.components.layout import loading, message_box, page, sign_in_prompt
from hbapp.db import get_engine
from hbapp.domain.mandates import InvalidMandate, parse_day_month_year
from hbapp.domain.money import MoneyFormatError, parse_euros
from hbapp.domain.units import Unit
from hbapp.i18n import N_
from hbapp.services import catalog
from hbapp.services.access import AccessDenied
from hbapp.state import AppState, T, today
from hbapp.views.decisions import BAND_NAMES, values_text

UNIT_LABELS = {
    "hour": N_("hour"), "day": N_("day"), "visit": N_("visit"), "km": N_("kilometre"),
    "euro": N_("euro"),
}
CATALOG_ERRORS = {
    "date_in_past": N_("The date must be today or later: decisions already made keep their "
                       "values."),
    "bad_value": N_("Enter the unit value in euros, more than zero, for example 41,50."),
    "bad_code": N_("Use 2–40 lower-case letters, digits or _, starting with a letter, for "
                   "example swimming_hall."),
    "code_taken": N_("This code is already in the catalog."),
    "name_missing": N_("Enter the name in all three languages."),
    "name_too_long": N_("The name is too long. Use at most 120 characters."),
    "bad_unit": N_("Choose the unit."),
    "date_missing": N_("Enter the day, month and year."),
    "date_invalid": N_("Enter a real date, for example 1 1 2027."),
}


class AdminServicesState(AppState):
    # Its on_load starts afresh (forgetting what was typed): a language switch re-renders
    # the labels only (see AppState.RELOAD_ON_LANGUAGE).
    RELOAD_ON_LANGUAGE: ClassVar[bool] = False
    ready: bool = False
    denied: bool = False
    step: str = "list"  # list, value, names, new, check
    action: str = ""  # value, names, new
    services: list[dict[str, str]] = []
    history: dict[str, list[str]] = {}
    notice: str = ""
    error: str = ""
    error_field: str = ""
    service_id: str = ""
    service_name: str = ""
    banded: bool = False
    day: str = ""
    month: str = ""
    year: str = ""
    values: dict[str, str] = {}
    name_fi: str = ""
    name_sv: str = ""
    name_en: str = ""
    code: str = ""
    unit: str = ""
    check_rows: list[dict[str, str]] = []

    def _list(self, current) -> None:
        t = self._t()
        try:
            rows = catalog.admin_catalog(get_engine(), current.actor, today())
        except AccessDenied:
            self.denied = True
            return
        self.services = [{
            "id": str(s.id), "code": s.code, "name": s.name(t.locale),
            "names": f"{s.name_fi} / {s.name_sv} / {s.name_en}",
            "unit": t(UNIT_LABELS.get(s.unit, s.unit)),
            "banded": "1" if s.time_banded else "",
            "today": t("In force today: {values}",
                       values=values_text(t, s.unit, s.values_today)),
        } for s in rows]
        self.history = {
            str(s.id): [t("From {date}: {values}", date=t.date(v.valid_from),
                          values=(t(BAND_NAMES[v.band]) + " " if s.time_banded else "")
                          + t.money(v.unit_value_cents))
                        for v in s.history]
            for s in rows
        }

    def _go(self, step: str):
        self.step = step
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")

    def _fail(self, code: str, field: str):
        self.error = self._t()(CATALOG_ERRORS.get(code, CATALOG_ERRORS["bad_value"]))
        self.error_field = field

    def _service(self, service_id: str) -> dict[str, str] | None:
        return next((s for s in self.services if s["id"] == service_id), None)

    def _bands(self) -> tuple[str, ...]:
        return catalog.BANDS if self.banded else (catalog.BASE_BAND,)

    def _valid_from(self) -> date:
        try:
            return parse_day_month_year(self.day, self.month, self.year)
        except InvalidMandate as bad:
            raise catalog.CatalogError(
                "date_missing" if bad.reason == "date_missing" else "date_invalid",
                "valid_from") from None

    def _cents(self) -> dict[str, int]:
        result = {}
        for band in self._bands():
            try:
                cents = parse_euros(self.values.get(band, ""))
            except MoneyFormatError:
                raise catalog.CatalogError("bad_value", f"value_{band}") from None
            if not 0 < cents <= catalog.MAX_CENTS:
                raise catalog.CatalogError("bad_value", f"value_{band}")
            result[band] = cents
        return result

    def _read_values(self, form_data: dict) -> None:
        self.day = str(form_data.get("valid_from_day", ""))[:4]
        self.month = str(form_data.get("valid_from_month", ""))[:4]
        self.year = str(form_data.get("valid_from_year", ""))[:6]
        self.values = {band: str(form_data.get(f"value_{band}", ""))[:20]
                       for band in catalog.BANDS}

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        self.denied = False
        self.step, self.action, self.notice, self.error, self.error_field = "list", "", "", "", ""
        self.services, self.history = [], {}
        current = self._refresh_session()
        if current is not None:
            self._list(current)
        self.ready = True
        return self._page_ready(N_("Service catalog"))

    @rx.event
    @allow(Audience.ADMIN)
    def back(self):
        self.error = self.error_field = ""
        return self._go(self.action if self.step == "check" else "list")

    @rx.event
    @allow(Audience.ADMIN)
    def start(self, action: str, service_id: str):
        self.error = self.error_field = self.notice = ""
        service = self._service(service_id)
        if action == "new":
            self.service_id, self.service_name, self.banded = "", "", False
            self.code = self.unit = self.name_fi = self.name_sv = self.name_en = ""
        elif service is None or action not in ("value", "names"):
            return
        else:
            self.service_id, self.service_name = service["id"], service["name"]
            self.banded = service["banded"] == "1"
            self.name_fi, self.name_sv, self.name_en = service["names"].split(" / ", 2)
        start = date(today().year + 1, 1, 1)
        self.day, self.month, self.year = str(start.day), str(start.month), str(start.year)
        self.values = {}
        self.action = action
        return self._go(action)

    def _check_names(self, form_data: dict) -> bool:
        self.name_fi = str(form_data.get("name_fi", ""))[:140]
        self.name_sv = str(form_data.get("name_sv", ""))[:140]
        self.name_en = str(form_data.get("name_en", ""))[:140]
        for locale in ("fi", "sv", "en"):
            text = " ".join(getattr(self, f"name_{locale}").split())
            if not text:
                self._fail("name_missing", f"name_{locale}")
                return False
            if len(text) > 120:
                self._fail("name_too_long", f"name_{locale}")
                return False
        return True

    @rx.event
    @allow(Audience.ADMIN)
    def submit(self, form_data: dict):
        t = self._t()
        rows: list[dict[str, str]] = []
        try:
            if self.action in ("value", "new"):
                if self.action == "new":
                    self.code = str(form_data.get("code", "")).strip().lower()[:60]
                    self.unit = str(form_data.get("unit", ""))
                    self.banded = bool(form_data.get("banded_yes"))
                    if not self._check_names(form_data):
                        return
                    if not catalog.is_service_code(self.code):
                        raise catalog.CatalogError("bad_code", "code")
                    if self.unit not in {u.value for u in Unit}:
                        raise catalog.CatalogError("bad_unit", "unit")
                    rows += [
                        {"key": t("Code"), "value": self.code},
                        {"key": t("Names"),
                         "value": f"{self.name_fi} / {self.name_sv} / {self.name_en}"},
                        {"key": t("Unit"), "value": t(UNIT_LABELS[self.unit])},
                    ]
                self._read_values(form_data)
                valid_from = self._valid_from()
                if valid_from < today():
                    raise catalog.CatalogError("date_in_past", "valid_from")
                cents = self._cents()
                rows.append({"key": t("Valid from"), "value": t.date(valid_from)})
                rows += [{"key": t(BAND_NAMES[band]) if self.banded else t("Unit value"),
                          "value": t.money(value)} for band, value in cents.items()]
            elif self.action == "names":
                if not self._check_names(form_data):
                    return
                rows.append({"key": t("Names"),
                             "value": f"{self.name_fi} / {self.name_sv} / {self.name_en}"})
            else:
                return
        except catalog.CatalogError as error:
            self._fail(error.code, error.field)
            return
        self.check_rows = rows
        self.error = self.error_field = ""
        return self._go("check")

    @rx.event
    @allow(Audience.ADMIN)
    def confirm(self):
        current = self._refresh_session()
        if current is None:
            return
        t = self._t()
        names = {"fi": self.name_fi, "sv": self.name_sv, "en": self.name_en}
        try:
            if self.action == "value":
                catalog.add_unit_values(get_engine(), current.actor, int(self.service_id),
                                        self._valid_from(), self._cents(), today())
                self.notice = t("The new unit value was saved.")
            elif self.action == "names":
                catalog.rename_service(get_engine(), current.actor, int(self.service_id), names)
                self.notice = t("The names were saved.")
            elif self.action == "new":
                catalog.add_service(get_engine(), current.actor, self.code, names, self.unit,
                                    self.banded, self._valid_from(), self._cents())
                self.notice = t("The service was added to the catalog.")
            else:
                return
        except AccessDenied:
            self.denied = True
            return
        except catalog.CatalogError as error:
            self._fail(error.code, error.field)
            return self._go(self.action)
        self.action = ""
        self._list(current)
        return self._go("list")


S = AdminServicesState


def value_inputs() -> rx.Component:
    def field(band: str, label) -> rx.Component:
        return text_field(f"value_{band}", label, S.values[band].to(str), S.error,
                          S.error_field)

    return rx.cond(
        S.banded,
        rx.fragment(*[field(band, T(BAND_NAMES[band])) for band in catalog.BANDS]),
        field(catalog.BASE_BAND, T("Unit value in euros")),
    )


def date_input() -> rx.Component:
    return date_fields("valid_from", T("Valid from"), S.day, S.month, S.year, S.error,
                       S.error_field, hint=rx.el.p(T("Decisions and changes from this day on "
                                                     "get the new value."), class_name="hint"))


def names_inputs() -> rx.Component:
    return rx.fragment(
        text_field("name_fi", T("Name in Finnish"), S.name_fi, S.error, S.error_field),
        text_field("name_sv", T("Name in Swedish"), S.name_sv, S.error, S.error_field),
        text_field("name_en", T("Name in English"), S.name_en, S.error, S.error_field),
    )


def step_value() -> rx.Component:
    return rx.fragment(
        back_button(S.back),
        rx.el.h2(T("New unit value"), ": ", S.service_name, id="step-heading"),
        rx.el.form(date_input(), value_inputs(), submit_button(T("Continue")),
                   on_submit=S.submit, reset_on_submit=False),
    )


def step_names() -> rx.Component:
    return rx.fragment(
        back_button(S.back),
        rx.el.h2(T("Names of the service"), id="step-heading"),
        rx.el.form(names_inputs(), submit_button(T("Continue")), on_submit=S.submit,
                   reset_on_submit=False),
    )


def step_new() -> rx.Component:
    return rx.fragment(
        back_button(S.back),
        rx.el.h2(T("Add a service"), id="step-heading"),
        rx.el.form(
            text_field("code", T("Code (used in imports and rulebooks)"), S.code, S.error,
                       S.error_field),
            names_inputs(),
            choice_group("unit", rx.el.span(T("Unit")),
                         [radio("unit", u.value, T(UNIT_LABELS[u.value]), S.unit == u.value)
                          for u in Unit], S.error, S.error_field),
            checkbox("banded", "yes", T("The value depends on the time of day (time bands)"),
                     S.banded),
            date_input(),
            rx.el.p(T("Unit values in euros. With time bands, all four are needed."),
                    class_name="hint"),
            *[text_field(f"value_{band}", T(BAND_NAMES[band]), S.values[band].to(str), S.error,
                         S.error_field) for band in catalog.BANDS],
            submit_button(T("Continue")),
            on_submit=S.submit, reset_on_submit=False,
        ),
    )


def step_check() -> rx.Component:
    return rx.fragment(
        back_button(S.back),
        rx.el.h2(T("Check before saving"), id="step-heading"),
        rx.cond(S.service_name != "", rx.el.p(rx.el.strong(S.service_name))),
        rx.el.dl(rx.foreach(S.check_rows, lambda r: summary_row(r["key"], r["value"])),
                 class_name="summary-list"),
        rx.el.button(T("Save"), type="button", on_click=S.confirm, class_name="button",
                     id="confirm-catalog"),
    )


def service_card(s: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.h3(s["name"]),
        rx.el.p(s["names"], class_name="muted"),
        rx.el.p(T("Code"), ": ", s["code"], " · ", T("Unit"), ": ", s["unit"]),
        rx.el.p(rx.el.strong(s["today"])),
        rx.el.details(
            rx.el.summary(T("Values with their dates")),
            rx.el.ul(rx.foreach(S.history[s["id"]], rx.el.li), class_name="fact-list"),
        ),
        rx.el.div(
            rx.el.button(T("New unit value"), rx.el.span(" ", s["name"],
                                                         class_name="visually-hidden"),
                         type="button", on_click=S.start("value", s["id"]),
                         class_name="button button-secondary"),
            rx.el.button(T("Change the names"), rx.el.span(" ", s["name"],
                                                           class_name="visually-hidden"),
                         type="button", on_click=S.start("names", s["id"]),
                         class_name="button button-secondary"),
            class_name="button-row",
        ),
        class_name="card",
    )


def step_list() -> rx.Component:
    return rx.fragment(
        rx.el.p(T("Unit values change every January: add the new value with its date. "
                  "Decisions made from that date get it; a decision may fix its own value."),
                class_name="lead"),
        rx.cond(S.notice != "", rx.el.div(rx.el.p(S.notice), class_name="notice notice-success",
                                          role="status", id="catalog-notice")),
        rx.el.button(T("Add a service"), type="button", on_click=S.start("new", ""),
                     class_name="button", id="start-new-service"),
        rx.el.h2(T("Services")),
        rx.el.ul(rx.foreach(S.services, service_card), class_name="card-list-plain",
                 id="catalog-list"),
    )


@rx.page(route="/admin/services", title="HB – Palveluluettelo", on_load=S.load)
def admin_services() -> rx.Component:
    return page(
        rx.el.h1(T("Service catalog")),
        rx.cond(
            S.ready,
            rx.cond(
                S.signed_in,
                rx.cond(
                    S.denied,
                    message_box(T("This page is for administrators."), "error"),
                    rx.el.div(
                        rx.match(S.step, ("value", step_value()), ("names", step_names()),
                                 ("new", step_new()), ("check", step_check()), step_list()),
                        class_name="access-pages",
                    ),
                ),
                sign_in_prompt("/admin/services"),
            ),
            loading(),
        ),
    )
