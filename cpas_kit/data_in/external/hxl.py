"""Reading an HDX/HXL CSV file into :class:`~cpas_kit.data_in.external.schemas.ContextValuesRead` for one mission.

An HXL file has human headers on row 1 and a row of hashtags with attributes on row 2 (``#adm1+name``,
``#adm1+code``, ``#date``, ``#affected+idps``, ``#inneed+f``, ``#indicator+code`` …; the hashtag row is looked
for in the first rows, so a file without human headers works too). Needed: an admin-1 column (name or code) and
at least one figure column; a date column, or ``period`` for a file that describes one period (an HNO).

**Flows and stocks.** ``#affected+killed``, ``#affected+injured``, ``#event+num``, ``#fatality+num`` and any
figure tagged ``+num`` or ``+new`` are flows: the rows of a period are summed, each row dated by ``#date+start``,
else ``#date+occurred``, else ``#date`` (``#date+year``/``#date+end`` only when nothing better exists).
``#affected`` (``+idps``, ``+returnees`` …), ``#inneed``, ``#targeted``, ``#reached`` and ``#population`` are
stocks: within a period the latest date is kept, summed over that date's rows of the area, never over dates.
The import summary's notes say which rule each figure column followed.

**Levels and disaggregations.** National rows (no admin-1) are left out; an area's admin-1 row is used, else its
admin-2 rows are summed up to it — never both. Rows split by ``#sector``/``#category``/``#gender``/``#age``…
keep only their total rows ("Total", "All", "Intersectoral" or empty) when the file has them; a split without
totals becomes part of the indicator code instead of being added up. Each figure column becomes an indicator
coded ``<indicator>:<tag+attributes>``. Rows of another country are not stored; rows whose area matches none
of the mission's areas are stored under ``"?"`` + their name, so nothing is dropped or mistaken for another.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from cpas_kit.core.errors import CpasError
from cpas_kit.core.import_report import ImportResult
from cpas_kit.core.periods import Period
from cpas_kit.data_in.external.admin1 import match_report, name_key, resolve_admin1
from cpas_kit.data_in.external.countries import Country, is_host
from cpas_kit.data_in.external.reading import (
    DATE_FORMATS,
    NA_TOKENS,
    Problems,
    TextFile,
    check_coordinates,
    read_csv_checked,
    to_dates,
    to_numbers,
)
from cpas_kit.data_in.external.schemas import ContextValuesRead

SOURCE = "hxl"
MEASURES = {"affected": "people affected", "inneed": "people in need", "reached": "people reached",
            "targeted": "people targeted", "population": "population", "value": "value", "event": "events",
            "fatality": "fatalities"}
COUNTS_OF_PEOPLE = {"affected", "inneed", "reached", "targeted", "population"}
FLOW_ATTRIBUTES = {"num", "new", "killed", "injured", "dead", "missing", "abducted"}
DATE_PREFERENCE = (("start",), ("occurred",), (), ("reported",))  # never +year/+end when one of these exists
DISAGGREGATIONS = ("sector", "subsector", "category", "gender", "sex", "age", "group", "population_group")
TOTAL_WORDS = {"total", "all", "intersectoral", "intersector", "tous", "toutes", "ensemble", "overall"}
UNMATCHED_PREFIX = "?"
HASHTAG_ROWS_SEARCHED = 25
HXL_DATE_FORMATS = DATE_FORMATS + ("%Y-%m", "%Y")
_TAG = re.compile(r"^#([a-z][a-z0-9_]*)((?:\+[a-z][a-z0-9_]*)*)$")


class HxlColumn:
    """One hashtagged column: position, tag, attributes (sorted), the human header and the hashtag as written."""

    def __init__(self, position: int, tag: str, attributes: tuple[str, ...], header: str, written: str):
        self.position, self.tag, self.attributes, self.header, self.written = position, tag, attributes, header, written

    @property
    def code(self) -> str:
        """``inneed+f``: the tag and its attributes, as indicator codes use them."""
        return "+".join((self.tag, *self.attributes))

    @property
    def is_flow(self) -> bool:
        """Killed, injured, events, ``+num``, ``+new``: summed over a period; anything else is a stock."""
        return self.tag in ("event", "fatality") or bool(FLOW_ATTRIBUTES & set(self.attributes))

    @property
    def label(self) -> str:
        """The human header if there is one, else the hashtag."""
        return self.header or self.written


def _hashtags(cells: list[str]) -> list[tuple[str, tuple[str, ...]] | None] | None:
    """Parsed hashtags of a row, or None when the row is not a hashtag row."""
    parsed, seen = [], False
    for cell in cells:
        text = re.sub(r"\s+", "", str(cell)).lower() if isinstance(cell, str) else ""
        if not text:
            parsed.append(None)
            continue
        m = _TAG.match(text)
        if m is None:
            return None
        seen = True
        parsed.append((m.group(1), tuple(sorted({a for a in m.group(2).split("+") if a}))))
    return parsed if seen else None


def _find(columns: list[HxlColumn], tag: str, attribute: str | None = None, *, bare: bool = False) -> HxlColumn | None:
    for c in columns:
        if c.tag == tag and ((attribute is not None and attribute in c.attributes) or (bare and not c.attributes)):
            return c
    return None


def _is_figure(col: HxlColumn) -> bool:
    return col.tag in MEASURES and (col.tag not in ("event", "fatality") or bool({"num", "new"} & set(col.attributes)))


def _date_column(columns: list[HxlColumn]) -> HxlColumn | None:
    """The column that dates a row: #date+start, else +occurred, else bare #date, else +reported, else any."""
    dates = [c for c in columns if c.tag == "date"]
    for wanted in DATE_PREFERENCE:
        for c in dates:
            if (wanted and wanted[0] in c.attributes) or (not wanted and not c.attributes):
                return c
    weak = [c for c in dates if not {"year", "end"} & set(c.attributes)]
    return (weak or [c for c in dates if "end" in c.attributes] or dates or [None])[0]


