"""Exporting the recommendations tracker to Excel (the CPAS layout) and to Word.

Both carry the reporting date (what "overdue" is judged against), the date the file was generated and the
reporting period in a header, group recommendations by
impact area, and mark overdue ones. Text that starts with ``=``, ``+``, ``-`` or ``@`` is written with a
leading apostrophe and as a text cell, so no spreadsheet formula ever runs from tracker text.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cpas_kit.core.i18n import LABELS, t
from cpas_kit.core.word import a4_pages
from cpas_kit.core.xlsx import cell_text, save_workbook
from cpas_kit.framework.model import Framework
from cpas_kit.tracker.files import COLUMNS, neutralise, tracker_frame
from cpas_kit.tracker.store import TrackerStore
from cpas_kit.tracker.views import history_headers, history_rows
from cpas_kit.tracker.words import in_language

_FIELDS = [f for f in COLUMNS.values() if f != "priority_code"]
_WIDTHS = {"text": 60, "actions": 40, "comments": 40}
_OVERDUE_FILL = PatternFill("solid", fgColor="FCE4D6")


def _impact_areas(fw: Framework, language: str) -> dict[str, str]:
    return {p.code: f"{i}. {p.label(language)}" for i, p in enumerate(fw.priorities, start=1)}


_NAMES = ("lead_section", "supporting_sections", "endorsed_by")  # sections and bodies, named in the reader's language


def _display(field: str, value: Any, language: str, fw: Framework | None = None) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if field in ("decision", "progress"):
        return t(value, language)
    if field in _NAMES and fw is not None:
        return in_language(value, fw, language)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _load(store: Any, mission: str, on: date | None) -> tuple[Framework, pd.DataFrame, date]:
    """The mission's framework, its tracker with ``overdue`` for the reporting date, and that date."""
    day = on or date.today()
    return store.framework(mission), tracker_frame(store, mission, on=day), day


def export_xlsx(store: Any, mission: str, path: "str | Path", *, cycle: str | None = None, language: str = "en",
                on: date | None = None) -> Path:
    """The tracker as an .xlsx in the CPAS column layout, with the generated date and reporting period on top."""
    fw, recs, day = _load(store, mission, on)
    wb = Workbook()
    ws = wb.active
    ws.title = "Tracker"
    ws["A1"] = f"{fw.mission.label(language)} — {t('tracker', language)}"
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = _dates_line(day, language)
    ws["A3"] = f"{t('reporting_period', language)}{': ' if language == 'en' else chr(0xa0) + ': '}" \
        f"{cycle or t('all_cycles', language)}"
    header = ["Impact Area", *[c for c, f in COLUMNS.items() if f != "priority_code"], "ID", "Overdue"]
    labels = [t("impact_area", language), *[t(_LABEL_KEYS[f], language) for f in _FIELDS], "ID",
              t("overdue", language)]
    ws.append([])
    ws.append(labels if language != "en" else header)
    for c in ws[5]:
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="top")
    areas = _impact_areas(fw, language)
    for rec in recs.to_dict("records"):
        values = [areas.get(rec["priority_code"] or "", rec["priority_code"] or ""),
                  *[_display(f, rec[f], language, fw) for f in _FIELDS], int(rec["id"]),
                  t("yes", language) if rec["overdue"] else ""]
        ws.append([neutralise(cell_text(v)) for v in values])
        row = ws.max_row
        for c in ws[row]:
            if isinstance(c.value, str):
                c.data_type = "s"
            c.alignment = Alignment(wrap_text=True, vertical="top")
            if rec["overdue"]:
                c.fill = _OVERDUE_FILL
    for j, name in enumerate(["priority_code", *_FIELDS, "id", "overdue"], start=1):
        ws.column_dimensions[get_column_letter(j)].width = _WIDTHS.get(name, 18)
    ws.freeze_panes = "C6"
    _history_sheet(wb, TrackerStore(store).recommendation_events(mission), language, fw)
    return save_workbook(wb, path)


def action_label(action: Any, language: str) -> Any:
    """A history action in words (``create`` → "created" / "créée"); an action without a label as recorded."""
    key = f"trk_action_{action}"
    return t(key, language) if key in LABELS else action


def _dates_line(day: date, language: str) -> str:
    """The reporting date (what 'overdue' is judged against) and the date the file was made, each named."""
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    colon = ": " if language == "en" else "\u00a0: "
    return f"{t('reporting_date', language)}{colon}{day.isoformat()} · {t('generation_date', language)}{colon}{made}"


def _history_sheet(wb: Workbook, events: pd.DataFrame, language: str, fw: Framework | None = None) -> None:
    """Every change of every recommendation (the tracker's memory), oldest first, in words: the field, its old
    and its new value (a recommendation's creation is one row per field it was created with)."""
    ws = wb.create_sheet("History")
    headers = history_headers(language)
    ws.append(list(headers.values()))
    for c in ws[1]:
        c.font = Font(bold=True)
    for ev in history_rows(events, language):
        if fw is not None and language != "en":  # section and body names, as in the Tracker sheet
            ev = {**ev, "old": in_language(ev["old"], fw, language), "new": in_language(ev["new"], fw, language)}
        ws.append([int(ev["id"]), *(neutralise(ev[k]) for k in list(headers)[1:])])
        for c in ws[ws.max_row]:
            if isinstance(c.value, str):
                c.data_type = "s"
    for j, width in enumerate([6, 17, 24, 10, 18, 24, 60, 50], start=1):
        ws.column_dimensions[get_column_letter(j)].width = width


def export_docx(store: Any, mission: str, path: "str | Path", *, cycle: str | None = None, language: str = "en",
                on: date | None = None) -> Path:
    """The tracker as a Word document: one table per impact area, overdue recommendations marked."""
    from docx import Document
    from docx.shared import Pt

    fw, recs, day = _load(store, mission, on)
    doc = Document()
    a4_pages(doc, f"{fw.mission.label(language)} ({mission}) · {t('tracker', language)}", language, landscape=True)
    doc.styles["Normal"].font.size = Pt(9)
    doc.add_heading(f"{fw.mission.label(language)} — {t('tracker', language)}", level=1)
    doc.add_paragraph(f"{_dates_line(day, language)} · {t('reporting_period', language)}: "
                      f"{cycle or t('all_cycles', language)}")
    fields = ["id", "text", "cycle_recommended", "lead_section", "decision", "target_date", "progress", "comments"]
    heads = ["ID", t("recommendation", language), t("date_recommended", language), t("lead_section", language),
             t("decision", language), t("target_date", language), t("progress", language), t("comments", language)]
    areas = _impact_areas(fw, language)
    if not len(recs):
        doc.add_paragraph(t("tracker_empty", language))
    for code, rows in recs.groupby(recs["priority_code"].fillna(""), sort=False):
        doc.add_heading(areas.get(code, code or "—"), level=2)
        table = doc.add_table(rows=1, cols=len(fields))
        table.style = "Table Grid"
        for cell, head in zip(table.rows[0].cells, heads):
            cell.text = head
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for rec in rows.to_dict("records"):
            cells = table.add_row().cells
            for cell, f in zip(cells, fields):
                cell.text = str(_display(f, rec[f], language))
            if rec["overdue"]:
                cells[6].text += f" ({t('overdue', language)})"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    return path


_LABEL_KEYS = {"text": "recommendation", "cycle_recommended": "date_recommended", "actions": "actions",
               "lead_section": "lead_section", "supporting_sections": "supporting_section",
               "endorsed_by": "endorsed_by", "decision": "decision", "target_date": "target_date",
               "progress": "progress", "comments": "comments"}
