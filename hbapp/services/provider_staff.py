"""A provider's staff: who works for it in HB, added and removed by its main users or by
administrators.

Staff are added by personal identity code or by e-mail. A code finds the person who signed in
with it (or was recorded by it); when nobody has, a Person row is recorded with the code and no
OpenID subject, and their first sign-in with that verified code links it
(`hbapp.services.sessions.upsert_person`, as for relatives and new clients). An e-mail only
finds a person already in HB, never creates one: nobody is ever linked by e-mail at sign-in.
A provider always keeps at least one main user. Every change is audited
(`provider_staff_added`, `provider_staff_removed`, `provider_staff_main_user`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from hbapp.db import lock_row, read_session, write_session
from hbapp.domain.identifiers import InvalidIdentifier, validate_personal_identity_code
from hbapp.domain.inputs import MAX_ID
from hbapp.models import Client, Person, Provider, ProviderStaff
from hbapp.services import audit
from hbapp.services.access import Actor
from hbapp.services.provider_home import ProviderDenied, staff_provider

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
MAX_NAME = 200


class StaffError(ValueError):
    """A staff change that cannot be made; `code` is stable, `field` names the input."""

    def __init__(self, code: str, field: str = ""):
        super().__init__(code)
        self.code = code
        self.field = field


@dataclass(frozen=True)
class StaffRow:
    person_id: int
    name: str
    email: str
    is_main_user: bool
    has_signed_in: bool
    added_at: datetime
    is_self: bool


@dataclass(frozen=True)
class StaffList:
    provider_id: int
    provider_name: str
    may_manage: bool  # a main user of this provider, or an administrator
    staff: list[StaffRow]


def _provider(session: Session, actor: Actor, provider_id: int | None,
              manage: bool) -> Provider:
    """Administrators reach every provider; staff their own (main users to manage it)."""
    if actor.is_admin:
        provider = (session.get(Provider, provider_id)
                    if provider_id is not None and 0 < provider_id <= MAX_ID else None)
        if provider is None:
            raise ProviderDenied("no_provider", actor.person_id, provider_id)
        return provider
    return staff_provider(session, actor, provider_id, main_user=manage)


def _rows(session: Session, actor: Actor, provider_id: int) -> list[StaffRow]:
    rows = session.exec(
        select(ProviderStaff, Person)
        .join(Person, Person.id == ProviderStaff.person_id)
        .where(ProviderStaff.provider_id == provider_id)
        .order_by(Person.display_name, Person.id)
    ).all()
    return [StaffRow(person.id, person.display_name, person.email, staff.is_main_user,
                     person.oidc_subject is not None, staff.added_at,
                     person.id == actor.person_id)
            for staff, person in rows]


def staff_list(engine: Engine, actor: Actor, provider_id: int | None) -> StaffList:
    with read_session(engine) as session:
        provider = _provider(session, actor, provider_id, manage=False)
        own = session.get(ProviderStaff, (provider.id, actor.person_id))
        may_manage = actor.is_admin or (own is not None and own.is_main_user)
        return StaffList(provider.id, provider.name, may_manage, _rows(session, actor, provider.id))


def _main_users(session: Session, provider_id: int) -> int:
    return session.exec(select(func.count()).select_from(ProviderStaff).where(
        ProviderStaff.provider_id == provider_id, ProviderStaff.is_main_user.is_(True))).one()


def _find_by_code(session: Session, code: str) -> Person | None:
    person = session.exec(select(Person).where(Person.identity_code == code)).first()
    if person is None:
        # A client who signed in before their code was kept on the person row.
        client = session.exec(select(Client).where(Client.personal_identity_code == code)).first()
        if client is not None and client.person_id is not None:
            person = session.get(Person, client.person_id)
    return person


def add_staff(engine: Engine, actor: Actor, provider_id: int | None, *, identity_code: str = "",
              email: str = "", name: str = "", main_user: bool = False) -> StaffRow:
    """Add a person to the provider's staff by identity code (preferred) or e-mail."""
    identity_code = (identity_code or "").strip()
    email = (email or "").strip()
    name = " ".join((name or "").split())
    if not identity_code and not email:
        raise StaffError("missing_person", "identity_code")
    code = None
    if identity_code:
        try:
            code = validate_personal_identity_code(identity_code)
        except InvalidIdentifier:
            raise StaffError("bad_identity_code", "identity_code") from None
    elif not EMAIL.fullmatch(email) or len(email) > 200:
        raise StaffError("bad_email", "email")
    if len(name) > MAX_NAME or any(ord(ch) < 0x20 for ch in name):
        raise StaffError("bad_name", "name")
    try:
        with write_session(engine) as session:
            provider = _provider(session, actor, provider_id, manage=True)
            lock_row(session, Provider, provider.id)  # one staff change at a time per provider
            if code is not None:
                person = _find_by_code(session, code)
                if person is None:
                    if not name:
                        raise StaffError("name_needed", "name")
                    person = Person(display_name=name, identity_code=code)
                    session.add(person)
                    session.flush()
            else:
                people = session.exec(select(Person).where(
                    func.lower(Person.email) == email.lower())).all()
                if not people:
                    raise StaffError("unknown_email", "email")
                if len(people) > 1:
                    raise StaffError("ambiguous_email", "email")
                person = people[0]
            if session.get(ProviderStaff, (provider.id, person.id)) is not None:
                raise StaffError("already_staff", "identity_code" if code else "email")
            staff = ProviderStaff(provider_id=provider.id, person_id=person.id,
                                  is_main_user=bool(main_user),
                                  added_by_person_id=actor.person_id)
            session.add(staff)
            session.flush()
            audit.record(session, actor.person_id, "provider_staff_added", None,
                         provider_id=provider.id, person_id=person.id,
                         main_user=bool(main_user), by="identity_code" if code else "email",
                         recorded_new_person=person.oidc_subject is None)
            return StaffRow(person.id, person.display_name, person.email, staff.is_main_user,
                            person.oidc_subject is not None, staff.added_at,
                            person.id == actor.person_id)
    except IntegrityError:
        # Two main users added the same person at once: the second finds the first's row.
        raise StaffError("already_staff", "identity_code" if code else "email") from None


