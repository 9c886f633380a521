"""Who may see or do what for which client, decided on the server from the database.

Every service call that touches a client's data goes through `require_client_access`.
Rules:
- a client always acts for themself with every scope;
- a relative or guardian acts through an active, valid mandate with the needed scope;
- a case worker sees a client only while assigned to them AND with recorded consent
  (`worker` scope; workers never get a client's own scopes such as `manage`);
- a mandate never stands in for consent: a mandate a case worker recorded counts for nobody
  who is a case worker or an administrator, and consent counts only when it was given by the
  client or their guardian, never by a member of staff.

A refusal (`AccessDenied`) carries who tried and whose data it was about; `hbapp.db` writes it
to the audit log after the refused transaction has been rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import aliased
from sqlmodel import Session, or_, select

from hbapp.models import (
    CaseWorkerAssignment,
    Client,
    Consent,
    Mandate,
    MandateSource,
    MandateStatus,
    Person,
)

SCOPES = ("view", "manage", "feedback", "surveys")


class AccessDenied(Exception):
    """The signed-in person may not do this for this client. `reason` is a stable code.

    With `actor_person_id` the refusal is written to the audit log (action `refused`, subject
    `client_id`) by `hbapp.db.write_session` / `read_session` once the refused transaction has
    been rolled back, so every service that raises it inside a session is audited alike.
    """

    def __init__(self, reason: str, actor_person_id: int | None = None,
                 client_id: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.actor_person_id = actor_person_id
        self.client_id = client_id
        self.audited = False

    def audit_entry(self) -> tuple[int, int | None, dict] | None:
        """(actor, subject, details) to record, or None when nobody known was refused."""
        if self.actor_person_id is None or self.audited:
            return None
        return self.actor_person_id, self.client_id, {"reason": self.reason}


class NotSignedIn(AccessDenied):
    def __init__(self):
        super().__init__("not_signed_in")


@dataclass(frozen=True)
class Actor:
    person_id: int
    name: str
    is_worker: bool
    is_admin: bool
    own_client_id: int | None


@dataclass(frozen=True)
class Represented:
    client_id: int
    name: str
    relation: str  # self, relative, guardian, other
    scopes: tuple[str, ...]


def load_actor(session: Session, person_id: int) -> Actor:
    person = session.get(Person, person_id)
    if person is None:
        raise NotSignedIn()
    own = session.exec(select(Client.id).where(Client.person_id == person_id)).first()
    return Actor(person.id, person.display_name, person.is_worker, person.is_admin, own)


def _active_mandates(session: Session, actor: Actor, today: date):
    query = (
        select(Mandate, Client)
        .join(Client, Client.id == Mandate.client_id)
        .where(
            Mandate.agent_person_id == actor.person_id,
            Mandate.status == MandateStatus.ACTIVE.value,
            Mandate.valid_from <= today,
            or_(Mandate.valid_to.is_(None), Mandate.valid_to >= today),
        )
        .order_by(Client.last_name, Client.first_name)
    )
    if actor.is_worker or actor.is_admin:
        # Staff act for a client only on the client's own word (a mandate the client gave or
        # confirmed, or one from Suomi.fi): a mandate recorded by staff would let them read a
        # client's data without consent.
        query = query.where(Mandate.source != MandateSource.WORKER_RECORDED.value)
    return session.exec(query).all()


def represented_clients(session: Session, actor: Actor, today: date) -> list[Represented]:
    """Whose matters this person may handle: themself first, then by valid mandate."""
    result: list[Represented] = []
    if actor.own_client_id is not None:
        own = session.get(Client, actor.own_client_id)
        result.append(Represented(own.id, own.full_name, "self", SCOPES))
    for mandate, client in _active_mandates(session, actor, today):
        scopes = tuple(s for s in mandate.scopes.split(",") if s in SCOPES)
        result.append(Represented(client.id, client.full_name, mandate.relation, scopes))
    return result


def worker_serves(session: Session, worker_person_id: int, client_id: int, today: date) -> str:
    """'ok', 'not_assigned' or 'no_consent' for a case worker and a client."""
    assigned = session.exec(
        select(CaseWorkerAssignment.id).where(
            CaseWorkerAssignment.worker_person_id == worker_person_id,
            CaseWorkerAssignment.client_id == client_id,
            CaseWorkerAssignment.starts_on <= today,
            or_(CaseWorkerAssignment.ends_on.is_(None), CaseWorkerAssignment.ends_on >= today),
        )
    ).first()
    if assigned is None:
        return "not_assigned"
    return "ok" if has_consent(session, client_id, today) else "no_consent"


def consented_clients(today: date):
    """SELECT of the ids of clients with consent in force today: given by the client or their
    guardian (or, for a client without an account, recorded as given in person). A row that
    names a member of staff as the giver is not consent."""
    giver = aliased(Person)
    return (
        select(Consent.client_id)
        .join(giver, giver.id == Consent.given_by_person_id, isouter=True)
        .where(
            Consent.given_on <= today,
            Consent.revoked_at.is_(None),
            or_(Consent.given_by_person_id.is_(None),
                giver.is_worker.is_(False) & giver.is_admin.is_(False)),
        )
    )


def has_consent(session: Session, client_id: int, today: date) -> bool:
    return session.exec(
        consented_clients(today).where(Consent.client_id == client_id)
    ).first() is not None


def require_client_access(
    session: Session, actor: Actor, client_id: int, scope: str, today: date
) -> Represented | None:
    """Allow or raise AccessDenied. Returns how the actor relates to the client.

    `scope` is one of SCOPES, or "worker" for a case worker's view of a client.
    """
    if scope not in SCOPES and scope != "worker":
        raise ValueError(f"unknown scope {scope!r}")
    if scope == "worker":
        if not actor.is_worker:
            raise AccessDenied("not_a_worker", actor.person_id, client_id)
        status = worker_serves(session, actor.person_id, client_id, today)
        if status != "ok":
            raise AccessDenied(status, actor.person_id, client_id)
        return None
    if actor.own_client_id == client_id:
        # A client acts for themself with every scope: no need to read mandates (the same
        # answer represented_clients gives, where the own client always comes first).
        own = session.get(Client, client_id)
        return Represented(own.id, own.full_name, "self", SCOPES)
    for represented in represented_clients(session, actor, today):
        if represented.client_id == client_id:
            if scope in represented.scopes:
                return represented
            raise AccessDenied("missing_scope", actor.person_id, client_id)
    raise AccessDenied("no_mandate", actor.person_id, client_id)
