"""`cpas export` / `cpas merge`: one file per mission (or cycle), merged idempotently, conflicts reported.

A mission store is the demo (synthetic data, the seeds' tracker, World Bank context) plus ACLED events
and a live workshop session, so every exported table has rows. Headquarters stores run on SQLite and
PostgreSQL (``store_url``).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from cpas_kit.cli import main as cli
from cpas_kit.core.import_report import ImportRejected
from cpas_kit.data_in.external import import_acled
from cpas_kit.data_in.store import ObservationStore
from cpas_kit.demo import MISSION
from cpas_kit.exchange.bundle import (
    EXCLUDED,
    SEQ,
    SPECS,
    export_mission,
    merge_file,
    read_exchange,
)
from cpas_kit.store import Store
from cpas_kit.store.schema import metadata
from cpas_kit.tracker.store import TrackerStore
from cpas_kit.workshop.store import WorkshopStore
from tests.paths import EXTERNAL_FIXTURES

FIXTURES = EXTERNAL_FIXTURES
CYCLE = "2023/24-Q4"
BOOKKEEPING = {"imports": ("kind", "merge"), "audit_log": ("entity", "exchange_file")}  # rows a merge adds


@pytest.fixture(scope="module")
def mission_file(demo_store_file, tmp_path_factory) -> Path:
    """The demo store plus ACLED events and a workshop session with ratings, proposals and agreed results."""
    path = _copy_sqlite(demo_store_file, tmp_path_factory.mktemp("mission") / "mission.sqlite")
    store = Store(f"sqlite:///{path}")
    import_acled(store, FIXTURES / "acled_caf.csv", MISSION, actor="JMAC analyst")
    started = WorkshopStore(store).start_workshop(MISSION, CYCLE, actor="facilitator")
    code, key, outcome = started.code, started.facilitator_key, started.outcome_order[0]
    ana = WorkshopStore(store).join_workshop(code, "Ana Lima", "FORCE")
    ben = WorkshopStore(store).join_workshop(code, "Ben Okafor", "CAS")
    WorkshopStore(store).submit_rating(ana.token, outcome, progress="some progress", contribution="some",
                                       reason="patrols up")
    WorkshopStore(store).submit_rating(ana.token, outcome, progress="no change",
                                       contribution="some")  # a second submit: an event
    WorkshopStore(store).submit_rating(ben.token, outcome, progress="some progress", contribution="significant")
    p1 = WorkshopStore(store).propose_recommendation(ana.token, outcome,
                                                     "Hold monthly security meetings with prefects.",
                                      lead_section="FORCE")
    p2 = WorkshopStore(store).propose_recommendation(ben.token, outcome, "Meet prefects monthly on security.")
    WorkshopStore(store).merge_proposals(code, key, [p2["id"]], p1["id"], actor="facilitator")
    WorkshopStore(store).send_proposals(code, key, [p1["id"]], actor="facilitator")
    WorkshopStore(store).record_agreed(code, key, outcome, progress="some progress", contribution="some",
                        analysis="Patrols rose where prefects returned.", actor="facilitator")
    store.close()
    return path


@pytest.fixture
def mission_url(mission_file, tmp_path) -> str:
    return f"sqlite:///{_copy_sqlite(mission_file, tmp_path / 'mission.sqlite')}"


def _copy_sqlite(source: Path, target: Path) -> Path:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


@pytest.fixture(scope="module")
def whole_file(mission_file, tmp_path_factory) -> Path:
    """The mission's whole store exported once (never written to)."""
    out = tmp_path_factory.mktemp("export") / "UN-DEMO.jsonl.gz"
    export_mission(Store(f"sqlite:///{mission_file}"), MISSION, out, actor="planning officer")
    return out


def _content(url: str, tmp: Path) -> dict[str, list[str]]:
    """Every carried row of the mission, keyed naturally, without the rows a merge adds itself."""
    out_file = tmp / f"content_{hashlib.sha1(url.encode()).hexdigest()[:8]}.jsonl.gz"
    export_mission(Store(url), MISSION, out_file, actor="test")
    ex = read_exchange(out_file)
    assert ex.problems == []
    content = {}
    for name, rows in ex.rows.items():
        col, skip = BOOKKEEPING.get(name, (None, None))
        kept = [{k: v for k, v in r.items() if k != "_line"} for r in rows if col is None or r[col] != skip]
        content[name] = sorted(json.dumps(r, sort_keys=True, default=list) for r in kept)
    return content