def remove_staff(engine: Engine, actor: Actor, provider_id: int | None, person_id: int) -> None:
    """Remove a person from the staff; the last main user stays."""
    with write_session(engine) as session:
        provider = _provider(session, actor, provider_id, manage=True)
        lock_row(session, Provider, provider.id)
        staff = session.get(ProviderStaff, (provider.id, person_id)) \
            if 0 < person_id <= MAX_ID else None
        if staff is None:
            raise StaffError("not_staff")
        if staff.is_main_user and _main_users(session, provider.id) <= 1:
            raise StaffError("last_main_user")
        session.delete(staff)
        audit.record(session, actor.person_id, "provider_staff_removed", None,
                     provider_id=provider.id, person_id=person_id,
                     was_main_user=staff.is_main_user)


def set_main_user(engine: Engine, actor: Actor, provider_id: int | None, person_id: int,
                  main_user: bool) -> None:
    """Mark or unmark a staff member as a main user; the last main user stays one."""
    with write_session(engine) as session:
        provider = _provider(session, actor, provider_id, manage=True)
        lock_row(session, Provider, provider.id)
        staff = session.get(ProviderStaff, (provider.id, person_id)) \
            if 0 < person_id <= MAX_ID else None
        if staff is None:
            raise StaffError("not_staff")
        if staff.is_main_user == main_user:
            return  # already so (a double click)
        if not main_user and _main_users(session, provider.id) <= 1:
            raise StaffError("last_main_user")
        staff.is_main_user = main_user
        session.add(staff)
        audit.record(session, actor.person_id, "provider_staff_main_user", None,
                     provider_id=provider.id, person_id=person_id, main_user=main_user)