def read_hxl(path: str | Path, *, country: Country, areas: gpd.GeoDataFrame | None, cycle_kind: str,
             period: str | None = None, aliases: dict[str, list[str]] | None = None,
             result: ImportResult | None = None) -> tuple[pd.DataFrame, int, int, list[str]]:
    """Values per area × period (:class:`ContextValuesRead`), data rows read, rows not matched to an area, warnings.

    ``period`` dates a file without a date column (or keeps only that period's rows of a dated one). Notes and
    non-exact area matches go to ``result``. Raises :class:`~cpas_kit.data_in.external.reading.FileProblems`
    listing every problem.
    """
    path = Path(path)
    problems = Problems()
    notes = result.notes if result is not None else []
    source = TextFile(path)
    raw = read_csv_checked(path, problems, header=None, dtype=object, source=source)
    if raw is None:
        problems.raise_if_any(0)
    notes += source.notes
    table = _table(raw, problems, period)
    data, cols, fixed = table["data"], table["columns"], table["period"]
    rows, n = data.index.to_numpy() + 1, len(data)

    def cells(col: HxlColumn | None) -> pd.Series:
        if col is None:
            return pd.Series(np.nan, index=data.index, dtype=object)
        text = data.iloc[:, col.position].astype(object).str.strip(" \u00a0\t")
        return text.where(~text.isin(NA_TOKENS), np.nan)

    if cols["month"] is not None:
        dates = _month_dates(cells(cols["month"]), cells(cols["year"]), rows, problems, cols["month"].label)
    elif cols["date"] is not None:
        dates = to_dates(cells(cols["date"]), rows, problems, cols["date"].label, formats=HXL_DATE_FORMATS,
                         notes=notes)
    else:
        dates = pd.Series(pd.Timestamp(fixed.start), index=data.index)
    figures = {col.code: to_numbers(cells(col).str.replace(",", "", regex=False), rows, problems, col.label,
                                    what="a number", minimum=0 if col.tag in COUNTS_OF_PEOPLE | {"event", "fatality"}
                                    else None) for col in cols["measures"]}
    indicator_code, indicator_name = cells(cols["indicator_code"]), cells(cols["indicator_name"])
    indicator = indicator_code.fillna(indicator_name.map(_slug, na_action="ignore"))
    problems.add_rows(indicator.str.len().gt(80).fillna(False).to_numpy(), rows, "#indicator",
                      "The indicator is longer than 80 characters: use a short code in an #indicator+code column.")
    lat, lon = _coordinates(cols, cells, rows, problems)
    problems.raise_if_any(n)
    _rule_notes(cols, fixed, notes)

    warnings: list[str] = []
    keep = np.array(_host_rows(cols, cells, country, warnings), dtype=bool)
    adm1_names, adm1_codes = cells(cols["adm1_name"]), cells(cols["adm1_code"])
    adm2 = cells(cols["adm2"]).notna().to_numpy()
    national = (adm1_names.isna() & adm1_codes.isna()).to_numpy() & keep
    if national.any():
        notes.append(f"Levels: {int(national.sum())} row(s) without an admin-1 area (national totals) were left out; "
                     "the areas' figures are stored.")
    keep &= ~national
    keep &= _total_rows(cols, cells, notes, indicator)
    if fixed is not None and cols["date"] is not None:
        inside = ((dates >= pd.Timestamp(fixed.start)) & (dates <= pd.Timestamp(fixed.end))).to_numpy()
        notes.append(f"Period: only the {int((inside & keep).sum())} row(s) dated within {fixed} were used (--period).")
        keep &= inside
    names, codes = adm1_names[keep], adm1_codes[keep]
    resolved = resolve_admin1(names, lat[keep], lon[keep], areas, codes=codes, country_iso3=country.iso3,
                              aliases=aliases)
    label = names.fillna(codes)
    matches, sentences = match_report(label, resolved, areas, rows=rows[keep], figure_label="figure rows")
    if result is not None:
        result.matches += matches
    warnings += sentences
    unmatched = int(resolved["admin1_code"].isna().sum())
    area_name = dict(zip(areas["area_code"], areas["area_name"])) if areas is not None else {}
    key = resolved["admin1_code"].fillna(UNMATCHED_PREFIX + label.map(name_key, na_action="ignore").fillna("")
                                         .str.slice(0, 19))
    base = pd.DataFrame({"admin1_code": key, "admin1_name": resolved["admin1_code"].map(area_name).fillna(label),
                         "date": dates[keep], "level": np.where(adm2[keep], 2, 1),
                         "indicator": indicator[keep].fillna(""),
                         "indicator_label": indicator_name[keep].fillna(indicator[keep]).fillna("")})
    long = pd.concat([base.assign(measure=col.code, flow=col.is_flow, value=figures[col.code][keep])
                      for col in cols["measures"]], ignore_index=True)
    long = _one_level(long.dropna(subset=["value"]), notes)
    return _aggregate(long, cycle_kind, fixed), n, unmatched, warnings


