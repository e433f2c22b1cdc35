"""The demo programme loaded by `flask seed-demo`: five countries' security
and justice officials trained by UNODC and DPO from 2018 to today.

Everything is invented and drawn from `random.Random(2018)`, so every run
builds the same people; only the current cycle (one session in progress,
others upcoming) moves with the `today` it is given. The data keeps the
application's rules: qualified trainers never double-booked, confirmed
enrollments within capacity, only cleared participants confirmed where
screening is required, partners only within their active dates.
"""

from __future__ import annotations

import functools
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from training.attendance.models import AttendanceDayLock, AttendanceRecord, AttendanceStatus
from training.audit.models import AuditEvent
from training.audit.services import record_event
from training.auth.models import Role, User
from training.auth.services import hash_password
from training.certificates.models import Certificate
from training.curricula.models import Curriculum, Module
from training.demo import data
from training.demo import people as people_data
from training.demo.screening import ScreeningMixin
from training.demo.screening import at as _at
from training.enrollment.models import Enrollment, EnrollmentStatus
from training.extensions import db
from training.people.models import (
    Organisation,
    OrganisationKind,
    Participant,
    ScreeningRecord,
    ScreeningStatus,
    Sex,
    Trainer,
    TrainerQualification,
)
from training.sessions.models import (
    Assignment,
    AssignmentRole,
    Period,
    SessionKind,
    SessionLanguage,
    SessionStatus,
    TrainingSession,
)
from training.text import fold, search_key

DEMO_PASSWORD = "atelier-demo"  # noqa: S105 - published demo-only credential
ADMIN_EMAIL = "admin@example.org"
COORDINATOR_EMAIL = "coordinator@example.org"
TRAINER_EMAIL = "trainer@example.org"
PARTICIPANT_EMAIL = "participant@example.org"

PARTICIPANT_COUNT = 224
WOMEN_SHARE = 0.25
PENDING_COUNT = 12
NOT_CLEARED_COUNT = 4
WITH_CONDITIONS_COUNT = 12
RETENTION_YEARS = 10


# Derived from the other tables (the reports' rows and their stale marks):
# rows there are no data of anyone's.
DERIVED_TABLES = frozenset({"report_training", "report_stale"})


def tables_holding_data() -> list[str]:
    """The application tables that hold at least one row, by name (derived
    tables left out)."""
    return [
        table.name
        for table in db.metadata.sorted_tables
        if table.name not in DERIVED_TABLES
        and db.session.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first()
    ]


def database_is_empty() -> bool:
    """True when no application table holds a row: `make run` seeds only a
    fresh database, never one with real data (even data without users)."""
    return not tables_holding_data()


def demo_counts() -> dict[str, int]:
    """How many rows of each kind the database holds, by name."""
    models = {
        "organisations": Organisation,
        "curricula": Curriculum,
        "modules": Module,
        "sessions": TrainingSession,
        "trainers": Trainer,
        "participants": Participant,
        "screenings": ScreeningRecord,
        "enrollments": Enrollment,
        "attendance records": AttendanceRecord,
        "users": User,
        "audit events": AuditEvent,
        "certificates": Certificate,
    }
    return {
        name: db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
        for name, model in models.items()
    }


def seed_demo(today: date) -> dict[str, int]:
    """Load the demo programme around `today` and return the counts by name.

    Idempotent: when the demo administrator already exists the programme is
    there, and nothing is added. Flushes, never commits (the caller does).
    """
    if db.session.scalar(sa.select(User.id).where(User.email == ADMIN_EMAIL)) is not None:
        return demo_counts()
    _DemoBuilder(today).build()
    db.session.flush()
    from training.demo.certificates import issue_demo_certificates
    from training.reports.projection import rebuild as rebuild_report_rows

    issued = issue_demo_certificates(today)
    # The attendance was bulk-inserted, past the ORM: rebuild the reports'
    # rows once rather than session by session.
    rebuild_report_rows()
    return {**demo_counts(), "certificates": issued}


