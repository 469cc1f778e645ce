"""Every path the workbench uses, from one place.

Nothing else in cpas_kit builds paths by hand. The project root is, in order: the ``CPAS_HOME``
environment variable, the checkout that holds this package (a folder with ``pyproject.toml`` next to
``cpas_kit/``), or the current working directory.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from cpas_kit.core.errors import CpasError
from cpas_kit.core.periods import Period

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PACKAGE_DIR / "data"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
MIGRATIONS_DIR = PACKAGE_DIR / "store" / "migrations"
MISSIONS_DATA_DIR = DATA_DIR / "missions"
BOUNDARIES_DIR = DATA_DIR / "boundaries"
DEMO_DIR = DATA_DIR / "demo"
WORLDBANK_DIR = DATA_DIR / "worldbank"
STANDARDS_DIR = DATA_DIR / "standards"


_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")


class UnsafePathError(CpasError):
    """A code or name would make the workbench write outside the folder it should."""


def code_problem(code: object, what: str = "mission code") -> str | None:
    """Why ``code`` cannot name a mission (or another folder), or ``None``: the framework's rule for codes."""
    if not isinstance(code, str) or not _CODE_RE.match(code) or ".." in code:
        shown = repr(code) if not isinstance(code, str) else "'" + code[:60].encode("unicode_escape").decode() + "'"
        return (f"{shown} is not a usable {what}: use letters, digits, '-', '_' or '.', start with a letter or "
                "digit, no spaces, no '/' and no '..', at most 40 characters")
    return None


def safe_segment(code: object, what: str = "mission code") -> str:
    """``code`` when it can be one folder or file name under an outputs folder; else :class:`UnsafePathError`."""
    why = code_problem(code, what)
    if why:
        raise UnsafePathError(why)
    return str(code)


def within(root: "str | Path", path: "str | Path") -> Path:
    """``path`` (resolved) when it lies inside ``root``; else :class:`UnsafePathError` naming both."""
    base, target = Path(root).resolve(), Path(path).resolve()
    if target != base and base not in target.parents:
        raise UnsafePathError(f"{target} is outside {base}, where the workbench writes these files; "
                              "choose a file inside that folder")
    return target


def project_root() -> Path:
    """The project folder: ``$CPAS_HOME``, else the checkout holding cpas_kit, else the cwd."""
    env = os.environ.get("CPAS_HOME")
    if env:
        return Path(env).expanduser().resolve()
    checkout = PACKAGE_DIR.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "notebooks").is_dir():
        return checkout
    return Path.cwd().resolve()


def notebooks_dir() -> Path:
    """Where the pack notebooks and Voila apps live."""
    return project_root() / "notebooks"


def parameters_dir() -> Path:
    """Where the per-mission parameter YAML files live."""
    return project_root() / "parameters"


def outputs_dir() -> Path:
    """Root of all generated packs (``outputs/<MISSION>/<CYCLE>/``)."""
    return Path(os.environ.get("CPAS_OUTPUTS", project_root() / "outputs")).expanduser().resolve()


def state_dir() -> Path:
    """Local working state that is not a pack: the default SQLite store and caches (git-ignored)."""
    return project_root() / ".cpas"


def default_store_path() -> Path:
    """The embedded SQLite store used when ``CPAS_DB_URL`` is not set."""
    return state_dir() / "cpas.sqlite"


def default_db_url() -> str:
    """The store URL: ``$CPAS_DB_URL`` or the embedded SQLite file."""
    return os.environ.get("CPAS_DB_URL") or f"sqlite:///{default_store_path()}"


def cache_dir() -> Path:
    """Cache for expensive, reproducible artefacts (e.g. the inlined Vega JavaScript bundle)."""
    return state_dir() / "cache"


def pack_dir(mission: str, cycle: str, root: Path | None = None) -> Path:
    """``outputs/<MISSION>/<CYCLE>/`` for one mission and cycle (not created)."""
    base = root or outputs_dir()
    return within(base, base / safe_segment(mission) / Period.parse(cycle).slug)


def data_entry_file(mission: str, cycle: str, language: str = "en") -> Path:
    """Default place of a data-entry workbook: ``outputs/<MISSION>/<CYCLE>/data_entry_<MISSION>_<CYCLE>_<lang>.xlsx``."""  # noqa: E501
    d = pack_dir(mission, cycle)
    return within(d, d / f"data_entry_{mission}_{d.name}_{safe_segment(language, 'language code')}.xlsx")


def default_actor() -> str:
    """Who is recorded as doing a change when no ``--by`` is given: ``$CPAS_USER``, else the login name."""
    import getpass

    try:
        return os.environ.get("CPAS_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown user"


def mission_parameters_file(mission: str) -> Path:
    """``parameters/<MISSION>.yaml``."""
    return within(parameters_dir(), parameters_dir() / f"{safe_segment(mission)}.yaml")


def standards_dir() -> Path:
    """The standard-indicator catalogues: ``$CPAS_STANDARDS_DIR`` (a completed copy), else the shipped ones."""
    env = os.environ.get("CPAS_STANDARDS_DIR")
    return Path(env).expanduser().resolve() if env else STANDARDS_DIR


def study_dir(area: str, first: str, last: str, root: Path | None = None) -> Path:
    """``outputs/studies/<area>_<from>_<to>/`` for one cross-mission study (not created)."""
    base = (root or outputs_dir()) / "studies"
    return within(base, base / f"{safe_segment(area, 'area code')}_{Period.parse(first).slug}_"
                              f"{Period.parse(last).slug}")


def boundaries_file(name: str) -> Path:
    """A boundary file shipped with the package (e.g. ``CAF_adm1.geojson``)."""
    return BOUNDARIES_DIR / name
