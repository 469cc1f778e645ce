"""The files of a report check: ``report_check.html`` (offline, one page) and ``report_check.xlsx``, written atomically.

Numbers are written for a reader in the report's language (``1 234,5`` in French), missing values as a dash; the
page has no script and loads nothing from the web.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from cpas_kit.core.i18n import t
from cpas_kit.core.templates import template
from cpas_kit.council.check import ReportCheck
from cpas_kit.council.figures import Figure
from cpas_kit.council.matching import Match

_LOCALE = {"en": "en_GB", "fr": "fr_FR"}
_FILL = {"informed": "E8F5E9", "contradicts": "FFEBEE", "could_be_informed": "FFF8E1", "no_data_topic": "F5F5F5"}


def fmt_value(value: float | None, language: str) -> str:
    """A stored value for a reader: grouped thousands, at most two decimals, a dash when missing."""
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0.##", locale=_LOCALE[language])


def fmt_share(value: float | None, language: str) -> str:
    """A share as a percentage (``45.5%`` / ``45,5 %``), a dash when there is none."""
    if value is None:
        return "—"
    # the locale's own pattern (a no-break space before % in French), one decimal at most
    return format_percent(round(value, 3), locale=_LOCALE[language], decimal_quantization=False)


def fmt_date(value: Any, language: str) -> str:
    """A date for a reader (``2 November 2021`` / ``2 novembre 2021``), a dash when unknown."""
    return "—" if value is None else format_date(value, format="long", locale=_LOCALE[language])


def class_label(cls: str, language: str) -> str:
    """The class of a paragraph in words."""
    return t(f"rc_{cls}", language)


def _status(status: str, is_synthetic: bool, language: str) -> str:
    label = {"verified": t("verified", language), "entered": t("entered", language),
             "imported": t("rc_status_imported", language), "recorded": t("rc_status_recorded", language)}
    text = label.get(status, status)
    return f"{text} · {t('synthetic', language)}" if is_synthetic else text


def _row(m: Match, language: str) -> dict[str, Any]:
    kind = t("rc_kind_" + m.series.kind, language)
    what = m.series.name if m.series.kind == "indicator" else f"{m.series.name} ({kind})"
    return {"figure": m.figure.text if m.figure else "—", "what": f"{m.series.code} · {what}" if m.series.kind ==
            "indicator" else what, "period": m.value.period or t("rc_no_period", language),
            "cell": m.value.cell or "", "stored": fmt_value(m.value.value, language), "source": m.value.source or "—",
            "status": _status(m.value.status, m.value.is_synthetic, language)}


def _segments(text: str, figures: list[Figure], matches: list[Match], language: str) -> list[dict[str, Any]]:
    """The paragraph's text cut around its figures; a matched figure says what it matched."""
    by_start = {m.figure.start: m for m in matches if m.figure is not None}
    out, pos = [], 0
    for f in figures:
        if f.start < pos:
            continue
        out.append({"text": text[pos:f.start], "cls": None})
        m = by_start.get(f.start)
        title = "" if m is None else (f"{m.series.code} · {m.value.period} · {fmt_value(m.value.value, language)} · "
                                      f"{m.value.source}")
        out.append({"text": text[f.start:f.end], "cls": m.cls if m else "figure", "title": title})
        pos = f.end
    out.append({"text": text[pos:], "cls": None})
    return out


def render_html(check: ReportCheck) -> str:
    """The check as one offline HTML page."""
    lang = check.language
    s = check.summary()
    paragraphs, contradictions = [], []
    for pc in check.paragraphs:
        rows = [_row(m, lang) for m in pc.result.matches]
        label = pc.block.label
        paragraphs.append({"index": pc.block.index, "number": pc.block.number, "cls": pc.result.cls,
                           "cls_label": class_label(pc.result.cls, lang), "rows": rows,
                           "segments": _segments(pc.block.text, pc.result.figures, pc.result.matches, lang)})
        contradictions += [{**_row(m, lang), "paragraph": label, "index": pc.block.index}
                           for m in pc.result.matches if m.cls == "contradicts"]
    return template("council/report_check.html.j2").render(
        t=lambda k: t(k, lang), lang=lang, check=check, s=s, paragraphs=paragraphs, contradictions=contradictions,
        share=fmt_share(s["share_informed"], lang), share_operative=fmt_share(s["share_informed_operative"], lang)
        if s["share_informed_operative"] is not None else None, colon=" : " if lang == "fr" else ": ",
        report_date=fmt_date(check.report_date, lang), cycle=str(check.cycle) if check.cycle else "—",
        tolerance=fmt_share(check.tolerance, lang),
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))


