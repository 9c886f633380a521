"""Outcome surveys: assigning instruments, saving answers as given, submitting exactly once.

Scores come only from `hbapp.domain.scoring`. Clients and proxies need the `surveys` scope;
case workers assign with `worker` access (assignment + consent). Every view and change writes
the audit log in the same transaction.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from hbapp.db import lock_row, read_session, write_session
from hbapp.domain.inputs import MAX_ID
from hbapp.domain.scoring import INSTRUMENT_IDS, ScoringError, score, validate_answers
from hbapp.models import Client, SurveyAssignment, SurveyResponse, utcnow
from hbapp.services import audit, messages
from hbapp.services.access import AccessDenied, Actor, require_client_access

TIMEPOINTS = ("baseline", "6_months", "end")
_KEY_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")  # used with fullmatch: "$" allows a final "\n"


class SurveyError(Exception):
    """A survey request that cannot be done. `code` is stable; `item` names a bad answer."""

    def __init__(self, code: str, item: str | None = None, detail: str = ""):
        super().__init__(detail or code)
        self.code = code
        self.item = item
        self.detail = detail


@dataclass(frozen=True)
class AssignmentView:
    id: int
    client_id: int
    instrument_id: str
    timepoint: str
    due_on: date
    created_at: datetime
    completed_at: datetime | None
    cancelled_at: datetime | None
    draft: dict
    overdue: bool

    @property
    def is_open(self) -> bool:
        return self.completed_at is None and self.cancelled_at is None


@dataclass(frozen=True)
class ResponseView:
    id: int
    assignment_id: int | None
    client_id: int
    instrument_id: str
    timepoint: str
    proxy_reported: bool
    answered_by_person_id: int
    language: str
    answers: dict
    scores: dict
    submitted_at: datetime
    answered_with_help: bool = False


@dataclass(frozen=True)
class SubmitResult:
    response: ResponseView
    repeated: bool  # True: the same idempotency key was seen before; nothing new was saved


def _assignment_view(row: SurveyAssignment, today: date) -> AssignmentView:
    try:
        draft = json.loads(row.draft_answers or "{}")
    except json.JSONDecodeError:
        draft = {}
    return AssignmentView(
        id=row.id, client_id=row.client_id, instrument_id=row.instrument_id,
        timepoint=row.timepoint, due_on=row.due_on, created_at=row.created_at,
        completed_at=row.completed_at, cancelled_at=row.cancelled_at,
        draft=draft if isinstance(draft, dict) else {},
        overdue=row.completed_at is None and row.cancelled_at is None and row.due_on < today,
    )


def _response_view(row: SurveyResponse, timepoint: str) -> ResponseView:
    return ResponseView(
        id=row.id, assignment_id=row.assignment_id, client_id=row.client_id,
        instrument_id=row.instrument_id, timepoint=timepoint, proxy_reported=row.proxy_reported,
        answered_by_person_id=row.answered_by_person_id, language=row.language,
        answers=json.loads(row.answers), scores=json.loads(row.scores),
        submitted_at=row.submitted_at, answered_with_help=row.answered_with_help,
    )


def _scoring_error(exc: ScoringError) -> SurveyError:
    return SurveyError(exc.code, item=str(exc.key), detail=str(exc))


# --------------------------------------------------------------------------- case worker


def assign_survey(
    engine: Engine, actor: Actor, client_id: int, instrument_id: str, due_on: date,
    timepoint: str, today: date,
) -> AssignmentView:
    """A case worker assigns an instrument to a client they serve with consent."""
    if instrument_id not in INSTRUMENT_IDS:
        raise SurveyError("unknown_instrument", detail=f"unknown instrument {instrument_id!r}")
    if timepoint not in TIMEPOINTS:
        raise SurveyError("unknown_timepoint", detail=f"unknown timepoint {timepoint!r}")
    if not isinstance(due_on, date) or due_on < today:
        raise SurveyError("due_in_past", detail="the due date must be today or later")
    with write_session(engine) as session:
        require_client_access(session, actor, client_id, "worker", today)
        # One assignment of a client at a time; the same survey for the same time point is
        # not assigned twice while it is open (a double submit, two tabs).
        lock_row(session, Client, client_id)
        open_one = session.exec(
            select(SurveyAssignment.id).where(
                SurveyAssignment.client_id == client_id,
                SurveyAssignment.instrument_id == instrument_id,
                SurveyAssignment.timepoint == timepoint,
                SurveyAssignment.completed_at.is_(None),
                SurveyAssignment.cancelled_at.is_(None),
            )
        ).first()
        if open_one is not None:
            raise SurveyError("already_assigned", detail="this survey is already waiting for "
                              "the client's answers")
        row = SurveyAssignment(
            client_id=client_id, instrument_id=instrument_id, timepoint=timepoint,
            due_on=due_on, assigned_by_person_id=actor.person_id, draft_answers="{}",
        )
        session.add(row)
        session.flush()
        audit.record(session, actor.person_id, "survey_assign", client_id,
                     assignment_id=row.id, instrument=instrument_id, timepoint=timepoint,
                     due_on=due_on.isoformat())
        messages.notify(session, messages.client_and_agents(session, client_id, "surveys", today),
                        "survey_assigned", subject_client_id=client_id,
                        link=f"/surveys/{row.id}", due_date=due_on)
        return _assignment_view(row, today)


def client_assignments(
    engine: Engine, actor: Actor, client_id: int, today: date
) -> tuple[list[AssignmentView], list[ResponseView]]:
    """The case worker's list: every assignment of the client and every response."""
    with write_session(engine) as session:
        require_client_access(session, actor, client_id, "worker", today)
        assignments = session.exec(
            select(SurveyAssignment).where(SurveyAssignment.client_id == client_id)
            .order_by(SurveyAssignment.due_on.desc(), SurveyAssignment.id.desc())
        ).all()
        responses = _responses(session, client_id)
        audit.record(session, actor.person_id, "survey_assignments_view", client_id,
                     count=len(assignments))
        return [_assignment_view(a, today) for a in assignments], responses


