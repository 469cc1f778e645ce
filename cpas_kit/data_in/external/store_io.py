"""Writing events and context values to the store: idempotent, one write transaction per import.

Events are keyed by (mission, source, source event id). Each carries ``row_hash``, a 128-bit hash of its stored
fields computed column by column (:func:`row_hashes`, vectorized): an event whose hash is unchanged is left alone
(it keeps the import that first wrote it), a changed one is updated and its old values go to the audit log, a
new one is inserted. New events are inserted in chunks through the database driver (``executemany`` on SQLite,
``COPY`` on PostgreSQL) inside the same transaction as the ``imports`` provenance row, so an import is written
whole or not at all.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from pandas.util import hash_array
from sqlalchemy import Connection, Engine, and_, bindparam, insert, select, update

from cpas_kit.core.import_report import ImportResult
from cpas_kit.data_in.external.reading import distinct, spread
from cpas_kit.store.audit import now, record_import, write_audit
from cpas_kit.store.engine import run_write
from cpas_kit.store.schema import context_values, events

CHUNK = 50_000
SQLITE_CACHE_KIB = 200_000  # page cache of the importing connection: keeps index pages of a big insert in memory
AUDIT_ROWS_MAX = 1_000  # changed events whose old values are audited one by one; the rest are summarised
HASHED = (
    "event_date", "period", "period_start", "disorder_type", "event_type", "sub_event_type", "actor1", "actor2",
    "inter1", "inter2", "civilian_targeting", "admin1_name", "admin2_name", "location", "latitude", "longitude",
    "admin1_code", "admin1_match", "fatalities_best", "fatalities_low", "fatalities_high", "fatalities_civilians",
    "data_source",
)
INSERTED = ("mission_code", "source", "source_event_id") + HASHED + ("row_hash", "import_id")
DATE_COLUMNS = ("event_date", "period_start")
CONTEXT_COMPARED = ("indicator_name", "unit", "admin1_name", "period_start", "period_end", "value", "value_text")
_KEYS = ("cpas-row-hash-k1", "cpas-row-hash-k2")
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F))
_NA_HASH = np.uint64(0x5BD1E9955BD1E995)
_HEX = np.frombuffer("0123456789abcdef".encode("utf-32-le"), dtype=np.uint32)


# -- row hashes -----------------------------------------------------------------------------------

def _column_hashes(values: pd.Series, key: str) -> np.ndarray:
    """One uint64 per row for one column (text hashed once per distinct value)."""
    dtype = values.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        arr = values.to_numpy("datetime64[ns]").view("int64")
    elif pd.api.types.is_bool_dtype(dtype):
        arr = values.to_numpy(dtype="uint8")
    elif pd.api.types.is_numeric_dtype(dtype):
        arr = values.to_numpy(dtype="float64", na_value=np.nan)
    else:
        codes, uniques = distinct(values)
        hashed = hash_array(uniques.astype(str).astype(object), hash_key=key, categorize=False)
        return spread(codes, hashed, _NA_HASH)
    return hash_array(arr)


def row_hashes(frame: pd.DataFrame, columns: tuple[str, ...] = HASHED) -> np.ndarray:
    """32 hex characters per row: two independent 64-bit combinations of the columns' hashes.

    Deterministic for the same values and dtypes (pandas' SipHash for text, its integer mixer for numbers),
    so the same file always gives the same hashes.
    """
    n = len(frame)
    halves = []
    for key, mix in zip(_KEYS, _MIX):
        h = np.zeros(n, dtype=np.uint64)
        for i, c in enumerate(columns):
            col = _column_hashes(frame[c], key)
            h = (h ^ col) * mix + np.uint64(i + 1)
            h ^= h >> np.uint64(29)
        halves.append(h)
    raw = np.stack(halves, axis=1).astype(">u8").view(np.uint8).reshape(n, 16)
    chars = np.empty((n, 32), dtype=np.uint32)
    chars[:, 0::2] = _HEX[raw >> 4]
    chars[:, 1::2] = _HEX[raw & 15]
    return chars.view("<U32").ravel().astype(object)


def iso_dates(values: pd.Series) -> np.ndarray:
    """Dates as ``YYYY-MM-DD`` strings (formatted once per distinct date), the form SQLite stores."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = np.append(pd.DatetimeIndex(uniques).strftime("%Y-%m-%d").to_numpy(dtype=object), None)
    return text[codes]


# -- events ---------------------------------------------------------------------------------------

def write_events(engine: Engine, frame: pd.DataFrame, result: ImportResult, *, source: str, actor: str) -> None:
    """Insert new events, update changed ones (old values audited), count unchanged ones; one transaction.

    ``frame`` is :class:`~cpas_kit.data_in.external.schemas.EventsToStore` for one mission and source. Fills
    ``result.rows_imported`` and ``result.rows_unchanged`` and records the import's provenance row.
    """
    mission = result.mission

    def _do(conn: Connection) -> None:
        ids, hashes, row_ids = _existing_events(conn, mission, source)
        pos = pd.Index(ids).get_indexer(frame["source_event_id"]) if len(ids) else np.full(len(frame), -1)
        new = pos < 0
        old_hash = np.append(hashes, None)[pos]
        changed = ~new & (old_hash != frame["row_hash"].to_numpy(dtype=object))
        result.rows_imported = int(new.sum() + changed.sum())
        result.rows_unchanged = int(len(frame) - result.rows_imported)
        import_id = record_import(conn, result, actor=actor, at=now())
        if new.any():
            _insert_events(conn, frame.loc[new], import_id)
            write_audit(conn, actor=actor, action="insert", entity="event",
                        key=f"{source}: {int(new.sum())} new events", mission=mission,
                        new={"rows": int(new.sum()), "import_id": import_id, "file": result.file})
        if changed.any():
            _update_events(conn, frame.loc[changed], np.append(row_ids, -1)[pos[changed]], import_id,
                           source=source, mission=mission, actor=actor, file=result.file)

    run_write(engine, _do)


def _cursor(conn: Connection):
    return conn.connection.driver_connection.cursor()


def _mark(conn: Connection) -> str:
    return "?" if conn.dialect.name == "sqlite" else "%s"


def _existing_events(conn: Connection, mission: str, source: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Source ids, row hashes and row ids of the mission's stored events of ``source``."""
    m = _mark(conn)
    cur = _cursor(conn)
    try:
        cur.execute(f"SELECT source_event_id, row_hash, id FROM events WHERE mission_code = {m} AND source = {m}",
                    (mission, source))
        rows = cur.fetchall()
    finally:
        cur.close()
    if not rows:
        empty = np.array([], dtype=object)
        return empty, empty, np.array([], dtype=np.int64)
    ids, hashes, row_ids = zip(*rows)
    return np.array(ids, dtype=object), np.array(hashes, dtype=object), np.array(row_ids, dtype=np.int64)


def _driver_columns(conn: Connection, frame: pd.DataFrame, columns: tuple[str, ...]) -> list[list[Any]]:
    """Column lists of plain Python values in ``columns`` order, dates as ISO text.

    For SQLite, missing values are bound as "" (text, turned back into NULL by :func:`_placeholders`) or NaN
    (numbers, which SQLite stores as NULL): the sqlite3 module binds ``None`` through its slow adapter lookup,
    which costs more than the whole rest of a row. PostgreSQL gets ``None``.
    """
    sqlite = conn.dialect.name == "sqlite"
    out = []
    for c in columns:
        s = frame[c]
        if c in DATE_COLUMNS:
            out.append(iso_dates(s).tolist())
        elif isinstance(s.dtype, pd.CategoricalDtype):
            out.append(spread(s.cat.codes.to_numpy(), s.cat.categories.to_numpy(dtype=object),
                              "" if sqlite else None).tolist())
        elif pd.api.types.is_bool_dtype(s.dtype):
            arr = s.to_numpy(dtype=bool)
            out.append(arr.astype(int).tolist() if sqlite else arr.tolist())
        elif sqlite and pd.api.types.is_numeric_dtype(s.dtype):
            out.append(s.to_numpy(dtype="float64", na_value=np.nan).tolist() if s.hasnans or s.dtype != "int64"
                       else s.tolist())
        else:
            out.append(s.to_numpy(dtype=object, na_value="" if sqlite else None).tolist())
    return out


def _placeholders(conn: Connection, frame: pd.DataFrame, columns: tuple[str, ...]) -> list[str]:
    """One parameter marker per column; SQLite text columns read "" back as NULL."""
    if conn.dialect.name != "sqlite":
        return ["%s"] * len(columns)
    return ["?" if pd.api.types.is_numeric_dtype(frame[c].dtype) or pd.api.types.is_bool_dtype(frame[c].dtype)
            or c in DATE_COLUMNS else "NULLIF(?, '')" for c in columns]


def _insert_events(conn: Connection, frame: pd.DataFrame, import_id: int) -> None:
    """Bulk insert, in chunks, through the driver (same transaction)."""
    frame = frame.assign(import_id=import_id)
    names = ", ".join(INSERTED)
    marks = ", ".join(_placeholders(conn, frame, INSERTED))
    cur = _cursor(conn)
    try:
        if conn.dialect.name == "sqlite":
            cur.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")  # this connection only; it closes after the write
        for start in range(0, len(frame), CHUNK):
            rows = list(zip(*_driver_columns(conn, frame.iloc[start:start + CHUNK], INSERTED)))
            if conn.dialect.name == "postgresql":
                with cur.copy(f"COPY events ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cur.executemany(f"INSERT INTO events ({names}) VALUES ({marks})", rows)
    finally:
        cur.close()


def _update_events(conn: Connection, frame: pd.DataFrame, row_ids: np.ndarray, import_id: int, *, source: str,
                   mission: str | None, actor: str, file: str) -> None:
    """Update changed events; audit the old values (one record per row up to AUDIT_ROWS_MAX, plus a summary)."""
    audited = frame.iloc[:AUDIT_ROWS_MAX]
    old = _old_values(conn, row_ids[:AUDIT_ROWS_MAX])
    for rec, rid in zip(audited[["source_event_id", *HASHED]].to_dict("records"), row_ids[:AUDIT_ROWS_MAX]):
        before = old.get(int(rid), {})
        after = {c: _plain(rec[c]) for c in HASHED}
        diff = [c for c in HASHED if before.get(c) != after[c]]
        write_audit(conn, actor=actor, action="update", entity="event", key=f"{source}:{rec['source_event_id']}",
                    mission=mission, old={c: before.get(c) for c in diff}, new={c: after[c] for c in diff},
                    note=f"re-import of {file} (import {import_id})")
    if len(frame) > AUDIT_ROWS_MAX:
        write_audit(conn, actor=actor, action="update", entity="event", key=f"{source}: {len(frame)} changed events",
                    mission=mission, new={"rows": len(frame), "import_id": import_id},
                    note=f"old values of the first {AUDIT_ROWS_MAX} recorded one by one; the other "
                         f"{len(frame) - AUDIT_ROWS_MAX} were overwritten by {file}")
    frame = frame.assign(import_id=import_id)
    columns = HASHED + ("row_hash", "import_id")
    m = _mark(conn)
    sets = ", ".join(f"{c} = {p}" for c, p in zip(columns, _placeholders(conn, frame, columns)))
    cur = _cursor(conn)
    try:
        for start in range(0, len(frame), CHUNK):
            chunk = frame.iloc[start:start + CHUNK]
            values = _driver_columns(conn, chunk, columns) + [row_ids[start:start + CHUNK].tolist()]
            cur.executemany(f"UPDATE events SET {sets} WHERE id = {m}", list(zip(*values)))
    finally:
        cur.close()


def _plain(value: Any) -> Any:
    """A JSON-friendly, comparable form of a stored value."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (pd.Timestamp, date)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


def _old_values(conn: Connection, row_ids: np.ndarray) -> dict[int, dict[str, Any]]:
    """Stored values of events by row id (for the audit log)."""
    cols = [events.c.id, *[events.c[c] for c in HASHED]]
    rows = conn.execute(select(*cols).where(events.c.id.in_([int(i) for i in row_ids]))).mappings().all()
    return {r["id"]: {c: _plain(r[c]) for c in HASHED} for r in rows}


# -- context values -------------------------------------------------------------------------------

def write_context_values(engine: Engine, frame: pd.DataFrame, result: ImportResult, *, source: str,
                         actor: str) -> None:
    """Upsert context values keyed by (mission, source, indicator, area, period); one transaction.

    ``frame`` is :class:`~cpas_kit.data_in.external.schemas.ContextValues`. Fills ``rows_imported``/``rows_unchanged``
    (counted in values) and records the provenance row; changed values are audited with their old values.
    """
    mission = result.mission
    records = [{k: _plain(v) for k, v in r.items()} for r in frame.to_dict("records")]
    for r in records:
        r["period_start"] = date.fromisoformat(r["period_start"])
        r["period_end"] = date.fromisoformat(r["period_end"])

    def _do(conn: Connection) -> None:
        existing = {(r.indicator_code, r.admin1_code, r.period): r for r in conn.execute(
            select(context_values).where(and_(context_values.c.mission_code == mission,
                                              context_values.c.source == source))).mappings()}
        new, changed = [], []
        for r in records:
            old = existing.get((r["indicator_code"], r["admin1_code"], r["period"]))
            if old is None:
                new.append(r)
            elif any(_differs(old[c], r[c]) for c in CONTEXT_COMPARED):
                changed.append((old, r))
        result.rows_imported = len(new) + len(changed)
        result.rows_unchanged = len(records) - result.rows_imported
        import_id = record_import(conn, result, actor=actor, at=now())
        if new:
            conn.execute(insert(context_values), [{**r, "mission_code": mission, "source": source,
                                                   "import_id": import_id} for r in new])
            write_audit(conn, actor=actor, action="insert", entity="context_value",
                        key=f"{source}: {len(new)} new values", mission=mission,
                        new={"rows": len(new), "import_id": import_id, "file": result.file})
        if changed:
            conn.execute(update(context_values).where(context_values.c.id == bindparam("_id")).values(
                **{c: bindparam(c) for c in CONTEXT_COMPARED}, import_id=bindparam("_import_id")),
                [{"_id": old["id"], "_import_id": import_id, **{c: r[c] for c in CONTEXT_COMPARED}}
                 for old, r in changed])
            for old, r in changed:
                diff = [c for c in CONTEXT_COMPARED if _differs(old[c], r[c])]
                write_audit(conn, actor=actor, action="update", entity="context_value",
                            key=f"{source}:{r['indicator_code']}|{r['admin1_code']}|{r['period']}", mission=mission,
                            old={c: old[c] for c in diff}, new={c: r[c] for c in diff},
                            note=f"re-import of {result.file} (import {import_id})")

    run_write(engine, _do)


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, float) and isinstance(new, float):
        return not np.isclose(old, new, rtol=1e-12, atol=0.0)
    return old != new
