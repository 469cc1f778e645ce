"""Recommendations drafted in impact assessments: current state, with every change in the audit log."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timezone
from typing import Any, Callable

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select, update

from cpas_kit.periods import Period
from cpas_kit.store.engine import read, run_write
from cpas_kit.store.schema import recommendations

DECISIONS = ("Awaiting Review", "Approved", "Rejected", "Deferred")
PROGRESS = ("Not Assigned", "Not Started", "Ongoing", "Implemented", "Not Implemented")
FIELDS = ("text", "priority_code", "outcome_code", "cycle_recommended", "actions", "lead_section",
          "supporting_sections", "endorsed_by", "decision", "target_date", "progress", "comments")


def recommendation_key(mission: str, cycle: str, text: str) -> str:
    """Stable identity of a recommendation: its mission, cycle recommended and text."""
    norm = " ".join(text.split()).casefold()
    return hashlib.sha256(f"{mission}|{Period.parse(cycle)}|{norm}".encode("utf-8")).hexdigest()


def _normalise(rec: dict[str, Any]) -> dict[str, Any]:
    out = {f: rec.get(f) for f in FIELDS}
    if not out["text"] or not str(out["text"]).strip():
        raise ValueError("a recommendation needs its text")
    out["cycle_recommended"] = str(Period.parse(out["cycle_recommended"]))
    out["decision"] = out["decision"] or "Awaiting Review"
    out["progress"] = out["progress"] or "Not Assigned"
    if out["decision"] not in DECISIONS:
        raise ValueError(f"decision '{out['decision']}' is not one of {', '.join(DECISIONS)}")
    if out["progress"] not in PROGRESS:
        raise ValueError(f"implementation progress '{out['progress']}' is not one of {', '.join(PROGRESS)}")
    if isinstance(out["target_date"], datetime):
        out["target_date"] = out["target_date"].date()
    if out["target_date"] is not None and not isinstance(out["target_date"], date):
        raise ValueError(f"target date {out['target_date']!r} is not a date")
    return out


def write_recommendations(engine: Engine, mission: str, records: list[dict[str, Any]], *, actor: str, source: str,
                          audit: Callable[..., None]) -> dict[str, int]:
    """Insert new recommendations and update changed ones, in one transaction."""
    rows = [_normalise(r) for r in records]

    def _do(conn: Connection) -> dict[str, int]:
        stamp = datetime.now(timezone.utc)
        counts = {"rows_read": len(rows), "inserted": 0, "updated": 0, "unchanged": 0}
        for row in rows:
            key = recommendation_key(mission, row["cycle_recommended"], row["text"])
            old = conn.execute(select(recommendations).where(recommendations.c.mission_code == mission,
                                                             recommendations.c.rec_key == key)).mappings().first()
            if old is None:
                conn.execute(insert(recommendations).values(mission_code=mission, rec_key=key, source=source,
                                                            created_at=stamp, updated_at=stamp, **row))
                audit(conn, actor=actor, action="insert", entity="recommendation", key=key, mission=mission, new=row,
                      note=source)
                counts["inserted"] += 1
            elif any(old[f] != row[f] for f in FIELDS):
                conn.execute(update(recommendations).where(recommendations.c.id == old["id"])
                             .values(updated_at=stamp, **row))
                audit(conn, actor=actor, action="update", entity="recommendation", key=key, mission=mission,
                      old={f: old[f] for f in FIELDS}, new=row, note=source)
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        return counts

    return run_write(engine, _do)


def read_recommendations(engine: Engine, mission: str) -> pd.DataFrame:
    """Current recommendations of a mission, in the order they were recorded."""
    with read(engine) as conn:
        rows = conn.execute(select(recommendations).where(recommendations.c.mission_code == mission)
                            .order_by(recommendations.c.id)).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in recommendations.c])
