"""Packs for many missions at once: warm workers, one browser, nothing rebuilt twice, a manifest.

``cpas packs --all`` builds the packs of every mission with a ``parameters/<MISSION>.yaml``; ``--missions A,B``
names them. How:

* **Nothing rebuilt twice.** Each pack's inputs get a fingerprint (:mod:`cpas_kit.packs.fingerprint`); a
  mission whose fingerprint matches its last successful run, and whose files are still there unchanged, is
  skipped and said to be (``force=True`` rebuilds all).
* **Warm workers** (:mod:`cpas_kit.packs.workers`): one process per core, each keeping its imports and a
  Jupyter kernel for mission after mission (papermill still runs the notebook and injects the parameters; the
  executed notebook is still written). A worker that dies or grows too big is replaced; one mission's failure
  never stops the others.
* **One browser**: the parent prints every factsheet PDF with one headless Chromium (:class:`PdfPrinter`).
* **Nothing half-written**: a mission's outputs are written aside and renamed into place together, and
  ``outputs/manifest.json`` is rewritten (atomically) after each mission: mission, cycle, language, files
  with sizes and SHA-256, fingerprint, duration and where it went, success or the error.
"""

from __future__ import annotations

import json
import os
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cpas_kit.core.errors import CpasError, ParametersError
from cpas_kit.core.import_report import file_sha256
from cpas_kit.core.paths import outputs_dir, parameters_dir
from cpas_kit.core.settings import PackParameters, resolve_parameters
from cpas_kit.packs.build import Staged, executed_notebook
from cpas_kit.packs.fingerprint import pack_fingerprint
from cpas_kit.packs.offline import write_atomically
from cpas_kit.packs.pdf import PdfPrinter
from cpas_kit.packs.workers import Task, WorkerPool
from cpas_kit.store import Store

MANIFEST = "manifest.json"


def missions_with_parameters() -> list[str]:
    """Missions that have a ``parameters/<MISSION>.yaml`` (UN-DEMO first)."""
    codes = sorted(p.stem for p in parameters_dir().glob("*.yaml"))
    return sorted(codes, key=lambda c: (c != "UN-DEMO", c))


def default_jobs() -> int:
    """One worker per core (a pack's kernel is mostly single-threaded)."""
    return max(1, os.cpu_count() or 1)


def _shown(path: Path) -> str:
    root = outputs_dir()
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _file_record(path: Path) -> dict[str, Any]:
    return {"path": _shown(path), "bytes": path.stat().st_size, "sha256": file_sha256(path)}


def _key(entry: dict[str, Any]) -> tuple:
    return entry.get("mission"), entry.get("cycle"), entry.get("language")


def read_manifest() -> dict[str, Any]:
    """``outputs/manifest.json`` as a dict (empty when absent or unreadable)."""
    path = outputs_dir() / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _unchanged(earlier: dict[str, Any] | None, fingerprint: str) -> bool:
    """True when the earlier run succeeded with this fingerprint and its files are on disk, unchanged."""
    if not earlier or not earlier.get("ok") or earlier.get("fingerprint") != fingerprint or not earlier.get("files"):
        return False
    root = outputs_dir()
    for record in earlier["files"]:
        path = Path(record.get("path", ""))
        path = path if path.is_absolute() else root / path
        if not path.is_file() or path.stat().st_size != record.get("bytes") or file_sha256(path) != record.get(
                "sha256"):
            return False
    return True


def _plan(missions: list[str], cycle: str | None, language: str | None, db_url: str | None,
          documents: bool, force: bool) -> tuple[list[dict[str, Any]], dict[str, PackParameters]]:
    """A first entry per mission: parameters resolved and fingerprinted, failed, or skipped as unchanged."""
    earlier = {_key(r): r for r in read_manifest().get("runs", []) if isinstance(r, dict)}
    entries: list[dict[str, Any]] = []
    params_of: dict[str, PackParameters] = {}
    stores: dict[str, Store] = {}
    try:
        for m in missions:
            entry: dict[str, Any] = {"mission": m, "cycle": cycle, "language": language, "ok": False, "files": [],
                                     "documents": documents}
            entries.append(entry)
            try:
                params = resolve_parameters(m, cycle, language=language, db_url=db_url)
                entry.update(cycle=params.cycle, language=params.language)
                url = params.db_url or ""
                store = stores.get(url) or stores.setdefault(url, Store(url or None))
                entry["fingerprint"] = pack_fingerprint(params, documents=documents, store=store)
            except CpasError as exc:
                entry["error"] = str(exc)
                continue
            before = earlier.get(_key(entry))
            if not force and _unchanged(before, entry["fingerprint"]):
                entry.update({**before, "skipped": True})
                continue
            params_of[m] = params
    finally:
        for store in stores.values():
            store.close()
    return entries, params_of


