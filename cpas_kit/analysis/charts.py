"""Chart builders: tidy, aggregated frames in, Altair charts out. They never display or save.

One builder a chart kind; all use the theme in :mod:`cpas_kit.analysis.theme`. Each chart embeds only the
aggregated rows it draws (a dozen periods, a few categories), never raw records.
"""

from __future__ import annotations

import json
import re

import altair as alt
import geopandas as gpd
import pandas as pd
import shapely
from markupsafe import Markup

from cpas_kit.analysis.theme import (
    BASELINE_COLOUR,
    MISSION_COLOURS,
    MISSION_SHAPES,
    RATING_COLOURS,
    SEQUENTIAL_SCHEME,
    STATUS_COLOURS,
    TARGET_COLOUR,
    UN_BLUE,
    UNKNOWN_COLOUR,
    use_theme,
)
from cpas_kit.core.i18n import LABELS, t
from cpas_kit.framework.model import Framework, Indicator

use_theme()


def _subtitle(ind: Indicator, language: str, synthetic: bool) -> list[str]:
    line = f"{ind.unit_label(language)} · {t(ind.direction, language)} · {t('source', language)}: {ind.data_source}"
    return [line + (f" · {t('synthetic', language).upper()}" if synthetic else "")]


def trend_chart(trend: pd.DataFrame, ind: Indicator, language: str = "en", width: int = 380,
                legend: bool = True) -> alt.LayerChart:
    """Totals over time with the baseline (dashed line) and targets (diamonds), and a legend naming them.

    ``legend=False`` (the HTML pack: it has tooltips and explains the marks once, in its overview) keeps the
    page light: the marks keep their colours and dashes without a legend in every chart.

    ``trend`` has ``period``, ``value``, ``verification_status`` and ``is_synthetic`` (see
    :func:`cpas_kit.analysis.indicators.trend_frame`). Unverified values are drawn hollow.
    """
    periods = list(trend["period"])
    data = trend.assign(
        verification=trend["verification_status"].map(lambda s: t(s, language)),
        is_verified=trend["verification_status"] == "verified",
    )[["period", "value", "verification", "is_verified"]]
    synthetic = bool(trend["is_synthetic"].any()) if len(trend) else False
    targets = pd.DataFrame([
        {"period": tg.period, "target": tg.value} for tg in ind.targets
        if tg.value is not None and tg.period in periods
    ], columns=["period", "target"])
    x = alt.X("period:O", sort=periods, title=t("period", language), axis=alt.Axis(labelAngle=-40))
    y_title = ind.unit_label(language)
    # one legend names the marks (Word and PDF readers have no tooltips): the line, the dashed baseline, targets
    keys = {"value": t("value", language), "baseline": f"{t('baseline', language)} ({ind.baseline.period})",
            "target": t("target", language)}
    shown = ["value"] + (["baseline"] if ind.baseline.value is not None else []) + (["target"] if len(targets) else [])
    domain = [keys[k] for k in shown]
    colours = {"value": UN_BLUE, "baseline": BASELINE_COLOUR, "target": TARGET_COLOUR}
    dashes = {"value": [1, 0], "baseline": [5, 4], "target": [1, 0]}
    key_legend = alt.Legend(orient="bottom", title=None, symbolStrokeWidth=2, labelLimit=240)

    key = {"color": alt.Color("series:N", scale=alt.Scale(domain=domain, range=[colours[k] for k in shown]),
                              legend=key_legend),
           "strokeDash": alt.StrokeDash("series:N", scale=alt.Scale(domain=domain, range=[dashes[k] for k in shown]),
                                        legend=key_legend)}

    def named(chart: alt.Chart, which: str) -> alt.Chart:  # the legend's name of a layer (once, not per row)
        if not legend:
            return chart.mark_line(color=colours[which]) if which == "value" else chart
        return chart.transform_calculate(series=json.dumps(keys[which]))

    if not legend:
        key = {}

    base = alt.Chart(data)
    line = named(base.mark_line(), "value").encode(x=x, y=alt.Y("value:Q", title=y_title), **key)
    points = base.mark_point(size=60, strokeWidth=2, color=UN_BLUE).encode(
        x=x, y="value:Q",
        fill=alt.condition("datum.is_verified", alt.value(UN_BLUE), alt.value("white")),
        tooltip=[alt.Tooltip("period:O", title=t("period", language)),
                 alt.Tooltip("value:Q", title=t("value", language), format=",.1f"),
                 alt.Tooltip("verification:N", title=t("verification", language))],
    )
    layers: list[alt.Chart] = [line, points]
    if ind.baseline.value is not None:
        layers.append(named(alt.Chart(pd.DataFrame({"baseline": [ind.baseline.value], "series": [keys["baseline"]]}))
                            .mark_rule(strokeWidth=1.5, strokeDash=[5, 4], color=BASELINE_COLOUR), "baseline")
                      .encode(y="baseline:Q", **key,
                              tooltip=[alt.Tooltip("series:N", title=""),
                                       alt.Tooltip("baseline:Q", title=t("value", language))]))
    if len(targets):
        layers.append(named(alt.Chart(targets).mark_point(shape="diamond", size=140, filled=True,
                                                          color=TARGET_COLOUR), "target")
                      .encode(x=x, y="target:Q", **{k: v for k, v in key.items() if k == "color"},
                              tooltip=[alt.Tooltip("period:O", title=t("target", language)),
                                       alt.Tooltip("target:Q", title=t("value", language))]))
    return alt.layer(*layers).properties(
        width=width, height=170,
        title=alt.TitleParams(f"{ind.code} — {ind.label(language)}", subtitle=_subtitle(ind, language, synthetic)),
    )


