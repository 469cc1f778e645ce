"""Building packs: parameters, loading what a pack shows, and running the pack notebook via papermill.

``build_pack(PackParameters(mission="UN-DEMO", cycle="2023/24-Q4"))`` executes
``notebooks/impact_assessment_pack.ipynb`` into ``outputs/<MISSION>/<CYCLE>/notebooks/`` and
exports ``outputs/<MISSION>/<CYCLE>/pack.html`` (offline, no code cells).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from cpas_kit.analysis.indicators import indicator_status, up_to
from cpas_kit.core.errors import ParametersError, pydantic_problems
from cpas_kit.data_in.external.queries import read_events
from cpas_kit.framework.model import Framework, PeriodStr, framework_from_document
from cpas_kit.packs.offline import export_html, run_notebook
from cpas_kit.core.paths import mission_parameters_file, pack_dir
from cpas_kit.core.periods import Period
from cpas_kit.store import Store

PACK_NOTEBOOK = "impact_assessment_pack.ipynb"


class PackParameters(BaseModel):
    """What a pack run needs; the same fields as the notebook's ``parameters`` cell."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mission: str
    cycle: PeriodStr  # normalised, e.g. 2023/24-q4 → 2023/24-Q4
    db_url: str = ""
    language: Literal["en", "fr"] = "en"
    output_dir: str = ""

    def out_dir(self) -> Path:
        """Where this pack's files go."""
        return Path(self.output_dir) if self.output_dir else pack_dir(self.mission, self.cycle)


def make_parameters(source: str = "parameters", **values: Any) -> PackParameters:
    """Validate pack parameters; one error naming every bad key."""
    try:
        return PackParameters(**values)
    except ValidationError as exc:
        raise ParametersError(f"{source}: " + "; ".join(pydantic_problems(exc))) from None