def mark_answered_with_help(engine: Engine, actor: Actor, response_id: int, with_help: bool,
                            today: date) -> None:
    """The case worker marks (or unmarks) that a response was given with someone's help, e.g.
    a licensed questionnaire shown in English and gone through together. Only the flag
    changes, never the answers or scores; audited with the client as subject."""
    with write_session(engine) as session:
        row = lock_row(session, SurveyResponse, response_id) if 0 < response_id <= MAX_ID \
            else None
        if row is None:
            raise AccessDenied("not_assigned", actor.person_id)  # ids of others reveal nothing
        require_client_access(session, actor, row.client_id, "worker", today)
        if row.answered_with_help == with_help:
            return  # already so: a double click records nothing twice
        row.answered_with_help = with_help
        row.help_marked_by_person_id = actor.person_id if with_help else None
        session.add(row)
        audit.record(session, actor.person_id, "survey_help_mark", row.client_id,
                     response_id=row.id, instrument=row.instrument_id, with_help=with_help)


# --------------------------------------------------------------------------- client side


def _responses(session: Session, client_id: int) -> list[ResponseView]:
    rows = session.exec(
        select(SurveyResponse, SurveyAssignment.timepoint)
        .join(SurveyAssignment, SurveyAssignment.id == SurveyResponse.assignment_id, isouter=True)
        .where(SurveyResponse.client_id == client_id)
        .order_by(SurveyResponse.submitted_at.desc(), SurveyResponse.id.desc())
    ).all()
    return [_response_view(row, timepoint or "") for row, timepoint in rows]


def due_surveys(engine: Engine, actor: Actor, client_id: int, today: date) -> list[AssignmentView]:
    """Open (not completed, not cancelled) assignments of the client, the earliest due first."""
    with write_session(engine) as session:
        require_client_access(session, actor, client_id, "surveys", today)
        rows = session.exec(
            select(SurveyAssignment).where(
                SurveyAssignment.client_id == client_id,
                SurveyAssignment.completed_at.is_(None),
                SurveyAssignment.cancelled_at.is_(None),
            ).order_by(SurveyAssignment.due_on, SurveyAssignment.id)
        ).all()
        audit.record(session, actor.person_id, "survey_due_view", client_id, count=len(rows))
        return [_assignment_view(row, today) for row in rows]


def results_for_client(
    engine: Engine, actor: Actor, client_id: int, today: date
) -> list[ResponseView]:
    """The client's submitted responses with their scores, the newest first."""
    with write_session(engine) as session:
        require_client_access(session, actor, client_id, "surveys", today)
        result = _responses(session, client_id)
        audit.record(session, actor.person_id, "survey_results_view", client_id,
                     count=len(result))
        return result


def _assignment_for(session: Session, actor: Actor, assignment_id: int, today: date,
                    lock: bool = False) -> SurveyAssignment:
    query = select(SurveyAssignment).where(SurveyAssignment.id == assignment_id)
    if lock:
        query = query.with_for_update()
    row = session.exec(query).first() if 0 < assignment_id <= MAX_ID else None
    if row is None:
        # Same answer as for someone else's assignment: ids reveal nothing.
        raise AccessDenied("no_mandate", actor.person_id)
    require_client_access(session, actor, row.client_id, "surveys", today)
    return row


def open_assignment(
    engine: Engine, actor: Actor, assignment_id: int, today: date
) -> tuple[AssignmentView, ResponseView | None, list[ResponseView]]:
    """One assignment for filling in or for its results: the assignment, its response (when
    submitted) and the client's earlier responses to the same instrument (newest first)."""
    with write_session(engine) as session:
        row = _assignment_for(session, actor, assignment_id, today)
        every = [r for r in _responses(session, row.client_id)
                 if r.instrument_id == row.instrument_id]
        own = next((r for r in every if r.assignment_id == row.id), None)
        earlier = [r for r in every if r.assignment_id != row.id
                   and (own is None or r.submitted_at <= own.submitted_at)]
        audit.record(session, actor.person_id, "survey_view", row.client_id,
                     assignment_id=row.id, instrument=row.instrument_id)
        return _assignment_view(row, today), own, earlier


