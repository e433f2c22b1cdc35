"""Participants, screening and the trainer registry: the rules in one place.

Functions take model objects and plain values, flush when they need ids, never
commit, and write the audit event for every change the audit must keep.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from training.audit.services import record_event
from training.domain import DomainError
from training.extensions import db
from training.people.models import (
    Organisation,
    Participant,
    ScreeningFramework,
    ScreeningRecord,
    ScreeningStatus,
    Sex,
    Trainer,
    TrainerQualification,
)
from training.people.organisations import by_label
from training.people.screening import current_screening
from training.text import fold, has_arabic_letters, match_key, sound_key

if TYPE_CHECKING:
    from training.auth.models import User

TRAINER_LANGUAGES = ("fr", "en", "ar")
_PHONE_PUNCTUATION = (" ", "-", ".", "(", ")", "/")


# --- normalisation -------------------------------------------------------------


def normalise_email(email: str | None) -> str | None:
    """Emails compare without case or surrounding spaces; empty is None."""
    email = (email or "").strip().lower()
    return email or None


def normalise_phone(phone: str | None) -> str:
    """The phone number's digits (and a leading +), so "+223 70-00.01" and
    "+2237000 01" are the same number."""
    phone = (phone or "").strip()
    digits = re.sub(r"\D", "", phone)
    if not digits:
        return ""
    return ("+" if phone.startswith("+") else "") + digits


def sql_phone_key(column: Any) -> Any:
    """normalise_phone() in SQL, portable to SQLite and PostgreSQL."""
    expression = column
    for character in _PHONE_PUNCTUATION:
        expression = sa.func.replace(expression, character, "")
    return expression


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


# --- participants ----------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantDetails:
    """What a coordinator (or an imported row) says about a participant."""

    given_name: str
    family_name: str
    sex: Sex
    name_ar: str | None = None  # the name in Arabic script, optional
    nationality: str | None = None
    organisation: Organisation | None = None
    rank: str | None = None
    function: str | None = None
    email: str | None = None
    phone: str | None = None
    consent: bool = False


def participant_search(
    query: str | None = None,
    *,
    country: str | None = None,
    organisation_id: int | None = None,
    sex: str | None = None,
) -> sa.Select:
    """The participants matching every folded word of `query` (accent- and
    case-insensitive: "TRAORE moussa" finds "Moussa Traoré") and the filters,
    ordered by family then given name."""
    statement = sa.select(Participant)
    for word in fold(query).split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(Participant.search_name.like(f"%{escaped}%", escape="\\"))
    if country:
        statement = statement.where(Participant.nationality == country.upper())
    if organisation_id:
        statement = statement.where(Participant.organisation_id == organisation_id)
    if sex:
        statement = statement.where(Participant.sex == Sex(sex))
    return statement.order_by(Participant.family_name, Participant.given_name, Participant.id)


@dataclass(frozen=True)
class PersonKeys:
    """What duplicate detection compares, normalised: the name's folded words
    in any order within an organisation, the email, the phone number's
    digits; and, to propose candidates, how the name sounds."""

    name_key: str
    organisation_id: int | None
    email: str | None
    phone: str
    sound_key: str = ""

    @classmethod
    def of(
        cls,
        *,
        given_name: str | None,
        family_name: str | None,
        organisation_id: int | None,
        email: str | None,
        phone: str | None,
    ) -> PersonKeys:
        return cls(
            name_key=match_key(given_name, family_name),
            organisation_id=organisation_id or None,
            email=normalise_email(email),
            phone=normalise_phone(phone),
            sound_key=sound_key(given_name, family_name),
        )

    def matches(self, participant: Participant) -> bool:
        """The duplicate rule: the same name (its words in any order, accents
        and case aside) in the same organisation (or both in none), or the
        same email, or the same phone number."""
        return bool(
            (
                self.name_key
                and participant.match_name == self.name_key
                and participant.organisation_id == self.organisation_id
            )
            or (self.email and normalise_email(participant.email) == self.email)
            or (self.phone and normalise_phone(participant.phone) == self.phone)
        )


_LOOKUP_CHUNK = 500  # values per IN (...): well under every engine's bound-parameter limit


def find_lookalikes(
    candidates: Sequence[PersonKeys], *, exclude_id: int | None = None
) -> list[list[Participant]]:
    """For each candidate, the existing participants who look like it (see
    PersonKeys.matches), ordered by id: three indexed look-ups (by name, by
    email, by phone) for all the candidates together, not one per candidate.
    The one rule of duplicate detection, for one new participant and for a
    whole import file alike."""
    names = sorted({c.name_key for c in candidates} - {""})
    emails = sorted({c.email for c in candidates if c.email})
    phones = sorted({c.phone for c in candidates} - {""})
    found: dict[int, Participant] = {}
    for condition, values in (
        (Participant.match_name.in_, names),
        (sa.func.lower(Participant.email).in_, emails),
        (sql_phone_key(Participant.phone).in_, phones),
    ):
        for start in range(0, len(values), _LOOKUP_CHUNK):
            statement = sa.select(Participant).where(
                condition(values[start : start + _LOOKUP_CHUNK])
            )
            if exclude_id is not None:
                statement = statement.where(Participant.id != exclude_id)
            for participant in db.session.scalars(statement):
                found[participant.id] = participant
    existing = sorted(found.values(), key=lambda participant: participant.id)
    by_name: dict[str, list[Participant]] = {}
    by_email: dict[str, list[Participant]] = {}
    by_phone: dict[str, list[Participant]] = {}
    for participant in existing:
        by_name.setdefault(participant.match_name, []).append(participant)
        if participant.email:
            by_email.setdefault(normalise_email(participant.email) or "", []).append(participant)
        if normalise_phone(participant.phone):
            by_phone.setdefault(normalise_phone(participant.phone), []).append(participant)
    results = []
    for candidate in candidates:
        seen: set[int] = set()
        matches = []
        for participant in (
            by_name.get(candidate.name_key, [])
            + (by_email.get(candidate.email, []) if candidate.email else [])
            + by_phone.get(candidate.phone, [])
        ):
            if participant.id not in seen and candidate.matches(participant):
                seen.add(participant.id)
                matches.append(participant)
        results.append(matches)
    return results


MAX_CANDIDATES = 20  # a common name in the region: enough to choose from, never the registry


def find_candidates(keys: PersonKeys, *, exclude_id: int | None = None) -> list[Participant]:
    """Participants who may be the same person though the duplicate rule
    does not say so: the same name in another organisation, or a name that
    sounds the same ("Mohamed Traoré", "Mouhamadou Traore"). Two indexed
    look-ups; for a person to check, never merged or matched on their own."""
    conditions = []
    if keys.name_key:
        conditions.append(Participant.match_name == keys.name_key)
    if len(keys.sound_key.split()) >= 2:  # one sound alone says little
        conditions.append(Participant.sound_name == keys.sound_key)
    if not conditions:
        return []
    statement = (
        sa.select(Participant)
        .where(sa.or_(*conditions))
        .options(selectinload(Participant.organisation))
        .order_by(Participant.family_name, Participant.given_name, Participant.id)
        .limit(MAX_CANDIDATES)
    )
    if exclude_id is not None:
        statement = statement.where(Participant.id != exclude_id)
    return list(db.session.scalars(statement))


def find_candidates_many(
    candidates: Sequence[PersonKeys], *, per_candidate: int = 3
) -> list[list[Participant]]:
    """find_candidates for a whole file at once: two indexed look-ups (by the
    names' words, by how they sound) for every row together, at most
    `per_candidate` each, for a person to check."""
    names = sorted({c.name_key for c in candidates} - {""})
    sounds = sorted({c.sound_key for c in candidates if len(c.sound_key.split()) >= 2})
    found: dict[int, Participant] = {}
    for column, values in ((Participant.match_name, names), (Participant.sound_name, sounds)):
        for start in range(0, len(values), _LOOKUP_CHUNK):
            statement = (
                sa.select(Participant)
                .where(column.in_(values[start : start + _LOOKUP_CHUNK]))
                .options(selectinload(Participant.organisation))
            )
            for participant in db.session.scalars(statement):
                found[participant.id] = participant
    by_name: dict[str, list[Participant]] = {}
    by_sound: dict[str, list[Participant]] = {}
    for participant in sorted(found.values(), key=lambda p: p.id):
        by_name.setdefault(participant.match_name, []).append(participant)
        by_sound.setdefault(participant.sound_name, []).append(participant)
    results = []
    for candidate in candidates:
        seen: dict[int, Participant] = {}
        for participant in by_name.get(candidate.name_key, []) + by_sound.get(
            candidate.sound_key, []
        ):
            seen.setdefault(participant.id, participant)
        results.append(list(seen.values())[:per_candidate])
    return results


def find_duplicates(
    *,
    given_name: str,
    family_name: str,
    organisation_id: int | None,
    email: str | None,
    phone: str | None,
    exclude_id: int | None = None,
) -> list[Participant]:
    """Existing participants who may be this one, for the coordinator to pick
    from or to confirm a new person: first those the duplicate rule finds
    (the same name in the same organisation, the same email or phone), then
    the candidates (the same name elsewhere, a name that sounds the same)."""
    keys = PersonKeys.of(
        given_name=given_name,
        family_name=family_name,
        organisation_id=organisation_id,
        email=email,
        phone=phone,
    )
    strong = sorted(find_lookalikes([keys], exclude_id=exclude_id)[0], key=lambda p: p.id)
    known = {participant.id for participant in strong}
    return strong + [
        participant
        for participant in find_candidates(keys, exclude_id=exclude_id)
        if participant.id not in known
    ]


def _apply_details(participant: Participant, details: ParticipantDetails) -> None:
    participant.given_name = details.given_name.strip()
    participant.family_name = details.family_name.strip()
    participant.name_ar = _clean(details.name_ar)
    participant.sex = Sex(details.sex)
    participant.nationality = (details.nationality or "").upper() or None
    participant.organisation = details.organisation
    participant.rank = _clean(details.rank)
    participant.function = _clean(details.function)
    participant.email = normalise_email(details.email)
    participant.phone = _clean(details.phone)
    if details.consent and participant.consent_recorded_at is None:
        participant.consent_recorded_at = datetime.now(UTC)
    elif not details.consent:
        participant.consent_recorded_at = None


def _require_names(details: ParticipantDetails) -> None:
    """Both Latin names; the name in Arabic script, when given, written in
    Arabic letters (not the Latin spelling typed in the wrong field)."""
    if not details.given_name.strip():
        raise DomainError(_("The given name is required."), field="given_name")
    if not details.family_name.strip():
        raise DomainError(_("The family name is required."), field="family_name")
    problem = name_ar_problem(details.name_ar)
    if problem:
        raise DomainError(problem, field="name_ar")


def name_ar_problem(name_ar: str | None) -> str | None:
    """What is wrong with a name in Arabic script, or None: it must hold
    Arabic letters and no Latin ones."""
    text = (name_ar or "").strip()
    if not text:
        return None
    if not has_arabic_letters(text) or re.search(r"[A-Za-z]", fold(text)):
        return _("Write the name in Arabic script in Arabic letters only.")
    return None


def create_participant(
    details: ParticipantDetails, *, actor: User, allow_duplicate: bool = False
) -> Participant:
    """Register a participant. Refused (DuplicateParticipant, carrying the
    look-alikes) when one with the same normalised name and organisation, or
    the same email or phone, exists, unless the coordinator said to create
    anyway."""
    _require_names(details)
    if not allow_duplicate:
        matches = find_duplicates(
            given_name=details.given_name,
            family_name=details.family_name,
            organisation_id=details.organisation.id if details.organisation else None,
            email=details.email,
            phone=details.phone,
        )
        if matches:
            raise DuplicateParticipant(matches)
    participant = Participant()
    _apply_details(participant, details)
    db.session.add(participant)
    db.session.flush()
    record_event(
        "participant.created",
        actor=actor,
        entity=participant,
        participant_id=participant.id,
        after=_audited_names(participant),
    )
    return participant


def _audited_names(participant: Participant) -> dict[str, str]:
    names = {"name": participant.full_name}
    return names | ({"name_ar": participant.name_ar} if participant.name_ar else {})


def create_participants(
    details_list: list[ParticipantDetails], *, actor: User
) -> list[Participant]:
    """Register many participants at once (the importer, which has already
    checked them for duplicates against the database and each other): one
    flush for all, one audit event each."""
    participants = []
    for details in details_list:
        _require_names(details)
        participant = Participant()
        _apply_details(participant, details)
        participants.append(participant)
    db.session.add_all(participants)
    db.session.flush()
    for participant in participants:
        record_event(
            "participant.created",
            actor=actor,
            entity=participant,
            participant_id=participant.id,
            after=_audited_names(participant),
        )
    return participants


def update_participant(
    participant: Participant, details: ParticipantDetails, *, actor: User
) -> None:
    """Change a participant's details; the search key follows the name."""
    _require_names(details)
    before = _audited_names(participant) | {"organisation_id": participant.organisation_id}
    _apply_details(participant, details)
    db.session.flush()
    record_event(
        "participant.updated",
        actor=actor,
        entity=participant,
        participant_id=participant.id,
        before=before,
        after=_audited_names(participant) | {"organisation_id": participant.organisation_id},
    )


class DuplicateParticipant(DomainError):
    """A participant who looks like existing ones; `matches` lists them."""

    def __init__(self, matches: list[Participant]) -> None:
        super().__init__(
            _(
                "This participant looks like one already registered. Open the existing record, "
                "or tick “Create anyway” if this is a different person."
            ),
            field="create_anyway",
        )
        self.matches = matches


# --- screening ---------------------------------------------------------------------


def record_screening(
    participant: Participant,
    *,
    framework: ScreeningFramework,
    status: ScreeningStatus,
    screened_on: date | None,
    valid_until: date | None,
    reference: str | None,
    notes: str | None,
    actor: User,
) -> ScreeningRecord:
    """Add a screening result to the participant's history (never overwrite
    one: the history is the evidence), audited with its status and dates."""
    if screened_on and valid_until and valid_until < screened_on:
        raise DomainError(
            _("“Valid until” cannot be before the screening date."), field="valid_until"
        )
    previous = current_screening(participant, screened_on or date.today())
    record = ScreeningRecord(
        participant=participant,
        framework=ScreeningFramework(framework),
        status=ScreeningStatus(status),
        screened_on=screened_on,
        valid_until=valid_until,
        reference=_clean(reference),
        notes=_clean(notes),
        recorded_by=actor,
    )
    db.session.add(record)
    db.session.flush()
    record_event(
        "screening.recorded",
        actor=actor,
        entity=record,
        participant_id=participant.id,
        before={"status": previous.status} if previous else None,
        after={
            "framework": record.framework,
            "status": record.status,
            "screened_on": record.screened_on,
            "valid_until": record.valid_until,
        },
    )
    return record


# --- trainers ------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainerDetails:
    name: str
    organisation: Organisation | None = None
    languages: tuple[str, ...] = ()
    email: str | None = None


def record_screenings(
    participants: Sequence[Participant],
    *,
    framework: ScreeningFramework,
    status: ScreeningStatus,
    screened_on: date | None,
    valid_until: date | None,
    reference: str | None,
    notes: str | None,
    actor: User,
) -> list[ScreeningRecord]:
    """One screening result (a vetting list's answer) recorded for several
    participants: a record and an audit event each, all or none."""
    return [
        record_screening(
            participant,
            framework=framework,
            status=status,
            screened_on=screened_on,
            valid_until=valid_until,
            reference=reference,
            notes=notes,
            actor=actor,
        )
        for participant in participants
    ]


def _apply_trainer(trainer: Trainer, details: TrainerDetails) -> None:
    if not details.name.strip():
        raise DomainError(_("The name is required."), field="name")
    unknown = set(details.languages) - set(TRAINER_LANGUAGES)
    if unknown:
        raise DomainError(_("Unknown language."), field="languages")
    trainer.name = details.name.strip()
    trainer.organisation = details.organisation
    trainer.languages = ",".join(code for code in TRAINER_LANGUAGES if code in details.languages)
    trainer.email = normalise_email(details.email)


def create_trainer(details: TrainerDetails, *, actor: User) -> Trainer:
    """Add a trainer to the registry."""
    trainer = Trainer()
    _apply_trainer(trainer, details)
    db.session.add(trainer)
    db.session.flush()
    record_event("trainer.created", actor=actor, entity=trainer, after={"name": trainer.name})
    return trainer


def update_trainer(trainer: Trainer, details: TrainerDetails, *, actor: User) -> None:
    """Change a trainer's name, organisation, languages or email."""
    before = {"name": trainer.name, "languages": trainer.languages}
    _apply_trainer(trainer, details)
    db.session.flush()
    record_event(
        "trainer.updated",
        actor=actor,
        entity=trainer,
        before=before,
        after={"name": trainer.name, "languages": trainer.languages},
    )


def add_qualification(
    trainer: Trainer,
    curriculum: Any,
    *,
    qualified_on: date,
    expires_on: date | None,
    actor: User,
    source_session_id: int | None = None,
) -> TrainerQualification:
    """Record that the trainer may deliver the curriculum from `qualified_on`
    until `expires_on` (open-ended when None); one qualification per
    curriculum, the expiry never before the start. `source_session_id`: the
    training of trainers that qualified them, when one did."""
    if expires_on is not None and expires_on < qualified_on:
        raise DomainError(
            _("The expiry date cannot be before the qualification date."), field="expires_on"
        )
    if any(q.curriculum_id == curriculum.id for q in trainer.qualifications):
        raise DomainError(
            _(
                "This trainer is already qualified for this curriculum; remove the old "
                "qualification first."
            ),
            field="curriculum_id",
        )
    qualification = TrainerQualification(
        trainer=trainer,
        curriculum=curriculum,
        qualified_on=qualified_on,
        expires_on=expires_on,
        source_session_id=source_session_id,
    )
    db.session.add(qualification)
    db.session.flush()
    record_event(
        "trainer.qualified",
        actor=actor,
        entity=qualification,
        after={
            "trainer_id": trainer.id,
            "curriculum_id": curriculum.id,
            "qualified_on": qualified_on,
            "expires_on": expires_on,
            "source_session_id": source_session_id,
        },
        session_id=source_session_id,
    )
    return qualification


def remove_qualification(qualification: TrainerQualification, *, actor: User) -> None:
    """Withdraw a qualification (recorded in the audit with its dates)."""
    record_event(
        "trainer.qualification_removed",
        actor=actor,
        entity=qualification,
        before={
            "trainer_id": qualification.trainer_id,
            "curriculum_id": qualification.curriculum_id,
            "qualified_on": qualification.qualified_on,
            "expires_on": qualification.expires_on,
        },
    )
    qualification.trainer.qualifications.remove(qualification)
    db.session.flush()


def trainer_search(query: str | None = None) -> sa.Select:
    """Trainers whose name or email contains every word of `query`, ignoring case."""
    statement = sa.select(Trainer)
    for word in (query or "").lower().split():
        pattern = f"%{word}%"
        statement = statement.where(
            sa.or_(
                sa.func.lower(Trainer.name).like(pattern),
                sa.func.lower(Trainer.email).like(pattern),
            )
        )
    return statement.order_by(Trainer.name, Trainer.id)


def organisations() -> list[Organisation]:
    """Every organisation, by label as shown (with its country), for the
    lists' filters and choices."""
    return by_label(db.session.scalars(sa.select(Organisation)))
