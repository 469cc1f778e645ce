"""Input limits: small files that would eat the machine are refused with one sentence before being read whole.

YAML aliases (the "billion laughs"), the uncompressed size of a workbook's parts (shared strings that expand a
1 MB file to gigabytes), the cells read from a workbook, the length of one line of a text or exchange file and
the length of one CSV field. Each limit is generous for real planning files and is an ``InputTooLarge`` error.
"""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from cpas_kit.core.errors import CpasError

MAX_YAML_BYTES = 20_000_000
MAX_YAML_ALIASES = 200
MAX_YAML_NODES = 1_000_000  # nodes of the document once every alias is expanded
MAX_XLSX_PART_BYTES = 100_000_000  # one part of a workbook (a sheet), uncompressed
MAX_XLSX_STRINGS_BYTES = 50_000_000  # the shared strings, which openpyxl holds in memory whole
MAX_XLSX_TOTAL_BYTES = 300_000_000
MAX_XLSX_CELLS = 5_000_000
MAX_LINE_BYTES = 16_000_000  # one line of an exchange file (a whole table's header or one row)
MAX_CSV_FIELD = 131_072  # one CSV field (the csv module's own default limit)


class InputTooLarge(CpasError):
    """A file is larger or more deeply nested than the workbench reads."""


# -- YAML -----------------------------------------------------------------------------------------------

class _LimitedLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that counts aliases while composing."""

    aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                raise InputTooLarge(f"the YAML file uses more than {MAX_YAML_ALIASES} aliases (*name); "
                                    "write the values out instead of repeating them by alias")
        return super().compose_node(parent, index)


def _expanded_nodes(node: Any) -> int:
    """How many nodes the document holds once aliases are expanded (shared nodes counted every time)."""
    memo: dict[int, int] = {}

    def size(n: Any) -> int:
        if id(n) in memo:
            return memo[id(n)]
        memo[id(n)] = 1  # a recursive alias counts once
        if isinstance(n, yaml.MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in n.value)
        elif isinstance(n, yaml.SequenceNode):
            total = 1 + sum(size(v) for v in n.value)
        else:
            total = 1
        memo[id(n)] = min(total, MAX_YAML_NODES + 1)
        return memo[id(n)]

    return size(node)


def load_yaml(text: "str | bytes", source: str = "the YAML file") -> Any:
    """``yaml.safe_load`` with limits on size, aliases and expanded size; refuses before building the data."""
    if len(text) > MAX_YAML_BYTES:
        raise InputTooLarge(f"{source} is {len(text):,} bytes; the workbench reads YAML files up to "
                            f"{MAX_YAML_BYTES:,} bytes")
    loader = _LimitedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_nodes(node) > MAX_YAML_NODES:
            raise InputTooLarge(f"{source} expands to more than {MAX_YAML_NODES:,} values through its aliases "
                                "(*name); write the values out instead of repeating them by alias")
        return loader.construct_document(node)
    except InputTooLarge as exc:
        if source not in str(exc):
            raise InputTooLarge(f"{source}: {exc}") from None
        raise
    finally:
        loader.dispose()


# -- workbooks ------------------------------------------------------------------------------------------

def check_xlsx(path: "str | Path") -> None:
    """Refuse a workbook whose parts would expand beyond the limits, reading only the zip directory."""
    p = Path(path)
    try:
        with zipfile.ZipFile(p) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: the workbook reader reports it as a damaged file
    total = 0
    for info in infos:
        total += info.file_size
        strings = info.filename.lower().endswith("sharedstrings.xml")
        if info.file_size > (MAX_XLSX_STRINGS_BYTES if strings else MAX_XLSX_PART_BYTES):
            raise InputTooLarge(
                f"{p.name}: its part {info.filename} expands to {info.file_size:,} bytes, far more than a planning "
                "workbook holds; save the data in a new, plain workbook (or as CSV) and import that")
    if total > MAX_XLSX_TOTAL_BYTES:
        raise InputTooLarge(f"{p.name} expands to {total:,} bytes, more than the {MAX_XLSX_TOTAL_BYTES:,} the "
                            "workbench reads; split the data into smaller workbooks")


class CellBudget:
    """Counts the cells read from a workbook and refuses past :data:`MAX_XLSX_CELLS`."""

    def __init__(self, name: str, limit: int | None = None):
        self.name, self.limit, self.used = name, limit or MAX_XLSX_CELLS, 0

    def take(self, n: int) -> None:
        """Count ``n`` more cells."""
        self.used += n
        if self.used > self.limit:
            raise InputTooLarge(f"{self.name} holds more than {self.limit:,} cells; split the data into smaller "
                                "workbooks (or delete the unused rows and columns) and import again")


# -- lines -----------------------------------------------------------------------------------------------

def read_line(fh: BinaryIO, line_no: int, name: str, limit: int | None = None) -> bytes:
    """One line of a binary stream, refused when longer than ``limit`` bytes (read at most ``limit + 1``)."""
    limit = limit or MAX_LINE_BYTES
    raw = fh.readline(limit + 1)
    if len(raw) > limit and not raw.endswith(b"\n"):
        raise InputTooLarge(f"{name}: line {line_no} is longer than {limit:,} bytes, which no exchange or data "
                            "file of the workbench holds; the file is damaged or forged — ask for it again")
    return raw


def csv_rows(text: str) -> list[tuple[list[str] | None, str | None]]:
    """Each line of a CSV text as ``(fields, None)``, or ``(None, why)`` when the csv module refuses it
    (a field over :data:`MAX_CSV_FIELD` characters, a stray quote): a listed problem, never a crash."""
    out: list[tuple[list[str] | None, str | None]] = []
    for line in text.splitlines():
        try:
            out.append((next(csv.reader([line]), []), None))
        except csv.Error as exc:
            why = (f"a field is longer than {MAX_CSV_FIELD:,} characters" if "field larger" in str(exc)
                   else f"the line cannot be read as CSV ({exc})")
            out.append((None, f"{why}; check for a missing closing quote or shorten the text"))
    return out
