"""Context mapping: the stakeholder register per cycle (options, checks, notes, carry-over, removal), the
cycle-to-cycle diff, the demo's synthetic snapshots, the CLI, the views (escaped, French) and the pack section."""

from __future__ import annotations

import json

import pytest

from cpas_kit.cli.main import main
from cpas_kit.core.errors import NotFoundError
from cpas_kit.demo import demo_framework
from cpas_kit.stakeholders.register import (
    DEFAULT_OPTIONS,
    StakeholderError,
    check_entry,
    diff_entries,
    entries_from_framework,
    options_from,
    parse_options,
)
from cpas_kit.stakeholders.store import StakeholderStore
from cpas_kit.stakeholders.views import area_counts, changes_html, matrix_html, per_outcome_html, version_cycles
from cpas_kit.store import Store

MISSION = "UN-DEMO"
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


STORE_CONTENT = "framework"  # the shared ``store`` fixture (tests/conftest.py)


def _entry(code: str, name: str, **over) -> dict:
    base = {"code": code, "name": name, "type": "armed_group", "level": "local", "areas": ["CF-UK"],
            "stance": "opposed", "influence": "high", "interests": "Control of the roads", "outcomes": ["O1.1"]}
    return base | over


# -- options and checks -----------------------------------------------------------------------------
def test_options_default_and_configurable_per_mission(store):
    opts = StakeholderStore(store).stakeholder_options(MISSION)
    assert opts.codes("stance") == ["supportive", "neutral", "opposed"]
    assert opts.label("influence", "high", "fr") == "Forte"
    assert [o.code for o in opts.of("type")] == [c for c, _, _ in DEFAULT_OPTIONS["type"]]

    StakeholderStore(store).set_stakeholder_options(MISSION, "stance", [("allied", "Allied", "Allié"),
                                  ("supportive", "Supportive", "Favorable"), ("neutral", "Neutral", "Neutre"),
                                  ("opposed", "Opposed", "Opposé"),
                                  ("hostile", "Hostile", "Hostile")], actor="planner")
    opts = StakeholderStore(store).stakeholder_options(MISSION)
    assert opts.codes("stance") == ["allied", "supportive", "neutral", "opposed", "hostile"]
    assert opts.codes("influence") == ["high", "medium", "low"]  # fields not configured keep the defaults
    StakeholderStore(store).save_stakeholder(MISSION, "2023/24-Q4", _entry("ST-90", "Militia", stance="hostile"),
                                             actor="planner")
    html = matrix_html(StakeholderStore(store).context_map(MISSION)["entries"], opts, "fr")
    assert "Allié" in html and 'data-stance="hostile"' in html

    with pytest.raises(StakeholderError, match="hostile cannot be dropped.*ST-90 in 2023/24-Q4"):
        StakeholderStore(store).set_stakeholder_options(MISSION, "stance", [("supportive", "Supportive", None),
                                                          ("opposed", "Opposed", None)], actor="planner")
    assert "hostile" in StakeholderStore(store).stakeholder_options(MISSION).codes("stance")
    with pytest.raises(StakeholderError, match="appear more than once"):
        parse_options({**{f: [{"code": c, "label": en} for c, en, _ in v] for f, v in DEFAULT_OPTIONS.items()},
                       "level": [{"code": "local", "label": "A"}, {"code": "local", "label": "B"}]})
    with pytest.raises(StakeholderError, match="influence: needs at least one option"):
        parse_options({f: [{"code": c, "label": en} for c, en, _ in v] for f, v in DEFAULT_OPTIONS.items()
                       if f != "influence"})


