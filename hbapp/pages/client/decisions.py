"""`/decisions`: the client's (or a proxy's with `view`) budget decisions in plain language:
what was granted, what each change changed, from when and why, and when the budget ends."""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.decisions import history_list
from hbapp.components.layout import client_page, page
from hbapp.db import get_engine
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.decisions import client_decisions
from hbapp.state import AppState, T, today
from hbapp.views.decisions import VersionText, history_texts


class DecisionsState(AppState):
    ready: bool = False
    denied: bool = False
    history: list[VersionText] = []

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        self.denied = False
        self.history = []
        current = self._refresh_session()
        if current is not None and current.acting_for is not None:
            try:
                result = client_decisions(get_engine(), current.actor,
                                          current.acting_for.client_id, today())
                self.history = history_texts(self._t(), result, today())
            except AccessDenied:
                self.denied = True
        self.ready = True
        return self._page_ready(N_("Budget decisions"))


@rx.page(route="/decisions", title="HB – Päätökset", on_load=DecisionsState.load)
def decisions() -> rx.Component:
    return page(
        rx.el.h1(T("Budget decisions")),
        client_page(
            DecisionsState,
            rx.fragment(
                rx.el.p(T("Your personal budget is granted by a decision of your wellbeing "
                          "services county. Here you see each decision and each change: what "
                          "you get, from when, and why."), class_name="lead"),
                rx.el.h2(T("Decisions and changes, newest first"), id="history-heading"),
                history_list(DecisionsState.history),
                rx.el.p(T("If you disagree with a decision, ask your case worker. The decision "
                          "letter tells how to appeal.")),
                rx.el.p(rx.el.a(T("See your budget"), href="/budget")),
            ),
            "/decisions",
            T("You do not have the right to see these decisions."),
        ),
    )
