"""merge bulletin and walking network heads

Revision ID: 0e43057925d5
Revises: c4a1f0e7d2b9, b76ed01643b0
Create Date: 2026-11-26 06:30:18.700249

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0e43057925d5'
down_revision = ('c4a1f0e7d2b9', 'b76ed01643b0')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
