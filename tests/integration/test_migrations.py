"""The Alembic migrations create exactly the tables of `hbapp/models.py`, on SQLite and
PostgreSQL, and the newest revisions can be undone and redone."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import hbapp.models  # noqa: F401 - registers the tables
from hbapp.db import make_engine
from hbapp.migrations import alembic_config
from tests.conftest import BACKENDS


def _differences(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations_match_the_models(database_factory, backend):
    assert _differences(database_factory(backend)) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_newest_migrations_go_down_and_up_again(database_factory, backend):
    url = database_factory(backend)
    config = alembic_config(url)
    command.downgrade(config, "d6beabb9c482")  # the initial schema
    command.upgrade(config, "head")
    assert _differences(url) == []
