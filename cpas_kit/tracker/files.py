"""The recommendations tracker in the CPAS layout: importing tracker files, listing, exporting to Excel and Word.

The column layout is the one of the CPAS platform's tracker export (see the seeds' "UN-DEMO CPAS
Recommendations Tracker"): Impact Area, Recommendation, Date Recommended, Actions for Implementation,
Lead Responsible Section, Supporting Section, Recommendation Endorsed by, Decision, Target
Implementation Date, Implementation Progress, Implementation Comments.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from cpas_kit.core.errors import CpasError
from cpas_kit.core.import_report import ImportProblem, ImportRejected, ImportResult, file_sha256
from cpas_kit.core.limits import csv_rows
from cpas_kit.core.periods import Period
from cpas_kit.core.text import control_problem
from cpas_kit.framework.model import Framework
from cpas_kit.store.audit import record_import
from cpas_kit.tracker.rules import DECISIONS, DEFAULTS, PROGRESS, check_change, is_overdue
from cpas_kit.tracker.store import TrackerStore, recommendation_key

COLUMNS = {
    "Impact Area": "priority_code",
    "Recommendation": "text",
    "Date Recommended": "cycle_recommended",
    "Actions for Implementation": "actions",
    "Lead Responsible Section": "lead_section",
    "Supporting Section": "supporting_sections",
    "Recommendation Endorsed by": "endorsed_by",
    "Decision": "decision",
    "Target Implementation Date": "target_date",
    "Implementation Progress": "progress",
    "Implementation Comments": "comments",
}
_DATE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d-%b-%y", "%d-%b-%Y")
FORMULA_START = ("=", "+", "-", "@")


def _priority_code(label: str, fw: Framework) -> str | None:
    """Match ``1. Security situation …`` (the tracker's impact-area heading) to a priority code."""
    text = label.strip()
    for p in fw.priorities:
        if text in (p.code, p.name, p.name_fr) or text.split(". ", 1)[-1] in (p.name, p.name_fr):
            return p.code
    if text[:1].isdigit() and "." in text:
        n = int(text.split(".", 1)[0])
        if 1 <= n <= len(fw.priorities):
            return fw.priorities[n - 1].code
    return None


def _parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(str(value).strip(), fmt).date()
        except ValueError:
            continue
    return None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:
        return text[1:]  # our own export's neutralised formula text
    return text


def _rows(path: Path, problems: list[ImportProblem]) -> tuple[str | None, list[tuple[int, dict[str, Any]]]]:
    """(sheet, [(row number, {column: value})]) of a tracker CSV or workbook; header found in the first rows."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from cpas_kit.core.xlsx import open_workbook  # openpyxl is imported only when a workbook is read

        try:
            wb = open_workbook(path)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            problems.append(ImportProblem(message=f"'{path.name}' cannot be opened as an Excel workbook ({exc})"))
            return None, []
        try:
            for ws in wb.worksheets:
                found = _table(list(enumerate(ws.iter_rows(values_only=True), start=1)))
                if found:
                    return ws.title, found
        finally:
            wb.close()
        problems.append(ImportProblem(message="no sheet has the tracker's header row (Recommendation, Date "
                                              "Recommended, Decision, …)"))
        return None, []
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.append(ImportProblem(message="the file is not UTF-8 text; in Excel use 'Save as → CSV UTF-8'"))
        return None, []
    lines = []
    for n, (fields, why) in enumerate(csv_rows(text), start=1):
        if why:
            problems.append(ImportProblem(row=n, message=why))
        lines.append((n, fields or []))
    found = _table(lines)
    if not found:
        problems.append(ImportProblem(row=1, message="the header row is missing: the first rows must include the "
                                                     "columns Recommendation, Date Recommended and Decision"))
    return None, found


def _table(lines: list[tuple[int, Any]]) -> list[tuple[int, dict[str, Any]]]:
    for k, (_, values) in enumerate(lines[:12]):
        names = [_cell_text(v) for v in values]
        if "Recommendation" in names and "Date Recommended" in names:
            out = []
            for n, vals in lines[k + 1:]:
                row = {names[j]: vals[j] for j in range(min(len(names), len(vals))) if names[j]}
                if any(_cell_text(v) for v in row.values()):
                    out.append((n, row))
            out.insert(0, (lines[k][0], {"__header__": names}))
            return out
    return []


def read_tracker(path: "str | Path", fw: Framework, *, rules: bool = True, today: date | None = None,
                 states: dict[str, dict[str, Any]] | None = None) -> tuple[list[dict[str, Any]], list[ImportProblem],
                                                                          int]:
    """(records, problems, rows read) of a tracker CSV or workbook in the CPAS column layout.

    With ``rules`` (every file a user imports), each row must also pass the rules `cpas tracker decide` and
    `cpas tracker progress` apply (:func:`tracker_rule_problems`): a known lead section, a cycle that has begun,
    a reason for a rejection, a comment for an implementation, no control characters. ``states`` (by
    recommendation key) are the stored states: a row changes its recommendation from there.
    """
    path = Path(path)
    problems: list[ImportProblem] = []
    sheet, rows = _rows(path, problems)
    if not rows:
        return [], problems, 0
    header_row, header = rows[0]
    missing = [c for c in COLUMNS if c not in header["__header__"] and c != "Impact Area"]
    for c in missing:
        problems.append(ImportProblem(sheet=sheet, row=header_row, column=c,
                                      message=f"the column '{c}' is missing; the tracker layout is "
                                              + ", ".join(COLUMNS)))
    records = []
    for line, row in rows[1:]:
        def bad(column: str, message: str) -> None:
            problems.append(ImportProblem(sheet=sheet, row=line, column=column, message=message))

        rec: dict[str, Any] = {field: _cell_text(row.get(col)) or None for col, field in COLUMNS.items()}
        if not rec["text"]:
            bad("Recommendation", "the recommendation text is empty; every row needs it")
        try:
            rec["cycle_recommended"] = str(Period.parse(rec["cycle_recommended"] or ""))
        except CpasError as exc:
            bad("Date Recommended", str(exc))
        if rec["priority_code"]:
            code = _priority_code(rec["priority_code"], fw)
            if code is None:
                bad("Impact Area", f"'{rec['priority_code']}' matches no priority of {fw.mission.code}; use the "
                                   "priority's number, code or name")
            rec["priority_code"] = code
        rec["decision"] = rec["decision"] or "Awaiting Review"
        if rec["decision"] not in DECISIONS:
            bad("Decision", f"'{rec['decision']}' is not one of {', '.join(DECISIONS)}")
        rec["progress"] = rec["progress"] or "Not Assigned"
        if rec["progress"] not in PROGRESS:
            bad("Implementation Progress", f"'{rec['progress']}' is not one of {', '.join(PROGRESS)}")
        elif rec["progress"] != "Not Assigned" and rec["decision"] != "Approved" and rec["decision"] in DECISIONS:
            bad("Implementation Progress", f"progress is '{rec['progress']}' but the decision is "
                                           f"'{rec['decision']}': only approved recommendations are implemented; "
                                           "correct the decision or set the progress to Not Assigned")
        if rec["target_date"]:
            parsed = _parse_date(row.get("Target Implementation Date"))
            if parsed is None:
                bad("Target Implementation Date", f"'{rec['target_date']}' is not a date (write it as 2022-03-04 "
                                                  "or 3/4/2022)")
            rec["target_date"] = parsed
        if rules:
            state = None
            if states and rec["text"] and not any(p.row == line and p.column == "Date Recommended" for p in problems):
                state = states.get(recommendation_key(fw.mission.code, rec["cycle_recommended"], rec["text"]))
            for column, message in tracker_rule_problems(rec, fw, today or date.today(), state):
                bad(column, message)
        records.append(rec)
    return records, problems, len(rows) - 1


def tracker_rule_problems(rec: dict[str, Any], fw: Framework, today: date,
                          stored: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """(column, sentence) for each tracker rule a row breaks, its decision and progress taken as changes from the
    ``stored`` state (a new recommendation: from Awaiting Review, Not Assigned)."""
    out: list[tuple[str, str]] = []
    labels = {field: col for col, field in COLUMNS.items()}
    for field, value in rec.items():
        why = control_problem(value)
        if why and field in labels:
            out.append((labels[field], why))
    lead = rec.get("lead_section")
    if lead and _section_code(lead, fw) is None:
        out.append(("Lead Responsible Section", f"'{lead}' is not a section of {fw.mission.code} ("
                    + ", ".join(s.name for s in fw.sections) + "); use a section's name or code"))
    try:
        cycle = Period.parse(rec.get("cycle_recommended") or "")
        if cycle.start > today:
            out.append(("Date Recommended", f"{cycle} has not begun (it starts on {cycle.start:%Y-%m-%d}); a "
                                            "recommendation is dated by the cycle it was made in"))
    except CpasError:
        pass  # reported by the reader
    state = {**DEFAULTS, **{k: v for k, v in (stored or {}).items() if k in ("decision", "progress") and v}}
    comment = rec.get("comments")
    for field, column in (("decision", "Decision"), ("progress", "Implementation Progress")):
        new = rec.get(field)
        if new == state[field] or new not in (DECISIONS if field == "decision" else PROGRESS):
            continue
        if field == "progress" and state["decision"] != "Approved":
            continue  # reported by the reader
        why = check_change(state, field, new, comment)
        if why:
            out.append((column if "comment" not in why.lower() and "reason" not in why.lower()
                        else "Implementation Comments", why))
        state[field] = new
    return out


def _section_code(text: str, fw: Framework) -> str | None:
    key = " ".join(text.split()).casefold()
    for s in fw.sections:
        if key in {s.code.casefold(), s.name.casefold(), (getattr(s, "name_fr", None) or "").casefold()}:
            return s.code
    return None


def read_tracker_file(path: "str | Path", fw: Framework, *, rules: bool = False) -> list[dict[str, Any]]:
    """Records of a tracker file as recorded (the rules of changes apply when a user imports one:
    :func:`import_tracker`); raise :class:`ImportRejected` listing every problem."""
    records, problems, n = read_tracker(path, fw, rules=rules)
    if problems:
        raise ImportRejected(ImportResult(kind="tracker", file=str(path), mission=fw.mission.code, rows_read=n,
                                          errors=problems))
    return records


def import_tracker(store: Any, path: "str | Path", mission: str, *, actor: str) -> ImportResult:
    """Check a whole tracker file, then record it in one transaction (new recommendations, changed fields)."""
    path = Path(path)
    if not path.is_file():
        raise CpasError(f"there is no file {path}")
    fw = store.framework(mission)
    stored = TrackerStore(store).recommendations(mission)
    states = {r["rec_key"]: r for r in stored.to_dict("records")} if len(stored) else {}
    records, problems, n = read_tracker(path, fw, states=states)
    result = ImportResult(kind="tracker", file=str(path), sha256=file_sha256(path), mission=mission, rows_read=n)
    if problems:
        result.errors = problems
        raise ImportRejected(result)

    def _provenance(conn, counts: dict[str, int]) -> None:
        result.rows_imported = counts["inserted"] + counts["updated"]
        result.rows_unchanged = counts["unchanged"]
        record_import(conn, result, actor=actor, at=datetime.now(timezone.utc))

    TrackerStore(store).write_recommendations(mission, records, actor=actor, source=f"tracker file {path.name}",
                                provenance=_provenance)
    return result


def tracker_frame(store: Any, mission: str, *, on: date | None = None) -> pd.DataFrame:
    """The tracker with an ``overdue`` column computed for the reporting date ``on`` (default: today)."""
    recs = TrackerStore(store).recommendations(mission)
    day = on or date.today()
    recs["overdue"] = [is_overdue(r, day) for r in recs.to_dict("records")]
    return recs


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; other values pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
