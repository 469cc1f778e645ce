"""Reading downloaded CSV files and checking them whole, vectorized: every problem is collected, none stops the
check, and nothing loops over rows in Python on the happy path.

Rows are numbered the way a spreadsheet shows the file (the header is row 1 unless a format says otherwise), so
a problem's ``row`` is where the user finds the bad cell. A check that fails on many rows lists the first
:data:`MAX_PER_CHECK` and adds one line counting the rest.
"""

from __future__ import annotations

import codecs
import csv
import io
import warnings
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

import charset_normalizer
import numpy as np
import pandas as pd

from cpas_kit.core.errors import CpasError
from cpas_kit.core.import_report import ImportProblem

MAX_PER_CHECK = 50
NA_TOKENS = ["", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "None", "#N/A", "#N/A N/A", "#NA", "-"]
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y", "%d-%b-%y", "%d %b %y", "%B %d, %Y",
                "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ",
                "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S%z", "%Y/%m/%d")
DATE_HELP = "write dates as 2023-05-14 (or 14 May 2023)"
MAX_INTEGER = 2**53  # the largest whole number a float holds exactly (no int64 overflow)
_SLASH_DATE = r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*$"
_SPACES = "\u00a0\u202f\u2007 \t"


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
        self.flagged: set[int] = set()  # every row with a problem (also those beyond MAX_PER_CHECK)

    def __bool__(self) -> bool:
        return bool(self.items)

    def add(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        """Record one problem."""
        self.items.append(ImportProblem(row=row, column=column, message=message))
        if row is not None:
            self.flagged.add(int(row))

    def add_rows(self, bad: np.ndarray | pd.Series, rows: np.ndarray, column: str | None,
                 message: str | Callable[[int], str]) -> int:
        """Record the rows where ``bad`` is True (at most :data:`MAX_PER_CHECK` listed, all counted).

        ``rows`` holds each row's number as the user sees it; ``message`` is a sentence, or a function of the
        row's position giving one (called for listed rows only). Returns how many rows were bad.
        """
        where = np.flatnonzero(np.asarray(bad, dtype=bool))
        self.flagged.update(int(r) for r in np.asarray(rows)[where])
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
ENCODINGS_TRIED = ("cp1252", "latin-1")  # what Excel on Windows writes; latin-1 decodes any byte


class TextFile:
    """A downloaded text file and the encoding it is read in: UTF-8 (with or without BOM) unless its bytes are
    not, then what charset-normalizer detects (Windows-1252 for Excel files), said in ``notes``."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.encoding = "utf-8-sig"
        self.notes: list[str] = []

    def redetect(self) -> bool:
        """Switch to the detected encoding after a UTF-8 failure; False when no encoding reads the file."""
        with open(self.path, "rb") as fh:
            sample = fh.read(4_000_000)
        best = charset_normalizer.from_bytes(sample).best()
        candidates = ([best.encoding] if best is not None and best.encoding not in ("utf_8", "ascii") else [])
        if best is not None and "cp1252" in best.could_be_from_charset:
            candidates = ["cp1252"]  # bytes that read alike in several Windows code pages: Excel's Western one
        for enc in [*candidates, *ENCODINGS_TRIED]:
            if not _decodes(self.path, enc):
                continue
            self.encoding = enc
            name = {"cp1252": "Windows-1252", "latin_1": "Latin-1", "latin-1": "Latin-1"}.get(enc, enc)
            self.notes.append(f"Encoding: the file is {name} text, not UTF-8 (as Excel on Windows saves it); it "
                              f"was read as {name}.")
            return True
        return False


def _decodes(path: Path, encoding: str) -> bool:
    """True when the whole file decodes in ``encoding`` (read in blocks: a big file is never held whole)."""
    try:
        decoder = codecs.getincrementaldecoder(encoding)()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 22), b""):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def canonical(name: object, renames: dict[str, str] | None = None) -> str:
    """A header as compared: stripped (non-breaking spaces too), lower case, spaces as underscores, old names
    mapped through ``renames`` (``ALLY_ACTOR_1`` → ``assoc_actor_1``)."""
    text = "_".join(str(name).strip(_SPACES + "\ufeff").lower().split())
    return (renames or {}).get(text, text)


def first_record(path: Path, problems: Problems, what: str, source: TextFile | None = None) -> list[str]:
    """The cells of a file's first line (BOM removed, spaces stripped); an empty or unreadable file is rejected
    at once with its sentence (``what`` names the download, e.g. "the ACLED export")."""
    with open(path, "rb") as fh:
        line = fh.readline()
    try:
        text = line.decode(source.encoding if source else "utf-8-sig")
    except UnicodeDecodeError:
        if source is None or not source.redetect():
            problems.add(NOT_UTF8)
            problems.raise_if_any(0)
        text = line.decode(source.encoding)
    cells = [c.strip(_SPACES) for c in next(csv.reader([text]), [])]
    if not any(cells):
        problems.add(f"The file is empty: download {what} again.")
        problems.raise_if_any(0)
    return cells


def read_csv_checked(path: Path, problems: Problems, *, text_columns: Iterable[str] = (),
                     number_columns: Iterable[str] = (), id_columns: Iterable[str] = (),
                     source: TextFile | None = None, renames: dict[str, str] | None = None,
                     **kwargs) -> pd.DataFrame | None:
    """``pandas.read_csv`` of a text file (UTF-8, or the encoding detected for ``source``) with file-level
    problems turned into sentences.

    Text columns come back as categoricals (a million events share a few thousand places and actors; missing
    = NaN, "NA" stays a name), identifier columns as Python strings, number columns parsed by pandas where
    clean (otherwise left as text for :func:`to_numbers` to point at the bad cells). Fully blank lines are
    kept out of the data but still counted in row numbers. With ``renames`` (header mode) headers are matched
    through :func:`canonical` and the frame's columns are the canonical names.
    """
    text_columns, number_columns, id_columns = list(text_columns), list(number_columns), list(id_columns)
    na = ({c: [""] for c in text_columns + id_columns} | {c: NA_TOKENS for c in number_columns}
          if text_columns or number_columns or id_columns else [""])
    dtypes = kwargs.pop("dtype", None) or ({c: "category" for c in text_columns} | {c: object for c in id_columns})
    if renames is not None:
        header = first_record(path, problems, "the file", source)
        original = {}
        for h in header:
            original.setdefault(canonical(h, renames), h)
        wanted = set(text_columns + number_columns + id_columns + list(kwargs.pop("usecols", None) or []))
        keep = {o: c for c, o in original.items() if c in wanted}
        kwargs["usecols"] = list(keep)
        na = {o: na[c] for o, c in keep.items() if c in na} if isinstance(na, dict) else na
        dtypes = {o: dtypes[c] for o, c in keep.items() if c in dtypes} if isinstance(dtypes, dict) else dtypes
    frame = _read_csv(path, problems, source, dtypes, na, kwargs)
    if frame is None:
        return None
    if renames is not None:
        frame = frame.rename(columns=keep)
    if _cut_short(path):
        message = ("The file ends in the middle of a row (its last line is incomplete): it was cut short while "
                   "downloading or copying; download it again.")
        if renames is None or frame.empty:
            problems.add(message)
            return None
        # ACLED/UCDP: the cut row is a damaged row; the importer skips it when it is surely another country's
        problems.add(message, row=int(frame.index[-1]) + 2)
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


def _read_csv(path: Path, problems: Problems, source: TextFile | None, dtypes, na, kwargs) -> pd.DataFrame | None:
    for attempt in (1, 2):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", pd.errors.DtypeWarning)
                return pd.read_csv(path, encoding=source.encoding if source else "utf-8-sig", dtype=dtypes,
                                   keep_default_na=False, na_values=na, skip_blank_lines=False, **kwargs)
        except UnicodeDecodeError:
            if attempt == 2 or source is None or source.encoding != "utf-8-sig" or not source.redetect():
                problems.add(NOT_UTF8)
                return None
        except pd.errors.EmptyDataError:
            problems.add("The file is empty: download it again.")
            return None
        except pd.errors.ParserError as exc:
            cut = "EOF inside string" in str(exc)
            frame = _without_cut_last_line(path, source, dtypes, na, kwargs) if cut else None
            if frame is not None:
                return frame
            problems.add(f"The file is not a well-formed CSV table ({str(exc).strip()}): download it again, or "
                         "check that no cell contains an unclosed quote.")
            return None
    return None


def _without_cut_last_line(path: Path, source: TextFile | None, dtypes, na, kwargs) -> pd.DataFrame | None:
    """A download cut in the middle of a quoted cell: the file read without its last line, then that line's
    cells up to the cut as one more row (its missing cells are then reported, or skipped as another country's)."""
    encoding = source.encoding if source else "utf-8-sig"
    data = path.read_bytes()
    cut = data.rstrip(b"\r\n").rfind(b"\n") + 1
    if cut <= 0:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)
            frame = pd.read_csv(io.BytesIO(data[:cut]), encoding=encoding, dtype=dtypes, keep_default_na=False,
                                na_values=na, skip_blank_lines=False, **kwargs)
    except (pd.errors.ParserError, UnicodeDecodeError):
        return None
    header = (kwargs.get("names") if kwargs.get("header", 0) is None else
              next(csv.reader([data.split(b"\n", 1)[0].decode(encoding).strip("\r")])))
    cells = next(csv.reader([data[cut:].decode(encoding, errors="replace")]), [])
    partial = {h: v for h, v in zip(header, cells) if h in frame.columns and v != ""}
    row = pd.DataFrame([partial], index=[len(frame)], columns=frame.columns, dtype=object)
    if source is not None:
        source.notes.append(f"Truncated file: its last line is cut short (a download that stopped); it was read as "
                            f"far as it goes ({len(partial)} of {len(header)} cells).")
    return pd.concat([frame.astype(object), row])  # text cells: every check reads object columns too


def drop_hxl_rows(frame: pd.DataFrame, notes: list[str], *, first_row: int = 2, searched: int = 3) -> pd.DataFrame:
    """Drop rows of HXL hashtags (``#date+start``, ``#adm1+name`` …) that HDX adds under the header, wherever in
    the first rows they are; one note says so."""
    head = frame.head(searched)
    drop = []
    for idx, values in zip(head.index, head.astype(object).itertuples(index=False)):
        cells = [str(v).strip() for v in values if isinstance(v, str) and v.strip()]
        if len(cells) >= 2 and all(c.startswith("#") for c in cells):
            drop.append(idx)
    if drop:
        rows = ", ".join(str(int(i) + first_row) for i in drop)
        notes.append(f"HXL: the row of HXL hashtags (row {rows}, as HDX publishes the file) was skipped.")
        frame = frame.drop(index=drop)
    return frame


def drop_rows(frame: pd.DataFrame, rows: np.ndarray, skip: set[int]) -> tuple[pd.DataFrame, np.ndarray]:
    """The frame and row numbers without the rows numbered in ``skip``."""
    keep = ~np.isin(rows, list(skip))
    return frame.loc[keep], rows[keep]


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
        retry = (nums.isna() & raw.notna()).to_numpy()
        if retry.any():  # stray spaces, non-breaking ones included ('\xa027.56'), and Excel's #N/A
            cleaned = raw[retry].astype(str).str.replace(f"[{_SPACES}]", "", regex=True)
            cleaned = cleaned.where(~cleaned.isin(NA_TOKENS), None)
            nums[retry] = pd.to_numeric(cleaned, errors="coerce").astype("float64").to_numpy()
            raw = raw.copy()
            raw[retry] = cleaned.to_numpy()
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
             formats: tuple[str, ...] = DATE_FORMATS, notes: list[str] | None = None,
             not_after: pd.Timestamp | None = None, allow_future: bool = False) -> pd.Series:
    """Parse dates once per distinct value: ISO, ACLED's "14 May 2023", Excel's "28-Jul-21", and day/month/year
    or month/day/year, decided for the whole column (a first number above 12 means day first, a second number
    above 12 month first; ``notes`` says which was chosen). Unparseable dates, and dates after ``not_after``,
    are problems."""
    codes, uniques = distinct(values)
    text = pd.Series(uniques, dtype=object).astype(str).str.strip(_SPACES)
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    clash, order = _slash_dates(text, parsed, column, notes)
    for fmt in formats:
        todo = parsed.isna()
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
    out = spread(codes, parsed.to_numpy(), np.datetime64("NaT"))
    have = codes >= 0
    bad = spread(codes, (parsed.isna() & ~clash).to_numpy(), False)
    problems.add_rows(bad, rows, column, lambda i: f"'{values.iloc[i]}' is not a date: {DATE_HELP}.")
    problems.add_rows(spread(codes, clash.to_numpy(), False), rows, column,
                      lambda i: f"'{values.iloc[i]}' cannot be {order}/year like the other dates of this column: "
                                f"{DATE_HELP}.")
    if not_after is not None:
        late = ~np.isnat(out) & (out > np.datetime64(not_after))
        problems.add_rows(late, rows, column, lambda i: f"'{values.iloc[i]}' is after today: an event cannot be "
                                                          "dated in the future; check the date.")
    if required:
        problems.add_rows(~have, rows, column, f"The date is missing: {DATE_HELP}.")
    if not_after is None and not allow_future:  # importers that name their own limit report it above
        today = np.datetime64(date.today(), "ns")
        with np.errstate(invalid="ignore"):
            future = ~np.isnat(out) & (out > today)
        problems.add_rows(future, rows, column,
                          lambda i: f"'{values.iloc[i]}' is in the future: an event or a measure is dated when it "
                                    "happened; check the date (day, month and year).")
        out = np.where(future, np.datetime64("NaT"), out)
    return pd.Series(out, index=values.index, name=values.name)


