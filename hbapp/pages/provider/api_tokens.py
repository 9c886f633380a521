"""`/provider/api`: the provider's API tokens for its own systems.

Create one with a label (the token is shown once, with a copy button; only its hash is kept),
see the tokens (prefix, label, created, last used), revoke one after a confirmation step.
The new token is dropped from the page state at the next action or page load.
"""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.forms import back_button, error_message
from hbapp.components.layout import page
from hbapp.components.provider import provider_frame
from hbapp.db import get_engine
from hbapp.domain.inputs import parse_id
from hbapp.i18n import N_
from hbapp.pages.provider.events import provider_choice
from hbapp.services.access import AccessDenied
from hbapp.services.provider_events import local_now
from hbapp.services.provider_tokens import TokenError, create_token, list_tokens, revoke_token
from hbapp.state import AppState, T

ROUTE = "/provider/api"


class ProviderApiState(AppState):
    ready: bool = False
    denied: bool = False
    provider_id: str = ""
    provider_name: str = ""
    tokens: list[dict[str, str]] = []
    new_token: str = ""  # shown once, then forgotten
    new_prefix: str = ""
    label: str = ""
    error: str = ""
    notice: str = ""
    step: str = "list"
    chosen: dict[str, str] = {}

    def _staff(self):
        current = self._refresh_session()
        if current is None:
            return None
        if not current.provider_ids or parse_id(self.provider_id) is None:
            self.denied = True
            return None
        return current

    def _list(self, current) -> None:
        t = self._t()
        try:
            infos = list_tokens(get_engine(), provider_id=parse_id(self.provider_id) or 0,
                                actor=current.actor)
        except AccessDenied:
            self.denied, self.tokens = True, []
            return
        self.tokens = [{
            "id": str(info.id),
            "prefix": info.prefix + "…",
            "label": info.label or t("(no label)"),
            "created": t.date(local_now(info.created_at)),
            "last_used": t.date(local_now(info.last_used_at)) if info.last_used_at
            else t("never"),
            "revoked": t.date(local_now(info.revoked_at)) if info.revoked_at else "",
        } for info in infos]

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = self.denied = False
        self.step, self.notice, self.error, self.tokens = "list", "", "", []
        self.new_token = self.new_prefix = self.label = ""
        current = self._refresh_session()
        pid, self.provider_name = provider_choice(self, current)
        self.provider_id = str(pid) if pid is not None and pid > 0 else ""
        if current is not None:
            if not self.provider_id:
                self.denied = True
            else:
                self._list(current)
        self.ready = True
        return self._page_ready(N_("API tokens"))

    @rx.event
    @allow(Audience.PROVIDER_STAFF)
    def create(self, form_data: dict):
        current = self._staff()
        if current is None:
            return
        t = self._t()
        self.new_token = self.new_prefix = self.notice = ""
        self.label = str(form_data.get("label", ""))[:200]
        if not self.label.strip():
            self.error = t("Give the token a name, e.g. the system that uses it.")
            return
        try:
            new = create_token(get_engine(), provider_id=parse_id(self.provider_id) or 0,
                               label=self.label, actor=current.actor)
        except AccessDenied:
            self.error = t("You do not have the right to do this.")
            return
        except TokenError:
            self.error = t("The name may be at most 100 characters.")
            return
        self.error, self.label = "", ""
        self.new_token, self.new_prefix = new.token, new.info.prefix
        self._list(current)
        return rx.call_script("document.getElementById('new-token-heading')?.focus()")

    @rx.event
    @allow(Audience.PROVIDER_STAFF)
    def forget_token(self):
        self.new_token = self.new_prefix = ""

    @rx.event
    @allow(Audience.PROVIDER_STAFF)
    def open_revoke(self, token_id: str):
        row = next((r for r in self.tokens if r["id"] == token_id and not r["revoked"]), None)
        if row is None:
            return
        self.new_token = self.new_prefix = ""
        self.chosen, self.error, self.notice, self.step = row, "", "", "revoke"
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")

    @rx.event
    @allow(Audience.PROVIDER_STAFF)
    def back(self):
        self.step, self.error = "list", ""

    @rx.event
    @allow(Audience.PROVIDER_STAFF)
    def confirm_revoke(self):
        token_id = parse_id(self.chosen.get("id", ""))
        if self.step != "revoke" or token_id is None:
            return
        current = self._staff()
        if current is None:
            return
        t = self._t()
        try:
            info = revoke_token(get_engine(), provider_id=parse_id(self.provider_id) or 0,
                                actor=current.actor, token_id=token_id)
        except AccessDenied:
            self.error = t("You do not have the right to do this.")
            return
        except TokenError:
            self.error = t("There is no such token.")
            return
        self.step = "list"
        self.notice = t("The token {prefix}… was revoked. Systems that use it can no longer "
                        "record events.", prefix=info.prefix)
        self._list(current)
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")


