"""Writing and reading observations: idempotent upsert on (mission, indicator, period, cell)."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any, Callable

import pandas as pd
from pydantic import ValidationError
from sqlalchemy import Connection, Engine, and_, bindparam, func, insert, select, update

from cpas_kit.core.errors import CpasError
from cpas_kit.core.frames import missing_as_none
from cpas_kit.core.periods import Period
from cpas_kit.data_in.approval import locked_cells, refuse_locked
from cpas_kit.data_in.schemas import ObservationRecord, Observations
from cpas_kit.store import Store
from cpas_kit.store.audit import write_audit
from cpas_kit.store.engine import read, run_write
from cpas_kit.store.schema import observations


class ObservationError(CpasError):
    """Observations handed to the store are invalid; every bad row and column is listed."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        listing = "\n".join(f"  - {p}" for p in problems[:200])
        more = f"\n  … and {len(problems) - 200} more" if len(problems) > 200 else ""
        super().__init__(f"{len(problems)} problem(s) in the observations; nothing was written:\n{listing}{more}")


_CONTENT = ("value", "value_text", "source", "is_synthetic", "note")
_COMPARED = _CONTENT + ("verification_status",)
_CHUNK = 500


def _records(rows: "pd.DataFrame | list[dict[str, Any]]") -> list[dict[str, Any]]:
    """Validate every row; one :class:`ObservationError` lists all bad rows (nothing is written then)."""
    raw = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else list(rows)
    out, problems = [], []
    for i, row in enumerate(raw):
        try:
            rec = ObservationRecord.model_validate(row).model_dump()
        except ValidationError as exc:
            for e in exc.errors():
                col = ".".join(str(x) for x in e["loc"]) or "(row)"
                problems.append(f"row {i + 1}, column {col}: {e['msg'].removeprefix('Value error, ')}")
            continue
        rec["period_start"] = Period.parse(rec["period"]).start
        out.append(rec)
    if problems:
        raise ObservationError(problems)
    return out


def _key(rec: dict[str, Any]) -> tuple[str, str, str, str]:
    return (rec["mission_code"], rec["indicator_code"], rec["period"], rec["disaggregation"])


def write_observations(engine: Engine, frame: "pd.DataFrame | list[dict[str, Any]]", *, actor: str, note: str | None,
                       audit: Callable[..., None],
                       provenance: Callable[[Connection, dict[str, int]], None] | None = None) -> dict[str, int]:
    """Upsert rows (fields of :class:`cpas_kit.data_in.schemas.ObservationRecord`) in one transaction.

    A row without a verification status keeps the cell's status when its content is unchanged and goes
    back to ``entered`` when its value changes (a verification covers a value, not a cell).
    ``provenance(conn, counts)`` runs inside the same transaction (e.g. to record the imported file).
    """
    records = _records(frame)
    if not records and provenance is None:
        return {"rows_read": 0, "inserted": 0, "updated": 0, "unchanged": 0}

    def _do(conn: Connection) -> dict[str, int]:
        stamp = datetime.now(timezone.utc)
        existing = _existing(conn, records) if records else {}
        new_rows, changed = [], []
        for rec in records:
            old = existing.get(_key(rec))
            if rec["is_synthetic"] is None or rec["verification_status"] is None:
                content_changed = old is None or any(_differs(old[c], rec[c]) for c in _CONTENT if c != "is_synthetic")
                if rec["is_synthetic"] is None:
                    rec["is_synthetic"] = False if content_changed else old["is_synthetic"]
            if rec["verification_status"] is None:
                content_changed = old is None or any(_differs(old[c], rec[c]) for c in _CONTENT)
                rec["verification_status"] = "entered" if content_changed else old["verification_status"]
                if not content_changed:
                    rec["verified_by"], rec["verified_at"] = old["verified_by"], old["verified_at"]
            if "verified_at" not in rec:
                verified = rec["verification_status"] == "verified"
                rec["verified_by"] = (rec.get("verified_by") or actor) if verified else None
                rec["verified_at"] = stamp if verified else None
            if old is None:
                new_rows.append({**rec, "entered_by": actor, "entered_at": stamp})
            elif any(_differs(old[c], rec[c]) for c in _COMPARED):
                changed.append((old, rec))
        if new_rows or changed:  # approved sections are locked: refuse before anything is written
            refuse_locked(conn, {(r["mission_code"], r["indicator_code"], r["period"])
                                 for r in new_rows + [rec for _, rec in changed]})
        for i in range(0, len(new_rows), _CHUNK):
            conn.execute(insert(observations), new_rows[i:i + _CHUNK])
        if changed:
            conn.execute(
                update(observations).where(observations.c.id == bindparam("_id")).values(
                    value=bindparam("value"), value_text=bindparam("value_text"), source=bindparam("source"),
                    verification_status=bindparam("verification_status"), is_synthetic=bindparam("is_synthetic"),
                    note=bindparam("note"), entered_by=bindparam("entered_by"), entered_at=bindparam("entered_at"),
                    verified_by=bindparam("verified_by"), verified_at=bindparam("verified_at"),
                ),
                [{"_id": old["id"], **{c: rec[c] for c in _COMPARED + ("verified_by", "verified_at")},
                  "entered_by": actor, "entered_at": stamp}
                 for old, rec in changed],
            )
            for old, rec in changed:
                audit(conn, actor=actor, action="update", entity="observation", key="|".join(_key(rec)),
                      mission=rec["mission_code"], old={c: old[c] for c in _COMPARED + ("entered_by", "entered_at")},
                      new={c: rec[c] for c in _COMPARED}, note=note)
        if new_rows:
            by_mission: dict[str, int] = {}
            for r in new_rows:
                by_mission[r["mission_code"]] = by_mission.get(r["mission_code"], 0) + 1
            for mission, n in by_mission.items():
                audit(conn, actor=actor, action="insert", entity="observation", key=f"{n} new cells",
                      mission=mission, new={"rows": n}, note=note)
        counts = {"rows_read": len(records), "inserted": len(new_rows), "updated": len(changed),
                  "unchanged": len(records) - len(new_rows) - len(changed)}
        if provenance is not None:
            provenance(conn, counts)
        return counts

    return run_write(engine, _do)


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, float) and isinstance(new, float):
        return not math.isclose(old, new, rel_tol=1e-12, abs_tol=1e-12)
    return old != new


