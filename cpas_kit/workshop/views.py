"""What participants look at during a workshop: each outcome's indicators (status, trend, breakdowns, map),
drawn once per session and language and kept as static HTML with inline SVG charts.

Thirty participants are thirty Voila kernels on one laptop, so the participant app must not import
Altair, GeoPandas or vl-convert, nor redraw the same charts thirty times. The first process that needs
an outcome's view (``cpas workshop start``, ``cpas workshop serve``, the facilitator app, or failing
those a participant) builds every outcome of the session at once, with the same builders as the pack
(:func:`cpas_kit.packs.sections.indicator_parts`), under a file lock so simultaneous arrivals build it once;
the others wait for the lock and then read the files.

The files live in ``.cpas/cache/workshop/<CODE>/<language>-<fingerprint>/<outcome>.html``. The
fingerprint covers the framework version of the session and the newest entry or verification of the
mission's indicator values, so a value corrected during the session is drawn at the next build (a
participant sees it after reloading the page), while an unchanged store reuses the files.
"""

from __future__ import annotations

import fcntl
import hashlib
import html
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from cpas_kit.core.i18n import t
from cpas_kit.core.paths import TEMPLATES_DIR, cache_dir, safe_segment, within
from cpas_kit.store import Store
from cpas_kit.store.engine import read
from cpas_kit.store.schema import observations
from cpas_kit.workshop.store import WorkshopStore

VIEW_CSS_FILE = TEMPLATES_DIR / "pack.css"


def views_root() -> Path:
    """Where workshop views are cached."""
    return cache_dir() / "workshop"


def fingerprint(store: Store, session: dict[str, Any]) -> str:
    """A short hash of what the views show: framework version, latest value entered or verified."""
    o = observations.c
    with read(store.engine) as conn:
        latest = conn.execute(select(func.max(o.entered_at), func.max(o.verified_at), func.count())
                              .where(o.mission_code == session["mission"])).one()
    text = "|".join(str(x) for x in (session["mission"], session["cycle"], session["framework_version"], *latest))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _folder(session: dict[str, Any], language: str, digest: str, root: Path | None) -> Path:
    base = root or views_root()
    return within(base, base / safe_segment(session["code"], "session code") / f"{language}-{digest}")


def _file(folder: Path, outcome: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in outcome)
    return folder / f"{safe}.html"


def build_views(store: Store, code: str, language: str = "en", *, root: Path | None = None) -> Path:
    """Draw every outcome of session ``code`` in ``language`` (if not drawn yet); return the views folder."""
    session = WorkshopStore(store).workshop_session(code)
    folder = _folder(session, language, fingerprint(store, session), root)
    order = session["outcome_order"]
    if all(_file(folder, o).exists() for o in order):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder; the others wait here, then find the files
        try:
            missing = [o for o in order if not _file(folder, o).exists()]
            if missing:
                for outcome, page in _draw(store, session, missing, language):
                    _write_atomically(_file(folder, outcome), page)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return folder


# The views folder each process has found, by (store, session, language, root). Finding it costs a
# fingerprint query over the mission's observations (0.8 s for a mission of 840,000 values): a participant's
# page pays it once, not at every change of outcome; a reload finds values corrected since.
_FOLDERS: dict[tuple[str, str, str, str], Path] = {}


def outcome_view(store: Store, code: str, outcome: str, language: str = "en", *, root: Path | None = None) -> str:
    """The HTML of one outcome's view (built for the whole session first if needed)."""
    key = (store.engine.url.render_as_string(hide_password=True), code, language, str(root))
    folder = _FOLDERS.get(key)
    if folder is None or not _file(folder, outcome).exists():
        folder = _FOLDERS[key] = build_views(store, code, language, root=root)
    return _file(folder, outcome).read_text(encoding="utf-8")


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".html")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(tmp, path)


def _draw(store: Store, session: dict[str, Any], outcomes: Iterable[str], language: str) -> Iterable[tuple[str, str]]:
    """Each outcome's view as an HTML page fragment: the pack's indicator blocks, charts as inline SVG."""
    # Imported here, not at the top: participant kernels import this module to read the drawn views, and must
    # not pay for the chart stack (Altair, vl-convert, GeoPandas) that only drawing the views needs.
    from cpas_kit.analysis.charts import inline_svg
    from cpas_kit.analysis.evidence import load_evidence
    from cpas_kit.analysis.views import indicator_parts
    from cpas_kit.data_in.boundaries import framework_coded, mission_areas

    ctx = load_evidence(store, session["mission"], session["cycle"], language)
    fw = ctx.framework
    areas = framework_coded(mission_areas(store, session["mission"]), fw.mission.geography)  # registered first
    status = ctx.status.set_index("indicator_code")
    outcomes_by_code = {o.code: o for _, o in fw.outcomes()}
    css = VIEW_CSS_FILE.read_text(encoding="utf-8")
    banner = f'<p class="cpas-synthetic">{html.escape(t("synthetic_banner", language))}</p>' if ctx.is_synthetic else ""
    for outcome in outcomes:
        o = outcomes_by_code.get(outcome)
        parts = [f"<style>{css}</style>", banner]
        if o is None or not o.indicators:
            parts.append(f"<p>{html.escape(t('ws_no_indicators', language))}</p>")
        else:
            for k, ind in enumerate(o.indicators):
                for j, part in enumerate(indicator_parts(ctx, ind, status.loc[ind.code], areas)):
                    if hasattr(part, "to_dict"):
                        parts.append(f'<div class="cpas-ws-chart">{inline_svg(part, f"ws-{k}-{j}")}</div>')
                    else:
                        parts.append(part.data)  # the pack's Jinja templates, autoescaped
        yield outcome, "\n".join(parts)
