"""Merging an exchange file into a store: plan every table, check everything, then write in one transaction.

Rows missing from the store are inserted (foreign keys translated from the parents' natural keys into this
store's ids), rows already there identically are counted unchanged, rows there with other content are
reported as :class:`MergeConflict` and left as they are. Append-only logs numbered per parent
(``TableSpec.sequence``) append what follows the store's last entry, and stop at the first entry that
differs. Nothing is written when any problem is found; merging the same file twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.script import ScriptDirectory
from pydantic import BaseModel, Field
from sqlalchemy import Connection, and_, insert, select, update

from cpas_kit.core.import_report import ImportProblem, ImportRejected, ImportResult, file_sha256
from cpas_kit.core.paths import MIGRATIONS_DIR
from cpas_kit.data_in.approval import refuse_locked
from cpas_kit.exchange.file import ExchangeFile, problem, read_exchange
from cpas_kit.exchange.rules import content_problems
from cpas_kit.exchange.tables import CANON, CHUNK, PARENTS, SEQ, SPECS, TO_DB, TableSpec, natural_key
from cpas_kit.store import schema as S
from cpas_kit.store.audit import now, record_import, write_audit
from cpas_kit.store.engine import run_write

_ORPHAN = "(not in this mission)"


class MergeConflict(BaseModel):
    """A row both sides hold with different content: the store keeps ``ours``; ``theirs`` is the file's."""

    table: str
    key: dict[str, Any]
    field: str
    ours: Any = None
    theirs: Any = None
    row: int | None = None  # line of the file

    def __str__(self) -> str:
        key = " | ".join(_show(v) for v in self.key.values())
        return f"{self.table} [{key}] {self.field}: here {_show(self.ours)}, in the file {_show(self.theirs)}"


def _show(v: Any, limit: int = 60) -> str:
    text = "/".join(_show(x) for x in v) if isinstance(v, (list, tuple)) else ("—" if v is None else str(v))
    return text if len(text) <= limit else text[: limit - 1] + "…"


class MergeResult(ImportResult):
    """An import summary plus the conflicts found and the counts per table."""

    conflicts: list[MergeConflict] = Field(default_factory=list)
    tables: dict[str, dict[str, int]] = Field(default_factory=dict)
    cycle: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The import shape (rows_read, rows_imported, rows_unchanged, rows_unmatched, errors) plus conflicts."""
        return {**super().to_json(), "cycle": self.cycle,
                "conflicts": [c.model_dump(mode="json") for c in self.conflicts], "tables": self.tables}

    def summary_line(self) -> str:
        """One sentence for the terminal."""
        what = f"{self.mission} {self.cycle}" if self.cycle else f"{self.mission} (whole store)"
        return (f"{Path(self.file).name} ({what}): {self.rows_read} rows read, {self.rows_imported} merged, "
                f"{self.rows_unchanged} unchanged, {sum(t['conflicts'] for t in self.tables.values())} in "
                f"conflict ({len(self.conflicts)} differing fields, kept as they are here).")


@dataclass
class _Merge:
    conn: Connection
    mission: str
    key_to_id: dict[str, dict[tuple, int]] = field(default_factory=dict)
    id_to_key: dict[str, dict[int, tuple]] = field(default_factory=dict)
    file_keys: dict[str, set[tuple]] = field(default_factory=dict)
    problems: list[ImportProblem] = field(default_factory=list)
    conflicts: list[MergeConflict] = field(default_factory=list)


def _revision_problem(revision: str, store_revision: str | None) -> ImportProblem | None:
    """A problem when the file's schema revision is not this store's or an older one."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    script = ScriptDirectory.from_config(cfg)
    older = {r.revision for r in script.iterate_revisions(store_revision, "base")} if store_revision else set()
    if revision in older:
        return None
    return problem(f"the file was written by a store at schema revision {revision}, newer than this store's "
                   f"({store_revision}): upgrade CPAS Workbench here and run `cpas store upgrade`, then merge "
                   "again", line=1, column="schema_revision")


