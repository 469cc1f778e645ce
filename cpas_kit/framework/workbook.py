"""Framework authoring without YAML: the whole results framework as an Excel workbook, read back with checks.

``export_framework(store, "UN-DEMO", "fw.xlsx")`` writes one sheet per part of the framework (Mission,
Sections, Disaggregations, Categories, Priorities, Outcomes, Indicators, Targets, Outputs, Stakeholders):
a translated header on row 1, the field names the import reads on a hidden row 2, one row per item from
row 3, and drop-down lists for the enumerated columns and the references between sheets.
``import_framework(store, "fw.xlsx", effective_from="2024/25-Q1", actor=…)`` rebuilds the framework
document from the rows, validates it exactly like a YAML file (:func:`cpas_kit.framework.model.parse_framework`)
and reports **every** problem with its sheet, row and column (plus ``<name>.errors.xlsx`` with the bad cells
highlighted); nothing is written then. A valid workbook becomes a new framework version effective from the
named cycle (an unchanged one changes nothing), so past cycles keep the version they were assessed against.

The same save path (:mod:`cpas_kit.framework.edit`) serves the small edits of the context-mapping app.
"""

from __future__ import annotations

import math
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from cpas_kit.core.error_workbook import SheetLayout, Upload, errors_path, write_error_workbook
from cpas_kit.core.errors import CpasError, NotFoundError
from cpas_kit.core.i18n import t
from cpas_kit.core.import_report import ImportProblem, ImportRejected, ImportResult, file_sha256
from cpas_kit.core.limits import load_yaml
from cpas_kit.core.text import plain_text
from cpas_kit.core.xlsx import save_workbook, text_cell
from cpas_kit.framework.edit import (
    PATH_RE,
    default_effective_from,
    effective_from_problem,
    save_edited_framework,
    validate_document,
)
from cpas_kit.framework.model import PIRS_FREQUENCIES, Framework

META_SHEET = "_cpas"
WORKBOOK_KIND = "cpas-framework"
HEADER_ROW, FIELDS_ROW, FIRST_ROW = 1, 2, 3
DETACHED = "(detached)"  # path prefix of rows whose parent code is unknown (already reported)


@dataclass(frozen=True)
class Col:
    """One column: the field name (hidden row) and how its cells are read: text, number, bool, list, date."""

    field: str
    kind: str = "text"
    width: int = 16
    choices: tuple[str, ...] | str | None = None  # a drop-down: fixed values or a range on another sheet


def _cols(*specs: Any) -> tuple[Col, ...]:
    return tuple(s if isinstance(s, Col) else Col(s) for s in specs)


