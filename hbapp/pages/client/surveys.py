"""`/surveys`: the surveys the client should answer, and the ones already answered."""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import client_page, page
from hbapp.db import get_engine
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.surveys import due_surveys, results_for_client
from hbapp.state import AppState, T, today
from hbapp.views.surveys import assignment_texts, response_texts


class SurveysState(AppState):
    ready: bool = False
    denied: bool = False
    due: list[dict[str, str]] = []
    answered: list[dict[str, str]] = []

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        self.denied = False
        self.due, self.answered = [], []
        current = self._refresh_session()
        if current is not None and current.acting_for is not None:
            t = self._t()
            client_id = current.acting_for.client_id
            try:
                due = due_surveys(get_engine(), current.actor, client_id, today())
                done = results_for_client(get_engine(), current.actor, client_id, today())
            except AccessDenied:
                self.denied = True
            else:
                self.due = [assignment_texts(t, a) for a in due]
                self.answered = [response_texts(t, r) for r in done]
        self.ready = True
        return self._page_ready(N_("Surveys"))


def due_item(item: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.h3(item["name"]),
        rx.el.p(item["timepoint"], class_name="muted"),
        rx.el.p(item["status"], class_name=rx.cond(item["overdue"] != "", "warning-text", "")),
        rx.el.a(
            rx.cond(item["started"] != "", T("Continue answering"), T("Answer the survey")),
            rx.el.span(" – ", item["name"], class_name="visually-hidden"),
            href=item["href"],
            class_name="button",
        ),
        class_name="card",
    )


def answered_item(item: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.a(item["name"], href=item["href"]),
        rx.el.p(item["timepoint"], " · ", item["date"], class_name="muted"),
        rx.cond(item["proxy"] != "", rx.el.p(item["proxy"], class_name="muted")),
    )


def content() -> rx.Component:
    return rx.fragment(
        rx.el.section(
            rx.el.h2(T("Surveys to answer"), id="due-heading"),
            rx.cond(
                SurveysState.due.length() > 0,
                rx.el.ul(
                    rx.foreach(SurveysState.due, due_item), class_name="card-list", id="due-surveys"
                ),
                rx.el.p(T("You have no surveys to answer now.")),
            ),
            aria_labelledby="due-heading",
        ),
        rx.el.section(
            rx.el.h2(T("Answered surveys"), id="answered-heading"),
            rx.cond(
                SurveysState.answered.length() > 0,
                rx.el.ul(
                    rx.foreach(SurveysState.answered, answered_item),
                    class_name="survey-history",
                    id="answered-surveys",
                ),
                rx.el.p(T("No answers yet.")),
            ),
            aria_labelledby="answered-heading",
        ),
    )


@rx.page(route="/surveys", title="HB – Kyselyt", on_load=SurveysState.load)
def surveys() -> rx.Component:
    return page(
        rx.el.h1(T("Surveys")),
        rx.el.p(
            T(
                "With these surveys your wellbeing services county follows how you are "
                "doing and whether the personal budget helps you."
            )
        ),
        client_page(
            SurveysState,
            content(),
            "/surveys",
            T("You do not have the right to see these surveys."),
        ),
    )