def build_workbook(check: ReportCheck) -> Workbook:
    """Summary, paragraphs and findings as three sheets."""
    lang = check.language
    s = check.summary()
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary" if lang == "en" else "Synthèse"
    meta = [(t("rc_report", lang), check.title), (t("rc_file", lang), check.file_name),
            (t("rc_date", lang), fmt_date(check.report_date, lang)),
            (t("rc_checked_against", lang), f"{check.mission} — {check.mission_name}"),
            (t("rc_cycle", lang), str(check.cycle) if check.cycle else "—"),
            (t("rc_paragraphs", lang), s["paragraphs"]), (t("rc_operative", lang), s["operative"]),
            (t("rc_informed", lang), s["informed"]), (t("rc_could_be_informed", lang), s["could_be_informed"]),
            (t("rc_contradicts", lang), s["contradicts"]),
            (t("rc_share", lang), s["share_informed"]),
            (f"{t('rc_share', lang)} ({t('rc_share_operative', lang)})", s["share_informed_operative"])]
    if check.is_synthetic:
        meta.insert(0, (t("synthetic", lang).upper(), t("rc_synthetic", lang)))
    for key, value in meta:
        ws.append([key, value if value is not None else "—"])
        if isinstance(value, float) and key.startswith(t("rc_share", lang)):
            ws.cell(ws.max_row, 2).number_format = "0.0%"
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 48, 90
    _paragraph_sheet(wb, check)
    _findings_sheet(wb, check)
    return wb


def _paragraph_sheet(wb: Workbook, check: ReportCheck) -> None:
    lang = check.language
    ws = wb.create_sheet(t("rc_paragraphs", lang))
    ws.append([t("rc_paragraph", lang), t("rc_operative", lang), t("rc_class", lang), t("rc_text", lang)])
    for pc in check.paragraphs:
        ws.append([pc.block.number if pc.block.number is not None else pc.block.label,
                   "✓" if pc.block.is_operative else "", class_label(pc.result.cls, lang), pc.block.text])
        ws.cell(ws.max_row, 3).fill = PatternFill("solid", fgColor=_FILL[pc.result.cls])
        ws.cell(ws.max_row, 4).alignment = Alignment(wrap_text=True, vertical="top")
    _style(ws, [10, 12, 24, 120])


def _findings_sheet(wb: Workbook, check: ReportCheck) -> None:
    lang = check.language
    ws = wb.create_sheet(t("rc_findings", lang))
    ws.append([t("rc_paragraph", lang), t("rc_class", lang), t("rc_figure", lang), t("rc_text", lang),
               t("indicator", lang), t("rc_matched", lang), t("period", lang), t("rc_cell", lang),
               t("rc_stored", lang), t("source", lang), t("verification", lang)])
    for f in check.findings():
        ws.append([f["paragraph"], class_label(f["class"], lang), f["figure"] or "—", f["text"], f["indicator_code"],
                   f["indicator_name"], f["period"] or t("rc_no_period", lang), f["cell"] or t("rc_total", lang),
                   f["stored_value"], f["source"], _status(f["verification_status"], f["is_synthetic"], lang)])
        ws.cell(ws.max_row, 2).fill = PatternFill("solid", fgColor=_FILL[f["class"]])
    _style(ws, [10, 22, 14, 80, 12, 40, 12, 22, 12, 36, 22])


def _style(ws, widths: list[int]) -> None:
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = w
    ws.freeze_panes = "A2"


def _atomic(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes the file private; outputs are shared like any other file
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_check(check: ReportCheck, out_dir: str | Path) -> list[Path]:
    """Write ``report_check.html`` and ``report_check.xlsx`` into ``out_dir`` (created); return their paths."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    html, xlsx = folder / "report_check.html", folder / "report_check.xlsx"
    page = render_html(check)
    _atomic(html, lambda tmp: Path(tmp).write_text(page, encoding="utf-8"))
    wb = build_workbook(check)
    _atomic(xlsx, wb.save)
    return [html, xlsx]
