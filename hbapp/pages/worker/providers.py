"""`/worker/providers`: NPS per provider, and the flags and comments of the worker's clients.

An open flag (a problem a client reported) shows the provider's phone and e-mail; the worker
records that they contacted the provider, and resolves the flag with a note: it then leaves the
open problems here and the caseload's alert (issue 18). Both are audited in the service."""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import loading, message_box, page, sign_in_prompt
from hbapp.db import get_engine
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.domain.inputs import parse_id
from hbapp.services.providers import (
    FLAG_NOTE_MAX, FlagError, record_flag_contact, resolve_flag, worker_overview,
)
from hbapp.state import AppState, T, today
from hbapp.views.providers import FLAG_LABELS, STATUS_LABELS, nps_text


FLAG_ERRORS = {
    "not_found": N_("This problem was not found."),
    "handled": N_("This problem has already been resolved."),
    "note_missing": N_("Write what was done to resolve the problem."),
    "note_too_long": N_("The note is too long."),
}


class WorkerProvidersState(AppState):
    ready: bool = False
    denied: bool = False
    rows: list[dict[str, str]] = []
    flags: list[dict[str, str]] = []
    comments: list[dict[str, str]] = []
    message: str = ""
    error: str = ""
    error_id: str = ""

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        self.message = self.error = self.error_id = ""
        self._list()
        self.ready = True
        return self._page_ready(N_("Provider feedback"))

    def _list(self):
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
                        contacted = ""
                        if flag.contacted_at is not None:
                            contacted = t("Provider contacted on {when} by {person}",
                                          when=t.date(flag.contacted_at),
                                          person=flag.contacted_by)
                        self.flags.append({
                            "id": str(flag.feedback_id),
                            "provider": pid, "provider_name": row.name,
                            "phone": row.phone, "email": row.email,
                            "phone_href": "tel:" + row.phone.replace(" ", ""),
                            "email_href": "mailto:" + row.email,
                            "contacted": contacted,
                            "client": flag.client_name, "flag": t(FLAG_LABELS[flag.flag]),
                            "score": t("Score {score}/10", score=flag.score),
                            "comment": flag.comment, "when": t.date(flag.created_at),
                            "proxy": t("Given by a representative") if flag.proxy_reported
                            else "",
                        })
                    for comment in row.comments:
                        self.comments.append({"provider": pid, "text": comment.text,
                                              "when": t.date(comment.created_at)})

    def _flag_action(self, flag_id: str, action) -> bool:
        t = self._t()
        self.message = self.error = ""
        self.error_id = flag_id
        current = self._refresh_session()
        wanted = parse_id(flag_id)
        if current is None or wanted is None:
            self.error = t("This problem was not found.")
            return False
        try:
            action(current, wanted)
        except AccessDenied:
            self.error = t("You do not have access to this client's data.")
            return False
        except FlagError as error:
            self.error = t(FLAG_ERRORS[error.code])
            return False
        self.error_id = ""
        self._list()
        return True

    @rx.event
    @allow(Audience.WORKER)
    def contacted(self, flag_id: str):
        t = self._t()
        name = next((f["provider_name"] for f in self.flags if f["id"] == flag_id), "")
        if self._flag_action(flag_id, lambda current, wanted: record_flag_contact(
                get_engine(), current.actor, wanted, today())):
            self.message = t("Contact with {provider} recorded.", provider=name)

    @rx.event
    @allow(Audience.WORKER)
    def resolve(self, form_data: dict):
        t = self._t()
        flag_id = str(form_data.get("flag_id", ""))
        note = str(form_data.get("note", ""))
        found = next((f for f in self.flags if f["id"] == flag_id), None)
        if self._flag_action(flag_id, lambda current, wanted: resolve_flag(
                get_engine(), current.actor, wanted, note, today())):
            self.message = t("The problem of {client} with {provider} is resolved.",
                             client=found["client"] if found else "",
                             provider=found["provider_name"] if found else "")


def flag_item(flag: rx.Var) -> rx.Component:
    s = WorkerProvidersState
    has_error = (s.error != "") & (s.error_id == flag["id"])
    error_id = "flag-error-" + flag["id"]
    return rx.el.li(
        rx.el.h3(flag["flag"]),
        rx.el.p(rx.el.strong(flag["client"]), " · ", flag["provider_name"]),
        rx.el.p(flag["when"], " · ", flag["score"], class_name="muted"),
        rx.cond(flag["comment"] != "", rx.el.blockquote(flag["comment"])),
        rx.cond(flag["proxy"] != "", rx.el.p(flag["proxy"], class_name="muted")),
        rx.el.h4(T("Contact the provider")),
        rx.el.ul(
            rx.cond(flag["phone"] != "", rx.el.li(
                T("Phone"), ": ",
                rx.el.a(flag["phone"], href=flag["phone_href"], class_name="contact-link"))),
            rx.cond(flag["email"] != "", rx.el.li(
                T("E-mail"), ": ",
                rx.el.a(flag["email"], href=flag["email_href"], class_name="contact-link"))),
            class_name="card-list-plain contact-list",
        ),
        rx.cond(flag["contacted"] != "",
                rx.el.p(flag["contacted"], class_name="muted flag-contacted")),
        rx.el.button(
            T("I contacted the provider"),
            rx.el.span(" (", flag["provider_name"], ", ", flag["client"], ")",
                       class_name="visually-hidden"),
            type="button", class_name="button button-secondary",
            on_click=s.contacted(flag["id"]),
        ),
        rx.el.form(
            rx.el.input(type="hidden", name="flag_id", value=flag["id"]),
            rx.el.div(
                rx.el.label(T("How was the problem resolved?"), html_for="flag-note-" + flag["id"]),
                rx.el.textarea(name="note", id="flag-note-" + flag["id"], rows=3,
                               max_length=FLAG_NOTE_MAX, aria_describedby=error_id,
                               aria_invalid=rx.cond(has_error, "true", "false")),
                class_name="wk-field",
            ),
            rx.el.p(rx.cond(has_error, s.error, ""), id=error_id,
                    class_name=rx.cond(has_error, "wk-error", "visually-hidden")),
            rx.el.button(T("Mark as resolved"),
                         rx.el.span(" (", flag["provider_name"], ", ", flag["client"], ")",
                                    class_name="visually-hidden"),
                         type="submit", class_name="button"),
            on_submit=s.resolve,
            reset_on_submit=False,
            class_name="flag-resolve",
        ),
        class_name="card flag-card",
        custom_attrs={"data-flag-id": flag["id"]},
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
            rx.el.p(s.message, role="status", class_name="result-count", id="flag-status"),
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
