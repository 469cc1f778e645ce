"""Indicator reference sheets: PIRS fields validated in the framework (YAML and workbook), UN-DEMO's 32 sheets,
the Word and Excel sheets in English and entirely in French, and changes across framework versions listed."""

from __future__ import annotations

import copy
import re

import docx
import pytest
from openpyxl import load_workbook

from cpas_kit.cli.main import main
from cpas_kit.core.errors import FrameworkError
from cpas_kit.core.i18n import t
from cpas_kit.core.import_report import ImportRejected
from cpas_kit.demo import demo_framework
from cpas_kit.framework.model import PIRS_TEXT_FIELDS, parse_framework
from cpas_kit.framework.pirs import write_pirs
from cpas_kit.framework.workbook import FIELDS_ROW, FIRST_ROW, export_framework, import_framework

STORE_CONTENT = "framework"
STORE_BACKENDS = ("sqlite",)
M = "UN-DEMO"


def _doc() -> dict:
    return copy.deepcopy(demo_framework().to_document())


def _indicator(doc: dict, code: str) -> dict:
    return next(i for p in doc["priorities"] for o in p["outcomes"] for i in o["indicators"] if i["code"] == code)


def test_every_demo_indicator_has_a_complete_labelled_reference_sheet():
    fw = demo_framework()
    inds = [i for _, _, i in fw.indicators()]
    assert len(inds) == 32
    for ind in inds:
        assert ind.pirs is not None and ind.pirs.frequency and ind.pirs.responsible_person
        for f in PIRS_TEXT_FIELDS:
            assert getattr(ind.pirs, f) and getattr(ind.pirs, f"{f}_fr"), (ind.code, f)
            assert "Synthetic" in getattr(ind.pirs, f) and "synthétique" in getattr(ind.pirs, f"{f}_fr")


def test_pirs_fields_are_validated_with_their_place_named():
    doc = _doc()
    _indicator(doc, "SEC-01")["pirs"]["frequency"] = "fortnightly"
    _indicator(doc, "SEC-02")["pirs"]["rationale"] = ""
    _indicator(doc, "SEC-03")["pirs"]["collection_methd"] = "typo"
    with pytest.raises(FrameworkError) as err:
        parse_framework(doc)
    problems = err.value.problems
    assert any("indicators[0].pirs.frequency" in p and "'fortnightly' is not allowed" in p for p in problems)
    assert any("indicators[1].pirs.rationale" in p for p in problems)
    assert any("pirs.collection_methd" in p and "unknown key" in p for p in problems)
    assert len(problems) == 3


def test_workbook_round_trip_keeps_the_sheets_and_reports_a_bad_row(store, tmp_path):
    store.save_framework(demo_framework(), effective_from="2021/22-Q1", actor="pytest")
    out = export_framework(store, M, tmp_path / "fw.xlsx", fmt="xlsx")
    wb = load_workbook(out)
    ws = wb["PIRS"]
    cols = {c.value: c.column for c in ws[FIELDS_ROW] if c.value}
    assert ws.max_row - FIRST_ROW + 1 == 32
    row = next(r for r in range(FIRST_ROW, ws.max_row + 1) if ws.cell(row=r, column=cols["indicator"]).value == "HR-02")
    ws.cell(row=row, column=cols["frequency"], value="weekly")
    ws.cell(row=ws.max_row + 1, column=cols["indicator"], value="NOPE-1")
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(ImportRejected) as err:
        import_framework(store, tmp_path / "bad.xlsx", actor="t", effective_from="2024/25-Q1", write_error_file=False)
    errors = err.value.result.errors
    assert {(e.sheet, e.row, e.column) for e in errors} == {("PIRS", row, "frequency"),
                                                            ("PIRS", ws.max_row, "indicator")}
    versions_before = len(store.framework_versions(M))
    _, version = import_framework(store, out, actor="t", effective_from="2024/25-Q1", write_error_file=False)
    assert len(store.framework_versions(M)) == versions_before  # unchanged round trip: no new version
    assert store.framework(M).indicator("HR-02").pirs == demo_framework().indicator("HR-02").pirs


def test_sheets_in_word_and_excel_list_changes_across_versions(store, tmp_path):
    doc = _doc()
    store.save_framework(parse_framework(doc), effective_from="2021/22-Q1", actor="pytest")
    _indicator(doc, "SEC-07")["pirs"]["collection_method"] = "Counted from the national police's arrest registers."
    _indicator(doc, "SEC-07")["pirs"]["collection_method_fr"] = "Décompte à partir des registres d'arrestation."
    _indicator(doc, "SEC-07")["unit"] = "arrests made"
    store.save_framework(parse_framework(doc), effective_from="2024/25-Q1", actor="pytest")
    xlsx = write_pirs(store, M, tmp_path / "pirs.xlsx", fmt="xlsx")
    wb = load_workbook(xlsx)
    assert len(wb.sheetnames) == 32 and wb.sheetnames[0] == "SEC-01"
    rows = {r[0]: r[1] for r in wb["SEC-07"].iter_rows(values_only=True) if r[0]}
    assert rows["Data collection method"] == "Counted from the national police's arrest registers."
    changes = rows["Changes to the indicator"].split("\n")
    assert changes[0].endswith("indicator defined")
    assert any("2024/25-Q1" in c and "Data collection method changed from “UNPOL extracts" in c for c in changes)
    assert any("Unit of measure changed from “arrests” to “arrests made”" in c for c in changes)
    assert rows["Changes to the indicator"].count("changed") == 2
    assert "changed" not in {r[0]: r[1] for r in wb["SEC-01"].iter_rows(values_only=True) if r[0]}[
        "Changes to the indicator"]
    word = write_pirs(store, M, tmp_path / "pirs.docx", fmt="docx", indicator="SEC-07", language="fr")
    d = docx.Document(word)
    assert len(d.tables) == 1
    labels = [r.cells[0].text for r in d.tables[0].rows]
    assert labels[:3] == [t("pirs_outcome", "fr"), t("pirs_level", "fr"), t("pirs_definition", "fr")]
    text = "\n".join([p.text for p in d.paragraphs] + [c.text for r in d.tables[0].rows for c in r.cells])
    assert "Fiche de référence de l'indicateur" in text and "CONTENU SYNTHÉTIQUE" in text
    assert "trimestrielle" in text and "Méthode de collecte modifié" in text
    for english in ("Rationale", "Frequency", "Changes to the indicator", "quarterly", "not given", "Synthetic"):
        assert english not in text
    assert not re.search(r"\bnan\b|\bNone\b", text)


def test_cli_pirs_and_its_errors(store, monkeypatch, tmp_path, capsys):
    store.save_framework(demo_framework(), effective_from="2021/22-Q1", actor="pytest")
    monkeypatch.setenv("CPAS_DB_URL", store.url)
    assert main(["framework", "pirs", "--mission", M, "--indicator", "WPS-01", "--format", "docx",
                 "-o", str(tmp_path / "w.docx")]) == 0
    assert len(docx.Document(tmp_path / "w.docx").tables) == 1
    assert main(["framework", "pirs", "--mission", M, "--indicator", "NOPE", "--format", "xlsx",
                 "-o", str(tmp_path / "x.xlsx")]) == 1
    assert "indicator 'NOPE' is not in the UN-DEMO results framework" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()
    assert main(["framework", "pirs", "--mission", "XX", "--format", "xlsx", "-o", str(tmp_path / "y.xlsx")]) == 1
