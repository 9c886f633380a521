"""One client's whole picture for their case worker: budget, providers, mandates, surveys, swaps.

Shown only with the `worker` access (current assignment AND consent); every view is audited as
`worker_view_client`. A worker assigned to a client without consent learns only the name, so that
they can ask for consent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, or_, select

from hbapp.db import read_session, write_session
from hbapp.domain.alerts import Alert, ClientFacts, OpenSurvey, ScoredResponse, client_alerts
from hbapp.models import (
    BudgetLine,
    Client,
    Feedback,
    Mandate,
    MandateStatus,
    Person,
    Provider,
    ProviderChoice,
    ServiceType,
    SurveyAssignment,
    SurveyResponse,
    SwapRequest,
    SwapStatus,
)
from hbapp.services import audit
from hbapp.services.access import Actor, require_client_access, worker_serves
from hbapp.services.budget import BudgetMonth, ServiceNames, load_month


@dataclass(frozen=True)
class ChosenProvider:
    service: ServiceNames
    provider_name: str
    chosen_at: datetime


@dataclass(frozen=True)
class MandateView:
    agent_name: str
    relation: str
    scopes: tuple[str, ...]
    source: str
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class SurveyRecord:
    id: int
    instrument_id: str
    timepoint: str
    submitted_at: datetime
    proxy_reported: bool
    answered_by: str
    answers: dict
    scores: dict


@dataclass(frozen=True)
class OpenAssignment:
    instrument_id: str
    timepoint: str
    due_on: date
    overdue: bool


@dataclass(frozen=True)
class PendingSwap:
    id: int
    month: date
    from_service: ServiceNames
    from_unit: str
    from_units: object
    to_service: ServiceNames
    to_unit: str
    to_units: object
    amount_cents: int
    requested_by: str
    created_at: datetime


@dataclass(frozen=True)
class ClientOverview:
    client_id: int
    name: str
    language: str
    budget: BudgetMonth | None
    providers: tuple[ChosenProvider, ...]
    mandates: tuple[MandateView, ...]
    surveys: tuple[SurveyRecord, ...]  # oldest first
    open_surveys: tuple[OpenAssignment, ...]
    pending_swaps: tuple[PendingSwap, ...]
    open_flags: int
    alerts: tuple[Alert, ...]


def assigned_client_name(engine: Engine, actor: Actor, client_id: int, today: date) -> str | None:
    """The client's name for a worker assigned to them (also without consent), else None."""
    if not actor.is_worker:
        return None
    with read_session(engine) as session:
        if worker_serves(session, actor.person_id, client_id, today) == "not_assigned":
            return None
        client = session.get(Client, client_id)
        return client.full_name if client else None


def _service_names(service: ServiceType) -> ServiceNames:
    return ServiceNames(service.name_fi, service.name_sv, service.name_en)


def _providers(session: Session, client_id: int) -> tuple[ChosenProvider, ...]:
    rows = session.exec(
        select(ProviderChoice, ServiceType, Provider)
        .join(ServiceType, ServiceType.id == ProviderChoice.service_type_id)
        .join(Provider, Provider.id == ProviderChoice.provider_id)
        .where(ProviderChoice.client_id == client_id, ProviderChoice.ended_at.is_(None))
        .order_by(ServiceType.sort_order, ServiceType.code)
    ).all()
    return tuple(ChosenProvider(_service_names(s), p.name, c.chosen_at) for c, s, p in rows)


def _mandates(session: Session, client_id: int, today: date) -> tuple[MandateView, ...]:
    rows = session.exec(
        select(Mandate, Person)
        .join(Person, Person.id == Mandate.agent_person_id)
        .where(
            Mandate.client_id == client_id,
            Mandate.status == MandateStatus.ACTIVE.value,
            Mandate.valid_from <= today,
            or_(Mandate.valid_to.is_(None), Mandate.valid_to >= today),
        )
        .order_by(Person.display_name)
    ).all()
    return tuple(
        MandateView(p.display_name, m.relation, tuple(s for s in m.scopes.split(",") if s),
                    m.source, m.valid_from, m.valid_to)
        for m, p in rows
    )


