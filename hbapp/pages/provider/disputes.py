"""`/provider/disputes`: problems clients reported with this provider's service events, and
the case worker's decisions (read-only). Shows the client's name and voucher, never the
identity code. The provider is chosen as on the other provider pages (`?provider=`)."""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import page
from hbapp.components.provider import provider_frame, wanted_provider
from hbapp.db import get_engine
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.disputes import provider_disputes
from hbapp.services.provider_events import staff_providers
from hbapp.state import AppState, T
from hbapp.views.disputes import dispute_texts


class ProviderDisputesState(AppState):
    ready: bool = False
    denied: bool = False
    provider_name: str = ""
    items: list[dict[str, str]] = []

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = self.denied = False
        self.items, self.provider_name = [], ""
        current = self._refresh_session()
        if current is not None:
            provider_id = wanted_provider(self, current)
            if provider_id is None:
                self.denied = True
            else:
                t = self._t()
                try:
                    rows = provider_disputes(get_engine(), current.actor, provider_id)
                except AccessDenied:
                    self.denied = True
                else:
                    self.items = [dispute_texts(t, d) for d in rows]
                    self.provider_name = dict(staff_providers(get_engine(), current.actor)).get(
                        provider_id, "")
        self.ready = True
        return self._page_ready(N_("Reported problems"))


def dispute_item(row) -> rx.Component:
    return rx.el.li(
        rx.el.h2(row["client"]),
        rx.el.p(T("Voucher"), ": ", rx.el.span(row["voucher"], class_name="voucher-code")),
        rx.el.p(rx.el.strong(row["event_service"]), " · ", row["event_quantity"]),
        rx.el.p(rx.el.time(row["event_when"], date_time=row["event_iso"])),
        rx.el.p(T("Reported problem:"), " ", rx.el.strong(row["reason"])),
        rx.cond(row["comment"] != "", rx.el.p(T("Comment:"), " ", row["comment"])),
        rx.el.p(T("Reported on"), " ", row["opened"], class_name="muted"),
        rx.el.p(row["status_text"], class_name="dispute-status dispute-" + row["status"]),
        rx.cond(row["explanation"] != "", rx.el.p(T("Explanation:"), " ", row["explanation"])),
        class_name="card",
        custom_attrs={"data-dispute-status": row["status"]},
    )


def content() -> rx.Component:
    s = ProviderDisputesState
    return rx.fragment(
        rx.el.p(T("Problems clients reported with your service events. The client's case "
                  "worker decides: a cancelled event is not paid."), class_name="lead"),
        rx.cond(s.items.length() > 0,
                rx.el.ul(rx.foreach(s.items, dispute_item), class_name="card-list-plain"),
                rx.el.p(T("No problems have been reported."))),
    )


@rx.page(route="/provider/disputes", title="HB – Ilmoitetut ongelmat",
         on_load=ProviderDisputesState.load)
def provider_disputes_page() -> rx.Component:
    return page(
        rx.el.h1(T("Reported problems")),
        provider_frame(ProviderDisputesState, content(), "/provider/disputes"),
    )
