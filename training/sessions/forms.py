"""Forms of the sessions pages. Choices that come from the database
(curricula, organisations, trainers) are set by the view."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from training.curricula.models import Theme
from training.labels import choices
from training.sessions.models import AssignmentRole, SessionKind, SessionLanguage, SessionStatus
from training.web.forms import CleanForm, CountryField, country_select_choices


def _any(options: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _l("Any")), *options]


class SessionFilterForm(CleanForm):
    """The list's filters, read from the query string."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=lambda: _any(choices(SessionStatus)), default="")
    country = CountryField(
        _l("Country"), choices=lambda: country_select_choices(("", _l("Any"))), default=""
    )
    curriculum = SelectField(_l("Curriculum"), choices=[("", _l("Any"))], default="")
    kind = SelectField(_l("Kind"), choices=lambda: _any(choices(SessionKind)), default="")
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end of the range cannot be before its start."))


def _optional_int(value: Any) -> int | None:
    """A choice's id, or None for the empty first choice ("— Choose … —")."""
    return None if value in ("", None) else int(value)


class SessionForm(CleanForm):
    """A session's details. Its theme and curriculum start unchosen: the
    coordinator picks them, nothing is preselected. The view sets the
    curriculum choices, each with its theme (data-theme)."""

    theme = SelectField(
        _l("Theme"),
        choices=lambda: [("", _l("— Choose a theme —")), *choices(Theme)],
        validators=[DataRequired(message=_l("Choose the theme of the session."))],
        description=_l("The curricula of this theme are offered below."),
    )
    curriculum_id = SelectField(
        _l("Curriculum"),
        coerce=_optional_int,
        validators=[DataRequired(message=_l("Choose the curriculum the session delivers."))],
        description=_l("Only approved curricula can be scheduled."),
    )
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(
                r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                message=_l("Use letters, digits, dots and dashes only."),
            ),
        ],
        description=_l("For example NE-2026-003."),
    )
    kind = SelectField(
        _l("Kind"), choices=lambda: choices(SessionKind), validators=[DataRequired()]
    )
    start_date = DateField(_l("Start date"), validators=[InputRequired()])
    end_date = DateField(_l("End date"), validators=[InputRequired()])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=100)])
    country = CountryField(
        _l("Country"),
        choices=lambda: country_select_choices(("", _l("— Choose a country —"))),
        validators=[DataRequired()],
    )
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    language = SelectField(
        _l("Language"), choices=lambda: choices(SessionLanguage), validators=[DataRequired()]
    )
    capacity = IntegerField(
        _l("Capacity"),
        validators=[
            InputRequired(),
            NumberRange(min=1, max=1000, message=_l("The capacity must be between 1 and 1000.")),
        ],
    )
    partners = SelectMultipleField(_l("Partners"), coerce=int, validators=[Optional()])
    screening_required = BooleanField(_l("Screening required"), default=True)
    send_notifications = BooleanField(
        _l("Send notifications to participants and trainers"),
        default=True,
        description=_l(
            "Mail on confirmation (with the convocation letter), waiting list, certificate "
            "and trainer assignment. Off, nobody of this session is sent mail."
        ),
    )
    submit = SubmitField(_l("Save"))

    def validate_end_date(self, field: DateField) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The end date cannot be before the start date."))

    def validate_curriculum_id(self, field: SelectField) -> None:
        """The curriculum must be one of the chosen theme's."""
        if not self.theme.data or field.data is None:
            return
        themes = {
            _optional_int(value): render_kw.get("data-theme")
            for value, _label, _selected, render_kw in field.iter_choices()
        }
        if field.data in themes and themes[field.data] != self.theme.data:
            raise ValidationError(
                _l("This curriculum is not on the chosen theme: choose one of its curricula.")
            )


class StatusForm(CleanForm):
    status = SelectField(
        _l("Status"), choices=lambda: choices(SessionStatus), validators=[DataRequired()]
    )


class AssignmentForm(CleanForm):
    trainer_id = SelectField(_l("Trainer"), coerce=int, validators=[InputRequired()])
    role = SelectField(
        _l("Role"),
        choices=lambda: choices(AssignmentRole),
        default=AssignmentRole.CO_TRAINER.value,
        validators=[DataRequired()],
    )
    override_reason = TextAreaField(
        _l("Reason, if the trainer is not qualified"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Required only to assign a trainer without a current qualification."),
    )
    submit = SubmitField(_l("Assign"))


class CompleteSessionForm(CleanForm):
    """Completing a session: one checkbox per item of its checklist, each
    sending the item's token (the service checks them against the
    checklist as it stands)."""

    acknowledged = SelectMultipleField(_l("Acknowledged"), validate_choice=False)
    submit = SubmitField(_l("Complete the session"))


class ReopenSessionForm(CleanForm):
    reason = TextAreaField(
        _l("Why reopen it"),
        validators=[
            DataRequired(message=_l("Write the reason for reopening the session.")),
            Length(max=2000),
        ],
        description=_l("Kept in the session's history, with your name."),
    )
    submit = SubmitField(_l("Reopen the session"))