def test_entry_checks_list_every_problem():
    fw = demo_framework()
    with pytest.raises(StakeholderError) as exc:
        check_entry(_entry("ST-1", "Group", type="gang", stance="hostile", areas=["CF-XX"], outcomes=["O9.9"]),
                    options_from(), fw, ["CF-UK", "CF-BGF"])
    text = str(exc.value)
    for bit in ("type: 'gang' is not one of", "stance: 'hostile'", "outcomes: O9.9", "areas: CF-XX"):
        assert bit in text
    with pytest.raises(StakeholderError, match="name"):
        check_entry(_entry("ST-1", " "), options_from(), fw)
    with pytest.raises(StakeholderError, match="code"):
        check_entry(_entry("bad code/x", "Group"), options_from(), fw)
    ok = check_entry(_entry("ST-1", "Group", areas="CF-UK, CF-BGF", interests="  "), options_from(), fw)
    assert ok.areas == ["CF-UK", "CF-BGF"] and ok.interests is None


def test_framework_key_stakeholders_become_register_entries():
    fw = demo_framework()
    entries = entries_from_framework(fw, options_from())
    assert [e.code for e in entries] == [s.code for s in fw.stakeholders]
    by_code = {e.code: e for e in entries}
    assert by_code["ST-02"].type == "security_forces" and by_code["ST-09"].type == "religious_leaders"
    assert by_code["ST-04"].stance == "opposed" and by_code["ST-04"].level == "national"


# -- snapshots, notes and the diff -----------------------------------------------------------------
def test_cycle_snapshots_need_a_note_for_each_change_and_diff_shows_why(store):
    first = [_entry("ST-01", "Ministry", type="government", level="national", areas=[], stance="supportive"),
             _entry("ST-02", "Coalition"), _entry("ST-03", "Committee", type="community", stance="supportive",
                                                   influence="low")]
    assert StakeholderStore(store).save_context_map(MISSION, "2022/23-Q4", first, actor="planner") == {
        "inserted": 3, "updated": 0, "removed": 0, "unchanged": 0}  # the first map needs no notes
    before = store.table_counts()

    # the next cycle starts from the previous map; a stance change needs a note
    with pytest.raises(StakeholderError, match="needs a note saying why: its stance changed"):
        StakeholderStore(store).save_stakeholder(MISSION, "2023/24-Q2", _entry("ST-02", "Coalition", stance="neutral"),
                                                 actor="p")
    with pytest.raises(StakeholderError, match="a new stakeholder appears"):
        StakeholderStore(store).save_stakeholder(MISSION, "2023/24-Q2", _entry("ST-04", "Splinter"), actor="p")
    assert store.table_counts() == before  # refused: nothing written, not even the new cycle's snapshot

    assert StakeholderStore(store).save_stakeholder(MISSION, "2023/24-Q2", _entry("ST-02", "Coalition",
                                                                                  stance="neutral"),
                                  actor="p", note="signed a ceasefire") == "updated"
    assert StakeholderStore(store).context_cycles(MISSION)["cycle"].tolist() == ["2022/23-Q4", "2023/24-Q2"]
    assert len(StakeholderStore(store).stakeholders(MISSION, "2023/24-Q2")) == 3  # carried over
    # an edit of a text field needs no note, and keeps the reason already given
    assert StakeholderStore(store).save_stakeholder(MISSION, "2023/24-Q2", _entry("ST-02", "Coalition",
                                                                                  stance="neutral",
                                                                interests="Mining"), actor="p") == "updated"
    assert StakeholderStore(store).save_stakeholder(MISSION, "2023/24-Q2", _entry("ST-02", "Coalition",
                                                                                  stance="neutral",
                                                                interests="Mining"), actor="p") == "unchanged"
    StakeholderStore(store).save_stakeholder(MISSION, "2023/24-Q4", _entry("ST-04", "Splinter", areas=["CF-HK"]),
                                             actor="p",
                           note="broke away after the ceasefire")
    StakeholderStore(store).save_stakeholder(MISSION, "2023/24-Q4", _entry("ST-02", "Coalition", stance="neutral",
                                                                           influence="medium",
                                                         interests="Mining"), actor="p", note="lost two factions")
    with pytest.raises(StakeholderError, match="removing Committee .* needs a note"):
        StakeholderStore(store).remove_stakeholder(MISSION, "2023/24-Q4", "ST-03", note=None, actor="p")
    assert StakeholderStore(store).remove_stakeholder(MISSION, "2023/24-Q4", "ST-03", note="dissolved",
                                                      actor="p") == "removed"
    with pytest.raises(NotFoundError):
        StakeholderStore(store).remove_stakeholder(MISSION, "2023/24-Q4", "ST-77", note="x", actor="p")

    diff = StakeholderStore(store).stakeholder_diff(MISSION, "2022/23-Q4", "2023/24-Q4")
    assert diff["summary"] == {"added": 1, "removed": 1, "changed": 1, "stance_changed": 1, "influence_changed": 1}
    changes = {c["code"]: c for c in diff["changes"]}
    assert changes["ST-04"]["change"] == "added" and changes["ST-04"]["note"] == "broke away after the ceasefire"
    assert changes["ST-03"]["change"] == "removed" and changes["ST-03"]["note"] == "dissolved"
    st02 = changes["ST-02"]
    assert {f["field"]: (f["from"], f["to"]) for f in st02["fields"]} == {
        "stance": ("opposed", "neutral"), "influence": ("high", "medium"), "interests": ("Control of the roads",
                                                                                       "Mining")}
    assert (st02["stance_move"], st02["influence_move"]) == ("better", "down")
    assert st02["note"] == "2023/24-Q2: signed a ceasefire; 2023/24-Q4: lost two factions"  # both reasons
    consecutive = StakeholderStore(store).stakeholder_diff(MISSION, "2023/24-Q2", "2023/24-Q4")
    assert {c["code"]: c["note"] for c in consecutive["changes"]}["ST-02"] == "lost two factions"
    assert ("ST-01" not in changes) and StakeholderStore(store).stakeholder_diff(MISSION, "2023/24-Q4",
                                                                                 "2023/24-Q4")["changes"] == []
    # a cycle between two maps shows the map in force (the earlier one)
    assert StakeholderStore(store).context_map(MISSION, "2023/24-Q3")["cycle"] == "2023/24-Q2"
    with pytest.raises(NotFoundError, match="no context mapping at or before 2021/22-Q4"):
        StakeholderStore(store).context_map(MISSION, "2021/22-Q4")
    audit = store.audit_log(MISSION, entity="stakeholder")
    assert {"insert", "update", "delete"} <= set(audit["action"]) and "dissolved" in set(audit["note"])


