"""Every chart builder returns a chart that vl-convert renders to SVG and PNG offline, with aggregated data only."""

from __future__ import annotations

import pandas as pd
import pytest
import vl_convert as vlc

from cpas_kit.analysis import charts
from cpas_kit.analysis.indicators import breakdown_frame, breakdown_trend, indicator_status, trend_frame
from cpas_kit.core.periods import Period
from cpas_kit.demo import demo_framework, generate_observations
from cpas_kit.framework.geography import admin1_areas

CYCLE = "2023/24-Q4"


@pytest.fixture(scope="module")
def data():
    fw = demo_framework()
    obs = generate_observations(fw)
    obs["period_start"] = obs["period"].map(lambda p: pd.Timestamp(Period.parse(p).start))
    return fw, obs


def built(fw, obs):
    areas = admin1_areas(fw.mission.geography)
    sec01, sec03 = fw.indicator("SEC-01"), fw.indicator("SEC-03")
    yield "trend", charts.trend_chart(trend_frame(obs, "SEC-01", CYCLE), sec01)
    yield "bar", charts.breakdown_bar(breakdown_frame(obs, "SEC-03", CYCLE, "sex"), sec03, fw, "sex", CYCLE)
    yield "stacked", charts.stacked_bar(breakdown_trend(obs, "SEC-01", CYCLE, "sex"), sec01, fw, "sex", "fr")
    yield "donut", charts.status_donut(indicator_status(fw, obs, CYCLE))
    yield "choropleth", charts.choropleth(areas, breakdown_frame(obs, "SEC-01", CYCLE, "admin1"), sec01, CYCLE)


@pytest.mark.parametrize("name", ["trend", "bar", "stacked", "donut", "choropleth"])
def test_each_builder_renders_to_svg_and_png(data, name):
    fw, obs = data
    chart = dict(built(fw, obs))[name]
    spec = chart.to_dict()
    svg = vlc.vegalite_to_svg(spec)
    assert svg.startswith("<svg") and ("<path" in svg or "<rect" in svg)
    png = vlc.vegalite_to_png(spec)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000
    rows = sum(len(values) for values in spec.get("datasets", {}).values())
    assert rows <= 200, f"{name} embeds {rows} rows: charts carry aggregated data only"


def test_stacked_bar_parts_add_up_to_the_total(data):
    fw, obs = data
    parts = breakdown_trend(obs, "SEC-01", CYCLE, "sex").groupby("period")["value"].sum()
    totals = trend_frame(obs, "SEC-01", CYCLE).set_index("period")["value"]
    assert (parts - totals.loc[parts.index]).abs().max() < 1e-9
    assert len(parts) >= 11, "the demo has a gap in some quarters"
