"""`cpas store backup` / `cpas store restore` (issue 14, item 9): a consistent copy of the whole store, restored
into an empty store identical table by table — fatalities and other headquarters data included."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from cpas_kit.cli.main import main
from cpas_kit.core.errors import StoreError
from cpas_kit.data_in.external.fatalities import import_fatalities
from cpas_kit.store import Store
from cpas_kit.store.backup import backup_store, restore_store
from cpas_kit.store.schema import metadata
from cpas_kit.workshop.store import WorkshopStore
from tests.paths import EXTERNAL_FIXTURES


def _normal(v):
    if isinstance(v, datetime):
        return (v if v.tzinfo else v.replace(tzinfo=timezone.utc)).astimezone(timezone.utc).isoformat()
    return v


def tables(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order, times in UTC."""
    with store.engine.connect() as conn:
        return {t.name: [tuple(_normal(v) for v in row)
                         for row in conn.execute(select(t).order_by(*t.primary_key.columns))]
                for t in metadata.sorted_tables}


@pytest.fixture
def full(demo_sqlite_url):
    """The demo store plus UN fatalities (headquarters data) and a workshop with a merged proposal."""
    store = Store(demo_sqlite_url)
    import_fatalities(store, EXTERNAL_FIXTURES / "un_fatalities.csv", actor="HQ analyst")
    ws = WorkshopStore(store)
    started = ws.start_workshop("UN-DEMO", "2023/24-Q4", actor="facilitator")
    ana = ws.join_workshop(started.code, "Ana", "FORCE")
    first = ws.propose_recommendation(ana.token, started.outcome_order[0], "Hold monthly meetings.")
    second = ws.propose_recommendation(ana.token, started.outcome_order[0], "Meet monthly.")
    ws.merge_proposals(started.code, started.facilitator_key, [first["id"]], second["id"], actor="facilitator")
    yield store
    store.close()


def _round_trip(source: Store, target_url: str, path, *, portable: bool = False) -> Store:
    made = backup_store(source, path, portable=portable)
    assert made.tables["fatalities"] > 0 and made.tables == source.table_counts()
    target = Store(target_url)
    restored = restore_store(target, path)
    assert restored.tables == source.table_counts()
    return target


def test_sqlite_backup_restores_identical_table_by_table(full, sqlite_url, tmp_path):
    path = tmp_path / "cpas-backup.sqlite"
    target = _round_trip(full, sqlite_url, path)
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"
    before, after = tables(full), tables(target)
    assert {k: len(v) for k, v in after.items()} == {k: len(v) for k, v in before.items()}
    assert after == before


def test_portable_backup_restores_identical_table_by_table(full, sqlite_url, tmp_path):
    target = _round_trip(full, sqlite_url, tmp_path / "cpas-backup.gz", portable=True)
    assert tables(target) == tables(full)


@pytest.mark.postgres
def test_sqlite_backup_restores_into_postgresql_and_back(full, pg_url, tmp_path):
    target = _round_trip(full, pg_url, tmp_path / "b.sqlite")
    assert tables(target) == tables(full)
    ws = WorkshopStore(target)  # ids continue after the restored ones
    started = ws.start_workshop("UN-DEMO", "2023/24-Q4", actor="facilitator")
    assert ws.join_workshop(started.code, "New", "CAS").id > max(r[0] for r in tables(full)["workshop_participants"])
    dumped = backup_store(target, tmp_path / "pg.dump")
    assert dumped.kind in ("pg_dump", "portable")


def test_restore_refuses_a_store_that_is_not_empty_and_a_file_that_is_not_a_backup(full, tmp_path):
    path = tmp_path / "b.sqlite"
    backup_store(full, path)
    with pytest.raises(StoreError, match="not empty"):
        restore_store(full, path)
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"hello world, not a backup")
    empty = Store(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    with pytest.raises(StoreError, match="not a CPAS store backup"):
        restore_store(empty, junk)
    assert sum(empty.table_counts().values()) == 0


def test_backup_while_another_connection_writes_is_a_consistent_snapshot(full, tmp_path):
    raw = sqlite3.connect(full.engine.url.database)
    raw.execute("BEGIN IMMEDIATE")
    raw.execute("DELETE FROM fatalities")  # uncommitted: the backup must not see it
    try:
        made = backup_store(full, tmp_path / "live.sqlite")
    finally:
        raw.rollback()
        raw.close()
    assert made.tables["fatalities"] == full.table_counts()["fatalities"] > 0


def test_cli_backup_and_restore(full, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CPAS_DB_URL", str(full.engine.url))
    out = tmp_path / "cli.sqlite"
    assert main(["store", "backup", "-o", str(out), "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["kind"] == "sqlite" and made["tables"]["fatalities"] > 0
    monkeypatch.setenv("CPAS_DB_URL", f"sqlite:///{tmp_path / 'new.sqlite'}")
    assert main(["store", "restore", str(out)]) == 0
    assert "Restored" in capsys.readouterr().out
    assert main(["store", "restore", str(out)]) == 1, "a second restore meets a store that is not empty"
    assert "not empty" in capsys.readouterr().err


@pytest.fixture
def second_pg_url(pg_url):
    """Another fresh PostgreSQL database beside ``pg_url`` (dropped afterwards)."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(pg_url)
    name = f"cpas_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n "
                              "AND pid <> pg_backend_pid()"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.mark.postgres
def test_postgresql_dump_and_portable_dump_restore_identical(full, pg_url, second_pg_url, sqlite_url, tmp_path):
    hq = _round_trip(full, pg_url, tmp_path / "to-pg.sqlite")
    expected = tables(full)
    dumped = backup_store(hq, tmp_path / "hq.dump")
    copy = Store(second_pg_url)
    restore_store(copy, tmp_path / "hq.dump")
    assert tables(copy) == expected, dumped.kind
    portable = backup_store(hq, tmp_path / "hq.gz", portable=True)
    assert portable.kind == "portable"
    back = Store(sqlite_url)
    restore_store(back, tmp_path / "hq.gz")
    assert tables(back) == expected
