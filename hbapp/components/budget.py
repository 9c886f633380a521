"""Budget pieces shared by the home and budget pages."""

from __future__ import annotations

import reflex as rx

from hbapp.state import T


def progress_bar(percent: rx.Var, label: rx.Var, warning: rx.Var) -> rx.Component:
    """A native <progress>: announced by screen readers, styled in hb.css."""
    return rx.el.progress(
        value=percent,
        max=100,
        aria_label=label,
        class_name=rx.cond(warning, "meter meter-warning", "meter"),
    )


def service_use_list(lines: rx.Var) -> rx.Component:
    return rx.el.ul(
        rx.foreach(
            lines,
            lambda line: rx.el.li(
                rx.el.h3(line["name"]),
                rx.el.p(line["used_of"]),
                progress_bar(line["percent"], line["name"], line["over"] != ""),
                rx.el.p(
                    line["left"],
                    class_name=rx.cond(line["over"] != "", "warning-text", ""),
                ),
                rx.cond(line["leftover"] != "", rx.el.p(line["leftover"], class_name="muted")),
                rx.cond(
                    line["provider"] != "",
                    rx.el.p(T("Provider:"), " ",
                            rx.cond(line["provider_href"] != "",
                                    rx.el.a(line["provider"], href=line["provider_href"]),
                                    line["provider"]),
                            class_name="muted"),
                ),
                rx.cond(
                    line["provider_notice"] != "",
                    rx.el.p(line["provider_notice"], class_name="notice notice-warning",
                            custom_attrs={"data-provider-suspended": "1"}),
                ),
                class_name="card",
            ),
        ),
        class_name="card-list",
    )
