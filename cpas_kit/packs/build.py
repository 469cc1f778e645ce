"""Building packs: running the pack notebook via papermill, and every output of a mission and cycle.

``build_pack(PackParameters(mission="UN-DEMO", cycle="2023/24-Q4"))`` executes
``notebooks/impact_assessment_pack.ipynb`` into ``outputs/<MISSION>/<CYCLE>/notebooks/`` and
exports ``outputs/<MISSION>/<CYCLE>/pack.html`` (offline, no code cells).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cpas_kit.core.i18n import t
from cpas_kit.core.settings import PackParameters
from cpas_kit.packs.data import check_cycle, load_pack_data
from cpas_kit.packs.factsheet import build_factsheet
from cpas_kit.packs.impact_report import build_impact_report
from cpas_kit.packs.offline import export_html, run_notebook
from cpas_kit.store import Store
from cpas_kit.tracker.export import export_xlsx

PACK_NOTEBOOK = "impact_assessment_pack.ipynb"


def build_pack(params: PackParameters) -> Path:
    """Execute the pack notebook with ``params`` and export the offline HTML pack; return its path."""
    store = Store(params.db_url or None)
    try:  # fail early with a clear sentence rather than inside the notebook
        check_cycle(store, params.mission, params.cycle)  # refuses a cycle before the first framework
    finally:
        store.close()
    out = params.out_dir()
    executed = run_notebook(PACK_NOTEBOOK, out, params.model_dump(), what="the pack notebook")
    title = f"{params.mission} {params.cycle} — {t('pack_title', params.language)}"
    return export_html(executed, out / "pack.html", title, language=params.language)


def build_outputs(params: PackParameters, *, documents: bool = True) -> dict[str, Any]:
    """Every output of a mission and cycle: pack.html, impact_report.docx, factsheet.html (+ .pdf), tracker.xlsx.

    Returns ``{"files": [paths], "notes": [sentences]}``; a missing PDF route is a note, not a failure.
    ``documents=False`` builds the HTML pack only.
    """
    files = [build_pack(params)]
    if not documents:
        return {"files": files, "notes": []}
    out = params.out_dir()
    ctx = load_pack_data(params)
    files.append(build_impact_report(ctx, out / "impact_report.docx"))
    html, pdf, message = build_factsheet(ctx, out / "factsheet.html", out / "factsheet.pdf")
    files += [html] + ([pdf] if pdf else [])
    notes = ([ctx.no_data_note] if ctx.no_data_note else []) + ([] if pdf else [message])
    store = Store(params.db_url or None)
    try:
        files.append(export_xlsx(store, params.mission, out / "tracker.xlsx", cycle=params.cycle,
                                 language=params.language, on=ctx.reporting_date))
    finally:
        store.close()
    return {"files": [Path(f) for f in files], "notes": notes}
