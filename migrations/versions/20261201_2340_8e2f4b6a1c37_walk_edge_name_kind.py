"""walk_edge name and kind: the street's name and what an unnamed stretch is (issue 13)

Revision ID: 8e2f4b6a1c37
Revises: 5d0c3a9e1f27
Create Date: 2026-12-01 23:40:00

Networks imported before this keep NULL names and kind 'street' (steps edges become 'steps')
until the next import, which fills both.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8e2f4b6a1c37'
down_revision = '5d0c3a9e1f27'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('walk_edge', sa.Column('name', sa.String(length=200), nullable=True))
    op.add_column(
        'walk_edge',
        sa.Column('kind', sa.String(length=20), nullable=False, server_default='street'),
    )
    op.execute("UPDATE walk_edge SET kind = 'steps' WHERE steps")


def downgrade():
    op.drop_column('walk_edge', 'kind')
    op.drop_column('walk_edge', 'name')
