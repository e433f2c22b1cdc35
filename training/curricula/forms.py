"""Forms of the curricula pages."""

from __future__ import annotations

import enum
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SearchField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from training.curricula.models import CurriculumOwner, CurriculumStatus, Theme
from training.labels import choices
from training.web.forms import CleanForm


def _any_choice(enum_class: type[enum.Enum]) -> list[tuple[str, Any]]:
    return [("", _l("Any")), *choices(enum_class)]


class CurriculumFilterForm(CleanForm):
    """The list's search and filters, read from the query string."""

    class Meta:
        csrf = False

    q = SearchField(_l("Code or title"), validators=[Optional(), Length(max=100)])
    theme = SelectField(_l("Theme"), choices=lambda: _any_choice(Theme), default="")
    owner = SelectField(_l("Owner"), choices=lambda: _any_choice(CurriculumOwner), default="")
    status = SelectField(_l("Status"), choices=lambda: _any_choice(CurriculumStatus), default="")


class CurriculumForm(CleanForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=30),
            Regexp(
                r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                message=_l("Use letters, digits, dots and dashes only."),
            ),
        ],
        description=_l("For example CT-INV-01."),
    )
    title_en = StringField(_l("Title in English"), validators=[DataRequired(), Length(max=250)])
    title_fr = StringField(_l("Title in French"), validators=[DataRequired(), Length(max=250)])
    title_ar = StringField(
        _l("Title in Arabic"),
        validators=[Optional(), Length(max=250)],
        description=_l("Optional: documents in Arabic print the French title without it."),
        render_kw={"dir": "rtl", "lang": "ar"},
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    theme = SelectField(_l("Theme"), choices=lambda: choices(Theme), validators=[DataRequired()])
    owner = SelectField(
        _l("Owner"), choices=lambda: choices(CurriculumOwner), validators=[DataRequired()]
    )
    version = StringField(_l("Version"), default="1.0", validators=[DataRequired(), Length(max=20)])
    min_attendance_percent = IntegerField(
        _l("Minimum attendance (%)"),
        default=80,
        validators=[InputRequired(), NumberRange(min=0, max=100)],
    )
    pass_mark_percent = IntegerField(
        _l("Post-test pass mark (%)"),
        validators=[Optional(), NumberRange(min=0, max=100)],
        description=_l("Leave blank when the curriculum has no test."),
    )
    certificate_validity_months = IntegerField(
        _l("Certificate validity (months)"),
        validators=[Optional(), NumberRange(min=1, max=600)],
        description=_l("Leave blank when certificates do not expire."),
    )
    submit = SubmitField(_l("Save"))

    def values(self) -> dict[str, object]:
        """The curriculum's values as the service takes them."""
        return {
            "code": (self.code.data or "").strip(),
            "title_en": (self.title_en.data or "").strip(),
            "title_fr": (self.title_fr.data or "").strip(),
            "title_ar": (self.title_ar.data or "").strip() or None,
            "description": (self.description.data or "").strip() or None,
            "theme": Theme(self.theme.data),
            "owner": CurriculumOwner(self.owner.data),
            "version": (self.version.data or "").strip(),
            "min_attendance_percent": self.min_attendance_percent.data,
            "pass_mark_percent": self.pass_mark_percent.data,
            "certificate_validity_months": self.certificate_validity_months.data,
        }


class ModuleForm(CleanForm):
    title_en = StringField(_l("Title in English"), validators=[DataRequired(), Length(max=250)])
    title_fr = StringField(_l("Title in French"), validators=[DataRequired(), Length(max=250)])
    title_ar = StringField(
        _l("Title in Arabic"),
        validators=[Optional(), Length(max=250)],
        description=_l("Optional: documents in Arabic print the French title without it."),
        render_kw={"dir": "rtl", "lang": "ar"},
    )
    aim = TextAreaField(_l("Aim"), validators=[Optional(), Length(max=5000)])
    learning_outcomes = TextAreaField(
        _l("Learning outcomes"), validators=[Optional(), Length(max=5000)]
    )
    duration_minutes = IntegerField(
        _l("Duration (minutes)"), validators=[InputRequired(), NumberRange(min=1, max=6000)]
    )
    submit = SubmitField(_l("Save module"))

    def values(self) -> dict[str, object]:
        return {
            "title_en": (self.title_en.data or "").strip(),
            "title_fr": (self.title_fr.data or "").strip(),
            "title_ar": (self.title_ar.data or "").strip() or None,
            "aim": (self.aim.data or "").strip() or None,
            "learning_outcomes": (self.learning_outcomes.data or "").strip() or None,
            "duration_minutes": self.duration_minutes.data,
        }