def _rewrite(src: Path, dst: Path, *, manifest=None, rows=None, fix_sha: bool = True) -> Path:
    """Copy an exchange file, editing its manifest (dict -> dict) and body lines (list -> list)."""
    with gzip.open(src, "rb") as fh:
        first, *body = fh.read().split(b"\n")
    head = json.loads(first)
    body = [b for b in body if b]
    if rows is not None:
        body = rows(body)
    content = b"".join(line + b"\n" for line in body)
    if fix_sha:
        head["content_sha256"], head["content_bytes"] = hashlib.sha256(content).hexdigest(), len(content)
    if manifest is not None:
        head = manifest(head)
    dst.write_bytes(gzip.compress(json.dumps(head).encode() + b"\n") + gzip.compress(content))
    return dst


# -- the specs ------------------------------------------------------------------------------------------

def test_every_table_travels_or_is_left_out_with_a_reason():
    carried = {s.name for s in SPECS}
    assert set(metadata.tables) - carried == set(EXCLUDED) & set(metadata.tables)
    assert not carried & set(EXCLUDED)
    for spec in SPECS:
        assert set(spec.key) <= set(spec.columns), spec.name
        assert set(spec.refs) <= set(spec.columns), spec.name
        assert spec.owner is None or spec.owner in spec.refs, spec.name
        # parents come before the tables that refer to them (self-references excepted)
        order = [s.name for s in SPECS]
        assert all(order.index(p) <= order.index(spec.name) for p in spec.refs.values()), spec.name


def test_the_file_is_one_compact_gzip_with_a_manifest(whole_file, mission_file):
    ex = read_exchange(whole_file)
    m = ex.manifest
    assert ex.problems == []
    assert m["format"] == "cpas-exchange" and m["format_version"] == 1 and m["mission"] == MISSION
    assert m["cycle"] is None and m["created_by"] == "planning officer" and m["schema_revision"]
    assert {name: info["rows"] for name, info in m["tables"].items()} == {n: len(r) for n, r in ex.rows.items()}
    assert all(len(ex.rows[t]) > 0 for t in ("observations", "events", "context_values", "recommendation_events",
                                              "workshop_rating_events", "workshop_proposals", "workshop_agreed"))
    with gzip.open(whole_file, "rb") as fh:  # the manifest is readable on its own line
        assert json.loads(fh.readline())["content_sha256"] == m["content_sha256"]
    assert whole_file.stat().st_size < mission_file.stat().st_size / 10
    # no surrogate ids travel: references are natural keys
    fi = ex.rows["framework_indicators"][0]
    assert "id" not in m["tables"]["observations"]["columns"]
    assert fi["version_id"] == (MISSION, 1)
    assert all(isinstance(r["recommendation_id"], tuple) and r[SEQ] >= 1 for r in ex.rows["recommendation_events"])


# -- merging -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mission_content(mission_file, tmp_path_factory) -> dict[str, list[str]]:
    return _content(f"sqlite:///{mission_file}", tmp_path_factory.mktemp("content"))


def test_merge_into_an_empty_store_gives_the_same_content_and_again_changes_nothing(
        whole_file, mission_url, mission_content, store_url, tmp_path):
    hq = Store(store_url)
    result = merge_file(hq, whole_file, actor="HQ analyst")
    assert result.errors == [] and result.conflicts == []
    assert result.rows_imported == result.rows_read > 5000 and result.rows_unchanged == 0
    assert _content(store_url, tmp_path) == mission_content
    mission = Store(mission_url)
    ours, theirs = (ObservationStore(hq).observations(MISSION).drop(columns="id"),
                    ObservationStore(mission).observations(MISSION).drop(columns="id"))
    assert ours.reset_index(drop=True).equals(theirs.reset_index(drop=True))
    state = ["rec_key", "text", "decision", "progress", "target_date", "updated_by"]
    assert TrackerStore(hq).recommendations(MISSION)[state].equals(
        TrackerStore(mission).recommendations(MISSION)[state])
    merges = hq.audit_log(MISSION, entity="exchange_file")
    assert len(merges) == 1 and merges.iloc[0]["actor"] == "HQ analyst"
    before = hq.table_counts()
    assert before["imports"] == mission.table_counts()["imports"] + 1  # the merge's own record

    again = merge_file(hq, whole_file, actor="HQ analyst")  # the same file twice: nothing changes
    assert again.rows_imported == 0 and again.rows_unchanged == result.rows_read and again.conflicts == []
    assert all(t["unchanged"] == t["read"] for t in again.tables.values())
    assert hq.table_counts() == before and len(hq.audit_log(MISSION, entity="exchange_file")) == 1


