"""Submission and approval of a section's data for a cycle, and the lock on approved data.

A section's values for a cycle move No data → In progress → Submitted → Returned (with a reason) or
Approved; approved data is re-opened (with a reason) to change it. Every move is one row of the append-only
``section_approvals`` log (who, when, why) and one audit entry; the latest row is the status. While a
section's cycle is approved its values are **locked**: every write route (observation import, verification,
exchange merge, apps) asks :func:`locked_cells` inside its own transaction and is refused with one sentence
(:class:`ApprovedDataLocked`) naming the approval and how to re-open it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable

import pandas as pd
from sqlalchemy import Connection, and_, func, insert, select

from cpas_kit.core.errors import CpasError, NotFoundError
from cpas_kit.core.periods import Period
from cpas_kit.store import Store
from cpas_kit.store.audit import now, write_audit
from cpas_kit.store.engine import read, run_write
from cpas_kit.store.schema import framework_indicators, framework_versions, observations, section_approvals

STATUSES = ("no_data", "in_progress", "submitted", "returned", "approved")
ACTIONS = ("submit", "approve", "return", "reopen")

# action -> (statuses it may start from, status it leads to, reason required)
_MOVES: dict[str, tuple[tuple[str, ...], str, bool]] = {
    "submit": (("in_progress", "returned"), "submitted", False),
    "approve": (("submitted",), "approved", False),
    "return": (("submitted",), "returned", True),
    "reopen": (("approved",), "in_progress", True),
}
_WORDS = {"no_data": "has no data yet", "in_progress": "is in progress", "submitted": "is submitted",
          "returned": "was returned", "approved": "is approved"}


class ApprovalError(CpasError):
    """A submission, approval, return or re-opening that the section's current status does not allow."""


class ApprovedDataLocked(CpasError):
    """A write would change values of a section whose data for the cycle is approved (locked)."""


@dataclass(frozen=True)
class Approval:
    """The approval that locks a section's values for a cycle."""

    mission_code: str
    section_code: str
    cycle: str
    actor: str
    at: datetime

    def sentence(self, changed: int, example: str) -> str:
        """One sentence naming the approval, what was refused and how to re-open it."""
        return (f"{self.mission_code} section {self.section_code}'s data for {self.cycle} was approved by "
                f"{self.actor} on {_day(self.at)} and is locked, so {changed} change(s) were refused (e.g. "
                f"{example}); nothing was written. To change it, re-open it first: `cpas reopen --mission "
                f"{self.mission_code} --cycle {self.cycle} --section {self.section_code} --reason \"…\"`.")


    def row_message(self) -> str:
        """What an import report says of one row that would change locked data."""
        return (f"{self.mission_code} section {self.section_code}'s data for {self.cycle} was approved by "
                f"{self.actor} on {_day(self.at)} and is locked; leave this row as it is in the store or ask for "
                f"the approval to be re-opened (`cpas reopen --mission {self.mission_code} --cycle {self.cycle} "
                f"--section {self.section_code} --reason \"…\"`)")


def _day(at: Any) -> str:
    return at.strftime("%Y-%m-%d") if hasattr(at, "strftime") else str(at)[:10]


# -- reading the log --------------------------------------------------------------------------------

def _latest(conn: Connection, mission: str, cycle: str | None = None) -> dict[tuple[str, str], dict[str, Any]]:
    """The latest log row per (section, cycle) of a mission (optionally one cycle)."""
    q = select(section_approvals).where(section_approvals.c.mission_code == mission)
    if cycle is not None:
        q = q.where(section_approvals.c.cycle == cycle)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for row in conn.execute(q.order_by(section_approvals.c.at, section_approvals.c.id)).mappings():
        out[(row["section_code"], row["cycle"])] = dict(row)
    return out


def _version_id(conn: Connection, mission: str, cycle: Period) -> int | None:
    """The id of the framework version in force for ``cycle`` (the first one if the cycle predates them all)."""
    fv = framework_versions
    base = select(fv.c.id).where(fv.c.mission_code == mission)
    vid = conn.execute(base.where(fv.c.effective_from_start <= cycle.start)
                       .order_by(fv.c.effective_from_start.desc(), fv.c.version.desc()).limit(1)).scalar()
    return vid if vid is not None else conn.execute(base.order_by(fv.c.version).limit(1)).scalar()


def section_indicators(conn: Connection, mission: str, cycle: "str | Period") -> dict[str, str]:
    """``indicator_code -> responsible section`` in the framework version in force for ``cycle``."""
    vid = _version_id(conn, mission, Period.parse(cycle))
    if vid is None:
        return {}
    fi = framework_indicators
    return dict(conn.execute(select(fi.c.indicator_code, fi.c.responsible_section).where(fi.c.version_id == vid)).all())