def save_answers(
    engine: Engine, actor: Actor, assignment_id: int, answers: dict, today: date
) -> dict:
    """Save answers as given into the assignment's draft (None removes one); returns the
    whole draft. Each answer is validated on its own; one bad answer saves nothing."""
    if not isinstance(answers, dict) or not answers:
        raise SurveyError("no_answers", detail="no answers given")
    with write_session(engine) as session:
        row = _assignment_for(session, actor, assignment_id, today, lock=True)
        if row.completed_at is not None:
            raise SurveyError("already_submitted")
        if row.cancelled_at is not None:
            raise SurveyError("cancelled")
        try:
            validate_answers(row.instrument_id, answers)
        except ScoringError as exc:
            raise _scoring_error(exc) from None
        except TypeError:
            raise SurveyError("not_an_object") from None
        draft = _assignment_view(row, today).draft
        for key, value in answers.items():
            if value is None:
                draft.pop(key, None)
            else:
                draft[key] = value
        row.draft_answers = json.dumps(draft, sort_keys=True, ensure_ascii=False)
        session.add(row)
        audit.record(session, actor.person_id, "survey_save", row.client_id,
                     assignment_id=row.id, items=sorted(answers))
        return draft


def save_answer(
    engine: Engine, actor: Actor, assignment_id: int, key: str, value, today: date
) -> dict:
    """Save one answer as given (see save_answers)."""
    return save_answers(engine, actor, assignment_id, {key: value}, today)


def _existing_by_key(session: Session, idempotency_key: str) -> SurveyResponse | None:
    return session.exec(
        select(SurveyResponse).where(SurveyResponse.idempotency_key == idempotency_key)
    ).first()


def _repeat(session: Session, existing: SurveyResponse, row: SurveyAssignment) -> SubmitResult:
    if existing.assignment_id != row.id:
        raise SurveyError("key_reused", detail="this idempotency key belongs to another survey")
    return SubmitResult(_response_view(existing, row.timepoint), repeated=True)


def submit(
    engine: Engine, actor: Actor, assignment_id: int, answers: dict, idempotency_key: str,
    today: date, language: str = "en",
) -> SubmitResult:
    """Validate and score the whole set, store the response and complete the assignment in
    one transaction. The same idempotency key returns the first result; another submit of
    a completed assignment is refused (SurveyError "already_submitted")."""
    if not isinstance(idempotency_key, str) or not _KEY_RE.fullmatch(idempotency_key):
        raise SurveyError("bad_key", detail="idempotency key: 16–64 letters, digits, - or _")
    if not isinstance(answers, dict):
        raise SurveyError("not_an_object", detail="answers must be an object")
    try:
        with write_session(engine) as session:
            row = _assignment_for(session, actor, assignment_id, today, lock=True)
            existing = _existing_by_key(session, idempotency_key)
            if existing is not None:
                return _repeat(session, existing, row)
            if row.completed_at is not None:
                raise SurveyError("already_submitted")
            if row.cancelled_at is not None:
                raise SurveyError("cancelled")
            try:
                scores = score(row.instrument_id, answers)
                given = {k: v for k, v in answers.items() if v is not None}
            except ScoringError as exc:
                raise _scoring_error(exc) from None
            now = utcnow()
            response = SurveyResponse(
                assignment_id=row.id, client_id=row.client_id, instrument_id=row.instrument_id,
                answered_by_person_id=actor.person_id,
                proxy_reported=actor.own_client_id != row.client_id,
                language=(language or "en")[:5],
                answers=json.dumps(given, sort_keys=True, ensure_ascii=False),
                scores=json.dumps(scores, sort_keys=True),
                idempotency_key=idempotency_key, submitted_at=now,
            )
            session.add(response)
            row.completed_at = now
            row.draft_answers = json.dumps(given, sort_keys=True, ensure_ascii=False)
            session.add(row)
            session.flush()
            audit.record(session, actor.person_id, "survey_submit", row.client_id,
                         assignment_id=row.id, response_id=response.id,
                         instrument=row.instrument_id, proxy=response.proxy_reported)
            return SubmitResult(_response_view(response, row.timepoint), repeated=False)
    except IntegrityError:
        # Two submits raced past each other (e.g. PostgreSQL under READ COMMITTED before the
        # row lock): the unique key or assignment decides; answer as the loser would.
        with read_session(engine) as session:
            row = _assignment_for(session, actor, assignment_id, today)
            existing = _existing_by_key(session, idempotency_key)
            if existing is not None:
                return _repeat(session, existing, row)
        raise SurveyError("already_submitted") from None


def client_name(engine: Engine, client_id: int) -> str:
    """The client's name, for headings of pages that have already checked access."""
    with read_session(engine) as session:
        client = session.get(Client, client_id)
        return client.full_name if client else ""
