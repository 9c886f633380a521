"""Swapping services within a client's budget: preview, request, cancel, case worker's decision.

Every write runs in ONE transaction that first locks the client's budget row (SELECT ... FOR
UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE in `write_session` already serializes writers),
then re-reads the balances inside the lock, validates with the pure rules of
`hbapp.domain.swaps`, writes, bumps `Budget.version` and the audit log. So a client and a
relative swapping at the same moment are served one after the other, and the second one sees
what the first one took.

A swap within the rulebook applies at once: a SwapRequest with status `applied` and two
LineAdjustment rows (−money from, +money to) in the month, which the ledger adds to the lines'
values (the budget is money; see `hbapp.domain.swaps`).
Otherwise the request is `pending`, changes nothing, and the case worker approves it (checked
again against the balances of that moment) or declines it with a reason.

Cancelling. A pending request can always be cancelled. An applied or approved swap can be
cancelled while its month is not over and while the money it added is not needed: after taking
it back, the to-line's remaining balance must not be negative (its use this month is covered
by what was granted without the swap). Cancelling writes
reversing adjustments (the history stays), never deletes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from hbapp.db import lock_row, write_session
from hbapp.domain.ledger import month_start
from hbapp.domain.rulebook import Rulebook, load_rulebook
from hbapp.domain.swaps import (
    LineState,
    MonthConversions,
    SwapError,
    SwapPreview,
    preview_swap,
    swappable_units,
)
from hbapp.domain.units import Unit
from hbapp.models import (
    Budget,
    BudgetLine,
    CaseWorkerAssignment,
    Client,
    LineAdjustment,
    Organizer,
    Person,
    ServiceType,
    SwapRequest,
    SwapStatus,
    utcnow,
)
from hbapp.services import audit, messages
from hbapp.services.access import AccessDenied, Actor, require_client_access, worker_serves
from hbapp.services.budget import BudgetMonth, ServiceNames, _budget_for_month, load_month

__all__ = [
    "RULEBOOK_DIR",
    "SwapChoice",
    "SwapOptions",
    "SwapOutcome",
    "SwapView",
    "cancel_swap",
    "decide_swap",
    "pending_swaps_for_worker",
    "preview_swap_for_client",
    "request_swap",
    "rulebook_for_organizer",
    "swap_options",
    "swaps_for_client",
]

RULEBOOK_DIR = Path(__file__).resolve().parent.parent / "rulebooks"
SETTLED = (SwapStatus.APPLIED.value, SwapStatus.APPROVED.value)


# --------------------------------------------------------------------------- rulebooks


@lru_cache(maxsize=16)
def _cached_rulebook(path: str, mtime_ns: int) -> Rulebook:
    return load_rulebook(path)


def rulebook_for_organizer(business_id: str) -> Rulebook | None:
    """The organizer's rulebook file `hbapp/rulebooks/<business id>.json`, validated."""
    path = RULEBOOK_DIR / f"{business_id}.json"
    if not path.exists():
        return None
    rulebook = _cached_rulebook(str(path), path.stat().st_mtime_ns)
    if rulebook.organizer_business_id != business_id:
        raise ValueError(f"{path.name} belongs to organizer {rulebook.organizer_business_id}")
    return rulebook


def _rulebook(session: Session, client: Client, override: Rulebook | None) -> Rulebook:
    if override is not None:
        return override
    organizer = session.get(Organizer, client.organizer_id)
    rulebook = rulebook_for_organizer(organizer.business_id)
    if rulebook is None:
        raise SwapError("no_rulebook", "from")
    return rulebook


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class SwapChoice:
    code: str
    names: ServiceNames
    unit: str
    unit_charge_cents: int  # what one unit takes from the budget (chosen provider's price)
    remaining_cents: int
    remaining_buys: Decimal  # what is left, in units (the budget page says the same)
    swappable_units: Decimal  # what may be swapped now: left, within the monthly minimum
    min_keep_units: Decimal
    targets: tuple[str, ...]  # codes this service may be converted into, in this budget


