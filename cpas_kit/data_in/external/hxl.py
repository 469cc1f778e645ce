"""Reading an HDX/HXL CSV file into :class:`~cpas_kit.data_in.external.schemas.ContextValuesRead` for one mission.

An HXL file has human headers on row 1 and a row of hashtags with attributes on row 2 (``#adm1+name``,
``#adm1+code``, ``#date``, ``#affected+idps``, ``#inneed+f``, ``#indicator+code`` …; the hashtag row is looked
for in the first rows, so a file without human headers works too). Needed: an admin-1 column (name or code),
a ``#date`` column and at least one figure column (:data:`MEASURES`).

The figures are **stocks** (people in need, displaced, reached at a date), not flows: rows with the same area,
date, indicator and figure are summed (admin-2 rows add up to their admin-1 area), and within one mission
reporting period the value of the latest date is kept, never a sum over dates. Each figure column becomes an
indicator coded ``<indicator>:<tag+attributes>`` (``food-insecurity:inneed+f``), or just the tag when the file
has no ``#indicator`` column. Rows of another country (``#country+code``/``#country+name``) are not stored;
rows whose area matches none of the mission's areas are stored under ``"?"`` + their name, so nothing is
dropped and nothing is mistaken for a national value.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from cpas_kit.core.periods import Period
from cpas_kit.data_in.external.admin1 import name_key, resolution_warnings, resolve_admin1
from cpas_kit.data_in.external.countries import Country, is_host
from cpas_kit.data_in.external.reading import (
    DATE_FORMATS,
    Problems,
    check_coordinates,
    read_csv_checked,
    to_dates,
    to_numbers,
)
from cpas_kit.data_in.external.schemas import ContextValuesRead

SOURCE = "hxl"
MEASURES = {"affected": "people affected", "inneed": "people in need", "reached": "people reached",
            "targeted": "people targeted", "population": "population", "value": "value"}
COUNTS_OF_PEOPLE = {"affected", "inneed", "reached", "targeted", "population"}
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


def read_hxl(path: str | Path, *, country: Country, areas: gpd.GeoDataFrame | None,
             cycle_kind: str) -> tuple[pd.DataFrame, int, int, list[str]]:
    """Values per area × period (:class:`ContextValuesRead`), data rows read, rows not matched to an area, warnings.

    Raises :class:`~cpas_kit.data_in.external.reading.FileProblems` listing every problem.
    """
    path = Path(path)
    problems = Problems()
    raw = read_csv_checked(path, problems, header=None, dtype=object)
    if raw is None:
        problems.raise_if_any(0)
    hashtag_at = None
    for i in range(min(HASHTAG_ROWS_SEARCHED, len(raw))):
        tags = _hashtags(raw.iloc[i].tolist())
        if tags is not None:
            hashtag_at, parsed = raw.index[i], tags
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
    rows = data.index.to_numpy() + 1
    n = len(data)
    hashtag_row = int(hashtag_at) + 1

    adm1_code = _find(columns, "adm1", "code")
    adm1_name = _find(columns, "adm1", "name", bare=True)
    date_col = _find(columns, "date", bare=True) or _find(columns, "date", "reported") or next(
        (c for c in columns if c.tag == "date"), None)
    measures = [c for c in columns if c.tag in MEASURES]
    if adm1_code is None and adm1_name is None:
        problems.add("No admin-1 column: tag the column of admin-1 names #adm1+name (or of codes #adm1+code).",
                     row=hashtag_row)
    if date_col is None:
        problems.add("No date column: tag the column of dates #date.", row=hashtag_row)
    if not measures:
        problems.add("No figure column: tag at least one column #affected, #inneed, #reached, #targeted, "
                     "#population or #value.", row=hashtag_row)
    seen: dict[str, HxlColumn] = {}
    for col in measures:
        if col.code in seen:
            problems.add(f"The columns '{seen[col.code].label}' and '{col.label}' have the same hashtag "
                         f"#{col.code}: give one of them another attribute (e.g. #{col.code}+total).",
                         row=hashtag_row, column=col.label)
        seen.setdefault(col.code, col)
    if n == 0:
        problems.add("The file has headers but no data rows.")
    problems.raise_if_any(n)

    def cells(col: HxlColumn | None) -> pd.Series:
        if col is None:
            return pd.Series(np.nan, index=data.index, dtype=object)
        return data.iloc[:, col.position].astype(object).str.strip().replace("", np.nan)

    dates = to_dates(cells(date_col), rows, problems, date_col.label, formats=HXL_DATE_FORMATS)
    figures = {}
    for col in measures:
        text = cells(col).str.replace(",", "", regex=False).str.replace(" ", "", regex=False)
        figures[col.code] = to_numbers(text, rows, problems, col.label, what="a number",
                                       minimum=0 if col.tag in COUNTS_OF_PEOPLE else None)
    indicator_code, indicator_name = cells(_find(columns, "indicator", "code")), cells(
        _find(columns, "indicator", "name", bare=True))
    indicator = indicator_code.fillna(indicator_name.map(_slug, na_action="ignore"))
    too_long = indicator.str.len().gt(80).fillna(False).to_numpy()
    problems.add_rows(too_long, rows, "#indicator", "The indicator is longer than 80 characters: use a short code "
                      "in an #indicator+code column.")
    lat_col, lon_col = _find(columns, "geo", "lat"), _find(columns, "geo", "lon")
    if lat_col is not None and lon_col is not None:
        lat, lon = check_coordinates(cells(lat_col), cells(lon_col), rows, problems,
                                     columns=(lat_col.label, lon_col.label))
    else:
        lat = lon = pd.Series(np.nan, index=data.index)
    problems.raise_if_any(n)

    warnings = []
    host = np.ones(n, dtype=bool)
    country_code, country_name = _find(columns, "country", "code"), _find(columns, "country", "name", bare=True)
    if country_code is not None:
        codes = cells(country_code).str.upper()
        host = (codes.isna() | codes.eq(country.iso3)).to_numpy()
    elif country_name is not None:
        names = cells(country_name)
        host = names.isna().to_numpy() | is_host(country, names.fillna(""), None, None)
    if not host.all():
        warnings.append(f"{int((~host).sum())} row(s) are about other countries than {country.names[0]} and were not "
                        "stored.")
    names = cells(adm1_name)[host]
    resolved = resolve_admin1(names, lat[host], lon[host], areas, codes=cells(adm1_code)[host])
    unmatched = int(resolved["admin1_code"].isna().sum())
    warnings += resolution_warnings(names.fillna(cells(adm1_code)[host]), resolved)
    area_name = dict(zip(areas["area_code"], areas["area_name"])) if areas is not None else {}
    label = names.fillna(cells(adm1_code)[host])
    key = resolved["admin1_code"].fillna(UNMATCHED_PREFIX + label.map(name_key, na_action="ignore").fillna("")
                                         .str.slice(0, 19))
    shown = resolved["admin1_code"].map(area_name).fillna(label)

    base = pd.DataFrame({"admin1_code": key, "admin1_name": shown, "date": dates[host],
                         "indicator": indicator[host].fillna(""),
                         "indicator_label": indicator_name[host].fillna(indicator[host]).fillna("")})
    long = pd.concat([base.assign(measure=code, value=figures[code][host]) for code in figures], ignore_index=True)
    return _aggregate(long.dropna(subset=["value"]), cycle_kind), n, unmatched, warnings


def _slug(text: str) -> str:
    """"Food insecurity" → "food-insecurity" (accents stripped, case folded, words joined by hyphens)."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^0-9a-z]+", "-", plain).strip("-")


