"""A download of a file from one of HB's HTTP routes (statements, settlements).

A plain GET form, not a link: the app's client-side router takes over clicks on links to
its own origin and would never ask the server for the file; a form submission is an ordinary
browser request, sent with the session cookie, and the answer's Content-Disposition makes it a
download.
"""

from __future__ import annotations

import reflex as rx


def download_button(label, action: str, fields: dict, element_id: str,
                    hidden_label=None) -> rx.Component:
    return rx.el.form(
        *[rx.el.input(type="hidden", name=name, value=value) for name, value in fields.items()],
        rx.el.button(label, rx.el.span(" ", hidden_label, class_name="visually-hidden")
                     if hidden_label is not None else rx.fragment(),
                     type="submit", class_name="button button-secondary", id=element_id),
        action=action, method="get", class_name="download-form",
    )