NAMES = (Col("code", width=14), Col("name", width=48), Col("name_fr", width=48))
SHEETS: dict[str, tuple[Col, ...]] = {
    "Sections": NAMES,
    "Disaggregations": (*NAMES, Col("from_geography", "bool", 14, ("yes", "no"))),
    "Categories": _cols(Col("dimension", width=16, choices="Disaggregations!$A$3:$A$200"), Col("code", width=14),
                        Col("name", width=30), Col("name_fr", width=30)),
    "Priorities": NAMES,
    "Outcomes": (Col("priority", width=12, choices="Priorities!$A$3:$A$200"), *NAMES),
    "Indicators": (
        Col("outcome", width=10, choices="Outcomes!$B$3:$B$500"), *NAMES,
        Col("level", width=12, choices=("strategic", "stakeholder", "output")),
        Col("kind", width=13, choices=("quantitative", "qualitative")), Col("unit", width=14), Col("unit_fr", width=14),
        Col("direction", width=11, choices=("increase", "decrease", "maintain")), Col("definition", width=40),
        Col("definition_fr", width=40),
        Col("baseline_value", "number", 12), Col("baseline_text", width=30), Col("baseline_period", width=12),
        Col("data_source", width=30), Col("responsible_section", width=14, choices="Sections!$A$3:$A$200"),
        Col("disaggregations", "list", 18), Col("min_value", "number", 10), Col("max_value", "number", 10),
        Col("tags", "list", 16), Col("standard_code", width=16)),
    "Targets": (Col("indicator", width=12, choices="Indicators!$B$3:$B$2000"), Col("period", width=12),
                Col("value", "number", 12), Col("text", width=48)),
    "Outputs": (Col("outcome", width=10, choices="Outcomes!$B$3:$B$500"), *NAMES,
                Col("section", width=14, choices="Sections!$A$3:$A$200")),
    "PIRS": (Col("indicator", width=12, choices="Indicators!$B$3:$B$2000"),
             *[Col(f, width=48) for f in ("rationale", "rationale_fr", "collection_method", "collection_method_fr")],
             Col("frequency", width=13, choices=PIRS_FREQUENCIES), Col("responsible_person", width=30),
             *[Col(f, width=48) for f in ("baseline_rationale", "baseline_rationale_fr", "target_rationale",
                                          "target_rationale_fr", "data_quality_limitations",
                                          "data_quality_limitations_fr")]),
    "Stakeholders": (*NAMES, Col("type", width=18), Col("influence", width=11, choices=("high", "medium", "low")),
                     Col("attitude", width=12, choices=("supportive", "neutral", "opposed")),
                     Col("agenda", width=60), Col("outcomes", "list", 18)),
}
MISSION_ROWS: tuple[Col, ...] = (
    Col("code"), Col("name"), Col("name_fr"), Col("country_iso3"), Col("hq"), Col("mandate_resolution"),
    Col("mandate_resolution_fr"), Col("cycle_kind", choices=("quarter", "year", "month")),
    Col("default_language", choices=("en", "fr")),
    Col("is_fictional", "bool", choices=("yes", "no")), Col("mandate_start", "date"), Col("mandate_end", "date"),
    Col("geography.boundaries"), Col("geography.id_property"), Col("geography.name_property"),
    Col("geography.credit"), Col("personnel", "mapping"),
)
_LABEL_KEYS = {"name": "fw_name", "name_fr": "fw_name_fr", "code": "fw_code", "kind": "fw_kind",
               "unit": "unit", "unit_fr": "fw_unit_fr", "direction": "direction", "level": "level",
               "definition": "fw_definition",
               "baseline_value": "fw_baseline_value", "baseline_text": "fw_baseline_text",
               "baseline_period": "fw_baseline_period", "data_source": "fw_data_source",
               "responsible_section": "section", "period": "period", "value": "fw_value", "text": "fw_target_text",
               "outcome": "outcome", "priority": "priority", "indicator": "indicator", "outcomes": "sh_outcomes",
               "influence": "sh_influence", "attitude": "sh_stance", "type": "sh_type"}
_HEADER_FILL, _TRUE, _FALSE = ("1F4E79", {"yes", "true", "oui", "vrai", "1", "y"},
                               {"no", "false", "non", "faux", "0", "n"})


# -- export ------------------------------------------------------------------------------------------------
def _flatten(fw: Framework) -> dict[str, list[dict[str, Any]]]:
    """The framework document as rows per sheet (and the Mission sheet's field → value)."""
    doc = fw.to_document()
    m = doc["mission"]
    mission = {c.field: (m.get("geography") or {}).get(c.field.split(".", 1)[1]) if c.field.startswith("geography.")
               else m.get(c.field) for c in MISSION_ROWS}
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in SHEETS}
    rows["Mission"] = [mission]
    rows["Sections"] = doc["sections"]
    for d in doc.get("disaggregations", []):
        rows["Disaggregations"].append(d)
        for c in d.get("categories", []):
            rows["Categories"].append({"dimension": d["code"], "code": c, "name": d.get("category_names", {}).get(c),
                                       "name_fr": d.get("category_names_fr", {}).get(c)})
    for p in doc["priorities"]:
        rows["Priorities"].append(p)
        for o in p["outcomes"]:
            rows["Outcomes"].append({"priority": p["code"], **o})
            for i in o.get("indicators", []):
                b = i.get("baseline", {})
                rows["Indicators"].append({"outcome": o["code"], **i, "baseline_value": b.get("value"),
                                           "baseline_text": b.get("text"), "baseline_period": b.get("period")})
                rows["Targets"] += [{"indicator": i["code"], **tg} for tg in i.get("targets", [])]
                if i.get("pirs"):
                    rows["PIRS"].append({"indicator": i["code"], **i["pirs"]})
            rows["Outputs"] += [{"outcome": o["code"], **x} for x in o.get("outputs", [])]
    rows["Stakeholders"] = doc.get("stakeholders", [])
    return rows