def new_token_box() -> rx.Component:
    s = ProviderApiState
    return rx.cond(
        s.new_token != "",
        rx.el.section(
            rx.el.h2(T("Your new token"), id="new-token-heading", tab_index=-1),
            rx.el.p(rx.el.strong(T("Copy the token now: it is shown only once. HB keeps only "
                                   "a fingerprint of it and cannot show it again."))),
            rx.el.label(T("The token"), html_for="new-token", class_name="field-label"),
            rx.el.input(id="new-token", value=s.new_token, read_only=True,
                        class_name="field-input token-field", auto_complete="off",
                        spell_check=False, on_focus=rx.call_script(
                            "document.getElementById('new-token').select()")),
            rx.el.p(
                rx.el.button(T("Copy the token"), type="button",
                             on_click=rx.set_clipboard(s.new_token),
                             class_name="button button-secondary"),
                " ",
                rx.el.button(T("I have stored it"), type="button", on_click=s.forget_token,
                             class_name="button"),
            ),
            rx.el.p(T("Give it to your system as the header Authorization: Bearer followed by "
                      "the token."), class_name="muted"),
            class_name="card notice notice-success",
        ),
    )


def token_row(row: rx.Var) -> rx.Component:
    s = ProviderApiState
    return rx.el.li(
        rx.el.p(rx.el.strong(row["label"]), " · ", rx.el.code(row["prefix"])),
        rx.el.dl(
            rx.el.div(rx.el.dt(T("Created")), rx.el.dd(row["created"])),
            rx.el.div(rx.el.dt(T("Last used")), rx.el.dd(row["last_used"])),
            rx.cond(row["revoked"] != "",
                    rx.el.div(rx.el.dt(T("Revoked")), rx.el.dd(row["revoked"]))),
            class_name="event-figures",
        ),
        rx.cond(
            row["revoked"] == "",
            rx.el.button(T("Revoke"), rx.el.span(" ", row["label"], class_name="visually-hidden"),
                         type="button", on_click=s.open_revoke(row["id"]),
                         class_name="button button-secondary"),
        ),
        class_name=rx.cond(row["revoked"] == "", "token", "token token-revoked"),
    )


def token_list() -> rx.Component:
    s = ProviderApiState
    return rx.fragment(
        rx.cond(s.notice != "", rx.el.div(rx.el.p(s.notice), role="status",
                                          class_name="notice notice-success")),
        rx.el.p(T("Your own systems can record service events in HB through its API. Each "
                  "system needs a token. See the API description at"), " ",
                rx.el.a("/api/provider/v1/openapi.json", href="/api/provider/v1/openapi.json"),
                "."),
        new_token_box(),
        rx.el.h2(T("Create a token")),
        rx.el.form(
            rx.el.div(
                rx.el.label(T("Name of the token"), html_for="f-label", class_name="field-label"),
                rx.el.p(T("For example the name of the system that uses it."),
                        id="f-label-hint", class_name="field-hint"),
                error_message("f-label-error", s.error, s.error != ""),
                rx.el.input(id="f-label", name="label", default_value=s.label, max_length=100,
                            auto_complete="off", class_name="field-input",
                            aria_describedby="f-label-hint f-label-error",
                            aria_invalid=rx.cond(s.error != "", "true", "false")),
                class_name=rx.cond(s.error != "", "field field-has-error", "field"),
            ),
            rx.el.button(T("Create a token"), type="submit", class_name="button"),
            on_submit=s.create,
            reset_on_submit=True,
        ),
        rx.el.h2(T("Tokens")),
        rx.cond(
            s.tokens.length() > 0,
            rx.el.ul(rx.foreach(s.tokens, token_row), class_name="event-list"),
            rx.el.p(T("No tokens yet.")),
        ),
    )


def revoke_step() -> rx.Component:
    s = ProviderApiState
    return rx.fragment(
        back_button(s.back),
        rx.el.h2(T("Revoke the token?"), id="step-heading"),
        rx.el.section(rx.el.p(rx.el.strong(s.chosen["label"]), " · ",
                              rx.el.code(s.chosen["prefix"])), class_name="card"),
        rx.el.p(T("A system that uses this token can no longer record events. This cannot be "
                  "undone: create a new token if it is needed again.")),
        error_message("revoke-error", s.error, s.error != ""),
        rx.el.button(T("Yes, revoke the token"), type="button", on_click=s.confirm_revoke,
                     class_name="button"),
    )


@rx.page(route=ROUTE, title="HB – API-avaimet", on_load=ProviderApiState.load)
def provider_api_page() -> rx.Component:
    s = ProviderApiState
    return page(
        rx.el.h1(T("API tokens")),
        provider_frame(s, rx.cond(s.step == "revoke", revoke_step(), token_list()), ROUTE),
    )
