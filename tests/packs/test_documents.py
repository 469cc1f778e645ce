"""The leadership documents: the Word impact report, the HTML/PDF factsheet and the PDF route.

One demo store (UN-DEMO: synthetic indicator values, real World Bank figures, the seeds' tracker) is built for
the module; each document is built once per language and inspected. The PDF tests need Debian's Chromium at
/usr/bin/chromium: skipped without it, failed instead when ``CPAS_REQUIRE_BROWSER`` is set.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest

CYCLE = "2023/24-Q4"
MISSION = "UN-DEMO"
BROWSER = Path("/usr/bin/chromium")
LANGUAGES = ("en", "fr")
IR_HEADINGS = ("ir_summary", "ir_key_developments", "ir_challenges", "ir_opportunities", "ir_by_priority",
               "ir_for_decision", "ir_about")


def _need_browser() -> None:
    if BROWSER.exists():
        return
    if os.environ.get("CPAS_REQUIRE_BROWSER"):
        pytest.fail(f"CPAS_REQUIRE_BROWSER is set but there is no browser at {BROWSER} "
                    "(apt-get install -y chromium)")
    pytest.skip(f"no browser at {BROWSER} (apt-get install -y chromium); "
                "set CPAS_REQUIRE_BROWSER to fail instead")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> str:
    from cpas_kit.demo import load_demo
    from cpas_kit.store import Store

    url = f"sqlite:///{tmp_path_factory.mktemp('documents-store')}/s.sqlite"
    store = Store(url)
    try:
        load_demo(store)
    finally:
        store.close()
    return url


@pytest.fixture(scope="module")
def contexts(demo_url, tmp_path_factory) -> dict:
    from cpas_kit.core.settings import make_parameters
    from cpas_kit.packs.data import load_pack_data

    out = tmp_path_factory.mktemp("documents-out")
    return {lang: load_pack_data(make_parameters(mission=MISSION, cycle=CYCLE, db_url=demo_url, language=lang,
                                               output_dir=str(out / lang)))
            for lang in LANGUAGES}


@pytest.fixture(scope="module")
def reports(contexts) -> dict[str, Path]:
    from cpas_kit.packs.impact_report import build_impact_report

    return {lang: build_impact_report(ctx, ctx.params.out_dir() / f"impact_report_{lang}.docx")
            for lang, ctx in contexts.items()}


@pytest.fixture(scope="module")
def factsheets(contexts) -> dict[str, str]:
    from cpas_kit.packs.factsheet import build_factsheet

    pages = {}
    for lang, ctx in contexts.items():
        html, pdf, message = build_factsheet(ctx, ctx.params.out_dir() / f"factsheet_{lang}.html")
        assert pdf is None and "no PDF asked for" in message
        pages[lang] = html.read_text(encoding="utf-8")
    return pages


def _docx(path: Path) -> tuple[list[str], str, int]:
    """Heading 1 texts, all text (paragraphs and table cells) and the number of pictures of a Word file."""
    import docx

    doc = docx.Document(str(path))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    cells = [c.text for table in doc.tables for row in table.rows for c in row.cells]
    text = "\n".join([p.text for p in doc.paragraphs] + cells)
    return headings, text, len(doc.inline_shapes)


# --- impact report -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_impact_report_sections_in_the_language(reports, lang):
    from cpas_kit.core.i18n import t

    headings, text, pictures = _docx(reports[lang])
    assert headings == [t(k, lang) for k in IR_HEADINGS]
    other = "fr" if lang == "en" else "en"
    assert not {t(k, other) for k in IR_HEADINGS} & set(headings)
    assert t("synthetic_banner", lang) in text
    assert t("ir_opportunities_rule", lang) in text  # the rule is stated where it is used
    assert 2 <= pictures <= 8


@pytest.mark.parametrize("lang", LANGUAGES)
def test_impact_report_lists_every_recommendation_awaiting_review(reports, contexts, lang):
    recs = contexts[lang].recommendations
    awaiting = recs.loc[recs["decision"] == "Awaiting Review", "text"]
    assert len(awaiting) >= 1
    _, text, _ = _docx(reports[lang])
    for rec in awaiting:
        assert rec in text
    decided = recs.loc[recs["decision"].isin(["Approved", "Rejected"]), "text"]
    table = text.split("\n")
    assert not any(rec in table for rec in decided)  # only those waiting for a decision are listed


def _status_row(code: str, direction: str, latest, change, target, status: str = "off track") -> dict:
    return {"priority_code": "P1", "outcome_code": "O1", "indicator_code": code, "level": "strategic",
            "kind": "quantitative", "unit": "number", "direction": direction, "baseline_value": 100.0,
            "baseline_period": "2020/21-Q4", "target_value": target, "target_period": CYCLE,
            "expected_value": target, "latest_period": CYCLE if latest is not None else None,
            "latest_value": latest,
            "latest_text": None, "change_vs_previous": change, "change_vs_baseline": None, "status": status,
            "is_stale": False, "has_cycle_value": latest is not None, "verification_status": "verified",
            "is_synthetic": True, "data_source": "test"}


def test_opportunities_are_improving_indicators_short_of_target():
    from cpas_kit.packs.impact_report import highlights

    status = pd.DataFrame([
        _status_row("UP-SHORT", "increase", 140.0, 5.0, 150.0),  # improving, short of target: an opportunity
        _status_row("UP-DONE", "increase", 155.0, 5.0, 150.0, "on track"),  # improving but already at target
        _status_row("UP-WORSE", "increase", 120.0, -5.0, 150.0),  # moving the wrong way
        _status_row("DOWN-SHORT", "decrease", 70.0, -4.0, 50.0),  # improving (lower is better), short
        _status_row("KEEP-BACK", "maintain", 115.0, -5.0, 100.0),  # closer to 100 but still outside ±10 %
        _status_row("KEEP-AWAY", "maintain", 120.0, 5.0, 100.0),  # further away
        _status_row("NONE", "increase", None, None, 150.0, "no data"),
    ])
    h = highlights(status)
    assert list(h.opportunities["indicator_code"]) == ["UP-SHORT", "DOWN-SHORT", "KEEP-BACK"]  # closest first
    assert list(h.on_track["indicator_code"]) == ["UP-DONE"]
    assert set(h.off_track["indicator_code"]) == {"UP-SHORT", "UP-WORSE", "DOWN-SHORT", "KEEP-BACK",
                                                  "KEEP-AWAY"}
    assert list(h.no_data["indicator_code"]) == ["NONE"]
    assert h.largest_moves["indicator_code"].iloc[0] == "DOWN-SHORT"  # −4 on 74 is the largest relative move


# --- factsheet ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_factsheet_loads_nothing_from_the_web(factsheets, lang):
    page = factsheets[lang]
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"<script|<link|<iframe|<img|@import|@font-face|url\((?!#)", page, re.IGNORECASE)
    assert "@page { size: A4" in page
    assert 4 <= page.count("<svg ") <= 6


@pytest.mark.parametrize("lang", LANGUAGES)
def test_factsheet_shows_world_bank_figures_personnel_and_labels(factsheets, contexts, demo_url, lang):
    import html

    from cpas_kit.core.i18n import t
    from cpas_kit.data_in.external import read_context_values
    from cpas_kit.store import Store

    page = html.unescape(factsheets[lang])
    store = Store(demo_url)
    try:
        values = read_context_values(store, MISSION, source="worldbank")
    finally:
        store.close()
    gdp = values[(values["indicator_code"] == "NY.GDP.PCAP.CD") & values["value"].notna()
                 & (values["period_start"].dt.year <= contexts[lang].reporting_date.year)]
    latest = gdp.sort_values("period_start").iloc[-1]
    figure = f"{latest['value']:,.2f}"
    if lang == "fr":
        figure = figure.replace(",", "\u00a0").replace(".", ",")
    assert latest["period"] == "2023"  # the World Bank's latest year before the cycle ends
    assert figure in page
    assert f"{t('fs_gdp', lang)}, {latest['period']}" in page
    assert t("fs_wb_source", lang).split("(")[0] in page
    sep = "," if lang == "en" else "\u00a0"
    for count in (11650, 2080, 1240):
        assert f"{count:,}".replace(",", sep) in page
    assert t("synthetic_banner", lang) in page
    assert t("fs_fictional_note", lang).split(":")[0].format(mission=MISSION) in page
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", page, re.DOTALL)
    assert len(captions) >= 4
    for caption in captions:
        assert t("synthetic", lang).upper() in caption
        assert t("source", lang) in caption
        assert t("verified", lang) in caption  # "verified", "not yet verified", "partly verified"


def test_factsheet_without_a_browser_still_writes_html(contexts, monkeypatch, tmp_path):
    from cpas_kit.packs.factsheet import build_factsheet

    monkeypatch.setenv("CPAS_CHROMIUM", "/nonexistent")
    html, pdf, message = build_factsheet(contexts["en"], tmp_path / "fs.html", tmp_path / "fs.pdf")
    assert html.is_file() and "<svg" in html.read_text(encoding="utf-8")
    assert pdf is None and not (tmp_path / "fs.pdf").exists()
    assert "CPAS_CHROMIUM" in message and "/nonexistent" in message and "print it to PDF" in message


@pytest.mark.browser
def test_factsheet_pdf_is_one_or_two_a4_pages(contexts, monkeypatch, tmp_path):
    from cpas_kit.packs.factsheet import build_factsheet
    from cpas_kit.packs.pdf import pdf_page_count

    _need_browser()
    monkeypatch.delenv("CPAS_CHROMIUM", raising=False)
    html, pdf, message = build_factsheet(contexts["en"], tmp_path / "fs.html", tmp_path / "fs.pdf")
    assert pdf is not None, message
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = pdf_page_count(pdf)
    assert pages in (1, 2), message
    assert f"{pages} page" in message
    width, height = (float(v) for v in re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", data).groups())
    assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2  # A4, not Letter
    assert not list(tmp_path.glob(".fs.*"))  # no partial file left behind


# --- PDF route ---------------------------------------------------------------------------------------------

def test_pdf_route_honours_the_override(monkeypatch, tmp_path):
    from cpas_kit.packs.pdf import html_to_pdf, pdf_route

    monkeypatch.setenv("CPAS_CHROMIUM", "/nonexistent")
    route = pdf_route()
    assert not route.available and "CPAS_CHROMIUM" in str(route)
    page = tmp_path / "p.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    assert html_to_pdf(page, tmp_path / "p.pdf") is None


def test_pdf_page_count_counts_page_objects(tmp_path):
    from cpas_kit.packs.pdf import pdf_page_count

    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >> endobj\n"
                    b"2 0 obj << /Type /Page /Parent 1 0 R >> endobj\n"
                    b"3 0 obj <</Type/Page/Parent 1 0 R>> endobj\n")
    assert pdf_page_count(pdf) == 2
