"""The authorization matrix against the real app, and the bugs it found.

Every event handler of every page state × every demo role (signed out, clients, relatives, the
guardian, both workers, the administrator, both provider staff, a person with no client), sent
through Reflex's own event processing with HB's middleware (`tests/reliability/inprocess.py`):
each denial is the refusal notice with no state or data change and, for a signed-in person, an
audit row; no answer carries another client's identity code, address, phone or (where the role
may not know who they are) name. `make test` runs it on SQLite for five roles with one sample client per
client page; `make reliability` (tests/reliability/run.py) every role on PostgreSQL.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from tests.conftest import BACKENDS
from tests.reliability import world
from tests.reliability.inprocess import HYDRATE, InProcessApp, handlers
from tests.reliability.matrix import refusal_texts, run_matrix



@pytest.fixture(scope="module")
def seeded_url(database_factory):
    return world.seeded_url("sqlite", database_factory)


@pytest.fixture(scope="module")
def app(seeded_url):
    world.use_database(seeded_url)
    with InProcessApp() as running:
        yield running


def test_the_matrix_finds_every_handler_and_page():
    found = handlers()
    assert len(found) > 100
    assert {h.family for h in found} >= {"pages.client.swap", "pages.worker.client_budget",
                                         "pages.admin.services", "state"}


@pytest.mark.parametrize("payload", [[1, 2], "text", None, 7, ["form_data", {}]])
def test_a_payload_that_is_not_an_object_is_refused_not_a_crash(app, seeded_url, payload):
    """Bug (a): the gate turned a non-object payload into a dict before checking it."""
    engine = world.use_database(seeded_url)
    cookie, _ = world.sign_in(engine, "demo-client")
    tab = app.tab(cookie)
    tab.open("/swap")
    swap = next(h for h in handlers() if h.family == "pages.client.swap"
                and h.parameters())
    answer = tab.call(swap, payload)
    assert answer.unhandled() == [] and answer.logged_errors == []
    assert any(text in "\n".join(answer.scripts) for text in refusal_texts("bad_input"))
    assert answer.delta == {}


def test_the_worker_access_page_lists_only_people_of_this_client(seeded_url):
    """Bug (c): the agent list of /worker/clients/<id>/access held every person in HB."""
    from hbapp.models import Client, Mandate, Person
    from hbapp.db import read_session
    from hbapp.services import mandates
    from hbapp.services.access import load_actor

    engine = world.use_database(seeded_url)
    today = date.today()
    with read_session(engine) as session:
        sari = load_actor(session, session.exec(
            select(Person.id).where(Person.oidc_subject == "demo-worker")).one())
        clients = session.exec(select(Client)).all()
        connected = {c.id: {m.agent_person_id for m in session.exec(
            select(Mandate).where(Mandate.client_id == c.id)).all()} for c in clients}
    aino = next(c for c in clients if c.first_name == "Aino")
    page = mandates.worker_access(engine, sari, aino.id, today)
    listed = {p.person_id for p in page.agents}
    assert listed and listed <= connected[aino.id]
    names = {p.name for p in page.agents}
    assert "Bengt Lindholm" not in names and "Eeva Korhonen" not in names


# make test: the roles whose every call is refused somewhere (signed out, view-only relative,
# a worker and a provider with no clients, the administrator); make reliability: all of them.
QUICK_ROLES = (None, "demo-relative-view", "demo-worker-2", "demo-admin", "demo-provider-2")


def test_authorization_matrix(seeded_url):
    result = run_matrix(seeded_url, roles=QUICK_ROLES, sample_clients=1)
    assert result.calls >= len(QUICK_ROLES) * 100
    assert result.outcomes["refused at the gate"] > 300 and result.outcomes["ran"] > 50
    assert result.problems == [], "\n".join(result.problems[:50])


def test_hydrate_name_is_reflex_s():
    assert HYDRATE.endswith(".hydrate_and_load")
    assert BACKENDS
