"""``cpas workshop serve``: Voila serving exactly the two workshop apps, tuned for a room of participants.

* Only the participant and facilitator notebooks are reachable: Voila serves a folder holding links to
  just those two (``.cpas/workshop-serve/<port>/``), not the whole ``notebooks/`` folder.
* Participant kernels are preheated (``--pool-size``, default 2): a page opens in 2–3 s
  instead of waiting for a kernel to start and import. The facilitator page is not preheated. A
  preheated kernel learns its page address through Voila's own helper (see :mod:`cpas_kit.workshop.pages`).
* Closing a tab does not stop its kernel in Voila 0.5, so kernels whose page is gone are stopped after
  ten idle minutes (``cull_idle_timeout``); kernels with an open page are never stopped.
* The outcome views of every open session are drawn before the server starts (once; they are cached).
* Served beyond this computer (``--ip`` other than 127.0.0.1), every browser must present the **server token**
  (``--token``, ``$CPAS_WORKSHOP_TOKEN``, else a random one): it is printed at start and part of the addresses
  handed out. The connection itself is plain HTTP: on a network you do not trust, put the server behind an HTTPS
  proxy with a certificate (README, "Security and backups").
* The addresses printed are the ones the server really listens on: a busy port is reported and the next free
  one is used (Voila itself is told not to move), and the addresses appear only once the server answers.
* The terminal shows only what the facilitator needs; Voila's and the kernels' technical messages
  ("Notebook … is not trusted", kernel warnings) go to a log file under ``.cpas/logs/``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cpas_kit.core.errors import CpasError
from cpas_kit.core.paths import notebooks_dir, state_dir
from cpas_kit.workshop.security import server_token
from cpas_kit.workshop.store import WorkshopStore
from cpas_kit.workshop.views import build_views

NOTEBOOKS = ("workshop_participant.ipynb", "workshop_facilitator.ipynb")
CULL_IDLE_SECONDS = 600
PORTS_TRIED = 20  # a busy port: the next ones are tried, like Voila would, but chosen here so the address is known
READY_SECONDS = 120  # how long to wait for the server to answer before saying where its log is


def free_port(ip: str, port: int, tries: int = PORTS_TRIED) -> int:
    """``port`` if nothing listens on it at ``ip``, else the next free one; a clear error when none is free."""
    host = "127.0.0.1" if ip in ("0.0.0.0", "") else ip
    for candidate in range(port, port + tries):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host if ip not in ("0.0.0.0", "") else "", candidate))
            except OSError:
                continue
        return candidate
    raise CpasError(f"ports {port} to {port + tries - 1} are all in use on this computer; stop the other server or "
                    "choose another with --port")


def wait_until_listening(proc: subprocess.Popen, ip: str, port: int, timeout: float = READY_SECONDS) -> bool:
    """True once something answers on ``port`` (the server is up); False if ``proc`` ended or time ran out."""
    host = "127.0.0.1" if ip in ("0.0.0.0", "") else ip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.3)
    return False


def log_file(port: int) -> Path:
    """Where the server's technical messages go (one file per port, appended to)."""
    folder = state_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"workshop-serve-{port}.log"


def serve_dir(port: int) -> Path:
    """A folder holding links to the two workshop notebooks only (one per port, recreated at each serve)."""
    folder = state_dir() / "workshop-serve" / str(port)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name in NOTEBOOKS:
        source = notebooks_dir() / name
        if not source.exists():
            raise CpasError(f"the workshop app {source} is missing; reinstall cpas_kit from the project checkout")
        (folder / name).symlink_to(source)
    return folder


def is_local(ip: str) -> bool:
    """True when ``ip`` listens on this computer only."""
    return ip in ("127.0.0.1", "localhost", "::1")


def urls(ip: str, port: int, token: str | None = None) -> dict[str, str]:
    """The two apps' addresses (with the server token when there is one)."""
    host = "127.0.0.1" if ip in ("0.0.0.0", "") else ip
    base = f"http://{host}:{port}/voila/render/"
    query = f"?token={quote(token)}" if token else ""
    return {"facilitator": base + NOTEBOOKS[1] + query, "participant": base + NOTEBOOKS[0] + query}


