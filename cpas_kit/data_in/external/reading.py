"""Reading downloaded CSV files and checking them whole, vectorized: every problem is collected, none stops the
check, and nothing loops over rows in Python on the happy path.

Rows are numbered the way a spreadsheet shows the file (the header is row 1 unless a format says otherwise), so
a problem's ``row`` is where the user finds the bad cell. A check that fails on many rows lists the first
:data:`MAX_PER_CHECK` and adds one line counting the rest.
"""

from __future__ import annotations

import csv
import warnings
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from cpas_kit.core.errors import CpasError
from cpas_kit.core.import_report import ImportProblem

MAX_PER_CHECK = 50
NA_TOKENS = ["", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "None"]
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y", "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ")
DATE_HELP = "write dates as 2023-05-14 (or 14 May 2023)"
MAX_INTEGER = 2**53  # the largest whole number a float holds exactly (no int64 overflow)


class FileProblems(CpasError):
    """A file failed its checks; ``problems`` lists every problem and ``rows_read`` the data rows seen."""

    def __init__(self, problems: list[ImportProblem], rows_read: int = 0):
        self.problems = problems
        self.rows_read = rows_read
        super().__init__(f"{len(problems)} problem(s) in the file")


class Problems:
    """Every problem found in one file (listed in file order when raised)."""

    def __init__(self):
        self.items: list[ImportProblem] = []

    def __bool__(self) -> bool:
        return bool(self.items)

    def add(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        """Record one problem."""
        self.items.append(ImportProblem(row=row, column=column, message=message))

    def add_rows(self, bad: np.ndarray | pd.Series, rows: np.ndarray, column: str | None,
                 message: str | Callable[[int], str]) -> int:
        """Record the rows where ``bad`` is True (at most :data:`MAX_PER_CHECK` listed, all counted).

        ``rows`` holds each row's number as the user sees it; ``message`` is a sentence, or a function of the
        row's position giving one (called for listed rows only). Returns how many rows were bad.
        """
        where = np.flatnonzero(np.asarray(bad, dtype=bool))
        for pos in where[:MAX_PER_CHECK]:
            text = message(int(pos)) if callable(message) else message
            self.add(text, row=int(rows[pos]), column=column)
        if len(where) > MAX_PER_CHECK:
            rest = len(where) - MAX_PER_CHECK
            text = message(int(where[MAX_PER_CHECK])) if callable(message) else message
            self.add(f"{rest} more row(s) have the same kind of problem (from row {int(rows[where[MAX_PER_CHECK]])} "
                     f"on), e.g.: {text}", column=column)
        return len(where)

    def raise_if_any(self, rows_read: int) -> None:
        """Raise :class:`FileProblems` when anything was found, listing problems in file order."""
        if self.items:
            ordered = sorted(self.items, key=lambda p: (p.row is None, p.row or 0))
            raise FileProblems(ordered, rows_read)


NOT_UTF8 = "The file is not UTF-8 text: open it in a spreadsheet and save it again as 'CSV UTF-8'."


def first_record(path: Path, problems: Problems, what: str) -> list[str]:
    """The cells of a file's first line (BOM removed, spaces stripped); an empty or non-UTF-8 file is rejected
    at once with its sentence (``what`` names the download, e.g. "the ACLED export")."""
    with open(path, "rb") as fh:
        line = fh.readline()
    try:
        text = line.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.add(NOT_UTF8)
        problems.raise_if_any(0)
    cells = [c.strip() for c in next(csv.reader([text]), [])]
    if not cells:
        problems.add(f"The file is empty: download {what} again.")
        problems.raise_if_any(0)
    return cells


def read_csv_checked(path: Path, problems: Problems, *, text_columns: Iterable[str] = (),
                     number_columns: Iterable[str] = (), id_columns: Iterable[str] = (),
                     **kwargs) -> pd.DataFrame | None:
    """``pandas.read_csv`` of a UTF-8 file (BOM or not) with file-level problems turned into sentences.

    Text columns come back as categoricals (a million events share a few thousand places and actors; missing
    = NaN, "NA" stays a name), identifier columns as Python strings, number columns parsed by pandas where
    clean (otherwise left as text for :func:`to_numbers` to point at the bad cells). Fully blank lines are
    kept out of the data but still counted in row numbers.
    """
    text_columns, number_columns, id_columns = list(text_columns), list(number_columns), list(id_columns)
    na = ({c: [""] for c in text_columns + id_columns} | {c: NA_TOKENS for c in number_columns}
          if text_columns or number_columns or id_columns else [""])
    dtypes = kwargs.pop("dtype", None) or ({c: "category" for c in text_columns} | {c: object for c in id_columns})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)
            frame = pd.read_csv(path, encoding="utf-8-sig", dtype=dtypes, keep_default_na=False, na_values=na,
                                skip_blank_lines=False, **kwargs)
    except UnicodeDecodeError:
        problems.add(NOT_UTF8)
        return None
    except pd.errors.EmptyDataError:
        problems.add("The file is empty: download it again.")
        return None
    except pd.errors.ParserError as exc:
        problems.add(f"The file is not a well-formed CSV table ({str(exc).strip()}): download it again, or check "
                     "that no cell contains an unclosed quote.")
        return None
    if _cut_short(path):
        problems.add("The file ends in the middle of a row (its last line is incomplete): it was cut short while "
                     "downloading or copying; download it again.")
        return None
    blank = frame.isna().all(axis=1).to_numpy()
    if blank.any():
        frame = frame.loc[~blank]
    return frame


