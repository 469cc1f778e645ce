"""Initial schema: missions, versioned frameworks, observations, append-only audit log, recommendations.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:  # one create_table per table, in order: longer than 80 lines, read as a list
    op.create_table(
        "missions",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("name_fr", sa.Text),
        sa.Column("country_iso3", sa.String(3), nullable=False),
        sa.Column("hq", sa.Text, nullable=False),
        sa.Column("mandate_resolution", sa.Text, nullable=False),
        sa.Column("cycle_kind", sa.String(10), nullable=False),
        sa.Column("is_fictional", sa.Boolean, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "framework_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("mission_code", sa.String(40), sa.ForeignKey("missions.code"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("effective_from", sa.String(12), nullable=False),
        sa.Column("effective_from_start", sa.Date, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("source", sa.Text),
        sa.UniqueConstraint("mission_code", "version", name="uq_framework_versions_mission_version"),
    )
    op.create_table(
        "framework_indicators",
        sa.Column("version_id", sa.Integer, sa.ForeignKey("framework_versions.id"), primary_key=True),
        sa.Column("indicator_code", sa.String(40), primary_key=True),
        sa.Column("priority_code", sa.String(40), nullable=False),
        sa.Column("outcome_code", sa.String(40), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("level", sa.String(12), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("unit", sa.Text, nullable=False),
        sa.Column("direction", sa.String(10), nullable=False),
        sa.Column("responsible_section", sa.String(40), nullable=False),
    )
    op.create_table(
        "observations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("mission_code", sa.String(40), sa.ForeignKey("missions.code"), nullable=False),
        sa.Column("indicator_code", sa.String(40), nullable=False),
        sa.Column("period", sa.String(12), nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("disaggregation", sa.String(200), nullable=False),
        sa.Column("value", sa.Float),
        sa.Column("value_text", sa.Text),
        sa.Column("source", sa.Text),
        sa.Column("entered_by", sa.Text, nullable=False),
        sa.Column("entered_at", TZ, nullable=False),
        sa.Column("verification_status", sa.String(10), nullable=False),
        sa.Column("verified_by", sa.Text),
        sa.Column("verified_at", TZ),
        sa.Column("is_synthetic", sa.Boolean, nullable=False),
        sa.Column("note", sa.Text),
        sa.UniqueConstraint("mission_code", "indicator_code", "period", "disaggregation", name="uq_observations_cell"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("entity_key", sa.Text, nullable=False),
        sa.Column("mission_code", sa.String(40)),
        sa.Column("old_value", sa.Text),
        sa.Column("new_value", sa.Text),
        sa.Column("note", sa.Text),
    )
    op.create_table(
        "recommendations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("mission_code", sa.String(40), sa.ForeignKey("missions.code"), nullable=False),
        sa.Column("rec_key", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("priority_code", sa.String(40)),
        sa.Column("outcome_code", sa.String(40)),
        sa.Column("cycle_recommended", sa.String(12), nullable=False),
        sa.Column("actions", sa.Text),
        sa.Column("lead_section", sa.Text),
        sa.Column("supporting_sections", sa.Text),
        sa.Column("endorsed_by", sa.Text),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("target_date", sa.Date),
        sa.Column("progress", sa.String(20), nullable=False),
        sa.Column("comments", sa.Text),
        sa.Column("source", sa.Text),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.UniqueConstraint("mission_code", "rec_key", name="uq_recommendations_key"),
    )
    _audit_log_append_only()


def _audit_log_append_only() -> None:
    """Refuse UPDATE and DELETE on audit_log at the database itself."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION cpas_audit_log_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION cpas_audit_log_append_only()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS cpas_audit_log_append_only()")
    for name in ("recommendations", "audit_log", "observations", "framework_indicators", "framework_versions", "missions"):
        op.drop_table(name)
