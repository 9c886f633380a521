"""`/privacy`: who has looked at or changed the client's data, newest first, a page at a time.

For the client and a proxy with `manage`; the service checks it and audits the viewing.
Other people's use of the data and the client's own actions are two parts of the page, so a
client's own sign-ins never bury someone else's access. Filters and the part and page live in
the address (`?whose=own&kind=view&person=12&page=2`) so a list can be bookmarked.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import loading, message_box, page, sign_in_prompt
from hbapp.db import get_engine
from hbapp.domain.inputs import parse_id
from hbapp.domain.mandates import ACTION_KINDS
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.privacy import WHOSE, access_log
from hbapp.state import AppState, T, today
from hbapp.views.access import KIND_TEXTS, entry_texts


class PrivacyState(AppState):
    ready: bool = False
    denied: bool = False
    client_name: str = ""
    intro: str = ""
    entries: list[dict[str, str]] = []
    people: list[dict[str, str]] = []
    kinds: list[dict[str, str]] = []
    kind: str = ""
    person: str = ""
    whose: str = "others"
    parts: list[dict[str, str]] = []  # the two parts of the log: label, href, current
    page_number: int = 1
    page_text: str = ""
    newer_href: str = ""
    older_href: str = ""

    def _href(self, **changes) -> str:
        values = {"whose": self.whose if self.whose != "others" else "", "kind": self.kind,
                  "person": self.person, "page": ""}
        values.update(changes)
        query = urlencode([(k, v) for k, v in values.items() if v])
        return "/privacy" + ("?" + query if query else "")

    def _show(self):
        current = self._refresh_session()
        t = self._t()
        self.denied = False
        self.entries, self.people, self.parts = [], [], []
        self.newer_href = self.older_href = self.page_text = ""
        self.kinds = [{"value": k, "label": t(KIND_TEXTS[k])} for k in ACTION_KINDS]
        if current is None or current.acting_for is None:
            return
        kind = self.kind if self.kind in ACTION_KINDS else None
        try:
            log = access_log(get_engine(), current.actor, current.acting_for.client_id, today(),
                             kind=kind, person_id=parse_id(self.person), whose=self.whose,
                             page=self.page_number)
        except AccessDenied:
            self.denied = True
            return
        self.client_name = log.client_name
        self.page_number = log.page
        self.intro = t("Here you see who has looked at or changed the data of {name}. "
                       "The newest is first.", name=log.client_name)
        self.entries = [entry_texts(t, entry) for entry in log.entries]
        self.people = [{"value": str(pid), "label": name} for pid, name in log.people]
        labels = {"others": t("What other people did"),
                  "own": t("What {name} did", name=log.client_name)}
        self.parts = [
            {"label": labels[part], "href": self._href(whose=part if part != "others" else "",
                                                       kind="", person=""),
             "current": "page" if part == self.whose else "false"}
            for part in WHOSE
        ]
        if log.pages > 1:
            self.page_text = t("Page {page} of {pages}", page=log.page, pages=log.pages)
        if log.page > 1:
            self.newer_href = self._href(page=str(log.page - 1) if log.page > 2 else "")
        if log.page < log.pages:
            self.older_href = self._href(page=str(log.page + 1))

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        params = self.router.page.params
        kind = params.get("kind", "")
        self.kind = kind if kind in ACTION_KINDS else ""
        person = parse_id(params.get("person", ""))
        self.person = str(person) if person else ""
        self.whose = "own" if params.get("whose", "") == "own" else "others"
        self.page_number = parse_id(params.get("page", "")) or 1
        self._show()
        self.ready = True
        return self._page_ready(N_("Who has seen my data"))

    @rx.event
    @allow(Audience.CLIENT_VIEW)
    def apply_filter(self, form_data: dict):
        kind = str(form_data.get("kind", ""))
        self.kind = kind if kind in ACTION_KINDS else ""
        person = parse_id(str(form_data.get("person", "")))
        self.person = str(person) if person else ""
        self.page_number = 1
        self._show()
        return rx.call_script(f"history.replaceState(null, '', {json.dumps(self._href())})")


S = PrivacyState


def filters() -> rx.Component:
    return rx.el.form(
        rx.el.div(
            rx.el.label(T("What was done"), html_for="f-kind", class_name="field-label"),
            rx.el.select(
                rx.el.option(T("All actions"), value=""),
                rx.foreach(S.kinds, lambda k: rx.el.option(k["label"], value=k["value"])),
                id="f-kind", name="kind", default_value=S.kind,
                class_name="field-input",
            ),
            class_name="field",
        ),
        rx.el.div(
            rx.el.label(T("Who"), html_for="f-person", class_name="field-label"),
            rx.el.select(
                rx.el.option(T("Everyone"), value=""),
                rx.foreach(S.people, lambda p: rx.el.option(p["label"], value=p["value"])),
                id="f-person", name="person", default_value=S.person,
                class_name="field-input",
            ),
            class_name="field",
        ),
        rx.el.button(T("Show"), type="submit", class_name="button button-secondary"),
        on_submit=S.apply_filter,
        reset_on_submit=False,
        class_name="filter-form",
        aria_label=T("Filter the list"),
    )


def entry_item(entry: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.p(entry["text"], class_name="entry-text"),
        rx.el.p(rx.el.time(entry["when"], date_time=entry["iso"]), " · ", entry["kind"],
                class_name="muted"),
        class_name="event",
    )


def part_links() -> rx.Component:
    return rx.el.nav(
        rx.el.ul(
            rx.foreach(S.parts, lambda part: rx.el.li(
                rx.el.a(part["label"], href=part["href"],
                        custom_attrs={"aria-current": part["current"]},
                        class_name="part-link"),
            )),
            class_name="part-links",
        ),
        aria_label=T("Whose actions"),
    )


def pager() -> rx.Component:
    return rx.cond(
        S.page_text != "",
        rx.el.nav(
            rx.cond(S.newer_href != "", rx.el.a("‹ ", T("Newer events"), href=S.newer_href)),
            rx.el.span(S.page_text),
            rx.cond(S.older_href != "", rx.el.a(T("Older events"), " ›", href=S.older_href)),
            class_name="pager",
            aria_label=T("Pages of the list"),
        ),
    )


def privacy_content() -> rx.Component:
    return rx.cond(
        S.acting_for_id == 0,
        message_box(T("You have no personal budget to show.")),
        rx.cond(
            S.denied,
            message_box(T("Only the client, or a person who may manage their matters, "
                          "can see who has seen their data."), "error"),
            rx.el.div(
                rx.el.p(S.intro),
                part_links(),
                filters(),
                rx.el.h2(T("Events"), id="entries-heading"),
                rx.cond(
                    S.entries.length() > 0,
                    rx.el.ul(rx.foreach(S.entries, entry_item), class_name="event-list",
                             aria_labelledby="entries-heading"),
                    rx.el.p(T("Nothing to show.")),
                ),
                pager(),
                class_name="access-pages",
            ),
        ),
    )


@rx.page(route="/privacy", title="HB – Tietojeni käyttö", on_load=PrivacyState.load)
def privacy() -> rx.Component:
    return page(
        rx.el.h1(T("Who has seen my data")),
        rx.cond(
            PrivacyState.ready,
            rx.cond(PrivacyState.signed_in, privacy_content(), sign_in_prompt("/privacy")),
            loading(),
        ),
    )
