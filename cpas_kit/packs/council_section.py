"""The pack's section on reports to the Security Council: the share of paragraphs informed by data over the mission's
checked reports (``cpas report check``). Kept apart from :mod:`cpas_kit.packs.sections` (one section, one module)."""

from __future__ import annotations

from typing import Any

from IPython.display import HTML

from cpas_kit.council.trend import report_trend, trend_chart, trend_html
from cpas_kit.packs.data import PackData
from cpas_kit.store import Store


def council_reports(ctx: PackData) -> list[Any]:
    """The series of checked reports of the pack's mission: a table and, from two reports on, a chart."""
    store = Store(ctx.params.db_url or None)
    try:
        trend = report_trend(store, [ctx.framework.mission.code])
    finally:
        store.close()
    chart = trend_chart(trend, ctx.language)
    return [HTML(trend_html(trend, ctx.language))] + ([chart] if chart is not None else [])