def _cell_value(col: Col, value: Any) -> Any:
    if value is None:
        return None
    if col.kind == "list":
        return ", ".join(str(v) for v in value) or None
    if col.kind == "mapping":
        return ", ".join(f"{k}={v}" for k, v in value.items()) or None
    if col.kind == "bool":
        return "yes" if value else "no"
    return value


def _label(field: str, language: str) -> str:
    key = _LABEL_KEYS.get(field)
    return t(key, language) if key else field.replace("_", " ")


def build_workbook(fw: Framework, *, language: str = "en", version: dict[str, Any] | None = None) -> Any:
    """The framework as an openpyxl workbook (``version``: the store's metadata of that framework version)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    rows = _flatten(fw)
    wb = Workbook()
    about = wb.active
    about.title = "About"
    about["A1"] = f"{fw.mission.label(language)} — {t('framework_version', language)}" + (
        f" {version['version']} ({t('effective_from', language)} {version['effective_from']})" if version else "")
    about["A1"].font = Font(bold=True, size=13)
    about["A3"] = t("fw_instructions", language)
    about["A3"].alignment = Alignment(wrap_text=True, vertical="top")
    about.column_dimensions["A"].width = 120
    about.row_dimensions[3].height = 80
    header_font, header_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor=_HEADER_FILL)

    ws = wb.create_sheet("Mission")
    for j, (head, width) in enumerate(((t("fw_field", language), 24), (t("fw_value", language), 70)), start=1):
        cell = ws.cell(row=HEADER_ROW, column=j, value=head)
        cell.font, cell.fill = header_font, header_fill
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.cell(row=FIELDS_ROW, column=1, value="field")
    ws.cell(row=FIELDS_ROW, column=2, value="value")
    ws.row_dimensions[FIELDS_ROW].hidden = True
    for r, col in enumerate(MISSION_ROWS, start=FIRST_ROW):
        ws.cell(row=r, column=1, value=col.field).font = Font(bold=True)
        _put(ws.cell(row=r, column=2), _cell_value(col, rows["Mission"][0].get(col.field)))
        if isinstance(col.choices, tuple):
            dv = DataValidation(type="list", formula1='"' + ",".join(col.choices) + '"', allow_blank=True)
            ws.add_data_validation(dv)
            dv.add(f"B{r}")
    ws.freeze_panes = f"A{FIRST_ROW}"

    for name, cols in SHEETS.items():
        ws = wb.create_sheet(name)
        for j, col in enumerate(cols, start=1):
            head = ws.cell(row=HEADER_ROW, column=j, value=_label(col.field, language))
            head.font, head.fill = header_font, header_fill
            head.alignment = Alignment(wrap_text=True, vertical="top")
            ws.cell(row=FIELDS_ROW, column=j, value=col.field)
            ws.column_dimensions[get_column_letter(j)].width = col.width
        ws.row_dimensions[FIELDS_ROW].hidden = True
        for r, item in enumerate(rows[name], start=FIRST_ROW):
            for j, col in enumerate(cols, start=1):
                _put(ws.cell(row=r, column=j), _cell_value(col, item.get(col.field)))
        last = max(FIRST_ROW + len(rows[name]) + 200, 300)
        for j, col in enumerate(cols, start=1):
            if col.choices is None:
                continue
            formula = col.choices if isinstance(col.choices, str) else '"' + ",".join(col.choices) + '"'
            dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                                errorStyle="warning")
            ws.add_data_validation(dv)
            letter = get_column_letter(j)
            dv.add(f"{letter}{FIRST_ROW}:{letter}{last}")
        ws.freeze_panes = f"A{FIRST_ROW}"
    meta = wb.create_sheet(META_SHEET)
    for i, (k, v) in enumerate([("kind", WORKBOOK_KIND), ("mission", fw.mission.code),
                                ("version", "" if version is None else str(version["version"])),
                                ("effective_from", "" if version is None else version["effective_from"]),
                                ("content_hash", fw.content_hash()), ("language", language),
                                ("generated_at", datetime.now(UTC).isoformat(timespec="seconds"))], start=1):
        meta.cell(row=i, column=1, value=k)
        _put(meta.cell(row=i, column=2), v)
    meta.sheet_state = "hidden"
    return wb


def _put(cell: Any, value: Any) -> None:
    """Write a value; text is always a text cell, so nothing typed in a framework can run as a formula."""
    text_cell(cell, value)


def export_framework(store: Any, mission: str, path: str | Path, *, fmt: str | None = None, cycle: str | None = None,
                     language: str | None = None) -> Path:
    """Write the mission's framework (the version in force for ``cycle``, default the latest) as .xlsx or .yaml."""
    path = Path(path)
    fmt = fmt or ("yaml" if path.suffix.lower() in (".yaml", ".yml") else "xlsx")
    meta = store.framework_version_for(mission, cycle)
    fw = store.framework(mission, cycle)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "yaml":
        head = (f"# {mission} results framework, version {meta['version']} (in force from {meta['effective_from']}),"
                f" exported by cpas framework export.\n# Load it back with: cpas framework import {path.name} "
                "--effective-from CYCLE\n")
        path.write_text(head + yaml.safe_dump(fw.to_document(), allow_unicode=True, sort_keys=False, width=110),
                        encoding="utf-8")
        return path
    if fmt != "xlsx":
        raise CpasError(f"'{fmt}' is not an export format; use xlsx or yaml")
    return save_workbook(build_workbook(fw, language=language or fw.mission.default_language, version=meta), path)


