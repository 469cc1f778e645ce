"""Conflict events in the packs: hotspots by area and period, incident points, the pack section and its maps."""

from __future__ import annotations

import pandas as pd
import vl_convert as vlc

from cpas_kit.analysis.charts import hotspot_map, incident_map
from cpas_kit.analysis.hotspots import hotspots, incident_points
from cpas_kit.demo import MISSION, demo_framework
from cpas_kit.framework.geography import admin1_areas
from tests.paths import EXTERNAL_FIXTURES

FIXTURES = EXTERNAL_FIXTURES


def events(rows: list[tuple[str, str, int, float, float]]) -> pd.DataFrame:
    return pd.DataFrame([{"source_event_id": f"E{i}", "admin1_code": a, "period": p, "fatalities_best": f,
                          "latitude": lat, "longitude": lon, "source": "acled"}
                         for i, (a, p, f, lat, lon) in enumerate(rows)])


def test_an_area_whose_events_rose_is_a_hotspot_and_quiet_ones_are_not():
    areas = admin1_areas(demo_framework().mission.geography)
    before = [("CF-UK", p, 1, 6.0, 20.6) for p in ("2022/23-Q4", "2023/24-Q1", "2023/24-Q2", "2023/24-Q3")]
    steady = [("CF-BGF", p, 0, 4.36, 18.55) for p in ("2022/23-Q4", "2023/24-Q1", "2023/24-Q2", "2023/24-Q3")]
    now = [("CF-UK", "2023/24-Q4", 3, 6.01, 20.61)] * 3 + [("CF-BGF", "2023/24-Q4", 0, 4.36, 18.55)]
    hot = hotspots(events(before + steady + now), areas, "2023/24-Q4").set_index("area_code")
    assert hot.loc["CF-UK", "is_hotspot"] and hot.loc["CF-UK", "change_level"] == "large increase"
    assert hot.loc["CF-UK", "events"] == 3 and hot.loc["CF-UK", "fatalities_best"] == 9
    assert not hot.loc["CF-BGF", "is_hotspot"] and hot.loc["CF-BGF", "change_level"] == "limited change"
    assert hot.loc["CF-VK", "events"] == 0 and not hot.loc["CF-VK", "is_hotspot"]
    assert list(hot.index[:1]) == ["CF-UK"], "hotspots come first"
    points = incident_points(events(now), "2023/24-Q4")
    assert len(points) == 2 and points["events"].sum() == 4, "events at the same place are one point"


def test_hotspot_and_incident_maps_render_offline_with_aggregated_data_only():
    areas = admin1_areas(demo_framework().mission.geography)
    ev = events([("CF-UK", "2023/24-Q4", 2, 6.0, 20.6), ("CF-OP", "2023/24-Q4", 0, 7.0, 16.5)])
    chart = hotspot_map(areas, hotspots(ev, areas, "2023/24-Q4"), "2023/24-Q4") | \
        incident_map(areas, incident_points(ev, "2023/24-Q4"), "2023/24-Q4", "fr")
    svg = vlc.vegalite_to_svg(chart.to_dict())
    assert svg.startswith("<svg") and "circle" in svg or "path" in svg
    spec = str(chart.to_dict())
    assert "source_event_id" not in spec, "charts embed aggregated data, never raw event rows"


def test_pack_context_section_lists_hotspots_after_an_acled_import(demo_sqlite_url):
    from cpas_kit.core.settings import make_parameters
    from cpas_kit.data_in.external import import_acled
    from cpas_kit.packs.data import load_pack_data
    from cpas_kit.packs.sections import conflict_context
    from cpas_kit.store import Store

    store = Store(demo_sqlite_url)
    import_acled(store, FIXTURES / "acled_caf.csv", MISSION, actor="t")
    store.close()
    ctx = load_pack_data(make_parameters(mission=MISSION, cycle="2023/24-Q4", db_url=demo_sqlite_url))
    parts = list(conflict_context(ctx))
    html = str(parts[0].data)
    assert "Lobaye" in html and "Bamingui-Bangoran" in html and "3 events" in html
    assert len(parts) == 2, "a table and the two maps"