def breakdown_bar(frame: pd.DataFrame, ind: Indicator, fw: Framework, dimension: str, period: str,
                  language: str = "en") -> alt.Chart:
    """One period's values by the categories of a dimension (e.g. sex), as horizontal bars."""
    dim = fw.dimension(dimension)
    names = dim.category_names_fr if language == "fr" and dim.category_names_fr else dim.category_names
    data = frame.assign(label=frame["category"].map(lambda c: names.get(c, c)))[["label", "value"]]
    synthetic = bool(frame["is_synthetic"].any()) if len(frame) else False
    return alt.Chart(data).mark_bar(color=UN_BLUE).encode(
        y=alt.Y("label:N", title=None, sort="-x"),
        x=alt.X("value:Q", title=ind.unit_label(language)),
        tooltip=[alt.Tooltip("label:N", title=dim.label(language)), alt.Tooltip("value:Q", format=",.1f")],
    ).properties(
        width=260, height=alt.Step(18),
        title=alt.TitleParams(f"{ind.code} {dim.label(language).lower()} — {period}",
                              subtitle=[t("synthetic", language).upper()] if synthetic else []),
    )


def stacked_bar(frame: pd.DataFrame, ind: Indicator, fw: Framework, dimension: str, language: str = "en") -> alt.Chart:
    """Each period's total split by the categories of a dimension (``frame`` from
    :func:`cpas_kit.analysis.indicators.breakdown_trend`), for indicators whose parts add up."""
    dim = fw.dimension(dimension)
    names = dim.category_names_fr if language == "fr" and dim.category_names_fr else dim.category_names
    data = frame.assign(label=frame["category"].map(lambda c: names.get(c, c)))[["period", "label", "value"]]
    synthetic = bool(frame["is_synthetic"].any()) if len(frame) else False
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("period:O", title=t("period", language), sort=None, axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("sum(value):Q", title=ind.unit_label(language), stack="zero"),
        color=alt.Color("label:N", title=dim.label(language), scale=alt.Scale(range=[UN_BLUE, "#f4a261", "#8ab17d",
                                                                                       "#e76f51"])),
        tooltip=[alt.Tooltip("period:O", title=t("period", language)),
                 alt.Tooltip("label:N", title=dim.label(language)), alt.Tooltip("value:Q", format=",.1f")],
    ).properties(
        width=260, height=170,
        title=alt.TitleParams(f"{ind.code} {dim.label(language).lower()}",
                              subtitle=[t("synthetic", language).upper()] if synthetic else []),
    )


