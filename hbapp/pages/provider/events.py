"""`/provider/events`: the provider's service events of a month (every status), a month
switcher, and cancelling an event with a reason (a confirmation step)."""

from __future__ import annotations

from datetime import date

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.forms import back_button, error_message
from hbapp.components.layout import page
from hbapp.components.provider import provider_frame, wanted_provider
from hbapp.db import get_engine
from hbapp.domain.inputs import bounded_step, parse_id, parse_month
from hbapp.domain.ledger import add_months, month_start
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.provider_events import (
    EventRefused,
    cancel_event,
    local_now,
    provider_events,
    staff_providers,
)
from hbapp.state import AppState, T
from hbapp.views.events import provider_event_rows, refusal_message


def provider_choice(state: AppState, current) -> tuple[int | None, str]:
    """The provider a page is about (`wanted_provider`) and its name; None: not any provider's
    staff. The id is only a wish: the services check the person is its staff."""
    if current is None or not current.provider_ids:
        return None, ""
    pid = wanted_provider(state, current)
    names = dict(staff_providers(get_engine(), current.actor))
    return pid, names.get(pid, "")


class ProviderEventsState(AppState):
    ready: bool = False
    denied: bool = False
    provider_id: str = ""
    provider_name: str = ""
    month: str = ""
    month_label: str = ""
    can_go_forward: bool = False
    can_go_back: bool = False
    events: list[dict[str, str]] = []
    step: str = "list"
    chosen: dict[str, str] = {}
    reason: str = ""
    error: str = ""
    notice: str = ""

    def _staff(self):
        current = self._refresh_session()
        if current is None:
            return None
        if not current.provider_ids or parse_id(self.provider_id) is None:
            self.denied = True
            return None
        return current

    def _show(self, current, wanted: date) -> None:
        t = self._t()
        wanted = month_start(wanted)
        this_month = month_start(local_now().date())
        self.month = wanted.strftime("%Y-%m")
        self.month_label = t.month(wanted)
        self.can_go_forward = wanted < this_month
        self.can_go_back = wanted > add_months(this_month, -24)
        pid = parse_id(self.provider_id)
        try:
            events = provider_events(get_engine(), provider_id=pid, month=wanted,
                                     actor=current.actor)
        except AccessDenied:
            self.denied = True
            self.events = []
            return
        self.events = provider_event_rows(t, events)

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = self.denied = False
        self.step, self.notice, self.error, self.events = "list", "", "", []
        current = self._refresh_session()
        pid, self.provider_name = provider_choice(self, current)
        self.provider_id = str(pid) if pid is not None and pid > 0 else ""
        if current is not None:
            if not self.provider_id:
                self.denied = True
            else:
                wanted = parse_month(self.router.page.params.get("month", ""))
                self._show(current, wanted or local_now().date())
        self.ready = True
        return self._page_ready(N_("Service events"))

    @rx.event
    @allow(Audience.PROVIDER_STAFF)
    def change_month(self, step: int):
        current = self._staff()
        if current is None:
            return
        shown = parse_month(self.month) or month_start(local_now().date())
        wanted = add_months(shown, bounded_step(step))
        if wanted > month_start(local_now().date()):
            wanted = shown
        self.step, self.notice = "list", ""
        self._show(current, wanted)
        return rx.call_script(
            f"history.replaceState(null, '', '/provider/events?month={self.month}"
            f"&provider={self.provider_id}')")

    @rx.event
    @allow(Audience.PROVIDER_STAFF)
    def open_cancel(self, event_id: str):
        row = next((r for r in self.events if r["id"] == event_id and r["can_cancel"]), None)
        if row is None:
            return
        self.chosen, self.reason, self.error, self.notice = row, "", "", ""
        self.step = "cancel"
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")

    @rx.event
    @allow(Audience.PROVIDER_STAFF)
    def back(self):
        self.step, self.error = "list", ""
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")

    @rx.event
    @allow(Audience.PROVIDER_STAFF)
    def submit_cancel(self, form_data: dict):
        event_id = parse_id(self.chosen.get("id", ""))
        if self.step != "cancel" or event_id is None:
            return  # only from an open confirmation, once
        current = self._staff()
        if current is None:
            return
        t = self._t()
        self.reason = str(form_data.get("reason", ""))[:600]
        try:
            view = cancel_event(get_engine(), provider_id=parse_id(self.provider_id) or 0,
                                event_id=event_id, reason=self.reason, actor=current.actor)
        except AccessDenied:
            self.error = t("You do not have the right to do this.")
            return
        except EventRefused as error:
            self.error = refusal_message(t, error)
            return
        self.notice = t("Cancelled: {client}, {when}", client=view.client_name,
                        when=self.chosen.get("when", ""))
        self.step = "list"
        self._show(current, parse_month(self.month) or local_now().date())
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")