def parameters_from_file(path: "str | Path") -> dict[str, Any]:
    """The values of a ``parameters/<MISSION>.yaml`` file (keys are checked when combined)."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ParametersError(f"{p}: the parameters file does not exist") from None
    except yaml.YAMLError as exc:
        raise ParametersError(f"{p}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise ParametersError(f"{p}: must be a mapping of parameter names to values")
    unknown = sorted(set(data) - set(PackParameters.model_fields) - set(OTHER_SECTIONS))
    if unknown:
        allowed = ", ".join([*PackParameters.model_fields, *OTHER_SECTIONS])
        raise ParametersError(f"{p}: unknown key(s) {', '.join(unknown)}; allowed: {allowed}")
    return data


def workshop_settings(mission: str) -> dict[str, Any]:
    """The ``workshop`` section of ``parameters/<MISSION>.yaml`` (e.g. the mission's own rating scales)."""
    path = mission_parameters_file(mission)
    section = parameters_from_file(path).get("workshop") if path.is_file() else None
    if section is not None and not isinstance(section, dict):
        raise ParametersError(f"{path}: 'workshop' must be a mapping (progress_scale, contribution_scale)")
    return section or {}


def resolve_parameters(mission: str, cycle: str | None = None, *, params_file: "str | Path | None" = None,
                       **overrides: Any) -> PackParameters:
    """Combine ``parameters/<MISSION>.yaml`` (or ``params_file``) with explicit values (which win)."""
    path = Path(params_file) if params_file else mission_parameters_file(mission)
    values: dict[str, Any] = parameters_from_file(path) if (params_file or path.is_file()) else {}
    for section in OTHER_SECTIONS:  # settings for other commands, not pack parameters
        values.pop(section, None)
    values["mission"] = mission
    if cycle:
        values["cycle"] = cycle
    values.update({k: v for k, v in overrides.items() if v is not None})
    if "cycle" not in values:
        raise ParametersError(f"no cycle given for {mission}: pass --cycle (e.g. 2023/24-Q4) or set cycle in {path}")
    return make_parameters(str(path) if path.is_file() else "parameters", **values)


OTHER_SECTIONS = ("workshop",)  # parameters-file sections read by other commands (cpas workshop)


@dataclass
class PackContext:
    """Everything one pack shows, loaded once."""

    params: PackParameters
    framework: Framework
    framework_version: dict[str, Any]
    observations: pd.DataFrame
    status: pd.DataFrame
    recommendations: pd.DataFrame
    generated_at: datetime
    rejected: pd.DataFrame | None = None  # values rejected at verification: left out of trends and status
    recommendation_events: pd.DataFrame | None = None  # every tracker change (follow-up analysis)
    events: pd.DataFrame | None = None  # conflict events of the cycle and the four periods before (hotspots)
    agreed: pd.DataFrame | None = None  # the workshop's agreed rating and analysis per outcome (the "why")

    @property
    def language(self) -> str:
        return self.params.language

    @property
    def cycle(self) -> str:
        return self.params.cycle

    @property
    def reporting_date(self) -> date:
        """The last day of the cycle: what 'overdue' is judged against."""
        return Period.parse(self.params.cycle).end

    @property
    def is_synthetic(self) -> bool:
        return bool(self.observations["is_synthetic"].any()) if len(self.observations) else False


def load_context(params: PackParameters) -> PackContext:
    """Read the framework in force for the cycle, the observations, statuses and recommendations."""
    store = Store(params.db_url or None)
    try:
        version = store.framework_version_for(params.mission, params.cycle)
        fw = framework_from_document(json.loads(version["content"]))
        everything = up_to(store.observations(params.mission), params.cycle)
        recs = store.recommendations(params.mission)
        rec_events = store.recommendation_events(params.mission)
        window = [str(p) for p in Period.parse(params.cycle).before(4)] + [str(Period.parse(params.cycle))]
        conflict = read_events(store, params.mission, window)
        agreed = store.agreed_results(params.mission, params.cycle)
    finally:
        store.close()
    is_rejected = everything["verification_status"] == "rejected"
    obs = everything[~is_rejected]
    return PackContext(
        params=params, framework=fw, framework_version={k: v for k, v in version.items() if k != "content"},
        observations=obs, status=indicator_status(fw, obs, params.cycle), recommendations=recs,
        generated_at=datetime.now(timezone.utc), rejected=everything[is_rejected], recommendation_events=rec_events,
        events=conflict, agreed=agreed,
    )


def build_pack(params: PackParameters) -> Path:
    """Execute the pack notebook with ``params`` and export the offline HTML pack; return its path."""
    store = Store(params.db_url or None)
    try:  # fail early with a clear sentence rather than inside the notebook
        store.framework_version_for(params.mission, params.cycle)
    finally:
        store.close()
    out = params.out_dir()
    executed = run_notebook(PACK_NOTEBOOK, out, params.model_dump(), what="the pack notebook")
    title = f"{params.mission} {params.cycle} — impact-assessment pack"
    return export_html(executed, out / "pack.html", title)


def build_outputs(params: PackParameters, *, documents: bool = True) -> dict[str, Any]:
    """Every output of a mission and cycle: pack.html, impact_report.docx, factsheet.html (+ .pdf), tracker.xlsx.

    Returns ``{"files": [paths], "notes": [sentences]}``; a missing PDF route is a note, not a failure.
    ``documents=False`` builds the HTML pack only.
    """
    files = [build_pack(params)]
    if not documents:
        return {"files": files, "notes": []}
    from cpas_kit.packs.factsheet import build_factsheet
    from cpas_kit.packs.impact_report import build_impact_report
    from cpas_kit.tracker.export import export_xlsx

    out = params.out_dir()
    ctx = load_context(params)
    files.append(build_impact_report(ctx, out / "impact_report.docx"))
    html, pdf, message = build_factsheet(ctx, out / "factsheet.html", out / "factsheet.pdf")
    files += [html] + ([pdf] if pdf else [])
    notes = [] if pdf else [message]
    store = Store(params.db_url or None)
    try:
        files.append(export_xlsx(store, params.mission, out / "tracker.xlsx", cycle=params.cycle,
                                 language=params.language, on=ctx.reporting_date))
    finally:
        store.close()
    return {"files": [Path(f) for f in files], "notes": notes}


__all__ = ["build_outputs", "PackParameters", "PackContext", "build_pack", "load_context", "make_parameters", "resolve_parameters",
           "parameters_from_file"]
