"""Whom to contact: the organizer's service line and, for a client, their own case worker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import select

from hbapp.db import read_session, write_session
from hbapp.models import Client, Organizer, Person
from hbapp.services import audit
from hbapp.services.access import Actor, require_client_access


@dataclass(frozen=True)
class OrganizerContact:
    names: dict[str, str]  # locale → name
    phone: str
    email: str

    def name(self, locale: str) -> str:
        return self.names.get(locale) or self.names["fi"]


@dataclass(frozen=True)
class WorkerContact:
    name: str
    phone: str
    email: str


@dataclass(frozen=True)
class Contacts:
    organizer: OrganizerContact | None
    own_worker: WorkerContact | None  # only for a client or someone acting for one


def _organizer_contact(organizer: Organizer | None) -> OrganizerContact | None:
    if organizer is None:
        return None
    return OrganizerContact(
        {"fi": organizer.name_fi, "sv": organizer.name_sv, "en": organizer.name_en},
        organizer.phone,
        organizer.email,
    )


def public_contacts(engine: Engine) -> Contacts:
    """For people who have not signed in: the organizer running this service."""
    with read_session(engine) as session:
        organizer = session.exec(select(Organizer).order_by(Organizer.id)).first()
        return Contacts(_organizer_contact(organizer), None)


def contacts_for(engine: Engine, actor: Actor, client_id: int | None, today: date) -> Contacts:
    """The client's organizer and own worker, after checking the actor may view the client.

    Raises AccessDenied. The worker's name is client data, so the view is audited.
    """
    if client_id is None:
        with read_session(engine) as session:
            person = session.get(Person, actor.person_id)
            organizer = None
            if person is not None and person.organizer_id is not None:
                organizer = session.get(Organizer, person.organizer_id)
            if organizer is None:
                organizer = session.exec(select(Organizer).order_by(Organizer.id)).first()
            return Contacts(_organizer_contact(organizer), None)
    with write_session(engine) as session:
        require_client_access(session, actor, client_id, "view", today)
        client = session.get(Client, client_id)
        organizer = session.get(Organizer, client.organizer_id)
        worker = session.get(Person, client.own_worker_id) if client.own_worker_id else None
        audit.record(session, actor.person_id, "view_contacts", client_id)
        return Contacts(
            _organizer_contact(organizer),
            WorkerContact(worker.display_name, worker.phone, worker.email) if worker else None,
        )
