"""``cpas workshop serve`` prints only the address it really listens on and keeps Voila's technical messages in a
log file (issue 15 items 3 and 14); the tracker app's suggested port differs from the workshop's."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cpas_kit.core.settings import APP_PORTS
from cpas_kit.workshop.serve import free_port as serve_port
from tests.paths import REPO_ROOT
from tests.voila_support import free_port

STORE_CONTENT = "framework"  # the shared ``store`` fixture (tests/conftest.py)
STORE_BACKENDS = ("sqlite",)
NOISE = ("not trusted", "IPKernelApp", "WARNING", "Traceback", "[Voila]", "[I ", "[W ")


def test_a_busy_port_is_skipped_before_voila_starts():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert serve_port("127.0.0.1", port) != port
    assert serve_port("127.0.0.1", port) == port  # free again


def test_the_apps_have_distinct_default_ports():
    assert APP_PORTS["workshop"] == 8866 and len(set(APP_PORTS.values())) == len(APP_PORTS)


@pytest.mark.slow
@pytest.mark.notebook
def test_serve_on_a_busy_port_prints_the_real_address_and_no_kernel_noise(store, tmp_path):
    busy = socket.socket()
    port = free_port()
    busy.bind(("127.0.0.1", port))
    busy.listen()
    out = tmp_path / "serve.out"
    env = {**os.environ, "CPAS_DB_URL": str(store.url), "PYTHONPATH": str(REPO_ROOT)}
    with open(out, "w") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "cpas_kit.cli.main", "workshop", "serve", "--port", str(port),
                                 "--pool-size", "0"], env=env, stdout=sink, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while "Stop with Ctrl-C." not in out.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, out.read_text()
            time.sleep(0.3)
        text = out.read_text()
        printed = {int(p) for p in re.findall(r"http://127\.0\.0\.1:(\d+)/", text)}
        assert f"Port {port} is already in use" in text and len(printed) == 1 and port not in printed
        (real,) = printed
        assert f"using port {real} instead" in text
        with socket.create_connection(("127.0.0.1", real), timeout=5):
            pass  # the printed address answers
        assert not [w for w in NOISE if w in text], text
        log = Path(re.search(r"Technical messages go to (\S+)\.\n", text).group(1))
        assert log.is_file() and f"serve on 127.0.0.1:{real}" in log.read_text()
    finally:
        busy.close()
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
