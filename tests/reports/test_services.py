"""Every figure of the report, against numbers worked out by hand from the
programme in conftest.py. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from training.extensions import db
from training.models import CertificateKind, OrganisationKind, Sex, Theme
from training.reports import queries
from training.reports.queries import ReportFilters, SexRow, Slice, ThemeYearRow


def test_headline_figures_of_the_whole_programme(programme):
    headline = queries.headline(ReportFilters())
    # Held: S1, S2 and S4 (completed); S3 is open.
    assert headline.sessions_held == 3
    # Trainings: A-S1, B-S1, C-S1, A-S2, D-S2 (E withdrawn, nominated, or in
    # a session not held).
    assert headline.person_trainings == 5
    assert headline.people_trained == 4
    assert headline.women == 2
    assert headline.share_of_women == pytest.approx(0.5)
    # Periods: S1 6 x 3 trainings + S2 4 x 2 = 26; attended 6 + 5 + 6 + 2 + 4.
    assert headline.scheduled_periods == 26
    assert headline.attended_periods == 23
    assert headline.attendance_rate == pytest.approx(23 / 26)
    # Gains 40, 30, 5 and 50 (B has no post-test).
    assert headline.scored_trainings == 4
    assert headline.mean_knowledge_gain == pytest.approx(31.25)
    # Valid: completion A-S1 and D-S2, participation B-S1 (C's is revoked).
    assert headline.certificates == {
        CertificateKind.COMPLETION: 2,
        CertificateKind.PARTICIPATION: 1,
        CertificateKind.TRAINER: 0,
    }
    assert headline.completions == 2
    assert headline.completion_rate == pytest.approx(2 / 5)
    assert headline.trainers_qualified == 1


def test_tables_of_the_whole_programme(programme):
    report = queries.build_report(ReportFilters())
    assert {row.key: (row.women, row.men) for row in report.by_country} == {
        "NE": (1, 0),
        "ML": (1, 1),
        None: (0, 1),
    }
    assert report.by_country[0] == SexRow("ML", 1, 1)
    assert sum(row.total for row in report.by_country) == report.headline.people_trained
    assert {row.key: (row.women, row.men) for row in report.by_organisation_kind} == {
        OrganisationKind.POLICE.value: (1, 0),
        OrganisationKind.CUSTOMS.value: (1, 1),
        None: (0, 1),
    }
    assert report.by_theme_year == [
        ThemeYearRow(Theme.COUNTER_TERRORISM, 2025, 2, 3, 3, 2, 1),
        ThemeYearRow(Theme.DRUGS, 2026, 1, 2, 2, 1, 1),
    ]
    assert [(row.year, row.women, row.men) for row in report.trained_by_year] == [
        (2025, 2, 1),
        (2026, 1, 1),
    ]
    assert [
        (row.theme, row.mean_knowledge_gain, row.scored_trainings) for row in report.gain_by_theme
    ] == [(Theme.COUNTER_TERRORISM, 35.0, 2), (Theme.DRUGS, 27.5, 2)]


def test_country_filter_is_where_the_session_was_held(programme):
    headline = queries.headline(ReportFilters(country="NE"))
    assert headline.sessions_held == 2  # S1 and S4
    assert (headline.person_trainings, headline.people_trained, headline.women) == (3, 3, 2)
    assert (headline.attended_periods, headline.scheduled_periods) == (17, 18)
    assert headline.mean_knowledge_gain == pytest.approx(35.0)
    assert headline.completion_rate == pytest.approx(1 / 3)
    assert headline.trainers_qualified == 1


def test_organisation_kind_filter_narrows_people_sessions_and_trainers(programme):
    headline = queries.headline(ReportFilters(organisation_kind=OrganisationKind.CUSTOMS))
    assert headline.sessions_held == 1  # only S1 had customs officers
    assert (headline.person_trainings, headline.people_trained, headline.women) == (2, 2, 1)
    assert (headline.attended_periods, headline.scheduled_periods) == (11, 12)
    assert headline.mean_knowledge_gain == pytest.approx(30.0)
    assert headline.certificates[CertificateKind.PARTICIPATION] == 1
    assert headline.trainers_qualified == 0  # T1 is police


def test_theme_period_curriculum_and_partner_filters(programme):
    drugs = queries.headline(ReportFilters(theme=Theme.DRUGS, date_from=date(2026, 1, 1)))
    assert (drugs.sessions_held, drugs.person_trainings, drugs.people_trained) == (1, 2, 2)
    assert (drugs.attended_periods, drugs.scheduled_periods) == (6, 8)
    assert drugs.mean_knowledge_gain == pytest.approx(27.5)
    assert drugs.trainers_qualified == 0

    until_2025 = queries.headline(ReportFilters(date_to=date(2025, 12, 31)))
    assert (until_2025.sessions_held, until_2025.person_trainings) == (2, 3)
    assert until_2025.trainers_qualified == 1

    by_curriculum = queries.headline(ReportFilters(curriculum_id=programme.curriculum_ct.id))
    assert (by_curriculum.sessions_held, by_curriculum.person_trainings) == (2, 3)

    with_partner = queries.headline(ReportFilters(partner_id=programme.partner.id))
    assert (with_partner.sessions_held, with_partner.people_trained) == (1, 3)
    assert with_partner.trainers_qualified == 0

    nothing = queries.headline(ReportFilters(country="TD"))
    assert (nothing.sessions_held, nothing.people_trained) == (0, 0)
    assert nothing.share_of_women is None
    assert nothing.attendance_rate is None
    assert nothing.mean_knowledge_gain is None


def _names(statement) -> list[str]:
    return [participant.given_name for participant in db.session.scalars(statement)]


def test_drill_downs_list_the_people_behind_each_figure(programme):
    everyone = ReportFilters()
    assert sorted(_names(queries.participants_behind(everyone, Slice()))) == [
        "Aïcha",
        "Boubacar",
        "Coumba",
        "Djibril",
    ]
    assert sorted(_names(queries.participants_behind(everyone, Slice(sex=Sex.FEMALE)))) == [
        "Aïcha",
        "Coumba",
    ]
    assert _names(queries.participants_behind(everyone, Slice(nationality="none"))) == ["Djibril"]
    assert _names(queries.participants_behind(everyone, Slice(no_organisation=True))) == ["Djibril"]
    completion = Slice(certificate_kind=CertificateKind.COMPLETION)
    assert sorted(_names(queries.participants_behind(everyone, completion))) == [
        "Aïcha",
        "Djibril",
    ]
    assert sorted(_names(queries.participants_behind(everyone, Slice(year=2026)))) == [
        "Aïcha",
        "Djibril",
    ]
    assert len(_names(queries.participants_behind(everyone, Slice(with_scores=True)))) == 3
    sessions = db.session.scalars(queries.sessions_behind(everyone, year=2025)).all()
    assert {s.id for s in sessions} == {programme.s1.id, programme.s4.id}


def test_participant_level_rows(programme):
    rows = db.session.execute(queries.training_rows(ReportFilters())).all()
    assert len(rows) == 5
    by_key = {(row.given_name, row.session_code): row for row in rows}
    a_s2 = by_key[("Aïcha", programme.s2.code)]
    assert (a_s2.attended_periods, a_s2.scheduled_periods) == (2, 4)
    assert a_s2.certificate_kind is None
    b_s1 = by_key[("Boubacar", programme.s1.code)]
    assert (b_s1.attended_periods, b_s1.certificate_kind) == (5, CertificateKind.PARTICIPATION)
    assert by_key[("Coumba", programme.s1.code)].certificate_kind is None
