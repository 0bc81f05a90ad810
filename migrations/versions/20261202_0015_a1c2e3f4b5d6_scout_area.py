"""areas per scout: the NIL a coordinator assigned to each scout

Revision ID: a1c2e3f4b5d6
Revises: 8e2b4c6d1a90
Create Date: 2026-12-02 00:15:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a1c2e3f4b5d6'
down_revision = '8e2b4c6d1a90'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'scout_area',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('nil_id', sa.Integer(), nullable=False),
        sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['user.id'], name=op.f('fk_scout_area_user_id_user'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['nil_id'], ['nil.id'], name=op.f('fk_scout_area_nil_id_nil'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('user_id', 'nil_id', name=op.f('pk_scout_area')),
    )


def downgrade():
    op.drop_table('scout_area')