def merge_file(store: Any, path: "str | Path", *, actor: str) -> MergeResult:
    """Merge an exchange file into ``store``; raise :class:`ImportRejected` (nothing written) if it is not sound."""
    ex = read_exchange(path)
    m = ex.manifest
    result = MergeResult(kind="merge", file=str(ex.path), sha256=file_sha256(ex.path), mission=m.get("mission"),
                         cycle=m.get("cycle"), rows_read=sum(len(r) for r in ex.rows.values()))
    if not ex.problems:
        rev = _revision_problem(m["schema_revision"], store.schema_revision())
        ex.problems.extend([rev] if rev else [])
    if not ex.problems:
        ex.problems.extend(content_problems(store, ex))  # what the importer of each kind would refuse
    if ex.problems:
        raise ImportRejected(result.model_copy(update={"errors": ex.problems}))

    def _do(conn: Connection) -> MergeResult:
        st = _Merge(conn, m["mission"])
        plans = [(spec, _plan(st, spec, ex.rows.get(spec.name, []), result)) for spec in SPECS]
        _check_framework(st, ex)
        if st.problems:
            raise ImportRejected(result.model_copy(update={"errors": st.problems}))
        refuse_locked(conn, {(r["mission_code"], r["indicator_code"], r["period"])  # approved sections are locked
                             for spec, new in plans if spec.name == "observations" for r in new})
        for spec, new in plans:
            _insert(st, spec, new)
        done = result.model_copy(update={"conflicts": st.conflicts,
                                         "rows_imported": sum(t["imported"] for t in result.tables.values()),
                                         "rows_unchanged": sum(t["unchanged"] for t in result.tables.values())})
        if done.rows_imported:
            stamp = now()
            record_import(conn, done, actor=actor, at=stamp)
            write_audit(conn, actor=actor, action="merge", entity="exchange_file", key=ex.path.name,
                        mission=st.mission, new={"content_sha256": m["content_sha256"], "cycle": m.get("cycle"),
                                                 "tables": done.tables, "conflicts": len(st.conflicts)},
                        note=f"exported by {m['created_by']} at {m['created_at']}")
        return done

    return run_write(store.engine, _do)


