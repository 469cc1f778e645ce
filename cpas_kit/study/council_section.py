"""The study's section on reports to the Security Council: the share of paragraphs informed by data over each
compared mission's checked reports (``cpas report check``), side by side."""

from __future__ import annotations

from typing import Any

import pandas as pd
from IPython.display import HTML

from cpas_kit.council.trend import report_trend, trend_chart, trend_html
from cpas_kit.store import Store


def council_trend(ctx: Any) -> pd.DataFrame:
    """Checked reports of the study's missions (``ctx`` is a :class:`cpas_kit.study.document.StudyContext`)."""
    store = Store(ctx.params.db_url or None)
    try:
        return report_trend(store, list(ctx.missions["mission_code"]))
    finally:
        store.close()


def council_section(ctx: Any) -> list[Any]:
    """A table of every compared mission's checked reports and, from two reports on, their shares over time."""
    trend = council_trend(ctx)
    chart = trend_chart(trend, ctx.language)
    return [HTML(trend_html(trend, ctx.language))] + ([chart] if chart is not None else [])
