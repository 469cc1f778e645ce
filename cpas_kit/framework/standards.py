"""Common mandated areas and the catalogues of standard indicators (incl. the WPS indicator set).

Three YAML files under :func:`cpas_kit.core.paths.standards_dir` (shipped in ``cpas_kit/data/standards/``, see its
``PROVENANCE.md``):

* ``areas.yaml`` — the vocabulary of areas a study is run on (``poc``, ``policing``, ``wps``, …), EN/FR names;
* ``standard_indicators.yaml`` — indicators several missions measure the same way: code, names, definition,
  unit and the areas they speak to;
* ``wps_indicators.yaml`` — the WPS accountability framework's 15 core and 11 elective slots; slots the
  seeds do not document are ``to be completed by the user`` and cannot be mapped to until completed.

A mission maps one of its indicators with ``standard_code:`` in its framework; :func:`mapping_problems`
is what ``cpas framework validate`` says about such a mapping.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cpas_kit.core.errors import CpasError, pydantic_problems
from cpas_kit.core.limits import load_yaml
from cpas_kit.core.paths import standards_dir

TO_COMPLETE = "to be completed by the user"
WPS_AREA = "wps"
_PERCENT = {"percent", "%", "percentage", "per cent", "pct"}


class StandardsError(CpasError):
    """A catalogue file is missing or not valid; the message names the file and each problem."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Source(_Model):
    """Where an entry comes from: a document (for shipped entries, a seed file) and its words."""

    seed: str = Field(min_length=1)
    quote: str = Field(min_length=1)


class Area(_Model):
    """A common mandated area."""

    code: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    name: str = Field(min_length=1)
    name_fr: str = Field(min_length=1)

    def label(self, language: str = "en") -> str:
        """The area's name in ``language``."""
        return self.name_fr if language == "fr" else self.name


class Standard(_Model):
    """A standard indicator (or a WPS slot, which may still be empty)."""

    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=40)
    name: str | None = None
    name_fr: str | None = None
    definition: str | None = None
    unit: str | None = None
    areas: tuple[str, ...] = ()
    source: Source | None = None
    set: Literal["core", "elective"] | None = None  # WPS slots only
    set_confirmed: bool = True
    status: Literal["to be completed by the user"] | None = None

    @model_validator(mode="after")
    def _complete_or_empty(self) -> Standard:
        filled = [f for f in ("name", "name_fr", "definition", "unit", "source") if getattr(self, f) is not None]
        if self.status == TO_COMPLETE:
            if filled:
                raise ValueError(f"a slot {TO_COMPLETE} holds nothing but its code and set; remove the status line "
                                 f"once you fill in {', '.join(filled)}")
        elif len(filled) < 5:
            missing = sorted({"name", "name_fr", "definition", "unit", "source"} - set(filled))
            raise ValueError(f"needs {', '.join(missing)} (or `status: {TO_COMPLETE}` for an empty slot)")
        return self

    @property
    def is_defined(self) -> bool:
        """False for a WPS slot still to be completed."""
        return self.status is None

    @property
    def is_wps(self) -> bool:
        """True for an entry of the WPS indicator set."""
        return self.set is not None

    def label(self, language: str = "en") -> str:
        """The name in ``language`` (a slot to complete shows as such)."""
        if not self.is_defined:
            return f"{self.code} ({TO_COMPLETE})"
        return (self.name_fr or self.name or self.code) if language == "fr" else (self.name or self.code)


class Catalogue(_Model):
    """Areas, standard indicators and WPS slots, read together and cross-checked."""

    areas: tuple[Area, ...]
    standards: tuple[Standard, ...]
    wps: tuple[Standard, ...]

    def area(self, code: str) -> Area:
        """The area with ``code``; a :class:`StandardsError` naming the known ones otherwise."""
        for a in self.areas:
            if a.code == code:
                return a
        raise StandardsError(f"'{code}' is not a known mandated area; use one of {', '.join(self.area_codes())}")

    def area_codes(self) -> list[str]:
        """Codes of every area, in file order."""
        return [a.code for a in self.areas]

    def entries(self) -> tuple[Standard, ...]:
        """Standard indicators, then WPS slots."""
        return self.standards + self.wps

    def get(self, code: str) -> Standard | None:
        """The entry with ``code`` (standard or WPS), or None."""
        return next((s for s in self.entries() if s.code == code), None)

    def for_area(self, area: str) -> list[Standard]:
        """Defined entries that speak to ``area`` (for ``wps``: the WPS set too)."""
        self.area(area)
        out = [s for s in self.standards if area in s.areas]
        if area == WPS_AREA:
            out += [s for s in self.wps if s.is_defined]
        return out

    def areas_of(self, code: str) -> tuple[str, ...]:
        """The areas an entry speaks to (WPS slots: ``wps``)."""
        s = self.get(code)
        if s is None:
            return ()
        return tuple(dict.fromkeys((*s.areas, *((WPS_AREA,) if s.is_wps else ()))))


