"""`/accessibility`: the accessibility statement required by the Finnish Act on the Provision
of Digital Services (306/2019): conformance, known gaps, feedback, enforcement and its date."""

from __future__ import annotations

from datetime import date

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import loading, page
from hbapp.config import get_settings
from hbapp.db import get_engine
from hbapp.i18n import N_
from hbapp.pages.public.help import EMPTY_CONTACT, contact_texts
from hbapp.services.contacts import public_contacts
from hbapp.state import AppState, T

# When the statement was last reviewed against the service (update it with every review).
STATEMENT_DATE = date(2026, 11, 23)
ENFORCEMENT_URL = "https://www.saavutettavuusvaatimukset.fi"

NON_CONFORMITIES = [
    N_("Three licensed questionnaires (PROMIS-10, WHOQOL-BREF and WHODAS 2.0) are only in "
       "English, because we do not have a licence for their Finnish and Swedish translations. "
       "Ask your own worker for help with them."),
    N_("Descriptions written by providers are not always in plain language, and some are only "
       "in one language."),
    N_("If the connection to the server breaks, a short technical message may appear in "
       "English."),
    N_("Without an internet connection the service shows only a page that says the "
       "connection is missing."),
]


class AccessibilityState(AppState):
    ready: bool = False
    intro: str = ""
    statement_date: str = ""
    contact: dict[str, str] = EMPTY_CONTACT

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        self._refresh_session()
        t = self._t()
        contacts = public_contacts(get_engine())
        self.contact = contact_texts(contacts, self.locale)
        self.intro = t(
            "This statement is about the HB personal budget service at {url}. "
            "{organizer} is responsible for the service.",
            url=get_settings().public_url,
            organizer=self.contact["organizer"] or "HB",
        )
        self.statement_date = t("This statement was made on {date}.",
                                date=t.date(STATEMENT_DATE, "long"))
        self.ready = True
        return self._page_ready(N_("Accessibility statement"))


def section(anchor: str, heading: str, *children: rx.Component) -> rx.Component:
    return rx.el.section(
        rx.el.h2(T(heading), id=anchor),
        *children,
        aria_labelledby=anchor,
        class_name="help-section",
    )


def feedback_contacts() -> rx.Component:
    return rx.fragment(
        rx.cond(
            AccessibilityState.contact["organizer_email"] != "",
            rx.el.p(T("Email:"), " ",
                    rx.el.a(AccessibilityState.contact["organizer_email"],
                            href="mailto:" + AccessibilityState.contact["organizer_email"],
                            id="feedback-email", class_name="contact-link")),
        ),
        rx.cond(
            AccessibilityState.contact["organizer_phone"] != "",
            rx.el.p(T("Phone:"), " ",
                    rx.el.a(AccessibilityState.contact["organizer_phone"],
                            href=AccessibilityState.contact["organizer_phone_href"],
                            class_name="contact-link")),
        ),
    )


@rx.page(route="/accessibility", title="HB – Saavutettavuusseloste",
         on_load=AccessibilityState.load)
def accessibility() -> rx.Component:
    return page(
        rx.el.h1(T("Accessibility statement")),
        rx.el.p(AccessibilityState.intro, class_name="lead"),
        rx.el.p(T("We want everyone to be able to use the service, also with a screen reader, "
                  "with the keyboard only or with large text.")),
        section(
            "status", N_("How accessible is the service?"),
            rx.el.p(T("The service partly meets level AA of the WCAG 2.1 accessibility "
                      "guidelines. We also check it against WCAG 2.2 level AA.")),
            rx.el.p(T("The problems we know of are listed below.")),
        ),
        section(
            "gaps", N_("Content that is not accessible"),
            rx.el.ul(*[rx.el.li(T(text)) for text in NON_CONFORMITIES], class_name="help-list"),
        ),
        section(
            "method", N_("How we checked the service"),
            rx.el.p(T("We assessed the service ourselves.")),
            rx.el.p(T("Automatic tests check every page in Finnish, Swedish and English: with the "
                      "axe tool, with the keyboard only, on a screen 320 pixels wide and with "
                      "large text.")),
            rx.el.p(AccessibilityState.statement_date),
        ),
        section(
            "feedback", N_("Give feedback on accessibility"),
            rx.el.p(T("Did you notice a problem? Tell us. We will fix it or give you the "
                      "information in another way.")),
            rx.el.p(T("We answer within 14 days.")),
            rx.cond(AccessibilityState.ready, feedback_contacts(), loading()),
        ),
        section(
            "enforcement", N_("Enforcement"),
            rx.el.p(T("If our answer does not satisfy you, or you get no answer within two "
                      "weeks, you can report it to the supervisory authority.")),
            # Supervision moved from the regional state administrative agencies to the new
            # agency on 1 January 2026.
            rx.el.p(T("Finnish Permit and Supervision Agency (Lupa- ja valvontavirasto), "
                      "accessibility supervision")),
            rx.el.p(rx.el.a("www.saavutettavuusvaatimukset.fi", href=ENFORCEMENT_URL,
                            id="enforcement-link", class_name="contact-link")),
        ),
    )
