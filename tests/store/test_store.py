"""The store, on SQLite and on PostgreSQL: migrations, versioned frameworks, observations, audit log."""

from __future__ import annotations

import json
import sqlite3

import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from cpas_kit.core.errors import NotFoundError
from cpas_kit.data_in.store import ObservationStore
from cpas_kit.demo import MISSION, demo_framework, load_demo
from cpas_kit.framework.model import Framework, parse_framework
from cpas_kit.store import Store
from cpas_kit.store.engine import current_revision, head_revision
from cpas_kit.store.schema import metadata
from cpas_kit.tracker.store import TrackerStore

ACTOR = "pytest"


STORE_CONTENT = "empty"  # the shared ``store`` fixture (tests/conftest.py)


@pytest.fixture(scope="module")
def fw() -> Framework:
    return demo_framework()


@pytest.fixture
def store_with_mission(store, fw):
    assert store.save_framework(fw, effective_from="2021/22-Q1", actor=ACTOR) == 1
    return store


def obs_frame(rows: list[dict]) -> pd.DataFrame:
    """An ObservationsIn frame: defaults for every column the caller does not give."""
    base = {"mission_code": MISSION, "disaggregation": "", "value": None, "value_text": None,
            "source": "test", "verification_status": "entered", "is_synthetic": False, "note": None}
    return pd.DataFrame([{**base, **r} for r in rows])


def _edited(fw: Framework) -> Framework:
    doc = fw.to_document()
    indicator = doc["priorities"][0]["outcomes"][0]["indicators"][0]
    indicator["name"] = "Conflict-related civilian deaths (revised)"
    indicator["targets"][-1]["value"] = 55
    return parse_framework(doc, "edited")


# -- migrations ---------------------------------------------------------------------------------

def test_migration_from_empty_reaches_head_and_matches_metadata(store_url):
    bare = Store(store_url, upgrade=False)
    try:
        assert bare.schema_revision() is None, "a new store starts empty"
    finally:
        bare.close()

    s = Store(store_url)
    try:
        assert s.schema_revision() == head_revision()
        assert current_revision(s.engine) == head_revision()
        names = set(inspect(s.engine).get_table_names())
        assert {t.name for t in metadata.sorted_tables} <= names
        assert names - {t.name for t in metadata.sorted_tables} == {"alembic_version"}
        with s.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, metadata)
        assert diff == [], f"migrated schema differs from cpas_kit.store.schema.metadata: {diff}"
        assert s.table_counts() == {t.name: 0 for t in metadata.sorted_tables}
    finally:
        s.close()


def test_opening_twice_does_not_migrate_again(store_url, monkeypatch, fw):
    calls = []
    from alembic import command

    real_upgrade = command.upgrade

    def spy(cfg, revision, *args, **kwargs):
        calls.append(revision)
        return real_upgrade(cfg, revision, *args, **kwargs)

    monkeypatch.setattr(command, "upgrade", spy)
    first = Store(store_url)
    first.save_framework(fw, effective_from="2021/22-Q1", actor=ACTOR)
    first.close()
    assert len(calls) == 1, "the first open must migrate the empty store"

    second = Store(store_url)
    try:
        assert len(calls) == 1, "opening an up-to-date store must not run the migrations again"
        assert second.schema_revision() == head_revision()
        assert second.mission_codes() == [MISSION]
        with second.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    finally:
        second.close()


# -- frameworks ----------------------------------------------------------------------------------

def test_framework_round_trip(store, fw):
    assert store.save_framework(fw, effective_from="2021/22-Q1", actor=ACTOR, source="UN-DEMO.yaml") == 1
    back = store.framework(MISSION)
    assert isinstance(back, Framework)
    assert back == fw
    assert back.content_hash() == fw.content_hash()
    meta = store.framework_version_for(MISSION)
    assert meta["version"] == 1 and meta["effective_from"] == "2021/22-Q1"
    assert meta["content_hash"] == fw.content_hash()
    assert meta["created_by"] == ACTOR and meta["source"] == "UN-DEMO.yaml"
    assert store.mission_codes() == [MISSION]
    assert store.table_counts()["framework_indicators"] == len(list(fw.indicators()))


def test_saving_the_same_framework_again_keeps_its_version(store, fw):
    assert store.save_framework(fw, effective_from="2021/22-Q1", actor=ACTOR) == 1
    audit_rows = len(store.audit_log())
    assert store.save_framework(demo_framework(), effective_from="2021/22-Q1", actor="someone else") == 1
    assert len(store.framework_versions(MISSION)) == 1
    assert len(store.audit_log()) == audit_rows, "an unchanged framework writes nothing"


