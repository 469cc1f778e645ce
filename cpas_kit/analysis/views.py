"""One indicator's view, as the pack and the workshop's outcome views show it: its status block (HTML) then its
trend, breakdown and map charts (Altair)."""

from __future__ import annotations

from typing import Any, Iterator, Protocol

import altair as alt
import pandas as pd
from IPython.display import HTML

from cpas_kit.analysis.charts import breakdown_bar, choropleth, stacked_bar, trend_chart
from cpas_kit.analysis.indicators import breakdown_frame, breakdown_trend, distance_text, trend_frame
from cpas_kit.core.formatting import number
from cpas_kit.core.i18n import t
from cpas_kit.core.templates import template
from cpas_kit.framework.model import Framework


class Evidence(Protocol):
    """What an indicator view reads (a :class:`~cpas_kit.analysis.evidence.CycleEvidence` or a pack's data)."""

    framework: Framework
    observations: pd.DataFrame

    @property
    def language(self) -> str: ...

    @property
    def cycle(self) -> str: ...


def fmt_number(value: Any) -> str:
    """A figure for a reader: thousands separated, one decimal at most, a dash when missing."""
    return number(value, "en")


def render_html(name: str, language: str, **values: Any) -> HTML:
    """One of the report templates (``report/…``), rendered in ``language``."""
    return HTML(template(name).render(t=lambda k: t(k, language), lang=language,
                                      fmt=lambda value: number(value, language), **values))


def _render(name: str, ctx: Evidence, **values: Any) -> HTML:
    return render_html("report/" + name, ctx.language, **values)


def indicator_parts(ctx: Evidence, ind, row: pd.Series, areas) -> Iterator[Any]:
    """One indicator's status block, then its trend, breakdown and map charts (the pack and the workshop views)."""
    fw, lang = ctx.framework, ctx.language
    unapproved = ind.responsible_section in getattr(ctx, "unapproved_sections", ())  # the pack marks these (issue 16)
    yield _render("indicator.html.j2", ctx, ind=ind, row=row, section=fw.section(ind.responsible_section).label(lang),
                  unapproved=unapproved, distance=distance_text(row["direction"], row["distance_to_target"], lang,
                                                                fmt_number))
    trend = trend_frame(ctx.observations, ind.code, ctx.cycle)
    if ind.kind == "qualitative":
        yield _render("timeline.html.j2", ctx, rows=trend.to_dict("records"))
        return
    if not len(trend):
        return
    charts: list[alt.Chart] = [trend_chart(trend, ind, lang, legend=False)]  # the overview explains the marks
    period = row["latest_period"]
    if period and "sex" in ind.disaggregations:
        if ind.additive:  # parts add up: how the total splits, period by period
            over_time = breakdown_trend(ctx.observations, ind.code, ctx.cycle, "sex")
            if len(over_time):
                charts.append(stacked_bar(over_time, ind, fw, "sex", lang))
        else:
            by_sex = breakdown_frame(ctx.observations, ind.code, period, "sex")
            if len(by_sex):
                charts.append(breakdown_bar(by_sex, ind, fw, "sex", period, lang))
    if period and "admin1" in ind.disaggregations and areas is not None:
        by_area = breakdown_frame(ctx.observations, ind.code, period, "admin1")
        if len(by_area):
            charts.append(choropleth(areas, by_area, ind, period, lang))
    yield alt.hconcat(*charts).resolve_scale(color="independent") if len(charts) > 1 else charts[0]
