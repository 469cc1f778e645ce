"""Hostile and unlucky files (issue 14, items 5, 6 and 7): each is a listed problem with row and column, never a
crash, never a row in the store; small files that would eat the machine are refused before they are read whole."""

from __future__ import annotations

import csv
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from cpas_kit.core import limits
from cpas_kit.core.import_report import ImportRejected
from cpas_kit.core.limits import InputTooLarge, load_yaml
from cpas_kit.data_in.external import import_acled
from cpas_kit.data_in.observations import import_observations, read_upload
from cpas_kit.demo import MISSION, demo_framework
from cpas_kit.framework.model import load_framework
from tests.paths import EXTERNAL_FIXTURES

STORE_CONTENT = "framework"
STORE_BACKENDS = ("sqlite",)
PERIOD = "2023/24-Q4"
COLUMNS = ["mission_code", "indicator_code", "period", "disaggregation", "value", "value_text", "source", "note"]


def _quantitative():
    return next(i for _, _, i in demo_framework().indicators() if i.kind == "quantitative")


def write_csv(path: Path, rows: list[list[str]], header: list[str] = COLUMNS) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _rejected(store, path) -> list:
    before = store.table_counts()
    with pytest.raises(ImportRejected) as exc:
        import_observations(store, path, actor="t")
    assert store.table_counts() == before, "nothing is written"
    return exc.value.result.errors


# -- item 5: small files that eat the machine ---------------------------------------------------------

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi"))


