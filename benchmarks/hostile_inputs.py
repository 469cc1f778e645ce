"""How fast, and in how much memory, the workbench refuses small files that would eat the machine (issue 14).

Each case runs in a child process (so its peak memory is its own): a 354-byte YAML alias bomb, a ~1 MB workbook
whose shared strings expand to 1 GiB, and a ~1 MB gzip exchange file holding a 1 GiB line. The last line is
``hostile: yaml_s=… yaml_mb=… xlsx_s=… xlsx_mb=… gzip_s=… gzip_mb=…`` (seconds to refusal, peak resident MB).

    python benchmarks/hostile_inputs.py
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

CHUNK = b"A" * (1 << 20)
GIB = 1 << 30


def yaml_bomb(folder: Path) -> Path:
    text = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    path = folder / "bomb.yaml"
    path.write_text(text)
    return path


def xlsx_bomb(folder: Path) -> Path:
    from openpyxl import Workbook

    plain = folder / "plain.xlsx"
    wb = Workbook()
    wb.active.append(["mission_code", "indicator_code", "period", "value"])
    wb.save(plain)
    path = folder / "bomb.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        with dst.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
            fh.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            for _ in range(GIB // len(CHUNK)):
                fh.write(CHUNK)
            fh.write(b"</t></si></sst>")
    return path


def gzip_bomb(folder: Path) -> Path:
    path = folder / "bomb.jsonl.gz"
    manifest = {"format": "cpas-exchange", "format_version": 1, "mission": "UN-DEMO", "schema_revision": "0007",
                "tables": {}, "content_sha256": "0", "content_bytes": 0, "created_at": "x", "created_by": "x"}
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip wrapper
    with open(path, "wb") as out:
        out.write(comp.compress(json.dumps(manifest).encode() + b"\n["))
        for _ in range(GIB // len(CHUNK)):
            out.write(comp.compress(CHUNK))
        out.write(comp.compress(b"]\n") + comp.flush())
    return path


def child(kind: str, path: str) -> None:
    """Refuse one file; print seconds and peak MB as JSON."""
    from cpas_kit.core.errors import CpasError
    from cpas_kit.data_in.observations import read_upload
    from cpas_kit.exchange.file import read_exchange
    from cpas_kit.framework.model import load_framework

    run = {"yaml": load_framework, "xlsx": read_upload, "gzip": read_exchange}[kind]
    started = time.perf_counter()  # the imports above are start-up, not refusal
    try:
        run(path)
        refused = False
    except CpasError:
        refused = True
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"refused": refused, "seconds": round(seconds, 3), "peak_mb": round(peak, 1)}))


def main() -> int:
    if len(sys.argv) == 3:
        child(sys.argv[1], sys.argv[2])
        return 0
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for kind, build in (("yaml", yaml_bomb), ("xlsx", xlsx_bomb), ("gzip", gzip_bomb)):
            path = build(folder)
            done = subprocess.run([sys.executable, __file__, kind, str(path)], capture_output=True, text=True,
                                  check=True)
            res = json.loads(done.stdout.strip().splitlines()[-1])
            assert res["refused"], kind
            out[kind] = res
            print(f"{kind}: {path.stat().st_size:,} bytes refused in {res['seconds']} s, peak {res['peak_mb']} MB")
    print("hostile: " + " ".join(f"{k}_s={v['seconds']} {k}_mb={v['peak_mb']}" for k, v in out.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
