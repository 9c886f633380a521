"""The audit trail as the client reads it: who has looked at or changed their data.

Only the client and a proxy with `manage` may read it; reading it is itself audited. It is
read a page at a time, and other people's use of the data is kept apart from the client's own
actions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import and_, or_, select

from hbapp.db import write_session
from hbapp.domain.mandates import ACTION_KINDS, action_kind, actions_of_kind
from hbapp.models import AuditLog, Client, Mandate, Person
from hbapp.services import audit
from hbapp.services.access import Actor, require_client_access

PAGE_SIZE = 50
WHOSE = ("others", "own")  # other people's use of the data, or the client's own actions


@dataclass(frozen=True)
class AccessEntry:
    id: int
    at: datetime  # naive UTC
    actor_person_id: int | None
    actor_name: str
    role: str  # self, case_worker, guardian, relative, other, admin, system
    action: str
    kind: str
    details: dict


@dataclass(frozen=True)
class AccessLog:
    client_name: str
    entries: tuple[AccessEntry, ...]  # one page, newest first
    people: tuple[tuple[int, str], ...]  # everyone in this part of the log, for the filter
    whose: str  # "others" or "own"
    page: int  # 1-based, within 1..pages
    pages: int
    total: int  # entries matching the filters, on all pages


def access_log(
    engine: Engine,
    actor: Actor,
    client_id: int,
    today: date,
    kind: str | None = None,
    person_id: int | None = None,
    whose: str = "others",
    page: int = 1,
) -> AccessLog:
    """One page of the client's audit trail, newest first.

    `whose` separates other people's use of the data (the default: what a client most needs
    to see) from the client's own actions (signing in, looking at their own budget), so their
    own activity never buries someone else's access. `kind` is one of ACTION_KINDS;
    `person_id` limits to one person; `page` counts from 1 (out-of-range pages show the last).
    """
    if kind is not None and kind not in ACTION_KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    if whose not in WHOSE:
        raise ValueError(f"unknown part {whose!r}")
    with write_session(engine) as session:
        require_client_access(session, actor, client_id, "manage", today)
        client = session.get(Client, client_id)
        # The client's own sign-ins have no subject; they belong to the client's trail too.
        condition = AuditLog.subject_client_id == client_id
        if client.person_id is not None:
            condition = or_(condition, and_(AuditLog.subject_client_id.is_(None),
                                            AuditLog.actor_person_id == client.person_id,
                                            AuditLog.action.in_(("login", "logout"))))
            own = AuditLog.actor_person_id == client.person_id
            part = own if whose == "own" else or_(AuditLog.actor_person_id.is_(None), ~own)
        else:
            part = sa.false() if whose == "own" else sa.true()
        trail = and_(condition, part)
        people = session.exec(
            select(Person.id, Person.display_name)
            .where(Person.id.in_(select(AuditLog.actor_person_id).where(trail).distinct()))
            .order_by(Person.display_name, Person.id)
        ).all()
        wanted = trail
        if kind is not None:
            actions = session.exec(select(AuditLog.action).where(trail).distinct()).all()
            wanted = and_(wanted, AuditLog.action.in_(actions_of_kind(kind, actions)))
        if person_id is not None:
            wanted = and_(wanted, AuditLog.actor_person_id == person_id)
        total = session.exec(select(sa.func.count(AuditLog.id)).where(wanted)).one()
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(1, page), pages)
        rows = session.exec(
            select(AuditLog, Person)
            .join(Person, Person.id == AuditLog.actor_person_id, isouter=True)
            .where(wanted)
            .order_by(AuditLog.at.desc(), AuditLog.id.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        ).all()
        relations = {
            agent: relation
            for agent, relation in session.exec(
                select(Mandate.agent_person_id, Mandate.relation)
                .where(Mandate.client_id == client_id)
            ).all()
        }
        entries = tuple(
            AccessEntry(
                id=row.id, at=row.at, actor_person_id=row.actor_person_id,
                actor_name=person.display_name if person else "",
                role=_role(person, client, relations), action=row.action,
                kind=action_kind(row.action), details=_details(row.details),
            )
            for row, person in rows
        )
        audit.record(session, actor.person_id, "view_privacy_log", client_id,
                     kind=kind, person_id=person_id, whose=whose, page=page)
        return AccessLog(client.full_name, entries, tuple((pid, name) for pid, name in people),
                         whose, page, pages, total)


def _role(person: Person | None, client: Client, relations: dict[int, str]) -> str:
    if person is None:
        return "system"
    if person.id == client.person_id:
        return "self"
    if person.id in relations:
        return relations[person.id] if relations[person.id] in ("guardian", "relative") else "other"
    if person.is_worker:
        return "case_worker"
    if person.is_admin:
        return "admin"
    return "other"


def _details(text: str) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
