"""From a session cookie to the signed-in person and whom they may act for.

`signed_in` reads everything from the database. `SignedInCache` is the short, safe cache in
front of it that the event middleware uses (see its docstring for what it may serve stale).
"""

from __future__ import annotations

import contextvars
import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from hbapp.db import read_session, write_session
from hbapp.models import (CaseWorkerAssignment, Client, Consent, LoginSession, Mandate, Person,
                          ProviderStaff)
from hbapp.services.access import Actor, Represented, load_actor, represented_clients
from hbapp.services.messages import count_unread
from hbapp.services.sessions import SessionInfo, resolve_session, touch_session


@dataclass(frozen=True)
class SignedIn:
    actor: Actor
    expires_at: datetime
    locale: str | None
    text_size: str
    represented: tuple[Represented, ...]
    acting_for: Represented | None  # None: acting for nobody (e.g. a worker)
    provider_ids: tuple[int, ...] = ()  # providers whose staff this person is
    unread_messages: int = 0  # as of the page load (see SignedInCache)


def signed_in(
    engine: Engine, token: str | None, today: date, touch: bool = False
) -> SignedIn | None:
    """The signed-in person for a session token, or None when not (or no longer) signed in.

    With `touch` (a page load: activity), the session is also kept alive.
    """
    info = touch_session(engine, token) if touch else resolve_session(engine, token)
    if info is None:
        return None
    return _compose(info, _load_person(engine, info.person_id, today))


@dataclass(frozen=True)
class _PersonPart:
    """What a session shows of its person: read once per page load (see SignedInCache)."""

    actor: Actor
    locale: str | None
    text_size: str
    represented: tuple[Represented, ...]
    provider_ids: tuple[int, ...] = ()
    unread_messages: int = 0


def _load_person(engine: Engine, person_id: int, today: date) -> _PersonPart:
    with read_session(engine) as session:
        actor = load_actor(session, person_id)
        person = session.get(Person, person_id)
        represented = tuple(represented_clients(session, actor, today))
        provider_ids = tuple(session.exec(
            select(ProviderStaff.provider_id).where(ProviderStaff.person_id == person_id)
            .order_by(ProviderStaff.provider_id)).all())
        # The navigation's unread count: one index-only count, read with the person.
        unread = count_unread(session, person_id)
    return _PersonPart(actor, person.locale, person.text_size, represented, provider_ids,
                       unread)


def _compose(info: SessionInfo, part: _PersonPart) -> SignedIn:
    represented = part.represented
    acting_for = next((r for r in represented if r.client_id == info.acting_for_client_id), None)
    if acting_for is None and represented:
        acting_for = represented[0]
    return SignedIn(part.actor, info.expires_at, part.locale, part.text_size, represented,
                    acting_for, part.provider_ids, part.unread_messages)


@dataclass
class _Entry:
    person_id: int
    day: date
    loaded_at: float
    part: _PersonPart


class SignedInCache:
    """`signed_in` for the events of one worker process, with the person part cached briefly.

    Every lookup reads the session row (one indexed query), so a logout, an expired session
    and a change of whom the person acts for take effect at the next event, in every worker.
    The person part — name, roles, language, text size and the clients they may act for (from
    mandates, consents and assignments) — is read fresh at every page load (`page_load=True`)
    and served from this process's memory to the other events of the page for at most `ttl`
    seconds. Within that window a revoked mandate can still pass the coarse audience gate of
    the middleware and still be listed in the person switcher, but every service checks the
    client-specific right in the database again (`hbapp.services.access`), so no data of that
    client is shown or changed. Commits in this process that change people, clients, mandates,
    consents or assignments empty the cache at once (see `_forget_on_commit`); other workers
    catch up within `ttl` or at their next page load.
    """

    def __init__(self, ttl: float = 30.0, max_entries: int = 20_000):
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @staticmethod
    def _key(token: str) -> str:
        # The raw cookie token never stays in memory longer than a request needs it.
        return hashlib.sha256(token.encode("utf-8")).hexdigest()

    def lookup(self, engine: Engine, token: str | None, today: date,
               page_load: bool = False) -> SignedIn | None:
        """The signed-in person of a token; `page_load` also keeps the session alive (as
        `signed_in(touch=True)`) and reads the person part fresh."""
        if not token:
            return None
        info = touch_session(engine, token) if page_load else resolve_session(engine, token)
        key = self._key(token)
        if info is None:
            with self._lock:
                self._entries.pop(key, None)
            return None
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            fresh = (not page_load and entry is not None and entry.person_id == info.person_id
                     and entry.day == today and now - entry.loaded_at < self.ttl)
            if fresh:
                self._entries.move_to_end(key)
                self.hits += 1
                return _compose(info, entry.part)
            self.misses += 1
        part = _load_person(engine, info.person_id, today)
        with self._lock:
            self._entries[key] = _Entry(info.person_id, today, now, part)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return _compose(info, part)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


# The cache of this process (each Granian worker has its own).
SESSIONS = SignedInCache()

# The session the middleware resolved for the event being processed: (token, SignedIn|None).
EVENT_SESSION: contextvars.ContextVar[tuple[str | None, SignedIn | None] | None] = \
    contextvars.ContextVar("hb_event_session", default=None)

# Rows whose change can alter a person part: who people are and whom they may act for.
_PERSON_TABLES = tuple(model.__table__ for model in
                       (Person, Client, Mandate, Consent, CaseWorkerAssignment, ProviderStaff))


@sa.event.listens_for(Session, "after_flush")
def _note_person_changes(session, _flush_context) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(getattr(type(obj), "__table__", None) in _PERSON_TABLES for obj in changed):
        session.info["hb_person_changed"] = True


@sa.event.listens_for(Session, "after_commit")
def _forget_on_commit(session) -> None:
    if session.info.pop("hb_person_changed", False):
        SESSIONS.clear()


@sa.event.listens_for(Session, "after_rollback")
def _forget_nothing_on_rollback(session) -> None:
    session.info.pop("hb_person_changed", None)


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
