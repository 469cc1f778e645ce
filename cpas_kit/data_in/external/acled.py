"""Reading an ACLED CSV export (the 31-column layout) into :class:`~cpas_kit.data_in.external.schemas.EventsRead`.

Columns used: ``event_id_cnty, event_date, disorder_type, event_type, sub_event_type, actor1, inter1, actor2,
inter2, civilian_targeting, iso, country, admin1, admin2, location, latitude, longitude, source, fatalities``.
The notes, tags, associated actors, admin3, interaction, precision codes and timestamp are **not stored**: at a
million events they would make the store several times heavier, and no view uses them (go back to the file, or
to ACLED, for the narrative of an event).

Tolerated variations: a UTF-8 byte-order mark; ``event_date`` as ``2023-05-14`` or ACLED's ``14 May 2023``;
``inter1``/``inter2`` as numeric codes (1 State Forces … 8 External/Other Forces, 0 = none) or as text labels
(the text label is stored, spelled the classic way when it is one of the eight); older exports without
``disorder_type``, ``civilian_targeting``, ``sub_event_type``, ``inter*``, ``iso``, ``admin2``, ``location`` or
``source`` (stored empty). ACLED records no fatality range, so ``fatalities_low``/``high`` stay empty.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cpas_kit.data_in.external.admin1 import name_key
from cpas_kit.data_in.external.countries import Country, events_of_the_mission, other_countries
from cpas_kit.data_in.external.reading import (
    Problems,
    TextFile,
    canonical,
    check_coordinates,
    check_unique,
    distinct,
    drop_hxl_rows,
    empty_text,
    first_record,
    identifiers,
    missing_columns,
    read_csv_checked,
    spread,
    text_or_none,
    to_dates,
    to_numbers,
)
from cpas_kit.data_in.external.schemas import EventsRead

COLUMNS = (  # the documented layout of an export (only the columns in REQUIRED must be there)
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
    "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)
REQUIRED = ("event_id_cnty", "event_date", "event_type", "actor1", "country", "admin1", "latitude", "longitude",
            "fatalities")
OPTIONAL_TEXT = ("disorder_type", "sub_event_type", "actor2", "civilian_targeting", "admin2", "location", "source")
TEXT = ("event_date", "event_type", "actor1", "country", "admin1") + OPTIONAL_TEXT
NUMBERS = ("latitude", "longitude", "fatalities", "iso", "inter1", "inter2")
EXTRA_TEXT = ("iso3",)  # read only to tell other countries' damaged rows apart
INTER_LABELS = {
    0: None, 1: "State Forces", 2: "Rebel Groups", 3: "Political Militias", 4: "Identity Militias", 5: "Rioters",
    6: "Protesters", 7: "Civilians", 8: "External/Other Forces",
}
CIVILIAN_TARGETING = "Civilian targeting"


def _singular(key: str) -> str:
    return key.removesuffix("s")


_INTER_BY_TEXT = {_singular(name_key(v)): v for v in INTER_LABELS.values() if v}
_INTER_BY_TEXT.update({"stateforce": "State Forces", "rebelgroup": "Rebel Groups",
                       "externalotherforce": "External/Other Forces"})


RENAMES = {  # older layouts' headers → today's (read case-insensitively)
    "ally_actor_1": "assoc_actor_1", "ally_actor_2": "assoc_actor_2", "event_date_": "event_date",
    "admin_1": "admin1", "admin_2": "admin2", "lat": "latitude", "lon": "longitude", "long": "longitude",
}
OLD_VIOLENCE_AGAINST_CIVILIANS = "violence against civilians"


def read_acled(path: str | Path, country: Country | None = None,
               notes: list[str] | None = None) -> tuple[pd.DataFrame, int]:
    """The file's events (:class:`EventsRead`) and its number of data rows.

    ``notes`` receives how the file was read (layout, encoding, monadic folding, HXL row, date order, damaged
    rows of other countries skipped — those only when ``country``, the mission's, is given). Raises
    :class:`~cpas_kit.data_in.external.reading.FileProblems` listing every problem when the file is not a usable
    ACLED export.
    """
    path = Path(path)
    notes = [] if notes is None else notes
    source = TextFile(path)
    problems = Problems()
    written = first_record(path, problems, "the ACLED export", source)
    header = [canonical(h, RENAMES) for h in written]
    if not {"event_id_cnty", "event_date"} & set(header):  # ACLED's own columns: surely another kind of file
        problems.add("This is not an ACLED export: its first row should be the header event_id_cnty, event_date, "
                     "year, … (31 columns). Download the data again from ACLED as CSV.", row=1)
        problems.raise_if_any(0)
    if not missing_columns(header, REQUIRED, problems, what="ACLED data"):
        problems.raise_if_any(0)
    present = set(header)
    text = [c for c in TEXT + EXTRA_TEXT if c in present]
    numbers = [c for c in NUMBERS if c in present]
    raw = read_csv_checked(path, problems, text_columns=text, number_columns=numbers, id_columns=["event_id_cnty"],
                           source=source, renames=RENAMES)
    if raw is None:
        problems.raise_if_any(0)
    notes += source.notes
    notes.append(_layout(written, present))
    raw = drop_hxl_rows(raw, notes)
    if raw.empty:
        problems.add("The file has a header but no data rows: export some events from ACLED first.")
        problems.raise_if_any(0)
    rows = raw.index.to_numpy() + 2  # header is row 1
    n = len(raw)
    if "actor2" not in present:
        raw, rows = _fold_monadic(raw, rows, notes)
    def is_other(r: pd.DataFrame) -> np.ndarray:
        return other_countries(country, r["country"], r.get("iso"), country.iso_numeric,
                               r.get("iso3"))

    frame = events_of_the_mission(raw, rows, problems, notes, country, _events, is_other, rows_read=n)
    return EventsRead.validate(frame), n


def _layout(written: list[str], present: set[str]) -> str:
    """One sentence naming the layout recognised."""
    if "gwno" in present or all(h == h.upper() for h in written if h):
        what = "an older ACLED layout (upper-case headers, e.g. the 2016 'All Africa' files; ALLY_ACTOR_* read as "
        what += "associated actors)"
    elif "data_id" in present or "event_id_no_cnty" in present:
        what = "an ACLED API export (2020-2022: data_id, iso3, event_id_no_cnty, numeric inter codes)"
    elif "sub_event_type" not in present:
        what = "an older ACLED export without sub-event types (2018 or before; old event types kept as written)"
    else:
        what = "the current ACLED export layout"
    if "actor2" not in present:
        what += ", one row per actor (monadic)"
    return f"Layout: {what}."


def _fold_monadic(raw: pd.DataFrame, rows: np.ndarray, notes: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """A monadic export repeats an event once per actor: keep its first row, take the second row's actor as
    ``actor2``/``inter2``, count its fatalities once."""
    ids = identifiers(raw["event_id_cnty"])
    repeat = (ids.duplicated(keep="first") & ids.notna()).to_numpy()
    if not repeat.any():
        return raw, rows
    second = raw.loc[repeat].assign(_id=ids[repeat]).groupby("_id", sort=False).first()
    keep = raw.loc[~repeat].copy()
    kept_ids = ids[~repeat]
    keep["actor2"] = pd.Categorical(kept_ids.map(second["actor1"].astype(object)))
    if "inter1" in raw:
        keep["inter2"] = kept_ids.map(second["inter1"].astype(object)).astype(object)
    notes.append(f"Monadic export: {int(repeat.sum())} row(s) repeating an event for its other actor were folded "
                 f"into their event ({int(kept_ids.isin(second.index).sum())} two-sided events); each event and its "
                 "fatalities are counted once.")
    return keep, rows[~repeat]


def _events(raw: pd.DataFrame, rows: np.ndarray, problems: Problems, notes: list[str]) -> pd.DataFrame:
    """Check every cell and build the events frame (unvalidated; meaningful only when ``problems`` is empty)."""
    n = len(raw)
    ids = identifiers(raw["event_id_cnty"])
    check_unique(ids, rows, problems, "event_id_cnty", what="event ID")
    problems.add_rows(ids.str.len().gt(60).fillna(False).to_numpy(dtype=bool), rows, "event_id_cnty",
                      "The event ID is longer than 60 characters: is this the event_id_cnty column of an ACLED "
                      "export?")
    dates = to_dates(raw["event_date"], rows, problems, "event_date", notes=notes,
                     not_after=pd.Timestamp.today().normalize())
    fatalities = to_numbers(raw["fatalities"], rows, problems, "fatalities", integer=True, minimum=0,
                            required=True, what="a number of fatalities")
    lat, lon = check_coordinates(raw["latitude"], raw["longitude"], rows, problems)
    inter1 = _inter(raw, "inter1", rows, problems)
    inter2 = _inter(raw, "inter2", rows, problems)
    civ = _civilian_targeting(raw, rows, problems)
    iso = (to_numbers(raw["iso"], rows, problems, "iso", integer=True, minimum=0, what="an ISO 3166 numeric code")
           if "iso" in raw else pd.Series(np.nan, index=raw.index))
    if problems:
        return raw

    def col(name: str) -> pd.Series:
        return text_or_none(raw[name]) if name in raw else empty_text(raw.index)

    missing_int = pd.array(np.full(n, pd.NA), dtype="Int64")
    return pd.DataFrame({
        "row": rows.astype("int64"), "source_event_id": ids, "event_date": dates,
        "disorder_type": col("disorder_type"), "event_type": col("event_type"),
        "sub_event_type": col("sub_event_type"), "actor1": col("actor1"), "actor2": col("actor2"),
        "inter1": inter1, "inter2": inter2, "civilian_targeting": civ, "country": col("country"),
        "country_code": iso, "admin1_name": col("admin1"), "admin2_name": col("admin2"),
        "location": col("location"), "latitude": lat, "longitude": lon,
        "fatalities_best": fatalities.astype("int64"), "fatalities_low": missing_int,
        "fatalities_high": missing_int.copy(), "fatalities_civilians": missing_int.copy(),
        "data_source": col("source"),
    }, index=raw.index)


def _inter(raw: pd.DataFrame, column: str, rows: np.ndarray, problems: Problems) -> pd.Series:
    """Actor-type labels from numeric codes or text (checked once per distinct value)."""
    if column not in raw:
        return empty_text(raw.index)
    codes, uniques = distinct(raw[column])
    labels: list[object] = []
    bad_u = np.zeros(len(uniques), dtype=bool)
    for i, u in enumerate(uniques):
        text = str(u).strip()
        try:
            number = float(text)
        except ValueError:
            labels.append(_INTER_BY_TEXT.get(_singular(name_key(text)), text) if text else None)
            continue
        if number.is_integer() and int(number) in INTER_LABELS:
            labels.append(INTER_LABELS[int(number)])
        else:
            labels.append(None)
            bad_u[i] = True
    values = raw[column]
    problems.add_rows(spread(codes, bad_u, False), rows, column,
                      lambda i: f"'{values.iloc[i]}' is not an ACLED actor type: use a code from 0 to 8 (1 State "
                                "Forces … 8 External/Other Forces, 0 none) or the type's name.")
    return text_or_none(pd.Series(spread(codes, np.array(labels, dtype=object)), index=raw.index))


def _civilian_targeting(raw: pd.DataFrame, rows: np.ndarray, problems: Problems) -> pd.Series:
    """True where the column says "Civilian targeting"; anything but that or empty is a problem. Files from
    before the column (2019) get it from the old event type "Violence against civilians"."""
    if "civilian_targeting" not in raw:
        kind = raw["event_type"].astype(object).str.strip().str.casefold()
        return pd.Series(kind.eq(OLD_VIOLENCE_AGAINST_CIVILIANS).fillna(False).to_numpy(dtype=bool), index=raw.index)
    codes, uniques = distinct(raw["civilian_targeting"])
    text = np.array([str(u).strip() for u in uniques], dtype=object)
    yes_u = np.array([t.casefold() == CIVILIAN_TARGETING.casefold() for t in text], dtype=bool)
    bad_u = ~yes_u & (text != "")
    values = raw["civilian_targeting"]
    problems.add_rows(spread(codes, bad_u, False), rows, "civilian_targeting",
                      lambda i: f"'{values.iloc[i]}' is not a value ACLED uses here: write 'Civilian targeting' or "
                                "leave the cell empty.")
    return pd.Series(spread(codes, yes_u, False), index=raw.index)
