"""Concurrency at volume: many operations on one client's month at the same moment.

`run_volume` fires `operations` operations from a pool of threads (each with its own database
connections) at Aino's current and next month: swaps (by Aino and by her relative), cancellations
of earlier swaps, decision changes by her case worker (from next month, with the revision read
just before), and, when the provider side is merged, provider events (`EXTRA_KINDS`). Every
operation must either commit completely or be refused with a reason (a SwapError, DecisionError
or AccessDenied code); anything else (a deadlock, an integrity error) is a failure.
`ledger_problems` then checks the money: no line below zero without a recorded conflict, swaps
move money and never create it (a month's adjustments sum to zero, each swap's own adjustments
too), each committed operation left exactly one row and one audit entry.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import select

from hbapp.db import read_session
from hbapp.domain.ledger import add_months, month_start

# Kinds added by other parts of HB (provider events): name -> factory(world) -> operation.
EXTRA_KINDS: dict[str, Callable] = {}


@dataclass
class VolumeWorld:
    engine: object
    today: date
    client_id: int
    client_actor: object
    relative_actor: object
    worker_actor: object
    number: str
    months: tuple[date, date]


@dataclass
class VolumeResult:
    operations: int = 0
    committed: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _actor(engine, subject):
    from hbapp.models import Person
    from hbapp.services.access import load_actor

    with read_session(engine) as session:
        person = session.exec(select(Person).where(Person.oidc_subject == subject)).one()
        return load_actor(session, person.id)


def volume_world(engine, today: date | None = None) -> VolumeWorld:
    from hbapp.models import Budget, Client

    today = today or date.today()
    with read_session(engine) as session:
        aino = session.exec(select(Client).where(Client.first_name == "Aino")).one()
        number = session.exec(select(Budget.decision_reference)
                              .where(Budget.client_id == aino.id)).first()
    this = month_start(today)
    return VolumeWorld(engine, today, aino.id, _actor(engine, "demo-client"),
                       _actor(engine, "demo-relative"), _actor(engine, "demo-worker"),
                       number, (this, add_months(this, 1)))


def _swap(w: VolumeWorld, rng: random.Random):
    from hbapp.services.swaps import request_swap

    pair = rng.choice([("home_care", "cleaning"), ("cleaning", "home_care"),
                       ("carers_leave", "home_care")])
    who = rng.choice([w.client_actor, w.relative_actor])
    month = rng.choice(w.months)
    amount = Decimal(rng.choice([1, 1, 2, 3]))
    return lambda: ("swap", request_swap(w.engine, who, w.client_id, month, pair[0], pair[1],
                                         amount, w.today))


def _cancel(w: VolumeWorld, rng: random.Random):
    from hbapp.models import SwapRequest
    from hbapp.services.swaps import cancel_swap

    def run():
        with read_session(w.engine) as session:
            ids = session.exec(select(SwapRequest.id).where(
                SwapRequest.client_id == w.client_id,
                SwapRequest.status.in_(("applied", "pending", "approved")))).all()
        if not ids:
            return ("cancel", "nothing to cancel")
        who = rng.choice([w.client_actor, w.relative_actor])
        return ("cancel", cancel_swap(w.engine, who, rng.choice(ids), w.today))

    return run


def _change(w: VolumeWorld, rng: random.Random):
    from hbapp.services import decisions

    def run():
        view = decisions.worker_decisions(w.engine, w.worker_actor, w.client_id, w.today)
        decision = view.open_decision(w.today)
        if decision is None:
            return ("change", "no open decision")
        current = [v for v in decision.versions if v.status != "superseded"][-1]
        draft = decisions.draft_from_version(current, w.today, w.months[1],
                                             "Muutos tarpeen mukaan.")
        lines = tuple(
            replace(line, units=Decimal(rng.choice([18, 20, 22, 24])))
            if line.service_code == "home_care" else line for line in draft.lines)
        draft = replace(draft, lines=lines)
        return ("change", decisions.change(w.engine, w.worker_actor, w.client_id,
                                           decision.number,
                                           draft, view.revision, w.today))

    return run


KINDS = {"swap": (_swap, 5), "cancel": (_cancel, 2), "change": (_change, 2)}


def _reason(error: BaseException) -> str | None:
    """The refusal code of an expected refusal, None for anything else."""
    from hbapp.domain.decisions import DecisionError
    from hbapp.domain.swaps import SwapError
    from hbapp.services.access import AccessDenied

    if isinstance(error, (SwapError, DecisionError)):
        return error.code
    if isinstance(error, AccessDenied):
        return error.reason
    code = getattr(error, "code", None)
    if type(error).__name__ == "EventRefused" and code:
        return f"event: {code}"
    return None


def run_volume(engine, operations: int = 1000, threads: int = 16, seed: int = 17,
               today: date | None = None, kinds: dict[str, int] | None = None) -> VolumeResult:
    import time

    w = volume_world(engine, today)
    rng = random.Random(seed)
    available = dict(KINDS)
    for name, factory in EXTRA_KINDS.items():
        available[name] = (factory, 3)
    kinds = ({name: (available[name][0], weight) for name, weight in kinds.items()}
             if kinds else available)
    population = [name for name, (_, weight) in kinds.items() for _ in range(weight)]
    plan = [kinds[rng.choice(population)][0](w, random.Random(rng.random()))
            for _ in range(operations)]
    result = VolumeResult(operations=operations)
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def work(chunk):
        start.wait()
        for call in chunk:
            try:
                kind, _ = call()
                with lock:
                    result.committed[kind] += 1
            except Exception as error:  # noqa: BLE001 - classified below
                reason = _reason(error)
                with lock:
                    if reason is None:
                        result.failures.append(f"{type(error).__name__}: {error}"[:300])
                    else:
                        result.refused[reason] += 1

    began = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(work, [plan[i::threads] for i in range(threads)]))
    result.seconds = time.monotonic() - began
    result.problems = ledger_problems(w)
    return result


def ledger_problems(w: VolumeWorld) -> list[str]:
    from hbapp.models import (
        AuditLog,
        Client,
        DecisionConflict,
        LineAdjustment,
        SwapRequest,
    )
    from hbapp.services.budget import load_month

    problems = []
    with read_session(w.engine) as session:
        client = session.get(Client, w.client_id)
        swaps = session.exec(select(SwapRequest).where(
            SwapRequest.client_id == w.client_id)).all()
        for swap in swaps:
            rows = session.exec(select(LineAdjustment).where(
                LineAdjustment.swap_request_id == swap.id)).all()
            net = sum(r.delta_cents for r in rows)
            expected = {"applied": 2, "approved": 2, "pending": 0, "declined": 0}.get(swap.status)
            if net != 0:
                problems.append(f"swap {swap.id} created money: net {net}")
            if expected is not None and len(rows) != expected:
                problems.append(f"swap {swap.id} ({swap.status}) has {len(rows)} adjustments")
            if swap.status == "cancelled" and len(rows) not in (0, 4):
                problems.append(f"cancelled swap {swap.id} has {len(rows)} adjustments")
        for month in w.months:
            total = session.exec(select(func.coalesce(func.sum(LineAdjustment.delta_cents), 0))
                                 .where(LineAdjustment.month == month)).one()
            if int(total) != 0:
                problems.append(f"{month}: adjustments sum to {total}, not 0")
            loaded = load_month(session, client, month, w.today)
            if loaded is None:
                problems.append(f"{month}: no budget")
                continue
            conflicts = session.exec(select(func.count()).select_from(DecisionConflict).where(
                DecisionConflict.client_id == w.client_id, DecisionConflict.month == month)).one()
            for line in loaded.statement.lines:
                if line.remaining_cents < 0 and not conflicts:
                    problems.append(f"{month} {line.service_code}: remaining "
                                    f"{line.remaining_cents} without a recorded conflict")
                if line.value_cents < 0 and not conflicts:
                    problems.append(f"{month} {line.service_code}: value {line.value_cents}")
            if month == w.months[0] and loaded.statement.remaining_cents < 0:
                problems.append(f"{month}: over budget by {-loaded.statement.remaining_cents}")
        from hbapp.models import ServiceEvent

        if hasattr(ServiceEvent, "external_id"):
            doubled = session.exec(
                select(ServiceEvent.provider_id, ServiceEvent.external_id, func.count())
                .where(ServiceEvent.external_id.is_not(None))
                .group_by(ServiceEvent.provider_id, ServiceEvent.external_id)
                .having(func.count() > 1)).all()
            problems.extend(f"event {e} of provider {p} stored {n} times"
                            for p, e, n in doubled)
        audits = dict(session.exec(select(AuditLog.action, func.count()).where(
            AuditLog.subject_client_id == w.client_id).group_by(AuditLog.action)).all())
        if audits.get("swap_requested", 0) != len(swaps):
            problems.append(f"{len(swaps)} swaps but {audits.get('swap_requested', 0)} audited")
    return problems


def ledger_problems_all(engine, today: date) -> list[str]:
    """Money invariants of every client: swaps never create money (each swap's adjustments
    and each month's sum to zero) and no month of this year's budgets has a line below zero
    without a recorded conflict."""
    from hbapp.models import Client, DecisionConflict, LineAdjustment

    from hbapp.services.budget import load_month

    problems = []
    with read_session(engine) as session:
        for swap_id, net in session.exec(
                select(LineAdjustment.swap_request_id, func.sum(LineAdjustment.delta_cents))
                .group_by(LineAdjustment.swap_request_id)).all():
            if int(net) != 0:
                problems.append(f"swap {swap_id} created money: net {net}")
        month = month_start(today)
        for client in session.exec(select(Client)).all():
            loaded = load_month(session, client, month, today)
            if loaded is None:
                continue
            conflicts = session.exec(select(func.count()).select_from(DecisionConflict).where(
                DecisionConflict.client_id == client.id)).one()
            for line in loaded.statement.lines:
                if line.value_cents < 0 and not conflicts:
                    problems.append(f"client {client.id} {line.service_code}: value "
                                    f"{line.value_cents}")
    return problems


# ------------------------------------------------------------------ provider events (issue 14b)


def _provider_event(w: VolumeWorld, rng: random.Random):
    """Aino's home-care provider records a visit (sometimes one it sent before: the same
    external_id must come back as the first event, never a second row)."""
    from datetime import datetime, timedelta

    from hbapp.models import Voucher
    from hbapp.services.provider_events import EventInput, local_now, record_event

    with read_session(w.engine) as session:
        voucher = session.exec(select(Voucher).where(Voucher.client_id == w.client_id)
                               .order_by(Voucher.id)).first()
    if voucher is None:
        return lambda: ("provider event", "no voucher")
    now = local_now()
    start = datetime.combine(now.date() - timedelta(days=rng.randint(0, 3)),
                             datetime.min.time()).replace(hour=rng.randint(7, 15))
    if start > now - timedelta(hours=2):
        start = (now - timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    data = EventInput(voucher=voucher.code, service_code="home_care", start=start,
                      end=start + timedelta(minutes=rng.choice([30, 45, 60])),
                      external_id=f"vol-{rng.randint(0, 150)}")
    staff = _actor(w.engine, "demo-provider")
    return lambda: ("provider event", record_event(w.engine, provider_id=voucher.provider_id,
                                                   data=data, source="page", actor=staff))


def _register_provider_events() -> None:
    import importlib.util

    if importlib.util.find_spec("hbapp.services.provider_events") is not None:
        EXTRA_KINDS["provider event"] = _provider_event


_register_provider_events()
