"""Impostors and guessers (issue 14, item 2): a name is not an identity, codes cannot be brute-forced, only an
authorised facilitator starts sessions, and tokens are kept (and exported) only as hashes."""

from __future__ import annotations

import gzip
import hashlib

import pytest
from sqlalchemy import select

from cpas_kit.exchange.bundle import export_mission, read_exchange
from cpas_kit.store.schema import workshop_participants
from cpas_kit.workshop import security
from cpas_kit.workshop.serve import urls, voila_command
from cpas_kit.workshop.sessions import SessionNotFound, WorkshopRefused
from cpas_kit.workshop.store import WorkshopStore

STORE_CONTENT = "framework"
MISSION, CYCLE = "UN-DEMO", "2023/24-Q4"


@pytest.fixture
def started(store):
    return WorkshopStore(store).start_workshop(MISSION, CYCLE, actor="facilitator")


def test_the_same_name_and_section_is_a_new_participant_not_the_victim(store, started):
    ws = WorkshopStore(store)
    victim = ws.join_workshop(started.code, "Ana Lima", "FORCE")
    outcome = started.outcome_order[0]
    ws.submit_rating(victim.token, outcome, progress="some progress", contribution="some", reason="my own reason")
    impostor = ws.join_workshop(started.code, "  ANA   lima ", "force")
    assert impostor.is_new and impostor.id != victim.id and impostor.token != victim.token
    assert impostor.name == "ANA lima"
    state = ws.participant_state(impostor.token)
    assert state["ratings"] == {}, "the newcomer sees none of the victim's ratings or reasons"
    ws.submit_rating(impostor.token, outcome, progress="deterioration", contribution="none")
    mine = ws.participant_state(victim.token)["ratings"][outcome]
    assert (mine["progress"], mine["reason"]) == ("some progress", "my own reason")
    people = ws.workshop_participants(started.code)
    assert len(people) == 2, "the facilitator sees both"
    ratings = ws.workshop_ratings(started.code)
    assert sorted(ratings["participant_id"]) == sorted([victim.id, impostor.id])
    back = ws.join_workshop(started.code, "Ana Lima", "FORCE", token=victim.token)
    assert back.id == victim.id and not back.is_new


def test_wrong_join_codes_are_rate_limited_per_client(store, started):
    ws = WorkshopStore(store)
    for i in range(security.MAX_FAILURES):
        with pytest.raises(SessionNotFound):
            ws.join_workshop(f"ZZZZZ{'ABCDEFGHJK'[i]}", "Guesser", "FORCE", client="10.0.0.66")
    with pytest.raises(WorkshopRefused, match="too many wrong join codes"):
        ws.join_workshop(started.code, "Guesser", "FORCE", client="10.0.0.66")  # even the right code now
    with pytest.raises(WorkshopRefused, match="too many wrong join codes"):
        ws.session_to_join(started.code, client="10.0.0.66")
    other = ws.join_workshop(started.code, "Honest", "FORCE", client="10.0.0.7")
    assert other.is_new, "another computer is not blocked"


def test_looking_up_codes_in_the_join_form_counts_too(store, started):
    ws = WorkshopStore(store)
    for _ in range(security.MAX_FAILURES):
        with pytest.raises(SessionNotFound):
            ws.session_to_join("ZZZZZZ", client="kernel abc")
    with pytest.raises(WorkshopRefused):
        ws.session_to_join(started.code, client="kernel abc")


def test_only_an_authorised_facilitator_starts_a_session_from_the_app(store):
    ws = WorkshopStore(store)
    with pytest.raises(WorkshopRefused, match="may not start sessions"):
        ws.check_facilitator("anyone", "guess")
    passphrase = ws.authorise_facilitator("Fatou Sow", actor="admin")
    assert ws.check_facilitator(" fatou  SOW ", passphrase) == "Fatou Sow"
    with pytest.raises(WorkshopRefused):
        ws.check_facilitator("Fatou Sow", passphrase + "x")
    assert ws.revoke_facilitator("fatou sow")
    with pytest.raises(WorkshopRefused):
        ws.check_facilitator("Fatou Sow", passphrase)


def test_tokens_are_stored_and_exported_only_as_hashes(store, started, tmp_path):
    ws = WorkshopStore(store)
    p = ws.join_workshop(started.code, "Ben Okafor", "CAS")
    with store.engine.connect() as conn:
        stored = conn.execute(select(workshop_participants.c.token)).scalars().all()
    assert p.token not in stored and hashlib.sha256(p.token.encode()).hexdigest() in stored
    out = tmp_path / "x.jsonl.gz"
    export_mission(store, MISSION, out, actor="t")
    ex = read_exchange(out)
    assert p.token.encode() not in gzip.decompress(out.read_bytes())
    assert [r["token"] for r in ex.rows["workshop_participants"]] == stored


def test_serving_to_the_room_needs_the_server_token(tmp_path):
    cmd = voila_command(tmp_path, port=8866, ip="0.0.0.0", pool_size=0, token="s3cret")
    assert "--Voila.token=s3cret" in cmd
    where = urls("0.0.0.0", 8866, "s3cret")
    assert where["participant"].endswith("?token=s3cret") and where["facilitator"].endswith("?token=s3cret")
    assert security.server_token("given") == "given" and len(security.server_token()) >= 16


def test_a_file_from_before_hashing_never_puts_a_clear_token_in_the_store(store, started, tmp_path):
    from cpas_kit.exchange.bundle import merge_file
    from cpas_kit.store import Store
    from tests.exchange.test_hostile_merge import forge

    WorkshopStore(store).join_workshop(started.code, "Ben Okafor", "CAS")
    out = tmp_path / "x.jsonl.gz"
    export_mission(store, MISSION, out, actor="t")

    def old_style(table, row, manifest):
        if table == "workshop_participants":
            row["token"] = "a-clear-token-from-2025"

    hq = Store(f"sqlite:///{tmp_path / 'hq.sqlite'}")
    merge_file(hq, forge(out, tmp_path / "old.jsonl.gz", old_style), actor="hq")
    with hq.engine.connect() as conn:
        stored = conn.execute(select(workshop_participants.c.token)).scalars().all()
    assert stored == [hashlib.sha256(b"a-clear-token-from-2025").hexdigest()]
