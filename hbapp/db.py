"""Database engine and sessions shared by the services, the CLI and the tests.

Refusals are audited here, once for every service: when an exception that knows who was
refused (`hbapp.services.access.AccessDenied` with an actor) leaves the outermost
`write_session` or `read_session`, the refused transaction has been rolled back and its
connection closed; then the refusal is written in a transaction of its own. Doing it after the
rollback keeps the refusal row (the rollback would discard it) and never holds SQLite's write
lock twice (a second write transaction while the first is open would wait for itself).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from hbapp.config import get_settings

log = logging.getLogger(__name__)

# How many sessions this task has open: a refusal is written when the outermost one ends.
_open_sessions: ContextVar[int] = ContextVar("hb_open_sessions", default=0)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # SQLite: enforce foreign keys, and let pysqlite leave BEGIN to us so that
            # write transactions can start with BEGIN IMMEDIATE (see `write_session`).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            conn.exec_driver_sql(conn.info.pop("begin_sql", "BEGIN"))

        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


def _service_operation(exc: BaseException) -> str:
    """The outermost service function the exception passed through, e.g. mandates.grant."""
    for frame, _line in traceback.walk_tb(exc.__traceback__):
        module = frame.f_globals.get("__name__", "")
        if module.startswith("hbapp.services."):
            return f"{module.removeprefix('hbapp.services.')}.{frame.f_code.co_name}"
    return ""


def _audit_refusal(engine: Engine, exc: BaseException) -> None:
    entry = getattr(exc, "audit_entry", None)
    if entry is None:
        return
    found = entry()
    if found is None:
        return
    actor_person_id, client_id, details = found
    exc.audited = True
    from hbapp.services import audit

    try:
        with write_session(engine) as session:
            audit.record(session, actor_person_id, "refused", client_id,
                         operation=_service_operation(exc), **details)
    except Exception:  # noqa: BLE001 - a failed audit write must not hide the refusal itself
        log.exception("could not audit a refusal")


@contextmanager
def _counted(engine: Engine) -> Iterator[None]:
    token = _open_sessions.set(_open_sessions.get() + 1)
    try:
        yield
    except Exception as exc:
        _open_sessions.reset(token)
        token = None
        if _open_sessions.get() == 0:
            _audit_refusal(engine, exc)
        raise
    finally:
        if token is not None:
            _open_sessions.reset(token)


@contextmanager
def read_session(engine: Engine | None = None) -> Iterator[Session]:
    engine = engine or get_engine()
    with _counted(engine):
        with Session(engine, expire_on_commit=False) as session:
            yield session


@contextmanager
def write_session(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction that writes: committed on success, rolled back on any error.

    On SQLite the transaction takes the write lock at its start (BEGIN IMMEDIATE), so two
    writers never both read a balance and then both spend it. On PostgreSQL the services
    lock the rows they change with SELECT ... FOR UPDATE.
    """
    engine = engine or get_engine()
    with _counted(engine), engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.info["begin_sql"] = "BEGIN IMMEDIATE"
        with Session(bind=connection, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise


def lock_row(session: Session, model, row_id: int):
    """SELECT ... FOR UPDATE of one row, e.g. the client whose data a transaction changes.

    Serialises two writers of the same client on PostgreSQL, so that a double submit from
    two tabs finds the first one's row instead of adding a second (under READ COMMITTED each
    later statement sees what the first writer committed). SQLite ignores FOR UPDATE; its
    BEGIN IMMEDIATE already serialises every writer.
    """
    return session.exec(select(model).where(model.id == row_id).with_for_update()).first()
