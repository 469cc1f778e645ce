"""The cpas command: clear one-sentence errors, no tracebacks, working help."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cpas_kit.cli.main import main
from cpas_kit.framework.model import shipped_framework_path


def test_help_is_there_for_every_command(capsys):
    for argv in (["--help"], ["demo", "--help"], ["pack", "--help"], ["framework", "validate", "--help"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 0
    assert "cycle" in capsys.readouterr().out


def test_framework_validate_ok(capsys):
    assert main(["framework", "validate", str(shipped_framework_path("UN-DEMO"))]) == 0
    assert "valid" in capsys.readouterr().out


def test_framework_validate_reports_every_problem_without_traceback(tmp_path: Path):
    text = shipped_framework_path("UN-DEMO").read_text(encoding="utf-8")
    bad = text.replace("direction: decrease", "direction: down", 1).replace("level: output", "level: outcome", 1)
    f = tmp_path / "bad.yaml"
    f.write_text(bad, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "cpas_kit.cli.main", "framework", "validate", str(f)],
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert run.stderr.startswith(f"cpas: {f}: 2 problems")
    assert ".direction: 'down' is not allowed" in run.stderr
    assert ".level: 'outcome' is not allowed" in run.stderr


def test_bad_cycle_is_one_sentence(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("CPAS_DB_URL", f"sqlite:///{tmp_path}/s.sqlite")
    assert main(["pack", "--mission", "UN-DEMO", "--cycle", "2021/23-Q2"]) == 1
    err = capsys.readouterr().err
    assert "2021/23-Q2" in err and "2021/22" in err and "Traceback" not in err


def test_pack_of_missing_mission_is_one_sentence(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("CPAS_DB_URL", f"sqlite:///{tmp_path}/s.sqlite")
    assert main(["pack", "--mission", "NOPE", "--cycle", "2023/24-Q4"]) == 1
    assert "no results framework" in capsys.readouterr().err


def test_typo_in_parameters_file_names_file_and_key(capsys, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("mission: UN-DEMO\ncycle: 2023/24-Q4\nlangauge: fr\n", encoding="utf-8")
    assert main(["pack", "--mission", "UN-DEMO", "--params", str(f)]) == 1
    err = capsys.readouterr().err
    assert str(f) in err and "langauge" in err


@pytest.mark.slow
def test_demo_without_pack_is_idempotent(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("CPAS_DB_URL", f"sqlite:///{tmp_path}/s.sqlite")
    assert main(["demo", "--no-pack"]) == 0
    first = capsys.readouterr().out
    assert main(["demo", "--no-pack"]) == 0
    second = capsys.readouterr().out
    assert "observations 0 new" not in first
    assert "observations 0 new, 0 updated" in second and "recommendations 0 new" in second
