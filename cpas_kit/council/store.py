"""Checked reports in the store: ``CouncilStore(store).record_check(...)`` and the share over time per mission."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Connection, insert, select, update

from cpas_kit.store import Store
from cpas_kit.store.audit import now, write_audit
from cpas_kit.store.engine import read, run_write
from cpas_kit.store.schema import report_checks

COUNTS = ("paragraphs", "operative", "informed", "could_be_informed", "contradicts")
TREND_COLUMNS = ("mission_code", "title", "report_date", "cycle", "language", "file_name", *COUNTS, "share_informed",
                 "share_informed_operative", "is_synthetic", "checked_at")


class CouncilStore:
    """Reports to the Security Council checked against a store."""

    def __init__(self, store: Store):
        self.store = store
        self.engine = store.engine

    def record_check(self, mission: str, *, title: str, report_date: date | None, cycle: str | None, language: str,
                     file_name: str, file_sha256: str, summary: dict[str, Any], is_synthetic: bool,
                     actor: str) -> int:
        """Record one checked report (checking the same file again replaces its figures); return its id."""
        row = dict(title=title, report_date=report_date, cycle=cycle, language=language, file_name=file_name,
                   is_synthetic=is_synthetic, share_informed=summary["share_informed"],
                   share_informed_operative=summary["share_informed_operative"],
                   **{k: int(summary[k]) for k in COUNTS})

        def _do(conn: Connection) -> int:
            old = conn.execute(select(report_checks).where(
                report_checks.c.mission_code == mission, report_checks.c.file_sha256 == file_sha256)).mappings().first()
            stamp = now()
            audit_new = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()}
            if old is None:
                rid = conn.execute(insert(report_checks).values(
                    mission_code=mission, file_sha256=file_sha256, checked_at=stamp, checked_by=actor, **row,
                ).returning(report_checks.c.id)).scalar_one()
                write_audit(conn, actor=actor, action="insert", entity="report_check", key=f"{mission}|{file_sha256}",
                            mission=mission, new=audit_new)
                return rid
            conn.execute(update(report_checks).where(report_checks.c.id == old["id"]).values(
                checked_at=stamp, checked_by=actor, **row))
            write_audit(conn, actor=actor, action="update", entity="report_check", key=f"{mission}|{file_sha256}",
                        mission=mission, old={k: (old[k].isoformat() if isinstance(old[k], date) else old[k])
                                              for k in row}, new=audit_new)
            return int(old["id"])

        return run_write(self.engine, _do)

    def report_checks(self, missions: list[str] | None = None) -> pd.DataFrame:
        """Checked reports, oldest report first (by report date, else check date): the share over time."""
        q = select(*[report_checks.c[c] for c in TREND_COLUMNS])
        if missions is not None:
            q = q.where(report_checks.c.mission_code.in_(list(missions)))
        with read(self.engine) as conn:
            rows = [dict(r) for r in conn.execute(q).mappings()]
        frame = pd.DataFrame(rows, columns=list(TREND_COLUMNS))
        if not len(frame):
            return frame
        frame["_order"] = [r["report_date"] or r["checked_at"].date() for r in rows]
        return frame.sort_values(["mission_code", "_order", "title"]).drop(columns="_order").reset_index(drop=True)
