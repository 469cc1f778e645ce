"""Reports to the Security Council checked against the store (``cpas report check``).

One row per checked report file and mission: its title and date, the paragraph counts per class and the
share of paragraphs informed by data, in all and among operative (numbered) paragraphs. Checking the same
file again updates its row, so the series over time has one point per report.

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_checks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("mission_code", sa.String(40), sa.ForeignKey("missions.code"), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("report_date", sa.Date),
        sa.Column("cycle", sa.String(12)),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("paragraphs", sa.Integer, nullable=False),
        sa.Column("operative", sa.Integer, nullable=False),
        sa.Column("informed", sa.Integer, nullable=False),
        sa.Column("could_be_informed", sa.Integer, nullable=False),
        sa.Column("contradicts", sa.Integer, nullable=False),
        sa.Column("share_informed", sa.Float),
        sa.Column("share_informed_operative", sa.Float),
        sa.Column("is_synthetic", sa.Boolean, nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_by", sa.Text, nullable=False),
        sa.UniqueConstraint("mission_code", "file_sha256", name="uq_report_checks_file"),
    )
    op.create_index("ix_report_checks_mission_date", "report_checks", ["mission_code", "report_date"])


def downgrade() -> None:
    op.drop_index("ix_report_checks_mission_date", table_name="report_checks")
    op.drop_table("report_checks")
