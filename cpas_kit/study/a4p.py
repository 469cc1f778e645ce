"""A4P+ monitoring of CPAS: the figures the seeds publish, beside the same views computed from the store.

The published figures are a small real dataset (``cpas_kit/data/a4p/a4p_figures.csv``, sources and
quotations in its ``PROVENANCE.md``): missions using CPAS, missions with approved plans, missions conducting
impact assessments per reporting period, and leadership approvals of recommendations. The store views are
aggregates pushed into SQL (frameworks per mission, workshop sessions and recommendations per cycle) and the
tracker's current decisions replayed from ``recommendation_events``; fictional demo missions are labelled
synthetic. ``notebooks/a4p_monitoring.ipynb`` shows both; :func:`build_a4p` (``cpas a4p``) runs it with
papermill and exports offline HTML to ``outputs/a4p/``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import altair as alt
import pandas as pd
import pandera.pandas as pa
from IPython.display import HTML
from pandera.typing import Series
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import func, select

from cpas_kit.analysis.theme import UN_BLUE, use_theme
from cpas_kit.core.errors import ParametersError, pydantic_problems
from cpas_kit.core.i18n import t
from cpas_kit.core.paths import DATA_DIR, outputs_dir
from cpas_kit.packs.offline import export_html, run_notebook
from cpas_kit.store import Store
from cpas_kit.store import engine as _engine
from cpas_kit.store import schema as S
from cpas_kit.tracker.rules import replay

FIGURES_FILE = DATA_DIR / "a4p" / "a4p_figures.csv"
NOTEBOOK = "a4p_monitoring.ipynb"
HTML_NAME = "a4p_monitoring.html"
VIEWS = ("cpas_use", "headline", "approved_plans", "impact_assessments", "recommendation_approvals")
_GREY = "#BDBDBD"
HEADLINE_ORDER = ("missions_using_cpas", "assessments_total", "recommendations_total", "data_points",
                  "sg_reports_informed", "council_factsheets", "missions_with_plan", "missions_conducting")

use_theme()


class A4PParameters(BaseModel):
    """The notebook's parameters: which store, which language, where the HTML goes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    db_url: str = ""
    language: Literal["en", "fr"] = "en"
    output_dir: str = ""

    def out_dir(self) -> Path:
        """``output_dir`` or ``outputs/a4p/``."""
        return Path(self.output_dir) if self.output_dir else outputs_dir() / "a4p"


def make_parameters(**values: Any) -> A4PParameters:
    """Validate the parameters; one error naming every bad key."""
    try:
        return A4PParameters(**values)
    except ValidationError as exc:
        raise ParametersError("A4P+ parameters: " + "; ".join(pydantic_problems(exc))) from None


class A4PFigures(pa.DataFrameModel):
    """One published figure per row (see ``cpas_kit/data/a4p/PROVENANCE.md``)."""

    figure_id: Series[str] = pa.Field(unique=True, str_matches=r"^F\d{2,}$")
    view: Series[str] = pa.Field(isin=list(VIEWS))
    metric: Series[str]
    mission: Series[str] = pa.Field(nullable=True, description="acronym; empty for an all-mission total")
    as_written: Series[str]
    period: Series[str]
    as_of: Series[str] = pa.Field(nullable=True, str_matches=r"^\d{4}-\d{2}-\d{2}$")
    value: Series[int] = pa.Field(ge=0)
    qualifier: Series[str] = pa.Field(isin=["exact", "over", "well over", "some"])
    source_file: Series[str] = pa.Field(str_matches=r"^\d{3}_[0-9a-f]+\.txt$")
    document: Series[str]
    locator: Series[str]
    quote_id: Series[str] = pa.Field(str_matches=r"^Q\d+$")
    note: Series[str] = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True


def load_figures(path: "str | Path" = FIGURES_FILE) -> pd.DataFrame:
    """The published figures, validated."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)
    return A4PFigures.validate(frame)


# -- the published views ----------------------------------------------------------------------------------

def _period_order(fig: pd.DataFrame) -> list[str]:
    """Periods in time order; an undated one (A4P+ cycle 4) takes its document's date and sorts by name before
    that document's own period (cycle 5)."""
    doc_date = fig.dropna(subset=["as_of"]).groupby("source_file")["as_of"].max()
    key = fig["as_of"].fillna(fig["source_file"].map(doc_date)).fillna("")
    periods = fig.assign(k=key)[["k", "period"]].drop_duplicates().sort_values(["k", "period"])
    return list(dict.fromkeys(periods["period"]))


