"""`/help`: plain-language help (selkokieli, lättläst, plain English) and whom to contact.

Every paragraph is its own msgid, so translators can keep sentences short. The sections are
the same for everyone; only "Whom to contact" depends on who has signed in.
"""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import loading, page
from hbapp.db import get_engine
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.contacts import Contacts, contacts_for, public_contacts
from hbapp.state import AppState, T, today

# (anchor, heading, paragraphs)
SECTIONS: list[tuple[str, str, list[str]]] = [
    ("what", N_("What is a personal budget?"), [
        N_("A personal budget is money for the services you need."),
        N_("The wellbeing services county decides how much money you get each month."),
        N_("The decision tells you which services the money is for."),
        N_("You choose who gives you the services."),
        N_("The money is not paid to you. The county pays the providers."),
    ]),
    ("follow", N_("How do I follow my budget?"), [
        N_("Sign in to see your budget."),
        N_("The front page shows how much money is left this month."),
        N_("The Budget page shows each service: how much you got, how much you used and how "
           "much is left."),
        N_("With the month buttons you can see earlier months."),
        N_("If the money is running out, you see a warning."),
        N_("A relative can follow your budget for you if you give them a mandate."),
    ]),
    ("swap", N_("How do I swap services?"), [
        N_("Sometimes you need less of one service and more of another."),
        N_("You can ask to move money from one service to another."),
        N_("Open the page Swap services and answer the questions."),
        N_("Your own worker checks the request. You see the answer in the service."),
    ]),
    ("provider", N_("How do I choose a provider?"), [
        N_("A provider is a company or an organisation that gives you a service."),
        N_("The page Providers shows the providers that the county has approved."),
        N_("You can look for providers near you and in your own language, and compare prices."),
        N_("If the price is higher than your budget pays, you pay the difference yourself. "
           "This is called a self-pay share."),
        N_("You can change the provider if you are not happy."),
    ]),
    ("feedback", N_("How do I give feedback?"), [
        N_("Your opinion helps make the services better."),
        N_("On the page Feedback you can tell how a service went."),
        N_("You can also answer short surveys."),
        N_("Your feedback does not change your budget or your services."),
    ]),
]

RIGHTS = [
    N_("You have the right to choose your services and providers within your budget."),
    N_("You have the right to get help from your own worker."),
    N_("You have the right to take part when decisions about your services are made."),
    N_("You have the right to appeal a decision if you think it is wrong. The decision tells "
       "you how to do it and by when. Usually you have 30 days."),
    N_("You have the right to know what data is kept about you and who has looked at it."),
    N_("You can ask us to correct wrong data about you."),
    N_("You can give a relative the right to handle your matters. You can also cancel it."),
]

TOC = [(anchor, heading) for anchor, heading, _ in SECTIONS] + [
    ("rights", N_("Your rights")),
    ("contact", N_("Whom to contact")),
]


CONTACT_KEYS = ("organizer", "organizer_phone", "organizer_phone_href", "organizer_email",
                "worker", "worker_phone", "worker_phone_href", "worker_email")
# Before the page has loaded every key exists and is empty, so no link renders half-made.
EMPTY_CONTACT = dict.fromkeys(CONTACT_KEYS, "")


def contact_texts(contacts: Contacts, locale: str) -> dict[str, str]:
    organizer, worker = contacts.organizer, contacts.own_worker
    return {
        "organizer": organizer.name(locale) if organizer else "",
        "organizer_phone": organizer.phone if organizer else "",
        "organizer_phone_href": "tel:" + organizer.phone.replace(" ", "") if organizer else "",
        "organizer_email": organizer.email if organizer else "",
        "worker": worker.name if worker else "",
        "worker_phone": worker.phone if worker else "",
        "worker_phone_href": "tel:" + worker.phone.replace(" ", "") if worker else "",
        "worker_email": worker.email if worker else "",
    }


