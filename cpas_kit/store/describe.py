"""A store as a reader names it: ``the SQLite file cpas.sqlite`` or ``the PostgreSQL database cpas on hq-db``.

Documents (the study's About section, a pack's notes) say where their figures come from without a Python repr,
a full path or a connection string (never a password).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
_WORDS = {"en": ("the {kind} file {name}", "the {kind} database {name} on {host}", "the {kind} database {name}"),
          "fr": ("le fichier {kind} {name}", "la base {kind} {name} sur {host}", "la base {kind} {name}")}


def describe_store(url: str, language: str = "en", *, full_path: bool = False) -> str:
    """The store at ``url`` in a few words for a reader (file name only, or its whole path with ``full_path``
    for a terminal; host and database, never credentials)."""
    parsed = make_url(str(url))
    backend = parsed.get_backend_name()
    kind = _NAMES.get(backend, backend)
    file_words, host_words, plain_words = _WORDS.get(language, _WORDS["en"])
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            name = "(in memory)"
        else:
            name = str(Path(parsed.database)) if full_path else Path(parsed.database).name
        return file_words.format(kind=kind, name=name)
    name = parsed.database or ""
    return host_words.format(kind=kind, name=name, host=parsed.host) if parsed.host else \
        plain_words.format(kind=kind, name=name)
