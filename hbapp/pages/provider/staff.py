"""`/provider/staff`: the provider's staff; its main users add and remove people and mark main
users (the state and view are shared with the administrators' page, components/staff.py)."""

from __future__ import annotations

import reflex as rx

from hbapp.components.layout import page
from hbapp.components.staff import StaffState, staff_page_body
from hbapp.state import T


@rx.page(route="/provider/staff", title="HB – Henkilökunta", on_load=StaffState.load)
def provider_staff_page() -> rx.Component:
    return page(rx.el.h1(T("Staff")), staff_page_body("/provider/staff"))
