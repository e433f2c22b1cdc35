"""The form base every Atelier form uses: text is cleaned at the door.

Each text field (StringField and its kinds, TextAreaField, HiddenField; not
passwords, which are taken whole) gets `training.text.clean` as its first
filter, so a control character pasted from Word, a line break in a name or a
field of spaces never reaches a service, the database, an export or a PDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import PasswordField, SelectField, StringField, TextAreaField
from wtforms.widgets import Select, html_params

from training.formatting import G5_SAHEL, country_groups
from training.text import clean
from training.web.errors import note_form_errors


def clean_line(value: Any) -> Any:
    """A single-line field's text, cleaned (None stays None)."""
    return clean(value) if isinstance(value, str) else value


def clean_paragraphs(value: Any) -> Any:
    """A multi-line field's text, cleaned, its line breaks kept."""
    return clean(value, multiline=True) if isinstance(value, str) else value


class CleanForm(FlaskForm):
    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if not valid:
            note_form_errors(self)  # the page shown again lists them at its top
        return valid

    class Meta(FlaskForm.Meta):
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                text_filter = (
                    clean_paragraphs if issubclass(field_class, TextAreaField) else clean_line
                )
                # options, not the unbound field's kwargs: those are shared by
                # every instance of the form class.
                filters = options.get("filters", unbound_field.kwargs.get("filters")) or ()
                options = {**options, "filters": (text_filter, *filters)}
            return super().bind_field(form, unbound_field, options)


class GroupedSelect(Select):
    """WTForms' select with option groups, except that the group named ""
    (the empty first choice: "—", "All") stands outside any optgroup."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        if not field.has_groups():
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for name in dir(flags):
            if name in self.validation_attrs and name not in kwargs:
                kwargs[name] = getattr(flags, name)
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        for group, choices in field.iter_groups():
            if group:
                html.append(f"<optgroup {html_params(label=group)}>")
            for value, label, selected, render_kw in choices:
                html.append(self.render_option(value, label, selected, **render_kw))
            if group:
                html.append("</optgroup>")
        html.append("</select>")
        return Markup("".join(html))  # noqa: S704  (html_params and render_option escape)


class CountryField(SelectField):
    """A country select: its choices from country_select_choices()."""

    widget = GroupedSelect()


def home_country() -> str | None:
    """The signed-in user's own country, when their record says it (a
    trainer's organisation's); None otherwise."""
    user = current_user
    if not getattr(user, "is_authenticated", False) or not getattr(user, "trainer_id", None):
        return None
    organisation = user.trainer.organisation if user.trainer else None
    return organisation.country if organisation else None


def country_select_choices(
    *empty: tuple[Any, Any], home: str | None = None
) -> dict[str, Sequence[tuple[Any, Any]]]:
    """A CountryField's choices: the `empty` choices ("—", "All") first, then
    the user's country and the G5 Sahel, then every other country, each
    group sorted in the reader's language; the groups come built from the
    cache (training.formatting.country_groups)."""
    home = home or home_country()
    groups = country_groups(str(get_locale() or "en"), home)
    choices: dict[str, Sequence[tuple[Any, Any]]] = {"": empty} if empty else {}
    own = groups.first[0][0] if groups.first else None
    if home and own == home.upper() and own not in G5_SAHEL:
        choices[_("Your country and the G5 Sahel")] = groups.first
    else:
        choices[_("G5 Sahel")] = groups.first
    choices[_("Other countries")] = groups.others
    return choices