def _periods_in(cycle: Period) -> list[str]:
    return sorted({str(cycle), *(str(q) for q in cycle.quarters()), *(str(m) for m in cycle.months())})


def _entered_sections(conn: Connection, mission: str, cycle: Period, owner: dict[str, str]) -> set[str]:
    """Sections with at least one value in the cycle."""
    q = (select(observations.c.indicator_code).where(and_(observations.c.mission_code == mission,
                                                          observations.c.period.in_(_periods_in(cycle))))
         .group_by(observations.c.indicator_code))
    return {owner[c] for c in conn.execute(q).scalars() if c in owner}


# -- the lock ---------------------------------------------------------------------------------------

def locked_cells(conn: Connection,
                 cells: Iterable[tuple[str, str, str]]) -> list[tuple[tuple[str, str, str], Approval]]:
    """Which of the ``(mission, indicator, period)`` cells a write would touch are locked, with their approval."""
    cells = list(cells)
    out: list[tuple[tuple[str, str, str], Approval]] = []
    for mission in sorted({c[0] for c in cells}):
        approved = [r for r in _latest(conn, mission).values() if r["status"] == "approved"]
        if not approved:
            continue
        locks: list[tuple[Period, set[str], Approval]] = []
        for r in approved:
            cyc = Period.parse(r["cycle"])
            owned = {i for i, s in section_indicators(conn, mission, cyc).items() if s == r["section_code"]}
            locks.append((cyc, owned, Approval(mission, r["section_code"], r["cycle"], r["actor"], r["at"])))
        for cell in cells:
            if cell[0] != mission:
                continue
            per = Period.parse(cell[2])
            for cyc, owned, approval in locks:
                if cell[1] in owned and (cyc == per or cyc.contains(per)):
                    out.append((cell, approval))
                    break
    return out


def refuse_locked(conn: Connection, cells: Iterable[tuple[str, str, str]]) -> None:
    """Raise :class:`ApprovedDataLocked` (one sentence) if any of the cells is in an approved section's cycle."""
    hits = locked_cells(conn, cells)
    if hits:
        (mission, indicator, period), approval = hits[0]
        same = sum(1 for _, a in hits if a == approval)
        raise ApprovedDataLocked(approval.sentence(same, f"{indicator} {period}"))


# -- moving a section's status ----------------------------------------------------------------------

def _status_of(conn: Connection, mission: str, cyc: Period, section: str) -> str:
    row = _latest(conn, mission, str(cyc)).get((section, str(cyc)))
    if row is not None:
        return row["status"]
    owner = section_indicators(conn, mission, cyc)
    return "in_progress" if section in _entered_sections(conn, mission, cyc, owner) else "no_data"


def move(store: Store, action: str, *, mission: str, cycle: str, section: str, by: str,
         reason: str | None = None) -> dict[str, Any]:
    """Submit, approve, return or re-open a section's data for a cycle; return the new log row."""
    if action not in _MOVES:
        raise ApprovalError(f"'{action}' is not an approval step; use one of {', '.join(ACTIONS)}")
    allowed, to_status, needs_reason = _MOVES[action]
    cyc = Period.parse(cycle)
    fw = store.framework(mission, str(cyc))  # a clear error for an unknown mission
    sections = [s.code for s in fw.sections]
    if section not in sections:
        raise NotFoundError(f"section '{section}' is not in the {mission} results framework for {cyc}; "
                            f"use one of {', '.join(sections)}")
    if not (by or "").strip():
        raise ApprovalError("say who you are with --by NAME: every step of an approval records who took it")
    if needs_reason and not (reason or "").strip():
        raise ApprovalError(f"to {action} {section}'s data for {cyc}, give the reason with --reason TEXT "
                            "(it is kept in the section's history)")

    def _do(conn: Connection) -> dict[str, Any]:
        current = _status_of(conn, mission, cyc, section)
        if current not in allowed:
            hint = {"no_data": "enter its values first", "submitted": "approve or return it",
                    "approved": "re-open it with a reason to change it",
                    "in_progress": "submit it first", "returned": "correct it and submit it again"}[current]
            raise ApprovalError(f"{mission} section {section}'s data for {cyc} {_WORDS[current]}, so it cannot be "
                                f"{_PAST[action]} now; {hint}")
        row = {"mission_code": mission, "section_code": section, "cycle": str(cyc), "action": action,
               "status": to_status, "reason": (reason or "").strip() or None, "actor": by.strip(), "at": now()}
        conn.execute(insert(section_approvals).values(**row))
        write_audit(conn, actor=row["actor"], action=action, entity="section_approval",
                    key=f"{mission}|{section}|{cyc}", mission=mission, old={"status": current},
                    new={"status": to_status}, note=row["reason"])
        return {**row, "from_status": current}

    return run_write(store.engine, _do)


