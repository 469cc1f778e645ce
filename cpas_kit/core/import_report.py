"""What every file import reports: rows read, imported, unchanged, unmatched, and every problem found.

All importers (indicator data, ACLED, UCDP, World Bank, HXL, trackers) return an :class:`ImportResult`
and, when a file is rejected, raise :class:`ImportRejected` carrying it, so the CLI prints one report
and ``--json`` prints one object of the same shape for every kind of file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cpas_kit.core.errors import CpasError

MAX_LISTED = 200


class ImportProblem(BaseModel):
    """One problem in a file: where it is (sheet, row as the user sees it, column) and how to fix it."""

    model_config = ConfigDict(frozen=True)

    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    message: str
    cell: str | None = None  # spreadsheet reference such as "J17", where the file is a workbook

    def __str__(self) -> str:
        where = ", ".join(x for x in (
            f"sheet '{self.sheet}'" if self.sheet else "",
            f"row {self.row}" if self.row is not None else "",
            f"column '{self.column}'" if self.column else "",
            f"cell {self.cell}" if self.cell else "",
        ) if x)
        return f"{where}: {self.message}" if where else self.message


class ImportResult(BaseModel):
    """Summary of one import (what ``--json`` prints)."""

    kind: str
    file: str
    sha256: str = ""
    mission: str | None = None
    rows_read: int = 0
    rows_imported: int = 0
    rows_unchanged: int = 0
    rows_unmatched: int = 0
    errors: list[ImportProblem] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)  # how the file was read: layout, encoding, folding, rules
    matches: list[dict[str, Any]] = Field(default_factory=list)  # admin-1 names matched other than exactly

    @property
    def ok(self) -> bool:
        """True when the file was accepted."""
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape: the counts and ``errors`` first, then provenance and warnings."""
        return {
            "rows_read": self.rows_read, "rows_imported": self.rows_imported,
            "rows_unchanged": self.rows_unchanged, "rows_unmatched": self.rows_unmatched,
            "errors": [p.model_dump(exclude_none=False) for p in self.errors],
            "warnings": list(self.warnings), "kind": self.kind, "file": self.file, "sha256": self.sha256,
            "mission": self.mission, "matches": list(self.matches), "notes": list(self.notes),
        }

    def summary_line(self) -> str:
        """One sentence for the terminal."""
        unmatched = f", {self.rows_unmatched} not matched to an admin-1 area" if self.rows_unmatched else ""
        return (f"{Path(self.file).name}: {self.rows_read} rows read, {self.rows_imported} imported, "
                f"{self.rows_unchanged} unchanged{unmatched}.")


class ImportRejected(CpasError):
    """A file was rejected; ``result.errors`` lists every problem and nothing was written."""

    def __init__(self, result: ImportResult):
        self.result = result
        n = len(result.errors)
        listing = "\n".join(f"  - {p}" for p in result.errors[:MAX_LISTED])
        more = f"\n  … and {n - MAX_LISTED} more" if n > MAX_LISTED else ""
        super().__init__(f"{Path(result.file).name} was rejected: {n} problem(s), nothing was written.\n"
                         f"{listing}{more}")


def report_rejected(exc: ImportRejected, *, as_json: bool) -> int:
    """Print a rejected file's report the way every ``cpas import``-like command does; return exit status 1.

    With ``--json`` the whole report goes to stdout; otherwise the problems and notes go to stderr.
    """
    import json
    import sys

    if as_json:
        print(json.dumps(exc.result.to_json(), ensure_ascii=False, indent=2))
    else:
        from cpas_kit.core.text import safe_text  # problems quote the file's own text: no terminal escapes

        print(f"cpas: {safe_text(exc, multiline=True)}", file=sys.stderr)
        for w in [*exc.result.notes, *exc.result.warnings]:
            print(f"  note: {safe_text(w)}", file=sys.stderr)
    return 1


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (the provenance of every import)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
