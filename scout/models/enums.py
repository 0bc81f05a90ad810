"""Vocabularies of the data model. Values are stored as text (``native_enum=False``).

Labels are lazy gettext strings so that forms, lists and printed sheets show them in the
reader's language.
"""

import enum

from flask_babel import lazy_gettext as _l


class LabelledEnum(enum.StrEnum):
    """A ``str`` enum whose members carry a translatable label."""

    def __new__(cls, value: str, label: object) -> "LabelledEnum":
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label
        return obj

    def __str__(self) -> str:
        return self.value

    @classmethod
    def choices(cls) -> list[tuple[str, object]]:
        return [(m.value, m.label) for m in cls]


class Role(LabelledEnum):
    SCOUT = "scout", _l("Scout")
    TUTOR = "tutor", _l("Tutor")
    COORDINATOR = "coordinator", _l("Coordinator")


class OrgKind(LabelledEnum):
    EMPLOYER = "employer", _l("Employer")
    PARISH = "parish", _l("Parish")
    ASSOCIATION = "association", _l("Association")
    COOPERATIVE = "cooperative", _l("Cooperative")
    INSTITUTION = "institution", _l("Institution")
    TRAINING_CENTRE = "training_centre", _l("Training centre")
    PUBLIC_SERVICE = "public_service", _l("Public service")
    SCHOOL = "school", _l("School")
    HUB = "hub", _l("Programme hub")


class ReviewStatus(LabelledEnum):
    DRAFT = "draft", _l("Draft")
    TO_REVIEW = "to_review", _l("To review")
    PUBLISHED = "published", _l("Published")
    ARCHIVED = "archived", _l("Archived")


class PlaceSource(LabelledEnum):
    SCOUTING = "scouting", _l("Scouting")
    IMPORT = "import", _l("Import")
    DEMO = "demo", _l("Example data")


class ContractType(LabelledEnum):
    INDETERMINATO = "indeterminato", _l("Permanent (indeterminato)")
    DETERMINATO = "determinato", _l("Fixed-term (determinato)")
    OCCASIONALE = "occasionale", _l("Occasional work (prestazione occasionale)")
    VOUCHER = "voucher", _l("Voucher / LOL")
    TIROCINIO = "tirocinio", _l("Internship (tirocinio)")
    APPRENDISTATO = "apprendistato", _l("Apprenticeship (apprendistato)")


class PartTime(LabelledEnum):
    FULL_TIME = "full_time", _l("Full time")
    ORIZZONTALE = "orizzontale", _l("Part time, horizontal (every day, fewer hours)")
    VERTICALE = "verticale", _l("Part time, vertical (full days, fewer days)")
    MISTO = "misto", _l("Part time, mixed")


class ItalianLevel(LabelledEnum):
    NONE = "none", _l("None required")
    A1 = "A1", _l("A1")
    A2 = "A2", _l("A2")
    B1 = "B1", _l("B1")
    B2 = "B2", _l("B2")
    C1 = "C1", _l("C1")
    C2 = "C2", _l("C2")

    @property
    def rank(self) -> int:
        return list(ItalianLevel).index(self)


class OfferStatus(LabelledEnum):
    OPEN = "open", _l("Open")
    FILLED = "filled", _l("Filled")
    CLOSED = "closed", _l("Closed")


class ResourceKind(LabelledEnum):
    ITALIAN_COURSE = "italian_course", _l("Italian course")
    DIGITAL_COURSE = "digital_course", _l("Digital-skills course")
    PROFESSIONAL_COURSE = "professional_course", _l("Professional course")
    LABOUR_POLICY = "labour_policy", _l("Active labour policy")
    INCOME_SUPPORT = "income_support", _l("Income support")
    HOUSING_SUPPORT = "housing_support", _l("Housing support")
    CHILDCARE = "childcare", _l("Childcare")
    HELP_DESK = "help_desk", _l("Help desk")
    OTHER = "other", _l("Other")


class VisitOutcome(LabelledEnum):
    FIRST_CONTACT = "first_contact", _l("First contact")
    INTERESTED = "interested", _l("Interested")
    NOT_INTERESTED = "not_interested", _l("Not interested")
    JOINED = "joined", _l("Agreed to join the network")
    COME_BACK = "come_back", _l("Come back later")
    STILL_VALID = "still_valid", _l("Still valid (checked in person)")


class AuditAction(LabelledEnum):
    CREATE = "create", _l("Created")
    UPDATE = "update", _l("Updated")
    DELETE = "delete", _l("Deleted")
    LOGIN = "login", _l("Logged in")
    LOGOUT = "logout", _l("Logged out")
    SEARCH = "search", _l("Searched")
    PUBLISH = "publish", _l("Published")
    TOKEN = "token", _l("API token")
    READ = "read", _l("Viewed")
    ANONYMISE = "anonymise", _l("Anonymised")
