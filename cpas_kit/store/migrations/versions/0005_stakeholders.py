"""Context mapping: the stakeholder register as per-cycle snapshots, and per-mission enumerations.

``stakeholder_snapshots`` is one context mapping per mission and cycle; ``stakeholder_entries`` holds
one row per stakeholder in that snapshot (a removed actor keeps a ``removed`` row carrying the note
that explains why). ``stakeholder_options`` overrides the default enumerations (type, level, stance,
influence) for one mission.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "stakeholder_options",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("mission_code", sa.String(40), sa.ForeignKey("missions.code"), nullable=False),
        sa.Column("field", sa.String(20), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("label_fr", sa.Text),
        sa.Column("position", sa.Integer, nullable=False),
        sa.UniqueConstraint("mission_code", "field", "code", name="uq_stakeholder_options_code"),
    )
    op.create_table(
        "stakeholder_snapshots",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("mission_code", sa.String(40), sa.ForeignKey("missions.code"), nullable=False),
        sa.Column("cycle", sa.String(12), nullable=False),
        sa.Column("cycle_start", sa.Date, nullable=False),
        sa.Column("is_synthetic", sa.Boolean, nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("summary", sa.Text),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.UniqueConstraint("mission_code", "cycle", name="uq_stakeholder_snapshots_cycle"),
    )
    op.create_table(
        "stakeholder_entries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("stakeholder_snapshots.id"), nullable=False),
        sa.Column("stakeholder_code", sa.String(40), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("name_fr", sa.Text),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("level", sa.String(40), nullable=False),
        sa.Column("areas", sa.Text, nullable=False),
        sa.Column("stance", sa.String(40), nullable=False),
        sa.Column("influence", sa.String(40), nullable=False),
        sa.Column("interests", sa.Text),
        sa.Column("perception", sa.Text),
        sa.Column("engagement", sa.Text),
        sa.Column("outcomes", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.UniqueConstraint("snapshot_id", "stakeholder_code", name="uq_stakeholder_entries_code"),
    )


def downgrade() -> None:
    for table in ("stakeholder_entries", "stakeholder_snapshots", "stakeholder_options"):
        op.drop_table(table)