def _coordinates(cols: dict, cells, rows: np.ndarray, problems: Problems) -> tuple[pd.Series, pd.Series]:
    """Latitude and longitude (#geo+lat, #geo+lon) where the file has them, else missing."""
    lat_col, lon_col = _find(cols["all"], "geo", "lat"), _find(cols["all"], "geo", "lon")
    if lat_col is not None and lon_col is not None:
        return check_coordinates(cells(lat_col), cells(lon_col), rows, problems, columns=(lat_col.label, lon_col.label))
    empty = pd.Series(np.nan, index=cells(None).index)
    return empty, empty


def _table(raw: pd.DataFrame, problems: Problems, period: str | None) -> dict:
    """The data rows under the hashtag row and the columns that matter, or every problem of the header."""
    hashtag_at = parsed = None
    for i in range(min(HASHTAG_ROWS_SEARCHED, len(raw))):
        parsed = _hashtags(raw.iloc[i].tolist())
        if parsed is not None:
            hashtag_at = raw.index[i]
            break
    if hashtag_at is None:
        problems.add("This is not an HXL file: no row of hashtags (#adm1+name, #date, #inneed …) under the headers. "
                     "Download the HXL-tagged CSV version of the dataset from HDX.")
        problems.raise_if_any(max(len(raw) - 1, 0))
    human = raw.loc[hashtag_at - 1].tolist() if hashtag_at - 1 in raw.index else [None] * len(parsed)
    columns = [HxlColumn(j, t[0], t[1], str(human[j]).strip() if isinstance(human[j], str) else "",
                         str(raw.loc[hashtag_at].iloc[j]).strip())
               for j, t in enumerate(parsed) if t is not None]
    data = raw.loc[raw.index > hashtag_at]
    hashtag_row = int(hashtag_at) + 1
    cols = {"all": columns, "adm1_code": _find(columns, "adm1", "code"),
            "adm1_name": _find(columns, "adm1", "name", bare=True),
            "adm2": _find(columns, "adm2", "name", bare=True) or _find(columns, "adm2", "code"),
            "date": _date_column(columns), "measures": [c for c in columns if _is_figure(c)],
            "indicator_code": _find(columns, "indicator", "code"),
            "indicator_name": _find(columns, "indicator", "name", bare=True)}
    month, year = _find(columns, "date", "month"), _find(columns, "date", "year")
    full = cols["date"] is not None and not {"month", "year"} & set(cols["date"].attributes)
    cols["month"] = month if month is not None and year is not None and not full else None  # HDX monthly tables
    cols["year"] = year
    if cols["month"] is not None:
        cols["date"] = cols["month"]
    fixed = None
    if period is not None:
        try:
            fixed = Period.parse(period)
        except CpasError as exc:
            problems.add(f"--period: {exc}")
    if cols["adm1_code"] is None and cols["adm1_name"] is None:
        problems.add("No admin-1 column: tag the column of admin-1 names #adm1+name (or of codes #adm1+code).",
                     row=hashtag_row)
    if cols["date"] is None and period is None:
        problems.add("No date column: tag the column of dates #date, or say which period the file describes with "
                     "--period (e.g. --period 2023/24 for a yearly HNO).", row=hashtag_row)
    if not cols["measures"]:
        problems.add("No figure column: tag at least one column #affected, #inneed, #reached, #targeted, "
                     "#population, #event+num, #fatality+num or #value.", row=hashtag_row)
    seen: dict[str, HxlColumn] = {}
    for col in cols["measures"]:
        if col.code in seen:
            problems.add(f"The columns '{seen[col.code].label}' and '{col.label}' have the same hashtag "
                         f"#{col.code}: give one of them another attribute (e.g. #{col.code}+total).",
                         row=hashtag_row, column=col.label)
        seen.setdefault(col.code, col)
    if len(data) == 0:
        problems.add("The file has headers but no data rows.")
    problems.raise_if_any(len(data))
    return {"data": data, "columns": cols, "period": fixed}


