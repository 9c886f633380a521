"""The session cache of the event middleware: what it may serve from memory, and what never.

Every lookup reads the session row, so logout, expiry and a change of whom the person acts for
apply at the next event; the person part (name, roles, language, whom they may act for) is
reused for at most `ttl` seconds between page loads, and dropped at once when this process
commits a change to people, clients or mandates.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import select

from hbapp.db import read_session
from hbapp.models import Client, Mandate, Person
from hbapp.services import mandates
from hbapp.services.access import load_actor
from hbapp.services.identity import SignedInCache, signed_in
from hbapp.services.sessions import create_session, end_session, set_acting_for

TODAY = date.today()


def person_id(engine, subject: str) -> int:
    with read_session(engine) as session:
        return session.exec(select(Person.id).where(Person.oidc_subject == subject)).one()


def client_id(engine, first_name: str) -> int:
    with read_session(engine) as session:
        return session.exec(select(Client.id).where(Client.first_name == first_name)).one()


def rename_behind_the_orm(engine, person: int, name: str) -> None:
    """A change no commit listener of this process sees (as another worker's would be)."""
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE person SET display_name = :name WHERE id = :id"),
                           {"name": name, "id": person})


def test_lookup_answers_as_signed_in(seeded_engine):
    cache = SignedInCache()
    token, _ = create_session(seeded_engine, person_id(seeded_engine, "demo-relative"))
    cached = cache.lookup(seeded_engine, token, TODAY, page_load=True)
    assert cached == signed_in(seeded_engine, token, TODAY)
    assert cached.acting_for is not None and cached.acting_for.name == "Aino Virtanen"
    assert cache.lookup(seeded_engine, None, TODAY) is None
    assert cache.lookup(seeded_engine, "not-a-session-token-at-all", TODAY) is None


def test_person_part_is_reused_until_the_next_page_load_or_the_ttl(empty_engine):
    from hbapp.seed import seed_demo

    seed_demo(empty_engine)
    cache = SignedInCache(ttl=3600)
    liisa = person_id(empty_engine, "demo-relative-view")
    token, _ = create_session(empty_engine, liisa)
    assert cache.lookup(empty_engine, token, TODAY, page_load=True).actor.name == "Liisa Virtanen"

    rename_behind_the_orm(empty_engine, liisa, "Liisa Renamed")
    assert cache.lookup(empty_engine, token, TODAY).actor.name == "Liisa Virtanen"
    assert cache.hits == 1
    # A page load reads the person again.
    assert cache.lookup(empty_engine, token, TODAY, page_load=True).actor.name == "Liisa Renamed"

    rename_behind_the_orm(empty_engine, liisa, "Liisa Again")
    expired = SignedInCache(ttl=0)
    expired.lookup(empty_engine, token, TODAY, page_load=True)
    assert expired.lookup(empty_engine, token, TODAY).actor.name == "Liisa Again"
    assert expired.hits == 0


def test_logout_and_acting_for_apply_at_the_next_event(empty_engine):
    from hbapp.seed import seed_demo

    seed_demo(empty_engine)
    cache = SignedInCache(ttl=3600)
    eeva = person_id(empty_engine, "demo-guardian")
    token, _ = create_session(empty_engine, eeva)
    first = cache.lookup(empty_engine, token, TODAY, page_load=True)
    assert first is not None
    # Whom the person acts for lives in the session row, which every lookup reads.
    set_acting_for(empty_engine, token, None)
    assert cache.lookup(empty_engine, token, TODAY) is not None
    end_session(empty_engine, token)
    assert cache.lookup(empty_engine, token, TODAY) is None
    assert cache.lookup(empty_engine, token, TODAY, page_load=True) is None


def test_a_revoked_mandate_empties_the_cache_at_once(empty_engine):
    from hbapp.seed import seed_demo

    seed_demo(empty_engine)
    from hbapp.services import identity

    liisa = person_id(empty_engine, "demo-relative-view")
    token, _ = create_session(empty_engine, liisa)
    before = identity.SESSIONS.lookup(empty_engine, token, TODAY, page_load=True)
    assert [r.name for r in before.represented] == ["Aino Virtanen"]
    with read_session(empty_engine) as session:
        mandate_id = session.exec(select(Mandate.id).where(
            Mandate.agent_person_id == liisa, Mandate.status == "active")).one()
        aino = load_actor(session, person_id(empty_engine, "demo-client"))
    mandates.revoke(empty_engine, aino, mandate_id, TODAY)
    after = identity.SESSIONS.lookup(empty_engine, token, TODAY)
    assert after.represented == () and after.acting_for is None
    assert client_id(empty_engine, "Aino")  # the client herself is untouched
