"""freshness: verified_at on offers and resources, the "still valid" visit outcome

Revision ID: 8e4f1a2b3c5d
Revises: 8aa7533aa75a
Create Date: 2026-12-01 23:50:00

Backfill: a published record's last verification is the latest of its approval (the audit
log's "publish" event) and the latest visit to its place (a scout who stood there).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8e4f1a2b3c5d'
down_revision = '8aa7533aa75a'
branch_labels = None
depends_on = None

OLD = ('first_contact', 'interested', 'not_interested', 'joined', 'come_back')
NEW = (*OLD, 'still_valid')


def _outcomes(values):
    return "outcome IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade():
    op.add_column('offer', sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('resource', sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True))
    op.drop_constraint(op.f('ck_visit_visitoutcome'), 'visit', type_='check')
    op.create_check_constraint('visitoutcome', 'visit', _outcomes(NEW))
    # Literal SQL: a one-off data migration over whole tables, no user input.
    for table in ('place', 'offer', 'resource'):
        place_col = 'id' if table == 'place' else 'place_id'
        op.execute(
            f"""
            UPDATE {table} t SET verified_at = GREATEST(
                t.verified_at,
                (SELECT max(a.at) FROM audit_event a
                  WHERE a.action = 'publish' AND a.entity = '{table}' AND a.entity_id = t.id),
                (SELECT (max(v.visited_on) + time '12:00') AT TIME ZONE 'Europe/Rome'
                   FROM visit v WHERE v.place_id = t.{place_col})
            )
            WHERE t.status = 'published'
            """  # noqa: S608
        )
        op.execute(
            f"UPDATE {table} SET verified_at = updated_at"  # noqa: S608
            " WHERE status = 'published' AND verified_at IS NULL"
        )


def downgrade():
    op.execute("DELETE FROM visit WHERE outcome = 'still_valid'")
    op.drop_constraint(op.f('ck_visit_visitoutcome'), 'visit', type_='check')
    op.create_check_constraint('visitoutcome', 'visit', _outcomes(OLD))
    op.drop_column('resource', 'verified_at')
    op.drop_column('offer', 'verified_at')
