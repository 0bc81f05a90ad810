"""pending changes: a scout's edit of a published place, offer or resource waits for review

Revision ID: 5a1d2c3b4e6f
Revises: 5d1f3c9a7e21, 6b1e0f3a9c42 (also merges those two heads)
Create Date: 2026-12-01 19:40:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "5a1d2c3b4e6f"
down_revision = ("5d1f3c9a7e21", "6b1e0f3a9c42")
branch_labels = None
depends_on = None

TABLES = ("place", "offer", "resource")


def upgrade():
    for table in TABLES:
        op.add_column(table, sa.Column("pending", postgresql.JSONB(), nullable=True))


def downgrade():
    for table in TABLES:
        op.drop_column(table, "pending")
