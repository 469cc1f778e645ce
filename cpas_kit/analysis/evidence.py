"""The evidence of one mission's cycle, loaded once: the framework in force, its observations and every
indicator's status. What the pack and the workshop's outcome views both show."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cpas_kit.analysis.indicators import indicator_status, up_to
from cpas_kit.data_in.store import ObservationStore
from cpas_kit.framework.model import Framework, framework_from_document
from cpas_kit.store import Store


@dataclass
class CycleEvidence:
    """The framework in force for ``cycle``, the values up to it (rejected ones apart) and each indicator's status."""

    framework: Framework
    framework_version: dict[str, Any]  # metadata of the framework version in force (no content)
    observations: pd.DataFrame  # every value up to the cycle, except those rejected at verification
    rejected: pd.DataFrame  # values rejected at verification: left out of trends and status
    status: pd.DataFrame
    cycle: str
    language: str = "en"

    @property
    def is_synthetic(self) -> bool:
        return bool(self.observations["is_synthetic"].any()) if len(self.observations) else False


def load_evidence(store: Store, mission: str, cycle: str, language: str = "en") -> CycleEvidence:
    """Read the framework in force for ``cycle``, the observations up to it, and compute every status."""
    version = store.framework_version_for(mission, cycle)
    fw = framework_from_document(json.loads(version["content"]))
    everything = up_to(ObservationStore(store).observations(mission), cycle)
    is_rejected = everything["verification_status"] == "rejected"
    obs = everything[~is_rejected]
    return CycleEvidence(framework=fw, framework_version={k: v for k, v in version.items() if k != "content"},
                         observations=obs, rejected=everything[is_rejected],
                         status=indicator_status(fw, obs, cycle), cycle=cycle, language=language)
