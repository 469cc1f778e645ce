"""Importing indicator data from a data-entry workbook (``cpas template``) or a CSV: check everything, then write once.

The whole file is read and checked before anything is written. Every problem is listed with its sheet,
row, column and a sentence on how to fix it; when there is any, nothing is written and a copy of the
file with the bad cells highlighted is saved next to it as ``<name>.errors.xlsx``. A clean file is
written in one transaction (with its name and SHA-256 kept in the ``imports`` table), so importing the
same file twice changes nothing and a corrected value replaces the old one (which stays in the audit log).

Checks: required columns; known mission, indicator, period and disaggregation cell; number or text as
the indicator needs; value within the indicator's range; no cell twice; no period that has not started;
and, for count indicators, a total equal to the sum of a complete set of its parts within
:data:`TOLERANCE_RULE`.
"""

from __future__ import annotations

import math
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors
from pandera.typing import Series
from sqlalchemy import and_, select

from cpas_kit.core.error_workbook import SheetLayout, Upload, errors_path, is_tabular, write_error_workbook
from cpas_kit.core.errors import NotFoundError, PeriodError
from cpas_kit.core.import_report import ImportProblem, ImportRejected, ImportResult, file_sha256
from cpas_kit.core.limits import CellBudget, csv_rows
from cpas_kit.core.periods import Period, is_period
from cpas_kit.core.text import control_problem, plain_text
from cpas_kit.data_in.approval import locked_cells
from cpas_kit.data_in.entry_workbook import META_SHEET, value_bounds
from cpas_kit.data_in.parts import TOLERANCE_ABS, TOLERANCE_REL, parts_over_total
from cpas_kit.data_in.schemas import cell_key
from cpas_kit.data_in.store import ObservationStore
from cpas_kit.framework.model import Framework
from cpas_kit.store.audit import record_import
from cpas_kit.store.engine import read
from cpas_kit.store.schema import observations

REQUIRED = ("mission_code", "indicator_code", "period")
OPTIONAL = ("disaggregation", "value", "value_text", "source", "note")
FIELDS = REQUIRED + OPTIONAL
TOLERANCE_RULE = ("a total may differ from the sum of a complete set of its parts by at most 0.5, or 0.5 % of "
                  "the total when that is larger")
_MAX_HEADER_SCAN = 12
MAX_VALUE = 1e15  # the data-entry workbook's own bound for an indicator without a range


# -- reading -----------------------------------------------------------------------------------

