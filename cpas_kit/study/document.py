"""The cross-mission study as a document: parameters, what it shows (loaded once), its parts for the notebook,
and the build — ``notebooks/cross_mission_study.ipynb`` run by papermill, exported to an offline ``study.html``,
and the same tables written to ``study.xlsx``.

``build_study(make_study_parameters(area="poc", cycle_from="2021/22-Q1", cycle_to="2023/24-Q4"))`` writes
``outputs/studies/poc_2021-22-Q1_2023-24-Q4/``. The aggregates themselves are in :mod:`cpas_kit.study.aggregates`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from IPython.display import HTML
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from cpas_kit import __version__
from cpas_kit.analysis.charts import fatalities_chart, rating_distribution_chart, study_events_chart, study_trend_chart
from cpas_kit.core.errors import CpasError, ParametersError, pydantic_problems
from cpas_kit.core.formatting import country_name
from cpas_kit.core.i18n import t
from cpas_kit.core.paths import study_dir
from cpas_kit.core.periods import PeriodStr
from cpas_kit.core.templates import template
from cpas_kit.core.xlsx import save_workbook
from cpas_kit.framework.standards import catalogue
from cpas_kit.packs.offline import export_html, run_notebook
from cpas_kit.store import Store
from cpas_kit.store.describe import describe_store
from cpas_kit.study import aggregates as st
from cpas_kit.study.quality import quality_by_mission
from cpas_kit.workshop.sessions import DEFAULT_CONTRIBUTION, DEFAULT_PROGRESS

STUDY_NOTEBOOK = "cross_mission_study.ipynb"
DEFAULT_SCALES = {"progress": list(DEFAULT_PROGRESS), "contribution": list(DEFAULT_CONTRIBUTION)}  # rating order


class StudyParameters(BaseModel):
    """What a study run needs; the same fields as the notebook's ``parameters`` cell."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    area: str
    cycle_from: PeriodStr
    cycle_to: PeriodStr
    db_url: str = ""
    language: Literal["en", "fr"] = "en"
    missions: str = ""  # comma-separated mission codes; empty: every mission in the store
    normalisation: Literal["baseline", "minmax"] = "baseline"
    output_dir: str = ""

    @field_validator("area")
    @classmethod
    def _area(cls, v: str) -> str:
        try:
            catalogue().area(v)
        except CpasError as exc:
            raise ValueError(str(exc)) from None
        return v

    def mission_list(self) -> list[str]:
        """The missions named, or an empty list for all."""
        return [m.strip() for m in self.missions.split(",") if m.strip()]

    def out_dir(self) -> Path:
        """Where this study's files go."""
        return Path(self.output_dir) if self.output_dir else study_dir(self.area, self.cycle_from, self.cycle_to)


def make_study_parameters(source: str = "parameters", **values: Any) -> StudyParameters:
    """Validate study parameters; one error naming every bad key."""
    try:
        return StudyParameters(**values)
    except ValidationError as exc:
        raise ParametersError(f"{source}: " + "; ".join(pydantic_problems(exc))) from None


@dataclass
class StudyContext:
    """Everything a study shows, loaded once (aggregated in the store by :mod:`cpas_kit.study.aggregates`)."""

    params: StudyParameters
    scope: st.StudyScope
    store_label: str
    missions: pd.DataFrame
    coverage: pd.DataFrame
    lacking: list[str]
    trends: pd.DataFrame
    ratings: pd.DataFrame
    recommendations: pd.DataFrame
    fatalities_by_year: pd.DataFrame
    fatalities_by_incident: pd.DataFrame
    events: pd.DataFrame
    events_by_period: pd.DataFrame
    worldbank: pd.DataFrame
    generated_at: datetime
    indicator_names_fr: dict[tuple[str, str], str] | None = None  # (mission, indicator) -> French name
    quality: pd.DataFrame | None = None  # data quality per mission and cycle (issue 16)

    def indicator_label(self, mission: str, code: str) -> str:
        """An indicator's name in the study's language (from the mission's framework)."""
        row = self.coverage[(self.coverage["mission_code"] == mission) & (self.coverage["indicator_code"] == code)]
        name = str(row.iloc[0]["indicator_name"]) if len(row) else code
        return (self.indicator_names_fr or {}).get((mission, code), name) if self.language == "fr" else name

    @property
    def language(self) -> str:
        return self.params.language

    @property
    def area_label(self) -> str:
        return catalogue().area(self.params.area).label(self.language)

    @property
    def is_synthetic(self) -> bool:
        return bool(self.missions["is_fictional"].any() or self.coverage["synthetic"].any())


