"""Mission boundaries: admin-1 polygons a mission registers (`cpas boundaries import`), versioned per mission
independently of its results framework, with their provenance. The latest version of a mission is in use.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mission_boundaries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("mission_code", sa.String(40), sa.ForeignKey("missions.code"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("country_iso3", sa.String(3), nullable=False),
        sa.Column("code_field", sa.Text, nullable=False),
        sa.Column("name_field", sa.Text, nullable=False),
        sa.Column("areas", sa.Integer, nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.Text, nullable=False),
        sa.Column("credit", sa.Text),
        sa.Column("geojson", sa.Text, nullable=False),
        sa.UniqueConstraint("mission_code", "version", name="uq_mission_boundaries_version"),
    )


def downgrade() -> None:
    op.drop_table("mission_boundaries")
