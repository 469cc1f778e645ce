"""The context map's French text: French notes (why a stakeholder changed) and snapshot summaries, from the
context YAML to the store, the diff, the views, the CLI and the pack; English where no French is given; old
stores upgrade keeping their rows."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from cpas_kit.cli.main import main
from cpas_kit.demo import CONTEXT_FILE
from cpas_kit.stakeholders.register import options_from, read_context_file
from cpas_kit.stakeholders.store import StakeholderStore, load_context_file
from cpas_kit.stakeholders.views import changes_html
from cpas_kit.store import Store
from cpas_kit.store.engine import upgrade
from cpas_kit.store.schema import stakeholder_entries, stakeholder_snapshots

MISSION = "UN-DEMO"
STORE_CONTENT = "framework"  # the shared ``store`` fixture (tests/conftest.py)


def _demo_yaml_french() -> tuple[dict[str, str], dict[str, str]]:
    """The demo YAML's English and French reasons of the 2023/24-Q4 changes, read independently of the loader."""
    import yaml

    doc = yaml.safe_load(CONTEXT_FILE.read_text(encoding="utf-8"))
    snap = doc["snapshots"][1]
    en, fr = {}, {}
    for change in snap["changes"]:
        code = change["remove"] if "remove" in change else (change.get("add") or change.get("set"))["code"]
        en[code], fr[code] = change["note"], change["note_fr"]
    return en, fr


def test_demo_yaml_gives_french_for_every_note_and_summary():
    en, fr = _demo_yaml_french()
    assert len(fr) == 8 and set(fr) == set(en)
    assert all(fr[c] != en[c] for c in en)  # translated, not copied
    _, snaps = read_context_file(CONTEXT_FILE)
    assert [s["summary_fr"] for s in snaps] == [
        "Cartographie annuelle du contexte en vue de l'évaluation d'impact 2022/23 (données synthétiques).",
        "Cartographie annuelle du contexte en vue de l'évaluation d'impact 2023/24 (données synthétiques)."]
    assert snaps[0]["notes_fr"] == {} and snaps[1]["notes_fr"] == fr


def test_demo_diff_and_views_show_french_notes_and_summary(demo_sqlite_url):
    en, fr = _demo_yaml_french()
    store = Store(demo_sqlite_url)
    sh = StakeholderStore(store)
    cmap = sh.context_map(MISSION, "2023/24-Q4")
    assert cmap["summary"].startswith("Annual context mapping ahead of the 2023/24")
    assert cmap["summary_fr"].startswith("Cartographie annuelle du contexte en vue de l'évaluation d'impact 2023/24")
    diff = sh.stakeholder_diff(MISSION, "2022/23-Q4", "2023/24-Q4")
    assert {c["code"]: c["note_fr"] for c in diff["changes"]} == fr
    assert {c["code"]: c["note"] for c in diff["changes"]} == en
    removed = next(r for r in cmap["entries"] if r["code"] == "ST-14")
    assert removed["status"] == "removed" and removed["note_fr"] == fr["ST-14"]

    options = sh.stakeholder_options(MISSION)
    html_fr = changes_html(diff["changes"], options, None, "2022/23-Q4", "2023/24-Q4", "fr")
    html_en = changes_html(diff["changes"], options, None, "2022/23-Q4", "2023/24-Q4", "en")
    for code in fr:
        assert fr[code].replace("'", "&#39;") in html_fr and en[code] not in html_fr
        assert en[code].replace("'", "&#39;") in html_en
    assert "Faction dissidente de la coalition" in html_fr and "Splinter faction" not in html_fr
    store.close()


