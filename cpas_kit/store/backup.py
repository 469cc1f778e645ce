"""Backing up the whole store while it is in use, and restoring a backup into an empty store.

Three kinds of backup file, told apart by their first bytes when restored:

* **SQLite** stores are copied with SQLite's online backup API: a consistent snapshot even while apps write
  (the copy is itself a store, ``sqlite:///FILE`` opens it);
* **PostgreSQL** stores are dumped with ``pg_dump --format=custom`` when the PostgreSQL client tools are on the
  ``PATH`` (one consistent snapshot; restored with ``pg_restore``);
* otherwise (or with ``portable=True``) a **portable dump**: gzip-compressed JSON lines, a manifest then every
  table's rows, read in one repeatable-read transaction. It restores into SQLite or PostgreSQL.

Every table goes, headquarters data such as UN peacekeeping fatalities included (which ``cpas export`` rightly
leaves out). A restore goes only into an empty store, and the result is identical table by table.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, Engine, Table, func, insert, select, text, update

from cpas_kit.core.errors import StoreError
from cpas_kit.core.limits import read_line
from cpas_kit.store import Store
from cpas_kit.store.engine import head_revision, make_engine, upgrade
from cpas_kit.store.schema import metadata

FORMAT = "cpas-backup"
FORMAT_VERSION = 1
CHUNK = 1000
_SQLITE_MAGIC = b"SQLite format 3\x00"
_PGDUMP_MAGIC = b"PGDMP"
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class BackupSummary:
    """What a backup or restore did: the file, its kind, the schema revision and the rows per table."""

    file: str
    kind: str  # sqlite | pg_dump | portable
    schema_revision: str | None
    tables: dict[str, int] = field(default_factory=dict)
    bytes: int = 0
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` shape."""
        return {"file": self.file, "kind": self.kind, "schema_revision": self.schema_revision,
                "bytes": self.bytes, "rows": sum(self.tables.values()), "tables": self.tables, "notes": self.notes}


def _is_sqlite(engine: Engine) -> bool:
    return engine.url.get_backend_name() == "sqlite"


def _libpq_url(engine: Engine) -> str:
    """The store URL as PostgreSQL's own tools take it (no SQLAlchemy driver name)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:  # noqa: BLE001 - no alembic table: not a store
            return None


def counts(engine: Engine) -> dict[str, int]:
    """Rows per table of the store behind ``engine``."""
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in metadata.sorted_tables}


def _temp_beside(out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    return Path(tmp)


# -- backup ---------------------------------------------------------------------------------------------

def backup_store(store: Any, out: "str | Path", *, portable: bool = False) -> BackupSummary:
    """Write a consistent copy of the whole store to ``out`` (atomically: a temporary file renamed into place)."""
    out, engine = Path(out), store.engine
    tmp = _temp_beside(out)
    notes: list[str] = []
    try:
        if _is_sqlite(engine) and not portable:
            kind = "sqlite"
            raw = engine.raw_connection()
            try:
                dst = sqlite3.connect(tmp)
                with dst:
                    raw.driver_connection.backup(dst)  # SQLite's online backup: one consistent snapshot
                dst.close()
            finally:
                raw.close()
            tables = counts(make_engine(f"sqlite:///{tmp}"))
        elif not _is_sqlite(engine) and not portable and shutil.which("pg_dump"):
            kind = "pg_dump"
            done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(tmp),
                                   "--dbname", _libpq_url(engine)], capture_output=True, text=True)
            if done.returncode != 0:
                raise StoreError(f"pg_dump could not back up the store ({done.stderr.strip()[:300]}); run "
                                 "`cpas store backup --portable -o FILE` for a portable dump instead")
            tables = counts(engine)
        else:
            kind = "portable"
            if not _is_sqlite(engine) and not portable:
                notes.append("pg_dump is not installed here: a portable dump was written instead")
            tables = _portable_dump(engine, tmp)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return BackupSummary(str(out), kind, _revision(engine), tables, out.stat().st_size, notes)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)  # SQLite hands back naive UTC
        return aware.astimezone(timezone.utc).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _portable_dump(engine: Engine, tmp: Path) -> dict[str, int]:
    """Every table in one repeatable-read transaction, as gzip JSON lines; returns the rows per table."""
    tables: dict[str, int] = {}
    body = tmp.with_suffix(".body")
    try:
        conn = engine.connect()
        if not _is_sqlite(engine):
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn, conn.begin(), gzip.open(body, "wb", compresslevel=6) as fh:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            for t in metadata.sorted_tables:
                cols = [c.name for c in t.columns]
                fh.write(json.dumps({"table": t.name, "columns": cols}).encode() + b"\n")
                n = 0
                for row in conn.execute(select(t).order_by(*t.primary_key.columns)).yield_per(CHUNK):
                    fh.write(json.dumps([_encode(v) for v in row], ensure_ascii=False).encode() + b"\n")
                    n += 1
                tables[t.name] = n
        manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "schema_revision": revision,
                    "created_at": datetime.now(timezone.utc).isoformat(), "dialect": engine.dialect.name,
                    "tables": tables}
        with open(tmp, "wb") as out:
            out.write(gzip.compress(json.dumps(manifest).encode() + b"\n"))
            with open(body, "rb") as src:
                shutil.copyfileobj(src, out)
    finally:
        body.unlink(missing_ok=True)
    return tables


# -- restore --------------------------------------------------------------------------------------------

def restore_store(store: Any, path: "str | Path") -> BackupSummary:
    """Restore the backup ``path`` into ``store``, which must be empty; return what was restored."""
    path, engine = Path(path), store.engine
    if not path.is_file():
        raise StoreError(f"there is no backup file {path}")
    filled = {name: n for name, n in counts(engine).items() if n}
    if filled:
        raise StoreError(f"{store} is not empty ({sum(filled.values())} rows, e.g. in {next(iter(filled))}); a "
                         "backup is restored only into an empty store: point CPAS_DB_URL at a new database or file")
    with path.open("rb") as fh:
        head = fh.read(16)
    if head.startswith(_SQLITE_MAGIC):
        kind = "sqlite"
        _restore_sqlite(path, engine)
    elif head.startswith(_PGDUMP_MAGIC):
        kind = "pg_dump"
        _restore_pg_dump(path, engine)
    elif head.startswith(_GZIP_MAGIC):
        kind = "portable"
        _restore_portable(path, engine)
    else:
        raise StoreError(f"{path.name} is not a CPAS store backup (made by `cpas store backup`)")
    store.engine.dispose()
    return BackupSummary(str(path), kind, _revision(engine), counts(engine), path.stat().st_size)


def _restore_sqlite(path: Path, engine: Engine) -> None:
    """Open a copy of the SQLite backup as a store (upgrading an older one) and copy its rows."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "backup.sqlite"
        with sqlite3.connect(path) as src, sqlite3.connect(copy) as dst:
            src.backup(dst)
        source = Store(f"sqlite:///{copy}")  # brings an older backup to this schema
        try:
            with source.engine.connect() as conn:
                _copy_rows(lambda t: conn.execute(select(t).order_by(*t.primary_key.columns)).yield_per(CHUNK),
                           engine)
        finally:
            source.close()


