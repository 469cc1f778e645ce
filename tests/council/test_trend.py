"""The share of paragraphs informed over a mission's checked reports, as the pack and the study show it."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pandas as pd

from cpas_kit.council.store import CouncilStore
from cpas_kit.council.trend import report_trend, trend_chart, trend_html
from cpas_kit.packs.council_section import council_reports
from cpas_kit.study.council_section import council_section

STORE_CONTENT = "framework"

# UNFICYP's hand count reported by the CPAS stock-take (January 2019 … July 2021), as checks of six reports
SERIES = [(date(2019, 1, 10), 20, 100), (date(2019, 7, 10), 32, 100), (date(2020, 1, 10), 40, 100),
          (date(2020, 7, 10), 43, 100), (date(2021, 1, 10), 35, 100), (date(2021, 7, 10), 53, 100)]


def _record(store) -> None:
    cs = CouncilStore(store)
    for i, (when, informed, paragraphs) in enumerate(reversed(SERIES)):  # recorded out of order on purpose
        summary = {"paragraphs": paragraphs, "operative": paragraphs - 4, "informed": informed,
                   "could_be_informed": 10, "contradicts": i % 2, "share_informed": informed / paragraphs,
                   "share_informed_operative": informed / (paragraphs - 4)}
        cs.record_check("UN-DEMO", title=f"Report of the Secretary-General {when:%B %Y}", report_date=when,
                        cycle=None, language="en", file_name=f"r{i}.docx", file_sha256=f"{i:064d}", summary=summary,
                        is_synthetic=False, actor="pytest")


def test_series_in_date_order_with_shares(store):
    _record(store)
    trend = report_trend(store, ["UN-DEMO"])
    assert list(trend["report_date"]) == [d for d, _, _ in SERIES]
    assert [round(s * 100) for s in trend["share_informed"]] == [n for _, n, _ in SERIES]
    html = trend_html(trend, "en")
    assert html.count("<tr>") == 1 + len(SERIES) and "53%" in html and "20%" in html and "nan" not in html
    french = trend_html(trend, "fr")
    assert "53\u00a0%" in french and "juillet 2021" in french and "Part des paragraphes" in french
    chart = trend_chart(trend, "en").to_dict()
    assert len(chart["data"]["values"] if "values" in chart["data"] else next(iter(chart["datasets"].values()))) == 6


def test_pack_and_study_sections(store):
    ctx = SimpleNamespace(params=SimpleNamespace(db_url=store.url), framework=SimpleNamespace(
        mission=SimpleNamespace(code="UN-DEMO")), language="en")
    empty = council_reports(ctx)
    assert len(empty) == 1 and "No report to the Security Council has been checked" in empty[0].data
    _record(store)
    parts = council_reports(ctx)
    assert len(parts) == 2 and "Report of the Secretary-General July 2021" in parts[0].data
    study = council_section(SimpleNamespace(params=ctx.params, language="fr",
                                            missions=pd.DataFrame({"mission_code": ["UN-DEMO", "DEMO-MLI"]})))
    assert "Rapports au Conseil de sécurité" in study[0].data and study[0].data.count("<tr>") == 7