def test_french_pack_section_shows_french_summary_and_reasons(demo_sqlite_url):
    from cpas_kit.core.settings import make_parameters
    from cpas_kit.packs import sections as report
    from cpas_kit.packs.data import load_pack_data

    _, fr = _demo_yaml_french()
    html = next(iter(report.context_mapping(load_pack_data(make_parameters(
        mission=MISSION, cycle="2023/24-Q4", db_url=demo_sqlite_url, language="fr"))))).data
    assert "Cartographie annuelle du contexte en vue de l&#39;évaluation d&#39;impact 2023/24" in html
    assert "Annual context mapping" not in html
    assert sum(fr[c].replace("'", "&#39;") in html for c in fr) == 8
    assert "Dissolved once the prefect" not in html and "Broke away" not in html
    english = next(iter(report.context_mapping(load_pack_data(make_parameters(
        mission=MISSION, cycle="2023/24-Q4", db_url=demo_sqlite_url, language="en"))))).data
    assert "Annual context mapping ahead of the 2023/24" in english and "Cartographie annuelle" not in english


def test_cli_diff_json_carries_french_notes(demo_sqlite_url, monkeypatch, capsys):
    _, fr = _demo_yaml_french()
    monkeypatch.setenv("CPAS_DB_URL", demo_sqlite_url)
    assert main(["stakeholders", "diff", "--mission", MISSION, "--from", "2022/23-Q4", "--to", "2023/24-Q4",
                 "--json"]) == 0
    diff = json.loads(capsys.readouterr().out)
    assert {c["code"]: c["note_fr"] for c in diff["changes"]} == fr
    assert {c["code"]: c["name_fr"] for c in diff["changes"]}["ST-16"] == "Coopératives minières artisanales"


def test_yaml_without_french_falls_back_to_english(store, tmp_path):
    text_yaml = CONTEXT_FILE.read_text(encoding="utf-8")
    plain = "\n".join(line for line in text_yaml.splitlines()
                      if not line.lstrip().startswith(("note_fr:", "summary_fr:")))
    path = tmp_path / "context.yaml"
    path.write_text(plain, encoding="utf-8")
    load_context_file(store, path, actor="planner", is_synthetic=True, source="test")
    en, _ = _demo_yaml_french()
    sh = StakeholderStore(store)
    cmap = sh.context_map(MISSION, "2023/24-Q4")
    assert cmap["summary_fr"] is None
    diff = sh.stakeholder_diff(MISSION, "2022/23-Q4", "2023/24-Q4")
    assert all(c["note_fr"] is None for c in diff["changes"]) and len(diff["changes"]) == 8
    html = changes_html(diff["changes"], sh.stakeholder_options(MISSION), None, "2022/23-Q4", "2023/24-Q4", "fr")
    assert sum(en[c].replace("'", "&#39;") in html for c in en) == 8  # the English reasons, not a blank


def test_french_note_is_kept_by_edits_and_replaced_when_given(store):
    sh = StakeholderStore(store)
    base = {"code": "ST-90", "name": "Militia", "name_fr": "Milice", "type": "armed_group", "level": "local",
            "areas": ["CF-UK"], "stance": "opposed", "influence": "high", "outcomes": ["O1.1"]}
    sh.save_context_map(MISSION, "2022/23-Q4", [base], actor="p", summary="First", summary_fr="Première")
    assert sh.save_stakeholder(MISSION, "2023/24-Q4", base | {"stance": "neutral"}, actor="p", note="ceasefire",
                               note_fr="cessez-le-feu") == "updated"
    # a text edit without notes keeps both reasons; saving the same again changes nothing
    assert sh.save_stakeholder(MISSION, "2023/24-Q4", base | {"stance": "neutral", "interests": "Roads"},
                               actor="p") == "updated"
    assert sh.save_stakeholder(MISSION, "2023/24-Q4", base | {"stance": "neutral", "interests": "Roads"},
                               actor="p", note="ceasefire") == "unchanged"
    row = sh.context_map(MISSION, "2023/24-Q4")["entries"][0]
    assert (row["note"], row["note_fr"]) == ("ceasefire", "cessez-le-feu")
    assert sh.save_stakeholder(MISSION, "2023/24-Q4", base | {"stance": "neutral", "interests": "Roads"},
                               actor="p", note="ceasefire", note_fr="trêve signée") == "updated"
    assert sh.context_map(MISSION, "2023/24-Q4")["entries"][0]["note_fr"] == "trêve signée"
    assert sh.remove_stakeholder(MISSION, "2023/24-Q4", "ST-90", note="disbanded", note_fr="dissoute",
                                 actor="p") == "removed"
    row = sh.context_map(MISSION, "2023/24-Q4")["entries"][0]
    assert (row["status"], row["note"], row["note_fr"]) == ("removed", "disbanded", "dissoute")
    diff = sh.stakeholder_diff(MISSION, "2022/23-Q4", "2023/24-Q4")
    assert [(c["change"], c["note"], c["note_fr"]) for c in diff["changes"]] == [("removed", "disbanded", "dissoute")]
    assert sh.context_map(MISSION, "2022/23-Q4")["summary_fr"] == "Première"


