"""Reading an exchange file (see :mod:`cpas_kit.exchange.bundle`) and checking all of it before anything is written.

Checks: gzip integrity (a truncated or damaged transfer), the manifest (format and version, mission, cycle,
tables and columns known to this version), the SHA-256 and size of the content, the row count of every
table, and every value's type, length and presence. Problems are :class:`cpas_kit.core.import_report.ImportProblem`
(``sheet`` = table, ``row`` = line of the file, ``column``). Lines are read with a length limit
(:data:`cpas_kit.core.limits.MAX_LINE_BYTES`): a small file whose one line inflates to gigabytes is refused
before it is held in memory. The content rules (codes, periods, ranges) are :mod:`cpas_kit.exchange.rules`.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cpas_kit.core.errors import NotFoundError
from cpas_kit.core.import_report import ImportProblem
from cpas_kit.core.limits import read_line
from cpas_kit.core.periods import Period
from cpas_kit.exchange.tables import CHECK, NOT_NULL, SEQ, SPEC_BY_NAME, TableSpec, freeze

FORMAT = "cpas-exchange"
FORMAT_VERSION = 1


@dataclass
class ExchangeFile:
    """A read exchange file: its manifest and, per table, its rows (canonical values, ``_line`` = line number)."""

    path: Path
    manifest: dict[str, Any]
    rows: dict[str, list[dict[str, Any]]]
    problems: list[ImportProblem]


def problem(message: str, table: str | None = None, line: int | None = None,
            column: str | None = None) -> ImportProblem:
    """One problem of a file: ``sheet`` is the table, ``row`` the line of the file."""
    return ImportProblem(sheet=table, row=line, column=column, message=message)


def _check_manifest(m: Any) -> list[ImportProblem]:
    if not isinstance(m, dict) or m.get("format") != FORMAT:
        return [problem("this is not a CPAS exchange file (its first line is not an exchange manifest); "
                        "make one with `cpas export --mission M -o FILE`", line=1)]
    if m.get("format_version") != FORMAT_VERSION:
        return [problem(f"the file is in exchange format version {m.get('format_version')!r}, this CPAS Workbench "
                        f"reads version {FORMAT_VERSION}: use the same version at both ends", line=1,
                        column="format_version")]
    problems = []
    for key, kind in (("mission", str), ("schema_revision", str), ("tables", dict), ("content_sha256", str),
                      ("content_bytes", int), ("created_at", str), ("created_by", str)):
        if not isinstance(m.get(key), kind):
            problems.append(problem(f"the manifest's '{key}' is missing or not a {kind.__name__}", line=1, column=key))
    if m.get("cycle") is not None:
        try:
            Period.parse(m["cycle"])
        except Exception:  # noqa: BLE001 - any parse failure is a bad manifest
            problems.append(problem(f"the manifest's cycle {m['cycle']!r} is not a reporting period", line=1,
                                    column="cycle"))
    if problems:
        return problems
    for name, info in m["tables"].items():
        spec = SPEC_BY_NAME.get(name)
        if spec is None:
            problems.append(problem(f"table '{name}' is unknown here: the file was written by a newer CPAS "
                                    "Workbench; upgrade this one and merge again", table=name, line=1))
            continue
        cols = info.get("columns") if isinstance(info, dict) else None
        if not isinstance(cols, list) or not isinstance(info.get("rows"), int):
            problems.append(problem("the manifest lists no columns or row count for this table", table=name, line=1))
            continue
        unknown = [c for c in cols if c not in spec.columns]
        if unknown:
            problems.append(problem(f"column(s) {', '.join(map(str, unknown))} are unknown here: the file was "
                                    "written by a newer CPAS Workbench", table=name, line=1))
        missing = [c for c in _required(spec) if c not in cols]
        if missing:
            problems.append(problem(f"required column(s) {', '.join(missing)} are missing", table=name, line=1))
    return problems


def _required(spec: TableSpec) -> list[str]:
    out = [c.name for c in spec.table.columns
           if c.name != "id" and not c.nullable and c.server_default is None]
    return out + list({SEQ} & set(spec.key))


def read_exchange(path: "str | Path") -> ExchangeFile:
    """Read and check an exchange file completely: manifest, checksum, every row's columns and types."""
    p = Path(path)
    rows: dict[str, list[dict[str, Any]]] = {}
    problems: list[ImportProblem] = []
    manifest: dict[str, Any] = {}
    damaged = (f"{p.name} is damaged or incomplete ({{}}); nothing was written: ask for the file to be sent again")
    try:
        with gzip.open(p, "rb") as fh:
            first = read_line(fh, 1, p.name)
            try:
                manifest = json.loads(first)
            except (json.JSONDecodeError, UnicodeDecodeError):
                manifest = {}
            problems = _check_manifest(manifest)
            if problems:
                return ExchangeFile(p, manifest if isinstance(manifest, dict) else {}, rows, problems)
            sha, size = hashlib.sha256(), 0
            spec, cols, line_no = None, [], 1
            for raw in iter(lambda: read_line(fh, line_no + 1, p.name), b""):
                line_no += 1
                sha.update(raw)
                size += len(raw)
                try:
                    obj = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    problems.append(problem("this line is not JSON", line=line_no))
                    continue
                if isinstance(obj, dict):
                    spec = SPEC_BY_NAME.get(obj.get("table"))
                    if spec is None or obj["table"] not in manifest["tables"]:
                        problems.append(problem(f"table {obj.get('table')!r} is not in the manifest", line=line_no))
                        spec = None
                        continue
                    cols = manifest["tables"][spec.name]["columns"]
                    rows.setdefault(spec.name, [])
                    continue
                if spec is None or not isinstance(obj, list) or len(obj) != len(cols):
                    problems.append(problem("this row does not match its table's columns", line=line_no))
                    continue
                rows[spec.name].append(_check_row(spec, cols, obj, line_no, problems))
    except (EOFError, zlib.error, gzip.BadGzipFile, OSError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise NotFoundError(f"{p} does not exist") from None
        reason = "it is not gzip-compressed" if isinstance(exc, gzip.BadGzipFile) else str(exc) or type(exc).__name__
        return ExchangeFile(p, manifest, {}, [problem(damaged.format(reason))])
    if sha.hexdigest() != manifest["content_sha256"] or size != manifest["content_bytes"]:
        why = "its content does not match the SHA-256 in its manifest"
        return ExchangeFile(p, manifest, {}, [problem(damaged.format(why))])
    for name, info in manifest["tables"].items():
        if len(rows.get(name, [])) != info["rows"]:
            problems.append(problem(f"the manifest announces {info['rows']} rows, the file holds "
                                    f"{len(rows.get(name, []))}", table=name))
    return ExchangeFile(p, manifest, rows, problems)


def _check_row(spec: TableSpec, cols: list[str], values: list[Any], line: int,
               problems: list[ImportProblem]) -> dict[str, Any]:
    row: dict[str, Any] = {"_line": line}
    check, not_null = CHECK[spec.name], NOT_NULL[spec.name]
    for col, v in zip(cols, values):
        if col == SEQ:
            row[col], why = v, None if isinstance(v, int) and not isinstance(v, bool) and v >= 1 else \
                f"{v!r} is not a position (1, 2, …)"
        elif col in spec.refs:
            row[col] = freeze(v)
            why = None if v is None or isinstance(v, list) else f"{v!r} is not a reference to a {spec.refs[col]} row"
        else:
            row[col], why = check[col](v)
        if why:
            problems.append(problem(why, spec.name, line, col))
        elif v is None and col in not_null:
            problems.append(problem("this column must not be empty", spec.name, line, col))
    return row

