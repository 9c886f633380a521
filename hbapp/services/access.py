"""Who may see or do what for which client, decided on the server from the database.

Every service call that touches a client's data goes through `require_client_access`.
Rules:
- a client always acts for themself with every scope;
- a relative or guardian acts through an active, valid mandate with the needed scope;
- a case worker sees a client only while assigned to them AND with recorded consent
  (`worker` scope; workers never get a client's own scopes such as `manage`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, or_, select

from hbapp.models import CaseWorkerAssignment, Client, Consent, Mandate, MandateStatus, Person

SCOPES = ("view", "manage", "feedback", "surveys")


class AccessDenied(Exception):
    """The signed-in person may not do this for this client. `reason` is a stable code."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


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


def _active_mandates(session: Session, person_id: int, today: date):
    return session.exec(
        select(Mandate, Client)
        .join(Client, Client.id == Mandate.client_id)
        .where(
            Mandate.agent_person_id == person_id,
            Mandate.status == MandateStatus.ACTIVE.value,
            Mandate.valid_from <= today,
            or_(Mandate.valid_to.is_(None), Mandate.valid_to >= today),
        )
        .order_by(Client.last_name, Client.first_name)
    ).all()


def represented_clients(session: Session, actor: Actor, today: date) -> list[Represented]:
    """Whose matters this person may handle: themself first, then by valid mandate."""
    result: list[Represented] = []
    if actor.own_client_id is not None:
        own = session.get(Client, actor.own_client_id)
        result.append(Represented(own.id, own.full_name, "self", SCOPES))
    for mandate, client in _active_mandates(session, actor.person_id, today):
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
    consent = session.exec(
        select(Consent.id).where(
            Consent.client_id == client_id,
            Consent.given_on <= today,
            Consent.revoked_at.is_(None),
        )
    ).first()
    return "ok" if consent is not None else "no_consent"


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
            raise AccessDenied("not_a_worker")
        status = worker_serves(session, actor.person_id, client_id, today)
        if status != "ok":
            raise AccessDenied(status)
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
            raise AccessDenied("missing_scope")
    raise AccessDenied("no_mandate")
