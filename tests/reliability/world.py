"""The demo world the reliability tests run against: a database, people signed in, secrets.

`use_database` points the whole app (settings, engine, session cache) at one database URL.
`sign_in` opens a real session for a demo person (as /auth/callback does) and returns the
cookie. `Secrets` knows, for every client, what must never reach someone who may not see that
client (identity code, street address, phone; and at a lower level the names of the client and
of the people who act for them), and which clients each person may see, as the services decide
it (`hbapp.services.access`). `fingerprint` hashes the database's contents (everything but the
audit log and the login sessions, which a page load and a refusal write) so a refused or failed
event can be shown to have changed nothing.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, select

# Rows that page loads and refusals legitimately write.
VOLATILE_TABLES = {"auditlog", "loginsession"}

# Signed out, and every person of the demo data (demo-client-new: signed in, no client yet).
ROLES: tuple[str | None, ...] = (
    None, "demo-client", "demo-client-2", "demo-relative", "demo-relative-view",
    "demo-guardian", "demo-worker", "demo-worker-2", "demo-admin", "demo-provider",
    "demo-provider-2", "demo-client-new",
)


def json_escaped(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)[1:-1]


def use_database(url: str) -> Engine:
    """Point settings, the shared engine and the session cache at `url`."""
    from hbapp.config import get_settings
    from hbapp.db import get_engine
    from hbapp.services import identity

    os.environ["HB_DATABASE_URL"] = url
    get_settings.cache_clear()
    get_engine.cache_clear()
    identity.SESSIONS._entries.clear()
    return get_engine()


def seeded_url(backend: str, database_factory) -> str:
    from hbapp.db import make_engine
    from hbapp.seed import seed_demo

    url = database_factory(backend)
    engine = make_engine(url)
    seed_demo(engine)
    engine.dispose()
    return url


def sign_in(engine: Engine, subject: str | None) -> tuple[str, int | None]:
    """(cookie header, person id) of a new session of a demo person; ("", None) signed out."""
    from hbapp.demo_people import DEMO_PEOPLE_BY_SUBJECT
    from hbapp.models import Person
    from hbapp.services.sessions import SESSION_COOKIE, create_session, upsert_person
    from hbapp.db import read_session

    if subject is None:
        return "", None
    with read_session(engine) as session:
        person_id = session.exec(select(Person.id).where(Person.oidc_subject == subject)).first()
    if person_id is None:
        demo = DEMO_PEOPLE_BY_SUBJECT[subject]
        person_id = upsert_person(engine, subject, demo.name, identity_code=demo.identity_code)
    token, _ = create_session(engine, person_id)
    return f"{SESSION_COOKIE}={token}", person_id


def fingerprint(engine: Engine) -> str:
    """A hash of every row of every table but the volatile ones."""
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in VOLATILE_TABLES:
                continue
            keys = [c for c in table.primary_key.columns] or list(table.columns)
            for row in connection.execute(sa.select(table).order_by(*keys)):
                digest.update(repr(tuple(row)).encode())
            digest.update(table.name.encode())
    return digest.hexdigest()


class WriteWatch:
    """Every write committed through an engine (INSERT, UPDATE, DELETE outside the volatile
    tables), seen by SQLAlchemy's events: cheaper and more exact than comparing contents."""

    def __init__(self, engine: Engine) -> None:
        import threading

        self.engine = engine
        self.committed: list[str] = []
        self._pending: dict[int, list[str]] = {}
        self._lock = threading.Lock()
        sa.event.listen(engine, "after_cursor_execute", self._executed)
        sa.event.listen(engine, "commit", self._commit)
        sa.event.listen(engine, "rollback", self._rollback)

    def close(self) -> None:
        sa.event.remove(self.engine, "after_cursor_execute", self._executed)
        sa.event.remove(self.engine, "commit", self._commit)
        sa.event.remove(self.engine, "rollback", self._rollback)

    def _executed(self, conn, cursor, statement, parameters, context, executemany) -> None:
        words = statement.lstrip().split(None, 3)
        if not words or words[0].upper() not in ("INSERT", "UPDATE", "DELETE"):
            return
        table = (words[2] if words[0].upper() in ("INSERT", "DELETE") else words[1])
        table = table.strip('"').lower()
        if table in VOLATILE_TABLES:
            return
        with self._lock:
            self._pending.setdefault(id(conn.connection), []).append(f"{words[0]} {table}")

    def _commit(self, conn) -> None:
        with self._lock:
            self.committed.extend(self._pending.pop(id(conn.connection), []))

    def _rollback(self, conn) -> None:
        with self._lock:
            self._pending.pop(id(conn.connection), None)

    def mark(self) -> int:
        return len(self.committed)

    def since(self, mark: int) -> list[str]:
        return self.committed[mark:]


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {t.name: connection.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                for t in SQLModel.metadata.sorted_tables}