def _surveys(session: Session, client_id: int) -> tuple[SurveyRecord, ...]:
    rows = session.exec(
        select(SurveyResponse, SurveyAssignment.timepoint, Person.display_name)
        .outerjoin(SurveyAssignment, SurveyAssignment.id == SurveyResponse.assignment_id)
        .join(Person, Person.id == SurveyResponse.answered_by_person_id)
        .where(SurveyResponse.client_id == client_id)
        .order_by(SurveyResponse.submitted_at, SurveyResponse.id)
    ).all()
    return tuple(
        SurveyRecord(r.id, r.instrument_id, timepoint or "other", r.submitted_at,
                     r.proxy_reported, name, json.loads(r.answers), json.loads(r.scores))
        for r, timepoint, name in rows
    )


def _open_surveys(session: Session, client_id: int, today: date) -> tuple[OpenAssignment, ...]:
    rows = session.exec(
        select(SurveyAssignment)
        .where(
            SurveyAssignment.client_id == client_id,
            SurveyAssignment.completed_at.is_(None),
            SurveyAssignment.cancelled_at.is_(None),
        )
        .order_by(SurveyAssignment.due_on)
    ).all()
    return tuple(OpenAssignment(r.instrument_id, r.timepoint, r.due_on, r.due_on < today)
                 for r in rows)


def _pending_swaps(session: Session, client_id: int) -> tuple[PendingSwap, ...]:
    from_line, to_line = aliased(BudgetLine), aliased(BudgetLine)
    from_type, to_type = aliased(ServiceType), aliased(ServiceType)
    rows = session.exec(
        select(SwapRequest, from_type, to_type, Person.display_name)
        .join(from_line, from_line.id == SwapRequest.from_line_id)
        .join(from_type, from_type.id == from_line.service_type_id)
        .join(to_line, to_line.id == SwapRequest.to_line_id)
        .join(to_type, to_type.id == to_line.service_type_id)
        .join(Person, Person.id == SwapRequest.requested_by_person_id)
        .where(SwapRequest.client_id == client_id,
               SwapRequest.status == SwapStatus.PENDING.value)
        .order_by(SwapRequest.created_at)
    ).all()
    return tuple(
        PendingSwap(s.id, s.month, _service_names(f), f.unit, s.from_units, _service_names(t),
                    t.unit, s.to_units, s.amount_cents, name, s.created_at)
        for s, f, t, name in rows
    )


def client_overview(engine: Engine, actor: Actor, client_id: int, today: date) -> ClientOverview:
    """The case worker's view of one client. Raises AccessDenied('not_a_worker',
    'not_assigned' or 'no_consent'); records `worker_view_client` in the audit log."""
    with write_session(engine) as session:
        require_client_access(session, actor, client_id, "worker", today)
        client = session.get(Client, client_id)
        budget = load_month(session, client, today, today)
        surveys = _surveys(session, client_id)
        open_surveys = _open_surveys(session, client_id, today)
        swaps = _pending_swaps(session, client_id)
        open_flags = len(session.exec(
            select(Feedback.id).where(Feedback.client_id == client_id,
                                      Feedback.flag.is_not(None),
                                      Feedback.flag_handled_at.is_(None))
        ).all())
        facts = ClientFacts(
            responses=tuple(ScoredResponse(s.instrument_id, s.submitted_at, s.scores)
                            for s in surveys),
            surveys=tuple(OpenSurvey(o.due_on) for o in open_surveys),
            open_flags=open_flags,
            pending_swaps=len(swaps),
            budget_cents=budget.statement.budget_cents if budget else None,
            projected_used_cents=budget.statement.projected_used_cents if budget else None,
        )
        overview = ClientOverview(
            client_id=client.id,
            name=client.full_name,
            language=client.language,
            budget=budget,
            providers=_providers(session, client_id),
            mandates=_mandates(session, client_id, today),
            surveys=surveys,
            open_surveys=open_surveys,
            pending_swaps=swaps,
            open_flags=open_flags,
            alerts=tuple(client_alerts(facts, today)),
        )
        audit.record(session, actor.person_id, "worker_view_client", client_id,
                     month=today.replace(day=1).isoformat())
        return overview
