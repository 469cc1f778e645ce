"""Who may join and who may start: the rate limit of wrong join codes, authorised facilitators, the server token.

* **Wrong join codes** are recorded per client (its address when the server sits behind a proxy that sets
  ``X-Real-IP``/``X-Forwarded-For``, else the browser tab's kernel) in ``workshop_join_failures``. A client with
  :data:`MAX_FAILURES` wrong codes in the last :data:`WINDOW` minutes is refused — even with a right code —
  until the window has passed; when the whole server sees :data:`MAX_SERVER_FAILURES` in the window, any client
  that has already failed once is refused too. A 6-character code has ~887 million values: guessing is hopeless.
* **Starting a session from the facilitator app** needs a facilitator name and passphrase authorised on this
  server with ``cpas workshop authorise NAME`` (the store keeps only the passphrase's SHA-256).
* **Serving to a room** (``cpas workshop serve --ip 0.0.0.0``) needs a server token, printed at start and part
  of the addresses handed out (see :func:`server_token`).
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, delete, func, insert, select

from cpas_kit.store.engine import read, run_write
from cpas_kit.store.schema import workshop_facilitators as F
from cpas_kit.store.schema import workshop_join_failures as J
from cpas_kit.workshop.sessions import WorkshopRefused, check_name, hash_secret, secret_matches

MAX_FAILURES = 10
MAX_SERVER_FAILURES = 200
WINDOW = 10  # minutes


def client_key(given: str | None = None) -> str:
    """Who is joining: ``given``, else the address a proxy passed to this kernel, else this kernel (tab)."""
    for value in (given, os.environ.get("HTTP_X_REAL_IP"), (os.environ.get("HTTP_X_FORWARDED_FOR") or "")
                  .split(",")[0], os.environ.get("VOILA_KERNEL_ID") and f"kernel {os.environ['VOILA_KERNEL_ID']}"):
        if value and str(value).strip():
            return str(value).strip()[:200]
    return f"process {os.getpid()}"


def _since() -> datetime:
    return datetime.now(timezone.utc) - timedelta(minutes=WINDOW)


def check_join_rate(engine: Engine, client: str) -> None:
    """Refuse (``WorkshopRefused``) a client that guessed too many wrong codes in the last few minutes."""
    since = _since()
    with read(engine) as conn:
        mine = conn.execute(select(func.count()).where(J.c.client == client, J.c.at >= since)).scalar_one()
        total = conn.execute(select(func.count()).where(J.c.at >= since)).scalar_one() if mine else 0
    if mine >= MAX_FAILURES or (mine and total >= MAX_SERVER_FAILURES):
        raise WorkshopRefused("ws_too_many", minutes=WINDOW)


def record_join_failure(engine: Engine, client: str) -> None:
    """Count one wrong join code of ``client`` (and forget failures older than a day)."""
    now = datetime.now(timezone.utc)

    def _do(conn):
        conn.execute(insert(J).values(client=client, at=now))
        conn.execute(delete(J).where(J.c.at < now - timedelta(days=1)))

    run_write(engine, _do)


# -- facilitators -----------------------------------------------------------------------------------------

def authorise_facilitator(engine: Engine, name: str, *, actor: str) -> str:
    """Authorise ``name`` to start sessions from the facilitator app; return the passphrase (shown once)."""
    name = check_name(name)
    passphrase = "-".join(secrets.token_hex(3) for _ in range(4))

    def _do(conn):
        conn.execute(delete(F).where(func.lower(F.c.name) == name.casefold()))
        conn.execute(insert(F).values(name=name, secret_hash=hash_secret(passphrase),
                                      created_at=datetime.now(timezone.utc), created_by=actor))

    run_write(engine, _do)
    return passphrase


def revoke_facilitator(engine: Engine, name: str) -> bool:
    """Withdraw ``name``'s authorisation; True when there was one."""
    def _do(conn):
        return conn.execute(delete(F).where(func.lower(F.c.name) == " ".join(name.split()).casefold())).rowcount

    return bool(run_write(engine, _do))


def facilitators(engine: Engine) -> list[str]:
    """Names authorised to start sessions from the app."""
    with read(engine) as conn:
        return list(conn.execute(select(F.c.name).order_by(F.c.name)).scalars())


def check_facilitator(engine: Engine, name: str | None, passphrase: str | None) -> str:
    """The authorised facilitator's name; ``WorkshopRefused`` when the name or passphrase is not right."""
    wanted = " ".join(str(name or "").split()).casefold()
    with read(engine) as conn:
        row = conn.execute(select(F.c.name, F.c.secret_hash).where(func.lower(F.c.name) == wanted)).first()
    stored = row.secret_hash if row is not None else hash_secret(secrets.token_hex(16))
    if not wanted or not secret_matches((passphrase or "").strip(), stored) or row is None:
        raise WorkshopRefused("ws_not_authorised")
    return row.name


# -- serving to a room ------------------------------------------------------------------------------------

def server_token(given: str | None = None) -> str:
    """The token a room server asks of every browser: ``given`` or ``$CPAS_WORKSHOP_TOKEN``, else a new one."""
    return (given or os.environ.get("CPAS_WORKSHOP_TOKEN") or secrets.token_urlsafe(12)).strip()
