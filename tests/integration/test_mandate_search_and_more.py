"""Giving a mandate by identity code or by a part of a name, the relationship stored, and a
request for more rights on an existing mandate (issue 18, items 5 and 8), on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from hbapp.db import read_session, write_session
from hbapp.domain.mandates import InvalidMandate
from hbapp.models import AuditLog, Mandate, Person
from hbapp.services import mandates
from hbapp.services.access import AccessDenied, represented_clients
from tests.integration.test_mandates_access import TODAY, World, build_world


@pytest.fixture
def world(empty_engine) -> World:
    return build_world(empty_engine)


def test_an_identity_code_finds_exactly_one_person_and_shows_no_code(world):
    aino = world.actor("demo-client")
    [eeva] = mandates.search_agents(world.engine, aino, world.clients["aino"], "021168-926k",
                                    TODAY)
    assert (eeva.name, eeva.birth_year) == ("Eeva Korhonen", 1968)
    assert "021168" not in repr(eeva)
    # A valid code nobody has: nobody, and no name.
    assert mandates.search_agents(world.engine, aino, world.clients["aino"], "010101-123N",
                                  TODAY) == []


def test_a_name_is_found_in_parts_ignoring_case_and_accents(world):
    aino = world.actor("demo-client")
    with write_session(world.engine) as session:
        session.add(Person(oidc_subject="test-namesake", display_name="Eeva Körhönen"))
    found = mandates.search_agents(world.engine, aino, world.clients["aino"], "KORHON eeva",
                                   TODAY)
    assert sorted(m.name for m in found) == ["Eeva Korhonen", "Eeva Körhönen"]
    assert {m.birth_year for m in found} == {1968, None}
    # The client herself is never offered.
    found = mandates.search_agents(world.engine, aino, world.clients["aino"], "virtanen", TODAY)
    assert "Aino Virtanen" not in [m.name for m in found]
    assert {"Mikko Virtanen", "Liisa Virtanen"} <= {m.name for m in found}
    with pytest.raises(InvalidMandate, match="agent_too_short"):
        mandates.search_agents(world.engine, aino, world.clients["aino"], "ä", TODAY)


def test_only_those_who_manage_may_search(world):
    liisa = world.actor("demo-relative-view")
    with pytest.raises(AccessDenied):
        mandates.search_agents(world.engine, liisa, world.clients["aino"], "korhonen", TODAY)


def test_a_chosen_person_gets_the_relationship_given(world):
    aino = world.actor("demo-client")
    [eeva] = mandates.search_agents(world.engine, aino, world.clients["aino"], "eeva k", TODAY)
    mandates.check_agent_id(world.engine, aino, world.clients["aino"], eeva.person_id, TODAY)
    mandate_id = mandates.grant(world.engine, aino, world.clients["aino"], "", ["view"], None,
                                TODAY, relation="custodian", agent_person_id=eeva.person_id)
    with read_session(world.engine) as session:
        assert session.get(Mandate, mandate_id).relation == "custodian"
    with pytest.raises(InvalidMandate, match="already_has_mandate"):
        mandates.check_agent_id(world.engine, aino, world.clients["aino"], eeva.person_id, TODAY)
    # Guardianship is recorded by a case worker only.
    with pytest.raises(InvalidMandate, match="bad_relation"):
        mandates.grant(world.engine, aino, world.clients["aino"], "outi@example.fi", ["view"],
                       None, TODAY, relation="guardian")


def test_more_rights_are_asked_for_confirmed_and_replace_the_old_mandate(world):
    liisa = world.actor("demo-relative-view")
    aino = world.actor("demo-client")
    old_id = world.mandates["liisa"]
    with pytest.raises(InvalidMandate, match="nothing_more"):
        mandates.request_more(world.engine, liisa, world.clients["aino"], ["view"], TODAY)
    new_id = mandates.request_more(world.engine, liisa, world.clients["aino"],
                                   ["view", "feedback"], TODAY)
    with pytest.raises(InvalidMandate, match="already_requested"):
        mandates.request_more(world.engine, liisa, world.clients["aino"], ["surveys"], TODAY)
    with read_session(world.engine) as session:
        # Nothing changes before Aino accepts.
        assert [r.scopes for r in represented_clients(session, liisa, TODAY)] == [("view",)]
        new = session.get(Mandate, new_id)
        assert (new.status, new.scopes, new.relation) == ("requested", "view,feedback",
                                                          session.get(Mandate, old_id).relation)
    mandates.confirm_request(world.engine, aino, new_id, TODAY)
    with read_session(world.engine) as session:
        assert [r.scopes for r in represented_clients(session, liisa, TODAY)] == [
            ("view", "feedback")]
        assert session.get(Mandate, old_id).status == "revoked"
        actions = [a.action for a in session.exec(select(AuditLog).where(
            AuditLog.subject_client_id == world.clients["aino"]).order_by(AuditLog.id)).all()]
    assert actions[-2:] == ["request_mandate_upgrade", "confirm_mandate"]


def test_more_rights_need_a_mandate_in_force(world):
    outsider = world.actor("test-outsider")
    with pytest.raises(AccessDenied):
        mandates.request_more(world.engine, outsider, world.clients["aino"], ["view", "manage"],
                              TODAY)
    aino = world.actor("demo-client")
    with pytest.raises(InvalidMandate, match="agent_is_client"):
        mandates.request_more(world.engine, aino, world.clients["aino"], ["view"], TODAY)


def test_a_declined_request_for_more_keeps_the_old_mandate(world):
    liisa = world.actor("demo-relative-view")
    new_id = mandates.request_more(world.engine, liisa, world.clients["aino"],
                                   ["view", "surveys"], TODAY + timedelta(days=0))
    mandates.decline_request(world.engine, world.actor("demo-client"), new_id, TODAY)
    with read_session(world.engine) as session:
        assert session.get(Mandate, world.mandates["liisa"]).status == "active"
        assert [r.scopes for r in represented_clients(session, liisa, TODAY)] == [("view",)]
