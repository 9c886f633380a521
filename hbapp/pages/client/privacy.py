"""`/privacy`: who has looked at or changed the client's data, newest first, filterable.

For the client and a proxy with `manage`; the service checks it and audits the viewing.
Filters live in the address (`?kind=view&person=12`) so a filtered list can be bookmarked.
"""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import loading, message_box, page, sign_in_prompt
from hbapp.db import get_engine
from hbapp.domain.mandates import ACTION_KINDS
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.privacy import access_log
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

    def _show(self):
        current = self._refresh_session()
        t = self._t()
        self.denied = False
        self.entries, self.people = [], []
        self.kinds = [{"value": k, "label": t(KIND_TEXTS[k])} for k in ACTION_KINDS]
        if current is None or current.acting_for is None:
            return
        kind = self.kind if self.kind in ACTION_KINDS else None
        try:
            person_id = int(self.person) if self.person else None
        except ValueError:
            person_id = None
        try:
            log = access_log(get_engine(), current.actor, current.acting_for.client_id, today(),
                             kind=kind, person_id=person_id)
        except AccessDenied:
            self.denied = True
            return
        self.client_name = log.client_name
        self.intro = t("Here you see who has looked at or changed the data of {name}. "
                       "The newest is first.", name=log.client_name)
        self.entries = [entry_texts(t, entry) for entry in log.entries]
        self.people = [{"value": str(pid), "label": name} for pid, name in log.people]

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        params = self.router.page.params
        self.kind = params.get("kind", "") if params.get("kind", "") in ACTION_KINDS else ""
        self.person = params.get("person", "")
        self._show()
        self.ready = True
        return self._page_ready(N_("Who has seen my data"))

    @rx.event
    @allow(Audience.CLIENT_VIEW)
    def apply_filter(self, form_data: dict):
        kind = str(form_data.get("kind", ""))
        self.kind = kind if kind in ACTION_KINDS else ""
        person = str(form_data.get("person", ""))
        self.person = person if person.isdigit() else ""
        self._show()
        query = "&".join(f"{k}={v}" for k, v in (("kind", self.kind), ("person", self.person))
                         if v)
        return rx.call_script(
            f"history.replaceState(null, '', '/privacy{'?' + query if query else ''}')"
        )


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
                filters(),
                rx.el.h2(T("Events"), id="entries-heading"),
                rx.cond(
                    S.entries.length() > 0,
                    rx.el.ul(rx.foreach(S.entries, entry_item), class_name="event-list",
                             aria_labelledby="entries-heading"),
                    rx.el.p(T("Nothing to show.")),
                ),
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