@functools.cache
def _demo_password_hash() -> str:
    """The published demo password, hashed once per process for the four
    accounts, without the strength check that real accounts go through."""
    return hash_password(DEMO_PASSWORD)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _monday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


@dataclass
class _Person:
    """What the builder knows of a participant while it places them."""

    participant: Participant
    kind: OrganisationKind
    country: str
    category: ScreeningStatus
    enrollments: list[Enrollment] = field(default_factory=list)


@dataclass(frozen=True)
class _Mark:
    """One attendance record to insert once its enrollment has an id."""

    enrollment: Enrollment
    day: date
    period: Period
    status: AttendanceStatus
    note: str | None
    recorded_by: User
    recorded_at: datetime


@dataclass
class _PlannedSession:
    training_session: TrainingSession
    trainer_keys: tuple[str, ...]
    confirmed: int
    nominated: int
    waitlisted: int
    withdrawn: int


class _DemoBuilder(ScreeningMixin):
    """Builds the programme in memory and adds it to the database session."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.rng = random.Random(2018)
        self.organisations: dict[str, Organisation] = {}
        self.curricula: dict[str, Curriculum] = {}
        self.trainers: dict[str, Trainer] = {}
        self.people: list[_Person] = []
        self.special: dict[str, _Person] = {}
        self.sessions: list[_PlannedSession] = []
        self.in_progress: TrainingSession | None = None
        self.trainer_busy: dict[str, list[tuple[date, date]]] = defaultdict(list)
        self.perfect: set[tuple[int, int]] = set()  # (person index, session index)
        self.screening_numbers: dict[tuple[str, str, int], int] = defaultdict(int)

    # --- orchestration ------------------------------------------------------------

    def build(self) -> None:
        self._users()
        self._organisations()
        self._curricula()
        self._people()
        self._trainers()
        self._sessions()
        self._enrollments()
        self._assignments()
        self._screenings()
        self._linked_users()
        attendance = self._attendance_and_scores()
        self._personal_data_dates()
        db.session.flush()
        self._insert_attendance(attendance)
        self._audit_history()

    # --- reference data -----------------------------------------------------------

    def _users(self) -> None:
        self.password_hash = _demo_password_hash()
        self.admin = User(
            email=ADMIN_EMAIL,
            name="Amina Diarra",
            role=Role.ADMIN,
            password_hash=self.password_hash,
            locale=None,
        )
        self.coordinator = User(
            email=COORDINATOR_EMAIL,
            name="Olivier Sawadogo",
            role=Role.COORDINATOR,
            password_hash=self.password_hash,
            locale="fr",
        )
        db.session.add_all([self.admin, self.coordinator])

    def _organisations(self) -> None:
        for row in data.ORGANISATIONS:
            self.organisations[row.key] = Organisation(
                name=row.name,
                acronym=row.acronym,
                country=row.country,
                kind=row.kind,
                is_security_force=row.kind in data.SECURITY_FORCE_KINDS,
                active_from=row.active_from,
                active_until=row.active_until,
            )
        db.session.add_all(self.organisations.values())

    def _curricula(self) -> None:
        for row in data.CURRICULA:
            curriculum = Curriculum(
                code=row.code,
                title_en=row.title_en,
                title_fr=row.title_fr,
                description=row.description,
                theme=row.theme,
                owner=row.owner,
                version=row.version,
                status=row.status,
                min_attendance_percent=row.min_attendance_percent,
                pass_mark_percent=row.pass_mark_percent,
                certificate_validity_months=row.certificate_validity_months,
                created_at=_at(date(2017, 9, 1), 9),
            )
            for position, module in enumerate(row.modules, start=1):
                curriculum.modules.append(
                    Module(
                        position=position,
                        title_en=module.title_en,
                        title_fr=module.title_fr,
                        aim=module.aim,
                        learning_outcomes=module.learning_outcomes,
                        duration_minutes=module.duration_minutes,
                    )
                )
            self.curricula[row.code] = curriculum
        db.session.add_all(self.curricula.values())
        self.audiences = {row.code: row.audience for row in data.CURRICULA}

    # --- people -------------------------------------------------------------------

    def _people(self) -> None:
        rng = self.rng
        used_names: set[str] = set()
        used_emails: set[str] = set()
        used_phones: set[str] = set()

        def make(
            given: str,
            family: str,
            sex: Sex,
            organisation_key: str,
            rank: str,
            function: str,
            category: ScreeningStatus,
        ) -> _Person:
            organisation = self.organisations[organisation_key]
            country = organisation.country
            if country is None:  # the demo's people all work for national bodies
                raise ValueError(f"demo organisation {organisation_key} has no country")
            used_names.add(search_key(given, family))
            participant = Participant(
                given_name=given,
                family_name=family,
                sex=sex,
                nationality=country,
                organisation=organisation,
                rank=rank,
                function=function,
            )
            if rng.random() < 0.6:
                local = f"{fold(given)}.{fold(family)}".replace(" ", "-").replace("'", "")
                email, number = f"{local}@example.org", 2
                while email in used_emails:
                    email, number = f"{local}{number}@example.org", number + 1
                used_emails.add(email)
                participant.email = email
            if rng.random() < 0.7:
                phone = ""
                while not phone or phone in used_phones:
                    digits = [rng.randint(0, 9) for _ in range(7)]
                    phone = (
                        f"{people_data.PHONE_PREFIX[country]}{digits[0]} "
                        f"{digits[1]}{digits[2]} {digits[3]}{digits[4]} {digits[5]}{digits[6]}"
                    )
                used_phones.add(phone)
                participant.phone = phone
            person = _Person(participant, organisation.kind, country, category)
            self.people.append(person)
            return person

        self.special["participant"] = make(*data.DEMO_PARTICIPANT, ScreeningStatus.CLEARED)
        for key, row in data.TOT_GRADUATES.items():
            self.special[key] = make(*row, ScreeningStatus.CLEARED)

        random_count = PARTICIPANT_COUNT - len(self.people)
        women = round(PARTICIPANT_COUNT * WOMEN_SHARE) - sum(
            person.participant.sex == Sex.FEMALE for person in self.people
        )
        sexes = [Sex.FEMALE] * women + [Sex.MALE] * (random_count - women)
        rng.shuffle(sexes)
        categories = (
            [ScreeningStatus.PENDING] * PENDING_COUNT
            + [ScreeningStatus.NOT_CLEARED] * NOT_CLEARED_COUNT
            + [ScreeningStatus.CLEARED_WITH_CONDITIONS] * WITH_CONDITIONS_COUNT
        )
        categories += [ScreeningStatus.CLEARED] * (random_count - len(categories))
        rng.shuffle(categories)
        kinds = list(data.PARTICIPANT_KIND_WEIGHTS)
        weights = list(data.PARTICIPANT_KIND_WEIGHTS.values())
        for index, sex in enumerate(sexes):
            country = data.COUNTRIES[index % len(data.COUNTRIES)]
            kind = rng.choices(kinds, weights)[0]
            if country == "BF" and kind == OrganisationKind.NATIONAL_GUARD:
                kind = OrganisationKind.GENDARMERIE  # no national guard in Burkina Faso
            given, family = self._name(country, sex, used_names)
            rank = rng.choice(people_data.RANKS[kind])
            if sex == Sex.FEMALE:
                rank = people_data.FEMININE_RANKS.get(rank, rank)
            make(
                given,
                family,
                sex,
                f"{country}-{kind.value}",
                rank,
                rng.choice(people_data.FUNCTIONS[kind]),
                categories[index],
            )
        db.session.add_all(person.participant for person in self.people)

    def _name(self, country: str, sex: Sex, used: set[str]) -> tuple[str, str]:
        rng = self.rng
        while True:
            given = rng.choice(people_data.GIVEN_NAMES[country][sex.value])
            if country == "MR" and rng.random() < 0.65:
                family = ("Ould " if sex == Sex.MALE else "Mint ") + rng.choice(
                    people_data.MOORISH_FATHER_NAMES
                )
            else:
                family = rng.choice(people_data.FAMILY_NAMES[country])
            full = f"{given} {family}"
            if (
                family != given
                and full not in people_data.FAMOUS_NAMES
                and search_key(given, family) not in used
            ):
                return given, family

    def _trainers(self) -> None:
        for row in data.TRAINERS:
            trainer = Trainer(
                name=row.name,
                organisation=self.organisations[row.organisation],
                languages=row.languages,
                email=row.email,
            )
            for code, qualified_on, expires_on in row.qualifications:
                trainer.qualifications.append(
                    TrainerQualification(
                        curriculum=self.curricula[code],
                        qualified_on=qualified_on,
                        expires_on=expires_on,
                    )
                )
            self.trainers[row.key] = trainer
        # The training of trainers' graduates: qualified when it ends (in
        # `_sessions`, once that session exists).
        for key in data.TOT_GRADUATES:
            participant = self.special[key].participant
            self.trainers[key] = Trainer(
                name=participant.full_name,
                organisation=participant.organisation,
                languages="fr,ar" if participant.nationality == "TD" else "fr",
                email=participant.email,
            )
        db.session.add_all(self.trainers.values())

    # --- sessions -----------------------------------------------------------------

    def _sessions(self) -> None:
        rng = self.rng
        code_numbers: dict[str, int] = defaultdict(int)

        def make(
            curriculum_code: str,
            kind: SessionKind,
            start: date,
            end: date,
            city: str,
            venue: str,
            language: str,
            capacity: int,
            status: SessionStatus,
            partner_keys: tuple[str, ...],
            screening_required: bool,
        ) -> TrainingSession:
            country = data.CITY_COUNTRY[city]
            tag = (
                "TOT"
                if kind == SessionKind.TRAINING_OF_TRAINERS
                else data.SESSION_TAGS[curriculum_code]
            )
            prefix = f"{country}-{start.year}-{tag}"
            code_numbers[prefix] += 1
            created = min(start - timedelta(days=90), self.today - timedelta(days=60))
            partners = [self.organisations[key] for key in partner_keys]
            training_session = TrainingSession(
                curriculum=self.curricula[curriculum_code],
                code=f"{prefix}-{code_numbers[prefix]:02d}",
                kind=kind,
                start_date=start,
                end_date=end,
                city=city,
                country=country,
                venue=venue,
                language=SessionLanguage(language),
                capacity=capacity,
                screening_required=screening_required,
                status=status,
                partners=[
                    partner
                    for partner in partners
                    if partner.is_active_on(start) and partner.is_active_on(end)
                ],
                created_at=_at(created, 9),
                updated_at=_at(created, 9),
            )
            db.session.add(training_session)
            return training_session

        for row in data.PAST_SESSIONS:
            kind = SessionKind(row.kind)
            status = SessionStatus.CANCELLED if row.cancelled else SessionStatus.COMPLETED
            training_session = make(
                row.curriculum,
                kind,
                row.start,
                row.end,
                row.city,
                row.venue,
                row.language,
                row.capacity,
                status,
                row.partners,
                row.screening_required,
            )
            if row.cancelled:
                counts = (0, 0, 0, 0)
            elif kind == SessionKind.TRAINING_OF_TRAINERS:
                counts = (row.capacity - 2, 0, 0, 1)
            else:
                counts = (row.capacity - rng.randint(0, 4), 0, 0, rng.randint(0, 2))
            self.sessions.append(_PlannedSession(training_session, row.trainers, *counts))
            if kind == SessionKind.TRAINING_OF_TRAINERS:
                self.tot_session = training_session

        for position, upcoming in enumerate(data.CURRENT_CYCLE):
            if position == 0:
                start = self.today + timedelta(days=upcoming.starts_in_days)
            else:
                start = _monday_on_or_after(self.today + timedelta(days=upcoming.starts_in_days))
            end = start + timedelta(days=upcoming.days - 1)
            training_session = make(
                upcoming.curriculum,
                SessionKind.TRAINING,
                start,
                end,
                upcoming.city,
                upcoming.venue,
                upcoming.language,
                upcoming.capacity,
                SessionStatus(upcoming.status),
                upcoming.partners,
                upcoming.screening_required,
            )
            if position == 0:
                self.in_progress = training_session
            self.sessions.append(
                _PlannedSession(
                    training_session,
                    upcoming.trainers,
                    upcoming.confirmed,
                    upcoming.nominated,
                    upcoming.waitlisted,
                    0,
                )
            )

        for key in data.TOT_GRADUATES:
            self.trainers[key].qualifications.append(
                TrainerQualification(
                    curriculum=self.tot_session.curriculum,
                    qualified_on=self.tot_session.end_date,
                    source_session=self.tot_session,
                )
            )

    # --- enrollments --------------------------------------------------------------

    def _enrollments(self) -> None:
        """Place people in sessions: mostly from the host country, people
        with fewer trainings first; pending nominees only in future sessions,
        refused ones withdrawn from past ones."""
        forced = self._forced_places()
        for session_index, planned in enumerate(self.sessions):
            training_session = planned.training_session
            is_future = training_session.status not in (
                SessionStatus.COMPLETED,
                SessionStatus.CANCELLED,
            )
            taken: set[int] = set()
            confirmed = list(forced.get(session_index, []))
            taken.update(confirmed)
            confirmed += self._pick(
                training_session,
                planned.confirmed - len(confirmed),
                taken,
                (ScreeningStatus.CLEARED, ScreeningStatus.CLEARED_WITH_CONDITIONS),
            )
            waitlisted = self._pick(
                training_session, planned.waitlisted, taken, (ScreeningStatus.CLEARED,)
            )
            nominated: list[int] = []
            if is_future:
                pending = self._pick(
                    training_session,
                    (planned.nominated + 1) // 2,
                    taken,
                    (ScreeningStatus.PENDING,),
                )
                nominated = pending + self._pick(
                    training_session,
                    planned.nominated - len(pending),
                    taken,
                    (ScreeningStatus.CLEARED,),
                )
            withdrawn: list[int] = []
            if planned.withdrawn:
                withdrawn = self._pick(training_session, 1, taken, (ScreeningStatus.NOT_CLEARED,))
                withdrawn += self._pick(
                    training_session,
                    planned.withdrawn - len(withdrawn),
                    taken,
                    (ScreeningStatus.CLEARED,),
                )

            for status, indexes in (
                (EnrollmentStatus.CONFIRMED, confirmed),
                (EnrollmentStatus.WAITLISTED, waitlisted),
                (EnrollmentStatus.NOMINATED, nominated),
                (EnrollmentStatus.WITHDRAWN, withdrawn),
            ):
                for position, index in enumerate(indexes, start=1):
                    person = self.people[index]
                    created = _at(
                        min(training_session.start_date - timedelta(days=35), self.today), 10
                    )
                    enrollment = Enrollment(
                        participant=person.participant,
                        training_session=training_session,
                        status=status,
                        nominating_organisation=person.participant.organisation,
                        waitlist_position=position
                        if status == EnrollmentStatus.WAITLISTED
                        else None,
                        created_at=created,
                        updated_at=created,
                    )
                    person.enrollments.append(enrollment)
                    db.session.add(enrollment)
        self._nominate_the_rest()

    def _nominate_the_rest(self) -> None:
        """Whoever no session has taken yet is nominated for the last future
        session meant for their kind of organisation: nobody is on file
        without a reason."""
        future = [
            planned.training_session
            for planned in self.sessions
            if planned.training_session.status in (SessionStatus.OPEN, SessionStatus.PLANNED)
        ]
        for person in self.people:
            if person.enrollments:
                continue
            training_session = next(
                (s for s in reversed(future) if person.kind in self.audiences[s.curriculum.code]),
                future[-1],
            )
            created = _at(min(training_session.start_date - timedelta(days=30), self.today), 10)
            enrollment = Enrollment(
                participant=person.participant,
                training_session=training_session,
                status=EnrollmentStatus.NOMINATED,
                nominating_organisation=person.participant.organisation,
                created_at=created,
                updated_at=created,
            )
            person.enrollments.append(enrollment)
            db.session.add(enrollment)

    def _forced_places(self) -> dict[int, list[int]]:
        """The demo participant's and the national trainers' own trainings."""
        index_of = {id(person): index for index, person in enumerate(self.people)}
        by_code = {
            (
                planned.training_session.curriculum.code,
                planned.training_session.start_date.year,
                planned.training_session.status,
            ): session_index
            for session_index, planned in enumerate(self.sessions)
        }
        forced: dict[int, list[int]] = defaultdict(list)

        def place(person_key: str, code: str, year: int | None, perfect: bool = True) -> None:
            person_index = index_of[id(self.special[person_key])]
            if year is None:  # the current cycle's session of that curriculum
                session_index = next(
                    index
                    for index, planned in enumerate(self.sessions)
                    if planned.training_session.curriculum.code == code
                    and planned.training_session.status == SessionStatus.OPEN
                )
            else:
                session_index = by_code[(code, year, SessionStatus.COMPLETED)]
            forced[session_index].append(person_index)
            if perfect:
                self.perfect.add((person_index, session_index))

        # Three completed trainings: one certificate since expired (36-month
        # validity), one valid for life, and the most recent left unissued so
        # a coordinator can issue it live (see training/certificates/demo.py).
        place("participant", "CT-CSM-01", 2019)
        place("participant", "FA-TRF-01", 2019)
        place("participant", "CT-INV-01", 2022)
        place("participant", "AC-ML-01", None, perfect=False)
        place("tot-NE", "CT-INV-01", 2018)
        for key in data.TOT_GRADUATES:
            place(key, "CT-INV-01", 2020)
        return forced

    def _pick(
        self,
        training_session: TrainingSession,
        count: int,
        taken: set[int],
        categories: tuple[ScreeningStatus, ...],
    ) -> list[int]:
        """`count` people of these screening categories not yet in the
        session: the course's audience first, then anyone."""
        if count <= 0:
            return []
        rng = self.rng
        audience = self.audiences[training_session.curriculum.code]
        regional = any(
            partner.kind == OrganisationKind.REGIONAL_ORGANISATION
            for partner in training_session.partners
        )
        away_penalty = 0.9 if regional else 1.6
        special = {id(person) for person in self.special.values()}
        scored = []
        for index, person in enumerate(self.people):
            if index in taken or person.category not in categories or id(person) in special:
                continue
            score = len(person.enrollments) + rng.random() * 0.6
            if person.country != training_session.country:
                score += away_penalty
            if person.kind not in audience:
                score += 100
            scored.append((score, index))
        scored.sort()
        chosen = [index for _, index in scored[:count]]
        taken.update(chosen)
        return chosen

    # --- trainers -----------------------------------------------------------------

    def _assignments(self) -> None:
        """Lead first, then co-trainer; a trainer is skipped where not
        qualified on the session's start or already teaching on those dates."""
        for planned in self.sessions:
            training_session = planned.training_session
            if training_session.status == SessionStatus.CANCELLED:
                continue
            role = AssignmentRole.LEAD
            for key in planned.trainer_keys:
                trainer = self.trainers[key]
                if not self._can_teach(key, trainer, training_session):
                    continue
                self.trainer_busy[key].append(
                    (training_session.start_date, training_session.end_date)
                )
                assigned = min(training_session.start_date - timedelta(days=45), self.today)
                db.session.add(
                    Assignment(
                        training_session=training_session,
                        trainer=trainer,
                        role=role,
                        assigned_by=self.coordinator,
                        assigned_at=_at(assigned, 11),
                    )
                )
                role = AssignmentRole.CO_TRAINER

    def _can_teach(self, key: str, trainer: Trainer, training_session: TrainingSession) -> bool:
        qualified = any(
            qualification.curriculum is training_session.curriculum
            and qualification.is_current_on(training_session.start_date)
            for qualification in trainer.qualifications
        )
        free = all(
            end < training_session.start_date or training_session.end_date < start
            for start, end in self.trainer_busy[key]
        )
        return qualified and free

    # --- attendance and tests -----------------------------------------------------

    def _attendance_and_scores(self) -> list[_Mark]:
        """Completed sessions: every period of every confirmed participant,
        mostly present, a few below the minimum; pre- and post-test where
        the course has a pass mark, a few failing. The session in progress:
        the days before today and the pre-test only."""
        rng = self.rng
        person_index = {id(person.participant): index for index, person in enumerate(self.people)}
        marks: list[_Mark] = []
        locks: list[AttendanceDayLock] = []
        for session_index, planned in enumerate(self.sessions):
            training_session = planned.training_session
            if training_session.status not in (SessionStatus.COMPLETED, SessionStatus.IN_PROGRESS):
                continue
            curriculum = training_session.curriculum
            days = [day for day in training_session.days if day < self.today]
            slots = [(day, period) for day in days for period in Period]
            lead = next(
                (a.trainer for a in training_session.assignments if a.role == AssignmentRole.LEAD),
                None,
            )
            recorder = self.trainer_user if lead is self.trainers["sidibe"] else self.coordinator
            completed = training_session.status == SessionStatus.COMPLETED
            all_periods = training_session.period_count
            may_miss = all_periods * (100 - curriculum.min_attendance_percent) // 100
            for enrollment in training_session.enrollments:
                if enrollment.status != EnrollmentStatus.CONFIRMED:
                    continue
                perfect = (person_index[id(enrollment.participant)], session_index) in self.perfect
                statuses = self._attendance_pattern(len(slots), may_miss, perfect, completed)
                for (day, period), status in zip(slots, statuses, strict=True):
                    minute = rng.randint(0, 40)
                    recorded_at = _at(day, 9 if period == Period.AM else 15, minute)
                    note = (
                        "Arrived after the opening session."
                        if status == AttendanceStatus.LATE and rng.random() < 0.3
                        else None
                    )
                    marks.append(
                        _Mark(enrollment, day, period, status, note, recorder, recorded_at)
                    )
                missed = sum(not status.attended for status in statuses)
                if curriculum.pass_mark_percent is not None:
                    self._scores(
                        enrollment,
                        curriculum.pass_mark_percent,
                        perfect,
                        below_minimum=missed > may_miss,
                        completed=completed,
                    )
            if completed:
                locks.extend(
                    AttendanceDayLock(
                        training_session=training_session,
                        date=day,
                        locked_at=_at(day, 18),
                        locked_by=recorder,
                    )
                    for day in days
                )
        db.session.add_all(locks)
        return marks

    def _insert_attendance(self, marks: list[_Mark]) -> None:
        """Thousands of rows: one bulk INSERT once the enrollments have ids."""
        db.session.execute(
            sa.insert(AttendanceRecord),
            [
                {
                    "enrollment_id": mark.enrollment.id,
                    "date": mark.day,
                    "period": mark.period,
                    "status": mark.status,
                    "note": mark.note,
                    "recorded_by_id": mark.recorded_by.id,
                    "recorded_at": mark.recorded_at,
                    "version": 1,
                }
                for mark in marks
            ],
        )

    def _attendance_pattern(
        self, slot_count: int, may_miss: int, perfect: bool, completed: bool
    ) -> list[AttendanceStatus]:
        rng = self.rng
        statuses = [AttendanceStatus.PRESENT] * slot_count
        if perfect or slot_count == 0:
            return statuses
        draw = rng.random()
        if not completed:
            misses = 1 if draw < 0.08 else 0
        elif draw < 0.72:
            misses = 0
        elif draw < 0.94:
            misses = rng.randint(1, max(may_miss, 1)) if may_miss else 0
        else:  # below the minimum: a day or more away
            misses = min(slot_count, may_miss + rng.randint(1, 3))
        for slot in rng.sample(range(slot_count), misses):
            statuses[slot] = (
                AttendanceStatus.EXCUSED if rng.random() < 0.5 else AttendanceStatus.ABSENT
            )
        for slot in range(slot_count):
            if statuses[slot] == AttendanceStatus.PRESENT and rng.random() < 0.04:
                statuses[slot] = AttendanceStatus.LATE
        return statuses

    def _scores(
        self,
        enrollment: Enrollment,
        pass_mark: int,
        perfect: bool,
        *,
        below_minimum: bool,
        completed: bool,
    ) -> None:
        rng = self.rng
        enrollment.pre_test_score = rng.randint(22, 62)
        if not completed:
            return
        if perfect:
            enrollment.post_test_score = max(pass_mark + 12, enrollment.pre_test_score + 25)
        elif below_minimum and rng.random() < 0.5:
            enrollment.post_test_score = None  # away on the last day
        elif rng.random() < 0.09:
            enrollment.post_test_score = rng.randint(max(pass_mark - 25, 0), pass_mark - 1)
        else:
            gain = rng.randint(14, 40)
            enrollment.post_test_score = min(100, max(pass_mark, enrollment.pre_test_score + gain))

    # --- personal data ------------------------------------------------------------

    def _personal_data_dates(self) -> None:
        """Consent recorded at the first nomination; data kept ten years
        after the last training (UN personal data principles)."""
        rng = self.rng
        for person in self.people:
            sessions = [e.training_session for e in person.enrollments]
            first = min((s.start_date for s in sessions), default=self.today)
            last = max((s.end_date for s in sessions), default=self.today)
            consent_day = min(first - timedelta(days=rng.randint(70, 100)), self.today)
            person.participant.consent_recorded_at = _at(consent_day, 10, rng.randint(0, 59))
            person.participant.created_at = person.participant.consent_recorded_at
            person.participant.retention_until = _add_years(last, RETENTION_YEARS)

    def _linked_users(self) -> None:
        self.trainer_user = User(
            email=TRAINER_EMAIL,
            name=self.trainers["sidibe"].name,
            role=Role.TRAINER,
            password_hash=self.password_hash,
            locale=None,
            trainer=self.trainers["sidibe"],
        )
        participant = self.special["participant"].participant
        participant.email = PARTICIPANT_EMAIL
        self.participant_user = User(
            email=PARTICIPANT_EMAIL,
            name=participant.full_name,
            role=Role.PARTICIPANT,
            password_hash=self.password_hash,
            locale=None,
            participant=participant,
        )
        db.session.add_all([self.trainer_user, self.participant_user])

    # --- history ------------------------------------------------------------------

    def _audit_history(self) -> None:
        """The coordinator's nominations and confirmations for the current
        cycle, as the enrollment services would have recorded them."""
        rng = self.rng
        for planned in self.sessions:
            training_session = planned.training_session
            if training_session.status not in (SessionStatus.IN_PROGRESS, SessionStatus.OPEN):
                continue
            nominated_on = min(training_session.start_date - timedelta(days=35), self.today)
            confirmed_on = min(training_session.start_date - timedelta(days=20), self.today)
            for enrollment in training_session.enrollments:
                event = record_event(
                    "enrollment.nominated",
                    actor=self.coordinator,
                    entity=enrollment,
                    session_id=training_session.id,
                    participant_id=enrollment.participant_id,
                    after={"status": EnrollmentStatus.NOMINATED, "waitlist_position": None},
                )
                event.occurred_at = _at(nominated_on, 10, rng.randint(0, 59))
                if enrollment.status in (EnrollmentStatus.CONFIRMED, EnrollmentStatus.WAITLISTED):
                    event = record_event(
                        f"enrollment.{enrollment.status.value}",
                        actor=self.coordinator,
                        entity=enrollment,
                        session_id=training_session.id,
                        participant_id=enrollment.participant_id,
                        before={"status": EnrollmentStatus.NOMINATED},
                        after={
                            "status": enrollment.status,
                            "waitlist_position": enrollment.waitlist_position,
                        },
                    )
                    event.occurred_at = _at(confirmed_on, 14, rng.randint(0, 59))
