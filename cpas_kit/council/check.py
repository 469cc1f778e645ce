"""``cpas report check``: classify every paragraph of a report against the mission's store and count the share informed.

:func:`check_report` reads the report (:mod:`~cpas_kit.council.paragraphs`), finds its language, date, title and
reporting period, matches every paragraph (:mod:`~cpas_kit.council.matching`) and returns a :class:`ReportCheck`;
:meth:`ReportCheck.summary` is the ``--json`` interface. :mod:`cpas_kit.council.outputs` writes the HTML and Excel
files; :func:`record_check` keeps the share in the store for the trend over reports.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cpas_kit.core.errors import CpasError
from cpas_kit.core.paths import default_actor
from cpas_kit.core.periods import Period
from cpas_kit.council.figures import MONTHS, fold, time_references
from cpas_kit.council.matching import Matcher, ParagraphResult
from cpas_kit.council.paragraphs import Block, read_report
from cpas_kit.council.sources import load_series
from cpas_kit.council.store import CouncilStore
from cpas_kit.framework.model import framework_from_document
from cpas_kit.store import Store

_EN = {"the", "and", "of", "to", "in", "was", "were", "with", "by", "that", "has", "have", "during"}
_FR = {"le", "la", "les", "des", "et", "du", "au", "aux", "dans", "par", "pour", "une", "est", "ont", "sur"}
_DATE = re.compile(rf"\b(\d{{1,2}})(?:er)?\s+({'|'.join(MONTHS)})\s+(\d{{4}})\b")


class ReportCheckError(CpasError):
    """The report cannot be checked (unknown mission, unreadable file, a period that is not one)."""


@dataclass
class ParagraphCheck:
    """One paragraph of the report and its class."""

    block: Block
    result: ParagraphResult


@dataclass
class ReportCheck:
    """A report checked against one mission's store."""

    mission: str
    mission_name: str
    title: str
    report_date: date | None
    cycle: Period | None
    language: str
    file_name: str
    file_sha256: str
    tolerance: float
    blocks: list[Block]
    paragraphs: list[ParagraphCheck] = field(default_factory=list)
    is_synthetic: bool = False

    def summary(self) -> dict[str, Any]:
        """Counts, shares and findings: the ``--json`` interface of ``cpas report check``."""
        paras = self.paragraphs
        operative = [p for p in paras if p.block.is_operative]
        counts = {c: sum(p.result.cls == c for p in paras) for c in ("informed", "could_be_informed", "contradicts")}
        informed_op = sum(p.result.cls == "informed" for p in operative)
        return {
            "paragraphs": len(paras), "operative": len(operative), **counts,
            "share_informed": round(counts["informed"] / len(paras), 4) if paras else None,
            "share_informed_operative": round(informed_op / len(operative), 4) if operative else None,
            "findings": self.findings(),
        }

    def findings(self) -> list[dict[str, Any]]:
        """One row per figure matched or contradicted, and per candidate figure of a paragraph that could use one."""
        out = []
        for p in self.paragraphs:
            for m in p.result.matches:
                out.append({
                    "paragraph": p.block.number if p.block.number is not None else p.block.label,
                    "class": m.cls, "figure": m.figure.text if m.figure is not None else None,
                    "text": m.figure.sentence if m.figure is not None else p.block.text[:300],
                    "indicator_code": m.series.code, "period": m.value.period or None,
                    "stored_value": m.value.value, "source": m.value.source,
                    "indicator_name": m.series.name, "kind": m.series.kind, "cell": m.value.cell or None,
                    "verification_status": m.value.status, "is_synthetic": m.value.is_synthetic,
                    "operative": p.block.is_operative,
                })
        return out


def detect_language(blocks: list[Block]) -> str:
    """``fr`` when French function words outnumber English ones in the report's paragraphs, else ``en``."""
    words = [fold(w) for b in blocks[:80] for w in re.findall(r"[^\W\d_]+", b.text)]
    return "fr" if sum(w in _FR for w in words) > sum(w in _EN for w in words) else "en"


def report_date(blocks: list[Block], path: Path) -> date | None:
    """The date printed at the top of the report (e.g. ``Distr.: General 2 November 2021``), if any."""
    for b in blocks[:12]:
        if m := _DATE.search(fold(b.text)):
            try:
                return date(int(m.group(3)), MONTHS[m.group(2)], int(m.group(1)))
            except ValueError:
                continue
    return None


def report_title(blocks: list[Block], path: Path) -> str:
    """The report's title: its "Report of the Secretary-General on …" line, else its first heading, else the file."""
    heads = [b.text for b in blocks[:20] if b.kind == "heading"]
    for h in heads:
        f = fold(h)
        if ("report" in f or "rapport" in f) and len(h) > 12:
            return h.rstrip("*").strip()
    return heads[0] if heads else path.stem


def infer_cycle(blocks: list[Block], issued: date | None) -> Period | None:
    """The quarter the report covers: where the first span "from 1 April to 30 June 2024" it states near its top
    ends, else the quarter a month before its date."""
    for b in blocks[:12]:
        for ref in time_references(b.text):
            if "range" in ref.tags and (ref.end - ref.start).days >= 27:
                return Period.containing(ref.end, "quarter")
    return Period.containing(issued - timedelta(days=40), "quarter") if issued else None


def check_report(store: Store, path: str | Path, mission: str, *, cycle: str | None = None,
                 language: str | None = None, tolerance: float = 0.0) -> ReportCheck:
    """Check a report against ``mission``'s store; nothing is written (see :func:`record_check`)."""
    p = Path(path)
    meta = store.framework_version_for(mission)  # NotFoundError names the missions in the store
    fw = framework_from_document(json.loads(meta["content"]))
    if not 0 <= tolerance < 1:
        raise ReportCheckError(f"a tolerance of {tolerance} is not usable: give a share between 0 and 1, "
                               "e.g. 0.05 for 5 %")
    blocks = read_report(p)
    lang = language or detect_language(blocks)
    issued = report_date(blocks, p)
    period = Period.parse(cycle) if cycle else infer_cycle(blocks, issued)
    series = load_series(store, mission, lang, fw)
    matcher = Matcher(series, language=lang, cycle=period, tolerance=tolerance)
    out = ReportCheck(mission=mission, mission_name=fw.mission.label(lang), title=report_title(blocks, p),
                      report_date=issued, cycle=period, language=lang, file_name=p.name,
                      file_sha256=hashlib.sha256(p.read_bytes()).hexdigest(), tolerance=tolerance, blocks=blocks)
    for b in blocks:
        if b.kind == "paragraph":
            out.paragraphs.append(ParagraphCheck(b, matcher.paragraph(b.text)))
    out.is_synthetic = fw.mission.is_fictional or any(
        m.value.is_synthetic for pc in out.paragraphs for m in pc.result.matches)
    return out


def record_check(store: Store, check: ReportCheck, *, actor: str | None = None) -> int:
    """Keep the report's title, date and share in the store (the trend over reports)."""
    s = check.summary()
    return CouncilStore(store).record_check(
        check.mission, title=check.title, report_date=check.report_date,
        cycle=str(check.cycle) if check.cycle else None, language=check.language, file_name=check.file_name,
        file_sha256=check.file_sha256, summary=s, is_synthetic=check.is_synthetic, actor=actor or default_actor())