def test_a_conflicting_edit_is_reported_and_not_overwritten(whole_file, store_url):
    hq = Store(store_url)
    merge_file(hq, whole_file, actor="HQ analyst")
    cell = ObservationStore(hq).observations(MISSION, periods=[CYCLE],
                                             totals_only=True).dropna(subset=["value"]).iloc[0]
    ObservationStore(hq).write_observations([{"mission_code": MISSION, "indicator_code": cell["indicator_code"],
                                              "period": CYCLE,
                            "disaggregation": "", "value": cell["value"] + 7}], actor="HQ analyst")
    before = hq.table_counts()
    result = merge_file(hq, whole_file, actor="HQ analyst")
    hits = [c for c in result.conflicts if c.table == "observations" and c.field == "value"]
    assert len(hits) == 1 and result.tables["observations"]["conflicts"] == 1
    assert hits[0].key == {"mission_code": MISSION, "indicator_code": cell["indicator_code"], "period": CYCLE,
                           "disaggregation": ""}
    assert (hits[0].ours, hits[0].theirs) == (cell["value"] + 7, cell["value"])
    stored = ObservationStore(hq).observations(MISSION, indicators=[cell["indicator_code"]], periods=[CYCLE],
                                               totals_only=True)
    assert stored.iloc[0]["value"] == cell["value"] + 7  # not overwritten
    assert hq.table_counts() == before


def test_tracker_history_is_appended_by_sequence_and_a_divergence_is_reported(mission_url, store_url, tmp_path):
    mission, hq = Store(mission_url), Store(store_url)
    merge_file(hq, export_mission(mission, MISSION, tmp_path / "f1.jsonl.gz", actor="mission").file, actor="hq")
    waiting = TrackerStore(mission).recommendations(MISSION)
    waiting = waiting[waiting["decision"] == "Awaiting Review"]
    a, b = waiting.iloc[0], waiting.iloc[1]
    TrackerStore(mission).change_recommendation(int(a["id"]), "decision", "Approved", actor="Head of Mission")
    TrackerStore(mission).change_recommendation(int(a["id"]), "progress", "Ongoing", actor="Force")
    TrackerStore(mission).change_recommendation(int(b["id"]), "decision", "Approved", actor="Head of Mission")
    hq_ids = TrackerStore(hq).recommendations(MISSION).set_index("rec_key")["id"]
    TrackerStore(hq).change_recommendation(int(hq_ids[a["rec_key"]]), "decision", "Rejected", actor="DPO desk",
                             comment="overtaken by the mandate renewal")
    result = merge_file(hq, export_mission(mission, MISSION, tmp_path / "f2.jsonl.gz", actor="mission").file,
                        actor="hq")
    events = [c for c in result.conflicts if c.table == "recommendation_events"]
    assert {c.key["recommendation_id"] for c in events} == {(MISSION, a["rec_key"])}
    assert any(c.field == SEQ and "not appended" in c.theirs for c in events)  # the progress event after it
    assert result.tables["recommendation_events"]["imported"] == 1  # b's decision, appended
    state = TrackerStore(hq).recommendations(MISSION).set_index("rec_key")
    assert state.loc[a["rec_key"], "decision"] == "Rejected"  # HQ's own history kept
    assert state.loc[b["rec_key"], "decision"] == "Approved"


def test_a_cycle_export_carries_just_that_cycle(mission_url, store_url, tmp_path):
    mission = Store(mission_url)
    summary = export_mission(mission, MISSION, tmp_path / "q.jsonl.gz", cycle="2021/22-Q2", actor="mission")
    ex = read_exchange(summary.file)
    assert ex.manifest["cycle"] == "2021/22-Q2"
    assert {r["period"] for r in ex.rows["observations"]} == {"2021/22-Q2"}
    assert len(ex.rows["observations"]) == len(ObservationStore(mission).observations(MISSION, periods=["2021/22-Q2"]))
    recs = TrackerStore(mission).recommendations(MISSION)
    assert len(ex.rows["recommendations"]) == int((recs["cycle_recommended"] == "2021/22-Q2").sum()) > 0
    assert ex.rows["workshop_sessions"] == [] and ex.rows["events"] == []  # both are in other cycles
    assert len(ex.rows["framework_versions"]) >= 1  # the framework always travels
    hq = Store(store_url)
    result = merge_file(hq, summary.file, actor="hq")
    assert result.errors == [] and result.conflicts == []
    assert set(ObservationStore(hq).observations(MISSION)["period"]) == {"2021/22-Q2"}


