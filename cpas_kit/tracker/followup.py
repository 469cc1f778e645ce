"""Follow-up of recommendations: how the tracker is doing, and what happened after implementation.

* :func:`tracker_summary` — per cycle recommended: how many recommendations, decided, approved,
  rejected, implemented, overdue; approval rate (approved ÷ decided), implementation rate
  (implemented ÷ approved) and the median days from approval to implementation (known only where both
  changes were recorded as events here, not for states carried over from a tracker file).
* :func:`indicator_followup` — for each implemented recommendation linked to an outcome (or to an impact
  area, then all its outcomes), each quantitative indicator's mean total in up to four periods before
  the implementation period against up to four periods after, and whether it moved the desired way.
  This is **association, not attribution** (:data:`CAVEAT`): many things change an indicator.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd

from cpas_kit.core.periods import Period
from cpas_kit.framework.model import Framework
from cpas_kit.tracker.rules import is_overdue

WINDOW = 4  # periods compared on each side of the implementation period
NO_CLEAR_CHANGE = 0.05  # a change smaller than 5 % of the earlier mean is "no clear change"

CAVEAT = {
    "en": "Association, not attribution: these indicators moved after the recommendation was implemented, but "
          "many other things change them too. Read this as a prompt for the assessment's discussion, not as the "
          "recommendation's effect.",
    "fr": "Association, et non attribution : ces indicateurs ont évolué après la mise en œuvre de la "
          "recommandation, mais bien d'autres facteurs les influencent. C'est un point de départ pour la discussion "
          "de l'évaluation, pas l'effet de la recommandation.",
}


def _first_event(events: pd.DataFrame, field: str, value: str) -> dict[int, datetime]:
    if not len(events):
        return {}
    hits = events[(events["field"] == field) & (events["to_value"] == value)].sort_values("id")
    return {int(k): pd.Timestamp(v).to_pydatetime() for k, v in hits.groupby("recommendation_id")["at"].first().items()}


def tracker_summary(recs: pd.DataFrame, events: pd.DataFrame, *, on: date) -> pd.DataFrame:
    """One row per cycle recommended plus a total row (``cycle`` = "all")."""
    approved_at = _first_event(events, "decision", "Approved")
    implemented_at = _first_event(events, "progress", "Implemented")
    frame = recs.assign(
        decided=recs["decision"] != "Awaiting Review",
        approved=recs["decision"] == "Approved",
        rejected=recs["decision"] == "Rejected",
        implemented=(recs["decision"] == "Approved") & (recs["progress"] == "Implemented"),
        overdue=[is_overdue(r, on) for r in recs.to_dict("records")],
        days_to_implementation=[
            (implemented_at[i] - approved_at[i]).days if i in approved_at and i in implemented_at else None
            for i in recs["id"].astype(int)],
    )

    def _row(part: pd.DataFrame, cycle: str) -> dict[str, Any]:
        decided, approved = int(part["decided"].sum()), int(part["approved"].sum())
        implemented = int(part["implemented"].sum())
        days = pd.to_numeric(part["days_to_implementation"], errors="coerce").dropna()
        return {"cycle": cycle, "recommended": len(part), "decided": decided, "approved": approved,
                "rejected": int(part["rejected"].sum()), "implemented": implemented,
                "overdue": int(part["overdue"].sum()),
                "approval_rate": approved / decided if decided else None,
                "implementation_rate": implemented / approved if approved else None,
                "median_days_to_implementation": float(days.median()) if len(days) else None}

    rows = [_row(part, cycle) for cycle, part in frame.groupby("cycle_recommended", sort=True)]
    if len(frame):
        rows.append(_row(frame, "all"))
    return pd.DataFrame(rows, columns=["cycle", "recommended", "decided", "approved", "rejected", "implemented",
                                       "overdue", "approval_rate", "implementation_rate",
                                       "median_days_to_implementation"])


def implementation_period(rec: dict[str, Any], implemented_at: datetime | None, kind: str) -> tuple[Period | None, str]:
    """(period, how it is known): the Implemented event's date, else the target date, else unknown."""
    if implemented_at is not None:
        return Period.containing(implemented_at.date(), kind), "recorded"
    target = rec.get("target_date")
    if isinstance(target, date):
        return Period.containing(target, kind), "target date"
    return None, "unknown"


def indicator_followup(fw: Framework, recs: pd.DataFrame, events: pd.DataFrame, observations: pd.DataFrame,
                       *, cycle: str) -> pd.DataFrame:
    """Before/after means of the linked indicators of each implemented recommendation, up to ``cycle``."""
    implemented_at = _first_event(events, "progress", "Implemented")
    totals = observations[(observations["disaggregation"] == "") & observations["value"].notna()]
    parsed = {p: Period.parse(p) for p in totals["period"].unique()}
    last = Period.parse(cycle)
    out: list[dict[str, Any]] = []
    done = recs[(recs["decision"] == "Approved") & (recs["progress"] == "Implemented")]
    for rec in done.to_dict("records"):
        period, known = implementation_period(rec, implemented_at.get(int(rec["id"])), fw.mission.cycle_kind)
        outcomes = [o for p, o in fw.outcomes()
                    if o.code == rec.get("outcome_code") or (not rec.get("outcome_code")
                                                             and p.code == rec.get("priority_code"))]
        for o in outcomes:
            for ind in o.indicators:
                base = {"recommendation_id": int(rec["id"]), "outcome_code": o.code, "indicator_code": ind.code,
                        "implementation_period": str(period) if period else None, "period_known_from": known}
                if ind.kind != "quantitative" or period is None:
                    continue
                series = totals[totals["indicator_code"] == ind.code]
                when = series["period"].map(parsed)
                before = series[when.map(lambda p: p < period)].assign(_p=when).sort_values("_p").tail(WINDOW)
                after = series[when.map(lambda p: period < p <= last)].assign(_p=when).sort_values("_p").head(WINDOW)
                mean_before = float(before["value"].mean()) if len(before) else None
                mean_after = float(after["value"].mean()) if len(after) else None
                out.append({**base, "periods_before": len(before), "periods_after": len(after),
                            "mean_before": mean_before, "mean_after": mean_after,
                            "movement": _movement(ind.direction, mean_before, mean_after)})
    return pd.DataFrame(out, columns=["recommendation_id", "outcome_code", "indicator_code", "implementation_period",
                                      "period_known_from", "periods_before", "periods_after", "mean_before",
                                      "mean_after", "movement"])


def _movement(direction: str, before: float | None, after: float | None) -> str:
    """``desired``, ``undesired``, ``no clear change`` or ``not enough data``."""
    if before is None or after is None:
        return "not enough data"
    change = after - before
    if abs(change) <= NO_CLEAR_CHANGE * max(abs(before), 1e-9):
        return "no clear change"
    if direction == "maintain":
        return "undesired"
    return "desired" if (change > 0) == (direction == "increase") else "undesired"
