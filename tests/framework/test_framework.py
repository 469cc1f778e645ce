"""The results framework: the shipped demo framework, and one complete error report for a broken file."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml

from cpas_kit.core.errors import FrameworkError
from cpas_kit.framework.model import (
    Framework,
    framework_from_document,
    load_framework,
    parse_framework,
    shipped_framework_path,
)

DEMO_PATH = shipped_framework_path("UN-DEMO")


@pytest.fixture(scope="module")
def demo() -> Framework:
    return load_framework(DEMO_PATH)


@pytest.fixture
def demo_doc() -> dict:
    """The demo framework as the plain dict read from its YAML (a fresh copy for each test to edit)."""
    return yaml.safe_load(DEMO_PATH.read_text(encoding="utf-8"))


def _write(tmp_path: Path, doc: dict, name: str = "BROKEN.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _paths(problems: list[str]) -> list[str]:
    """The path part of each problem (`priorities[1]...direction: message` → the part before ': ')."""
    return [p.split(": ", 1)[0] for p in problems]


# -- the shipped demo framework ----------------------------------------------------------------

def test_demo_framework_file_is_shipped():
    assert DEMO_PATH.is_file()
    assert DEMO_PATH.name == "UN-DEMO.yaml"


def test_demo_framework_loads_with_its_full_shape(demo):
    assert demo.mission.code == "UN-DEMO"
    assert demo.mission.is_fictional is True
    assert demo.mission.country_iso3 == "CAF"
    assert len(demo.priorities) >= 3
    outcomes = list(demo.outcomes())
    indicators = list(demo.indicators())
    assert len(outcomes) >= 8
    assert len(indicators) >= 30
    assert {i.level for _, _, i in indicators} == {"strategic", "stakeholder", "output"}
    # every priority has outcomes with indicators, and codes are unique across the framework
    assert all(p.outcomes for p in demo.priorities)
    assert all(o.indicators for _, o in outcomes)
    codes = [i.code for _, _, i in indicators]
    assert len(codes) == len(set(codes))
    assert demo.indicator(codes[-1]).code == codes[-1]
    with pytest.raises(KeyError):
        demo.indicator("NO-SUCH-INDICATOR")


def test_demo_framework_exact_counts(demo):
    """The numbers the spine promises: 3 priorities, 8 outcomes, 32 indicators."""
    assert len(demo.priorities) == 3
    assert len(list(demo.outcomes())) == 8
    assert len(list(demo.indicators())) == 32


def test_demo_framework_disaggregations(demo):
    dims = {d.code for d in demo.disaggregations}
    assert {"sex", "admin1"} <= dims
    assert demo.categories("sex") == ["female", "male"]
    areas = demo.categories("admin1")
    assert len(areas) == 17
    assert len(set(areas)) == 17
    used = {d for _, _, i in demo.indicators() for d in i.disaggregations}
    assert {"sex", "admin1"} <= used
    assert used <= dims


def test_demo_framework_references_are_consistent(demo):
    sections = {s.code for s in demo.sections}
    for _, o, i in demo.indicators():
        assert i.responsible_section in sections
        if i.kind == "quantitative":
            assert i.baseline.value is not None
    for _, o in demo.outcomes():
        for out in o.outputs:
            assert out.section in sections


# -- one report naming every problem -------------------------------------------------------------

def _break_schema(doc: dict) -> dict[str, str]:
    """Errors pydantic sees on its own. Returns {exact path: a word the message must contain}."""
    inds = doc["priorities"][1]["outcomes"][0]["indicators"]
    inds[3]["direction"] = "upwards"
    inds[0]["colour"] = "red"
    inds[1]["code"] = "POC 02"
    inds[2]["code"] = "POC/03"
    doc["priorities"][1]["outcomes"][1]["indicators"][2]["baseline"]["period"] = "2021/23"
    return {
        "priorities[1].outcomes[0].indicators[3].direction": "increase",
        "priorities[1].outcomes[0].indicators[0].colour": "unknown key",
        "priorities[1].outcomes[0].indicators[1].code": "no spaces",
        "priorities[1].outcomes[0].indicators[2].code": "no '/'",
        "priorities[1].outcomes[1].indicators[2].baseline.period": "2021/22",
    }


def _break_references(doc: dict) -> dict[str, str]:
    """Errors only the cross-checks see (unique codes, references to sections)."""
    inds = doc["priorities"][1]["outcomes"][1]["indicators"]
    inds[0]["code"] = "SEC-01"  # already used by priorities[0].outcomes[0].indicators[0]
    inds[1]["responsible_section"] = "NO-SUCH-SECTION"
    return {
        "priorities[1].outcomes[1].indicators[0].code":
            "already used at priorities[0].outcomes[0].indicators[0]",
        "priorities[1].outcomes[1].indicators[1].responsible_section": "not a section",
    }


def _assert_report(exc: FrameworkError, path: Path, expected: dict[str, str]) -> None:
    assert exc.source == str(path)
    message = str(exc)
    assert path.name in message and str(path) in message
    assert f"{len(expected)} problems" in message
    assert sorted(_paths(exc.problems)) == sorted(expected), exc.problems
    for problem in exc.problems:
        where, what = problem.split(": ", 1)
        assert expected[where] in what, problem
        assert problem in message


@pytest.mark.parametrize("breaks", [_break_schema, _break_references], ids=["schema", "references"])
def test_problems_of_one_kind_are_all_reported_at_once(tmp_path, demo_doc, breaks):
    expected = breaks(demo_doc)
    path = _write(tmp_path, demo_doc)
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    _assert_report(info.value, path, expected)


def test_every_problem_of_a_broken_file_is_in_one_report(tmp_path, demo_doc):
    expected = {**_break_schema(demo_doc), **_break_references(demo_doc)}
    assert len(expected) == 7
    path = _write(tmp_path, demo_doc)
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    _assert_report(info.value, path, expected)


def test_parse_framework_names_the_source(demo_doc):
    demo_doc["mission"]["country_iso3"] = "Central African Republic"
    with pytest.raises(FrameworkError) as info:
        parse_framework(demo_doc, "somewhere/MISSION.yaml")
    assert str(info.value).startswith("somewhere/MISSION.yaml: 1 problem in")
    assert _paths(info.value.problems) == ["mission.country_iso3"]


@pytest.mark.parametrize("bad", ["a b", "a/b", "a..b", "../etc", "-lead", ".hidden", "x" * 41, "é-code"])
def test_unsafe_codes_are_rejected(demo_doc, bad):
    demo_doc["priorities"][0]["outcomes"][0]["outputs"][0]["code"] = bad
    with pytest.raises(FrameworkError) as info:
        parse_framework(demo_doc, "t.yaml")
    assert _paths(info.value.problems) == ["priorities[0].outcomes[0].outputs[0].code"]
    assert "not a usable code" in info.value.problems[0]


@pytest.mark.parametrize("good", ["OUT-1.1.a", "x_1", "A", "2021.b", "x" * 40])
def test_safe_codes_are_accepted(demo_doc, good):
    demo_doc["priorities"][0]["outcomes"][0]["outputs"][0]["code"] = good
    fw = parse_framework(demo_doc, "t.yaml")
    assert fw.priorities[0].outcomes[0].outputs[0].code == good


def test_unknown_key_at_top_level_is_rejected(demo_doc):
    demo_doc["priorites"] = []  # a typo must fail loudly
    with pytest.raises(FrameworkError) as info:
        parse_framework(demo_doc, "t.yaml")
    assert _paths(info.value.problems) == ["priorites"]


def test_missing_required_field_is_named(demo_doc):
    del demo_doc["priorities"][2]["outcomes"][1]["indicators"][0]["unit"]
    with pytest.raises(FrameworkError) as info:
        parse_framework(demo_doc, "t.yaml")
    assert info.value.problems == ["priorities[2].outcomes[1].indicators[0].unit: is required but missing"]


# -- files that cannot be read -----------------------------------------------------------------

def test_missing_file_is_a_framework_error(tmp_path):
    path = tmp_path / "NOPE.yaml"
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    assert str(path) in str(info.value)
    assert "does not exist" in str(info.value)


def test_invalid_yaml_is_a_framework_error(tmp_path):
    path = tmp_path / "BAD.yaml"
    path.write_text("mission:\n  code: UN-DEMO\n  name: [unclosed\nsections: {\n", encoding="utf-8")
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    message = str(info.value)
    assert str(path) in message
    assert "not valid YAML" in message and "line" in message


@pytest.mark.parametrize("text", ["", "- just\n- a list\n", "42\n"])
def test_yaml_that_is_not_a_mapping_is_a_framework_error(tmp_path, text):
    path = tmp_path / "ODD.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    assert "(top level)" in info.value.problems[0]


# -- identity ------------------------------------------------------------------------------------

def test_content_hash_is_equal_for_equal_frameworks(tmp_path, demo, demo_doc):
    copy_path = tmp_path / "COPY.yaml"
    shutil.copy(DEMO_PATH, copy_path)
    again = load_framework(copy_path)
    assert again == demo
    assert again.content_hash() == demo.content_hash()
    # the same content written differently (no comments, other key order, flow style) hashes the same
    rewritten = _write(tmp_path, demo_doc, "REWRITTEN.yaml")
    rewritten.write_text(yaml.safe_dump(demo_doc, sort_keys=True, default_flow_style=True), encoding="utf-8")
    assert load_framework(rewritten).content_hash() == demo.content_hash()
    # and the store's document form rebuilds the same framework
    assert framework_from_document(demo.to_document()) == demo
    assert len(demo.content_hash()) == 64


def test_content_hash_changes_after_an_edit(tmp_path, demo, demo_doc):
    edited = copy.deepcopy(demo_doc)
    edited["priorities"][0]["outcomes"][0]["indicators"][0]["targets"][-1]["value"] = 59
    fw = load_framework(_write(tmp_path, edited, "EDITED.yaml"))
    assert fw != demo
    assert fw.content_hash() != demo.content_hash()
    renamed = copy.deepcopy(demo_doc)
    renamed["sections"][0]["name_fr"] = "La Force"
    assert parse_framework(renamed).content_hash() not in {demo.content_hash(), fw.content_hash()}
