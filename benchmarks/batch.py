"""12-mission pack batch: ours (``cpas_kit.packs.batch``: papermill's Python API in one worker process per core)
against the naive baseline of the same notebook run mission by mission with the ``papermill`` CLI and then
``jupyter nbconvert --to html`` (what a script around the command-line tools would do).

Both sides build the same thing, the pack notebook executed and exported to HTML, for the same 12 demo
missions on a fresh store; our full outputs (pack, Word report, factsheet, tracker) are timed too and
printed on an earlier line.

Last line: ``batch: ratio=R ours_s=… naive_s=… packs=12``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from cpas_kit import demo
from cpas_kit.core.paths import notebooks_dir
from cpas_kit.packs.batch import run_batch
from cpas_kit.store import Store

CYCLE = "2023/24-Q4"


def naive(missions: list[str], db_url: str, out: Path) -> float:
    """Sequential papermill CLI, then nbconvert CLI, per mission."""
    bindir = Path(sys.executable).parent
    source = notebooks_dir() / "impact_assessment_pack.ipynb"
    started = time.perf_counter()
    for m in missions:
        params = out / f"{m}.yaml"
        params.write_text(yaml.safe_dump({"mission": m, "cycle": CYCLE, "db_url": db_url, "language": "en",
                                          "output_dir": str(out / m)}))
        executed = out / f"{m}.ipynb"
        subprocess.run([str(bindir / "papermill"), str(source), str(executed), "-f", str(params), "--cwd",
                        str(notebooks_dir()), "--no-progress-bar"], check=True, capture_output=True)
        subprocess.run([str(bindir / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
                       check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--jobs", type=int, default=None, help="our workers (default: one per core)")
    args = ap.parse_args()
    missions = demo.demo_mission_codes()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        db_url = f"sqlite:///{tmp / 'batch.sqlite'}"
        store = Store(db_url)
        demo.load_demo(store)
        demo.load_demo_missions(store)
        store.close()
        os.environ["CPAS_OUTPUTS"] = str(tmp / "ours")
        t0 = time.perf_counter()
        manifest = run_batch(missions, cycle=CYCLE, language="en", db_url=db_url, jobs=args.jobs, progress=False,
                             documents=False)
        ours = time.perf_counter() - t0
        assert manifest["failed"] == 0, [r.get("error") for r in manifest["runs"] if not r["ok"]]
        t0 = time.perf_counter()
        full = run_batch(missions, cycle=CYCLE, language="en", db_url=db_url, jobs=args.jobs, progress=False)
        full_s = time.perf_counter() - t0
        assert full["failed"] == 0, [r.get("error") for r in full["runs"] if not r["ok"]]
        (tmp / "naive").mkdir()
        naive_s = naive(missions, db_url, tmp / "naive")
    print(f"ours, full outputs (pack, impact report, factsheet, tracker) for {len(missions)} missions: {full_s:.1f} s "
          f"with {manifest['jobs']} workers")
    print(f"ours, packs only: {ours:.1f} s; naive papermill + nbconvert CLI, sequential: {naive_s:.1f} s")
    print(f"batch: ratio={ours / naive_s:.2f} ours_s={ours:.1f} naive_s={naive_s:.1f} packs={len(missions)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
