"""Recommendations become append-only: identity in ``recommendations``, every change in ``recommendation_events``.

The mutable fields (actions, sections, endorsement, decision, target date, progress, comments) move out of
``recommendations``; each existing recommendation gets one ``create`` event holding their current values,
so the tracker's state is derived from events from now on.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
MUTABLE = ("actions", "lead_section", "supporting_sections", "endorsed_by", "decision", "target_date", "progress",
           "comments")


def upgrade() -> None:
    conn = op.get_bind()
    old = sa.table("recommendations", sa.column("id", sa.Integer), sa.column("mission_code", sa.String),
                   sa.column("created_at", TZ), *[sa.column(c) for c in MUTABLE])
    rows = conn.execute(sa.select(old)).mappings().all()  # read before the table is rebuilt (SQLite batch mode)
    with op.batch_alter_table("recommendations") as batch:
        for c in MUTABLE + ("updated_at",):
            batch.drop_column(c)
        batch.add_column(sa.Column("source_session", sa.String(40)))
        batch.add_column(sa.Column("created_by", sa.Text, nullable=False, server_default="unknown"))
    events = op.create_table(
        "recommendation_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("recommendation_id", sa.Integer, sa.ForeignKey("recommendations.id"), nullable=False),
        sa.Column("mission_code", sa.String(40), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.String(12), nullable=False),
        sa.Column("field", sa.String(30)),
        sa.Column("from_value", sa.Text),
        sa.Column("to_value", sa.Text),
        sa.Column("comment", sa.Text),
    )
    op.create_index("ix_recommendation_events_rec", "recommendation_events", ["recommendation_id", "id"])
    if rows:
        conn.execute(sa.insert(events), [
            {"recommendation_id": r["id"], "mission_code": r["mission_code"], "at": r["created_at"],
             "actor": "cpas store upgrade (schema 0003)", "action": "create", "field": None, "from_value": None,
             "to_value": json.dumps({c: None if r[c] is None else str(r[c]) for c in MUTABLE}, ensure_ascii=False),
             "comment": "state carried over from the tracker before change history was kept"}
            for r in rows
        ])
    _append_only()


def _append_only() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER recommendation_events_no_{verb.lower()} BEFORE {verb} ON recommendation_events "
                "BEGIN SELECT RAISE(ABORT, 'recommendation events are append-only'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION cpas_recommendation_events_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'recommendation events are append-only'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER recommendation_events_append_only BEFORE UPDATE OR DELETE ON recommendation_events "
            "FOR EACH ROW EXECUTE FUNCTION cpas_recommendation_events_append_only()"
        )


def downgrade() -> None:
    raise NotImplementedError("recommendation history cannot be folded back into one row per recommendation")