def read_upload(path: str | Path) -> Upload:
    """Read a ``.xlsx`` data-entry workbook or a ``.csv`` file (structure problems are collected, not raised)."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"there is no file {path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".txt"):
        return _read_csv(path)
    up = Upload(path, "csv", _empty_frame())
    up.problems.append(ImportProblem(message=f"'{path.name}' is neither an Excel workbook (.xlsx) nor a CSV file "
                                             "(.csv); save the data in one of those formats"))
    return up


def _empty_frame() -> pd.DataFrame:
    return pd.DataFrame(columns=["sheet", "row", *FIELDS])


def _field_name(v: Any) -> str:
    return str(v).strip().lower() if v is not None else ""


def _read_csv(path: Path) -> Upload:
    up = Upload(path, "csv", _empty_frame())
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        up.problems.append(ImportProblem(message=f"the file is not UTF-8 text (byte {exc.start} cannot be read); "
                                                 "in Excel use 'Save as → CSV UTF-8'"))
        return up
    rows = _csv_lines(text, up)
    if not rows or not any(c.strip() for c in rows[0]):
        up.problems.append(ImportProblem(row=1, message="the file is empty or its first line (the header) is blank; "
                                                        "the first line must name the columns, e.g. "
                                                        + ",".join(FIELDS)))
        return up
    header = [_field_name(c) for c in rows[0]]
    columns = _columns(up, None, header, 1)
    up.layouts[None] = SheetLayout(None, columns, 1)
    _missing_columns(up, None, columns, 1)
    records = []
    for i, raw in enumerate(rows[1:], start=2):
        if raw is None:
            continue  # reported by _csv_lines
        if not any(c.strip() for c in raw):
            continue
        if len(raw) != len(header):
            up.problems.append(ImportProblem(row=i, message=f"this line has {len(raw)} fields but the header has "
                                                            f"{len(header)}; check for a stray comma or a missing "
                                                            "quote around text that contains a comma"))
            continue
        records.append({"sheet": None, "row": i, **{f: raw[j - 1] for f, j in columns.items()}})
    up.frame = pd.DataFrame.from_records(records, columns=["sheet", "row", *FIELDS])
    return up


def _read_xlsx(path: Path) -> Upload:
    from cpas_kit.core.xlsx import open_workbook, sheet_rows  # openpyxl is imported only when a workbook is read

    up = Upload(path, "xlsx", _empty_frame())
    try:
        wb = open_workbook(path)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        up.problems.append(ImportProblem(message=f"'{path.name}' cannot be opened as an Excel workbook ({exc}); "
                                                 "save it again from Excel as .xlsx"))
        return up
    records: list[dict[str, Any]] = []
    budget = CellBudget(path.name)
    try:
        for ws in wb.worksheets:
            if ws.title == META_SHEET:
                continue
            layout = None
            for i, values in enumerate(sheet_rows(ws, budget), start=1):
                if layout is None:
                    names = [_field_name(v) for v in values]
                    if "indicator_code" in names and "period" in names:
                        layout = SheetLayout(ws.title, _columns(up, ws.title, names, i), i)
                        up.layouts[ws.title] = layout
                        _missing_columns(up, ws.title, layout.columns, i)
                    elif i >= _MAX_HEADER_SCAN:
                        break
                    continue
                if not any(v is not None and str(v).strip() for v in values):
                    continue
                rec = {"sheet": ws.title, "row": i}
                for f, j in layout.columns.items():
                    rec[f] = plain_text(values[j - 1]) if j - 1 < len(values) else None
                records.append(rec)
    finally:
        wb.close()
    if not up.layouts:
        up.problems.append(ImportProblem(message="no sheet has a header row naming the columns indicator_code and "
                                                 "period; use a workbook made by `cpas template` or put the column "
                                                 "names " + ", ".join(FIELDS) + " in the first row"))
    up.frame = pd.DataFrame.from_records(records, columns=["sheet", "row", *FIELDS])
    return up


def _csv_lines(text: str, up: Upload) -> list[list[str] | None]:
    """Every line of a CSV text as its fields; a line the csv module refuses is a problem and ``None``."""
    out: list[list[str] | None] = []
    for i, (fields, why) in enumerate(csv_rows(text), start=1):
        if why:
            up.problems.append(ImportProblem(row=i, message=why))
        out.append(fields)
    return out


def _columns(up: Upload, sheet: str | None, names: list[str], row: int) -> dict[str, int]:
    """Field → 1-based column; a field named twice is a problem (which of the two is meant is unknown)."""
    columns: dict[str, int] = {}
    for j, name in enumerate(names, start=1):
        if name not in FIELDS:
            continue
        if name in columns:
            up.problems.append(ImportProblem(sheet=sheet, row=row, column=name,
                                             message=f"the column '{name}' appears twice (columns {columns[name]} "
                                                     f"and {j}); keep one and delete or rename the other"))
            continue
        columns[name] = j
    return columns


def _missing_columns(up: Upload, sheet: str | None, columns: dict[str, int], row: int) -> None:
    for name in REQUIRED:
        if name not in columns:
            up.problems.append(ImportProblem(sheet=sheet, row=row, column=name,
                                             message=f"the column '{name}' is missing; add it (the columns are "
                                                     + ", ".join(FIELDS) + ")"))
    if "value" not in columns and "value_text" not in columns:
        up.problems.append(ImportProblem(sheet=sheet, row=row, column="value",
                                         message="there is neither a 'value' nor a 'value_text' column; add 'value' "
                                                 "for numbers and 'value_text' for qualitative assessments"))


# -- checking ----------------------------------------------------------------------------------

class UploadRows(pa.DataFrameModel):
    """Rows of an indicator-data file after typing, before the framework checks."""

    sheet: Series[str] = pa.Field(nullable=True)
    row: Series[int]
    mission_code: Series[str] = pa.Field(str_length={"min_value": 1})
    indicator_code: Series[str] = pa.Field(str_length={"min_value": 1})
    period: Series[str]
    disaggregation: Series[str]
    value: Series[float] = pa.Field(nullable=True)
    value_text: Series[str] = pa.Field(nullable=True)

    @pa.check("period", name="is_period")
    def _period(cls, s: Series[str]) -> Series[bool]:
        return s.map(is_period).astype(bool)

    @pa.check("value", name="is_finite")
    def _finite(cls, s: Series[float]) -> Series[bool]:
        return s.isna() | s.map(lambda v: math.isfinite(v)).astype(bool)

    class Config:
        strict = False


_PANDERA_MESSAGES = {
    ("mission_code", "str_length"): "the mission code is empty; write the mission's code, e.g. UN-DEMO",
    ("indicator_code", "str_length"): "the indicator code is empty; write the indicator's code, e.g. SEC-01",
    ("period", "is_period"): "{value} is not a reporting period; write it like 2023/24-Q2 (UN fiscal year "
                             "July–June, quarter 1–4)",
    ("value", "is_finite"): "the value is not a finite number",
}


def _text(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _number(v: Any) -> tuple[float | None, bool]:
    """(number, ok): blank → (None, True); unreadable → (None, False)."""
    if v is None or isinstance(v, bool):
        return None, v is None
    if isinstance(v, (int, float)):
        return (None, True) if isinstance(v, float) and math.isnan(v) else (float(v), True)
    if isinstance(v, (datetime, date)):
        return None, False
    s = str(v).strip().replace("\u00a0", "").replace(" ", "")
    if not s:
        return None, True
    try:
        x = float(s)
    except ValueError:
        return None, False
    return (x, True) if math.isfinite(x) and abs(x) <= MAX_VALUE else (None, False)


def _huge(raw: Any) -> bool:
    try:
        return not (abs(float(str(raw).strip())) <= MAX_VALUE)
    except ValueError:
        return False


class _Checker:
    """Runs every check over an upload and collects the problems."""

    def __init__(self, upload: Upload, store: Any, today: date):
        self.up, self.store, self.today = upload, store, today
        self.problems: list[ImportProblem] = list(upload.problems)
        self._missions: list[str] | None = None
        self._fw: dict[tuple[str, str], Framework | None] = {}
        self._periods: dict[str, Period | None] = {}
        self._indicators: dict[int, dict[str, Any]] = {}
        self._categories: dict[tuple[int, str], list[str]] = {}
        self._first: dict[str, Period | None] = {}

    def add(self, row: pd.Series | dict, column: str | None, message: str) -> None:
        sheet = row["sheet"] if isinstance(row["sheet"], str) else None
        self.problems.append(ImportProblem(sheet=sheet, row=int(row["row"]), column=column, message=message,
                                           cell=self._cell_ref(sheet, column, int(row["row"]))))

    def _cell_ref(self, sheet: str | None, column: str | None, row: int) -> str | None:
        from openpyxl.utils import get_column_letter

        layout = self.up.layouts.get(sheet)
        if self.up.kind != "xlsx" or layout is None or column not in layout.columns:
            return None
        return f"{get_column_letter(layout.columns[column])}{row}"

    # typed frame -----------------------------------------------------------------------------
    def typed(self) -> pd.DataFrame:
        f = self.up.frame
        out = pd.DataFrame({"sheet": f["sheet"].astype(object), "row": f["row"].astype(int)})
        for c in ("mission_code", "indicator_code", "period", "disaggregation", "value_text", "source", "note"):
            out[c] = f[c].map(_text) if c in f else ""
        out["disaggregation"] = out["disaggregation"].str.replace(" ", "", regex=False)
        self._controls(out)
        numbers = f["value"].map(_number) if "value" in f else pd.Series([(None, True)] * len(f), index=f.index)
        out["value"] = pd.to_numeric(numbers.map(lambda x: x[0]), errors="coerce").astype("float64")
        unreadable = ~numbers.map(lambda x: x[1]).astype(bool)
        out["value_unreadable"] = unreadable.to_numpy()
        for idx in numbers.index[unreadable]:
            raw = f.at[idx, "value"]
            hint = " (use a point for decimals, e.g. 12.5, and no thousands separator)" if "," in str(raw) else \
                f" (a value is a finite number of at most {MAX_VALUE:g} either way)" if _huge(raw) else ""
            self.add(out.loc[idx], "value", f"'{raw}' is not a number{hint}; write a number or leave it empty")
        blank = out["value"].isna() & (out["value_text"] == "") & ~out["value_unreadable"]
        self.up.blank_rows = int(blank.sum())
        return out[~blank].reset_index(drop=True)

    def _controls(self, out: pd.DataFrame) -> None:
        """A control character (a NUL byte, an escape) in any text is a problem: it never enters the store."""
        for c in ("mission_code", "indicator_code", "period", "disaggregation", "value_text", "source", "note"):
            for idx, why in out[c].map(control_problem).items():
                if isinstance(why, str):
                    self.add(out.loc[idx], c, why)
                    out.at[idx, c] = ""

    def schema(self, frame: pd.DataFrame) -> None:
        try:
            UploadRows.validate(frame.assign(sheet=frame["sheet"].where(frame["sheet"].notna(), None),
                                             value_text=frame["value_text"].replace("", None)), lazy=True)
        except SchemaErrors as exc:
            for case in exc.failure_cases.itertuples(index=False):
                key = (case.column, str(case.check).split("(")[0])
                msg = _PANDERA_MESSAGES.get(key, f"{case.check} failed for '{case.failure_case}'")
                shown = f"'{case.failure_case}'" if str(case.failure_case).strip() else "an empty cell"
                if case.index is None or pd.isna(case.index):
                    self.problems.append(ImportProblem(column=case.column, message=msg.format(value=shown)))
                else:
                    self.add(frame.loc[int(case.index)], case.column, msg.format(value=shown))

    # framework ---------------------------------------------------------------------------------
    def period(self, text: str) -> Period | None:
        if text not in self._periods:
            try:
                self._periods[text] = Period.parse(text)
            except PeriodError:
                self._periods[text] = None
        return self._periods[text]

    def framework(self, mission: str, period: str) -> Framework | None:
        if (mission, period) not in self._fw:
            if self._missions is None:
                self._missions = self.store.mission_codes()
            self._fw[(mission, period)] = self.store.framework(mission, period) if mission in self._missions else None
        return self._fw[(mission, period)]

    def first_framework(self, mission: str) -> Period | None:
        """Where the mission's first framework version takes effect."""
        if mission not in self._first:
            versions = self.store.framework_versions(mission)
            starts = [Period.parse(v) for v in versions["effective_from"]] if len(versions) else []
            self._first[mission] = min(starts, key=lambda p: p.start) if starts else None
        return self._first[mission]

    def indicators(self, fw: Framework) -> dict[str, Any]:
        if id(fw) not in self._indicators:
            self._indicators[id(fw)] = {i.code: i for _, _, i in fw.indicators()}
        return self._indicators[id(fw)]

    def categories(self, fw: Framework, dim: str) -> list[str]:
        if (id(fw), dim) not in self._categories:
            self._categories[(id(fw), dim)] = fw.categories(dim)
        return self._categories[(id(fw), dim)]

    def rows(self, frame: pd.DataFrame) -> list[dict[str, Any]]:
        """Framework checks per row; returns the rows that are fit to write, with their cell parsed."""
        good: list[dict[str, Any]] = []
        for rec in frame.to_dict("records"):
            ok = True
            mission, code, ptext = rec["mission_code"], rec["indicator_code"], rec["period"]
            per = self.period(ptext) if ptext else None
            if not mission or not code or per is None:
                continue  # already reported by the schema check
            fw = self.framework(mission, str(per))
            if fw is None:
                known = ", ".join(self._missions or []) or "none yet"
                self.add(rec, "mission_code", f"mission '{mission}' is not in the store (missions in the store: "
                                              f"{known}); check the code or load the mission's framework first")
                continue
            if per.kind != fw.mission.cycle_kind:
                self.add(rec, "period", f"{mission} reports by {fw.mission.cycle_kind}, but '{ptext}' is a "
                                        f"{per.kind}; write the {fw.mission.cycle_kind} it belongs to, e.g. "
                                        f"{_example(per, fw.mission.cycle_kind)}")
                ok = False
            first = self.first_framework(mission)
            if first is not None and per.end < first.start:
                self.add(rec, "period", f"{per} ends before {mission}'s first results framework takes effect "
                                        f"({first}); data for it has no framework to be read against — load the "
                                        "framework in force then, or check the period")
                ok = False
            if per.start > self.today:
                self.add(rec, "period", f"the period {per} has not started yet (it starts on {per.start:%Y-%m-%d}); "
                                        "data can only be entered for periods that have begun")
                ok = False
            ind = self.indicators(fw).get(code)
            if ind is None:
                self.add(rec, "indicator_code", f"indicator '{code}' is not in the {mission} results framework in "
                                                f"force for {per}; check the code (e.g. SEC-01) against the framework")
                continue
            cell, cell_ok = self._cell(rec, fw, ind)
            ok = ok and cell_ok
            if ind.kind == "qualitative":
                if not math.isnan(rec["value"]):
                    self.add(rec, "value", f"{code} is qualitative: write the assessment as text in the 'value_text' "
                                           "column and leave 'value' empty")
                    ok = False
            elif rec["value_unreadable"]:
                ok = False  # reported when the file was read
            else:
                if math.isnan(rec["value"]):
                    self.add(rec, "value", f"{code} is measured in {ind.unit}: write a number in 'value' (text alone "
                                           "is not enough; put remarks in 'note')")
                    ok = False
                else:
                    lo, hi = value_bounds(ind)
                    if (lo is not None and rec["value"] < lo) or (hi is not None and rec["value"] > hi):
                        self.add(rec, "value", f"{rec['value']:g} is outside the range allowed for {code} "
                                               f"({_range(lo, hi)} {ind.unit}); correct the value")
                        ok = False
            if ok:
                good.append({**rec, "period": str(per), "disaggregation": cell, "_fw": fw, "_ind": ind})
        return good

    def _cell(self, rec: dict[str, Any], fw: Framework, ind: Any) -> tuple[str, bool]:
        raw = rec["disaggregation"]
        if raw in ("", "total", "Total"):
            return "", True
        parts: dict[str, str] = {}
        for item in raw.split(";"):
            if "=" not in item:
                self.add(rec, "disaggregation", f"'{raw}' is not a disaggregation cell; write dimension=category "
                                                "pairs joined by ';', e.g. sex=female or admin1=CF-BGF;sex=female, "
                                                "or leave it empty for the total")
                return raw, False
            dim, cat = item.split("=", 1)
            if dim in parts:
                self.add(rec, "disaggregation", f"the dimension '{dim}' appears twice in '{raw}'; keep one")
                return raw, False
            parts[dim] = cat
        for dim, cat in parts.items():
            if dim not in ind.disaggregations:
                allowed = ", ".join(ind.disaggregations) or "none (report the total only)"
                self.add(rec, "disaggregation", f"{ind.code} is not disaggregated by '{dim}' (its dimensions: "
                                                f"{allowed})")
                return raw, False
            cats = self.categories(fw, dim)
            if cat not in cats:
                shown = ", ".join(cats[:20]) + (" …" if len(cats) > 20 else "")
                self.add(rec, "disaggregation", f"'{cat}' is not a category of '{dim}'; use one of {shown}")
                return raw, False
        return cell_key(parts), True

    def duplicates(self, good: list[dict[str, Any]]) -> list[dict[str, Any]]:
        first: dict[tuple, dict[str, Any]] = {}
        dup_keys = set()
        for rec in good:
            key = (rec["mission_code"], rec["indicator_code"], rec["period"], rec["disaggregation"])
            if key in first:
                f = first[key]
                where = f"row {f['row']}" + (f" of sheet '{f['sheet']}'" if isinstance(f["sheet"], str) else "")
                self.add(rec, "indicator_code", f"{rec['indicator_code']} {rec['period']} "
                                                f"{rec['disaggregation'] or 'total'} is already given on {where}; "
                                                "keep only one row per cell")
                dup_keys.add(key)
            else:
                first[key] = rec
        return [r for r in good
                if (r["mission_code"], r["indicator_code"], r["period"], r["disaggregation"]) not in dup_keys]

    def locks(self, good: list[dict[str, Any]]) -> None:
        """Rows that would change values of a section whose data for the cycle is approved (locked)."""
        o = observations
        with read(self.store.engine) as conn:
            hits = dict(locked_cells(conn, {(r["mission_code"], r["indicator_code"], r["period"]) for r in good}))
            stored = {}
            for m, i, p in hits:
                for row in conn.execute(select(o.c.disaggregation, o.c.value, o.c.value_text, o.c.source, o.c.note)
                                        .where(and_(o.c.mission_code == m, o.c.indicator_code == i,
                                                    o.c.period == p))):
                    stored[(m, i, p, row[0])] = tuple(row[1:])
        for r in good:
            key = (r["mission_code"], r["indicator_code"], r["period"])
            if key not in hits:
                continue
            old = stored.get((*key, r["disaggregation"]))
            new = (r["value"], r["value_text"], r["source"], r["note"])
            if old is None or not _same_content(old, new):
                self.add(r, "value", hits[key].row_message())

    def totals(self, good: list[dict[str, Any]]) -> None:
        by_cell = {(r["mission_code"], r["indicator_code"], r["period"], r["disaggregation"]): r for r in good}
        groups: dict[tuple, list[dict[str, Any]]] = {}
        for r in good:
            if not r["disaggregation"] or not r["_ind"].additive:
                continue
            parts = dict(item.split("=", 1) for item in r["disaggregation"].split(";"))
            for dim in parts:
                parent = cell_key({d: c for d, c in parts.items() if d != dim})
                groups.setdefault((r["mission_code"], r["indicator_code"], r["period"], parent, dim), []).append(r)
        for (mission, code, period, parent_key, dim), children in groups.items():
            parent = by_cell.get((mission, code, period, parent_key))
            fw = children[0]["_fw"]
            if parent is None or len(children) != len(self.categories(fw, dim)):
                continue
            total, parts_sum = parent["value"], sum(c["value"] for c in children)
            if abs(total - parts_sum) > max(TOLERANCE_ABS, TOLERANCE_REL * abs(total)):
                rows = sorted(c["row"] for c in children)
                self.add(parent, "value", f"{code} {period} {parent_key or 'total'} is {total:g} but its "
                                          f"{len(children)} '{fw.dimension(dim).name}' parts (rows {rows[0]}–"
                                          f"{rows[-1]}) add up to {parts_sum:g}; correct the total or the parts "
                                          f"({TOLERANCE_RULE})")


    def parts_within_total(self, good: list[dict[str, Any]]) -> None:
        """No set of parts may add up to more than its total (in the file or already in the store)."""
        def stored(mission: str, code: str, periods: list[str]) -> pd.DataFrame:
            return ObservationStore(self.store).observations(mission, indicators=[code], periods=periods)

        for row, sentence in parts_over_total(good, stored, lambda fw, dim: fw.dimension(dim).name,
                                              lambda fw, dim: len(self.categories(fw, dim))):
            self.add(row, "value", sentence)