def test_edited_framework_gets_a_new_version_and_history_is_kept(store, fw):
    assert store.save_framework(fw, effective_from="2021/22-Q1", actor=ACTOR) == 1
    v2 = _edited(fw)
    assert store.save_framework(v2, effective_from="2023/24-Q1", actor=ACTOR) == 2

    assert store.framework(MISSION) == v2
    assert store.framework(MISSION, "2023/24-Q1") == v2
    assert store.framework(MISSION, "2023/24-Q3") == v2
    # earlier cycles keep the framework they were assessed against
    assert store.framework(MISSION, "2022/23-Q4") == fw
    assert store.framework(MISSION, "2021/22-Q1") == fw
    assert store.framework(MISSION, "2022-03") == fw
    assert store.framework_version_for(MISSION, "2022/23-Q4")["version"] == 1
    assert store.framework_version_for(MISSION, "2023/24-Q2")["version"] == 2
    # a cycle before every version falls back to the first one
    assert store.framework(MISSION, "2019/20-Q1") == fw

    versions = store.framework_versions(MISSION)
    assert list(versions["version"]) == [1, 2]
    assert list(versions["content_hash"]) == [fw.content_hash(), v2.content_hash()]
    assert list(versions["effective_from"]) == ["2021/22-Q1", "2023/24-Q1"]
    assert store.framework(MISSION).indicator("SEC-01").name.endswith("(revised)")
    old_name = store.framework(MISSION, "2021/22-Q4").indicator("SEC-01").name
    assert old_name == "Conflict-related civilian deaths"
    # saving v2 again changes nothing
    assert store.save_framework(v2, effective_from="2023/24-Q1", actor=ACTOR) == 2
    assert store.table_counts()["framework_versions"] == 2


def test_unknown_mission_is_not_found(store):
    with pytest.raises(NotFoundError, match="NOPE"):
        store.framework("NOPE")


# -- observations --------------------------------------------------------------------------------

ROUND_TRIP_ROWS = [
    {"indicator_code": "SEC-01", "period": "2021/22-Q1", "value": 118.0, "verification_status": "verified",
     "verified_by": "JMAC focal point"},
    {"indicator_code": "SEC-01", "period": "2021/22-Q1", "disaggregation": "sex=female", "value": 41.0},
    {"indicator_code": "SEC-01", "period": "2021/22-Q1", "disaggregation": "admin1=CF-BGF;sex=male",
     "value": 7.0},
    {"indicator_code": "SEC-03", "period": "2021/22-Q2", "value": 38.25, "is_synthetic": True,
     "source": "synthetic (test)", "note": "a note"},
    {"indicator_code": "PP-01", "period": "2021/22-Q3",
     "value_text": "Regular meetings held with an agreed agenda; l'accord est signé — ✓",
     "verification_status": "verified"},
    {"indicator_code": "SEC-02", "period": "2022-03", "value": 0.0, "verification_status": "rejected"},
]


def test_observations_round_trip(store_with_mission):
    store = store_with_mission
    frame = obs_frame(ROUND_TRIP_ROWS)
    result = ObservationStore(store).write_observations(frame, actor=ACTOR)
    assert result == {"rows_read": 6, "inserted": 6, "updated": 0, "unchanged": 0}
    assert ObservationStore(store).count_observations(MISSION) == 6

    back = ObservationStore(store).observations(MISSION)
    assert len(back) == 6
    by_cell = {(r.indicator_code, r.period, r.disaggregation): r for r in back.itertuples()}
    for want in ROUND_TRIP_ROWS:
        row = by_cell[(want["indicator_code"], want["period"], want.get("disaggregation", ""))]
        if want.get("value") is None:
            assert pd.isna(row.value)
        else:
            assert row.value == pytest.approx(want["value"])
        if want.get("value_text") is None:
            assert pd.isna(row.value_text)
        else:
            assert row.value_text == want["value_text"]
        assert bool(row.is_synthetic) is want.get("is_synthetic", False)
        assert row.verification_status == want.get("verification_status", "entered")
        assert row.source == want.get("source", "test")
        assert row.entered_by == ACTOR
        if row.verification_status == "verified":
            assert row.verified_by == want.get("verified_by", ACTOR)
            assert not pd.isna(row.verified_at)
        else:
            assert pd.isna(row.verified_by) and pd.isna(row.verified_at)

    month = by_cell[("SEC-02", "2022-03", "")]
    assert month.period_start == pd.Timestamp("2022-03-01")
    assert by_cell[("SEC-03", "2021/22-Q2", "")].note == "a note"
    assert by_cell[("SEC-01", "2021/22-Q1", "")].period_start == pd.Timestamp("2021-07-01")
    # filters
    assert len(ObservationStore(store).observations(MISSION, totals_only=True)) == 4
    assert len(ObservationStore(store).observations(MISSION, indicators=["SEC-01"])) == 3
    assert len(ObservationStore(store).observations(MISSION, periods=["2021/22-Q1"])) == 3
    assert ObservationStore(store).observations("OTHER").empty


