"""What one pack shows, loaded once from the store: :class:`PackData` (framework, observations, statuses,
recommendations, conflict events, the workshop's agreed results)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

import pandas as pd

from cpas_kit.analysis.evidence import load_evidence
from cpas_kit.core.periods import Period
from cpas_kit.core.settings import PackParameters
from cpas_kit.data_in.approval import ApprovalStore
from cpas_kit.data_in.boundaries import mission_areas
from cpas_kit.data_in.external.queries import read_events
from cpas_kit.framework.model import Framework
from cpas_kit.quality import RULES, STATES, quality_report
from cpas_kit.store import Store
from cpas_kit.tracker.store import TrackerStore
from cpas_kit.workshop.store import WorkshopStore


@dataclass
class PackData:
    """Everything one pack shows, loaded once."""

    params: PackParameters
    framework: Framework
    framework_version: dict[str, Any]
    observations: pd.DataFrame
    status: pd.DataFrame
    recommendations: pd.DataFrame
    generated_at: datetime
    rejected: pd.DataFrame | None = None  # values rejected at verification: left out of trends and status
    recommendation_events: pd.DataFrame | None = None  # every tracker change (follow-up analysis)
    events: pd.DataFrame | None = None  # conflict events of the cycle and the four periods before (hotspots)
    agreed: pd.DataFrame | None = None  # the workshop's agreed rating and analysis per outcome (the "why")
    areas: Any = None  # admin-1 areas in use (GeoDataFrame): the mission's registered boundaries, else the shipped

    quality: dict[str, Any] | None = None  # data quality and approval per section (aggregates only; issue 16)
    unapproved_sections: frozenset[str] = frozenset()  # sections whose data for the cycle is not approved


    @property
    def language(self) -> str:
        return self.params.language

    @property
    def cycle(self) -> str:
        return self.params.cycle

    @property
    def reporting_date(self) -> date:
        """The last day of the cycle: what 'overdue' is judged against."""
        return Period.parse(self.params.cycle).end

    @property
    def is_synthetic(self) -> bool:
        return bool(self.observations["is_synthetic"].any()) if len(self.observations) else False


def load_pack_data(params: PackParameters) -> PackData:
    """Read the framework in force for the cycle, the observations, statuses and recommendations."""
    store = Store(params.db_url or None)
    try:
        evidence = load_evidence(store, params.mission, params.cycle, params.language)
        recs = TrackerStore(store).recommendations(params.mission)
        rec_events = TrackerStore(store).recommendation_events(params.mission)
        window = [str(p) for p in Period.parse(params.cycle).before(4)] + [str(Period.parse(params.cycle))]
        conflict = read_events(store, params.mission, window)
        agreed = WorkshopStore(store).agreed_results(params.mission, params.cycle)
        areas = mission_areas(store, params.mission)
        quality = quality_summary(store, params.mission, params.cycle, evidence.framework)
    finally:
        store.close()
    return PackData(
        params=params, framework=evidence.framework, framework_version=evidence.framework_version,
        observations=evidence.observations, status=evidence.status, recommendations=recs,
        generated_at=datetime.now(timezone.utc), rejected=evidence.rejected, recommendation_events=rec_events,
        events=conflict, agreed=agreed, areas=areas, quality=quality,
        unapproved_sections=frozenset(r["section"] for r in quality["sections"] if r["status"] != "approved"),
    )


def quality_summary(store: Store, mission: str, cycle: str, fw: Framework) -> dict[str, Any]:
    """The pack's data-quality part: per section completeness, timeliness, findings and approval status, and
    findings per rule and state — counts only, never the values themselves."""
    rep = quality_report(store, mission, cycle, fw=fw, include_explained=True)
    status = {r["section"]: r for r in ApprovalStore(store).statuses(mission, cycle)}
    owner = {i.code: i.responsible_section for _, _, i in fw.indicators()}
    f = rep.findings
    open_by_section = (f[f["state"] != "explained"]["indicator_code"].map(owner).value_counts().to_dict()
                       if len(f) else {})
    sections = []
    for r in rep.completeness.to_dict("records"):
        st = status.get(r["section"], {})
        sections.append({**r, "status": st.get("status", "no_data"),
                         "by": st.get("by"), "at": (st.get("at") or "")[:10] or None,
                         "findings": int(open_by_section.get(r["section"], 0)),
                         "completeness": r["entered"] / r["expected"] if r["expected"] else None})
    by_rule = []
    for rule in RULES:
        sel = f[f["rule"] == rule] if len(f) else f
        counts = sel["state"].value_counts().to_dict() if len(sel) else {}
        by_rule.append({"rule": rule, **{s: int(counts.get(s, 0)) for s in STATES}})
    return {"sections": sections, "by_rule": by_rule, "outlier_rate": rep.outlier_rate(),
            "numeric_values": rep.numeric_values}
