"""The recommendations tracker in the CPAS layout: reading tracker files and presenting the tracker.

The column layout is the one of the CPAS platform's tracker export (see the seeds' "UN-DEMO CPAS
Recommendations Tracker"): Recommendation, Date Recommended, Actions for Implementation, Lead
Responsible Section, Supporting Section, Recommendation Endorsed by, Decision, Target
Implementation Date, Implementation Progress, Implementation Comments — plus the Impact Area.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from cpas_kit.errors import CpasError
from cpas_kit.framework import Framework
from cpas_kit.periods import Period
from cpas_kit.recommendations import DECISIONS, PROGRESS

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
_DATE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y", "%Y-%m-%d", "%d-%b-%y", "%d-%b-%Y")


class TrackerFileError(CpasError):
    """A tracker file has problems; every one is listed with its row and column."""

    def __init__(self, source: str, problems: list[str]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s) in the tracker file; nothing was imported:\n{lines}")


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


def _parse_date(value: str) -> datetime | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
    return None


def read_tracker_file(path: "str | Path", fw: Framework) -> list[dict[str, Any]]:
    """Read a tracker CSV in the CPAS layout; raise :class:`TrackerFileError` listing every problem."""
    path = Path(path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    problems: list[str] = []
    missing = [c for c in COLUMNS if c not in frame.columns and c != "Impact Area"]
    if missing:
        raise TrackerFileError(str(path), [f"missing column(s): {', '.join(missing)}"])
    records = []
    for i, row in frame.iterrows():
        line = i + 2  # header is line 1
        rec: dict[str, Any] = {field: (row.get(col, "") or "").strip() or None for col, field in COLUMNS.items()}
        if not rec["text"]:
            problems.append(f"row {line}, column Recommendation: empty; every row needs the recommendation text")
        try:
            rec["cycle_recommended"] = str(Period.parse(rec["cycle_recommended"] or ""))
        except CpasError as exc:
            problems.append(f"row {line}, column Date Recommended: {exc}")
        if rec["priority_code"]:
            code = _priority_code(rec["priority_code"], fw)
            if code is None:
                problems.append(f"row {line}, column Impact Area: '{rec['priority_code']}' matches no priority of "
                                f"{fw.mission.code}; use the priority's number, code or name")
            rec["priority_code"] = code
        rec["decision"] = rec["decision"] or "Awaiting Review"
        if rec["decision"] not in DECISIONS:
            problems.append(f"row {line}, column Decision: '{rec['decision']}' is not one of {', '.join(DECISIONS)}")
        rec["progress"] = rec["progress"] or "Not Assigned"
        if rec["progress"] not in PROGRESS:
            problems.append(f"row {line}, column Implementation Progress: '{rec['progress']}' is not one of "
                            f"{', '.join(PROGRESS)}")
        if rec["target_date"]:
            parsed = _parse_date(rec["target_date"])
            if parsed is None:
                problems.append(f"row {line}, column Target Implementation Date: '{rec['target_date']}' is not a date "
                                "(write it as 2022-03-04 or 3/4/2022)")
            rec["target_date"] = parsed.date() if parsed else None
        records.append(rec)
    if problems:
        raise TrackerFileError(str(path), problems)
    return records
