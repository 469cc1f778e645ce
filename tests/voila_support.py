"""Serving a notebook with Voila for browser tests: start it on a free port, wait, stop it and its kernels.

    with voila_server(NOTEBOOKS / "recommendations_tracker.ipynb", env={"CPAS_DB_URL": url}) as base:
        page.goto(base + "?language=fr")

The server runs as its own process group on 127.0.0.1 with kernel culling on (Voila does not stop a
kernel when its tab closes) and with only the given config directory searched for ``voila.(py|json)``,
so a developer's own Voila configuration cannot change what a test sees. Readiness is probed with a
plain TCP connection: every HTTP GET of the notebook URL would start a kernel. On failure the server's
log is part of the error message.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

VOILA = Path(sys.executable).with_name("voila")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require_chromium() -> None:
    """Skip the calling test when Debian chromium is missing; fail when CPAS_REQUIRE_BROWSER is set."""
    import pytest

    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("CPAS_REQUIRE_BROWSER"):
        pytest.fail(f"{CHROMIUM} is required (CPAS_REQUIRE_BROWSER is set) but missing")
    pytest.skip(f"Debian chromium not installed at {CHROMIUM} (apt-get install chromium)")


def answers(port: int) -> bool:
    """True when something listens on ``port`` (a plain TCP probe: an HTTP GET would start a kernel)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@contextmanager
def voila_server(notebook: str | Path, *, env: Mapping[str, str] | None = None,
                 extra_args: Sequence[str] = (), config_dir: str | Path | None = None,
                 log_file: str | Path | None = None, cull_idle_timeout: int = 120,
                 start_timeout: float = 60.0) -> Iterator[str]:
    """Serve ``notebook`` with Voila; yield its URL (``http://127.0.0.1:PORT/``); stop it afterwards.

    ``env`` is added to this process's environment (e.g. ``CPAS_DB_URL``); ``extra_args`` go to the
    command line after the defaults, so they win; ``config_dir`` is the only folder searched for a
    ``voila.py`` / ``voila.json`` (default: an empty temporary folder); ``log_file`` keeps the server's
    output (default: a temporary file, shown in the error when the server does not start).
    """
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="cpas-voila-") as tmp:
        log_path = Path(log_file) if log_file else Path(tmp) / "voila.log"
        command = [
            str(VOILA), str(notebook), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
            f"--Voila.config_file_paths={config_dir or tmp}",
            f"--MappingKernelManager.cull_idle_timeout={cull_idle_timeout}",
            f"--MappingKernelManager.cull_interval={max(1, cull_idle_timeout // 4)}",
            *extra_args,
        ]
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(command, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=subprocess.STDOUT, cwd=Path(notebook).resolve().parent,
                                    start_new_session=True)
        try:
            deadline = time.monotonic() + start_timeout
            while not answers(port):
                if proc.poll() is not None:
                    raise RuntimeError(f"voila exited with code {proc.returncode} before answering:\n"
                                       + log_path.read_text(errors="replace"))
                if time.monotonic() > deadline:
                    raise RuntimeError(f"voila did not answer on port {port} within {start_timeout:.0f} s:\n"
                                       + log_path.read_text(errors="replace"))
                time.sleep(0.2)
            yield f"http://127.0.0.1:{port}/"
        finally:
            _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the server's process group (Voila then shuts its kernels down); SIGKILL it if it lingers."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # anything left in the group
    except ProcessLookupError:
        pass
    proc.wait(timeout=5)


def copy_store(source: str | Path, target: str | Path) -> str:
    """Copy a SQLite store (consistently, with SQLite's backup) and return the copy's URL."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return f"sqlite:///{target}"


def find_widgets(widget: Any, css_class: str) -> list[Any]:
    """Every widget under ``widget`` (itself included) that carries ``css_class``."""
    found = [widget] if css_class in getattr(widget, "_dom_classes", ()) else []
    for child in getattr(widget, "children", ()):
        found += find_widgets(child, css_class)
    return found


def one_widget(widget: Any, css_class: str) -> Any:
    """The only widget under ``widget`` that carries ``css_class``."""
    (found,) = find_widgets(widget, css_class)
    return found


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright (skipped or failed as :func:`require_chromium` says)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
