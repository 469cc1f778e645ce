"""The mission factsheet: one or two A4 pages in the layout of the Security Council factsheets (MINUSCA's).

``build_factsheet(ctx, out / "factsheet.html", out / "factsheet.pdf")`` writes a self-contained HTML
page — mission overview (mandate dates, HQ, personnel, the host country's GDP per capita and population from
the World Bank values in the store, with their year and source), the indicator status donut with counts per
priority, and headline charts (a trend per priority and one admin-1 map), each captioned with indicator code,
period, source, verification status and "synthetic" where it is — then prints it to PDF with
:mod:`cpas_kit.packs.pdf`. Charts are static SVG from vl-convert, inlined: the page loads nothing (no script, no
CDN, no web font), draws offline and prints as drawn. Without a browser the HTML is still written and the
returned message says why there is no PDF.
"""

from __future__ import annotations

import textwrap
import uuid
from datetime import date
from pathlib import Path
from typing import Any, Sequence

import altair as alt
import pandas as pd
from markupsafe import Markup

from cpas_kit import __version__
from cpas_kit.analysis.charts import choropleth, inline_svg, status_donut, trend_chart
from cpas_kit.analysis.indicators import STATUS_RULE, STATUSES, breakdown_frame, trend_frame
from cpas_kit.core import formatting
from cpas_kit.core.formatting import country_name
from cpas_kit.core.i18n import t
from cpas_kit.core.paths import TEMPLATES_DIR
from cpas_kit.core.periods import Period
from cpas_kit.core.templates import template
from cpas_kit.data_in.boundaries import framework_coded
from cpas_kit.data_in.external import read_context_values
from cpas_kit.framework.model import Indicator
from cpas_kit.packs.data import PackData
from cpas_kit.packs.impact_report import LEVEL_RANK, format_number, highlights, with_unit
from cpas_kit.packs.pdf import PdfError, html_to_pdf, pdf_page_count, pdf_route
from cpas_kit.store import Store

GDP_CODE = "NY.GDP.PCAP.CD"
POPULATION_CODE = "SP.POP.TOTL"
HEADLINE_TRENDS = 3
HIGHLIGHTS = 3  # lines under "key developments" and "challenges"
TREND_WIDTH = 250  # chart pixels; the SVG scales to its column (≈ 90 mm)
TITLE_CHARACTERS = 42  # a trend title wraps at this many characters, to stay within the chart's width
PERSONNEL_ORDER = ("military", "police", "civilian")


def long_date(d: date | None, language: str = "en") -> str:
    """``10 April 2014`` / ``10 avril 2014`` (``1er`` in French for the first of a month); "—" for none."""
    return formatting.long_date(d, language)


# --- what the factsheet shows ----------------------------------------------------------------------------

def country_figures(ctx: PackData) -> dict[str, tuple[float, str] | None]:
    """The host country's latest World Bank GDP per capita and population up to the cycle's year:
    ``{"gdp_per_capita": (value, "2023"), "population": (value, "2021")}`` (None where the store has none)."""
    store = Store(ctx.params.db_url or None)
    try:
        values = read_context_values(store, ctx.params.mission, source="worldbank")
    finally:
        store.close()
    last_year = ctx.reporting_date.year
    out: dict[str, tuple[float, str] | None] = {}
    for key, code in (("gdp_per_capita", GDP_CODE), ("population", POPULATION_CODE)):
        sel = values[(values["indicator_code"] == code) & values["value"].notna()
                     & (values["period_start"].dt.year <= last_year)]
        sel = sel.sort_values("period_start")
        out[key] = (float(sel["value"].iloc[-1]), str(sel["period"].iloc[-1])) if len(sel) else None
    return out


def headline_indicators(ctx: PackData, n: int = HEADLINE_TRENDS) -> list[Indicator]:
    """One indicator per priority (the first strategic, else stakeholder, else output quantitative indicator
    with a current value and a trend), then the next ones by level until ``n``."""
    status = ctx.status.set_index("indicator_code")
    usable = [(p, i) for p, _, i in ctx.framework.indicators()
              if i.kind == "quantitative" and pd.notna(status.loc[i.code, "latest_value"])
              and len(trend_frame(ctx.observations, i.code, ctx.cycle)) >= 2]
    usable.sort(key=lambda pi: LEVEL_RANK.get(pi[1].level, 9))  # stable: framework order within a level
    picked: list[Indicator] = []
    for p in ctx.framework.priorities:
        first = next((i for q, i in usable if q.code == p.code), None)
        if first is not None and len(picked) < n:
            picked.append(first)
    for _, i in usable:
        if len(picked) >= n:
            break
        if i not in picked:
            picked.append(i)
    return picked