class HelpState(AppState):
    ready: bool = False
    contact: dict[str, str] = EMPTY_CONTACT

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        current = self._refresh_session()
        contacts = None
        if current is not None:
            client_id = current.acting_for.client_id if current.acting_for else None
            try:
                contacts = contacts_for(get_engine(), current.actor, client_id, today())
            except AccessDenied:
                contacts = None
        if contacts is None:
            contacts = public_contacts(get_engine())
        self.contact = contact_texts(contacts, self.locale)
        self.ready = True
        return self._page_ready(N_("Help"))


def table_of_contents() -> rx.Component:
    return rx.el.nav(
        rx.el.h2(T("On this page"), id="toc-heading", class_name="toc-heading"),
        rx.el.ul(
            *[rx.el.li(rx.el.a(T(heading), href=f"#{anchor}")) for anchor, heading in TOC],
            class_name="toc-list",
        ),
        aria_labelledby="toc-heading",
        class_name="toc card",
    )


def help_section(anchor: str, heading: str, paragraphs: list[str]) -> rx.Component:
    return rx.el.section(
        rx.el.h2(T(heading), id=anchor, tab_index=-1),
        *[rx.el.p(T(text)) for text in paragraphs],
        aria_labelledby=anchor,
        class_name="help-section",
    )


def rights_section() -> rx.Component:
    return rx.el.section(
        rx.el.h2(T("Your rights"), id="rights", tab_index=-1),
        rx.el.ul(*[rx.el.li(T(text)) for text in RIGHTS], class_name="help-list"),
        aria_labelledby="rights",
        class_name="help-section",
    )


def phone_and_email(prefix: str) -> rx.Component:
    return rx.fragment(
        rx.cond(
            HelpState.contact[f"{prefix}_phone"] != "",
            rx.el.p(T("Phone:"), " ",
                    rx.el.a(HelpState.contact[f"{prefix}_phone"],
                            href=HelpState.contact[f"{prefix}_phone_href"],
                            class_name="contact-link")),
        ),
        rx.cond(
            HelpState.contact[f"{prefix}_email"] != "",
            rx.el.p(T("Email:"), " ",
                    rx.el.a(HelpState.contact[f"{prefix}_email"],
                            href="mailto:" + HelpState.contact[f"{prefix}_email"],
                            class_name="contact-link")),
        ),
    )


def contact_section() -> rx.Component:
    return rx.el.section(
        rx.el.h2(T("Whom to contact"), id="contact", tab_index=-1),
        rx.el.p(T("Ask your own worker if you have questions about your budget or services.")),
        rx.cond(
            HelpState.ready,
            rx.fragment(
                rx.cond(
                    HelpState.contact["worker"] != "",
                    rx.el.div(
                        rx.el.h3(rx.cond(
                            HelpState.acting_for_self,
                            T("Your own worker"),
                            T("Own worker of the person whose matters you handle"),
                        )),
                        rx.el.p(HelpState.contact["worker"], id="own-worker-name"),
                        phone_and_email("worker"),
                        class_name="card",
                    ),
                    rx.cond(
                        ~HelpState.signed_in,
                        rx.el.p(T("Sign in to see the name of your own worker.")),
                    ),
                ),
                rx.cond(
                    HelpState.contact["organizer"] != "",
                    rx.el.div(
                        rx.el.h3(T("Customer service")),
                        rx.el.p(HelpState.contact["organizer"], id="organizer-name"),
                        phone_and_email("organizer"),
                        class_name="card",
                    ),
                ),
            ),
            loading(),
        ),
        rx.el.p(rx.el.strong(T("In an emergency, call 112."))),
        aria_labelledby="contact",
        class_name="help-section",
    )


@rx.page(route="/help", title="HB – Ohjeet", on_load=HelpState.load)
def help_page() -> rx.Component:
    return page(
        rx.el.h1(T("Help")),
        rx.el.p(T("Here you find short answers to common questions."), class_name="lead"),
        table_of_contents(),
        *[help_section(anchor, heading, paragraphs) for anchor, heading, paragraphs in SECTIONS],
        rights_section(),
        contact_section(),
    )
