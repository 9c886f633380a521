"""GOV.UK-style form pieces: labelled inputs, date fields, checkboxes, radios, errors.

Inputs are uncontrolled with `default_value` from the state, so a step that is shown again
after an error keeps what the person typed, and a form's `on_submit` gets every field.
"""

from __future__ import annotations

import reflex as rx

from hbapp.i18n import N_
from hbapp.state import T


def error_message(error_id: str, text: rx.Var, show: rx.Var) -> rx.Component:
    """Always present (so aria-describedby never points at nothing), filled on error."""
    return rx.el.p(
        rx.cond(show, rx.fragment(rx.el.span(T("Error:"), class_name="visually-hidden"), " ",
                                  text)),
        id=error_id, class_name=rx.cond(show, "field-error", "field-error-empty"),
    )


def text_field(name: str, label: rx.Component | str, value: rx.Var, error: rx.Var,
               error_field: rx.Var, hint: rx.Component | None = None,
               input_type: str = "text", autocomplete: str = "off") -> rx.Component:
    has_error = error_field == name
    return rx.el.div(
        rx.el.label(label, html_for=f"f-{name}", class_name="field-label"),
        hint if hint is not None else rx.fragment(),
        error_message(f"f-{name}-error", error, has_error),
        rx.el.input(
            id=f"f-{name}", name=name, type=input_type, default_value=value,
            auto_complete=autocomplete, class_name="field-input",
            aria_describedby=f"f-{name}-error",
            aria_invalid=rx.cond(has_error, "true", "false"),
        ),
        class_name=rx.cond(has_error, "field field-has-error", "field"),
    )


def date_fields(prefix: str, legend: rx.Component, day: rx.Var, month: rx.Var, year: rx.Var,
                error: rx.Var, error_field: rx.Var, hint: rx.Component | None = None,
                legend_class: str = "field-legend") -> rx.Component:
    """Day, month and year in separate boxes, as GOV.UK asks for dates."""
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
        rx.el.legend(legend, class_name=legend_class),
        hint if hint is not None else rx.fragment(),
        error_message(f"f-{prefix}-error", error, has_error),
        rx.el.div(
            part("day", N_("Day"), day, "width-2"),
            part("month", N_("Month"), month, "width-2"),
            part("year", N_("Year"), year, "width-4"),
            class_name="date-input",
        ),
        class_name=rx.cond(has_error, "field field-has-error", "field"),
        aria_describedby=f"f-{prefix}-error",
    )


def checkbox(name: str, value: str, label: rx.Component | str, checked: rx.Var) -> rx.Component:
    return rx.el.div(
        rx.el.input(type="checkbox", id=f"f-{name}-{value}", name=f"{name}_{value}",
                    default_checked=checked, class_name="choice-input"),
        rx.el.label(label, html_for=f"f-{name}-{value}", class_name="choice-label"),
        class_name="choice",
    )


def radio(name: str, value: str, label: rx.Component | str, checked: rx.Var) -> rx.Component:
    return rx.el.div(
        rx.el.input(type="radio", id=f"f-{name}-{value}", name=name, value=value,
                    default_checked=checked, class_name="choice-input"),
        rx.el.label(label, html_for=f"f-{name}-{value}", class_name="choice-label"),
        class_name="choice",
    )


def choice_group(name: str, legend: rx.Component, choices: list[rx.Component], error: rx.Var,
                 error_field: rx.Var, hint: rx.Component | None = None,
                 legend_class: str = "field-legend") -> rx.Component:
    has_error = error_field == name
    return rx.el.fieldset(
        rx.el.legend(legend, class_name=legend_class),
        hint if hint is not None else rx.fragment(),
        error_message(f"f-{name}-error", error, has_error),
        *choices,
        class_name=rx.cond(has_error, "field field-has-error", "field"),
        aria_describedby=f"f-{name}-error",
    )


def back_button(on_click) -> rx.Component:
    return rx.el.button(T("Back"), type="button", on_click=on_click,
                        class_name="back-link link-button")


def submit_button(label: rx.Component | str) -> rx.Component:
    return rx.el.button(label, type="submit", class_name="button")


def summary_row(key: rx.Component | str, value: rx.Component | rx.Var,
                change=None, change_label: rx.Component | str | None = None) -> rx.Component:
    return rx.el.div(
        rx.el.dt(key),
        rx.el.dd(value),
        rx.el.dd(
            rx.el.button(T("Change"), rx.el.span(" ", change_label, class_name="visually-hidden"),
                         type="button", on_click=change, class_name="link-button change-link")
        ) if change is not None else rx.fragment(),
        class_name="summary-row",
    )