def test_saving_the_same_map_again_changes_nothing(store):
    entries = [_entry("ST-01", "A"), _entry("ST-02", "B", stance="neutral")]
    StakeholderStore(store).save_context_map(MISSION, "2022/23-Q4", entries, actor="p", is_synthetic=True, source="s")
    StakeholderStore(store).save_context_map(MISSION, "2023/24-Q4", [entries[0] | {"influence": "low"}],
                                             removed={"ST-02": "gone"},
                           notes={"ST-01": "weaker"}, actor="p", is_synthetic=True, source="s")
    counts = store.table_counts()
    assert StakeholderStore(store).save_context_map(MISSION, "2023/24-Q4", [entries[0] | {"influence": "low"}],
                                  removed={"ST-02": "gone"}, notes={"ST-01": "weaker"}, actor="p",
                                  is_synthetic=True, source="s") == {"inserted": 0, "updated": 0, "removed": 0,
                                                                     "unchanged": 2}
    assert store.table_counts() == counts


def test_demo_ships_two_synthetic_snapshots_with_believable_changes(demo_sqlite_url):
    store = Store(demo_sqlite_url)
    cycles = StakeholderStore(store).context_cycles(MISSION)
    assert cycles["cycle"].tolist() == ["2022/23-Q4", "2023/24-Q4"] and cycles["is_synthetic"].all()
    assert all("synthetic" in s for s in cycles["source"])
    diff = StakeholderStore(store).stakeholder_diff(MISSION, "2022/23-Q4", "2023/24-Q4")
    changes = {c["code"]: c for c in diff["changes"]}
    assert {c for c, x in changes.items() if x["change"] == "added"} == {"ST-15", "ST-16"}
    assert {c for c, x in changes.items() if x["change"] == "removed"} == {"ST-14"}
    assert changes["ST-02"]["stance_move"] == "better" and changes["ST-04"]["influence_move"] == "down"
    assert all(c["note"] for c in diff["changes"])  # every change says why
    fw = store.framework(MISSION)
    outcome_codes = {o.code for _, o in fw.outcomes()}
    for cycle in cycles["cycle"]:
        for row in StakeholderStore(store).context_map(MISSION, cycle)["entries"]:
            assert set(row["outcomes"]) <= outcome_codes


