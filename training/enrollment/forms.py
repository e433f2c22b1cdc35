"""Forms of the enrollment pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from training.web.forms import CleanForm

# An id in a hidden field: up to nine digits, within every engine's INTEGER
# (a larger number would be an error from PostgreSQL, not an unknown id).
ID_PATTERN = r"^\d{1,9}$"


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
