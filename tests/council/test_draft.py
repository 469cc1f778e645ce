"""``cpas report draft``: traceable Word drafts that ``cpas report check`` finds informed throughout."""

from __future__ import annotations

import docx
import pytest

from cpas_kit.council.check import check_report
from cpas_kit.council.draft import DraftError, write_draft
from cpas_kit.data_in.store import ObservationStore

STORE_CONTENT = "demo"
STORE_BACKENDS = ("sqlite",)
MISSION = "UN-DEMO"


def _comments(path) -> list[str]:
    document = docx.Document(str(path))
    return [c.text for c in document.comments]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_draft_rechecks_to_fully_informed(store, tmp_path, language):
    cycle = "2023/24-Q3"  # every value of the quarter is verified in the demo
    out = write_draft(store, MISSION, cycle, tmp_path / f"draft_{language}.docx", language=language)
    obs = ObservationStore(store).observations(MISSION, periods=[cycle], totals_only=True)
    quantitative = obs[obs["value"].notna()]
    assert out["sentences"] == len(quantitative)  # one sentence per indicator with a verified value
    comments = _comments(out["path"])
    assert len(comments) == out["sentences"]
    assert all("SYNTHETIC" in c or "SYNTHÉTIQUE" in c for c in comments)
    codes = {c.split(" ")[1] for c in comments}
    assert codes == set(quantitative["indicator_code"])
    check = check_report(store, out["path"], MISSION)
    assert str(check.cycle) == cycle and check.language == language
    s = check.summary()
    assert s["paragraphs"] == out["paragraphs"] == s["operative"]
    assert s["informed"] == s["paragraphs"] and s["share_informed"] == 1.0 and s["contradicts"] == 0
    figures = sum(len(p.result.figures) for p in check.paragraphs)
    informed_figures = [f for f in s["findings"] if f["class"] == "informed"]
    assert len(informed_figures) == figures  # every figure of the draft is found in the store
    title = docx.Document(str(out["path"])).paragraphs[0].text
    assert ("SYNTHETIC DATA" if language == "en" else "DONNÉES SYNTHÉTIQUES") in title


def test_unverified_values_only_when_asked_and_marked(store, tmp_path):
    cycle = "2023/24-Q4"  # about 30 % of the last quarter's values are verified in the demo
    obs = ObservationStore(store).observations(MISSION, periods=[cycle], totals_only=True)
    obs = obs[obs["value"].notna()]
    verified = int((obs["verification_status"] == "verified").sum())
    default = write_draft(store, MISSION, cycle, tmp_path / "d.docx")
    everything = write_draft(store, MISSION, cycle, tmp_path / "all.docx", include_unverified=True)
    assert default["sentences"] == verified < everything["sentences"] == len(obs)
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "all.docx")).paragraphs)
    assert text.count("[not yet verified]") >= len(obs) - verified
    assert "[not yet verified]" not in "\n".join(p.text for p in docx.Document(str(tmp_path / "d.docx")).paragraphs)
    s = check_report(store, tmp_path / "all.docx", MISSION).summary()
    assert s["contradicts"] == 0 and s["share_informed"] == 1.0


def test_french_draft_is_french(store, tmp_path):
    out = write_draft(store, MISSION, "2023/24-Q3", tmp_path / "projet.docx", language="fr")
    text = "\n".join(p.text for p in docx.Document(str(out["path"])).paragraphs)
    assert "Au cours de la période considérée" in text and "During" not in text and "per cent" not in text
    assert all(("Indicateur" in c and "Vérification" in c) for c in _comments(out["path"]))


def test_draft_refuses_a_file_that_is_not_docx(store, tmp_path):
    with pytest.raises(DraftError, match=".docx"):
        write_draft(store, MISSION, "2023/24-Q3", tmp_path / "out" / "draft.pdf")
    assert not (tmp_path / "out").exists()