def test_diff_of_plain_rows_orders_and_moves():
    opts = options_from()
    before = [_entry("A", "a"), _entry("B", "b", stance="supportive", influence="low")]
    after = [_entry("B", "b", stance="opposed", influence="high", note="turned"), _entry("C", "c")]
    out = diff_entries(before, after, opts)
    assert [(c["code"], c["change"]) for c in out] == [("A", "removed"), ("B", "changed"), ("C", "added")]
    assert (out[1]["stance_move"], out[1]["influence_move"], out[1]["note"]) == ("worse", "up", "turned")


# -- CLI ----------------------------------------------------------------------------------------------
def test_cli_list_and_diff(demo_sqlite_url, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("CPAS_DB_URL", demo_sqlite_url)
    assert main(["stakeholders", "list", "--mission", MISSION, "--cycle", "2022/23-Q4", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["mapped_in"] == "2022/23-Q4" and listed["is_synthetic"] is True
    assert len(listed["stakeholders"]) == 14 and {"code", "stance", "influence",
                                                  "areas"} <= set(listed["stakeholders"][0])
    assert main(["stakeholders", "list", "--mission", MISSION]) == 0
    out = capsys.readouterr().out
    assert "context map of 2023/24-Q4: 15 stakeholders" in out and "SYNTHETIC" in out and "Splinter" in out
    assert main(["stakeholders", "diff", "--mission", MISSION, "--from", "2022/23-Q4", "--to", "2023/24-Q4",
                 "--json"]) == 0
    diff = json.loads(capsys.readouterr().out)
    assert diff["summary"]["added"] == 2 and {"code", "change", "fields", "note"} <= set(diff["changes"][0])
    assert main(["stakeholders", "diff", "--mission", MISSION, "--from", "2022/23-Q4", "--to", "2023/24-Q4"]) == 0
    out = capsys.readouterr().out
    assert "+ ST-15" in out and "- ST-14" in out and "stance: Neutral -> Supportive" in out and "why: " in out
    assert main(["stakeholders", "list", "--mission", MISSION, "--cycle", "2021/22-Q1"]) == 1
    assert "no context mapping" in capsys.readouterr().err
    assert main(["stakeholders", "list", "--mission", "NOPE"]) == 1
    options = tmp_path / "options.yaml"
    options.write_text("level:\n  - {code: local, label: Local, label_fr: Local}\n"
                       "  - {code: national, label: National}\n  - {code: regional, label: Regional}\n"
                       "  - {code: cross_border, label: Cross-border, label_fr: Transfrontalier}\n")
    assert main(["stakeholders", "options", "--mission", MISSION, "--file", str(options), "--json"]) == 0
    assert [o["code"] for o in json.loads(capsys.readouterr().out)["level"]][-1] == "cross_border"


# -- views and the pack ------------------------------------------------------------------------------
def test_views_escape_stored_text_and_speak_french():
    fw, opts = demo_framework(), options_from()
    rows = [_entry("ST-1", HOSTILE, name_fr="Groupe <b>armé</b>", status="active"),
            _entry("ST-2", "Ministry", type="government", stance="supportive", areas=[], status="active")]
    for html in (matrix_html(rows, opts, "en"), per_outcome_html(rows, fw, opts, "en")):
        assert "&lt;script&gt;" in html and "<script>" not in html and "<img" not in html
    fr = matrix_html(rows, opts, "fr")
    assert "Groupe &lt;b&gt;armé&lt;/b&gt;" in fr and "Favorable" in fr and "Forte" in fr and "Opposé" in fr
    changes = diff_entries(rows[:1], [rows[0] | {"stance": "neutral", "note": HOSTILE}], opts)
    html = changes_html(changes, opts, {"CF-UK": "Ouaka"}, "2022/23-Q4", "2023/24-Q4", "fr")
    assert "plus favorable" in html and "Opposé → <b>Neutre</b>" in html and "<script>" not in html
    assert "De 2022/23-Q4 à 2023/24-Q4" in html
    counts = {c["area_code"]: c for c in area_counts(rows, opts, ["CF-UK", "CF-BGF"])}
    assert (counts["CF-UK"]["stakeholders"], counts["CF-UK"]["opposed"], counts["CF-BGF"]["stakeholders"]) == (1, 1, 0)


def test_version_cycles_assigns_each_cycle_its_framework_version():
    versions = [{"version": 1, "effective_from": "2021/22-Q1"}, {"version": 2, "effective_from": "2023/24-Q1"},
                {"version": 3, "effective_from": "2023/24-Q1"}]
    got = version_cycles(versions, ["2020/21-Q4", "2022/23-Q4", "2023/24-Q1", "2023/24-Q2"])
    assert got == {1: ["2020/21-Q4", "2022/23-Q4"], 2: [], 3: ["2023/24-Q1", "2023/24-Q2"]}


def test_pack_section_shows_matrix_changes_map_and_framework_versions(demo_sqlite_url):
    from cpas_kit.core.settings import make_parameters
    from cpas_kit.packs import sections as report
    from cpas_kit.packs.data import load_pack_data

    store = Store(demo_sqlite_url)
    fw = store.framework(MISSION)
    doc = fw.to_document()
    doc["priorities"][0]["outcomes"][0]["indicators"][0]["targets"][-1]["value"] += 1
    from cpas_kit.framework.model import framework_from_document

    store.save_framework(framework_from_document(doc), effective_from="2023/24-Q3", actor="planner",
                         source="import of fw.xlsx")
    store.close()
    ctx = load_pack_data(make_parameters(mission=MISSION, cycle="2023/24-Q4", db_url=demo_sqlite_url, language="fr"))
    parts = list(report.context_mapping(ctx))
    html = parts[0].data
    assert "Cartographie du contexte et analyse des parties prenantes" in html and "SYNTHÉTIQUE" in html
    assert "établie en 2023/24-Q4, 15 parties prenantes" in html and 'data-stance="opposed"' in html
    assert "De 2022/23-Q4 à 2023/24-Q4" in html and "Faction dissidente" in html
    assert parts[1].to_dict()["mark"]["type"] == "geoshape"
    versions = report.framework_versions(ctx).data
    assert "2021/22-Q1 – 2023/24-Q2 (10)" in versions and "2023/24-Q3 – 2023/24-Q4 (2)" in versions
    assert "2 (ce dossier)" in versions
    early = load_pack_data(make_parameters(mission=MISSION, cycle="2021/22-Q4", db_url=demo_sqlite_url))
    assert "No context mapping has been recorded" in next(iter(report.context_mapping(early))).data
    assert "1 (this pack)" in report.framework_versions(early).data


def test_every_context_label_has_english_and_french_and_overrides_nothing():
    import importlib

    from cpas_kit.core import i18n
    from cpas_kit.core.i18n import stakeholders as i18n_context

    base = importlib.reload(i18n).LABELS
    for key, labels in i18n_context.LABELS.items():
        assert labels.get("en") and labels.get("fr"), key
        assert base[key] is labels, f"{key} is defined twice"
    fields = ("code", "name", "name_fr", "type", "level", "areas", "stance", "influence", "interests", "perception",
              "engagement", "outcomes", "note")
    assert all(f"sh_{f}" in i18n_context.LABELS for f in fields)
