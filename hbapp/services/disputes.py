"""Disputes: a problem the client reports with one service event, decided by the case worker.

- The client, or a proxy with the `manage` scope, reports a problem with one of the client's
  recorded events ("did not happen", "wrong time or length", "other", with a comment). One
  open dispute per event (a partial unique index backs the check under concurrency).
- The provider's staff see the disputes about their own events (client's name and voucher,
  never the identity code); the client's case worker (assigned, with consent) sees and decides.
- Upheld: the event is cancelled (`cancelled`, `cancel_reason` names the dispute), so it no
  longer takes from the budget. If its month was already settled, the settlement stays as it
  is and the next settlement credits the event (`hbapp.services.settlements`, issue 15a:
  closing a month includes events of settled months cancelled after their close as credit
  rows). Rejected: the event stays; an explanation is required.
- Every step is one transaction, audited (`dispute_opened`, `dispute_decided`, views), and
  sends messages (`hbapp.services.messages`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, or_, select

from hbapp.db import read_session, write_session
from hbapp.domain.ledger import add_months, month_start
from hbapp.models import (
    Budget,
    CaseWorkerAssignment,
    Client,
    Dispute,
    DisputeReason,
    DisputeStatus,
    EventStatus,
    Provider,
    ProviderStaff,
    ServiceEvent,
    ServiceType,
    Voucher,
    utcnow,
)
from hbapp.services import audit, messages
from hbapp.services.access import AccessDenied, Actor, consented_clients, require_client_access
from hbapp.services.budget import BudgetMonth, ServiceNames, _budget_for_month, \
    month_in_session
from hbapp.services.provider_access import require_staff

REASONS = tuple(r.value for r in DisputeReason)
MAX_TEXT = 2000
# Events older than this cannot be disputed any more (about two settlement rounds).
MAX_AGE_DAYS = 120


class DisputeError(Exception):
    """A dispute that cannot be opened or decided as asked. `code` is stable; `field` names
    the input at fault."""

    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.field = field


@dataclass(frozen=True)
class EventSummary:
    id: int
    client_id: int
    started_at: datetime
    ended_at: datetime | None
    service: ServiceNames
    unit: str
    units: object
    provider_name: str
    amount_cents: int
    status: str


@dataclass(frozen=True)
class DisputeView:
    id: int
    event: EventSummary
    client_id: int
    client_name: str
    voucher: str
    reason: str
    comment: str
    status: str
    opened_at: datetime
    decided_at: datetime | None
    explanation: str


def _names(service: ServiceType) -> ServiceNames:
    return ServiceNames(service.name_fi, service.name_sv, service.name_en)


def _summary(event: ServiceEvent, service: ServiceType, provider_name: str) -> EventSummary:
    return EventSummary(event.id, event.client_id, event.started_at, event.ended_at,
                        _names(service), service.unit, event.units, provider_name,
                        event.amount_cents + event.km_compensation_cents, event.status)


def _event_summary(session: Session, event: ServiceEvent) -> EventSummary:
    service = session.get(ServiceType, event.service_type_id)
    provider = session.get(Provider, event.provider_id)
    return _summary(event, service, provider.name)


def _checked_text(value: str, required: bool, field: str) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise DisputeError("bad_text", field)
    if required and not value:
        raise DisputeError(f"{field}_missing", field)
    if len(value) > MAX_TEXT:
        raise DisputeError(f"{field}_too_long", field)
    return value


def check_reason(reason: str) -> str:
    if reason not in REASONS:
        raise DisputeError("reason_missing", "reason")
    return reason


def check_comment(reason: str, comment: str) -> str:
    """A comment is required with "other" (nothing else says what is wrong)."""
    return _checked_text(comment, reason == DisputeReason.OTHER.value, "comment")


def _disputable_event(session: Session, actor: Actor, client_id: int, event_id: int,
                      today: date, lock: bool) -> ServiceEvent:
    require_client_access(session, actor, client_id, "manage", today)
    query = select(ServiceEvent).where(ServiceEvent.id == event_id)
    if lock:
        query = query.with_for_update()
    event = session.exec(query).first()
    if event is None or event.client_id != client_id:
        # Another client's event is refused like a missing one: nothing about it is told.
        raise AccessDenied("not_clients_event", actor.person_id, client_id)
    if event.status != EventStatus.RECORDED.value:
        raise DisputeError("not_disputable", "event")
    if (today - event.started_at.date()).days > MAX_AGE_DAYS:
        raise DisputeError("too_old", "event")
    if event.started_at.date() > today:
        raise DisputeError("not_disputable", "event")
    open_one = session.exec(select(Dispute.id).where(
        Dispute.event_id == event.id, Dispute.status == DisputeStatus.OPEN.value)).first()
    if open_one is not None:
        raise DisputeError("already_open", "event")
    return event


def dispute_target(engine: Engine, actor: Actor, client_id: int, event_id: int,
                   today: date) -> EventSummary:
    """The event a dispute is about, when the actor may report a problem with it now."""
    with read_session(engine) as session:
        event = _disputable_event(session, actor, client_id, event_id, today, lock=False)
        return _event_summary(session, event)


def _case_workers(session: Session, client_id: int, today: date) -> list[int]:
    return list(session.exec(select(CaseWorkerAssignment.worker_person_id).where(
        CaseWorkerAssignment.client_id == client_id,
        CaseWorkerAssignment.starts_on <= today,
        or_(CaseWorkerAssignment.ends_on.is_(None), CaseWorkerAssignment.ends_on >= today),
    ).order_by(CaseWorkerAssignment.id)).all())


def _staff(session: Session, provider_id: int) -> list[int]:
    return list(session.exec(select(ProviderStaff.person_id).where(
        ProviderStaff.provider_id == provider_id).order_by(ProviderStaff.person_id)).all())


def _message_params(session: Session, event: ServiceEvent) -> dict:
    service = session.get(ServiceType, event.service_type_id)
    return {"event_date": event.started_at.date(),
            "service": {"fi": service.name_fi, "sv": service.name_sv, "en": service.name_en}}


def open_dispute(engine: Engine, actor: Actor, client_id: int, event_id: int, reason: str,
                 comment: str, today: date) -> int:
    """Report a problem with one event. Returns the dispute's id."""
    reason = check_reason(reason)
    comment = check_comment(reason, comment)
    try:
        with write_session(engine) as session:
            _lock_client(session, client_id)
            event = _disputable_event(session, actor, client_id, event_id, today, lock=True)
            dispute = Dispute(event_id=event.id, client_id=client_id,
                              provider_id=event.provider_id, opened_by_person_id=actor.person_id,
                              reason=reason, comment=comment)
            session.add(dispute)
            session.flush()
            audit.record(session, actor.person_id, "dispute_opened", client_id,
                         dispute_id=dispute.id, event_id=event.id, reason=reason,
                         provider_id=event.provider_id)
            params = _message_params(session, event)
            messages.notify(session, _case_workers(session, client_id, today), "dispute_opened",
                            subject_client_id=client_id, link="/worker/disputes", **params)
            messages.notify(session, _staff(session, event.provider_id), "dispute_opened",
                            link="/provider/disputes", **params)
            return dispute.id
    except sa.exc.IntegrityError:
        # Two reports of the same event at once: the partial unique index let one in.
        raise DisputeError("already_open", "event") from None