def map_indicator(ctx: PackData, avoid: Sequence[Indicator] = ()) -> tuple[Indicator, str, pd.DataFrame] | None:
    """The indicator to map by admin-1 area (strategic first, preferably not one already charted), its latest
    period and its values by area; None when the mission has no geography or no area values."""
    if ctx.framework.mission.geography is None:
        return None
    status = ctx.status.set_index("indicator_code")
    candidates = sorted((i for _, _, i in ctx.framework.indicators()
                         if i.kind == "quantitative" and "admin1" in i.disaggregations),
                        key=lambda i: (i in avoid, LEVEL_RANK.get(i.level, 9)))
    for ind in candidates:
        period = status.loc[ind.code, "latest_period"]
        if isinstance(period, str) and period:
            values = breakdown_frame(ctx.observations, ind.code, period, "admin1")
            if len(values):
                return ind, period, values
    return None


def _short_title(ind: Indicator, lang: str) -> alt.TitleParams:
    """A chart title wrapped to the chart's width; source and "synthetic" move to the caption, so every
    trend scales alike in its column."""
    return alt.TitleParams(textwrap.wrap(f"{ind.code} — {ind.label(lang)}", TITLE_CHARACTERS),
                           subtitle=[f"{ind.unit_label(lang)} · {t(ind.direction, lang)}"])


def _verification(statuses: pd.Series, lang: str) -> str:
    values = set(statuses.dropna())
    if values == {"verified"}:
        return t("verified", lang)
    return t("fs_partly_verified", lang) if "verified" in values else t("entered", lang)


def _figures(ctx: PackData) -> list[dict[str, Any]]:
    """The headline charts as inline SVG with their captions: donut, trends, map."""
    lang, fw = ctx.language, ctx.framework
    colon = ": " if lang == "en" else "\u00a0: "
    source = t("source", lang)
    s = ctx.status
    with_value = s[s["latest_period"].notna()]
    verified = int((with_value["verification_status"] == "verified").sum())
    donut = [t("fs_status_caption", lang).format(n=len(s), cycle=ctx.cycle),
             f"{source}{colon}{t('fs_results_store', lang)}",
             t("fs_verified_share", lang).format(verified=verified, n=len(with_value))]
    donut_chart = status_donut(s, lang).properties(title="")  # the section heading names it
    figures = [{"svg": inline_svg(donut_chart, "fs-donut"), "caption": donut, "kind": "donut",
                "synthetic": ctx.is_synthetic}]
    trends = headline_indicators(ctx)
    for k, ind in enumerate(trends):
        trend = trend_frame(ctx.observations, ind.code, ctx.cycle)
        last = trend.iloc[-1]
        caption = [ind.code, f"{trend['period'].iloc[0]}–{last['period']}",
                   f"{source}{colon}{ind.data_source}",
                   t("fs_latest_value", lang).format(period=last["period"],
                                                     status=t(last["verification_status"], lang))]
        chart = trend_chart(trend, ind, lang, width=TREND_WIDTH).properties(title=_short_title(ind, lang))
        figures.append({"svg": inline_svg(chart, f"fs-trend{k}"), "caption": caption, "kind": "trend",
                        "synthetic": bool(trend["is_synthetic"].any())})
    mapped = map_indicator(ctx, avoid=trends)
    if mapped is not None:

        ind, period, values = mapped
        checked = _verification(values["verification_status"], lang)
        caption = [f"{ind.code} {t('by_area', lang)}", period, f"{source}{colon}{ind.data_source}",
                   t("fs_area_values", lang).format(status=checked)]
        areas = framework_coded(ctx.areas, fw.mission.geography)  # registered boundaries, keyed as values are
        chart = choropleth(areas, values, ind, period, lang)
        figures.append({"svg": inline_svg(chart, "fs-map"), "caption": caption, "kind": "map",
                        "synthetic": bool(values["is_synthetic"].any())})
    return figures


def _overview(ctx: PackData) -> dict[str, Any]:

    lang, m = ctx.language, ctx.framework.mission
    country = country_name(m.country_iso3, lang)
    figures = country_figures(ctx)
    gdp, pop = figures["gdp_per_capita"], figures["population"]
    missing = t("fs_not_available", lang)
    people = [(t(f"fs_{k}", lang) if k in PERSONNEL_ORDER else k.replace("_", " ").capitalize(),
               format_number(v, lang)) for k, v in sorted(m.personnel.items(), key=_personnel_order)]
    years = sorted({year for year in (gdp and gdp[1], pop and pop[1]) if year})
    return {
        "country": country,
        "facts": [
            (t("fs_mandate_start", lang), long_date(m.mandate_start, lang)),
            (t("fs_mandate_end", lang), long_date(m.mandate_end, lang)),
            (t("hq", lang), m.hq),
            (t("country", lang), f"{country} ({m.country_iso3})"),
            (f"{t('fs_gdp', lang)}" + (f", {gdp[1]}" if gdp else ""),
             format_number(gdp[0], lang, 2) if gdp else missing),
            (t("fs_population", lang) + (f", {pop[1]}" if pop else ""),
             t("fs_million", lang).format(n=format_number(pop[0] / 1e6, lang, 2)) if pop else missing),
        ],
        "wb_source": t("fs_wb_source", lang).format(year=", ".join(years)) if years else "",
        "personnel": people,
        "personnel_total": format_number(sum(m.personnel.values()), lang) if m.personnel else None,
    }


