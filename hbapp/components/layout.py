"""The page frame: skip link, header with language and sign-in, "acting for", main, footer."""

from __future__ import annotations

import reflex as rx

from hbapp.i18n import LANGUAGE_NAMES, N_
from hbapp.state import AppState, T


def language_switch() -> rx.Component:
    return rx.el.nav(
        rx.el.ul(
            *[
                rx.el.li(
                    rx.el.button(
                        name,
                        lang=code,
                        type="button",
                        class_name="lang-button",
                        aria_current=rx.cond(AppState.locale == code, "true", "false"),
                        on_click=AppState.set_language(code),
                    )
                )
                for code, name in LANGUAGE_NAMES.items()
            ],
            class_name="inline-list",
        ),
        aria_label=T("Language"),
        class_name="lang-switch",
    )


def messages_link() -> rx.Component:
    """The inbox, with the number of unread messages (read with the session: no list)."""
    return rx.el.a(
        T("Messages"),
        rx.cond(
            AppState.unread_messages > 0,
            rx.el.span(
                " ",
                rx.el.span(AppState.unread_messages.to_string(), class_name="unread-badge",
                           id="unread-count"),
                rx.el.span(" ", T("unread"), class_name="visually-hidden"),
            ),
        ),
        href="/messages",
        class_name="header-link",
        id="messages-link",
    )


def account_links() -> rx.Component:
    return rx.cond(
        AppState.signed_in,
        rx.el.div(
            rx.el.span(AppState.person_name, class_name="person-name"),
            messages_link(),
            rx.el.button(T("Sign out"), type="button", on_click=AppState.sign_out,
                         class_name="header-link link-button"),
            class_name="account",
        ),
        rx.el.a(T("Sign in"), href="/auth/login", class_name="header-link"),
    )


def acting_for_banner() -> rx.Component:
    """Always say whose matters are shown, and let a proxy switch between people."""
    return rx.cond(
        AppState.signed_in & (AppState.acting_for_id != 0),
        rx.el.div(
            rx.cond(
                AppState.acting_for_self,
                rx.el.p(T("Your own matters"), class_name="acting-for-text"),
                rx.el.p(
                    T("Acting for"), " ", rx.el.strong(AppState.acting_for_name),
                    class_name="acting-for-text",
                ),
            ),
            rx.cond(
                AppState.represented.length() > 1,
                rx.el.div(
                    rx.el.p(T("Handle the matters of:"), id="switch-label"),
                    rx.el.ul(
                        rx.foreach(
                            AppState.represented,
                            lambda person: rx.el.li(
                                rx.el.button(
                                    person["name"],
                                    type="button",
                                    class_name="switch-button",
                                    aria_current=rx.cond(
                                        person["id"] == AppState.acting_for_id.to_string(),
                                        "true",
                                        "false",
                                    ),
                                    on_click=AppState.act_for(person["id"]),
                                )
                            ),
                        ),
                        class_name="inline-list",
                        aria_labelledby="switch-label",
                    ),
                    class_name="person-switch",
                ),
            ),
            class_name="acting-for",
            role="region",
            aria_label=T("Whose matters are shown"),
        ),
    )


def nav_links(links: list[tuple[str, str]]) -> list[rx.Component]:
    return [rx.el.li(rx.el.a(T(label), href=href)) for href, label in links]


# Client and proxy pages (citizen side) and case-worker pages (employee side) stay apart.
CLIENT_LINKS = [
    ("/", N_("Home")),
    ("/budget", N_("Budget")),
    ("/providers", N_("Providers")),
    ("/swap", N_("Swap services")),
    ("/surveys", N_("Surveys")),
    ("/feedback", N_("Feedback")),
]
# The scope a client link needs: a proxy sees only what their mandate lets them do.
CLIENT_LINK_SCOPES = {"/swap": "manage", "/surveys": "surveys", "/feedback": "feedback"}


def client_nav_links() -> list[rx.Component]:
    """CLIENT_LINKS that the person may use for whom they act for (issue 18.5)."""
    items = []
    for (href, label), item in zip(CLIENT_LINKS, nav_links(CLIENT_LINKS)):
        scope = CLIENT_LINK_SCOPES.get(href)
        items.append(item if scope is None else
                     rx.cond(AppState.acting_for_scopes.contains(scope), item))
    return items
WORKER_LINKS = [
    ("/worker", N_("My clients")),
    ("/worker/clients/new", N_("Register a client")),
    ("/worker/swaps", N_("Swap requests")),
    ("/worker/events", N_("Events to review")),
    ("/worker/disputes", N_("Reported problems")),
    ("/worker/providers", N_("Provider feedback")),
]
ADMIN_LINKS = [
    ("/admin/providers", N_("Provider register")),
    ("/admin/services", N_("Service catalog")),
    ("/admin/price-requests", N_("Price requests")),
    ("/admin/settlements", N_("Settlements")),
]
# The provider's side, for provider staff: the one list of its pages; /provider links to all.
PROVIDER_NAV: tuple[tuple[str, str], ...] = (
    ("/provider", N_("Provider home")),
    ("/provider/clients", N_("Clients and vouchers")),
    ("/provider/events", N_("Service events")),
    ("/provider/disputes", N_("Reported problems")),
    ("/provider/settlements", N_("Settlements")),
    ("/provider/profile", N_("Our offer")),
    ("/provider/prices", N_("Prices")),
    ("/provider/staff", N_("Staff")),
    ("/provider/events/import", N_("Send service events as a file")),
    ("/provider/api", N_("API tokens")),
)
# Everyone signed in may need /mandates: a relative without a mandate asks for one there.
SIGNED_IN_FOOTER_LINKS = [("/mandates", N_("Mandates"))]
CLIENT_FOOTER_LINKS = [
    ("/decisions", N_("Budget decisions")),
    ("/privacy", N_("Who has seen my data")),
    ("/calculator", N_("Cost calculator")),
]
FOOTER_LINKS = [
    ("/help", N_("Help")),
    ("/settings", N_("Settings")),
    ("/accessibility", N_("Accessibility statement")),
]


