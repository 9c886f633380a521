"""security (issue 12 B): no stored id tokens of ended sessions, no staff-held consent

Revision ID: 5f3c2a9e7b41
Revises: 5e12f44450df
Create Date: 2026-11-30 20:00:00

- Ended and expired login sessions keep no `id_token_hint` (the app now drops it when a
  session ends; this clears what older versions kept).
- Mandates a case worker recorded for a case worker or an administrator, and consents that
  name a member of staff as their giver, could let staff read a client's data without the
  client's consent. The app ignores them now; here they are ended as well, each with an
  audit entry (no actor: the system), so that the client's /privacy says so.
- An index for counting one person's recent actions of one kind (mandate requests).
"""

from typing import Sequence, Union

import json
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op


revision: str = '5f3c2a9e7b41'
down_revision: Union[str, None] = '5e12f44450df'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    connection = op.get_bind()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    connection.execute(
        sa.text("UPDATE loginsession SET id_token_hint = '' "
                "WHERE id_token_hint <> '' AND (ended_at IS NOT NULL OR expires_at <= :now)"),
        {"now": now},
    )
    staff = "SELECT id FROM person WHERE is_worker OR is_admin"
    mandates = connection.execute(sa.text(
        "SELECT id, client_id FROM mandate WHERE source = 'worker_recorded' "
        f"AND status IN ('active', 'requested') AND agent_person_id IN ({staff})"
    )).all()
    consents = connection.execute(sa.text(
        "SELECT id, client_id FROM consent WHERE revoked_at IS NULL "
        f"AND given_by_person_id IN ({staff})"
    )).all()
    audit = sa.text("INSERT INTO auditlog (at, actor_person_id, subject_client_id, action, "
                    "details) VALUES (:at, NULL, :client, :action, :details)")
    for mandate_id, client_id in mandates:
        connection.execute(sa.text("UPDATE mandate SET status = 'revoked', revoked_at = :now "
                                   "WHERE id = :id"), {"now": now, "id": mandate_id})
        connection.execute(audit, {"at": now, "client": client_id, "action": "revoke_mandate",
                                   "details": json.dumps({"mandate_id": mandate_id,
                                                          "reason": "agent_is_staff"})})
    for consent_id, client_id in consents:
        connection.execute(sa.text("UPDATE consent SET revoked_at = :now WHERE id = :id"),
                           {"now": now, "id": consent_id})
        connection.execute(audit, {"at": now, "client": client_id, "action": "revoke_consent",
                                   "details": json.dumps({"consent_id": consent_id,
                                                          "reason": "giver_is_staff"})})
    with op.batch_alter_table('auditlog', schema=None) as batch_op:
        batch_op.create_index('ix_auditlog_actor_action_at',
                              ['actor_person_id', 'action', 'at'], unique=False)


def downgrade() -> None:
    # The cleared tokens and the ended rows stay as they are: nothing to bring back.
    with op.batch_alter_table('auditlog', schema=None) as batch_op:
        batch_op.drop_index('ix_auditlog_actor_action_at')
