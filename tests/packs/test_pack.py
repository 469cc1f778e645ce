"""The demo pack: papermill executes the pack notebook against the demo store, the HTML export is
offline, labelled synthetic, complete, and draws its charts in a real headless Chromium."""

from __future__ import annotations

import html
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cpas_kit import demo
from cpas_kit.core.settings import make_parameters
from cpas_kit.packs.build import build_pack
from cpas_kit.store import Store

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('store')}/demo.sqlite"
    demo.load_demo(Store(url))
    return url


@pytest.fixture(scope="module")
def pack_en(demo_url, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pack_en")
    return build_pack(make_parameters(mission="UN-DEMO", cycle="2023/24-Q4", db_url=demo_url, output_dir=str(out)))


class _Sources(HTMLParser):
    """Collects every URL a page would fetch: script/img/iframe src, link href, CSS url(...)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in {"script", "img", "iframe", "embed", "source", "audio", "video"} and a.get("src"):
            self.urls.append(a["src"])
        if tag == "link" and a.get("href"):
            self.urls.append(a["href"])
        if tag == "object" and a.get("data"):
            self.urls.append(a["data"])


def _remote(url: str) -> bool:
    return url.startswith(("http://", "https://", "//"))


@pytest.mark.notebook
def test_pack_is_written_where_the_issue_says(pack_en: Path):
    assert pack_en.name == "pack.html" and pack_en.is_file()
    executed = pack_en.parent / "notebooks" / "impact_assessment_pack.ipynb"
    assert executed.is_file()
    assert "papermill" in executed.read_text(encoding="utf-8")


@pytest.mark.notebook
def test_pack_html_fetches_nothing_from_the_network(pack_en: Path):
    page = pack_en.read_text(encoding="utf-8")
    parser = _Sources()
    parser.feed(page)
    assert [u for u in parser.urls if _remote(u)] == []
    css = "\n".join(re.findall(r"<style[^>]*>(.*?)</style>", page, re.S))
    assert re.findall(r"url\(\s*['\"]?(?:https?:)?//", css) == []
    assert re.findall(r"@import\s+(?:url\()?['\"]?(?:https?:)?//", css) == []
    assert "cdn.jsdelivr" not in page and "cdnjs" not in page and "require.js" not in page


@pytest.mark.notebook
def test_pack_shows_every_indicator_status_and_the_tracker(pack_en: Path):
    page = pack_en.read_text(encoding="utf-8")
    text = html.unescape(page)
    fw = demo.demo_framework()
    for p in fw.priorities:
        assert p.name in text
    for _, _, ind in fw.indicators():
        assert f"{ind.code} — " in page, ind.code
    assert "cpas-status-on-track" in page and "cpas-status-off-track" in page
    assert "SYNTHETIC DATA" in page
    for rec in demo.read_tracker_file(demo.TRACKER_FILE, fw):
        assert rec["text"] in text, rec["text"][:40]
    assert "Awaiting Review" in page and "Implemented" in page
    assert "make_parameters(" not in page, "code cells must not be exported"
    assert "Cells tagged" not in page, "notebook-only narration must not be exported"


@pytest.mark.notebook
def test_pack_in_french(demo_url, tmp_path):
    path = build_pack(make_parameters(mission="UN-DEMO", cycle="2023/24-Q4", db_url=demo_url, language="fr",
                                      output_dir=str(tmp_path)))
    assert path.name == "pack_fr.html", "French packs never overwrite the English pack.html"
    assert (tmp_path / "notebooks" / "impact_assessment_pack_fr.ipynb").is_file()
    page = html.unescape(path.read_text(encoding="utf-8"))
    assert "Dossier d'évaluation d'impact" in page
    assert "DONNÉES SYNTHÉTIQUES" in page
    assert ">en bonne voie<" in page or ">en retard<" in page
    assert ">on track<" not in page and ">off track<" not in page


def test_pack_for_unknown_mission_fails_with_a_sentence(demo_url, tmp_path):
    from cpas_kit.core.errors import NotFoundError

    with pytest.raises(NotFoundError, match="no results framework"):
        build_pack(make_parameters(mission="NOPE", cycle="2023/24-Q4", db_url=demo_url, output_dir=str(tmp_path)))


@pytest.mark.browser
@pytest.mark.notebook
def test_pack_draws_its_charts_offline_in_chromium(pack_en: Path):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CPAS_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is required (CPAS_REQUIRE_BROWSER is set) but missing")
        pytest.skip(f"Debian chromium not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    page_text = pack_en.read_text(encoding="utf-8")
    expected = page_text.count('window.cpasVegaEmbed("#')
    assert expected >= 25
    remote: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                     "--disable-background-networking", "--disable-component-update"])
        try:
            page = browser.new_page()
            page.route(re.compile(r"^https?://.*"), lambda route: (remote.append(route.request.url), route.abort()))
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(pack_en.as_uri())
            page.wait_for_function(f"document.querySelectorAll('.cpas-chart svg.marks').length >= {expected}",
                                   timeout=60_000)
            drawn = page.evaluate("document.querySelectorAll('.cpas-chart svg.marks').length")
            marks = page.evaluate("document.querySelectorAll('.cpas-chart svg.marks path, .cpas-chart svg.marks line')"
                                  ".length")
        finally:
            browser.close()
    assert drawn == expected
    assert marks > expected * 3, "charts rendered empty"
    assert errors == []
    assert remote == []