def _aggregate(long: pd.DataFrame, cycle_kind: str) -> pd.DataFrame:
    """Sum rows of one area, date, indicator and figure; keep the latest date's value in each period."""
    group = ["admin1_code", "indicator", "measure"]
    summed = (long.groupby([*group, "date"], dropna=False, sort=True)
              .agg(value=("value", "sum"), admin1_name=("admin1_name", "first"),
                   indicator_label=("indicator_label", "first"))
              .reset_index())
    uniq = pd.Series(pd.unique(summed["date"]))
    by_date = {d: Period.containing(d.date(), cycle_kind) for d in uniq}
    periods = summed["date"].map(by_date)
    summed["period"] = periods.map(str)
    summed["period_start"] = pd.to_datetime(periods.map(lambda p: p.start))
    summed["period_end"] = pd.to_datetime(periods.map(lambda p: p.end))
    latest = summed.sort_values("date").groupby([*group, "period"], sort=False).tail(1)
    measure_tag = latest["measure"].str.split("+").str[0]
    attributes = latest["measure"].str.split("+").str[1:].map(lambda a: f" ({', '.join(a)})" if a else "")
    what = measure_tag.map(MEASURES) + attributes
    out = pd.DataFrame({
        "indicator_code": np.where(latest["indicator"] != "", latest["indicator"] + ":" + latest["measure"],
                                   latest["measure"]),
        "indicator_name": np.where(latest["indicator_label"] != "", latest["indicator_label"] + " — " + what, what),
        "unit": np.where(measure_tag.isin(list(COUNTS_OF_PEOPLE)), "people", None),
        "admin1_code": latest["admin1_code"], "admin1_name": latest["admin1_name"], "period": latest["period"],
        "period_start": latest["period_start"], "period_end": latest["period_end"],
        "value": latest["value"].astype(float), "value_text": None,
    }).sort_values(["indicator_code", "admin1_code", "period_start"]).reset_index(drop=True)
    out["unit"] = out["unit"].astype(object).where(out["unit"].notna(), None)
    return ContextValuesRead.validate(out)