def _existing(conn: Connection, records: list[dict[str, Any]]) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    """Current rows for the cells in ``records``, keyed by cell."""
    out: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    groups: dict[tuple[str, str], set[str]] = {}
    for r in records:
        groups.setdefault((r["mission_code"], r["indicator_code"]), set()).add(r["period"])
    cols = [observations.c.id, observations.c.mission_code, observations.c.indicator_code, observations.c.period,
            observations.c.disaggregation, observations.c.entered_by, observations.c.entered_at,
            observations.c.verified_by, observations.c.verified_at, *[observations.c[c] for c in _COMPARED]]
    for (mission, indicator), periods in groups.items():
        q = select(*cols).where(and_(observations.c.mission_code == mission,
                                     observations.c.indicator_code == indicator,
                                     observations.c.period.in_(sorted(periods))))
        for row in conn.execute(q).mappings():
            out[(row["mission_code"], row["indicator_code"], row["period"], row["disaggregation"])] = dict(row)
    return out


def read_observations(engine: Engine, mission: str, *, indicators: list[str] | None, periods: list[str] | None,
                      totals_only: bool) -> pd.DataFrame:
    """Tidy observations of one mission, sorted by indicator, period and cell."""
    q = select(observations).where(observations.c.mission_code == mission)
    if indicators is not None:
        q = q.where(observations.c.indicator_code.in_(list(indicators)))
    if periods is not None:
        q = q.where(observations.c.period.in_([str(Period.parse(p)) for p in periods]))
    if totals_only:
        q = q.where(observations.c.disaggregation == "")
    q = q.order_by(observations.c.indicator_code, observations.c.period_start, observations.c.disaggregation)
    with read(engine) as conn:
        rows = conn.execute(q).mappings().all()
    frame = pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in observations.c])
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["entered_at"] = pd.to_datetime(frame["entered_at"], utc=True).dt.tz_localize(None)
    frame["verified_at"] = pd.to_datetime(frame["verified_at"], utc=True).dt.tz_localize(None)
    frame["value"] = frame["value"].astype("float64")
    frame["is_synthetic"] = frame["is_synthetic"].astype(bool)
    checked = Observations.validate(frame)[["id", *[c.name for c in observations.c if c.name != "id"]]]
    return missing_as_none(checked)  # notes, cells and verifiers: None when missing, never NaN


