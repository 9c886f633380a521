"""decisions: versions, catalog values with effective dates, identity linking

Existing catalog values become dated values from 2000-01-01 (in force for every decision so far);
existing budgets become version 1 of their decision.

Revision ID: 5e12f44450df
Revises: a12e0001
Create Date: 2026-11-30 19:40:39.182490
"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '5e12f44450df'
down_revision: Union[str, None] = 'a12e0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('decisionsequence',
    sa.Column('organizer_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organizer_id'], ['organizer.id'], ),
    sa.PrimaryKeyConstraint('organizer_id', 'year')
    )
    op.create_table('serviceunitvalue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_type_id', sa.Integer(), nullable=False),
    sa.Column('band', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('unit_value_cents', sa.Integer(), nullable=False),
    sa.Column('created_by_person_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['service_type_id'], ['servicetype.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('service_type_id', 'band', 'valid_from')
    )
    with op.batch_alter_table('serviceunitvalue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_serviceunitvalue_service_type_id'), ['service_type_id'], unique=False)

    op.create_table('budgetlinebandvalue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('budget_line_id', sa.Integer(), nullable=False),
    sa.Column('band', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('unit_value_cents', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['budget_line_id'], ['budgetline.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('budget_line_id', 'band')
    )
    with op.batch_alter_table('budgetlinebandvalue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budgetlinebandvalue_budget_line_id'), ['budget_line_id'], unique=False)

    op.create_table('decisionconflict',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('swap_request_id', sa.Integer(), nullable=True),
    sa.Column('service_type_id', sa.Integer(), nullable=True),
    sa.Column('details', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by_person_id', sa.Integer(), nullable=True),
    sa.Column('resolution', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['budget_id'], ['budget.id'], ),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], ),
    sa.ForeignKeyConstraint(['resolved_by_person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['service_type_id'], ['servicetype.id'], ),
    sa.ForeignKeyConstraint(['swap_request_id'], ['swaprequest.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('decisionconflict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisionconflict_client_id'), ['client_id'], unique=False)

    with op.batch_alter_table('budget', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('decision_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('created_by_person_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('end_decision_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('end_reason', sqlmodel.sql.sqltypes.AutoString(), server_default='', nullable=False))
        batch_op.create_unique_constraint('uq_budget_decision_version', ['organizer_id', 'decision_reference', 'decision_version'])
        batch_op.create_foreign_key('fk_budget_created_by_person', 'person', ['created_by_person_id'], ['id'])

    with op.batch_alter_table('budgetaddition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('monthly', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('budgetline', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_value_reason', sqlmodel.sql.sqltypes.AutoString(length=300), server_default='', nullable=False))

    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('decisions_revision', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identity_code', sqlmodel.sql.sqltypes.AutoString(length=11), nullable=True))
        batch_op.alter_column('oidc_subject',
               existing_type=sa.VARCHAR(length=255),
               nullable=True)
        batch_op.create_unique_constraint('uq_person_identity_code', ['identity_code'])

    # Existing values become dated values in force since 2000 (before any decision).
    op.execute(
        "INSERT INTO serviceunitvalue (service_type_id, band, valid_from, unit_value_cents, created_at) "
        "SELECT id, 'weekday_day', '2000-01-01', unit_value_cents, CURRENT_TIMESTAMP FROM servicetype"
    )
    op.execute(
        "INSERT INTO serviceunitvalue (service_type_id, band, valid_from, unit_value_cents, created_at) "
        "SELECT service_type_id, band, '2000-01-01', unit_value_cents, CURRENT_TIMESTAMP "
        "FROM servicebandvalue WHERE band <> 'weekday_day'"
    )


def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_constraint('uq_person_identity_code', type_='unique')
        batch_op.alter_column('oidc_subject',
               existing_type=sa.VARCHAR(length=255),
               nullable=False)
        batch_op.drop_column('identity_code')

    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_column('decisions_revision')
        batch_op.drop_column('phone')

    with op.batch_alter_table('budgetline', schema=None) as batch_op:
        batch_op.drop_column('unit_value_reason')

    with op.batch_alter_table('budgetaddition', schema=None) as batch_op:
        batch_op.drop_column('monthly')

    with op.batch_alter_table('budget', schema=None) as batch_op:
        batch_op.drop_constraint('fk_budget_created_by_person', type_='foreignkey')
        batch_op.drop_constraint('uq_budget_decision_version', type_='unique')
        batch_op.drop_column('end_reason')
        batch_op.drop_column('end_decision_date')
        batch_op.drop_column('created_by_person_id')
        batch_op.drop_column('reason')
        batch_op.drop_column('decision_date')
        batch_op.drop_column('decision_version')

    with op.batch_alter_table('decisionconflict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decisionconflict_client_id'))

    op.drop_table('decisionconflict')
    with op.batch_alter_table('budgetlinebandvalue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budgetlinebandvalue_budget_line_id'))

    op.drop_table('budgetlinebandvalue')
    with op.batch_alter_table('serviceunitvalue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_serviceunitvalue_service_type_id'))

    op.drop_table('serviceunitvalue')
    op.drop_table('decisionsequence')