def _read(path: Path, key: str) -> list:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"), str(path))
    except FileNotFoundError:
        raise StandardsError(f"{path}: the catalogue file is missing (see cpas_kit/data/standards/)") from None
    except yaml.YAMLError as exc:
        raise StandardsError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise StandardsError(f"{path}: must be a mapping with a list under '{key}'")
    return data[key]


def _parse(model: type[BaseModel], items: list, path: Path) -> tuple:
    out, problems = [], []
    for i, item in enumerate(items):
        try:
            out.append(model.model_validate(item))
        except ValidationError as exc:
            code = item.get("code") if isinstance(item, dict) else None
            problems += [f"entry {i + 1}" + (f" ({code})" if code else "") + f": {p}" for p in pydantic_problems(exc)]
    if problems:
        raise StandardsError(f"{path}: " + "; ".join(problems))
    return tuple(out)


@lru_cache(maxsize=4)
def _load(folder: str) -> Catalogue:
    base = Path(folder)
    areas = _parse(Area, _read(base / "areas.yaml", "areas"), base / "areas.yaml")
    standards = _parse(Standard, _read(base / "standard_indicators.yaml", "standards"),
                       base / "standard_indicators.yaml")
    wps = _parse(Standard, _read(base / "wps_indicators.yaml", "wps"), base / "wps_indicators.yaml")
    problems: list[str] = []
    known = {a.code for a in areas}
    seen: set[str] = set()
    for s in standards + wps:
        if s.code in seen:
            problems.append(f"the code {s.code} is used twice")
        seen.add(s.code)
        problems += [f"{s.code}: area '{a}' is not in areas.yaml" for a in s.areas if a not in known]
    problems += [f"{s.code}: a standard indicator needs no `set` (that is for WPS slots)" for s in standards if s.set]
    problems += [f"{s.code}: every WPS slot needs `set: core` or `set: elective`" for s in wps if s.set is None]
    problems += [f"{s.code}: a standard indicator cannot be a slot {TO_COMPLETE}" for s in standards
                 if not s.is_defined]
    if WPS_AREA not in known:
        problems.append(f"areas.yaml must list the area '{WPS_AREA}'")
    if problems:
        raise StandardsError(f"{base}: " + "; ".join(problems))
    return Catalogue(areas=areas, standards=standards, wps=wps)


def catalogue() -> Catalogue:
    """The catalogue in use (``$CPAS_STANDARDS_DIR`` or the shipped one), read once per folder."""
    return _load(str(standards_dir()))


def _unit(text: str) -> str:
    u = " ".join(str(text).lower().split())
    return "percent" if u in _PERCENT else u


def mapping_problems(standard_code: object, unit: object) -> list[str]:
    """What is wrong with mapping an indicator of ``unit`` to ``standard_code`` (empty when it is fine)."""
    if not isinstance(standard_code, str):
        return [] if standard_code is None else [f"{standard_code!r} is not a standard code"]
    cat = catalogue()
    entry = cat.get(standard_code)
    if entry is None:
        return [(f"'{standard_code}' is not in the standard-indicator catalogues (standard_indicators.yaml, "
                 "wps_indicators.yaml); use a listed code or add the standard there with its source")]
    if not entry.is_defined:
        return [(f"'{standard_code}' is a WPS slot still {TO_COMPLETE}: complete it in wps_indicators.yaml "
                 "(name, definition, unit, source) before mapping an indicator to it")]
    if isinstance(unit, str) and _unit(unit) != _unit(entry.unit or ""):
        return [(f"'{standard_code}' ({entry.name}) is measured in {entry.unit}, this indicator in {unit}: "
                 "map only an indicator that measures the same thing in the same unit")]
    return []
