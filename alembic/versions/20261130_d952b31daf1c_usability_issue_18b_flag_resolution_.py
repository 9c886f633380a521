"""usability issue 18b: flag resolution, provider suspension

Who resolved a feedback flag (and with what note), who contacted the provider about it; when,
why and by whom a provider was suspended.

Revision ID: d952b31daf1c
Revises: 1e93eaf16f35
Create Date: 2026-11-30 23:03:24.223312
"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'd952b31daf1c'
down_revision: Union[str, None] = '1e93eaf16f35'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flag_handled_by_person_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('flag_handled_note', sqlmodel.sql.sqltypes.AutoString(length=1000), server_default='', nullable=False))
        batch_op.add_column(sa.Column('flag_contacted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('flag_contacted_by_person_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_feedback_flag_handled_by_person_id_person', 'person', ['flag_handled_by_person_id'], ['id'])
        batch_op.create_foreign_key('fk_feedback_flag_contacted_by_person_id_person', 'person', ['flag_contacted_by_person_id'], ['id'])

    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('suspended_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), server_default='', nullable=False))
        batch_op.add_column(sa.Column('suspended_by_person_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_provider_suspended_by_person_id_person', 'person', ['suspended_by_person_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.drop_constraint('fk_provider_suspended_by_person_id_person', type_='foreignkey')
        batch_op.drop_column('suspended_by_person_id')
        batch_op.drop_column('suspended_reason')
        batch_op.drop_column('suspended_at')

    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_constraint('fk_feedback_flag_contacted_by_person_id_person', type_='foreignkey')
        batch_op.drop_constraint('fk_feedback_flag_handled_by_person_id_person', type_='foreignkey')
        batch_op.drop_column('flag_contacted_by_person_id')
        batch_op.drop_column('flag_contacted_at')
        batch_op.drop_column('flag_handled_note')
        batch_op.drop_column('flag_handled_by_person_id')