def _cut_short(path: Path) -> bool:
    """True when the file does not end with a line break and its last line has fewer fields than its first."""
    with open(path, "rb") as fh:
        first = fh.readline(1 << 20).decode("utf-8-sig", errors="replace")
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 65536))
        tail = fh.read()
    if not tail or tail.endswith((b"\n", b"\r")):
        return False
    last = tail.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")
    try:
        fields = next(csv.reader([last]), [])
        n_columns = len(next(csv.reader([first.rstrip("\r\n")]), []))
    except csv.Error:
        return True
    return len(fields) < n_columns


def distinct(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each row's code (-1 where missing) and the distinct values, so work is done once per distinct value."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), values.cat.categories.to_numpy(dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def spread(codes: np.ndarray, per_value: np.ndarray, missing: object = None) -> np.ndarray:
    """Per-row values from per-distinct-value ones (``missing`` where the code is -1)."""
    return np.append(per_value, np.array([missing], dtype=per_value.dtype))[codes]


def missing_columns(columns: Iterable[str], required: Iterable[str], problems: Problems, *, what: str,
                    header_row: int = 1) -> bool:
    """Record each required column absent from the header; True when all are there."""
    have = set(columns)
    missing = [c for c in required if c not in have]
    for c in missing:
        problems.add(f"The column '{c}' is missing: export the {what} again with all columns, or add this column "
                     "to the header.", row=header_row, column=c)
    return not missing


def to_numbers(values: pd.Series, rows: np.ndarray, problems: Problems, column: str, *, integer: bool = False,
               minimum: float | None = None, maximum: float | None = None, required: bool = False,
               what: str = "a number") -> pd.Series:
    """``values`` as float64 (NaN where empty); non-numbers, non-integers and out-of-range values are problems."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        nums = values.astype("float64")
        bad_text = np.zeros(len(values), dtype=bool)
    else:
        raw = values.astype(object)
        nums = pd.to_numeric(raw, errors="coerce").astype("float64")
        bad_text = (nums.isna() & raw.notna()).to_numpy()
    problems.add_rows(bad_text, rows, column,
                      lambda i: f"'{values.iloc[i]}' is not {what}: write {what} (digits only).")
    arr = nums.to_numpy()
    if required:
        problems.add_rows(np.isnan(arr) & ~bad_text, rows, column, f"This cell is empty: write {what}.")
    with np.errstate(invalid="ignore"):  # inf, -inf, 1e400: never a value (checked before any cast to integers)
        infinite = np.isinf(arr)
        huge = integer & ~np.isnan(arr) & ~infinite & (np.abs(arr) > MAX_INTEGER)
    problems.add_rows(infinite | huge, rows, column,
                      lambda i: f"'{values.iloc[i]}' is not {what}: write a finite number"
                                + (f" (at most {MAX_INTEGER:,})." if integer else "."))
    nums = nums.mask(infinite | huge)
    arr = nums.to_numpy()
    with np.errstate(invalid="ignore"):
        if integer:
            problems.add_rows(~np.isnan(arr) & (np.floor(arr) != arr), rows, column,
                              lambda i: f"'{values.iloc[i]}' is not a whole number: write {what} without decimals.")
        if minimum is not None or maximum is not None:
            lo = -np.inf if minimum is None else minimum
            hi = np.inf if maximum is None else maximum
            problems.add_rows(~np.isnan(arr) & ((arr < lo) | (arr > hi)), rows, column,
                              lambda i: f"{values.iloc[i]} is out of range: {what} must lie between "
                                        f"{_num(lo)} and {_num(hi)}.")
    return nums


def _num(x: float) -> str:
    return "any" if np.isinf(x) else f"{x:g}"


def to_dates(values: pd.Series, rows: np.ndarray, problems: Problems, column: str, *, required: bool = True,
             formats: tuple[str, ...] = DATE_FORMATS, allow_future: bool = False) -> pd.Series:
    """Parse dates (ISO, or ACLED's "14 May 2023") once per distinct value; unparseable ones are problems."""
    codes, uniques = distinct(values)
    text = pd.Series(uniques, dtype=object).astype(str).str.strip()
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    for fmt in formats:
        todo = parsed.isna()
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
    out = spread(codes, parsed.to_numpy(), np.datetime64("NaT"))
    have = codes >= 0
    bad = spread(codes, parsed.isna().to_numpy(), False)
    problems.add_rows(bad, rows, column, lambda i: f"'{values.iloc[i]}' is not a date: {DATE_HELP}.")
    if required:
        problems.add_rows(~have, rows, column, f"The date is missing: {DATE_HELP}.")
    if not allow_future:
        today = np.datetime64(date.today(), "ns")
        with np.errstate(invalid="ignore"):
            future = ~np.isnat(out) & (out > today)
        problems.add_rows(future, rows, column,
                          lambda i: f"'{values.iloc[i]}' is in the future: an event or a measure is dated when it "
                                    "happened; check the date (day, month and year).")
        out = np.where(future, np.datetime64("NaT"), out)
    return pd.Series(out, index=values.index, name=values.name)


def check_unique(values: pd.Series, rows: np.ndarray, problems: Problems, column: str, *, what: str) -> None:
    """Empty or repeated identifiers are problems (each repeat names the row of its first occurrence)."""
    missing = values.isna().to_numpy()
    problems.add_rows(missing, rows, column, f"The {what} is empty: every row needs its own {what}.")
    dup = values.duplicated(keep="first").to_numpy() & ~missing
    if dup.any():
        first_row = pd.Series(rows, index=values.index).groupby(values.to_numpy()).transform("first").to_numpy()
        problems.add_rows(dup, rows, column,
                          lambda i: f"The {what} '{values.iloc[i]}' appears twice (first at row {first_row[i]}): "
                                    f"each event must appear once; remove the repeated row.")


def check_coordinates(lat: pd.Series, lon: pd.Series, rows: np.ndarray, problems: Problems, *,
                      columns: tuple[str, str] = ("latitude", "longitude")) -> tuple[pd.Series, pd.Series]:
    """Latitude within ±90 and longitude within ±180 (empty is allowed); both as float64."""
    lat_n = to_numbers(lat, rows, problems, columns[0], minimum=-90, maximum=90, what="a latitude in degrees")
    lon_n = to_numbers(lon, rows, problems, columns[1], minimum=-180, maximum=180, what="a longitude in degrees")
    return lat_n, lon_n


def text_or_none(values: pd.Series) -> pd.Series:
    """Text stripped of surrounding spaces, as a categorical; empty becomes missing. Works per distinct value."""
    codes, uniques = distinct(values)
    clean = pd.Series(uniques, dtype=object).astype(str).str.strip()
    clean = clean.where(clean != "", None)
    clean_codes, categories = pd.factorize(clean, use_na_sentinel=True)
    return pd.Series(pd.Categorical.from_codes(spread(codes, clean_codes, -1), categories=categories),
                     index=values.index, name=values.name)


def empty_text(index: pd.Index) -> pd.Series:
    """A text column with no values (for optional columns a file does not have)."""
    return pd.Series(pd.Categorical.from_codes(np.full(len(index), -1), categories=pd.Index([], dtype=object)),
                     index=index)


def identifiers(values: pd.Series) -> pd.Series:
    """Identifiers as ``str`` (surrounding spaces removed; empty becomes missing)."""
    ids = values.astype("str").str.strip()
    return ids.where(ids != "")
