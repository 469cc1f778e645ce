"""A part larger than its total is refused at import and data entry, with row and column (issue 15 item 10); an
error workbook is written only beside a workbook or CSV table (item 15)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cpas_kit.cli.main import main
from cpas_kit.core.import_report import ImportRejected
from cpas_kit.data_in.observations import errors_path, import_observations
from cpas_kit.data_in.store import ObservationStore
from cpas_kit.demo import MISSION

STORE_CONTENT = "demo"  # the shared ``store`` fixture (tests/conftest.py)
STORE_BACKENDS = ("sqlite",)
NEW = "2024/25-Q1"  # no values yet in the demo
COLUMNS = ["mission_code", "indicator_code", "period", "disaggregation", "value", "value_text", "source", "note"]


def _csv(path: Path, rows: list[tuple[str, str, object]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for code, cell, value in rows:
            w.writerow([MISSION, code, NEW, cell, value, "", "UNPOL monthly report", ""])
    return path


def _count(store) -> int:
    return len(ObservationStore(store).observations(MISSION, periods=[NEW]))


def test_one_prefecture_with_more_arrests_than_the_national_total_is_refused(store, tmp_path):
    path = _csv(tmp_path / "arrests.csv", [("SEC-07", "", 60), ("SEC-07", "admin1=CF-BGF", 5000),
                                           ("SEC-07", "admin1=CF-OP", 12)])
    before = _count(store)
    with pytest.raises(ImportRejected) as err:
        import_observations(store, path, actor="t")
    problems = err.value.result.errors
    assert [(p.row, p.column) for p in problems] == [(3, "value"), (4, "value")]  # both parts of the 60 are named
    assert "5,000" in problems[0].message and "60" in problems[0].message and "never exceed" in problems[0].message
    assert _count(store) == before, "nothing written"


def test_a_part_is_checked_against_a_total_already_in_the_store_and_the_other_way_round(store, tmp_path):
    ok = _csv(tmp_path / "total.csv", [("SEC-07", "", 60), ("SEC-07", "admin1=CF-OP", 12)])
    assert import_observations(store, ok, actor="t").rows_imported == 2
    part = _csv(tmp_path / "part.csv", [("SEC-07", "admin1=CF-BGF", 5000)])
    with pytest.raises(ImportRejected) as err:
        import_observations(store, part, actor="t")
    (problem,) = err.value.result.errors
    assert (problem.row, problem.column) == (2, "value") and "already in the store" in problem.message
    smaller_total = _csv(tmp_path / "total2.csv", [("SEC-07", "", 5)])  # stored part 12 > new total 5
    with pytest.raises(ImportRejected) as err:
        import_observations(store, smaller_total, actor="t")
    (problem,) = err.value.result.errors
    assert (problem.row, problem.column) == (2, "value") and "in the store" in problem.message
    fine = _csv(tmp_path / "fine.csv", [("SEC-07", "admin1=CF-BGF", 40)])  # 12 + 40 <= 60: incomplete parts are fine
    assert import_observations(store, fine, actor="t").rows_imported == 1


def test_sex_parts_of_one_area_are_checked_against_that_area(store, tmp_path):
    path = _csv(tmp_path / "persons.csv", [("SEC-09", "admin1=CF-OP", 10),
                                           ("SEC-09", "admin1=CF-OP;sex=female", 25)])
    with pytest.raises(ImportRejected) as err:
        import_observations(store, path, actor="t")
    assert [(p.row, p.column) for p in err.value.result.errors] == [(3, "value")]
    assert "admin1=CF-OP" in err.value.result.errors[0].message


def test_no_error_workbook_beside_a_file_that_is_not_a_table(store, tmp_path, capsys):
    folder = tmp_path / "project"
    folder.mkdir()
    readme = folder / "README.md"
    readme.write_text("# Notes\n\nNot data.\n", encoding="utf-8")
    assert main(["import", "observations", str(readme)]) == 1
    assert "neither an Excel workbook" in capsys.readouterr().err
    assert not errors_path(readme).exists() and sorted(p.name for p in folder.iterdir()) == ["README.md"]
    notes = tmp_path / "notes.txt"
    notes.write_text("just a line of text\n", encoding="utf-8")
    assert main(["import", "observations", str(notes)]) == 1
    assert not errors_path(notes).exists()
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    assert main(["import", "observations", str(broken)]) == 1
    assert not errors_path(broken).exists()
    table = _csv(tmp_path / "bad.csv", [("SEC-07", "", "x")])  # a real table with a bad cell: the copy is written
    assert main(["import", "observations", str(table)]) == 1
    assert errors_path(table).exists()
