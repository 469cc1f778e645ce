"""Workshop security: participant tokens kept only as their SHA-256, wrong join codes counted per client, and the
people authorised to start sessions from the facilitator app.

``workshop_participants.token`` held the resume token in clear (and exchange files carried it); it now holds the
token's SHA-256 hex, so neither a copy of the store nor an exchange file lets anyone write as a participant. The
tokens already stored are hashed here, so links handed out before the upgrade keep working.
``workshop_join_failures`` records each join with a wrong code (client, time) for the rate limit;
``workshop_facilitators`` holds the SHA-256 of each authorised facilitator's passphrase.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""
import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    people = sa.table("workshop_participants", sa.column("id", sa.Integer), sa.column("token", sa.String(64)))
    for pid, token in conn.execute(sa.select(people.c.id, people.c.token)).all():
        conn.execute(sa.update(people).where(people.c.id == pid)
                     .values(token=hashlib.sha256(token.encode("utf-8")).hexdigest()))
    op.create_table(
        "workshop_join_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_workshop_join_failures_client_at", "workshop_join_failures", ["client", "at"])
    op.create_table(
        "workshop_facilitators",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.UniqueConstraint("name", name="uq_workshop_facilitators_name"),
    )


def downgrade() -> None:
    op.drop_table("workshop_facilitators")
    op.drop_index("ix_workshop_join_failures_client_at", table_name="workshop_join_failures")
    op.drop_table("workshop_join_failures")
    # hashed tokens cannot be turned back into links: participants join again after a downgrade
