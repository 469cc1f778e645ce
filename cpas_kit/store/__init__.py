"""The store: missions, versioned results frameworks, the shared schema, the audit log.

``Store()`` opens the store named by ``CPAS_DB_URL`` (default: the embedded SQLite file, see
:mod:`cpas_kit.core.paths`) and upgrades its schema. Every write is one short transaction, retried on
contention, and every change lands in the append-only audit log. Each feature keeps its own queries on
the shared schema beside it (e.g. :class:`cpas_kit.workshop.store.WorkshopStore`); the store knows none of them.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, insert, select, update

from cpas_kit.core.errors import NotFoundError
from cpas_kit.core.paths import default_db_url
from cpas_kit.core.periods import Period
from cpas_kit.framework.model import Framework, framework_from_document
from cpas_kit.store import engine as _engine
from cpas_kit.store import standard_index as _mapping
from cpas_kit.store.audit import now, write_audit
from cpas_kit.store.schema import audit_log, framework_indicators, framework_versions, metadata, missions

__all__ = ["Store", "now", "write_audit"]


class Store:
    """One store (SQLite file or PostgreSQL database)."""

    def __init__(self, url: str | None = None, *, upgrade: bool = True):
        self.url = url or default_db_url()
        self.engine = _engine.make_engine(self.url)
        if upgrade:
            _engine.upgrade(self.engine)

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"

    def close(self) -> None:
        """Release pooled connections."""
        self.engine.dispose()

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def schema_revision(self) -> str | None:
        """The store's schema revision."""
        return _engine.current_revision(self.engine)

    # -- missions and frameworks ---------------------------------------------------------------
    def save_framework(self, fw: Framework, *, effective_from: str, actor: str, source: str | None = None) -> int:
        """Store ``fw`` as the mission's framework from ``effective_from`` on; return its version number.

        Saving a framework identical to the latest version changes nothing and returns that version.
        Earlier versions are never rewritten, so past cycles keep the framework they were assessed against.
        """
        eff = Period.parse(effective_from)
        doc = fw.to_document()
        digest = fw.content_hash()

        def _do(conn: Connection) -> int:
            m = fw.mission
            row = dict(name=m.name, name_fr=m.name_fr, country_iso3=m.country_iso3, hq=m.hq,
                       mandate_resolution=m.mandate_resolution, cycle_kind=m.cycle_kind, is_fictional=m.is_fictional)
            existing = conn.execute(select(missions).where(missions.c.code == m.code)).mappings().first()
            if existing is None:
                conn.execute(insert(missions).values(code=m.code, created_at=now(), updated_at=now(), **row))
                write_audit(conn, actor=actor, action="insert", entity="mission", key=m.code, mission=m.code, new=row)
            elif any(existing[k] != v for k, v in row.items()):
                old = {k: existing[k] for k in row}
                conn.execute(update(missions).where(missions.c.code == m.code).values(updated_at=now(), **row))
                write_audit(conn, actor=actor, action="update", entity="mission", key=m.code, mission=m.code,
                            old=old, new=row)
            latest = conn.execute(
                select(framework_versions.c.version, framework_versions.c.content_hash)
                .where(framework_versions.c.mission_code == m.code)
                .order_by(framework_versions.c.version.desc()).limit(1)
            ).first()
            if latest is not None and latest.content_hash == digest:
                return latest.version
            version = 1 if latest is None else latest.version + 1
            vid = conn.execute(insert(framework_versions).values(
                mission_code=m.code, version=version, effective_from=str(eff), effective_from_start=eff.start,
                content=json.dumps(doc, ensure_ascii=False, sort_keys=True), content_hash=digest,
                created_at=now(), created_by=actor, source=source,
            ).returning(framework_versions.c.id)).scalar_one()
            conn.execute(insert(framework_indicators), [
                dict(version_id=vid, indicator_code=i.code, priority_code=p.code, outcome_code=o.code, name=i.name,
                     level=i.level, kind=i.kind, unit=i.unit, direction=i.direction,
                     responsible_section=i.responsible_section)
                for p, o, i in fw.indicators()
            ])
            _mapping.index_framework(conn, vid, fw)  # standard codes and tags as rows, for cross-mission studies
            write_audit(conn, actor=actor, action="insert", entity="framework_version", key=f"{m.code}#v{version}",
                        mission=m.code, new={"version": version, "effective_from": str(eff), "hash": digest},
                        note=source)
            return version

        return _engine.run_write(self.engine, _do)

    def framework_versions(self, mission: str) -> pd.DataFrame:
        """The mission's framework versions (without content), oldest first."""
        cols = [c for c in framework_versions.c if c.name != "content"]
        with _engine.read(self.engine) as conn:
            rows = conn.execute(select(*cols).where(framework_versions.c.mission_code == mission)
                                .order_by(framework_versions.c.version)).mappings().all()
        return pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in cols])

    def framework_version_rows(self, mission: str) -> list[dict[str, Any]]:
        """Every framework version of a mission with its content, in the order they were saved."""
        with _engine.read(self.engine) as conn:
            rows = conn.execute(select(framework_versions).where(framework_versions.c.mission_code == mission)
                                .order_by(framework_versions.c.version)).mappings().all()
        return [dict(r) for r in rows]

    def framework_version_for(self, mission: str, period: str | None = None) -> dict[str, Any]:
        """Metadata and content of the framework version in force for ``period`` (default: the latest)."""
        q = select(framework_versions).where(framework_versions.c.mission_code == mission)
        if period is not None:
            q = q.where(framework_versions.c.effective_from_start <= Period.parse(period).start)
        q = q.order_by(framework_versions.c.effective_from_start.desc(), framework_versions.c.version.desc()).limit(1)
        with _engine.read(self.engine) as conn:
            row = conn.execute(q).mappings().first()
            if row is None and period is not None:  # the cycle predates every version: use the first one
                row = conn.execute(select(framework_versions).where(framework_versions.c.mission_code == mission)
                                   .order_by(framework_versions.c.version).limit(1)).mappings().first()
        if row is None:
            known = ", ".join(self.mission_codes()) or "none yet"
            raise NotFoundError(
                f"mission '{mission}' has no results framework in this store (missions in the store: {known}); "
                "load one first, e.g. with `cpas demo` for UN-DEMO"
            )
        return dict(row)

    def framework(self, mission: str, period: str | None = None) -> Framework:
        """The framework in force for ``period`` (default: the latest version)."""
        return framework_from_document(json.loads(self.framework_version_for(mission, period)["content"]))

    def mission_codes(self) -> list[str]:
        """Codes of every mission in the store."""
        with _engine.read(self.engine) as conn:
            return list(conn.execute(select(missions.c.code).order_by(missions.c.code)).scalars())

    def missions(self) -> pd.DataFrame:
        """All missions."""
        with _engine.read(self.engine) as conn:
            return pd.DataFrame([dict(r) for r in conn.execute(select(missions).order_by(missions.c.code)).mappings()])

    # -- audit ---------------------------------------------------------------------------------
    def audit_log(self, mission: str | None = None, entity: str | None = None) -> pd.DataFrame:
        """The audit log, oldest first."""
        q = select(audit_log).order_by(audit_log.c.id)
        if mission is not None:
            q = q.where(audit_log.c.mission_code == mission)
        if entity is not None:
            q = q.where(audit_log.c.entity == entity)
        with _engine.read(self.engine) as conn:
            rows = conn.execute(q).mappings().all()
        return pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in audit_log.c])

    def table_counts(self) -> dict[str, int]:
        """Row count of every table (for `cpas store info` and tests)."""

        with _engine.read(self.engine) as conn:
            return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                    for t in metadata.sorted_tables}
