"""The budget is money: swaps move cents between lines (LineAdjustment.delta_cents) and a swap
keeps the value of what was asked (SwapRequest.requested_cents).

Existing unit adjustments become cents at their line's unit value, which is what they were worth.

Revision ID: a12e0001
Revises: d6beabb9c482
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "a12e0001"
down_revision = "d6beabb9c482"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lineadjustment") as batch:
        batch.add_column(sa.Column("delta_cents", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE lineadjustment SET delta_cents = CAST(ROUND(delta_units * ("
        "SELECT unit_value_cents FROM budgetline WHERE budgetline.id = lineadjustment.budget_line_id"
        ")) AS INTEGER)"
    )
    with op.batch_alter_table("lineadjustment") as batch:
        batch.drop_column("delta_units")
    with op.batch_alter_table("swaprequest") as batch:
        batch.add_column(sa.Column("requested_cents", sa.Integer(), nullable=False,
                                   server_default="0"))
    op.execute("UPDATE swaprequest SET requested_cents = amount_cents")


def downgrade() -> None:
    with op.batch_alter_table("swaprequest") as batch:
        batch.drop_column("requested_cents")
    with op.batch_alter_table("lineadjustment") as batch:
        batch.add_column(sa.Column("delta_units", sa.Numeric(12, 3), nullable=False,
                                   server_default="0"))
    op.execute(
        "UPDATE lineadjustment SET delta_units = CAST(delta_cents AS NUMERIC) / ("
        "SELECT unit_value_cents FROM budgetline WHERE budgetline.id = lineadjustment.budget_line_id)"
    )
    with op.batch_alter_table("lineadjustment") as batch:
        batch.drop_column("delta_cents")