def _value_text(value: int, qualifier: str, language: str) -> str:
    return f"{value:,}" if qualifier == "exact" else f"{t(f'a4p_q_{qualifier}', language)} {value:,}"


def headline_table(fig: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    """The all-mission counts (missions using CPAS, assessments, recommendations, data points…), by period."""
    totals = fig[fig["mission"].isna()].copy()
    order = _period_order(fig)
    totals["order"] = totals["period"].map(order.index)
    totals["rank"] = totals["metric"].map(lambda m: HEADLINE_ORDER.index(m) if m in HEADLINE_ORDER else 99)
    totals = totals.sort_values(["rank", "order"])
    return pd.DataFrame({
        t("a4p_figure", language): totals["metric"].map(lambda m: t(f"a4p_m_{m}", language)),
        t("a4p_value", language): [_value_text(v, q, language) for v, q in zip(totals["value"], totals["qualifier"])],
        t("a4p_period", language): totals["period"],
        t("a4p_source", language): totals["source_file"] + ", " + totals["locator"] + " (" + totals["quote_id"] + ")",
    })


def mission_matrix(fig: pd.DataFrame, view: str) -> pd.DataFrame:
    """Per mission and period of one view: 1 listed, 0 named as not (yet); tidy, for a table or chart."""
    rows = fig[(fig["view"] == view) & fig["mission"].notna()
               & fig["metric"].isin(["uses_cpas", "has_plan", "conducted_assessment"])]
    out = rows[["mission", "period", "value", "as_written", "note", "quote_id"]].copy()
    order = _period_order(fig)
    out["order"] = out["period"].map(order.index)
    return out.sort_values(["order", "mission"]).drop(columns="order").reset_index(drop=True)


def matrix_table(matrix: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    """A mission × period grid of ✓ / ✗ (missions not named in a period are blank)."""
    if not len(matrix):
        return pd.DataFrame()
    marks = matrix.assign(mark=matrix["value"].map({1: "✓", 0: "✗"}))
    grid = marks.pivot(index="mission", columns="period", values="mark")
    periods = list(dict.fromkeys(matrix["period"]))
    return grid[periods].fillna("").rename_axis(columns=None).reset_index().rename(
        columns={"mission": t("mission", language)})


def period_counts(fig: pd.DataFrame, view: str, count_metric: str) -> pd.DataFrame:
    """Per period of one view: missions listed, and the count the document states (if it states one)."""
    matrix = mission_matrix(fig, view)
    listed = matrix.groupby("period", sort=False)["value"].sum().rename("missions_listed")
    stated = fig[(fig["view"] == view) & (fig["metric"] == count_metric)].set_index("period")["value"]
    out = pd.concat([listed, stated.rename("count_stated")], axis=1).reset_index(names="period")
    return out.astype({"count_stated": "Int64"})


def approvals_table(fig: pd.DataFrame) -> pd.DataFrame:
    """Per mission: recommendations presented to and approved by leadership, and the approval rate."""
    rows = fig[fig["metric"].isin(["recommendations_presented", "recommendations_approved"])]
    wide = rows.pivot(index="mission", columns="metric", values="value").reset_index()
    wide = wide.rename(columns={"recommendations_presented": "presented", "recommendations_approved": "approved"})
    wide["approval_rate"] = wide["approved"] / wide["presented"]
    period = rows["period"].iloc[0] if len(rows) else ""
    return wide.assign(period=period)[["mission", "presented", "approved", "approval_rate", "period"]]


# -- the store views (aggregates in SQL) --------------------------------------------------------------------

@dataclass
class StoreViews:
    """What the store says for the same views (``synthetic`` names the fictional demo missions)."""

    store: str
    frameworks: pd.DataFrame  # mission, name, synthetic, versions, first_effective_from, indicators
    cycles: pd.DataFrame  # mission, cycle, sessions, outcomes_agreed, recommendations
    approvals: pd.DataFrame  # mission, recommended, decided, approved, rejected, awaiting, approval_rate
    synthetic: list[str]
    totals: dict[str, int]  # missions with a framework, observations, workshop sessions, recommendations


def store_views(db_url: str = "") -> StoreViews:
    """Compute the store's views (on SQLite or PostgreSQL) in a handful of aggregate queries."""
    store = Store(db_url or None)
    try:
        with _engine.read(store.engine) as conn:
            frameworks = _frameworks(conn)
            cycles = _cycles(conn)
            approvals = _approvals(conn)
            totals = {name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                      for name, table in (("observations", S.observations), ("sessions", S.workshop_sessions),
                                          ("recommendations", S.recommendations))}
        label = repr(store)
    finally:
        store.close()
    synthetic = sorted(frameworks.loc[frameworks["synthetic"], "mission"])
    totals["missions"] = len(frameworks)
    return StoreViews(store=label, frameworks=frameworks, cycles=cycles, approvals=approvals, synthetic=synthetic,
                      totals=totals)


def _frameworks(conn: Any) -> pd.DataFrame:
    m, fv, fi, ob = S.missions, S.framework_versions, S.framework_indicators, S.observations
    latest = (select(fv.c.mission_code, func.max(fv.c.version).label("latest"), func.count().label("versions"),
                     func.min(fv.c.effective_from_start).label("first_start"))
              .group_by(fv.c.mission_code).subquery())
    first = select(fv.c.effective_from).where(fv.c.mission_code == m.c.code).order_by(fv.c.effective_from_start,
                                                                                       fv.c.version).limit(1)
    n_ind = (select(func.count()).select_from(fi.join(fv, fv.c.id == fi.c.version_id))
             .where(fv.c.mission_code == m.c.code, fv.c.version == latest.c.latest))
    synthetic = select(func.count()).where(ob.c.mission_code == m.c.code, ob.c.is_synthetic.is_(True)).limit(1)
    q = (select(m.c.code.label("mission"), m.c.name, m.c.is_fictional, latest.c.versions,
                first.scalar_subquery().label("first_effective_from"), n_ind.scalar_subquery().label("indicators"),
                synthetic.exists().label("has_synthetic"))
         .join(latest, latest.c.mission_code == m.c.code).order_by(m.c.code))
    rows = [dict(r) for r in conn.execute(q).mappings()]
    frame = pd.DataFrame(rows, columns=["mission", "name", "is_fictional", "versions", "first_effective_from",
                                        "indicators", "has_synthetic"])
    frame["synthetic"] = frame["is_fictional"].astype(bool) | frame["has_synthetic"].astype(bool)
    return frame.drop(columns=["is_fictional", "has_synthetic"])


def _cycles(conn: Any) -> pd.DataFrame:
    ws, wa, rec = S.workshop_sessions, S.workshop_agreed, S.recommendations
    sessions = conn.execute(
        select(ws.c.mission_code.label("mission"), ws.c.cycle, func.count(func.distinct(ws.c.id)).label("sessions"),
               func.count(wa.c.id).label("outcomes_agreed"))
        .select_from(ws.outerjoin(wa, wa.c.session_id == ws.c.id)).group_by(ws.c.mission_code, ws.c.cycle)).all()
    recs = conn.execute(select(rec.c.mission_code.label("mission"), rec.c.cycle_recommended.label("cycle"),
                               func.count().label("recommendations"))
                        .group_by(rec.c.mission_code, rec.c.cycle_recommended)).all()
    a = pd.DataFrame(sessions, columns=["mission", "cycle", "sessions", "outcomes_agreed"])
    b = pd.DataFrame(recs, columns=["mission", "cycle", "recommendations"])
    out = a.merge(b, on=["mission", "cycle"], how="outer").fillna(0)
    out = out.astype({"sessions": int, "outcomes_agreed": int, "recommendations": int})
    return out.sort_values(["mission", "cycle"]).reset_index(drop=True)


def _approvals(conn: Any) -> pd.DataFrame:
    ev = S.recommendation_events
    events: dict[int, list[dict[str, Any]]] = {}
    mission_of: dict[int, str] = {}
    q = select(ev.c.recommendation_id, ev.c.mission_code, ev.c.action, ev.c.field, ev.c.to_value, ev.c.at, ev.c.actor)
    for row in conn.execute(q.order_by(ev.c.recommendation_id, ev.c.id)).mappings():
        events.setdefault(row["recommendation_id"], []).append(dict(row))
        mission_of[row["recommendation_id"]] = row["mission_code"]
    decisions = pd.DataFrame([{"mission": mission_of[r], "decision": replay(evs)["decision"]}
                              for r, evs in events.items()], columns=["mission", "decision"])
    if not len(decisions):
        return pd.DataFrame(columns=["mission", "recommended", "decided", "approved", "rejected", "awaiting",
                                     "approval_rate"])
    counts = pd.crosstab(decisions["mission"], decisions["decision"])
    out = pd.DataFrame({"recommended": counts.sum(axis=1)})
    out["approved"] = counts.get("Approved", 0)
    out["rejected"] = counts.get("Rejected", 0)
    out["awaiting"] = counts.get("Awaiting Review", 0)
    out["decided"] = out["recommended"] - out["awaiting"]
    out["approval_rate"] = (out["approved"] / out["decided"]).where(out["decided"] > 0)
    return out.reset_index(names="mission")[["mission", "recommended", "decided", "approved", "rejected", "awaiting",
                                             "approval_rate"]]


# -- charts (they return charts; the notebook displays them) --------------------------------------------------

def matrix_chart(matrix: pd.DataFrame, title: str, language: str = "en") -> alt.Chart:
    """Missions × periods: a filled square where the document lists the mission, a grey one where it names it as
    not (yet) there."""
    data = matrix.assign(status=matrix["value"].map({1: t("a4p_listed", language), 0: t("a4p_not_yet", language)}))
    data = data[["mission", "period", "status", "as_written"]]
    return alt.Chart(data, title=title).mark_square(size=260).encode(
        x=alt.X("period:N", sort=list(dict.fromkeys(matrix["period"])), title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("mission:N", title=None),
        color=alt.Color("status:N", title=None, scale=alt.Scale(domain=[t("a4p_listed", language),
                                                                       t("a4p_not_yet", language)],
                                                                range=[UN_BLUE, _GREY])),
        tooltip=["mission", "period", "status", "as_written"],
    ).properties(width=190 * max(1, matrix["period"].nunique()))


def count_chart(counts: pd.DataFrame, title: str, language: str = "en") -> alt.Chart:
    """Missions per period (bars), in period order."""
    data = counts.rename(columns={"missions_listed": "n"})[["period", "n"]]
    return alt.Chart(data, title=title).mark_bar(color=UN_BLUE).encode(
        x=alt.X("period:N", sort=list(data["period"]), title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("n:Q", title=t("a4p_missions", language), axis=alt.Axis(tickMinStep=1)),
        tooltip=["period", "n"],
    ).properties(width=420, height=160)


def approvals_chart(table: pd.DataFrame, title: str, language: str = "en", *, presented: str = "presented",
                    subtitle: str | None = None) -> alt.Chart:
    """Per mission, recommendations presented (or decided) and approved, side by side."""
    long = table.melt(id_vars="mission", value_vars=[presented, "approved"], var_name="kind", value_name="n")
    labels = {presented: t("a4p_presented" if presented == "presented" else "a4p_decided", language),
              "approved": t("a4p_approved", language)}
    long["kind"] = long["kind"].map(labels)
    chart_title = alt.TitleParams(title, subtitle=[subtitle]) if subtitle else title
    return alt.Chart(long, title=chart_title).mark_bar().encode(
        y=alt.Y("mission:N", title=None),
        yOffset=alt.YOffset("kind:N", sort=list(labels.values())),
        x=alt.X("n:Q", title=None, axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("kind:N", title=None, sort=list(labels.values()), scale=alt.Scale(range=[_GREY, UN_BLUE])),
        tooltip=["mission", "kind", "n"],
    ).properties(width=380)


def cycles_chart(cycles: pd.DataFrame, title: str, language: str = "en") -> alt.Chart:
    """Store: missions × cycles, sized by workshop sessions, coloured by recommendations recorded."""
    data = cycles[["mission", "cycle", "sessions", "recommendations"]]
    return alt.Chart(data, title=title).mark_circle().encode(
        x=alt.X("cycle:O", title=t("cycle", language), axis=alt.Axis(labelAngle=-40)),
        y=alt.Y("mission:N", title=None),
        size=alt.Size("sessions:Q", title=t("a4p_sessions", language), scale=alt.Scale(rangeMin=30)),
        color=alt.Color("recommendations:Q", title=t("a4p_recommendations", language),
                        scale=alt.Scale(scheme="blues")),
        tooltip=["mission", "cycle", "sessions", "recommendations"],
    )


# -- the notebook's parts (displayable objects) ---------------------------------------------------------------

def _h(level: int, text: str) -> HTML:
    return HTML(f"<h{level}>{html.escape(text)}</h{level}>")


def _table(frame: pd.DataFrame, language: str, empty: str = "a4p_none") -> HTML:
    if not len(frame):
        return HTML(f'<p class="cpas-note">{html.escape(t(empty, language))}</p>')
    return HTML(frame.to_html(index=False, escape=True, classes="cpas-table", border=0, na_rep="—"))


def _store_heading(views: StoreViews, key: str, language: str) -> list[HTML]:
    parts = [_h(3, f"{t('a4p_from_store', language)}: {t(key, language)}")]
    if views.synthetic:
        banner = t("a4p_synthetic_banner", language).format(missions=", ".join(views.synthetic))
        parts.append(HTML(f'<div class="cpas-banner">{html.escape(banner)}</div>'))
    return parts


def header(params: A4PParameters, views: StoreViews, fig: pd.DataFrame) -> HTML:
    """Title, what the page shows, and which store it read."""
    lang = params.language
    docs = fig.drop_duplicates("source_file")[["source_file", "document"]]
    items = "".join(f"<li><code>{html.escape(r.source_file)}</code>: {html.escape(r.document)}</li>"
                    for r in docs.itertuples())
    return HTML(f"<h1>{html.escape(t('a4p_title', lang))}</h1><p>{html.escape(t('a4p_intro', lang))}</p>"
                f"<table class='cpas-meta'><tr><th>{html.escape(t('a4p_store', lang))}</th>"
                f"<td>{html.escape(views.store)}</td></tr></table>"
                f"<p>{html.escape(t('a4p_sources', lang))}:</p><ul class='cpas-note'>{items}</ul>")


def headline_section(fig: pd.DataFrame, views: StoreViews, language: str = "en") -> list[Any]:
    """CPAS in numbers and missions using CPAS over time; the store's missions with a framework beside them."""
    use = mission_matrix(fig, "cpas_use")
    counts = fig[(fig["metric"] == "missions_using_cpas")].assign(missions_listed=lambda f: f["value"])
    order = _period_order(fig)
    counts = counts.assign(o=counts["period"].map(order.index)).sort_values("o")
    return [
        _h(2, t("a4p_headline", language)), _h(3, t("a4p_published", language)),
        _table(headline_table(fig, language), language),
        count_chart(counts, t("a4p_cpas_use", language), language),
        _table(matrix_table(use, language), language),
        *_store_heading(views, "a4p_headline", language),
        _table(_store_totals_table(views, language), language),
    ]


def _store_totals_table(views: StoreViews, language: str) -> pd.DataFrame:
    labels = {"missions": "a4p_s_missions", "observations": "a4p_s_observations", "sessions": "a4p_sessions",
              "recommendations": "a4p_recommendations"}
    return pd.DataFrame({t("a4p_figure", language): [t(labels[k], language) for k in labels],
                         t("a4p_value", language): [f"{views.totals[k]:,}" for k in labels]})


def _store_frameworks_table(views: StoreViews, language: str) -> pd.DataFrame:
    f = views.frameworks
    return pd.DataFrame({
        t("mission", language): f["mission"], t("a4p_versions", language): f["versions"],
        t("a4p_since", language): f["first_effective_from"], t("a4p_indicators", language): f["indicators"],
        t("a4p_data", language): f["synthetic"].map({True: t("synthetic", language), False: t("a4p_real", language)}),
    })


def plans_section(fig: pd.DataFrame, views: StoreViews, language: str = "en") -> list[Any]:
    """Missions with approved plans (published) beside the store's missions and their framework versions."""
    plans = mission_matrix(fig, "approved_plans")
    return [
        _h(2, t("a4p_approved_plans", language)), _h(3, t("a4p_published", language)),
        _table(_counts_table(period_counts(fig, "approved_plans", "missions_with_plan"), language), language),
        matrix_chart(plans, t("a4p_approved_plans", language), language),
        *_store_heading(views, "a4p_store_frameworks", language),
        _table(_store_frameworks_table(views, language), language),
    ]


def _counts_table(counts: pd.DataFrame, language: str) -> pd.DataFrame:
    return pd.DataFrame({t("a4p_period", language): counts["period"],
                         t("a4p_missions", language): counts["missions_listed"],
                         t("a4p_value", language): counts["count_stated"].astype(object).where(
                             counts["count_stated"].notna(), "—")})


def assessments_section(fig: pd.DataFrame, views: StoreViews, language: str = "en") -> list[Any]:
    """Missions conducting impact assessments per reporting period, beside the store's sessions per cycle."""
    ia = mission_matrix(fig, "impact_assessments")
    cyc = views.cycles
    table = pd.DataFrame({t("mission", language): cyc["mission"], t("cycle", language): cyc["cycle"],
                          t("a4p_sessions", language): cyc["sessions"],
                          t("a4p_agreed", language): cyc["outcomes_agreed"],
                          t("a4p_recommendations", language): cyc["recommendations"]})
    parts: list[Any] = [
        _h(2, t("a4p_impact_assessments", language)), _h(3, t("a4p_published", language)),
        _table(_counts_table(period_counts(fig, "impact_assessments", "missions_conducting"), language), language),
        matrix_chart(ia, t("a4p_impact_assessments", language), language),
        *_store_heading(views, "a4p_store_sessions", language), _table(table, language),
    ]
    if len(cyc):
        parts.append(cycles_chart(cyc, t("a4p_store_sessions", language), language))
    return parts


def approvals_section(fig: pd.DataFrame, views: StoreViews, language: str = "en") -> list[Any]:
    """Recommendations approved by leadership (published) beside the store's decisions from the tracker."""
    pub = approvals_table(fig)
    pub_view = pd.DataFrame({t("mission", language): pub["mission"], t("a4p_presented", language): pub["presented"],
                             t("a4p_approved", language): pub["approved"],
                             t("a4p_rate", language): pub["approval_rate"].map("{:.0%}".format),
                             t("a4p_period", language): pub["period"]})
    ap = views.approvals
    store_view = pd.DataFrame({
        t("mission", language): ap["mission"], t("a4p_recommended", language): ap["recommended"],
        t("a4p_decided", language): ap["decided"], t("a4p_approved", language): ap["approved"],
        t("a4p_rejected", language): ap["rejected"], t("a4p_awaiting", language): ap["awaiting"],
        t("a4p_rate", language): ap["approval_rate"].map(lambda r: "—" if pd.isna(r) else f"{r:.0%}"),
    })
    parts: list[Any] = [
        _h(2, t("a4p_approvals", language)), _h(3, t("a4p_published", language)), _table(pub_view, language),
        approvals_chart(pub, t("a4p_approvals", language), language, subtitle=str(pub["period"].iloc[0])),
        *_store_heading(views, "a4p_store_approvals", language), _table(store_view, language),
    ]
    if len(ap):
        synthetic = [m for m in ap["mission"] if m in views.synthetic]
        parts.append(approvals_chart(ap, t("a4p_store_approvals", language), language, presented="decided",
                                     subtitle=t("synthetic", language).upper() if synthetic else None))
    return parts


def sources_section(fig: pd.DataFrame, language: str = "en") -> list[Any]:
    """Where every published figure comes from: document, place in it, and the figures taken from there."""
    by_quote = fig.groupby(["quote_id", "source_file", "document", "locator"], sort=False)["figure_id"].agg(
        lambda ids: f"{ids.iloc[0]}–{ids.iloc[-1]}" if len(ids) > 1 else ids.iloc[0]).reset_index()
    table = pd.DataFrame({"": by_quote["quote_id"], t("a4p_document", language): by_quote["source_file"] + ": "
                          + by_quote["document"], t("a4p_where", language): by_quote["locator"],
                          t("a4p_figure", language): by_quote["figure_id"]})
    return [_h(2, t("a4p_sources", language)), _table(table, language),
            HTML("<p class='cpas-note'>cpas_kit/data/a4p/a4p_figures.csv · cpas_kit/data/a4p/PROVENANCE.md</p>")]


# -- running the notebook ----------------------------------------------------------------------------------------

def build_a4p(params: A4PParameters) -> Path:
    """Execute ``notebooks/a4p_monitoring.ipynb`` with ``params`` and export the offline HTML; return its path."""
    out = params.out_dir()
    executed = run_notebook(NOTEBOOK, out, params.model_dump(), what="the A4P+ notebook")
    return export_html(executed, out / HTML_NAME, t("a4p_title", params.language), language=params.language)
