"""Pieces of the decision pages: the plain-language history and a month-and-year field."""

from __future__ import annotations

import reflex as rx

from hbapp.components.forms import error_message
from hbapp.i18n import N_
from hbapp.state import T


def version_card(v: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.h3(v.heading),
        rx.cond(v.current != "", rx.el.p(rx.el.strong(v.current), class_name="badge")),
        rx.el.p(rx.el.strong(v.period)),
        rx.cond(v.decided != "", rx.el.p(v.decided, class_name="muted")),
        rx.cond(
            v.changes.length() > 0,
            rx.fragment(
                rx.el.h4(T("What changed")),
                rx.el.ul(rx.foreach(v.changes, rx.el.li), class_name="fact-list"),
            ),
        ),
        rx.el.h4(T("Why")),
        rx.el.p(v.reason, class_name="decision-reason"),
        rx.el.h4(T("Services per month")),
        rx.el.ul(rx.foreach(v.lines, rx.el.li), class_name="fact-list"),
        rx.cond(
            v.additions.length() > 0,
            rx.fragment(
                rx.el.h4(T("Additions")),
                rx.el.ul(rx.foreach(v.additions, rx.el.li), class_name="fact-list"),
            ),
        ),
        rx.el.p(rx.el.strong(v.total)),
        rx.cond(v.ended != "", rx.el.p(v.ended, class_name="warning-text")),
        class_name="card decision-card",
        custom_attrs={"data-key": v.key},
    )


def history_list(history: rx.Var) -> rx.Component:
    return rx.cond(
        history.length() > 0,
        rx.el.ul(rx.foreach(history, version_card), class_name="card-list-plain",
                 id="decision-history"),
        rx.el.p(T("No budget decisions yet.")),
    )


def month_fields(prefix: str, legend, month: rx.Var, year: rx.Var, error: rx.Var,
                 error_field: rx.Var) -> rx.Component:
    """Month and year in two boxes (decisions run in whole months); names <prefix>_month and
    <prefix>_year."""
    has_error = error_field == prefix

    def part(name: str, label_msgid: str, value: rx.Var, width: str) -> rx.Component:
        return rx.el.div(
            rx.el.label(T(label_msgid), html_for=f"f-{prefix}-{name}", class_name="field-label"),
            rx.el.input(
                id=f"f-{prefix}-{name}", name=f"{prefix}_{name}", type="text",
                input_mode="numeric", default_value=value, auto_complete="off",
                class_name=f"field-input {width}",
                aria_invalid=rx.cond(has_error, "true", "false"),
            ),
            class_name="date-part",
        )

    return rx.el.fieldset(
        rx.el.legend(legend, class_name="field-legend"),
        rx.el.p(T("For example 3 2026"), class_name="hint", id=f"f-{prefix}-hint"),
        error_message(f"f-{prefix}-error", error, has_error),
        rx.el.div(
            part("month", N_("Month"), month, "width-2"),
            part("year", N_("Year"), year, "width-4"),
            class_name="date-input",
        ),
        class_name=rx.cond(has_error, "field field-has-error", "field"),
        aria_describedby=f"f-{prefix}-hint f-{prefix}-error",
    )