_MONTHS = {name_key(m): i for names in (calendar.month_name, calendar.month_abbr) for i, m in enumerate(names) if m}
_MONTHS.update({"janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
                "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12})


def _month_dates(month: pd.Series, year: pd.Series, rows: np.ndarray, problems: Problems,
                 column: str) -> pd.Series:
    """The first day of each row's month, from a month (name or number) and a year column (HDX monthly tables)."""
    def number(text: object) -> float:
        key = name_key(str(text))
        return float(_MONTHS.get(key, int(key) if key.isdigit() and 1 <= int(key) <= 12 else np.nan))

    m = month.map(number, na_action="ignore").astype("float64")
    y = pd.to_numeric(year, errors="coerce")
    bad = (m.isna() | y.isna() | (y < 1900) | (y > 2100)).to_numpy()
    problems.add_rows(bad, rows, column, lambda i: f"'{month.iloc[i]} {year.iloc[i]}' is not a month and year: write "
                                                   "the month (January or 1) and the year (2023).")
    text = y.fillna(1900).astype(int).astype(str) + "-" + m.fillna(1).astype(int).astype(str).str.zfill(2) + "-01"
    return pd.Series(pd.to_datetime(text, format="%Y-%m-%d"), index=month.index).where(~bad)


def _rule_notes(cols: dict, fixed: Period | None, notes: list[str]) -> None:
    """One note per figure column saying whether it was summed (flow) or taken at the latest date (stock)."""
    date = cols["date"]
    dated = (f"dated by {date.written}" if date is not None else f"all dated {fixed} (--period; the file has no date)")
    if cols["month"] is not None:
        dated = f"dated by {cols['month'].written} and {cols['year'].written} (the first day of the month)"
    used = {id(date), id(cols["year"]) if cols["month"] is not None else None}
    skipped = [c.written for c in cols["all"] if c.tag == "date" and id(c) not in used]
    if skipped:
        dated += f", not by {', '.join(skipped)}"
    notes.append(f"Dates: rows {dated}.")
    for col in cols["measures"]:
        rule = ("flow — the rows of each period are summed" if col.is_flow else
                "stock — the latest date in each period, summed over that date's rows of the area")
        notes.append(f"Figures: {col.written} ('{col.label}') is a {rule}.")


def _host_rows(cols: dict, cells, country: Country, warnings: list[str]) -> np.ndarray:
    columns = cols["all"]
    country_code, country_name = _find(columns, "country", "code"), _find(columns, "country", "name", bare=True)
    n = len(cells(None))
    host = np.ones(n, dtype=bool)
    if country_code is not None:
        codes = cells(country_code).str.upper()
        host = (codes.isna() | codes.eq(country.iso3)).to_numpy()
    elif country_name is not None:
        names = cells(country_name)
        host = names.isna().to_numpy() | is_host(country, names.fillna(""), None, None)
    if not host.all():
        warnings.append(f"{int((~host).sum())} row(s) are about other countries than {country.names[0]} and were not "
                        "stored.")
    return host


def _total_rows(cols: dict, cells, notes: list[str], indicator: pd.Series) -> np.ndarray:
    """Rows to keep across disaggregation columns: the totals where the file has them; a split without totals
    goes into the indicator code (``indicator`` is changed in place) rather than being added up."""
    keep = np.ones(len(indicator), dtype=bool)
    for col in cols["all"]:
        if col.tag not in DISAGGREGATIONS or _is_figure(col):
            continue
        values = cells(col)
        total = (values.isna() | values.map(lambda v: name_key(v) in TOTAL_WORDS, na_action="ignore")
                 .fillna(False).astype(bool)).to_numpy()
        if total.all():
            continue
        if total.any():
            keep &= total
            notes.append(f"Disaggregations: {int((~total).sum())} row(s) broken down by {col.written} were left out; "
                         "the file's total rows were used (never both).")
        else:
            slug = values.map(_slug, na_action="ignore").fillna("")
            indicator.loc[:] = (indicator.fillna("") + ":" + slug).str.strip(":").str.slice(0, 80).to_numpy()
            notes.append(f"Disaggregations: the file has no total over {col.written}; each value became its own "
                         "indicator instead of being added up.")
    return keep


def _one_level(long: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Admin-1 rows where an area has them for a figure and date, else its admin-2 rows (summed later)."""
    cell = ["admin1_code", "indicator", "measure", "date"]
    has_adm1 = long["level"].eq(1).groupby([long[c] for c in cell]).transform("any")
    drop = long["level"].eq(2) & has_adm1
    if drop.any():
        notes.append(f"Levels: {int(drop.sum())} admin-2 value(s) were left out where the file gives the admin-1 "
                     "figure itself (never counted twice); other admin-2 rows were summed up to their admin-1 area.")
    return long.loc[~drop]


def _slug(text: str) -> str:
    """"Food insecurity" → "food-insecurity" (accents stripped, case folded, words joined by hyphens)."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^0-9a-z]+", "-", plain).strip("-")


def _aggregate(long: pd.DataFrame, cycle_kind: str, fixed: Period | None = None) -> pd.DataFrame:
    """Sum rows of one area, date, indicator and figure; then per period sum the dates of a flow and keep the
    latest date of a stock. ``fixed``: the period every row belongs to (``--period``)."""
    group = ["admin1_code", "indicator", "measure"]
    summed = (long.groupby([*group, "date"], dropna=False, sort=True)
              .agg(value=("value", "sum"), flow=("flow", "first"), admin1_name=("admin1_name", "first"),
                   indicator_label=("indicator_label", "first"))
              .reset_index())
    uniq = pd.Series(pd.unique(summed["date"]))
    by_date = {d: fixed or Period.containing(d.date(), cycle_kind) for d in uniq}
    periods = summed["date"].map(by_date)
    summed["period"] = periods.map(str)
    summed["period_start"] = pd.to_datetime(periods.map(lambda p: p.start))
    summed["period_end"] = pd.to_datetime(periods.map(lambda p: p.end))
    ordered = summed.sort_values("date")
    stocks = ordered.loc[~ordered["flow"]].groupby([*group, "period"], sort=False).tail(1)
    flows = (ordered.loc[ordered["flow"]].groupby([*group, "period"], sort=False)
             .agg(value=("value", "sum"), admin1_name=("admin1_name", "last"),
                  indicator_label=("indicator_label", "last"), period_start=("period_start", "first"),
                  period_end=("period_end", "first")).reset_index())
    latest = pd.concat([stocks, flows], ignore_index=True)
    measure_tag = latest["measure"].str.split("+").str[0]
    attributes = latest["measure"].str.split("+").str[1:].map(lambda a: f" ({', '.join(a)})" if a else "")
    what = measure_tag.map(MEASURES) + attributes
    out = pd.DataFrame({
        "indicator_code": np.where(latest["indicator"] != "", latest["indicator"] + ":" + latest["measure"],
                                   latest["measure"]),
        "indicator_name": np.where(latest["indicator_label"] != "", latest["indicator_label"] + " — " + what, what),
        "unit": np.where(measure_tag.isin(list(COUNTS_OF_PEOPLE)), "people",
                         np.where(measure_tag.isin(["event", "fatality"]), measure_tag.map(MEASURES), None)),
        "admin1_code": latest["admin1_code"], "admin1_name": latest["admin1_name"], "period": latest["period"],
        "period_start": latest["period_start"], "period_end": latest["period_end"],
        "value": latest["value"].astype(float), "value_text": None,
    }).sort_values(["indicator_code", "admin1_code", "period_start"]).reset_index(drop=True)
    out["unit"] = out["unit"].astype(object).where(out["unit"].notna(), None)
    return ContextValuesRead.validate(out)
