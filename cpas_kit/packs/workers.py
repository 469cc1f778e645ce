"""Warm pack workers: processes that keep their imports and a kernel, and build mission after mission.

Each worker is a fresh (spawned) Python process holding a :class:`~cpas_kit.packs.engine.WarmKernel`. It
receives one mission at a time over a pipe, stages that mission's outputs (written aside, not yet in place:
see :mod:`cpas_kit.packs.build`) and sends back what it staged; the parent prints the PDFs with its one
browser and renames the files into place. A worker that dies mid-mission is reported as that mission's failure
and replaced; a worker whose memory grew past the limit finishes its mission, retires, and is replaced.

Workers and their kernels end when the parent ends, even when it is killed (Linux ``PR_SET_PDEATHSIG``;
elsewhere the kernel's own parent watch still applies). Their console output goes to
``outputs/logs/notebooks.log``, never to the user's terminal.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
import time
import traceback
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Iterator

from cpas_kit.core.errors import CpasError
from cpas_kit.packs.engine import DEFAULT_MAX_RSS_MB, die_with_parent, log_path, process_rss_mb

WORKER_MAX_RSS_MB = 2500  # the worker itself (charts, documents); above it the worker retires after its mission


@dataclass
class Task:
    """One mission for a worker: its pack parameters (as a dict) and whether to build the documents too."""

    key: str
    parameters: dict[str, Any]
    documents: bool


def _quiet_console(log: Path) -> None:
    """Send this process's stdout and stderr (and its children's) to the log file."""
    log.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


def _stage(task: Task, kernel: Any) -> dict[str, Any]:
    """Stage one mission's outputs; never raises: a failure is returned as a sentence."""
    from cpas_kit.core.settings import PackParameters
    from cpas_kit.packs.build import stage_outputs

    started = time.perf_counter()
    result: dict[str, Any] = {"key": task.key, "ok": False}
    try:
        params = PackParameters(**task.parameters)
        staged = stage_outputs(params, documents=task.documents, kernel=kernel)
        result.update(ok=True, pending=[(str(a), str(b)) for a, b in staged.pending], notes=staged.notes,
                      timings=staged.timings,
                      pdf_job=[str(p) for p in staged.pdf_job] if staged.pdf_job else None)
    except CpasError as exc:
        result["error"] = str(exc)
    except Exception as exc:  # noqa: BLE001 - a batch records any failure and carries on with the others
        traceback.print_exc()  # into the log, for whoever investigates
        result["error"] = f"unexpected error: {type(exc).__name__}: {exc}"
    result["seconds"] = time.perf_counter() - started
    return result


def worker_main(conn: Connection, log: str, max_rss_mb: float) -> None:
    """A worker's life: build the missions it is sent until told to stop, its parent ends, or it grew too big."""
    die_with_parent()
    parent = mp.parent_process()
    if parent is not None and os.getppid() != parent.pid:  # the parent ended before we asked to follow it
        return
    _quiet_console(Path(log))
    import altair as alt  # noqa: F401 - the heavy imports, once per worker

    from cpas_kit.packs.engine import WarmKernel

    alt.utils.schemapi.disable_debug_mode()  # as in the pack kernel: the chart tests validate the specs
    kernel = WarmKernel(open(log, "ab", buffering=0), max_rss_mb=max_rss_mb)  # noqa: SIM115 - worker's lifetime
    try:
        while True:
            try:
                task = conn.recv()
            except (EOFError, OSError):
                break
            if task is None:
                break
            result = _stage(task, kernel)
            rss = process_rss_mb(os.getpid()) or 0.0
            result["retire"] = rss > WORKER_MAX_RSS_MB
            conn.send(result)
            if result["retire"]:
                break
    finally:
        kernel.shutdown()


@contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Start a spawned worker without re-running the caller's script in it.

    ``spawn`` re-imports the parent's ``__main__`` in every child (a script without an ``if __name__`` guard
    would start a batch in each worker); a worker needs only this module, so the main module is hidden from
    multiprocessing while the worker starts, as it is for an interactive session.
    """
    main = sys.modules.get("__main__")
    saved = {k: main.__dict__.pop(k) for k in ("__file__", "__spec__") if main is not None and k in main.__dict__}
    if main is not None:
        main.__spec__ = None  # multiprocessing reads it; None means "no module to import"
    try:
        yield
    finally:
        if main is not None:
            main.__dict__.update(saved)


class _Worker:
    def __init__(self, ctx: Any, log: str, max_rss_mb: float) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=worker_main, args=(child, log, max_rss_mb), daemon=True,
                                name="cpas-pack-worker")
        with _main_module_hidden():
            self.proc.start()
        child.close()
        self.task: Task | None = None

    def stop(self, timeout: float = 20) -> None:
        try:
            self.conn.send(None)
        except (OSError, BrokenPipeError):
            pass
        self.proc.join(timeout)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)
        self.conn.close()


class WorkerPool:
    """``jobs`` warm workers; :meth:`run` yields each task's result as it completes (see the module docstring)."""

    def __init__(self, jobs: int, *, max_rss_mb: float = DEFAULT_MAX_RSS_MB) -> None:
        self.jobs = jobs
        self.max_rss_mb = max_rss_mb
        self.log = str(log_path())
        self._ctx = mp.get_context("spawn")  # a clean process: no inherited threads, locks or open browser
        self.workers: list[_Worker] = []
        self.replaced = 0

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _spawn(self) -> _Worker:
        worker = _Worker(self._ctx, self.log, self.max_rss_mb)
        self.workers.append(worker)
        return worker

    def _retire(self, worker: _Worker, *, kill: bool = False) -> None:
        self.workers.remove(worker)
        if kill:
            worker.proc.kill()
        worker.stop()
        self.replaced += 1

    def run(self, tasks: list[Task]) -> Iterator[dict[str, Any]]:
        """Build every task on the workers; yield each result (``ok``, ``error``, staged files) as it comes."""
        queue = deque(tasks)
        while len(self.workers) < min(self.jobs, len(tasks)):
            self._spawn()
        while queue or any(w.task for w in self.workers):
            for worker in self.workers:
                if worker.task is None and queue:
                    worker.task = queue.popleft()
                    worker.conn.send(worker.task)
            busy = [w for w in self.workers if w.task is not None]
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy])
            for worker in busy:
                if worker.conn in ready or worker.conn.poll():
                    try:
                        result = worker.conn.recv()
                    except (EOFError, OSError):
                        result = None
                elif worker.proc.sentinel in ready:
                    result = None
                else:
                    continue
                task, worker.task = worker.task, None
                if result is None:  # the worker died with the mission in its hands
                    code = worker.proc.exitcode
                    result = {"key": task.key, "ok": False, "seconds": 0.0,
                              "error": f"the worker building {task.key} stopped unexpectedly (exit code {code}); "
                                       "it was replaced and the other missions went on"}
                    self._retire(worker, kill=True)
                    if queue:
                        self._spawn()
                elif result.get("retire"):
                    self._retire(worker)
                    if queue:
                        self._spawn()
                yield result

    def close(self) -> None:
        """Stop every worker (and with it its kernel)."""
        for worker in list(self.workers):
            worker.stop()
        self.workers = []
