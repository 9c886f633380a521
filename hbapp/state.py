"""The small shared state: who is signed in, whom they act for, the UI language.

Page states subclass `AppState` and keep their own variables. Authorization is never
decided here: every event handler asks the services, which check the database.
"""

from __future__ import annotations

import json
from datetime import date

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.config import SUPPORTED_LOCALES, get_settings
from hbapp.db import get_engine
from hbapp.i18n import Translator, best_locale
from hbapp.services import identity, preferences
from hbapp.services.sessions import token_from_cookie_header
from hbapp.text_catalog import ui_text


def T(msgid: str) -> rx.Var:
    """A translated UI string that follows the chosen language (use inside components).

    The strings live in a static catalog per language in the frontend (hbapp.text_catalog),
    not in the state: only `AppState.locale` travels."""
    return ui_text(AppState.locale, msgid)


def today() -> date:
    return date.today()


class AppState(rx.State):
    locale: str = get_settings().default_locale
    # Remembered in the browser for people who have not signed in.
    lang_cookie: str = rx.Cookie("", name="hb_lang", max_age=365 * 24 * 3600, same_site="lax")
    # The provider a member of several providers' staff chose on /provider (an id; the
    # services check the person is its staff on every read and write).
    provider_cookie: str = rx.Cookie("", name="hb_provider", max_age=365 * 24 * 3600,
                                     same_site="lax")
    session_checked: bool = False
    signed_in: bool = False
    person_name: str = ""
    is_worker: bool = False
    is_admin: bool = False
    is_provider_staff: bool = False
    acting_for_id: int = 0
    acting_for_name: str = ""
    acting_for_self: bool = True
    represented: list[dict[str, str]] = []
    text_size: str = "normal"
    # The path whose on_load finished last: lets tests (and scripts) tell a finished page
    # load from the previous page's content during client-side navigation.
    loaded_path: str = ""
    # Whose session this tab's states were built for (see hbapp.middleware); backend only.
    _session_fingerprint: str = ""

    # -- helpers for page states (not events) --------------------------------------------

    def _token(self) -> str | None:
        return token_from_cookie_header(self.router.headers.cookie)

    def _t(self) -> Translator:
        return Translator(self.locale)

    def _session(self, fresh: bool = False) -> identity.SignedIn | None:
        """Who is signed in for this event: what hbapp.middleware resolved for it (the session
        row read for this event, the person part as of this page load); `fresh` reads again,
        after this handler changed the session."""
        token = self._token()
        resolved = identity.EVENT_SESSION.get()
        if fresh or resolved is None or resolved[0] != token:
            return identity.SESSIONS.lookup(get_engine(), token, today())
        return resolved[1]

    def _refresh_session(self, fresh: bool = False) -> identity.SignedIn | None:
        """Show who is signed in and whom they act for; called at the start of handlers."""
        current = self._session(fresh)
        if current is None:
            self._update(
                session_checked=True, signed_in=False, person_name="", is_worker=False,
                is_admin=False, is_provider_staff=False, acting_for_id=0, acting_for_name="", acting_for_self=True,
                represented=[], locale=self._fallback_locale(),
                text_size=preferences.text_size_from_cookie(self.router.headers.cookie),
            )
            return None
        locale = current.locale or self._fallback_locale()
        acting_for = current.acting_for
        self._update(
            session_checked=True,
            signed_in=True,
            person_name=current.actor.name,
            is_worker=current.actor.is_worker,
            is_admin=current.actor.is_admin,
            is_provider_staff=bool(current.provider_ids),
            text_size=current.text_size,
            locale=locale,
            lang_cookie=locale,  # lets plain HTTP routes answer in the same language
            represented=[
                {"id": str(r.client_id), "name": r.name, "relation": r.relation}
                for r in current.represented
            ],
            acting_for_id=acting_for.client_id if acting_for else 0,
            acting_for_name=acting_for.name if acting_for else "",
            acting_for_self=acting_for.relation == "self" if acting_for else True,
        )
        return current

    def _update(self, **values) -> None:
        """Assign only what changed: every assignment is sent to the browser again."""
        for name, value in values.items():
            if getattr(self, name) != value:
                setattr(self, name, value)

    def _fallback_locale(self) -> str:
        if self.lang_cookie in SUPPORTED_LOCALES:
            return self.lang_cookie
        return best_locale(self.router.headers.accept_language)

    def _html_lang(self):
        return rx.call_script(f"document.documentElement.lang = {json.dumps(self.locale)}")

    def _page_ready(self, title_msgid: str):
        """Finish a page load: the document's language and its translated title."""
        title = json.dumps(f"{self._t()(title_msgid)} – HB")
        self.loaded_path = self.router.page.raw_path
        return rx.call_script(
            f"document.documentElement.lang = {json.dumps(self.locale)}; document.title = {title}; "
            + preferences.text_size_script(self.text_size)
        )

    # -- events ---------------------------------------------------------------------------

    @rx.event
    @allow(Audience.ANYONE)
    def load_session(self):
        self._refresh_session()
        return self._html_lang()

    @rx.event
    @allow(Audience.ANYONE)
    def set_language(self, locale: str):
        if locale not in SUPPORTED_LOCALES:
            return
        self.locale = locale
        self.lang_cookie = locale
        current = self._session()
        if current is not None:
            identity.save_preferences(get_engine(), current.actor.person_id, locale=locale)
        return self._html_lang()

    @rx.event
    @allow(Audience.ANYONE)
    def sign_out(self):
        """Forget everything shown in this tab, then end the session on the server."""
        self.reset()
        return rx.call_script("window.location.assign('/auth/logout')")

    @rx.event
    @allow(Audience.SIGNED_IN)
    def act_for(self, client_id: str):
        """The person switcher: handle another represented person's matters."""
        try:
            wanted = int(client_id)
        except ValueError:
            return
        if identity.choose_acting_for(get_engine(), self._token(), wanted, today()):
            self._refresh_session(fresh=True)
            return rx.redirect("/")