def _lock_client(session: Session, client_id: int) -> None:
    """Serialize writers of one client. FOR NO KEY UPDATE, as the other writers of a client's
    money do: it does not block the foreign-key checks of rows that refer to the client."""
    session.exec(select(Client.id).where(Client.id == client_id)
                 .with_for_update(key_share=True)).first()


def _lock_money(session: Session, client_id: int, month: date) -> Budget | None:
    _lock_client(session, client_id)
    budget = _budget_for_month(session, client_id, month)
    if budget is None:
        return None
    return session.exec(select(Budget).where(Budget.id == budget.id).with_for_update()
                        .execution_options(populate_existing=True)).one()


def _views(session: Session, rows) -> list[DisputeView]:
    result = []
    for dispute, event, service, provider_name, client in rows:
        voucher = session.get(Voucher, event.voucher_id) if event.voucher_id else None
        result.append(DisputeView(
            dispute.id, _summary(event, service, provider_name), client.id, client.full_name,
            voucher.code if voucher else "", dispute.reason, dispute.comment, dispute.status,
            dispute.opened_at, dispute.decided_at, dispute.explanation))
    return result


def _select():
    return (select(Dispute, ServiceEvent, ServiceType, Provider.name, Client)
            .join(ServiceEvent, ServiceEvent.id == Dispute.event_id)
            .join(ServiceType, ServiceType.id == ServiceEvent.service_type_id)
            .join(Provider, Provider.id == Dispute.provider_id)
            .join(Client, Client.id == Dispute.client_id))


