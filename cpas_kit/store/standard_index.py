"""Which indicator of which framework version speaks to which standard indicator and tags, as rows.

``framework_indicator_standards`` and ``framework_indicator_tags`` are written with every framework version
(:func:`index_framework`, called by ``Store.save_framework`` in the same transaction), so that cross-mission
studies join observations to standard codes and areas inside the database instead of parsing framework
documents.
"""

from __future__ import annotations

from sqlalchemy import Connection, insert

from cpas_kit.framework.model import Framework
from cpas_kit.store.schema import framework_indicator_standards, framework_indicator_tags


def index_framework(conn: Connection, version_id: int, fw: Framework) -> None:
    """Write the standard code, baseline and tags of every indicator of one framework version."""
    standards = [dict(version_id=version_id, indicator_code=i.code, standard_code=i.standard_code,
                      baseline_value=i.baseline.value, baseline_period=i.baseline.period)
                 for _, _, i in fw.indicators() if i.standard_code]
    tags = [dict(version_id=version_id, indicator_code=i.code, tag=tag)
            for _, _, i in fw.indicators() for tag in dict.fromkeys(i.tags)]
    if standards:
        conn.execute(insert(framework_indicator_standards), standards)
    if tags:
        conn.execute(insert(framework_indicator_tags), tags)
