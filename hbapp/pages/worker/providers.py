"""`/worker/providers`: NPS per provider, and the flags and comments of the worker's clients."""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import loading, message_box, page, sign_in_prompt
from hbapp.db import get_engine
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.providers import worker_overview
from hbapp.state import AppState, T, today
from hbapp.views.providers import FLAG_LABELS, STATUS_LABELS, nps_text


class WorkerProvidersState(AppState):
    ready: bool = False
    denied: bool = False
    rows: list[dict[str, str]] = []
    flags: list[dict[str, str]] = []
    comments: list[dict[str, str]] = []

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        self.denied = False
        self.rows, self.flags, self.comments = [], [], []
        current = self._refresh_session()
        if current is not None:
            t = self._t()
            try:
                overview = worker_overview(get_engine(), current.actor, today())
            except AccessDenied:
                self.denied = True
            else:
                for row in overview:
                    pid = str(row.provider_id)
                    self.rows.append({
                        "id": pid, "name": row.name, "nps": nps_text(t, row.nps),
                        "status": t(STATUS_LABELS.get(row.approval_status, "pending")),
                        "flag_count": str(len(row.flags)),
                    })
                    for flag in row.flags:
                        self.flags.append({
                            "provider": pid, "provider_name": row.name,
                            "client": flag.client_name, "flag": t(FLAG_LABELS[flag.flag]),
                            "score": t("Score {score}/10", score=flag.score),
                            "comment": flag.comment, "when": t.date(flag.created_at),
                            "proxy": t("Given by a representative") if flag.proxy_reported
                            else "",
                        })
                    for comment in row.comments:
                        self.comments.append({"provider": pid, "text": comment.text,
                                              "when": t.date(comment.created_at)})
        self.ready = True
        return self._page_ready(N_("Provider feedback"))


def flag_item(flag: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.h3(flag["flag"]),
        rx.el.p(rx.el.strong(flag["client"]), " · ", flag["provider_name"]),
        rx.el.p(flag["when"], " · ", flag["score"], class_name="muted"),
        rx.cond(flag["comment"] != "", rx.el.blockquote(flag["comment"])),
        rx.cond(flag["proxy"] != "", rx.el.p(flag["proxy"], class_name="muted")),
        class_name="card flag-card",
    )


def provider_item(row: rx.Var) -> rx.Component:
    s = WorkerProvidersState
    return rx.el.li(
        rx.el.h3(row["name"]),
        rx.el.p(row["status"], class_name="muted"),
        rx.el.p(row["nps"]),
        rx.el.ul(rx.foreach(s.comments, lambda c: rx.cond(
            c["provider"] == row["id"],
            rx.el.li(rx.el.blockquote(c["text"]), rx.el.p(c["when"], class_name="muted")),
        )), class_name="comment-list"),
        class_name="card",
    )


def content() -> rx.Component:
    s = WorkerProvidersState
    return rx.fragment(
        rx.el.section(
            rx.el.h2(T("Problems reported by your clients"), id="flags-heading"),
            rx.el.p(T("Only clients who have given consent are shown."), class_name="muted"),
            rx.cond(s.flags.length() > 0,
                    rx.el.ul(rx.foreach(s.flags, flag_item), class_name="card-list",
                             id="flag-list"),
                    rx.el.p(T("No problems have been reported."))),
            aria_labelledby="flags-heading",
        ),
        rx.el.section(
            rx.el.h2(T("Recommendation scores of providers"), id="nps-list-heading"),
            rx.el.p(T("Comments are from your clients who have given consent."),
                    class_name="muted"),
            rx.el.ul(rx.foreach(s.rows, provider_item), class_name="card-list"),
            aria_labelledby="nps-list-heading",
        ),
    )


@rx.page(route="/worker/providers", title="HB – Palaute palveluntuottajista",
         on_load=WorkerProvidersState.load)
def worker_providers() -> rx.Component:
    s = WorkerProvidersState
    return page(
        rx.el.h1(T("Provider feedback")),
        rx.cond(
            s.ready,
            rx.cond(
                s.signed_in,
                rx.cond(s.denied,
                        message_box(T("This page is for case workers."), "error"),
                        content()),
                sign_in_prompt("/worker/providers"),
            ),
            loading(),
        ),
    )