_PAST = {"submit": "submitted", "approve": "approved", "return": "returned", "reopen": "re-opened"}


class ApprovalStore:
    """Submission and approval of sections' data: ``ApprovalStore(store).submit(…)``."""

    def __init__(self, store: Store):
        self.store = store
        self.engine = store.engine

    def submit(self, mission: str, cycle: str, section: str, *, by: str) -> dict[str, Any]:
        """The section hands in its data for the cycle."""
        return move(self.store, "submit", mission=mission, cycle=cycle, section=section, by=by)

    def approve(self, mission: str, cycle: str, section: str, *, by: str) -> dict[str, Any]:
        """Approve submitted data: it is locked until re-opened."""
        return move(self.store, "approve", mission=mission, cycle=cycle, section=section, by=by)

    def return_(self, mission: str, cycle: str, section: str, *, by: str, reason: str) -> dict[str, Any]:
        """Send submitted data back to the section, with a reason."""
        return move(self.store, "return", mission=mission, cycle=cycle, section=section, by=by, reason=reason)

    def reopen(self, mission: str, cycle: str, section: str, *, by: str, reason: str) -> dict[str, Any]:
        """Re-open approved data (unlocks it), with a reason."""
        return move(self.store, "reopen", mission=mission, cycle=cycle, section=section, by=by, reason=reason)

    def statuses(self, mission: str, cycle: str | None = None) -> list[dict[str, Any]]:
        """One row per section × cycle: status, who took the last step, when and why.

        With ``cycle``, every section of the framework is listed (``no_data`` / ``in_progress`` for those never
        submitted); without it, every section × cycle that has a log entry.
        """
        with read(self.engine) as conn:
            if cycle is None:
                latest = _latest(conn, mission)
                return [_status_row(mission, s, c, r) for (s, c), r in sorted(latest.items(), key=_by_cycle)]
            cyc = Period.parse(cycle)
            latest = _latest(conn, mission, str(cyc))
            owner = section_indicators(conn, mission, cyc)
            entered = _entered_sections(conn, mission, cyc, owner)
        fw = self.store.framework(mission, str(cyc))
        out = []
        for s in fw.sections:
            row = latest.get((s.code, str(cyc)))
            if row is None:
                row = {"status": "in_progress" if s.code in entered else "no_data", "actor": None, "at": None,
                       "reason": None, "action": None}
            out.append(_status_row(mission, s.code, str(cyc), row))
        return out

    def history(self, mission: str, cycle: str | None = None) -> pd.DataFrame:
        """Every step of the mission's approvals (optionally one cycle), oldest first."""
        q = select(section_approvals).where(section_approvals.c.mission_code == mission)
        if cycle is not None:
            q = q.where(section_approvals.c.cycle == str(Period.parse(cycle)))
        with read(self.engine) as conn:
            rows = conn.execute(q.order_by(section_approvals.c.at, section_approvals.c.id)).mappings().all()
        return pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in section_approvals.c])

    def approved_sections(self, mission: str, cycle: str) -> set[str]:
        """Sections whose data for ``cycle`` is approved."""
        return {r["section"] for r in self.statuses(mission, cycle) if r["status"] == "approved"}

    def count(self) -> int:
        """Rows of the approval log (all missions)."""
        with read(self.engine) as conn:
            return conn.execute(select(func.count()).select_from(section_approvals)).scalar_one()


def _by_cycle(item: tuple[tuple[str, str], dict[str, Any]]) -> tuple:
    (section, cycle), _ = item
    return (Period.parse(cycle).start, section)


def _status_row(mission: str, section: str, cycle: str, row: dict[str, Any]) -> dict[str, Any]:
    at = row.get("at")
    if isinstance(at, datetime) and at.tzinfo is None:  # SQLite hands back naive UTC
        at = at.replace(tzinfo=timezone.utc)
    return {"mission": mission, "section": section, "cycle": cycle, "status": row["status"],
            "last_step": row.get("action"), "by": row.get("actor"),
            "at": None if at is None else (at.isoformat() if hasattr(at, "isoformat") else str(at)),
            "reason": row.get("reason")}
