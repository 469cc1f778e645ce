"""Excel data-entry workbooks generated from a mission's results framework, one sheet per responsible section.

A section's focal point fills in only their own sheet: one row per indicator × disaggregation cell for the
cycle, with the indicator's name, unit, direction, baseline, target and last value shown read-only (the
sheet is protected; only the input columns are unlocked), the cycle's current value pre-filled when the
store already has one, drop-down lists and typed validation on the input cells, and a notes column.
``cpas import observations`` reads the workbook back through the hidden row of field names under the
visible header, so the labels can be English or French and columns can be read in any language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from cpas_kit.core.i18n import t
from cpas_kit.core.periods import Period
from cpas_kit.core.xlsx import save_workbook, text_cell
from cpas_kit.data_in.schemas import cell_key, parse_cell
from cpas_kit.data_in.store import ObservationStore
from cpas_kit.framework.model import Framework, Indicator

META_SHEET = "_cpas"
TEMPLATE_KIND = "cpas-data-entry"
HEADER_ROW = 4  # visible, translated header
FIELDS_ROW = 5  # hidden row of field names: what the importer reads
FIRST_DATA_ROW = 6


@dataclass(frozen=True)
class Column:
    """One column of a section sheet."""

    field: str  # the field name in the hidden row (what the importer reads)
    label_key: str  # i18n key of the visible header
    width: int
    is_input: bool = False
    hidden: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("indicator_code", "de_indicator_code", 12),
    Column("indicator_name", "indicator", 48),
    Column("cell_label", "de_cell", 26),
    Column("unit", "unit", 12),
    Column("direction", "direction", 16),
    Column("baseline", "baseline", 14),
    Column("target", "target", 14),
    Column("last_value", "de_last_value", 14),
    Column("last_period", "de_last_period", 12),
    Column("value", "de_value", 14, is_input=True),
    Column("value_text", "de_value_text", 40, is_input=True),
    Column("source", "source", 28, is_input=True),
    Column("note", "de_note", 36, is_input=True),
    Column("verification_status", "verification", 14),
    Column("definition", "de_definition", 40),  # from the indicator reference sheet (issue 16)
    Column("collection_method", "de_collection_method", 40),
    Column("mission_code", "mission", 10, hidden=True),
    Column("period", "period", 10, hidden=True),
    Column("disaggregation", "de_cell_key", 24, hidden=True),
)
FIELD_NAMES = tuple(c.field for c in COLUMNS)
INPUT_FIELDS = ("value", "value_text", "source", "note")

_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_READONLY_FILL = PatternFill("solid", fgColor="EEF2F7")
_INPUT_FILL = PatternFill("solid", fgColor="FFFFFF")


def template_cells(fw: Framework, ind: Indicator) -> list[dict[str, str]]:
    """The cells a focal point reports for ``ind``: the total, then each category of each dimension."""
    cells: list[dict[str, str]] = [{}]
    if ind.kind == "qualitative":
        return cells
    for dim in ind.disaggregations:
        cells += [{dim: cat} for cat in fw.categories(dim)]
    return cells


def cell_label(fw: Framework, key: str, language: str = "en") -> str:
    """A readable label for a cell key: ``"admin1=CF-BGF;sex=female"`` → ``"Prefecture: Bangui · Sex: Female"``."""
    parts = parse_cell(key)
    if not parts:
        return t("de_total", language)
    return " · ".join(f"{fw.dimension(d).label(language)}: {category_label(fw, d, c, language)}"
                      for d, c in parts.items())


def category_label(fw: Framework, dimension: str, category: str, language: str = "en") -> str:
    """The display name of one category (admin-1 names come from the boundaries)."""
    dim = fw.dimension(dimension)
    if dim.from_geography and fw.mission.geography is not None:
        # imported here: GeoPandas is loaded only for missions that map (start-up time of every import)
        from cpas_kit.framework.geography import admin1_names

        return admin1_names(fw.mission.geography).get(category, category)
    names = dim.category_names_fr if language == "fr" and dim.category_names_fr else dim.category_names
    return names.get(category, category)


def _fmt(value: float | None, text: str | None) -> Any:
    if value is not None and not pd.isna(value):
        return float(value)
    return text or None


def _history(observations: pd.DataFrame,
             cycle: Period) -> tuple[dict[tuple[str, str], Any], dict[tuple[str, str], Any]]:
    """Per (indicator, cell): the latest value before ``cycle`` and the cycle's own current row."""
    last: dict[tuple[str, str], Any] = {}
    current: dict[tuple[str, str], Any] = {}
    if not len(observations):
        return last, current
    starts = {p: Period.parse(p) for p in observations["period"].unique()}
    obs = observations.assign(parsed=observations["period"].map(starts)).sort_values("period_start")
    for row in obs.itertuples(index=False):
        key = (row.indicator_code, row.disaggregation)
        if row.parsed == cycle:
            current[key] = row
        elif row.parsed < cycle:
            last[key] = row
    return last, current