def load_study(params: StudyParameters) -> StudyContext:
    """Run every aggregate of the study against the store named in ``params``."""
    store = Store(params.db_url or None)
    try:
        scope = st.make_scope(params.area, params.cycle_from, params.cycle_to, params.mission_list() or None)
        ms = st.study_missions(store, scope)
        indicators = st.area_indicators(store, scope, ms)
        events_by_period = st.conflict_events(store, scope, "period")
        return StudyContext(
            params=params, scope=scope, store_label=describe_store(store.url, params.language), missions=ms,
            coverage=st.coverage(store, scope),
            lacking=st.lacking(ms, indicators), trends=st.trends(store, scope, params.normalisation),
            ratings=st.ratings(store, scope), recommendations=st.recommendation_rates(store, scope),
            fatalities_by_year=st.fatalities(store, scope, "year"),
            fatalities_by_incident=st.fatalities(store, scope, "incident"),
            events=st.events_per_mission(events_by_period), events_by_period=events_by_period,
            worldbank=st.worldbank_context(store, scope), generated_at=datetime.now(timezone.utc),
            indicator_names_fr=_names_fr(store, scope, ms) if params.language == "fr" else None,
            quality=quality_by_mission(store, scope, list(ms["mission_code"])))
    finally:
        store.close()


def _names_fr(store: Store, scope: st.StudyScope, ms: pd.DataFrame) -> dict[tuple[str, str], str]:
    """French indicator names from each mission's framework in force at the last cycle (English when none)."""
    out: dict[tuple[str, str], str] = {}
    for mission in ms["mission_code"]:
        for _, _, ind in store.framework(mission, str(scope.last)).indicators():
            out[(mission, ind.code)] = ind.label("fr")
    return out


# -- the parts the notebook displays -----------------------------------------------------------------------------

def _render(name: str, ctx: StudyContext, **values: Any) -> HTML:
    lang = ctx.language
    return HTML(template("study/" + name).render(t=lambda k: t(k, lang), **values))


def _pct(v: Any) -> str:
    return "—" if v is None or pd.isna(v) else f"{float(v):.0%}"


def _num(v: Any) -> str:
    if v is None or pd.isna(v):
        return "—"
    f = float(v)
    return f"{f:,.0f}" if f.is_integer() else f"{f:,.1f}"


def _table(ctx: StudyContext, heading: str | None, intro: list[str], columns: list[str], rows: list[dict],
           empty: str, level: int = 2) -> HTML:
    return _render("table.html.j2", ctx, heading=heading, intro=intro, columns=[t(c, ctx.language) for c in columns],
                   rows=rows, empty=t(empty, ctx.language), level=level)


def header(ctx: StudyContext) -> HTML:
    """Title, synthetic banner, scope and the missions compared."""
    lang = ctx.language
    line = t("study_scope", lang).format(area=ctx.area_label, first=ctx.scope.first, last=ctx.scope.last,
                                         n=len(ctx.missions))
    missions = [{"code": r.mission_code, "name": (r.name_fr or r.name) if lang == "fr" else r.name,
                 "fictional": r.is_fictional, "country": country_name(r.country_iso3, lang),
                 "version": r.framework_version}
                for r in ctx.missions.itertuples()]
    return _render("header.html.j2", ctx, area=ctx.area_label, synthetic=ctx.is_synthetic, scope_line=line,
                   missions=missions)


