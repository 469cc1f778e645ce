"""The impact-assessment pack's pieces, in order: header, overview, priorities and outcomes with their
indicators, data quality, tracker, notes. Each function returns displayable objects (HTML or Altair
charts); the pack notebook only displays them.

HTML is rendered by Jinja templates with autoescaping, so any text from the store (a recommendation,
an analysis) is shown as text, never run as markup.
"""

from __future__ import annotations

from typing import Any, Iterator

import pandas as pd
from IPython.display import HTML

from cpas_kit import __version__
from cpas_kit.analysis.charts import hotspot_map, incident_map, status_donut
from cpas_kit.analysis.hotspots import hotspots, incident_points
from cpas_kit.analysis.indicators import CHANGE_RULE, DISTANCE_RULE, STATUS_RULE, STATUSES
from cpas_kit.analysis.views import indicator_parts, render_html
from cpas_kit.core.formatting import country_name
from cpas_kit.core.i18n import t
from cpas_kit.core.periods import Period, is_period
from cpas_kit.data_in.boundaries import framework_coded
from cpas_kit.framework.geography import admin1_areas
from cpas_kit.packs.data import PackData
from cpas_kit.stakeholders.views import framework_versions_html, pack_section
from cpas_kit.store import Store
from cpas_kit.tracker.followup import CAVEAT, implementation_period, indicator_followup, tracker_summary
from cpas_kit.tracker.words import in_language


def _render(name: str, ctx: PackData, **values: Any) -> HTML:
    return render_html("report/" + name, ctx.language, **values)


def header(ctx: PackData) -> HTML:
    """Title, synthetic-data and no-data banners and the mission overview block (host country by name)."""
    return _render("header.html.j2", ctx, mission=ctx.framework.mission, cycle=ctx.cycle,
                   version=ctx.framework_version, synthetic=ctx.is_synthetic, no_data=ctx.no_data_note,
                   country=country_name(ctx.framework.mission.country_iso3, ctx.language),
                   generated=ctx.generated_at.strftime("%Y-%m-%d %H:%M UTC"))


def pack_areas(ctx: PackData):
    """The admin-1 areas the pack maps: the mission's registered boundaries, else those shipped with it."""
    if ctx.areas is not None:
        return ctx.areas
    return admin1_areas(ctx.framework.mission.geography) if ctx.framework.mission.geography else None


def overview(ctx: PackData) -> list[Any]:
    """Status counts per outcome, and the status donut."""
    rows = []
    for p, o in ctx.framework.outcomes():
        sel = ctx.status[ctx.status["outcome_code"] == o.code]
        rows.append({"priority": p.code, "outcome": f"{o.code} {o.label(ctx.language)}",
                     "counts": sel["status"].value_counts().to_dict()})
    return [_render("overview.html.j2", ctx, rows=rows, statuses=STATUSES), status_donut(ctx.status, ctx.language)]


def outcome_sections(ctx: PackData) -> Iterator[Any]:
    """For each priority and outcome: headings, outputs, and every indicator's status and charts."""
    fw = ctx.framework
    areas = framework_coded(ctx.areas, fw.mission.geography) if ctx.areas is not None else pack_areas(ctx)
    status = ctx.status.set_index("indicator_code")
    sections = {s.code: s.label(ctx.language) for s in fw.sections}
    recs = ctx.recommendations
    for p in fw.priorities:
        mine = recs[recs["priority_code"] == p.code].to_dict("records") if len(recs) else []
        yield _render("priority.html.j2", ctx, priority=p, recs=mine)
        for o in p.outcomes:
            agreed = ctx.agreed[ctx.agreed["outcome_code"] == o.code] if ctx.agreed is not None else ()
            yield _render("outcome.html.j2", ctx, outcome=o, sections=sections,
                          agreed=agreed.iloc[0].to_dict() if len(agreed) else None)
            for ind in o.indicators:
                yield from indicator_parts(ctx, ind, status.loc[ind.code], areas)


def conflict_context(ctx: PackData) -> Iterator[Any]:
    """Conflict events of the cycle: a table of areas with hotspots first, the hotspot and incident maps."""
    events = ctx.events
    areas = pack_areas(ctx)
    if areas is None or events is None:
        return
    in_cycle = events[events["period"] == ctx.cycle] if len(events) else events
    hot = hotspots(events, areas, ctx.cycle)
    yield _render("conflict.html.j2", ctx, rows=hot[hot["events"] > 0].to_dict("records"), total=len(in_cycle),
                  fatalities=int(in_cycle["fatalities_best"].sum()) if len(in_cycle) else 0, cycle=ctx.cycle,
                  sources=", ".join(sorted(set(in_cycle["source"]))).upper() if len(in_cycle) else "",
                  unmatched=int(in_cycle["admin1_code"].isna().sum()) if len(in_cycle) else 0,
                  synthetic=bool(len(in_cycle) and "data_source" in in_cycle
                                 and in_cycle["data_source"].astype(str).str.startswith("SYNTHETIC").any()))
    if len(in_cycle):
        yield hotspot_map(areas, hot, ctx.cycle, ctx.language) | incident_map(areas, incident_points(events, ctx.cycle),
                                                                              ctx.cycle, ctx.language)


