"""French text of the context map: an optional French note per stakeholder entry (``note_fr``, the reason for
a change in French) and an optional French summary per snapshot (``summary_fr``). Both are nullable, so
stores created before this revision keep every row; French readers fall back to the English text.

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stakeholder_snapshots") as batch:
        batch.add_column(sa.Column("summary_fr", sa.Text))
    with op.batch_alter_table("stakeholder_entries") as batch:
        batch.add_column(sa.Column("note_fr", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("stakeholder_entries") as batch:
        batch.drop_column("note_fr")
    with op.batch_alter_table("stakeholder_snapshots") as batch:
        batch.drop_column("summary_fr")
