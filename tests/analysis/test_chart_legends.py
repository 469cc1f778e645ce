"""Charts explain themselves on paper (issue 15 item 8): trend legends for the dashed baseline and the targets,
donut counts, legends that are not cut off, one colour per mission for 12+ missions, no empty study panel, and
agreed-ratings bars that are visible."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cpas_kit.analysis.charts import rating_distribution_chart, status_donut, study_trend_chart, trend_chart
from cpas_kit.demo import demo_framework

PERIODS = ["2022/23-Q1", "2022/23-Q2", "2022/23-Q3", "2022/23-Q4", "2023/24-Q1", "2023/24-Q2", "2023/24-Q3",
           "2023/24-Q4"]


def _walk(spec):
    """Every dict inside a Vega-Lite spec."""
    if isinstance(spec, dict):
        yield spec
        for v in spec.values():
            yield from _walk(v)
    elif isinstance(spec, list):
        for v in spec:
            yield from _walk(v)


def _luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("language, words", [("en", ["Value", "Baseline (", "Target"]),
                                              ("fr", ["Valeur", "Référence (", "Cible"])])
def test_trend_legend_names_the_line_the_dashed_baseline_and_the_targets(language, words):
    fw = demo_framework()
    ind = next(i for _, _, i in fw.indicators()
               if i.kind == "quantitative" and i.baseline.value is not None and i.targets)
    periods = PERIODS + [tg.period for tg in ind.targets if tg.period not in PERIODS]
    trend = pd.DataFrame({"period": periods, "value": range(len(periods)), "verification_status": "verified",
                          "is_synthetic": True})
    spec = trend_chart(trend, ind, language).to_dict()
    colour_scales = [d["scale"] for d in _walk(spec) if d.get("field") == "series" and "scale" in d]
    domain = colour_scales[0]["domain"]
    assert len(domain) == 3 and all(any(d.startswith(w) for d in domain) for w in words)
    assert ind.baseline.period in domain[1]
    dashes = next(s["range"] for s in colour_scales if isinstance(s["range"][0], list))
    assert dashes[1] == [5, 4] and dashes[0] == [1, 0]  # the legend draws the baseline dashed, as on the chart
    assert any(d.get("orient") == "bottom" for d in _walk(spec) if "labelLimit" in d)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_status_donut_prints_counts_and_keeps_long_labels(language):
    status = pd.DataFrame({"status": ["on track"] * 7 + ["off track"] * 3 + ["not rated"] * 4})
    spec = status_donut(status, language).to_dict()
    text_layers = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert text_layers and text_layers[0]["encoding"]["text"]["field"] == "indicators"
    rows = next(iter(spec["datasets"].values()))
    assert sorted(r["indicators"] for r in rows) == [3, 4, 7]
    not_rated = "not rated (qualitative) (4)" if language == "en" else "non noté (qualitatif) (4)"
    assert not_rated in [r["label"] for r in rows]
    legend = next(d["legend"] for d in _walk(spec) if isinstance(d.get("legend"), dict) and "labelLimit" in d["legend"])
    assert legend["labelLimit"] >= 300 and legend["direction"] == "vertical"


def test_study_trends_give_thirteen_missions_thirteen_colours_and_no_empty_panel():
    missions = [f"DEMO-{i:02d}" for i in range(13)]
    rows = [{"standard_code": "POC.A", "mission_code": m, "period": p, "period_start": pd.Timestamp(2022, 7, 1),
             "index": 1.0 + i / 10, "is_verified": True} for i, m in enumerate(missions) for p in PERIODS[:2]]
    rows += [{"standard_code": "POC.EMPTY", "mission_code": m, "period": PERIODS[0],
              "period_start": pd.Timestamp(2022, 7, 1), "index": None, "is_verified": False} for m in missions]
    spec = study_trend_chart(pd.DataFrame(rows), {"POC.A": "A", "POC.EMPTY": "nothing"}, "index").to_dict()
    scale = next(d["scale"] for d in _walk(spec) if d.get("field") == "mission_code" and "scale" in d
                 and "range" in d["scale"] and d["scale"]["range"][0].startswith("#"))
    assert scale["domain"] == sorted(missions) and len(set(scale["range"])) == 13
    panels = {r["standard"] for r in next(iter(spec["datasets"].values()))}
    assert panels == {"POC.A — A"}


def test_agreed_ratings_bars_are_saturated_not_near_white():
    order = ["significant progress", "some progress", "no change", "deterioration", "insufficient data"]
    ratings = pd.DataFrame({"mission_code": ["A"] * 5, "rating": order, "results": [1] * 5})
    spec = rating_distribution_chart(ratings, order, "Progress", "fr").to_dict()
    scale = spec["encoding"]["color"]["scale"]
    assert all(_luminance(c) < 0.75 for c in scale["range"]), scale["range"]
    assert len(set(scale["range"])) == 5 and scale["range"][-1] == "#757575"  # "insufficient data" in grey
    assert scale["domain"][0] == "progrès important" and "significant progress" not in json.dumps(spec)
