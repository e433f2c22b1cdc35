"""Forms of the enrollment pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired, Optional, Regexp

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


class UploadForm(CleanForm):
    file = FileField(
        _l("CSV or XLSX file of nominees"),
        validators=[FileRequired(_l("Choose a file to upload."))],
    )
    submit = SubmitField(_l("Check the file"))
