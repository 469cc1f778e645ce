"""The one Jinja environment of the workbench: every HTML template under ``cpas_kit/templates/``, autoescaped.

Text from the store (a recommendation, an analysis, a stakeholder's agenda) is always shown as text, never run
as markup. Templates are named from the templates folder, e.g. ``report/indicator.html.j2``. A missing value
(``None``, ``NaN``, ``NaT``) prints as nothing, never as ``None`` or ``nan``.
"""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, FileSystemLoader, Template, select_autoescape

from cpas_kit.core.frames import is_missing
from cpas_kit.core.paths import TEMPLATES_DIR


def _finalize(value: object) -> object:
    """What ``{{ … }}`` prints: nothing for a missing value."""
    return "" if is_missing(value) else value


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The shared environment (autoescaping on, blocks trimmed, missing values printed as nothing)."""
    return Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       trim_blocks=True, lstrip_blocks=True, finalize=_finalize)


def template(name: str) -> Template:
    """A template by its name under ``cpas_kit/templates/`` (e.g. ``study/table.html.j2``)."""
    return environment().get_template(name)
