"""The store side of data quality: the values a check needs (read in one query) and the follow-up log.

Reading is pushed into SQL: only the mission's values from the history window (the
:data:`~cpas_kit.quality.checks.HISTORY_PERIODS` cycles before the checked one) to the end of the cycle, of the
indicator × cell series that have a value in the cycle, and only the columns the rules use. A finding's follow-up is the
latest entry of the append-only ``quality_followups`` log for (indicator, period, cell, rule); an explanation
holds for the value it was given for, so a changed value is flagged again.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Connection, and_, exists, insert, select

from cpas_kit.core.errors import CpasError
from cpas_kit.core.periods import Period
from cpas_kit.data_in.store import ObservationStore
from cpas_kit.quality.checks import HISTORY_PERIODS, RULES, periods_of
from cpas_kit.store import Store
from cpas_kit.store.audit import now, write_audit
from cpas_kit.store.engine import read, run_write
from cpas_kit.store.schema import observations, quality_followups

STATES = ("open", "follow_up", "explained", "corrected")
_COLUMNS = ("indicator_code", "period", "period_start", "disaggregation", "value", "value_text", "source",
            "entered_at", "verification_status")


class FollowUpError(CpasError):
    """A follow-up that cannot be recorded (unknown finding, missing reason)."""


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None or (isinstance(a, float) and pd.isna(a)) or (isinstance(b, float) and pd.isna(b)):
        return (a is None or (isinstance(a, float) and pd.isna(a))) and (b is None or (
            isinstance(b, float) and pd.isna(b)))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
    return a == b


class QualityStore:
    """Values for the checks and the follow-up log: ``QualityStore(store).values(…)``."""

    def __init__(self, store: Store):
        self.store = store
        self.engine = store.engine

    def values(self, mission: str, cycle: str, *, history_periods: int = HISTORY_PERIODS) -> pd.DataFrame:
        """The cycle's values and the earlier values of the same indicator × cell series in the history window
        (the ``history_periods`` cycles before it).

        Two queries: the cycle's rows with every column the rules use, and the history's rows with only
        indicator, period, cell and value (no dates to parse: a period's start comes from its name).
        """
        c = Period.parse(cycle)
        o, cur = observations, observations.alias("cur")
        in_cycle = exists().where(and_(cur.c.mission_code == o.c.mission_code,
                                       cur.c.indicator_code == o.c.indicator_code,
                                       cur.c.disaggregation == o.c.disaggregation,
                                       cur.c.period.in_(periods_of(c))))
        hist_cols = ("indicator_code", "period", "disaggregation", "value")
        q_hist = select(*[o.c[n] for n in hist_cols]).where(and_(
            o.c.mission_code == mission, o.c.period_start >= c.shift(-history_periods).start,
            o.c.period_start < c.start, o.c.value.is_not(None), in_cycle))
        q_cur = select(*[o.c[n] for n in _COLUMNS if n != "period_start"]).where(and_(
            o.c.mission_code == mission, o.c.period.in_(periods_of(c))))
        with read(self.engine) as conn:
            hist = conn.execute(q_hist).all()
            now = conn.execute(q_cur).all()
        columns = [n for n in _COLUMNS if n != "period_start"]
        frame = pd.concat([pd.DataFrame(list(map(tuple, now)), columns=columns),
                           pd.DataFrame(list(map(tuple, hist)), columns=list(hist_cols))], ignore_index=True)
        starts = {p: pd.Timestamp(Period.parse(p).start) for p in frame["period"].unique()}
        frame["period_start"] = frame["period"].map(starts)
        frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
        return frame[list(_COLUMNS)]

    def followups(self, mission: str, cycle: str) -> dict[tuple[str, str, str, str], dict[str, Any]]:
        """The latest follow-up per (indicator, period, cell, rule) of the cycle's periods."""
        f = quality_followups
        q = (select(f).where(and_(f.c.mission_code == mission, f.c.period.in_(periods_of(cycle))))
             .order_by(f.c.at, f.c.id))
        with read(self.engine) as conn:
            rows = conn.execute(q).mappings().all()
        return {(r["indicator_code"], r["period"], r["disaggregation"], r["rule"]): dict(r) for r in rows}

    def history(self, mission: str) -> pd.DataFrame:
        """Every follow-up of the mission, oldest first."""
        f = quality_followups
        with read(self.engine) as conn:
            rows = conn.execute(select(f).where(f.c.mission_code == mission).order_by(f.c.at, f.c.id)).mappings().all()
        return pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in f.c])

    def record(self, mission: str, finding: dict[str, Any], *, state: str, by: str, reason: str | None,
               conn: Connection | None = None) -> dict[str, Any]:
        """Append one follow-up for a finding (the value it is about included) and its audit entry."""
        if state not in STATES[1:]:
            raise FollowUpError(f"'{state}' is not a follow-up; use one of {', '.join(STATES[1:])}")
        if finding["rule"] not in RULES:
            raise FollowUpError(f"'{finding['rule']}' is not a quality rule; use one of {', '.join(RULES)}")
        if not (by or "").strip():
            raise FollowUpError("say who you are with --by NAME: every follow-up records who made it")
        if state == "explained" and not (reason or "").strip():
            raise FollowUpError("explaining a finding needs the reason the value is right, e.g. --reason "
                                "'two new police stations opened this quarter'")
        value = finding.get("value")
        row = {"mission_code": mission, "indicator_code": finding["indicator_code"], "period": finding["period"],
               "disaggregation": finding["cell"], "rule": finding["rule"],
               "value": float(value) if isinstance(value, (int, float)) else None,
               "value_text": value if isinstance(value, str) else None, "state": state,
               "reason": (reason or "").strip() or None, "actor": by.strip(), "at": now()}

        def _do(c: Connection) -> dict[str, Any]:
            c.execute(insert(quality_followups).values(**row))
            write_audit(c, actor=row["actor"], action=state, entity="quality_finding",
                        key=f"{mission}|{row['indicator_code']}|{row['period']}|{row['disaggregation']}|{row['rule']}",
                        mission=mission, new={"state": state, "value": value}, note=row["reason"])
            return row

        return _do(conn) if conn is not None else run_write(self.engine, _do)

    def correct(self, mission: str, finding: dict[str, Any], *, value: float | None, value_text: str | None,
                source: str | None, by: str, reason: str | None) -> dict[str, Any]:
        """Write a corrected value through the normal observation route (audit trail, approval lock) and record
        the finding as corrected, in one transaction."""
        if source is None:  # keep the value's current source
            o = observations
            with read(self.engine) as conn:
                source = conn.execute(select(o.c.source).where(and_(
                    o.c.mission_code == mission, o.c.indicator_code == finding["indicator_code"],
                    o.c.period == finding["period"], o.c.disaggregation == finding["cell"]))).scalar()
        rec = {"mission_code": mission, "indicator_code": finding["indicator_code"], "period": finding["period"],
               "disaggregation": finding["cell"], "value": value, "value_text": value_text, "source": source,
               "note": reason}
        done: dict[str, Any] = {}

        def _provenance(conn: Connection, counts: dict[str, int]) -> None:
            done.update(self.record(mission, {**finding, "value": value if value is not None else value_text},
                                    state="corrected", by=by, reason=reason, conn=conn))

        ObservationStore(self.store).write_observations([rec], actor=by, note=f"quality correction: {reason or ''}"
                                                        .strip(), provenance=_provenance)
        return done


def apply_followups(findings: pd.DataFrame, followups: dict[tuple[str, str, str, str], dict[str, Any]]) -> pd.Series:
    """The state of each finding: its latest follow-up, ``open`` without one or when an explanation or correction
    was for another value than the one flagged now."""
    states = []
    for r in findings.itertuples():
        f = followups.get((r.indicator_code, r.period, r.cell, r.rule))
        if f is None:
            states.append("open")
            continue
        given = f["value"] if f["value"] is not None else f["value_text"]
        if f["state"] in ("explained", "corrected") and not _same(given, r.value):
            states.append("open")
        else:
            states.append(f["state"])
    return pd.Series(states, index=findings.index, dtype=object)
