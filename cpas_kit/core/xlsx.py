"""The one spreadsheet writer and reader entrance: every workbook the workbench writes or reads passes here.

``save_workbook`` neutralises every text cell a spreadsheet could run as a formula — text starting with
``= + - @``, their full-width forms ``＝ ＋ － ＠``, a tab or a line break, and any formula cell — the way
OWASP advises: a leading apostrophe, stored as a text cell with Excel's "quote prefix" (so editing the cell
keeps it text). ``plain_text`` takes the apostrophe off again when the workbench reads its own workbooks
back. It also removes characters a workbook cannot hold, and writes the file atomically (a temporary file in
the same folder renamed into place). ``open_workbook`` checks a workbook's size before
reading it (see :mod:`cpas_kit.core.limits`).
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from cpas_kit.core.limits import CellBudget, check_xlsx
from cpas_kit.core.text import formula_like, neutral_text, plain_text

__all__ = ["cell_text", "formula_like", "neutral_text", "open_workbook", "plain_text", "save_workbook",
           "sheet_rows", "text_cell"]

def cell_text(value: Any) -> Any:
    """``value`` with the characters a workbook cannot hold (NUL and other controls) shown as U+FFFD."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value) if isinstance(value, str) else value


def text_cell(cell: Any, value: Any) -> Any:
    """Put ``value`` in ``cell``; text is always a text cell (never a formula), neutralised. Returns the cell."""
    if isinstance(value, str):
        value = neutral_text(ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith("'"):
            cell.quotePrefix = True
    return cell


def neutralise_workbook(wb: Workbook) -> int:
    """Turn every formula and formula-like text of ``wb`` into plain text; return how many cells changed."""
    changed = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell, MergedCell):
                    continue
                v = cell.value
                if isinstance(v, (ArrayFormula, DataTableFormula)):
                    v = getattr(v, "text", None) or str(v)
                if cell.data_type == "f" or formula_like(v):
                    text_cell(cell, str(v))
                    changed += 1
    return changed


def save_workbook(wb: Workbook, path: "str | Path") -> Path:
    """Neutralise ``wb`` and write it to ``path`` atomically (a temporary file in the same folder, renamed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    neutralise_workbook(wb)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            wb.save(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def open_workbook(path: "str | Path", *, read_only: bool = True) -> Workbook:
    """A workbook to read (values, not formulas), refused first when its parts are too large.

    Raises :class:`cpas_kit.core.limits.InputTooLarge` (a ``CpasError``) for an oversized file and the
    usual ``zipfile.BadZipFile``/``KeyError``/``OSError``/``ValueError`` for a damaged one.
    """
    check_xlsx(path)
    if not zipfile.is_zipfile(path):
        raise zipfile.BadZipFile("it is not an Excel .xlsx file")
    return load_workbook(path, read_only=read_only, data_only=True)


def sheet_rows(ws: Any, budget: CellBudget) -> Iterator[tuple[Any, ...]]:
    """``ws.iter_rows(values_only=True)``, counting the cells read against ``budget``."""
    for values in ws.iter_rows(values_only=True):
        budget.take(len(values) or 1)
        yield values
