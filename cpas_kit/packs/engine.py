"""A warm notebook engine: one Jupyter kernel kept alive and reused for pack after pack.

Starting a kernel and importing pandas, Altair and GeoPandas in it costs seconds; a batch pays it once per
worker instead of once per pack. Each run still goes through papermill (its ``parameters`` injection, cell by
cell execution, the executed notebook kept as an output); only the kernel is reused. Between runs the
kernel's namespace is reset (``%reset -f``), so one mission's variables never reach the next; imported modules
stay loaded, which is the point. A kernel that died, failed a run, or grew past ``max_rss_mb`` is replaced
before the next run.

The kernel's own console output (``[IPKernelApp] WARNING | Kernel is running over TCP…``, library warnings)
goes to a log file, never to the user's terminal.
"""

from __future__ import annotations

import ctypes
import os
import signal
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator

from cpas_kit.core.errors import PackError
from cpas_kit.core.paths import notebooks_dir, outputs_dir

DEFAULT_MAX_RSS_MB = 1500  # a pack kernel settles near 400 MB; well above that is a leak: start afresh
WARM_UP = """\
import altair, geopandas, pandas, vl_convert  # the heavy imports every pack needs, paid once per kernel
from cpas_kit.packs import data, offline, sections
"""
RESET = "get_ipython().run_line_magic('reset', '-f')"
PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask Linux to send ``sig`` to this process when its parent ends (no-op elsewhere).

    A killed ``cpas packs`` must not leave workers, kernels or browsers writing on for minutes.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the kernel's own parent poller still ends it
        return


LOG_NAME = "notebooks.log"


def log_path() -> Path:
    """``outputs/logs/notebooks.log``: what kernels and notebook tools print, kept off the user's console."""
    return outputs_dir() / "logs" / LOG_NAME


@contextmanager
def notebook_log() -> Iterator[IO[bytes]]:
    """The log file opened for appending (unbuffered, so a kernel's lines land in order with ours)."""
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab", buffering=0) as log:
        yield log


