"""person version and placement contract: a person's record carries a version (optimistic
locking of two tutors' edits), and a placement's contract is the programme's own list, whose
internship is the extracurricular one (``tirocinio`` becomes ``tirocinio_extracurricolare``).

Revision ID: b7d3e1f9a2c4
Revises: a1c2e3f4b5d6
Create Date: 2026-12-02 04:20:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7d3e1f9a2c4'
down_revision = 'a1c2e3f4b5d6'
branch_labels = None
depends_on = None

OFFER_CONTRACTS = ('indeterminato', 'determinato', 'occasionale', 'voucher', 'tirocinio',
                   'apprendistato')
PLACEMENT_CONTRACTS = ('indeterminato', 'determinato', 'occasionale', 'voucher',
                       'tirocinio_extracurricolare', 'apprendistato')


def _check(values):
    return "contract_type IN (%s)" % ", ".join(f"'{v}'" for v in values)


def upgrade():
    op.add_column('person', sa.Column('version', sa.Integer(), nullable=False,
                                      server_default='1'))
    op.alter_column('person', 'version', server_default=None)
    op.drop_constraint(op.f('ck_placement_contracttype'), 'placement', type_='check')
    op.execute("UPDATE placement SET contract_type = 'tirocinio_extracurricolare' "
               "WHERE contract_type = 'tirocinio'")
    op.create_check_constraint(op.f('ck_placement_placementcontract'), 'placement',
                               _check(PLACEMENT_CONTRACTS))


def downgrade():
    op.drop_constraint(op.f('ck_placement_placementcontract'), 'placement', type_='check')
    op.execute("UPDATE placement SET contract_type = 'tirocinio' "
               "WHERE contract_type = 'tirocinio_extracurricolare'")
    op.create_check_constraint(op.f('ck_placement_contracttype'), 'placement',
                               _check(OFFER_CONTRACTS))
    op.drop_column('person', 'version')
