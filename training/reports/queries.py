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

Speed: the figures read `report_training` (training/reports/models.py),
one row per person-training holding what they need from the session, the
participant, their organisation, the attendance records and the
certificate, kept up to date by `training.reports.projection`. A report is
three GROUP BY passes over that table (people by participant attributes,
theme x year x sex with every additive sum, people by year x sex), the
distinct-people counts reading covering indexes in order, plus small
queries for sessions held and trainers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.sql.expression import ColumnElement

from training.certificates.models import CertificateKind
from training.curricula.models import Curriculum, Theme
from training.extensions import db
from training.people.models import (
    Organisation,
    OrganisationKind,
    Participant,
    Sex,
    Trainer,
    TrainerQualification,
)
from training.reports.models import ReportTraining
from training.reports.projection import year_of
from training.sessions.models import SessionStatus, TrainingSession, session_partner

# Marks "no value" in a drill-down (a participant with no nationality or no
# organisation), distinct from "not narrowed".
UNKNOWN = "none"


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
        conditions.append(_has_partner(TrainingSession.id, filters.partner_id))
    return conditions


def _has_partner(session_id: Any, partner_id: int) -> ColumnElement[bool]:
    return sa.exists().where(
        session_partner.c.session_id == session_id,
        session_partner.c.organisation_id == partner_id,
    )


def training_conditions(
    filters: ReportFilters, slice_: Slice | None = None
) -> list[ColumnElement[bool]]:
    """Conditions on ReportTraining for the filters and a drill-down slice."""
    conditions: list[ColumnElement[bool]] = []
    if filters.date_from:
        conditions.append(ReportTraining.start_date >= filters.date_from)
    if filters.date_to:
        conditions.append(ReportTraining.start_date <= filters.date_to)
    if filters.country:
        conditions.append(ReportTraining.country == filters.country)
    if filters.theme:
        conditions.append(ReportTraining.theme == filters.theme)
    if filters.curriculum_id:
        conditions.append(ReportTraining.curriculum_id == filters.curriculum_id)
    if filters.partner_id:
        conditions.append(_has_partner(ReportTraining.session_id, filters.partner_id))
    if filters.organisation_kind:
        conditions.append(ReportTraining.organisation_kind == filters.organisation_kind)
    if slice_ is None:
        return conditions
    if slice_.sex:
        conditions.append(ReportTraining.sex == slice_.sex)
    if slice_.nationality == UNKNOWN:
        conditions.append(ReportTraining.nationality.is_(None))
    elif slice_.nationality:
        conditions.append(ReportTraining.nationality == slice_.nationality)
    if slice_.no_organisation:
        conditions.append(ReportTraining.organisation_kind.is_(None))
    if slice_.year:
        conditions.append(ReportTraining.year == slice_.year)
    if slice_.certificate_kind:
        conditions.append(ReportTraining.certificate_kind == slice_.certificate_kind)
    if slice_.with_scores:
        conditions.append(ReportTraining.knowledge_gain.is_not(None))
    return conditions


def trainings(filters: ReportFilters, slice_: Slice | None = None) -> sa.Select:
    """The person-trainings behind every figure: confirmed enrollments in
    completed sessions matching the filters (and the drill-down slice), as
    rows of ReportTraining."""
    return sa.select(ReportTraining).where(*training_conditions(filters, slice_))


