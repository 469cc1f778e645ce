"""The live impact-assessment workshop: sessions, participants, rating events, proposals, agreed results.

``workshop_rating_events`` is append-only (a trigger refuses UPDATE and DELETE): every submit is a row,
and a participant's current rating is their latest row for an outcome.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:  # one create_table per table, in order: longer than 80 lines, read as a list
    op.create_table(
        "workshop_sessions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("mission_code", sa.String(40), sa.ForeignKey("missions.code"), nullable=False),
        sa.Column("cycle", sa.String(12), nullable=False),
        sa.Column("framework_version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("facilitator_key_hash", sa.String(64), nullable=False),
        sa.Column("outcome_order", sa.Text, nullable=False),
        sa.Column("current_index", sa.Integer, nullable=False),
        sa.Column("outcome_priorities", sa.Text, nullable=False),
        sa.Column("sections", sa.Text, nullable=False),
        sa.Column("progress_scale", sa.Text, nullable=False),
        sa.Column("contribution_scale", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("closed_at", TZ),
        sa.Column("closed_by", sa.Text),
        sa.UniqueConstraint("code", name="uq_workshop_sessions_code"),
    )
    op.create_index("ix_workshop_sessions_mission_cycle", "workshop_sessions", ["mission_code", "cycle"])
    op.create_table(
        "workshop_participants",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("workshop_sessions.id"), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("section", sa.String(40), nullable=False),
        sa.Column("joined_at", TZ, nullable=False),
        sa.UniqueConstraint("token", name="uq_workshop_participants_token"),
        sa.UniqueConstraint("session_id", "name_key", "section", name="uq_workshop_participants_name"),
    )
    op.create_table(
        "workshop_rating_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("workshop_sessions.id"), nullable=False),
        sa.Column("participant_id", sa.Integer, sa.ForeignKey("workshop_participants.id"), nullable=False),
        sa.Column("outcome_code", sa.String(40), nullable=False),
        sa.Column("progress", sa.String(60)),
        sa.Column("contribution", sa.String(60)),
        sa.Column("reason", sa.Text),
        sa.Column("submitted_at", TZ, nullable=False),
        sa.Column("submission_id", sa.String(64), nullable=False),
        sa.UniqueConstraint("submission_id", name="uq_workshop_rating_events_submission"),
    )
    op.create_index("ix_workshop_rating_events_current", "workshop_rating_events",
                    ["session_id", "participant_id", "outcome_code", "id"])
    op.create_table(
        "workshop_proposals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("workshop_sessions.id"), nullable=False),
        sa.Column("participant_id", sa.Integer, sa.ForeignKey("workshop_participants.id"), nullable=False),
        sa.Column("outcome_code", sa.String(40), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("lead_section", sa.String(40)),
        sa.Column("supporting_sections", sa.Text),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("merged_into_id", sa.Integer, sa.ForeignKey("workshop_proposals.id")),
        sa.Column("merged_by", sa.Text),
        sa.Column("merged_at", TZ),
        sa.Column("recommendation_id", sa.Integer, sa.ForeignKey("recommendations.id")),
        sa.Column("sent_by", sa.Text),
        sa.Column("sent_at", TZ),
    )
    op.create_index("ix_workshop_proposals_session", "workshop_proposals", ["session_id", "outcome_code"])
    op.create_table(
        "workshop_agreed",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("workshop_sessions.id"), nullable=False),
        sa.Column("outcome_code", sa.String(40), nullable=False),
        sa.Column("progress", sa.String(60)),
        sa.Column("contribution", sa.String(60)),
        sa.Column("analysis", sa.Text),
        sa.Column("agreed_by", sa.Text, nullable=False),
        sa.Column("agreed_at", TZ, nullable=False),
        sa.UniqueConstraint("session_id", "outcome_code", name="uq_workshop_agreed_outcome"),
    )
    _append_only()


def _append_only() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER workshop_rating_events_no_{verb.lower()} BEFORE {verb} ON workshop_rating_events "
                "BEGIN SELECT RAISE(ABORT, 'workshop rating events are append-only'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION cpas_workshop_rating_events_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'workshop rating events are append-only'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER workshop_rating_events_append_only BEFORE UPDATE OR DELETE ON workshop_rating_events "
            "FOR EACH ROW EXECUTE FUNCTION cpas_workshop_rating_events_append_only()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in ("workshop_agreed", "workshop_proposals", "workshop_rating_events", "workshop_participants",
                  "workshop_sessions"):
        op.drop_table(table)
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS cpas_workshop_rating_events_append_only()")