def _restore_pg_dump(path: Path, engine: Engine) -> None:
    if _is_sqlite(engine):
        raise StoreError(f"{path.name} is a PostgreSQL dump: restore it into a PostgreSQL store (set CPAS_DB_URL), "
                         "or make a portable backup with `cpas store backup --portable -o FILE`")
    if not shutil.which("pg_restore"):
        raise StoreError("restoring a PostgreSQL dump needs pg_restore (the PostgreSQL client tools); install them")
    engine.dispose()
    # --clean: the empty tables (and functions) the store made are replaced by the dump's own, in one transaction
    done = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                           "--single-transaction", "--exit-on-error",
                           "--dbname", _libpq_url(engine), str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        raise StoreError(f"pg_restore could not restore {path.name} ({done.stderr.strip()[:300]})")
    upgrade(engine)  # a dump of an older schema is brought up to date


def _portable_rows(path: Path) -> tuple[dict[str, Any], Iterator[tuple[str, list[str], list[Any]]]]:
    fh = gzip.open(path, "rb")
    try:
        manifest = json.loads(read_line(fh, 1, path.name))
    except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError):
        fh.close()
        raise StoreError(f"{path.name} is not a CPAS store backup, or it is damaged") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        fh.close()
        raise StoreError(f"{path.name} is not a CPAS store backup (made by `cpas store backup`)")

    def rows() -> Iterator[tuple[str, list[str], list[Any]]]:
        table, cols, n = None, [], 1
        with fh:
            for raw in iter(lambda: read_line(fh, n + 1, path.name), b""):
                n += 1
                obj = json.loads(raw)
                if isinstance(obj, dict):
                    table, cols = obj["table"], obj["columns"]
                    continue
                yield table, cols, obj

    return manifest, rows()


def _restore_portable(path: Path, engine: Engine) -> None:
    manifest, rows = _portable_rows(path)
    if manifest.get("schema_revision") != head_revision():
        raise StoreError(f"{path.name} was made at schema revision {manifest.get('schema_revision')}, this CPAS "
                         f"Workbench is at {head_revision()}: restore it with the version that made it, then run "
                         "`cpas store upgrade`")
    by_table: dict[str, list[dict[str, Any]]] = {}
    for table, cols, values in rows:
        t = metadata.tables.get(table)
        if t is None:
            raise StoreError(f"{path.name} holds a table '{table}' this CPAS Workbench does not know")
        by_table.setdefault(table, []).append({c: _decode(t, c, v) for c, v in zip(cols, values)})
    for name, n in manifest.get("tables", {}).items():
        if len(by_table.get(name, [])) != n:
            raise StoreError(f"{path.name} is incomplete: table {name} should hold {n} rows, it holds "
                             f"{len(by_table.get(name, []))}; nothing was restored")
    _copy_rows(lambda t: by_table.get(t.name, []), engine)


def _decode(t: Table, col: str, value: Any) -> Any:
    if value is None or col not in t.c:
        return value
    kind = t.c[col].type
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    return value


def _copy_rows(rows_of: Any, engine: Engine) -> None:
    """Insert every table's rows (keys kept) in dependency order, in one transaction; PostgreSQL ids follow."""
    with engine.begin() as conn:
        for t in metadata.sorted_tables:
            self_refs = [fk.parent.name for fk in t.foreign_keys if fk.column.table is t]
            later: list[tuple[dict[str, Any], dict[str, Any]]] = []
            batch: list[dict[str, Any]] = []
            for row in rows_of(t):
                values = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
                if self_refs and any(values.get(c) is not None for c in self_refs):
                    later.append(({c.name: values[c.name] for c in t.primary_key.columns},
                                  {c: values[c] for c in self_refs}))
                    values = {**values, **{c: None for c in self_refs}}
                batch.append(values)
                if len(batch) >= CHUNK:
                    conn.execute(insert(t), batch)
                    batch = []
            if batch:
                conn.execute(insert(t), batch)
            for key, refs in later:
                conn.execute(update(t).where(*(t.c[k] == v for k, v in key.items())).values(**refs))
            if not _is_sqlite(engine) and "id" in t.c and t.c.id.autoincrement is not False:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{t.name}', 'id'), "
                                  f"COALESCE((SELECT MAX(id) FROM {t.name}), 0) + 1, false)"))

