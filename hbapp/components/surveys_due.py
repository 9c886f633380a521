"""The home page's "surveys to answer" card; shows nothing when nothing is due."""

from __future__ import annotations

import reflex as rx

from hbapp.db import get_engine
from hbapp.services.access import AccessDenied
from hbapp.services.surveys import due_surveys
from hbapp.state import T, today
from hbapp.views.surveys import assignment_texts


def due_survey_items(current, t) -> list[dict[str, str]]:
    """Texts for the surveys due for the person acted for; empty without the `surveys` scope."""
    if current is None or current.acting_for is None:
        return []
    if "surveys" not in current.acting_for.scopes:
        return []
    try:
        due = due_surveys(get_engine(), current.actor, current.acting_for.client_id, today())
    except AccessDenied:
        return []
    return [assignment_texts(t, a) for a in due]


def _due_link(item: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.a(item["name"], href=item["href"]),
        rx.el.span(" · ", item["status"],
                   class_name=rx.cond(item["overdue"] != "", "warning-text", "muted")),
    )


def surveys_due_card(items: rx.Var) -> rx.Component:
    return rx.el.div(
        rx.cond(
            items.length() > 0,
            rx.el.section(
                rx.el.h2(T("Surveys to answer"), id="home-surveys-heading"),
                rx.el.ul(rx.foreach(items, _due_link),
                         class_name="survey-history"),
                rx.el.p(rx.el.a(T("All surveys"), href="/surveys",
                                class_name="button button-secondary")),
                class_name="card",
                aria_labelledby="home-surveys-heading",
                id="home-surveys-due",
            ),
        ),
    )
