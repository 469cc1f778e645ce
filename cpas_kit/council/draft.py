"""``cpas report draft``: data-based paragraphs for the report to the Security Council, each sentence traceable.

One numbered paragraph per priority (its strategic indicators) and one per outcome with data (its other indicators),
in the register UN reports use ("During the reporting period, the number of conflict-related civilian deaths
decreased to 58, from 67 in the previous quarter."), in English or French. Only verified values are used unless
``include_unverified`` (then the others are marked). Every sentence carries a Word comment naming indicator, period,
cell, source and verification status, and an outcome's first sentence the agreed analysis of the impact assessment
where one exists. Figures of a fictional mission are labelled synthetic in the title, the page header and each
comment. A draft checked by ``cpas report check`` is informed by data throughout and contradicts nothing.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from babel.dates import format_date

from cpas_kit.core.errors import CpasError
from cpas_kit.core.i18n import t
from cpas_kit.core.periods import Period
from cpas_kit.council.outputs import fmt_value
from cpas_kit.data_in.store import ObservationStore
from cpas_kit.framework.model import Framework, Indicator, framework_from_document
from cpas_kit.store import Store
from cpas_kit.workshop.store import WorkshopStore

_PERCENT = {"percent", "%", "percentage", "share", "pourcentage"}


class DraftError(CpasError):
    """A draft cannot be written (unknown mission or cycle, or a file that cannot be written)."""


@dataclass
class Sentence:
    """One drafted sentence and the note that traces it."""

    text: str
    comment: str


def _lower_first(name: str) -> str:
    """``Conflict-related civilian deaths`` → ``conflict-related civilian deaths`` (acronyms such as NAF kept)."""
    return name if name[1:2].isupper() else name[:1].lower() + name[1:]


def _subject_en(ind: Indicator) -> str:
    name = _lower_first(ind.name)
    if ind.unit.strip().lower() in _PERCENT:
        if name.split()[0] in ("percentage", "share", "proportion") or " rate" in f" {name}":
            return f"the {name}"
        return f"the share of {name}"
    return f"the number of {name}"


def _figure(value: float, ind: Indicator, language: str) -> str:
    shown = fmt_value(value, language)
    if ind.unit.strip().lower() in _PERCENT:
        return f"{shown}\u00a0%" if language == "fr" else f"{shown} per cent"
    return shown


def _sentence_en(ind: Indicator, now: float, before: float | None) -> str:
    subject, v = _subject_en(ind), _figure(now, ind, "en")
    if before is None:
        return f"During the reporting period, {subject} stood at {v}."
    b = _figure(before, ind, "en")
    if now == before:
        return f"During the reporting period, {subject} remained at {v}, as in the previous quarter."
    verb = "increased" if now > before else "decreased"
    return f"During the reporting period, {subject} {verb} to {v}, from {b} in the previous quarter."


def _sentence_fr(ind: Indicator, now: float, before: float | None) -> str:
    subject = f"la valeur de l'indicateur « {ind.label('fr')} »"
    v = _figure(now, ind, "fr")
    if before is None:
        return f"Au cours de la période considérée, {subject} s'est établie à {v}."
    b = _figure(before, ind, "fr")
    if now > before:
        return f"Au cours de la période considérée, {subject} a augmenté pour s'établir à {v}, contre {b} au " \
               "trimestre précédent."
    if now < before:
        return f"Au cours de la période considérée, {subject} a diminué pour s'établir à {v}, contre {b} au " \
               "trimestre précédent."
    return f"Au cours de la période considérée, {subject} est restée stable à {v}, comme au trimestre précédent."


def _status_word(status: str, language: str) -> str:
    return t("verified", language) if status == "verified" else t("entered", language)


def _comment(ind: Indicator, cycle: Period, now: dict[str, Any], before: dict[str, Any] | None,
             language: str) -> str:
    parts = [f"{t('indicator', language)} {ind.code} — {ind.label(language)}",
             f"{t('period', language)}: {cycle}" + (f" ({fmt_value(now['value'], language)}); "
                                                     f"{cycle.previous()} ({fmt_value(before['value'], language)})"
                                                     if before is not None else ""),
             f"{t('rc_cell', language)}: {t('rc_total', language)}",
             f"{t('source', language)}: {now['source'] or '—'}",
             f"{t('verification', language)}: {_status_word(now['verification_status'], language)}"
             + (f" / {_status_word(before['verification_status'], language)}" if before is not None else "")]
    if now["is_synthetic"]:
        parts.append(t("synthetic", language).upper())
    return " · ".join(parts)


def _usable(frame: pd.DataFrame, include_unverified: bool) -> dict[tuple[str, str], dict[str, Any]]:
    ok = frame["value"].notna() & (frame["verification_status"] != "rejected")
    if not include_unverified:
        ok &= frame["verification_status"] == "verified"
    return {(r["indicator_code"], r["period"]): r for r in frame[ok].to_dict("records")}


def draft_paragraphs(store: Store, mission: str, cycle: str, *, language: str = "en",
                     include_unverified: bool = False) -> tuple[Framework, list[tuple[str, list[Sentence]]]]:
    """The framework and, in order, ``(heading, sentences)`` of each paragraph (heading "" for an outcome's)."""
    period = Period.parse(cycle)
    fw = framework_from_document(json.loads(store.framework_version_for(mission, str(period))["content"]))
    frame = ObservationStore(store).observations(mission, periods=[str(period), str(period.previous())],
                                                 totals_only=True)
    values = _usable(frame, include_unverified)
    analysis = {r["outcome_code"]: r["analysis"] for r in
                WorkshopStore(store).agreed_results(mission, str(period)).to_dict("records") if r.get("analysis")}
    out: list[tuple[str, list[Sentence]]] = []
    for p in fw.priorities:
        strategic: list[Sentence] = []
        outcomes: list[list[Sentence]] = []
        for o in p.outcomes:
            mine: list[Sentence] = []
            for ind in o.indicators:
                s = _indicator_sentence(ind, period, values, language)
                if s is None:
                    continue
                (strategic if ind.level == "strategic" else mine).append(s)
            if mine and o.code in analysis:
                mine[0].comment += f"\n{t('rd_analysis', language)} ({o.code}): {analysis[o.code]}"
            if mine:
                outcomes.append(mine)
        if strategic or outcomes:
            out.append((p.label(language), strategic))
            out += [("", sentences) for sentences in outcomes]
    return fw, [(h, s) for h, s in out if s or h]


def _indicator_sentence(ind: Indicator, period: Period, values: dict[tuple[str, str], dict[str, Any]],
                        language: str) -> Sentence | None:
    if ind.kind != "quantitative":
        return None
    now = values.get((ind.code, str(period)))
    if now is None:
        return None
    before = values.get((ind.code, str(period.previous())))
    make = _sentence_fr if language == "fr" else _sentence_en
    text = make(ind, float(now["value"]), float(before["value"]) if before is not None else None)
    if now["verification_status"] != "verified" or (before is not None and before["verification_status"] != "verified"):
        text = f"{text} {t('rd_unverified', language)}"
    return Sentence(text, _comment(ind, period, now, before, language))


def _span(period: Period, language: str) -> str:
    loc = "fr_FR" if language == "fr" else "en_GB"
    first = format_date(period.start, format="d MMMM", locale=loc)
    last = format_date(period.end, format="d MMMM y", locale=loc)
    if language == "fr":
        first = first.replace("1 ", "1er ", 1) if first.startswith("1 ") else first
        return f"période du {first} au {last}"
    return f"covering the period from {first} to {last}"


def write_draft(store: Store, mission: str, cycle: str, path: str | Path, *, language: str = "en",
                include_unverified: bool = False) -> dict[str, Any]:
    """Write the draft as a Word file (atomically); return its path and counts."""
    import docx  # only drafts need python-docx (start-up time of the other commands)

    out = Path(path)
    if out.suffix.lower() != ".docx":
        raise DraftError(f"the draft is a Word file: give a file name ending in .docx, not {out.name}")
    period = Period.parse(cycle)
    fw, paragraphs = draft_paragraphs(store, mission, str(period), language=language,
                                      include_unverified=include_unverified)
    synthetic = fw.mission.is_fictional
    doc = docx.Document()
    header = doc.sections[0].header.paragraphs[0]
    header.text = t("rd_intro", language).format(cycle=str(period)) + (
        f" {t('rd_synthetic_title', language)}." if synthetic else "")
    colon = " : " if language == "fr" else ": "
    title = f"{t('rd_title', language)}{colon}{fw.mission.label(language)}, {_span(period, language)}"
    doc.add_heading(title + (f" — {t('rd_synthetic_title', language)}" if synthetic else ""), level=1)
    number, sentences = 0, 0
    for heading, items in paragraphs:
        if heading:
            doc.add_heading(heading, level=2)
        if not items:
            continue
        number += 1
        para = doc.add_paragraph()
        para.add_run(f"{number}.\t")
        for i, s in enumerate(items):
            run = para.add_run(s.text + (" " if i < len(items) - 1 else ""))
            doc.add_comment(run, text=s.comment, author="CPAS Workbench", initials="CPAS")
            sentences += 1
    if number == 0:
        doc.add_paragraph(t("rd_nothing", language).format(cycle=str(period)))
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".tmp-", suffix=".docx")
    os.close(fd)
    try:
        doc.save(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes the file private; a draft is shared like any other file
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return {"path": out, "paragraphs": number, "sentences": sentences, "is_synthetic": synthetic}
