"""Reading a UCDP GED CSV file (the standard 49-column layout) into :class:`~cpas_kit.data_in.external.schemas.EventsRead`.

Some GED releases ship without a header row: when the first row is not the header, the file is read with the
documented column order (:data:`COLUMNS`, as in the UCDP GED codebook). ``type_of_violence`` 1/2/3 is stored as
the event type "state-based conflict" / "non-state conflict" / "one-sided violence" (one-sided violence is
civilian targeting); ``best``/``low``/``high`` are the fatality estimates, ``deaths_civilians`` the civilian
deaths, ``side_a``/``side_b`` the actors, ``date_start`` the event date (a time of day after it is ignored), ``adm_1``/``adm_2`` the admin names,
``where_coordinates`` the location and ``source_original`` the data source. The source articles and headlines,
the dyad and conflict identifiers and the geometry text are not stored.
"""  # noqa: E501

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cpas_kit.data_in.external.countries import Country, events_of_the_mission, other_countries
from cpas_kit.data_in.external.reading import (
    Problems,
    TextFile,
    canonical,
    check_coordinates,
    check_unique,
    drop_hxl_rows,
    empty_text,
    first_record,
    identifiers,
    missing_columns,
    read_csv_checked,
    text_or_none,
    to_dates,
    to_numbers,
)
from cpas_kit.data_in.external.schemas import EventsRead

COLUMNS = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id", "conflict_new_id",
    "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name", "side_a_dset_id", "side_a_new_id", "side_a",
    "side_b_dset_id", "side_b_new_id", "side_b", "number_of_sources", "source_article", "source_office",
    "source_date", "source_headline", "source_original", "where_prec", "where_coordinates", "where_description",
    "adm_1", "adm_2", "latitude", "longitude", "geom_wkt", "priogrid_gid", "country", "country_id", "region",
    "event_clarity", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians",
    "deaths_unknown", "best", "high", "low", "gwnoa", "gwnob",
)
COLUMNS_19_1 = (  # GED 19.1 and before: 42 columns, no relid/code_status/*_dset_id, low/best/high reordered
    "id", "year", "active_year", "type_of_violence", "conflict_new_id", "conflict_name", "dyad_new_id",
    "dyad_name", "side_a_new_id", "gwnoa", "side_a", "side_b_new_id", "gwnob", "side_b", "number_of_sources",
    "source_article", "source_office", "source_date", "source_headline", "source_original", "where_prec",
    "where_coordinates", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt", "priogrid_gid", "country",
    "country_id", "region", "event_clarity", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b",
    "deaths_civilians", "deaths_unknown", "low", "best", "high",
)
ORDERS = {len(COLUMNS): ("the current GED layout (49 columns)", COLUMNS),
          len(COLUMNS_19_1): ("GED 19.1 or earlier (42 columns)", COLUMNS_19_1)}
REQUIRED = ("id", "type_of_violence", "date_start", "best", "latitude", "longitude", "country", "adm_1")
OPTIONAL_TEXT = ("side_a", "side_b", "adm_2", "where_coordinates", "source_original")
TEXT = ("date_start", "date_end", "country", "adm_1", "iso3") + OPTIONAL_TEXT
DEATHS = ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")
NUMBERS = ("type_of_violence", "best", "low", "high", "latitude", "longitude", "country_id") + DEATHS
VIOLENCE_TYPES = {1: "state-based conflict", 2: "non-state conflict", 3: "one-sided violence"}
ONE_SIDED = 3


def read_ucdp(path: str | Path, country: Country | None = None,
              notes: list[str] | None = None) -> tuple[pd.DataFrame, int]:
    """The file's events (:class:`EventsRead`) and its number of data rows (with or without a header row).

    Headers are matched by name (any case, any order: older releases and the HDX edition with its ``iso3``
    column and HXL row work); a file without a header is read in the documented order of its release, known
    from its number of columns. ``notes`` receives how the file was read. Raises
    :class:`~cpas_kit.data_in.external.reading.FileProblems` listing every problem.
    """
    path = Path(path)
    notes = [] if notes is None else notes
    source = TextFile(path)
    problems = Problems()
    first = [canonical(c) for c in first_record(path, problems, "the UCDP GED file", source)]
    has_header = "id" in first and ("date_start" in first or "type_of_violence" in first)
    if has_header:
        if not missing_columns(first, REQUIRED, problems, what="UCDP GED data"):
            problems.raise_if_any(0)
        present, names, first_data_row = set(first), None, 2
        layout = ("the HDX edition of GED (with iso3)" if "iso3" in present else
                  "GED 19.1 or earlier" if "relid" not in present else "the current GED layout")
    elif len(first) in ORDERS:
        layout, names = ORDERS[len(first)]
        layout += ", without a header row (columns taken in the release's documented order)"
        present, first_data_row = set(names), 1
    else:
        problems.add(f"This is not a UCDP GED file: its first row is neither the GED header (id, relid, year, …) nor "
                     f"a data row of the 49 (or, before release 20.1, 42) documented columns (it has {len(first)}). "
                     "Download the GED CSV again.", row=1)
        problems.raise_if_any(0)
    text = [c for c in TEXT if c in present]
    numbers = [c for c in NUMBERS if c in present]
    header_args = {"header": None, "names": list(names), "usecols": ["id"] + text + numbers} if names else {
        "renames": {}}
    raw = read_csv_checked(path, problems, text_columns=text, number_columns=numbers, id_columns=["id"],
                           source=source, **header_args)
    if raw is None:
        problems.raise_if_any(0)
    notes += source.notes
    notes.append(f"Layout: {layout}.")
    raw = drop_hxl_rows(raw, notes, first_row=first_data_row)
    if raw.empty:
        problems.add("The file has a header but no data rows.")
        problems.raise_if_any(0)
    rows = raw.index.to_numpy() + first_data_row
    n = len(raw)
    def is_other(r: pd.DataFrame) -> np.ndarray:
        return other_countries(country, r["country"], r.get("country_id"), country.gw,
                               r.get("iso3"))

    frame = events_of_the_mission(raw, rows, problems, notes, country, _events, is_other, rows_read=n)
    return EventsRead.validate(frame), n


