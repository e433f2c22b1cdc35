"""Screening records of the demo programme: one record per clearance a
participant needs, renewed before the first session it no longer covers,
under the frameworks in force at the time (the G5 Sahel compliance framework
only until the G5 Sahel dissolved)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from training.demo import people as people_data
from training.extensions import db
from training.people.models import ScreeningFramework, ScreeningRecord, ScreeningStatus

SCREENING_VALIDITY = timedelta(days=3 * 365)
G5_DISSOLVED = date(2023, 12, 6)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A UTC timestamp on a demo day."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


class ScreeningMixin:
    """The screening part of the demo builder (`training.demo._DemoBuilder`),
    which provides `rng`, `people`, `today`, `coordinator` and
    `screening_numbers`."""

    rng: Any
    people: list[Any]
    today: date
    coordinator: Any
    screening_numbers: Any

    # --- screening ----------------------------------------------------------------

    def _screenings(self) -> None:
        """One record per clearance needed: a clearance lasts three years and
        is renewed before the first session it no longer covers."""
        rng = self.rng
        for person in self.people:
            starts = sorted(e.training_session.start_date for e in person.enrollments)
            first = starts[0] if starts else self.today
            if person.category == ScreeningStatus.PENDING:
                self._screening(
                    person,
                    ScreeningFramework.HRDDP_MITIGATION,
                    ScreeningStatus.PENDING,
                    None,
                    "Questionnaire sent to the nominating authority; reply awaited.",
                )
                continue
            if person.category == ScreeningStatus.NOT_CLEARED:
                screened_on = first - timedelta(days=rng.randint(15, 40))
                self._screening(
                    person,
                    self._framework(screened_on),
                    ScreeningStatus.NOT_CLEARED,
                    screened_on,
                    rng.choice(people_data.NOT_CLEARED_NOTES),
                )
                continue
            valid_until: date | None = None
            renewals: list[date] = []
            for start in starts or [first]:
                if valid_until is None or start > valid_until:
                    screened_on = start - timedelta(days=rng.randint(20, 60))
                    renewals.append(screened_on)
                    valid_until = screened_on + SCREENING_VALIDITY
            for number, screened_on in enumerate(renewals, start=1):
                latest = number == len(renewals)
                if latest and person.category == ScreeningStatus.CLEARED_WITH_CONDITIONS:
                    self._screening(
                        person,
                        self._framework(screened_on),
                        ScreeningStatus.CLEARED_WITH_CONDITIONS,
                        screened_on,
                        rng.choice(people_data.SCREENING_CONDITIONS),
                    )
                else:
                    self._screening(
                        person,
                        self._framework(screened_on),
                        ScreeningStatus.CLEARED,
                        screened_on,
                        None,
                    )

    def _framework(self, screened_on: date) -> ScreeningFramework:
        frameworks = [ScreeningFramework.HRDDP_MITIGATION, ScreeningFramework.DONOR_VETTING]
        weights = [75, 25]
        if screened_on <= G5_DISSOLVED:
            frameworks.append(ScreeningFramework.G5_COMPLIANCE_FRAMEWORK)
            weights = [55, 15, 30]
        return self.rng.choices(frameworks, weights)[0]

    def _screening(
        self,
        person: Any,
        framework: ScreeningFramework,
        status: ScreeningStatus,
        screened_on: date | None,
        notes: str | None,
    ) -> None:
        year = (screened_on or self.today).year
        prefix = {
            ScreeningFramework.HRDDP_MITIGATION: "HRDDP",
            ScreeningFramework.G5_COMPLIANCE_FRAMEWORK: "G5-CF",
            ScreeningFramework.DONOR_VETTING: "DV",
        }[framework]
        self.screening_numbers[(prefix, person.country, year)] += 1
        number = self.screening_numbers[(prefix, person.country, year)]
        recorded = screened_on or (self.today - timedelta(days=10))
        db.session.add(
            ScreeningRecord(
                participant=person.participant,
                framework=framework,
                status=status,
                screened_on=screened_on,
                valid_until=screened_on + SCREENING_VALIDITY if screened_on else None,
                recorded_by=self.coordinator,
                reference=f"{prefix}/{person.country}/{year}/{number:04d}",
                notes=notes,
                created_at=at(recorded, 15),
            )
        )
