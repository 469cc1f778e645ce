"""Paths built only from validated codes, checked to lie under their folder (issue 14, item 1); terminal hygiene
(item 8); input limits of exchange lines (item 5)."""

from __future__ import annotations

import gzip
import json

import pytest

from cpas_kit.cli.main import main
from cpas_kit.core import limits
from cpas_kit.core.errors import CpasError
from cpas_kit.core.limits import InputTooLarge
from cpas_kit.core.paths import (
    UnsafePathError,
    code_problem,
    data_entry_file,
    mission_parameters_file,
    pack_dir,
    study_dir,
    within,
)
from cpas_kit.core.settings import make_parameters
from cpas_kit.core.text import control_problem, safe_text
from cpas_kit.exchange.file import read_exchange

HOSTILE_CODES = ["../../../escaped", "/tmp/escaped", "..", "a/../../b", "UN-DEMO/../..", "C:\\x", "x\x00y", "",
                 " UN-DEMO", "\u202eUN", "a" * 41]


@pytest.mark.parametrize("code", HOSTILE_CODES)
def test_no_route_builds_a_path_from_an_unsafe_code(code, tmp_path, monkeypatch):
    monkeypatch.setenv("CPAS_OUTPUTS", str(tmp_path / "outputs"))
    monkeypatch.setenv("CPAS_HOME", str(tmp_path))
    assert code_problem(code)
    for build in (lambda: pack_dir(code, "2023/24-Q4"), lambda: data_entry_file(code, "2023/24-Q4"),
                  lambda: mission_parameters_file(code), lambda: study_dir(code, "2021/22", "2023/24"),
                  lambda: data_entry_file("UN-DEMO", "2023/24-Q4", language=code)):
        with pytest.raises(UnsafePathError):
            build()
    with pytest.raises(CpasError):
        make_parameters(mission=code, cycle="2023/24-Q4")
    assert list(tmp_path.rglob("*")) == [], "nothing was created"


def test_good_codes_stay_under_their_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("CPAS_OUTPUTS", str(tmp_path / "outputs"))
    d = pack_dir("UN-DEMO", "2023/24-Q4")
    assert d == (tmp_path / "outputs" / "UN-DEMO" / "2023-24-Q4").resolve() or d.parent.name == "UN-DEMO"
    assert within(tmp_path / "outputs", d) == d
    with pytest.raises(UnsafePathError):
        within(tmp_path / "outputs", tmp_path / "elsewhere" / "x.html")
    link = tmp_path / "outputs" / "link"
    (tmp_path / "outputs").mkdir(exist_ok=True)
    link.symlink_to(tmp_path.parent)
    with pytest.raises(UnsafePathError):
        within(tmp_path / "outputs", link / "x.html")  # a symlink out of the folder is outside too


def test_cpas_template_and_pack_refuse_a_traversal_code(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CPAS_DB_URL", f"sqlite:///{tmp_path / 'cpas.sqlite'}")
    monkeypatch.setenv("CPAS_OUTPUTS", str(tmp_path / "outputs"))
    before = set(tmp_path.parent.iterdir())
    assert main(["template", "--mission", "../../../escaped", "--cycle", "2023/24-Q4"]) == 1
    assert main(["pack", "--mission", "../../../escaped", "--cycle", "2023/24-Q4"]) == 1
    err = capsys.readouterr().err
    assert "unexpected error" not in err
    assert set(tmp_path.parent.iterdir()) == before
    assert not (tmp_path / "outputs").exists() or not any((tmp_path / "outputs").rglob("*"))


def test_safe_text_removes_escapes_and_controls():
    evil = "ok\x1b[2J\x1b[H\x1b]0;pwned\x07\x9b31m\x00end\u202e"
    shown = safe_text(evil)
    assert "\x1b" not in shown and "\x9b" not in shown and "\x00" not in shown and "\u202e" not in shown
    assert shown.startswith("ok") and shown.endswith("end")
    assert safe_text("a\nb\tc") == "a b c" and safe_text("a\nb", multiline=True) == "a\nb"
    assert safe_text(None) == ""
    assert control_problem("fine text\twith tab\nand lines") is None
    assert "NUL" in control_problem("x\x00")


def test_an_exchange_line_that_inflates_is_refused_before_it_is_held(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_LINE_BYTES", 10_000)
    path = tmp_path / "long.jsonl.gz"
    manifest = {"format": "cpas-exchange", "format_version": 1, "mission": "UN-DEMO", "schema_revision": "0006",
                "tables": {}, "content_sha256": "0", "content_bytes": 0, "created_at": "x", "created_by": "x"}
    path.write_bytes(gzip.compress(json.dumps(manifest).encode() + b"\n" + b"[" + b"1," * 50_000 + b"1]\n"))
    with pytest.raises(InputTooLarge, match="longer than 10,000 bytes"):
        read_exchange(path)


@pytest.mark.parametrize("cycle", ["../../x", "2023/24-Q4/../../..", "/etc", "2023/24-Q9", "2023/../24"])
def test_a_cycle_never_becomes_a_path_unless_it_is_a_period(cycle, tmp_path, monkeypatch):
    monkeypatch.setenv("CPAS_OUTPUTS", str(tmp_path / "outputs"))
    for build in (lambda: pack_dir("UN-DEMO", cycle), lambda: data_entry_file("UN-DEMO", cycle),
                  lambda: study_dir("wps", cycle, "2023/24")):
        with pytest.raises(CpasError):
            build()