def status_donut(status: pd.DataFrame, language: str = "en") -> alt.LayerChart:
    """Donut of indicator statuses, each slice with its count (printed on the slice and in the legend)."""
    counts = status["status"].value_counts().rename_axis("status").reset_index(name="indicators")
    order = [s for s in STATUS_COLOURS if s in set(counts["status"])]
    counts["label"] = counts.apply(lambda r: f"{t(r['status'], language)} ({int(r['indicators'])})", axis=1)
    counts["rank"] = counts["status"].map(order.index)
    labels = [counts.set_index("status").loc[s, "label"] for s in order]
    counts = counts[["label", "indicators", "rank"]]  # the chart embeds the words it shows, not the status keys
    base = alt.Chart(counts).encode(
        theta=alt.Theta("indicators:Q", stack=True),
        order=alt.Order("rank:Q"),
        color=alt.Color("label:N", title=t("status", language), sort=labels,
                        scale=alt.Scale(domain=labels, range=[STATUS_COLOURS[s] for s in order]),
                        legend=alt.Legend(labelLimit=300, direction="vertical", orient="bottom")),
        tooltip=[alt.Tooltip("label:N", title=t("status", language)),
                 alt.Tooltip("indicators:Q", title=t("indicators", language))],
    )
    arcs = base.mark_arc(innerRadius=45, outerRadius=85)
    numbers = base.mark_text(radius=65, fontSize=12, fontWeight="bold").encode(text="indicators:Q",
                                                                             color=alt.value("white"))
    return alt.layer(arcs, numbers).properties(width=200, height=200, title=t("status_summary", language))


def choropleth(areas: gpd.GeoDataFrame, values: pd.DataFrame, ind: Indicator, period: str,
               language: str = "en") -> alt.Chart:
    """Admin-1 choropleth of one indicator in one period (``values``: category = area code, value)."""
    merged = simplified(areas).merge(values.rename(columns={"category": "area_code"})[["area_code", "value"]],
                                      on="area_code", how="left")
    synthetic = bool(values["is_synthetic"].any()) if len(values) else False
    return alt.Chart(merged).mark_geoshape(stroke="white", strokeWidth=0.8).encode(
        color=alt.Color("value:Q", title=ind.unit_label(language), scale=alt.Scale(scheme=SEQUENTIAL_SCHEME)),
        tooltip=[alt.Tooltip("area_name:N", title=t("by_area", language)),
                 alt.Tooltip("value:Q", title=t("value", language), format=",.1f")],
    ).project("mercator").properties(
        width=300, height=210,
        title=alt.TitleParams(f"{ind.code} {t('by_area', language)} — {period}",
                              subtitle=[t("synthetic", language).upper()] if synthetic else []),
    )



