"""Messages in a person's HB inbox, and the e-mail notices that tell them one arrived.

`notify` is called by other services inside their own write transaction, so a message exists
exactly when the change it tells about was committed. A message is a kind and parameters, not
text: `hbapp.views.messages` renders it in the reader's language when it is shown.

When e-mail notices are configured (`HB_SMTP_URL`, see `hbapp.services.notices`), `notify`
also writes a `NoticeOutbox` row per recipient with an e-mail address, in the same
transaction; after that transaction commits, the background sender is woken to send it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, or_, select

from hbapp.config import SUPPORTED_LOCALES, get_settings
from hbapp.db import read_session, write_session
from hbapp.models import (Client, Mandate, MandateStatus, Message, NoticeOutbox, Person,
                          utcnow)
from hbapp.services import notices
from hbapp.services.access import AccessDenied, Actor

MAX_LINK = 200
# The kinds of message; each has its title and text in hbapp.views.messages.KINDS.
MESSAGE_KINDS = (
    "decision_made", "decision_changed", "decision_ended",
    "swap_approved", "swap_declined",
    "survey_assigned",
    "dispute_opened", "dispute_upheld", "dispute_rejected",
    "event_needs_review", "event_cancelled",
    "settlement_closed",
    "provider_suspended", "provider_suspended_worker",
)


@dataclass(frozen=True)
class InboxMessage:
    id: int
    kind: str
    params: dict
    link: str
    subject_client_id: int | None
    created_at: datetime
    read_at: datetime | None

    @property
    def unread(self) -> bool:
        return self.read_at is None


def _json_value(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def recipient_locale(session: Session, person: Person) -> str:
    """The language a person reads HB in: their choice, else their client record's language,
    else the default."""
    if person.locale in SUPPORTED_LOCALES:
        return person.locale
    language = session.exec(select(Client.language).where(Client.person_id == person.id)).first()
    if language in SUPPORTED_LOCALES:
        return language
    return get_settings().default_locale


def notify(session: Session, person_ids: Iterable[int | None], kind: str, *,
           subject_client_id: int | None = None, link: str | None = None,
           **params) -> list[Message]:
    """Add a message of `kind` for each person (duplicates and None skipped) in the caller's
    transaction. `params` are JSON values for the kind's texts (dates become ISO strings; a
    dict keyed by language, e.g. a service's names, is read in the reader's language)."""
    if kind not in MESSAGE_KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    link = link or ""
    if len(link) > MAX_LINK or (link and not link.startswith("/")):
        raise ValueError("a message links to a path inside HB")
    encoded = json.dumps({k: _json_value(v) for k, v in params.items()},
                         ensure_ascii=False, sort_keys=True)
    seen: set[int] = set()
    created: list[Message] = []
    email_on = notices.email_enabled()
    for person_id in person_ids:
        if person_id is None or person_id in seen:
            continue
        seen.add(person_id)
        message = Message(recipient_person_id=person_id, kind=kind,
                          subject_client_id=subject_client_id, params=encoded, link=link)
        session.add(message)
        created.append(message)
    if not created:
        return created
    session.flush()
    if email_on:
        people = session.exec(select(Person).where(Person.id.in_(seen))).all()
        by_id = {p.id: p for p in people}
        for message in created:
            person = by_id.get(message.recipient_person_id)
            address = (person.email or "").strip() if person else ""
            if not address:
                continue
            session.add(NoticeOutbox(message_id=message.id, channel="email", address=address,
                                     locale=recipient_locale(session, person)))
        notices.wake_after_commit(session)
    return created


def client_and_agents(session: Session, client_id: int, scope: str,
                      today: date | None = None) -> list[int]:
    """Who reads about a client's matters: the client's own account and the people acting
    for them by a mandate in force today with `scope` (e.g. "view", "surveys")."""
    today = today or date.today()
    found: list[int] = []
    own = session.exec(select(Client.person_id).where(Client.id == client_id)).first()
    if own is not None:
        found.append(own)
    rows = session.exec(
        select(Mandate.agent_person_id, Mandate.scopes).where(
            Mandate.client_id == client_id,
            Mandate.status == MandateStatus.ACTIVE.value,
            Mandate.valid_from <= today,
            or_(Mandate.valid_to.is_(None), Mandate.valid_to >= today),
        ).order_by(Mandate.id)).all()
    for agent_id, scopes in rows:
        if scope in scopes.split(",") and agent_id not in found:
            found.append(agent_id)
    return found


def _row(message: Message) -> InboxMessage:
    try:
        params = json.loads(message.params or "{}")
    except ValueError:
        params = {}
    return InboxMessage(message.id, message.kind, params if isinstance(params, dict) else {},
                        message.link, message.subject_client_id, message.created_at,
                        message.read_at)


def inbox(engine: Engine, actor: Actor, limit: int = 200) -> list[InboxMessage]:
    """The actor's own messages, newest first (at most `limit`)."""
    with read_session(engine) as session:
        rows = session.exec(
            select(Message).where(Message.recipient_person_id == actor.person_id)
            .order_by(Message.created_at.desc(), Message.id.desc()).limit(limit)).all()
        return [_row(m) for m in rows]


def mark_read(engine: Engine, actor: Actor, message_id: int) -> InboxMessage:
    """Mark one of the actor's own messages read (idempotent); another person's message is
    refused exactly like a missing one."""
    with write_session(engine) as session:
        message = session.exec(select(Message).where(Message.id == message_id)
                               .with_for_update()).first()
        if message is None or message.recipient_person_id != actor.person_id:
            raise AccessDenied("not_your_message", actor.person_id)
        if message.read_at is None:
            message.read_at = utcnow()
            session.add(message)
        return _row(message)


def mark_all_read(engine: Engine, actor: Actor) -> int:
    with write_session(engine) as session:
        result = session.exec(
            sa.update(Message)
            .where(Message.recipient_person_id == actor.person_id, Message.read_at.is_(None))
            .values(read_at=utcnow()))
        return result.rowcount or 0


def count_unread(session: Session, person_id: int) -> int:
    return session.exec(select(func.count()).select_from(Message).where(
        Message.recipient_person_id == person_id, Message.read_at.is_(None))).one()


def unread_count(engine: Engine, person_id: int) -> int:
    with read_session(engine) as session:
        return count_unread(session, person_id)