def build_template(fw: Framework, cycle: str, observations: pd.DataFrame, *, language: str = "en",
                   is_synthetic: bool = False) -> Workbook:
    """The data-entry workbook for ``cycle`` (``observations``: the mission's rows from the store)."""
    cyc = Period.parse(cycle)
    last, current = _history(observations, cyc)
    wb = Workbook()
    wb.remove(wb.active)
    by_section: dict[str, list[Indicator]] = {}
    for _, _, ind in fw.indicators():
        by_section.setdefault(ind.responsible_section, []).append(ind)
    for section in fw.sections:
        indicators = by_section.get(section.code)
        if indicators:
            _section_sheet(wb, fw, section.code, section.label(language), indicators, cyc, last, current,
                           language, is_synthetic)
    _meta_sheet(wb, fw, cyc, language)
    return wb


def _section_sheet(wb: Workbook, fw: Framework, code: str, label: str, indicators: list[Indicator], cyc: Period,
                   last: dict, current: dict, language: str, is_synthetic: bool) -> None:
    ws = wb.create_sheet(title=code[:31])
    ws.sheet_properties.tabColor = "1F4E79"
    ws["A1"] = f"{fw.mission.label(language)} — {t('de_title', language)} — {cyc} — {label}"
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = t("de_instructions", language)
    ws["A2"].alignment = Alignment(wrap_text=False)
    if is_synthetic:
        ws["A3"] = t("de_synthetic", language)
        ws["A3"].font = Font(italic=True, color="9C0006")
    for j, col in enumerate(COLUMNS, start=1):
        head = ws.cell(row=HEADER_ROW, column=j, value=t(col.label_key, language))
        head.font = Font(bold=True, color="FFFFFF")
        head.fill = _HEADER_FILL
        head.alignment = Alignment(wrap_text=True, vertical="top")
        if col.is_input:
            head.comment = Comment(t("de_input_hint", language), "CPAS Workbench")
        ws.cell(row=FIELDS_ROW, column=j, value=col.field)
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = col.width
        ws.column_dimensions[letter].hidden = col.hidden
    ws.row_dimensions[FIELDS_ROW].hidden = True
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=4)

    col_of = {c.field: j for j, c in enumerate(COLUMNS, start=1)}
    section_sources = sorted({i.data_source for i in indicators})
    validations: dict[tuple, DataValidation] = {}
    r = FIRST_DATA_ROW
    for ind in indicators:
        target = ind.target_for(cyc)
        sources = [ind.data_source] + [s for s in section_sources if s != ind.data_source]
        for cell in template_cells(fw, ind):
            key = cell_key(cell)
            prev = last.get((ind.code, key))
            now = current.get((ind.code, key))
            values = {
                "indicator_code": ind.code, "indicator_name": ind.label(language),
                "cell_label": cell_label(fw, key, language), "unit": ind.unit,
                "direction": t(ind.direction, language),
                "baseline": _fmt(ind.baseline.value, ind.baseline.text),
                "target": None if target is None else _fmt(target.value, target.text),
                "last_value": None if prev is None else _fmt(prev.value, prev.value_text),
                "last_period": None if prev is None else prev.period,
                "value": None if now is None or pd.isna(now.value) else float(now.value),
                "value_text": None if now is None else now.value_text,
                "source": now.source if now is not None and now.source else None,
                "note": None if now is None else now.note,
                "verification_status": None if now is None else t(now.verification_status, language),
                "mission_code": fw.mission.code, "period": str(cyc), "disaggregation": key,
                "definition": (ind.definition_fr or ind.definition) if language == "fr" else ind.definition,
                "collection_method": ind.pirs.text("collection_method", language) if ind.pirs else None,
            }
            for field, v in values.items():
                c = text_cell(ws.cell(row=r, column=col_of[field]), v)  # never a formula, nor a NUL byte
                is_input = field in INPUT_FIELDS and not (field == "value" and ind.kind == "qualitative") \
                    and not (field == "value_text" and ind.kind == "quantitative")
                c.protection = Protection(locked=not is_input)
                c.fill = _INPUT_FILL if is_input else _READONLY_FILL
            _validate_row(ws, validations, r, col_of, ind, sources, language)
            r += 1
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(COLUMNS))}{max(r - 1, HEADER_ROW)}"
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False