def voila_command(folder: Path, *, port: int, ip: str, pool_size: int, token: str | None = None) -> list[str]:
    """The Voila command line; the kernel pools go in ``folder/voila.json``, the only configuration read."""
    config: dict[str, Any] = {}
    if pool_size > 0:
        config = {"VoilaConfiguration": {"preheat_kernel": True},
                  "VoilaKernelManager": {"kernel_pools_config": {"default": {"pool_size": 0},
                                                                 NOTEBOOKS[0]: {"pool_size": pool_size}}}}
    (folder / "voila.json").write_text(json.dumps(config, indent=2))
    voila = Path(sys.executable).with_name("voila")
    return [str(voila) if voila.exists() else "voila", str(folder), "--no-browser", f"--port={port}",
            f"--Voila.ip={ip}", f"--Voila.config_file_paths={folder}", "--show_tracebacks=False",
            "--Voila.port_retries=0",  # the port was checked here: Voila must not silently move to another
            f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_SECONDS}", "--MappingKernelManager.cull_interval=60",
            *([f"--Voila.token={token}"] if token else [])]


def prepare_views(store: Any, language: str | None) -> list[dict[str, Any]]:
    """Draw the outcome views of every open session (cached); return those sessions."""
    sessions = WorkshopStore(store).workshop_sessions(open_only=True)
    for s in sessions:
        lang = language or store.framework(s["mission"]).mission.default_language
        print(f"Drawing the outcome views of session {s['code']} ({s['mission']} {s['cycle']}, {lang}) …", flush=True)
        build_views(store, s["code"], lang)
    return sessions


def serve(store: Any, *, port: int = 8866, ip: str = "127.0.0.1", pool_size: int = 2,
          language: str | None = None, token: str | None = None) -> int:
    """Serve both apps until interrupted; return Voila's exit status (1 if it could not start)."""
    sessions = prepare_views(store, language)
    chosen = free_port(ip, port)
    if chosen != port:
        print(f"Port {port} is already in use on this computer; using port {chosen} instead.", flush=True)
    folder = serve_dir(chosen)
    token = None if is_local(ip) and not token else server_token(token)
    command = voila_command(folder, port=chosen, ip=ip, pool_size=pool_size, token=token)
    env = {**os.environ, "CPAS_DB_URL": store.engine.url.render_as_string(hide_password=False)}
    log = log_file(chosen)
    print("Starting the workshop server …", flush=True)
    with open(log, "a", encoding="utf-8") as sink:
        sink.write(f"\n--- cpas workshop serve on {ip}:{chosen}, {time.strftime('%Y-%m-%d %H:%M:%S')} ---\n")
        sink.flush()
        # Voila runs in its own session: Ctrl-C here stops it cleanly (SIGTERM) instead of Voila asking
        # "Shutdown this Voila server (y/[n])?"; a SIGTERM to this command stops it too. Its messages go to the log.
        proc = subprocess.Popen(command, env=env, cwd=folder, start_new_session=True, stdout=sink,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        if not wait_until_listening(proc, ip, chosen):
            print(f"The workshop server did not start; its messages are in {log}", file=sys.stderr)
            return proc.poll() or 1
        _print_addresses(urls(ip, chosen, token), sessions, log, token)
        if not WorkshopStore(store).facilitators():
            print("Nobody may start sessions from the facilitator app yet: authorise someone with "
                  "`cpas workshop authorise NAME`.", flush=True)
        return proc.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop(proc)


def _print_addresses(where: dict[str, str], sessions: list[dict[str, Any]], log: Path, token: str | None) -> None:
    if token:
        print(f"Server token:     {token}  (every browser needs it: it is in the addresses below)")
    print(f"Facilitator app:  {where['facilitator']}")
    print(f"Participant app:  {where['participant']}")
    for s in sessions:
        print(f"  open session {s['code']} ({s['mission']} {s['cycle']}): "
              f"{where['participant']}{'&' if token else '?'}session={s['code']}")
    print(f"Technical messages go to {log}.")
    print("Stop with Ctrl-C.", flush=True)


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM Voila's process group (it then shuts its kernels down); SIGKILL whatever lingers."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
