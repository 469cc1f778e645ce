"""External data for a mission, from downloaded files (no network): conflict events from ACLED and UCDP GED,
context values from World Bank bulk CSVs and HDX/HXL files.

Every importer checks the whole file first; any problem rejects it with :class:`~cpas_kit.core.import_report.ImportRejected`
listing every problem (row as a spreadsheet shows it, column, how to fix it) and the store unchanged. An accepted
file is written in one transaction with its provenance row in ``imports``; importing the same file again
changes no event or value (``rows_imported`` 0; the attempt itself is still recorded in ``imports``). Rows
about other countries than the mission's host country are not stored (a warning counts them); rows of the host
country that match no admin-1 area are kept without one and counted in ``rows_unmatched``.

``rows_read`` counts the file's data rows. For events, ``rows_imported`` (inserted + updated) and
``rows_unchanged`` count events; for World Bank and HXL files they count the values stored (one per indicator,
area and period), since one row of those files holds many values.

>>> result = import_acled(store, "acled_export.csv", "UN-DEMO", actor="j.doe")   # doctest: +SKIP
>>> events_summary(store, "UN-DEMO", by="admin1", source="acled")                 # doctest: +SKIP
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from cpas_kit.core.import_report import ImportProblem, ImportRejected, ImportResult, file_sha256
from cpas_kit.data_in.boundaries import mission_areas
from cpas_kit.data_in.external import hxl as _hxl
from cpas_kit.data_in.external import worldbank as _wb
from cpas_kit.data_in.external.acled import read_acled
from cpas_kit.data_in.external.aliases import load_aliases
from cpas_kit.data_in.external.conflict_events import mission_events
from cpas_kit.data_in.external.countries import host_country
from cpas_kit.data_in.external.queries import events_summary, read_context_values, read_events
from cpas_kit.data_in.external.reading import FileProblems
from cpas_kit.data_in.external.store_io import write_context_values, write_events
from cpas_kit.data_in.external.ucdp import read_ucdp
from cpas_kit.framework.model import Mission
from cpas_kit.store import Store

__all__ = [
    "events_summary",
    "import_acled",
    "import_hxl",
    "import_ucdp",
    "import_worldbank",
    "read_context_values",
    "read_events",
]


def import_acled(store: Store, path: str | Path, mission: str, *, actor: str,
                 aliases: str | Path | None = None) -> ImportResult:
    """Import an ACLED CSV export as events of ``mission`` (source "acled"); ``aliases``: an extra alias file."""
    return _import_events("acled", read_acled, store, path, mission, actor=actor, aliases=aliases)


def import_ucdp(store: Store, path: str | Path, mission: str, *, actor: str,
                aliases: str | Path | None = None) -> ImportResult:
    """Import a UCDP GED CSV file (with or without its header row) as events of ``mission`` (source "ucdp")."""
    return _import_events("ucdp", read_ucdp, store, path, mission, actor=actor, aliases=aliases)


def import_worldbank(store: Store, path: str | Path, mission: str, *, actor: str) -> ImportResult:
    """Import the host country's row of a World Bank ``API_…`` CSV (or its region and income group from a
    ``Metadata_Country_…`` file) as national context values of ``mission`` (source "worldbank")."""
    m, result = _start("worldbank", store, path, mission)
    values = _read(result, lambda: _wb.read_worldbank(path, m.country_iso3, result.notes))
    frame, result.rows_read, warnings = values
    result.warnings += warnings
    write_context_values(store.engine, frame.assign(mission_code=mission, source=_wb.SOURCE), result,
                         source=_wb.SOURCE, actor=actor)
    return result


def import_hxl(store: Store, path: str | Path, mission: str, *, actor: str, period: str | None = None,
               aliases: str | Path | None = None) -> ImportResult:
    """Import an HDX/HXL CSV as context values per admin-1 area and reporting period of ``mission``
    (source "hxl"): flows (``+num``, ``#affected+killed`` …) are summed over a period, stocks (``#inneed``,
    ``#affected+idps`` …) keep the period's latest date. ``period`` dates a file that has no date column."""
    m, result = _start("hxl", store, path, mission)
    areas = mission_areas(store, mission)
    names = load_aliases(m.country_iso3, mission, aliases)
    frame, result.rows_read, result.rows_unmatched, warnings = _read(result, lambda: _hxl.read_hxl(
        path, country=host_country(m.country_iso3), areas=areas, cycle_kind=m.cycle_kind, period=period,
        aliases=names, result=result))
    result.warnings += warnings
    write_context_values(store.engine, frame.assign(mission_code=mission, source=_hxl.SOURCE), result,
                         source=_hxl.SOURCE, actor=actor)
    return result


def _start(kind: str, store: Store, path: str | Path, mission: str) -> tuple[Mission, ImportResult]:
    """The mission (its framework must be in the store) and a fresh result; a missing file is rejected."""
    m = store.framework(mission).mission
    path = Path(path)
    result = ImportResult(kind=kind, file=str(path), mission=mission)
    if not path.is_file():
        result.errors = [ImportProblem(message=f"There is no file at {path}: check the folder and the file name.")]
        raise ImportRejected(result)
    result.sha256 = file_sha256(path)
    return m, result


def _read(result: ImportResult, reader: Callable[[], tuple]) -> tuple:
    """Run a reader; its problems reject the file with everything listed."""
    try:
        return reader()
    except FileProblems as exc:
        result.rows_read = exc.rows_read
        result.errors = list(exc.problems)
        raise ImportRejected(result) from None


def _import_events(kind: str, reader: Callable[..., tuple[pd.DataFrame, int]], store: Store, path: str | Path,
                   mission: str, *, actor: str, aliases: str | Path | None) -> ImportResult:
    m, result = _start(kind, store, path, mission)
    country = host_country(m.country_iso3)
    names = load_aliases(m.country_iso3, mission, aliases)  # a bad alias file stops before reading
    read, result.rows_read = _read(result, lambda: reader(Path(path), country=country, notes=result.notes))
    frame = mission_events(read, m, source=kind, result=result, areas=mission_areas(store, mission), aliases=names)
    write_events(store.engine, frame, result, source=kind, actor=actor)
    return result