def coverage_section(ctx: StudyContext) -> HTML:
    """Who measures what: standards × missions (completeness, since when, verified), the missions lacking a mapped
    indicator, and the indicators only tagged with the area."""
    lang, cov = ctx.language, ctx.coverage
    if not len(cov):
        return _section(ctx, t("study_coverage", lang), [t("study_no_indicators", lang)])
    lacking = (t("study_lacking", lang).format(missions=", ".join(ctx.lacking)) if ctx.lacking
               else t("study_lacking_none", lang))
    missions = list(ctx.missions["mission_code"])
    entries = {s.code: s for s in catalogue().entries()}
    rows = []
    for code, part in cov[cov["mapped"]].groupby("standard_code", sort=True):
        by_mission = {r.mission_code: {"completeness": _pct(r.completeness), "since": r.first_period or "—",
                                       "verified": _pct(r.verified_share), "indicator": r.indicator_code}
                      for r in part.itertuples()}
        rows.append({"code": code, "name": entries[code].label(lang), "unit": entries[code].unit,
                     "cells": [by_mission.get(m) for m in missions]})
    tagged = [{"indicator": f"{code} {ctx.indicator_label(part.iloc[0]['mission_code'], code)}",
               "missions": ", ".join(sorted(part["mission_code"]))}
              for code, part in cov[~cov["mapped"]].groupby("indicator_code", sort=True)]
    return _render("coverage.html.j2", ctx, intro=[t("study_coverage_intro", lang), lacking], missions=missions,
                   rows=rows, tagged=tagged)


def _section(ctx: StudyContext, heading: str, intro: list[str], level: int = 2) -> HTML:
    return _render("section.html.j2", ctx, heading=heading, intro=intro, level=level)


def trend_section(ctx: StudyContext) -> list[Any]:
    """Normalised trends of the mapped indicators, one panel per standard code."""
    lang = ctx.language
    intro = t("study_trends_baseline" if ctx.params.normalisation == "baseline" else "study_trends_minmax", lang)
    if not len(ctx.trends):
        return [_section(ctx, t("study_trends", lang), [intro, t("study_no_trends", lang)])]
    titles = {s.code: s.label(lang) for s in catalogue().entries()}
    return [_section(ctx, t("study_trends", lang), [intro]),
            study_trend_chart(ctx.trends, titles, t("study_index", lang), lang)]


def rating_section(ctx: StudyContext) -> list[Any]:
    """The distribution of agreed ratings per mission, one chart per scale."""
    lang = ctx.language
    head = _section(ctx, t("study_ratings", lang), [t("study_ratings_intro", lang)]
                    + ([] if len(ctx.ratings) else [t("study_no_ratings", lang)]))
    parts: list[Any] = [head]
    for scale in st.RATING_SCALES:
        part = ctx.ratings[ctx.ratings["scale"] == scale]
        if len(part):
            order = list(dict.fromkeys(DEFAULT_SCALES[scale]
                                       + sorted(set(part["rating"]) - set(DEFAULT_SCALES[scale]))))
            parts.append(rating_distribution_chart(part, order, t(f"study_scale_{scale}", lang), lang))
    return parts


def recommendation_section(ctx: StudyContext) -> HTML:
    """Approval and implementation of the area's recommendations, per mission."""
    rows = [{"cells": [r.mission_code, r.recommended, r.decided, r.approved, r.implemented, _pct(r.approval_rate),
                       _pct(r.implementation_rate)]} for r in ctx.recommendations.itertuples()]
    return _table(ctx, t("study_recommendations", ctx.language), [t("study_recs_intro", ctx.language)],
                  ["study_col_mission", "study_col_recommended", "study_col_decided", "study_col_approved",
                   "study_col_implemented", "study_col_approval_rate", "study_col_implementation_rate"], rows,
                  "study_no_recs")


