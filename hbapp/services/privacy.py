"""The audit trail as the client reads it: who has looked at or changed their data.

Only the client and a proxy with `manage` may read it; reading it is itself audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import and_, or_, select

from hbapp.db import write_session
from hbapp.domain.mandates import ACTION_KINDS, action_kind
from hbapp.models import AuditLog, Client, Mandate, Person
from hbapp.services import audit
from hbapp.services.access import Actor, require_client_access

MAX_ENTRIES = 300


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
    entries: tuple[AccessEntry, ...]
    people: tuple[tuple[int, str], ...]  # everyone in the unfiltered log, for the filter


def access_log(
    engine: Engine,
    actor: Actor,
    client_id: int,
    today: date,
    kind: str | None = None,
    person_id: int | None = None,
) -> AccessLog:
    """Newest first. `kind` is one of ACTION_KINDS; `person_id` limits to one person."""
    if kind is not None and kind not in ACTION_KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    with write_session(engine) as session:
        require_client_access(session, actor, client_id, "manage", today)
        client = session.get(Client, client_id)
        # The client's own sign-ins have no subject; they belong to the client's trail too.
        condition = AuditLog.subject_client_id == client_id
        if client.person_id is not None:
            condition = or_(condition, and_(AuditLog.subject_client_id.is_(None),
                                            AuditLog.actor_person_id == client.person_id,
                                            AuditLog.action.in_(("login", "logout"))))
        rows = session.exec(
            select(AuditLog, Person)
            .join(Person, Person.id == AuditLog.actor_person_id, isouter=True)
            .where(condition)
            .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        ).all()
        relations = {
            agent: relation
            for agent, relation in session.exec(
                select(Mandate.agent_person_id, Mandate.relation)
                .where(Mandate.client_id == client_id)
            ).all()
        }
        entries: list[AccessEntry] = []
        people: dict[int, str] = {}
        for row, person in rows:
            if person is not None:
                people.setdefault(person.id, person.display_name)
            entry_kind = action_kind(row.action)
            if kind is not None and entry_kind != kind:
                continue
            if person_id is not None and row.actor_person_id != person_id:
                continue
            if len(entries) >= MAX_ENTRIES:
                continue
            entries.append(AccessEntry(
                id=row.id, at=row.at, actor_person_id=row.actor_person_id,
                actor_name=person.display_name if person else "",
                role=_role(person, client, relations), action=row.action, kind=entry_kind,
                details=_details(row.details),
            ))
        audit.record(session, actor.person_id, "view_privacy_log", client_id,
                     kind=kind, person_id=person_id)
        return AccessLog(client.full_name, tuple(entries),
                         tuple(sorted(people.items(), key=lambda item: item[1])))


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