def _drop_tables(*names):
    def edit(lines):
        out, skipping = [], False
        for line in lines:
            if line.startswith(b"{"):
                skipping = json.loads(line)["table"] in names
            if not skipping or line.startswith(b"{"):
                out.append(line)
        return out
    return edit


def _zero_counts(*names):
    def edit(m):
        for n in names:
            m["tables"][n]["rows"] = 0
        return m
    return edit


DAMAGE = {
    "truncated": lambda src, dst: dst.write_bytes(src.read_bytes()[: len(src.read_bytes()) * 2 // 3]),
    "corrupt": lambda src, dst: dst.write_bytes(bytearray(b ^ 0x5A if 4000 < i < 4100 else b
                                                          for i, b in enumerate(src.read_bytes()))),
    "not gzip": lambda src, dst: dst.write_text("mission_code,indicator_code\nUN-DEMO,I1\n"),
    "tampered content": lambda src, dst: _rewrite(src, dst, fix_sha=False,
                                                  rows=lambda b: [x.replace(b"synthetic", b"real") for x in b]),
    "format version": lambda src, dst: _rewrite(src, dst, manifest=lambda m: {**m, "format_version": 2}),
    "newer schema": lambda src, dst: _rewrite(src, dst, manifest=lambda m: {**m, "schema_revision": "9999"}),
    "unknown framework": lambda src, dst: _rewrite(
        src, dst, rows=_drop_tables("framework_versions", "framework_indicators", "framework_indicator_standards",
                                    "framework_indicator_tags"),
        manifest=_zero_counts("framework_versions", "framework_indicators", "framework_indicator_standards",
                              "framework_indicator_tags")),
    "another mission's row": lambda src, dst: _rewrite(
        src, dst, rows=lambda b: [x.replace(b'["UN-DEMO","SEC-', b'["UN-OTHER","SEC-', 1) for x in b]),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_or_unsuitable_file_is_rejected_and_the_store_is_unchanged(whole_file, sqlite_url, tmp_path,
                                                                            damage):
    bad = tmp_path / "bad.jsonl.gz"
    DAMAGE[damage](whole_file, bad)
    hq = Store(sqlite_url)
    before = hq.table_counts()
    with pytest.raises(ImportRejected) as exc:
        merge_file(hq, bad, actor="hq")
    assert exc.value.result.errors and str(exc.value).startswith("bad.jsonl.gz was rejected")
    assert hq.table_counts() == before


def test_a_file_rejected_inside_the_transaction_leaves_a_shared_store_unchanged(whole_file, store_url, tmp_path):
    hq = Store(store_url)
    before = hq.table_counts()
    bad = DAMAGE["unknown framework"](whole_file, tmp_path / "nofw.jsonl.gz")
    with pytest.raises(ImportRejected) as exc:
        merge_file(hq, bad, actor="hq")
    assert any("no results framework" in p.message for p in exc.value.result.errors)
    assert hq.table_counts() == before


# -- the commands --------------------------------------------------------------------------------------

def test_cpas_export_and_merge_commands(mission_url, sqlite_url, tmp_path, monkeypatch, capsys):
    out = tmp_path / "UN-DEMO.jsonl.gz"
    monkeypatch.setenv("CPAS_DB_URL", mission_url)
    assert cli.main(["export", "--mission", MISSION, "-o", str(out), "--by", "planning officer"]) == 0
    assert "cpas merge" in capsys.readouterr().out
    monkeypatch.setenv("CPAS_DB_URL", sqlite_url)
    assert cli.main(["merge", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"rows_read", "rows_imported", "rows_unchanged", "rows_unmatched", "errors", "conflicts"} <= set(report)
    assert report["rows_imported"] == report["rows_read"] and report["errors"] == [] and report["conflicts"] == []
    DAMAGE["truncated"](out, tmp_path / "cut.jsonl.gz")
    assert cli.main(["merge", str(tmp_path / "cut.jsonl.gz"), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["errors"][0]["message"].startswith("cut.jsonl.gz is damaged")
    monkeypatch.setenv("CPAS_DB_URL", mission_url)
    assert cli.main(["export", "--mission", "NOPE", "-o", str(tmp_path / "x.jsonl.gz")]) == 1
    assert "not in this store" in capsys.readouterr().err