def process_rss_mb(pid: int) -> float | None:
    """Resident memory of a process in MB (``None`` when it cannot be read)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


class WarmKernel:
    """A python3 kernel kept for many notebook runs (see the module docstring)."""

    def __init__(self, log: "IO[bytes] | None" = None, *, max_rss_mb: float = DEFAULT_MAX_RSS_MB) -> None:
        self.log = log
        self.max_rss_mb = max_rss_mb
        self.km: Any = None
        self.starts = 0
        self.runs = 0
        self.timings: dict[str, float] = {}  # of the last run: kernel start, imports (when paid), cells

    # -- lifecycle -------------------------------------------------------------------------------------------
    def _start(self) -> None:
        from jupyter_client.manager import AsyncKernelManager  # jupyter_client is heavy: only when a pack runs
        from jupyter_core.utils import run_sync

        started = time.perf_counter()
        km = AsyncKernelManager(kernel_name="python3")
        out = self.log if self.log is not None else open(os.devnull, "wb")  # noqa: SIM115 - lives with kernel
        run_sync(km.start_kernel)(cwd=str(notebooks_dir()), stdout=out, stderr=out, stdin=None,
                                  preexec_fn=die_with_parent)
        self.km = km
        self.starts += 1
        self.timings["kernel start"] = time.perf_counter() - started
        started = time.perf_counter()
        self._run_code(WARM_UP, timeout=300)
        self.timings["imports"] = time.perf_counter() - started

    def _run_code(self, code: str, timeout: float = 60) -> None:
        """Run a line of code in the kernel outside any notebook (warm-up, reset)."""
        kc = self.km.blocking_client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=timeout)
            reply = kc.execute_interactive(code, timeout=timeout, output_hook=lambda msg: None, store_history=False)
        finally:
            kc.stop_channels()
        if reply["content"].get("status") != "ok":
            content = reply["content"]
            raise PackError(f"the pack kernel could not prepare itself: {content.get('ename')}: "
                            f"{content.get('evalue')}")

    def alive(self) -> bool:
        """True while the kernel process runs."""
        from jupyter_core.utils import run_sync

        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def kernel_rss_mb(self) -> float | None:
        """The kernel's resident memory in MB."""
        proc = getattr(getattr(self.km, "provisioner", None), "process", None)
        return process_rss_mb(proc.pid) if proc is not None else None

    def _ready(self) -> None:
        """A usable kernel with an empty namespace: replace one that died or grew too big, else reset it."""
        self.timings = {}
        if self.km is not None and not self.alive():
            self.shutdown()
        rss = self.kernel_rss_mb() if self.km is not None else None
        if rss is not None and rss > self.max_rss_mb:
            self.shutdown()
        if self.km is None:
            self._start()
            return
        try:
            self._run_code(RESET)
        except Exception:  # noqa: BLE001 - a kernel that cannot even reset is replaced, whatever the reason
            self.shutdown()
            self._start()

    def shutdown(self) -> None:
        """Stop the kernel (now: a pack kernel holds nothing worth a graceful goodbye)."""
        if self.km is None:
            return
        from jupyter_core.utils import run_sync

        try:
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - a kernel already gone is what we wanted
            pass
        self.km = None

    # -- runs ------------------------------------------------------------------------------------------------
    def run(self, name: str, executed: Path, parameters: dict, *, what: str) -> Path:
        """Execute ``notebooks/<name>`` with ``parameters`` into ``executed`` (written aside, then renamed)."""
        import papermill as pm  # papermill pulls nbclient/nbformat: only when a pack runs
        from papermill.exceptions import PapermillExecutionError

        source = notebooks_dir() / name
        if not source.is_file():
            raise PackError(f"{what} {source} is missing; run cpas from the project folder or set CPAS_HOME")
        self._ready()
        executed.parent.mkdir(parents=True, exist_ok=True)
        partial = executed.with_name(f".{executed.stem}.{uuid.uuid4().hex[:8]}.partial{executed.suffix}")
        started = time.perf_counter()
        try:
            nb = pm.execute_notebook(str(source), str(partial), parameters=parameters, kernel_name="python3",
                                     progress_bar=False, cwd=str(notebooks_dir()), km=self.km,
                                     request_save_on_cell_execute=False)
        except PapermillExecutionError as exc:
            self.shutdown()  # the next run gets a fresh kernel, not one in an unknown state
            if partial.is_file():
                partial.replace(executed)  # the executed notebook shows where it failed
            raise PackError(f"{what} failed at cell {exc.exec_count}: {exc.ename}: {exc.evalue} "
                            f"(the executed notebook is at {executed})") from None
        except BaseException:
            self.shutdown()
            partial.unlink(missing_ok=True)
            raise
        partial.replace(executed)
        self.runs += 1
        self.timings["notebook"] = time.perf_counter() - started
        self.timings.update(cell_timings(nb))
        return executed


CELL_KINDS = (  # what a pack cell mostly does, by the function it calls (for the timing breakdown)
    ("load_pack_data", "notebook: loading the store"),
    ("conflict_context", "notebook: maps and conflict charts"),
    ("overview", "notebook: charts"),
    ("outcome_sections", "notebook: charts"),
    ("context_mapping", "notebook: charts"),
)


def cell_timings(nb: Any) -> dict[str, float]:
    """Seconds per kind of cell of an executed notebook, from papermill's per-cell durations."""
    totals: dict[str, float] = {}
    for cell in nb.cells:
        duration = (cell.get("metadata", {}).get("papermill") or {}).get("duration")
        if cell.cell_type != "code" or not duration:
            continue
        kind = next((label for key, label in CELL_KINDS if key in cell.source), "notebook: tables and text")
        totals[kind] = totals.get(kind, 0.0) + float(duration)
    return totals
