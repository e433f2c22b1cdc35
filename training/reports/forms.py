"""The reports' filter form (a GET form: filtering changes nothing) and the
parsing of drill-down arguments."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import DateField, Form, SelectField
from wtforms.validators import Optional as OptionalValidator
from wtforms.validators import ValidationError

from training.certificates.models import CertificateKind
from training.curricula.models import Curriculum, Theme
from training.extensions import db
from training.labels import choices
from training.people.models import Organisation, OrganisationKind, Sex
from training.people.organisations import by_label
from training.reports.queries import UNKNOWN, ReportFilters, Slice
from training.sessions.models import session_partner
from training.web.forms import CountryField, country_select_choices


def _optional_int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    return int(value)


def _optional_str(value: Any) -> str | None:
    return value or None


class ReportFilterForm(Form):
    """Built from request.args; no CSRF token since a GET changes nothing."""

    date_from = DateField(_l("From"), validators=[OptionalValidator()])
    date_to = DateField(_l("To"), validators=[OptionalValidator()])
    country = CountryField(_l("Country of the session"), coerce=_optional_str)
    theme = SelectField(_l("Theme"), coerce=_optional_str)
    curriculum = SelectField(_l("Curriculum"), coerce=_optional_int)
    organisation_kind = SelectField(_l("Organisation kind"), coerce=_optional_str)
    partner = SelectField(_l("Partner"), coerce=_optional_int)

    def __init__(self, formdata: MultiDict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(formdata, **kwargs)
        everything = ("", _l("All"))
        self.country.choices = country_select_choices(everything)
        self.theme.choices = [everything, *choices(Theme)]
        self.organisation_kind.choices = [everything, *choices(OrganisationKind)]
        self.curriculum.choices = [
            everything,
            *db.session.execute(
                sa.select(Curriculum.id, Curriculum.code).order_by(Curriculum.code)
            ).all(),
        ]
        partners = db.session.scalars(
            sa.select(Organisation).where(
                Organisation.id.in_(sa.select(session_partner.c.organisation_id))
            )
        )
        self.partner.choices = [
            everything,
            *((partner.id, partner.label) for partner in by_label(partners)),
        ]

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end of the period comes before its start."))

    def filters(self) -> ReportFilters:
        """The validated filters (call after validate())."""
        return ReportFilters(
            date_from=self.date_from.data,
            date_to=self.date_to.data,
            country=self.country.data,
            theme=Theme(self.theme.data) if self.theme.data else None,
            curriculum_id=self.curriculum.data,
            organisation_kind=self._organisation_kind(),
            partner_id=self.partner.data,
        )

    def _organisation_kind(self) -> OrganisationKind | None:
        value = self.organisation_kind.data
        return OrganisationKind(value) if value else None


class DrillDownForm(ReportFilterForm):
    """The filters plus the table cell a figure stands for. The organisation
    kind also accepts "none" (participants with no organisation)."""

    sex = SelectField(_l("Sex"), coerce=_optional_str)
    nationality = CountryField(_l("Nationality"), coerce=_optional_str)
    year = SelectField(_l("Year"), coerce=_optional_int)
    certificate = SelectField(_l("Certificate"), coerce=_optional_str)
    scored = SelectField(_l("With both test scores"), coerce=_optional_str)

    def __init__(self, formdata: MultiDict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(formdata, **kwargs)
        everything = ("", _l("All"))
        not_recorded = (UNKNOWN, _l("Not recorded"))
        self.organisation_kind.choices = [everything, *choices(OrganisationKind), not_recorded]
        self.sex.choices = [everything, *choices(Sex)]
        self.nationality.choices = country_select_choices(everything, not_recorded)
        years = self._year_choices()
        self.year.choices = [everything, *years]
        self.certificate.choices = [everything, *choices(CertificateKind)]
        self.scored.choices = [everything, ("1", _l("Yes"))]

    def _year_choices(self) -> list[tuple[int, str]]:
        """Any plausible year: a drill-down link may name a year with no data."""
        year = self.year.raw_data[0] if self.year.raw_data else ""
        # ASCII digits only: "²".isdigit() is true, and int() refuses it.
        if re.fullmatch(r"[0-9]{4}", year) and 1900 <= int(year) <= 2200:
            return [(int(year), year)]
        return []

    def _organisation_kind(self) -> OrganisationKind | None:
        # "none" is a slice (people with no organisation, see slice()), not
        # a filter on the organisation kind.
        if self.organisation_kind.data == UNKNOWN:
            return None
        return super()._organisation_kind()

    def slice(self) -> Slice:
        return Slice(
            sex=Sex(self.sex.data) if self.sex.data else None,
            nationality=self.nationality.data,
            no_organisation=self.organisation_kind.data == UNKNOWN,
            year=self.year.data,
            certificate_kind=(
                CertificateKind(self.certificate.data) if self.certificate.data else None
            ),
            with_scores=self.scored.data == "1",
        )
