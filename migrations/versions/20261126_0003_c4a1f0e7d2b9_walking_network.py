"""walking network: pedestrian nodes and edges imported from OpenStreetMap

Revision ID: c4a1f0e7d2b9
Revises: ae2506cce3ee
Create Date: 2026-11-26 05:00:00

"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry

# revision identifiers, used by Alembic.
revision = 'c4a1f0e7d2b9'
down_revision = 'ae2506cce3ee'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('walk_network',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('osm_date', sa.DateTime(timezone=True), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('import_seconds', sa.Float(), nullable=False),
    sa.Column('node_count', sa.Integer(), nullable=False),
    sa.Column('edge_count', sa.Integer(), nullable=False),
    sa.Column('steps_count', sa.Integer(), nullable=False),
    sa.Column('address_count', sa.Integer(), nullable=False),
    sa.Column('total_km', sa.Float(), nullable=False),
    sa.Column('area_km2', sa.Float(), nullable=False),
    sa.Column('area', Geometry(geometry_type='POLYGON', srid=4326, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_walk_network'))
    )
    op.create_index('uq_walk_network_current', 'walk_network', ['is_current'], unique=True, postgresql_where=sa.text('is_current'))
    op.create_table('walk_node',
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('osm_id', sa.BigInteger(), nullable=False),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['walk_network.id'], name=op.f('fk_walk_node_network_id_walk_network'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('network_id', 'id', name=op.f('pk_walk_node'))
    )
    op.create_table('walk_edge',
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source', sa.Integer(), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.Column('length_m', sa.Float(), nullable=False),
    sa.Column('steps', sa.Boolean(), nullable=False),
    sa.Column('osm_way_id', sa.BigInteger(), nullable=False),
    sa.Column('highway', sa.String(length=40), nullable=True),
    sa.Column('geom', Geometry(geometry_type='LINESTRING', srid=4326, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['walk_network.id'], name=op.f('fk_walk_edge_network_id_walk_network'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('network_id', 'id', name=op.f('pk_walk_edge'))
    )
    op.create_index('idx_walk_edge_geom', 'walk_edge', ['geom'], unique=False, postgresql_using='gist')


def downgrade():
    op.drop_index('idx_walk_edge_geom', table_name='walk_edge', postgresql_using='gist')
    op.drop_table('walk_edge')
    op.drop_table('walk_node')
    op.drop_index('uq_walk_network_current', table_name='walk_network', postgresql_where=sa.text('is_current'))
    op.drop_table('walk_network')
