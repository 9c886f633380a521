"""`/settings`: text size (normal, large, extra large) and language, remembered per person.

Signed-in people keep both in their Person row; everyone also gets cookies, so the choices
hold before signing in. The text size is a class on <html> (see assets/hb.css).
"""

from __future__ import annotations

import json
from typing import ClassVar

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import page
from hbapp.config import SUPPORTED_LOCALES
from hbapp.db import get_engine
from hbapp.i18n import LANGUAGE_NAMES, N_, Translator
from hbapp.services import preferences
from hbapp.state import AppState, T

TEXT_SIZE_LABELS = {
    "normal": N_("Normal"),
    "large": N_("Large"),
    "xlarge": N_("Extra large"),
}


class SettingsState(AppState):
    # Saving the language re-renders the labels; a reload would wipe "Language saved."
    # (see AppState.RELOAD_ON_LANGUAGE).
    RELOAD_ON_LANGUAGE: ClassVar[bool] = False
    chosen_size: str = "normal"
    chosen_language: str = ""
    saved_message: str = ""
    # Bumped on every load: the uncontrolled radios are re-created with the stored choices.
    form_version: int = 0
    size_cookie: str = rx.Cookie(
        "", name=preferences.TEXT_SIZE_COOKIE, max_age=365 * 24 * 3600, same_site="lax"
    )

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self._refresh_session()
        self.chosen_size = self.text_size
        self.chosen_language = self.locale
        self.saved_message = ""
        self.form_version += 1
        return self._page_ready(N_("Settings"))

    @rx.event
    @allow(Audience.ANYONE)
    def save_text_size(self, form_data: dict):
        size = form_data.get("text_size") or self.chosen_size
        if size not in preferences.TEXT_SIZES:
            return
        # The session as read for this event: the person may have signed out in another tab.
        current = self._session()
        if current is not None:
            preferences.save_text_size(get_engine(), current.actor.person_id, size)
        self.text_size = self.chosen_size = size
        self.size_cookie = size
        t = self._t()
        self.saved_message = t("Text size saved.")
        return rx.call_script(preferences.text_size_script(size))

    @rx.event
    @allow(Audience.ANYONE)
    def save_language(self, form_data: dict):
        locale = form_data.get("language") or self.chosen_language
        if locale not in SUPPORTED_LOCALES:
            return
        self.chosen_language = locale
        t = Translator(locale)
        self.saved_message = t("Language saved.")
        title = json.dumps(f"{t('Settings')} – HB")
        # AppState.set_language stores the choice (person and cookie) and sets <html lang>.
        return [AppState.set_language(locale), rx.call_script(f"document.title = {title}")]


def radio(group: str, value: str, label: rx.Component | rx.Var, checked,
          lang: str | None = None) -> rx.Component:
    """An uncontrolled radio: the browser keeps the choice, the form sends it on submit."""
    input_id = f"{group}-{value}"
    return rx.el.div(
        rx.el.input(
            type="radio", name=group, value=value, id=input_id,
            default_checked=checked, class_name="radio-input",
        ),
        rx.el.label(label, html_for=input_id, lang=lang, class_name="radio-label"),
        class_name="radio-item",
    )


def text_size_form() -> rx.Component:
    return rx.el.form(
        rx.el.fieldset(
            rx.el.legend(T("Text size"), class_name="legend"),
            rx.el.p(T("Bigger text is easier to read. The choice applies on every page."),
                    id="text-size-hint", class_name="muted"),
            *[
                radio("text_size", value, T(label), SettingsState.chosen_size == value)
                for value, label in TEXT_SIZE_LABELS.items()
            ],
            aria_describedby="text-size-hint",
            key=SettingsState.form_version,
            class_name="radios",
        ),
        rx.el.button(T("Save text size"), type="submit", class_name="button"),
        on_submit=SettingsState.save_text_size,
        class_name="settings-form card",
    )


def language_form() -> rx.Component:
    return rx.el.form(
        rx.el.fieldset(
            rx.el.legend(T("Language"), class_name="legend"),
            *[
                radio("language", code, name, SettingsState.chosen_language == code,
                      lang=code)
                for code, name in LANGUAGE_NAMES.items()
            ],
            key=SettingsState.form_version,
            class_name="radios",
        ),
        rx.el.button(T("Save language"), type="submit", class_name="button"),
        on_submit=SettingsState.save_language,
        class_name="settings-form card",
    )


@rx.page(route="/settings", title="HB – Asetukset", on_load=SettingsState.load)
def settings() -> rx.Component:
    return page(
        rx.el.h1(T("Settings")),
        rx.cond(
            SettingsState.signed_in,
            rx.el.p(T("Your choices are saved for you and apply when you sign in on any device.")),
            rx.el.p(T("You have not signed in. Your choices are remembered in this browser.")),
        ),
        rx.el.div(
            rx.cond(SettingsState.saved_message != "",
                    rx.el.p(SettingsState.saved_message, class_name="notice")),
            role="status",
            aria_live="polite",
        ),
        text_size_form(),
        language_form(),
    )
