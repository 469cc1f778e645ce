"""Settings from one place: ``parameters/<MISSION>.yaml`` and the parameters a pack run takes.

A mission's parameters file holds the pack parameters (``cycle``, ``language``, …) and sections read by other
commands (``workshop``: the mission's own rating scales). Models are frozen and reject unknown keys, so a typo
fails loudly with the file and key named.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from cpas_kit.core.errors import ParametersError, PeriodError, pydantic_problems
from cpas_kit.core.limits import load_yaml
from cpas_kit.core.paths import code_problem, mission_parameters_file, pack_dir
from cpas_kit.core.periods import Period, PeriodStr


class PackParameters(BaseModel):
    """What a pack run needs; the same fields as the notebook's ``parameters`` cell."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mission: str
    cycle: PeriodStr  # normalised, e.g. 2023/24-q4 → 2023/24-Q4
    db_url: str = ""
    language: Literal["en", "fr"] = "en"
    output_dir: str = ""

    @field_validator("mission")
    @classmethod
    def _mission_code(cls, v: str) -> str:
        why = code_problem(v)
        if why:
            raise ValueError(why)
        return v

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
        data = load_yaml(p.read_text(encoding="utf-8"), str(p)) or {}
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
        try:  # a cycle typed on the command line is checked here, so its error names --cycle, not the file
            values["cycle"] = str(Period.parse(cycle))
        except PeriodError as exc:
            raise ParametersError(f"--cycle {cycle}: {exc}") from None
    values.update({k: v for k, v in overrides.items() if v is not None})
    if "cycle" not in values:
        raise ParametersError(f"no cycle given for {mission}: pass --cycle (e.g. 2023/24-Q4) or set cycle in {path}")
    return make_parameters(str(path) if path.is_file() else "parameters", **values)


# Default ports of the Voila apps, distinct so that the tracker or context-mapping app started beside a running
# workshop does not collide with it (Voila would silently move to another port and the printed address be wrong).
APP_PORTS = {"workshop": 8866, "tracker": 8867, "context": 8868}

OTHER_SECTIONS = ("workshop",)  # parameters-file sections read by other commands (cpas workshop)
