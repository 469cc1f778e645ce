"""``check_report`` on reports written from the demo store's own values: exact, rounded, written-out, wrong figures,
English and French, .txt, .md, .docx and .pdf; expected classes and shares computed here by hand."""

from __future__ import annotations

import json

import pytest

from cpas_kit.council.check import ReportCheckError, check_report, record_check
from cpas_kit.council.paragraphs import ReportReadError
from cpas_kit.council.store import CouncilStore
from cpas_kit.data_in.store import ObservationStore
from tests.council.reports import write_docx, write_scanned_pdf, write_text_pdf

STORE_CONTENT = "demo"
STORE_BACKENDS = ("sqlite",)
MISSION, CYCLE, PREVIOUS = "UN-DEMO", "2023/24-Q3", "2023/24-Q2"
_WORDS_EN = {12: "twelve", 15: "fifteen", 24: "twenty-four", 30: "thirty", 45: "forty-five"}
_WORDS_FR = {12: "douze", 15: "quinze", 24: "vingt-quatre", 30: "trente", 45: "quarante-cinq"}


@pytest.fixture
def values(store) -> dict[tuple[str, str], float]:
    """Indicator totals of the demo store for the cycle and the one before."""
    obs = ObservationStore(store).observations(MISSION, periods=[CYCLE, PREVIOUS], totals_only=True)
    return {(r["indicator_code"], r["period"]): r["value"] for r in obs.to_dict("records")}


def _en(v: dict) -> list[tuple[str, str | None, str]]:
    """(kind, text, expected class) of an English report built from the store's values."""
    deaths, before = int(v[("SEC-01", CYCLE)]), int(v[("SEC-01", PREVIOUS)])
    incidents = int(v[("SEC-02", CYCLE)])
    safe = v[("SEC-03", CYCLE)]
    prisons = int(v[("SA-03", CYCLE)])
    patrols = int(v[("SEC-04", CYCLE)])
    return [
        ("heading", "Report of the Secretary-General on the United Nations Demonstration Mission", ""),
        ("para", "The present report covers developments from 1 January to 31 March 2024.", "no_data_topic"),
        ("heading", "I. Security situation", ""),
        ("num", f"During the reporting period, conflict-related civilian deaths decreased to {deaths}, from {before} "
                "in the previous quarter.", "informed"),
        ("num", f"Security incidents attributed to armed groups rose to {incidents * 2 + 17} during the reporting "
                "period, according to the mission.", "contradicts"),
        ("num", f"Some {round(safe)} per cent of the population reported feeling safe in their community.", "informed"),
        ("num", f"{_WORDS_EN[prisons].capitalize()} prisons were operational under national administration.",
         "informed"),
        ("num", f"The Force conducted {patrols:,} patrols in the areas most affected.", "informed"),
        ("num", "Women's participation in local peace committees remained a concern.", "could_be_informed"),
        ("num", "I thank the staff of the mission for their dedication and commitment.", "no_data_topic"),
        ("foot", "¹ Figures reported by 12 missions are provisional.", ""),
    ]


def _fr_number(value: float) -> str:
    if value % 1:
        return f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")
    return f"{int(value):,}".replace(",", " ")


def _fr(v: dict) -> list[tuple[str, str | None, str]]:
    deaths, before = int(v[("SEC-01", CYCLE)]), int(v[("SEC-01", PREVIOUS)])
    incidents = int(v[("SEC-02", CYCLE)])
    safe = v[("SEC-03", CYCLE)]
    prisons = int(v[("SA-03", CYCLE)])
    patrols = int(v[("SEC-04", CYCLE)])
    return [
        ("heading", "Rapport du Secrétaire général sur la Mission de démonstration des Nations Unies", ""),
        ("para", "Le présent rapport couvre la période du 1er janvier au 31 mars 2024.", "no_data_topic"),
        ("heading", "I. Situation sécuritaire", ""),
        ("num", f"Au cours de la période considérée, le nombre de décès de civils liés au conflit a diminué pour "
                f"s'établir à {deaths}, contre {before} au trimestre précédent.", "informed"),
        ("num", f"Les incidents sécuritaires attribués aux groupes armés ont atteint {incidents * 2 + 17} au cours de "
                "la période considérée.", "contradicts"),
        ("num", f"Environ {_fr_number(safe)} % de la population se sentent en sécurité dans leur communauté.",
         "informed"),
        ("num", f"{_WORDS_FR[prisons].capitalize()} établissements pénitentiaires étaient opérationnels sous "
                "administration nationale.", "informed"),
        ("num", f"Les patrouilles de la Force effectuées ont atteint {_fr_number(patrols)} dans les zones les plus "
                "touchées.", "informed"),
        ("num", "La présence des femmes au sein des comités locaux de paix demeure préoccupante.",
         "could_be_informed"),
        ("num", "Je remercie le personnel de la mission de son dévouement.", "no_data_topic"),
        ("foot", "¹ Chiffres provisoires communiqués par 12 missions.", ""),
    ]


