"""Shared fixtures: real databases (SQLite and the local PostgreSQL) created by the tests.

Every PostgreSQL database is created with a unique name and dropped at the end.
"""

from __future__ import annotations

import os
import queue
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator

import pytest

# Settings are read once per process: point them at a scratch directory before any import.
_SCRATCH = tempfile.mkdtemp(prefix="hb-tests-")
os.environ.setdefault("HB_DATA_DIR", _SCRATCH)
os.environ.setdefault("HB_DATABASE_URL", f"sqlite:///{_SCRATCH}/default.db")

PG_ADMIN_DSN = os.environ.get("HB_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")
PG_URL_PREFIX = os.environ.get("HB_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432")

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _pg_admin(sql: str) -> None:
    import psycopg2

    connection = psycopg2.connect(PG_ADMIN_DSN)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


@pytest.fixture(scope="session")
def database_factory(tmp_path_factory) -> Iterator[Callable[[str], str]]:
    """Create a fresh, migrated database on a backend and return its URL.

    The migrations run once per backend into a template; each database is a copy of it
    (SQLite's backup API, PostgreSQL's `CREATE DATABASE ... TEMPLATE`): the same schema at
    a fraction of the cost of running every migration for every test."""
    import sqlite3

    from hbapp.migrations import upgrade

    created: list[str] = []
    templates: dict[str, str] = {}

    def template(backend: str) -> str:
        if backend not in templates:
            name = f"hb_test_template_{uuid.uuid4().hex[:12]}"
            if backend == "sqlite":
                path = tmp_path_factory.mktemp("template") / f"{name}.db"
                upgrade(f"sqlite:///{path}")
                templates[backend] = str(path)
            else:
                _pg_admin(f'CREATE DATABASE "{name}"')
                created.append(name)
                upgrade(f"{PG_URL_PREFIX}/{name}")
                templates[backend] = name
        return templates[backend]

    def create(backend: str) -> str:
        name = f"hb_test_{uuid.uuid4().hex[:12]}"
        if backend == "sqlite":
            source = template(backend)
            path = tmp_path_factory.mktemp("db") / f"{name}.db"
            with sqlite3.connect(source) as original, sqlite3.connect(path) as copy:
                original.backup(copy)
            original.close()
            copy.close()
            return f"sqlite:///{path}"
        if backend == "postgresql":
            source = template(backend)
            _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
            created.append(name)
            return f"{PG_URL_PREFIX}/{name}"
        raise ValueError(backend)

    # A PostgreSQL DROP DATABASE takes about 0.3 s here (a checkpoint): a test's database is
    # dropped by a thread of its own as soon as the test is done, while the next tests run.
    finished: queue.Queue[str | None] = queue.Queue()

    def dropper() -> None:
        while (name := finished.get()) is not None:
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def release(url: str) -> None:
        name = url.rsplit("/", 1)[-1]
        if url.startswith(PG_URL_PREFIX) and name in created:
            created.remove(name)
            finished.put(name)

    create.release = release  # type: ignore[attr-defined]
    thread = threading.Thread(target=dropper, name="drop-test-databases", daemon=True)
    thread.start()
    yield create
    finished.put(None)
    thread.join()
    for name in reversed(created):
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def empty_engine(request, database_factory):
    """A new, migrated, empty database for one test."""
    from hbapp.db import make_engine

    url = database_factory(request.param)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    database_factory.release(url)


_seeded: dict[str, object] = {}


@pytest.fixture(params=BACKENDS)
def seeded_engine(request, database_factory):
    """A migrated database with the demo data, shared by the tests of one backend.

    Tests using it may add rows (audit entries, sessions) but must not change the demo data.
    """
    from hbapp.db import make_engine
    from hbapp.seed import seed_demo

    backend = request.param
    if backend not in _seeded:
        engine = make_engine(database_factory(backend))
        seed_demo(engine)
        _seeded[backend] = engine
    return _seeded[backend]
