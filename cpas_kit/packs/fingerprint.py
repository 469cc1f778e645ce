"""Fingerprints of a pack's inputs, so that a batch rebuilds only the packs whose inputs changed.

A pack's fingerprint is the SHA-256 of everything it is built from:

* the mission's rows in the store — every table with a ``mission_code`` (and the ``missions`` row itself),
  the rows of tables that hang under those through a foreign key (framework indicators under a framework
  version, workshop ratings under a session, …) and whole tables that belong to no mission (e.g. fatalities);
  rows of every period, so a late correction of an earlier quarter counts too;
* the pack notebook and the workbench itself (every file of the ``cpas_kit`` package: code, templates,
  labels, boundaries) and the versions of the libraries that draw and write the outputs;
* the pack parameters (mission, cycle, language, store, output folder) and whether documents are built.

The fingerprint errs on the side of rebuilding: a change anywhere in a mission's rows rebuilds its packs.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import sqlalchemy as sa

import cpas_kit
from cpas_kit.core.paths import notebooks_dir
from cpas_kit.core.settings import PackParameters
from cpas_kit.store import Store
from cpas_kit.store.schema import metadata

LIBRARIES = ("altair", "vl-convert-python", "pandas", "geopandas", "nbconvert", "papermill", "python-docx",
             "openpyxl", "jinja2", "babel")
MISSION_COLUMNS = ("mission_code",)


def _digest(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


@lru_cache(maxsize=1)
def software_fingerprint() -> str:
    """SHA-256 of the ``cpas_kit`` package's files and the versions of the libraries that render the outputs."""
    h = hashlib.sha256()
    root = Path(cpas_kit.__file__).parent
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    for lib in LIBRARIES:
        try:
            h.update(f"{lib}=={version(lib)}".encode())
        except PackageNotFoundError:
            h.update(f"{lib} absent".encode())
    return h.hexdigest()


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "absent"


def _mission_filter(table: sa.Table, mission: str) -> Any:
    """A WHERE clause keeping ``mission``'s rows of ``table``; ``None`` for a table of no mission."""
    if table.name == "missions":
        return table.c.code == mission
    for name in MISSION_COLUMNS:
        if name in table.c:
            return table.c[name] == mission
    for fk in table.foreign_keys:  # a child table: keep rows whose parent belongs to the mission
        parent = fk.column.table
        if any(name in parent.c for name in MISSION_COLUMNS) or parent.name == "missions":
            inner = _mission_filter(parent, mission)
            return fk.parent.in_(sa.select(fk.column).where(inner))
    return None


def store_fingerprint(store: Store, mission: str) -> str:
    """SHA-256 of every row of the store that a pack of ``mission`` may read (see the module docstring)."""
    h = hashlib.sha256()
    with store.engine.connect() as conn:
        existing = set(sa.inspect(conn).get_table_names())
        for table in metadata.sorted_tables:
            if table.name not in existing:
                continue
            query = sa.select(table)
            where = _mission_filter(table, mission)
            if where is not None:
                query = query.where(where)
            order = list(table.primary_key.columns) or list(table.c)
            h.update(table.name.encode() + b"\0")
            for row in conn.execute(query.order_by(*order)):
                h.update(repr(tuple(row)).encode() + b"\n")  # repr: exact, and faster than JSON
    return h.hexdigest()


def pack_fingerprint(params: PackParameters, *, documents: bool, store: Store | None = None) -> str:
    """The fingerprint of the pack ``params`` describes (see the module docstring)."""
    own = store is None
    store = store or Store(params.db_url or None)
    try:
        rows = store_fingerprint(store, params.mission)
    finally:
        if own:
            store.close()
    notebook = _file_digest(notebooks_dir() / "impact_assessment_pack.ipynb")
    return _digest({"store": rows, "software": software_fingerprint(), "notebook": notebook,
                    "parameters": params.model_dump(), "documents": documents})
