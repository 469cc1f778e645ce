"""``cpas report check`` and ``cpas report draft`` from the command line: the JSON interface, outputs, errors."""

from __future__ import annotations

import json
import re

import openpyxl

from cpas_kit.cli.main import main
from cpas_kit.council.store import CouncilStore
from tests.council.reports import write_scanned_pdf

STORE_CONTENT = "demo"
STORE_BACKENDS = ("sqlite",)


def test_draft_then_check_json_outputs_and_record(store, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("CPAS_DB_URL", store.url)
    monkeypatch.setenv("CPAS_OUTPUTS", str(tmp_path / "outputs"))
    draft = tmp_path / "projet.docx"
    assert main(["report", "draft", "--mission", "UN-DEMO", "--cycle", "2023/24-Q3", "--language", "fr",
                 "-o", str(draft)]) == 0
    assert "SYNTHETIC DATA" in capsys.readouterr().out
    assert main(["report", "check", str(draft), "--mission", "UN-DEMO", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out)[:8] == ["paragraphs", "operative", "informed", "could_be_informed", "contradicts",
                             "share_informed", "share_informed_operative", "findings"]
    assert out["share_informed"] == 1.0 and out["contradicts"] == 0 and out["informed"] == out["paragraphs"] > 5
    first = out["findings"][0]
    assert {"paragraph", "class", "figure", "text", "indicator_code", "period", "stored_value", "source"} <= set(first)
    folder = tmp_path / "outputs" / "UN-DEMO" / "2023-24-Q3"
    html = (folder / "report_check.html").read_text(encoding="utf-8")
    assert "DONNÉES SYNTHÉTIQUES" in html and "étayé par des données" in html and "<script" not in html
    assert not re.search(r"\bnan\b|None|http", html)
    wb = openpyxl.load_workbook(folder / "report_check.xlsx")
    assert wb.sheetnames == ["Synthèse", "Paragraphes", "Constats"]
    assert wb["Constats"].max_row - 1 == len(out["findings"])
    trend = CouncilStore(store).report_checks(["UN-DEMO"])
    assert len(trend) == 1 and trend.iloc[0]["share_informed"] == 1.0 and trend.iloc[0]["language"] == "fr"


def test_check_text_summary_names_contradictions(store, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("CPAS_DB_URL", store.url)
    report = tmp_path / "r.txt"
    report.write_text("1. During the reporting period, conflict-related civilian deaths rose to 999.\n", "utf-8")
    assert main(["report", "check", str(report), "--mission", "UN-DEMO", "--cycle", "2023/24-Q3", "-o",
                 str(tmp_path / "o"), "--no-record"]) == 0
    text = capsys.readouterr().out
    assert "1 contradict the data" in text and "paragraph 1: states 999" in text and "SEC-01" in text
    assert CouncilStore(store).report_checks(["UN-DEMO"]).empty


def test_errors_are_one_sentence(store, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("CPAS_DB_URL", store.url)
    scan = write_scanned_pdf(tmp_path / "scan.pdf")
    assert main(["report", "check", str(scan), "--mission", "UN-DEMO", "-o", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "no text layer" in err and "Traceback" not in err and not (tmp_path / "o").exists()
    assert main(["report", "check", str(tmp_path / "missing.docx"), "--mission", "UN-DEMO"]) == 1
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "r.txt").write_text("1. Text.\n", "utf-8")
    assert main(["report", "check", str(tmp_path / "r.txt"), "--mission", "NOPE"]) == 1
    assert "NOPE" in capsys.readouterr().err
