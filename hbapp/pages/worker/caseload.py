"""`/worker`: the case worker's own clients with alerts, a count per alert type, sort and filter."""

from __future__ import annotations

from urllib.parse import urlencode

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import loading, message_box, page
from hbapp.db import get_engine
from hbapp.domain.alerts import ALERT_TYPES, IDENTITY_CODE_SHAPE, SORT_KEYS
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.caseload import worker_caseload
from hbapp.services.provider_events import count_needing_review
from hbapp.state import AppState, T, today
from hbapp.views.worker import (
    ALERT_LABELS,
    SORT_LABELS,
    CaseloadRowView,
    alert_counts,
    caseload_row,
)


class WorkerState(AppState):
    ready: bool = False
    denied: bool = False
    sort: str = "name"
    alert_filter: str = ""
    search: str = ""
    total: int = 0
    rows: list[CaseloadRowView] = []
    counts: list[dict[str, str]] = []
    shown_text: str = ""
    review_text: str = ""  # service events waiting for this worker's review

    def _show(self, sort: str, alert_filter: str, search: str = ""):
        current = self._refresh_session()
        self.denied = False
        self.rows, self.counts, self.total, self.shown_text = [], [], 0, ""
        self.review_text = ""
        self.sort = sort if sort in SORT_KEYS else "name"
        self.alert_filter = alert_filter if alert_filter in ALERT_TYPES else ""
        if current is None:
            return
        try:
            caseload = worker_caseload(get_engine(), current.actor, today(), self.sort,
                                       self.alert_filter, search)
        except AccessDenied:
            self.denied = True
            return
        t = self._t()
        self.search = caseload.search
        self.total = caseload.total
        self.rows = [caseload_row(t, e) for e in caseload.entries]
        self.counts = alert_counts(t, caseload)
        self.shown_text = t("Showing {shown} of {total} clients", shown=len(self.rows),
                            total=caseload.total)
        waiting = count_needing_review(get_engine(), current.actor, today())
        self.review_text = t.ngettext("{n} service event waits for your review",
                                      "{n} service events wait for your review",
                                      waiting, n=waiting) if waiting else ""

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        params = self.router.page.params
        self._show(params.get("sort", "name"), params.get("alert", ""), params.get("q", ""))
        self.ready = True
        return self._page_ready(N_("My clients"))

    @rx.event
    @allow(Audience.WORKER)
    def apply(self, form_data: dict):
        self._show(str(form_data.get("sort", "name")), str(form_data.get("alert", "")),
                   str(form_data.get("q", "")))
        # A search by identity code stays out of the address (and so out of browser history).
        q = "" if IDENTITY_CODE_SHAPE.match(self.search.upper()) else self.search
        query = urlencode({k: v for k, v in (("q", q), ("sort", self.sort),
                                             ("alert", self.alert_filter)) if v})
        return rx.call_script(
            f"history.replaceState(null, '', '/worker{'?' + query if query else ''}')"
        )


def controls() -> rx.Component:
    return rx.el.form(
        rx.el.div(
            rx.el.label(T("Search by name or identity code"), html_for="caseload-search"),
            rx.el.input(type="search", id="caseload-search", name="q", max_length=100,
                        default_value=WorkerState.search, auto_complete="off"),
            class_name="wk-field caseload-search",
        ),
        rx.el.div(
            rx.el.label(T("Sort by"), html_for="caseload-sort"),
            rx.el.select(
                *[rx.el.option(T(label), value=key) for key, label in SORT_LABELS.items()],
                id="caseload-sort",
                name="sort",
                default_value=WorkerState.sort,
            ),
            class_name="wk-field",
        ),
        rx.el.div(
            rx.el.label(T("Show clients with"), html_for="caseload-alert"),
            rx.el.select(
                rx.el.option(T("All clients"), value=""),
                *[rx.el.option(T(label), value=key) for key, label in ALERT_LABELS.items()],
                id="caseload-alert",
                name="alert",
                default_value=WorkerState.alert_filter,
            ),
            class_name="wk-field",
        ),
        rx.el.button(T("Show"), type="submit", class_name="button"),
        on_submit=WorkerState.apply,
        class_name="caseload-controls",
        aria_label=T("Sort and filter clients"),
    )


def counts_section() -> rx.Component:
    return rx.el.section(
        rx.el.h2(T("Alerts"), id="alert-counts-heading"),
        rx.el.dl(
            rx.foreach(
                WorkerState.counts,
                lambda c: rx.el.div(rx.el.dt(c["label"]), rx.el.dd(c["count"]),
                                    class_name="alert-count", data_kind=c["kind"]),
            ),
            class_name="figures",
        ),
        rx.el.p(T("The numbers tell how many clients have each alert."), class_name="muted"),
        rx.cond(WorkerState.review_text != "",
                rx.el.p(rx.el.a(WorkerState.review_text, href="/worker/events"),
                        class_name="warning-text", id="events-to-review")),
        class_name="card",
        aria_labelledby="alert-counts-heading",
    )


def client_row(row: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.h3(
            rx.cond(row.consent, rx.el.a(row.name, href=row.href), rx.el.span(row.name)),
        ),
        rx.cond(
            row.consent,
            rx.fragment(
                rx.el.p(row.alert_count, class_name="alert-total"),
                rx.cond(
                    row.alerts.length() > 0,
                    rx.el.ul(
                        rx.foreach(row.alerts, lambda a: rx.el.li(
                            rx.el.span("!", aria_hidden="true", class_name="badge-mark"), " ", a,
                            class_name="badge badge-alert")),
                        class_name="badge-list",
                        aria_label=T("Alerts"),
                    ),
                ),
                rx.cond(row.budget_use != "", rx.el.p(row.budget_use, class_name="muted")),
            ),
            rx.el.p(
                rx.el.span(T("No consent"), class_name="badge badge-muted"), " ",
                rx.el.a(T("How to ask for consent"), href=row.href + "/access"),
            ),
        ),
        class_name="card caseload-item",
        data_client_id=row.id,
    )


def caseload_content() -> rx.Component:
    return rx.cond(
        WorkerState.total == 0,
        message_box(T("You have no clients yet. Clients are assigned to you by your team.")),
        rx.fragment(
            counts_section(),
            rx.el.section(
                rx.el.h2(T("Clients"), id="clients-heading"),
                controls(),
                # Not "muted": the browser tests' loading check looks for a muted status.
                rx.el.p(WorkerState.shown_text, role="status", aria_live="polite",
                        class_name="result-count"),
                rx.cond(
                    WorkerState.rows.length() > 0,
                    rx.el.ul(rx.foreach(WorkerState.rows, client_row),
                             class_name="card-list caseload-list"),
                    rx.cond(WorkerState.search != "",
                            message_box(T("No client matches the search.")),
                            message_box(T("No client has this alert."))),
                ),
                aria_labelledby="clients-heading",
            ),
        ),
    )


@rx.page(route="/worker", title="HB – Asiakkaani", on_load=WorkerState.load)
def worker() -> rx.Component:
    return page(
        rx.el.h1(T("My clients")),
        rx.cond(
            WorkerState.ready,
            rx.cond(
                WorkerState.signed_in,
                rx.cond(
                    WorkerState.denied,
                    message_box(T("This page is for case workers. You do not have access."),
                                "error"),
                    caseload_content(),
                ),
                rx.el.section(
                    rx.el.p(T("Sign in to see your clients.")),
                    rx.el.a(T("Sign in"), href="/auth/login?next=/worker", class_name="button"),
                    class_name="notice",
                ),
            ),
            loading(),
        ),
    )
