"""Swapping services on a real database (SQLite and PostgreSQL): apply, approve, decline, cancel,
the rulebook's limits, every refusal code, authorization and the audit trail.

Each test seeds its own database with `today` on the first day of a month, so the month has no
service events yet and the balances are exactly the granted money. The budget is money: a swap
moves cents between lines, and units are what the money buys at the price charged (Aino's chosen
home-care provider charges 38,50 €/h on weekdays, her chosen cleaner 35,00 €/h; carer's leave,
transport and the gym card have no chosen provider and are priced at their unit values).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlmodel import select

from hbapp.db import read_session, write_session
from hbapp.domain.ledger import add_months
from hbapp.domain.swaps import SwapError
from hbapp.models import (
    AuditLog,
    Budget,
    BudgetLine,
    Client,
    LineAdjustment,
    Person,
    ServiceEvent,
    ServiceType,
    SwapRequest,
)
from hbapp.seed import AINO_MONTHLY_BUDGET_CENTS, seed_demo
from hbapp.services.access import AccessDenied, load_actor
from hbapp.services.budget import load_month
from hbapp.services.swaps import (
    cancel_swap,
    decide_swap,
    pending_swaps_for_worker,
    preview_swap_for_client,
    request_swap,
    rulebook_for_organizer,
    swap_options,
    swaps_for_client,
)

TODAY = date(2026, 11, 1)
MONTH = TODAY
D = Decimal


@pytest.fixture
def engine(empty_engine):
    seed_demo(empty_engine, today=TODAY)
    return empty_engine


def actor(engine, subject: str):
    with read_session(engine) as session:
        person = session.exec(select(Person.id).where(Person.oidc_subject == subject)).one()
        return load_actor(session, person)


def client_id(engine, first_name: str) -> int:
    with read_session(engine) as session:
        return session.exec(select(Client.id).where(Client.first_name == first_name)).one()


HOME_CARE_HOUR = 3850  # Saimaan Kotihelmi's weekday price, below the 39,90 € unit value


def balances(engine, first_name: str, month: date = MONTH):
    with read_session(engine) as session:
        client = session.exec(select(Client).where(Client.first_name == first_name)).one()
        result = load_month(session, client, month, TODAY)
    return result.statement, {b.service_code: b for b in result.statement.lines}


def swap(engine, subject, first_name, from_code, to_code, amount, month=MONTH):
    return request_swap(engine, actor(engine, subject), client_id(engine, first_name), month,
                        from_code, to_code, D(amount), TODAY)


def refusal(engine, subject, first_name, from_code, to_code, amount, month=MONTH) -> str:
    with pytest.raises(SwapError) as caught:
        swap(engine, subject, first_name, from_code, to_code, amount, month)
    return caught.value.code


def audit_actions(engine, client: int) -> list[str]:
    with read_session(engine) as session:
        return list(session.exec(
            select(AuditLog.action).where(AuditLog.subject_client_id == client)
            .order_by(AuditLog.id)
        ).all())


def minutes(units: Decimal) -> tuple[int, int]:
    from hbapp.domain.money import hours_minutes

    return hours_minutes(units)


def test_demo_rulebook_is_found_for_the_demo_organizer(engine):
    with read_session(engine) as session:
        from hbapp.models import Organizer
        business_id = session.exec(select(Organizer.business_id)).one()
    rulebook = rulebook_for_organizer(business_id)
    assert rulebook is not None
    assert rulebook.services["carers_leave"].min_keep_per_month == 2
    with read_session(engine) as session:
        for code, rule in rulebook.services.items():
            service = session.exec(select(ServiceType).where(ServiceType.code == code)).one()
            assert (service.unit, service.unit_value_cents) == (rule.unit.value,
                                                                 rule.unit_value_cents)


def test_swap_within_the_rules_applies_at_once(engine):
    aino = client_id(engine, "Aino")
    outcome = swap(engine, "demo-client", "Aino", "carers_leave", "home_care", "2")
    assert outcome.status == "applied"
    assert outcome.preview.requested_cents == outcome.preview.moved_cents == 20_000
    assert minutes(outcome.preview.to_units) == (5, 11)  # 200 € at 38,50 €/h, whole minutes
    assert outcome.preview.remainder_cents == 0
    statement, lines = balances(engine, "Aino")
    assert statement.budget_cents == AINO_MONTHLY_BUDGET_CENTS  # the total never changes
    assert lines["home_care"].value_cents == 79_800 + 20_000
    assert lines["carers_leave"].value_cents == 40_000 - 20_000
    # What the preview said is left is what the ledger says now.
    assert lines["carers_leave"].remaining_buys == outcome.preview.from_remaining_after == 2
    assert lines["home_care"].remaining_buys == outcome.preview.to_remaining_after
    assert minutes(lines["home_care"].remaining_buys) == (25, 55)
    with read_session(engine) as session:
        row = session.get(SwapRequest, outcome.swap_id)
        assert row.rulebook_version == "EKHVA-2026.1"
        assert row.requested_by_person_id == actor(engine, "demo-client").person_id
        # The history keeps what was confirmed: 2 days asked, 5 h 11 min bought, 200 € moved.
        assert (row.from_units, minutes(row.to_units), row.amount_cents, row.requested_cents) == \
            (D(2), (5, 11), 20_000, 20_000)
        deltas = sorted(a.delta_cents for a in session.exec(
            select(LineAdjustment).where(LineAdjustment.swap_request_id == row.id)).all())
        assert deltas == [-20_000, 20_000]
        assert session.exec(select(Budget.version).where(Budget.client_id == aino)).one() == 1
    # The next month is untouched: a swap is for one month only.
    _, next_lines = balances(engine, "Aino", add_months(MONTH, 1))
    assert next_lines["home_care"].value_cents == 79_800
    assert "swap_requested" in audit_actions(engine, aino)


def test_days_are_swapped_whole_and_whole_trips_bought(engine):
    assert refusal(engine, "demo-client", "Aino", "carers_leave", "home_care", "0.5") == \
        "not_whole"
    outcome = swap(engine, "demo-client", "Aino", "carers_leave", "transport", "1")
    # 100 € buys 4 trips at 25 € exactly; nothing stays behind.
    assert (outcome.preview.to_units, outcome.preview.moved_cents,
            outcome.preview.remainder_cents) == (4, 10_000, 0)
    outcome = swap(engine, "demo-client", "Aino", "home_care", "cleaning", "1")
    assert outcome.preview.moved_cents == HOME_CARE_HOUR
    assert minutes(outcome.preview.to_units) == (1, 6)  # 38,50 € at 35 €/h


def test_relative_with_manage_can_swap_and_preview_writes_nothing(engine):
    aino = client_id(engine, "Aino")
    preview = preview_swap_for_client(engine, actor(engine, "demo-relative"), aino, MONTH,
                                      "home_care", "cleaning", D(2), TODAY)
    assert preview.moved_cents == 2 * HOME_CARE_HOUR
    assert minutes(preview.to_units) == (2, 12)
    with read_session(engine) as session:
        assert session.exec(select(SwapRequest)).all() == []
    assert swap(engine, "demo-relative", "Aino", "home_care", "cleaning", "2").status == "applied"
    assert "preview_swap" in audit_actions(engine, aino)


def test_over_the_automatic_limit_waits_for_the_worker_who_approves(engine):
    aino = client_id(engine, "Aino")
    first = swap(engine, "demo-client", "Aino", "home_care", "cleaning", "1")
    assert first.status == "applied"
    second = swap(engine, "demo-client", "Aino", "home_care", "cleaning", "1.5")
    assert second.status == "pending"
    _, lines = balances(engine, "Aino")
    assert lines["home_care"].value_cents == 79_800 - HOME_CARE_HOUR  # only the first one moved
    pending = pending_swaps_for_worker(engine, actor(engine, "demo-worker"), TODAY)
    assert [p.swap_id for p in pending] == [second.swap_id]
    decided = decide_swap(engine, actor(engine, "demo-worker"), second.swap_id, True, "", TODAY)
    assert decided.status == "approved"
    statement, lines = balances(engine, "Aino")
    assert lines["home_care"].value_cents == 79_800 - HOME_CARE_HOUR - 5775
    assert lines["cleaning"].value_cents == 17_500 + HOME_CARE_HOUR + 5775
    assert statement.budget_cents == AINO_MONTHLY_BUDGET_CENTS
    assert pending_swaps_for_worker(engine, actor(engine, "demo-worker"), TODAY) == []
    views = swaps_for_client(engine, actor(engine, "demo-client"), aino, TODAY)
    assert [v.status for v in views] == ["approved", "applied"]
    assert "swap_decided" in audit_actions(engine, aino)


def test_case_worker_conversion_declined_with_reason(engine):
    aino = client_id(engine, "Aino")
    outcome = swap(engine, "demo-client", "Aino", "carers_leave", "gym_card", "1")
    assert outcome.status == "pending"
    worker = actor(engine, "demo-worker")
    with pytest.raises(SwapError) as caught:
        decide_swap(engine, worker, outcome.swap_id, False, "   ", TODAY)
    assert (caught.value.code, caught.value.field) == ("reason_required", "reason")
    decide_swap(engine, worker, outcome.swap_id, False, "Uimahalli ei ole auki joulukuussa.",
                TODAY)
    view = swaps_for_client(engine, actor(engine, "demo-relative-view"), aino, TODAY)[0]
    assert (view.status, view.reason) == ("declined", "Uimahalli ei ole auki joulukuussa.")
    assert not view.can_cancel
    with pytest.raises(SwapError) as caught:
        decide_swap(engine, worker, outcome.swap_id, True, "", TODAY)
    assert caught.value.code == "not_pending"
    with pytest.raises(SwapError) as caught:
        cancel_swap(engine, actor(engine, "demo-client"), outcome.swap_id, TODAY)
    assert caught.value.code == "not_cancellable"
    statement, _ = balances(engine, "Aino")
    assert statement.budget_cents == AINO_MONTHLY_BUDGET_CENTS


def test_approval_is_checked_again_against_the_current_balances(engine):
    pending = swap(engine, "demo-client", "Aino", "carers_leave", "gym_card", "1")
    assert pending.status == "pending"
    # Meanwhile the carer's leave above the minimum goes into home care.
    assert swap(engine, "demo-client", "Aino", "carers_leave", "home_care", "2").status == \
        "applied"
    with pytest.raises(SwapError) as caught:
        decide_swap(engine, actor(engine, "demo-worker"), pending.swap_id, True, "", TODAY)
    assert caught.value.code == "below_minimum"
    with read_session(engine) as session:
        assert session.get(SwapRequest, pending.swap_id).status == "pending"
    assert "swap_approval_refused" in audit_actions(engine, client_id(engine, "Aino"))


def test_cancel_pending_and_applied_restores_the_balances(engine):
    aino = client_id(engine, "Aino")
    client = actor(engine, "demo-client")
    applied = swap(engine, "demo-client", "Aino", "carers_leave", "home_care", "1")
    pending = swap(engine, "demo-relative", "Aino", "carers_leave", "gym_card", "1")
    assert [v.can_cancel for v in swaps_for_client(engine, client, aino, TODAY)] == [True, True]
    assert cancel_swap(engine, client, pending.swap_id, TODAY).status == "cancelled"
    assert cancel_swap(engine, actor(engine, "demo-relative"), applied.swap_id,
                       TODAY).status == "cancelled"
    statement, lines = balances(engine, "Aino")
    assert lines["carers_leave"].value_cents == 40_000
    assert lines["home_care"].value_cents == 79_800
    assert statement.budget_cents == AINO_MONTHLY_BUDGET_CENTS
    with pytest.raises(SwapError) as caught:
        cancel_swap(engine, client, applied.swap_id, TODAY)
    assert caught.value.code == "not_cancellable"
    assert audit_actions(engine, aino).count("swap_cancelled") == 2


def test_a_swap_whose_units_are_used_cannot_be_cancelled(engine):
    outcome = swap(engine, "demo-client", "Aino", "transport", "gym_card", "2")
    assert outcome.status == "applied"
    aino = client_id(engine, "Aino")
    with write_session(engine) as session:
        line = session.exec(
            select(BudgetLine).join(ServiceType, ServiceType.id == BudgetLine.service_type_id)
            .join(Budget, Budget.id == BudgetLine.budget_id)
            .where(Budget.client_id == aino, ServiceType.code == "gym_card")
        ).one()
        provider_id = session.exec(
            select(ServiceEvent.provider_id).where(ServiceEvent.budget_line_id == line.id)
        ).first()
        # 60 € of the gym card used: more than the 41 € granted without the swap.
        session.add(ServiceEvent(provider_id=provider_id, client_id=aino, budget_line_id=line.id,
                                 service_type_id=line.service_type_id,
                                 started_at=datetime(2026, 11, 1, 16, 0), units=D(60),
                                 amount_cents=6000))
    view = swaps_for_client(engine, actor(engine, "demo-client"), aino, TODAY)[0]
    assert not view.can_cancel
    with pytest.raises(SwapError) as caught:
        cancel_swap(engine, actor(engine, "demo-client"), outcome.swap_id, TODAY)
    assert caught.value.code == "already_used"


@pytest.mark.parametrize(
    "from_code, to_code, amount, code",
    [
        ("home_care", "cleaning", "0", "zero"),
        ("home_care", "cleaning", "-1", "negative"),
        ("home_care", "cleaning", "1.005", "too_many_decimals"),
        ("home_care", "cleaning", "21", "more_than_available"),
        ("carers_leave", "home_care", "0.5", "not_whole"),
        ("sauna", "cleaning", "1", "unknown_service"),
        ("home_care", "personal_assistance", "1", "unknown_service"),  # not in Aino's budget
        ("gym_card", "home_care", "10", "forbidden_conversion"),
        ("home_care", "home_care", "1", "same_service"),
        ("cleaning", "home_care", "0.01", "too_small"),
        ("carers_leave", "home_care", "3", "below_minimum"),
        ("home_care", "cleaning", "5.2", "over_monthly_max"),
    ],
)
def test_every_refusal_has_its_code_and_is_audited(engine, from_code, to_code, amount, code):
    aino = client_id(engine, "Aino")
    assert refusal(engine, "demo-client", "Aino", from_code, to_code, amount) == code
    statement, lines = balances(engine, "Aino")
    assert statement.budget_cents == AINO_MONTHLY_BUDGET_CENTS
    assert lines["home_care"].value_cents == 79_800
    with read_session(engine) as session:
        assert session.exec(select(SwapRequest)).all() == []
        details = session.exec(
            select(AuditLog.details).where(AuditLog.subject_client_id == aino,
                                           AuditLog.action == "swap_refused")
        ).one()
    assert json.loads(details)["code"] == code


def test_monthly_maximum_counts_pending_requests(engine):
    assert swap(engine, "demo-client", "Aino", "home_care", "cleaning", "2").status == "applied"
    assert swap(engine, "demo-client", "Aino", "home_care", "cleaning", "2.5").status == "pending"
    assert refusal(engine, "demo-client", "Aino", "home_care", "cleaning", "1") == \
        "over_monthly_max"


def test_past_month_is_closed(engine):
    assert refusal(engine, "demo-client", "Aino", "home_care", "cleaning", "1",
                   add_months(MONTH, -1)) == "month_closed"


def test_future_month_can_be_swapped(engine):
    outcome = swap(engine, "demo-client", "Aino", "home_care", "cleaning", "1",
                   add_months(MONTH, 1))
    assert outcome.status == "applied"
    _, lines = balances(engine, "Aino", add_months(MONTH, 1))
    assert lines["home_care"].value_cents == 79_800 - HOME_CARE_HOUR


def test_options_list_only_conversions_possible_in_this_budget(engine):
    options = swap_options(engine, actor(engine, "demo-client"), client_id(engine, "Aino"),
                           MONTH, TODAY)
    assert options.sources == ("home_care", "carers_leave", "cleaning", "transport")
    assert options.services["carers_leave"].targets == (
        "home_care", "cleaning", "transport", "gym_card")
    assert options.services["carers_leave"].min_keep_units == 2
    assert options.services["gym_card"].targets == ()


@pytest.mark.parametrize(
    "subject, first_name, reason",
    [
        ("demo-relative-view", "Aino", "missing_scope"),
        ("demo-client", "Bengt", "no_mandate"),
        ("demo-client-2", "Aino", "no_mandate"),
        ("demo-worker", "Aino", "no_mandate"),  # workers never swap for a client
    ],
)
def test_who_may_not_swap(engine, subject, first_name, reason):
    with pytest.raises(AccessDenied) as caught:
        swap(engine, subject, first_name, "home_care", "cleaning", "1")
    assert caught.value.reason == reason
    with pytest.raises(AccessDenied):
        preview_swap_for_client(engine, actor(engine, subject), client_id(engine, first_name),
                                MONTH, "home_care", "cleaning", D(1), TODAY)


def test_cancel_by_others_is_denied(engine):
    outcome = swap(engine, "demo-client", "Aino", "carers_leave", "gym_card", "1")
    for subject, reason in (("demo-relative-view", "missing_scope"),
                            ("demo-client-2", "no_mandate")):
        with pytest.raises(AccessDenied) as caught:
            cancel_swap(engine, actor(engine, subject), outcome.swap_id, TODAY)
        assert caught.value.reason == reason
    with pytest.raises(AccessDenied) as caught:
        cancel_swap(engine, actor(engine, "demo-client"), 999_999, TODAY)
    assert caught.value.reason == "not_found"


def test_worker_without_consent_or_assignment_cannot_decide(engine):
    greta = client_id(engine, "Greta")
    worker = actor(engine, "demo-worker")
    with write_session(engine) as session:
        budget = session.exec(select(Budget).where(Budget.client_id == greta)).one()
        lines = {code: line.id for line, code in session.exec(
            select(BudgetLine, ServiceType.code)
            .join(ServiceType, ServiceType.id == BudgetLine.service_type_id)
            .where(BudgetLine.budget_id == budget.id)).all()}
        # Greta has no e-identification: the request arrived another way (e.g. on paper).
        row = SwapRequest(budget_id=budget.id, client_id=greta, month=MONTH,
                          from_line_id=lines["home_care"], to_line_id=lines["cleaning"],
                          from_units=D(1), to_units=D("1.14"), amount_cents=3990,
                          status="pending", requested_by_person_id=worker.person_id)
        session.add(row)
        session.flush()
        greta_swap = row.id
    assert pending_swaps_for_worker(engine, worker, TODAY) == []  # no consent: not shown
    with pytest.raises(AccessDenied) as caught:
        decide_swap(engine, worker, greta_swap, True, "", TODAY)
    assert caught.value.reason == "no_consent"

    aino_swap = swap(engine, "demo-client", "Aino", "carers_leave", "gym_card", "1").swap_id
    for subject, reason in (("demo-worker-2", "not_assigned"), ("demo-client", "not_a_worker"),
                            ("demo-relative", "not_a_worker")):
        with pytest.raises(AccessDenied) as caught:
            decide_swap(engine, actor(engine, subject), aino_swap, True, "", TODAY)
        assert caught.value.reason == reason
    assert pending_swaps_for_worker(engine, actor(engine, "demo-worker-2"), TODAY) == []
    with pytest.raises(AccessDenied):
        pending_swaps_for_worker(engine, actor(engine, "demo-client"), TODAY)
    with read_session(engine) as session:
        assert session.get(SwapRequest, aino_swap).status == "pending"
