"""Framework authoring without YAML: the workbook round trip (YAML → store → xlsx → store identical), edits
becoming a new version from a named cycle, every problem with its sheet, row and column and nothing written,
the CLI, French headers, formula-safe text, and small edits through the same checks."""

from __future__ import annotations

import json
import typing

import pytest
from openpyxl import load_workbook

from cpas_kit.cli.main import main
from cpas_kit.core.import_report import ImportRejected
from cpas_kit.demo import demo_framework
from cpas_kit.framework import model as fwm
from cpas_kit.framework.edit import FrameworkRejected, add_indicator, save_edited_framework, set_target
from cpas_kit.framework.model import load_framework, shipped_framework_path
from cpas_kit.framework.workbook import (
    FIELDS_ROW,
    FIRST_ROW,
    MISSION_ROWS,
    SHEETS,
    export_framework,
    import_framework,
)
from cpas_kit.store import Store

MISSION = "UN-DEMO"


def _columns(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[FIELDS_ROW] if c.value}


def _row_of(ws, code: str, field: str = "code") -> int:
    col = _columns(ws)[field]
    return next(r for r in range(FIRST_ROW, ws.max_row + 1) if ws.cell(row=r, column=col).value == code)


@pytest.mark.parametrize("mission", [MISSION, "DEMO-CYP"])
def test_round_trip_yaml_store_xlsx_store_is_identical(store_url, tmp_path, mission):
    fw = load_framework(shipped_framework_path(MISSION)) if mission == MISSION else demo_framework(mission)
    store = Store(store_url)
    assert store.save_framework(fw, effective_from="2021/22-Q1", actor="test") == 1
    path = export_framework(store, mission, tmp_path / "fw.xlsx", fmt="xlsx")
    result, version = import_framework(store, path, actor="planner", effective_from="2024/25-Q1")
    assert version == 1 and result.rows_imported == 0 and result.rows_unchanged == result.rows_read > 50
    assert store.framework(mission).content_hash() == fw.content_hash()
    assert len(store.framework_versions(mission)) == 1
    yaml_path = export_framework(store, mission, tmp_path / "fw.yaml", fmt="yaml")
    assert load_framework(yaml_path).content_hash() == fw.content_hash()
    assert import_framework(store, yaml_path, actor="planner")[1] == 1
    store.close()


def test_every_framework_field_has_a_column():
    """A field added to the framework model must get a workbook column, or the round trip would drop it."""
    covered = {
        fwm.Mission: {c.field.split(".")[0] for c in MISSION_ROWS},
        fwm.Geography: {c.field.split(".")[1] for c in MISSION_ROWS if c.field.startswith("geography.")},
        fwm.Section: {c.field for c in SHEETS["Sections"]},
        fwm.Dimension: {c.field for c in SHEETS["Disaggregations"]} | {"categories", "category_names",
                                                                        "category_names_fr"},
        fwm.Priority: {c.field for c in SHEETS["Priorities"]} | {"outcomes"},
        fwm.Outcome: {c.field for c in SHEETS["Outcomes"]} | {"indicators", "outputs"},
        fwm.Indicator: {c.field for c in SHEETS["Indicators"]} | {"baseline", "targets", "pirs"},
        fwm.Pirs: {c.field for c in SHEETS["PIRS"]},
        fwm.Baseline: {c.field.removeprefix("baseline_") for c in SHEETS["Indicators"]
                       if c.field.startswith("baseline_")},
        fwm.Target: {c.field for c in SHEETS["Targets"]},
        fwm.Output: {c.field for c in SHEETS["Outputs"]},
        fwm.Stakeholder: {c.field for c in SHEETS["Stakeholders"]},
        fwm.Framework: {"mission", "sections", "disaggregations", "priorities", "stakeholders"},
    }
    for model, fields in covered.items():
        assert set(model.model_fields) <= fields, f"{model.__name__}: no column for {set(model.model_fields) - fields}"
    assert typing.get_type_hints(fwm.Framework)  # the models are importable and typed


