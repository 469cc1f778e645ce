"""Admin-1 alias tables: the shipped one (``cpas_kit/data/admin1/admin1_aliases.yaml``), a mission's own
(``parameters/admin1_aliases/<MISSION>.yaml``) and one given for an import (``--aliases FILE``).

Each file is YAML keyed by country (ISO3); under it ``areas`` maps an area code to the names sources write for
it (``sources`` says where they come from). A user file may also map codes to names directly under the
country. Later files add to earlier ones.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from cpas_kit.core.errors import CpasError
from cpas_kit.core.paths import DATA_DIR, parameters_dir

SHIPPED = DATA_DIR / "admin1" / "admin1_aliases.yaml"


def mission_alias_file(mission: str) -> Path:
    """Where a mission's own alias table lives (it need not exist)."""
    return parameters_dir() / "admin1_aliases" / f"{mission}.yaml"


def _read(path: Path) -> dict:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise CpasError(f"The alias file {path} cannot be read ({exc.strerror}): check its name.") from None
    except yaml.YAMLError as exc:
        raise CpasError(f"The alias file {path} is not valid YAML ({str(exc).splitlines()[0]}): fix it and "
                        "try again.") from None
    if not isinstance(doc, dict):
        raise CpasError(f"The alias file {path} must map countries (e.g. CAF:) to their areas' names.")
    return doc


def load_aliases(country_iso3: str, mission: str | None = None, extra: str | Path | None = None
                 ) -> dict[str, list[str]]:
    """Area code → alias names for one country, from the shipped table, the mission's and ``extra``."""
    out: dict[str, list[str]] = {}
    files = [SHIPPED]
    if mission and mission_alias_file(mission).is_file():
        files.append(mission_alias_file(mission))
    if extra is not None:
        files.append(Path(extra))
    for path in files:
        section = _read(path).get(country_iso3) or {}
        areas = section.get("areas", {k: v for k, v in section.items() if k != "sources"})
        if not isinstance(areas, dict):
            raise CpasError(f"In {path}, {country_iso3}: 'areas' must map area codes to lists of names.")
        for code, names in areas.items():
            names = [names] if isinstance(names, str) else list(names or [])
            out.setdefault(str(code), []).extend(str(n) for n in names)
    return out