def _personnel_order(item: tuple[str, int]) -> tuple[int, str]:
    key = item[0]
    return (PERSONNEL_ORDER.index(key) if key in PERSONNEL_ORDER else len(PERSONNEL_ORDER), key)


def _status_rows(ctx: PackData) -> list[dict[str, Any]]:
    rows = []
    for i, p in enumerate(ctx.framework.priorities, start=1):
        counts = ctx.status.loc[ctx.status["priority_code"] == p.code, "status"].value_counts()
        rows.append({"priority": f"{i}. {p.label(ctx.language)}",
                     "counts": [int(counts.get(s, 0)) for s in STATUSES]})
    return rows


def _highlight_lists(ctx: PackData, n: int = HIGHLIGHTS) -> dict[str, list[str]]:
    """The first ``n`` key developments (on track) and challenges (off track, strategic first)."""
    lang = ctx.language
    colon = ": " if lang == "en" else "\u00a0: "
    labels = {i.code: i.label(lang) for _, _, i in ctx.framework.indicators()}
    h = highlights(ctx.status)

    def line(r: dict[str, Any]) -> str:
        target = f", {t('target', lang).lower()} {format_number(r['target_value'], lang)}" \
            if pd.notna(r["target_value"]) else ""
        return (f"{r['indicator_code']} — {labels[r['indicator_code']]}{colon}"
                f"{with_unit(r['latest_value'], r['unit'], lang)} ({r['latest_period']}){target}")

    off = h.off_track.sort_values(["level_rank", "shortfall_share"], ascending=[True, False])
    return {"developments": [line(r) for r in h.on_track.head(n).to_dict("records")],
            "challenges": [line(r) for r in off.head(n).to_dict("records")]}


def _tracker(ctx: PackData) -> list[tuple[str, int]]:
    recs, lang = ctx.recommendations, ctx.language
    if not len(recs):
        return []
    implemented = (recs["decision"] == "Approved") & (recs["progress"] == "Implemented")
    return [(t("fu_recommended", lang), len(recs)),
            (t("Awaiting Review", lang), int((recs["decision"] == "Awaiting Review").sum())),
            (t("Approved", lang), int((recs["decision"] == "Approved").sum())),
            (t("Implemented", lang), int(implemented.sum()))]


def render_factsheet(ctx: PackData) -> str:
    """The factsheet page as one self-contained HTML string (in ``ctx.language``)."""
    lang, fw = ctx.language, ctx.framework
    m = fw.mission
    period = Period.parse(ctx.cycle)
    css = (TEMPLATES_DIR / "factsheet" / "factsheet.css").read_text(encoding="utf-8")
    return template("factsheet/factsheet.html.j2").render(
        t=lambda key, **v: t(key, lang).format(**v) if v else t(key, lang), lang=lang,
        colon=": " if lang == "en" else "\u00a0: ", css=Markup(css),  # noqa: S704 - our own stylesheet
        mission=m, cycle=ctx.cycle,
        period_span=f"{long_date(period.start, lang)} – {long_date(period.end, lang)}",
        synthetic=ctx.is_synthetic, no_data=ctx.no_data_note, synthetic_label=t("synthetic", lang).upper(),
        overview=_overview(ctx),
        statuses=STATUSES, status_rows=_status_rows(ctx), tracker=_tracker(ctx), figures=_figures(ctx),
        highlights=_highlight_lists(ctx), rule=STATUS_RULE[lang], version=__version__,
        framework_version=ctx.framework_version, generated=ctx.generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        map_credit=t("map_credit", lang) if m.geography is not None else "",
    )


def build_factsheet(ctx: PackData, html_path: "str | Path",
                    pdf_path: "str | Path | None" = None) -> tuple[Path, Path | None, str]:
    """Write the factsheet HTML, then (when ``pdf_path`` is given) its PDF.

    Returns ``(html_path, pdf_path or None, message)``; the message says what was written or, without a PDF,
    why not (no browser, browser failure) — for the caller to show. The HTML is always written.
    """
    html = render_factsheet(ctx)
    out = Path(html_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.stem}.{uuid.uuid4().hex[:8]}{out.suffix}")
    try:
        partial.write_text(html, encoding="utf-8")
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    if pdf_path is None:
        return out, None, f"factsheet written to {out} (no PDF asked for)"
    route = pdf_route()
    fallback = "open the HTML in a browser and print it to PDF (A4, no headers and footers)"
    if not route.available:
        return out, None, f"factsheet HTML written to {out}, but {route}; to get a PDF, {fallback}"
    try:
        pdf = html_to_pdf(out, pdf_path)
    except PdfError as exc:
        return out, None, f"factsheet HTML written to {out}, but the PDF failed: {exc}"
    if pdf is None:  # the browser vanished between the two calls
        return out, None, f"factsheet HTML written to {out}, but {pdf_route()}; to get a PDF, {fallback}"
    pages = pdf_page_count(pdf)
    return out, pdf, f"factsheet written to {out} and {pdf} ({pages} page{'s' if pages != 1 else ''} A4, " \
                     f"printed by {route.browser})"


__all__ = ["build_factsheet", "country_figures", "headline_indicators", "long_date", "map_indicator",
           "render_factsheet"]
