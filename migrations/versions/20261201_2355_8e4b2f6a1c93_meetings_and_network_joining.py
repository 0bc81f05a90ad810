"""Meetings with institutions and network events; the date an organisation joined the network

Revision ID: 8e4b2f6a1c93
Revises: 8e4f1a2b3c5d
Create Date: 2026-12-01 23:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "8e4b2f6a1c93"
down_revision = "8e4f1a2b3c5d"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("organisation", sa.Column("joined_network_on", sa.Date(), nullable=True))
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "institution_meeting",
                "network_meeting",
                "training",
                name="meetingkind",
                native_enum=False,
                length=32,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("counterpart", sa.String(length=200), nullable=True),
        sa.Column("topic", sa.String(length=300), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "organisation_id IS NOT NULL OR counterpart IS NOT NULL",
            name=op.f("ck_meeting_with_someone"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_meeting_organisation_id_organisation"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_meeting_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
    )
    op.create_index(op.f("ix_meeting_held_on"), "meeting", ["held_on"])
    op.create_index(op.f("ix_meeting_organisation_id"), "meeting", ["organisation_id"])
    op.create_table(
        "meeting_attendee",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_meeting_attendee_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_meeting_attendee_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "user_id", name=op.f("pk_meeting_attendee")),
    )


def downgrade():
    op.drop_table("meeting_attendee")
    op.drop_index(op.f("ix_meeting_organisation_id"), table_name="meeting")
    op.drop_index(op.f("ix_meeting_held_on"), table_name="meeting")
    op.drop_table("meeting")
    op.drop_column("organisation", "joined_network_on")