def _validate_row(ws, validations: dict[tuple, DataValidation], r: int, col_of: dict[str, int], ind: Indicator,
                  sources: list[str], language: str) -> None:
    """Typed, range-checked value cell and a drop-down of sources (one validation object per distinct rule)."""
    if ind.kind == "quantitative":
        lo, hi = value_bounds(ind)
        lo_x, hi_x = (-1e15 if lo is None else lo), (1e15 if hi is None else hi)
        key = ("decimal", lo_x, hi_x)
        if key not in validations:
            validations[key] = DataValidation(
                type="decimal", operator="between", formula1=f"{lo_x:g}", formula2=f"{hi_x:g}", allow_blank=True,
                showErrorMessage=True, errorTitle=t("de_value", language),
                error=t("de_value_error", language).format(lo=_num(lo), hi=_num(hi)))
            ws.add_data_validation(validations[key])
        validations[key].add(f"{get_column_letter(col_of['value'])}{r}")
    options = ",".join(s.replace(",", " ").replace('"', "'") for s in sources)[:250]
    key = ("list", options)
    if key not in validations:
        validations[key] = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True,
                                          showErrorMessage=True, errorStyle="information",
                                          error=t("de_source_hint", language))
        ws.add_data_validation(validations[key])
    validations[key].add(f"{get_column_letter(col_of['source'])}{r}")


def value_bounds(ind: Indicator) -> tuple[float | None, float | None]:
    """The allowed range of an indicator's values: its min/max, and never below 0 for counts."""
    lo = ind.min_value if ind.min_value is not None else (0.0 if ind.additive else None)
    return lo, ind.max_value


def _num(x: float | None) -> str:
    return "—" if x is None else f"{x:g}"


def _meta_sheet(wb: Workbook, fw: Framework, cyc: Period, language: str) -> None:
    ws = wb.create_sheet(title=META_SHEET)
    rows = [("kind", TEMPLATE_KIND), ("mission", fw.mission.code), ("cycle", str(cyc)), ("language", language),
            ("framework_hash", fw.content_hash()),
            ("generated_at", datetime.now(timezone.utc).isoformat(timespec="seconds"))]
    for i, (k, v) in enumerate(rows, start=1):
        ws.cell(row=i, column=1, value=k)
        ws.cell(row=i, column=2, value=v).data_type = "s"
    ws.sheet_state = "hidden"


def write_template(store: Any, mission: str, cycle: str, path: str | Path, *, language: str = "en") -> Path:
    """Write the data-entry workbook for ``mission`` and ``cycle`` to ``path``; return the path."""
    cyc = Period.parse(cycle)
    fw = store.framework(mission, str(cyc))
    obs = ObservationStore(store).observations(mission)
    is_synthetic = bool(len(obs) and obs["is_synthetic"].any())
    wb = build_template(fw, str(cyc), obs, language=language, is_synthetic=is_synthetic)
    return save_workbook(wb, path)
