"""Saving an edited results framework: the checks a new framework version must pass, and small edits.

The framework workbook import (:mod:`cpas_kit.framework.workbook`) and the framework-editing view of the
context-mapping app save through :func:`save_edited_framework`: the document is validated exactly like a
YAML file, the version cannot take effect before the latest one (cycles already assessed keep their
framework), and every problem is reported at once.
"""

from __future__ import annotations

import copy
import re
from datetime import date
from typing import Any

from cpas_kit.core.errors import CpasError, FrameworkError, PeriodError
from cpas_kit.core.periods import Period
from cpas_kit.framework.model import Framework, parse_framework


class FrameworkRejected(CpasError):
    """An edited framework is not valid; ``problems`` lists every problem as ``(path, message)``."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the results framework, nothing was saved: "
                         + "; ".join(f"{p}: {m}" for p, m in problems))


PATH_RE = re.compile(r"\b(?:priorities|sections|disaggregations|stakeholders)\[\d+\](?:\.\w+\[\d+\])*")
_KINDS = {"priorities": "priority", "outcomes": "outcome", "indicators": "indicator", "outputs": "output",
          "targets": "target", "sections": "section", "disaggregations": "disaggregation",
          "stakeholders": "stakeholder"}


def validate_document(doc: dict[str, Any]) -> tuple[Framework | None, list[tuple[str, str]]]:
    """The framework, or every problem as ``(path, message)`` — the same checks as a YAML file."""
    try:
        return parse_framework(doc, "<framework>"), []
    except FrameworkError as exc:
        return None, [tuple(p.split(": ", 1)) if ": " in p else ("(top level)", p) for p in exc.problems]


def name_paths(doc: dict[str, Any], message: str) -> str:
    """``… already used at priorities[0].outcomes[0].indicators[0]`` → ``… already used at indicator SEC-01``."""
    def named(match: re.Match[str]) -> str:
        item: Any = doc
        for part in match.group(0).split("."):
            key, index = part[:-1].split("[")
            try:
                item = item[key][int(index)]
            except (KeyError, IndexError, TypeError):
                return match.group(0)
        code = item.get("code") or item.get("period") if isinstance(item, dict) else None
        return f"{_KINDS.get(key, key)} {code}" if code else match.group(0)

    return PATH_RE.sub(named, message)


def effective_from_problem(store: Any, fw: Framework, effective_from: str) -> str | None:
    """Why a new version of ``fw`` cannot take effect from ``effective_from`` (None when it can)."""
    try:
        eff = Period.parse(effective_from)
    except PeriodError as exc:
        return str(exc)
    if eff.kind != fw.mission.cycle_kind:
        return f"{fw.mission.code} works by {fw.mission.cycle_kind}: '{effective_from}' is a {eff.kind}"
    if fw.mission.code in store.mission_codes():
        latest = store.framework_version_for(fw.mission.code)
        if latest["content_hash"] != fw.content_hash() and eff < Period.parse(latest["effective_from"]):
            return (f"version {latest['version']} is already in force from {latest['effective_from']}: a new version "
                    f"cannot start earlier ({eff}), or cycles already assessed would change framework")
    return None


def default_effective_from(fw: Framework, today: date | None = None) -> str:
    """The cycle in progress today (the default ``--effective-from``)."""
    return str(Period.containing(today or date.today(), fw.mission.cycle_kind))


def save_edited_framework(store: Any, doc: dict[str, Any], *, effective_from: str, actor: str,
                          source: str) -> tuple[int, bool]:
    """Validate an edited framework document and save it from ``effective_from``; (version, created).

    Raises :class:`FrameworkRejected` listing every problem (nothing is saved then).
    """
    fw, problems = validate_document(doc)
    if fw is not None:
        why = effective_from_problem(store, fw, effective_from)
        if why:
            problems.append(("effective_from", why))
    if problems or fw is None:
        raise FrameworkRejected([(path, name_paths(doc, message)) for path, message in problems])
    before = store.framework_versions(fw.mission.code) if fw.mission.code in store.mission_codes() else None
    version = store.save_framework(fw, effective_from=str(Period.parse(effective_from)), actor=actor, source=source)
    return version, before is None or version not in set(before["version"])


def add_indicator(fw: Framework, outcome: str, indicator: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``fw``'s document with ``indicator`` (a framework indicator mapping) added under ``outcome``."""
    doc = copy.deepcopy(fw.to_document())
    for p in doc["priorities"]:
        for o in p["outcomes"]:
            if o["code"] == outcome:
                o.setdefault("indicators", []).append(indicator)
                return doc
    why = f"'{outcome}' is not an intended outcome of the {fw.mission.code} framework"
    raise FrameworkRejected([("outcome", why)])


def set_target(fw: Framework, indicator: str, period: str, value: float | None, text: str | None) -> dict[str, Any]:
    """A copy of ``fw``'s document with the target of ``indicator`` for ``period`` set (added when missing)."""
    doc = copy.deepcopy(fw.to_document())
    for p in doc["priorities"]:
        for o in p["outcomes"]:
            for i in o.get("indicators", []):
                if i["code"] != indicator:
                    continue
                target = {k: v for k, v in (("period", period), ("value", value), ("text", text)) if v is not None}
                for n, existing in enumerate(i.get("targets", [])):
                    if _same_period(existing.get("period"), period):
                        i["targets"][n] = target
                        return doc
                i.setdefault("targets", []).append(target)
                i["targets"].sort(key=lambda tg: _period_key(tg.get("period")))
                return doc
    raise FrameworkRejected([("indicator", f"'{indicator}' is not an indicator of the {fw.mission.code} framework")])


def _same_period(a: Any, b: Any) -> bool:
    try:
        return Period.parse(a) == Period.parse(b)
    except PeriodError:
        return a == b


def _period_key(text: Any) -> Any:
    try:
        return (0, Period.parse(text).start)
    except PeriodError:
        return (1, date.max)

