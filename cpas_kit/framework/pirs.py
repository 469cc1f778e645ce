"""Performance Indicator Reference Sheets (PIRS, after USAID ADS 201): one sheet per indicator, Word or Excel.

A sheet gathers what the framework says of an indicator — definition, unit, disaggregations, rationale, data
source, collection method, frequency, responsible section and person, baseline and targets with their
rationale, data-quality limitations — and its "changes to the indicator": every field that changed from one
framework version to the next (which version, in force from when, from what to what). Everything is in English
or entirely in French (labels from :mod:`cpas_kit.core.i18n`; French texts fall back to English where a
framework gives none). Files are written atomically.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cpas_kit.core.errors import CpasError, NotFoundError
from cpas_kit.core.i18n import t
from cpas_kit.framework.model import PIRS_TEXT_FIELDS, Framework, Indicator, Outcome, framework_from_document

# fields whose change between framework versions is listed (label key, how to read it from an indicator)
_TRACKED: tuple[tuple[str, str], ...] = (
    ("name", "pirs_indicator"), ("definition", "pirs_definition"), ("unit", "pirs_unit"),
    ("direction", "pirs_direction"), ("disaggregations", "pirs_disaggregation"), ("data_source", "pirs_data_source"),
    ("responsible_section", "pirs_responsible"), ("baseline", "pirs_baseline"), ("targets", "pirs_targets"),
    *((f"pirs.{f}", f"pirs_{f}") for f in PIRS_TEXT_FIELDS),
    ("pirs.frequency", "pirs_frequency"), ("pirs.responsible_person", "pirs_responsible"),
)


@dataclass
class Sheet:
    """One indicator's reference sheet: its title and (label, text) rows, ready to render."""

    code: str
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)


def _num(v: float | None) -> str:
    return "" if v is None else f"{v:g}"


def _raw(ind: Indicator, path: str, language: str = "en") -> Any:
    if path.startswith("pirs."):
        name = path.split(".", 1)[1]
        if ind.pirs is None or getattr(ind.pirs, name) is None:
            return None
        if name == "frequency":
            return t(f"freq_{ind.pirs.frequency}", language)
        return ind.pirs.text(name, language) if name in PIRS_TEXT_FIELDS else getattr(ind.pirs, name)
    if path == "direction":
        return t(ind.direction, language)
    if path == "definition" and language == "fr":
        return ind.definition_fr or ind.definition
    if path == "baseline":
        b = ind.baseline
        return f"{_num(b.value) or b.text or ''} ({b.period})"
    if path == "targets":
        return "; ".join(f"{_num(x.value) or x.text or ''} ({x.period})" for x in ind.targets) or None
    if path == "disaggregations":
        return ", ".join(ind.disaggregations) or None
    return getattr(ind, path)


def changes(versions: list[tuple[dict[str, Any], Framework]], code: str, language: str = "en") -> list[str]:
    """Each framework version's changes to indicator ``code`` (``versions``: (metadata, framework), oldest first)."""
    out: list[str] = []
    before: Indicator | None = None
    for meta, fw in versions:
        try:
            ind = fw.indicator(code)
        except KeyError:
            before = None
            continue
        where = {"version": meta["version"], "period": meta["effective_from"]}
        if before is None:
            out.append(t("pirs_added", language).format(**where))
        else:
            for path, key in _TRACKED:
                old, new = _raw(before, path, language), _raw(ind, path, language)
                if old != new:
                    out.append(t("pirs_changed", language).format(
                        **where, field=t(key, language), old=_short(old, language), new=_short(new, language)))
        before = ind
    return out


def _short(v: Any, language: str, limit: int = 120) -> str:
    text = t("pirs_not_given", language) if v in (None, "") else str(v)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sheet(fw: Framework, outcome: Outcome, ind: Indicator, history: list[str], language: str = "en") -> Sheet:
    """The reference sheet of one indicator."""
    lang = language
    p = ind.pirs
    none = t("pirs_not_given", lang)

    def text(f: str) -> str:
        return (p.text(f, lang) if p else None) or none

    section = fw.section(ind.responsible_section).label(lang)
    person = p.responsible_person if p and p.responsible_person else None
    dims = ", ".join(fw.dimension(d).label(lang) for d in ind.disaggregations) or t("pirs_none", lang)
    definition = (ind.definition_fr or ind.definition) if lang == "fr" else ind.definition
    b = ind.baseline
    baseline = f"{_num(b.value) or b.text or none} ({b.period})"
    targets = "; ".join(f"{_num(x.value) or x.text or none} ({x.period})" for x in ind.targets) or none
    freq = t(f"freq_{p.frequency}", lang) if p and p.frequency else none
    rows = [
        (t("pirs_outcome", lang), f"{outcome.code} — {outcome.label(lang)}"),
        (t("pirs_level", lang), t(ind.level, lang)),
        (t("pirs_definition", lang), definition or none),
        (t("pirs_unit", lang), ind.unit),
        (t("pirs_direction", lang), t(ind.direction, lang)),
        (t("pirs_disaggregation", lang), dims),
        (t("pirs_rationale", lang), text("rationale")),
        (t("pirs_data_source", lang), ind.data_source),
        (t("pirs_collection_method", lang), text("collection_method")),
        (t("pirs_frequency", lang), freq),
        (t("pirs_responsible", lang), f"{section} — {person}" if person else section),
        (t("pirs_baseline", lang), baseline),
        (t("pirs_baseline_rationale", lang), text("baseline_rationale")),
        (t("pirs_targets", lang), targets),
        (t("pirs_target_rationale", lang), text("target_rationale")),
        (t("pirs_data_quality_limitations", lang), text("data_quality_limitations")),
    ]
    return Sheet(ind.code, f"{ind.code} — {ind.label(lang)}", rows, history or [t("pirs_no_changes", lang)])