def figure(label: str, value: rx.Var) -> rx.Component:
    return rx.el.div(rx.el.dt(T(label)), rx.el.dd(value))


def event_card(row: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.p(rx.el.time(row["when"], date_time=row["iso"]), class_name="event-when"),
        rx.el.p(rx.el.strong(row["client"]), " · ", row["service"]),
        rx.el.p(T("Status:"), " ", rx.el.span(row["status_text"], class_name="status-text")),
        rx.cond(row["reason"] != "", rx.el.p(T("Reason:"), " ", row["reason"])),
        rx.el.dl(
            figure(N_("Amount"), row["quantity"]),
            figure(N_("Time band"), row["band"]),
            figure(N_("Charged to the budget"), row["amount"]),
            rx.cond(row["self_pay"] != "", figure(N_("Client's self-pay share"), row["self_pay"])),
            figure(N_("Voucher"), row["voucher"]),
            class_name="event-figures",
        ),
        rx.cond(
            row["can_cancel"] != "",
            rx.el.button(T("Cancel the event"),
                         rx.el.span(" ", row["client"], ", ", row["when"],
                                    class_name="visually-hidden"),
                         type="button", on_click=ProviderEventsState.open_cancel(row["id"]),
                         id="cancel-" + row["id"],
                         class_name="button button-secondary"),
        ),
        class_name=rx.cond(row["status"] == "recorded", "event",
                           "event event-not-counted"),
        data_status=row["status"],
    )


def month_switcher() -> rx.Component:
    s = ProviderEventsState
    return rx.el.nav(
        rx.el.button("‹ ", T("Previous month"), type="button", on_click=s.change_month(-1),
                     disabled=~s.can_go_back, class_name="button button-secondary"),
        rx.el.h2(s.month_label, aria_live="polite", class_name="month-label"),
        rx.el.button(T("Next month"), " ›", type="button", on_click=s.change_month(1),
                     disabled=~s.can_go_forward, class_name="button button-secondary"),
        class_name="month-switcher",
        aria_label=T("Choose month"),
    )


def event_list() -> rx.Component:
    s = ProviderEventsState
    return rx.fragment(
        rx.cond(s.notice != "", rx.el.div(rx.el.p(s.notice), role="status",
                                          class_name="notice notice-success")),
        rx.el.p(rx.el.a(T("Record a service event"),
                        href="/provider/events/new?provider=" + s.provider_id,
                        class_name="button")),
        month_switcher(),
        rx.cond(
            s.events.length() > 0,
            rx.el.ul(rx.foreach(s.events, event_card), class_name="event-list"),
            rx.el.p(T("No service events in this month.")),
        ),
    )


def cancel_form() -> rx.Component:
    s = ProviderEventsState
    return rx.fragment(
        back_button(s.back),
        rx.el.h2(T("Cancel the event?"), id="step-heading"),
        rx.el.section(
            rx.el.p(rx.el.strong(s.chosen["client"]), " · ", s.chosen["service"]),
            rx.el.p(s.chosen["when"], " · ", s.chosen["quantity"]),
            rx.el.p(T("Charged to the budget"), ": ", s.chosen["amount"]),
            class_name="card",
        ),
        rx.el.p(T("The event stays in the history as cancelled, and the client sees the "
                  "reason. Record a new event if something else was delivered.")),
        rx.el.form(
            rx.el.div(
                rx.el.label(T("Reason for cancelling"), html_for="f-reason",
                            class_name="field-label"),
                error_message("f-reason-error", s.error, s.error != ""),
                rx.el.textarea(id="f-reason", name="reason", default_value=s.reason, rows=3,
                               max_length=500, aria_describedby="f-reason-error",
                               aria_invalid=rx.cond(s.error != "", "true", "false"),
                               class_name="textarea"),
                class_name=rx.cond(s.error != "", "field field-has-error", "field"),
            ),
            rx.el.button(T("Yes, cancel the event"), type="submit", class_name="button"),
            on_submit=s.submit_cancel,
            reset_on_submit=False,
        ),
    )


@rx.page(route="/provider/events", title="HB – Palvelutapahtumat",
         on_load=ProviderEventsState.load)
def provider_events_page() -> rx.Component:
    s = ProviderEventsState
    return page(
        rx.el.h1(T("Service events")),
        provider_frame(s, rx.cond(s.step == "cancel", cancel_form(), event_list()),
                       "/provider/events"),
    )
