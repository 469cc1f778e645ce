"""A mission's language is one setting (issue 15 item 17): the demo missions whose parameters say
``language: fr`` have French as their framework's language, so their packs, apps and workshop pages agree."""

from __future__ import annotations

import pytest
import yaml

from cpas_kit.demo import demo_framework, demo_mission_codes, load_demo_missions
from cpas_kit.tracker.app import TrackerApp
from cpas_kit.workshop.pages import mission_language, page_parameters
from cpas_kit.workshop.participant import ParticipantApp
from cpas_kit.workshop.store import WorkshopStore
from tests.paths import REPO_ROOT

STORE_CONTENT = "empty"
STORE_BACKENDS = ("sqlite",)
FRENCH = {"DEMO-COD", "DEMO-MLI", "DEMO-CAF-SPM", "DEMO-COD-SPM", "DEMO-MLI-SPM"}  # from the list, and more


@pytest.mark.parametrize("code", demo_mission_codes())
def test_the_parameters_file_and_the_framework_name_the_same_language(code):
    params = yaml.safe_load((REPO_ROOT / "parameters" / f"{code}.yaml").read_text(encoding="utf-8"))
    language = params.get("language", "en")
    assert demo_framework(code).mission.default_language == language
    assert (language == "fr") == (code in FRENCH)


def test_a_french_mission_gets_french_workshop_pages_and_apps(store):
    load_demo_missions(store, ["DEMO-COD"])
    assert mission_language(store, "DEMO-COD", "") == "fr"
    started = WorkshopStore(store).start_workshop("DEMO-COD", "2023/24-Q4", actor="test")
    page = ParticipantApp(store, page_parameters(query=f"session={started.code}"))
    assert page.lang == "fr" and "Rejoindre" in page.join_button.description
    assert TrackerApp(store, "DEMO-COD").lang == "fr"