def _as_text(report: list[tuple[str, str | None, str]]) -> str:
    out, n = [], 0
    for kind, text, _ in report:
        if kind == "num":
            n += 1
            out.append(f"{n}. {text}")
        else:
            out.append(text)
    return "\n\n".join(out) + "\n"


def _expected(report) -> list[str]:
    return [cls for kind, _, cls in report if kind in ("num", "para")]


def _check_classes(check, report) -> None:
    assert [p.result.cls for p in check.paragraphs] == _expected(report)
    numbered = [p.block.number for p in check.paragraphs if p.block.is_operative]
    assert numbered == list(range(1, 1 + sum(k == "num" for k, _, _ in report)))


def test_english_text_report_classes_and_shares(store, values, tmp_path):
    report = _en(values)
    path = tmp_path / "report.txt"
    path.write_text(_as_text(report), encoding="utf-8")
    check = check_report(store, path, MISSION, cycle=CYCLE)
    _check_classes(check, report)
    s = check.summary()
    # by hand: 8 paragraphs (7 numbered + the unnumbered introduction); informed: numbered 1, 3, 4, 5
    assert (s["paragraphs"], s["operative"], s["informed"], s["could_be_informed"], s["contradicts"]) == (8, 7, 4, 1, 1)
    assert s["share_informed"] == round(4 / 8, 4) and s["share_informed_operative"] == round(4 / 7, 4)
    assert set(s) == {"paragraphs", "operative", "informed", "could_be_informed", "contradicts", "share_informed",
                      "share_informed_operative", "findings"}
    wrong = [f for f in s["findings"] if f["class"] == "contradicts"]
    assert len(wrong) == 1
    assert wrong[0]["paragraph"] == 2 and wrong[0]["indicator_code"] == "SEC-02" and wrong[0]["period"] == CYCLE
    assert wrong[0]["stored_value"] == values[("SEC-02", CYCLE)]
    assert wrong[0]["figure"] == str(int(values[("SEC-02", CYCLE)]) * 2 + 17)
    informed = {(f["paragraph"], f["indicator_code"], f["period"]) for f in s["findings"] if f["class"] == "informed"}
    assert informed == {(1, "SEC-01", CYCLE), (1, "SEC-01", PREVIOUS), (3, "SEC-03", CYCLE), (4, "SA-03", CYCLE),
                        (5, "SEC-04", CYCLE)}
    assert all(f["source"].startswith("synthetic") for f in s["findings"] if f["class"] != "could_be_informed"
               or f["kind"] == "indicator")
    assert check.is_synthetic
    json.dumps(s)  # the --json interface is plain JSON


def test_french_report_same_classes(store, values, tmp_path):
    report = _fr(values)
    path = tmp_path / "rapport.md"
    path.write_text(_as_text(report).replace("I. Situation", "## I. Situation"), encoding="utf-8")
    check = check_report(store, path, MISSION)  # language and period read from the report
    assert check.language == "fr" and str(check.cycle) == CYCLE
    _check_classes(check, report)
    wrong = [f for f in check.findings() if f["class"] == "contradicts"]
    assert [(f["indicator_code"], f["stored_value"]) for f in wrong] == [("SEC-02", values[("SEC-02", CYCLE)])]


def test_word_report_with_automatic_numbering(store, values, tmp_path):
    report = _en(values)
    blocks = [("heading", text) if kind == "heading" else ("para", text) for kind, text, _ in report
              if kind in ("heading", "num")]
    notes = [text for kind, text, _ in report if kind == "foot"]
    path = write_docx(tmp_path / "report.docx", blocks, auto_number=True, footnotes=notes)
    check = check_report(store, path, MISSION, cycle=CYCLE)
    assert [p.result.cls for p in check.paragraphs] == [c for k, _, c in report if k == "num"]
    assert check.summary()["operative"] == 7
    assert [b.text for b in check.blocks if b.kind == "footnote"] == notes  # read from Word's footnotes, not counted


