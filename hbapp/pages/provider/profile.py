"""`/provider/profile`: the provider keeps its offer current (intake, evenings and weekends,
languages, the local contact, opening hours, plain-language descriptions). Saving, or
confirming that nothing changed, records the date clients see."""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.forms import checkbox, error_message, radio
from hbapp.components.layout import page
from hbapp.components.provider import provider_frame, wanted_provider
from hbapp.db import get_engine
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.provider_profile import (
    LANGUAGES,
    TEXT_FIELDS,
    ProfileError,
    ProfileInput,
    confirm_profile,
    provider_profile,
    save_profile,
)
from hbapp.state import AppState, T
from hbapp.views.provider_side import INTAKE_LABELS, PROFILE_ERRORS, local_date_text
from hbapp.views.providers import LANGUAGE_LABELS

FIELD_LIMIT = 6000  # what a field may bring into the state; the service checks the real limits


class ProviderProfileState(AppState):
    ready: bool = False
    denied: bool = False
    provider_id: int = 0
    provider_name: str = ""
    confirmed: str = ""
    notice: str = ""
    values: dict[str, str] = {}
    flags: dict[str, bool] = {}
    errors: dict[str, str] = {}
    error_list: list[dict[str, str]] = []

    def _fill(self, data: ProfileInput) -> None:
        self.values = {"intake": data.intake, "expected_wait_weeks": data.expected_wait_weeks,
                       **{name: getattr(data, name) for name in TEXT_FIELDS}}
        self.flags = {"evening_service": data.evening_service,
                      "weekend_service": data.weekend_service,
                      **{f"lang_{code}": code in data.languages for code in LANGUAGES}}

    def _show(self, current) -> None:
        t = self._t()
        try:
            profile = provider_profile(get_engine(), current.actor,
                                       self.provider_id or wanted_provider(self, current))
        except AccessDenied:
            self.denied = True
            return
        self.provider_id, self.provider_name = profile.provider_id, profile.name
        self.confirmed = (t("Your offer was last confirmed on {date}.",
                            date=local_date_text(t, profile.facts_confirmed_at))
                          if profile.facts_confirmed_at else
                          t("Your offer has not been confirmed in HB yet. Check it and "
                            "confirm it."))
        self._fill(profile.data)

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = self.denied = False
        self.provider_id, self.provider_name, self.confirmed, self.notice = 0, "", "", ""
        self.values, self.flags, self.errors, self.error_list = {}, {}, {}, []
        current = self._refresh_session()
        if current is not None:
            self._show(current)
        self.ready = True
        return self._page_ready(N_("Our offer"))

    @rx.event
    @allow(Audience.PROVIDER_STAFF)
    def save(self, form_data: dict):
        current = self._refresh_session()
        if current is None or not self.provider_id:
            return
        t = self._t()
        data = ProfileInput(
            intake=str(form_data.get("intake", ""))[:20],
            expected_wait_weeks=str(form_data.get("expected_wait_weeks", ""))[:10],
            evening_service=bool(form_data.get("evening_service_yes")),
            weekend_service=bool(form_data.get("weekend_service_yes")),
            languages=tuple(code for code in LANGUAGES if form_data.get(f"lang_{code}")),
            **{name: str(form_data.get(name, ""))[:FIELD_LIMIT] for name in TEXT_FIELDS},
        )
        self._fill(data)  # what was typed stays, whatever happens next
        try:
            save_profile(get_engine(), current.actor, self.provider_id, data)
        except AccessDenied:
            self.denied = True
            return
        except ProfileError as error:
            self.notice = ""
            self.errors = {name: t(PROFILE_ERRORS.get(code, PROFILE_ERRORS["too_long"]))
                           for name, code in error.errors.items()}
            self.error_list = [{"field": name, "text": text}
                               for name, text in self.errors.items()]
            return rx.call_script("document.getElementById('profile-errors')?.focus()")
        self.errors, self.error_list = {}, []
        self._show(current)
        self.notice = t("Your offer was saved and its facts confirmed.")
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")

    @rx.event
    @allow(Audience.PROVIDER_STAFF)
    def confirm(self):
        current = self._refresh_session()
        if current is None or not self.provider_id:
            return
        try:
            confirm_profile(get_engine(), current.actor, self.provider_id)
        except AccessDenied:
            self.denied = True
            return
        self.errors, self.error_list = {}, []
        self._show(current)
        t = self._t()
        self.notice = t("The facts were confirmed as they are.")


S = ProviderProfileState


def _error(name: str) -> rx.Component:
    return error_message(f"f-{name}-error", S.errors[name].to(str), S.errors.contains(name))


