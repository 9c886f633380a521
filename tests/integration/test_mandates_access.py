"""Acting on behalf: the authorization matrix (role × service / page-load → allowed or denied)
and the mandate, consent and privacy-log journeys, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from hbapp.db import make_engine, read_session, write_session
from hbapp.domain.mandates import InvalidMandate
from hbapp.models import AuditLog, Client, Consent, Mandate, MandateStatus, Person
from hbapp.seed import seed_demo
from hbapp.services import mandates
from hbapp.services.access import (
    AccessDenied,
    load_actor,
    represented_clients,
    require_client_access,
    worker_serves,
)
from hbapp.services.budget import budget_month
from hbapp.services.privacy import access_log
from hbapp.i18n import Translator
from hbapp.views.access import entry_texts
from tests.conftest import BACKENDS

TODAY = date.today()


@dataclass
class World:
    engine: object
    people: dict[str, int]
    clients: dict[str, int]
    mandates: dict[str, int]

    def actor(self, key: str):
        with read_session(self.engine) as session:
            return load_actor(session, self.people[key])


def build_world(engine) -> World:
    """The demo data plus an expired and a revoked mandate, an outsider and a pending request."""
    seed_demo(engine)
    with write_session(engine) as session:
        people = {p.oidc_subject: p.id for p in session.exec(select(Person)).all()}
        clients = {c.first_name.lower(): c.id for c in session.exec(select(Client)).all()}
        extra = {
            "expired": Person(oidc_subject="test-expired", display_name="Erkki Vanhentunut"),
            "revoked": Person(oidc_subject="test-revoked", display_name="Rauha Peruttu"),
            "outsider": Person(oidc_subject="test-outsider", display_name="Outi Ulkopuolinen",
                               email="outi@example.fi"),
            "asker": Person(oidc_subject="test-asker", display_name="Anna Pyytäjä"),
        }
        for person in extra.values():
            session.add(person)
        session.flush()
        people.update({key: person.id for key, person in extra.items()})
        people.update({person.oidc_subject: person.id for person in extra.values()})
        aino = clients["aino"]
        year_ago = TODAY - timedelta(days=365)
        rows = {
            "expired": Mandate(client_id=aino, agent_person_id=people["expired"],
                               scopes="view,manage", relation="relative", source="client_granted",
                               valid_from=year_ago, valid_to=TODAY - timedelta(days=1)),
            "revoked": Mandate(client_id=aino, agent_person_id=people["revoked"],
                               scopes="view,manage", relation="relative", source="client_granted",
                               status=MandateStatus.REVOKED.value, valid_from=year_ago),
            "pending": Mandate(client_id=aino, agent_person_id=people["asker"], scopes="view",
                               relation="relative", source="relative_requested",
                               status=MandateStatus.REQUESTED.value, valid_from=TODAY),
        }
        for row in rows.values():
            session.add(row)
        session.flush()
        ids = {key: row.id for key, row in rows.items()}
        for mandate in session.exec(select(Mandate)).all():
            person = session.get(Person, mandate.agent_person_id)
            if person.oidc_subject == "demo-relative-view":
                ids["liisa"] = mandate.id
            elif person.oidc_subject == "demo-relative":
                ids["mikko"] = mandate.id
            elif person.oidc_subject == "demo-guardian":
                ids["guardianship"] = mandate.id
    return World(engine, people, clients, ids)


@pytest.fixture
def world(empty_engine) -> World:
    return build_world(empty_engine)


_shared: dict[str, World] = {}


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


def shared_world(database_factory, backend: str) -> World:
    """One world per backend for checks that change nothing (reads and refusals)."""
    if backend not in _shared:
        _shared[backend] = build_world(make_engine(database_factory(backend)))
    return _shared[backend]


ROLES = {
    "client": "demo-client",
    "client2": "demo-client-2",
    "relative": "demo-relative",
    "relative_view": "demo-relative-view",
    "guardian": "demo-guardian",
    "worker": "demo-worker",
    "worker2": "demo-worker-2",
    "admin": "demo-admin",
    "expired": "expired",
    "revoked": "revoked",
}


def _c(w: World, key: str) -> int:
    return w.clients[key]


def _check_access(scope: str):
    def run(w: World, actor, client: str):
        with read_session(w.engine) as session:
            require_client_access(session, actor, _c(w, client), scope, TODAY)
    return run


OPERATIONS = {
    "view_budget": lambda w, a, c: budget_month(w.engine, a, _c(w, c), TODAY, TODAY,
                                                action="view_budget"),
    "worker_scope": _check_access("worker"),
    "manage_scope": _check_access("manage"),
    "mandates_page": lambda w, a, c: mandates.list_client_mandates(w.engine, a, _c(w, c), TODAY),
    "privacy_page": lambda w, a, c: access_log(w.engine, a, _c(w, c), TODAY),
    "worker_access_page": lambda w, a, c: mandates.worker_access(w.engine, a, _c(w, c), TODAY),
    "grant": lambda w, a, c: mandates.grant(w.engine, a, _c(w, c), "outi@example.fi", ["view"],
                                            None, TODAY),
    "check_agent": lambda w, a, c: mandates.check_agent(w.engine, a, _c(w, c),
                                                        "Outi Ulkopuolinen", TODAY),
    "revoke_liisa": lambda w, a, c: mandates.revoke(w.engine, a, w.mandates["liisa"], TODAY),
    "revoke_mikko": lambda w, a, c: mandates.revoke(w.engine, a, w.mandates["mikko"], TODAY),
    "revoke_guardianship": lambda w, a, c: mandates.revoke(w.engine, a,
                                                           w.mandates["guardianship"], TODAY),
    "open_revoke_step": lambda w, a, c: mandates.mandate_for_decision(
        w.engine, a, w.mandates["liisa"], TODAY),
    "confirm_request": lambda w, a, c: mandates.confirm_request(w.engine, a,
                                                                w.mandates["pending"], TODAY),
    "decline_request": lambda w, a, c: mandates.decline_request(w.engine, a,
                                                                w.mandates["pending"], TODAY),
    "record_mandate": lambda w, a, c: mandates.record_mandate(
        w.engine, a, _c(w, c), "outi@example.fi", ["view"], "relative", TODAY, None, TODAY),
    "record_consent": lambda w, a, c: mandates.record_consent(w.engine, a, _c(w, c), None,
                                                              "Suullisesti", TODAY),
    "revoke_consent": lambda w, a, c: mandates.revoke_consent(w.engine, a, _c(w, c), TODAY),
}

# (role, operation, client, allowed)
MATRIX = [
    # the client
    ("client", "view_budget", "aino", True),
    ("client", "view_budget", "bengt", False),  # another client's data by id
    ("client", "mandates_page", "aino", True),
    ("client", "mandates_page", "bengt", False),
    ("client", "privacy_page", "aino", True),
    ("client", "privacy_page", "bengt", False),
    ("client", "grant", "aino", True),
    ("client", "grant", "bengt", False),
    ("client", "revoke_liisa", "aino", True),
    ("client", "confirm_request", "aino", True),
    ("client", "decline_request", "aino", True),
    ("client", "revoke_guardianship", "bengt", False),
    ("client", "worker_access_page", "aino", False),
    ("client", "record_consent", "greta", False),
    ("client2", "view_budget", "aino", False),
    ("client2", "revoke_guardianship", "bengt", False),  # a guardianship ends via a worker
    # the relative who manages Aino's matters
    ("relative", "view_budget", "aino", True),
    ("relative", "view_budget", "bengt", False),
    ("relative", "mandates_page", "aino", True),
    ("relative", "privacy_page", "aino", True),
    ("relative", "privacy_page", "bengt", False),
    ("relative", "grant", "aino", True),
    ("relative", "revoke_liisa", "aino", True),
    ("relative", "confirm_request", "aino", True),
    ("relative", "record_mandate", "aino", False),
    ("relative", "record_consent", "aino", False),
    # the relative who may only view
    ("relative_view", "view_budget", "aino", True),
    ("relative_view", "manage_scope", "aino", False),
    ("relative_view", "mandates_page", "aino", False),
    ("relative_view", "privacy_page", "aino", False),
    ("relative_view", "grant", "aino", False),
    ("relative_view", "check_agent", "aino", False),
    ("relative_view", "revoke_liisa", "aino", False),
    ("relative_view", "revoke_mikko", "aino", False),
    ("relative_view", "open_revoke_step", "aino", False),
    ("relative_view", "confirm_request", "aino", False),
    ("relative_view", "decline_request", "aino", False),
    ("relative_view", "record_mandate", "aino", False),
    ("relative_view", "record_consent", "aino", False),
    ("relative_view", "revoke_consent", "aino", False),
    # the guardian of Bengt
    ("guardian", "view_budget", "bengt", True),
    ("guardian", "view_budget", "aino", False),
    ("guardian", "privacy_page", "bengt", True),
    ("guardian", "mandates_page", "bengt", True),
    ("guardian", "grant", "bengt", True),
    ("guardian", "privacy_page", "aino", False),
    ("guardian", "revoke_guardianship", "bengt", False),
    ("guardian", "revoke_liisa", "aino", False),
    # the case worker of all seven clients (no consent from Greta and Raili)
    ("worker", "view_budget", "aino", False),  # workers never use a client's own scopes
    ("worker", "worker_scope", "aino", True),
    ("worker", "worker_scope", "greta", False),
    ("worker", "worker_scope", "raili", False),
    ("worker", "worker_access_page", "aino", True),
    ("worker", "worker_access_page", "greta", True),  # name only, see below
    ("worker", "mandates_page", "aino", True),
    ("worker", "mandates_page", "greta", False),
    ("worker", "record_consent", "greta", True),
    ("worker", "revoke_consent", "aino", True),
    ("worker", "record_mandate", "aino", True),
    ("worker", "record_mandate", "greta", True),  # e.g. a guardian, before consent
    ("worker", "revoke_guardianship", "bengt", True),
    ("worker", "revoke_liisa", "aino", True),
    ("worker", "grant", "aino", False),
    ("worker", "privacy_page", "aino", False),
    ("worker", "confirm_request", "aino", False),
    # the case worker with no clients
    ("worker2", "view_budget", "aino", False),
    ("worker2", "worker_scope", "aino", False),
    ("worker2", "worker_access_page", "aino", False),
    ("worker2", "mandates_page", "aino", False),
    ("worker2", "record_consent", "greta", False),
    ("worker2", "revoke_consent", "aino", False),
    ("worker2", "record_mandate", "aino", False),
    ("worker2", "revoke_liisa", "aino", False),
    # an administrator is not a client's proxy
    ("admin", "view_budget", "aino", False),
    ("admin", "privacy_page", "aino", False),
    ("admin", "worker_access_page", "aino", False),
    # expired and revoked mandates give nothing
    ("expired", "view_budget", "aino", False),
    ("expired", "privacy_page", "aino", False),
    ("expired", "grant", "aino", False),
    ("expired", "revoke_liisa", "aino", False),
    ("revoked", "view_budget", "aino", False),
    ("revoked", "mandates_page", "aino", False),
    ("revoked", "revoke_liisa", "aino", False),
]


WRITES = {"grant", "revoke_liisa", "revoke_mikko", "revoke_guardianship", "confirm_request",
          "decline_request", "record_mandate", "record_consent", "revoke_consent"}


def _state(engine):
    """Everything a refused call must leave unchanged."""
    with read_session(engine) as session:
        m = sorted((x.id, x.status, x.scopes, x.valid_to) for x in session.exec(select(Mandate)))
        c = sorted((x.id, x.revoked_at) for x in session.exec(select(Consent)))
        return m, c


@pytest.mark.parametrize("role, operation, client, allowed", MATRIX,
                         ids=[f"{r}-{o}-{c}" for r, o, c, _ in MATRIX])
def test_authorization_matrix(database_factory, backend, role, operation, client, allowed):
    if allowed and operation in WRITES:
        world = build_world(make_engine(database_factory(backend)))
    else:
        world = shared_world(database_factory, backend)
    actor = world.actor(ROLES[role])
    before = _state(world.engine)
    with read_session(world.engine) as session:
        audit_before = session.exec(select(func.max(AuditLog.id))).one()
    subject = world.clients["bengt"] if operation == "revoke_guardianship" else _c(world, client)
    if allowed:
        OPERATIONS[operation](world, actor, client)
    else:
        with pytest.raises(AccessDenied) as refused:
            OPERATIONS[operation](world, actor, client)
        assert _state(world.engine) == before  # a refusal changes nothing ...
        with read_session(world.engine) as session:
            added = session.exec(select(AuditLog).where(AuditLog.id > audit_before)).all()
        # ... but the attempt itself: one row, written after the refused transaction
        assert [(r.action, r.actor_person_id, r.subject_client_id) for r in added] == [
            ("refused", actor.person_id, subject)]
        assert json.loads(added[0].details)["reason"] == refused.value.reason
        return
    if operation in ("worker_scope", "manage_scope", "check_agent", "open_revoke_step"):
        return  # checks that write nothing
    with read_session(world.engine) as session:
        last = session.exec(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert last.actor_person_id == actor.person_id  # every access records actor and subject
    assert last.subject_client_id == subject


def test_worker_without_consent_sees_only_the_name(world):
    sari = world.actor("demo-worker")
    page = mandates.worker_access(world.engine, sari, world.clients["greta"], TODAY)
    assert page.status == "no_consent"
    assert page.client_name == "Greta Nyström"
    assert page.mandates == () and page.consents == ()
    with pytest.raises(AccessDenied, match="no_consent"):
        _check_access("worker")(world, sari, "greta")


def test_demo_worker_2_has_no_clients(world):
    jukka = world.actor("demo-worker-2")
    assert mandates.assigned_clients(world.engine, jukka, TODAY) == []
    with read_session(world.engine) as session:
        assert represented_clients(session, jukka, TODAY) == []
    assert len(mandates.assigned_clients(world.engine, world.actor("demo-worker"), TODAY)) == 7


def test_view_only_relative_page_shows_no_management(world):
    liisa = world.actor("demo-relative-view")
    page = mandates.overview(world.engine, liisa, world.clients["aino"], TODAY)
    assert not page.can_manage and page.mandates == ()
    assert [m.client_name for m in page.own] == ["Aino Virtanen"]


def test_client_grants_by_email_or_name_and_the_agent_can_act(world):
    aino = world.actor("demo-client")
    mandate_id = mandates.grant(world.engine, aino, world.clients["aino"], " OUTI@example.fi ",
                                ["view", "feedback"], TODAY + timedelta(days=30), TODAY)
    outi = world.actor("test-outsider")
    with read_session(world.engine) as session:
        row = session.get(Mandate, mandate_id)
        assert (row.source, row.status, row.created_by_person_id) == (
            "client_granted", "active", aino.person_id)
        represented = represented_clients(session, outi, TODAY)
    assert [(r.name, r.scopes) for r in represented] == [("Aino Virtanen", ("view", "feedback"))]
    with pytest.raises(InvalidMandate, match="already_has_mandate"):
        mandates.grant(world.engine, aino, world.clients["aino"], "Outi Ulkopuolinen", ["view"],
                       None, TODAY)
    with pytest.raises(InvalidMandate, match="agent_not_found"):
        mandates.grant(world.engine, aino, world.clients["aino"], "nobody@example.fi", ["view"],
                       None, TODAY)
    with pytest.raises(InvalidMandate, match="ends_in_past"):
        mandates.grant(world.engine, aino, world.clients["aino"], "Anna Pyytäjä", ["view"],
                       TODAY - timedelta(days=1), TODAY)


def test_a_proxy_cannot_give_rights_they_do_not_hold(world):
    aino = world.actor("demo-client")
    mandates.grant(world.engine, aino, world.clients["aino"], "outi@example.fi",
                   ["view", "manage"], None, TODAY)
    outi = world.actor("test-outsider")
    with pytest.raises(AccessDenied, match="scope_not_held"):
        mandates.grant(world.engine, outi, world.clients["aino"], "Anna Pyytäjä",
                       ["view", "surveys"], None, TODAY)
    with pytest.raises(AccessDenied, match="scope_not_held"):
        mandates.grant(world.engine, outi, world.clients["aino"], "Outi Ulkopuolinen",
                       ["view"], None, TODAY)


def _open_mandates_of(engine, person_id: int) -> list[Mandate]:
    with read_session(engine) as session:
        return session.exec(select(Mandate).where(Mandate.agent_person_id == person_id,
                                                  Mandate.status == "requested")).all()


def test_relative_requests_and_client_confirms_or_declines(world):
    outi = world.actor("test-outsider")
    # Not found, and no account: the same silent answer, and nothing is created.
    assert mandates.request(world.engine, outi, "Aino Virtanen", date(1945, 3, 15), ["view"],
                            None, TODAY) is None
    assert mandates.request(world.engine, outi, "Greta Nyström", date(1949, 6, 5), ["view"],
                            None, TODAY) is None
    assert _open_mandates_of(world.engine, outi.person_id) == []
    assert mandates.request(world.engine, outi, " aino  virtanen ", date(1945, 3, 14),
                            ["view", "manage"], None, TODAY) is None
    [mandate] = _open_mandates_of(world.engine, outi.person_id)
    mandate_id = mandate.id
    with read_session(world.engine) as session:
        assert represented_clients(session, outi, TODAY) == []  # nothing before confirmation
    mandates.confirm_request(world.engine, world.actor("demo-client"), mandate_id, TODAY)
    with read_session(world.engine) as session:
        assert [r.scopes for r in represented_clients(session, outi, TODAY)] == [
            ("view", "manage")]
    with pytest.raises(InvalidMandate, match="not_requested"):
        mandates.decline_request(world.engine, world.actor("demo-client"), mandate_id, TODAY)
    mandates.decline_request(world.engine, world.actor("demo-client"), world.mandates["pending"],
                             TODAY)
    with read_session(world.engine) as session:
        assert session.get(Mandate, world.mandates["pending"]).status == "declined"


def test_revoked_mandate_ends_access_at_once(world):
    liisa = world.actor("demo-relative-view")
    budget_month(world.engine, liisa, world.clients["aino"], TODAY, TODAY, action="view_budget")
    mandates.revoke(world.engine, world.actor("demo-client"), world.mandates["liisa"], TODAY)
    with pytest.raises(AccessDenied):
        budget_month(world.engine, liisa, world.clients["aino"], TODAY, TODAY,
                     action="view_budget")
    with pytest.raises(InvalidMandate, match="not_open"):
        mandates.revoke(world.engine, world.actor("demo-client"), world.mandates["liisa"], TODAY)


def test_consent_recorded_and_withdrawn_by_the_worker(world):
    sari = world.actor("demo-worker")
    greta, aino = world.clients["greta"], world.clients["aino"]
    mandates.record_consent(world.engine, sari, greta, None, "Kotikäynnillä", TODAY)
    with read_session(world.engine) as session:
        assert worker_serves(session, sari.person_id, greta, TODAY) == "ok"
    with pytest.raises(InvalidMandate, match="consent_exists"):
        mandates.record_consent(world.engine, sari, greta, None, "", TODAY)
    mandates.revoke_consent(world.engine, sari, aino, TODAY)
    with read_session(world.engine) as session:
        assert worker_serves(session, sari.person_id, aino, TODAY) == "no_consent"


def test_worker_records_a_guardianship_with_validity(world):
    sari = world.actor("demo-worker")
    mandate_id = mandates.record_mandate(
        world.engine, sari, world.clients["greta"], world.people["test-outsider"],
        ["view", "manage", "feedback", "surveys"], "guardian", TODAY,
        TODAY + timedelta(days=365), TODAY)
    with read_session(world.engine) as session:
        row = session.get(Mandate, mandate_id)
        assert (row.source, row.relation, row.valid_to) == (
            "worker_recorded", "guardian", TODAY + timedelta(days=365))
    with pytest.raises(InvalidMandate, match="ends_before_start"):
        mandates.record_mandate(world.engine, sari, world.clients["toivo"], "Anna Pyytäjä",
                                ["view"], "relative", TODAY + timedelta(days=10), TODAY + timedelta(days=5), TODAY)


def test_suomifi_adapter_rows_are_kept_apart(world):
    outi = world.people["test-outsider"]
    first = mandates.sync_suomifi_mandate(world.engine, world.clients["aino"], outi, "sfi-123",
                                          ["view"], TODAY, None, True)
    again = mandates.sync_suomifi_mandate(world.engine, world.clients["aino"], outi, "sfi-123",
                                          ["view", "feedback"], TODAY, None, True)
    assert first == again
    with pytest.raises(AccessDenied, match="suomifi_mandate"):
        mandates.revoke(world.engine, world.actor("demo-client"), first, TODAY)
    mandates.sync_suomifi_mandate(world.engine, world.clients["aino"], outi, "sfi-123",
                                  ["view"], TODAY, None, False)
    with read_session(world.engine) as session:
        row = session.get(Mandate, first)
        assert (row.source, row.status, row.external_ref) == ("suomifi", "revoked", "sfi-123")


def test_privacy_log_lists_accesses_newest_first_and_filters(world):
    aino_id = world.clients["aino"]
    mikko = world.actor("demo-relative")
    budget_month(world.engine, mikko, aino_id, TODAY, TODAY, action="view_budget")
    mandates.revoke(world.engine, mikko, world.mandates["liisa"], TODAY)
    aino = world.actor("demo-client")
    log = access_log(world.engine, aino, aino_id, TODAY)
    assert [e.action for e in log.entries[:2]] == ["revoke_mandate", "view_budget"]
    assert log.entries[1].actor_name == "Mikko Virtanen" and log.entries[1].role == "relative"
    text = entry_texts(Translator("fi"), log.entries[1])["text"]
    assert text.startswith("Mikko Virtanen (omainen)") and "budjet" in text
    views = access_log(world.engine, aino, aino_id, TODAY, kind="view")
    assert {e.kind for e in views.entries} == {"view"}
    only_mikko = access_log(world.engine, aino, aino_id, TODAY, person_id=mikko.person_id)
    assert {e.actor_name for e in only_mikko.entries} == {"Mikko Virtanen"}
    # reading the log is itself audited, and shows up next time among Aino's own actions
    latest = access_log(world.engine, aino, aino_id, TODAY, whose="own").entries[0]
    assert latest.action == "view_privacy_log" and latest.actor_person_id == aino.person_id
    assert access_log(world.engine, aino, aino_id, TODAY).entries[0].action == "revoke_mandate"