def client_disputes(engine: Engine, actor: Actor, client_id: int, month: date,
                    today: date) -> list[DisputeView]:
    """The client's disputes about events of `month` (for the budget page), newest first."""
    with read_session(engine) as session:
        require_client_access(session, actor, client_id, "view", today)
        return _month_disputes(session, client_id, month)


def budget_month_with_disputes(engine: Engine, actor: Actor, client_id: int, month: date,
                               today: date, action: str
                               ) -> tuple[BudgetMonth | None, list[DisputeView]]:
    """`budget.budget_month` and the month's disputes in its one transaction and access check
    (the budget page's every month change; a second transaction cost as much as the month)."""
    with write_session(engine) as session:
        result = month_in_session(session, actor, client_id, month, today, action)
        return result, _month_disputes(session, client_id, month) if result else []


def _month_disputes(session: Session, client_id: int, month: date) -> list[DisputeView]:
    # Most clients never dispute: one probe of the client's index instead of a join that
    # walks the month's events.
    if session.exec(select(Dispute.id).where(Dispute.client_id == client_id).limit(1)).first() \
            is None:
        return []
    start = month_start(month)
    rows = session.exec(_select().where(
        Dispute.client_id == client_id,
        ServiceEvent.started_at >= datetime.combine(start, datetime.min.time()),
        ServiceEvent.started_at < datetime.combine(add_months(start, 1), datetime.min.time()),
    ).order_by(Dispute.opened_at.desc(), Dispute.id.desc())).all()
    return _views(session, rows)


def _served_clients(worker_id: int, today: date):
    return (select(CaseWorkerAssignment.client_id).where(
        CaseWorkerAssignment.worker_person_id == worker_id,
        CaseWorkerAssignment.starts_on <= today,
        or_(CaseWorkerAssignment.ends_on.is_(None), CaseWorkerAssignment.ends_on >= today),
        CaseWorkerAssignment.client_id.in_(consented_clients(today)),
    ))


def worker_disputes(engine: Engine, actor: Actor, today: date,
                    decided_days: int = 30) -> list[DisputeView]:
    """Open disputes of the clients the worker serves (assigned, with consent), oldest first,
    then those decided in the last `decided_days` days, newest first. Each client's data
    shown is audited."""
    if not actor.is_worker:
        raise AccessDenied("not_a_worker", actor.person_id)
    with write_session(engine) as session:
        served = _served_clients(actor.person_id, today)
        open_rows = session.exec(_select().where(
            Dispute.client_id.in_(served), Dispute.status == DisputeStatus.OPEN.value,
        ).order_by(Dispute.opened_at, Dispute.id)).all()
        cutoff = datetime.combine(today, datetime.min.time()) - timedelta(days=decided_days)
        decided_rows = session.exec(_select().where(
            Dispute.client_id.in_(served), Dispute.status != DisputeStatus.OPEN.value,
            Dispute.decided_at >= cutoff,
        ).order_by(Dispute.decided_at.desc(), Dispute.id.desc())).all()
        views = _views(session, [*open_rows, *decided_rows])
        for client_id in sorted({v.client_id for v in views}):
            audit.record(session, actor.person_id, "view_disputes", client_id,
                         disputes=[v.id for v in views if v.client_id == client_id])
        return views


def open_dispute_count(engine: Engine, actor: Actor, today: date) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count(Dispute.id)).where(
            Dispute.client_id.in_(_served_clients(actor.person_id, today)),
            Dispute.status == DisputeStatus.OPEN.value)).one()


def month_is_settled(session: Session, provider_id: int, month: date) -> bool:
    """Whether the month of an event was already settled for its provider. Settlements come
    with issue 15a (`hbapp.services.settlements.month_is_settled`); until that module exists
    no month is settled."""
    try:
        from hbapp.services import settlements  # type: ignore[attr-defined]
    except ImportError:
        return False
    check = getattr(settlements, "month_is_settled", None)
    if check is None:
        return False
    try:
        return bool(check(session, provider_id, month))
    except TypeError:  # an older or newer signature: (session, month)
        return bool(check(session, month))


