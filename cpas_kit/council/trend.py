"""The share of paragraphs informed by data over a mission's checked reports, like UNFICYP's hand-counted series
(20 % in January 2019 … 53 % in July 2021): a table and a chart for the pack and the cross-mission study."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from cpas_kit.core.i18n import t
from cpas_kit.core.templates import template
from cpas_kit.council.outputs import fmt_date, fmt_share
from cpas_kit.council.store import CouncilStore
from cpas_kit.store import Store


def report_trend(store: Store, missions: list[str]) -> pd.DataFrame:
    """Checked reports of ``missions``, oldest first per mission (see :meth:`CouncilStore.report_checks`)."""
    return CouncilStore(store).report_checks(missions)


def _none(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def trend_rows(trend: pd.DataFrame, language: str) -> list[dict[str, Any]]:
    """One display row per checked report: mission, title, date, period, paragraphs, shares (text for a reader)."""
    rows = []
    for r in trend.to_dict("records"):
        when = _none(r["report_date"]) or r["checked_at"].date()
        rows.append({"mission": r["mission_code"], "title": r["title"], "date": fmt_date(when, language),
                     "cycle": _none(r["cycle"]) or "—", "paragraphs": int(r["paragraphs"]),
                     "informed": int(r["informed"]), "contradicts": int(r["contradicts"]),
                     "share": fmt_share(_none(r["share_informed"]), language),
                     "share_operative": fmt_share(_none(r["share_informed_operative"]), language),
                     "synthetic": bool(r["is_synthetic"])})
    return rows


def trend_html(trend: pd.DataFrame, language: str, level: int = 2) -> str:
    """The series as an HTML section (heading, explanation, one row per report)."""
    return template("council/trend.html.j2").render(t=lambda k: t(k, language), rows=trend_rows(trend, language),
                                                    level=level)


def trend_chart(trend: pd.DataFrame, language: str) -> alt.Chart | None:
    """Share informed (all paragraphs) per report over time, one line per mission; None without two reports."""
    if len(trend) < 2:
        return None
    data = pd.DataFrame({
        "mission": trend["mission_code"],
        "date": [(_none(d) or c.date()).isoformat() for d, c in zip(trend["report_date"], trend["checked_at"])],
        "share": trend["share_informed"].astype(float),
        "title": trend["title"],
    })
    return alt.Chart(data, title=t("rc_trend_title", language)).mark_line(point=True).encode(
        x=alt.X("date:T", title=t("rc_date", language)),
        y=alt.Y("share:Q", title=t("rc_share", language), axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("mission:N", title=t("mission", language)),
        tooltip=[alt.Tooltip("mission:N", title=t("mission", language)),
                 alt.Tooltip("title:N", title=t("rc_report", language)),
                 alt.Tooltip("share:Q", title=t("rc_share", language), format=".0%")],
    ).properties(width=420, height=220)
