"""Whom to contact (/help) and the stored text size, on a real database."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from hbapp.db import read_session
from hbapp.models import AuditLog, Client, Person
from hbapp.services.access import AccessDenied, load_actor
from hbapp.services.contacts import contacts_for, public_contacts
from hbapp.services.preferences import save_text_size

TODAY = date.today()


def person(engine, subject: str) -> Person:
    with read_session(engine) as session:
        return session.exec(select(Person).where(Person.oidc_subject == subject)).one()


def actor(engine, subject: str):
    with read_session(engine) as session:
        return load_actor(session, person(engine, subject).id)


def client_of(engine, subject: str) -> Client:
    with read_session(engine) as session:
        return session.exec(
            select(Client).join(Person, Person.id == Client.person_id)
            .where(Person.oidc_subject == subject)
        ).one()


def views_of_contacts(engine, client_id: int) -> int:
    with read_session(engine) as session:
        return len(session.exec(
            select(AuditLog).where(AuditLog.action == "view_contacts",
                                   AuditLog.subject_client_id == client_id)
        ).all())


def test_public_contacts_name_the_organizer(seeded_engine):
    contacts = public_contacts(seeded_engine)
    assert contacts.organizer.name("sv") == "Södra Karelens välfärdsområde"
    assert contacts.organizer.phone == "05 612 3000"
    assert contacts.own_worker is None


def test_client_sees_own_worker_and_the_view_is_audited(seeded_engine):
    aino = client_of(seeded_engine, "demo-client")
    before = views_of_contacts(seeded_engine, aino.id)
    contacts = contacts_for(seeded_engine, actor(seeded_engine, "demo-client"), aino.id, TODAY)
    assert contacts.own_worker.name == person(seeded_engine, "demo-worker").display_name
    assert contacts.organizer.name("fi") == "Etelä-Karjalan hyvinvointialue"
    assert views_of_contacts(seeded_engine, aino.id) == before + 1


def test_relative_with_view_mandate_sees_the_clients_worker(seeded_engine):
    aino = client_of(seeded_engine, "demo-client")
    contacts = contacts_for(seeded_engine, actor(seeded_engine, "demo-relative-view"),
                            aino.id, TODAY)
    assert contacts.own_worker is not None


def test_someone_without_a_mandate_is_refused(seeded_engine):
    aino = client_of(seeded_engine, "demo-client")
    before = views_of_contacts(seeded_engine, aino.id)
    with pytest.raises(AccessDenied):
        contacts_for(seeded_engine, actor(seeded_engine, "demo-worker-2"), aino.id, TODAY)
    with pytest.raises(AccessDenied):
        contacts_for(seeded_engine, actor(seeded_engine, "demo-guardian"), aino.id, TODAY)
    assert views_of_contacts(seeded_engine, aino.id) == before


def test_worker_without_a_client_gets_the_organizer(seeded_engine):
    contacts = contacts_for(seeded_engine, actor(seeded_engine, "demo-worker"), None, TODAY)
    assert contacts.organizer is not None and contacts.own_worker is None


def test_text_size_is_stored_and_validated(empty_engine):
    from hbapp.seed import seed_demo

    seed_demo(empty_engine)
    mikko = person(empty_engine, "demo-relative")
    assert mikko.text_size == "normal"
    save_text_size(empty_engine, mikko.id, "xlarge")
    assert person(empty_engine, "demo-relative").text_size == "xlarge"
    with pytest.raises(ValueError):
        save_text_size(empty_engine, mikko.id, "gigantic")
    assert person(empty_engine, "demo-relative").text_size == "xlarge"