@dataclass(frozen=True)
class SwapOptions:
    client_name: str
    month: date
    rulebook_version: str
    services: dict[str, SwapChoice]  # every line of the month, by code
    sources: tuple[str, ...]  # codes that can be converted into something


@dataclass(frozen=True)
class SwapOutcome:
    swap_id: int
    status: str
    preview: SwapPreview


@dataclass(frozen=True)
class SwapView:
    swap_id: int
    client_id: int
    client_name: str
    month: date
    from_code: str
    from_names: ServiceNames
    from_unit: str
    from_units: Decimal  # as asked
    to_code: str
    to_names: ServiceNames
    to_unit: str
    to_units: Decimal  # what the moved money bought
    amount_cents: int  # moved
    requested_cents: int  # the value of what was asked; the difference stayed in the from-line
    status: str
    reason: str
    requested_by: str
    created_at: datetime
    decided_at: datetime | None
    can_cancel: bool
    decided_by: str = ""


# --------------------------------------------------------------------------- helpers


@dataclass
class _Month:
    budget: Budget
    ledger: BudgetMonth
    lines: dict[str, LineState]
    line_ids: dict[str, int]


def _closed(month: date, today: date) -> bool:
    return month_start(month) < month_start(today)


def _load(session: Session, client: Client, month: date, today: date, lock: bool) -> _Month:
    month = month_start(month)
    budget = _budget_for_month(session, client.id, month)
    if budget is None:
        raise SwapError("no_budget", "from")
    if lock:
        # The lock first, the balances after: what we read cannot change until we commit.
        # Every writer of a client's money locks the client row before anything else (a
        # decision change does too): a swap that locked the budget first and then waited
        # for the client row (the swap request's foreign key) deadlocked with a change that
        # held the client row and waited for the budget row.
        lock_row(session, Client, client.id)
        budget = session.exec(
            select(Budget).where(Budget.id == budget.id).with_for_update()
            .execution_options(populate_existing=True)
        ).one()
    ledger = load_month(session, client, month, today)
    lines, line_ids = {}, {}
    for balance in ledger.statement.lines:
        lines[balance.service_code] = LineState(
            code=balance.service_code,
            unit=Unit(balance.unit),
            unit_charge_cents=balance.unit_charge_cents,
            value_cents=balance.value_cents,
            used_cents=balance.used_cents,
        )
        line_ids[balance.service_code] = balance.line_id
    return _Month(budget, ledger, lines, line_ids)


def _converted(session: Session, budget_id: int, month: date, from_line: int, to_line: int,
               exclude_swap: int | None = None) -> MonthConversions:
    query = (
        select(SwapRequest.status, func.coalesce(func.sum(SwapRequest.amount_cents), 0))
        .where(
            SwapRequest.budget_id == budget_id,
            SwapRequest.month == month,
            SwapRequest.from_line_id == from_line,
            SwapRequest.to_line_id == to_line,
        )
        .group_by(SwapRequest.status)
    )
    if exclude_swap is not None:
        query = query.where(SwapRequest.id != exclude_swap)
    sums = {status: int(total) for status, total in session.exec(query).all()}
    return MonthConversions(
        settled_cents=sum(sums.get(s, 0) for s in SETTLED),
        pending_cents=sums.get(SwapStatus.PENDING.value, 0),
    )


def _preview_in(session: Session, month: _Month, rulebook: Rulebook, from_code: str,
                to_code: str, amount: Decimal, approving: bool = False,
                exclude_swap: int | None = None) -> SwapPreview:
    converted = MonthConversions()
    if from_code in month.line_ids and to_code in month.line_ids:
        converted = _converted(session, month.budget.id, month.ledger.month,
                               month.line_ids[from_code], month.line_ids[to_code], exclude_swap)
    return preview_swap(rulebook, month.lines, from_code, to_code, amount, converted, approving)


