"""`/admin/providers/<id>/staff`: administrators manage any provider's staff (the state and
view are shared with the provider's own page, components/staff.py)."""

from __future__ import annotations

import reflex as rx

from hbapp.components.layout import page
from hbapp.components.staff import StaffState, staff_page_body
from hbapp.state import T


@rx.page(route="/admin/providers/[provider_id]/staff", title="HB – Henkilökunta",
         on_load=StaffState.load)
def admin_provider_staff_page() -> rx.Component:
    return page(
        rx.el.p(rx.el.a("‹ ", T("Provider register"), href="/admin/providers",
                        class_name="back-link")),
        rx.el.h1(T("Staff")),
        staff_page_body("/admin/providers"),
    )