def _same_content(old: tuple, new: tuple) -> bool:
    """Stored (value, value_text, source, note) against an upload row's: equal, missing equal to missing."""
    def norm(v: Any) -> Any:
        if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
            return None
        return float(v) if isinstance(v, (int, float)) else v
    a, b = [norm(v) for v in old], [norm(v) for v in new]
    return all(math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12) if isinstance(x, float) and isinstance(y, float)
               else x == y for x, y in zip(a, b))


def _range(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"{lo:g} to {hi:g}"
    return f"at least {lo:g}" if lo is not None else f"at most {hi:g}"


def _example(per: Period, kind: str) -> str:
    return str(per.to_quarter() if kind == "quarter" else per.to_year() if kind == "year" else per.months()[0])


def check_upload(upload: Upload, store: Any, *, today: date | None = None) -> tuple[pd.DataFrame, list[ImportProblem]]:
    """Every problem of ``upload`` and the rows to write (empty when there is any problem)."""
    checker = _Checker(upload, store, today or date.today())
    if upload.problems and not len(upload.frame):
        return pd.DataFrame(columns=list(FIELDS)), checker.problems
    frame = checker.typed()
    checker.schema(frame)
    good = checker.duplicates(checker.rows(frame))
    checker.totals(good)
    checker.locks(good)
    checker.parts_within_total(good)
    problems = sorted(checker.problems, key=lambda p: (p.sheet or "", p.row or 0, p.column or ""))
    rows = pd.DataFrame([{k: v for k, v in r.items() if not k.startswith("_") and k != "value_unreadable"}
                         for r in good],
                        columns=["sheet", "row", *FIELDS])
    for c in ("value_text", "source", "note"):
        rows[c] = rows[c].replace("", None)
    return rows, problems


# -- importing ---------------------------------------------------------------------------------

def import_observations(store: Any, path: str | Path, *, actor: str, today: date | None = None,
                        write_error_file: bool = True) -> ImportResult:
    """Validate ``path`` completely, then write it in one transaction; raise :class:`ImportRejected` on any problem."""
    path = Path(path)
    upload = read_upload(path)
    result = ImportResult(kind="observations", file=str(path), sha256=file_sha256(path))
    rows, problems = check_upload(upload, store, today=today)
    result.rows_read = len(upload.frame) - upload.blank_rows
    missions = sorted(set(rows["mission_code"])) if len(rows) else []
    result.mission = missions[0] if len(missions) == 1 else None
    if upload.blank_rows:
        result.warnings.append(f"{upload.blank_rows} row(s) without a value were skipped (nothing to import)")
    if problems:
        result.errors = problems
        if write_error_file and is_tabular(upload):  # never a README.errors.xlsx beside a file of another kind
            out = write_error_workbook(upload, problems, errors_path(path))
            result.warnings.append(f"the rows with problems are highlighted in {out}")
        raise ImportRejected(result)

    def _provenance(conn, counts: dict[str, int]) -> None:
        result.rows_imported = counts["inserted"] + counts["updated"]
        result.rows_unchanged = counts["unchanged"]
        record_import(conn, result, actor=actor, at=datetime.now(timezone.utc))

    ObservationStore(store).write_observations(rows[list(FIELDS)], actor=actor,
                                               note=f"import of {path.name} (sha256 {result.sha256[:12]})",
                             provenance=_provenance)
    return result
