"""Pack files without running a notebook: per-language names, staged writes that commit or leave nothing,
and fingerprints that change exactly when a pack's inputs change."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from cpas_kit.core.settings import make_parameters
from cpas_kit.packs.build import (
    FACTSHEET_PDF,
    IMPACT_REPORT,
    PACK_HTML,
    TRACKER_XLSX,
    Staged,
    executed_notebook,
    output_name,
    pack_file,
    remove_stale_partials,
)
from cpas_kit.packs.fingerprint import pack_fingerprint, store_fingerprint
from cpas_kit.store.schema import observations

STORE_CONTENT = "demo"
STORE_BACKENDS = ("sqlite",)
CYCLE = "2023/24-Q4"


def test_english_keeps_its_names_and_french_gets_its_own(tmp_path):
    assert [output_name(n, "en") for n in (PACK_HTML, IMPACT_REPORT, FACTSHEET_PDF, TRACKER_XLSX)] == \
        ["pack.html", "impact_report.docx", "factsheet.pdf", "tracker.xlsx"]
    assert [output_name(n, "fr") for n in (PACK_HTML, IMPACT_REPORT, FACTSHEET_PDF, TRACKER_XLSX)] == \
        ["pack_fr.html", "impact_report_fr.docx", "factsheet_fr.pdf", "tracker_fr.xlsx"]
    en = make_parameters(mission="UN-DEMO", cycle=CYCLE, output_dir=str(tmp_path))
    fr = make_parameters(mission="UN-DEMO", cycle=CYCLE, output_dir=str(tmp_path), language="fr")
    names = {pack_file(p, n) for p in (en, fr) for n in (PACK_HTML, IMPACT_REPORT, FACTSHEET_PDF, TRACKER_XLSX)}
    assert len(names) == 8, "no English output shares a path with a French one"
    assert executed_notebook(en).name == "impact_assessment_pack.ipynb"
    assert executed_notebook(fr).name == "impact_assessment_pack_fr.ipynb"


def _staged(tmp_path: Path) -> tuple[Staged, list[Path]]:
    params = make_parameters(mission="UN-DEMO", cycle=CYCLE, output_dir=str(tmp_path))
    staged = Staged(params)
    finals = [pack_file(params, n) for n in (PACK_HTML, TRACKER_XLSX)]
    for i, final in enumerate(finals):
        final.write_text(f"old {i}")
        staged.partial(final).write_text(f"new {i}")
    return staged, finals


def test_staged_outputs_appear_only_on_commit(tmp_path):
    staged, finals = _staged(tmp_path)
    assert [f.read_text() for f in finals] == ["old 0", "old 1"], "nothing replaced before the commit"
    assert staged.commit() == finals
    assert [f.read_text() for f in finals] == ["new 0", "new 1"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack.html", "tracker.xlsx"], "no partial file left"


def test_discarded_outputs_leave_the_previous_ones_untouched(tmp_path):
    staged, finals = _staged(tmp_path)
    staged.discard()
    assert [f.read_text() for f in finals] == ["old 0", "old 1"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack.html", "tracker.xlsx"]


def test_partials_of_a_killed_build_are_cleared_and_never_look_like_outputs(tmp_path):
    staged, finals = _staged(tmp_path)  # a kill here: the partials stay behind
    partials = [tmp for tmp, _ in staged.pending]
    assert all(p.name.startswith(".") and ".partial" in p.name for p in partials)
    assert all(p.suffix == f.suffix for p, f in zip(partials, finals)), "a partial keeps its file type"
    remove_stale_partials(tmp_path)
    assert not any(p.exists() for p in partials)
    assert [f.read_text() for f in finals] == ["old 0", "old 1"]


def _bump_one_observation(store, mission: str) -> None:
    with store.engine.begin() as conn:
        row_id = conn.execute(sa.select(observations.c.id).where(observations.c.mission_code == mission)
                              .order_by(observations.c.id).limit(1)).scalar_one()
        conn.execute(observations.update().where(observations.c.id == row_id)
                     .values(value=observations.c.value + 1))


def test_fingerprint_changes_exactly_when_the_pack_inputs_change(store):
    from cpas_kit.demo import load_demo_missions

    load_demo_missions(store, ["DEMO-LBN"])
    params = make_parameters(mission="UN-DEMO", cycle=CYCLE, db_url=str(store.engine.url))
    first = pack_fingerprint(params, documents=True, store=store)
    assert pack_fingerprint(params, documents=True, store=store) == first, "stable when nothing changed"
    other = store_fingerprint(store, "DEMO-LBN")
    _bump_one_observation(store, "DEMO-LBN")
    assert store_fingerprint(store, "DEMO-LBN") != other
    assert pack_fingerprint(params, documents=True, store=store) == first, "another mission's data is not ours"
    _bump_one_observation(store, "UN-DEMO")
    changed = pack_fingerprint(params, documents=True, store=store)
    assert changed != first, "one observation of the mission changed: rebuild"
    assert pack_fingerprint(params, documents=False, store=store) != changed, "documents or not: another build"
    french = params.model_copy(update={"language": "fr"})
    assert pack_fingerprint(french, documents=True, store=store) != changed


@pytest.mark.parametrize("table", ["framework_indicators", "workshop_rating_events", "stakeholder_entries"])
def test_rows_under_a_mission_through_a_parent_count_for_that_mission(table):
    from cpas_kit.packs.fingerprint import _mission_filter
    from cpas_kit.store.schema import metadata

    clause = _mission_filter(metadata.tables[table], "UN-DEMO")
    assert clause is not None, f"{table} rows must be filtered to the mission, not hashed whole or ignored"
    assert "mission_code" in str(clause.compile(compile_kwargs={"literal_binds": True}))


@pytest.mark.browser
def test_one_browser_prints_every_pdf_on_a4(tmp_path):
    import re

    from cpas_kit.packs.pdf import PdfPrinter, pdf_page_count, pdf_route

    if not pdf_route().available:
        pytest.skip("no Chromium on this machine")
    pages = []
    for i in range(3):
        page = tmp_path / f"p{i}.html"
        page.write_text("<style>@page { size: A4 }</style>" + "<p>x</p>" * (1 + 200 * i), encoding="utf-8")
        pages.append(page)
    with PdfPrinter() as printer:
        pdfs = [printer.print(page, page.with_suffix(".pdf")) for page in pages]
        browser = printer._browser
        assert browser is not None and browser.is_connected()
    assert printer.printed == 3 and not browser.is_connected(), "one browser for the three, closed after"
    for pdf in pdfs:
        data = pdf.read_bytes()
        assert data[:5] == b"%PDF-"
        box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
        assert box and round(float(box.group(1))) == 595 and round(float(box.group(2))) == 842, "A4 from the CSS"
    assert pdf_page_count(pdfs[0]) == 1 and pdf_page_count(pdfs[2]) > 1
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [], "no partial PDF left"


def test_a_pack_is_skipped_only_if_its_files_are_still_as_built(tmp_path, monkeypatch):
    from cpas_kit.core.import_report import file_sha256
    from cpas_kit.packs.batch import _unchanged

    monkeypatch.setenv("CPAS_OUTPUTS", str(tmp_path))
    page = tmp_path / "UN-DEMO" / "2023-24-Q4" / "pack.html"
    page.parent.mkdir(parents=True)
    page.write_text("<p>built</p>", encoding="utf-8")
    entry = {"ok": True, "fingerprint": "f1", "files": [
        {"path": "UN-DEMO/2023-24-Q4/pack.html", "bytes": page.stat().st_size, "sha256": file_sha256(page)}]}
    assert _unchanged(entry, "f1")
    assert not _unchanged(entry, "f2"), "inputs changed"
    assert not _unchanged({**entry, "ok": False}, "f1"), "a failed run is never reused"
    page.write_text("<p>edited</p>", encoding="utf-8")  # same size, other content
    assert not _unchanged(entry, "f1"), "a file edited since the build"
    page.unlink()
    assert not _unchanged(entry, "f1"), "a file deleted since the build"
