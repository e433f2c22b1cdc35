"""Forms of the enrollment pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from training.labels import choices
from training.people.models import OrganisationKind
from training.web.forms import CleanForm, CountryField, country_select_choices

# An id in a hidden field: up to nine digits, within every engine's INTEGER
# (a larger number would be an error from PostgreSQL, not an unknown id).
ID_PATTERN = r"^\d{1,9}$"
# An organisation cell as compared (importer.organisation_key): folded
# letters and digits, as long as a CSV line at most.
KEY_PATTERN = r"^[0-9a-z]{1,4000}$"


class NominateForm(CleanForm):
    """Nominate one registered participant (chosen from the search results),
    on behalf of the organisation chosen beside the search (empty: the
    participant's own)."""

    participant_id = HiddenField(validators=[DataRequired(), Regexp(ID_PATTERN)])
    nominating_organisation_id = HiddenField(validators=[Optional(), Regexp(ID_PATTERN)])
    submit = SubmitField(_l("Nominate"))


class ConfirmEnrollmentForm(CleanForm):
    """Confirm one nominee; a reason overrides a clash with another session
    they are confirmed in (kept in the history)."""

    override_reason = TextAreaField(
        _l("Reason for confirming anyway"), validators=[Optional(), Length(max=500)]
    )
    submit = SubmitField(_l("Confirm anyway"))


BULK_ACTIONS = (
    ("confirm", _l("Confirm")),
    ("waitlist", _l("Put on the waiting list")),
    ("withdraw", _l("Withdraw")),
    ("screen", _l("Record a screening result")),
)


class BulkEnrollmentForm(CleanForm):
    """One action for the enrollments ticked on the page."""

    action = SelectField(_l("With the selected"), choices=BULK_ACTIONS)
    enrollment_id = SelectMultipleField(coerce=int, validate_choice=False)
    # Withdrawing asks first: set by the page that lists who is withdrawn.
    confirmed = HiddenField(validators=[Optional(), Regexp(r"^1$")])
    submit = SubmitField(_l("Apply"))


class NominateManyForm(CleanForm):
    """Nominate every participant ticked in the search results."""

    participant_id = SelectMultipleField(coerce=int, validate_choice=False)
    nominating_organisation_id = HiddenField(validators=[Optional(), Regexp(ID_PATTERN)])
    submit = SubmitField(_l("Nominate the selected"))


class UploadForm(CleanForm):
    file = FileField(
        _l("CSV or XLSX file of nominees"),
        validators=[FileRequired(_l("Choose a file to upload."))],
    )
    submit = SubmitField(_l("Check the file"))


class OrganisationChoiceForm(CleanForm):
    """The organisation an ambiguous or unknown cell of the file stands for,
    for all the rows that wait on it."""

    key = HiddenField(validators=[DataRequired(), Regexp(KEY_PATTERN)])
    organisation_id = StringField(
        _l("Organisation"),
        validators=[DataRequired(_l("Choose an organisation.")), Regexp(ID_PATTERN)],
    )
    submit = SubmitField(_l("Use for these rows"))


class NewOrganisationForm(CleanForm):
    """An organisation the file names and the registry lacks, created from
    the preview and used for the rows that name it."""

    key = HiddenField(validators=[DataRequired(), Regexp(KEY_PATTERN)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    acronym = StringField(_l("Acronym"), validators=[Optional(), Length(max=30)])
    country = CountryField(_l("Country"), validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=choices(OrganisationKind), validators=[DataRequired()])
    is_security_force = BooleanField(_l("Security force"))
    submit = SubmitField(_l("Create and use for these rows"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = country_select_choices(("", _l("— international —")))


class ScreeningUploadForm(CleanForm):
    file = FileField(
        _l("CSV or XLSX screening list"),
        validators=[FileRequired(_l("Choose a file to upload."))],
    )
    submit = SubmitField(_l("Check the file"))