def test_edited_workbook_becomes_a_new_version_from_the_named_cycle(demo_sqlite_url, tmp_path):
    store = Store(demo_sqlite_url)
    old = store.framework(MISSION)
    path = export_framework(store, MISSION, tmp_path / "fw.xlsx", language="fr")
    wb = load_workbook(path)
    assert wb["Indicators"].cell(row=1, column=_columns(wb["Indicators"])["direction"]).value == "Sens souhaité"
    targets, indicators = wb["Targets"], wb["Indicators"]
    tcols, icols = _columns(targets), _columns(indicators)
    targets.cell(row=_row_of(targets, "SEC-01", "indicator"), column=tcols["value"], value=3)
    new_row = indicators.max_row + 1
    for field, value in {"outcome": "O1.1", "code": "SEC-NEW", "name": "=HYPERLINK(\"x\") stays text",
                         "level": "strategic", "kind": "quantitative", "unit": "incidents", "direction": "decrease",
                         "baseline_value": 12, "baseline_period": "2023/24-Q4", "data_source": "JMAC",
                         "responsible_section": "JMAC", "tags": "poc, security"}.items():
        cell = indicators.cell(row=new_row, column=icols[field], value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # typed as text, as Excel keeps text that starts with an apostrophe
    wb.save(path)
    result, version = import_framework(store, path, actor="planner", effective_from="2024/25-Q1")
    assert version == 2 and result.rows_imported == result.rows_read
    new = store.framework(MISSION, "2024/25-Q1")
    assert new.indicator("SEC-NEW").name.startswith("=HYPERLINK") and new.indicator("SEC-NEW").tags == ["poc",
                                                                                                        "security"]
    assert new.indicator("SEC-01").targets[0].value == 3
    assert store.framework(MISSION, "2023/24-Q4").content_hash() == old.content_hash()  # past cycles keep theirs
    meta = store.framework_versions(MISSION)
    assert meta["effective_from"].tolist() == ["2021/22-Q1", "2024/25-Q1"] and "fw.xlsx" in meta["source"].iloc[-1]
    again = export_framework(store, MISSION, tmp_path / "again.xlsx")
    cell = load_workbook(again)["Indicators"].cell(row=_row_of(load_workbook(again)["Indicators"], "SEC-NEW"),
                                                   column=icols["name"])
    assert cell.data_type == "s"  # written as text: no formula can run from a framework
    wb = load_workbook(again)
    wb["Targets"].cell(row=_row_of(wb["Targets"], "SEC-01", "indicator"), column=tcols["value"], value=4)
    wb.save(again)
    with pytest.raises(ImportRejected, match="cannot start earlier"):
        import_framework(store, again, actor="planner", effective_from="2023/24-Q1", write_error_file=False)
    assert len(store.framework_versions(MISSION)) == 2
    store.close()


def test_bad_workbook_lists_every_problem_and_writes_nothing(demo_sqlite_url, tmp_path, monkeypatch, capsys):
    store = Store(demo_sqlite_url)
    path = export_framework(store, MISSION, tmp_path / "fw.xlsx")
    wb = load_workbook(path)
    ind, tg, out = wb["Indicators"], wb["Targets"], wb["Outputs"]
    ic, tc = _columns(ind), _columns(tg)
    ind.cell(row=_row_of(ind, "SEC-01"), column=ic["direction"], value="upwards")
    ind.cell(row=_row_of(ind, "SEC-02"), column=ic["baseline_value"], value="12,5")
    ind.cell(row=_row_of(ind, "SEC-03"), column=ic["outcome"], value="O9.9")
    ind.cell(row=_row_of(ind, "SEC-05"), column=ic["responsible_section"], value="NOPE")
    ind.cell(row=_row_of(ind, "SEC-06"), column=ic["code"], value="SEC-07")
    tg.cell(row=FIRST_ROW, column=tc["period"], value="2024-25 Q9")
    out.delete_cols(_columns(out)["section"])
    wb["Mission"].cell(row=FIRST_ROW + [c.field for c in MISSION_ROWS].index("is_fictional"), column=2, value="maybe")
    wb.save(path)
    before = store.table_counts()
    monkeypatch.setenv("CPAS_DB_URL", demo_sqlite_url)
    assert main(["framework", "import", str(path), "--effective-from", "2024/25-Q1", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["rows_imported"] == 0 and set(report) >= {"rows_read", "rows_imported", "rows_unchanged",
                                                             "rows_unmatched", "errors"}
    found = {(e["sheet"], e["column"]) for e in report["errors"]}
    assert {("Indicators", "direction"), ("Indicators", "baseline_value"), ("Indicators", "outcome"),
            ("Indicators", "responsible_section"), ("Indicators", "code"), ("Targets", "period"),
            ("Outputs", "section"), ("Mission", "value")} <= found
    by_column = {e["column"]: e for e in report["errors"] if e["sheet"] == "Indicators"}
    assert by_column["direction"]["row"] == _row_of(ind, "SEC-01") and "'upwards' is not allowed" in \
        by_column["direction"]["message"]
    assert "is already used at row" in by_column["code"]["message"]
    orphans = {e["message"].split("'")[1] for e in report["errors"] if e["sheet"] == "Targets"
               and e["column"] == "indicator"}
    assert orphans == {"SEC-06"}  # SEC-03's targets follow their (reported) indicator, not reported again
    assert store.table_counts() == before
    errors_file = tmp_path / "fw.errors.xlsx"
    assert errors_file.is_file() and load_workbook(errors_file).sheetnames[0] == "Errors"
    store.close()


def test_cli_export_import(demo_sqlite_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CPAS_DB_URL", demo_sqlite_url)
    out = tmp_path / "fw.yaml"
    assert main(["framework", "export", "--mission", MISSION, "--format", "yaml", "-o", str(out)]) == 0
    assert "version 1" in capsys.readouterr().out and out.read_text(encoding="utf-8").startswith("# UN-DEMO")
    text = out.read_text(encoding="utf-8").replace("name: Force\n", "name: Force (military component)\n", 1)
    out.write_text(text, encoding="utf-8")
    assert main(["framework", "import", str(out), "--effective-from", "2024/25-Q2"]) == 0
    assert "saved as version 2, in force from 2024/25-Q2" in capsys.readouterr().out
    assert main(["framework", "export", "--mission", MISSION, "--format", "xlsx", "-o", str(tmp_path / "f.xlsx"),
                 "--cycle", "2023/24-Q4"]) == 0
    assert "version 1 (in force from 2021/22-Q1)" in capsys.readouterr().out
    assert main(["framework", "import", str(tmp_path / "missing.xlsx")]) == 1


def test_small_edits_use_the_same_checks(demo_sqlite_url):
    store = Store(demo_sqlite_url)
    fw = store.framework(MISSION)
    with pytest.raises(FrameworkRejected) as exc:
        save_edited_framework(store, add_indicator(fw, "O1.1", {"code": "SEC-01", "name": "x", "level": "strategic",
                                                                "direction": "up"}),
                              effective_from="2024/25-Q1", actor="p", source="test")
    messages = "; ".join(f"{p}: {m}" for p, m in exc.value.problems)
    for bit in ("unit: is required", "data_source: is required", "direction", "already used at indicator SEC-01"):
        assert bit in messages
    assert len(store.framework_versions(MISSION)) == 1
    version, created = save_edited_framework(store, set_target(fw, "SEC-01", "2024/25-Q4", 2.0, None),
                                             effective_from="2024/25-Q1", actor="p", source="test")
    assert (version, created) == (2, True)
    assert store.framework(MISSION).indicator("SEC-01").target_for("2024/25-Q4").value == 2.0
    assert save_edited_framework(store, set_target(store.framework(MISSION), "SEC-01", "2024/25-Q4", 2.0, None),
                                 effective_from="2024/25-Q2", actor="p", source="test") == (2, False)
    with pytest.raises(FrameworkRejected, match="quarter"):
        save_edited_framework(store, set_target(fw, "SEC-01", "2024/25-Q4", 5.0, None), effective_from="2025/26",
                              actor="p", source="test")
    store.close()
