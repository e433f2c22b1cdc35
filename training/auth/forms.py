from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, Length
from wtforms.widgets import CheckboxInput, ListWidget

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


class TokenForm(CleanForm):
    """A new personal access token of the API: its name, scopes (the view
    offers those the user's role can use) and lifetime."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("What the token is for, to recognise it later (“Field office sync”)."),
    )
    scopes = SelectMultipleField(
        _l("Scopes"),
        validators=[DataRequired(message=_l("Choose at least one scope."))],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    lifetime = SelectField(
        _l("Expires after"),
        coerce=int,
        default=90,
        choices=[
            (7, _l("7 days")),
            (30, _l("30 days")),
            (90, _l("90 days")),
            (365, _l("1 year")),
        ],
    )
    submit = SubmitField(_l("Create token"))