def build_sheets(versions: list[tuple[dict[str, Any], Framework]], *, indicator: str | None = None,
                 language: str = "en", fw: Framework | None = None) -> list[Sheet]:
    """The sheets of ``fw``'s indicators (default: the last version's), or one, each with its history of changes."""
    fw = fw or versions[-1][1]
    found = [(o, i) for _, o, i in fw.indicators() if indicator is None or i.code == indicator]
    if not found:
        codes = ", ".join(i.code for _, _, i in fw.indicators())
        raise NotFoundError(f"indicator '{indicator}' is not in the {fw.mission.code} results framework; use one of "
                            f"{codes}")
    return [sheet(fw, o, i, changes(versions, i.code, language), language) for o, i in found]


def _atomic(path: Path, save: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        save(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_docx(fw: Framework, sheets: list[Sheet], path: Path, meta: dict[str, Any], language: str) -> Path:
    """One Word document, one sheet (page) per indicator."""
    from docx import Document  # python-docx is loaded only when a Word file is written (start-up time)
    from docx.shared import Pt

    doc = Document()
    doc.core_properties.title = f"{fw.mission.code} — {t('pirs_title', language)}"
    doc.core_properties.language = language
    for n, s in enumerate(sheets):
        if n:
            doc.add_page_break()
        doc.add_heading(t("pirs_title", language), level=2)
        doc.add_heading(s.title, level=1)
        doc.add_paragraph(f"{fw.mission.label(language)} · " + t("pirs_framework_version", language).format(
            version=meta["version"], period=meta["effective_from"]))
        if fw.mission.is_fictional:
            doc.add_paragraph(t("pirs_synthetic", language)).runs[0].bold = True
        table = doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in s.rows:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, value
            cells[0].paragraphs[0].runs[0].bold = True
        doc.add_heading(t("pirs_changes", language), level=3)
        for line in s.changes:
            doc.add_paragraph(line, style="List Bullet").runs[0].font.size = Pt(9)
    return _atomic(path, doc.save)


def write_xlsx(fw: Framework, sheets: list[Sheet], path: Path, meta: dict[str, Any], language: str) -> Path:
    """One workbook, one worksheet per indicator (named by its code)."""
    from openpyxl import Workbook  # loaded only when a workbook is written (start-up time)
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for s in sheets:
        name = s.code[:31]
        k = 2
        while name in used:
            name, k = f"{s.code[:28]}~{k}", k + 1
        used.add(name)
        ws = wb.create_sheet(name)
        ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 30, 100
        ws["A1"], ws["A2"] = t("pirs_title", language), s.title
        ws["A1"].font, ws["A2"].font = Font(bold=True), Font(bold=True, size=13)
        ws["A3"] = f"{fw.mission.label(language)} · " + t("pirs_framework_version", language).format(
            version=meta["version"], period=meta["effective_from"])
        r = 4
        if fw.mission.is_fictional:
            ws.cell(row=r, column=1, value=t("pirs_synthetic", language)).font = Font(bold=True, color="9C0006")
            r += 1
        for label, value in [*s.rows, (t("pirs_changes", language), "\n".join(s.changes))]:
            r += 1
            ws.cell(row=r, column=1, value=label).font = Font(bold=True)
            cell = ws.cell(row=r, column=2, value=value)
            cell.data_type = "s"  # text typed in a framework never runs as a formula
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return _atomic(path, wb.save)


def framework_history(store: Any, mission: str) -> list[tuple[dict[str, Any], Framework]]:
    """Every framework version of a mission with its metadata, in the order they were saved."""
    rows = store.framework_version_rows(mission)
    if not rows:
        store.framework_version_for(mission)  # raises the store's clear error for an unknown mission
    return [(r, framework_from_document(json.loads(r["content"]))) for r in rows]


def write_pirs(store: Any, mission: str, path: "str | Path", *, fmt: str | None = None, indicator: str | None = None,
               language: str = "en") -> Path:
    """Write the mission's reference sheets (the latest framework version; the history from every version)."""
    path = Path(path)
    fmt = fmt or path.suffix.lower().lstrip(".")
    if fmt not in ("docx", "xlsx"):
        raise CpasError(f"'{fmt}' is not a reference-sheet format; use docx or xlsx")
    if language not in ("en", "fr"):
        raise CpasError(f"language '{language}' is not supported; use en or fr")
    versions = framework_history(store, mission)
    latest = store.framework_version_for(mission)  # the version in force now
    fw = framework_from_document(json.loads(latest["content"]))
    sheets = build_sheets(versions, indicator=indicator, language=language, fw=fw)
    writer = write_docx if fmt == "docx" else write_xlsx
    return writer(fw, sheets, path, latest, language)
