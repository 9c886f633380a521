"""Issue 18 (items 3, 7, 10) on real databases (SQLite and PostgreSQL): resolving and
contacting flagged provider problems, suspending a provider without stranding its clients,
the worker's caseload search, swap history and mandate history."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select

from hbapp.db import read_session
from hbapp.models import AuditLog, Client, Feedback, Person, Provider
from hbapp.seed import seed_demo
from hbapp.services.access import AccessDenied, load_actor
from hbapp.services.caseload import worker_caseload
from hbapp.services.providers import (
    FlagError,
    record_flag_contact,
    resolve_flag,
    worker_overview,
)

TODAY = date.today()


def actor(engine, subject):
    with read_session(engine) as session:
        pid = session.exec(select(Person.id).where(Person.oidc_subject == subject)).one()
        return load_actor(session, pid)


def client_id(engine, subject):
    with read_session(engine) as session:
        return session.exec(select(Client.id).join(Person, Person.id == Client.person_id)
                            .where(Person.oidc_subject == subject)).one()


def provider_id(engine, name):
    with read_session(engine) as session:
        return session.exec(select(Provider.id).where(Provider.name == name)).one()


def open_flags(engine, subject="demo-worker"):
    return [f for row in worker_overview(engine, actor(engine, subject), TODAY) for f in row.flags]


def audit_actions(engine, action):
    with read_session(engine) as session:
        return session.exec(select(AuditLog).where(AuditLog.action == action)).all()


# --------------------------------------------------------------------------- item 7


def test_a_flag_is_contacted_then_resolved_and_stops_counting(empty_engine):
    seed_demo(empty_engine)
    worker = actor(empty_engine, "demo-worker")
    flags = open_flags(empty_engine)
    assert len(flags) == 1
    flag = flags[0]
    row = next(r for r in worker_overview(empty_engine, worker, TODAY) if r.flags)
    assert row.phone and row.email  # the contact details are there to use
    assert worker_caseload(empty_engine, worker, TODAY).counts["feedback_flag"] == 1

    record_flag_contact(empty_engine, worker, flag.feedback_id, TODAY)
    contacted = open_flags(empty_engine)[0]
    assert contacted.contacted_at is not None and contacted.contacted_by == "Sari Mäkinen"
    assert len(audit_actions(empty_engine, "provider_flag_contacted")) == 1

    with pytest.raises(FlagError) as missing:
        resolve_flag(empty_engine, worker, flag.feedback_id, "   ", TODAY)
    assert missing.value.code == "note_missing"
    with pytest.raises(FlagError) as too_long:
        resolve_flag(empty_engine, worker, flag.feedback_id, "x" * 1001, TODAY)
    assert too_long.value.code == "note_too_long"

    resolve_flag(empty_engine, worker, flag.feedback_id, "Provider apologised; visit made up.",
                 TODAY)
    assert open_flags(empty_engine) == []
    assert worker_caseload(empty_engine, worker, TODAY).counts["feedback_flag"] == 0
    with read_session(empty_engine) as session:
        fb = session.get(Feedback, flag.feedback_id)
        assert fb.flag_handled_at is not None
        assert fb.flag_handled_by_person_id == worker.person_id
        assert fb.flag_handled_note == "Provider apologised; visit made up."
    [entry] = audit_actions(empty_engine, "provider_flag_resolved")
    assert entry.actor_person_id == worker.person_id
    assert entry.subject_client_id == flag.client_id

    # Resolving twice, or contacting after, is refused plainly.
    with pytest.raises(FlagError) as twice:
        resolve_flag(empty_engine, worker, flag.feedback_id, "again", TODAY)
    assert twice.value.code == "handled"
    with pytest.raises(FlagError):
        record_flag_contact(empty_engine, worker, flag.feedback_id, TODAY)


def test_only_the_clients_own_worker_handles_a_flag(empty_engine):
    seed_demo(empty_engine)
    flag = open_flags(empty_engine)[0]
    for subject in ("demo-worker-2", "demo-client", "demo-admin"):
        with pytest.raises(AccessDenied):
            resolve_flag(empty_engine, actor(empty_engine, subject), flag.feedback_id, "x", TODAY)
        with pytest.raises(AccessDenied):
            record_flag_contact(empty_engine, actor(empty_engine, subject), flag.feedback_id,
                                TODAY)
    with pytest.raises(FlagError) as unknown:
        resolve_flag(empty_engine, actor(empty_engine, "demo-worker"), 999999, "x", TODAY)
    assert unknown.value.code == "not_found"
    assert len(open_flags(empty_engine)) == 1
    refusals = audit_actions(empty_engine, "refused")
    assert any(r.actor_person_id == actor(empty_engine, "demo-worker-2").person_id
               for r in refusals)


# --------------------------------------------------------------------------- item 10


def test_caseload_search_by_name_and_identity_code(seeded_engine):
    worker = actor(seeded_engine, "demo-worker")
    everyone = worker_caseload(seeded_engine, worker, TODAY)
    assert len(everyone.entries) == everyone.total > 2
    by_name = worker_caseload(seeded_engine, worker, TODAY, search="aINO")
    assert [e.name for e in by_name.entries] == ["Aino Virtanen"]
    assert by_name.total == everyone.total  # the alert counts stay over the whole caseload
    by_code = worker_caseload(seeded_engine, worker, TODAY, search="020958-913y")
    assert [e.name for e in by_code.entries] == ["Bengt Lindholm"]
    assert worker_caseload(seeded_engine, worker, TODAY, search="020958-9130").entries == ()
    # Never beyond the worker's own clients.
    assert worker_caseload(seeded_engine, actor(seeded_engine, "demo-worker-2"), TODAY,
                           search="Aino").entries == ()


def test_decided_swaps_are_kept_as_history_with_a_filter(empty_engine):
    from decimal import Decimal

    from hbapp.services.swaps import decide_swap, decided_swaps_for_worker, request_swap

    today = date(2026, 11, 1)
    seed_demo(empty_engine, today=today)
    aino, worker = client_id(empty_engine, "demo-client"), actor(empty_engine, "demo-worker")
    client = actor(empty_engine, "demo-client")
    first = request_swap(empty_engine, client, aino, today, "carers_leave", "gym_card",
                         Decimal("1"), today)
    second = request_swap(empty_engine, client, aino, today, "home_care", "cleaning",
                          Decimal("2.5"), today)
    assert (first.status, second.status) == ("pending", "pending")
    assert decided_swaps_for_worker(empty_engine, worker, today) == []
    decide_swap(empty_engine, worker, first.swap_id, False, "Ei joulukuussa.", today)
    decide_swap(empty_engine, worker, second.swap_id, True, "", today)

    history = decided_swaps_for_worker(empty_engine, worker, today)
    assert {v.swap_id: v.status for v in history} == {first.swap_id: "declined",
                                                       second.swap_id: "approved"}
    assert all(v.decided_by == "Sari Mäkinen" and v.decided_at for v in history)
    declined = decided_swaps_for_worker(empty_engine, worker, today, "declined")
    assert [(v.swap_id, v.reason) for v in declined] == [(first.swap_id, "Ei joulukuussa.")]
    assert [v.swap_id for v in decided_swaps_for_worker(empty_engine, worker, today,
                                                        "approved")] == [second.swap_id]
    assert len(decided_swaps_for_worker(empty_engine, worker, today, client_id=aino)) == 2
    # Another worker sees none of it; a client is refused.
    assert decided_swaps_for_worker(empty_engine, actor(empty_engine, "demo-worker-2"),
                                    today) == []
    with pytest.raises(AccessDenied):
        decided_swaps_for_worker(empty_engine, client, today)
    assert audit_actions(empty_engine, "view_decided_swaps")


def test_ended_mandates_stay_on_the_access_page_as_history(empty_engine):
    from hbapp.services import mandates

    seed_demo(empty_engine)
    aino, worker = client_id(empty_engine, "demo-client"), actor(empty_engine, "demo-worker")
    before = mandates.worker_access(empty_engine, worker, aino, TODAY)
    assert before.ended == ()
    for mandate in before.mandates:
        mandates.revoke(empty_engine, worker, mandate.id, TODAY)
    after = mandates.worker_access(empty_engine, worker, aino, TODAY)
    assert after.mandates == ()
    assert sorted(e.agent_name for e in after.ended) == sorted(m.agent_name
                                                               for m in before.mandates)
    assert all(e.ended_on == TODAY and e.ended_by == "Sari Mäkinen" for e in after.ended)


# --------------------------------------------------------------------------- item 3


def test_suspending_asks_a_reason_tells_the_affected_and_strands_nobody(empty_engine):
    from hbapp.models import Message
    from hbapp.services.budget import load_month
    from hbapp.services.feedback import give_feedback, providers_for_feedback
    from hbapp.services.providers import (
        Filters, ProviderNotFound, SuspendError, choose_provider, list_providers,
        provider_detail, suspend_provider, suspension_preview,
    )

    seed_demo(empty_engine)
    admin = actor(empty_engine, "demo-admin")
    pirtti = provider_id(empty_engine, "Siivouspalvelu Puhdas Pirtti Oy")
    aino_actor, aino = actor(empty_engine, "demo-client"), client_id(empty_engine, "demo-client")
    bengt_actor = actor(empty_engine, "demo-client-2")
    bengt = client_id(empty_engine, "demo-client-2")

    preview = suspension_preview(empty_engine, admin, pirtti, TODAY)
    assert [a.name for a in preview.affected] == ["Aino Virtanen"]
    [affected] = preview.affected
    assert len(affected.services) == 1  # cleaning
    mikko = actor(empty_engine, "demo-relative").person_id
    liisa = actor(empty_engine, "demo-relative-view").person_id
    sari = actor(empty_engine, "demo-worker").person_id
    assert {mikko, liisa} <= set(affected.agent_person_ids)
    assert sari in affected.worker_person_ids

    for subject in ("demo-worker", "demo-client"):
        with pytest.raises(AccessDenied):
            suspend_provider(empty_engine, actor(empty_engine, subject), pirtti, "x", TODAY)
        with pytest.raises(AccessDenied):
            suspension_preview(empty_engine, actor(empty_engine, subject), pirtti, TODAY)
    with pytest.raises(SuspendError) as missing:
        suspend_provider(empty_engine, admin, pirtti, "  ", TODAY)
    assert missing.value.code == "reason_missing"

    suspend_provider(empty_engine, admin, pirtti, "Valvontakäynnillä puutteita.", TODAY)
    with pytest.raises(SuspendError) as again:
        suspend_provider(empty_engine, admin, pirtti, "Toistamiseen.", TODAY)
    assert again.value.code == "not_approved"

    with read_session(empty_engine) as session:
        provider = session.get(Provider, pirtti)
        assert provider.approval_status == "suspended"
        assert provider.suspended_reason == "Valvontakäynnillä puutteita."
        assert provider.suspended_by_person_id == admin.person_id
        messages = session.exec(select(Message)).all()
        told = {(m.recipient_person_id, m.kind) for m in messages}
        aino_person = aino_actor.person_id
        assert {(aino_person, "provider_suspended"), (mikko, "provider_suspended"),
                (liisa, "provider_suspended"), (sari, "provider_suspended_worker")} <= told
        assert all(m.subject_client_id == aino for m in messages)
        [decision] = session.exec(select(AuditLog).where(
            AuditLog.action == "provider_approval")).all()
        assert decision.actor_person_id == admin.person_id
        details = json.loads(decision.details)
        assert details["reason"] == "Valvontakäynnillä puutteita."
        assert details["affected_clients"] == [aino]

    # Aino keeps the page, its contact details and the notice; feedback stays open.
    detail = provider_detail(empty_engine, aino_actor, aino, pirtti, TODAY)
    assert detail.suspended_at is not None and detail.phone
    assert detail.suspended_reason == "Valvontakäynnillä puutteita."
    assert pirtti in {p.provider_id for p in providers_for_feedback(
        empty_engine, aino_actor, aino, TODAY)}
    give_feedback(empty_engine, aino_actor, aino, pirtti, 4, "Siivooja ei tullut.", None, TODAY)
    with read_session(empty_engine) as session:
        month = load_month(session, session.get(Client, aino), TODAY, TODAY)
    cleaning = [v for v in month.lines.values() if v.chosen_provider_id == pirtti]
    assert cleaning and cleaning[0].provider_suspended_at is not None

    # Nobody else is offered it or may open it.
    with pytest.raises(ProviderNotFound):
        provider_detail(empty_engine, bengt_actor, bengt, pirtti, TODAY)
    assert "Siivouspalvelu Puhdas Pirtti Oy" not in [o.name for o in list_providers(
        empty_engine, bengt_actor, bengt, "cleaning", Filters(), TODAY).offers]
    with pytest.raises(ProviderNotFound):
        choose_provider(empty_engine, bengt_actor, bengt, pirtti, "cleaning", TODAY)


# --------------------------------------------------------------------------- item 4


def test_full_providers_are_refused_and_every_band_shows_its_self_pay(empty_engine):
    from hbapp.models import Intake
    from hbapp.db import write_session
    from hbapp.services.providers import (
        ChoiceError, Filters, choice_preview, choose_provider, list_providers, provider_detail,
    )

    seed_demo(empty_engine)
    aino_actor, aino = actor(empty_engine, "demo-client"), client_id(empty_engine, "demo-client")
    full = provider_id(empty_engine, "Kotihoito Kaislaranta Oy")  # takes no new clients
    saima = provider_id(empty_engine, "Hoiva-Saima Oy")
    for call in (choice_preview, choose_provider):
        with pytest.raises(ChoiceError) as refused:
            call(empty_engine, aino_actor, aino, full, "home_care", TODAY)
        assert refused.value.code == "not_taking_clients"
        assert refused.value.provider_name == "Kotihoito Kaislaranta Oy"
    with write_session(empty_engine) as session:
        provider = session.get(Provider, saima)
        provider.intake, provider.expected_wait_weeks = Intake.WAITING_LIST.value, 6
        session.add(provider)
    with pytest.raises(ChoiceError) as waiting:
        choose_provider(empty_engine, aino_actor, aino, saima, "home_care", TODAY)
    assert (waiting.value.code, waiting.value.wait_weeks) == ("waiting_list", 6)
    detail = provider_detail(empty_engine, aino_actor, aino, saima, TODAY)
    assert (detail.intake, detail.takes_new_clients) == ("waiting_list", False)

    # The check page's prices: every band, and the self-pay where the price is above the value.
    kotihelmi = provider_id(empty_engine, "Saimaan Kotihelmi Oy")
    imatra = provider_id(empty_engine, "Imatran Hoivapalvelu Vuoksi Oy")
    preview = choice_preview(empty_engine, aino_actor, aino, imatra, "home_care", TODAY)
    bands = {b.band: b for b in preview.bands}
    assert set(bands) == {"weekday_day", "weekday_evening", "saturday", "sunday_holiday"}
    for band in bands.values():
        assert band.self_pay_cents == max(0, band.price_cents - band.unit_value_cents)
    assert bands["weekday_day"].self_pay_cents == 0 < bands["sunday_holiday"].self_pay_cents

    # The list has the same bands per provider, compactly.
    offers = {o.provider_id: o for o in list_providers(
        empty_engine, aino_actor, aino, "home_care", Filters(), TODAY).offers}
    assert {b.band: b.price_cents for b in offers[kotihelmi].bands} == {
        "weekday_day": 3850, "weekday_evening": 4450, "saturday": 4600, "sunday_holiday": 5200}
    assert offers[full].intake == "no"
    assert full not in {o.provider_id for o in list_providers(
        empty_engine, aino_actor, aino, "home_care", Filters(takes_new_clients=True),
        TODAY).offers}