def test_upgrade_from_0009_keeps_context_rows(store_url):
    """A store made before the French columns: its snapshots and entries stay, with no French text."""
    store = Store(store_url, upgrade=False)
    upgrade(store.engine, "0009")
    stamp = datetime(2023, 6, 30, tzinfo=UTC)
    with store.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO missions (code, name, country_iso3, hq, mandate_resolution, cycle_kind, is_fictional, "
            "created_at, updated_at) VALUES ('UN-OLD', 'Old mission', 'CAF', 'Bangui', 'none', 'quarter', "
            ":f, :t, :t)"), {"t": stamp, "f": False})
        sid = conn.execute(text(
            "INSERT INTO stakeholder_snapshots (mission_code, cycle, cycle_start, is_synthetic, source, summary, "
            "created_at, created_by, updated_at) VALUES ('UN-OLD', '2022/23-Q4', :d, :f, 'old', 'Old summary', "
            ":t, 'p', :t) RETURNING id"), {"t": stamp, "d": date(2023, 4, 1), "f": False}).scalar_one()
        for code, note in (("ST-01", None), ("ST-02", "moved")):
            conn.execute(text(
                "INSERT INTO stakeholder_entries (snapshot_id, stakeholder_code, name, type, level, areas, stance, "
                "influence, outcomes, status, note, updated_at, updated_by) VALUES (:s, :c, 'Actor', 'community', "
                "'local', '[]', 'neutral', 'low', '[]', 'active', :n, :t, 'p')"),
                {"s": sid, "c": code, "n": note, "t": stamp})
    upgrade(store.engine)
    with store.engine.connect() as conn:
        snaps = conn.execute(stakeholder_snapshots.select()).mappings().all()
        rows = conn.execute(stakeholder_entries.select().order_by(stakeholder_entries.c.id)).mappings().all()
    assert [(s["summary"], s["summary_fr"]) for s in snaps] == [("Old summary", None)]
    assert [(r["stakeholder_code"], r["note"], r["note_fr"]) for r in rows] == [("ST-01", None, None),
                                                                                ("ST-02", "moved", None)]
    store.close()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_plain_diff_prefers_french_only_when_given(language):
    from cpas_kit.stakeholders.register import diff_entries
    from cpas_kit.stakeholders.views import in_language

    opts = options_from()
    row = {"code": "A", "name": "a", "type": "community", "level": "local", "areas": [], "stance": "neutral",
           "influence": "low", "outcomes": []}
    out = diff_entries([row, row | {"code": "B"}], [row | {"stance": "opposed", "note": "why", "note_fr": "pourquoi"},
                                                    row | {"code": "B", "stance": "opposed", "note": "why B"}], opts)
    got = [in_language(c, "note", language) for c in out]
    assert got == (["pourquoi", "why B"] if language == "fr" else ["why", "why B"])


