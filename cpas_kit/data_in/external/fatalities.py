"""UN peacekeeping fatalities from the UN Peace and Security Data Hub "fatalities" CSV.

The file has one row per casualty with the columns ``id, incident_date, casualty_id, mission_acronym,
type_of_casualty, gender, casualty_nationality, casualty_personnel_type, type_of_incident, m49_code, isocode3,
last_update`` (header names are matched without regard to case or spaces). **The nationality columns
(``casualty_nationality``, ``m49_code``, ``isocode3``) describe the casualty — the country that sent the
peacekeeper — not the country where the mission operates**: they are stored as ``casualty_nationality``,
``casualty_m49_code`` and ``casualty_iso3`` and never used as a mission's country.

:func:`import_fatalities` checks the whole file (every problem listed with its row and column, nothing written
on any problem), then writes it in one transaction keyed by the file's ``id``: importing the same file again
changes nothing, a corrected row replaces the stored one (old values go to the audit log).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from cpas_kit.core.import_report import ImportProblem, ImportRejected, ImportResult, file_sha256
from cpas_kit.data_in.external.fatalities_store import FatalityStore
from cpas_kit.data_in.external.reading import (
    FileProblems,
    Problems,
    first_record,
    identifiers,
    missing_columns,
    read_csv_checked,
    to_dates,
    to_numbers,
)

KIND = "fatalities"
COLUMNS = ("id", "incident_date", "casualty_id", "mission_acronym", "type_of_casualty", "gender",
           "casualty_nationality", "casualty_personnel_type", "type_of_incident", "m49_code", "isocode3", "last_update")
REQUIRED = ("id", "incident_date", "mission_acronym")
WHAT = "UN Peace and Security Data Hub fatalities file"
_TEXT = ("type_of_casualty", "gender", "casualty_nationality", "casualty_personnel_type", "type_of_incident")


def _normalise(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def read_fatalities(path: str | Path) -> tuple[pd.DataFrame, int]:
    """The file's rows as stored (``source_id``, dates, ``incident_year``, the casualty's nationality columns) and
    the number of data rows; :class:`FileProblems` listing every problem otherwise."""
    path = Path(path)
    problems = Problems()
    header = first_record(path, problems, f"the {WHAT}")
    raw = read_csv_checked(path, problems, dtype=str)
    if raw is None:
        problems.raise_if_any(0)
    raw = raw.rename(columns={c: _normalise(str(c)) for c in raw.columns})
    if len(set(raw.columns)) != len(raw.columns):
        problems.add("Two columns have the same name: keep one column of each name.", row=1)
    rows_read = len(raw)
    if not missing_columns(raw.columns, REQUIRED, problems, what=WHAT):
        problems.raise_if_any(rows_read)
    raw = raw.reindex(columns=list(COLUMNS)).astype("str")  # optional columns a file lacks: empty text
    rows = (raw.index.to_numpy() + 2).astype(int)  # the header is row 1
    if not rows_read:
        problems.add(f"The file has a header ({len(header)} columns) but no rows: download the {WHAT} again.")
        problems.raise_if_any(0)
    source_id = identifiers(raw["id"].fillna(""))
    _check_ids(source_id, rows, problems)
    incident = to_dates(raw["incident_date"], rows, problems, "incident_date")
    today = np.datetime64(datetime.now(timezone.utc).date())
    problems.add_rows((incident.to_numpy() > today), rows, "incident_date",
                      lambda i: f"'{raw['incident_date'].iloc[i]}' is in the future: check the incident date.")
    updated = to_dates(raw["last_update"], rows, problems, "last_update", required=False)
    mission = identifiers(raw["mission_acronym"].fillna(""))
    problems.add_rows(mission.isna().to_numpy(), rows, "mission_acronym",
                      "The mission acronym is empty: write the mission (e.g. MINUSCA) this casualty served in.")
    problems.add_rows((mission.str.len() > 40).fillna(False).to_numpy(), rows, "mission_acronym",
                      "The mission acronym is longer than 40 characters: write the acronym, not the full name.")
    m49 = to_numbers(raw["m49_code"], rows, problems, "m49_code", integer=True, minimum=1, maximum=999,
                     what="a UN M49 country code")
    iso = raw["isocode3"].str.strip().str.upper()
    problems.add_rows((iso.notna() & ~iso.fillna("").str.fullmatch(r"[A-Z]{3}")).to_numpy(), rows, "isocode3",
                      lambda i: f"'{raw['isocode3'].iloc[i]}' is not an ISO 3166-1 alpha-3 code (three letters, "
                                "e.g. BGD) of the casualty's nationality.")
    problems.raise_if_any(rows_read)
    frame = pd.DataFrame({
        "source_id": source_id, "incident_date": incident, "incident_year": incident.dt.year.astype("int64"),
        "casualty_id": identifiers(raw["casualty_id"].fillna("")), "mission_acronym": mission,
        **{c: raw[c].str.strip().replace("", None) for c in _TEXT},
        "casualty_m49_code": m49.map(lambda v: None if pd.isna(v) else f"{int(v):03d}"),
        "casualty_iso3": iso, "last_update": updated,
    })
    return frame, rows_read


def _check_ids(ids: pd.Series, rows: np.ndarray, problems: Problems) -> None:
    """Every casualty needs its own ``id``: the key that makes re-importing idempotent."""
    missing = ids.isna().to_numpy()
    problems.add_rows(missing, rows, "id", "The id is empty: every casualty needs the id the Data Hub gives it.")
    dup = ids.duplicated(keep="first").to_numpy() & ~missing
    first = (pd.Series(rows, index=ids.index).groupby(ids.to_numpy()).transform("first").to_numpy()
             if dup.any() else rows)
    problems.add_rows(dup, rows, "id", lambda i: f"The id '{ids.iloc[i]}' appears twice (first at row {first[i]}): "
                                               "each casualty must appear once; remove the repeated row.")


def import_fatalities(store, path: str | Path, *, actor: str) -> ImportResult:
    """Check a fatalities CSV whole, then write it (idempotent, keyed by ``id``); :class:`ImportRejected` on any
    problem, with the store unchanged."""
    path = Path(path)
    result = ImportResult(kind=KIND, file=str(path))
    if not path.is_file():
        result.errors = [ImportProblem(message=f"There is no file at {path}: check the folder and the file name.")]
        raise ImportRejected(result)
    result.sha256 = file_sha256(path)
    try:
        frame, result.rows_read = read_fatalities(path)
    except FileProblems as exc:
        result.rows_read, result.errors = exc.rows_read, list(exc.problems)
        raise ImportRejected(result) from None
    return FatalityStore(store).write_fatalities(frame, result, actor=actor)
