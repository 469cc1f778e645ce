"""UN peacekeeping fatalities in the store: idempotent writes keyed by the file's ``id``, and summaries.

One row per casualty. The mission is the file's ``mission_acronym`` as written (it is not tied to a mission of
the store: headquarters keeps every mission's fatalities). ``casualty_nationality``, ``casualty_m49_code`` and
``casualty_iso3`` describe the casualty's nationality, never the mission's host country.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, Literal

import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, func, insert, select, update

from cpas_kit.core.import_report import ImportResult
from cpas_kit.store import Store
from cpas_kit.store.audit import record_import, write_audit
from cpas_kit.store.engine import read, run_write
from cpas_kit.store.schema import fatalities

FIELDS = ("incident_date", "incident_year", "casualty_id", "mission_acronym", "type_of_casualty", "gender",
          "casualty_nationality", "casualty_personnel_type", "type_of_incident", "casualty_m49_code", "casualty_iso3",
          "last_update")
AUDITED_MAX = 1_000  # changed rows audited one by one; beyond that one summary record
GROUPS = {"mission": fatalities.c.mission_acronym, "year": fatalities.c.incident_year,
          "incident": fatalities.c.type_of_incident}
_CHUNK = 900  # ids per IN (...) list, under SQLite's bound-parameter limit


def _records(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Rows keyed by source id, with Python values (dates as ``date``, missing as None)."""
    out: dict[str, dict[str, Any]] = {}
    for row in frame.to_dict("records"):
        rec = {f: (None if row[f] is None or (not isinstance(row[f], str) and pd.isna(row[f])) else row[f])
               for f in FIELDS}
        for f in ("incident_date", "last_update"):
            if rec[f] is not None:
                rec[f] = pd.Timestamp(rec[f]).date()
        rec["incident_year"] = int(rec["incident_year"])
        out[str(row["source_id"])] = rec
    return out


def _stored(conn: Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for i in range(0, len(ids), _CHUNK):
        q = select(fatalities.c.source_id, *[fatalities.c[f] for f in FIELDS]).where(
            fatalities.c.source_id.in_(ids[i:i + _CHUNK]))
        for row in conn.execute(q).mappings():
            found[row["source_id"]] = {f: row[f] for f in FIELDS}
    return found


def write_fatalities(engine: Engine, frame: pd.DataFrame, result: ImportResult, *, actor: str,
                     audit: Callable[..., None]) -> ImportResult:
    """Insert new casualties, update changed ones (old values to the audit log), leave the rest; one transaction.

    Fills ``result.rows_imported`` (inserted + updated) and ``rows_unchanged``; the ``imports`` provenance row is
    written only when something changed, so importing the same file again changes nothing.
    """
    incoming = _records(frame)

    def _do(conn: Connection) -> ImportResult:
        stored = _stored(conn, list(incoming))
        new = [dict(source_id=k, **v) for k, v in incoming.items() if k not in stored]
        changed = [(k, stored[k], v) for k, v in incoming.items() if k in stored and stored[k] != v]
        result.rows_imported = len(new) + len(changed)
        result.rows_unchanged = len(incoming) - result.rows_imported
        import_id = record_import(conn, result, actor=actor, at=datetime.now(timezone.utc))
        if new:
            conn.execute(insert(fatalities), [dict(r, import_id=import_id) for r in new])
        if changed:
            conn.execute(update(fatalities).where(fatalities.c.source_id == bindparam("key")),
                         [dict(v, key=k, import_id=import_id) for k, _, v in changed])
            for k, old, v in changed[:AUDITED_MAX]:
                diff = [f for f in FIELDS if old[f] != v[f]]
                audit(conn, actor=actor, action="update", entity="fatality", key=k, mission=None,
                      old={f: old[f] for f in diff}, new={f: v[f] for f in diff}, note=result.file)
            if len(changed) > AUDITED_MAX:
                audit(conn, actor=actor, action="update", entity="fatality", key="(many)", mission=None,
                      note=f"{len(changed) - AUDITED_MAX} more changed casualties from {result.file}")
        return result

    return run_write(engine, _do)


def summary(engine: Engine, by: list[Literal["mission", "year", "incident"]], *, missions: list[str] | None = None,
            first_year: int | None = None, last_year: int | None = None) -> pd.DataFrame:
    """Casualties counted per the keys in ``by`` (``mission_acronym``, ``year``, ``type_of_incident``), in SQL."""
    unknown = [b for b in by if b not in GROUPS]
    if unknown or not by:
        raise ValueError(f"fatalities summary: by must name some of {', '.join(GROUPS)}, not {by!r}")
    keys = [GROUPS[b].label("year" if b == "year" else GROUPS[b].name) for b in by]
    q = select(*keys, func.count().label("fatalities")).group_by(*[GROUPS[b] for b in by]).order_by(*keys)
    if missions is not None:
        q = q.where(fatalities.c.mission_acronym.in_(missions))
    if first_year is not None:
        q = q.where(fatalities.c.incident_year >= first_year)
    if last_year is not None:
        q = q.where(fatalities.c.incident_year <= last_year)
    with read(engine) as conn:
        frame = pd.DataFrame(conn.execute(q).all(), columns=[k.name for k in keys] + ["fatalities"])
    return frame.astype({"fatalities": "int64", **({"year": "int64"} if "year" in by else {})})


def mission_acronyms(engine: Engine) -> list[str]:
    """Every mission acronym with imported fatalities."""
    with read(engine) as conn:
        return list(conn.execute(select(fatalities.c.mission_acronym).distinct()
                                 .order_by(fatalities.c.mission_acronym)).scalars())


class FatalityStore:
    """UN peacekeeping fatalities in a store: ``FatalityStore(store).method(…)``."""

    def __init__(self, store: Store):
        self.store = store
        self.engine = store.engine

    def write_fatalities(self, frame: pd.DataFrame, result: Any, *, actor: str) -> Any:
        """Record checked UN peacekeeping fatalities (idempotent on the file's ``id``); fill and return ``result``."""

        return write_fatalities(self.engine, frame, result, actor=actor, audit=write_audit)

    def fatalities_summary(self, by: list[str], *, missions: list[str] | None = None, first_year: int | None = None,
                           last_year: int | None = None) -> pd.DataFrame:
        """Peacekeeping fatalities counted by ``mission``, ``year`` and/or ``incident`` (type), in SQL."""

        return summary(self.engine, by, missions=missions, first_year=first_year, last_year=last_year)

    def fatality_missions(self) -> list[str]:
        """Mission acronyms with imported fatalities (real missions, not necessarily in this store)."""

        return mission_acronyms(self.engine)