def _adjust(session: Session, swap: SwapRequest, moved_cents: int) -> None:
    """Move money: out of the from-line, into the to-line (negative to undo a swap)."""
    session.add(LineAdjustment(budget_line_id=swap.from_line_id, month=swap.month,
                               delta_cents=-moved_cents, swap_request_id=swap.id))
    session.add(LineAdjustment(budget_line_id=swap.to_line_id, month=swap.month,
                               delta_cents=moved_cents, swap_request_id=swap.id))


def _details(preview: SwapPreview) -> dict:
    return {
        "from": preview.from_code,
        "to": preview.to_code,
        "requested_units": str(preview.requested_units),
        "requested_cents": preview.requested_cents,
        "to_units": str(preview.to_units),
        "amount_cents": preview.moved_cents,
    }


def _stored(units: Decimal) -> Decimal:
    """Units as the database keeps them (3 decimals); hours of whole minutes read back the same."""
    return units.quantize(Decimal("0.001"))


def _client(session: Session, client_id: int) -> Client:
    client = session.get(Client, client_id)
    if client is None:
        raise AccessDenied("no_mandate")
    return client


# --------------------------------------------------------------------------- reading


def swap_options(engine: Engine, actor: Actor, client_id: int, month: date, today: date,
                 rulebook: Rulebook | None = None) -> SwapOptions | None:
    """The client's lines this month and what each may be swapped into. None: no budget."""
    with write_session(engine) as session:
        require_client_access(session, actor, client_id, "manage", today)
        client = _client(session, client_id)
        book = _rulebook(session, client, rulebook)
        try:
            loaded = _load(session, client, month, today, lock=False)
        except SwapError:
            return None
        audit.record(session, actor.person_id, "view_swap_options", client_id,
                     month=loaded.ledger.month.isoformat())
    services = {}
    for code, line in loaded.lines.items():
        view = loaded.ledger.lines[loaded.line_ids[code]]
        rule = book.services.get(code)
        targets = tuple(t for t in book.targets(code) if t in loaded.lines) if rule else ()
        services[code] = SwapChoice(
            code=code, names=view.names, unit=line.unit.value,
            unit_charge_cents=line.unit_charge_cents, remaining_cents=line.remaining_cents,
            remaining_buys=line.remaining_buys, swappable_units=swappable_units(book, line),
            min_keep_units=rule.min_keep_per_month if rule else Decimal(0), targets=targets,
        )
    sources = tuple(code for code, choice in services.items()
                    if choice.targets and choice.swappable_units > 0)
    return SwapOptions(client.full_name, loaded.ledger.month, book.version, services, sources)


def preview_swap_for_client(engine: Engine, actor: Actor, client_id: int, month: date,
                            from_code: str, to_code: str, amount: Decimal, today: date,
                            rulebook: Rulebook | None = None) -> SwapPreview:
    """What the swap would do now (nothing is written but the audit entry), or SwapError."""
    refusal: SwapError | None = None
    with write_session(engine) as session:
        require_client_access(session, actor, client_id, "manage", today)
        client = _client(session, client_id)
        audit.record(session, actor.person_id, "preview_swap", client_id,
                     month=month_start(month).isoformat(), requested_units=str(amount),
                     **{"from": from_code, "to": to_code})
        try:
            if _closed(month, today):
                raise SwapError("month_closed", "from")
            book = _rulebook(session, client, rulebook)
            loaded = _load(session, client, month, today, lock=False)
            preview = _preview_in(session, loaded, book, from_code, to_code, amount)
        except SwapError as error:
            refusal = error
    if refusal is not None:
        raise refusal
    return preview