def test_a_yaml_alias_bomb_is_refused_in_a_moment(tmp_path):
    assert len(BOMB) < 400
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB)
    started = time.perf_counter()
    with pytest.raises(InputTooLarge, match="alias"):
        load_framework(path)
    assert time.perf_counter() - started < 5
    assert load_yaml("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}, "a few aliases are fine"


def test_a_workbook_whose_parts_expand_too_far_is_refused_before_reading(store, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_XLSX_PART_BYTES", 2_000_000)
    path = tmp_path / "bomb.xlsx"
    wb = Workbook()
    wb.active.append(COLUMNS)
    wb.save(path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/padding.xml", "<x>" + "A" * 3_000_000 + "</x>")
    assert path.stat().st_size < 100_000
    with pytest.raises(InputTooLarge, match="expands to"):
        read_upload(path)



def test_a_workbook_with_too_many_cells_is_refused(store, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_XLSX_CELLS", 500)
    path = tmp_path / "wide.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    for i in range(200):
        ws.append([MISSION, "X", PERIOD, "", i, "", "", ""])
    wb.save(path)
    with pytest.raises(InputTooLarge, match="more than 500 cells"):
        read_upload(path)


# -- item 6: inputs that crashed -------------------------------------------------------------------------

def test_a_csv_field_over_the_csv_limit_is_a_listed_problem(store, tmp_path):
    ind = _quantitative()
    path = write_csv(tmp_path / "long.csv", [[MISSION, ind.code, PERIOD, "", "1", "", "src", "x" * 200_000],
                                             [MISSION, ind.code, "2023/24-Q3", "", "1", "", "src", ""]])
    errors = _rejected(store, path)
    assert any(p.row == 2 and "longer than 131,072" in p.message for p in errors), [str(p) for p in errors]


def test_a_nul_byte_or_an_escape_never_enters_the_store(store, tmp_path):
    ind = _quantitative()
    path = write_csv(tmp_path / "nul.csv", [[MISSION, ind.code, PERIOD, "", "1", "", "src", "bad\x00note"],
                                            [MISSION, ind.code, "2023/24-Q3", "", "1", "", "sr\x1b[2Jc", ""]])
    errors = _rejected(store, path)
    assert {(p.row, p.column) for p in errors if "control character" in p.message or "NUL" in p.message} == \
        {(2, "note"), (3, "source")}


@pytest.mark.parametrize("value", ["1e20", "inf", "-inf", "1e400", "nan"])
def test_huge_or_infinite_values_are_problems(store, tmp_path, value):
    ind = _quantitative()
    path = write_csv(tmp_path / "big.csv", [[MISSION, ind.code, PERIOD, "", value, "", "src", ""]])
    errors = _rejected(store, path)
    assert [(p.row, p.column) for p in errors] == [(2, "value")], [str(p) for p in errors]


def test_merged_cells_in_a_rejected_workbook_still_get_their_error_workbook(store, tmp_path):
    path = tmp_path / "merged.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    ws.append([MISSION, "NOPE", PERIOD, "", "abc", "", "", ""])
    ws.append([MISSION, "NOPE", PERIOD, "", "abc", "", "", ""])
    ws.merge_cells("A2:A3")
    ws.merge_cells("E2:E3")
    wb.save(path)
    errors = _rejected(store, path)
    assert errors
    assert (tmp_path / "merged.errors.xlsx").is_file()


# -- item 7: impossible values -----------------------------------------------------------------------

def test_two_value_columns_are_a_problem_not_a_silent_choice(store, tmp_path):
    ind = _quantitative()
    path = write_csv(tmp_path / "two.csv", [[MISSION, ind.code, PERIOD, "", "1", "2", "", "src", ""]],
                     header=["mission_code", "indicator_code", "period", "disaggregation", "value", "value",
                             "value_text", "source", "note"])
    errors = _rejected(store, path)
    assert any(p.column == "value" and "appears twice" in p.message for p in errors)


def test_an_observation_before_the_first_framework_is_refused(store, tmp_path):
    ind = _quantitative()
    path = write_csv(tmp_path / "early.csv", [[MISSION, ind.code, "2019/20-Q4", "", "1", "", "src", ""]])
    errors = _rejected(store, path)
    assert [(p.row, p.column) for p in errors] == [(2, "period")]
    assert "first results framework" in errors[0].message


def _acled_with(tmp_path, column: str, value: str) -> Path:
    src = EXTERNAL_FIXTURES / "acled_caf.csv"
    with open(src, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[0][column] = value
    out = tmp_path / "acled.csv"
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return out


@pytest.mark.parametrize("column, value", [("fatalities", "1e20"), ("fatalities", "inf"),
                                           ("event_date", "2031-05-14")])
def test_acled_deaths_beyond_any_count_and_future_dates_are_listed(store, tmp_path, column, value):
    path = _acled_with(tmp_path, column, value)
    before = store.table_counts()
    with pytest.raises(ImportRejected) as exc:
        import_acled(store, path, MISSION, actor="t")
    errors = exc.value.result.errors
    assert [(p.row, p.column) for p in errors] == [(2, column)], [str(p) for p in errors]
    assert store.table_counts() == before


def test_a_truncated_csv_is_refused(store, tmp_path):
    """A download cut in the middle of one of the mission's own rows rejects the file (a cut row of another
    country is only reported: tests/data_in/test_real_files.py)."""
    lines = (EXTERNAL_FIXTURES / "acled_caf.csv").read_bytes().rstrip(b"\r\n").split(b"\n")
    own = next(i for i, line in enumerate(lines[1:], 1) if b"Central African Republic" in line)
    lines.append(lines.pop(own))  # one of the mission's rows comes last
    src = b"\n".join(lines)
    cut = src[: src.rfind(b",", 0, len(src) - 5)]  # the last line stops in the middle
    path = tmp_path / "cut.csv"
    path.write_bytes(cut)
    before = store.table_counts()
    with pytest.raises(ImportRejected) as exc:
        import_acled(store, path, MISSION, actor="t")
    assert any(p.row == len(lines) for p in exc.value.result.errors), [str(p) for p in exc.value.result.errors]
    assert store.table_counts() == before


@pytest.mark.parametrize("value", ["inf", "1e400", "-inf"])
def test_world_bank_infinite_values_are_listed_not_stored(store, tmp_path, value):
    from cpas_kit.data_in.external import import_worldbank

    src = EXTERNAL_FIXTURES / "API_NY.GDP.PCAP.CD_DS2_en_csv_v2_1887433_missions.csv"
    lines = src.read_text(encoding="utf-8-sig").splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith('"Central African Republic"'))
    header = next(csv.reader([next(line for line in lines if line.startswith('"Country Name"'))]))
    cells = next(csv.reader([lines[i]]))
    cells[header.index("2023")] = value
    lines[i] = ",".join(f'"{c}"' for c in cells)
    path = tmp_path / src.name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = store.table_counts()
    with pytest.raises(ImportRejected) as exc:
        import_worldbank(store, path, MISSION, actor="t")
    assert [p.column for p in exc.value.result.errors] == ["2023"], [str(p) for p in exc.value.result.errors]
    assert store.table_counts() == before


def test_hxl_future_dates_are_listed(store, tmp_path):
    from cpas_kit.data_in.external import import_hxl

    text = (EXTERNAL_FIXTURES / "hxl_caf_needs.csv").read_text(encoding="utf-8")
    path = tmp_path / "hxl.csv"
    path.write_text(text.replace("2023-08-15", "2031-08-15", 1), encoding="utf-8")
    with pytest.raises(ImportRejected) as exc:
        import_hxl(store, path, MISSION, actor="t")
    assert [(p.row, p.column) for p in exc.value.result.errors] == [(3, "Date")] or \
        all("future" in p.message for p in exc.value.result.errors)


def test_shared_strings_that_expand_to_gigabytes_are_refused_from_the_zip_directory(store, tmp_path):
    """A ~100 KB workbook whose shared strings would inflate to 60 MB of one string (real limits, no patching)."""
    plain = tmp_path / "plain.xlsx"
    wb = Workbook()
    wb.active.append(COLUMNS)
    wb.save(plain)
    bomb = tmp_path / "strings.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/sharedStrings.xml", '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                     "<si><t>" + "A" * 60_000_000 + "</t></si></sst>")
    assert bomb.stat().st_size < 200_000
    started = time.perf_counter()
    with pytest.raises(InputTooLarge, match="sharedStrings.xml expands to 60,"):
        import_observations(store, bomb, actor="t")
    assert time.perf_counter() - started < 5
