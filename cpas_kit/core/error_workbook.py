"""The error report of a rejected file, as a workbook: a list of problems and the data with bad cells highlighted.

For a workbook the copy keeps the original's sheets and formatting; for a CSV the data is laid out on a
sheet named ``data`` with the same row numbers as the file's lines. Text is always written as text,
so nothing in a report can run as a spreadsheet formula.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from cpas_kit.core.import_report import ImportProblem
from cpas_kit.core.limits import check_xlsx, csv_rows
from cpas_kit.core.xlsx import save_workbook, text_cell


@dataclass
class SheetLayout:
    """Where the fields are on one sheet (1-based column numbers) and the row of field names."""

    name: str | None
    columns: dict[str, int]
    header_row: int


@dataclass
class Upload:
    """A file read into one frame of text/number cells, with where each row came from."""

    path: Path
    kind: str  # "xlsx" or "csv"
    frame: pd.DataFrame  # columns: sheet, row, and every field found
    layouts: dict[str | None, SheetLayout] = field(default_factory=dict)
    problems: list[ImportProblem] = field(default_factory=list)
    blank_rows: int = 0


def errors_path(path: str | Path) -> Path:
    """Where the highlighted copy of a rejected file goes: ``data.xlsx`` → ``data.errors.xlsx``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.errors.xlsx")


def is_tabular(upload: "Upload") -> bool:
    """Whether a highlighted copy of ``upload`` means anything: a workbook or CSV file whose header row was found.

    A file of another kind (``README.md``), a workbook that cannot be opened or a text file without the expected
    header gets its problems listed on screen only: no ``<name>.errors.xlsx`` is written beside it.
    """
    suffix = Path(upload.path).suffix.lower()
    if upload.kind == "xlsx":
        return suffix in (".xlsx", ".xlsm") and bool(upload.layouts)
    return suffix in (".csv", ".txt") and any(layout.columns for layout in upload.layouts.values())


BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
BAD_ROW_FILL = PatternFill("solid", fgColor="FFEB9C")
ERRORS_SHEET = "Errors"
CSV_SHEET = "data"


def _as_text(cell, value) -> None:
    text_cell(cell, value)


def _writable(ws, row: int, col: int):
    """The cell at (row, col), or the top-left cell of the merged range that covers it."""
    cell = ws.cell(row=row, column=col)
    if isinstance(cell, MergedCell):
        for rng in ws.merged_cells.ranges:
            if cell.coordinate in rng:
                return ws.cell(row=rng.min_row, column=rng.min_col)
    return cell


def write_error_workbook(upload: "Upload", problems: list[ImportProblem], out: Path) -> Path:
    """Save the highlighted copy of ``upload`` with an ``Errors`` sheet first; return its path."""
    if upload.kind == "xlsx":
        try:
            check_xlsx(upload.path)
            wb = load_workbook(upload.path)
        except Exception:  # the file could not be read at all: the report is just the list  # noqa: BLE001
            wb = Workbook()
            wb.remove(wb.active)
    else:
        wb = _csv_workbook(upload.path)
    _errors_sheet(wb, problems)
    for p in problems:
        sheet = p.sheet if upload.kind == "xlsx" else CSV_SHEET
        if p.row is None or sheet not in wb.sheetnames:
            continue
        ws = wb[sheet]
        layout = upload.layouts.get(p.sheet)
        col = layout.columns.get(p.column) if layout is not None and p.column else None
        if col is None:
            for c in range(1, (ws.max_column or 1) + 1):
                _writable(ws, p.row, c).fill = BAD_ROW_FILL
            continue
        cell = _writable(ws, p.row, col)
        cell.fill = BAD_FILL
        text = p.message if cell.comment is None else f"{cell.comment.text}\n{p.message}"
        cell.comment = Comment(text[:30000], "CPAS Workbench")
    return save_workbook(wb, out)


def _csv_workbook(path: Path) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = CSV_SHEET
    try:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError:
        return wb
    for i, (row, _) in enumerate(csv_rows(text), start=1):
        for j, value in enumerate(row or [], start=1):
            _as_text(ws.cell(row=i, column=j), value)
    for c in ws[1]:
        c.font = Font(bold=True)
    return wb


def _errors_sheet(wb: Workbook, problems: list[ImportProblem]) -> None:
    ws = wb.create_sheet(ERRORS_SHEET, 0)
    ws.append(["sheet", "row", "column", "cell", "problem and how to fix it"])
    for c in ws[1]:
        c.font = Font(bold=True)
    for r, p in enumerate(problems, start=2):
        for j, v in enumerate([p.sheet or "", p.row, p.column or "", p.cell or "", p.message], start=1):
            _as_text(ws.cell(row=r, column=j), v)
    for j, width in enumerate([14, 8, 16, 8, 110], start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A2"
    wb.active = 0
