"""Data quality follow-ups and the submission and approval of a section's data for a cycle.

``quality_followups`` is an append-only log of what was decided about a quality finding (marked for
follow-up, explained with a reason, corrected), keyed by the value it was about; the latest entry of a finding
is its state. ``section_approvals`` is the append-only log of a section's data for a cycle: submitted,
returned (with a reason), approved, re-opened (with a reason), by whom and when; the latest entry is the
status. Approved data is locked (see :mod:`cpas_kit.data_in.approval`).

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quality_followups",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("mission_code", sa.String(40), sa.ForeignKey("missions.code"), nullable=False),
        sa.Column("indicator_code", sa.String(40), nullable=False),
        sa.Column("period", sa.String(12), nullable=False),
        sa.Column("disaggregation", sa.String(200), nullable=False),
        sa.Column("rule", sa.String(30), nullable=False),
        sa.Column("value", sa.Float),
        sa.Column("value_text", sa.Text),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_quality_followups_cell", "quality_followups",
                    ["mission_code", "period", "indicator_code", "disaggregation", "id"])
    op.create_table(
        "section_approvals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("mission_code", sa.String(40), sa.ForeignKey("missions.code"), nullable=False),
        sa.Column("section_code", sa.String(40), nullable=False),
        sa.Column("cycle", sa.String(12), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_section_approvals_cycle", "section_approvals", ["mission_code", "cycle", "section_code", "id"])


def downgrade() -> None:
    op.drop_index("ix_section_approvals_cycle", table_name="section_approvals")
    op.drop_table("section_approvals")
    op.drop_index("ix_quality_followups_cell", table_name="quality_followups")
    op.drop_table("quality_followups")