def _finish(entry: dict[str, Any], params: PackParameters, result: dict[str, Any],
            printer: PdfPrinter | None) -> None:
    """Print the PDF, put the staged files in place and fill the mission's manifest entry."""
    started = time.perf_counter()
    entry.pop("skipped", None)
    if not result["ok"]:
        entry.update(ok=False, error=result["error"], files=[])
    else:
        staged = Staged(params, pending=[(Path(a), Path(b)) for a, b in result["pending"]],
                        notes=list(result.get("notes", [])), timings=dict(result.get("timings", {})),
                        pdf_job=tuple(Path(p) for p in result["pdf_job"]) if result.get("pdf_job") else None)
        try:
            staged.print_pdf(printer)
            files = staged.commit()
        except BaseException:
            staged.discard()
            raise
        nb = executed_notebook(params)
        entry.update(ok=True, files=[_file_record(p) for p in files], notes=staged.notes,
                     notebook=_shown(nb) if nb.is_file() else None,
                     timings={k: round(v, 2) for k, v in staged.timings.items()})
        entry.pop("error", None)
    entry["seconds"] = round(result.get("seconds", 0.0) + time.perf_counter() - started, 2)
    entry["built_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")


def run_batch(missions: list[str], *, cycle: str | None = None, language: str | None = None,
              db_url: str | None = None, jobs: int | None = None, progress: bool = True,
              documents: bool = True, force: bool = False) -> dict[str, Any]:
    """Build every mission's outputs on warm workers (``documents=False``: the HTML packs only).

    Missions whose inputs did not change since their last successful build are skipped (``force=True``
    rebuilds them). The manifest is written after each mission; the returned manifest lists this batch's runs,
    with ``skipped`` naming the missions left as they were.
    """
    if not missions:
        raise ParametersError(f"no missions to build: add parameters/<MISSION>.yaml files in {parameters_dir()} "
                              "or name missions with --missions")
    started = time.perf_counter()
    entries, params_of = _plan(missions, cycle, language, db_url, documents, force)
    jobs = max(1, min(jobs or default_jobs(), max(1, len(params_of))))
    manifest: dict[str, Any] = {"jobs": jobs, "runs": entries}
    bar = None
    if progress:
        from tqdm import tqdm  # tqdm only when a bar is shown

        bar = tqdm(total=len(missions), desc="packs", unit="mission")
        bar.update(len(missions) - len(params_of))
    by_mission = {e["mission"]: e for e in entries}
    tasks = [Task(m, p.model_dump(), documents) for m, p in params_of.items()]
    printer = PdfPrinter() if documents else None
    try:
        _save(manifest, started)
        if tasks:
            with WorkerPool(jobs) as pool:
                for result in pool.run(tasks):
                    mission = result["key"]
                    _finish(by_mission[mission], params_of[mission], result, printer)
                    _save(manifest, started)
                    if bar is not None:
                        bar.set_postfix_str(f"{mission} {'ok' if result['ok'] else 'FAILED'}")
                        bar.update()
    finally:
        if printer is not None:
            printer.close()
        if bar is not None:
            bar.close()
    return _save(manifest, started)


def _save(manifest: dict[str, Any], started: float) -> dict[str, Any]:
    runs = manifest["runs"]
    final = [r for r in runs if r.get("skipped") or r.get("error") or r.get("built_at")]
    manifest.update(generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    seconds=round(time.perf_counter() - started, 2), ok=sum(bool(r["ok"]) for r in runs),
                    failed=sum(not r["ok"] for r in runs),
                    skipped=[r["mission"] for r in runs if r.get("skipped")])
    write_manifest({**manifest, "runs": final})  # missions still building keep their earlier entries
    return manifest


def write_manifest(manifest: dict[str, Any]) -> Path:
    """``outputs/manifest.json``: this batch's runs, plus earlier runs of other missions, cycles or languages."""
    path = outputs_dir() / MANIFEST
    earlier = [r for r in read_manifest().get("runs", []) if isinstance(r, dict)]
    keys = {_key(r) for r in manifest["runs"]}
    kept = [r for r in earlier if _key(r) not in keys]
    body = json.dumps({**manifest, "runs": kept + manifest["runs"]}, indent=2, ensure_ascii=False)
    return write_atomically(path, body.encode("utf-8"))
