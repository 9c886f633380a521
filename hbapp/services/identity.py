"""From a session cookie to the signed-in person and whom they may act for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import Engine

from hbapp.db import read_session, write_session
from hbapp.models import LoginSession, Person
from hbapp.services.access import Actor, Represented, load_actor, represented_clients
from hbapp.services.sessions import resolve_session, touch_session


@dataclass(frozen=True)
class SignedIn:
    actor: Actor
    expires_at: datetime
    locale: str | None
    text_size: str
    represented: tuple[Represented, ...]
    acting_for: Represented | None  # None: acting for nobody (e.g. a worker)
    provider_ids: tuple[int, ...] = ()  # providers whose staff this person is


def signed_in(
    engine: Engine, token: str | None, today: date, touch: bool = False
) -> SignedIn | None:
    """The signed-in person for a session token, or None when not (or no longer) signed in.

    With `touch` (a page load: activity), the session is also kept alive.
    """
    info = touch_session(engine, token) if touch else resolve_session(engine, token)
    if info is None:
        return None
    with read_session(engine) as session:
        actor = load_actor(session, info.person_id)
        person = session.get(Person, info.person_id)
        represented = tuple(represented_clients(session, actor, today))
    acting_for = next((r for r in represented if r.client_id == info.acting_for_client_id), None)
    if acting_for is None and represented:
        acting_for = represented[0]
    return SignedIn(actor, info.expires_at, person.locale, person.text_size, represented, acting_for)


def choose_acting_for(engine: Engine, token: str | None, client_id: int, today: date) -> bool:
    """Switch whose matters the session shows; False when the person may not act for them."""
    current = signed_in(engine, token, today)
    if current is None or all(r.client_id != client_id for r in current.represented):
        return False
    info = resolve_session(engine, token)
    with write_session(engine) as session:
        login = session.get(LoginSession, info.session_id)
        login.acting_for_client_id = client_id
        session.add(login)
    return True


def save_preferences(
    engine: Engine, person_id: int, locale: str | None = None, text_size: str | None = None
) -> None:
    with write_session(engine) as session:
        person = session.get(Person, person_id)
        if locale is not None:
            person.locale = locale
        if text_size is not None:
            person.text_size = text_size
        session.add(person)
