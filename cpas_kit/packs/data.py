"""What one pack shows, loaded once from the store: :class:`PackData` (framework, observations, statuses,
recommendations, conflict events, the workshop's agreed results)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

import pandas as pd

from cpas_kit.analysis.evidence import load_evidence
from cpas_kit.core.errors import CpasError
from cpas_kit.core.i18n import t
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
    def has_cycle_data(self) -> bool:
        """Whether any indicator has a value for the cycle itself (not only from earlier cycles)."""
        return bool(self.status["has_cycle_value"].any()) if len(self.status) else False

    @property
    def no_data_note(self) -> str | None:
        """The sentence said at the top of every output and by the command when the cycle has no data."""
        return None if self.has_cycle_data else t("cycle_no_data", self.language).format(
            mission=self.params.mission, cycle=self.cycle)

    @property
    def is_synthetic(self) -> bool:
        return bool(self.observations["is_synthetic"].any()) if len(self.observations) else False


class CycleRefused(CpasError):
    """A pack was asked for a cycle it cannot describe (before the mission's first results framework)."""


def check_cycle(store: Store, mission: str, cycle: str) -> None:
    """Refuse, in one sentence, a cycle that starts before the mission's first results framework was in force.

    (The store falls back to the first framework for such a cycle; a pack built that way would look complete
    while assessing a plan that did not exist yet.) An unknown mission gets the store's own sentence.
    """
    store.framework_version_for(mission)  # an unknown mission: the store's sentence
    first = store.framework_versions(mission).sort_values("effective_from_start").iloc[0]
    period = Period.parse(cycle)
    if period.start < pd.Timestamp(first["effective_from_start"]).date():
        raise CycleRefused(f"{mission}'s first results framework is in force from {first['effective_from']}, so "
                           f"there is nothing to assess for {period}, which comes before it; choose a cycle from "
                           f"{first['effective_from']} on")


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
