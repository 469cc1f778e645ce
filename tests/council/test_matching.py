"""How figures in sentences the way mission reports write them are matched to the demo store: counted nouns,
parts of a total, cells named, a year's figure against the sum of its quarters, figures inside indicator names."""

from __future__ import annotations

import pytest

from cpas_kit.core.periods import Period
from cpas_kit.council.matching import Matcher
from cpas_kit.council.sources import load_series
from cpas_kit.data_in.store import ObservationStore

STORE_CONTENT = "demo"
STORE_BACKENDS = ("sqlite",)
CYCLE = "2023/24-Q3"


@pytest.fixture
def setup(store):
    obs = ObservationStore(store).observations("UN-DEMO")
    value = {(r["indicator_code"], r["period"], r["disaggregation"]): r["value"] for r in obs.to_dict("records")}
    matcher = Matcher(load_series(store, "UN-DEMO", "en"), language="en", cycle=Period.parse(CYCLE))
    return matcher, value


def _found(result) -> list[tuple[str, str, str, str]]:
    return [(m.cls, m.series.code, m.value.period, m.value.cell) for m in result.matches if m.figure is not None]


def test_a_cell_named_beside_its_figure(setup):
    matcher, v = setup
    deaths, women = int(v[("SEC-01", CYCLE, "")]), int(v[("SEC-01", CYCLE, "sex=female")])
    ok = matcher.paragraph(f"During the reporting period, {deaths} civilians were killed, including {women} women "
                           "and 17 children.")
    assert ok.cls == "informed"
    assert _found(ok) == [("informed", "SEC-01", CYCLE, ""), ("informed", "SEC-01", CYCLE, "sex=female")]
    wrong = matcher.paragraph(f"During the reporting period, {deaths} civilians were killed, including {women + 5} "
                              "women and 17 children.")
    assert wrong.cls == "contradicts"
    [bad] = [m for m in wrong.matches if m.cls == "contradicts"]
    assert (bad.value.cell, bad.value.value, bad.figure.value) == ("sex=female", women, women + 5)


def test_what_a_figure_counts(setup):
    matcher, v = setup
    patrols = int(v[("SEC-04", CYCLE, "")])
    informed = matcher.paragraph(f"The Force conducted {patrols:,} foot and vehicle patrols, of which 120 were "
                                 "long-range patrols, during the reporting period.")
    assert informed.cls == "informed" and _found(informed) == [("informed", "SEC-04", CYCLE, "")]
    # "armed groups" is shared by several indicators: 17 groups contradict none of them
    assert matcher.paragraph("During the reporting period, 17 armed groups signed the peace agreement.").cls \
        != "contradicts"
    # "children" is no word of an indicator about civilian deaths
    assert matcher.paragraph("During the reporting period, conflict-related violence killed civilians, and 17 "
                             "children were separated from armed groups.").cls != "contradicts"


def test_a_year_against_the_sum_of_its_quarters(setup):
    matcher, v = setup
    quarters = ["2022/23-Q3", "2022/23-Q4", "2023/24-Q1", "2023/24-Q2"]  # calendar 2023
    total = int(sum(v[("SEC-09", q, "")] for q in quarters))
    ok = matcher.paragraph(f"In 2023, {total:,} ex-combatants were disarmed and demobilized.")
    assert ok.cls == "informed" and ok.matches[0].value.value == total
    assert ok.matches[0].value.period == "2022/23-Q3 – 2023/24-Q2"
    wrong = matcher.paragraph(f"In 2023, {total * 3:,} ex-combatants were disarmed and demobilized.")
    assert wrong.cls == "contradicts" and wrong.matches[0].value.value == total


def test_figures_inside_an_indicator_name_are_not_figures(setup):
    matcher, v = setup
    share = v[("POC-01", CYCLE, "")]
    result = matcher.paragraph(f"During the reporting period, {share:.1f} per cent of early warning alerts were "
                               "responded to within 24 hours.")
    assert result.cls == "informed" and [f.text for f in result.figures] == [f"{share:.1f} per cent"]