# -- reading a workbook ------------------------------------------------------------------------------------
class _Reader:
    """Reads the sheets into a framework document, noting where each item came from and every cell problem."""

    def __init__(self) -> None:
        self.problems: list[ImportProblem] = []
        self.where: dict[str, tuple[str, int]] = {}  # document path → (sheet, row)
        self.columns: dict[str, dict[str, int]] = {}  # sheet → field → column number
        self.rows_read = 0

    def add(self, sheet: str | None, row: int | None, column: str | None, message: str) -> None:
        from openpyxl.utils import get_column_letter

        col = self.columns.get(sheet or "", {}).get(column or "")
        self.problems.append(ImportProblem(sheet=sheet, row=row, column=column, message=message,
                                           cell=f"{get_column_letter(col)}{row}" if col and row else None))

    def convert(self, sheet: str, row: int, col: Col, raw: Any) -> Any:
        """A cell's value as the document wants it (None when empty); a problem when it cannot be read."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return [] if col.kind == "list" else {} if col.kind == "mapping" else None
        if col.kind == "number":
            if isinstance(raw, bool) or not isinstance(raw, (int, float)):
                try:
                    raw = float(str(raw).strip().replace("\u00a0", "").replace(" ", ""))
                except ValueError:
                    hint = " (use a point for decimals, e.g. 12.5)" if "," in str(raw) else ""
                    self.add(sheet, row, col.field, f"'{raw}' is not a number{hint}")
                    return None
            if not math.isfinite(float(raw)):
                self.add(sheet, row, col.field, f"'{raw}' is not a finite number")
                return None
            return float(raw)
        if col.kind == "bool":
            if isinstance(raw, bool):
                return raw
            word = str(raw).strip().lower()
            if word in _TRUE | _FALSE:
                return word in _TRUE
            self.add(sheet, row, col.field, f"'{raw}' is not yes or no")
            return None
        if col.kind == "date":
            if isinstance(raw, datetime):
                return raw.date().isoformat()
            if isinstance(raw, date):
                return raw.isoformat()
            return str(raw).strip()
        text = _text(raw)
        if col.kind == "list":
            return [x.strip() for x in text.replace(";", ",").split(",") if x.strip()]
        if col.kind == "mapping":
            out: dict[str, Any] = {}
            for part in text.replace(";", ",").split(","):
                key, sep, value = part.partition("=")
                try:
                    out[key.strip()] = int(value.strip()) if sep else None
                except ValueError:
                    out[key.strip()] = None
                if not sep or out[key.strip()] is None:
                    self.add(sheet, row, col.field, f"'{part.strip()}' is not name=number (e.g. military=11650)")
            return out
        return text

    def sheet(self, wb: Any, name: str, cols: tuple[Col, ...]) -> list[dict[str, Any]]:
        """The rows of one sheet as ``{field: value, "_row": n}``, blank rows skipped."""
        if name not in wb.sheetnames:
            self.add(name, None, None, f"the sheet '{name}' is missing; start from a workbook made by "
                                       "`cpas framework export --format xlsx`")
            return []
        ws = wb[name]
        grid = list(ws.iter_rows(values_only=True))
        names = [str(v).strip() if v is not None else "" for v in (grid[FIELDS_ROW - 1] if len(grid) >= FIELDS_ROW
                                                                   else ())]
        self.columns[name] = {n: j for j, n in enumerate(names, start=1) if n}
        missing = [c.field for c in cols if c.field not in self.columns[name]]
        for field in missing:
            self.add(name, FIELDS_ROW, field, f"the column '{field}' is missing from the hidden row {FIELDS_ROW} of "
                                              "field names; do not delete columns (leave cells empty instead)")
        if missing:
            return []
        out = []
        for r, values in enumerate(grid[FIRST_ROW - 1:], start=FIRST_ROW):
            if not any(v is not None and str(v).strip() for v in values):
                continue
            self.rows_read += 1
            item: dict[str, Any] = {"_row": r}
            for c in cols:
                j = self.columns[name][c.field]
                item[c.field] = self.convert(name, r, c, values[j - 1] if j - 1 < len(values) else None)
            out.append(item)
        return out

    def mission(self, wb: Any) -> dict[str, Any]:
        """The Mission sheet (field / value rows) as the document's ``mission``."""
        if "Mission" not in wb.sheetnames:
            self.add("Mission", None, None, "the sheet 'Mission' is missing; start from a workbook made by "
                                            "`cpas framework export --format xlsx`")
            return {}
        self.columns["Mission"] = {"field": 1, "value": 2}
        known = {c.field: c for c in MISSION_ROWS}
        mission: dict[str, Any] = {}
        for r, values in enumerate(wb["Mission"].iter_rows(min_row=FIRST_ROW, values_only=True), start=FIRST_ROW):
            field = _text(values[0] if values else None)
            raw = values[1] if len(values) > 1 else None
            if not field:
                continue
            self.rows_read += 1
            if field not in known:
                self.add("Mission", r, "field", f"'{field}' is not a mission field; use one of "
                                                + ", ".join(known))
                continue
            self.where[f"mission.{field}"] = ("Mission", r)
            value = self.convert("Mission", r, Col("value", known[field].kind), raw)  # reported in the value column
            if field.startswith("geography."):
                if value is not None:
                    mission.setdefault("geography", {})[field.split(".", 1)[1]] = value
            elif value is not None:
                mission[field] = value
        if "geography" in mission:
            self.where["mission.geography"] = self.where.get("mission.geography.boundaries", ("Mission", FIRST_ROW))
        self.where["mission"] = ("Mission", FIRST_ROW)
        return mission

    def document(self, wb: Any) -> dict[str, Any]:
        """The framework document the workbook describes."""
        data = {name: self.sheet(wb, name, cols) for name, cols in SHEETS.items()}
        doc: dict[str, Any] = {"mission": self.mission(wb), "sections": [], "disaggregations": [], "priorities": [],
                               "stakeholders": []}
        for i, s in enumerate(data["Sections"]):
            doc["sections"].append(self.item(s, NAMES, f"sections[{i}]", "Sections"))
        dims: dict[str, dict[str, Any]] = {}
        for i, d in enumerate(data["Disaggregations"]):
            item = self.item(d, SHEETS["Disaggregations"], f"disaggregations[{i}]", "Disaggregations")
            item.update(categories=[], category_names={}, category_names_fr={}, _path=f"disaggregations[{i}]")
            doc["disaggregations"].append(item)
            dims.setdefault(item.get("code"), item)
        for c in data["Categories"]:
            dim = self.parent(dims, c, "dimension", "Categories", "Disaggregations")
            self.where[f"{dim['_path']}.categories[{len(dim['categories'])}]"] = ("Categories", c["_row"])
            dim["categories"].append(c["code"])
            for key, field in (("category_names", "name"), ("category_names_fr", "name_fr")):
                if c.get(field) is not None:
                    dim[key][c["code"]] = c[field]
        priorities: dict[str, dict[str, Any]] = {}
        for i, p in enumerate(data["Priorities"]):
            item = {**self.item(p, NAMES, f"priorities[{i}]", "Priorities"), "outcomes": []}
            doc["priorities"].append(item)
            priorities.setdefault(item.get("code"), item)
            item["_path"] = f"priorities[{i}]"
        outcomes: dict[str, dict[str, Any]] = {}
        for o in data["Outcomes"]:
            parent = self.parent(priorities, o, "priority", "Outcomes", "Priorities")
            path = f"{parent['_path']}.outcomes[{len(parent['outcomes'])}]"
            item = {**self.item(o, NAMES, path, "Outcomes"), "indicators": [], "outputs": [], "_path": path}
            parent["outcomes"].append(item)
            outcomes.setdefault(item.get("code"), item)
        indicators: dict[str, dict[str, Any]] = {}
        ind_cols = tuple(c for c in SHEETS["Indicators"] if c.field != "outcome" and not c.field.startswith("baseline"))
        for i in data["Indicators"]:
            parent = self.parent(outcomes, i, "outcome", "Indicators", "Outcomes")
            path = f"{parent['_path']}.indicators[{len(parent['indicators'])}]"
            item = self.item(i, ind_cols, path, "Indicators")
            item["baseline"] = {k: v for k, v in (("value", i["baseline_value"]), ("text", i["baseline_text"]),
                                                  ("period", i["baseline_period"])) if v is not None}
            item["targets"], item["_path"] = [], path
            parent["indicators"].append(item)
            indicators.setdefault(item.get("code"), item)
        for tg in data["Targets"]:
            parent = self.parent(indicators, tg, "indicator", "Targets", "Indicators")
            path = f"{parent['_path']}.targets[{len(parent['targets'])}]"
            parent["targets"].append(self.item(tg, SHEETS["Targets"][1:], path, "Targets"))
        for x in data["PIRS"]:
            parent = self.parent(indicators, x, "indicator", "PIRS", "Indicators")
            if "pirs" in parent:
                self.add("PIRS", x["_row"], "indicator", f"indicator {x.get('indicator')} has a second row here; "
                                                         "keep one reference sheet row per indicator")
            parent["pirs"] = self.item(x, SHEETS["PIRS"][1:], f"{parent['_path']}.pirs", "PIRS")
        for x in data["Outputs"]:
            parent = self.parent(outcomes, x, "outcome", "Outputs", "Outcomes")
            path = f"{parent['_path']}.outputs[{len(parent['outputs'])}]"
            parent["outputs"].append(self.item(x, SHEETS["Outputs"][1:], path, "Outputs"))
        for i, s in enumerate(data["Stakeholders"]):
            doc["stakeholders"].append(self.item(s, SHEETS["Stakeholders"], f"stakeholders[{i}]", "Stakeholders"))
        for d in doc["disaggregations"]:
            d.pop("_path", None)
        for p in doc["priorities"]:
            p.pop("_path", None)
            for o in p["outcomes"]:
                o.pop("_path", None)
                for i in o["indicators"]:
                    i.pop("_path", None)
        return doc

    def item(self, row: dict[str, Any], cols: tuple[Col, ...], path: str, sheet: str) -> dict[str, Any]:
        self.where[path] = (sheet, row["_row"])
        return {c.field: row[c.field] for c in cols if row.get(c.field) is not None}

    def parent(self, known: dict[str, dict[str, Any]], row: dict[str, Any], field: str, sheet: str,
               parent_sheet: str) -> dict[str, Any]:
        """The item ``row`` belongs to; when its code is unknown, the problem is noted and a detached stand-in
        (not part of the framework) is returned, so the row's own children are not reported again."""
        code = row.get(field)
        if code in known:
            return known[code]
        shown = ", ".join(str(k) for k in list(known)[:12] if k) + (" …" if len(known) > 12 else "")
        self.add(sheet, row["_row"], field, f"'{code or ''}' is not a code on the sheet '{parent_sheet}' "
                                            f"(codes there: {shown or 'none'}); every row needs its parent's code")
        return {"_path": DETACHED, "outcomes": [], "indicators": [], "outputs": [], "targets": [], "categories": [],
                "category_names": {}, "category_names_fr": {}}

    def locate(self, path: str, message: str) -> ImportProblem:
        """Turn a framework problem (``priorities[0].outcomes[1].indicators[2].unit: …``) into sheet, row, column."""
        from openpyxl.utils import get_column_letter

        probe = path
        while probe and probe not in self.where:
            probe = probe.rsplit(".", 1)[0] if "." in probe else ""
            if not probe:
                break
        if not probe:
            return ImportProblem(column=path, message=message)
        sheet, row = self.where[probe]
        rest = path[len(probe):].lstrip(".")
        if sheet == "Mission":
            column = "value"
        elif rest.startswith("baseline"):
            column = "baseline_" + (rest.split(".", 1)[1] if "." in rest else "value")
        else:
            column = rest.split("[", 1)[0].split(".", 1)[0] or None
            if sheet == "Categories":
                column = "code"
        col = self.columns.get(sheet, {}).get(column or "")
        message = PATH_RE.sub(lambda m: self.place(m.group(0)), message)
        return ImportProblem(sheet=sheet, row=row, column=column, message=message,
                             cell=f"{get_column_letter(col)}{row}" if col else None)

    def place(self, path: str) -> str:
        """``priorities[0].outcomes[2]`` as ``row 5 of sheet 'Outcomes'`` (the path itself when unknown)."""
        if path not in self.where:
            return path
        sheet, row = self.where[path]
        return f"row {row} of sheet '{sheet}'"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return plain_text(str(value).strip())  # text the writer neutralised ('=…) reads back as written


