"""`/admin/providers`: administrators approve or suspend providers (audited in the service)."""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import loading, message_box, page, sign_in_prompt
from hbapp.db import get_engine
from hbapp.domain.inputs import parse_id
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.providers import ProviderNotFound, admin_providers, set_approval
from hbapp.state import AppState, T
from hbapp.views.providers import STATUS_LABELS


class AdminProvidersState(AppState):
    ready: bool = False
    denied: bool = False
    rows: list[dict[str, str]] = []
    message: str = ""

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
            rx.cond(row["status_code"] != "suspended",
                    rx.el.button(T("Suspend"), rx.el.span(" ", row["name"],
                                                          class_name="visually-hidden"),
                                 type="button", class_name="button button-secondary",
                                 on_click=AdminProvidersState.set_status(row["id"], "suspended"))),
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
                    rx.fragment(
                        rx.el.p(T("Only approved providers are shown to clients. New providers "
                                  "are added with the command hb providers import."),
                                class_name="lead"),
                        rx.el.p(s.message, role="status", class_name="result-count"),
                        rx.el.h2(T("Providers")),
                        rx.el.ul(rx.foreach(s.rows, provider_row), class_name="card-list"),
                    ),
                ),
                sign_in_prompt("/admin/providers"),
            ),
            loading(),
        ),
    )
