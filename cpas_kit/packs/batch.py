"""Packs for many missions at once: parallel across cores, one failure never stops the others, a manifest.

``cpas packs --all`` builds the packs of every mission with a ``parameters/<MISSION>.yaml``;
``--missions A,B`` names them. Each mission runs in its own worker process (papermill's Python API,
which STACK_NOTES measured as the fastest batch shape), and ``outputs/manifest.json`` records every
run: mission, cycle, language, files with sizes and SHA-256, duration, and success or the error.
"""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cpas_kit.core.errors import CpasError, ParametersError
from cpas_kit.core.import_report import file_sha256
from cpas_kit.core.paths import outputs_dir, parameters_dir
from cpas_kit.core.settings import resolve_parameters
from cpas_kit.packs.build import build_outputs

MANIFEST = "manifest.json"


def missions_with_parameters() -> list[str]:
    """Missions that have a ``parameters/<MISSION>.yaml`` (UN-DEMO first)."""
    codes = sorted(p.stem for p in parameters_dir().glob("*.yaml"))
    return sorted(codes, key=lambda c: (c != "UN-DEMO", c))


def default_jobs() -> int:
    """One worker per core (a pack's kernel is mostly single-threaded)."""
    return max(1, os.cpu_count() or 1)


def _build_one(mission: str, cycle: str | None, language: str | None, db_url: str | None,
               documents: bool = True) -> dict[str, Any]:
    """Build one mission's outputs (in a worker process); never raises: failures are returned."""
    started = time.perf_counter()
    entry: dict[str, Any] = {"mission": mission, "cycle": cycle, "language": language, "ok": False, "files": []}
    try:
        params = resolve_parameters(mission, cycle, language=language, db_url=db_url)
        entry.update(cycle=params.cycle, language=params.language)
        outcome = build_outputs(params, documents=documents)
        root = outputs_dir()
        for path in outcome["files"]:
            p = Path(path)
            shown = str(p.relative_to(root)) if p.is_relative_to(root) else str(p)
            entry["files"].append({"path": shown, "bytes": p.stat().st_size, "sha256": file_sha256(p)})
        entry["notes"] = outcome.get("notes", [])
        entry["ok"] = True
    except CpasError as exc:
        entry["error"] = str(exc)
    except Exception as exc:  # noqa: BLE001 - a batch records any failure and carries on with the others
        entry["error"] = f"unexpected error: {type(exc).__name__}: {exc}"
    entry["seconds"] = round(time.perf_counter() - started, 2)
    return entry


def run_batch(missions: list[str], *, cycle: str | None = None, language: str | None = None,
              db_url: str | None = None, jobs: int | None = None, progress: bool = True,
              documents: bool = True) -> dict[str, Any]:
    """Build every mission's outputs in parallel (``documents=False``: the HTML packs only); write the manifest."""
    if not missions:
        raise ParametersError(f"no missions to build: add parameters/<MISSION>.yaml files in {parameters_dir()} "
                              "or name missions with --missions")
    jobs = max(1, min(jobs or default_jobs(), len(missions)))
    started = time.perf_counter()
    runs: list[dict[str, Any]] = []
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(missions), desc="packs", unit="mission")
    if jobs == 1:
        for m in missions:
            runs.append(_build_one(m, cycle, language, db_url, documents))
            if bar is not None:
                bar.set_postfix_str(f"{m} {'ok' if runs[-1]['ok'] else 'FAILED'}")
                bar.update()
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(_build_one, m, cycle, language, db_url, documents): m for m in missions}
            for fut in as_completed(futures):
                runs.append(fut.result())
                if bar is not None:
                    bar.set_postfix_str(f"{futures[fut]} {'ok' if runs[-1]['ok'] else 'FAILED'}")
                    bar.update()
    if bar is not None:
        bar.close()
    order = {m: i for i, m in enumerate(missions)}
    runs.sort(key=lambda r: order[r["mission"]])
    manifest = {"generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "seconds": round(time.perf_counter() - started, 2), "jobs": jobs,
                "ok": sum(r["ok"] for r in runs), "failed": sum(not r["ok"] for r in runs), "runs": runs}
    write_manifest(manifest)
    return manifest


def write_manifest(manifest: dict[str, Any]) -> Path:
    """``outputs/manifest.json``: this batch's runs, plus earlier runs of other missions, cycles or languages."""
    path = outputs_dir() / MANIFEST
    earlier: list[dict[str, Any]] = []
    if path.is_file():
        try:
            earlier = json.loads(path.read_text(encoding="utf-8")).get("runs", [])
        except (json.JSONDecodeError, AttributeError):
            earlier = []
    keys = {(r["mission"], r["cycle"], r["language"]) for r in manifest["runs"]}
    kept = [r for r in earlier if (r.get("mission"), r.get("cycle"), r.get("language")) not in keys]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({**manifest, "runs": kept + manifest["runs"]}, indent=2, ensure_ascii=False),
                   encoding="utf-8")
    tmp.replace(path)
    return path