def test_pdf_report_same_classes(store, values, tmp_path):
    report = _en(values)
    lines = []
    n = 0
    for kind, text, _ in report:
        if kind == "num":
            n += 1
            text = f"{n}. {text}"
        lines.append(text)
    path = write_text_pdf(tmp_path / "report.pdf", lines, width=70, per_page=12)
    check = check_report(store, path, MISSION, cycle=CYCLE)
    numbered = [p for p in check.paragraphs if p.block.is_operative]
    assert [p.result.cls for p in numbered] == [c for k, _, c in report if k == "num"]


def test_tolerance_and_rounding(store, values, tmp_path):
    deaths = values[("SEC-01", CYCLE)]
    path = tmp_path / "r.txt"
    path.write_text(f"1. During the reporting period, conflict-related civilian deaths reached {int(deaths) + 3}.\n"
                    f"\n2. During the reporting period, more than {int(deaths) - 10} conflict-related civilian deaths "
                    "were recorded.\n", encoding="utf-8")
    strict = check_report(store, path, MISSION, cycle=CYCLE)
    assert [p.result.cls for p in strict.paragraphs] == ["contradicts", "informed"]
    loose = check_report(store, path, MISSION, cycle=CYCLE, tolerance=0.1)
    assert [p.result.cls for p in loose.paragraphs] == ["informed", "informed"]


def test_record_check_keeps_one_row_per_file(store, values, tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(_as_text(_en(values)), encoding="utf-8")
    check = check_report(store, path, MISSION, cycle=CYCLE)
    first = record_check(store, check, actor="pytest")
    again = record_check(store, check_report(store, path, MISSION, cycle=CYCLE), actor="pytest")
    trend = CouncilStore(store).report_checks([MISSION])
    assert first == again and len(trend) == 1
    row = trend.iloc[0]
    assert (row["informed"], row["paragraphs"], row["share_informed"]) == (4, 8, 0.5)
    assert row["title"] == "Report of the Secretary-General on the United Nations Demonstration Mission"
    assert row["cycle"] == CYCLE and bool(row["is_synthetic"])


def test_unreadable_reports_change_nothing(store, tmp_path):
    before = store.table_counts()
    with pytest.raises(ReportReadError, match="no text layer"):
        check_report(store, write_scanned_pdf(tmp_path / "scan.pdf"), MISSION)
    (tmp_path / "r.rtf").write_text("{\\rtf1 1. text}")
    with pytest.raises(ReportReadError, match="docx, .pdf, .txt or .md"):
        check_report(store, tmp_path / "r.rtf", MISSION)
    with pytest.raises(ReportCheckError, match="tolerance"):
        (tmp_path / "ok.txt").write_text("1. Some text.\n")
        check_report(store, tmp_path / "ok.txt", MISSION, tolerance=5)
    assert store.table_counts() == before


@pytest.mark.browser
def test_pdf_printed_by_chromium(store, values, tmp_path):
    """A report laid out like a UN document (justified A4 columns, headings, a footnote) printed to PDF by Chromium."""
    from html import escape

    from cpas_kit.packs.pdf import html_to_pdf

    report = _fr(values)
    body, n = [], 0
    for kind, text, _ in report:
        if kind == "num":
            n += 1
            body.append(f"<p class='num'>{n}.&emsp;{escape(text)}</p>")
        elif kind == "heading":
            body.append(f"<h2>{escape(text)}</h2>")
        elif kind == "foot":
            body.append(f"<p class='foot'>{escape(text)}</p>")
        else:
            body.append(f"<p>{escape(text)}</p>")
    html = tmp_path / "rapport.html"
    html.write_text("<!DOCTYPE html><html lang='fr'><meta charset='utf-8'><style>@page{size:A4;margin:2.5cm}"
                    "body{font:11pt 'Times New Roman',serif;width:15cm;text-align:justify}.foot{font-size:9pt}"
                    "</style><body>" + "".join(body) + "</body></html>", encoding="utf-8")
    pdf = html_to_pdf(html, tmp_path / "rapport.pdf")
    check = check_report(store, pdf, MISSION)
    assert check.language == "fr" and str(check.cycle) == CYCLE
    numbered = [p for p in check.paragraphs if p.block.is_operative]
    assert [p.result.cls for p in numbered] == [c for k, _, c in report if k == "num"]