def _events(raw: pd.DataFrame, rows: np.ndarray, problems: Problems, notes: list[str]) -> pd.DataFrame:
    """Check every cell (figures that cannot be true included) and build the events frame."""
    ids = identifiers(raw["id"])
    check_unique(ids, rows, problems, "id", what="event id")
    violence = to_numbers(raw["type_of_violence"], rows, problems, "type_of_violence", integer=True, required=True,
                          what="a type of violence (1, 2 or 3)")
    problems.add_rows(violence.notna().to_numpy() & ~violence.isin(list(VIOLENCE_TYPES)).to_numpy(), rows,
                      "type_of_violence",
                      lambda i: f"{raw['type_of_violence'].iloc[i]} is not a UCDP type of violence: "
                      "use 1 (state-based), 2 (non-state) or 3 (one-sided).")
    today = pd.Timestamp.today().normalize()
    dates = to_dates(raw["date_start"], rows, problems, "date_start", notes=notes, not_after=today)
    best = to_numbers(raw["best"], rows, problems, "best", integer=True, minimum=0, required=True,
                      what="a number of deaths")
    extra = {c: to_numbers(raw[c], rows, problems, c, integer=True, minimum=0, what="a number of deaths")
             if c in raw else pd.Series(np.nan, index=raw.index) for c in ("low", "high") + DEATHS}
    _impossible(raw, rows, problems, dates, best, extra, today, notes)
    lat, lon = check_coordinates(raw["latitude"], raw["longitude"], rows, problems)
    gw = (to_numbers(raw["country_id"], rows, problems, "country_id", integer=True, minimum=0,
                     what="a Gleditsch-Ward country number") if "country_id" in raw
          else pd.Series(np.nan, index=raw.index))
    if problems:
        return raw

    def col(name: str) -> pd.Series:
        return text_or_none(raw[name]) if name in raw else empty_text(raw.index)

    kind = violence.astype("int64")
    return pd.DataFrame({
        "row": rows.astype("int64"), "source_event_id": ids, "event_date": dates,
        "disorder_type": empty_text(raw.index), "event_type": text_or_none(kind.map(VIOLENCE_TYPES)),
        "sub_event_type": empty_text(raw.index), "actor1": col("side_a"), "actor2": col("side_b"),
        "inter1": empty_text(raw.index), "inter2": empty_text(raw.index),
        "civilian_targeting": kind.eq(ONE_SIDED), "country": col("country"), "country_code": gw,
        "admin1_name": col("adm_1"), "admin2_name": col("adm_2"), "location": col("where_coordinates"),
        "latitude": lat, "longitude": lon, "fatalities_best": best.astype("int64"),
        **{f"fatalities_{k}": extra[k].astype("Int64") for k in ("low", "high")},
        "fatalities_civilians": extra["deaths_civilians"].astype("Int64"),
        "data_source": col("source_original"),
    }, index=raw.index)


def _impossible(raw: pd.DataFrame, rows: np.ndarray, problems: Problems, start: pd.Series, best: pd.Series,
                extra: dict[str, pd.Series], today: pd.Timestamp, notes: list[str]) -> None:
    """Figures that cannot be true: low > best, best > high, deaths by side above best, an end before the start."""
    low, high = extra["low"].to_numpy(), extra["high"].to_numpy()
    b = best.to_numpy()
    with np.errstate(invalid="ignore"):
        problems.add_rows(low > b, rows, "low", lambda i: f"The low estimate {low[i]:g} is above the best estimate "
                                                           f"{b[i]:g}: UCDP's low <= best <= high; check the row.")
        problems.add_rows(b > high, rows, "high", lambda i: f"The best estimate {b[i]:g} is above the high estimate "
                                                             f"{high[i]:g}: UCDP's low <= best <= high; check the row.")
        sides = pd.concat([extra[c] for c in DEATHS if c in raw], axis=1)
        if len(sides.columns):
            total = sides.sum(axis=1, min_count=1).to_numpy()
            problems.add_rows(total > b, rows, "best",
                              lambda i: f"The deaths by side add up to {total[i]:g}, more than the best estimate "
                                        f"{b[i]:g}: check deaths_a, deaths_b, deaths_civilians and deaths_unknown.")
    if "date_end" in raw:
        end = to_dates(raw["date_end"], rows, problems, "date_end", required=False, notes=None, not_after=today)
        problems.add_rows((end < start).to_numpy(), rows, "date_end",
                          lambda i: f"The event ends ({end.iloc[i]:%Y-%m-%d}) before it starts "
                                    f"({start.iloc[i]:%Y-%m-%d}): check date_start and date_end.")