def test_app_form_saves_and_shows_the_french_note(demo_sqlite_url):
    from cpas_kit.stakeholders.app import context_app
    from tests.voila_support import one_widget

    store = Store(demo_sqlite_url)
    app = context_app(store, MISSION, cycle="2024/25-Q1", language="fr")
    one_widget(app, "cpas-ctx-by").value = "Planning officer"
    one_widget(app, "cpas-ctx-pick").value = "ST-04"
    one_widget(app, "cpas-ctx-stance").value = "neutral"
    one_widget(app, "cpas-ctx-note").value = "Agreed to a local ceasefire"
    one_widget(app, "cpas-ctx-note-fr").value = "A accepté un cessez-le-feu local"
    one_widget(app, "cpas-ctx-save").click()
    assert "cpas-ctx-msg-ok" in one_widget(app, "cpas-ctx-message").value
    row = next(r for r in StakeholderStore(store).context_map(MISSION, "2024/25-Q1")["entries"] if r["code"] == "ST-04")
    assert (row["note"], row["note_fr"]) == ("Agreed to a local ceasefire", "A accepté un cessez-le-feu local")
    changes = one_widget(app, "cpas-ctx-changes-view").value
    assert "A accepté un cessez-le-feu local" in changes and "Agreed to a local ceasefire" not in changes
    assert one_widget(app, "cpas-ctx-note-fr").value == "A accepté un cessez-le-feu local"  # the form keeps it
    store.close()


def _without_french_columns(src, dst) -> None:
    """Rewrite an exchange file as a store before revision 0011 wrote it: no note_fr / summary_fr columns."""
    import gzip
    import hashlib

    with gzip.open(src, "rb") as fh:
        lines = fh.read().splitlines(keepends=True)
    manifest, body, cols = json.loads(lines[0]), [], None
    drop = {"stakeholder_entries": "note_fr", "stakeholder_snapshots": "summary_fr"}
    for raw in lines[1:]:
        obj = json.loads(raw)
        if isinstance(obj, dict):
            name = obj["table"]
            cols = manifest["tables"][name]["columns"]
            skip = cols.index(drop[name]) if name in drop else None
        elif skip is not None:
            raw = (json.dumps([v for i, v in enumerate(obj) if i != skip], ensure_ascii=False,
                              separators=(",", ":")) + "\n").encode()
        body.append(raw)
    for name, col in drop.items():
        manifest["tables"][name]["columns"].remove(col)
    content = b"".join(body)
    manifest |= {"schema_revision": "0009", "content_sha256": hashlib.sha256(content).hexdigest(),
                 "content_bytes": len(content)}
    dst.write_bytes(gzip.compress((json.dumps(manifest) + "\n").encode()) + gzip.compress(content))


def test_an_exchange_file_from_before_the_french_columns_still_merges(demo_sqlite_url, sqlite_url, tmp_path):
    from cpas_kit.exchange.bundle import export_mission
    from cpas_kit.exchange.merge import merge_file

    demo = Store(demo_sqlite_url)
    new_file = export_mission(demo, MISSION, tmp_path / "new.jsonl.gz", actor="mission").file
    old_file = tmp_path / "old.jsonl.gz"
    _without_french_columns(new_file, old_file)
    again = merge_file(demo, old_file, actor="hq")  # the same content, less the French: nothing to merge
    assert again.tables["stakeholder_entries"]["conflicts"] == 0 and again.tables["stakeholder_entries"][
        "imported"] == 0
    hq = Store(sqlite_url)
    result = merge_file(hq, old_file, actor="hq")
    counts = result.tables["stakeholder_entries"]
    with demo.engine.connect() as conn:
        expected = conn.execute(text("SELECT count(*) FROM stakeholder_entries")).scalar_one()
    assert counts["imported"] == expected == 30  # 14 + 16 rows (15 on the map and ST-14 removed)
    diff = StakeholderStore(hq).stakeholder_diff(MISSION, "2022/23-Q4", "2023/24-Q4")
    assert len(diff["changes"]) == 8 and all(c["note"] and c["note_fr"] is None for c in diff["changes"])
    hq2 = Store(f"sqlite:///{tmp_path / 'hq2.sqlite'}")
    merge_file(hq2, new_file, actor="hq")  # today's file carries the French text
    _, fr = _demo_yaml_french()
    assert {c["code"]: c["note_fr"] for c in StakeholderStore(hq2).stakeholder_diff(
        MISSION, "2022/23-Q4", "2023/24-Q4")["changes"]} == fr
    for s in (demo, hq, hq2):
        s.close()
