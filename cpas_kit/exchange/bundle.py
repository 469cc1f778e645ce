"""One mission's store (or one cycle of it) as one file, and merging that file into a shared store.

``cpas export --mission M [--cycle C] -o FILE`` writes an *exchange file* at the mission;
``cpas merge FILE`` folds it into the store named by ``CPAS_DB_URL`` at headquarters (SQLite or PostgreSQL).

**Format: gzip-compressed JSON Lines** (``M.jsonl.gz``), rather than a compressed copy of the SQLite file:

* it is smaller: no SQLite pages, indexes or free space travel. The demo mission UN-DEMO (5,500
  observations): store file about 2 MB, the same file gzip-compressed 140–190 KB, exchange file 51 KB; with
  20,000 ACLED events: 10.4 MB, 1.9 MB and 1.2 MB (``benchmarks/exchange.py``);
* it is written and read as a stream, row by row: no temporary database to unpack at headquarters;
* rows carry **natural keys**, never a store's autoincrement ids (which mean nothing in another store): a
  framework indicator names its framework as ``["UN-DEMO", 1]`` (mission, version), an event of the
  tracker its recommendation as ``["UN-DEMO", "<rec_key>"]``;
* it is plain text under one compression every system opens (``zcat FILE | head -1`` shows the manifest),
  independent of SQLite or PostgreSQL versions;
* gzip's CRC-32 and length catch a truncated transfer, the manifest's SHA-256 of the content the rest.

Layout: line 1 is the **manifest**, in its own gzip member (format and version, mission, cycle, schema
revision, columns and row count of every table, SHA-256 and size of the content, created at/by); then,
table by table in :data:`SPECS` order, a header line ``{"table": name}`` followed by one JSON array per row
in the manifest's column order. Times are ISO 8601 in UTC, dates ISO, numbers as JSON numbers.

**Merging** is table-driven: each :class:`~cpas_kit.exchange.tables.TableSpec` names a table's natural key,
the foreign keys carried as their parent's natural key, and how a one-cycle export selects rows
(:mod:`cpas_kit.exchange.tables`; reading: :mod:`cpas_kit.exchange.file`; merging:
:mod:`cpas_kit.exchange.merge`). The whole file is checked
before anything is written (format and version, checksum, schema revision, columns and types, references,
the mission's results framework and indicators); then, in one transaction, rows missing from the store are
inserted, rows already there identically are counted unchanged, and rows there with different content
are reported as **conflicts** (table, natural key, field, ours vs theirs) and left as they are. Append-only
logs merge by position: the tracker's events by recommendation and sequence number, so events a mission
added since the last merge are appended, and a history that diverged is reported, never interleaved.
Merging the same file twice changes nothing. A merge that inserted rows is audited and recorded in the
``imports`` table (kind ``merge``); one that inserted nothing leaves no trace (that is what makes it
idempotent), its conflicts are in its report.

Tables left out: none of the per-mission tables; ``fatalities`` (UN peacekeeping fatalities) is global
headquarters data, not a mission's, so it is never exported (:data:`EXCLUDED`).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from pydantic import BaseModel
from sqlalchemy import Connection, Engine, and_, select

from cpas_kit import __version__
from cpas_kit.core.errors import NotFoundError
from cpas_kit.core.periods import Period
from cpas_kit.exchange.file import FORMAT, FORMAT_VERSION, ExchangeFile, read_exchange
from cpas_kit.exchange.merge import MergeConflict, MergeResult, merge_file
from cpas_kit.exchange.tables import (
    CANON,
    CHUNK,
    EXCLUDED,
    PARENTS,
    SEQ,
    SPEC_BY_NAME,
    SPECS,
    TableSpec,
    canon_datetime,
    dumps,
    natural_key,
)
from cpas_kit.store import schema as S

__all__ = ["EXCLUDED", "FORMAT", "FORMAT_VERSION", "SEQ", "SPECS", "ExchangeFile", "ExportSummary", "MergeConflict",
           "MergeResult", "TableSpec", "export_mission", "merge_file", "read_exchange"]


class ExportSummary(BaseModel):
    """What ``cpas export`` wrote."""

    file: str
    mission: str
    cycle: str | None
    rows: dict[str, int]
    file_bytes: int
    content_sha256: str
    schema_revision: str | None


@dataclass
class _Export:
    conn: Connection
    mission: str
    cycle: Period | None
    ids: dict[str, list[int]] = field(default_factory=dict)  # exported ids of parent tables
    keys: dict[str, dict[int, tuple]] = field(default_factory=dict)  # parent table: id -> natural key

    def key_of(self, table: str, row_id: int | None) -> tuple | None:
        """The natural key of a parent row (read from the store if it was not exported itself)."""
        if row_id is None:
            return None
        known = self.keys.setdefault(table, {})
        if row_id not in known:
            spec = SPEC_BY_NAME[table]
            row = self.conn.execute(select(spec.table).where(spec.table.c.id == row_id)).mappings().one()
            known[row_id] = natural_key(spec, self._canonical(spec, row))
        return known[row_id]

    def _canonical(self, spec: TableSpec, row: Mapping[str, Any]) -> dict[str, Any]:
        out = {c: CANON[spec.name][c](row[c]) for c in spec.columns if c != SEQ}
        for col, parent in spec.refs.items():
            out[col] = self.key_of(parent, row[col])
        return out



@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One consistent read of the whole store (REPEATABLE READ on PostgreSQL)."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def _rows_for_export(spec: TableSpec, ctx: _Export) -> Iterator[dict[str, Any]]:
    t = spec.table
    if spec.owner is not None:
        owner_ids = sorted(ctx.ids.get(spec.refs[spec.owner], []))
        batches = [t.c[spec.owner].in_(owner_ids[i:i + CHUNK]) for i in range(0, len(owner_ids), CHUNK)]
    else:
        batches = [t.c[spec.mission_column] == ctx.mission]
        if ctx.cycle is not None and spec.cycle_sql is not None:
            batches = [and_(batches[0], spec.cycle_sql(t, ctx.cycle))]
    order = [t.c.id] if "id" in t.c else [t.c[c] for c in spec.key if c in t.c]
    seq: dict[Any, int] = {}
    for cond in batches:
        for row in ctx.conn.execute(select(t).where(cond).order_by(*order)).mappings():
            if ctx.cycle is not None and spec.cycle_rows is not None and not spec.cycle_rows(row, ctx):
                continue
            out = ctx._canonical(spec, row)
            if spec.sequence:
                seq[row[spec.sequence]] = seq.get(row[spec.sequence], 0) + 1
                out[SEQ] = seq[row[spec.sequence]]
            if spec.name in PARENTS:
                ctx.ids.setdefault(spec.name, []).append(row["id"])
                ctx.keys.setdefault(spec.name, {})[row["id"]] = natural_key(spec, out)
            yield out


def export_mission(store: Any, mission: str, path: "str | Path", *, cycle: str | None = None,
                   actor: str) -> ExportSummary:
    """Write ``mission``'s rows (all, or those of one ``cycle``) to the exchange file ``path``.

    A one-cycle export carries the cycle's observations, events, context values, recommendations (with
    their whole history), workshop sessions and stakeholder snapshots, and always the mission, its
    framework versions and its import records, so headquarters can check it on its own.
    """
    period = Period.parse(cycle) if cycle else None
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    body_path = out.with_name(out.name + ".body.tmp")
    sha, size, counts = hashlib.sha256(), 0, {}
    try:
        with _snapshot(store.engine) as conn:
            if conn.execute(select(S.missions.c.code).where(S.missions.c.code == mission)).first() is None:
                known = ", ".join(conn.execute(select(S.missions.c.code).order_by(S.missions.c.code)).scalars())
                raise NotFoundError(f"mission '{mission}' is not in this store (missions here: {known or 'none'})")
            revision = MigrationContext.configure(conn).get_current_revision()
            ctx = _Export(conn, mission, period)
            with gzip.open(body_path, "wb", compresslevel=9) as body:
                for spec in SPECS:
                    lines = [dumps({"table": spec.name}) + b"\n"]
                    n = 0
                    for row in _rows_for_export(spec, ctx):
                        lines.append(dumps([row[c] for c in spec.columns]) + b"\n")
                        n += 1
                        if len(lines) >= 2000:
                            size += _emit(body, sha, lines)
                    size += _emit(body, sha, lines)
                    counts[spec.name] = n
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "mission": mission,
            "cycle": None if period is None else str(period), "schema_revision": revision,
            "tables": {s.name: {"columns": s.columns, "rows": counts[s.name]} for s in SPECS},
            "content_sha256": sha.hexdigest(), "content_bytes": size,
            "created_at": canon_datetime(datetime.now(timezone.utc)), "created_by": actor,
            "software": f"cpas-workbench {__version__}", "source_dialect": store.engine.dialect.name,
        }
        tmp = out.with_name(out.name + ".tmp")
        with open(tmp, "wb") as fh:
            fh.write(gzip.compress(dumps(manifest) + b"\n", compresslevel=9))
            with open(body_path, "rb") as src:
                shutil.copyfileobj(src, fh)
        os.replace(tmp, out)
    finally:
        body_path.unlink(missing_ok=True)
    return ExportSummary(file=str(out), mission=mission, cycle=manifest["cycle"], rows=counts,
                         file_bytes=out.stat().st_size, content_sha256=manifest["content_sha256"],
                         schema_revision=revision)


def _emit(fh: Any, sha: Any, lines: list[bytes]) -> int:
    chunk = b"".join(lines)
    fh.write(chunk)
    sha.update(chunk)
    lines.clear()
    return len(chunk)


