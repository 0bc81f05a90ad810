"""place.import_hash: what a reference import last wrote, so a reload never overwrites edits

Revision ID: 5d1f3c9a7e21
Revises: 0e43057925d5
Create Date: 2026-12-01 19:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5d1f3c9a7e21"
down_revision = "0e43057925d5"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("place", sa.Column("import_hash", sa.String(length=64), nullable=True))


def downgrade():
    op.drop_column("place", "import_hash")
