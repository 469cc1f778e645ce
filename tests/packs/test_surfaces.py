"""The surface test (issue 15): after a workshop that sends a recommendation without a lead section, every output a
reader sees — the UN-DEMO pack, impact report, factsheet, tracker export (Excel and Word), the cross-mission study
(HTML and Excel), and the tracker's command-line tables — is built in English and in French and scanned for raw
machine values: ``nan``/``NaN``, ``None``, JSON, epoch numbers, Python reprs, ``True``/``False``, microseconds.

French outputs are also scanned for English words (:data:`tests.surface_text.ENGLISH_WORDS`). Words that part B of
issue 15 makes French (tracker values from the seeds such as ``Senior Leadership`` and ``Not Assigned``, History
actions) are checked in their own test, marked ``xfail`` until part B lands; remove the mark to tighten it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from cpas_kit.cli.main import main
from cpas_kit.core.settings import make_parameters
from cpas_kit.packs.build import build_outputs, output_name
from cpas_kit.store import Store
from cpas_kit.study.document import build_study, make_study_parameters
from cpas_kit.tracker.export import export_docx
from cpas_kit.tracker.store import TrackerStore
from cpas_kit.workshop.store import WorkshopStore
from tests.surface_text import ENGLISH_WORDS, PART_B_WORDS, english_words, html_text, raw_values, text_of
from tests.voila_support import copy_store

pytestmark = [pytest.mark.slow, pytest.mark.notebook]

MISSION, CYCLE = "UN-DEMO", "2023/24-Q4"
NO_LEAD = "Hold a monthly security meeting with the prefects of the western prefectures"
LANGUAGES = ("en", "fr")


@pytest.fixture(scope="module")
def built(tmp_path_factory, demo_store_file) -> dict:
    """A copy of the demo store after a workshop (an empty-lead recommendation sent, one outcome agreed), then every
    output in both languages."""
    root = tmp_path_factory.mktemp("surfaces")
    url = copy_store(demo_store_file, root / "store.sqlite")
    store = Store(url)
    ws = WorkshopStore(store)
    started = ws.start_workshop(MISSION, CYCLE, actor="Facilitator")
    alice = ws.join_workshop(started.code, "Alice", "CAS")
    first = started.outcome_order[0]
    proposal = ws.propose_recommendation(alice.token, first, NO_LEAD, lead_section=None)  # the form's Lead left empty
    sent = ws.send_proposals(started.code, started.facilitator_key, [proposal["id"]], actor="Facilitator")
    ws.record_agreed(started.code, started.facilitator_key, first, progress="some progress", contribution="some",
                     analysis="Patrols resumed in two prefectures; the group agreed the trend is real.",
                     actor="Facilitator")
    rec_id = sent["recommendation_ids"][proposal["id"]]
    files: dict[str, list[Path]] = {}
    for lang in LANGUAGES:
        out = build_outputs(make_parameters(mission=MISSION, cycle=CYCLE, db_url=url, language=lang,
                                            output_dir=str(root / lang)))
        study = build_study(make_study_parameters(area="poc", cycle_from="2022/23-Q1", cycle_to=CYCLE, db_url=url,
                                                  language=lang, output_dir=str(root / f"study_{lang}")))
        docx = export_docx(store, MISSION, root / lang / "tracker.docx", cycle=CYCLE, language=lang)
        files[lang] = [p for p in [*out["files"], *study["files"], docx] if p.suffix in (".html", ".docx", ".xlsx")]
    store.close()
    return {"url": url, "files": files, "rec_id": rec_id, "root": root}


def _texts(built: dict, lang: str) -> dict[str, str]:
    return {p.name if "study" not in p.name else f"study/{p.name}": text_of(p) for p in built["files"][lang]}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_output_is_built_and_free_of_raw_values(built, lang):
    names = sorted(p.name for p in built["files"][lang])
    pack_files = ("pack.html", "impact_report.docx", "factsheet.html", "tracker.xlsx")
    expected = [*(output_name(n, lang) for n in pack_files), "study.html", "study.xlsx", "tracker.docx"]
    assert names == sorted(expected)
    found = {name: raw_values(text) for name, text in _texts(built, lang).items()}
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_the_recommendation_without_a_lead_section_reads_cleanly(built):
    for lang in LANGUAGES:
        pack = html_text(built["root"] / lang / output_name("pack.html", lang))
        line = re.search(re.escape(NO_LEAD) + r" \(([^)]*)\)", pack)
        assert line is not None and not line.group(1).rstrip().endswith(("·", "nan")), line
        workbook = load_workbook(built["root"] / lang / output_name("tracker.xlsx", lang))
        rows = list(workbook["Tracker"].iter_rows(values_only=True))
        mine = [r for r in rows if r[1] == NO_LEAD]
        assert len(mine) == 1 and mine[0][4] in (None, "")  # lead section empty, not "nan"
    report = text_of(built["root"] / "en" / "impact_report.docx")
    assert NO_LEAD in report  # listed for decision, its lead section shown as "—"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_documents_a_person_would_sign_off(built, lang):
    doc = Document(str(built["root"] / lang / output_name("impact_report.docx", lang)))
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7  # A4
    footer = section.footer._element.xml
    assert "UN-DEMO" in footer and CYCLE in footer and " PAGE " in footer and " NUMPAGES " in footer
    ws = load_workbook(built["root"] / lang / output_name("tracker.xlsx", lang))["Tracker"]
    named = {"en": ("Reporting date (end of the period): 2024-06-30", "Generated on: 20"),
             "fr": ("Date de référence (fin de la période)\u00a0: 2024-06-30", "Produit le\u00a0: 20")}[lang]
    assert all(part in ws["A2"].value for part in named)
    history = list(load_workbook(built["root"] / lang / output_name("tracker.xlsx", lang))["History"].iter_rows(
        min_row=2,
                                                                                              values_only=True))
    assert history and not any(str(v).startswith(("{", "[")) for row in history for v in row)
    pack = html_text(built["root"] / lang / output_name("pack.html", lang))
    assert "Central African Republic" in pack or "République centrafricaine" in pack
    assert "`" not in pack and "cpas import" not in pack  # no commands for a leadership reader
    study = html_text(built["root"] / f"study_{lang}" / "study.html")
    assert "Store(" not in study and "sqlite:" not in study


def test_french_outputs_have_no_english_words(built):
    words = tuple(w for w in ENGLISH_WORDS if w not in PART_B_WORDS)
    found = {name: english_words(text, words) for name, text in _texts(built, "fr").items()}
    assert {name: w for name, w in found.items() if w} == {}


@pytest.mark.xfail(reason="part B of issue 15 translates the seeds' tracker values (Senior Leadership, Not Assigned) "
                          "and History actions; remove this mark when it lands", strict=False)
def test_french_outputs_have_no_english_tracker_values(built):
    found = {name: english_words(text, PART_B_WORDS) for name, text in _texts(built, "fr").items()}
    assert {name: w for name, w in found.items() if w} == {}


def test_tracker_command_line_tables_are_readable(built, capsys, monkeypatch):
    monkeypatch.setenv("CPAS_DB_URL", built["url"])
    assert main(["tracker", "list", "--mission", MISSION, "--on", "2024-06-30"]) == 0
    listing = capsys.readouterr().out
    assert NO_LEAD[:40] in listing and "overdue judged on 2024-06-30" in listing
    assert raw_values(listing) == []
    assert main(["tracker", "history", str(built["rec_id"])]) == 0
    history = capsys.readouterr().out
    assert "Recorded in the tracker" in history and "Awaiting Review" in history and raw_values(history) == []
    assert main(["tracker", "list", "--mission", MISSION, "--json"]) == 0  # machines keep their JSON
    machine = {r["text"]: r for r in json.loads(capsys.readouterr().out)}
    assert machine[NO_LEAD]["lead_section"] is None
    n = len(TrackerStore(Store(built["url"])).recommendations(MISSION))
    assert len(re.findall(r"^\d+\s{2,}\d{4}/\d{2}", listing, flags=re.M)) == n  # one table row start per recommendation
