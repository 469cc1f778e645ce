"""The batch for real: quiet console with the kernel noise in a log, English and French side by side, unchanged
packs skipped, a dead worker replaced, and workers and kernels that end when a killed ``cpas packs`` ends."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from tests.paths import REPO_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.notebook]
CYCLE = "2023/24-Q4"
FILES = ("pack", "impact_report", "factsheet", "factsheet", "tracker")
SUFFIXES = (".html", ".docx", ".html", ".pdf", ".xlsx")


@pytest.fixture
def two_mission_url(demo_sqlite_url) -> str:
    from cpas_kit.demo import load_demo_missions
    from cpas_kit.store import Store

    store = Store(demo_sqlite_url)
    load_demo_missions(store, ["DEMO-LBN", "DEMO-COD"])
    store.close()
    return demo_sqlite_url


def _cpas(args: list[str], url: str, outputs: Path, **kw) -> subprocess.Popen | subprocess.CompletedProcess:
    env = {**os.environ, "CPAS_DB_URL": url, "CPAS_OUTPUTS": str(outputs),
           "PYTHONPATH": str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    cmd = [sys.executable, "-m", "cpas_kit.cli.main", *args]
    if kw.pop("background", False):
        return subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True)
    return subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900)


def _entries(outputs: Path) -> dict[tuple[str, str], dict]:
    runs = json.loads((outputs / "manifest.json").read_text(encoding="utf-8"))["runs"]
    return {(r["mission"], r["language"]): r for r in runs}


def test_french_and_english_side_by_side_quiet_console_and_unchanged_packs_skipped(two_mission_url, tmp_path):
    outputs = tmp_path / "outputs"
    first = _cpas(["packs", "--missions", "DEMO-COD", "--cycle", CYCLE, "--no-progress"], two_mission_url, outputs)
    assert first.returncode == 0, first.stdout + first.stderr
    console = first.stdout + first.stderr
    for noise in ("IPKernelApp", "Kernel is running over TCP", "WARNING", "Traceback"):
        assert noise not in console, f"{noise!r} reached the console:\n{console}"
    log = (outputs / "logs" / "notebooks.log").read_text(encoding="utf-8", errors="replace")
    assert "IPKernelApp" in log, "the kernel's console output is kept in the log"

    second = _cpas(["packs", "--missions", "DEMO-COD", "--cycle", CYCLE, "--language", "en", "--no-progress"],
                   two_mission_url, outputs)
    assert second.returncode == 0, second.stdout + second.stderr
    folder = outputs / "DEMO-COD" / "2023-24-Q4"
    french = [folder / f"{f}_fr{s}" for f, s in zip(FILES, SUFFIXES)]
    english = [folder / f"{f}{s}" for f, s in zip(FILES, SUFFIXES)]
    assert all(p.is_file() and p.stat().st_size > 1000 for p in french + english)
    assert (folder / "notebooks" / "impact_assessment_pack_fr.ipynb").is_file()
    assert (folder / "notebooks" / "impact_assessment_pack.ipynb").is_file()
    entries = _entries(outputs)
    fr, en = entries[("DEMO-COD", "fr")], entries[("DEMO-COD", "en")]
    assert [Path(f["path"]).name for f in fr["files"]] == [p.name for p in french]
    assert [Path(f["path"]).name for f in en["files"]] == [p.name for p in english]
    from cpas_kit.core.import_report import file_sha256

    assert all(file_sha256(outputs / f["path"]) == f["sha256"] for f in fr["files"]), \
        "building English left the French files as they were"
    assert "<html lang=\"fr\"" in (folder / "factsheet_fr.html").read_text(encoding="utf-8")[:2000] or \
        "lang=\"fr\"" in (folder / "factsheet_fr.html").read_text(encoding="utf-8")

    third = _cpas(["packs", "--missions", "DEMO-COD", "--cycle", CYCLE, "--no-progress"], two_mission_url, outputs)
    assert third.returncode == 0, third.stdout + third.stderr
    assert "skipped" in third.stdout and "0 of 1 missions built, 1 skipped" in third.stdout, third.stdout
    again = _entries(outputs)[("DEMO-COD", "fr")]
    assert again["built_at"] == fr["built_at"] and again["files"] == fr["files"], "nothing was rebuilt"


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def test_killed_batch_takes_its_workers_and_kernels_with_it(two_mission_url, tmp_path):
    outputs = tmp_path / "outputs"
    proc = _cpas(["packs", "--missions", "UN-DEMO,DEMO-LBN", "--cycle", CYCLE, "--jobs", "2", "--no-progress"],
                 two_mission_url, outputs, background=True)
    try:
        deadline = time.monotonic() + 300
        kernels: list[psutil.Process] = []
        while time.monotonic() < deadline and len(kernels) < 2:
            kernels = [p for p in _descendants(proc.pid) if "ipykernel" in " ".join(p.cmdline())]
            time.sleep(0.5)
        assert len(kernels) == 2, "two workers, each with its kernel, were building"
        family = _descendants(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)  # the user's kill -9 of cpas packs
        proc.wait(10)
        gone, alive = psutil.wait_procs(family, timeout=20)
        assert alive == [], f"still running after their parent was killed: {[p.cmdline()[:3] for p in alive]}"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    for path in outputs.rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            assert path.stat().st_size > 0, f"{path} left empty"
    manifest = outputs / "manifest.json"
    if manifest.exists():
        json.loads(manifest.read_text(encoding="utf-8"))  # never half-written


def test_a_worker_that_dies_is_replaced_and_the_other_missions_go_on(two_mission_url, tmp_path, monkeypatch):
    from cpas_kit.packs.batch import run_batch

    monkeypatch.setenv("CPAS_OUTPUTS", str(tmp_path / "outputs"))
    killed: list[int] = []

    def kill_the_first_worker_once_it_builds() -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            for child in psutil.Process().children():
                if any("ipykernel" in " ".join(k.cmdline()) for k in child.children()):
                    child.kill()
                    killed.append(child.pid)
                    return
            time.sleep(0.3)

    killer = threading.Thread(target=kill_the_first_worker_once_it_builds, daemon=True)
    killer.start()
    manifest = run_batch(["UN-DEMO", "DEMO-LBN"], cycle=CYCLE, db_url=two_mission_url, jobs=1, progress=False,
                         documents=False)
    killer.join(5)
    runs = {r["mission"]: r for r in manifest["runs"]}
    assert killed, "the test killed a worker"
    assert not runs["UN-DEMO"]["ok"] and "stopped unexpectedly" in runs["UN-DEMO"]["error"]
    assert runs["DEMO-LBN"]["ok"], runs["DEMO-LBN"].get("error")
    assert (tmp_path / "outputs" / "DEMO-LBN" / "2023-24-Q4" / "pack.html").stat().st_size > 100_000
    assert not (tmp_path / "outputs" / "UN-DEMO" / "2023-24-Q4" / "pack.html").exists()
