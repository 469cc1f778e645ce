"""The pack built by papermill shows the mission's checked reports to the Security Council (notebook test)."""

from __future__ import annotations

import html

import pytest

from cpas_kit.core.settings import make_parameters
from cpas_kit.council.check import check_report, record_check
from cpas_kit.council.draft import write_draft
from cpas_kit.packs.build import build_pack

STORE_CONTENT = "demo"
STORE_BACKENDS = ("sqlite",)


@pytest.mark.notebook
def test_pack_shows_the_share_over_checked_reports(store, tmp_path):
    for cycle in ("2023/24-Q2", "2023/24-Q3"):
        draft = write_draft(store, "UN-DEMO", cycle, tmp_path / f"draft_{cycle.replace('/', '-')}.docx")
        record_check(store, check_report(store, draft["path"], "UN-DEMO"), actor="pytest")
    page = html.unescape(build_pack(make_parameters(mission="UN-DEMO", cycle="2023/24-Q4", db_url=store.url,
                                                    language="fr", output_dir=str(tmp_path / "pack")))
                         .read_text(encoding="utf-8"))
    assert "Rapports au Conseil de sécurité étayés par des données" in page
    assert page.count("Projet de paragraphes pour le rapport du Secrétaire général") == 0  # drafts were in English
    assert page.count("Draft paragraphs for the report of the Secretary-General") >= 2  # in the table and chart
    assert "100\u00a0%" in page
