"""A cycle before the mission's first framework is refused in one sentence; a cycle without data says so at the
top of every output and in the command's output (issue 15 item 4); ``--cycle 2023-24-Q4`` (the output folders'
spelling) is accepted, and a bad --cycle is blamed on the command line, not the parameters file (item 6)."""

from __future__ import annotations

import html

import pytest

from cpas_kit.cli.main import main
from cpas_kit.core.errors import CpasError, ParametersError
from cpas_kit.core.periods import Period
from cpas_kit.core.settings import make_parameters, resolve_parameters
from cpas_kit.packs.data import CycleRefused, check_cycle, load_pack_data
from cpas_kit.packs.sections import header
from tests.surface_text import docx_text, html_text

STORE_CONTENT = "demo"  # the shared ``store`` fixture (tests/conftest.py)
STORE_BACKENDS = ("sqlite",)
MISSION = "UN-DEMO"  # framework in force from 2021/22-Q1; synthetic data up to 2023/24-Q4


def test_a_cycle_before_the_first_framework_is_refused_in_one_sentence(store, tmp_path, capsys, monkeypatch):
    with pytest.raises(CycleRefused) as err:
        check_cycle(store, MISSION, "2020/21-Q4")
    message = str(err.value)
    assert "2021/22-Q1" in message and "2020/21-Q4" in message and message.count(".") <= 1
    check_cycle(store, MISSION, "2021/22-Q1")  # the first cycle of the framework is fine
    with pytest.raises(CpasError, match="no results framework"):
        check_cycle(store, "NOPE", "2021/22-Q1")
    monkeypatch.setenv("CPAS_DB_URL", str(store.url))
    out = tmp_path / "never-written"
    assert main(["pack", "--mission", MISSION, "--cycle", "2020/21-Q4", "--output-dir", str(out)]) == 1
    assert not (tmp_path / "never-written").exists()  # refused before anything is written
    err_text = capsys.readouterr().err
    assert err_text.startswith("cpas: UN-DEMO's first results framework is in force from 2021/22-Q1") \
        and "unexpected" not in err_text


def test_a_cycle_without_data_says_so_at_the_top(store, tmp_path):
    from cpas_kit.packs.factsheet import build_factsheet
    from cpas_kit.packs.impact_report import build_impact_report

    for lang, words in (("en", "No indicator of UN-DEMO has a value for 2024/25-Q2"),
                        ("fr", "Aucun indicateur de UN-DEMO n'a de valeur pour 2024/25-Q2")):
        ctx = load_pack_data(make_parameters(mission=MISSION, cycle="2024/25-Q2", db_url=str(store.url),
                                             language=lang, output_dir=str(tmp_path / lang)))
        assert not ctx.has_cycle_data and ctx.no_data_note.startswith(words)
        top = html.unescape(header(ctx).data)
        assert words in top and top.index(words) < top.index("<table")
        report = docx_text(build_impact_report(ctx, tmp_path / lang / "r.docx"))
        assert words in report[:2000]
        page, _, _ = build_factsheet(ctx, tmp_path / lang / "f.html")
        assert words in html_text(page)
    with_data = load_pack_data(make_parameters(mission=MISSION, cycle="2023/24-Q4", db_url=str(store.url)))
    assert with_data.has_cycle_data and with_data.no_data_note is None
    assert "No indicator" not in header(with_data).data


def test_the_output_folder_spelling_of_a_cycle_is_accepted():
    assert str(Period.parse("2023-24-Q4")) == "2023/24-Q4" and str(Period.parse("2023-24-q1")) == "2023/24-Q1"
    assert str(Period.parse("2023-24")) == "2023/24" and Period.parse("2023-24").kind == "year"
    assert Period.parse("2022-03").kind == "month"  # months keep their meaning
    params = resolve_parameters(MISSION, "2023-24-Q4")
    assert params.cycle == "2023/24-Q4" and params.out_dir().name == "2023-24-Q4"


def test_a_bad_cycle_on_the_command_line_is_blamed_on_the_command_line():
    with pytest.raises(ParametersError) as err:
        resolve_parameters(MISSION, "2023-Q4")  # parameters/UN-DEMO.yaml exists, but it is not the culprit
    assert str(err.value).startswith("--cycle 2023-Q4:") and "UN-DEMO.yaml" not in str(err.value)


def test_the_pack_command_says_when_the_cycle_has_no_data(store, tmp_path, capsys, monkeypatch):
    import cpas_kit.packs.build as build

    def no_notebook(params):  # the notebook run is tested elsewhere; here only what the command prints
        path = params.out_dir() / "pack.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("<html></html>", encoding="utf-8")
        return path

    monkeypatch.setattr(build, "build_pack", no_notebook)
    monkeypatch.setenv("CPAS_DB_URL", str(store.url))
    assert main(["pack", "--mission", MISSION, "--cycle", "2024-25-Q2", "--output-dir", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "note: No indicator of UN-DEMO has a value for 2024/25-Q2" in out
    assert (tmp_path / "out" / "impact_report.docx").is_file()
