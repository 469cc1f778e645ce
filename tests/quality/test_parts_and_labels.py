"""The pack's and the study's data-quality parts (aggregates only), and French labels for every new word."""

from __future__ import annotations

import re
from pathlib import Path

from cpas_kit.analysis.views import render_html
from cpas_kit.core.i18n import LABELS
from cpas_kit.core.i18n.quality import LABELS as QUALITY_LABELS
from cpas_kit.data_in.approval import STATUSES, ApprovalStore
from cpas_kit.data_in.store import ObservationStore
from cpas_kit.framework.model import PIRS_FREQUENCIES
from cpas_kit.packs.data import quality_summary
from cpas_kit.quality import RULES, STATES, quality_report
from cpas_kit.study.aggregates import make_scope
from cpas_kit.study.quality import quality_by_mission

STORE_CONTENT = "demo"
STORE_BACKENDS = ("sqlite",)
M, CYCLE = "UN-DEMO", "2023/24-Q4"
NEW_MODULES = ["cpas_kit/quality", "cpas_kit/framework/pirs.py", "cpas_kit/packs/data.py", "cpas_kit/study/quality.py",
               "cpas_kit/study/document.py", "cpas_kit/data_in/entry_workbook.py",
               "cpas_kit/templates/report/data_quality.html.j2", "cpas_kit/templates/report/indicator.html.j2"]


def _grid(store, language: str) -> str:
    fw = store.framework(M, CYCLE)
    summary = quality_summary(store, M, CYCLE, fw)
    return summary, str(render_html("report/data_quality.html.j2", language, missing=[], unverified=[], stale=[],
                                    rejected=[], quality=summary, synthetic=True).data)


def test_pack_grid_counts_per_section_with_the_approval_status(store):
    a = ApprovalStore(store)
    a.submit(M, CYCLE, "UNPOL", by="UNPOL focal point")
    a.approve(M, CYCLE, "UNPOL", by="Chief of Staff")
    summary, page = _grid(store, "en")
    rep = quality_report(store, M, CYCLE)
    comp = {r["section"]: r for r in rep.completeness.to_dict("records")}
    obs = ObservationStore(store).observations(M, periods=[CYCLE])
    owner = {i.code: i.responsible_section for _, _, i in store.framework(M, CYCLE).indicators()}
    for row in summary["sections"]:
        assert (row["expected"], row["entered"]) == (comp[row["section"]]["expected"], comp[row["section"]]["entered"])
        mine = obs[obs["indicator_code"].map(owner) == row["section"]]
        assert row["entered"] <= len(mine) and row["verified"] <= int((mine["verification_status"] == "verified").sum())
        assert row["status"] == ("approved" if row["section"] == "UNPOL" else "in_progress")
    assert sum(r["findings"] for r in summary["sections"]) == len(rep.findings)
    assert {r["rule"]: r["open"] for r in summary["by_rule"]} == rep.counts()
    assert "approved (Chief of Staff," in page and page.count("in progress") == len(summary["sections"]) - 1
    assert not re.search(r"\bnan\b|\bNone\b", page) and len(page) < 20_000  # aggregates, not rows
    _, fr = _grid(store, "fr")
    assert "Qualité des données et approbation" in fr and "approuvé (Chief of Staff," in fr and "en cours" in fr
    for english in ("Expected", "Median days late", "in progress", "sudden break", "Outlier rate"):
        assert english not in fr


def test_indicator_block_marks_sections_not_yet_approved(store):
    fw = store.framework(M, CYCLE)
    ind = fw.indicator("SEC-07")
    row = {"status": "on track", "latest_period": CYCLE, "latest_value": 3.0, "target_period": None,
           "expected_value": None, "change_level": None, "distance_to_target": None, "verification_status": None,
           "is_stale": False, "is_synthetic": True}
    for unapproved, expected in ((True, 1), (False, 0)):
        page = str(render_html("report/indicator.html.j2", "fr", ind=ind, row=row, section="UNPOL",
                               unapproved=unapproved).data)
        assert page.count("◇") == expected  # explained once, in the data-quality part (qa_not_approved_note)


def test_study_quality_per_mission_and_cycle(store):
    scope = make_scope("poc", "2022/23-Q1", CYCLE)
    q = quality_by_mission(store, scope, [M])
    assert list(q["cycle"]) == ["2022/23-Q4", "2023/24-Q1", "2023/24-Q2", "2023/24-Q3", CYCLE][-4:]
    for r in q.to_dict("records"):
        rep = quality_report(store, M, r["cycle"])
        assert r["expected"] == int(rep.completeness["expected"].sum())
        assert r["entered"] == int(rep.completeness["entered"].sum())
        assert r["completeness"] == r["entered"] / r["expected"]
        assert r["outlier_rate"] == rep.outlier_rate() and 0 < r["outlier_rate"] < 1


def test_every_new_label_has_english_and_french():
    for key, value in QUALITY_LABELS.items():
        assert set(value) == {"en", "fr"} and value["en"].strip() and value["fr"].strip(), key
        assert LABELS[key] is value, f"{key} is shadowed by another module's label"
    for rule in RULES:
        assert f"rule_{rule}" in LABELS
    for status in STATUSES:
        assert f"appr_{status}" in LABELS
    for freq in PIRS_FREQUENCIES:
        assert f"freq_{freq}" in LABELS
    assert set(STATES) <= {"open", "follow_up", "corrected", "explained"}
    root = Path(__file__).resolve().parents[2]
    used: set[str] = set()
    for name in NEW_MODULES:
        for f in ([root / name] if (root / name).is_file() else sorted((root / name).glob("*.py"))):
            used |= set(re.findall(r"""\bt\(\s*["']([a-z_][a-z0-9_ -]*)["']""", f.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if k not in LABELS and not k.endswith("_"))  # prefixes: checked above
    assert not missing, f"labels used but not defined: {missing}"
    assert {"qa_title", "pirs_title", "pirs_changes", "study_dq_title"} <= used
