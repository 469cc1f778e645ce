"""Cross-mission studies: standard codes and tags of framework indicators as rows, and UN peacekeeping fatalities.

``framework_indicator_standards`` / ``framework_indicator_tags`` are filled for the framework versions already
stored (from their JSON documents). ``fatalities`` holds the UN Peace and Security Data Hub fatalities file,
one row per casualty, keyed by the file's ``id``; its nationality columns describe the casualty. Two indexes
serve the study's aggregates: ``ix_observations_totals`` (indicator totals by mission and indicator) and
``ix_events_study`` (events by mission, source and period, covering the counted columns).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    standards = op.create_table(
        "framework_indicator_standards",
        sa.Column("version_id", sa.Integer, sa.ForeignKey("framework_versions.id"), primary_key=True),
        sa.Column("indicator_code", sa.String(40), primary_key=True),
        sa.Column("standard_code", sa.String(40), nullable=False),
        sa.Column("baseline_value", sa.Float),
        sa.Column("baseline_period", sa.String(12)),
    )
    op.create_index("ix_framework_indicator_standards_code", "framework_indicator_standards", ["standard_code"])
    tags = op.create_table(
        "framework_indicator_tags",
        sa.Column("version_id", sa.Integer, sa.ForeignKey("framework_versions.id"), primary_key=True),
        sa.Column("indicator_code", sa.String(40), primary_key=True),
        sa.Column("tag", sa.String(40), primary_key=True),
    )
    op.create_index("ix_framework_indicator_tags_tag", "framework_indicator_tags", ["tag"])
    op.create_table(
        "fatalities",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.String(40), nullable=False),
        sa.Column("incident_date", sa.Date, nullable=False),
        sa.Column("incident_year", sa.Integer, nullable=False),
        sa.Column("casualty_id", sa.String(60)),
        sa.Column("mission_acronym", sa.String(40), nullable=False),
        sa.Column("type_of_casualty", sa.Text),
        sa.Column("gender", sa.Text),
        sa.Column("casualty_nationality", sa.Text),
        sa.Column("casualty_personnel_type", sa.Text),
        sa.Column("type_of_incident", sa.Text),
        sa.Column("casualty_m49_code", sa.String(3)),
        sa.Column("casualty_iso3", sa.String(3)),
        sa.Column("last_update", sa.Date),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False),
        sa.UniqueConstraint("source_id", name="uq_fatalities_source_id"),
    )
    op.create_index("ix_fatalities_mission_year", "fatalities", ["mission_acronym", "incident_year"])
    # what makes the study's aggregates fast on 10 M observations and 2 M events (benchmarks/scale.py)
    op.create_index("ix_observations_totals", "observations",
                    ["mission_code", "indicator_code", "disaggregation", "period_start"])
    op.create_index("ix_events_study", "events", ["mission_code", "source", "period_start", "period",
                                                  "fatalities_best", "civilian_targeting"])
    _backfill(standards, tags)


def _backfill(standards: sa.Table, tags: sa.Table) -> None:
    """Rows for the framework versions stored before this revision, read from their documents."""
    conn = op.get_bind()
    versions = sa.table("framework_versions", sa.column("id", sa.Integer), sa.column("content", sa.Text))
    std_rows, tag_rows = [], []
    for vid, content in conn.execute(sa.select(versions.c.id, versions.c.content)):
        doc = json.loads(content)
        for p in doc.get("priorities", []):
            for o in p.get("outcomes", []):
                for ind in o.get("indicators", []):
                    base = ind.get("baseline") or {}
                    if ind.get("standard_code"):
                        std_rows.append(dict(version_id=vid, indicator_code=ind["code"],
                                             standard_code=ind["standard_code"], baseline_value=base.get("value"),
                                             baseline_period=base.get("period")))
                    tag_rows += [dict(version_id=vid, indicator_code=ind["code"], tag=tag)
                                 for tag in dict.fromkeys(ind.get("tags") or [])]
    if std_rows:
        op.bulk_insert(standards, std_rows)
    if tag_rows:
        op.bulk_insert(tags, tag_rows)


def downgrade() -> None:
    op.drop_index("ix_events_study", table_name="events")
    op.drop_index("ix_observations_totals", table_name="observations")
    op.drop_index("ix_fatalities_mission_year", table_name="fatalities")
    op.drop_table("fatalities")
    op.drop_index("ix_framework_indicator_tags_tag", table_name="framework_indicator_tags")
    op.drop_table("framework_indicator_tags")
    op.drop_index("ix_framework_indicator_standards_code", table_name="framework_indicator_standards")
    op.drop_table("framework_indicator_standards")
