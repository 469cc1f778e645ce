"""Reading World Bank bulk CSV files into :class:`~cpas_kit.data_in.external.schemas.ContextValues` for one country.

An ``API_<INDICATOR>_DS2_….csv`` file has a UTF-8 BOM, a 4-line preamble (data source, blank, "Last Updated
Date", blank), then the header ``Country Name, Country Code, Indicator Name, Indicator Code, 1960, …, 2023,``
whose trailing comma gives an empty last column. Its rows are countries and aggregates (regions, income
groups); the sibling ``Metadata_Country_API_….csv`` (same folder, same name after the prefix) tells the two apart
(an aggregate has no Region) and gives each country's region and income group.

Only the host country's row is kept: one national value (``admin1_code`` "") per year with data; empty years
are skipped, not stored as zero. The period is the calendar year as text (``"2023"``, 1 January to 31
December). Region and income group are stored as text values dated by the file's "Last Updated Date" (or the
import date when no API file is at hand), whether the metadata file is imported on its own or found next to an
API file.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from cpas_kit.data_in.external.reading import Problems, TextFile, drop_hxl_rows, missing_columns, to_numbers
from cpas_kit.data_in.external.schemas import ContextValuesRead

SOURCE = "worldbank"
ID_COLUMNS = ("Country Name", "Country Code", "Indicator Name", "Indicator Code")
META_COLUMNS = ("Country Code", "Region", "IncomeGroup")
META_PREFIX = "Metadata_Country_"
META_INDICATORS = {"Region": ("country_region", "World Bank region"),
                   "IncomeGroup": ("country_income_group", "World Bank income group")}
_YEAR = re.compile(r"^\d{4}$")
_UNIT = re.compile(r"\(([^()]*)\)\s*$")


class WorldBankFile:
    """One World Bank CSV: its kind ("data" or "country metadata"), header line, vintage and table."""

    def __init__(self, path: Path, problems: Problems):
        self.path = path
        self.kind: str | None = None
        self.header_line = 0
        self.last_updated: date | None = None
        self.table = pd.DataFrame()
        self.rows = np.array([], dtype=np.int64)
        self.notes = []
        source = TextFile(path)
        try:
            lines = path.read_text(encoding=source.encoding).splitlines()
        except UnicodeDecodeError:
            if not source.redetect():
                problems.add("The file is not UTF-8 text: download it again from data.worldbank.org (do not "
                             "re-save it from a spreadsheet).")
                return
            lines = path.read_text(encoding=source.encoding).splitlines()
            self.notes += source.notes
        for i, record in enumerate(csv.reader(lines[:12])):
            first = record[0].strip() if record else ""
            if first == "Last Updated Date" and len(record) > 1:
                try:
                    self.last_updated = date.fromisoformat(record[1].strip())
                except ValueError:
                    pass
            if first in ("Country Name", "Country Code"):
                self.kind = "data" if first == "Country Name" else "country metadata"
                self.header_line = i + 1
                break
        if self.kind is None:
            problems.add("This is not a World Bank bulk CSV file: no header row starting with 'Country Name' (or "
                         "'Country Code' for a Metadata_Country file) in its first lines. Download the indicator "
                         "again as CSV from data.worldbank.org.")
            return
        try:
            table = pd.read_csv(io.StringIO("\n".join(lines[self.header_line - 1:])), dtype=object,
                                keep_default_na=False, na_values=[""])
        except pd.errors.ParserError as exc:
            problems.add(f"The file is not a well-formed CSV table ({str(exc).strip()}): download it again.")
            return
        table = table.loc[:, [c for c in table.columns if not str(c).startswith("Unnamed:")]]
        table.columns = [str(c).strip() for c in table.columns]
        self.notes: list[str] = []
        table = drop_hxl_rows(table, self.notes, first_row=self.header_line + 1)  # an HDX re-publication's tags
        self.table = table
        self.rows = table.index.to_numpy() + self.header_line + 1


def _vintage(path: Path) -> date | None:
    """The "Last Updated Date" of the API file ``path`` names, when that file is there."""
    if not path.is_file():
        return None
    return WorldBankFile(path, Problems()).last_updated


def read_worldbank(path: str | Path, iso3: str, notes: list[str] | None = None) -> tuple[pd.DataFrame, int, list[str]]:
    """The host country's values (:class:`ContextValuesRead`), the number of data rows,
    and warnings (``notes``: how the file was read). Raises
    :class:`~cpas_kit.data_in.external.reading.FileProblems` listing every problem."""
    path = Path(path)
    problems = Problems()
    wb = WorldBankFile(path, problems)
    if notes is not None:
        notes += wb.notes
    problems.raise_if_any(0)
    if wb.kind == "country metadata":
        api = path.with_name(path.name[len(META_PREFIX):]) if path.name.startswith(META_PREFIX) else None
        frame, n, warnings = _read_metadata(wb, iso3, problems, vintage=_vintage(api) if api else None)
        return ContextValuesRead.validate(frame), n, warnings
    table = wb.table
    n = len(table)
    if not missing_columns(table.columns, ID_COLUMNS, problems, what="World Bank data", header_row=wb.header_line):
        problems.raise_if_any(n)
    years = [c for c in table.columns if _YEAR.match(c)]
    if not years:
        problems.add("The header has no year columns (1960, 1961, …): download the indicator again as CSV.",
                     row=wb.header_line)
    if n == 0:
        problems.add("The file has a header but no data rows.")
    values = {y: to_numbers(table[y], wb.rows, problems, y, what="a number") for y in years}
    key = table["Country Code"].astype(str).str.strip() + "|" + table["Indicator Code"].astype(str).str.strip()
    dup = key.duplicated().to_numpy()
    problems.add_rows(dup, wb.rows, "Country Code", lambda i: f"The country {table['Country Code'].iloc[i]} appears "
                      f"twice for indicator {table['Indicator Code'].iloc[i]}: keep one row.")
    host = table["Country Code"].astype(str).str.strip().eq(iso3).to_numpy()
    if n and not host.any():
        problems.add(f"The file has no row for the mission's host country (code {iso3}): download the indicator for "
                     f"all countries, or for {iso3}, and import that file.", column="Country Code")
    problems.raise_if_any(n)

    warnings = []
    meta_path = path.with_name(META_PREFIX + path.name)
    meta = WorldBankFile(meta_path, Problems()) if meta_path.is_file() else None
    others = int((~host).sum())
    if others:
        if meta is not None and meta.kind == "country metadata" and "Region" in meta.table:
            regions = meta.table.set_index(meta.table["Country Code"].str.strip())["Region"]
            is_country = table["Country Code"].str.strip().map(regions).notna().to_numpy()
            warnings.append(f"{others} other row(s) were not stored: {int((is_country & ~host).sum())} other "
                            f"countries and {int((~is_country & ~host).sum())} aggregates (regions, income groups).")
        else:
            warnings.append(f"{others} row(s) of other countries or aggregates (regions, income groups) were not "
                            "stored.")
    long = pd.DataFrame({y: values[y][host] for y in years}, index=table.index[host])
    long["indicator_code"] = table.loc[host, "Indicator Code"].str.strip()
    long["indicator_name"] = table.loc[host, "Indicator Name"].str.strip()
    long = long.melt(id_vars=["indicator_code", "indicator_name"], var_name="year", value_name="value")
    long = long.dropna(subset=["value"])
    year = long["year"].astype(int)
    out = pd.DataFrame({
        "indicator_code": long["indicator_code"], "indicator_name": long["indicator_name"],
        "unit": long["indicator_name"].map(_unit), "admin1_code": "", "admin1_name": None,
        "period": year.astype(str), "period_start": pd.to_datetime(year.astype(str) + "-01-01"),
        "period_end": pd.to_datetime(year.astype(str) + "-12-31"), "value": long["value"].astype(float),
        "value_text": None,
    })
    if meta is not None and meta.kind == "country metadata":
        meta_values, _, meta_warnings = _read_metadata(meta, iso3, Problems(), vintage=wb.last_updated,
                                                       strict=False)
        out = pd.concat([out, meta_values], ignore_index=True)
        warnings += meta_warnings
    return ContextValuesRead.validate(out.reset_index(drop=True)), n, warnings


def _unit(name: str) -> str | None:
    """The unit World Bank names end with, in parentheses: "GDP (current US$)" → "current US$"."""
    m = _UNIT.search(name or "")
    return m.group(1).strip() if m else None


def _read_metadata(wb: WorldBankFile, iso3: str, problems: Problems, *, vintage: date | None,
                   strict: bool = True) -> tuple[pd.DataFrame, int, list[str]]:
    """Region and income group of the host country from a Metadata_Country table."""
    table = wb.table
    n = len(table)
    missing_columns(table.columns, META_COLUMNS, problems, what="World Bank country metadata",
                    header_row=wb.header_line)
    host = table.loc[table["Country Code"].astype(str).str.strip().eq(iso3)] if "Country Code" in table else table[:0]
    if strict and not len(host) and not problems:
        problems.add(f"The file has no row for the mission's host country (code {iso3}): use the Metadata_Country "
                     "file that came with an all-countries download.", column="Country Code")
    if strict:
        problems.raise_if_any(n)
    day = vintage or date.today()
    records = []
    for column, (code, name) in META_INDICATORS.items():
        if column in host and len(host) and pd.notna(host[column].iloc[0]) and str(host[column].iloc[0]).strip():
            records.append({"indicator_code": code, "indicator_name": name, "unit": None, "admin1_code": "",
                            "admin1_name": None, "period": day.isoformat(), "period_start": pd.Timestamp(day),
                            "period_end": pd.Timestamp(day), "value": np.nan,
                            "value_text": str(host[column].iloc[0]).strip()})
    warnings = [] if vintage else [(f"Region and income group are dated {day.isoformat()} (today): no World "
                                    "Bank API_ file with a 'Last Updated Date' was found next to the metadata file.")]
    frame = pd.DataFrame(records, columns=list(ContextValuesRead.to_schema().columns))
    frame = frame.astype({"value": float, "period_start": "datetime64[ns]", "period_end": "datetime64[ns]"})
    return frame, n, warnings