def _swap_views(session: Session, swaps: list[SwapRequest], today: date) -> list[SwapView]:
    if not swaps:
        return []
    line_ids = {s.from_line_id for s in swaps} | {s.to_line_id for s in swaps}
    services = {
        line.id: service
        for line, service in session.exec(
            select(BudgetLine, ServiceType)
            .join(ServiceType, ServiceType.id == BudgetLine.service_type_id)
            .where(BudgetLine.id.in_(line_ids))
        ).all()
    }
    people = dict(session.exec(
        select(Person.id, Person.display_name)
        .where(Person.id.in_({s.requested_by_person_id for s in swaps}
                             | {s.decided_by_person_id for s in swaps
                                if s.decided_by_person_id is not None}))
    ).all())
    clients = {c.id: c for c in session.exec(
        select(Client).where(Client.id.in_({s.client_id for s in swaps}))).all()}
    months: dict[tuple[int, date], BudgetMonth | None] = {}
    views = []
    for swap in swaps:
        source, target = services[swap.from_line_id], services[swap.to_line_id]
        can_cancel = swap.status == SwapStatus.PENDING.value
        if swap.status in SETTLED and not _closed(swap.month, today):
            key = (swap.client_id, swap.month)
            if key not in months:
                months[key] = load_month(session, clients[swap.client_id], swap.month, today)
            ledger = months[key]
            balance = next((b for b in ledger.statement.lines if b.line_id == swap.to_line_id),
                           None) if ledger else None
            can_cancel = balance is not None and balance.remaining_cents >= swap.amount_cents
        views.append(SwapView(
            swap_id=swap.id, client_id=swap.client_id,
            client_name=clients[swap.client_id].full_name, month=swap.month,
            from_code=source.code,
            from_names=ServiceNames(source.name_fi, source.name_sv, source.name_en),
            from_unit=source.unit, from_units=Decimal(swap.from_units),
            to_code=target.code,
            to_names=ServiceNames(target.name_fi, target.name_sv, target.name_en),
            to_unit=target.unit, to_units=Decimal(swap.to_units),
            amount_cents=swap.amount_cents, requested_cents=swap.requested_cents,
            status=swap.status, reason=swap.reason,
            requested_by=people.get(swap.requested_by_person_id, ""),
            created_at=swap.created_at, decided_at=swap.decided_at, can_cancel=can_cancel,
            decided_by=people.get(swap.decided_by_person_id, "")
            if swap.decided_by_person_id is not None else "",
        ))
    return views


def swaps_for_client(engine: Engine, actor: Actor, client_id: int, today: date) -> list[SwapView]:
    """The client's swaps, newest first (anyone who may view the budget)."""
    with write_session(engine) as session:
        require_client_access(session, actor, client_id, "view", today)
        swaps = list(session.exec(
            select(SwapRequest).where(SwapRequest.client_id == client_id)
            .order_by(SwapRequest.created_at.desc(), SwapRequest.id.desc())
        ).all())
        audit.record(session, actor.person_id, "view_swaps", client_id)
        return _swap_views(session, swaps, today)


def pending_swaps_for_worker(engine: Engine, actor: Actor, today: date) -> list[SwapView]:
    """Pending requests of the worker's own clients who have given consent, oldest first."""
    with write_session(engine) as session:
        if not actor.is_worker:
            raise AccessDenied("not_a_worker", actor.person_id)
        swaps = session.exec(
            select(SwapRequest).join(Client, Client.id == SwapRequest.client_id)
            .where(SwapRequest.status == SwapStatus.PENDING.value,
                   Client.own_worker_id == actor.person_id)
            .order_by(SwapRequest.created_at, SwapRequest.id)
        ).all()
        # Assignment and consent are decided by the access rules, never by own_worker_id alone.
        allowed = {cid for cid in {s.client_id for s in swaps}
                   if worker_serves(session, actor.person_id, cid, today) == "ok"}
        shown = [s for s in swaps if s.client_id in allowed]
        for client_id in sorted(allowed):
            audit.record(session, actor.person_id, "view_pending_swaps", client_id)
        return _swap_views(session, shown, today)


DECIDED = (SwapStatus.APPROVED.value, SwapStatus.DECLINED.value)
HISTORY_LIMIT = 200


