"""place opening hours as weekly windows (free text parsed where it can be)

Revision ID: 5d0c3a9e1f27
Revises: 5a1d2c3b4e6f
Create Date: 2026-12-01 20:45:00

"""
import json

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from scout.schedule import parse_opening_hours

# revision identifiers, used by Alembic.
revision = '5d0c3a9e1f27'
down_revision = '5a1d2c3b4e6f'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        'place',
        sa.Column(
            'opening_schedule',
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            server_default=sa.text("'[]'::jsonb"),
        ),
    )
    op.alter_column('place', 'opening_schedule', server_default=None)
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, opening_hours FROM place WHERE opening_hours IS NOT NULL"))
    for place_id, text in rows.fetchall():
        windows = parse_opening_hours(text)
        if windows:  # what parsed is now structured; what did not stays as the note
            conn.execute(
                sa.text(
                    "UPDATE place SET opening_schedule = CAST(:w AS jsonb), opening_hours = NULL"
                    " WHERE id = :id"
                ),
                {"w": json.dumps(windows), "id": place_id},
            )


def downgrade():
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, opening_schedule FROM place WHERE opening_hours IS NULL")
    ).fetchall()
    for place_id, windows in rows:
        if windows:
            text = "; ".join(
                f"{('Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su')[w['day']]} {w['start']}-{w['end']}"
                for w in windows
            )
            conn.execute(
                sa.text("UPDATE place SET opening_hours = :t WHERE id = :id"),
                {"t": text, "id": place_id},
            )
    op.drop_column('place', 'opening_schedule')