def simplified(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A pack carries several maps: keep each small (≈0.01° ≈ 1 km is plenty at this scale)."""
    out = areas.copy()
    out["geometry"] = shapely.set_precision(out.geometry.simplify(0.02, preserve_topology=True).values, 0.01)
    return out


def hotspot_map(areas: gpd.GeoDataFrame, hot: pd.DataFrame, cycle: str, language: str = "en") -> alt.Chart:
    """Admin-1 areas shaded by the change level of their event count (``hot``: from :func:`cpas_kit.analysis.hotspots.hotspots`)."""  # noqa: E501
    merged = simplified(areas).merge(hot.drop(columns=["area_name"]), on="area_code", how="left")
    merged["level"] = merged["change_level"].map(
        lambda v: t(v, language) if isinstance(v, str) else t("no data", language))
    levels = [t(v, language) for v in ("large increase", "moderate increase", "limited change", "moderate decrease",
                                       "large decrease")]
    return alt.Chart(merged).mark_geoshape(stroke="white", strokeWidth=0.8).encode(
        color=alt.Color("level:N", title=t("change_level", language),
                        scale=alt.Scale(domain=levels + [t("no data", language)],
                                        range=["#b2182b", "#ef8a62", "#e0e0e0", "#92c5de", "#4393c3",
                                               "#f7f7f7"])),
        tooltip=[alt.Tooltip("area_name:N", title=t("by_area", language)),
                 alt.Tooltip("events:Q", title=t("events_n", language)),
                 alt.Tooltip("fatalities_best:Q", title=t("fatalities", language)),
                 alt.Tooltip("level:N", title=t("change_level", language))],
    ).project("mercator").properties(width=320, height=230, title=f"{t('hotspot_map_title', language)} — {cycle}")


def incident_map(areas: gpd.GeoDataFrame, points: pd.DataFrame, cycle: str, language: str = "en") -> alt.LayerChart:
    """Events of a cycle as circles sized by count at their (rounded) places, over the admin-1 areas."""
    base = alt.Chart(simplified(areas)).mark_geoshape(fill="#f2f2f2", stroke="#999999", strokeWidth=0.6)
    dots = alt.Chart(points).mark_circle(color="#b2182b", opacity=0.6, stroke="white", strokeWidth=0.5).encode(
        longitude="longitude:Q", latitude="latitude:Q",
        size=alt.Size("events:Q", title=t("events_n", language), scale=alt.Scale(range=[20, 400])),
        tooltip=[alt.Tooltip("events:Q", title=t("events_n", language)),
                 alt.Tooltip("fatalities_best:Q", title=t("fatalities", language))],
    )
    return alt.layer(base, dots).project("mercator").properties(
        width=320, height=230, title=f"{t('incident_map_title', language)} — {cycle}")


def inline_svg(chart: alt.TopLevelMixin, prefix: str) -> Markup:
    """A chart as inline SVG (drawn by vl-convert, no browser and no JavaScript): no namespace URLs (an
    HTML page needs none) and ids made unique on the page with ``prefix``."""
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(chart.to_dict())
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg, count=2)
    svg = re.sub(r'(\s)id="([^"]+)"', rf'\1id="{prefix}-\2"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    svg = svg.replace("<svg ", '<svg role="img" ', 1)
    return Markup(svg)  # noqa: S704 - vl-convert's own output; the texts in it are XML-escaped by vl-convert


# -- cross-mission study (cpas_kit.study.document) ---------------------------------------------------------------

def mission_colour(field: str, missions: "pd.Series | list[str]", title: str) -> alt.Color:
    """One distinguishable colour per mission (20 before any repeats), the same mission the same colour."""
    codes = sorted({str(m) for m in missions})
    palette = [MISSION_COLOURS[i % len(MISSION_COLOURS)] for i in range(len(codes))]
    return alt.Color(f"{field}:N", title=title, scale=alt.Scale(domain=codes, range=palette),
                     legend=alt.Legend(columns=4 if len(codes) > 6 else 1, labelLimit=160))


def mission_shape(field: str, missions: "pd.Series | list[str]") -> alt.Shape:
    """A second cue beside colour (for readers who do not tell all colours apart)."""
    codes = sorted({str(m) for m in missions})
    return alt.Shape(f"{field}:N", scale=alt.Scale(domain=codes, range=[MISSION_SHAPES[i % len(MISSION_SHAPES)]
                                                                         for i in range(len(codes))]),
                     legend=None)


def study_trend_chart(trends: pd.DataFrame, titles: dict[str, str], index_title: str,
                      language: str = "en") -> alt.FacetChart:
    """Normalised totals of an area's standard indicators: one panel per standard code with data, one line per
    mission; unverified values hollow (``trends`` from :func:`cpas_kit.study.aggregates.trends`)."""
    data = trends[trends["index"].notna()].sort_values("period_start")  # a standard without data draws no panel
    data = data.assign(standard=data["standard_code"].map(lambda c: f"{c} — {titles.get(c, c)}"))
    data = data[["standard", "mission_code", "period", "index", "is_verified"]]
    x = alt.X("period:O", sort=list(dict.fromkeys(data["period"])), title=t("period", language),
              axis=alt.Axis(labelAngle=-45))
    colour = mission_colour("mission_code", data["mission_code"], t("mission", language))
    tips = [alt.Tooltip("mission_code:N", title=t("mission", language)), alt.Tooltip("period:O"),
            alt.Tooltip("index:Q", title=index_title, format=",.2f")]
    line = alt.Chart().mark_line().encode(x=x, y=alt.Y("index:Q", title=index_title), color=colour)
    points = alt.Chart().mark_point(size=30, strokeWidth=1.5).encode(
        x=x, y="index:Q", color=colour, tooltip=tips, shape=mission_shape("mission_code", data["mission_code"]),
        fill=alt.condition("datum.is_verified", alt.Fill("mission_code:N", legend=None,
                                                         scale=colour.to_dict()["scale"]), alt.value("white")))
    return alt.layer(line, points, data=data).properties(width=330, height=170).facet(
        facet=alt.Facet("standard:N", title=None, header=alt.Header(labelLimit=420, labelAnchor="start")), columns=2)


def rating_distribution_chart(ratings: pd.DataFrame, order: list[str], title: str, language: str = "en") -> alt.Chart:
    """Agreed ratings of one scale per mission as 100 % stacked bars, most favourable value first."""
    data = ratings[["mission_code", "rating", "results"]].assign(rank=ratings["rating"].map(
        lambda r: order.index(r) if r in order else len(order)))
    shown = order + sorted(set(data["rating"]) - set(order))
    colours, ramp = [], iter(RATING_COLOURS)
    for value in shown:  # favourable to unfavourable on a saturated ramp; "insufficient data"/"unclear" grey
        colours.append(UNKNOWN_COLOUR if value in ("insufficient data", "unclear")
                       else next(ramp, RATING_COLOURS[-1]))
    words = {v: t(v, language) if v in LABELS else v for v in shown}  # the scale's words in the study's language
    data = data.assign(rating=data["rating"].map(words))
    return alt.Chart(data).mark_bar(stroke="white", strokeWidth=0.5).encode(
        y=alt.Y("mission_code:N", title=None),
        x=alt.X("results:Q", stack="normalize", title=None, axis=alt.Axis(format="%")),
        color=alt.Color("rating:N", title=t("study_rating", language), sort=[words[v] for v in shown],
                        scale=alt.Scale(domain=[words[v] for v in shown], range=colours)),
        order=alt.Order("rank:Q"),
        tooltip=[alt.Tooltip("mission_code:N", title=t("mission", language)),
                 alt.Tooltip("rating:N", title=t("study_rating", language)),
                 alt.Tooltip("results:Q", title=t("study_results", language))],
    ).properties(width=420, height=alt.Step(16), title=title)


def fatalities_chart(by_year: pd.DataFrame, language: str = "en") -> alt.Chart:
    """Peacekeeping fatalities per calendar year, stacked by mission (``by_year`` from :func:`cpas_kit.study.aggregates.fatalities`)."""  # noqa: E501
    data = by_year[["mission_acronym", "year", "fatalities"]]
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("year:O", title=t("study_col_year", language)),
        y=alt.Y("sum(fatalities):Q", title=t("study_col_peacekeeper_deaths", language)),
        color=mission_colour("mission_acronym", data["mission_acronym"], t("mission", language)),
        tooltip=[alt.Tooltip("mission_acronym:N", title=t("mission", language)), alt.Tooltip("year:O"),
                 alt.Tooltip("fatalities:Q", title=t("study_col_peacekeeper_deaths", language))],
    ).properties(width=360, height=180, title=t("study_fatalities", language))


def study_events_chart(by_period: pd.DataFrame, language: str = "en") -> alt.FacetChart:
    """Conflict events per period and mission, one panel per source (sources are never added together)."""
    data = by_period.sort_values("period_start")[["source", "mission_code", "period", "events"]]
    return alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("period:O", sort=list(dict.fromkeys(data["period"])), title=t("period", language),
                axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("events:Q", title=t("study_col_events", language)),
        color=mission_colour("mission_code", data["mission_code"], t("mission", language)),
        tooltip=[alt.Tooltip("mission_code:N", title=t("mission", language)), alt.Tooltip("period:O"),
                 alt.Tooltip("events:Q", title=t("study_col_events", language))],
    ).properties(width=330, height=170).facet(facet=alt.Facet("source:N", title=None), columns=2)
