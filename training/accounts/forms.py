from flask_babel import lazy_gettext as _l
from wtforms import EmailField, IntegerField, PasswordField, SelectField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange

from training.auth.forms import UserForm
from training.web.forms import CleanForm


class ForgotPasswordForm(CleanForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))


class ChoosePasswordForm(CleanForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(
        _l("The same password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Save my password"))


class InviteUserForm(UserForm):
    submit = SubmitField(_l("Create and send the invitation"))


class LinkRecordForm(CleanForm):
    kind = SelectField(
        _l("Record"),
        choices=[("trainer", _l("Trainer")), ("participant", _l("Participant"))],
        validators=[DataRequired()],
    )
    record_id = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=2**31 - 1)])
    submit = SubmitField(_l("Link"))
