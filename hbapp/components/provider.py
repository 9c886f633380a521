"""Shared pieces of the provider's pages: which provider a page is about, and its frame.

A page is about the provider in its address (`?provider=<id>`), else the one chosen last on
`/provider` (a cookie), else the person's first. The id is only a wish: every service checks
that the person is that provider's staff and refuses (audited) otherwise.
"""

from __future__ import annotations

import reflex as rx

from hbapp.components.layout import PROVIDER_NAV, loading, message_box, sign_in_prompt
from hbapp.domain.inputs import parse_id
from hbapp.state import T


def wanted_provider(state, current) -> int | None:
    """The provider id a provider page should show (see the module docstring)."""
    own = tuple(current.provider_ids) if current is not None else ()
    asked = state.router.page.params.get("provider", "")
    if asked:
        wanted = parse_id(asked)
        if wanted is not None and wanted in own and state.provider_cookie != str(wanted):
            state.provider_cookie = str(wanted)
        return wanted if wanted is not None else -1  # refused by the service, audited
    remembered = parse_id(state.provider_cookie)
    if remembered is not None and remembered in own:
        return remembered
    return own[0] if own else None


def provider_links(exclude: str = "") -> rx.Component:
    """Links to every page of the provider's side (PROVIDER_NAV), e.g. on /provider."""
    return rx.el.ul(
        *[rx.el.li(rx.el.a(T(label), href=href)) for href, label in PROVIDER_NAV
          if href != exclude],
        class_name="link-list",
    )


def provider_frame(state, content: rx.Component, next_path: str) -> rx.Component:
    """Loading, signed out, not any provider's staff, refused, or the content."""
    return rx.cond(
        state.ready,
        rx.cond(
            state.signed_in,
            rx.cond(
                state.denied,
                message_box(T("This page is for the staff of this provider."), "error"),
                rx.fragment(
                    rx.cond(state.provider_name != "",
                            rx.el.p(T("Provider:"), " ", rx.el.strong(state.provider_name),
                                    class_name="muted", id="provider-name")),
                    content,
                ),
            ),
            sign_in_prompt(next_path),
        ),
        loading(),
    )