def data_quality(ctx: PackData) -> HTML:
    """Indicators missing a value this cycle, unverified latest values, stale series."""
    s = ctx.status
    return _render("data_quality.html.j2", ctx,
                   missing=list(s.loc[~s["has_cycle_value"], "indicator_code"]),
                   unverified=list(s.loc[s["has_cycle_value"] & (s["verification_status"] != "verified"),
                                         "indicator_code"]),
                   stale=list(s.loc[s["is_stale"], "indicator_code"]),
                   rejected=_rejected_labels(ctx), quality=ctx.quality, synthetic=ctx.is_synthetic)


def _rejected_labels(ctx: PackData) -> list[str]:
    """``SEC-05 2023/24-Q4`` for each rejected value of the cycle (cells named when not the total)."""
    rej = ctx.rejected
    if rej is None or not len(rej):
        return []
    rej = rej[rej["period"] == ctx.cycle]
    return [f"{r.indicator_code} {r.period}" + (f" ({r.disaggregation})" if r.disaggregation else "")
            for r in rej.itertuples()]


TRACKER_COLUMNS = ("recommendation", "date_recommended", "actions", "lead_section", "supporting_section",
                   "endorsed_by", "decision", "target_date", "progress", "comments")


def tracker(ctx: PackData) -> HTML:
    """The recommendations tracker, grouped by impact area (priority), in the CPAS column layout."""
    recs = ctx.recommendations
    groups = []
    if len(recs):
        names = {p.code: f"{i}. {p.label(ctx.language)}" for i, p in enumerate(ctx.framework.priorities, start=1)}
        for code, rows in recs.groupby(recs["priority_code"].fillna(""), sort=False):
            groups.append((names.get(code, code or "—"), [
                {**r, **{k: in_language(r.get(k), ctx.framework, ctx.language)
                         for k in ("lead_section", "supporting_sections", "endorsed_by")}}
                for r in rows.to_dict("records")]))
    return _render("tracker.html.j2", ctx, groups=groups, columns=TRACKER_COLUMNS)


def followup(ctx: PackData) -> HTML:
    """Tracker summary per cycle and the indicators linked to implemented recommendations, before and after."""
    recs, events = ctx.recommendations, ctx.recommendation_events
    on = ctx.reporting_date
    summary = tracker_summary(recs, events, on=on) if len(recs) else pd.DataFrame()
    follow = indicator_followup(ctx.framework, recs, events, ctx.observations, cycle=ctx.cycle) if len(recs) \
        else pd.DataFrame()
    texts = dict(zip(recs["id"].astype(int), recs["text"])) if len(recs) else {}
    rows = [{**r, "recommendation": _short(texts.get(r["recommendation_id"], ""))} for r in follow.to_dict("records")]
    done = recs[(recs["decision"] == "Approved") & (recs["progress"] == "Implemented")] if len(recs) else recs
    unknown = [_short(r["text"]) for r in done.to_dict("records")
               if implementation_period(r, None, ctx.framework.mission.cycle_kind)[1] == "unknown"
               and int(r["id"]) not in set(follow["recommendation_id"] if len(follow) else [])]
    return _render("followup.html.j2", ctx, summary=summary.to_dict("records"), followup=rows, unknown=unknown,
                   caveat=CAVEAT[ctx.language], reporting_date=on.isoformat(),
                   pct=lambda v: "—" if v is None or pd.isna(v) else f"{100 * v:.0f} %")


def _short(text: str, n: int = 90) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


# -- context mapping and framework versions (cpas_kit.stakeholders.views) ----------------------------------
def context_mapping(ctx: PackData) -> Iterator[Any]:
    """The context-mapping section: the stakeholder map in force for the cycle (influence × stance matrix,
    the changes since the previous map with their reasons, stakeholders per outcome), then the per-area map."""
    store = Store(ctx.params.db_url or None)
    try:
        html, chart = pack_section(store, ctx.framework, ctx.cycle, ctx.language)
    finally:
        store.close()
    yield HTML(html)
    if chart is not None:
        yield chart


def framework_versions(ctx: PackData) -> HTML:
    """Which results framework version each cycle with data (and this pack's cycle) was assessed against."""
    cycles = set(ctx.observations["period"]) if len(ctx.observations) else set()
    kind = ctx.framework.mission.cycle_kind
    store = Store(ctx.params.db_url or None)
    try:
        return HTML(framework_versions_html(store, ctx.framework.mission.code,
                                            [c for c in cycles if _kind(c) == kind], ctx.cycle, ctx.language))
    finally:
        store.close()


def _kind(period: str) -> str | None:

    return Period.parse(period).kind if is_period(period) else None


def about(ctx: PackData) -> HTML:
    """The status rule, data labels, credits and the software version."""
    from sqlalchemy.engine import make_url

    url = make_url(ctx.params.db_url) if ctx.params.db_url else None
    store = url.get_backend_name() if url is not None else t("default_store", ctx.language)
    return _render("about.html.j2", ctx, rule=STATUS_RULE[ctx.language], change_rule=CHANGE_RULE[ctx.language],
                   distance_rule=DISTANCE_RULE[ctx.language],
                   synthetic=ctx.is_synthetic,
                   credit=ctx.framework.mission.geography is not None, version=__version__, store=store)
