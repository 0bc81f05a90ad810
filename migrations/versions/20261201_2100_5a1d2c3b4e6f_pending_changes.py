"""pending changes: a scout's edit of a published place, offer or resource waits for review

Revision ID: 5a1d2c3b4e6f
Revises: 7c3e9a1d5b20
Create Date: 2026-12-01 19:40:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "5a1d2c3b4e6f"
down_revision = "7c3e9a1d5b20"
branch_labels = None
depends_on = None

TABLES = ("place", "offer", "resource")


def upgrade():
    for table in TABLES:
        op.add_column(table, sa.Column("pending", postgresql.JSONB(), nullable=True))


def downgrade():
    for table in TABLES:
        op.drop_column(table, "pending")
