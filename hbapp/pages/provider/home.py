"""`/provider`: the provider's home: which provider(s) the person works for, active vouchers,
and the pages of the provider's side."""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import message_box, page
from hbapp.components.provider import provider_frame, provider_links, wanted_provider
from hbapp.db import get_engine
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.provider_home import my_providers, require_provider_staff
from hbapp.state import AppState, T
from hbapp.views.provider_side import local_date_text


class ProviderHomeState(AppState):
    ready: bool = False
    denied: bool = False
    provider_name: str = ""
    providers: list[dict[str, str]] = []
    summary: dict[str, str] = {}

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = self.denied = False
        self.provider_name, self.providers, self.summary = "", [], {}
        current = self._refresh_session()
        if current is not None:
            self._show(current)
        self.ready = True
        return self._page_ready(N_("Provider home"))

    def _show(self, current) -> None:
        t = self._t()
        rows = my_providers(get_engine(), current.actor)
        if not rows:
            self.denied = True
            return
        chosen = wanted_provider(self, current)
        mine = next((r for r in rows if r.provider_id == chosen), None)
        if mine is None:
            if self.router.page.params.get("provider"):
                try:  # another provider's id in the address: refused and audited
                    require_provider_staff(get_engine(), current.actor, chosen)
                except AccessDenied:
                    self.denied = True
                    return
            mine = rows[0]
        self.provider_name = mine.name
        self.providers = [
            {"id": str(r.provider_id), "name": r.name, "href": f"/provider?provider={r.provider_id}",
             "current": "1" if r.provider_id == mine.provider_id else "",
             "vouchers": t.ngettext("{n} active voucher", "{n} active vouchers",
                                    r.active_vouchers, n=r.active_vouchers)}
            for r in rows
        ]
        self.summary = {
            "vouchers": t.ngettext("{n} active voucher", "{n} active vouchers",
                                   mine.active_vouchers, n=mine.active_vouchers),
            "role": t("You are a main user: you can add and remove staff.")
            if mine.is_main_user else t("You are on the staff."),
            "confirmed": (t("Your offer was last confirmed on {date}.",
                            date=local_date_text(t, mine.facts_confirmed_at))
                          if mine.facts_confirmed_at else
                          t("Your offer has not been confirmed in HB yet. Check it and "
                            "confirm it.")),
            "status": "" if mine.approval_status == "approved" else
            t("Clients do not see this provider yet: it is waiting for the organizer's "
              "approval or suspended."),
        }


S = ProviderHomeState


def chooser() -> rx.Component:
    return rx.cond(
        S.providers.length() > 1,
        rx.el.section(
            rx.el.h2(T("Your providers"), id="providers-heading"),
            rx.el.ul(rx.foreach(S.providers, lambda p: rx.el.li(
                rx.el.a(p["name"], href=p["href"],
                        aria_current=rx.cond(p["current"] == "1", "page", "false")),
                " – ", p["vouchers"])), class_name="link-list", id="provider-chooser"),
            aria_labelledby="providers-heading",
        ),
    )


def content() -> rx.Component:
    return rx.fragment(
        chooser(),
        rx.el.section(
            rx.el.h2(T("Clients"), id="clients-heading"),
            rx.el.p(rx.el.strong(S.summary["vouchers"]), id="voucher-count"),
            rx.el.p(rx.el.a(T("See the clients and their vouchers"), href="/provider/clients")),
            class_name="card highlight", aria_labelledby="clients-heading",
        ),
        rx.cond(S.summary["status"] != "", message_box(S.summary["status"], "warning")),
        rx.el.p(S.summary["confirmed"]),
        rx.el.p(S.summary["role"], class_name="muted"),
        rx.el.h2(T("Pages of the provider's side")),
        provider_links(exclude="/provider"),
    )


@rx.page(route="/provider", title="HB – Palveluntuottaja", on_load=S.load)
def provider_home() -> rx.Component:
    return page(
        rx.el.h1(T("Provider home")),
        provider_frame(S, content(), "/provider"),
    )
