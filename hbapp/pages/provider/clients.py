"""`/provider/clients`: the provider's active vouchers (client's name, service, voucher code,
since when) and those ended in the last 60 days. Never the client's identity code."""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import page
from hbapp.components.provider import provider_frame, wanted_provider
from hbapp.db import get_engine
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.provider_home import ENDED_SHOWN_DAYS, provider_vouchers
from hbapp.state import AppState, T
from hbapp.views.provider_side import local_date_text


class ProviderClientsState(AppState):
    ready: bool = False
    denied: bool = False
    provider_name: str = ""
    active: list[dict[str, str]] = []
    ended: list[dict[str, str]] = []
    ended_note: str = ""

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = self.denied = False
        self.provider_name, self.active, self.ended = "", [], []
        current = self._refresh_session()
        if current is not None:
            t = self._t()
            try:
                shown = provider_vouchers(get_engine(), current.actor,
                                          wanted_provider(self, current))
            except AccessDenied:
                self.denied = True
            else:
                def row(v) -> dict[str, str]:
                    return {"code": v.code, "client": v.client_name,
                            "service": v.service_names.get(t.locale),
                            "since": local_date_text(t, v.issued_at),
                            "ended": local_date_text(t, v.ended_at)}
                self.provider_name = shown.provider_name
                self.active = [row(v) for v in shown.active]
                self.ended = [row(v) for v in shown.ended]
                self.ended_note = t("Vouchers that ended in the last {days} days.",
                                    days=ENDED_SHOWN_DAYS)
        self.ready = True
        return self._page_ready(N_("Clients and vouchers"))


S = ProviderClientsState


def voucher_table(rows, caption, ended: bool, table_id: str) -> rx.Component:
    return rx.el.div(
        rx.el.table(
            rx.el.caption(caption),
            rx.el.thead(rx.el.tr(
                rx.el.th(T("Client"), scope="col"),
                rx.el.th(T("Service"), scope="col"),
                rx.el.th(T("Voucher"), scope="col"),
                rx.el.th(T("Since"), scope="col"),
                *([rx.el.th(T("Ended"), scope="col")] if ended else []),
            )),
            rx.el.tbody(rx.foreach(rows, lambda v: rx.el.tr(
                rx.el.th(v["client"], scope="row"),
                rx.el.td(v["service"]),
                rx.el.td(rx.el.code(v["code"])),
                rx.el.td(v["since"]),
                *([rx.el.td(v["ended"])] if ended else []),
            ))),
            class_name="data-table", id=table_id,
        ),
        class_name="table-scroll", tab_index=0, role="region", aria_label=caption,
    )


def content() -> rx.Component:
    return rx.fragment(
        rx.el.p(T("Clients who chose you, for the chosen services. Record services with the "
                  "voucher code."), class_name="lead"),
        rx.el.h2(T("Active vouchers")),
        rx.cond(S.active.length() > 0,
                voucher_table(S.active, T("Active vouchers"), False, "active-vouchers"),
                rx.el.p(T("No client has chosen you yet."), id="no-vouchers")),
        rx.cond(S.ended.length() > 0, rx.fragment(
            rx.el.h2(T("Ended vouchers")),
            rx.el.p(S.ended_note, class_name="muted"),
            voucher_table(S.ended, T("Ended vouchers"), True, "ended-vouchers"),
        )),
    )


@rx.page(route="/provider/clients", title="HB – Asiakkaat", on_load=S.load)
def provider_clients() -> rx.Component:
    return page(
        rx.el.h1(T("Clients and vouchers")),
        provider_frame(S, content(), "/provider/clients"),
    )
