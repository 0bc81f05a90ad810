"""place_version: one token that changes whenever a place or an organisation is written, so
each app process can keep the published places' points in memory beside the walking graph and
know, with one indexed read, when they are stale (issue 18).

A BEFORE STATEMENT trigger renews the token before the statement touches any row: writers of
places take the token's row lock first, so two of them never wait on each other in opposite
orders (no deadlock); a rolled-back write leaves the old token, which again matches the data.

Revision ID: 9b4d2e7f1a30
Revises: 8e4b2f6a1c93
Create Date: 2026-12-02 00:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9b4d2e7f1a30'
down_revision = '8e4b2f6a1c93'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        """
        CREATE TABLE place_version (
            id integer PRIMARY KEY CHECK (id = 1),
            token uuid NOT NULL
        );
        INSERT INTO place_version VALUES (1, gen_random_uuid());
        CREATE FUNCTION place_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE place_version SET token = gen_random_uuid() WHERE id = 1;
            RETURN NULL;
        END $$;
        CREATE TRIGGER place_version_bump BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE
            ON place FOR EACH STATEMENT EXECUTE FUNCTION place_version_bump();
        CREATE TRIGGER place_version_bump BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE
            ON organisation FOR EACH STATEMENT EXECUTE FUNCTION place_version_bump();
        """
    )


def downgrade():
    op.execute(
        """
        DROP TRIGGER place_version_bump ON organisation;
        DROP TRIGGER place_version_bump ON place;
        DROP FUNCTION place_version_bump();
        DROP TABLE place_version;
        """
    )
