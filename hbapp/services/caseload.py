"""The case worker's caseload: own clients (current assignment), each with its alerts.

Clients without consent are listed by name only: no data is read for them and no alert is
computed. The survey, flag and swap queries run once per caseload (not once per client); the
budget forecast reuses `load_month` per client, which keeps the ledger's rules in one place.
Every client whose data is shown gets an audit entry.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, or_, select

from hbapp.db import write_session
from hbapp.domain.alerts import (
    ALERT_TYPES,
    SORT_KEYS,
    Alert,
    CaseloadRow,
    ClientFacts,
    OpenSurvey,
    ScoredResponse,
    client_alerts,
    count_by_type,
    filter_rows,
    SEARCH_MAX,
    caseload_matches,
    sort_rows,
)
from hbapp.models import (
    CaseWorkerAssignment,
    Client,
    Dispute,
    DisputeStatus,
    Feedback,
    SurveyAssignment,
    SurveyResponse,
    SwapRequest,
    SwapStatus,
)
from hbapp.services import audit
from hbapp.services.access import AccessDenied, Actor, consented_clients
from hbapp.services.budget import BudgetMonth, load_month

ALERT_INSTRUMENTS = ("promis10", "whoqol-bref")


@dataclass(frozen=True)
class CaseloadEntry:
    client_id: int
    first_name: str
    last_name: str
    consent: bool
    alerts: tuple[Alert, ...]
    budget_cents: int | None
    used_cents: int | None
    projected_used_cents: int | None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def projected_share(self) -> Fraction | None:
        if not self.budget_cents or self.projected_used_cents is None:
            return None
        return Fraction(self.projected_used_cents, self.budget_cents)


@dataclass(frozen=True)
class Caseload:
    entries: tuple[CaseloadEntry, ...]  # sorted and filtered as asked
    total: int  # clients in the caseload before filtering
    counts: dict[str, int]  # clients per alert type, over the whole caseload
    sort: str
    alert_filter: str
    search: str = ""


def _assigned_clients(session: Session, worker_id: int, today: date) -> list[tuple[Client, bool]]:
    consented = consented_clients(today).distinct().subquery()
    rows = session.exec(
        select(Client, consented.c.client_id)
        .join(CaseWorkerAssignment, CaseWorkerAssignment.client_id == Client.id)
        .outerjoin(consented, consented.c.client_id == Client.id)
        .where(
            CaseWorkerAssignment.worker_person_id == worker_id,
            CaseWorkerAssignment.starts_on <= today,
            or_(CaseWorkerAssignment.ends_on.is_(None), CaseWorkerAssignment.ends_on >= today),
        )
        .order_by(Client.last_name, Client.first_name, Client.id)
    ).all()
    seen: dict[int, tuple[Client, bool]] = {}
    for client, consent_id in rows:
        seen[client.id] = (client, consent_id is not None)
    return list(seen.values())


def _facts(
    session: Session, clients: list[Client], today: date
) -> dict[int, tuple[ClientFacts, BudgetMonth | None]]:
    ids = [c.id for c in clients]
    if not ids:
        return {}
    responses: dict[int, list[ScoredResponse]] = defaultdict(list)
    for client_id, instrument_id, submitted_at, scores in session.exec(
        select(
            SurveyResponse.client_id,
            SurveyResponse.instrument_id,
            SurveyResponse.submitted_at,
            SurveyResponse.scores,
        ).where(
            SurveyResponse.client_id.in_(ids), SurveyResponse.instrument_id.in_(ALERT_INSTRUMENTS)
        )
    ).all():
        responses[client_id].append(ScoredResponse(instrument_id, submitted_at, json.loads(scores)))
    surveys: dict[int, list[OpenSurvey]] = defaultdict(list)
    for client_id, due_on in session.exec(
        select(SurveyAssignment.client_id, SurveyAssignment.due_on).where(
            SurveyAssignment.client_id.in_(ids),
            SurveyAssignment.completed_at.is_(None),
            SurveyAssignment.cancelled_at.is_(None),
            SurveyAssignment.due_on < today,
        )
    ).all():
        surveys[client_id].append(OpenSurvey(due_on))
    flags = dict(
        session.exec(
            select(Feedback.client_id, func.count(Feedback.id))
            .where(
                Feedback.client_id.in_(ids),
                Feedback.flag.is_not(None),
                Feedback.flag_handled_at.is_(None),
            )
            .group_by(Feedback.client_id)
        ).all()
    )
    swaps = dict(
        session.exec(
            select(SwapRequest.client_id, func.count(SwapRequest.id))
            .where(SwapRequest.client_id.in_(ids), SwapRequest.status == SwapStatus.PENDING.value)
            .group_by(SwapRequest.client_id)
        ).all()
    )
    disputes = dict(
        session.exec(
            select(Dispute.client_id, func.count(Dispute.id))
            .where(Dispute.client_id.in_(ids), Dispute.status == DisputeStatus.OPEN.value)
            .group_by(Dispute.client_id)
        ).all()
    )
    facts = {}
    for client in clients:
        month = load_month(session, client, today, today)
        facts[client.id] = ClientFacts(
            responses=tuple(responses[client.id]),
            surveys=tuple(surveys[client.id]),
            open_flags=int(flags.get(client.id, 0)),
            pending_swaps=int(swaps.get(client.id, 0)),
            open_disputes=int(disputes.get(client.id, 0)),
            budget_cents=month.statement.budget_cents if month else None,
            projected_used_cents=month.statement.projected_used_cents if month else None,
        ), month
    return facts


def worker_caseload(
    engine: Engine,
    actor: Actor,
    today: date,
    sort: str = "name",
    alert_filter: str = "",
    search: str = "",
) -> Caseload:
    """The actor's own clients with alerts. Raises AccessDenied('not_a_worker') for others.
    `search` narrows the shown clients by name (case-insensitive) or by an exact personal
    identity code; it never reaches beyond the worker's own caseload."""
    if sort not in SORT_KEYS:
        sort = "name"
    if alert_filter not in ALERT_TYPES:
        alert_filter = ""
    with write_session(engine) as session:
        if not actor.is_worker:
            raise AccessDenied("not_a_worker", actor.person_id)
        assigned = _assigned_clients(session, actor.person_id, today)
        consented = [client for client, consent in assigned if consent]
        facts = _facts(session, consented, today)
        entries: dict[int, CaseloadEntry] = {}
        for client, consent in assigned:
            if consent:
                client_facts, month = facts[client.id]
                alerts = tuple(client_alerts(client_facts, today))
                statement = month.statement if month else None
                entry = CaseloadEntry(
                    client.id, client.first_name, client.last_name, True, alerts,
                    statement.budget_cents if statement else None,
                    statement.used_cents if statement else None,
                    statement.projected_used_cents if statement else None,
                )
                audit.record(session, actor.person_id, "worker_view_caseload", client.id,
                             alerts=[a.kind for a in alerts])
            else:
                entry = CaseloadEntry(client.id, client.first_name, client.last_name, False, (),
                                      None, None, None)
            entries[client.id] = entry
        rows = [
            CaseloadRow(e.client_id, e.last_name, e.first_name, e.consent, e.alerts,
                        e.projected_share)
            for e in entries.values()
        ]
        counts = count_by_type(e.alerts for e in entries.values())
        codes = {client.id: client.personal_identity_code for client, _ in assigned}
        rows = [r for r in rows if caseload_matches(search, r.first_name, r.last_name,
                                                    codes[r.client_id])]
        shown = sort_rows(filter_rows(rows, alert_filter), sort)
        return Caseload(
            entries=tuple(entries[r.client_id] for r in shown),
            total=len(entries),
            counts=counts,
            sort=sort,
            alert_filter=alert_filter,
            search=" ".join(search.split())[:SEARCH_MAX],
        )
