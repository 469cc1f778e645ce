"""Forged exchange files (issue 14, item 1): a recomputed SHA-256 does not make bad content mergeable.

Each forgery edits a real export of the demo mission (plus ACLED events), recomputes the checksum the way an
attacker would, and must be rejected with a problem naming its table, line and column, the store unchanged.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from cpas_kit.core.import_report import ImportRejected
from cpas_kit.data_in.external import import_acled
from cpas_kit.demo import MISSION
from cpas_kit.exchange.bundle import export_mission, merge_file
from cpas_kit.store import Store
from cpas_kit.workshop.store import WorkshopStore
from tests.paths import EXTERNAL_FIXTURES


@pytest.fixture(scope="module")
def export(demo_store_file, tmp_path_factory) -> Path:
    """The demo mission with ACLED events, exported whole."""
    tmp = tmp_path_factory.mktemp("hostile")
    db = tmp / "mission.sqlite"
    with sqlite3.connect(demo_store_file) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    store = Store(f"sqlite:///{db}")
    import_acled(store, EXTERNAL_FIXTURES / "acled_caf.csv", MISSION, actor="JMAC analyst")
    ws = WorkshopStore(store)
    started = ws.start_workshop(MISSION, "2023/24-Q4", actor="facilitator")
    ana = ws.join_workshop(started.code, "Ana Lima", "FORCE")
    ws.submit_rating(ana.token, started.outcome_order[0], progress="some progress", contribution="some")
    out = tmp / "UN-DEMO.jsonl.gz"
    export_mission(store, MISSION, out, actor="planning officer")
    store.close()
    return out


def forge(src: Path, dst: Path, edit) -> Path:
    """Rewrite ``src`` with ``edit(table, row_dict, manifest)`` applied to every row, SHA-256 recomputed."""
    with gzip.open(src, "rb") as fh:
        first, *body = [line for line in fh.read().split(b"\n") if line]
    manifest = json.loads(first)
    out, table, cols = [], None, []
    for line in body:
        obj = json.loads(line)
        if isinstance(obj, dict):
            table, cols = obj["table"], manifest["tables"][obj["table"]]["columns"]
            out.append(line)
            continue
        row = dict(zip(cols, obj))
        edit(table, row, manifest)
        out.append(json.dumps([row[c] for c in cols], ensure_ascii=False).encode())
    content = b"".join(x + b"\n" for x in out)
    manifest["content_sha256"], manifest["content_bytes"] = hashlib.sha256(content).hexdigest(), len(content)
    dst.write_bytes(gzip.compress(json.dumps(manifest).encode() + b"\n") + gzip.compress(content))
    return dst


def _first(table_name: str, column: str, value):
    """An edit that sets ``column`` of the first row of ``table_name`` (and only that row)."""
    done = []

    def edit(table, row, manifest):
        if table == table_name and not done:
            row[column] = value
            done.append(True)
    return edit


def _everywhere(code: str):
    def edit(table, row, manifest):
        manifest["mission"] = code
        for col in ("mission_code",) + (("code",) if table == "missions" else ()):
            if col in row:
                row[col] = code
    return edit


FORGERIES = {
    "traversal mission code": (_everywhere("../../../escaped"), None, "mission"),
    "absolute mission code": (_everywhere("/tmp/escaped"), None, "mission"),
    "impossible date": (_first("observations", "period", "2021-02-30"), "observations", "period"),
    "future period": (_first("observations", "period", "2031/32-Q1"), "observations", "period"),
    "negative deaths": (_first("events", "fatalities_best", -50), "events", "fatalities_best"),
    "unknown category": (_first("observations", "disaggregation", "sex=robot"), "observations", "disaggregation"),
    "NUL in a note": (_first("recommendations", "text", "clean\x00text"), "recommendations", "text"),
    "escape in an actor": (_first("events", "actor1", "\x1b[2Jx"), "events", "actor1"),
    "unknown event source": (_first("events", "source", "rumour"), "events", "source"),
    "future event": (_first("events", "event_date", "2031-01-01"), "events", "event_date"),
    "rating off the scale": (_first("workshop_rating_events", "progress", "excellent"), "workshop_rating_events",
                             "progress"),
    "rating of no outcome": (_first("workshop_rating_events", "outcome_code", "O9.9"), "workshop_rating_events",
                             "outcome_code"),
    "NUL in a participant name": (_first("workshop_participants", "name", "Ana\x00"), "workshop_participants",
                                  "name"),
    "latitude off the globe": (_first("events", "latitude", 123.0), "events", "latitude"),
}


@pytest.mark.parametrize("name", list(FORGERIES))
def test_a_forged_file_with_a_valid_checksum_is_rejected_and_nothing_is_written(export, sqlite_url, tmp_path,
                                                                               name):
    edit, table, column = FORGERIES[name]
    bad = forge(export, tmp_path / "forged.jsonl.gz", edit)
    hq = Store(sqlite_url)
    before = hq.table_counts()
    with pytest.raises(ImportRejected) as exc:
        merge_file(hq, bad, actor="hq")
    errors = exc.value.result.errors
    assert errors, name
    if table is not None:
        assert any(p.sheet == table and p.column == column for p in errors), [str(p) for p in errors]
    if column == "mission":
        assert any(p.column == "mission" for p in errors), [str(p) for p in errors]
    assert hq.table_counts() == before


def test_a_negative_count_and_a_huge_context_value_are_refused(export, sqlite_url, tmp_path):
    """-5 for a count cell and 1e308 for an area the mission does not have."""
    def edit(table, row, manifest):
        if table == "observations" and row["value"] is not None and not edit.obs:
            row["value"] = -5.0
            edit.obs = row["indicator_code"]
        if table == "context_values" and not edit.ctx:
            row["value"], row["admin1_code"] = 1e308, "XX-NOWHERE"
            edit.ctx = True
    edit.obs, edit.ctx = None, False
    bad = forge(export, tmp_path / "forged.jsonl.gz", edit)
    hq = Store(sqlite_url)
    with pytest.raises(ImportRejected) as exc:
        merge_file(hq, bad, actor="hq")
    errors = exc.value.result.errors
    assert any(p.sheet == "context_values" and p.column == "admin1_code" for p in errors), [str(p) for p in errors]
    assert hq.table_counts()["observations"] == 0


def test_the_untouched_export_still_merges(export, sqlite_url):
    hq = Store(sqlite_url)
    result = merge_file(hq, export, actor="hq")
    assert result.rows_imported > 0 and not result.errors
    counts = hq.table_counts()
    assert counts["events"] > 0 and counts["observations"] > 0
