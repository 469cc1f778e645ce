"""The append-only audit log and the provenance of imports: what every feature records with each change, in its
transaction."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert

from cpas_kit.core.import_report import ImportResult
from cpas_kit.store.schema import audit_log, imports


def now() -> datetime:
    """The current time in UTC (every timestamp the store writes)."""
    return datetime.now(timezone.utc)


def write_audit(conn: Connection, *, actor: str, action: str, entity: str, key: str, mission: str | None,
                old: Any = None, new: Any = None, note: str | None = None) -> None:
    """Append one record to the audit log (inside the caller's transaction)."""
    conn.execute(insert(audit_log).values(
        at=now(), actor=actor, action=action, entity=entity, entity_key=key, mission_code=mission,
        old_value=None if old is None else json.dumps(old, default=str, ensure_ascii=False),
        new_value=None if new is None else json.dumps(new, default=str, ensure_ascii=False),
        note=note,
    ))


def record_import(conn: Connection, result: ImportResult, *, actor: str, at: Any) -> int | None:
    """Append the provenance row of an accepted import (inside the caller's write transaction); return its id.

    An import that changed nothing (every row already stored as it is) leaves no row, so importing the same
    file twice changes nothing at all; None is returned then.
    """
    if result.rows_imported == 0:
        return None
    return conn.execute(insert(imports).values(
        kind=result.kind, mission_code=result.mission, file_name=Path(result.file).name, file_sha256=result.sha256,
        imported_at=at, imported_by=actor, rows_read=result.rows_read, rows_imported=result.rows_imported,
        rows_unchanged=result.rows_unchanged, rows_unmatched=result.rows_unmatched,
    ).returning(imports.c.id)).scalar_one()