def _slash_dates(text: pd.Series, parsed: pd.Series, column: str,
                 notes: list[str] | None) -> tuple[pd.Series, str]:
    """Parse 7/28/2021 and 28/07/2021 in place, day or month first as the whole column shows; True where a value
    contradicts the column's order, and the order ("day/month")."""
    parts = text.str.extract(_SLASH_DATE)
    slash = parts[0].notna()
    clash = pd.Series(False, index=text.index)
    if not slash.any():
        return clash, ""
    first, second = parts[0][slash].astype(int), parts[1][slash].astype(int)
    votes_day, votes_month = int((first > 12).sum()), int((second > 12).sum())
    day_first = votes_day >= votes_month and votes_day > 0
    if votes_day and votes_month:  # both orders in one column: the minority's values are problems
        wrong = (second > 12) if day_first else (first > 12)
        clash[wrong[wrong].index] = True
    order = ("day", "month") if day_first else ("month", "day")
    year = parts[2][slash].astype(int)
    year = year.where(year >= 100, year + 2000).where((year >= 100) | (year <= 50), year + 1900)
    frame = pd.DataFrame({"year": year, order[0]: first, order[1]: second})
    parsed[slash & ~clash] = pd.to_datetime(frame, errors="coerce")[~clash[slash]].to_numpy()
    if notes is not None:
        settled = ("a first number above 12 settles it" if day_first else
                   "a second number above 12 settles it" if votes_month else
                   "no number above 12 settles it, so the order of Excel's US format was assumed — check a few dates")
        notes.append(f"Dates: '{column}' is written {order[0]}/{order[1]}/year ({settled}).")
    return clash, "/".join(order)


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