def text_input(name: str, label: str, hint: str = "", input_type: str = "text",
               autocomplete: str = "off", width: str = "") -> rx.Component:
    has_error = S.errors.contains(name)
    return rx.el.div(
        rx.el.label(T(label), html_for=f"f-{name}", class_name="field-label"),
        rx.el.p(T(hint), class_name="hint", id=f"f-{name}-hint") if hint else rx.fragment(),
        _error(name),
        rx.el.input(id=f"f-{name}", name=name, type=input_type,
                    default_value=S.values[name].to(str), auto_complete=autocomplete,
                    class_name=f"field-input {width}".strip(),
                    aria_describedby=f"f-{name}-error" + (f" f-{name}-hint" if hint else ""),
                    aria_invalid=rx.cond(has_error, "true", "false")),
        class_name=rx.cond(has_error, "field field-has-error", "field"),
    )


def text_area(name: str, label: str) -> rx.Component:
    has_error = S.errors.contains(name)
    return rx.el.div(
        rx.el.label(T(label), html_for=f"f-{name}", class_name="field-label"),
        _error(name),
        rx.el.textarea(id=f"f-{name}", name=name, rows=5, default_value=S.values[name].to(str),
                       class_name="field-input textarea", aria_describedby=f"f-{name}-error",
                       aria_invalid=rx.cond(has_error, "true", "false")),
        class_name=rx.cond(has_error, "field field-has-error", "field"),
    )


def group(name: str, legend: str, *children: rx.Component) -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(T(legend), class_name="field-legend"),
        _error(name),
        *children,
        class_name=rx.cond(S.errors.contains(name), "field field-has-error", "field"),
        aria_describedby=f"f-{name}-error",
    )


def error_summary() -> rx.Component:
    return rx.cond(
        S.error_list.length() > 0,
        rx.el.div(
            rx.el.h2(T("Check these"), class_name="error-summary-title"),
            rx.el.ul(rx.foreach(S.error_list, lambda e: rx.el.li(
                rx.el.a(e["text"], href="#f-" + e["field"])))),
            class_name="notice notice-error", id="profile-errors", tab_index=-1, role="alert",
        ),
    )


def profile_form() -> rx.Component:
    return rx.el.form(
        group("intake", N_("Do you take new clients?"),
              *[radio("intake", value, T(label), S.values["intake"].to(str) == value)
                for value, label in INTAKE_LABELS.items()]),
        text_input("expected_wait_weeks", N_("Expected wait in weeks (with a waiting list)"),
                   width="width-4"),
        group("service_times", N_("When you work"),
              checkbox("evening_service", "yes", T("Evenings"),
                       S.flags["evening_service"].to(bool)),
              checkbox("weekend_service", "yes", T("Weekends"),
                       S.flags["weekend_service"].to(bool))),
        group("languages", N_("Languages you serve in"),
              *[rx.el.div(
                  rx.el.input(type="checkbox", id=f"f-lang-{code}", name=f"lang_{code}",
                              default_checked=S.flags[f"lang_{code}"].to(bool),
                              class_name="choice-input"),
                  rx.el.label(T(LANGUAGE_LABELS[code]), html_for=f"f-lang-{code}",
                              class_name="choice-label"),
                  class_name="choice") for code in LANGUAGES]),
        rx.el.h2(T("Local contact")),
        rx.el.p(T("The phone number and address of your local office, not a head office."),
                class_name="hint"),
        text_input("phone", N_("Phone"), input_type="tel", autocomplete="tel"),
        text_input("email", N_("E-mail"), input_type="email", autocomplete="email"),
        text_input("street_address", N_("Street address"), autocomplete="street-address"),
        text_input("postal_code", N_("Postal code"), autocomplete="postal-code",
                   width="width-4"),
        text_input("city", N_("City"), autocomplete="address-level2"),
        text_input("opening_hours", N_("Opening hours"), hint=N_("For example Mon–Fri 8–16")),
        rx.el.h2(T("Description in plain language")),
        rx.el.p(T("Tell clients in short, plain sentences what you do and for whom."),
                class_name="hint"),
        text_area("description_fi", N_("In Finnish")),
        text_area("description_sv", N_("In Swedish")),
        text_area("description_en", N_("In English")),
        rx.el.button(T("Save and confirm"), type="submit", class_name="button",
                     id="save-profile"),
        on_submit=S.save, reset_on_submit=False, id="profile-form", no_validate=True,
    )


def content() -> rx.Component:
    return rx.el.div(
        rx.cond(S.notice != "", rx.el.div(rx.el.p(S.notice), class_name="notice notice-success",
                                          role="status", id="profile-notice")),
        error_summary(),
        rx.el.p(rx.el.strong(S.confirmed), id="facts-confirmed"),
        rx.el.p(T("Clients see when you last confirmed your facts. Check them regularly; if "
                  "nothing has changed, confirm them as they are."), class_name="lead"),
        rx.el.button(T("Nothing has changed: confirm"), type="button", on_click=S.confirm,
                     class_name="button button-secondary", id="confirm-profile"),
        profile_form(),
        class_name="access-pages",
    )


@rx.page(route="/provider/profile", title="HB – Tarjontamme", on_load=S.load)
def provider_profile_page() -> rx.Component:
    return page(
        rx.el.h1(T("Our offer")),
        provider_frame(S, content(), "/provider/profile"),
    )
