"""The store's tables (SQLAlchemy Core), as the latest migration leaves them.

Migrations in ``cpas_kit/store/migrations/versions`` create and change these tables; a test checks
that a freshly migrated store matches this metadata exactly.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

missions = Table(
    "missions",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("name", Text, nullable=False),
    Column("name_fr", Text),
    Column("country_iso3", String(3), nullable=False),
    Column("hq", Text, nullable=False),
    Column("mandate_resolution", Text, nullable=False),
    Column("cycle_kind", String(10), nullable=False),
    Column("is_fictional", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

framework_versions = Table(
    "framework_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mission_code", String(40), ForeignKey("missions.code"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("effective_from", String(12), nullable=False),
    Column("effective_from_start", Date, nullable=False),
    Column("content", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Text, nullable=False),
    Column("source", Text),
    UniqueConstraint("mission_code", "version", name="uq_framework_versions_mission_version"),
)

framework_indicators = Table(
    "framework_indicators",
    metadata,
    Column("version_id", Integer, ForeignKey("framework_versions.id"), primary_key=True),
    Column("indicator_code", String(40), primary_key=True),
    Column("priority_code", String(40), nullable=False),
    Column("outcome_code", String(40), nullable=False),
    Column("name", Text, nullable=False),
    Column("level", String(12), nullable=False),
    Column("kind", String(12), nullable=False),
    Column("unit", Text, nullable=False),
    Column("direction", String(10), nullable=False),
    Column("responsible_section", String(40), nullable=False),
)

observations = Table(
    "observations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mission_code", String(40), ForeignKey("missions.code"), nullable=False),
    Column("indicator_code", String(40), nullable=False),
    Column("period", String(12), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("disaggregation", String(200), nullable=False),
    Column("value", Float),
    Column("value_text", Text),
    Column("source", Text),
    Column("entered_by", Text, nullable=False),
    Column("entered_at", DateTime(timezone=True), nullable=False),
    Column("verification_status", String(10), nullable=False),
    Column("verified_by", Text),
    Column("verified_at", DateTime(timezone=True)),
    Column("is_synthetic", Boolean, nullable=False),
    Column("note", Text),
    UniqueConstraint(
        "mission_code", "indicator_code", "period", "disaggregation", name="uq_observations_cell"
    ),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(20), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("entity_key", Text, nullable=False),
    Column("mission_code", String(40)),
    Column("old_value", Text),
    Column("new_value", Text),
    Column("note", Text),
)

recommendations = Table(
    "recommendations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mission_code", String(40), ForeignKey("missions.code"), nullable=False),
    Column("rec_key", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("priority_code", String(40)),
    Column("outcome_code", String(40)),
    Column("cycle_recommended", String(12), nullable=False),
    Column("source", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("source_session", String(40)),
    Column("created_by", Text, nullable=False, server_default="unknown"),
    UniqueConstraint("mission_code", "rec_key", name="uq_recommendations_key"),
)

recommendation_events = Table(
    "recommendation_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("recommendation_id", Integer, ForeignKey("recommendations.id"), nullable=False),
    Column("mission_code", String(40), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(12), nullable=False),
    Column("field", String(30)),
    Column("from_value", Text),
    Column("to_value", Text),
    Column("comment", Text),
    Index("ix_recommendation_events_rec", "recommendation_id", "id"),
)

imports = Table(
    "imports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("mission_code", String(40)),
    Column("file_name", Text, nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", Text, nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("rows_imported", Integer, nullable=False),
    Column("rows_unchanged", Integer, nullable=False),
    Column("rows_unmatched", Integer, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mission_code", String(40), ForeignKey("missions.code"), nullable=False),
    Column("source", String(10), nullable=False),
    Column("source_event_id", String(60), nullable=False),
    Column("event_date", Date, nullable=False),
    Column("period", String(12), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("disorder_type", Text),
    Column("event_type", Text),
    Column("sub_event_type", Text),
    Column("actor1", Text),
    Column("actor2", Text),
    Column("inter1", Text),
    Column("inter2", Text),
    Column("civilian_targeting", Boolean, nullable=False),
    Column("admin1_name", Text),
    Column("admin2_name", Text),
    Column("location", Text),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("admin1_code", String(20)),
    Column("admin1_match", String(10)),
    Column("fatalities_best", Integer, nullable=False),
    Column("fatalities_low", Integer),
    Column("fatalities_high", Integer),
    Column("fatalities_civilians", Integer),
    Column("data_source", Text),
    Column("row_hash", String(32), nullable=False),
    Column("import_id", Integer, ForeignKey("imports.id"), nullable=False),
    UniqueConstraint("mission_code", "source", "source_event_id", name="uq_events_source_id"),
    Index("ix_events_mission_period", "mission_code", "period_start"),
)

context_values = Table(
    "context_values",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mission_code", String(40), ForeignKey("missions.code"), nullable=False),
    Column("source", String(10), nullable=False),
    Column("indicator_code", String(120), nullable=False),
    Column("indicator_name", Text, nullable=False),
    Column("unit", Text),
    Column("admin1_code", String(20), nullable=False),
    Column("admin1_name", Text),
    Column("period", String(20), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("value", Float),
    Column("value_text", Text),
    Column("import_id", Integer, ForeignKey("imports.id"), nullable=False),
    UniqueConstraint("mission_code", "source", "indicator_code", "admin1_code", "period",
                     name="uq_context_values_cell"),
)

# -- live impact-assessment workshop (migration 0004) -----------------------------------------------

workshop_sessions = Table(
    "workshop_sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(12), nullable=False),
    Column("mission_code", String(40), ForeignKey("missions.code"), nullable=False),
    Column("cycle", String(12), nullable=False),
    Column("framework_version", Integer, nullable=False),
    Column("status", String(10), nullable=False),
    Column("facilitator_key_hash", String(64), nullable=False),
    Column("outcome_order", Text, nullable=False),
    Column("current_index", Integer, nullable=False),
    Column("outcome_priorities", Text, nullable=False),
    Column("sections", Text, nullable=False),
    Column("progress_scale", Text, nullable=False),
    Column("contribution_scale", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Text, nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    Column("closed_by", Text),
    UniqueConstraint("code", name="uq_workshop_sessions_code"),
    Index("ix_workshop_sessions_mission_cycle", "mission_code", "cycle"),
)

workshop_participants = Table(
    "workshop_participants",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", Integer, ForeignKey("workshop_sessions.id"), nullable=False),
    Column("token", String(64), nullable=False),  # SHA-256 hex of the resume token (0007)
    Column("name", Text, nullable=False),
    Column("name_key", String(200), nullable=False),
    Column("section", String(40), nullable=False),
    Column("joined_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("token", name="uq_workshop_participants_token"),
    UniqueConstraint("session_id", "name_key", "section", name="uq_workshop_participants_name"),
)

workshop_rating_events = Table(
    "workshop_rating_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", Integer, ForeignKey("workshop_sessions.id"), nullable=False),
    Column("participant_id", Integer, ForeignKey("workshop_participants.id"), nullable=False),
    Column("outcome_code", String(40), nullable=False),
    Column("progress", String(60)),
    Column("contribution", String(60)),
    Column("reason", Text),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("submission_id", String(64), nullable=False),
    UniqueConstraint("submission_id", name="uq_workshop_rating_events_submission"),
    Index("ix_workshop_rating_events_current", "session_id", "participant_id", "outcome_code", "id"),
)

workshop_proposals = Table(
    "workshop_proposals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", Integer, ForeignKey("workshop_sessions.id"), nullable=False),
    Column("participant_id", Integer, ForeignKey("workshop_participants.id"), nullable=False),
    Column("outcome_code", String(40), nullable=False),
    Column("text", Text, nullable=False),
    Column("lead_section", String(40)),
    Column("supporting_sections", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("merged_into_id", Integer, ForeignKey("workshop_proposals.id")),
    Column("merged_by", Text),
    Column("merged_at", DateTime(timezone=True)),
    Column("recommendation_id", Integer, ForeignKey("recommendations.id")),
    Column("sent_by", Text),
    Column("sent_at", DateTime(timezone=True)),
    Index("ix_workshop_proposals_session", "session_id", "outcome_code"),
)

workshop_agreed = Table(
    "workshop_agreed",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", Integer, ForeignKey("workshop_sessions.id"), nullable=False),
    Column("outcome_code", String(40), nullable=False),
    Column("progress", String(60)),
    Column("contribution", String(60)),
    Column("analysis", Text),
    Column("agreed_by", Text, nullable=False),
    Column("agreed_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("session_id", "outcome_code", name="uq_workshop_agreed_outcome"),
)

# -- workshop security (0007): rate limit of wrong join codes, authorised facilitators --------------------

workshop_join_failures = Table(
    "workshop_join_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_workshop_join_failures_client_at", "client", "at"),
)

workshop_facilitators = Table(
    "workshop_facilitators",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("secret_hash", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Text, nullable=False),
    UniqueConstraint("name", name="uq_workshop_facilitators_name"),
)

# -- stakeholders (0005) ----------------------------------------------------------------------------

stakeholder_options = Table(
    "stakeholder_options",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mission_code", String(40), ForeignKey("missions.code"), nullable=False),
    Column("field", String(20), nullable=False),
    Column("code", String(40), nullable=False),
    Column("label", Text, nullable=False),
    Column("label_fr", Text),
    Column("position", Integer, nullable=False),
    UniqueConstraint("mission_code", "field", "code", name="uq_stakeholder_options_code"),
)

stakeholder_snapshots = Table(
    "stakeholder_snapshots",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mission_code", String(40), ForeignKey("missions.code"), nullable=False),
    Column("cycle", String(12), nullable=False),
    Column("cycle_start", Date, nullable=False),
    Column("is_synthetic", Boolean, nullable=False),
    Column("source", Text),
    Column("summary", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("summary_fr", Text),  # 0011: the summary in French (None: French readers see the English one)
    UniqueConstraint("mission_code", "cycle", name="uq_stakeholder_snapshots_cycle"),
)

stakeholder_entries = Table(
    "stakeholder_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("snapshot_id", Integer, ForeignKey("stakeholder_snapshots.id"), nullable=False),
    Column("stakeholder_code", String(40), nullable=False),
    Column("name", Text, nullable=False),
    Column("name_fr", Text),
    Column("type", String(40), nullable=False),
    Column("level", String(40), nullable=False),
    Column("areas", Text, nullable=False),
    Column("stance", String(40), nullable=False),
    Column("influence", String(40), nullable=False),
    Column("interests", Text),
    Column("perception", Text),
    Column("engagement", Text),
    Column("outcomes", Text, nullable=False),
    Column("status", String(10), nullable=False),
    Column("note", Text),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", Text, nullable=False),
    Column("note_fr", Text),  # 0011: the note (why) in French (None: French readers see the English one)
    UniqueConstraint("snapshot_id", "stakeholder_code", name="uq_stakeholder_entries_code"),
)

# -- fatalities and standards (0006) -----------------------------------------------------------------

framework_indicator_standards = Table(
    "framework_indicator_standards",
    metadata,
    Column("version_id", Integer, ForeignKey("framework_versions.id"), primary_key=True),
    Column("indicator_code", String(40), primary_key=True),
    Column("standard_code", String(40), nullable=False),
    Column("baseline_value", Float),
    Column("baseline_period", String(12)),
    Index("ix_framework_indicator_standards_code", "standard_code"),
)

framework_indicator_tags = Table(
    "framework_indicator_tags",
    metadata,
    Column("version_id", Integer, ForeignKey("framework_versions.id"), primary_key=True),
    Column("indicator_code", String(40), primary_key=True),
    Column("tag", String(40), primary_key=True),
    Index("ix_framework_indicator_tags_tag", "tag"),
)

# cross-mission studies read indicator totals by mission and indicator, and events by mission, source and period
Index("ix_observations_totals", observations.c.mission_code, observations.c.indicator_code,
      observations.c.disaggregation, observations.c.period_start)
Index("ix_events_study", events.c.mission_code, events.c.source, events.c.period_start, events.c.period,
      events.c.fatalities_best, events.c.civilian_targeting)

fatalities = Table(
    "fatalities",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(40), nullable=False),
    Column("incident_date", Date, nullable=False),
    Column("incident_year", Integer, nullable=False),
    Column("casualty_id", String(60)),
    Column("mission_acronym", String(40), nullable=False),
    Column("type_of_casualty", Text),
    Column("gender", Text),
    Column("casualty_nationality", Text),
    Column("casualty_personnel_type", Text),
    Column("type_of_incident", Text),
    Column("casualty_m49_code", String(3)),
    Column("casualty_iso3", String(3)),
    Column("last_update", Date),
    Column("import_id", Integer, ForeignKey("imports.id"), nullable=False),
    UniqueConstraint("source_id", name="uq_fatalities_source_id"),
    Index("ix_fatalities_mission_year", "mission_acronym", "incident_year"),
)

# -- reports to the Security Council checked against the store (0010) --------------------------------

report_checks = Table(
    "report_checks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mission_code", String(40), ForeignKey("missions.code"), nullable=False),
    Column("title", Text, nullable=False),
    Column("report_date", Date),
    Column("cycle", String(12)),
    Column("language", String(2), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("paragraphs", Integer, nullable=False),
    Column("operative", Integer, nullable=False),
    Column("informed", Integer, nullable=False),
    Column("could_be_informed", Integer, nullable=False),
    Column("contradicts", Integer, nullable=False),
    Column("share_informed", Float),
    Column("share_informed_operative", Float),
    Column("is_synthetic", Boolean, nullable=False),
    Column("checked_at", DateTime(timezone=True), nullable=False),
    Column("checked_by", Text, nullable=False),
    UniqueConstraint("mission_code", "file_sha256", name="uq_report_checks_file"),
    Index("ix_report_checks_mission_date", "mission_code", "report_date"),
)

# -- a mission's own admin-1 boundaries, versioned apart from its framework (migration 0008) ------------

mission_boundaries = Table(
    "mission_boundaries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mission_code", String(40), ForeignKey("missions.code"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("level", Integer, nullable=False),
    Column("country_iso3", String(3), nullable=False),
    Column("code_field", Text, nullable=False),
    Column("name_field", Text, nullable=False),
    Column("areas", Integer, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", Text, nullable=False),
    Column("credit", Text),
    Column("geojson", Text, nullable=False),
    UniqueConstraint("mission_code", "version", name="uq_mission_boundaries_version"),
)

# -- data quality follow-ups and section approval (0009) ---------------------------------------------

quality_followups = Table(
    "quality_followups",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mission_code", String(40), ForeignKey("missions.code"), nullable=False),
    Column("indicator_code", String(40), nullable=False),
    Column("period", String(12), nullable=False),
    Column("disaggregation", String(200), nullable=False),
    Column("rule", String(30), nullable=False),
    Column("value", Float),
    Column("value_text", Text),
    Column("state", String(12), nullable=False),
    Column("reason", Text),
    Column("actor", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_quality_followups_cell", "mission_code", "period", "indicator_code", "disaggregation", "id"),
)

section_approvals = Table(
    "section_approvals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mission_code", String(40), ForeignKey("missions.code"), nullable=False),
    Column("section_code", String(40), nullable=False),
    Column("cycle", String(12), nullable=False),
    Column("action", String(10), nullable=False),
    Column("status", String(12), nullable=False),
    Column("reason", Text),
    Column("actor", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_section_approvals_cycle", "mission_code", "cycle", "section_code", "id"),
)
