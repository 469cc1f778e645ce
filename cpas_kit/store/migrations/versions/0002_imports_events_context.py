"""Imported files (provenance), conflict events (ACLED, UCDP) and context values (World Bank, HXL).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("mission_code", sa.String(40)),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("imported_at", TZ, nullable=False),
        sa.Column("imported_by", sa.Text, nullable=False),
        sa.Column("rows_read", sa.Integer, nullable=False),
        sa.Column("rows_imported", sa.Integer, nullable=False),
        sa.Column("rows_unchanged", sa.Integer, nullable=False),
        sa.Column("rows_unmatched", sa.Integer, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("mission_code", sa.String(40), sa.ForeignKey("missions.code"), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("source_event_id", sa.String(60), nullable=False),
        sa.Column("event_date", sa.Date, nullable=False),
        sa.Column("period", sa.String(12), nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("disorder_type", sa.Text),
        sa.Column("event_type", sa.Text),
        sa.Column("sub_event_type", sa.Text),
        sa.Column("actor1", sa.Text),
        sa.Column("actor2", sa.Text),
        sa.Column("inter1", sa.Text),
        sa.Column("inter2", sa.Text),
        sa.Column("civilian_targeting", sa.Boolean, nullable=False),
        sa.Column("admin1_name", sa.Text),
        sa.Column("admin2_name", sa.Text),
        sa.Column("location", sa.Text),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("admin1_code", sa.String(20)),
        sa.Column("admin1_match", sa.String(10)),
        sa.Column("fatalities_best", sa.Integer, nullable=False),
        sa.Column("fatalities_low", sa.Integer),
        sa.Column("fatalities_high", sa.Integer),
        sa.Column("fatalities_civilians", sa.Integer),
        sa.Column("data_source", sa.Text),
        sa.Column("row_hash", sa.String(32), nullable=False),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False),
        sa.UniqueConstraint("mission_code", "source", "source_event_id", name="uq_events_source_id"),
    )
    op.create_index("ix_events_mission_period", "events", ["mission_code", "period_start"])
    op.create_table(
        "context_values",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("mission_code", sa.String(40), sa.ForeignKey("missions.code"), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("indicator_code", sa.String(120), nullable=False),
        sa.Column("indicator_name", sa.Text, nullable=False),
        sa.Column("unit", sa.Text),
        sa.Column("admin1_code", sa.String(20), nullable=False),
        sa.Column("admin1_name", sa.Text),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("value", sa.Float),
        sa.Column("value_text", sa.Text),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False),
        sa.UniqueConstraint("mission_code", "source", "indicator_code", "admin1_code", "period",
                            name="uq_context_values_cell"),
    )


def downgrade() -> None:
    op.drop_table("context_values")
    op.drop_index("ix_events_mission_period", table_name="events")
    op.drop_table("events")
    op.drop_table("imports")
