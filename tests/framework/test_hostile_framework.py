"""Impossible frameworks (issue 14, item 7): empty files, NaN baselines, infinite targets and control characters
are listed problems, never a framework."""

from __future__ import annotations

import re

import pytest

from cpas_kit.core.errors import FrameworkError
from cpas_kit.framework.model import load_framework, shipped_framework_path

DEMO = shipped_framework_path("UN-DEMO").read_text(encoding="utf-8")


@pytest.mark.parametrize("text", ["", "\n\n# only a comment\n", "null\n", "[]\n"])
def test_an_empty_framework_file_is_a_problem_not_zero_problems(tmp_path, text):
    path = tmp_path / "empty.yaml"
    path.write_text(text)
    with pytest.raises(FrameworkError) as exc:
        load_framework(path)
    assert exc.value.problems and "0 problem" not in str(exc.value)


@pytest.mark.parametrize("edit, where", [
    (lambda s: re.sub(r"(baseline: \{value: )[-0-9.]+", r"\1.nan", s, count=1), "baseline.value"),
    (lambda s: re.sub(r"(\{period: [0-9/Q-]+, value: )[-0-9.]+", r"\1.inf", s, count=1), "targets[0].value"),
    (lambda s: re.sub(r"(\{period: [0-9/Q-]+, value: )[-0-9.]+", r"\1-.inf", s, count=1), "targets[0].value"),
    (lambda s: s.replace("name: United Nations Demonstration Mission", 'name: "United\\0Nations Demonstration Mission',
                         1).replace("(UN-DEMO)\n", '(UN-DEMO)"\n', 1), "mission.name"),
])
def test_non_finite_numbers_and_control_characters_are_listed(tmp_path, edit, where):
    text = edit(DEMO)
    assert text != DEMO
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FrameworkError) as exc:
        load_framework(path)
    assert any(where in p for p in exc.value.problems), exc.value.problems