def refusals(engine: Engine) -> int:
    from hbapp.models import AuditLog

    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(AuditLog.__table__)
                                  .where(AuditLog.action == "refused")).scalar()


@dataclass
class ClientSecrets:
    client_id: int
    names: set[str] = field(default_factory=set)  # the client's and their agents' names
    secrets: set[str] = field(default_factory=set)  # identity code, address, phone


def _ui_texts_with(markers: set[str]) -> list[str]:
    """Translated UI strings that quote a marker (a hint's example identity code)."""
    from pathlib import Path

    from babel.messages.pofile import read_po

    found = []
    for po in Path("locales").glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as handle:
            for message in read_po(handle):
                text = message.string if isinstance(message.string, str) else ""
                if text and any(m in text for m in markers):
                    found.append(text)
    return sorted(found, key=len, reverse=True)


@dataclass
class Secrets:
    clients: dict[int, ClientSecrets]
    ui_texts: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, engine: Engine) -> Secrets:
        from hbapp.db import read_session
        from hbapp.models import Client, Mandate, Person

        found: dict[int, ClientSecrets] = {}
        with read_session(engine) as session:
            for client in session.exec(select(Client)).all():
                entry = ClientSecrets(client.id)
                entry.names |= {f"{client.first_name} {client.last_name}",
                                f"{client.last_name} {client.first_name}"}
                entry.secrets |= {s for s in (client.personal_identity_code,
                                              client.street_address, client.phone)
                                  if s and len(s) >= 6}
                found[client.id] = entry
            for mandate, person in session.exec(
                    select(Mandate, Person).join(Person, Person.id == Mandate.agent_person_id)):
                found[mandate.client_id].names.add(person.display_name)
        markers = {m for entry in found.values() for m in entry.secrets | entry.names}
        return cls(found, _ui_texts_with(markers))

    def visibility(self, engine: Engine, person_id: int | None, today: date) -> dict[int, str]:
        """client id -> 'full' (may see the client's data) or 'name' (may see who it is)."""
        from hbapp.db import read_session
        from hbapp.models import Voucher
        from hbapp.services.access import load_actor, represented_clients, worker_serves
        from hbapp.services.provider_access import staff_provider_ids

        if person_id is None:
            return {}
        seen: dict[int, str] = {}
        with read_session(engine) as session:
            actor = load_actor(session, person_id)
            for represented in represented_clients(session, actor, today):
                seen[represented.client_id] = "full"
            if actor.is_worker:
                for client_id in self.clients:
                    status = worker_serves(session, person_id, client_id, today)
                    if status == "ok":
                        seen[client_id] = "full"
                    elif status == "no_consent":
                        seen.setdefault(client_id, "name")
            if actor.is_admin:
                # Administrators make decisions for every client of the organizer.
                for client_id in self.clients:
                    seen.setdefault(client_id, "name")
            providers = staff_provider_ids(session, person_id)
            if providers:
                for voucher in session.exec(select(Voucher).where(
                        Voucher.provider_id.in_(providers))).all():
                    seen[voucher.client_id] = "full"
        return seen

    def leaks(self, text: str, allowed: dict[int, str], own_name: str = "",
              names_allowed: bool = False) -> list[str]:
        """What of a client `allowed` does not cover appears in `text` (UI texts that quote
        an example, like the identity-code hint, are not the client's data)."""
        for ui_text in self.ui_texts:
            text = text.replace(ui_text, "").replace(json_escaped(ui_text), "")
        found = []
        for client_id, entry in self.clients.items():
            level = allowed.get(client_id)
            if level == "full":
                continue
            markers = set(entry.secrets)
            if level != "name" and not names_allowed:
                markers |= entry.names
            for marker in markers:
                if marker and marker != own_name and marker in text:
                    found.append(f"client {client_id}: {marker!r}")
        return found
