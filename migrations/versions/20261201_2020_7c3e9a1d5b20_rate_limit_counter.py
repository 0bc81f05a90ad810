"""rate-limit counters shared by every app process (and the merge of the two heads before it)

Revision ID: 7c3e9a1d5b20
Revises: 5d1f3c9a7e21, 6b1e0f3a9c42
Create Date: 2026-12-01 20:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3e9a1d5b20'
down_revision = ('5d1f3c9a7e21', '6b1e0f3a9c42')
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rate_limit_counter',
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counter')),
    )
    op.create_index(
        op.f('ix_rate_limit_counter_expires_at'), 'rate_limit_counter', ['expires_at'], unique=False
    )


def downgrade():
    op.drop_index(op.f('ix_rate_limit_counter_expires_at'), table_name='rate_limit_counter')
    op.drop_table('rate_limit_counter')