def decided_swaps_for_worker(engine: Engine, actor: Actor, today: date, decision: str = "",
                             client_id: int | None = None) -> list[SwapView]:
    """The history of decided (approved or declined) requests of the worker's own clients who
    have given consent, newest decision first; `decision` narrows it to one kind, `client_id`
    to one client. Each client shown is audited."""
    with write_session(engine) as session:
        if not actor.is_worker:
            raise AccessDenied("not_a_worker", actor.person_id)
        kinds = (decision,) if decision in DECIDED else DECIDED
        query = (
            select(SwapRequest).join(Client, Client.id == SwapRequest.client_id)
            .join(CaseWorkerAssignment, CaseWorkerAssignment.client_id == Client.id)
            .where(SwapRequest.status.in_(kinds),
                   CaseWorkerAssignment.worker_person_id == actor.person_id)
            .order_by(SwapRequest.decided_at.desc(), SwapRequest.id.desc())
        )
        if client_id is not None:
            query = query.where(SwapRequest.client_id == client_id)
        swaps = list({s.id: s for s in session.exec(query).all()}.values())
        # Assignment in force today and consent are decided by the access rules.
        allowed = {cid for cid in {s.client_id for s in swaps}
                   if worker_serves(session, actor.person_id, cid, today) == "ok"}
        shown = [s for s in swaps if s.client_id in allowed][:HISTORY_LIMIT]
        for cid in sorted({s.client_id for s in shown}):
            audit.record(session, actor.person_id, "view_decided_swaps", cid)
        return _swap_views(session, shown, today)


# --------------------------------------------------------------------------- writing


def request_swap(engine: Engine, actor: Actor, client_id: int, month: date, from_code: str,
                 to_code: str, amount: Decimal, today: date,
                 rulebook: Rulebook | None = None) -> SwapOutcome:
    """Swap now when the rules allow it, else send a request to the case worker.

    Raises AccessDenied, or SwapError (the refusal is recorded in the audit log too).
    """
    refusal: SwapError | None = None
    with write_session(engine) as session:
        require_client_access(session, actor, client_id, "manage", today)
        client = _client(session, client_id)
        try:
            if _closed(month, today):
                raise SwapError("month_closed", "from")
            book = _rulebook(session, client, rulebook)
            loaded = _load(session, client, month, today, lock=True)
            preview = _preview_in(session, loaded, book, from_code, to_code, amount)
        except SwapError as error:
            refusal = error
            audit.record(session, actor.person_id, "swap_refused", client_id,
                         month=month_start(month).isoformat(), code=error.code,
                         requested_units=str(amount), **{"from": from_code, "to": to_code})
        else:
            status = SwapStatus.PENDING if preview.needs_approval else SwapStatus.APPLIED
            swap = SwapRequest(
                budget_id=loaded.budget.id, client_id=client_id, month=loaded.ledger.month,
                from_line_id=loaded.line_ids[from_code], to_line_id=loaded.line_ids[to_code],
                from_units=preview.requested_units, to_units=_stored(preview.to_units),
                amount_cents=preview.moved_cents, requested_cents=preview.requested_cents,
                status=status.value,
                rulebook_version=book.version, requested_by_person_id=actor.person_id,
            )
            session.add(swap)
            session.flush()
            if status is SwapStatus.APPLIED:
                _adjust(session, swap, preview.moved_cents)
            loaded.budget.version += 1
            session.add(loaded.budget)
            audit.record(session, actor.person_id, "swap_requested", client_id,
                         swap_id=swap.id, status=status.value, month=swap.month.isoformat(),
                         rulebook_version=book.version, budget_version=loaded.budget.version,
                         **_details(preview))
            outcome = SwapOutcome(swap.id, status.value, preview)
    if refusal is not None:
        raise refusal
    return outcome


def _swap_row(session: Session, swap_id: int, actor: Actor) -> SwapRequest:
    swap = session.get(SwapRequest, swap_id)
    if swap is None:
        raise AccessDenied("not_found", actor.person_id)  # audited like any refusal
    return swap


