"""Net Promoter feedback about providers: who may answer, the 30-day rule, proxy answers.

A client (or someone with the `feedback` scope) answers about an approved provider the client
uses: one chosen for a service, or one that delivered services in the last 90 days. One answer per
provider per 30 days stays current: a later answer replaces the earlier one (its `replaced_at` is
set) in the same transaction, so NPS counts each client once per period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from hbapp.db import lock_row, write_session
from hbapp.models import (
    ApprovalStatus,
    Client,
    Feedback,
    Provider,
    ProviderChoice,
    ServiceEvent,
    utcnow,
)
from hbapp.services import audit
from hbapp.services.access import Actor, require_client_access

FLAGS = ("choice_not_working", "no_provider_available", "service_not_delivered")
REPLACE_WITHIN = timedelta(days=30)
USED_WITHIN = timedelta(days=90)
MAX_COMMENT = 2000
RESEND_WITHIN = timedelta(minutes=10)  # the same answer again this soon is a repeat, not new


class FeedbackError(ValueError):
    """The answer cannot be saved. `code` is a stable reason for a translated message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class UsedProvider:
    provider_id: int
    name: str
    earlier_answer_at: datetime | None  # an answer this one would replace


def _used_provider_ids(session: Session, client_id: int, today: date) -> set[int]:
    chosen = session.exec(
        select(ProviderChoice.provider_id).where(
            ProviderChoice.client_id == client_id, ProviderChoice.ended_at.is_(None))
    ).all()
    since = datetime.combine(today - USED_WITHIN, datetime.min.time())
    delivered = session.exec(
        select(ServiceEvent.provider_id).where(
            ServiceEvent.client_id == client_id, ServiceEvent.started_at >= since).distinct()
    ).all()
    ids = set(chosen) | set(delivered)
    if not ids:
        return set()
    return set(session.exec(
        # Feedback stays open for a suspended provider the client used (issue 18).
        select(Provider.id).where(Provider.id.in_(ids), Provider.approval_status.in_(
            (ApprovalStatus.APPROVED.value, ApprovalStatus.SUSPENDED.value)))
    ).all())


def _current_answers(session: Session, client_id: int, provider_id: int, now: datetime,
                     lock: bool = False):
    query = select(Feedback).where(
        Feedback.client_id == client_id, Feedback.provider_id == provider_id,
        Feedback.replaced_at.is_(None), Feedback.created_at > now - REPLACE_WITHIN,
    )
    return session.exec(query.with_for_update() if lock else query).all()


def providers_for_feedback(
    engine: Engine, actor: Actor, client_id: int, today: date
) -> list[UsedProvider]:
    """The approved (or since suspended) providers the client uses, each with an answer a new one would replace."""
    with write_session(engine) as session:
        require_client_access(session, actor, client_id, "feedback", today)
        ids = _used_provider_ids(session, client_id, today)
        now = utcnow()
        result = []
        for provider in session.exec(
            select(Provider).where(Provider.id.in_(ids)).order_by(Provider.name)
        ).all() if ids else []:
            earlier = _current_answers(session, client_id, provider.id, now)
            result.append(UsedProvider(provider.id, provider.name,
                                       max((f.created_at for f in earlier), default=None)))
        audit.record(session, actor.person_id, "view_feedback_providers", client_id)
        return result


def give_feedback(
    engine: Engine, actor: Actor, client_id: int, provider_id: int, score: int, comment: str,
    flag: str | None, today: date, now: datetime | None = None,
) -> int:
    """Save one answer; returns its id. An answer of the last 30 days is marked replaced."""
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
        raise FeedbackError("bad_score")
    if flag is not None and flag not in FLAGS:
        raise FeedbackError("bad_flag")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise FeedbackError("comment_too_long")
    now = now or utcnow()
    with write_session(engine) as session:
        require_client_access(session, actor, client_id, "feedback", today)
        # One answer of a client at a time: a second tab's send waits here, then sees the first.
        lock_row(session, Client, client_id)
        if provider_id not in _used_provider_ids(session, client_id, today):
            raise FeedbackError("provider_not_used")
        replaced = _current_answers(session, client_id, provider_id, now, lock=True)
        for earlier in replaced:
            if (earlier.score, earlier.comment, earlier.flag, earlier.given_by_person_id) == (
                    score, comment, flag, actor.person_id) \
                    and abs(now - earlier.created_at) < RESEND_WITHIN:
                return earlier.id  # the same answer sent twice (two tabs, a retry): kept once
        for earlier in replaced:
            earlier.replaced_at = now
            session.add(earlier)
        proxy = actor.own_client_id != client_id
        answer = Feedback(client_id=client_id, provider_id=provider_id, score=score,
                          comment=comment, flag=flag, given_by_person_id=actor.person_id,
                          proxy_reported=proxy, created_at=now)
        session.add(answer)
        session.flush()
        audit.record(session, actor.person_id, "give_feedback", client_id,
                     provider_id=provider_id, feedback_id=answer.id, flag=flag,
                     proxy_reported=proxy, replaced=[f.id for f in replaced])
        return answer.id