def quality_section(ctx: StudyContext) -> HTML:
    """Completeness, timeliness and outlier rate per mission and cycle."""
    q = ctx.quality if ctx.quality is not None else pd.DataFrame()
    rows = [{"cells": [r.mission_code, r.cycle, f"{r.entered}/{r.expected}", _pct(r.completeness),
                       _num(r.median_days_late), _pct(r.outlier_rate), r.open_findings]} for r in q.itertuples()]
    return _table(ctx, t("study_dq_title", ctx.language), [t("study_dq_intro", ctx.language)],
                  ["study_col_mission", "cycle", "qa_entered", "qa_completeness", "qa_median_days_late",
                   "qa_outlier_rate", "qa_findings"], rows, "study_dq_none")


def fatalities_section(ctx: StudyContext) -> list[Any]:
    """Peacekeeping fatalities per mission and year (chart and table) and per type of incident."""
    lang = ctx.language
    by_year = ctx.fatalities_by_year
    if not len(by_year):
        return [_section(ctx, t("study_fatalities", lang), [t("study_fatalities_intro", lang),
                                                           t("study_no_fatalities", lang)])]
    years = sorted(by_year["year"].unique())
    wide = by_year.pivot_table(index=["mission_acronym", "in_study"], columns="year", values="fatalities",
                               aggfunc="sum", fill_value=0).reset_index()
    rows = [{"strong": bool(r["in_study"]), "cells": [r["mission_acronym"], *[int(r[y]) for y in years]]}
            for _, r in wide.iterrows()]
    table = _render("table.html.j2", ctx, heading=t("study_fatalities", lang),
                    intro=[t("study_fatalities_intro", lang)],
                    columns=[t("study_col_mission", lang), *[str(y) for y in years]], rows=rows, empty="", level=2)
    inc = ctx.fatalities_by_incident.groupby("type_of_incident", dropna=False)["fatalities"].sum().reset_index()
    inc_rows = [{"cells": [r.type_of_incident if isinstance(r.type_of_incident, str) else "—", r.fatalities]}
                for r in inc.sort_values("fatalities", ascending=False).itertuples()]
    by_incident = _table(ctx, t("study_by_incident", lang), [], ["study_col_incident", "study_col_peacekeeper_deaths"],
                         inc_rows, "study_no_fatalities", level=3)
    return [table, fatalities_chart(by_year, lang), by_incident]


def events_section(ctx: StudyContext) -> list[Any]:
    """Conflict events per mission and source over the range, and per period (chart)."""
    lang = ctx.language
    rows = [{"cells": [r.mission_code, r.source.upper(), _num(r.events), _num(r.fatalities_best),
                       _num(r.civilian_targeting)]} for r in ctx.events.itertuples()]
    table = _table(ctx, t("study_events", lang), [t("study_events_intro", lang)],
                   ["study_col_mission", "study_col_source", "study_col_events", "study_col_fatalities",
                    "study_col_civilian_targeting"], rows, "study_no_events")
    return [table, study_events_chart(ctx.events_by_period, lang)] if len(ctx.events_by_period) else [table]


def worldbank_section(ctx: StudyContext) -> HTML:
    """World Bank values of the host countries, per mission and year."""
    rows = [{"cells": [r.mission_code, r.indicator_name, r.year, _num(r.value)]} for r in ctx.worldbank.itertuples()]
    return _table(ctx, t("study_worldbank", ctx.language), [], ["study_col_mission", "study_col_indicator",
                                                                "study_col_year", "study_col_value"], rows,
                  "study_no_worldbank")


def about(ctx: StudyContext) -> HTML:
    """Provenance: version, time, store, where definitions come from, and the normalisation used."""
    lang = ctx.language
    text = t("study_about_text", lang).format(version=__version__, store=ctx.store_label,
                                               generated=ctx.generated_at.strftime("%Y-%m-%d %H:%M UTC"))
    method = t("study_trends_baseline" if ctx.params.normalisation == "baseline" else "study_trends_minmax", lang)
    return _render("about.html.j2", ctx, text=text, method=method)


# -- files -------------------------------------------------------------------------------------------------------

