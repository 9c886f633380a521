"""`/admin/providers`: administrators approve or suspend providers (audited in the service).

Suspending is a decision with consequences for clients (issue 18): it asks for a reason and
shows the clients who have chosen the provider (and who will be told) before it is confirmed."""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import loading, message_box, page, sign_in_prompt
from hbapp.db import get_engine
from hbapp.domain.inputs import parse_id
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.providers import (
    SUSPEND_REASON_MAX,
    ProviderNotFound,
    SuspendError,
    admin_providers,
    set_approval,
    suspend_provider,
    suspension_preview,
)
from hbapp.state import AppState, T, today
from hbapp.views.providers import STATUS_LABELS


class AdminProvidersState(AppState):
    ready: bool = False
    denied: bool = False
    rows: list[dict[str, str]] = []
    message: str = ""
    step: str = "list"  # list / suspend
    target: dict[str, str] = {}
    affected: list[dict[str, str]] = []
    reason: str = ""
    error: str = ""

    def _list(self, current):
        t = self._t()
        try:
            rows = admin_providers(get_engine(), current.actor)
        except AccessDenied:
            self.denied = True
            return
        self.rows = [
            {"id": str(r.provider_id), "name": r.name, "business_id": r.business_id,
             "city": r.city, "status_code": r.approval_status,
             "status": t(STATUS_LABELS.get(r.approval_status, "pending"))}
            for r in rows
        ]

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        self.denied = False
        self.rows = []
        self.message = ""
        self.step, self.target, self.affected, self.reason, self.error = "list", {}, [], "", ""
        current = self._refresh_session()
        if current is not None:
            self._list(current)
        self.ready = True
        return self._page_ready(N_("Provider register"))

    @rx.event
    @allow(Audience.ADMIN)
    def set_status(self, provider_id: str, status: str):
        current = self._refresh_session()
        if current is None:
            return
        t = self._t()
        wanted = parse_id(provider_id)
        try:
            if wanted is None:
                raise ProviderNotFound(provider_id)
            set_approval(get_engine(), current.actor, wanted, status)
        except AccessDenied:
            self.denied = True
            return
        except (ProviderNotFound, ValueError):
            self.message = t("The provider could not be changed.")
            return
        self._list(current)
        name = next((r["name"] for r in self.rows if r["id"] == provider_id), "")
        self.message = t("{provider}: {status}", provider=name,
                         status=t(STATUS_LABELS[status]))

    def _affected_rows(self, t, preview) -> list[dict[str, str]]:
        return [
            {"id": str(a.client_id), "name": a.name,
             "services": ", ".join(n.get(t.locale) for n in a.services),
             "told": self._told(t, len({a.person_id, *a.agent_person_ids,
                                        *a.worker_person_ids} - {None}))}
            for a in preview.affected
        ]

    @staticmethod
    def _told(t, n: int) -> str:
        return t.ngettext("{n} person will be told (the client, their representatives and "
                          "case workers)",
                          "{n} people will be told (the client, their representatives and "
                          "case workers)", n, n=n)

    @rx.event
    @allow(Audience.ADMIN)
    def open_suspend(self, provider_id: str):
        """The check step: the reason asked, the affected clients shown; nothing written."""
        current = self._refresh_session()
        if current is None:
            return
        t = self._t()
        wanted = parse_id(provider_id)
        try:
            if wanted is None:
                raise ProviderNotFound(provider_id)
            preview = suspension_preview(get_engine(), current.actor, wanted, today())
        except AccessDenied:
            self.denied = True
            return
        except ProviderNotFound:
            self.message = t("The provider could not be changed.")
            return
        self.target = {"id": str(preview.provider_id), "name": preview.name}
        self.affected = self._affected_rows(t, preview)
        self.reason, self.error, self.message = "", "", ""
        self.step = "suspend"
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")

    @rx.event
    @allow(Audience.ADMIN)
    def cancel_suspend(self):
        self.step, self.error = "list", ""
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")

    @rx.event
    @allow(Audience.ADMIN)
    def confirm_suspend(self, form_data: dict):
        wanted = parse_id(self.target.get("id", ""))
        if self.step != "suspend" or wanted is None:
            return  # only from the check step, once
        current = self._refresh_session()
        if current is None:
            return
        t = self._t()
        self.reason = str(form_data.get("reason", ""))[:SUSPEND_REASON_MAX + 1]
        try:
            preview = suspend_provider(get_engine(), current.actor, wanted, self.reason, today())
        except AccessDenied:
            self.denied = True
            return
        except ProviderNotFound:
            self.error = t("The provider could not be changed.")
            return
        except SuspendError as error:
            self.error = t(SUSPEND_ERRORS[error.code])
            return
        self._list(current)
        self.step = "list"
        self.message = t.ngettext(
            "{provider} is suspended. {n} client was told, with their representatives and "
            "case workers.",
            "{provider} is suspended. {n} clients were told, with their representatives and "
            "case workers.", len(preview.affected), n=len(preview.affected),
            provider=preview.name)
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")


