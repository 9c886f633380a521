"""`/`: whose matters are shown, what is left of this month's budget, each service's use."""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.budget import progress_bar, service_use_list
from hbapp.components.surveys_due import due_survey_items, surveys_due_card
from hbapp.components.layout import loading, message_box, page, sign_in_prompt
from hbapp.db import get_engine
from hbapp.domain.mandates import SCOPES
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.budget import budget_month
from hbapp.services.landing import HOME, workspace_of
from hbapp.state import AppState, T, today
from hbapp.views.access import scopes_text
from hbapp.views.budget import line_texts, summary_texts


class HomeState(AppState):
    ready: bool = False
    has_budget: bool = False
    denied: bool = False
    summary: dict[str, str] = {}
    lines: list[dict[str, str]] = []
    due_surveys: list[dict[str, str]] = []
    # For a proxy whose mandate does not cover everything: what they may do, said once.
    rights_note: str = ""

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        current = self._refresh_session()
        self.has_budget = self.denied = False
        self.summary, self.lines, self.due_surveys = {}, [], []
        self.rights_note = ""
        if current is not None and current.acting_for is None:
            # A case worker, administrator or provider's staff member: their own workspace.
            target = workspace_of(current)
            if target != HOME:
                self.ready = True
                return [self._page_ready(N_("My budget")), rx.redirect(target)]
        if current is not None and current.acting_for is not None:
            t = self._t()
            acting_for = current.acting_for
            if acting_for.relation != "self" and set(acting_for.scopes) != set(SCOPES):
                self.rights_note = t(
                    "You may {what} for {name}. To do more, ask {name} for more rights: "
                    "they accept your request in this service.",
                    what=scopes_text(t, acting_for.scopes), name=acting_for.name)
            try:
                month = budget_month(
                    get_engine(), current.actor, current.acting_for.client_id, today(), today(),
                    action="view_budget_summary",
                )
            except AccessDenied:
                self.denied = True
                month = None
            if month is not None:
                self.has_budget = True
                self.summary = summary_texts(t, month)
                self.lines = [line_texts(t, month, line) for line in month.statement.lines]
            self.due_surveys = due_survey_items(current, t)
        self.ready = True
        return self._page_ready(N_("My budget"))


def rights_note() -> rx.Component:
    return rx.cond(
        HomeState.rights_note != "",
        rx.el.div(
            rx.el.p(HomeState.rights_note),
            rx.el.p(rx.el.a(T("Ask for more rights"), href="/mandates", id="ask-more-rights")),
            class_name="notice",
        ),
    )


def budget_summary() -> rx.Component:
    # What is left comes first (issue 18): on a phone it must be on the first screen.
    return rx.fragment(
        rx.el.section(
            rx.el.h2(T("Money left this month"), id="left-heading"),
            rx.el.p(HomeState.summary["month"], class_name="muted"),
            rx.el.p(HomeState.summary["remaining"], class_name="big-number", id="remaining-amount"),
            progress_bar(
                HomeState.summary["percent"], T("Share of this month's budget used"),
                HomeState.summary["warning"] != "",
            ),
            rx.el.p(HomeState.summary["used_of"]),
            rx.el.p(
                HomeState.summary["forecast"],
                class_name=rx.cond(HomeState.summary["warning"] != "", "warning-text", ""),
            ),
            class_name="card highlight",
            aria_labelledby="left-heading",
        ),
        rights_note(),
        surveys_due_card(HomeState.due_surveys),
        rx.el.section(
            rx.el.h2(T("Your services this month"), id="services-heading"),
            service_use_list(HomeState.lines),
            rx.el.p(
                rx.el.a(T("See the whole budget and the services delivered"), href="/budget",
                        class_name="button button-secondary"),
            ),
            aria_labelledby="services-heading",
        ),
    )


def signed_in_home() -> rx.Component:
    return rx.cond(
        HomeState.acting_for_id == 0,
        message_box(T("You have no personal budget to show.")),
        rx.cond(
            HomeState.denied,
            message_box(T("You do not have the right to see this budget."), "error"),
            rx.cond(
                HomeState.has_budget,
                budget_summary(),
                message_box(T("There is no active budget for this month.")),
            ),
        ),
    )


def signed_out_home() -> rx.Component:
    return rx.el.section(
        rx.el.p(
            T("Here you can follow your personal budget: how much money is left, "
              "which services you have used, and who provides them."),
            class_name="lead",
        ),
        rx.el.p(T("A relative can also use the service on your behalf.")),
        sign_in_prompt("/"),
    )


@rx.page(route="/", title="HB – Oma budjetti", on_load=HomeState.load)
def home() -> rx.Component:
    return page(
        rx.el.h1(
            rx.cond(
                HomeState.signed_in & (HomeState.acting_for_id != 0) & ~HomeState.acting_for_self,
                HomeState.acting_for_name,
                T("My budget"),
            ),
        ),
        rx.cond(
            HomeState.ready,
            rx.cond(HomeState.signed_in, signed_in_home(), signed_out_home()),
            loading(),
        ),
    )