# The main menu is data: (who sees it, links). Other features add links to these lists (or a
# new section here) and the compact and wide layouts both follow.
MENU_SECTIONS = [
    (AppState.is_worker, WORKER_LINKS),
    (AppState.is_admin, ADMIN_LINKS),
    (AppState.is_provider_staff, list(PROVIDER_NAV)),
]


def main_navigation() -> rx.Component:
    return rx.el.nav(
        rx.el.div(
            rx.el.ul(
                # The client's links follow the scopes of whom the person acts for (issue 18.5).
                rx.cond(AppState.acting_for_id != 0, rx.fragment(*client_nav_links())),
                *[rx.cond(shown, rx.fragment(*nav_links(links))) for shown, links in MENU_SECTIONS],
                class_name="inline-list",
            ),
            class_name="container",
        ),
        aria_label=T("Main menu"),
        class_name="main-nav",
    )


def menu_button() -> rx.Component:
    """The compact header's disclosure button (narrow screens only; assets/menu.js)."""
    return rx.el.button(
        rx.el.span(aria_hidden="true", class_name="menu-icon"),
        T("Menu"),
        type="button",
        id="menu-button",
        class_name="menu-button",
        aria_expanded="false",
        aria_controls="site-menu",
    )


def site_header() -> rx.Component:
    """On a phone: the logo, (signed out) the sign-in link and a Menu button, so the page
    itself starts high; the language, the account and the main menu open under the button.
    From 40rem up everything is shown and the button is hidden."""
    return rx.el.header(
        rx.el.a(T("Skip to main content"), href="#main", class_name="skip-link"),
        rx.el.div(
            rx.el.a(
                rx.el.span("HB", class_name="logo-mark", aria_hidden="true"),
                rx.el.span(T("My budget"), class_name="logo-text"),
                href="/",
                class_name="logo",
            ),
            rx.cond(
                AppState.signed_in,
                rx.fragment(),
                rx.el.a(T("Sign in"), href="/auth/login", class_name="header-link header-sign-in"),
            ),
            menu_button(),
            class_name="header-bar container",
        ),
        rx.el.div(
            rx.el.div(
                language_switch(),
                rx.cond(AppState.signed_in, account_links()),
                class_name="header-tools container",
            ),
            rx.cond(AppState.signed_in, main_navigation()),
            id="site-menu",
            class_name="site-menu",
        ),
        class_name="site-header",
        custom_attrs={"data-menu-open": "false"},
    )


def site_footer() -> rx.Component:
    return rx.el.footer(
        rx.el.div(
            rx.el.nav(
                rx.el.ul(
                    rx.cond(AppState.signed_in, rx.fragment(*nav_links(SIGNED_IN_FOOTER_LINKS))),
                    rx.cond(
                        AppState.signed_in & (AppState.acting_for_id != 0),
                        rx.fragment(*nav_links(CLIENT_FOOTER_LINKS)),
                    ),
                    *nav_links(FOOTER_LINKS),
                    class_name="inline-list footer-links",
                ),
                aria_label=T("More links"),
            ),
            rx.el.p(T("HB – personal budget in social care")),
            class_name="container",
        ),
        class_name="site-footer",
    )


def page(*children: rx.Component) -> rx.Component:
    return rx.fragment(
        site_header(),
        rx.el.div(acting_for_banner(), class_name="container"),
        rx.el.main(
            # Until this page's on_load has finished, show nothing from an earlier page or
            # person: Reflex first replays the tab's previous state.
            rx.cond(rx.State.is_hydrated, rx.fragment(*children), loading()),
            id="main",
            tab_index=-1,
            class_name="container main",
            custom_attrs={
                "data-ready": rx.cond(rx.State.is_hydrated, "1", "0"),
                "data-loaded-path": AppState.loaded_path,
            },
        ),
        site_footer(),
    )


def sign_in_prompt(next_path: str) -> rx.Component:
    return rx.el.section(
        rx.el.p(T("Sign in to see your budget.")),
        rx.el.a(
            T("Sign in"),
            href=f"/auth/login?next={next_path}",
            class_name="button",
        ),
        class_name="notice",
    )


def client_page(state, content: rx.Component, next_path: str, denied: rx.Var | str) -> rx.Component:
    """The usual states of a client's (or proxy's) page: loading, signed out, nobody to act
    for, no right (the server said so), or the content."""
    return rx.cond(
        state.ready,
        rx.cond(
            state.signed_in,
            rx.cond(
                state.acting_for_id == 0,
                message_box(T("You have no personal budget to show.")),
                rx.cond(state.denied, message_box(denied, "error"), content),
            ),
            sign_in_prompt(next_path),
        ),
        loading(),
    )


def loading() -> rx.Component:
    return rx.el.p(T("Loading…"), class_name="muted", role="status")


def message_box(text: rx.Var | str, kind: str = "info") -> rx.Component:
    return rx.el.div(rx.el.p(text), class_name=f"notice notice-{kind}", role="status")