SUSPEND_ERRORS = {
    "reason_missing": N_("Write the reason for the suspension. The clients will read it."),
    "reason_too_long": N_("The reason is too long."),
    "not_approved": N_("Only an approved provider can be suspended."),
}


def suspend_step() -> rx.Component:
    s = AdminProvidersState
    has_error = s.error != ""
    return rx.fragment(
        rx.el.button(T("Back"), type="button", on_click=s.cancel_suspend,
                     class_name="link-button back-link"),
        rx.el.h2(T("Suspend"), " ", s.target["name"], id="suspend-heading"),
        rx.el.section(
            rx.el.h3(T("Clients who have chosen this provider"), id="affected-heading"),
            rx.cond(
                s.affected.length() > 0,
                rx.el.ul(rx.foreach(s.affected, lambda a: rx.el.li(
                    rx.el.p(rx.el.strong(a["name"]), " · ", a["services"]),
                    rx.el.p(a["told"], class_name="muted"),
                    class_name="affected-client",
                )), class_name="card-list-plain", id="affected-clients"),
                rx.el.p(T("No client has chosen this provider."), id="affected-clients"),
            ),
            rx.el.p(T("They keep the provider's contact details and can give feedback. The "
                      "provider is no longer offered to anyone."), class_name="muted"),
            class_name="card",
            aria_labelledby="affected-heading",
        ),
        rx.el.form(
            rx.el.div(
                rx.el.label(T("Reason for the suspension"), html_for="suspend-reason"),
                rx.el.p(T("The clients and their case workers read it."), id="suspend-hint",
                        class_name="muted"),
                rx.cond(has_error, rx.el.p(rx.el.span(T("Error:"), class_name="visually-hidden"),
                                           " ", s.error, id="suspend-error",
                                           class_name="error-message")),
                rx.el.textarea(id="suspend-reason", name="reason", default_value=s.reason,
                               rows=4, max_length=SUSPEND_REASON_MAX,
                               aria_describedby=rx.cond(has_error, "suspend-hint suspend-error",
                                                        "suspend-hint"),
                               aria_invalid=rx.cond(has_error, "true", "false"),
                               class_name=rx.cond(has_error, "textarea input-error",
                                                  "textarea")),
                class_name="form-group",
            ),
            rx.el.div(
                rx.el.button(T("Suspend the provider"), type="submit", class_name="button"),
                rx.el.button(T("Cancel"), type="button", on_click=s.cancel_suspend,
                             class_name="button button-secondary"),
                class_name="button-row",
            ),
            on_submit=s.confirm_suspend,
            reset_on_submit=False,
        ),
    )


def provider_row(row: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.h3(row["name"]),
        rx.el.p(row["business_id"], " · ", row["city"], class_name="muted"),
        rx.el.p(T("Status:"), " ", rx.el.strong(row["status"])),
        rx.el.div(
            rx.cond(row["status_code"] != "approved",
                    rx.el.button(T("Approve"), rx.el.span(" ", row["name"],
                                                          class_name="visually-hidden"),
                                 type="button", class_name="button",
                                 on_click=AdminProvidersState.set_status(row["id"], "approved"))),
            rx.cond(row["status_code"] == "approved",
                    rx.el.button(T("Suspend…"), rx.el.span(" ", row["name"],
                                                           class_name="visually-hidden"),
                                 type="button", class_name="button button-secondary",
                                 on_click=AdminProvidersState.open_suspend(row["id"]))),
            class_name="button-row",
        ),
        rx.el.p(rx.el.a(T("Staff"), rx.el.span(" ", row["name"], class_name="visually-hidden"),
                        href="/admin/providers/" + row["id"] + "/staff")),
        class_name="card",
    )


@rx.page(route="/admin/providers", title="HB – Palveluntuottajarekisteri",
         on_load=AdminProvidersState.load)
def admin_providers_page() -> rx.Component:
    s = AdminProvidersState
    return page(
        rx.el.h1(T("Provider register")),
        rx.cond(
            s.ready,
            rx.cond(
                s.signed_in,
                rx.cond(
                    s.denied,
                    message_box(T("This page is for administrators."), "error"),
                    rx.cond(
                        s.step == "suspend",
                        suspend_step(),
                        rx.fragment(
                            rx.el.p(T("Only approved providers are shown to clients. New "
                                      "providers are added with the command hb providers "
                                      "import."), class_name="lead"),
                            rx.el.p(s.message, role="status", class_name="result-count",
                                    id="admin-status"),
                            rx.el.h2(T("Providers")),
                            rx.el.ul(rx.foreach(s.rows, provider_row), class_name="card-list"),
                        ),
                    ),
                ),
                sign_in_prompt("/admin/providers"),
            ),
            loading(),
        ),
    )