def tables(ctx: StudyContext) -> dict[str, pd.DataFrame]:
    """The study's tables by sheet name (what ``study.xlsx`` holds)."""
    lacking = pd.DataFrame({"mission_code": ctx.lacking, "area": ctx.params.area})
    return {"Missions": ctx.missions.drop(columns=["version_id"]), "Coverage": ctx.coverage,
            "Lacking a standard": lacking, "Trends": ctx.trends, "Ratings": ctx.ratings,
            "Recommendations": ctx.recommendations, "Fatalities by year": ctx.fatalities_by_year,
            "Fatalities by incident": ctx.fatalities_by_incident, "Conflict events": ctx.events,
            "Events by period": ctx.events_by_period, "World Bank": ctx.worldbank,
            "Data quality": ctx.quality if ctx.quality is not None else pd.DataFrame()}


def write_xlsx(ctx: StudyContext, path: Path) -> Path:
    """Every table of the study in one workbook (one sheet each, header frozen), plus an About sheet."""
    from openpyxl.styles import Font

    path.parent.mkdir(parents=True, exist_ok=True)
    about_rows = [(t("study_title", ctx.language), f"{ctx.area_label} ({ctx.params.area})"),
                  (t("period", ctx.language), f"{ctx.scope.first} – {ctx.scope.last}"),
                  ("normalisation", ctx.params.normalisation),
                  (t("generated", ctx.language), ctx.generated_at.strftime("%Y-%m-%d %H:%M UTC")),
                  ("store", ctx.store_label), ("cpas_kit", __version__)]
    if ctx.is_synthetic:
        about_rows.append((t("synthetic", ctx.language), t("study_synthetic", ctx.language)))
    with pd.ExcelWriter(io.BytesIO(), engine="openpyxl") as xl:
        pd.DataFrame(about_rows, columns=["", ""]).to_excel(xl, sheet_name="About", index=False, header=False)
        for name, frame in tables(ctx).items():
            out = frame.copy()
            for c in out.columns:
                if isinstance(out[c].dtype, pd.DatetimeTZDtype):
                    out[c] = out[c].dt.tz_localize(None)
            out.to_excel(xl, sheet_name=name, index=False)
            sheet = xl.sheets[name]
            sheet.freeze_panes = "A2"
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for col in sheet.columns:
                width = max(len(str(c.value or "")) for c in list(col)[:200])
                sheet.column_dimensions[col[0].column_letter].width = min(60, max(10, width + 2))
        book = xl.book
    return save_workbook(book, path)  # the one writer: user text never becomes a formula


def build_study(params: StudyParameters) -> dict[str, Any]:
    """Run the study notebook with ``params``; write ``study.html`` (offline) and ``study.xlsx``.

    Returns ``{"files": [paths], "area_label", "missions": n, "lacking": [codes]}``.
    """
    ctx = load_study(params)  # fails early with a clear sentence (unknown mission, cycles in the wrong order)
    if not len(ctx.missions):
        raise st.StudyError("the store holds no mission with a results framework: load one first (e.g. `cpas demo`)")
    out = params.out_dir()
    executed = run_notebook(STUDY_NOTEBOOK, out, params.model_dump(), what="the study notebook")
    title = f"{t('study_title', params.language)} — {ctx.area_label}, {params.cycle_from} – {params.cycle_to}"
    html = export_html(executed, out / "study.html", title, language=params.language)
    xlsx = write_xlsx(ctx, out / "study.xlsx")
    return {"files": [html, xlsx], "area_label": ctx.area_label, "missions": len(ctx.missions), "lacking": ctx.lacking}


__all__ = [
    "StudyContext",
    "StudyParameters",
    "about",
    "build_study",
    "coverage_section",
    "events_section",
    "fatalities_section",
    "header",
    "load_study",
    "make_study_parameters",
    "rating_section",
    "quality_section",
    "recommendation_section",
    "tables",
    "trend_section",
    "worldbank_section",
    "write_xlsx",
]
