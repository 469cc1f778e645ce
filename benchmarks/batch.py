"""12-mission pack batch: ours (``cpas_kit.packs.batch``: warm workers, one browser, fingerprints) against the
naive baseline of the same notebook run mission by mission with the ``papermill`` CLI and then
``jupyter nbconvert --to html`` (what a script around the command-line tools would do).

Both sides build the same thing, the pack notebook executed and exported to HTML, for the same 12 demo
missions on the same fresh store. Then, ours only: the full outputs (pack, Word report, factsheet with its PDF,
tracker) for the 12 missions into an empty outputs folder, and the same batch again with nothing changed
(every pack must be skipped). Where a pack's time goes (kernel start, imports, the notebook's cells by kind,
HTML export, each document, the PDF) is printed from the manifests before the last line.

Goals (issue 18): ratio <= 0.25; full <= 0.5 x naive; unchanged <= 10 % of the full batch.
Last line: ``batch: ratio=R ours_s=… naive_s=… full_s=… unchanged_s=… packs=12``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

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


def ours(missions: list[str], db_url: str, outputs: Path, jobs: int | None, documents: bool) -> tuple[float, dict]:
    """One batch into ``outputs``; its wall time and manifest (every mission must succeed)."""
    os.environ["CPAS_OUTPUTS"] = str(outputs)
    started = time.perf_counter()
    manifest = run_batch(missions, cycle=CYCLE, language="en", db_url=db_url, jobs=jobs, progress=False,
                         documents=documents)
    seconds = time.perf_counter() - started
    assert manifest["failed"] == 0, [r.get("error") for r in manifest["runs"] if not r["ok"]]
    return seconds, manifest


def breakdown(manifest: dict[str, Any], title: str) -> None:
    """Print where the packs' time went: total and mean per pack for each step."""
    totals: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for run in manifest["runs"]:
        for step, seconds in (run.get("timings") or {}).items():
            totals[step] += seconds
            counts[step] += 1
    print(f"{title} — where the time went (summed over workers; per pack where paid):")
    for step, total in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {step:<40} {total:7.1f} s total, {total / counts[step]:5.2f} s x {counts[step]}")


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
        ours_s, packs = ours(missions, db_url, tmp / "ours", args.jobs, documents=False)
        full_s, full = ours(missions, db_url, tmp / "full", args.jobs, documents=True)
        unchanged_s, again = ours(missions, db_url, tmp / "full", args.jobs, documents=True)
        assert sorted(again["skipped"]) == sorted(missions), f"rebuilt although unchanged: {again['skipped']}"
        (tmp / "naive").mkdir()
        naive_s = naive(missions, db_url, tmp / "naive")
    breakdown(packs, "ours, packs only")
    breakdown(full, "ours, full outputs")
    print(f"ours, full outputs (pack, impact report, factsheet + PDF, tracker) for {len(missions)} missions: "
          f"{full_s:.1f} s with {full['jobs']} workers ({full_s / naive_s:.2f} x naive; goal <= 0.5)")
    print(f"ours, the same batch again with nothing changed: {unchanged_s:.1f} s, {len(again['skipped'])} of "
          f"{len(missions)} skipped ({unchanged_s / full_s:.1%} of the full batch; goal <= 10 %)")
    print(f"ours, packs only: {ours_s:.1f} s; naive papermill + nbconvert CLI, sequential: {naive_s:.1f} s "
          f"(ratio {ours_s / naive_s:.2f}; goal <= 0.25)")
    print(f"batch: ratio={ours_s / naive_s:.2f} ours_s={ours_s:.1f} naive_s={naive_s:.1f} full_s={full_s:.1f} "
          f"unchanged_s={unchanged_s:.1f} packs={len(missions)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