def cancel_swap(engine: Engine, actor: Actor, swap_id: int, today: date,
                rulebook: Rulebook | None = None) -> SwapView:
    """Cancel a pending request, or an applied/approved swap whose units are not yet needed."""
    with write_session(engine) as session:
        swap = _swap_row(session, swap_id, actor)
        require_client_access(session, actor, swap.client_id, "manage", today)
        client = _client(session, swap.client_id)
        loaded = _load(session, client, swap.month, today, lock=True)
        session.refresh(swap)  # its status as of the lock, not as first read
        previous = swap.status
        if swap.status == SwapStatus.PENDING.value:
            pass
        elif swap.status in SETTLED:
            if _closed(swap.month, today):
                raise SwapError("month_closed", "swap")
            to_line = next((code for code, lid in loaded.line_ids.items()
                            if lid == swap.to_line_id), None)
            if to_line is None:
                # A decision change moved the month to a version without this swap's line (a
                # conflict the worker resolves): it cannot be undone here. Was a StopIteration.
                raise SwapError("not_cancellable", "swap")
            if loaded.lines[to_line].remaining_cents < swap.amount_cents:
                raise SwapError("already_used", "swap")
            _adjust(session, swap, -swap.amount_cents)
        else:
            raise SwapError("not_cancellable", "swap")
        swap.status = SwapStatus.CANCELLED.value
        session.add(swap)
        loaded.budget.version += 1
        session.add(loaded.budget)
        audit.record(session, actor.person_id, "swap_cancelled", swap.client_id,
                     swap_id=swap.id, previous_status=previous, month=swap.month.isoformat(),
                     budget_version=loaded.budget.version)
        session.flush()
        return _swap_views(session, [swap], today)[0]


def decide_swap(engine: Engine, actor: Actor, swap_id: int, approve: bool, reason: str,
                today: date, rulebook: Rulebook | None = None) -> SwapView:
    """The case worker approves (re-checked against the current balances) or declines."""
    reason = (reason or "").strip()
    refusal: SwapError | None = None
    with write_session(engine) as session:
        swap = _swap_row(session, swap_id, actor)
        require_client_access(session, actor, swap.client_id, "worker", today)
        client = _client(session, swap.client_id)
        if not approve and not reason:
            raise SwapError("reason_required", "reason")
        if len(reason) > 1000:
            raise SwapError("reason_too_long", "reason")
        loaded = _load(session, client, swap.month, today, lock=True)
        session.refresh(swap)
        if swap.status != SwapStatus.PENDING.value:
            raise SwapError("not_pending", "swap")
        codes = {lid: code for code, lid in loaded.line_ids.items()}
        if approve:
            try:
                if _closed(swap.month, today):
                    raise SwapError("month_closed", "swap")
                book = _rulebook(session, client, rulebook)
                preview = _preview_in(session, loaded, book, codes[swap.from_line_id],
                                      codes[swap.to_line_id], Decimal(swap.from_units),
                                      approving=True, exclude_swap=swap.id)
            except SwapError as error:
                refusal = error
                audit.record(session, actor.person_id, "swap_approval_refused", swap.client_id,
                             swap_id=swap.id, code=error.code)
            else:
                swap.to_units = _stored(preview.to_units)
                swap.amount_cents = preview.moved_cents
                swap.requested_cents = preview.requested_cents
                swap.rulebook_version = book.version
                swap.status = SwapStatus.APPROVED.value
                _adjust(session, swap, preview.moved_cents)
        else:
            swap.status = SwapStatus.DECLINED.value
        if refusal is None:
            swap.reason = reason
            swap.decided_by_person_id = actor.person_id
            swap.decided_at = utcnow()
            session.add(swap)
            loaded.budget.version += 1
            session.add(loaded.budget)
            audit.record(session, actor.person_id, "swap_decided", swap.client_id,
                         swap_id=swap.id, status=swap.status, reason=reason,
                         budget_version=loaded.budget.version)
            # The requester and the client (and whoever manages the client's swaps) hear of it.
            messages.notify(
                session, [swap.requested_by_person_id,
                          *messages.client_and_agents(session, swap.client_id, "manage", today)],
                "swap_approved" if swap.status == SwapStatus.APPROVED.value else "swap_declined",
                subject_client_id=swap.client_id, link="/swap", month=swap.month)
            session.flush()
            view = _swap_views(session, [swap], today)[0]
    if refusal is not None:
        raise refusal
    return view