def read_workbook(path: Path) -> tuple[dict[str, Any] | None, _Reader]:
    """The document of a framework workbook and the reader holding every problem found while reading."""
    from cpas_kit.core.xlsx import open_workbook  # openpyxl is imported only when a workbook is read

    reader = _Reader()
    try:
        wb = open_workbook(path)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        reader.add(None, None, None, f"'{path.name}' cannot be opened as an Excel workbook ({exc}); save it again "
                                     "from Excel as .xlsx")
        return None, reader
    try:
        if META_SHEET in wb.sheetnames:
            kind = next((_text(v[1]) for v in wb[META_SHEET].iter_rows(values_only=True) if v and v[0] == "kind"), "")
            if kind and kind != WORKBOOK_KIND:
                reader.add(None, None, None, f"'{path.name}' is a {kind} workbook, not a results framework; export "
                                             "the framework with `cpas framework export --format xlsx`")
                return None, reader
        return reader.document(wb), reader
    finally:
        wb.close()


def import_framework(store: Any, path: str | Path, *, actor: str, effective_from: str | None = None,
                     write_error_file: bool = True, today: date | None = None) -> tuple[ImportResult, int]:
    """Check a framework workbook (or YAML) completely, then save it as a new version; (result, version).

    Raises :class:`ImportRejected` with every problem (sheet, row, column) and writes nothing then.
    """
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"there is no file {path}")
    result = ImportResult(kind="framework", file=str(path), sha256=file_sha256(path))
    reader = _Reader()
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            doc = load_yaml(path.read_text(encoding="utf-8"), str(path))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            doc = None
            reader.add(None, None, None, f"not a readable YAML file ({exc})")
        result.rows_read = 1
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        doc, reader = read_workbook(path)
        result.rows_read = reader.rows_read
    else:
        doc = None
        reader.add(None, None, None, f"'{path.name}' is neither a framework workbook (.xlsx) nor a YAML file")
    problems = list(reader.problems)
    fw = None
    if doc is not None:
        fw, found = validate_document(doc)
        seen = {(p.sheet, p.row, p.column) for p in problems}
        for p in (reader.locate(path, m) for path, m in found):
            if (p.sheet, p.row, p.column) not in seen:  # a cell already reported unreadable is not reported twice
                problems.append(p)
    if fw is not None and not problems:
        result.mission = fw.mission.code
        eff = effective_from or default_effective_from(fw, today)
        why = effective_from_problem(store, fw, eff)
        if why:
            problems.append(ImportProblem(column="--effective-from", message=why))
    if problems or fw is None:
        result.errors = sorted(problems, key=lambda p: (p.sheet or "", p.row or 0, p.column or ""))
        if write_error_file and path.suffix.lower() in (".xlsx", ".xlsm") and any(p.sheet for p in problems):
            upload = Upload(path, "xlsx", frame=None, layouts={  # type: ignore[arg-type]
                s: SheetLayout(s, cols, FIELDS_ROW) for s, cols in reader.columns.items()})
            out = write_error_workbook(upload, result.errors, errors_path(path))
            result.warnings.append(f"the cells with problems are highlighted in {out}")
        raise ImportRejected(result)
    version, created = save_edited_framework(store, fw.to_document(), effective_from=eff, actor=actor,
                                             source=f"import of {path.name} (sha256 {result.sha256[:12]})")
    result.rows_imported, result.rows_unchanged = (result.rows_read, 0) if created else (0, result.rows_read)
    if not created:
        result.warnings.append(f"the framework is identical to version {version}: nothing changed")
    return result, version
