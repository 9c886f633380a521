"""`/messages`: the signed-in person's own messages, newest first; opening one marks it read.

Every message is rendered in the reader's language from its kind and parameters
(`hbapp.views.messages`), so it reads the same in Finnish, Swedish and English.
"""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import loading, page, sign_in_prompt
from hbapp.db import get_engine
from hbapp.domain.inputs import parse_id
from hbapp.i18n import N_
from hbapp.services import messages
from hbapp.services.access import AccessDenied
from hbapp.state import AppState, T
from hbapp.views.messages import received, render

LINK_LABELS = {
    "/decisions": N_("See the decisions"),
    "/swap": N_("See your swaps"),
    "/budget": N_("See the budget"),
    "/surveys": N_("Go to the survey"),
    "/worker/disputes": N_("See the reported problems"),
    "/provider/disputes": N_("See the reported problems"),
    "/worker/events": N_("See the events to review"),
    "/provider/settlements": N_("See the settlements"),
}


def link_label(link: str) -> str:
    path = link.split("?", 1)[0]
    for prefix, label in LINK_LABELS.items():
        if path == prefix or path.startswith(prefix + "/"):
            return label
    return N_("Open")


class MessagesState(AppState):
    ready: bool = False
    items: list[dict[str, str]] = []
    opened: dict[str, str] = {}
    opened_id: str = ""

    def _rows(self, current) -> None:
        t = self._t()
        rows = []
        for m in messages.inbox(get_engine(), current.actor):
            text = render(m.kind, m.params, t)
            rows.append({"id": str(m.id), "title": text.title, "text": text.text,
                         "when": received(m.created_at, t), "unread": "1" if m.unread else "",
                         "link": m.link, "link_label": t(link_label(m.link)) if m.link else ""})
        self.items = rows
        self.unread_messages = sum(1 for r in rows if r["unread"])

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        self.items, self.opened, self.opened_id = [], {}, ""
        current = self._refresh_session()
        if current is not None:
            self._rows(current)
        self.ready = True
        return self._page_ready(N_("Messages"))

    @rx.event
    @allow(Audience.SIGNED_IN)
    def open_message(self, message_id: str):
        wanted = parse_id(message_id)
        current = self._refresh_session()
        if wanted is None or current is None:
            return
        try:
            messages.mark_read(get_engine(), current.actor, wanted)
        except AccessDenied:
            return
        self._rows(current)
        self.opened = next((r for r in self.items if r["id"] == str(wanted)), {})
        self.opened_id = self.opened.get("id", "")
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")

    @rx.event
    @allow(Audience.SIGNED_IN)
    def back(self):
        self.opened, self.opened_id = {}, ""
        current = self._refresh_session()
        if current is not None:
            self._rows(current)
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")

    @rx.event
    @allow(Audience.SIGNED_IN)
    def read_all(self):
        current = self._refresh_session()
        if current is None:
            return
        messages.mark_all_read(get_engine(), current.actor)
        self._rows(current)


def message_item(row) -> rx.Component:
    return rx.el.li(
        rx.el.h2(
            rx.el.button(
                rx.cond(row["unread"] != "",
                        rx.el.span(T("New"), ": ", class_name="new-mark")),
                row["title"],
                type="button",
                on_click=MessagesState.open_message(row["id"]),
                class_name="link-button",
            ),
            class_name="message-title",
        ),
        rx.el.p(row["when"], class_name="muted"),
        class_name=rx.cond(row["unread"] != "", "message-item unread", "message-item"),
        custom_attrs={"data-unread": row["unread"]},
    )


def message_list() -> rx.Component:
    s = MessagesState
    return rx.fragment(
        rx.el.p(T("Messages from HB about your matters. The newest is first."), class_name="lead"),
        rx.cond(
            s.items.length() > 0,
            rx.fragment(
                rx.cond(s.unread_messages > 0,
                        rx.el.button(T("Mark all as read"), type="button", on_click=s.read_all,
                                     class_name="button button-secondary")),
                rx.el.ul(rx.foreach(s.items, message_item), class_name="message-list"),
            ),
            rx.el.p(T("You have no messages.")),
        ),
    )


def opened_message() -> rx.Component:
    s = MessagesState
    return rx.el.article(
        rx.el.button(T("Back to messages"), type="button", on_click=s.back,
                     class_name="back-link link-button"),
        rx.el.h2(s.opened["title"]),
        rx.el.p(s.opened["when"], class_name="muted"),
        rx.el.p(s.opened["text"], id="message-text"),
        rx.cond(s.opened["link"] != "",
                rx.el.p(rx.el.a(s.opened["link_label"], href=s.opened["link"],
                                class_name="button"))),
        class_name="card",
    )


@rx.page(route="/messages", title="HB – Viestit", on_load=MessagesState.load)
def messages_page() -> rx.Component:
    s = MessagesState
    return page(
        rx.el.h1(T("Messages")),
        rx.cond(
            s.ready,
            rx.cond(s.signed_in,
                    rx.cond(s.opened_id != "", opened_message(), message_list()),
                    sign_in_prompt("/messages")),
            loading(),
        ),
    )
