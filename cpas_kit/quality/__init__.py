"""Data quality: checks of a cycle's values, their follow-up, and completeness and timeliness per section.

``quality_report(store, mission, cycle)`` is what ``cpas quality``, the pack's data-quality part and the
cross-mission study call. The rules are in :mod:`cpas_kit.quality.checks`, completeness in
:mod:`cpas_kit.quality.completeness`, the follow-up log in :mod:`cpas_kit.quality.store`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from cpas_kit.core.periods import Period
from cpas_kit.framework.model import Framework
from cpas_kit.quality.checks import LATE_AFTER_DAYS, RULES, Z_THRESHOLD, all_findings, split
from cpas_kit.quality.completeness import completeness
from cpas_kit.quality.store import STATES, FollowUpError, QualityStore, apply_followups
from cpas_kit.store import Store

__all__ = ["QualityReport", "quality_report", "find_finding", "QualityStore", "FollowUpError", "RULES", "STATES"]

OUTLIER_RULES = ("outlier_modified_z", "outside_range", "outside_history_range", "sudden_break")


@dataclass
class QualityReport:
    """The findings and the completeness of one mission's cycle."""

    mission: str
    cycle: str
    findings: pd.DataFrame  # indicator_code, cell, period, value, rule, detail, measure, state
    completeness: pd.DataFrame  # section, expected, entered, verified, rejected, median_days_late
    numeric_values: int  # numeric values checked in the cycle
    explained: int  # findings not shown because an explanation covers the value

    def to_json(self) -> dict[str, Any]:
        """The ``cpas quality --json`` shape (missing values are null, never NaN)."""
        return {"mission": self.mission, "cycle": self.cycle,
                "findings": [{k: _plain(r[k]) for k in ("indicator_code", "cell", "period", "value", "rule", "detail",
                                                         "state")} for r in self.findings.to_dict("records")],
                "completeness": [{k: _plain(v) for k, v in r.items()} for r in self.completeness.to_dict("records")]}

    def outlier_rate(self) -> float | None:
        """Share of the cycle's numeric values flagged by an outlier or break rule (not explained)."""
        if not self.numeric_values:
            return None
        f = self.findings
        flagged = f[f["rule"].isin(OUTLIER_RULES)][["indicator_code", "period", "cell"]].drop_duplicates()
        return len(flagged) / self.numeric_values

    def counts(self) -> dict[str, int]:
        """Findings per rule (every rule listed, zero included)."""
        got = self.findings["rule"].value_counts().to_dict()
        return {r: int(got.get(r, 0)) for r in RULES}


def _plain(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and pd.isna(v):
        return None
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return v


def quality_report(store: Store, mission: str, cycle: str, *, fw: Framework | None = None,
                   include_explained: bool = False, threshold: float = Z_THRESHOLD,
                   late_after_days: int = LATE_AFTER_DAYS) -> QualityReport:
    """Run every check over a mission's cycle, attach each finding's follow-up state, and count completeness."""
    cyc = str(Period.parse(cycle))
    fw = fw or store.framework(mission, cyc)
    qs = QualityStore(store)
    values = qs.values(mission, cyc)
    findings = all_findings(values, fw, cyc, threshold=threshold, late_after_days=late_after_days)
    findings["state"] = apply_followups(findings, qs.followups(mission, cyc)) if len(findings) else []
    explained = int((findings["state"] == "explained").sum())
    if not include_explained:
        findings = findings[findings["state"] != "explained"].reset_index(drop=True)
    current, _ = split(values, cyc)
    return QualityReport(mission, cyc, findings, completeness(fw, current, cyc),
                         int(current["value"].notna().sum()), explained)


def find_finding(store: Store, mission: str, cycle: str, *, indicator: str, period: str | None, cell: str,
                 rule: str) -> dict[str, Any]:
    """The current finding for (indicator, period, cell, rule), explained ones included; a clear error if none."""
    rep = quality_report(store, mission, cycle, include_explained=True)
    per = str(Period.parse(period)) if period else rep.cycle
    f = rep.findings
    hit = f[(f["indicator_code"] == indicator) & (f["period"] == per) & (f["cell"] == cell) & (f["rule"] == rule)]
    if hit.empty:
        raise FollowUpError(f"there is no '{rule}' finding for {indicator} {per} "
                            f"{'cell ' + cell if cell else 'total'} in {mission} {rep.cycle}; run `cpas quality "
                            f"--mission {mission} --cycle {rep.cycle}` to list the findings")
    return {k: _plain(v) for k, v in hit.iloc[0].to_dict().items()}
