from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.extensions import Model
from training.formatting import country_name
from training.orm import LabelledEnum, UTCDateTime, str_enum, utcnow
from training.text import fold, match_key, search_key, sound_key

if TYPE_CHECKING:
    from training.auth.models import User
    from training.curricula.models import Curriculum
    from training.enrollment.models import Enrollment
    from training.sessions.models import Assignment, TrainingSession


class OrganisationKind(LabelledEnum):
    POLICE = "police", _l("Police")
    GENDARMERIE = "gendarmerie", _l("Gendarmerie")
    NATIONAL_GUARD = "national_guard", _l("National guard")
    CUSTOMS = "customs", _l("Customs")
    JUDICIARY = "judiciary", _l("Judiciary")
    PROSECUTION = "prosecution", _l("Prosecution")
    ARMED_FORCES = "armed_forces", _l("Armed forces")
    INTELLIGENCE = "intelligence", _l("Intelligence")
    PRISON_ADMINISTRATION = "prison_administration", _l("Prison administration")
    FINANCIAL_INTELLIGENCE_UNIT = "financial_intelligence_unit", _l("Financial intelligence unit")
    TRAINING_INSTITUTE = "training_institute", _l("Training institute")
    MINISTRY = "ministry", _l("Ministry")
    UN_ENTITY = "un_entity", _l("UN entity")
    REGIONAL_ORGANISATION = "regional_organisation", _l("Regional organisation")
    DONOR = "donor", _l("Donor")


class Sex(LabelledEnum):
    FEMALE = "F", _l("Female")
    MALE = "M", _l("Male")


class ScreeningFramework(LabelledEnum):
    HRDDP_MITIGATION = "hrddp_mitigation", _l("HRDDP mitigation")
    G5_COMPLIANCE_FRAMEWORK = "g5_compliance_framework", _l("G5 Sahel compliance framework")
    DONOR_VETTING = "donor_vetting", _l("Donor vetting")


class ScreeningStatus(LabelledEnum):
    PENDING = "pending", _l("Screening pending")
    CLEARED = "cleared", _l("Cleared")
    CLEARED_WITH_CONDITIONS = "cleared_with_conditions", _l("Cleared with conditions")
    NOT_CLEARED = "not_cleared", _l("Not cleared")

    @property
    def is_clearance(self) -> bool:
        return self in (ScreeningStatus.CLEARED, ScreeningStatus.CLEARED_WITH_CONDITIONS)


class Organisation(Model):
    __table_args__ = (
        sa.UniqueConstraint("name", "country"),
        sa.CheckConstraint(
            "active_until IS NULL OR active_from IS NULL OR active_until >= active_from",
            name="active_period",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    acronym: Mapped[Optional[str]] = mapped_column(sa.String(30))
    country: Mapped[Optional[str]] = mapped_column(sa.String(2))  # ISO 3166 alpha-2
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind, 40))
    is_security_force: Mapped[bool] = mapped_column(default=False)
    active_from: Mapped[Optional[date]]
    active_until: Mapped[Optional[date]]
    # Lower-case, accent-free "acronym name" for accent-insensitive search on
    # every database engine (kept by _refresh_search_text).
    search_text: Mapped[str] = mapped_column(sa.String(240), default="", server_default="")

    def is_active_on(self, day: date) -> bool:
        return (self.active_from is None or self.active_from <= day) and (
            self.active_until is None or day <= self.active_until
        )

    def has_ended_by(self, day: date) -> bool:
        """Whether the partnership ended before `day`."""
        return self.active_until is not None and self.active_until < day

    @property
    def label(self) -> str:
        """How the organisation is shown and chosen everywhere: acronym, name
        and country in the reader's language ("PN — Police nationale
        (Niger)"), since the same name or acronym exists in several
        countries ("Gendarmerie nationale", "PN")."""
        return f"{self.name_label} ({self.country_label})" if self.country else self.name_label

    @property
    def short_label(self) -> str:
        """The acronym (or the name) with the country, for narrow columns:
        "PN (Niger)"."""
        short = self.acronym or self.name
        return f"{short} ({self.country_label})" if self.country else short

    @property
    def name_label(self) -> str:
        """Acronym and name, without the country: "PN — Police nationale"."""
        return f"{self.acronym} — {self.name}" if self.acronym else self.name

    @property
    def country_label(self) -> str:
        return country_name(self.country)

    def __repr__(self) -> str:
        return f"<Organisation {self.acronym or self.name}>"


@sa.event.listens_for(Organisation, "before_insert")
@sa.event.listens_for(Organisation, "before_update")
def _refresh_search_text(_mapper: object, _connection: object, organisation: Organisation) -> None:
    """Whoever writes an organisation (service, factory, demo seed), its
    search text follows its acronym and name."""
    organisation.search_text = fold(f"{organisation.acronym or ''} {organisation.name}")


