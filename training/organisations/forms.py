"""Forms of the organisations pages. Choices that depend on the database or
the locale are filled in when the form is built."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from training.labels import choices
from training.people.models import Organisation, OrganisationKind
from training.people.organisations import PartnershipState
from training.web.forms import CleanForm, CountryField, country_select_choices

STATE_CHOICES = [
    ("", _l("Any partnership")),
    (PartnershipState.ACTIVE.value, _l("Current partnerships")),
    (PartnershipState.ENDED.value, _l("Ended partnerships")),
]


class OrganisationFilterForm(CleanForm):
    """The list's search and filters, read from the query string."""

    class Meta:
        csrf = False

    q = SearchField(_l("Name or acronym"), validators=[Optional(), Length(max=100)])
    country = CountryField(_l("Country"), default="")
    kind = SelectField(
        _l("Kind"), choices=lambda: [("", _l("Any kind")), *choices(OrganisationKind)], default=""
    )
    state = SelectField(_l("Partnership"), choices=STATE_CHOICES, default="")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = country_select_choices(("", _l("Any country")))


class OrganisationForm(CleanForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    acronym = StringField(
        _l("Acronym"),
        validators=[Optional(), Length(max=30)],
        description=_l("As the organisation writes it, for example PN or DGSN."),
    )
    country = CountryField(
        _l("Country"),
        validators=[Optional()],
        description=_l("Leave empty for a UN entity or a regional organisation."),
    )
    kind = SelectField(
        _l("Kind"), choices=lambda: choices(OrganisationKind), validators=[DataRequired()]
    )
    is_security_force = BooleanField(
        _l("Security force"),
        description=_l(
            "Police, gendarmerie, national guard, customs, armed forces… outside the UN: "
            "the UN Human Rights Due Diligence Policy applies to supporting them."
        ),
    )
    active_from = DateField(_l("Start of the partnership"), validators=[Optional()])
    active_until = DateField(
        _l("End of the partnership"),
        validators=[Optional()],
        description=_l("Empty while the partnership goes on."),
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = country_select_choices(("", "—"))

    def validate_active_until(self, field: DateField) -> None:
        if field.data and self.active_from.data and field.data < self.active_from.data:
            raise ValidationError(_l("The partnership cannot end before it starts."))


class EndPartnershipForm(CleanForm):
    ended_on = DateField(_l("Last day of the partnership"), validators=[DataRequired()])
    submit = SubmitField(_l("End the partnership"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("ended_on", date.today())
        super().__init__(*args, **kwargs)


KEEP_THIS, KEEP_OTHER = "this", "other"


class MergeChoiceForm(CleanForm):
    """Which record is the same organisation as this one, and which of the two
    to keep (read from the query string: choosing changes nothing)."""

    class Meta:
        csrf = False

    duplicate = SelectField(
        _l("The other record of this organisation"),
        coerce=int,
        validators=[InputRequired(_l("Choose the other record."))],
    )
    keep = RadioField(
        _l("Record to keep"),
        choices=[
            (KEEP_THIS, _l("Keep this record")),
            (KEEP_OTHER, _l("Keep the other record")),
        ],
        default=KEEP_THIS,
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Show what the merge moves"))

    def __init__(self, organisation: Organisation, others: list[Organisation], **kwargs: Any):
        super().__init__(**kwargs)
        self.duplicate.choices = [(0, _l("— choose —"))] + [
            (other.id, other.label) for other in others if other.id != organisation.id
        ]

    def validate_duplicate(self, field: SelectField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose the other record."))


# An id in a hidden field: up to nine digits, within every engine's INTEGER.
ID_PATTERN = r"^\d{1,9}$"


class MergeForm(CleanForm):
    """The confirmation: the two records, as the confirmation page showed them."""

    duplicate = HiddenField(validators=[DataRequired(), Regexp(ID_PATTERN)])
    keep = HiddenField(validators=[DataRequired(), AnyOf((KEEP_THIS, KEEP_OTHER))])
    submit = SubmitField(_l("Merge the two records"))
