"""Data-entry workbooks, validated imports of indicator data, error workbooks and verification."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from cpas_kit.cli.main import main
from cpas_kit.core.error_workbook import BAD_FILL, ERRORS_SHEET
from cpas_kit.core.import_report import ImportRejected
from cpas_kit.data_in.entry_workbook import (
    FIELD_NAMES,
    FIELDS_ROW,
    FIRST_DATA_ROW,
    HEADER_ROW,
    META_SHEET,
    template_cells,
)
from cpas_kit.data_in.observations import TOLERANCE_ABS, errors_path, import_observations
from cpas_kit.data_in.store import ObservationStore
from cpas_kit.demo import MISSION, demo_framework
from cpas_kit.store import Store

CYCLE = "2023/24-Q4"  # the demo's last cycle (values exist)
NEW = "2024/25-Q1"  # the next cycle (no values yet)
COLUMNS = ["mission_code", "indicator_code", "period", "disaggregation", "value", "value_text", "source", "note"]


STORE_CONTENT = "demo"  # the shared ``store`` fixture (tests/conftest.py)
STORE_BACKENDS = ("sqlite",)


def write_csv(path: Path, rows: list[dict], columns: list[str] = COLUMNS) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in columns})
    return path


def row(indicator: str, value=None, cell: str = "", period: str = NEW, **extra) -> dict:
    return {"mission_code": MISSION, "indicator_code": indicator, "period": period, "disaggregation": cell,
            "value": "" if value is None else value, "source": "test file", **extra}


def snapshot(store: Store) -> tuple:
    obs = ObservationStore(store).observations(MISSION)
    return store.table_counts(), pd.util.hash_pandas_object(obs.drop(columns=["id"]), index=False).sum()


def sec02_rows(total: float, shift: float = 0.0) -> list[dict]:
    """SEC-02 (incidents, by admin-1) for NEW: 17 areas of 10 each and a total."""
    areas = demo_framework().categories("admin1")
    parts = [row("SEC-02", 10, f"admin1={a}") for a in areas]
    parts[0]["value"] = 10 + shift
    return [row("SEC-02", total)] + parts


# -- the template -------------------------------------------------------------------------------

def test_template_has_a_protected_sheet_per_section_with_every_cell(store, tmp_path):
    from cpas_kit.data_in.entry_workbook import write_template

    path = write_template(store, MISSION, CYCLE, tmp_path / "t.xlsx")
    fw = demo_framework()
    wb = load_workbook(path)
    sections = {i.responsible_section for _, _, i in fw.indicators()}
    assert set(wb.sheetnames) == sections | {META_SHEET}
    assert wb[META_SHEET].sheet_state == "hidden"
    ws = wb["FORCE"]
    assert ws.protection.sheet is True
    assert [c.value for c in ws[FIELDS_ROW]] == list(FIELD_NAMES)
    assert ws.row_dimensions[FIELDS_ROW].hidden
    col = {name: i for i, name in enumerate(FIELD_NAMES)}
    data = [r for r in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)]
    force = [i for _, _, i in fw.indicators() if i.responsible_section == "FORCE"]
    assert len(data) == sum(len(template_cells(fw, i)) for i in force)
    # reference columns locked, input columns open
    first = ws[FIRST_DATA_ROW]
    assert first[col["indicator_name"]].protection.locked
    assert not first[col["value"]].protection.locked
    assert not first[col["note"]].protection.locked
    # the last value is the store's value of the period before the cycle
    obs = ObservationStore(store).observations(MISSION, indicators=["SEC-04"], periods=["2023/24-Q3"], totals_only=True)
    sec04 = next(r for r in data if r[col["indicator_code"]] == "SEC-04" and not r[col["disaggregation"]])
    assert sec04[col["last_value"]] == pytest.approx(obs["value"].iloc[0])
    assert sec04[col["last_period"]] == "2023/24-Q3"
    # SEC-05 is a percentage: the value cell only takes 0–100
    rules = [(dv.type, dv.formula1, dv.formula2, str(dv.sqref)) for dv in ws.data_validations.dataValidation]
    sec05_row = FIRST_DATA_ROW + next(i for i, r in enumerate(data) if r[col["indicator_code"]] == "SEC-05")
    assert any(t == "decimal" and f1 == "0" and f2 == "100" and f"J{sec05_row}" in ref for t, f1, f2, ref in rules)
    assert any(t == "list" for t, *_ in rules), "sources are offered in a drop-down list"


def test_template_labels_are_french_on_request(demo_sqlite_url, tmp_path, monkeypatch):
    monkeypatch.setenv("CPAS_DB_URL", demo_sqlite_url)
    path = tmp_path / "fr.xlsx"
    assert main(["template", "--mission", MISSION, "--cycle", NEW, "-o", str(path), "--language", "fr"]) == 0
    ws = load_workbook(path)["FORCE"]
    headers = [c.value for c in ws[HEADER_ROW]]
    assert "Valeur de ce cycle" in headers and "Ventilation" in headers
    assert "saisie des données" in ws["A1"].value
    assert "SYNTHÉTIQUES" in ws["A3"].value


def test_unchanged_template_imports_nothing_and_a_filled_one_is_written(store, tmp_path):
    from cpas_kit.data_in.entry_workbook import write_template

    path = write_template(store, MISSION, CYCLE, tmp_path / "current.xlsx")
    before = snapshot(store)
    result = import_observations(store, path, actor="focal point")
    assert result.rows_imported == 0 and result.rows_unchanged == result.rows_read > 300
    assert snapshot(store)[1] == before[1], "re-importing the store's own values changes no observation"

    new = write_template(store, MISSION, NEW, tmp_path / "new.xlsx")
    wb = load_workbook(new)
    ws = wb["FORCE"]
    col = {c.value: c.column for c in ws[FIELDS_ROW]}
    filled = 0
    for r in range(FIRST_DATA_ROW, ws.max_row + 1):
        code, cell = ws.cell(r, col["indicator_code"]).value, ws.cell(r, col["disaggregation"]).value
        if code == "SEC-06":
            ws.cell(r, col["value"]).value = 12
            ws.cell(r, col["note"]).value = "=cmd|' /C calc'!A0"
            ws.cell(r, col["note"]).data_type = "s"  # typed as text by the focal point: stays text
            filled += 1
        if code == "SEC-05" and not cell:
            ws.cell(r, col["value"]).value = 87.5
            filled += 1
    wb.save(new)
    result = import_observations(store, new, actor="force focal point")
    assert (result.rows_read, result.rows_imported, result.rows_unchanged) == (filled, filled, 0)
    got = ObservationStore(store).observations(MISSION, indicators=["SEC-05", "SEC-06"], periods=[NEW])
    assert dict(zip(got["indicator_code"], got["value"])) == {"SEC-05": 87.5, "SEC-06": 12.0}
    assert set(got["verification_status"]) == {"entered"} and not got["is_synthetic"].any()
    assert got.loc[got["indicator_code"] == "SEC-06", "note"].iloc[0] == "=cmd|' /C calc'!A0"
    again = import_observations(store, new, actor="force focal point")
    assert (again.rows_imported, again.rows_unchanged) == (0, filled)
    imports = pd.read_sql_table("imports", store.engine)
    imports = imports[imports["kind"] == "observations"]
    assert list(imports["file_name"]) == ["new.xlsx"], "imports that changed nothing leave no provenance row"
    assert imports["file_sha256"].str.len().eq(64).all()


def test_a_correction_replaces_the_value_and_the_audit_log_keeps_the_old_one(store, tmp_path):
    import_observations(store, write_csv(tmp_path / "a.csv", [row("SEC-06", 12)]), actor="enumerator")
    ObservationStore(store).verify(MISSION, NEW, by="M&E officer")
    same = import_observations(store, write_csv(tmp_path / "b.csv", [row("SEC-06", 12)]), actor="enumerator")
    assert same.rows_unchanged == 1
    kept = ObservationStore(store).observations(MISSION, indicators=["SEC-06"], periods=[NEW])
    assert kept["verification_status"].iloc[0] == "verified", "re-sending a verified value keeps it verified"
    fixed = import_observations(store, write_csv(tmp_path / "c.csv", [row("SEC-06", 14)]), actor="enumerator")
    assert fixed.rows_imported == 1
    now = ObservationStore(store).observations(MISSION, indicators=["SEC-06"], periods=[NEW])
    assert now["value"].iloc[0] == 14 and now["verification_status"].iloc[0] == "entered"
    updates = store.audit_log(MISSION, "observation")
    last = updates[updates["action"] == "update"].iloc[-1]
    assert json.loads(last["old_value"])["value"] == 12 and json.loads(last["new_value"])["value"] == 14
    assert "c.csv" in last["note"]


# -- rejections ----------------------------------------------------------------------------------

def test_every_problem_is_listed_with_row_and_column_and_nothing_is_written(store, tmp_path):
    rows = [
        row("SEC-06", 5),                                       # 2: fine
        {**row("SEC-06", 5), "mission_code": "UN-NOPE"},        # 3: unknown mission
        row("XX-99", 5),                                        # 4: unknown indicator
        row("SEC-06", 5, period="2024/25-Q9"),                  # 5: not a period
        row("SEC-12", "lots"),                                  # 6: not a number
        row("SEC-05", 140),                                     # 7: above 100 %
        row("PP-01", 3),                                        # 8: qualitative given a number
        row("SEC-08", 4, "colour=red"),                         # 9: unknown dimension
        row("SEC-08", 4, "sex=other"),                          # 10: unknown category
        row("SEC-06", 6),                                       # 11: duplicate of row 2
        row("SEC-06", 5, period="2099/00-Q1"),                  # 12: period in the future
        row("SEC-12", -3),                                      # 13: negative count
        row("SEC-10", "1,5"),                                   # 14: decimal comma
        row("SEC-06", 1, period="2024-08"),                     # 15: a month for a quarterly mission
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    before = snapshot(store)
    with pytest.raises(ImportRejected) as err:
        import_observations(store, path, actor="x", today=date(2026, 11, 23))
    found = {(p.row, p.column) for p in err.value.result.errors}
    assert found == {(3, "mission_code"), (4, "indicator_code"), (5, "period"), (6, "value"), (7, "value"),
                     (8, "value"), (9, "disaggregation"), (10, "disaggregation"), (11, "indicator_code"),
                     (12, "period"), (13, "value"), (14, "value"), (15, "period")}
    by_row = {p.row: p.message for p in err.value.result.errors}
    assert "row 2" in by_row[11] and "point for decimals" in by_row[14] and "has not started" in by_row[12]
    assert "2024/25-Q1" in by_row[15]
    assert snapshot(store) == before, "a rejected file leaves the store exactly as it was"
    report = load_workbook(errors_path(path))
    assert report.sheetnames[0] == ERRORS_SHEET and report[ERRORS_SHEET].max_row == 1 + len(found)
    data = report["data"]
    assert data["E7"].fill.fgColor.rgb.endswith(BAD_FILL.fgColor.rgb[-6:])  # row 7, column value (E)
    assert "outside the range" in data["E7"].comment.text
    assert data["E2"].fill.fgColor.rgb != data["E7"].fill.fgColor.rgb


def test_total_must_equal_the_sum_of_a_complete_set_of_parts(store, tmp_path):
    ok = import_observations(store, write_csv(tmp_path / "ok.csv", sec02_rows(170 + TOLERANCE_ABS)), actor="x")
    assert ok.rows_imported == 18
    with pytest.raises(ImportRejected) as err:
        import_observations(store, write_csv(tmp_path / "off.csv", sec02_rows(170, shift=3)), actor="x")
    (problem,) = err.value.result.errors
    assert (problem.row, problem.column) == (2, "value") and "add up to 173" in problem.message
    partial = sec02_rows(500)[:5]  # an incomplete set of parts is not checked
    assert import_observations(store, write_csv(tmp_path / "partial.csv", partial), actor="x").rows_read == 5


def test_shares_are_not_summed(store, tmp_path):
    rows = [row("SEC-03", 60), row("SEC-03", 55, "sex=female"), row("SEC-03", 65, "sex=male")]
    assert import_observations(store, write_csv(tmp_path / "s.csv", rows), actor="x").rows_imported == 3


@pytest.mark.parametrize("content, expected", [
    (b"", "empty"),
    (b"\xff\xfe\x00garbage", "UTF-8"),
    ("mission_code,indicator_code,value\nUN-DEMO,SEC-06,3\n".encode(), "'period' is missing"),
    ("mission_code,indicator_code,period,value\nUN-DEMO,SEC-06,2024/25-Q1,3,4\n".encode(), "has 5 fields"),
])
def test_broken_files_get_one_clear_sentence(store, tmp_path, content, expected):
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    with pytest.raises(ImportRejected) as err:
        import_observations(store, path, actor="x")
    assert any(expected in p.message for p in err.value.result.errors), err.value.result.errors


def test_csv_with_bom_and_template_workbook_in_french_import(store, tmp_path):
    path = tmp_path / "bom.csv"
    write_csv(path, [row("SEC-06", 3)])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert import_observations(store, path, actor="x").rows_imported == 1


def test_not_a_workbook(store, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("this is not a zip")
    with pytest.raises(ImportRejected) as err:
        import_observations(store, path, actor="x")
    assert "cannot be opened as an Excel workbook" in err.value.result.errors[0].message


# -- verification ------------------------------------------------------------------------------

def test_verify_marks_who_and_when_and_reject_needs_a_reason(store, tmp_path):
    import_observations(store, write_csv(tmp_path / "v.csv", [row("SEC-06", 3), row("SEC-05", 50)]), actor="x")
    with pytest.raises(Exception, match="needs a reason"):
        ObservationStore(store).verify(MISSION, NEW, by="lead", indicators=["SEC-05"], reject=True)
    assert ObservationStore(store).verify(MISSION, NEW, by="lead", indicators=["SEC-05"], reject=True,
                                          reason="survey not finished") == 1
    assert ObservationStore(store).verify(MISSION, NEW, by="lead") == 1, "a batch verify leaves a rejected value alone"
    got = ObservationStore(store).observations(MISSION, periods=[NEW]).set_index("indicator_code")
    assert got.loc["SEC-06", "verification_status"] == "verified" and got.loc["SEC-06", "verified_by"] == "lead"
    assert got.loc["SEC-05", "verification_status"] == "rejected"
    assert pd.notna(got.loc["SEC-06", "verified_at"])
    log = store.audit_log(MISSION, "observation")
    assert {"verify", "reject"} <= set(log["action"])
    assert "survey not finished" in set(log["note"].dropna())


# -- the command line --------------------------------------------------------------------------

def test_cli_import_json_shape_and_exit_codes(demo_sqlite_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CPAS_DB_URL", demo_sqlite_url)
    good = write_csv(tmp_path / "good.csv", [row("SEC-06", 3)])
    assert main(["import", "observations", str(good), "--json", "--by", "tester"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out)[:5] == ["rows_read", "rows_imported", "rows_unchanged", "rows_unmatched", "errors"]
    assert (out["rows_read"], out["rows_imported"], out["errors"]) == (1, 1, [])
    bad = write_csv(tmp_path / "bad.csv", [row("SEC-06", "x")])
    assert main(["import", "observations", str(bad), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["errors"][0]["row"] == 2 and out["errors"][0]["column"] == "value"
    assert set(out["errors"][0]) >= {"sheet", "row", "column", "message"}
    assert main(["import", "observations", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "row 2, column 'value'" in err and "bad.errors.xlsx" in err
    assert main(["verify", "--mission", MISSION, "--cycle", NEW, "--by", "lead"]) == 0
    assert "1 value(s) of UN-DEMO 2024/25-Q1 verified by lead" in capsys.readouterr().out


def test_import_on_both_databases(store_url, tmp_path):
    store = Store(store_url)
    store.save_framework(demo_framework(), effective_from="2021/22-Q1", actor="t")
    path = write_csv(tmp_path / "x.csv", sec02_rows(170))
    assert import_observations(store, path, actor="x").rows_imported == 18
    with pytest.raises(ImportRejected):
        import_observations(store, write_csv(tmp_path / "y.csv", sec02_rows(170, shift=9)), actor="x")
    assert ObservationStore(store).count_observations(MISSION) == 18
    assert import_observations(store, path, actor="x").rows_unchanged == 18
    store.close()


def test_the_demo_data_passes_the_importers_own_checks(sqlite_url, tmp_path):
    """Synthetic data must be as consistent as real data has to be: totals equal their parts, ranges hold."""
    from cpas_kit.demo import generate_observations

    fw = demo_framework()
    frame = generate_observations(fw)
    path = tmp_path / "demo.csv"
    frame[COLUMNS].to_csv(path, index=False)
    store = Store(sqlite_url)
    store.save_framework(fw, effective_from="2021/22-Q1", actor="t")
    result = import_observations(store, path, actor="t")
    assert result.rows_imported == len(frame)
    store.close()


def test_packs_leave_rejected_values_out_and_list_them(demo_sqlite_url):
    from cpas_kit.core.settings import make_parameters
    from cpas_kit.packs.data import load_pack_data
    from cpas_kit.packs.sections import data_quality

    store = Store(demo_sqlite_url)
    assert ObservationStore(store).verify(MISSION, CYCLE, by="lead", indicators=["SEC-05"], cells=[""], reject=True,
                        reason="duplicate count") == 1
    store.close()
    ctx = load_pack_data(make_parameters(mission=MISSION, cycle=CYCLE, db_url=demo_sqlite_url))
    sec05 = ctx.status.set_index("indicator_code").loc["SEC-05"]
    assert sec05["latest_period"] != CYCLE, "the rejected value is not the latest value any more"
    html = str(data_quality(ctx).data)
    assert "SEC-05 2023/24-Q4" in html and "rejected at verification" in html