class Trainer(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    organisation_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("organisation.id"))
    # Comma-separated ISO 639-1 codes, e.g. "fr,en".
    languages: Mapped[str] = mapped_column(sa.String(40), default="")
    email: Mapped[Optional[str]] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Optional[Organisation]] = relationship()
    qualifications: Mapped[list[TrainerQualification]] = relationship(
        back_populates="trainer", cascade="all, delete-orphan"
    )
    assignments: Mapped[list[Assignment]] = relationship(back_populates="trainer")
    user: Mapped[Optional[User]] = relationship(back_populates="trainer")

    @property
    def language_codes(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    def __repr__(self) -> str:
        return f"<Trainer {self.name}>"


class TrainerQualification(Model):
    __table_args__ = (
        sa.UniqueConstraint("trainer_id", "curriculum_id"),
        sa.CheckConstraint(
            "expires_on IS NULL OR expires_on >= qualified_on", name="expiry_after_start"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainer_id: Mapped[int] = mapped_column(sa.ForeignKey("trainer.id"), index=True)
    curriculum_id: Mapped[int] = mapped_column(sa.ForeignKey("curriculum.id"), index=True)
    qualified_on: Mapped[date]
    expires_on: Mapped[Optional[date]]
    # The training of trainers that qualified this trainer, when there was one.
    source_session_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("training_session.id"))

    trainer: Mapped[Trainer] = relationship(back_populates="qualifications")
    curriculum: Mapped[Curriculum] = relationship()
    source_session: Mapped[Optional[TrainingSession]] = relationship()

    def is_current_on(self, day: date) -> bool:
        return self.qualified_on <= day and (self.expires_on is None or day <= self.expires_on)


class Participant(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    given_name: Mapped[str] = mapped_column(sa.String(100))
    family_name: Mapped[str] = mapped_column(sa.String(100))
    # The name in Arabic script, in full and in the order the person writes
    # it (optional): printed beside the Latin spelling, found by search.
    name_ar: Mapped[Optional[str]] = mapped_column(sa.String(200))
    # Lower-case, accent-free "given family" (then the Arabic name, folded)
    # for accent-insensitive search on every database engine; for duplicate
    # detection, the Latin name's words sorted (given and family names
    # swapped) and how it sounds (training.text). All three follow the names
    # on every write (see _name_keys below).
    search_name: Mapped[str] = mapped_column(sa.String(420), index=True, default="")
    match_name: Mapped[str] = mapped_column(sa.String(210), index=True, default="")
    sound_name: Mapped[str] = mapped_column(sa.String(210), index=True, default="")
    sex: Mapped[Sex] = mapped_column(str_enum(Sex, 1))
    nationality: Mapped[Optional[str]] = mapped_column(sa.String(2))
    organisation_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True
    )
    rank: Mapped[Optional[str]] = mapped_column(sa.String(100))
    function: Mapped[Optional[str]] = mapped_column(sa.String(150))
    email: Mapped[Optional[str]] = mapped_column(sa.String(254), index=True)
    phone: Mapped[Optional[str]] = mapped_column(sa.String(40), index=True)
    consent_recorded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    retention_until: Mapped[Optional[date]]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Optional[Organisation]] = relationship()
    screenings: Mapped[list[ScreeningRecord]] = relationship(
        back_populates="participant",
        cascade="all, delete-orphan",
        order_by="ScreeningRecord.id",
    )
    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="participant")
    user: Mapped[Optional[User]] = relationship(back_populates="participant")

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def sortable_name(self) -> str:
        return f"{self.family_name.upper()}, {self.given_name}"

    def __repr__(self) -> str:
        return f"<Participant {self.full_name}>"


class ScreeningRecord(Model):
    __table_args__ = (
        sa.CheckConstraint(
            "valid_until IS NULL OR screened_on IS NULL OR valid_until >= screened_on",
            name="validity_after_screening",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id"), index=True)
    framework: Mapped[ScreeningFramework] = mapped_column(str_enum(ScreeningFramework, 40))
    status: Mapped[ScreeningStatus] = mapped_column(str_enum(ScreeningStatus, 40))
    screened_on: Mapped[Optional[date]]
    valid_until: Mapped[Optional[date]]
    recorded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id"))
    reference: Mapped[Optional[str]] = mapped_column(sa.String(100))
    notes: Mapped[Optional[str]] = mapped_column(sa.Text)  # coordinators only
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    participant: Mapped[Participant] = relationship(back_populates="screenings")
    recorded_by: Mapped[Optional[User]] = relationship()


@sa.event.listens_for(Participant, "before_insert")
@sa.event.listens_for(Participant, "before_update")
def _name_keys(_mapper: object, _connection: object, participant: Participant) -> None:
    """The search and duplicate keys always follow the names, whoever wrote
    them (a form, an import, the demo, a test)."""
    participant.search_name = search_key(
        participant.given_name, participant.family_name, participant.name_ar
    )
    participant.match_name = match_key(participant.given_name, participant.family_name)
    participant.sound_name = sound_key(participant.given_name, participant.family_name)