def test_rewriting_the_same_frame_changes_nothing(store_with_mission):
    store = store_with_mission
    frame = obs_frame(ROUND_TRIP_ROWS)
    ObservationStore(store).write_observations(frame, actor=ACTOR)
    before_rows = ObservationStore(store).observations(MISSION)
    before_audit = store.audit_log()

    again = ObservationStore(store).write_observations(obs_frame(ROUND_TRIP_ROWS), actor="another person")
    assert again == {"rows_read": 6, "inserted": 0, "updated": 0, "unchanged": 6}
    assert len(store.audit_log()) == len(before_audit), "an unchanged re-import must not write audit rows"
    after_rows = ObservationStore(store).observations(MISSION)
    pd.testing.assert_frame_equal(after_rows, before_rows)


def test_a_corrected_value_updates_the_row_and_keeps_the_old_value_in_the_audit_log(store_with_mission):
    store = store_with_mission
    ObservationStore(store).write_observations(obs_frame(ROUND_TRIP_ROWS), actor="first enumerator")
    n_audit = len(store.audit_log())

    fix = obs_frame([{**ROUND_TRIP_ROWS[1], "value": 44.0, "note": "recount"}])
    result = ObservationStore(store).write_observations(fix, actor="corrector", note="correction after recount")
    assert result == {"rows_read": 1, "inserted": 0, "updated": 1, "unchanged": 0}

    back = ObservationStore(store).observations(MISSION, indicators=["SEC-01"], periods=["2021/22-Q1"])
    row = back[back["disaggregation"] == "sex=female"].iloc[0]
    assert row["value"] == 44.0
    assert row["note"] == "recount"
    assert row["entered_by"] == "corrector"
    assert ObservationStore(store).count_observations(MISSION) == 6, "a correction must not add a row"

    audit = store.audit_log(mission=MISSION, entity="observation")
    assert len(store.audit_log()) == n_audit + 1
    upd = audit[audit["action"] == "update"]
    assert len(upd) == 1
    rec = upd.iloc[0]
    assert rec["actor"] == "corrector"
    assert rec["note"] == "correction after recount"
    assert rec["entity_key"] == "UN-DEMO|SEC-01|2021/22-Q1|sex=female"
    old, new = json.loads(rec["old_value"]), json.loads(rec["new_value"])
    assert old["value"] == 41.0 and new["value"] == 44.0
    assert old["entered_by"] == "first enumerator"
    assert old["note"] is None and new["note"] == "recount"


def test_audit_log_is_append_only(store_with_mission):
    store = store_with_mission
    log = store.audit_log()
    assert len(log) >= 2  # mission + framework version
    for sql in ("UPDATE audit_log SET actor = 'forger'", "DELETE FROM audit_log",
                "UPDATE audit_log SET old_value = NULL WHERE id = (SELECT min(id) FROM audit_log)"):
        with pytest.raises(DBAPIError, match="append-only"):
            with store.engine.begin() as conn:
                conn.execute(text(sql))
    pd.testing.assert_frame_equal(store.audit_log(), log)


def test_load_demo_twice_is_idempotent(store):
    first = load_demo(store)
    counts = store.table_counts()
    audit_rows = len(store.audit_log())
    assert first["framework_version"] == 1
    assert first["observations"]["inserted"] == first["observations"]["rows_read"] > 1000
    assert first["recommendations"]["inserted"] == first["recommendations"]["rows_read"] > 0
    assert counts["observations"] == first["observations"]["rows_read"]
    assert counts["missions"] == 1 and counts["framework_versions"] == 1

    second = load_demo(store)
    assert second["framework_version"] == 1
    assert second["observations"]["inserted"] == 0
    assert second["observations"]["updated"] == 0
    assert second["observations"]["unchanged"] == first["observations"]["rows_read"]
    assert second["recommendations"]["inserted"] == 0 and second["recommendations"]["updated"] == 0
    assert store.table_counts() == counts
    assert len(store.audit_log()) == audit_rows
    obs = ObservationStore(store).observations(MISSION)
    assert obs["is_synthetic"].all(), "demo data must be labelled synthetic"
    assert len(TrackerStore(store).recommendations(MISSION)) == counts["recommendations"]


# -- SQLite specifics ----------------------------------------------------------------------------

def test_sqlite_store_is_in_wal_mode(sqlite_url):
    s = Store(sqlite_url)
    try:
        assert s.dialect == "sqlite"
        with s.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar().lower() == "wal"
    finally:
        s.close()
    # WAL is a property of the file: a plain connection that sets nothing sees it too
    path = make_url(sqlite_url).database
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    finally:
        raw.close()
