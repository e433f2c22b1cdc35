"""The programme's results, aggregated in SQL.

Every figure is one GROUP BY (or one aggregate) over the same set of rows,
the *trainings*: confirmed enrollments in completed sessions that match the
filters. Definitions, shown to users in the footnote of the reports page:

- sessions held: completed sessions matching the filters (with at least one
  confirmed participant of the organisation kind, when that filter is set);
- people trained: distinct participants with a confirmed enrollment in a
  completed session; person-trainings: those enrollments (a participant
  trained twice counts twice);
- share of women: women among the people trained;
- completion rate: valid certificates of completion / person-trainings;
- attendance rate: the DESIGN rule (present and late periods / the
  session's periods, two a day) summed over the person-trainings:
  attended periods / scheduled periods;
- mean knowledge gain: mean of post-test minus pre-test over the
  person-trainings that have both scores, in percentage points;
- certificates issued: valid certificates of the person-trainings, by kind;
- trainers qualified through trainings of trainers: distinct trainers with
  a qualification whose source is a session matching the filters.

The period filters on the session's start date; the country filter is
where the session was held (the tables break people down by nationality).

Nothing here loops over data rows in Python: the database does the
counting with GROUP BY at the finest level a figure needs (for instance
nationality × organisation kind × sex, where every participant falls in
exactly one group), and Python only adds up those few group rows. The
number of queries and the Python work stay fixed whatever the data.

Speed: a report is three passes over the trainings (people by participant
attributes, the theme × year × sex groups that also carry every additive
sum, people by year × sex), one count of attended periods on the
(enrollment_id, status) index of the attendance records, and small queries
for certificates, sessions and trainers. Distinct people are counted with
COUNT(DISTINCT) in one GROUP BY rather than a two-level GROUP BY, and people
by participant attributes read each participant once, in table order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from training.attendance.models import AttendanceRecord
from training.attendance.services import ATTENDED_STATUSES
from training.certificates.models import Certificate, CertificateKind, CertificateStatus
from training.curricula.models import Curriculum, Theme
from training.enrollment.models import Enrollment, EnrollmentStatus
from training.extensions import db
from training.people.models import (
    Organisation,
    OrganisationKind,
    Participant,
    Sex,
    Trainer,
    TrainerQualification,
)
from training.sessions.models import Period, SessionStatus, TrainingSession, session_partner

# Marks "no value" in a drill-down (a participant with no nationality or no
# organisation), distinct from "not narrowed".
UNKNOWN = "none"


class day_count(FunctionElement):
    """Days from a start date to an end date, both included, on every engine."""

    type = sa.Integer()
    inherit_cache = True


@compiles(day_count)
def _day_count_default(element: day_count, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"(({compiler.process(end, **kw)}) - ({compiler.process(start, **kw)}) + 1)"


@compiles(day_count, "sqlite")
def _day_count_sqlite(element: day_count, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"(CAST(julianday({compiler.process(end, **kw)}) - "
        f"julianday({compiler.process(start, **kw)}) AS INTEGER) + 1)"
    )


def year_of(column: Any) -> ColumnElement[int]:
    """The year of a date column as an integer (strftime on SQLite, EXTRACT on
    PostgreSQL: SQLAlchemy compiles `extract` for each)."""
    return sa.cast(sa.extract("year", column), sa.Integer)


@dataclass(frozen=True)
class ReportFilters:
    """What the user narrowed the report to; None means "all"."""

    date_from: date | None = None
    date_to: date | None = None
    country: str | None = None
    theme: Theme | None = None
    curriculum_id: int | None = None
    organisation_kind: OrganisationKind | None = None
    partner_id: int | None = None

    def query_args(self) -> dict[str, str]:
        """The filters as URL query arguments, for links and exports."""
        values = {
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "country": self.country,
            "theme": self.theme.value if self.theme else None,
            "curriculum": str(self.curriculum_id) if self.curriculum_id else None,
            "organisation_kind": self.organisation_kind.value if self.organisation_kind else None,
            "partner": str(self.partner_id) if self.partner_id else None,
        }
        return {key: value for key, value in values.items() if value}


@dataclass(frozen=True)
class Slice:
    """A drill-down: one cell of a table, on top of the filters."""

    sex: Sex | None = None
    nationality: str | None = None  # ISO code, or UNKNOWN
    no_organisation: bool = False
    year: int | None = None
    certificate_kind: CertificateKind | None = None
    with_scores: bool = False

    def query_args(self) -> dict[str, str]:
        values = {
            "sex": self.sex.value if self.sex else None,
            "nationality": self.nationality,
            "organisation_kind": UNKNOWN if self.no_organisation else None,
            "year": str(self.year) if self.year else None,
            "certificate": self.certificate_kind.value if self.certificate_kind else None,
            "scored": "1" if self.with_scores else None,
        }
        return {key: value for key, value in values.items() if value}


@dataclass(frozen=True)
class Headline:
    sessions_held: int
    people_trained: int
    person_trainings: int
    women: int
    completions: int
    attended_periods: int
    scheduled_periods: int
    scored_trainings: int
    mean_knowledge_gain: float | None
    certificates: dict[CertificateKind, int]
    trainers_qualified: int

    @property
    def share_of_women(self) -> float | None:
        return self.women / self.people_trained if self.people_trained else None

    @property
    def completion_rate(self) -> float | None:
        return self.completions / self.person_trainings if self.person_trainings else None

    @property
    def attendance_rate(self) -> float | None:
        return self.attended_periods / self.scheduled_periods if self.scheduled_periods else None


@dataclass(frozen=True)
class SexRow:
    """People trained in one group (a nationality, an organisation kind),
    by sex. `key` is None for "not recorded"."""

    key: str | None
    women: int
    men: int

    @property
    def total(self) -> int:
        return self.women + self.men


@dataclass(frozen=True)
class ThemeYearRow:
    theme: Theme
    year: int
    sessions_held: int
    people_trained: int
    person_trainings: int
    women: int
    men: int


@dataclass(frozen=True)
class YearSexRow:
    year: int
    women: int
    men: int


@dataclass(frozen=True)
class ThemeGainRow:
    theme: Theme
    mean_knowledge_gain: float
    scored_trainings: int


@dataclass(frozen=True)
class Report:
    filters: ReportFilters
    headline: Headline
    by_country: list[SexRow]
    by_organisation_kind: list[SexRow]
    by_theme_year: list[ThemeYearRow]
    trained_by_year: list[YearSexRow]
    gain_by_theme: list[ThemeGainRow]


# --- the building blocks --------------------------------------------------


def session_conditions(filters: ReportFilters) -> list[ColumnElement[bool]]:
    """Conditions on TrainingSession for the session-level filters."""
    conditions: list[ColumnElement[bool]] = []
    if filters.date_from:
        conditions.append(TrainingSession.start_date >= filters.date_from)
    if filters.date_to:
        conditions.append(TrainingSession.start_date <= filters.date_to)
    if filters.country:
        conditions.append(TrainingSession.country == filters.country)
    if filters.theme:
        conditions.append(
            TrainingSession.curriculum_id.in_(
                sa.select(Curriculum.id).where(Curriculum.theme == filters.theme)
            )
        )
    if filters.curriculum_id:
        conditions.append(TrainingSession.curriculum_id == filters.curriculum_id)
    if filters.partner_id:
        conditions.append(
            sa.exists().where(
                session_partner.c.session_id == TrainingSession.id,
                session_partner.c.organisation_id == filters.partner_id,
            )
        )
    return conditions


def _organisation_kind_condition(
    organisation_id: Any, kind: OrganisationKind
) -> ColumnElement[bool]:
    return organisation_id.in_(sa.select(Organisation.id).where(Organisation.kind == kind))


def _participant_conditions(
    filters: ReportFilters, slice_: Slice | None = None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.organisation_kind:
        conditions.append(
            _organisation_kind_condition(Participant.organisation_id, filters.organisation_kind)
        )
    if slice_ is None:
        return conditions
    if slice_.sex:
        conditions.append(Participant.sex == slice_.sex)
    if slice_.nationality == UNKNOWN:
        conditions.append(Participant.nationality.is_(None))
    elif slice_.nationality:
        conditions.append(Participant.nationality == slice_.nationality)
    if slice_.no_organisation:
        conditions.append(Participant.organisation_id.is_(None))
    return conditions


def enrollment_ids(filters: ReportFilters) -> sa.Select:
    """The same person-trainings as `trainings`, as bare enrollment ids: the
    lean form for joining attendance records and certificates (no join to
    participants unless a filter needs one)."""
    statement = (
        sa.select(Enrollment.id.label("enrollment_id"))
        .join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .where(
            Enrollment.status == EnrollmentStatus.CONFIRMED,
            TrainingSession.status == SessionStatus.COMPLETED,
            *session_conditions(filters),
        )
    )
    if filters.organisation_kind:
        statement = statement.join(Participant, Participant.id == Enrollment.participant_id).where(
            _organisation_kind_condition(Participant.organisation_id, filters.organisation_kind)
        )
    return statement


def trainings(filters: ReportFilters, slice_: Slice | None = None) -> sa.Select:
    """The person-trainings behind every figure: confirmed enrollments in
    completed sessions matching the filters (and the drill-down slice).

    Columns: enrollment_id, participant_id, session_id, sex, nationality,
    organisation_id, theme, year, periods (the session's scheduled periods),
    pre_test_score, post_test_score.
    """
    statement = (
        sa.select(
            Enrollment.id.label("enrollment_id"),
            Enrollment.participant_id,
            Enrollment.session_id,
            Participant.sex,
            Participant.nationality,
            Participant.organisation_id,
            Curriculum.theme,
            year_of(TrainingSession.start_date).label("year"),
            (day_count(TrainingSession.start_date, TrainingSession.end_date) * len(Period)).label(
                "periods"
            ),
            Enrollment.pre_test_score,
            Enrollment.post_test_score,
        )
        .join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .join(Curriculum, Curriculum.id == TrainingSession.curriculum_id)
        .join(Participant, Participant.id == Enrollment.participant_id)
        .where(
            Enrollment.status == EnrollmentStatus.CONFIRMED,
            TrainingSession.status == SessionStatus.COMPLETED,
            *session_conditions(filters),
            *_participant_conditions(filters, slice_),
        )
    )
    if slice_ is not None:
        if slice_.year:
            statement = statement.where(year_of(TrainingSession.start_date) == slice_.year)
        if slice_.certificate_kind:
            statement = statement.where(
                sa.exists().where(
                    Certificate.enrollment_id == Enrollment.id,
                    Certificate.status == CertificateStatus.VALID,
                    Certificate.kind == slice_.certificate_kind,
                )
            )
        if slice_.with_scores:
            statement = statement.where(
                Enrollment.pre_test_score.is_not(None), Enrollment.post_test_score.is_not(None)
            )
    return statement


def held_sessions(filters: ReportFilters, year: int | None = None) -> sa.Select:
    """Completed sessions matching the filters (a select of TrainingSession)."""
    statement = sa.select(TrainingSession).where(
        TrainingSession.status == SessionStatus.COMPLETED, *session_conditions(filters)
    )
    if filters.organisation_kind:
        statement = statement.where(
            sa.select(Enrollment.id)
            .join(Participant, Participant.id == Enrollment.participant_id)
            .where(
                Enrollment.session_id == TrainingSession.id,
                Enrollment.status == EnrollmentStatus.CONFIRMED,
                _organisation_kind_condition(
                    Participant.organisation_id, filters.organisation_kind
                ),
            )
            .exists()
        )
    if year:
        statement = statement.where(year_of(TrainingSession.start_date) == year)
    return statement


def _has_both_scores(rows: Any) -> ColumnElement[bool]:
    return sa.and_(rows.c.pre_test_score.is_not(None), rows.c.post_test_score.is_not(None))


# --- the figures ------------------------------------------------------------


@dataclass(frozen=True)
class PeopleGroup:
    """People trained with the same participant attributes (nationality,
    organisation kind, sex). A participant falls in exactly one such group,
    so these counts add up across groups."""

    nationality: str | None
    organisation_kind: OrganisationKind | None
    sex: Sex
    people: int


@dataclass(frozen=True)
class ThemeYearGroup:
    """One GROUP BY row of the trainings by theme, year and sex: distinct
    people (they add up across sexes, not across themes or years) and the
    additive sums (trainings, scheduled periods, scored trainings, gain)."""

    theme: Theme
    year: int
    sex: Sex
    people: int
    trainings: int
    periods: int
    scored: int
    gain_total: float


def trained_participants(filters: ReportFilters) -> sa.Select:
    """The participant ids of the trainings, without joining participants:
    the session-level filters only (participant filters go outside)."""
    return (
        sa.select(Enrollment.participant_id)
        .join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .where(
            Enrollment.status == EnrollmentStatus.CONFIRMED,
            TrainingSession.status == SessionStatus.COMPLETED,
            *session_conditions(filters),
        )
    )


def people_groups(filters: ReportFilters) -> list[PeopleGroup]:
    """People trained by nationality, organisation kind and sex (one query).

    Each participant is read once, in table order, and kept when their id is
    among the trainings' participants: cheaper than joining every training
    to its participant and counting distinct ids."""
    statement = (
        sa.select(
            Participant.nationality,
            Organisation.kind,
            Participant.sex,
            sa.func.count(),
        )
        .select_from(Participant)
        .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
        .where(
            Participant.id.in_(trained_participants(filters)),
            *_participant_conditions(filters),
        )
        .group_by(Participant.nationality, Organisation.kind, Participant.sex)
    )
    return [
        PeopleGroup(nationality, kind, sex, people)
        for nationality, kind, sex, people in db.session.execute(statement)
    ]


def theme_year_groups(filters: ReportFilters) -> list[ThemeYearGroup]:
    """One pass over the trainings by theme, year and sex (one query): the
    additive sums of the headline and the distinct people of the theme ×
    year table."""
    rows = trainings(filters).subquery("trainings")
    both = _has_both_scores(rows)
    keys = (rows.c.theme, rows.c.year, rows.c.sex)
    statement = sa.select(
        *keys,
        sa.func.count(sa.distinct(rows.c.participant_id)),
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(rows.c.periods), 0),
        sa.func.count(sa.case((both, 1))),
        sa.func.coalesce(
            sa.func.sum(sa.case((both, rows.c.post_test_score - rows.c.pre_test_score))), 0
        ),
    ).group_by(*keys)
    return [
        ThemeYearGroup(theme, year, sex, people, int(count), int(periods), int(scored), float(gain))
        for theme, year, sex, people, count, periods, scored, gain in db.session.execute(statement)
    ]


def attended_periods(filters: ReportFilters) -> int:
    """Attended (present or late) periods of the trainings, counted on the
    (enrollment_id, status) index of the attendance records."""
    ids = enrollment_ids(filters).subquery("ids")
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AttendanceRecord)
            .join(ids, ids.c.enrollment_id == AttendanceRecord.enrollment_id)
            .where(AttendanceRecord.status.in_(ATTENDED_STATUSES))
        )
        or 0
    )


def headline(
    filters: ReportFilters,
    groups: list[PeopleGroup] | None = None,
    themes: list[ThemeYearGroup] | None = None,
) -> Headline:
    """The headline figures: the people and theme-year groups added up,
    plus one query each for attended periods, certificates, sessions held
    and trainers."""
    groups = people_groups(filters) if groups is None else groups
    themes = theme_year_groups(filters) if themes is None else themes
    scored = sum(group.scored for group in themes)
    ids = enrollment_ids(filters).subquery("ids")
    certificates = dict(
        db.session.execute(
            sa.select(Certificate.kind, sa.func.count())
            .join(ids, ids.c.enrollment_id == Certificate.enrollment_id)
            .where(Certificate.status == CertificateStatus.VALID)
            .group_by(Certificate.kind)
        ).all()
    )
    sessions_held = db.session.scalar(
        sa.select(sa.func.count()).select_from(held_sessions(filters).subquery())
    )
    return Headline(
        sessions_held=sessions_held or 0,
        person_trainings=sum(group.trainings for group in themes),
        people_trained=sum(group.people for group in groups),
        women=sum(group.people for group in groups if group.sex == Sex.FEMALE),
        scheduled_periods=sum(group.periods for group in themes),
        scored_trainings=scored,
        mean_knowledge_gain=(
            sum(group.gain_total for group in themes) / scored if scored else None
        ),
        attended_periods=attended_periods(filters),
        certificates={kind: certificates.get(kind, 0) for kind in CertificateKind},
        completions=certificates.get(CertificateKind.COMPLETION, 0),
        trainers_qualified=trainers_qualified(filters),
    )


def trainers_qualified(filters: ReportFilters) -> int:
    """Distinct trainers qualified by a training of trainers matching the
    filters (the organisation kind filter applies to the trainer's)."""
    statement = (
        sa.select(sa.func.count(sa.distinct(TrainerQualification.trainer_id)))
        .join(TrainingSession, TrainingSession.id == TrainerQualification.source_session_id)
        .where(*session_conditions(filters))
    )
    if filters.organisation_kind:
        statement = statement.join(Trainer, Trainer.id == TrainerQualification.trainer_id).where(
            _organisation_kind_condition(Trainer.organisation_id, filters.organisation_kind)
        )
    return db.session.scalar(statement) or 0


def _by_sex(keyed: list[tuple[str | None, PeopleGroup]]) -> list[SexRow]:
    """Add up people groups under a key, by sex; largest total first."""
    women: dict[str | None, int] = {}
    men: dict[str | None, int] = {}
    for key, group in keyed:
        target = women if group.sex == Sex.FEMALE else men
        target[key] = target.get(key, 0) + group.people
    rows = [SexRow(key, women.get(key, 0), men.get(key, 0)) for key in women.keys() | men.keys()]
    return sorted(rows, key=lambda row: (-row.total, row.key is None, row.key or ""))


def by_country(filters: ReportFilters, groups: list[PeopleGroup] | None = None) -> list[SexRow]:
    """People trained by nationality and sex, largest first."""
    groups = people_groups(filters) if groups is None else groups
    return _by_sex([(group.nationality, group) for group in groups])


def by_organisation_kind(
    filters: ReportFilters, groups: list[PeopleGroup] | None = None
) -> list[SexRow]:
    """People trained by the kind of their organisation and sex."""
    groups = people_groups(filters) if groups is None else groups
    return _by_sex(
        [
            (group.organisation_kind.value if group.organisation_kind else None, group)
            for group in groups
        ]
    )


def by_theme_year(
    filters: ReportFilters, groups: list[ThemeYearGroup] | None = None
) -> list[ThemeYearRow]:
    """Sessions held and people trained per theme and year: held sessions
    grouped in SQL, beside the theme-year-sex groups of the trainings, so a
    year with sessions but nobody confirmed still shows, with zero people."""
    groups = theme_year_groups(filters) if groups is None else groups
    sessions = held_sessions(filters).subquery("held")
    session_year = year_of(sessions.c.start_date)
    held = db.session.execute(
        sa.select(Curriculum.theme, session_year, sa.func.count())
        .select_from(sessions)
        .join(Curriculum, Curriculum.id == sessions.c.curriculum_id)
        .group_by(Curriculum.theme, session_year)
    ).all()
    trained: dict[tuple[Theme, int], list[int]] = {}
    for group in groups:
        people, count, women, men = trained.setdefault((group.theme, group.year), [0, 0, 0, 0])
        female = group.sex == Sex.FEMALE
        trained[(group.theme, group.year)] = [
            people + group.people,
            count + group.trainings,
            women + (group.people if female else 0),
            men + (0 if female else group.people),
        ]
    return sorted(
        (
            ThemeYearRow(theme, year, count, *trained.get((theme, year), (0, 0, 0, 0)))
            for theme, year, count in held
        ),
        key=lambda row: (row.theme.value, row.year),
    )


def trained_by_year(filters: ReportFilters) -> list[YearSexRow]:
    """People trained per year (of the session's start) and sex: a query of
    its own, since a participant trained on two themes counts once a year."""
    rows = trainings(filters).subquery("trainings")
    people = sa.func.count(sa.distinct(rows.c.participant_id))
    result = db.session.execute(
        sa.select(rows.c.year, rows.c.sex, people).group_by(rows.c.year, rows.c.sex)
    )
    counts: dict[int, dict[Sex, int]] = {}
    for year, sex, count in result:
        counts.setdefault(year, {})[sex] = count
    return [
        YearSexRow(year, by_sex.get(Sex.FEMALE, 0), by_sex.get(Sex.MALE, 0))
        for year, by_sex in sorted(counts.items())
    ]


def gain_by_theme(
    filters: ReportFilters, groups: list[ThemeYearGroup] | None = None
) -> list[ThemeGainRow]:
    """Mean knowledge gain (post − pre, percentage points) per theme, over
    the person-trainings with both scores."""
    groups = theme_year_groups(filters) if groups is None else groups
    totals: dict[Theme, tuple[float, int]] = {}
    for group in groups:
        gain, scored = totals.get(group.theme, (0.0, 0))
        totals[group.theme] = (gain + group.gain_total, scored + group.scored)
    return [
        ThemeGainRow(theme, gain / scored, scored)
        for theme, (gain, scored) in sorted(totals.items(), key=lambda item: item[0].value)
        if scored
    ]


def build_report(filters: ReportFilters) -> Report:
    """Every figure of the reports page, the exports and the donor report,
    in a fixed number of queries."""
    people = people_groups(filters)
    themes = theme_year_groups(filters)
    return Report(
        filters=filters,
        headline=headline(filters, people, themes),
        by_country=by_country(filters, people),
        by_organisation_kind=by_organisation_kind(filters, people),
        by_theme_year=by_theme_year(filters, themes),
        trained_by_year=trained_by_year(filters),
        gain_by_theme=gain_by_theme(filters, themes),
    )


# --- drill-downs and the participant-level export -------------------------


def participants_behind(filters: ReportFilters, slice_: Slice) -> sa.Select:
    """The participants behind a figure, by name (a select of Participant)."""
    ids = trainings(filters, slice_).with_only_columns(Enrollment.participant_id)
    return (
        sa.select(Participant)
        .where(Participant.id.in_(ids))
        .order_by(Participant.family_name, Participant.given_name, Participant.id)
    )


def sessions_behind(filters: ReportFilters, year: int | None = None) -> sa.Select:
    """The sessions behind a figure, most recent first."""
    return held_sessions(filters, year).order_by(
        TrainingSession.start_date.desc(), TrainingSession.id
    )


def training_rows(filters: ReportFilters) -> sa.Select:
    """One row per person-training for the participant-level export, with
    attended periods and the valid certificate counted in SQL."""
    rows = trainings(filters).subquery("trainings")
    # Correlated subqueries: each looks up one enrollment through an index,
    # instead of grouping every attendance record of the programme.
    attended = (
        sa.select(sa.func.count())
        .where(
            AttendanceRecord.enrollment_id == rows.c.enrollment_id,
            AttendanceRecord.status.in_(ATTENDED_STATUSES),
        )
        .scalar_subquery()
    )
    certificate_kind = (
        sa.select(sa.func.min(Certificate.kind))
        .where(
            Certificate.enrollment_id == rows.c.enrollment_id,
            Certificate.status == CertificateStatus.VALID,
        )
        .scalar_subquery()
    )
    return (
        sa.select(
            Participant.family_name,
            Participant.given_name,
            Participant.sex,
            Participant.nationality,
            Organisation.name.label("organisation"),
            Organisation.kind.label("organisation_kind"),
            Participant.rank,
            TrainingSession.code.label("session_code"),
            Curriculum.code.label("curriculum_code"),
            Curriculum.theme,
            TrainingSession.start_date,
            TrainingSession.end_date,
            TrainingSession.country,
            attended.label("attended_periods"),
            rows.c.periods.label("scheduled_periods"),
            rows.c.pre_test_score,
            rows.c.post_test_score,
            certificate_kind.label("certificate_kind"),
        )
        .select_from(rows)
        .join(Participant, Participant.id == rows.c.participant_id)
        .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
        .join(TrainingSession, TrainingSession.id == rows.c.session_id)
        .join(Curriculum, Curriculum.id == TrainingSession.curriculum_id)
        .order_by(TrainingSession.start_date, TrainingSession.code, Participant.family_name)
    )
