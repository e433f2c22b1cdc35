"""Certificate forms: each carries only its own fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from training.certificates.models import CertificateKind
from training.labels import choices
from training.orm import MAX_ID
from training.web.forms import CleanForm


class IssueAllForm(CleanForm):
    submit = SubmitField(_l("Issue all eligible"))


def _kind_choices() -> list[tuple[str, str]]:
    return [("", _l("The kind earned")), *choices(CertificateKind)]


class IssueOneForm(CleanForm):
    """Issue one certificate; a reason makes it an override of a failed
    rule (the service decides whether one is needed)."""

    enrollment_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])
    kind = SelectField(_l("Kind"), choices=_kind_choices, validators=[Optional()])
    reason = TextAreaField(
        _l("Reason for issuing despite the rules"), validators=[Optional(), Length(max=2000)]
    )
    submit = SubmitField(_l("Issue"))


class RevokeForm(CleanForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Revoke"))


class ReissueForm(CleanForm):
    reason = TextAreaField(_l("What is corrected"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Reissue as a correction"))


class VerifyForm(CleanForm):
    """The public look-up. Sent with GET: it changes nothing, so it needs no
    CSRF token, and the result's address can be shared."""

    class Meta:
        csrf = False

    code = StringField(
        _l("Serial or verification code"),
        # A whole signed address fits, pasted from a scanner application.
        validators=[DataRequired(), Length(max=2600)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Verify"))


class FamilyNameForm(CleanForm):
    """The second step of typed verification: the serial typed at /verify,
    and the holder's family name. Sent with POST, so that the name stays out
    of addresses and server logs."""

    serial = HiddenField(validators=[DataRequired(), Length(max=40)])
    family_name = StringField(
        _l("Holder's family name"),
        validators=[DataRequired(), Length(max=100)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Verify"))