def decide_dispute(engine: Engine, actor: Actor, dispute_id: int, uphold: bool,
                   explanation: str, today: date) -> DisputeView:
    """The client's case worker upholds (the event is cancelled) or rejects (kept; an
    explanation is required) an open dispute."""
    explanation = _checked_text(explanation, not uphold, "explanation")
    with write_session(engine) as session:
        found = session.get(Dispute, dispute_id)
        if found is None:
            raise AccessDenied("no_such_dispute", actor.person_id)
        require_client_access(session, actor, found.client_id, "worker", today)
        started = session.get(ServiceEvent, found.event_id).started_at
        month = month_start(started.date())
        # The order every writer of a client's money keeps (decisions, swaps, provider
        # events): the client, then the month's budget, then the rows themselves.
        budget = _lock_money(session, found.client_id, month)
        dispute = session.exec(select(Dispute).where(Dispute.id == dispute_id)
                               .with_for_update()
                               .execution_options(populate_existing=True)).one()
        if dispute.status != DisputeStatus.OPEN.value:
            raise DisputeError("already_decided", "dispute")
        event = session.exec(select(ServiceEvent).where(ServiceEvent.id == dispute.event_id)
                             .with_for_update()
                             .execution_options(populate_existing=True)).one()
        now = utcnow()
        settled = False
        if uphold:
            dispute.status = DisputeStatus.UPHELD.value
            if event.status in (EventStatus.RECORDED.value, EventStatus.NEEDS_REVIEW.value):
                # A settled month is never changed: the next settlement credits the event.
                settled = month_is_settled(session, event.provider_id, month)
                counted = event.status == EventStatus.RECORDED.value
                event.status = EventStatus.CANCELLED.value
                event.cancelled_at = now
                event.cancelled_by_person_id = actor.person_id
                event.cancel_reason = f"dispute {dispute.id}: {dispute.reason}"
                session.add(event)
                if counted and budget is not None:
                    budget.version += 1  # the budget's money changed
                    session.add(budget)
        else:
            dispute.status = DisputeStatus.REJECTED.value
        dispute.decided_by_person_id = actor.person_id
        dispute.decided_at = now
        dispute.explanation = explanation
        session.add(dispute)
        audit.record(session, actor.person_id, "dispute_decided", dispute.client_id,
                     dispute_id=dispute.id, event_id=event.id, status=dispute.status,
                     explanation=explanation, event_status=event.status,
                     credit_in_next_settlement=settled)
        messages.notify(
            session, messages.client_and_agents(session, dispute.client_id, "view", today),
            "dispute_upheld" if uphold else "dispute_rejected",
            subject_client_id=dispute.client_id, link=f"/budget?month={month:%Y-%m}",
            **_message_params(session, event))
        session.flush()
        client = session.get(Client, dispute.client_id)
        service = session.get(ServiceType, event.service_type_id)
        provider = session.get(Provider, event.provider_id)
        return _views(session, [(dispute, event, service, provider.name, client)])[0]


def provider_disputes(engine: Engine, actor: Actor, provider_id: int) -> list[DisputeView]:
    """The disputes about one provider's events, for its staff (read-only), newest first."""
    with write_session(engine) as session:
        require_staff(session, actor, provider_id)
        rows = session.exec(_select().where(Dispute.provider_id == provider_id)
                            .order_by(Dispute.opened_at.desc(), Dispute.id.desc())
                            .limit(500)).all()
        views = _views(session, rows)
        for client_id in sorted({v.client_id for v in views}):
            audit.record(session, actor.person_id, "provider_view_disputes", client_id,
                         provider_id=provider_id)
        return views


def open_disputes_by_event(session: Session, client_id: int, event_ids: list[int]) -> set[int]:
    if not event_ids:
        return set()
    return set(session.exec(select(Dispute.event_id).where(
        Dispute.client_id == client_id, Dispute.event_id.in_(event_ids),
        Dispute.status == DisputeStatus.OPEN.value)).all())
