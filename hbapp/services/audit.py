"""The append-only audit log: every view or change of a client's data, with actor and subject."""

from __future__ import annotations

import json

from sqlmodel import Session

from hbapp.models import AuditLog


def record(
    session: Session,
    actor_person_id: int | None,
    action: str,
    subject_client_id: int | None = None,
    **details,
) -> None:
    """Add an audit entry inside the caller's transaction, so it commits with the change."""
    session.add(
        AuditLog(
            actor_person_id=actor_person_id,
            subject_client_id=subject_client_id,
            action=action,
            details=json.dumps(details, default=str, ensure_ascii=False, sort_keys=True),
        )
    )
