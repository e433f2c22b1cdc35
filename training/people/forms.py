"""Forms for participants, screening and trainers. Choices that depend on the
database or the locale are filled in when the form is built."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from training.labels import choices
from training.people.models import ScreeningFramework, ScreeningStatus, Sex
from training.people.organisations import offered_organisations
from training.web.forms import CleanForm, CountryField, country_select_choices

LANGUAGE_CHOICES = [("fr", _l("French")), ("en", _l("English")), ("ar", _l("Arabic"))]


def _organisation_choices(record: Any = None) -> list[tuple[int, Any]]:
    """The organisations a person can belong to, by label with their country:
    those whose partnership is current, plus the record's own."""
    keep_id = getattr(record, "organisation_id", None)
    return [(0, _l("— none —"))] + [
        (organisation.id, organisation.label)
        for organisation in offered_organisations(keep_id=keep_id)
    ]


class ParticipantForm(CleanForm):
    given_name = StringField(_l("Given name"), validators=[DataRequired(), Length(max=100)])
    family_name = StringField(_l("Family name"), validators=[DataRequired(), Length(max=100)])
    name_ar = StringField(
        _l("Name in Arabic script"),
        validators=[Optional(), Length(max=200)],
        description=_l("Optional: the full name as the person writes it in Arabic."),
        render_kw={"dir": "rtl", "lang": "ar", "autocomplete": "off"},
    )
    sex = RadioField(_l("Sex"), choices=choices(Sex), validators=[DataRequired()])
    nationality = CountryField(_l("Nationality"), validators=[Optional()])
    organisation_id = SelectField(_l("Organisation"), coerce=int, default=0)
    rank = StringField(_l("Rank"), validators=[Optional(), Length(max=100)])
    function = StringField(_l("Function"), validators=[Optional(), Length(max=150)])
    email = EmailField(
        _l("Email"), validators=[Optional(), Email(check_deliverability=False), Length(max=254)]
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    consent = BooleanField(_l("The participant consented to the processing of their data"))
    create_anyway = BooleanField(_l("Create anyway: this is a different person"))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.nationality.choices = country_select_choices(("", "—"))
        self.organisation_id.choices = _organisation_choices(kwargs.get("obj"))


class ScreeningForm(CleanForm):
    framework = SelectField(_l("Framework"), choices=choices(ScreeningFramework))
    status = SelectField(_l("Result"), choices=choices(ScreeningStatus))
    screened_on = DateField(_l("Screened on"), validators=[DataRequired()])
    valid_until = DateField(_l("Valid until"), validators=[Optional()])
    reference = StringField(_l("Reference"), validators=[Optional(), Length(max=100)])
    notes = TextAreaField(
        _l("Notes (coordinators only)"), validators=[Optional(), Length(max=5000)]
    )
    submit = SubmitField(_l("Record screening"))

    def validate_valid_until(self, field) -> None:
        if field.data and self.screened_on.data and field.data < self.screened_on.data:
            raise ValidationError(_l("“Valid until” cannot be before the screening date."))


class BulkScreeningForm(ScreeningForm):
    """One screening result for the participants named by `participant_id`."""

    participant_id = SelectMultipleField(coerce=int, validate_choice=False)
    submit = SubmitField(_l("Record for each of them"))


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as checkboxes (usable on a phone)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TrainerForm(CleanForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    organisation_id = SelectField(_l("Organisation"), coerce=int, default=0)
    languages = MultiCheckboxField(_l("Languages"), choices=LANGUAGE_CHOICES)
    email = EmailField(
        _l("Email"), validators=[Optional(), Email(check_deliverability=False), Length(max=254)]
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = _organisation_choices(kwargs.get("obj"))


class QualificationForm(CleanForm):
    curriculum_id = SelectField(_l("Curriculum"), coerce=int, validators=[DataRequired()])
    qualified_on = DateField(_l("Qualified on"), validators=[DataRequired()])
    expires_on = DateField(_l("Expires on"), validators=[Optional()])
    submit = SubmitField(_l("Add qualification"))

    def validate_expires_on(self, field) -> None:
        if field.data and self.qualified_on.data and field.data < self.qualified_on.data:
            raise ValidationError(_l("The expiry date cannot be before the qualification date."))