def count_observations(engine: Engine, mission: str | None) -> int:
    """Row count, optionally for one mission."""
    q = select(func.count()).select_from(observations)
    if mission is not None:
        q = q.where(observations.c.mission_code == mission)
    with read(engine) as conn:
        return conn.execute(q).scalar_one()


def set_verification(engine: Engine, mission: str, period: str, *, by: str, status: str,
                     indicators: list[str] | None, cells: list[str] | None, only_entered: bool, reason: str | None,
                     audit: Callable[..., None]) -> int:
    """Mark a cycle's observations ``verified`` or ``rejected`` (by whom, when); return how many changed."""
    if status not in ("verified", "rejected"):
        raise CpasError(f"'{status}' is not a verification decision; use 'verified' or 'rejected'")
    if status == "rejected" and not (reason or "").strip():
        raise CpasError("rejecting values needs a reason (say what is wrong, e.g. --reason 'double-counted patrols')")
    cycle = str(Period.parse(period))

    def _do(conn: Connection) -> int:
        cond = [observations.c.mission_code == mission, observations.c.period == cycle,
                observations.c.verification_status != status]
        if only_entered:
            cond.append(observations.c.verification_status == "entered")
        if indicators:
            cond.append(observations.c.indicator_code.in_(list(indicators)))
        if cells is not None:
            cond.append(observations.c.disaggregation.in_(list(cells)))
        rows = conn.execute(select(observations.c.id, observations.c.indicator_code, observations.c.disaggregation,
                                   observations.c.verification_status).where(and_(*cond))).all()
        if not rows:
            return 0
        if only_entered:  # a batch run leaves approved (locked) sections as they are; naming them is refused
            locked = {cell[1] for cell, _ in locked_cells(conn, {(mission, r.indicator_code, cycle) for r in rows})}
            rows = [r for r in rows if r.indicator_code not in locked]
            if not rows:
                return 0
        else:
            refuse_locked(conn, {(mission, r.indicator_code, cycle) for r in rows})
        stamp = datetime.now(timezone.utc)
        ids = [r.id for r in rows]
        for i in range(0, len(ids), _CHUNK):
            conn.execute(update(observations).where(observations.c.id.in_(ids[i:i + _CHUNK]))
                         .values(verification_status=status, verified_by=by, verified_at=stamp))
        audit(conn, actor=by, action="verify" if status == "verified" else "reject", entity="observation",
              key=f"{mission}|{cycle}: {len(rows)} cells", mission=mission,
              old={"cells": [f"{r.indicator_code}|{r.disaggregation}={r.verification_status}" for r in rows]},
              new={"verification_status": status}, note=reason)
        return len(rows)

    return run_write(engine, _do)


class ObservationStore:
    """Observations of a store: ``ObservationStore(store).method(…)``."""

    def __init__(self, store: Store):
        self.store = store
        self.engine = store.engine

    def write_observations(self, frame: "pd.DataFrame | list[dict[str, Any]]", *, actor: str, note: str | None = None,
                           provenance: Any = None) -> dict[str, int]:
        """Insert new cells, update changed ones (old values to the audit log); one transaction.

        ``provenance(conn, counts)``, if given, runs in the same transaction (used to record an imported file).
        """
        return write_observations(self.engine, frame, actor=actor, note=note, audit=write_audit,
                                       provenance=provenance)

    def verify(self, mission: str, cycle: str, *, by: str, indicators: list[str] | None = None,
               cells: list[str] | None = None, reject: bool = False, reason: str | None = None,
               only_entered: bool = True) -> int:
        """Verify (or reject, with a reason) a cycle's values; return the number of cells changed.

        By default only values still ``entered`` are verified, so a rejected value is not verified by a
        batch run; pass ``only_entered=False`` (or name the indicators and cells) to overrule that.
        """
        return set_verification(self.engine, mission, cycle, by=by, status="rejected" if reject else "verified",
                                     indicators=indicators, cells=cells, only_entered=only_entered and not reject,
                                     reason=reason, audit=write_audit)

    def observations(self, mission: str, *, indicators: list[str] | None = None, periods: list[str] | None = None,
                     totals_only: bool = False) -> pd.DataFrame:
        """Observations of a mission, tidy (one row per indicator × period × disaggregation cell)."""
        return read_observations(self.engine, mission, indicators=indicators, periods=periods,
                                      totals_only=totals_only)

    def count_observations(self, mission: str | None = None) -> int:
        """Number of observation rows (all missions by default)."""
        return count_observations(self.engine, mission)
