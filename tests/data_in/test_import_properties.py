"""Property-based: every malformed indicator-data file is rejected with row/column problems, the store untouched."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from cpas_kit.core.import_report import ImportRejected
from cpas_kit.data_in.observations import import_observations
from cpas_kit.demo import MISSION
from cpas_kit.store import Store
from cpas_kit.store.schema import metadata

COLUMNS = ["mission_code", "indicator_code", "period", "disaggregation", "value", "value_text", "source", "note"]
NEW = "2024/25-Q1"
VALID = [  # a clean file: SEC-06 units, SEC-05 percent, SEC-08 persons by sex (adds up), PP-01 qualitative
    [MISSION, "SEC-06", NEW, "", "12", "", "Force HQ", ""],
    [MISSION, "SEC-05", NEW, "", "87.5", "", "Force HQ", ""],
    [MISSION, "SEC-08", NEW, "", "30", "", "UNPOL", ""],
    [MISSION, "SEC-08", NEW, "sex=female", "12", "", "UNPOL", ""],
    [MISSION, "SEC-08", NEW, "sex=male", "18", "", "UNPOL", "checked twice"],
    [MISSION, "PP-01", NEW, "", "", "Committee met twice", "Political Affairs", ""],
]
BAD = {
    "mission_code": ["", "UN-NOPE", "UN DEMO"],
    "indicator_code": ["", "XX-99", "sec 06"],
    "period": ["", "2023", "2024/25-Q5", "2099/00-Q1", "Q1 2024", "2024-08"],
    "disaggregation": ["sex", "colour=red", "sex=other", "admin1=CF-XX", "sex=female;sex=male"],
    "value": ["abc", "1,5", "-1", "1e999", "nan", "inf", "12 units"],
}

cell_mutation = st.tuples(st.just("cell"), st.integers(0, len(VALID) - 1),
                          st.sampled_from(sorted(BAD))).flatmap(
    lambda t: st.tuples(st.just(t[0]), st.just(t[1]), st.just(t[2]), st.sampled_from(BAD[t[2]])))
duplicate = st.tuples(st.just("duplicate"), st.integers(0, len(VALID) - 1), st.none(), st.none())
drop_column = st.tuples(st.just("drop"), st.none(), st.sampled_from(["mission_code", "indicator_code", "period"]),
                        st.none())
ragged = st.tuples(st.just("ragged"), st.integers(0, len(VALID) - 1), st.none(), st.none())
mutations = st.lists(st.one_of(cell_mutation, duplicate, drop_column, ragged), min_size=1, max_size=3)


STORE_CONTENT = "demo"  # the shared ``store`` fixture (tests/conftest.py)
STORE_BACKENDS = ("sqlite",)


def render(mutated: list[tuple]) -> tuple[str, bool]:
    """The CSV text after the mutations, and whether every mutation was a cell-level one."""
    header, rows = list(COLUMNS), [list(r) for r in VALID]
    extra: dict[int, int] = {}
    cell_level = True
    for kind, i, column, token in mutated:
        if kind == "cell":
            rows[i][COLUMNS.index(column)] = token
        elif kind == "duplicate":
            rows.append(list(rows[i]))
        elif kind == "drop" and column in header:
            j = header.index(column)
            header.pop(j)
            rows = [r[:j] + r[j + 1:] for r in rows]
            cell_level = False
        elif kind == "ragged":
            extra[i] = extra.get(i, 0) + 1
            cell_level = False
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for i, r in enumerate(rows):
        w.writerow(r + ["surplus"] * extra.get(i, 0))
    return buf.getvalue(), cell_level


def fingerprint(store: Store) -> int:
    """A hash of every row of every table (cheap enough to take twice per example)."""
    with store.engine.connect() as conn:
        return hash(tuple(tuple(conn.execute(select(t).order_by(*t.primary_key.columns)).all())
                          for t in metadata.sorted_tables))


def test_the_clean_file_imports(store, tmp_path):
    text, _ = render([])
    path = tmp_path / "clean.csv"
    path.write_text(text)
    result = import_observations(store, path, actor="pytest")
    assert result.rows_imported == len(VALID)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutated=mutations)
@pytest.mark.slow
def test_every_malformed_file_is_rejected_with_places_and_the_store_is_untouched(store, tmp_path, mutated):
    text, cell_level = render(mutated)
    path = tmp_path / "mutated.csv"
    path.write_text(text)
    before = fingerprint(store)
    with pytest.raises(ImportRejected) as err:
        import_observations(store, path, actor="pytest")
    problems = err.value.result.errors
    assert problems, "a rejection names at least one problem"
    assert all(p.row is not None and p.row >= 1 and p.message for p in problems), problems
    if cell_level:
        assert all(p.column in COLUMNS for p in problems), problems
    assert fingerprint(store) == before


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=400))
@pytest.mark.slow
def test_arbitrary_bytes_never_crash_and_never_write(store, tmp_path, content):
    path = tmp_path / "noise.csv"
    path.write_bytes(content)
    before = fingerprint(store)
    with pytest.raises(ImportRejected) as err:
        import_observations(store, path, actor="pytest")
    assert all(p.message for p in err.value.result.errors)
    assert fingerprint(store) == before
