"""Budget decisions on real SQLite and PostgreSQL: registering clients, granting, changing and
ending decisions, swaps across a change, the catalog's effective dates, authorization,
concurrent edits and linking people by the verified identity code at sign-in."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from hbapp.db import read_session, write_session
from hbapp.demo_people import DEMO_CLIENT_NEW_CODE
from hbapp.domain.decisions import (
    AdditionDraft,
    DecisionDraft,
    DecisionError,
    LineDraft,
    end_of_month,
)
from hbapp.domain.ledger import add_months, month_start
from hbapp.models import (
    AuditLog,
    Budget,
    BudgetLine,
    BudgetStatus,
    CaseWorkerAssignment,
    Client,
    Consent,
    DecisionConflict,
    LineAdjustment,
    Mandate,
    Person,
    ServiceType,
    SwapRequest,
    SwapStatus,
)
from hbapp.seed import seed_demo
from hbapp.services import catalog, decisions
from hbapp.services import mandates as mandate_service
from hbapp.services.access import AccessDenied, load_actor, represented_clients
from hbapp.services.budget import line_unit_value, load_month
from hbapp.services.sessions import upsert_person

TODAY = date.today()
THIS_MONTH = month_start(TODAY)
NEXT_MONTH = add_months(THIS_MONTH, 1)
NEW_CODE = "010190-950A"  # valid temporary code, not in the demo data


@pytest.fixture
def engine(empty_engine):
    seed_demo(empty_engine, TODAY)
    return empty_engine


def actor(engine, subject):
    with read_session(engine) as session:
        person = session.exec(select(Person).where(Person.oidc_subject == subject)).one()
        return load_actor(session, person.id)


def client_id(engine, first_name):
    with read_session(engine) as session:
        return session.exec(select(Client.id).where(Client.first_name == first_name)).one()


def revision(engine, cid):
    with read_session(engine) as session:
        return session.get(Client, cid).decisions_revision


def register(engine, who="demo-worker", code=NEW_CODE, consent=True):
    draft = decisions.ClientDraft(code, "Tuula", "Laine", "405", "fi", "Kauppakatu 1", "040 123")
    return decisions.register_client(engine, actor(engine, who), draft, consent, "", TODAY)


def two_lines(start=THIS_MONTH, reason="Tarvitset apua kotona.", **extra):
    return DecisionDraft(
        decision_date=TODAY, valid_from=start, valid_to=extra.get("valid_to"), reason=reason,
        lines=extra.get("lines", (LineDraft("home_care", Decimal(20)),
                                  LineDraft("cleaning", Decimal(4)))),
        additions=extra.get("additions", ()),
    )


def month_total(engine, cid, month):
    with read_session(engine) as session:
        loaded = load_month(session, session.get(Client, cid), month, TODAY)
        return None if loaded is None else loaded.statement.budget_cents


# ---------------------------------------------------------------- registering


def test_register_assigns_the_worker_records_consent_and_audits(engine):
    cid = register(engine)
    worker = actor(engine, "demo-worker")
    with read_session(engine) as session:
        client = session.get(Client, cid)
        assert client.own_worker_id == worker.person_id and client.phone == "040 123"
        assert session.exec(select(CaseWorkerAssignment).where(
            CaseWorkerAssignment.client_id == cid)).one().worker_person_id == worker.person_id
        assert session.exec(select(Consent).where(Consent.client_id == cid)).one()
        audit = session.exec(select(AuditLog).where(AuditLog.action == "register_client",
                                                    AuditLog.subject_client_id == cid)).one()
        assert audit.actor_person_id == worker.person_id


def test_register_without_consent_leaves_it_to_be_asked(engine):
    cid = register(engine, consent=False)
    with read_session(engine) as session:
        assert session.exec(select(Consent).where(Consent.client_id == cid)).first() is None
    # The decision page needs only the assignment.
    assert decisions.worker_decisions(engine, actor(engine, "demo-worker"), cid, TODAY)


def test_an_identity_code_is_never_registered_twice(engine):
    cid = register(engine)
    with pytest.raises(decisions.DuplicateClient) as same:
        register(engine)
    assert same.value.existing.client_id == cid and same.value.existing.may_see
    with pytest.raises(decisions.DuplicateClient) as other:
        register(engine, who="demo-worker-2")
    assert not other.value.existing.may_see and other.value.existing.name == ""
    assert other.value.existing.own_worker == "Sari Mäkinen"
    found = decisions.find_by_identity_code(engine, actor(engine, "demo-worker-2"),
                                            NEW_CODE.lower(), TODAY)
    assert found is not None and not found.may_see


def test_register_refuses_bad_input_and_non_workers(engine):
    with pytest.raises(DecisionError) as bad:
        register(engine, code="010190-950B")
    assert bad.value.field == "identity_code"
    with pytest.raises(AccessDenied):
        register(engine, who="demo-client")
    with pytest.raises(DecisionError) as town:
        decisions.register_client(engine, actor(engine, "demo-worker"), decisions.ClientDraft(
            NEW_CODE, "A", "B", "999", "fi"), True, "", TODAY)
    assert town.value.field == "municipality"


# ---------------------------------------------------------------- grant, change, end


def test_grant_change_and_end_keep_each_months_values(engine):
    worker = actor(engine, "demo-worker")
    cid = register(engine)
    number = decisions.grant(engine, worker, cid, two_lines(additions=(
        AdditionDraft("Matka avustajan kanssa", 18_000, NEXT_MONTH),)), 0, TODAY)
    assert number.startswith(f"HB-{TODAY.year}-") and len(number) == 12
    assert month_total(engine, cid, THIS_MONTH) == 20 * 3990 + 4 * 3500
    assert month_total(engine, cid, NEXT_MONTH) == 20 * 3990 + 4 * 3500 + 18_000

    later = add_months(THIS_MONTH, 2)
    conflicts = decisions.change(engine, worker, cid, number, two_lines(
        start=later, reason="Tarvitset enemmän siivousta.",
        lines=(LineDraft("home_care", Decimal(20)), LineDraft("cleaning", Decimal(8)),
               LineDraft("transport", Decimal(4))),
        additions=(AdditionDraft("Kuntosali", 4_000, later, monthly=True),)), 1, TODAY)
    assert conflicts == 0
    assert month_total(engine, cid, NEXT_MONTH) == 20 * 3990 + 4 * 3500 + 18_000
    assert month_total(engine, cid, later) == 20 * 3990 + 8 * 3500 + 4 * 2500 + 4_000
    assert month_total(engine, cid, add_months(later, 3)) == 20 * 3990 + 8 * 3500 + 4 * 2500 + 4_000

    history = decisions.worker_decisions(engine, worker, cid, TODAY)
    decision = history.decisions[0]
    assert [v.version for v in decision.versions] == [1, 2]
    assert decision.versions[0].valid_to == later - timedelta(days=1)
    kinds = {(c.kind, c.service_code) for c in decision.versions[1].changes}
    assert kinds == {("units", "cleaning"), ("added", "transport")}

    decisions.end(engine, worker, cid, number, add_months(later, 1), TODAY, "Muutit pois.",
                  history.revision, TODAY)
    assert month_total(engine, cid, add_months(later, 1)) is not None
    assert month_total(engine, cid, add_months(later, 2)) is None
    ended = decisions.worker_decisions(engine, worker, cid, TODAY).decisions[0].versions[-1]
    assert ended.valid_to == end_of_month(add_months(later, 1))
    assert ended.end_reason == "Muutit pois." and ended.status == BudgetStatus.ENDED.value


def test_a_change_from_a_versions_first_month_supersedes_it(engine):
    worker = actor(engine, "demo-worker")
    cid = register(engine)
    number = decisions.grant(engine, worker, cid, two_lines(start=NEXT_MONTH), 0, TODAY)
    decisions.change(engine, worker, cid, number, two_lines(
        start=NEXT_MONTH, lines=(LineDraft("home_care", Decimal(25)),)), 1, TODAY)
    with read_session(engine) as session:
        rows = session.exec(select(Budget).where(Budget.client_id == cid)
                            .order_by(Budget.decision_version)).all()
    assert [r.status for r in rows] == ["superseded", "active"]
    assert month_total(engine, cid, NEXT_MONTH) == 25 * 3990


def test_decision_rules(engine):
    worker = actor(engine, "demo-worker")
    cid = register(engine)
    with pytest.raises(DecisionError) as past:
        decisions.grant(engine, worker, cid, two_lines(start=add_months(THIS_MONTH, -1)), 0,
                        TODAY)
    assert past.value.code == "start_in_past"
    number = decisions.grant(engine, worker, cid, two_lines(), 0, TODAY)
    with pytest.raises(DecisionError) as overlap:
        decisions.grant(engine, worker, cid, two_lines(start=NEXT_MONTH), 1, TODAY)
    assert overlap.value.code == "overlaps"
    with pytest.raises(DecisionError) as running:
        decisions.change(engine, worker, cid, number, two_lines(), 1, TODAY)
    assert running.value.code == "change_not_future"
    with pytest.raises(DecisionError) as fixed:
        decisions.grant(engine, worker, cid, two_lines(
            start=add_months(THIS_MONTH, 24),
            lines=(LineDraft("home_care", Decimal(1), {"weekday_day": 4500}, ""),)), 1, TODAY)
    assert fixed.value.code == "value_reason_missing"
    with pytest.raises(DecisionError) as end_past:
        decisions.end(engine, worker, cid, number, add_months(THIS_MONTH, -1), TODAY, "x", 1,
                      TODAY)
    assert end_past.value.code == "end_in_past"


def test_numbers_are_per_organizer_and_year_and_never_repeat(engine):
    worker = actor(engine, "demo-worker")
    numbers = set()
    for index in range(3):
        cid = register(engine, code=["010190-950A", "020290-950S", "030390-9507"][index])
        numbers.add(decisions.grant(engine, worker, cid, two_lines(), 0, TODAY))
    assert len(numbers) == 3
    with read_session(engine) as session:
        seeded = set(session.exec(select(Budget.decision_reference)).all())
    assert numbers <= seeded  # all stored, and none reused a seeded number
    assert len(seeded) == len(set(seeded))


# ---------------------------------------------------------------- authorization


def test_only_the_assigned_worker_or_an_administrator_writes(engine):
    aino = client_id(engine, "Aino")
    with read_session(engine) as session:
        number = session.exec(select(Budget.decision_reference)
                              .where(Budget.client_id == aino)).first()
    rev = revision(engine, aino)
    for subject in ("demo-worker-2", "demo-client", "demo-relative", "demo-guardian"):
        who = actor(engine, subject)
        with pytest.raises(AccessDenied):
            decisions.worker_decisions(engine, who, aino, TODAY)
        with pytest.raises(AccessDenied):
            decisions.change(engine, who, aino, number, two_lines(start=NEXT_MONTH), rev, TODAY)
        with pytest.raises(AccessDenied):
            decisions.end(engine, who, aino, number, NEXT_MONTH, TODAY, "x", rev, TODAY)
        with pytest.raises(AccessDenied):
            decisions.grant(engine, who, aino, two_lines(start=add_months(THIS_MONTH, 30)), rev,
                            TODAY)
    assert revision(engine, aino) == rev
    admin = actor(engine, "demo-admin")
    assert decisions.worker_decisions(engine, admin, aino, TODAY).client_name == "Aino Virtanen"


def test_the_client_and_view_proxies_read_the_history(engine):
    aino = client_id(engine, "Aino")
    for subject in ("demo-client", "demo-relative", "demo-relative-view"):
        history = decisions.client_decisions(engine, actor(engine, subject), aino, TODAY)
        assert history.decisions and history.decisions[0].versions[0].reason
    for subject in ("demo-worker-2", "demo-guardian"):
        with pytest.raises(AccessDenied):
            decisions.client_decisions(engine, actor(engine, subject), aino, TODAY)


# ---------------------------------------------------------------- concurrency


def test_the_second_of_two_editors_is_told_it_changed_meanwhile(engine):
    worker = actor(engine, "demo-worker")
    cid = register(engine)
    seen = revision(engine, cid)
    number = decisions.grant(engine, worker, cid, two_lines(), seen, TODAY)
    with pytest.raises(DecisionError) as second:
        decisions.grant(engine, worker, cid, two_lines(start=add_months(THIS_MONTH, 40)), seen,
                        TODAY)
    assert second.value.code == "changed_meanwhile"
    with pytest.raises(DecisionError):
        decisions.end(engine, worker, cid, number, NEXT_MONTH, TODAY, "x", seen, TODAY)
    with read_session(engine) as session:
        assert len(session.exec(select(Budget).where(Budget.client_id == cid)).all()) == 1


def test_concurrent_changes_one_wins_nothing_lost(engine):
    worker = actor(engine, "demo-worker")
    cid = register(engine)
    number = decisions.grant(engine, worker, cid, two_lines(), 0, TODAY)
    seen = revision(engine, cid)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def edit(units):
        barrier.wait()
        try:
            decisions.change(engine, worker, cid, number, two_lines(
                start=NEXT_MONTH, lines=(LineDraft("home_care", Decimal(units)),)), seen, TODAY)
            outcomes.append("ok")
        except DecisionError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=edit, args=(u,)) for u in (10, 30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["changed_meanwhile", "ok"]
    with read_session(engine) as session:
        versions = session.exec(select(Budget).where(Budget.client_id == cid)).all()
    assert len(versions) == 2 and revision(engine, cid) == seen + 1


def test_concurrent_grants_get_distinct_numbers(engine):
    worker = actor(engine, "demo-worker")
    ids = [register(engine, code=c) for c in ("010190-950A", "020290-950S", "030390-9507",
                                              "040490-950N")]
    numbers: list[str] = []
    errors: list[Exception] = []
    barrier = threading.Barrier(len(ids))

    def grant(cid):
        barrier.wait()
        try:
            numbers.append(decisions.grant(engine, worker, cid, two_lines(), 0, TODAY))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=grant, args=(cid,)) for cid in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(set(numbers)) == len(ids)


# ---------------------------------------------------------------- swaps across a change


def _swap(session, budget, month, from_line, to_line, status, units=Decimal(2)):
    requester = session.exec(select(Person.id).where(Person.oidc_subject == "demo-client")).one()
    swap = SwapRequest(budget_id=budget.id, client_id=budget.client_id, month=month,
                       from_line_id=from_line.id, to_line_id=to_line.id, from_units=units,
                       to_units=Decimal(1), amount_cents=7980, status=status,
                       requested_by_person_id=requester)
    session.add(swap)
    session.flush()
    if status == SwapStatus.APPROVED.value:
        # The budget is money: the swap moved the value of `units` home-care hours.
        moved = int(units * 3990)
        session.add(LineAdjustment(budget_line_id=from_line.id, month=month,
                                   delta_cents=-moved, swap_request_id=swap.id))
        session.add(LineAdjustment(budget_line_id=to_line.id, month=month,
                                   delta_cents=moved, swap_request_id=swap.id))
    return swap.id


def test_swaps_follow_the_new_version_or_become_conflicts(engine):
    worker = actor(engine, "demo-worker")
    aino = client_id(engine, "Aino")
    later = add_months(THIS_MONTH, 2)
    with write_session(engine) as session:
        budget = session.exec(select(Budget).where(Budget.client_id == aino)).one()
        lines = {s.code: line for line, s in session.exec(
            select(BudgetLine, ServiceType).join(ServiceType)
            .where(BudgetLine.budget_id == budget.id)).all()}
        approved = _swap(session, budget, later, lines["home_care"], lines["carers_leave"],
                         SwapStatus.APPROVED.value)
        follows = _swap(session, budget, later, lines["home_care"], lines["cleaning"],
                        SwapStatus.PENDING.value)
        lost = _swap(session, budget, later, lines["cleaning"], lines["transport"],
                     SwapStatus.PENDING.value)
        number = budget.decision_reference
    # The new version keeps home care and cleaning, drops carer's leave and transport, and
    # grants only 1 hour of home care, less than the 2 hours already moved.
    conflicts = decisions.change(engine, worker, aino, number, two_lines(
        start=later, lines=(LineDraft("home_care", Decimal(1)), LineDraft("cleaning", Decimal(5)),
                            LineDraft("gym_card", Decimal(41)))), revision(engine, aino), TODAY)
    assert conflicts == 3
    with read_session(engine) as session:
        new = session.exec(select(Budget).where(Budget.client_id == aino,
                                                Budget.decision_version == 2)).one()
        new_lines = {s.code: line for line, s in session.exec(
            select(BudgetLine, ServiceType).join(ServiceType)
            .where(BudgetLine.budget_id == new.id)).all()}
        moved = session.exec(select(LineAdjustment).where(
            LineAdjustment.swap_request_id == approved)).all()
        assert {a.budget_line_id for a in moved} == {new_lines["home_care"].id,
                                                     lines["carers_leave"].id}
        follow = session.get(SwapRequest, follows)
        assert (follow.budget_id, follow.from_line_id, follow.to_line_id) == (
            new.id, new_lines["home_care"].id, new_lines["cleaning"].id)
        kinds = sorted((c.kind, c.swap_request_id) for c in session.exec(
            select(DecisionConflict).where(DecisionConflict.client_id == aino)).all())
    assert kinds == sorted([("no_line", approved), ("below_moved", None), ("no_line", lost)])
    # The worker sees them and resolves them; the pending swap that could not follow is declined.
    overview = decisions.worker_decisions(engine, worker, aino, TODAY)
    assert len(overview.conflicts) == 3
    pending = next(c for c in overview.conflicts if c.swap_pending)
    with pytest.raises(DecisionError):
        decisions.resolve_conflict(engine, worker, aino, pending.id, "  ", overview.revision,
                                   TODAY)
    decisions.resolve_conflict(engine, worker, aino, pending.id,
                               "Kuljetus ei kuulu enää päätökseen.", overview.revision, TODAY)
    with read_session(engine) as session:
        swap = session.get(SwapRequest, lost)
        assert swap.status == SwapStatus.DECLINED.value and swap.reason.startswith("Kuljetus")
    assert len(decisions.worker_decisions(engine, worker, aino, TODAY).conflicts) == 2


def test_ending_reports_swaps_of_later_months(engine):
    worker = actor(engine, "demo-worker")
    aino = client_id(engine, "Aino")
    later = add_months(THIS_MONTH, 2)
    with write_session(engine) as session:
        budget = session.exec(select(Budget).where(Budget.client_id == aino)).one()
        lines = {s.code: line for line, s in session.exec(
            select(BudgetLine, ServiceType).join(ServiceType)
            .where(BudgetLine.budget_id == budget.id)).all()}
        _swap(session, budget, later, lines["home_care"], lines["cleaning"],
              SwapStatus.PENDING.value)
        number = budget.decision_reference
    conflicts = decisions.end(engine, worker, aino, number, NEXT_MONTH, TODAY,
                              "Siirryt palveluasumiseen.", revision(engine, aino), TODAY)
    assert conflicts == 1
    assert decisions.worker_decisions(engine, worker, aino, TODAY).conflicts[0].kind == "after_end"


# ---------------------------------------------------------------- the catalog's dates


def test_catalog_values_apply_from_their_date_unless_the_decision_fixes_its_own(engine):
    admin = actor(engine, "demo-admin")
    worker = actor(engine, "demo-worker")
    january = date(TODAY.year + 1, 1, 1)
    with read_session(engine) as session:
        services = {s.code: s.id for s in session.exec(select(ServiceType)).all()}
    catalog.add_unit_values(engine, admin, services["home_care"], january,
                            {"weekday_day": 4150}, TODAY)
    catalog.add_unit_values(engine, admin, services["personal_assistance"], january,
                            {"weekday_day": 2300, "weekday_evening": 2900, "saturday": 3450,
                             "sunday_holiday": 4600}, TODAY)
    with pytest.raises(catalog.CatalogError):
        catalog.add_unit_values(engine, admin, services["home_care"], TODAY - timedelta(days=1),
                                {"weekday_day": 4150}, TODAY)
    with pytest.raises(AccessDenied):
        catalog.add_unit_values(engine, worker, services["home_care"], january,
                                {"weekday_day": 1}, TODAY)
    december = date(TODAY.year, 12, 1)
    cid = register(engine)
    number = decisions.grant(engine, worker, cid, two_lines(
        start=december, lines=(LineDraft("home_care", Decimal(10)),
                               LineDraft("cleaning", Decimal(2), {"weekday_day": 3700},
                                         "Siivous vaatii kaksi työntekijää."),
                               LineDraft("personal_assistance", Decimal(10)))), 0, TODAY)
    assert month_total(engine, cid, december) == 10 * 3990 + 2 * 3700 + 10 * 2200
    decisions.change(engine, worker, cid, number, decisions.draft_from_version(
        decisions.worker_decisions(engine, worker, cid, TODAY).decisions[0].versions[0],
        TODAY, january, "Uuden vuoden yksikköarvot."), 1, TODAY)
    assert month_total(engine, cid, december) == 10 * 3990 + 2 * 3700 + 10 * 2200
    assert month_total(engine, cid, january) == 10 * 4150 + 2 * 3700 + 10 * 2300
    with read_session(engine) as session:
        for budget in session.exec(select(Budget).where(Budget.client_id == cid)).all():
            line = session.exec(select(BudgetLine).join(ServiceType).where(
                BudgetLine.budget_id == budget.id,
                ServiceType.code == "personal_assistance")).one()
            expected = 4600 if budget.valid_from == january else 4400
            assert line_unit_value(session, line, "sunday_holiday") == expected
        today_values = catalog.admin_catalog(engine, admin, TODAY)
    home_care = next(s for s in today_values if s.code == "home_care")
    assert home_care.values_today["weekday_day"] == 3990 and len(home_care.history) == 2


def test_administrators_add_and_rename_services(engine):
    admin = actor(engine, "demo-admin")
    service_id = catalog.add_service(
        engine, admin, "swimming", {"fi": "Uimahalli", "sv": "Simhall", "en": "Swimming hall"},
        "visit", False, TODAY, {"weekday_day": 600})
    with pytest.raises(catalog.CatalogError) as taken:
        catalog.add_service(engine, admin, "swimming", {"fi": "a", "sv": "b", "en": "c"},
                            "visit", False, TODAY, {"weekday_day": 600})
    assert taken.value.code == "code_taken"
    catalog.rename_service(engine, admin, service_id,
                           {"fi": "Uimahallikäynti", "sv": "Simhall", "en": "Swimming"})
    with pytest.raises(AccessDenied):
        catalog.rename_service(engine, actor(engine, "demo-worker"), service_id,
                               {"fi": "x", "sv": "y", "en": "z"})
    names = {s.code: s.name_fi for s in catalog.admin_catalog(engine, admin, TODAY)}
    assert names["swimming"] == "Uimahallikäynti"


# ---------------------------------------------------------------- linking at sign-in


def test_sign_in_links_the_registered_client_by_the_verified_code(engine):
    cid = register(engine, code=DEMO_CLIENT_NEW_CODE)
    # A name or e-mail that matches someone else links nothing.
    stranger = upsert_person(engine, "someone-else", "Tuula Laine", "aino@example.org")
    with read_session(engine) as session:
        assert session.get(Client, cid).person_id is None
    person_id = upsert_person(engine, "demo-client-new", "Tuula Laine", "",
                              DEMO_CLIENT_NEW_CODE)
    assert person_id != stranger
    with read_session(engine) as session:
        assert session.get(Client, cid).person_id == person_id
        assert load_actor(session, person_id).own_client_id == cid
    # Signing in again changes nothing.
    assert upsert_person(engine, "demo-client-new", "Tuula Laine", "",
                         DEMO_CLIENT_NEW_CODE) == person_id


def test_a_mandate_recorded_by_identity_code_is_found_at_first_sign_in(engine):
    worker = actor(engine, "demo-worker")
    aino = client_id(engine, "Aino")
    code = "050580-950J"
    with pytest.raises(Exception):
        mandate_service.record_mandate(engine, worker, aino, code, ["view"], "relative",
                                       TODAY, None, TODAY)  # the name is needed
    mandate_service.record_mandate(engine, worker, aino, code, ["view"], "relative", TODAY,
                                   None, TODAY, agent_name="Kalle Virtanen")
    person_id = upsert_person(engine, "oidc-kalle", "Kalle Virtanen", "", code)
    with read_session(engine) as session:
        mandate = session.exec(select(Mandate).where(Mandate.client_id == aino,
                                                     Mandate.agent_person_id == person_id)).one()
        assert mandate.scopes == "view"
        clients = represented_clients(session, load_actor(session, person_id), TODAY)
    assert [c.client_id for c in clients] == [aino]


def test_registering_someone_who_signed_in_before_links_at_once(engine):
    person_id = upsert_person(engine, "demo-client-new", "Tuula Laine", "",
                              DEMO_CLIENT_NEW_CODE)
    cid = register(engine, code=DEMO_CLIENT_NEW_CODE)
    with read_session(engine) as session:
        assert session.get(Client, cid).person_id == person_id


def test_a_person_recorded_by_code_merges_into_an_earlier_account(engine):
    """Someone signed in once without the claim; a worker then recorded them by code. At the
    next sign-in with the claim the recorded row's mandate moves to their account."""
    worker = actor(engine, "demo-worker")
    aino = client_id(engine, "Aino")
    code = "050580-950J"
    earlier = upsert_person(engine, "oidc-kalle", "Kalle Virtanen", "")
    mandate_service.record_mandate(engine, worker, aino, code, ["view"], "relative", TODAY,
                                   None, TODAY, agent_name="Kalle Virtanen")
    assert upsert_person(engine, "oidc-kalle", "Kalle Virtanen", "", code) == earlier
    with read_session(engine) as session:
        assert session.exec(select(Person).where(Person.identity_code == code)).one().id == earlier
        assert session.exec(select(Mandate).where(Mandate.agent_person_id == earlier)).one()
