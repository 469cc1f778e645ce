"""Terminal hygiene (issue 14, item 8): text stored before these checks existed — or from any route — never
reaches a terminal as an escape sequence; refused inputs exit 1 with one sentence, never 2."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import insert

from cpas_kit.cli.main import main
from cpas_kit.store.schema import recommendation_events, recommendations

STORE_CONTENT = "framework"
STORE_BACKENDS = ("sqlite",)
EVIL = "Clear\x1b[2J\x1b[Hthe screen\x1b]0;owned\x07 and \x9b31mred\x00"


def _old_recommendation(store) -> int:
    """A recommendation written straight into the store (as an older, unchecked version could have)."""
    now = datetime.now(timezone.utc)
    with store.engine.begin() as conn:
        rid = conn.execute(insert(recommendations).values(
            mission_code="UN-DEMO", rec_key="k" * 64, text=EVIL, cycle_recommended="2023/24-Q4", created_at=now,
            created_by=EVIL).returning(recommendations.c.id)).scalar_one()
        conn.execute(insert(recommendation_events).values(
            recommendation_id=rid, mission_code="UN-DEMO", at=now, actor=EVIL, action="create",
            to_value=json.dumps({"lead_section": EVIL, "comments": EVIL}), comment=EVIL))
    return rid


def test_tracker_list_and_history_print_no_escape_sequence(store, monkeypatch, capsys):
    rid = _old_recommendation(store)
    monkeypatch.setenv("CPAS_DB_URL", str(store.engine.url))
    assert main(["tracker", "list", "--mission", "UN-DEMO"]) == 0
    assert main(["tracker", "history", str(rid)]) == 0
    out = capsys.readouterr().out
    assert "Clear" in out and "the screen" in out
    for bad in ("\x1b", "\x9b", "\x07", "\x00"):
        assert bad not in out, repr(bad)


def test_a_refused_change_with_control_characters_exits_1(store, monkeypatch, capsys):
    rid = _old_recommendation(store)
    monkeypatch.setenv("CPAS_DB_URL", str(store.engine.url))
    assert main(["tracker", "decide", str(rid), "--decision", "Rejected", "--by", "Chief\x1b[2J",
                 "--comment", "out of mandate"]) == 1
    err = capsys.readouterr().err
    assert "control character" in err and "\x1b" not in err
