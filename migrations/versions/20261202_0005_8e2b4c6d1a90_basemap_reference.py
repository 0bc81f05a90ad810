"""basemap reference layers: Milan's main roads and metro stations

Revision ID: 8e2b4c6d1a90
Revises: 9b4d2e7f1a30
Create Date: 2026-12-02 00:05:00

"""
import geoalchemy2
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8e2b4c6d1a90'
down_revision = '9b4d2e7f1a30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'main_road',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('highway', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=True),
        sa.Column(
            'geom',
            geoalchemy2.types.Geometry(
                geometry_type='LINESTRING', srid=4326, spatial_index=False
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_main_road')),
    )
    op.create_index('idx_main_road_geom', 'main_road', ['geom'], postgresql_using='gist')
    op.create_table(
        'metro_station',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('lines', sa.String(length=40), nullable=True),
        sa.Column(
            'geom',
            geoalchemy2.types.Geometry(geometry_type='POINT', srid=4326, spatial_index=False),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_metro_station')),
    )
    op.create_index(
        'idx_metro_station_geom', 'metro_station', ['geom'], postgresql_using='gist'
    )


def downgrade():
    op.drop_index('idx_metro_station_geom', table_name='metro_station')
    op.drop_table('metro_station')
    op.drop_index('idx_main_road_geom', table_name='main_road')
    op.drop_table('main_road')
