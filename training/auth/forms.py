from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from training.auth.models import Role
from training.labels import choices
from training.web.forms import CleanForm


def role_choices():
    return choices(Role)


LOCALE_CHOICES = [
    ("", _l("Browser's language")),
    ("en", "English"),
    ("fr", "Français"),
    ("ar", "العربية"),
]


class LoginForm(CleanForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    submit = SubmitField(_l("Sign in"))


class UserForm(CleanForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    role = SelectField(_l("Role"), choices=role_choices, validators=[DataRequired()])
    locale = SelectField(_l("Language"), choices=LOCALE_CHOICES, default="")


class UserCreateForm(UserForm):
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=256)])
    submit = SubmitField(_l("Create user"))


class UserEditForm(UserForm):
    active = BooleanField(_l("Active"))
    submit = SubmitField(_l("Save"))


class PasswordChangeForm(CleanForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    submit = SubmitField(_l("Change password"))


class ConfirmForm(CleanForm):
    """An empty form: a POST button protected by its CSRF token."""

    submit = SubmitField(_l("Confirm"))