def _existing(st: _Merge, spec: TableSpec, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The store's rows that file rows of ``spec`` could match, canonical, refs as natural keys."""
    t = spec.table
    if spec.owner is not None:
        parent_ids = st.key_to_id.get(spec.refs[spec.owner], {})
        ids = sorted({parent_ids[r[spec.owner]] for r in rows if r.get(spec.owner) in parent_ids})
        conds = [t.c[spec.owner].in_(ids[i:i + CHUNK]) for i in range(0, len(ids), CHUNK)]
    elif spec.global_key:
        values = sorted({r[spec.key[0]] for r in rows})
        conds = [t.c[spec.key[0]].in_(values[i:i + CHUNK]) for i in range(0, len(values), CHUNK)]
    else:
        conds = [t.c[spec.mission_column] == st.mission]
        if spec.narrow and rows:
            col, how = spec.narrow
            values = sorted({r[col] for r in rows if r.get(col) is not None})
            if how == "range":
                lo, hi = TO_DB[spec.name][col](values[0]), TO_DB[spec.name][col](values[-1])
                conds = [and_(conds[0], t.c[col] >= lo, t.c[col] <= hi)]
            else:
                conds = [and_(conds[0], t.c[col].in_(values[i:i + CHUNK])) for i in range(0, len(values), CHUNK)]
        elif spec.narrow:
            conds = []
    out, seq = [], {}
    canon = CANON[spec.name]
    order = [t.c.id] if "id" in t.c else []
    for cond in conds:
        for row in st.conn.execute(select(t).where(cond).order_by(*order)).mappings():
            c = {k: canon[k](row[k]) for k in canon if k != "id"}
            for col, parent in spec.refs.items():
                c[col] = row[col] if parent == spec.name else _key_or_orphan(st, parent, row[col])
            if spec.sequence:
                seq[row[spec.sequence]] = seq.get(row[spec.sequence], 0) + 1
                c[SEQ] = seq[row[spec.sequence]]
            c["_id"] = row.get("id")
            out.append(c)
    own = {c["_id"]: natural_key(spec, c) for c in out}
    for col in [c for c, p in spec.refs.items() if p == spec.name]:  # references within the table, once all are read
        for c in out:
            c[col] = None if c[col] is None else own.get(c[col], (_ORPHAN, c[col]))
    return out


def _key_or_orphan(st: _Merge, parent: str, row_id: int | None) -> tuple | None:
    if row_id is None:
        return None
    return st.id_to_key.get(parent, {}).get(row_id, (_ORPHAN, row_id))


def _plan(st: _Merge, spec: TableSpec, rows: list[dict[str, Any]], result: MergeResult) -> list[dict[str, Any]]:
    """Sort the file's rows of one table into new, unchanged and conflicting; return the new ones."""
    existing = {}
    for row in _existing(st, spec, rows):
        key = natural_key(spec, row)
        existing[key] = row
        if spec.name in PARENTS:
            st.key_to_id.setdefault(spec.name, {})[key] = row["_id"]
            st.id_to_key.setdefault(spec.name, {})[row["_id"]] = key
    counts = {"read": len(rows), "imported": 0, "unchanged": 0, "conflicts": 0}
    st.file_keys[spec.name] = {natural_key(spec, r) for r in rows}  # first: a row may refer to a later one
    seen, new, diverged = set(), [], set()
    for row in rows:
        if not _row_refs_ok(st, spec, row):
            continue
        key = natural_key(spec, row)
        if key in seen:
            if spec.name != "audit_log":  # identical audit entries (same microsecond) collapse into one
                st.problems.append(problem("this row's key appears twice in the file", spec.name, row["_line"]))
            counts["unchanged"] += 1
            continue
        seen.add(key)
        old = existing.get(key)
        parent = row.get(spec.sequence) if spec.sequence else None
        if old is None and parent in diverged:
            counts["conflicts"] += 1
            st.conflicts.append(_conflict(spec, row, SEQ, None, "not appended: it follows a conflicting entry"))
        elif old is None:
            new.append(row)
            counts["imported"] += 1
        else:
            if spec.global_key and spec.mission_column in row and old[spec.mission_column] != st.mission:
                st.problems.append(problem(f"{spec.name} '{key[0]}' already belongs to mission "
                                           f"{old[spec.mission_column]} in this store", spec.name, row["_line"]))
            diffs = [c for c in spec.compared if c in row and old.get(c) != row[c]]
            for c in diffs:
                st.conflicts.append(_conflict(spec, row, c, old.get(c), row[c]))
            counts["conflicts" if diffs else "unchanged"] += 1
            if diffs and parent is not None:
                diverged.add(parent)
    result.tables[spec.name] = counts
    return new


def _conflict(spec: TableSpec, row: dict[str, Any], col: str, ours: Any, theirs: Any) -> MergeConflict:
    return MergeConflict(table=spec.name, key={c: row[c] for c in spec.key}, field=col, ours=ours, theirs=theirs,
                         row=row["_line"])


def _row_refs_ok(st: _Merge, spec: TableSpec, row: dict[str, Any]) -> bool:
    ok = True
    mcol = spec.mission_column
    if mcol in row and row[mcol] != st.mission:
        st.problems.append(problem(f"this row is for mission {row[mcol]!r}, the file is for {st.mission}",
                                   spec.name, row["_line"], mcol))
        ok = False
    for col, parent in spec.refs.items():
        ref = row.get(col)
        if ref is None or ref in st.file_keys.get(parent, set()) or ref in st.key_to_id.get(parent, {}):
            continue
        st.problems.append(problem(f"refers to a {parent} row {_show(ref)} that is neither in the file nor in "
                                   "this store", spec.name, row["_line"], col))
        ok = False
    return ok


def _check_framework(st: _Merge, ex: ExchangeFile) -> None:
    """The mission must have a results framework (file or store) that knows every indicator of the file."""
    fi = S.framework_indicators
    fv = S.framework_versions
    stored = set(st.conn.execute(select(fi.c.indicator_code).join(fv, fv.c.id == fi.c.version_id)
                                 .where(fv.c.mission_code == st.mission)).scalars())
    known = stored | {r["indicator_code"] for r in ex.rows.get("framework_indicators", [])}
    again = f"export it again with `cpas export --mission {st.mission}` (files from it always carry both)"
    if (st.mission,) not in st.file_keys.get("missions", set()) and st.conn.execute(
            select(S.missions.c.code).where(S.missions.c.code == st.mission)).first() is None:
        st.problems.append(problem(f"mission {st.mission} is neither in the file nor in this store; {again}",
                                   "missions"))
    if not (st.file_keys.get("framework_versions") or st.key_to_id.get("framework_versions")):
        st.problems.append(problem(f"mission {st.mission} has no results framework in the file nor in this "
                                   f"store; {again}", "framework_versions"))
        return
    reported = set()
    for row in ex.rows.get("observations", []):
        code = row.get("indicator_code")
        if code not in known and code not in reported:
            reported.add(code)
            st.problems.append(problem(f"indicator {code!r} is in no results framework of {st.mission}",
                                       "observations", row["_line"], "indicator_code"))


def _insert(st: _Merge, spec: TableSpec, new: list[dict[str, Any]]) -> None:
    """Insert the new rows of one table, translating natural keys of parents into this store's ids."""
    if not new:
        return
    t = spec.table
    self_refs = [c for c, p in spec.refs.items() if p == spec.name]
    to_db = TO_DB[spec.name]

    def values(row: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for col, v in row.items():
            if col in ("_line", SEQ):
                continue
            if col in spec.refs:
                out[col] = None if v is None or col in self_refs else st.key_to_id[spec.refs[col]][v]
            else:
                out[col] = to_db[col](v)
        return out

    if spec.name not in PARENTS:
        batch = [values(r) for r in new]
        for i in range(0, len(batch), CHUNK):
            st.conn.execute(insert(t), batch[i:i + CHUNK])
        return
    ids = st.key_to_id.setdefault(spec.name, {})
    for row in new:
        ids[natural_key(spec, row)] = st.conn.execute(insert(t).values(**values(row)).returning(t.c.id)).scalar_one()
    for row in new:
        for col in self_refs:
            if row.get(col) is not None:
                st.conn.execute(update(t).where(t.c.id == ids[natural_key(spec, row)])
                                .values({col: ids[row[col]]}))
