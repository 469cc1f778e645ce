"""Parts can never exceed their total: the check every import and data-entry workbook goes through.

For an additive indicator (counts that add up: arrests, incidents, people), the cells of one dimension under
one parent cell — e.g. the prefectures of the national total, or the women of one prefecture — may be
incomplete, but they can never add up to more than that parent. "5,000 arrests in one prefecture" against a
national total of 60 is refused, whether the total is in the same file or already in the store, and whether
the file brings the part or the total. The complete-set check (parts must add up to the total) stays in
:mod:`cpas_kit.data_in.observations`.
"""

from __future__ import annotations

from typing import Any, Callable

import pandas as pd

from cpas_kit.data_in.schemas import cell_key

TOLERANCE_ABS = 0.5
TOLERANCE_REL = 0.005
Cell = tuple[str, str, str, str]  # mission, indicator, period, disaggregation cell ("" for the total)


def _parts(cell: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in cell.split(";")) if cell else {}


def parts_over_total(good: list[dict[str, Any]], stored: Callable[[str, str, list[str]], pd.DataFrame],
                     dimension_name: Callable[[Any, str], str],
                     category_count: Callable[[Any, str], int]) -> list[tuple[dict[str, Any], str]]:
    """``(row, sentence)`` for every file row that makes parts exceed their total (empty when none do).

    ``good`` are the file's checked rows (with ``_ind``, ``_fw``, ``value``, ``row``); ``stored(mission,
    indicator, periods)`` gives the store's observations of those periods (file values win over stored ones);
    ``dimension_name(fw, dim)`` names a dimension for the sentence; ``category_count(fw, dim)`` counts its
    categories (a complete set given in the file is left to the add-up check, which says more).
    """
    file_cells: dict[Cell, dict[str, Any]] = {}
    wanted: dict[tuple[str, str], set[str]] = {}
    for r in good:
        if r["_ind"].additive and not pd.isna(r["value"]):
            file_cells[(r["mission_code"], r["indicator_code"], r["period"], r["disaggregation"])] = r
            wanted.setdefault((r["mission_code"], r["indicator_code"]), set()).add(r["period"])
    values: dict[Cell, float] = {}
    for (mission, code), periods in wanted.items():
        frame = stored(mission, code, sorted(periods))
        for row in frame.itertuples(index=False):
            if row.value is not None and not pd.isna(row.value):
                values[(mission, code, row.period, row.disaggregation)] = float(row.value)
    values.update({k: float(r["value"]) for k, r in file_cells.items()})
    groups: dict[tuple[str, str, str, str, str], list[Cell]] = {}
    for key in values:
        mission, code, period, cell = key
        if (mission, code) not in wanted:
            continue
        parts = _parts(cell)
        for dim in parts:
            parent = cell_key({d: c for d, c in parts.items() if d != dim})
            groups.setdefault((mission, code, period, parent, dim), []).append(key)
    found: list[tuple[dict[str, Any], str]] = []
    for (mission, code, period, parent_cell, dim), children in groups.items():
        parent_key = (mission, code, period, parent_cell)
        if parent_key not in values or not any(c in file_cells or parent_key in file_cells for c in children):
            continue
        fw = next(iter(file_cells[c] for c in children if c in file_cells), file_cells.get(parent_key))["_fw"]
        if parent_key in file_cells and all(c in file_cells for c in children) \
                and len(children) == category_count(fw, dim):
            continue
        total = values[parent_key]
        parts_sum = sum(values[c] for c in children)
        if parts_sum <= total + max(TOLERANCE_ABS, TOLERANCE_REL * abs(total)):
            continue
        parent_row = file_cells.get(parent_key)
        where = f"row {parent_row['row']}" if parent_row is not None else "already in the store"
        biggest = max(children, key=lambda c: values[c])
        part_where = f"row {file_cells[biggest]['row']}" if biggest in file_cells else "in the store"
        what = parent_cell.replace(";", ", ") if parent_cell else "total"
        sentence = (f"{code} {period}: the '{dimension_name(fw, dim)}' parts of the {what} add up to "
                    f"{parts_sum:,.6g} (the largest, {biggest[3].replace(';', ', ')} = {values[biggest]:,.6g}, "
                    f"{part_where}) but the {what} is {total:,.6g} ({where}); a part can never exceed its total: "
                    "correct the part or the total")
        rows = [file_cells[c] for c in children if c in file_cells] or [parent_row]
        found += [(r, sentence) for r in rows]
    return found