def held_sessions(filters: ReportFilters, year: int | None = None) -> sa.Select:
    """Completed sessions matching the filters (a select of TrainingSession)."""
    statement = sa.select(TrainingSession).where(
        TrainingSession.status == SessionStatus.COMPLETED, *session_conditions(filters)
    )
    if filters.organisation_kind:
        statement = statement.where(
            TrainingSession.id.in_(
                sa.select(ReportTraining.session_id).where(
                    ReportTraining.organisation_kind == filters.organisation_kind
                )
            )
        )
    if year:
        statement = statement.where(year_of(TrainingSession.start_date) == year)
    return statement


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
    additive sums (trainings, scheduled and attended periods, scored
    trainings, gain, valid certificates by kind)."""

    theme: Theme
    year: int
    sex: Sex
    people: int
    trainings: int
    periods: int
    attended: int
    scored: int
    gain_total: float
    certificates: dict[CertificateKind, int]


def _people() -> ColumnElement[int]:
    return sa.func.count(sa.distinct(ReportTraining.participant_id))


def people_groups(filters: ReportFilters) -> list[PeopleGroup]:
    """People trained by nationality, organisation kind and sex (one query,
    in the order of the covering index `ix_report_training_people`)."""
    keys = (ReportTraining.nationality, ReportTraining.organisation_kind, ReportTraining.sex)
    statement = sa.select(*keys, _people()).where(*training_conditions(filters)).group_by(*keys)
    return [
        PeopleGroup(nationality, kind, sex, people)
        for nationality, kind, sex, people in db.session.execute(statement)
    ]


def theme_year_groups(filters: ReportFilters) -> list[ThemeYearGroup]:
    """One pass over the trainings by theme, year and sex (one query): the
    additive sums of the headline and the distinct people of the theme x
    year table."""
    keys = (ReportTraining.theme, ReportTraining.year, ReportTraining.sex)
    kinds = list(CertificateKind)
    statement = (
        sa.select(
            *keys,
            _people(),
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(ReportTraining.periods), 0),
            sa.func.coalesce(sa.func.sum(ReportTraining.attended_periods), 0),
            sa.func.count(ReportTraining.knowledge_gain),
            # Never NULL, but typed after the nullable column.
            cast(
                "sa.ColumnElement[int]",
                sa.func.coalesce(sa.func.sum(ReportTraining.knowledge_gain), 0),
            ),
            *(
                sa.func.count(sa.case((ReportTraining.certificate_kind == kind, 1)))
                for kind in kinds
            ),
        )
        .where(*training_conditions(filters))
        .group_by(*keys)
    )
    return [
        ThemeYearGroup(
            theme,
            year,
            sex,
            people,
            int(count),
            int(periods),
            int(attended),
            int(scored),
            float(gain),
            dict(zip(kinds, (int(number) for number in certificates), strict=True)),
        )
        for theme, year, sex, people, count, periods, attended, scored, gain, *certificates in (
            db.session.execute(statement)
        )
    ]


def headline(
    filters: ReportFilters,
    groups: list[PeopleGroup] | None = None,
    themes: list[ThemeYearGroup] | None = None,
) -> Headline:
    """The headline figures: the people and theme-year groups added up,
    plus one query each for sessions held and trainers."""
    groups = people_groups(filters) if groups is None else groups
    themes = theme_year_groups(filters) if themes is None else themes
    scored = sum(group.scored for group in themes)
    certificates = {
        kind: sum(group.certificates[kind] for group in themes) for kind in CertificateKind
    }
    sessions_held = db.session.scalar(
        sa.select(sa.func.count()).select_from(held_sessions(filters).subquery())
    )
    return Headline(
        sessions_held=sessions_held or 0,
        person_trainings=sum(group.trainings for group in themes),
        people_trained=sum(group.people for group in groups),
        women=sum(group.people for group in groups if group.sex == Sex.FEMALE),
        scheduled_periods=sum(group.periods for group in themes),
        attended_periods=sum(group.attended for group in themes),
        scored_trainings=scored,
        mean_knowledge_gain=(
            sum(group.gain_total for group in themes) / scored if scored else None
        ),
        certificates=certificates,
        completions=certificates[CertificateKind.COMPLETION],
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
            Trainer.organisation_id.in_(
                sa.select(Organisation.id).where(Organisation.kind == filters.organisation_kind)
            )
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
    result = db.session.execute(
        sa.select(ReportTraining.year, ReportTraining.sex, _people())
        .where(*training_conditions(filters))
        .group_by(ReportTraining.year, ReportTraining.sex)
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


@dataclass(frozen=True)
class CountedSession:
    """A session the report counts, as the donor report lists it."""

    code: str
    title_en: str
    title_fr: str
    title_ar: str | None
    start_date: date
    end_date: date
    city: str
    country: str
    participants: int


def counted_sessions(filters: ReportFilters) -> list[CountedSession]:
    """The sessions held under the filters (those "Sessions held" counts),
    oldest first, each with its person-trainings under the filters: one
    query, whatever the number of sessions."""
    held = held_sessions(filters).subquery("held")
    participants = (
        sa.select(sa.func.count())
        .where(ReportTraining.session_id == held.c.id, *training_conditions(filters))
        .scalar_subquery()
    )
    statement = (
        sa.select(
            held.c.code,
            Curriculum.title_en,
            Curriculum.title_fr,
            Curriculum.title_ar,
            held.c.start_date,
            held.c.end_date,
            held.c.city,
            held.c.country,
            participants,
        )
        .join(Curriculum, Curriculum.id == held.c.curriculum_id)
        .order_by(held.c.start_date, held.c.code)
    )
    return [CountedSession(*row) for row in db.session.execute(statement)]


# --- drill-downs and the participant-level export -------------------------


def participants_behind(filters: ReportFilters, slice_: Slice) -> sa.Select:
    """The participants behind a figure, by name (a select of Participant)."""
    ids = sa.select(ReportTraining.participant_id).where(*training_conditions(filters, slice_))
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


def _stored(column: Any, name: str) -> ColumnElement[str]:
    """An enum column as the text it stores: the export maps each value to
    its label through a dict, so no Enum object is made per cell."""
    return sa.type_coerce(column, sa.String).label(name)


def training_rows(filters: ReportFilters, *, dates_as_text: bool = False) -> sa.Select:
    """One row per person-training for the participant-level export, its
    columns in the export's order (exports.participants_csv reads them by
    position), session by session.

    `dates_as_text` leaves the dates as the driver returns them, for the
    CSV: SQLite's ISO text as stored (no date object made per cell, then
    written back as the same text), PostgreSQL's dates."""
    dates: tuple[Any, Any] = (TrainingSession.start_date, TrainingSession.end_date)
    if dates_as_text:
        dates = (
            sa.type_coerce(TrainingSession.start_date, sa.String).label("start_date"),
            sa.type_coerce(TrainingSession.end_date, sa.String).label("end_date"),
        )
    return (
        sa.select(
            Participant.family_name,
            Participant.given_name,
            _stored(ReportTraining.sex, "sex"),
            ReportTraining.nationality,
            Organisation.name.label("organisation"),
            _stored(ReportTraining.organisation_kind, "organisation_kind"),
            Participant.rank,
            TrainingSession.code.label("session_code"),
            Curriculum.code.label("curriculum_code"),
            _stored(ReportTraining.theme, "theme"),
            *dates,
            ReportTraining.country,
            ReportTraining.attended_periods,
            ReportTraining.periods.label("scheduled_periods"),
            ReportTraining.pre_test_score,
            ReportTraining.post_test_score,
            _stored(ReportTraining.certificate_kind, "certificate_kind"),
        )
        .join(Participant, Participant.id == ReportTraining.participant_id)
        .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
        .join(TrainingSession, TrainingSession.id == ReportTraining.session_id)
        .join(Curriculum, Curriculum.id == ReportTraining.curriculum_id)
        .where(*training_conditions(filters))
        .order_by(TrainingSession.start_date, TrainingSession.code, Participant.family_name)
    )
